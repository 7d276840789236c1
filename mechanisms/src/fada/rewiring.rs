//! How the node that started a lookup rewires itself when results come back: in FADA
//! it links to the nodes that answered, the moment it learns of them.

use p2psim_sim::graph::{Graph, NodeId};

/// Rewires the network after a fruitful lookup.
pub trait Rewiring {
    /// Links `origin` to some of `responders` (nodes whose registries matched);
    /// returns how many links were added.
    fn rewire(&self, g: &mut Graph, origin: NodeId, responders: &[NodeId]) -> usize;
}

/// Leaves the network as it is.
pub struct NoRewiring;

/// FADA's rule: link to every responder not yet a neighbour.
pub struct ConnectToResponders;

/// Link to responders of lowest degree first, only while both ends stay below `cap`.
pub struct PreferLowDegree {
    /// No node gains a link that would bring its degree above this.
    pub cap: usize,
}

impl Rewiring for NoRewiring {
    fn rewire(&self, _: &mut Graph, _: NodeId, _: &[NodeId]) -> usize {
        0
    }
}

impl Rewiring for ConnectToResponders {
    fn rewire(&self, g: &mut Graph, origin: NodeId, responders: &[NodeId]) -> usize {
        responders
            .iter()
            .filter(|&&r| g.add_edge(origin, r))
            .count()
    }
}

impl Rewiring for PreferLowDegree {
    fn rewire(&self, g: &mut Graph, origin: NodeId, responders: &[NodeId]) -> usize {
        let mut rs = responders.to_vec();
        rs.sort_by_key(|&r| (g.degree(r), r));
        let mut added = 0;
        for r in rs {
            if g.degree(origin) >= self.cap {
                break;
            }
            if g.degree(r) < self.cap && g.add_edge(origin, r) {
                added += 1;
            }
        }
        added
    }
}

/// Which rewiring a node uses, as a scenario names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewiringSpec {
    /// [`NoRewiring`].
    None,
    /// [`ConnectToResponders`].
    Responders,
    /// [`PreferLowDegree`] with its cap.
    LowDegree(usize),
}

/// Scenario names of the rewirings.
pub const REWIRING_NAMES: &[&str] = &["none", "responders", "low_degree"];

impl RewiringSpec {
    /// The rewiring this spec names.
    pub fn build(self) -> Box<dyn Rewiring> {
        match self {
            RewiringSpec::None => Box::new(NoRewiring),
            RewiringSpec::Responders => Box::new(ConnectToResponders),
            RewiringSpec::LowDegree(cap) => Box::new(PreferLowDegree { cap }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A star around 0 (leaves 1..=5) plus a path 6-7-8; node 9 isolated.
    fn graph() -> Graph {
        let mut g = Graph::new(10);
        for i in 1..=5 {
            g.add_edge(0, i);
        }
        g.add_edge(6, 7);
        g.add_edge(7, 8);
        g
    }

    #[test]
    fn each_rewiring_changes_degrees_as_specified() {
        let mut g = graph();
        assert_eq!(NoRewiring.rewire(&mut g, 9, &[0, 7]), 0);
        assert_eq!(g, graph());

        let mut g = graph();
        assert_eq!(ConnectToResponders.rewire(&mut g, 6, &[0, 7, 8]), 2);
        assert_eq!((g.degree(6), g.degree(0), g.degree(8)), (3, 6, 2));

        // Cap 2: nodes 0 and 7 are at or above it; 9 links to 6 then 8 (lowest degrees)
        // and stops when its own degree reaches the cap.
        let mut g = graph();
        let low = PreferLowDegree { cap: 2 };
        assert_eq!(low.rewire(&mut g, 9, &[0, 7, 6, 8]), 2);
        assert!(g.has_edge(9, 6) && g.has_edge(9, 8) && !g.has_edge(9, 0) && !g.has_edge(9, 7));
        assert_eq!(g.degree(9), 2);
    }
}
