//! Which neighbours a node extends a search to: the design document's
//! `LookupExtensionMechanism::neighbors_to_contact`.

use std::cmp::Reverse;

use p2psim_sim::graph::{Graph, NodeId};
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

/// Selects the neighbours a search is extended to.
pub trait NeighbourSelection {
    /// Writes into `out` the neighbours of `me` to contact; `sender` is the node the
    /// search came from (`None` at the node that started it).
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        sender: Option<NodeId>,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    );
}

/// Every neighbour (the sender declines, having seen the search): the dumbest approach.
pub struct All;

/// Every neighbour but the one the search came from.
pub struct AllButSender;

/// `k` neighbours drawn uniformly without replacement.
pub struct RandomSubset {
    /// How many.
    pub k: usize,
}

/// The `k` neighbours of highest degree (ties: lowest id).
pub struct HighestDegree {
    /// How many.
    pub k: usize,
}

/// The `k` neighbours of lowest degree (ties: lowest id).
pub struct LowestDegree {
    /// How many.
    pub k: usize,
}

impl NeighbourSelection for All {
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        _: Option<NodeId>,
        _: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    ) {
        out.extend_from_slice(g.neighbors(me));
    }
}

impl NeighbourSelection for AllButSender {
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        sender: Option<NodeId>,
        _: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    ) {
        out.extend(g.neighbors(me).iter().filter(|&&n| Some(n) != sender));
    }
}

impl NeighbourSelection for RandomSubset {
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        _: Option<NodeId>,
        rng: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    ) {
        let ns = g.neighbors(me);
        out.extend(
            sample(rng, ns.len(), self.k.min(ns.len()))
                .into_iter()
                .map(|i| ns[i]),
        );
    }
}

impl NeighbourSelection for HighestDegree {
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        _: Option<NodeId>,
        _: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    ) {
        by_degree(g, me, self.k, |d, n| (Reverse(d), n), out);
    }
}

impl NeighbourSelection for LowestDegree {
    fn neighbours_to_contact(
        &self,
        g: &Graph,
        me: NodeId,
        _: Option<NodeId>,
        _: &mut ChaCha8Rng,
        out: &mut Vec<NodeId>,
    ) {
        by_degree(g, me, self.k, |d, n| (d, n), out);
    }
}

/// The first `k` neighbours of `me` ordered by `key(degree, id)`.
fn by_degree<K: Ord>(
    g: &Graph,
    me: NodeId,
    k: usize,
    key: impl Fn(usize, NodeId) -> K,
    out: &mut Vec<NodeId>,
) {
    let mut ns = g.neighbors(me).to_vec();
    ns.sort_by_key(|&n| key(g.degree(n), n));
    out.extend(ns.into_iter().take(k));
}

/// Which selection a node uses, as a scenario names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeighbourSpec {
    /// [`All`].
    All,
    /// [`AllButSender`].
    AllButSender,
    /// [`RandomSubset`].
    Random(usize),
    /// [`HighestDegree`].
    HighestDegree(usize),
    /// [`LowestDegree`].
    LowestDegree(usize),
}

/// Scenario names of the selections.
pub const NEIGHBOUR_NAMES: &[&str] = &[
    "all",
    "all_but_sender",
    "random",
    "highest_degree",
    "lowest_degree",
];

impl NeighbourSpec {
    /// The selection this spec names.
    pub fn build(self) -> Box<dyn NeighbourSelection> {
        match self {
            NeighbourSpec::All => Box::new(All),
            NeighbourSpec::AllButSender => Box::new(AllButSender),
            NeighbourSpec::Random(k) => Box::new(RandomSubset { k }),
            NeighbourSpec::HighestDegree(k) => Box::new(HighestDegree { k }),
            NeighbourSpec::LowestDegree(k) => Box::new(LowestDegree { k }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Node 0 linked to 1..=4; node i (i >= 1) also linked to i - 1 more leaves.
    fn graph() -> Graph {
        let mut g = Graph::new(11);
        for i in 1..=4 {
            g.add_edge(0, i);
        }
        let mut next = 5;
        for i in 1..=4u32 {
            for _ in 1..i {
                g.add_edge(i, next);
                next += 1;
            }
        }
        g
    }

    fn pick(s: &dyn NeighbourSelection, sender: Option<NodeId>) -> Vec<NodeId> {
        let mut out = Vec::new();
        s.neighbours_to_contact(
            &graph(),
            0,
            sender,
            &mut ChaCha8Rng::seed_from_u64(1),
            &mut out,
        );
        out
    }

    #[test]
    fn each_selection_picks_as_named() {
        assert_eq!(pick(&All, Some(2)), vec![1, 2, 3, 4]);
        assert_eq!(pick(&AllButSender, Some(2)), vec![1, 3, 4]);
        assert_eq!(pick(&HighestDegree { k: 2 }, None), vec![4, 3]);
        assert_eq!(pick(&LowestDegree { k: 2 }, None), vec![1, 2]);
        let mut r = pick(&RandomSubset { k: 3 }, None);
        assert_eq!(r.len(), 3);
        r.sort();
        r.dedup();
        assert_eq!(r.len(), 3);
        assert_eq!(pick(&RandomSubset { k: 9 }, None).len(), 4);
    }
}
