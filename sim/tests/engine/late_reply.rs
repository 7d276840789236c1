//! A reply that arrives after its call timed out is dropped and counted, and a
//! run in which no task is left ends as completed, whatever was in flight.

use std::time::Duration;

use p2psim_runtime::sleep;
use p2psim_sim::engine::run_scenario;
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome, Summary};

request_kinds! {
    enum Get { Get = "get" }
}

/// Answers every call after `delay`; a request calls node 1 and waits `timeout`.
struct SlowServer {
    delay: Duration,
    timeout: Duration,
}

impl Mechanism for SlowServer {
    const KIND: &'static str = "slow";
    type Params = (Duration, Duration);
    type Request = Get;
    type Msg = u32;
    type Report = ();

    fn params(t: &Params, _: &Scenario) -> Result<Self::Params, ScenarioError> {
        let delay = t.f64_in("delay", 1.0, 0.0, 100.0)?;
        let timeout = t.f64_in("timeout", 0.5, 0.0, 100.0)?;
        Ok((
            Duration::from_secs_f64(delay),
            Duration::from_secs_f64(timeout),
        ))
    }

    fn new((delay, timeout): Self::Params) -> Self {
        SlowServer { delay, timeout }
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<u32>) {
        sleep(self.delay);
        if let Some(reply) = m.reply {
            reply.send(m.msg);
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<Get>) -> RequestOutcome {
        let answered = ctx.net.call(req.origin, 1, 7, self.timeout).is_ok();
        RequestOutcome::from_success(answered)
    }

    fn report(&self) {}
}

fn run(latency: f64, delay_s: f64, timeout_s: f64) -> Summary {
    let text = format!(
        "[topology]\nkind = \"star\"\nnodes = 2\n\
         [transport]\nlatency = {latency}\n\
         [mechanism]\nkind = \"slow\"\ndelay = {delay_s}\ntimeout = {timeout_s}\n\
         [[load]]\nrequest = \"get\"\narrivals = \"schedule\"\ntimes = [0.0]\norigin = 0\n"
    );
    let scenario = parse_str(&text, "late-reply.toml", &[]).expect("the scenario is valid");
    match run_scenario::<SlowServer>(&scenario) {
        Ok(out) => out.summary,
        Err(e) => panic!("the run failed: {e}"),
    }
}

#[test]
fn a_reply_after_the_timeout_is_dropped_and_the_run_completes() {
    // With and without latency: the late reply is the run's last event either way.
    for latency in [0.0, 0.01] {
        let s = run(latency, 1.0, 0.5);
        assert!(s.completed, "{s:?}");
        assert_eq!(s.messages.late_replies, 1, "{s:?}");
        assert_eq!(s.requests.failed, 1, "{s:?}");
        // The call's request was delivered; its late reply was not.
        assert_eq!(s.messages.sent, 2, "{s:?}");
        assert_eq!(s.messages.delivered, 1, "{s:?}");
        assert!(
            (s.virtual_time_s - (1.0 + 2.0 * latency)).abs() < 1e-9,
            "{s:?}"
        );
    }
}

#[test]
fn a_reply_in_time_is_delivered_and_not_counted_late() {
    let s = run(0.01, 0.1, 0.5);
    assert!(s.completed, "{s:?}");
    assert_eq!(s.messages.late_replies, 0, "{s:?}");
    assert_eq!(s.requests.succeeded, 1, "{s:?}");
    assert_eq!(s.messages.delivered, 2, "{s:?}");
}
