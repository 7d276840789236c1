//! The W6 flood delivers exactly as many messages as a breadth-first count predicts.

use p2psim::sim::graph_build::build_graph;
use p2psim::sim::graph_stats::flood_message_count;
use p2psim::sim::seeds::{derive, Stream};

#[test]
fn delivered_copies_equal_the_bfs_count_on_a_small_ba_graph() {
    let (text, origins) = p2psim::workloads::w6_scenario(2000, 20);
    let s = p2psim::sim::scenario::parse_str(&text, "W6", &[]).unwrap();
    let g = build_graph(&s.topology, derive(s.seed, Stream::Topology)).unwrap();
    let expected: u64 = origins.iter().map(|&o| flood_message_count(&g, o, 5)).sum();
    let out = match p2psim::mechanisms::registry::prepare(&s)
        .unwrap()
        .run(&s, |_, _| {})
    {
        Ok(out) => out,
        Err(_) => panic!("W6 runs"),
    };
    let delivered = out.summary["messages"]["delivered"].as_u64().unwrap();
    assert_eq!(delivered, expected);
    assert_eq!(out.summary["messages"]["lost"].as_u64(), Some(0));
    assert!(expected > 20 * 1000, "{expected}");
}

/// With a latency drawn per hop a node's first copy may have come a longer way
/// with less TTL left, so W7 delivers at most W6's BFS count, never more.
#[test]
fn random_latencies_deliver_at_most_the_bfs_count() {
    use p2psim::workloads::{flood_scenario, FloodLatency};
    let (text, origins) = flood_scenario(2000, 20, FloodLatency::Uniform);
    let s = p2psim::sim::scenario::parse_str(&text, "W7", &[]).unwrap();
    let g = build_graph(&s.topology, derive(s.seed, Stream::Topology)).unwrap();
    let bfs: u64 = origins.iter().map(|&o| flood_message_count(&g, o, 5)).sum();
    let out = match p2psim::mechanisms::registry::prepare(&s)
        .unwrap()
        .run(&s, |_, _| {})
    {
        Ok(out) => out,
        Err(_) => panic!("W7 runs"),
    };
    let delivered = out.summary["messages"]["delivered"].as_u64().unwrap();
    assert!(delivered <= bfs, "{delivered} > {bfs}");
    assert!(delivered > bfs / 2, "{delivered} of {bfs}");
    assert_eq!(out.summary["messages"]["lost"].as_u64(), Some(0));
}
