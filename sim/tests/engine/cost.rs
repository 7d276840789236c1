//! What a run costs each node (bytes sent and received per second, with sizes
//! from `Mechanism::size` or `[transport] message_bytes`) and what its churn
//! did, as `summary.json` says them.

use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::{sleep, spawn};
use p2psim_sim::engine::run_scenario;
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome, Summary};

request_kinds! {
    enum Nothing { Nothing = "nothing" }
}

/// A message that says its size, and one that does not.
enum Msg {
    Big,
    Small,
}

/// Node 0 sends ten 1,000-byte messages to node 1, node 2 five of the
/// default size to node 3, one a second.
struct Sender;

impl Mechanism for Sender {
    const KIND: &'static str = "sender";
    type Params = ();
    type Request = Nothing;
    type Msg = Msg;
    type Report = ();

    fn params(_: &Params, _: &Scenario) -> Result<(), ScenarioError> {
        Ok(())
    }

    fn new(_: ()) -> Self {
        Sender
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let net = ctx.net.clone();
        spawn("sender", move || {
            for i in 0..10 {
                net.send(0, 1, Msg::Big);
                if i < 5 {
                    net.send(2, 3, Msg::Small);
                }
                sleep(Duration::from_secs(1));
            }
        });
    }

    fn size(msg: &Msg) -> Option<usize> {
        match msg {
            Msg::Big => Some(1_000),
            Msg::Small => None,
        }
    }

    fn handle(&self, _: &Ctx<Self>, _: Incoming<Msg>) {}

    fn request(&self, _: &Ctx<Self>, _: &Request<Nothing>) -> RequestOutcome {
        RequestOutcome::failed()
    }

    fn report(&self) {}
}

fn run(extra: &str) -> Summary {
    let text = format!(
        "duration_s = 10.0\n[topology]\nkind = \"ring\"\nnodes = 4\n\
         [transport]\nlatency = 0.01\n{extra}\n[mechanism]\nkind = \"sender\"\n\
         [failures]\ncrashes = [{{ node = 3, at = 0.0 }}]\n"
    );
    let scenario = parse_str(&text, "cost.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario::<Sender>(&scenario)
        .unwrap_or_else(|e| panic!("{e}"))
        .summary
}

#[test]
fn bytes_per_node_per_second_come_from_the_mechanisms_sizes_and_the_default() {
    let s = run("message_bytes = 40");
    assert_eq!(s.virtual_time_s, 10.0);
    let b = &s.bytes;
    assert_eq!(b.message_bytes, 40);
    // 10 x 1,000 bytes from node 0 and 5 x 40 from node 2; node 3 is down.
    assert_eq!((b.sent, b.received), (10_200, 10_000));
    // Per node per second, sent: 1000, 0, 20, 0; received: 0, 1000, 0, 0.
    let sent = b.sent_per_node_s;
    assert_eq!(sent.count, 4);
    assert_eq!(
        (sent.mean, sent.max, sent.p50),
        (Some(255.0), Some(1_000.0), Some(10.0))
    );
    let received = b.received_per_node_s;
    assert_eq!((received.mean, received.max), (Some(250.0), Some(1_000.0)));
    let json = s.to_json();
    assert_eq!(json["bytes"]["sent_per_node_s"]["mean"], 255.0);
    assert!(json.get("churn").is_none(), "no churn, no churn section");
}

#[test]
fn without_message_bytes_a_message_is_the_documented_default() {
    let s = run("");
    assert_eq!(
        s.bytes.message_bytes,
        p2psim_sim::scenario::DEFAULT_MESSAGE_BYTES
    );
    assert_eq!(s.bytes.sent, 10_000 + 5 * s.bytes.message_bytes);
}

#[test]
fn the_summary_says_what_lifetime_churn_did() {
    let text = "duration_s = 2000.0\n[topology]\nkind = \"ring\"\nnodes = 500\n\
                [mechanism]\nkind = \"sender\"\n\
                [failures]\nchurn = { kind = \"lifetime\", session = { kind = \"weibull\", \
                shape = 0.5, scale = 25.0 }, downtime = { kind = \"exponential\", mean = 50.0 }, \
                initial_up = 0.2 }\n\
                [[load]]\nrequest = \"nothing\"\narrivals = \"schedule\"\ntimes = [2000.0]\n";
    let scenario = parse_str(text, "churn.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let s = run_scenario::<Sender>(&scenario)
        .unwrap_or_else(|e| panic!("{e}"))
        .summary;
    assert_eq!(s.virtual_time_s, 2000.0);
    let c = s.churn.expect("a churn section");
    assert_eq!(c.kind, "lifetime");
    assert_eq!(c.initial_up_fraction, Some(0.2));
    // Sessions of mean 25 Γ(3) = 50 s, downtimes of 50 s: half the nodes up.
    assert!(
        (c.expected_up_fraction.unwrap() - 0.5).abs() < 1e-12,
        "{c:?}"
    );
    let up = c.mean_up_fraction.unwrap();
    assert!((up - 0.5).abs() < 0.05, "{up}");
    let sessions = c.sessions_s.unwrap();
    assert!(sessions.count > 500 * 10, "{sessions:?}");
    assert!((sessions.mean.unwrap() - 50.0).abs() < 5.0, "{sessions:?}");
    // A Weibull of shape 1/2: median scale ln(2)^2, most sessions short.
    let median = 25.0 * std::f64::consts::LN_2.powi(2);
    eprintln!(
        "500 nodes, 2,000 s: up fraction {up:.4} (long-run 0.5); {} sessions, mean {:.3} s \
         (closed form 50), p50 {:.3} s (closed form {median:.3})",
        sessions.count,
        sessions.mean.unwrap(),
        sessions.p50.unwrap()
    );
    assert!(
        (sessions.p50.unwrap() - median).abs() < 0.1 * median,
        "{sessions:?}"
    );
    assert!(c.downtimes_s.unwrap().count > 500 * 10);
}
