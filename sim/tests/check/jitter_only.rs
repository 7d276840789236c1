//! A writer's two updates, sent a millisecond apart over a 10 ms link, are
//! applied in the order they arrive: no order of the tasks ready at one
//! instant can swap them (they never arrive at one instant), a jitter of a
//! few milliseconds can. `explore` must find it under the jitter strategy, and
//! under pct or random when the scenario's `[check]` sets a jitter.

use std::time::Duration;

use p2psim_sim::check::{explore, FailureKind, Strategy};
use p2psim_sim::scenario::Scenario;

use super::writer::{self, LastWriter};

/// The writes a millisecond apart, so that they never arrive at one instant.
fn scenario(check: &str) -> Scenario {
    writer::scenario(2, 0.001, "0.0", check)
}

#[test]
fn explore_under_jitter_finds_an_ordering_that_no_task_order_breaks() {
    let plain = scenario("");
    for order in [Strategy::Random, Strategy::Pct { depth: 3 }] {
        let stats = explore::<LastWriter>(&plain, order, 200).unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.schedules, 200);
    }
    let jitter = Strategy::Jitter {
        bound: Duration::from_millis(5),
    };
    let failure = explore::<LastWriter>(&plain, jitter, 100).expect_err("jitter swaps the writes");
    assert_eq!(failure.kind, FailureKind::Invariant, "{failure}");
    assert!(failure.report.contains("holds write 1"), "{failure}");
    assert!(failure.after.decisions >= 1, "{failure}");
}

#[test]
fn explore_reads_the_scenario_s_check_jitter_as_the_command_line_does() {
    let jittered = scenario("[check]\njitter = \"5ms\"\n");
    let failure = explore::<LastWriter>(&jittered, Strategy::Random, 100)
        .expect_err("[check] jitter applies to random order too");
    assert_eq!(failure.kind, FailureKind::Invariant, "{failure}");
    assert!(failure.schedule.jitter.is_some(), "{failure}");
}

#[test]
fn a_check_that_cannot_explore_is_an_error_not_a_pass() {
    let plain = scenario("");
    let zero = Strategy::Jitter {
        bound: Duration::ZERO,
    };
    for nothing in [zero, Strategy::Fifo] {
        let failure = explore::<LastWriter>(&plain, nothing, 100).expect_err("refused");
        assert_eq!(failure.kind, FailureKind::Invalid, "{failure}");
    }
}
