//! A registered item is found until its lease ends, and not from the exact end on.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{lookup_at, register_at, ring, run};

#[test]
fn a_lease_ends_at_the_exact_virtual_time() {
    let loads = [
        register_at(5, 1.0),
        lookup_at(5, 2.999_999),
        lookup_at(5, 3.0),
        lookup_at(5, 9.0),
    ]
    .concat();
    let out = run::<Fada>(&ring(
        "catalogue = 1\nreplicas = 0\nlease = 2.0\nttl = 1",
        &loads,
    ));
    // The lookup just before 3 s finds it; at 3 s and later nothing matches.
    assert_eq!(out.summary.requests.succeeded, 2);
    assert_eq!(out.summary.requests.failed, 2);
    assert_eq!(out.report.leases_expired, 1);
}
