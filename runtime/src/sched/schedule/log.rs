//! The record of a run's non-default choices, which replays it.

/// Which choice of a run a decision answers: the virtual instant it was made
/// at (nanoseconds) and its rank among the choices made at that instant, from 0.
///
/// Keyed by instant, not by the choice's number in the whole run: leaving out
/// work at other instants (shrinking drops a request) does not shift which
/// choice a recorded answer belongs to.
pub type ChoiceAt = (u64, u64);

/// A run's choices that were not the default, by which choice each answers
/// ([`ChoiceAt`]; see the `schedule` module): what replays the run, and what
/// shrinking makes smaller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DecisionLog {
    /// `(choice, answer)`, by increasing choice; answers are never the default 0.
    decisions: Vec<(ChoiceAt, u64)>,
    /// How many choices the run made in all (defaults included).
    total: u64,
}

impl DecisionLog {
    /// A log of these `(choice, answer)` pairs out of `total` choices; pairs
    /// are sorted by choice and zero answers dropped.
    pub fn new(mut decisions: Vec<(ChoiceAt, u64)>, total: u64) -> Self {
        decisions.retain(|&(_, v)| v != 0);
        decisions.sort_unstable();
        decisions.dedup_by_key(|d| d.0);
        DecisionLog { decisions, total }
    }

    /// The answer recorded for `choice`, if it was not the default.
    pub fn get(&self, choice: ChoiceAt) -> Option<u64> {
        self.decisions
            .binary_search_by_key(&choice, |d| d.0)
            .ok()
            .map(|i| self.decisions[i].1)
    }

    /// The non-default choices, in the order they were made.
    pub fn decisions(&self) -> &[(ChoiceAt, u64)] {
        &self.decisions
    }

    /// How many choices the recorded run made, defaults included.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Non-default choices.
    pub fn len(&self) -> usize {
        self.decisions.len()
    }

    /// Whether every choice was the default (the run is the FIFO run, unjittered).
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty()
    }

    /// The same log with only the decisions whose position `keep` accepts.
    pub fn filtered(&self, mut keep: impl FnMut(usize) -> bool) -> Self {
        let decisions = self
            .decisions
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, d)| *d)
            .collect();
        DecisionLog {
            decisions,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_keeps_non_default_answers_by_choice() {
        let log = DecisionLog::new(
            vec![
                ((7, 0), 2),
                ((3, 1), 0),
                ((1, 4), 5),
                ((7, 0), 9),
                ((1, 0), 1),
            ],
            10,
        );
        assert_eq!(log.decisions(), &[((1, 0), 1), ((1, 4), 5), ((7, 0), 2)]);
        assert_eq!(log.get((1, 4)), Some(5));
        assert_eq!(log.get((3, 1)), None);
        assert_eq!(log.get((100, 0)), None);
        assert_eq!(log.filtered(|i| i == 2).decisions(), &[((7, 0), 2)]);
        assert_eq!(log.total(), 10);
    }
}
