//! What a mechanism is to the simulator: one trait with typed parts.
//!
//! A mechanism names itself (`KIND`, the `mechanism.kind` of a scenario), reads
//! and checks its parameters from `[mechanism]`, says which request kinds a
//! `[[load]]` entry may ask of it, handles the messages it sends, serves each
//! request as plain blocking code, and reports its own figures and invariants
//! after the run. The engine does the rest: it builds the network, hands every
//! delivered message to [`Mechanism::handle`] on a TaskThread, drives the load,
//! samples the observers and gathers the summary. The shipped mechanisms use
//! this trait and nothing more, so a user's mechanism gets the whole CLI
//! (`p2psim::cli::main`) exactly as they do.

use std::rc::Rc;

use p2psim_runtime::SimTime;
use serde::Serialize;

use crate::ctx::Ctx;
use crate::graph::NodeId;
use crate::load::request_kind::RequestKind;
use crate::net::Incoming;
use crate::observe::Observer;
use crate::scenario::{Params, Scenario, ScenarioError};

/// One request, issued by a load generator (or by the mechanism itself).
///
/// Request ids count from 1 in the order requests are issued in the run, over
/// every `[[load]]` entry and the mechanism's own requests together; the same
/// scenario and seed give the same ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Request<K = &'static str> {
    /// Unique in the run, in issue order, from 1.
    pub id: u64,
    /// What is asked: the mechanism's request kind (its name, to observers).
    pub kind: K,
    /// The node it is issued at.
    pub origin: NodeId,
    /// When it was issued.
    pub issued: SimTime,
    /// The index of its `[[load]]` entry; `None` when the mechanism issued it.
    pub load: Option<usize>,
}

impl<K: RequestKind> Request<K> {
    /// The same request with its kind as a name, as observers see it.
    pub fn named(&self) -> Request {
        Request {
            id: self.id,
            kind: self.kind.name(),
            origin: self.origin,
            issued: self.issued,
            load: self.load,
        }
    }
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
    /// A request that succeeded, with no hop or message count.
    pub fn succeeded() -> Self {
        RequestOutcome {
            success: true,
            ..RequestOutcome::default()
        }
    }

    /// A failed request.
    pub fn failed() -> Self {
        RequestOutcome::default()
    }

    /// Succeeded or failed as `success` says.
    pub fn from_success(success: bool) -> Self {
        RequestOutcome {
            success,
            ..RequestOutcome::default()
        }
    }
}

/// A pluggable mechanism: FADA's lookup and register, the bazaar, a flood, a
/// user's gossip or DHT.
///
/// One value of the type serves a whole run: per-node state lives inside it
/// (in `RefCell`s and `Cell`s: everything runs on one OS thread, one task at a
/// time), and every method gets the run's [`Ctx`].
pub trait Mechanism: Sized + 'static {
    /// Its name in `mechanism.kind`.
    const KIND: &'static str;

    /// Its parameters, read from `[mechanism]` by [`Mechanism::params`].
    type Params: 'static;

    /// The request kinds a `[[load]]` entry may ask for (see [`RequestKind`]).
    type Request: RequestKind;

    /// Its messages.
    type Msg: 'static;

    /// Its own figures, written to `summary.json` under `KIND` (`()` for none).
    type Report: Serialize + 'static;

    /// Reads and checks its parameters from `[mechanism]` (`table`), with the
    /// scenario for what they depend on (its node count, say). Errors come from
    /// `table`'s readers, which say file, line, key and what to change; keys it
    /// did not read are rejected after it returns, with a did-you-mean.
    fn params(table: &Params, scenario: &Scenario) -> Result<Self::Params, ScenarioError>;

    /// The mechanism for one run.
    fn new(params: Self::Params) -> Self;

    /// Sets up per-node state and starts the mechanism's own tasks (a daemon
    /// per node, buyers that shop on their own). Runs in a task at t = 0,
    /// before any request.
    fn install(self: &Rc<Self>, _ctx: &Ctx<Self>) {}

    /// Serves one delivered message, on a TaskThread of its own at `m.to`
    /// (blocking is allowed; answer a `call` through `m.reply`).
    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<Self::Msg>);

    /// Serves one request at `req.origin`, on a TaskThread of its own, as
    /// blocking code; returns how it ended.
    fn request(&self, ctx: &Ctx<Self>, req: &Request<Self::Request>) -> RequestOutcome;

    /// Its figures after the run (it may have failed).
    fn report(&self) -> Self::Report;

    /// The kind of a message, as the task that serves it is named in reports
    /// and traces (`"extend at node 42"`).
    fn message_kind(_msg: &Self::Msg) -> &'static str {
        "message"
    }

    /// A message's size in bytes, as the network counts what each node sends
    /// and receives; `None` (the default) is `[transport] message_bytes`.
    fn size(_msg: &Self::Msg) -> Option<usize> {
        None
    }

    /// One line of its own figures for the terminal summary of `p2psim run`,
    /// where the generic request figures would mislead.
    fn headline(_report: &Self::Report) -> Option<String> {
        None
    }

    /// Invariants that must hold after a run; an error fails it (exit 1).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// Observers of its own, sampled with the built-in ones: each adds its
    /// time series (one CSV) and its section of `summary.json`. Called once,
    /// before the run; an observer may keep `self` to read its state.
    fn observers(self: &Rc<Self>) -> Vec<Box<dyn Observer>> {
        Vec::new()
    }

    /// Warms the state a message to `node` will read first ([`Hot`]), called
    /// a batch of deliveries before the message is handed out: on networks far
    /// larger than the caches a flood otherwise waits on a miss per message.
    /// The one optional hint a mechanism gives the runtime: it changes how
    /// fast a run goes, never what it does.
    ///
    /// [`Hot`]: p2psim_runtime::Hot
    fn warm(&self, _node: NodeId) {}
}

/// Reads and checks everything of `scenario` that belongs to mechanism `M`:
/// its `mechanism.kind`, its parameters (every key of `[mechanism]` read) and
/// the request named by every `[[load]]` entry.
pub fn prepare<M: Mechanism>(scenario: &Scenario) -> Result<M::Params, ScenarioError> {
    let table = &scenario.mechanism.params;
    if scenario.mechanism.kind != M::KIND {
        return Err(table.error(
            "kind",
            format!(
                "this program runs mechanism `{}`, not `{}`",
                M::KIND,
                scenario.mechanism.kind
            ),
            format!("set kind = \"{}\"", M::KIND),
        ));
    }
    let params = M::params(table, scenario)?;
    table.finish()?;
    for l in &scenario.loads {
        crate::load::request_kind::parse::<M>(l)?;
    }
    Ok(params)
}
