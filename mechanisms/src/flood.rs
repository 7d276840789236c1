//! Flooding lookup: the origin asks its neighbours, every node forwards a search it
//! has not seen to all its neighbours but the sender while hops remain, and a node
//! holding the item answers the origin directly. The lookup succeeds at the first
//! answer, or fails at its timeout.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::Mailbox;
use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::seq::index::sample;
use serde::{Deserialize, Serialize};

/// The flood's messages.
#[derive(Clone, Debug)]
pub enum FloodMsg {
    /// A search travelling outwards.
    Query {
        /// The search's id.
        search: u64,
        /// Hops it may still travel, this one included.
        ttl: u32,
        /// Hops travelled so far, this one included.
        hops: u32,
        /// Where answers go.
        origin: NodeId,
    },
    /// An answer sent straight back to the origin.
    Hit {
        /// The search it answers.
        search: u64,
        /// Hops from the origin to the holder.
        hops: u32,
    },
}

request_kinds! {
    /// What a flood serves: a lookup of the item.
    pub enum FloodRequest { Lookup = "lookup" }
}

/// The flood's figures in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FloodReport {
    /// Hops a search travels.
    pub ttl: u32,
    /// Nodes holding the item.
    pub replicas: usize,
    /// How long a lookup waits for its first answer, in seconds.
    pub timeout_s: f64,
    /// Copies of a search that reached a node that had seen it.
    pub duplicates_dropped: u64,
    /// Answers that came after their lookup's first (or after it gave up).
    pub late_hits: u64,
}

/// Parameters of the flood, from `[mechanism]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FloodParams {
    /// Hops a search travels.
    pub ttl: u32,
    /// Nodes holding the item looked up.
    pub replicas: usize,
    /// How long a lookup waits for its first answer.
    pub timeout: Duration,
}

impl FloodParams {
    /// Reads and checks the parameters (`nodes`: the network size, if known).
    pub fn from_params(p: &Params, nodes: Option<usize>) -> Result<Self, ScenarioError> {
        let ttl = p.u64_in("ttl", 5, 1, 64)? as u32;
        let max_replicas = nodes.unwrap_or(usize::MAX) as u64;
        let replicas = p.u64_in("replicas", 1, 0, max_replicas)? as usize;
        let timeout = p.seconds("timeout", 5.0, 1e9)?;
        p.finish()?;
        Ok(FloodParams {
            ttl,
            replicas,
            timeout,
        })
    }
}

/// The flooding lookup mechanism.
pub struct Flood {
    params: FloodParams,
    holders: RefCell<HashSet<NodeId>>,
    seen: RefCell<Vec<HashSet<u64>>>,
    pending: RefCell<HashMap<u64, Mailbox<u32>>>,
    late_hits: Cell<u64>,
    duplicates: Cell<u64>,
}

impl Flood {
    /// Marks `search` seen at `node`; false if it was already.
    fn first_visit(&self, node: NodeId, search: u64) -> bool {
        self.seen.borrow_mut()[node as usize].insert(search)
    }
}

impl Mechanism for Flood {
    const KIND: &'static str = "flood";
    type Params = FloodParams;
    type Request = FloodRequest;
    type Msg = FloodMsg;
    type Report = FloodReport;

    fn params(table: &Params, scenario: &Scenario) -> Result<FloodParams, ScenarioError> {
        FloodParams::from_params(table, scenario.nodes())
    }

    fn new(params: FloodParams) -> Self {
        Flood {
            params,
            holders: RefCell::new(HashSet::new()),
            seen: RefCell::new(Vec::new()),
            pending: RefCell::new(HashMap::new()),
            late_hits: Cell::new(0),
            duplicates: Cell::new(0),
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let n = ctx.net.node_count();
        let holders = sample(&mut *ctx.rng(), n, self.params.replicas.min(n));
        *self.holders.borrow_mut() = holders.into_iter().map(|v| v as NodeId).collect();
        *self.seen.borrow_mut() = vec![HashSet::new(); n];
    }

    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<FloodMsg>) {
        match m.msg {
            FloodMsg::Query {
                search,
                ttl,
                hops,
                origin,
            } => {
                if !self.first_visit(m.to, search) {
                    self.duplicates.set(self.duplicates.get() + 1);
                    return;
                }
                if self.holders.borrow().contains(&m.to) {
                    ctx.net.send(m.to, origin, FloodMsg::Hit { search, hops });
                }
                if ttl > 1 {
                    for n in ctx.net.neighbors(m.to) {
                        if n != m.from {
                            let q = FloodMsg::Query {
                                search,
                                ttl: ttl - 1,
                                hops: hops + 1,
                                origin,
                            };
                            ctx.net.send(m.to, n, q);
                        }
                    }
                }
            }
            FloodMsg::Hit { search, hops } => match self.pending.borrow().get(&search) {
                Some(mb) => mb.send(hops),
                None => self.late_hits.set(self.late_hits.get() + 1),
            },
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<FloodRequest>) -> RequestOutcome {
        let origin = req.origin;
        if self.holders.borrow().contains(&origin) {
            return RequestOutcome {
                success: true,
                hops: Some(0),
                messages: None,
            };
        }
        let search = req.id;
        self.first_visit(origin, search);
        let answers: Mailbox<u32> = Mailbox::new();
        self.pending.borrow_mut().insert(search, answers.clone());
        for n in ctx.net.neighbors(origin) {
            let q = FloodMsg::Query {
                search,
                ttl: self.params.ttl,
                hops: 1,
                origin,
            };
            ctx.net.send(origin, n, q);
        }
        let first = answers.recv_for(self.params.timeout);
        self.pending.borrow_mut().remove(&search);
        // Answers after the first are late by definition.
        self.late_hits
            .set(self.late_hits.get() + answers.len() as u64);
        RequestOutcome {
            success: first.is_some(),
            hops: first,
            messages: None,
        }
    }

    fn message_kind(m: &FloodMsg) -> &'static str {
        match m {
            FloodMsg::Query { .. } => "query",
            FloodMsg::Hit { .. } => "hit",
        }
    }

    fn report(&self) -> FloodReport {
        FloodReport {
            ttl: self.params.ttl,
            replicas: self.params.replicas,
            timeout_s: self.params.timeout.as_secs_f64(),
            duplicates_dropped: self.duplicates.get(),
            late_hits: self.late_hits.get(),
        }
    }
}
