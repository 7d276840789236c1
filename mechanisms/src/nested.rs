//! Nested blocking calls: the design document's feared pool deadlock, on purpose.
//!
//! A request at node v asks a neighbour, and waits for the answer; that neighbour's
//! handler, on a TaskThread of its own, does a little local work, asks one of its
//! neighbours in turn, and waits; and so on `depth` levels down. Every level holds
//! its TaskThread while it waits, and the answer it waits for needs another
//! TaskThread from the same pool (to serve the next level, and to deliver the
//! reply). With policy `queue` and a pool too small for the calls in flight, every
//! worker ends up held by a task waiting for a task that waits for a worker: the
//! run deadlocks, and the runtime's report names them. With enough workers, it
//! completes.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

use p2psim_runtime::{sleep, Mailbox};
use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The messages of a nested call chain.
#[derive(Clone, Debug)]
pub enum NestedMsg {
    /// Serve one level of a chain, then answer call `call`.
    Call {
        /// The id of the waiting call.
        call: u64,
        /// Levels still to go below this one.
        depth: u32,
    },
    /// The answer to call `call`.
    Reply {
        /// The id of the call answered.
        call: u64,
    },
}

request_kinds! {
    /// What the nested mechanism serves: a chain of calls.
    pub enum NestedRequest { Call = "call" }
}

/// The nested mechanism's figures in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NestedReport {
    /// Levels of nested calls below a request.
    pub depth: u32,
    /// Local work at each level, in seconds.
    pub service_s: f64,
    /// How long a level waits for its answer (`None`: forever).
    pub timeout_s: Option<f64>,
    /// Calls made.
    pub calls: u64,
    /// Calls that timed out.
    pub timeouts: u64,
    /// Answers that came after their call gave up.
    pub late_replies: u64,
}

/// Parameters of the nested mechanism, from `[mechanism]`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedParams {
    /// Levels of nested calls below a request.
    pub depth: u32,
    /// Local work at each level before calling the next, holding the TaskThread.
    pub service: Duration,
    /// How long a level waits for its answer; `None` (`timeout = 0`) waits forever,
    /// so an exhausted pool is a true deadlock rather than a timeout.
    pub timeout: Option<Duration>,
}

impl NestedParams {
    /// Reads and checks the parameters.
    pub fn from_params(p: &Params) -> Result<Self, ScenarioError> {
        let depth = p.u64_in("depth", 3, 0, 64)? as u32;
        let service = p.seconds("service", 0.01, 1e6)?;
        // 0 waits forever; any other value, however small, times out.
        let timeout_s = p.f64_in("timeout", 0.0, 0.0, 1e9)?;
        p.finish()?;
        Ok(NestedParams {
            depth,
            service,
            timeout: (timeout_s > 0.0).then(|| Duration::from_secs_f64(timeout_s)),
        })
    }
}

/// The nested-call mechanism.
pub struct Nested {
    params: NestedParams,
    /// Calls waiting for their answer, by call id.
    pending: RefCell<BTreeMap<u64, Mailbox<()>>>,
    next_call: Cell<u64>,
    calls: Cell<u64>,
    timeouts: Cell<u64>,
    late_replies: Cell<u64>,
}

impl Nested {
    /// Serves `depth` more levels below node `at`: works, calls a neighbour, waits.
    /// Returns whether every level below answered.
    fn descend(&self, ctx: &Ctx<Self>, at: NodeId, depth: u32) -> bool {
        sleep(self.params.service);
        if depth == 0 {
            return true;
        }
        let neighbours = ctx.net.neighbors(at);
        if neighbours.is_empty() {
            return false;
        }
        let next = neighbours[ctx.rng().gen_range(0..neighbours.len())];
        let call = self.next_call.get();
        self.next_call.set(call + 1);
        self.calls.set(self.calls.get() + 1);
        let answer = Mailbox::named(&format!("answer to call {call} from node {at}"), None);
        self.pending.borrow_mut().insert(call, answer.clone());
        ctx.net.send(
            at,
            next,
            NestedMsg::Call {
                call,
                depth: depth - 1,
            },
        );
        let answered = match self.params.timeout {
            None => {
                answer.recv();
                true
            }
            Some(t) => answer.recv_for(t).is_some(),
        };
        self.pending.borrow_mut().remove(&call);
        if !answered {
            self.timeouts.set(self.timeouts.get() + 1);
        }
        answered
    }
}

impl Mechanism for Nested {
    const KIND: &'static str = "nested";
    type Params = NestedParams;
    type Request = NestedRequest;
    type Msg = NestedMsg;
    type Report = NestedReport;

    fn params(table: &Params, _scenario: &Scenario) -> Result<NestedParams, ScenarioError> {
        NestedParams::from_params(table)
    }

    fn new(params: NestedParams) -> Self {
        Nested {
            params,
            pending: RefCell::new(BTreeMap::new()),
            next_call: Cell::new(0),
            calls: Cell::new(0),
            timeouts: Cell::new(0),
            late_replies: Cell::new(0),
        }
    }

    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<NestedMsg>) {
        match m.msg {
            NestedMsg::Call { call, depth } => {
                if self.descend(ctx, m.to, depth) {
                    ctx.net.send(m.to, m.from, NestedMsg::Reply { call });
                }
            }
            NestedMsg::Reply { call } => match self.pending.borrow().get(&call) {
                Some(mb) => mb.send(()),
                None => self.late_replies.set(self.late_replies.get() + 1),
            },
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<NestedRequest>) -> RequestOutcome {
        let ok = self.descend(ctx, req.origin, self.params.depth);
        RequestOutcome {
            success: ok,
            hops: ok.then_some(self.params.depth),
            messages: None,
        }
    }

    fn message_kind(m: &NestedMsg) -> &'static str {
        match m {
            NestedMsg::Call { .. } => "call",
            NestedMsg::Reply { .. } => "reply",
        }
    }

    fn report(&self) -> NestedReport {
        NestedReport {
            depth: self.params.depth,
            service_s: self.params.service.as_secs_f64(),
            timeout_s: self.params.timeout.map(|t| t.as_secs_f64()),
            calls: self.calls.get(),
            timeouts: self.timeouts.get(),
            late_replies: self.late_replies.get(),
        }
    }
}
