//! The lost wake-up: a consumer checks a flag, then (after a step that lets
//! others run) waits on a semaphore with no timeout; the producer sets the
//! flag and posts only when it sees a waiter. In FIFO order the producer goes
//! first and nothing waits; a schedule that runs the consumer's check first
//! loses the wake-up. Alone, the consumer blocks in any order: a different
//! bug, which the shrinker must not report in the race's place.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use p2psim_runtime::{yield_now, Semaphore};
use p2psim_sim::check::{replay, Check, FailureKind, Strategy};
use p2psim_sim::engine::run_scenario;
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Mechanisms, Request, RequestOutcome};

request_kinds! {
    enum Role { Produce = "produce", Consume = "consume" }
}

/// One handoff: the flag, whether the consumer waits, what it waits on.
struct Slot {
    ready: Cell<bool>,
    waiting: Cell<bool>,
    items: Semaphore,
}

/// A handoff per round (the second a request is issued in).
struct Handoff {
    rounds: RefCell<BTreeMap<u64, Rc<Slot>>>,
}

impl Handoff {
    fn slot(&self, req: &Request<Role>) -> Rc<Slot> {
        let round = req.issued.as_nanos() / 1_000_000_000;
        let mut rounds = self.rounds.borrow_mut();
        let slot = rounds.entry(round).or_insert_with(|| {
            Rc::new(Slot {
                ready: Cell::new(false),
                waiting: Cell::new(false),
                items: Semaphore::named("items", 0),
            })
        });
        slot.clone()
    }
}

impl Mechanism for Handoff {
    const KIND: &'static str = "handoff";
    type Params = ();
    type Request = Role;
    type Msg = ();
    type Report = ();

    fn params(_: &Params, _: &Scenario) -> Result<(), ScenarioError> {
        Ok(())
    }

    fn new(_: ()) -> Self {
        Handoff {
            rounds: RefCell::new(BTreeMap::new()),
        }
    }

    fn handle(&self, _: &Ctx<Self>, _: Incoming<()>) {}

    fn request(&self, _: &Ctx<Self>, req: &Request<Role>) -> RequestOutcome {
        let slot = self.slot(req);
        match req.kind {
            Role::Produce => {
                slot.ready.set(true);
                if slot.waiting.get() {
                    slot.items.up();
                }
            }
            Role::Consume => {
                if !slot.ready.get() {
                    // Whatever the consumer does before it waits (a log line, a
                    // lock): others run in between.
                    yield_now();
                    slot.waiting.set(true);
                    slot.items.down();
                }
            }
        }
        RequestOutcome::succeeded()
    }

    fn report(&self) {}
}

/// One producer and one consumer at each of `rounds` instants, a second
/// apart, the producer's load first; every round is its own handoff.
fn scenario(rounds: usize) -> Scenario {
    let times: Vec<String> = (0..rounds).map(|i| format!("{i}.0")).collect();
    let times = times.join(", ");
    let text = format!(
        "[topology]\nkind = \"ring\"\nnodes = 4\n[mechanism]\nkind = \"handoff\"\n\
         [[load]]\nrequest = \"produce\"\narrivals = \"schedule\"\ntimes = [{times}]\norigin = 1\n\
         [[load]]\nrequest = \"consume\"\narrivals = \"schedule\"\ntimes = [{times}]\norigin = 0\n"
    );
    parse_str(&text, "handoff.toml", &[]).expect("valid")
}

#[test]
fn the_shrunk_lost_wake_up_still_needs_its_producer_and_one_decision() {
    let scenario = scenario(1);
    run_scenario::<Handoff>(&scenario).expect("FIFO: the producer goes first");
    let mechanisms = Mechanisms::new().with::<Handoff>();
    let mut check = Check::new(Strategy::Random, 200);
    check.jobs = 1;
    let failure = check
        .run(&mechanisms, &scenario, &|_| {})
        .expect_err("some order loses the wake-up");
    assert_eq!(failure.kind, FailureKind::Deadlock, "{failure}");
    assert!(failure.report.contains("semaphore 'items'"), "{failure}");
    assert_eq!(failure.after.requests, 2, "{failure}");
    assert_eq!(failure.after.decisions, 1, "{failure}");
    assert!(
        failure.before.decisions >= failure.after.decisions,
        "{failure}"
    );
    let replayed = replay(&mechanisms, &failure).unwrap();
    assert!(replayed.matches(&failure), "{}", replayed.report);
}

#[test]
fn other_rounds_go_and_the_race_stays() {
    let mechanisms = Mechanisms::new().with::<Handoff>();
    let mut check = Check::new(Strategy::Random, 200);
    check.jobs = 1;
    let failure = check
        .run(&mechanisms, &scenario(5), &|_| {})
        .expect_err("some order loses a wake-up");
    assert!(failure.before.requests > 2, "{failure}");
    assert_eq!(
        (failure.after.requests, failure.after.decisions),
        (2, 1),
        "{failure}"
    );
}
