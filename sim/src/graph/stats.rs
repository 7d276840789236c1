//! Structural statistics of a graph: degrees, components, distances, clustering and flood cost.

use crate::graph::{Graph, NodeId};
use rand::Rng;
use std::collections::{BTreeMap, VecDeque};

/// Number of random start nodes [`diameter_estimate`] runs a double sweep from.
pub const DIAMETER_SWEEPS: usize = 4;

/// Hop distance [`bfs_reach`] reports for nodes it did not reach.
pub const UNREACHED: u32 = u32::MAX;

/// Number of nodes per degree, keyed by degree in ascending order.
pub fn degree_distribution(g: &Graph) -> BTreeMap<usize, usize> {
    let mut counts = BTreeMap::new();
    for v in g.nodes() {
        *counts.entry(g.degree(v)).or_insert(0) += 1;
    }
    counts
}

/// Smallest, largest and mean degree of a graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DegreeSummary {
    /// Smallest degree.
    pub min: usize,
    /// Largest degree.
    pub max: usize,
    /// Mean degree, `2 * edges / nodes`.
    pub mean: f64,
}

/// Min, max and mean degree; `None` for a graph without nodes, where none of them is defined.
pub fn degree_summary(g: &Graph) -> Option<DegreeSummary> {
    let min = g.nodes().map(|v| g.degree(v)).min()?;
    let max = g.nodes().map(|v| g.degree(v)).max()?;
    let mean = 2.0 * g.edge_count() as f64 / g.node_count() as f64;
    Some(DegreeSummary { min, max, mean })
}

/// Sizes of the connected components, largest first.
pub fn connected_components(g: &Graph) -> Vec<usize> {
    let (_, mut sizes) = component_labels(g);
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// Component label per node plus the size of each label; labels follow the lowest node id in
/// each component, which makes "first largest component" a deterministic choice.
fn component_labels(g: &Graph) -> (Vec<u32>, Vec<usize>) {
    let mut labels = vec![UNREACHED; g.node_count()];
    let mut sizes = Vec::new();
    let mut queue = VecDeque::new();
    for root in g.nodes() {
        if labels[root as usize] != UNREACHED {
            continue;
        }
        // At most node_count <= u32::MAX components, so the label fits.
        let label = sizes.len() as u32;
        labels[root as usize] = label;
        queue.push_back(root);
        let mut size = 0;
        while let Some(v) = queue.pop_front() {
            size += 1;
            for &u in g.neighbors(v) {
                if labels[u as usize] == UNREACHED {
                    labels[u as usize] = label;
                    queue.push_back(u);
                }
            }
        }
        sizes.push(size);
    }
    (labels, sizes)
}

/// Hop distance from `src` to every node, or [`UNREACHED`] beyond `max_hops` or another component.
///
/// Panics if `src` is not a node of `g`.
pub fn bfs_reach(g: &Graph, src: NodeId, max_hops: u32) -> Vec<u32> {
    let mut dist = vec![UNREACHED; g.node_count()];
    dist[src as usize] = 0;
    let mut queue = VecDeque::from([src]);
    while let Some(v) = queue.pop_front() {
        let d = dist[v as usize];
        if d >= max_hops {
            continue;
        }
        for &u in g.neighbors(v) {
            if dist[u as usize] == UNREACHED {
                dist[u as usize] = d + 1;
                queue.push_back(u);
            }
        }
    }
    dist
}

/// The farthest reached node and its distance; ties go to the lowest id.
fn farthest(dist: &[u32]) -> (NodeId, u32) {
    let mut best = (0, 0);
    for (v, &d) in dist.iter().enumerate() {
        if d != UNREACHED && d > best.1 {
            best = (v as NodeId, d);
        }
    }
    best
}

/// Lower bound on the diameter of the largest component by double-sweep BFS.
///
/// From each of [`DIAMETER_SWEEPS`] random nodes of the largest component (ties: the one
/// holding the lowest id) it finds the farthest node and takes that node's eccentricity.
/// Exact on trees and usually exact or off by one on sparse random graphs, at the cost of
/// `2 * DIAMETER_SWEEPS` BFS runs instead of one per node. Returns 0 for graphs without edges.
pub fn diameter_estimate(g: &Graph, rng: &mut impl Rng) -> usize {
    let (labels, sizes) = component_labels(g);
    let mut largest = 0;
    for (label, &size) in sizes.iter().enumerate() {
        if size > sizes[largest] {
            largest = label;
        }
    }
    let members: Vec<NodeId> = g
        .nodes()
        .filter(|&v| labels[v as usize] as usize == largest)
        .collect();
    if members.len() < 2 {
        return 0;
    }
    let mut best = 0;
    for _ in 0..DIAMETER_SWEEPS {
        let start = members[rng.gen_range(0..members.len())];
        let (far, _) = farthest(&bfs_reach(g, start, UNREACHED));
        let (_, eccentricity) = farthest(&bfs_reach(g, far, UNREACHED));
        best = best.max(eccentricity as usize);
    }
    best
}

/// Mean local clustering coefficient, counting nodes of degree < 2 as 0 (the networkx convention).
///
/// With `samples = Some(s)` and `0 < s < node_count` it averages `s` nodes drawn uniformly with
/// replacement; `None`, `Some(0)` or `s >= node_count` compute the exact mean, since sampling
/// could then only be slower or less accurate. Returns 0 for a graph without nodes.
pub fn average_clustering(g: &Graph, samples: Option<usize>, rng: &mut impl Rng) -> f64 {
    let n = g.node_count();
    if n == 0 {
        return 0.0;
    }
    let mut marks = vec![false; n];
    match samples.filter(|&s| s > 0 && s < n) {
        Some(s) => {
            let total: f64 = (0..s)
                .map(|_| local_clustering(g, rng.gen_range(0..n as NodeId), &mut marks))
                .sum();
            total / s as f64
        }
        None => {
            let total: f64 = g.nodes().map(|v| local_clustering(g, v, &mut marks)).sum();
            total / n as f64
        }
    }
}

/// Fraction of neighbour pairs of `v` that are linked; `marks` must be all false and is left so.
fn local_clustering(g: &Graph, v: NodeId, marks: &mut [bool]) -> f64 {
    let neighbors = g.neighbors(v);
    let d = neighbors.len();
    if d < 2 {
        return 0.0;
    }
    // Marking N(v) turns each adjacency test into an O(1) lookup; every link is seen twice.
    for &u in neighbors {
        marks[u as usize] = true;
    }
    let mut twice_links = 0_u64;
    for &u in neighbors {
        twice_links += g
            .neighbors(u)
            .iter()
            .filter(|&&w| marks[w as usize])
            .count() as u64;
    }
    for &u in neighbors {
        marks[u as usize] = false;
    }
    twice_links as f64 / (d as f64 * (d as f64 - 1.0))
}

/// Messages delivered by a TTL-limited flood from `src` with equal per-hop latency.
///
/// Protocol: `src` sends to all neighbours with `ttl`. A node receiving its first copy with
/// `t > 1` forwards it, with `t - 1`, to all neighbours except the sender; with `t == 1` it
/// keeps it. Later copies (and any copy reaching `src`) are delivered, counted, and dropped.
/// `ttl = 0` sends nothing.
///
/// With equal latency the first copy travels a shortest path, so a node at distance `d`
/// first holds `ttl - d + 1` and forwards iff `d <= ttl - 1`. Copies arriving together carry
/// the same TTL, so which one counts as first does not matter. Hence the count is
/// `deg(src) + Σ (deg(v) - 1)` over nodes `v` with `1 <= dist(src, v) <= ttl - 1`,
/// computed with one bounded BFS. Panics if `src` is not a node of `g`.
pub fn flood_message_count(g: &Graph, src: NodeId, ttl: u32) -> u64 {
    if ttl == 0 {
        return 0;
    }
    let dist = bfs_reach(g, src, ttl - 1);
    let forwarded: u64 = g
        .nodes()
        .filter(|&v| v != src && dist[v as usize] != UNREACHED)
        // Reached nodes other than src have the edge they were reached by, so degree >= 1.
        .map(|v| g.degree(v) as u64 - 1)
        .sum();
    g.degree(src) as u64 + forwarded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::topology::{barabasi_albert, erdos_renyi, ring, ring_lattice, star};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn path(n: usize) -> Graph {
        from_edges(n, (1..n as NodeId).map(|v| (v - 1, v)))
    }

    fn from_edges(n: usize, edges: impl IntoIterator<Item = (NodeId, NodeId)>) -> Graph {
        let mut g = Graph::new(n);
        for (a, b) in edges {
            g.add_edge(a, b);
        }
        g
    }

    #[test]
    fn degree_facts_of_a_star() {
        let g = star(5).expect("valid");
        assert_eq!(degree_distribution(&g), BTreeMap::from([(1, 4), (4, 1)]));
        let s = degree_summary(&g).expect("non-empty");
        assert_eq!((s.min, s.max, s.mean), (1, 4, 1.6));
        assert_eq!(degree_summary(&Graph::new(0)), None);
    }

    #[test]
    fn components_of_a_disjoint_union() {
        // Ring 0..5, star 5..8 (hub 5), isolated 8 and 9, edge 10-11.
        let mut edges: Vec<_> = (0..5).map(|v| (v, (v + 1) % 5)).collect();
        edges.extend([(5, 6), (5, 7), (10, 11)]);
        let g = from_edges(12, edges);
        assert_eq!(connected_components(&g), vec![5, 3, 2, 1, 1]);
        assert!(connected_components(&Graph::new(0)).is_empty());
    }

    #[test]
    fn bfs_reach_respects_max_hops() {
        let g = path(6);
        assert_eq!(bfs_reach(&g, 2, 10), vec![2, 1, 0, 1, 2, 3]);
        assert_eq!(
            bfs_reach(&g, 2, 1),
            vec![UNREACHED, 1, 0, 1, UNREACHED, UNREACHED]
        );
        assert_eq!(bfs_reach(&g, 2, 0)[2], 0);
    }

    #[test]
    fn diameter_of_known_graphs() {
        assert_eq!(diameter_estimate(&path(50), &mut rng(1)), 49);
        assert_eq!(diameter_estimate(&ring(10).expect("valid"), &mut rng(1)), 5);
        assert_eq!(diameter_estimate(&star(10).expect("valid"), &mut rng(1)), 2);
        // Path of 20 (nodes 0..20) beside a path of 30 (nodes 20..50): the larger one counts.
        let union = from_edges(50, (1..50).filter(|&v| v != 20).map(|v| (v - 1, v)));
        assert_eq!(diameter_estimate(&union, &mut rng(1)), 29);
        assert_eq!(diameter_estimate(&Graph::new(3), &mut rng(1)), 0);
    }

    #[test]
    fn clustering_of_known_graphs() {
        let triangle = from_edges(3, [(0, 1), (1, 2), (2, 0)]);
        assert_eq!(average_clustering(&triangle, None, &mut rng(1)), 1.0);
        assert_eq!(
            average_clustering(&star(20).expect("valid"), None, &mut rng(1)),
            0.0
        );
        // Ring lattice: C = 3(k - 2) / (4(k - 1)) at every node, so sampling is exact too.
        let lattice = ring_lattice(100, 4).expect("valid");
        assert_eq!(average_clustering(&lattice, None, &mut rng(1)), 0.5);
        assert_eq!(average_clustering(&lattice, Some(10), &mut rng(1)), 0.5);
        assert_eq!(average_clustering(&Graph::new(0), None, &mut rng(1)), 0.0);
    }

    #[test]
    fn sampled_clustering_approximates_exact() {
        let g = barabasi_albert(3000, 4, &mut rng(2)).expect("valid");
        let exact = average_clustering(&g, None, &mut rng(3));
        let sampled = average_clustering(&g, Some(2000), &mut rng(3));
        assert!(
            (exact - sampled).abs() < 0.2 * exact,
            "exact {exact}, sampled {sampled}"
        );
    }

    #[test]
    fn flood_on_small_graphs() {
        let triangle = from_edges(3, [(0, 1), (1, 2), (2, 0)]);
        assert_eq!(flood_message_count(&triangle, 0, 0), 0);
        assert_eq!(flood_message_count(&triangle, 0, 1), 2);
        assert_eq!(flood_message_count(&triangle, 0, 2), 4);
        assert_eq!(flood_message_count(&triangle, 0, 9), 4);
        let g = star(6).expect("valid");
        assert_eq!(flood_message_count(&g, 0, 3), 5);
        assert_eq!(flood_message_count(&g, 1, 1), 1);
        assert_eq!(flood_message_count(&g, 1, 2), 5);
    }

    /// Reference flood as a discrete-event simulation with one tick per hop.
    fn simulate_flood(g: &Graph, src: NodeId, ttl: u32) -> u64 {
        // (arrival tick, sequence number for FIFO ties, sender, receiver, ttl carried)
        let mut queue = BinaryHeap::new();
        let mut seq = 0_u64;
        let mut seen = vec![false; g.node_count()];
        seen[src as usize] = true;
        if ttl > 0 {
            for &u in g.neighbors(src) {
                queue.push(Reverse((1_u64, seq, src, u, ttl)));
                seq += 1;
            }
        }
        let mut delivered = 0;
        while let Some(Reverse((tick, _, from, to, t))) = queue.pop() {
            delivered += 1;
            if seen[to as usize] {
                continue;
            }
            seen[to as usize] = true;
            if t > 1 {
                for &u in g.neighbors(to).iter().filter(|&&u| u != from) {
                    queue.push(Reverse((tick + 1, seq, to, u, t - 1)));
                    seq += 1;
                }
            }
        }
        delivered
    }

    proptest! {
        #[test]
        fn flood_formula_matches_event_simulation(
            n in 1_usize..14,
            raw_edges in proptest::collection::vec((0_u32..14, 0_u32..14), 0..40),
            raw_src in 0_u32..14,
            ttl in 0_u32..7,
        ) {
            let n32 = n as NodeId;
            let g = from_edges(n, raw_edges.into_iter().map(|(a, b)| (a % n32, b % n32)));
            let src = raw_src % n32;
            prop_assert_eq!(flood_message_count(&g, src, ttl), simulate_flood(&g, src, ttl));
        }
    }

    #[test]
    fn flood_formula_matches_simulation_on_a_random_graph() {
        let g = erdos_renyi(300, 0.02, &mut rng(8)).expect("valid");
        for ttl in 0..8 {
            assert_eq!(flood_message_count(&g, 7, ttl), simulate_flood(&g, 7, ttl));
        }
    }
}
