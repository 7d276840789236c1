//! How a search is propagated to the selected neighbours: the design document's three
//! alternatives. Sequential and parallel use the blocking extendLookup (an RPC whose
//! answer carries the results back along the call chain); FADA's asynchronous form
//! sends the extensions and has distant matches reported straight to the origin,
//! which waits on a synchronisation point.

use std::cell::Cell;
use std::time::Duration;

use p2psim_sim::graph::NodeId;
use p2psim_sim::{CallError, Calls, Net};

use super::messages::{Extension, FadaMsg, Match};
use super::results::{MatchSet, Results};

/// Carries one search one hop further from `from`: the design document's extendLookup.
#[derive(Clone)]
pub struct Extender {
    net: Net<FadaMsg>,
    from: NodeId,
    ext: Extension,
}

impl Extender {
    /// Extends `ext` (already counting the hop) from node `from`.
    pub fn new(net: Net<FadaMsg>, from: NodeId, ext: Extension) -> Self {
        Extender { net, from, ext }
    }

    /// Extends to `to` and blocks until it answers with its results (none on timeout).
    /// The wait is `per_hop` for every hop the extension may still travel, so a caller
    /// outlives the timeouts of the calls made further down the chain.
    pub fn call(&self, to: NodeId, per_hop: Duration) -> Vec<Match> {
        let answer = self.net.call(
            self.from,
            to,
            FadaMsg::Extend(self.ext),
            per_hop * self.ext.ttl,
        );
        matches_of(answer)
    }

    /// Extends to every one of `targets` at once, each on a TaskThread of its
    /// own, waited for as [`Extender::call`] waits; the calls, to wait for.
    pub fn call_all(&self, targets: &[NodeId], per_hop: Duration) -> Calls<FadaMsg> {
        let mut calls = self.net.calls(self.from).named("fada-extend");
        for &t in targets {
            calls.call(t, FadaMsg::Extend(self.ext), per_hop * self.ext.ttl);
        }
        calls
    }

    /// Extends to `to` without waiting; its matches go to the origin.
    pub fn send(&self, to: NodeId) {
        self.net.send(self.from, to, FadaMsg::Extend(self.ext));
    }
}

/// The matches an extendLookup answered with (none if it was not answered).
fn matches_of(answer: Result<FadaMsg, CallError>) -> Vec<Match> {
    match answer {
        Ok(FadaMsg::Results { matches, .. }) => matches,
        _ => Vec::new(),
    }
}

/// A way of propagating a search.
pub trait Propagation {
    /// Extends the search to `targets`; returns the matches that came back along the
    /// calls (none for the asynchronous form, whose matches go to the origin).
    fn extend(&self, via: &Extender, targets: &[NodeId]) -> Vec<Match>;

    /// At the node that started the lookup, once extended: waits as the form requires.
    fn wait(&self, results: &Results);

    /// Extensions the pool refused a TaskThread for, so far.
    fn refused(&self) -> u64 {
        0
    }
}

/// One neighbour after the other, each extension waited for before the next.
pub struct Sequential {
    /// How long each extendLookup is waited for, per hop it may still travel.
    pub call_timeout: Duration,
}

/// One TaskThread per neighbour (the network's [`Calls`]), all waited for: the
/// node knows when the lookup is done.
pub struct ParallelWaitAll {
    /// How long each extendLookup is waited for, per hop it may still travel.
    pub call_timeout: Duration,
    /// Extensions the pool refused a TaskThread for.
    pub refused: Cell<u64>,
}

/// FADA 5.2.6: extend without waiting, then block until `timeout` passes or `wanted`
/// matches have arrived, whichever is first; later matches are dropped and counted.
pub struct Async {
    /// How long the origin waits at most.
    pub timeout: Duration,
    /// Matches after which the origin returns early.
    pub wanted: usize,
}

impl Propagation for Sequential {
    fn extend(&self, via: &Extender, targets: &[NodeId]) -> Vec<Match> {
        let mut found = MatchSet::new();
        for &t in targets {
            found.merge(via.call(t, self.call_timeout));
        }
        found.to_vec()
    }

    fn wait(&self, _: &Results) {}
}

impl Propagation for ParallelWaitAll {
    fn extend(&self, via: &Extender, targets: &[NodeId]) -> Vec<Match> {
        let mut found = MatchSet::new();
        for (_, answer) in via.call_all(targets, self.call_timeout).wait_all() {
            if matches!(answer, Err(CallError::NoTask)) {
                self.refused.set(self.refused.get() + 1);
            }
            found.merge(matches_of(answer));
        }
        found.to_vec()
    }

    fn wait(&self, _: &Results) {}

    fn refused(&self) -> u64 {
        self.refused.get()
    }
}

impl Propagation for Async {
    fn extend(&self, via: &Extender, targets: &[NodeId]) -> Vec<Match> {
        for &t in targets {
            via.send(t);
        }
        Vec::new()
    }

    fn wait(&self, results: &Results) {
        results.wait_for(self.wanted, self.timeout);
    }
}

/// Which propagation a node uses, as a scenario names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropagationSpec {
    /// [`Sequential`] with its call timeout.
    Sequential(Duration),
    /// [`ParallelWaitAll`] with its call timeout.
    Parallel(Duration),
    /// [`Async`] with its timeout and wanted count.
    Async(Duration, usize),
}

/// Scenario names of the propagations.
pub const PROPAGATION_NAMES: &[&str] = &["sequential", "parallel", "async"];

impl PropagationSpec {
    /// The propagation this spec names.
    pub fn build(self) -> Box<dyn Propagation> {
        match self {
            PropagationSpec::Sequential(call_timeout) => Box::new(Sequential { call_timeout }),
            PropagationSpec::Parallel(call_timeout) => Box::new(ParallelWaitAll {
                call_timeout,
                refused: Cell::new(0),
            }),
            PropagationSpec::Async(timeout, wanted) => Box::new(Async { timeout, wanted }),
        }
    }

    /// Its scenario name.
    pub fn name(self) -> &'static str {
        match self {
            PropagationSpec::Sequential(_) => "sequential",
            PropagationSpec::Parallel(_) => "parallel",
            PropagationSpec::Async(..) => "async",
        }
    }
}
