//! Seen search ids expire, so the caches stay bounded in a long run.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{ring, run};

#[test]
fn seen_caches_stay_bounded_over_many_lookups() {
    let loads = "[[load]]\nrequest = \"lookup\"\narrivals = \"poisson\"\nrate = 2.0\ncount = 400\n";
    let out = run::<Fada>(&ring(
        "catalogue = 1\nreplicas = 1\nttl = 3\nseen_expiry = 1.0\ntimeout = 0.1",
        loads,
    ));
    assert_eq!(out.report.lookups, 400);
    // Each lookup leaves 7 ids; kept for 1 s at 2 lookups/s, a few lookups' worth at once,
    // where never forgetting would keep 2,800.
    let peak = out.report.seen_cache_peak;
    assert!((7..=70).contains(&peak), "{peak}");
}
