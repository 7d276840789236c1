//! Undirected simple graph with adjacency lists that can be rewired at run time.

pub mod build;
pub mod stats;
pub mod topology;

use smallvec::SmallVec;

/// Identifier of a node: a dense index in `0..node_count()`.
pub type NodeId = u32;

/// Neighbours kept inside a node's list entry before it moves them to the heap.
const INLINE: usize = 4;

/// One node's neighbours: inline up to `INLINE` (most nodes of a scale-free graph),
/// so that a visit to a random node reads one line instead of two.
type Links = SmallVec<[NodeId; INLINE]>;

/// Undirected simple graph (no self loops, no multi-edges) stored as one adjacency list per node.
///
/// Every edge appears in the lists of both endpoints. A list per node costs 24 bytes, holding
/// up to four neighbours inline, plus 4 bytes per edge endpoint on the heap beyond that: about
/// 60 MB for 1M nodes and 4M edges, which keeps the layout simple while still allowing cheap
/// rewiring (a CSR layout would be tighter but could not insert edges in place).
///
/// All methods taking a [`NodeId`] panic if it is not below [`Graph::node_count`]: passing an
/// unknown id is a programmer error, not a recoverable condition.
///
/// Equality compares neighbour order too, so two graphs are equal only when built by the same
/// sequence of operations; that is exactly what seeded-determinism tests need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    adjacency: Vec<Links>,
    edge_count: usize,
}

impl Graph {
    /// Creates a graph with `n` isolated nodes; panics if `n` exceeds the [`NodeId`] range.
    pub fn new(n: usize) -> Self {
        assert!(
            n <= NodeId::MAX as usize,
            "node count {n} exceeds the NodeId range"
        );
        Graph {
            adjacency: vec![Links::new(); n],
            edge_count: 0,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.adjacency.len()
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// Appends an isolated node and returns its id; panics if the [`NodeId`] range is exhausted.
    pub fn add_node(&mut self) -> NodeId {
        let id = NodeId::try_from(self.adjacency.len())
            .ok()
            .filter(|&id| id < NodeId::MAX)
            .expect("node count exceeds the NodeId range");
        self.adjacency.push(Links::new());
        id
    }

    /// Adds edge `a`–`b`; returns false (and changes nothing) for a self loop or an existing edge.
    ///
    /// Costs O(min(degree(a), degree(b))) for the duplicate check.
    pub fn add_edge(&mut self, a: NodeId, b: NodeId) -> bool {
        self.check(a);
        self.check(b);
        if a == b || self.has_edge(a, b) {
            return false;
        }
        self.adjacency[a as usize].push(b);
        self.adjacency[b as usize].push(a);
        self.edge_count += 1;
        true
    }

    /// Removes edge `a`–`b`; returns false if it was not present.
    ///
    /// Uses `swap_remove`, so the last neighbour of each endpoint takes the removed slot: the
    /// neighbour order stays deterministic but is no longer pure insertion order.
    /// Costs O(degree(a) + degree(b)).
    pub fn remove_edge(&mut self, a: NodeId, b: NodeId) -> bool {
        self.check(a);
        self.check(b);
        let Some(pos_b) = self.position(a, b) else {
            return false;
        };
        self.adjacency[a as usize].swap_remove(pos_b);
        // Both directions are always stored together, so the mirror entry must exist.
        if let Some(pos_a) = self.position(b, a) {
            self.adjacency[b as usize].swap_remove(pos_a);
        }
        self.edge_count -= 1;
        true
    }

    /// Whether edge `a`–`b` exists; scans the shorter of the two adjacency lists.
    pub fn has_edge(&self, a: NodeId, b: NodeId) -> bool {
        self.check(b);
        let (short, other) = if self.degree(a) <= self.degree(b) {
            (a, b)
        } else {
            (b, a)
        };
        self.adjacency[short as usize].contains(&other)
    }

    /// Neighbours of `a` in insertion order, except that [`Graph::remove_edge`] swap-removes.
    pub fn neighbors(&self, a: NodeId) -> &[NodeId] {
        &self.adjacency[a as usize]
    }

    /// Asks for node `a`'s list (its neighbours too, up to `INLINE` of them) to
    /// be brought into the cache, without reading it: a hint for a delivery
    /// that will visit `a` soon.
    pub(crate) fn warm(&self, a: NodeId) {
        if let Some(list) = self.adjacency.get(a as usize) {
            p2psim_runtime::Hot::of(list).warm();
        }
    }

    /// Number of neighbours of `a`.
    pub fn degree(&self, a: NodeId) -> usize {
        self.adjacency[a as usize].len()
    }

    /// All edges as `(a, b)` with `a < b`, ordered by `a` and then by `a`'s neighbour order.
    pub fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.adjacency.iter().enumerate().flat_map(|(a, list)| {
            // `a` indexes a list whose length was checked against the NodeId range on insert.
            let a = a as NodeId;
            list.iter().filter(move |&&b| a < b).map(move |&b| (a, b))
        })
    }

    /// Node ids `0..node_count()` as [`NodeId`]s.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> {
        0..self.adjacency.len() as NodeId
    }

    /// Heap memory held by the graph, counting allocated capacity rather than used length.
    pub fn heap_bytes(&self) -> usize {
        let outer = self.adjacency.capacity() * std::mem::size_of::<Links>();
        let inner: usize = self
            .adjacency
            .iter()
            .filter(|list| list.spilled())
            .map(|list| list.capacity() * std::mem::size_of::<NodeId>())
            .sum();
        outer + inner
    }

    /// Releases spare capacity of every adjacency list, e.g. once a generator has finished.
    pub fn shrink_to_fit(&mut self) {
        self.adjacency.shrink_to_fit();
        for list in &mut self.adjacency {
            list.shrink_to_fit();
        }
    }

    fn position(&self, a: NodeId, b: NodeId) -> Option<usize> {
        self.adjacency[a as usize].iter().position(|&x| x == b)
    }

    fn check(&self, a: NodeId) {
        assert!(
            (a as usize) < self.adjacency.len(),
            "node {a} out of range (node count {})",
            self.adjacency.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Adds `m` distinct random edges; deterministic for a given seed in any build profile.
    fn random_graph(n: usize, m: usize, seed: u64) -> Graph {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut g = Graph::new(n);
        while g.edge_count() < m {
            let a = rng.gen_range(0..n as NodeId);
            let b = rng.gen_range(0..n as NodeId);
            g.add_edge(a, b);
        }
        g
    }

    #[test]
    fn add_and_remove_keep_both_directions() {
        let mut g = Graph::new(4);
        assert!(g.add_edge(0, 1));
        assert!(g.add_edge(2, 0));
        assert!(!g.add_edge(1, 0), "duplicate in reverse direction");
        assert!(!g.add_edge(3, 3), "self loop");
        assert_eq!(g.edge_count(), 2);
        assert!(g.has_edge(1, 0) && g.has_edge(0, 2));
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert!(g.remove_edge(1, 0));
        assert!(!g.remove_edge(0, 1));
        assert_eq!(g.neighbors(0), &[2], "swap_remove moved 2 into the slot");
        assert_eq!(g.degree(1), 0);
        assert_eq!(g.edge_count(), 1);
    }

    #[test]
    fn edges_are_ordered_and_complete() {
        let mut g = Graph::new(5);
        for (a, b) in [(3, 1), (0, 4), (1, 0), (2, 3)] {
            g.add_edge(a, b);
        }
        let edges: Vec<_> = g.edges().collect();
        assert_eq!(edges, vec![(0, 4), (0, 1), (1, 3), (2, 3)]);
    }

    #[test]
    fn a_hub_moves_its_links_to_the_heap_and_keeps_them() {
        let mut g = Graph::new(12);
        for b in 1..12 {
            assert!(g.add_edge(0, b));
        }
        assert_eq!(g.neighbors(0), (1..12).collect::<Vec<_>>().as_slice());
        let inline = std::mem::size_of::<Links>() * 12;
        assert!(
            g.heap_bytes() >= inline + 11 * 4,
            "the hub's list is on the heap"
        );
        for b in 1..10 {
            assert!(g.remove_edge(b, 0));
        }
        let mut rest = g.neighbors(0).to_vec();
        rest.sort_unstable();
        assert_eq!(rest, [10, 11]);
        // Warming a node out of range is harmless.
        g.warm(99);
    }

    #[test]
    fn add_node_extends_ids() {
        let mut g = Graph::new(2);
        assert_eq!(g.add_node(), 2);
        assert!(g.add_edge(2, 0));
        assert_eq!(g.node_count(), 3);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn unknown_node_panics() {
        Graph::new(2).add_edge(0, 2);
    }

    #[test]
    fn edge_sum_matches_degrees() {
        let g = random_graph(1000, 3000, 7);
        let degree_sum: usize = g.nodes().map(|v| g.degree(v)).sum();
        assert_eq!(degree_sum, 2 * g.edge_count());
        assert_eq!(g.edges().count(), g.edge_count());
    }

    proptest::proptest! {
        /// Any sequence of adds and removes agrees with a set-of-pairs model.
        #[test]
        fn matches_a_set_model(ops in proptest::collection::vec((proptest::bool::ANY, 0_u32..8, 0_u32..8), 0..200)) {
            let mut g = Graph::new(8);
            let mut model = std::collections::BTreeSet::new();
            for (add, a, b) in ops {
                let key = (a.min(b), a.max(b));
                if add {
                    proptest::prop_assert_eq!(g.add_edge(a, b), a != b && model.insert(key));
                } else {
                    proptest::prop_assert_eq!(g.remove_edge(a, b), model.remove(&key));
                }
                proptest::prop_assert_eq!(g.has_edge(a, b), model.contains(&key));
            }
            let mut edges: Vec<_> = g.edges().collect();
            edges.sort_unstable();
            proptest::prop_assert_eq!(edges, model.into_iter().collect::<Vec<_>>());
            let degree_sum: usize = g.nodes().map(|v| g.degree(v)).sum();
            proptest::prop_assert_eq!(degree_sum, 2 * g.edge_count());
        }
    }

    #[test]
    fn bytes_per_edge_100k() {
        let g = random_graph(100_000, 400_000, 1);
        let per_edge = g.heap_bytes() as f64 / g.edge_count() as f64;
        // 8 bytes of endpoints + 6 bytes of list headers per edge, plus growth slack.
        assert!(per_edge < 20.0, "{per_edge} bytes per edge");
    }

    // Ignored by default: about 6.5 s in a debug build (the RNG dominates), well over the
    // 3 s budget for the default suite; `bytes_per_edge_100k` guards the same property.
    // Run with `cargo test --release -- --ignored --nocapture` to see the figure.
    #[test]
    #[ignore = "6.5 s in debug; run with --release -- --ignored"]
    fn one_million_nodes_four_million_edges_fit() {
        let start = std::time::Instant::now();
        let g = random_graph(1_000_000, 4_000_000, 2);
        let bytes = g.heap_bytes();
        println!(
            "1M nodes / 4M edges: heap_bytes = {bytes} ({:.1} MiB), built in {:?}",
            bytes as f64 / (1 << 20) as f64,
            start.elapsed()
        );
        assert!(bytes < 256 << 20);
    }
}
