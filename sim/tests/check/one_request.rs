//! A race inside one request: a writer sends two updates to node 1 at one
//! instant; they arrive together and their handlers may run in either order.
//! The scenario issues it twice; only the last write's order decides the
//! outcome, so one request suffices, and shrinking under random order (which
//! makes many choices that do not matter) must get there.

use p2psim_sim::check::{replay, Check, FailureKind, Strategy};
use p2psim_sim::Mechanisms;

use super::writer::{self, LastWriter};

#[test]
fn random_order_shrinks_to_the_one_request_that_races() {
    let scenario = writer::scenario(4, 0.0, "0.0, 1.0", "");
    let mechanisms = Mechanisms::new().with::<LastWriter>();
    let mut check = Check::new(Strategy::Random, 200);
    check.jobs = 1;
    let failure = check
        .run(&mechanisms, &scenario, &|_| {})
        .expect_err("random order swaps the last two writes");
    assert_eq!(failure.kind, FailureKind::Invariant, "{failure}");
    assert_eq!(failure.before.requests, 2, "{failure}");
    assert_eq!(failure.after.requests, 1, "{failure}");
    assert_eq!(failure.after.decisions, 1, "{failure}");
    let replayed = replay(&mechanisms, &failure).unwrap();
    assert!(replayed.matches(&failure), "{}", replayed.report);
}
