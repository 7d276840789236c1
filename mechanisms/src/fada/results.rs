//! The result container of one search: matches merged without duplicates, and the
//! synchronisation point the origin blocks on while they arrive.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use p2psim_runtime::SyncPoint;
use p2psim_sim::graph::NodeId;

use super::messages::Match;

/// Matches keyed by the node that matched (a node matches once; the shortest path wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchSet {
    by_node: BTreeMap<NodeId, u32>,
}

impl MatchSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `m`; returns whether its node is new.
    pub fn add(&mut self, m: Match) -> bool {
        match self.by_node.get_mut(&m.node) {
            Some(h) => {
                *h = (*h).min(m.hops);
                false
            }
            None => {
                self.by_node.insert(m.node, m.hops);
                true
            }
        }
    }

    /// Merges `ms`, dropping duplicates; returns how many nodes were new.
    pub fn merge(&mut self, ms: impl IntoIterator<Item = Match>) -> usize {
        ms.into_iter().filter(|m| self.add(*m)).count()
    }

    /// Distinct matching nodes.
    pub fn len(&self) -> usize {
        self.by_node.len()
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.by_node.is_empty()
    }

    /// The matches, in node order.
    pub fn to_vec(&self) -> Vec<Match> {
        self.by_node
            .iter()
            .map(|(&node, &hops)| Match { node, hops })
            .collect()
    }
}

/// The results container of a search at the node that started it.
#[derive(Default)]
pub struct Results {
    matches: RefCell<MatchSet>,
    arrived: SyncPoint,
}

impl Results {
    /// An empty container.
    pub fn new() -> Self {
        Results {
            matches: RefCell::new(MatchSet::new()),
            arrived: SyncPoint::named("fada-results"),
        }
    }

    /// Merges results (from a call chain or reported by a distant node) and wakes the origin.
    pub fn merge(&self, ms: impl IntoIterator<Item = Match>) {
        let new = self.matches.borrow_mut().merge(ms);
        if new > 0 {
            self.arrived.awake();
        }
    }

    /// Distinct matches so far.
    pub fn len(&self) -> usize {
        self.matches.borrow().len()
    }

    /// Whether nothing matched so far.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Blocks until `wanted` matches have arrived or `timeout` passes, whichever is first.
    pub fn wait_for(&self, wanted: usize, timeout: Duration) -> bool {
        self.arrived
            .wait_until_for(|| self.len() >= wanted, timeout)
    }

    /// The matches so far, in node order.
    pub fn snapshot(&self) -> Vec<Match> {
        self.matches.borrow().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_drops_duplicates_and_keeps_the_shortest_path() {
        let mut s = MatchSet::new();
        let m = |node, hops| Match { node, hops };
        assert_eq!(s.merge([m(3, 2), m(1, 1), m(3, 1)]), 2);
        assert_eq!(s.merge([m(1, 4)]), 0);
        assert_eq!(s.to_vec(), vec![m(1, 1), m(3, 1)]);
    }
}
