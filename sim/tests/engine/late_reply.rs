//! A reply that arrives after its call timed out is dropped and counted, and a
//! run in which no task is left ends as completed, whatever was in flight.

use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::sleep;
use p2psim_sim::engine::{self, RunFailure};
use p2psim_sim::scenario::parse_str;
use p2psim_sim::{Ctx, Mechanism, Request, RequestOutcome};

/// Answers every call after `delay`; a request calls node 1 and waits `timeout`.
struct SlowServer {
    delay: Duration,
    timeout: Duration,
}

impl Mechanism for SlowServer {
    type Msg = u32;

    fn install(self: Rc<Self>, ctx: &Ctx<u32>) {
        let delay = self.delay;
        ctx.net.set_handler(move |m| {
            sleep(delay);
            if let Some(reply) = m.reply {
                reply.send(m.msg);
            }
        });
    }

    fn request(&self, ctx: &Ctx<u32>, req: &Request) -> RequestOutcome {
        let answered = ctx.net.call(req.origin, 1, 7, self.timeout).is_ok();
        RequestOutcome {
            success: answered,
            ..RequestOutcome::default()
        }
    }
}

fn two_nodes(latency: f64) -> p2psim_sim::scenario::Scenario {
    let text = format!(
        "[topology]\nkind = \"star\"\nnodes = 2\n\
         [transport]\nlatency = {latency}\n\
         [mechanism]\nkind = \"slow\"\n\
         [[load]]\nrequest = \"get\"\narrivals = \"schedule\"\ntimes = [0.0]\norigin = 0\n"
    );
    parse_str(&text, "late-reply.toml", &[]).expect("the scenario is valid")
}

fn run(latency: f64, delay_s: f64, timeout_s: f64) -> serde_json::Value {
    let mech = SlowServer {
        delay: Duration::from_secs_f64(delay_s),
        timeout: Duration::from_secs_f64(timeout_s),
    };
    match engine::run(&two_nodes(latency), mech, |_, _| {}) {
        Ok(out) => out.summary,
        Err(RunFailure::Simulation { error, .. }) => panic!("the run failed: {error}"),
        Err(RunFailure::Invariant { message, .. }) => panic!("invariant: {message}"),
        Err(RunFailure::Setup(m)) => panic!("setup: {m}"),
    }
}

#[test]
fn a_reply_after_the_timeout_is_dropped_and_the_run_completes() {
    // With and without latency: the late reply is the run's last event either way.
    for latency in [0.0, 0.01] {
        let s = run(latency, 1.0, 0.5);
        assert_eq!(s["completed"], true, "{s}");
        assert_eq!(s["messages"]["late_replies"], 1, "{s}");
        assert_eq!(s["requests"]["failed"], 1, "{s}");
        // The call's request was delivered; its late reply was not.
        assert_eq!(s["messages"]["sent"], 2, "{s}");
        assert_eq!(s["messages"]["delivered"], 1, "{s}");
        let end = s["virtual_time_s"].as_f64().unwrap();
        assert!((end - (1.0 + 2.0 * latency)).abs() < 1e-9, "{s}");
    }
}

#[test]
fn a_reply_in_time_is_delivered_and_not_counted_late() {
    let s = run(0.01, 0.1, 0.5);
    assert_eq!(s["completed"], true, "{s}");
    assert_eq!(s["messages"]["late_replies"], 0, "{s}");
    assert_eq!(s["requests"]["succeeded"], 1, "{s}");
    assert_eq!(s["messages"]["delivered"], 2, "{s}");
}
