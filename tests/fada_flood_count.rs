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
