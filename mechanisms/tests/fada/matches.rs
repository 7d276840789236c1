//! Sequential and parallel modes find exactly the registered matches within reach.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{lookup_at, register_at, ring, run};

#[test]
fn registered_items_within_reach_are_found_and_others_not() {
    // One item, held by nobody at the start; registered at 2, 5 and 18.
    let loads = [
        register_at(2, 0.0),
        register_at(5, 0.0),
        register_at(18, 0.0),
        lookup_at(0, 1.0),
    ]
    .concat();
    for mode in ["sequential", "parallel", "async"] {
        let out = run::<Fada>(&ring(
            &format!("catalogue = 1\nreplicas = 0\nttl = 3\npropagation = \"{mode}\""),
            &loads,
        ));
        assert_eq!(out.report.registrations, 3);
        // 2 and 18 are within three hops of 0; 5 is not.
        assert_eq!(out.report.results_per_lookup, 2.0, "{mode}");
        assert_eq!(out.summary.requests.succeeded, 4, "{mode}");
        assert_eq!(out.summary.hops.mean, Some(2.0), "{mode}");
    }
}

#[test]
fn sequential_takes_round_trips_one_after_the_other_and_parallel_overlaps_them() {
    let latency = |mode: &str| {
        let out = run::<Fada>(&ring(
            &format!("catalogue = 1\nreplicas = 20\nttl = 3\npropagation = \"{mode}\""),
            &lookup_at(0, 0.0),
        ));
        out.summary.latency_s.mean.expect("the lookup ended")
    };
    // Parallel: the deepest branch, 3 hops out and back = 60 ms. Sequential: every
    // extension waits for the one before, so the five round trips of a branch
    // (0->1, 1->0 declined, 1->2, 2->1 declined, 2->3) add up, and the two branches
    // of the ring run one after the other: 2 * 5 * 20 ms.
    assert!((latency("parallel") - 0.06).abs() < 1e-9);
    assert!((latency("sequential") - 0.2).abs() < 1e-9);
}
