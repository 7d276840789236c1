//! A race inside one request: a writer sends two updates to node 1 at one
//! instant; they arrive together and their handlers may run in either order.
//! The scenario issues it twice; only the last write's order decides the
//! outcome, so one request suffices, and shrinking under random order (which
//! makes many choices that do not matter) must get there.

use std::cell::Cell;

use p2psim_sim::check::{replay, Check, FailureKind, Strategy};
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Mechanisms, Request, RequestOutcome};

request_kinds! {
    enum Write { Write = "write" }
}

struct Burst {
    held: Cell<u32>,
}

impl Mechanism for Burst {
    const KIND: &'static str = "burst";
    type Params = ();
    type Request = Write;
    type Msg = u32;
    type Report = ();

    fn params(_: &Params, _: &Scenario) -> Result<(), ScenarioError> {
        Ok(())
    }

    fn new(_: ()) -> Self {
        Burst { held: Cell::new(0) }
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<u32>) {
        self.held.set(m.msg);
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<Write>) -> RequestOutcome {
        ctx.net.send(req.origin, 1, 1);
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

#[test]
fn random_order_shrinks_to_the_one_request_that_races() {
    let text = "[topology]\nkind = \"ring\"\nnodes = 4\n[transport]\nlatency = 0.01\n\
                [mechanism]\nkind = \"burst\"\n\
                [[load]]\nrequest = \"write\"\narrivals = \"schedule\"\ntimes = [0.0, 1.0]\norigin = 0\n";
    let scenario = parse_str(text, "burst.toml", &[]).expect("valid");
    let mechanisms = Mechanisms::new().with::<Burst>();
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
