//! Rewiring changes degrees as specified; the degree statistics show it.

#[path = "fada_common/mod.rs"]
mod common;
use common::*;

const ALL_HOLD: &str = "catalogue = 1\nreplicas = 20\nttl = 3\npropagation = \"parallel\"\n";

#[test]
fn no_rewiring_leaves_the_ring_alone() {
    let s = run(&ring(
        &format!("{ALL_HOLD}rewiring = \"none\""),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(num(&s, "fada/rewired_links"), 0.0);
    assert_eq!(num(&s, "degree/after/max"), 2.0);
}

#[test]
fn connecting_to_responders_links_the_origin_to_every_distant_match() {
    let s = run(&ring(
        &format!("{ALL_HOLD}rewiring = \"responders\""),
        &lookup_at(0, 0.0),
    ));
    // Responders 1, 2, 3, 17, 18, 19; 1 and 19 are already neighbours.
    assert_eq!(num(&s, "fada/rewired_links"), 4.0);
    assert_eq!(num(&s, "degree/before/edges"), 20.0);
    assert_eq!(num(&s, "degree/after/edges"), 24.0);
    assert_eq!(num(&s, "degree/after/max"), 6.0);
}

#[test]
fn preferring_low_degree_stops_at_the_cap() {
    let s = run(&ring(
        &format!("{ALL_HOLD}rewiring = \"low_degree\"\ndegree_cap = 4"),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(num(&s, "fada/rewired_links"), 2.0);
    assert_eq!(num(&s, "degree/after/max"), 4.0);
}
