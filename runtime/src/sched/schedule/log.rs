//! The record of a run's non-default choices, which replays it.

/// A run's choices that were not the default, by their index in the run's
/// sequence of choices (see the `schedule` module): what replays the run, and
/// what shrinking makes smaller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DecisionLog {
    /// `(index, answer)`, by increasing index; answers are never the default 0.
    decisions: Vec<(u64, u64)>,
    /// How many choices the run made in all (defaults included).
    total: u64,
}

impl DecisionLog {
    /// A log of these `(index, answer)` pairs out of `total` choices; pairs
    /// are sorted by index and zero answers dropped.
    pub fn new(mut decisions: Vec<(u64, u64)>, total: u64) -> Self {
        decisions.retain(|&(_, v)| v != 0);
        decisions.sort_unstable();
        decisions.dedup_by_key(|d| d.0);
        DecisionLog { decisions, total }
    }

    /// The answer recorded for choice `index`, if it was not the default.
    pub fn get(&self, index: u64) -> Option<u64> {
        self.decisions
            .binary_search_by_key(&index, |d| d.0)
            .ok()
            .map(|i| self.decisions[i].1)
    }

    /// The non-default choices, by increasing index.
    pub fn decisions(&self) -> &[(u64, u64)] {
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
    fn a_log_keeps_non_default_answers_by_index() {
        let log = DecisionLog::new(vec![(7, 2), (3, 0), (1, 5), (7, 9)], 10);
        assert_eq!(log.decisions(), &[(1, 5), (7, 2)]);
        assert_eq!(log.get(1), Some(5));
        assert_eq!(log.get(3), None);
        assert_eq!(log.get(100), None);
        assert_eq!(log.filtered(|i| i == 1).decisions(), &[(7, 2)]);
        assert_eq!(log.total(), 10);
    }
}
