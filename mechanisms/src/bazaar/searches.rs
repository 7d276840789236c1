//! The searches on the wire: which nodes each one has visited, so a node drops a
//! lookup it has already seen. A search is forgotten once none of its lookup
//! messages is in flight (none can arrive any more), which keeps memory bounded
//! by the searches alive, not by all searches ever made.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use p2psim_sim::graph::NodeId;

#[derive(Default)]
struct Search {
    visited: HashSet<NodeId>,
    in_flight: u64,
}

/// Visited nodes per live search (lookups only; never iterated).
#[derive(Default)]
pub struct Searches {
    live: RefCell<HashMap<u64, Search>>,
}

impl Searches {
    /// A new search starting at the buyer `origin`, which counts as visited.
    pub fn open(&self, search: u64, origin: NodeId) {
        let mut s = Search::default();
        s.visited.insert(origin);
        self.live.borrow_mut().insert(search, s);
    }

    /// One more lookup message of `search` is on the wire.
    pub fn sent(&self, search: u64) {
        if let Some(s) = self.live.borrow_mut().get_mut(&search) {
            s.in_flight += 1;
        }
    }

    /// A lookup of `search` arrived at `node`: true on its first visit there.
    pub fn arrive(&self, search: u64, node: NodeId) -> bool {
        self.live
            .borrow_mut()
            .get_mut(&search)
            .is_some_and(|s| s.visited.insert(node))
    }

    /// A lookup of `search` has been served (after it was forwarded); `arrived`
    /// says whether it counted as in flight. Forgets the search when none is left.
    pub fn settle(&self, search: u64, arrived: bool) {
        let mut live = self.live.borrow_mut();
        if let Some(s) = live.get_mut(&search) {
            s.in_flight -= u64::from(arrived);
            if s.in_flight == 0 {
                live.remove(&search);
            }
        }
    }

    /// Searches still on the wire.
    pub fn live(&self) -> usize {
        self.live.borrow().len()
    }
}
