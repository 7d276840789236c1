//! What a mechanism is to the simulator: it installs itself on the network and
//! serves requests, as plain blocking code.

use std::rc::Rc;

use p2psim_runtime::SimTime;

use crate::graph::NodeId;
use crate::net::Net;
use crate::requests::Requests;

/// One request issued by a load generator.
#[derive(Clone, Debug)]
pub struct Request {
    /// Unique, in issue order.
    pub id: u64,
    /// The `request` name of its `[[load]]` entry (e.g. "lookup").
    pub kind: Rc<str>,
    /// The node it is issued at.
    pub origin: NodeId,
    /// When it was issued.
    pub issued: SimTime,
    /// Index of its `[[load]]` entry.
    pub load: usize,
}

/// How a request ended, as the mechanism reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOutcome {
    /// Whether it achieved what it asked (found a match, bought an item, ...).
    pub success: bool,
    /// Hops to the (first) answer, when meaningful.
    pub hops: Option<u32>,
    /// Messages it caused, when the mechanism counts them per request.
    pub messages: Option<u64>,
}

impl RequestOutcome {
    /// A failed request.
    pub fn failed() -> Self {
        RequestOutcome::default()
    }
}

/// What a mechanism gets to work with.
pub struct Ctx<M: 'static> {
    /// The network.
    pub net: Net<M>,
    /// The request log (for mechanisms that issue requests themselves).
    pub requests: Requests,
    /// The seed of the mechanism's own random stream.
    pub seed: u64,
    /// The scenario's duration, if it has one.
    pub duration: Option<SimTime>,
}

impl<M> Clone for Ctx<M> {
    fn clone(&self) -> Self {
        Ctx {
            net: self.net.clone(),
            requests: self.requests.clone(),
            seed: self.seed,
            duration: self.duration,
        }
    }
}

/// A pluggable mechanism: the seed's lookup/register, the bazaar, a flood.
pub trait Mechanism: 'static {
    /// Its message type.
    type Msg: 'static;

    /// Installs handlers, per-node state and its own tasks; runs inside a task at t = 0.
    fn install(self: Rc<Self>, ctx: &Ctx<Self::Msg>);

    /// Serves one request at `req.origin`, on its own task; returns how it ended.
    fn request(&self, ctx: &Ctx<Self::Msg>, req: &Request) -> RequestOutcome;

    /// Mechanism figures for `summary.json`, under the mechanism's name.
    fn summary(&self) -> Option<(String, serde_json::Value)> {
        None
    }

    /// Invariants checked after the run; an error fails the run (exit 1).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}
