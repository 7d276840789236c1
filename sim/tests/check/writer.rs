//! The planted ordering bug of two tests: node 0 writes 1, then (after
//! `[mechanism] gap` seconds) 2, to node 1, which keeps the last write it
//! applied; the invariant is that it holds 2. With no gap both writes arrive
//! at one instant and a task order can swap them; with a gap shorter than the
//! jitter only jitter can.

use std::cell::Cell;
use std::time::Duration;

use p2psim_runtime::sleep;
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};

request_kinds! {
    pub enum Write { Write = "write" }
}

/// Node 0's two writes to node 1, and what node 1 holds.
pub struct LastWriter {
    gap: Duration,
    held: Cell<u32>,
}

impl Mechanism for LastWriter {
    const KIND: &'static str = "last-writer";
    type Params = Duration;
    type Request = Write;
    type Msg = u32;
    type Report = ();

    fn params(p: &Params, _: &Scenario) -> Result<Duration, ScenarioError> {
        Ok(Duration::from_secs_f64(p.f64_in("gap", 0.0, 0.0, 1.0)?))
    }

    fn new(gap: Duration) -> Self {
        LastWriter {
            gap,
            held: Cell::new(0),
        }
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<u32>) {
        self.held.set(m.msg);
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<Write>) -> RequestOutcome {
        ctx.net.send(req.origin, 1, 1);
        if !self.gap.is_zero() {
            sleep(self.gap);
        }
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

/// Writes at `times` from node 0 over 10 ms links, `gap` seconds apart, on
/// `nodes` nodes; `extra` is appended (a `[check]` table, say).
pub fn scenario(nodes: usize, gap: f64, times: &str, extra: &str) -> Scenario {
    let text = format!(
        "[topology]\nkind = \"ring\"\nnodes = {nodes}\n[transport]\nlatency = 0.01\n\
         [mechanism]\nkind = \"last-writer\"\ngap = {gap}\n\
         [[load]]\nrequest = \"write\"\narrivals = \"schedule\"\ntimes = [{times}]\norigin = 0\n{extra}"
    );
    parse_str(&text, "last-writer.toml", &[]).expect("valid")
}
