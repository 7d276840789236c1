//! A writer's two updates, sent a millisecond apart over a 10 ms link, are
//! applied in the order they arrive: no order of the tasks ready at one
//! instant can swap them (they never arrive at one instant), a jitter of a
//! few milliseconds can. `explore` must find it under the jitter strategy, and
//! under pct or random when the scenario's `[check]` sets a jitter.

use std::cell::Cell;
use std::time::Duration;

use p2psim_runtime::sleep;
use p2psim_sim::check::{explore, FailureKind, Strategy};
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};

request_kinds! {
    enum Write { Write = "write" }
}

/// Node 0 writes 1 then 2 to node 1, which keeps the last it applied.
struct LastWriter {
    held: Cell<u32>,
}

impl Mechanism for LastWriter {
    const KIND: &'static str = "last-writer";
    type Params = ();
    type Request = Write;
    type Msg = u32;
    type Report = ();

    fn params(_: &Params, _: &Scenario) -> Result<(), ScenarioError> {
        Ok(())
    }

    fn new(_: ()) -> Self {
        LastWriter { held: Cell::new(0) }
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<u32>) {
        self.held.set(m.msg);
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<Write>) -> RequestOutcome {
        ctx.net.send(req.origin, 1, 1);
        sleep(Duration::from_millis(1));
        ctx.net.send(req.origin, 1, 2);
        RequestOutcome::succeeded()
    }

    fn report(&self) {}

    fn check(&self) -> Result<(), String> {
        match self.held.get() {
            2 => Ok(()),
            v => Err(format!("node 1 holds write {v} after write 2")),
        }
    }
}

fn scenario(check: &str) -> Scenario {
    let text = format!(
        "[topology]\nkind = \"ring\"\nnodes = 2\n[transport]\nlatency = 0.01\n\
         [mechanism]\nkind = \"last-writer\"\n\
         [[load]]\nrequest = \"write\"\narrivals = \"schedule\"\ntimes = [0.0]\norigin = 0\n{check}"
    );
    parse_str(&text, "last-writer.toml", &[]).expect("valid")
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
