//! Rewiring changes degrees as specified; the degree statistics show it.

use p2psim_mechanisms::fada::{Fada, FadaReport};
use p2psim_sim::engine::RunOutput;
use p2psim_sim::summary::GraphFigures;

use crate::harness::{lookup_at, ring, run};

const ALL_HOLD: &str = "catalogue = 1\nreplicas = 20\nttl = 3\npropagation = \"parallel\"\n";

/// The graph's figures at the start and at the end of the run.
fn degrees(out: &RunOutput<FadaReport>) -> (&GraphFigures, &GraphFigures) {
    let d = &out.summary.degree;
    (
        d.before
            .as_ref()
            .expect("figures of the graph at the start"),
        d.after.as_ref().expect("figures of the graph at the end"),
    )
}

#[test]
fn no_rewiring_leaves_the_ring_alone() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}rewiring = \"none\""),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(out.report.rewired_links, 0);
    assert_eq!(degrees(&out).1.max, Some(2));
}

#[test]
fn connecting_to_responders_links_the_origin_to_every_distant_match() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}rewiring = \"responders\""),
        &lookup_at(0, 0.0),
    ));
    // Responders 1, 2, 3, 17, 18, 19; 1 and 19 are already neighbours.
    assert_eq!(out.report.rewired_links, 4);
    let (before, after) = degrees(&out);
    assert_eq!(before.edges, 20);
    assert_eq!(after.edges, 24);
    assert_eq!(after.max, Some(6));
}

#[test]
fn preferring_low_degree_stops_at_the_cap() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}rewiring = \"low_degree\"\ndegree_cap = 4"),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(out.report.rewired_links, 2);
    assert_eq!(degrees(&out).1.max, Some(4));
}
