//! The asynchronous mode returns at its timeout with partial results, or early once
//! `wanted` results are in, and counts the results that arrive after it returned.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{lookup_at, ring, run};

/// Every node holds the item; distant matches report straight to the origin, so a match
/// d hops away arrives after d hops out plus one hop back: at (d + 1) * 10 ms.
const ALL_HOLD: &str = "catalogue = 1\nreplicas = 20\nttl = 3\npropagation = \"async\"\n";

#[test]
fn at_the_timeout_it_returns_what_arrived_and_drops_the_rest() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}timeout = 0.035"),
        &lookup_at(0, 0.0),
    ));
    // The origin, two nodes at one hop (20 ms), two at two hops (30 ms).
    assert_eq!(out.report.results_per_lookup, 5.0);
    // The two at three hops report at 40 ms, after the origin returned.
    assert_eq!(out.report.late_results_dropped, 2);
    assert!((out.summary.latency_s.mean.unwrap() - 0.035).abs() < 1e-9);
}

#[test]
fn it_returns_early_when_wanted_results_are_in() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}timeout = 10.0\nwanted = 3"),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(out.report.results_per_lookup, 3.0);
    assert!((out.summary.latency_s.mean.unwrap() - 0.02).abs() < 1e-9);
    assert_eq!(out.report.late_results_dropped, 4);
}

#[test]
fn without_wanted_it_sits_idle_until_the_timeout() {
    // The design document's complaint: the whole reach answers by 40 ms, the origin waits 2 s.
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}timeout = 2.0"),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(out.report.results_per_lookup, 7.0);
    assert!((out.summary.latency_s.mean.unwrap() - 2.0).abs() < 1e-9);
    assert_eq!(out.report.late_results_dropped, 0);
}
