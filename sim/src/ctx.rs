//! What a mechanism works with during a run: the network, its own random
//! stream, the request log and the scenario's duration.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use p2psim_runtime::SimTime;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::graph::NodeId;
use crate::load::requests::Requests;
use crate::mechanism::{Mechanism, Request, RequestOutcome};
use crate::net::Net;

/// The run as mechanism `M` sees it; cheap to clone (every clone is the same run).
pub struct Ctx<M: Mechanism> {
    /// The network, carrying `M`'s messages.
    pub net: Net<M::Msg>,
    requests: Requests,
    rng: Rc<RefCell<ChaCha8Rng>>,
    seed: u64,
    duration: Option<SimTime>,
}

impl<M: Mechanism> Clone for Ctx<M> {
    fn clone(&self) -> Self {
        Ctx {
            net: self.net.clone(),
            requests: self.requests.clone(),
            rng: self.rng.clone(),
            seed: self.seed,
            duration: self.duration,
        }
    }
}

impl<M: Mechanism> Ctx<M> {
    /// A context over `net` whose mechanism stream starts from `seed`.
    pub fn new(net: Net<M::Msg>, requests: Requests, seed: u64, duration: Option<SimTime>) -> Self {
        Ctx {
            net,
            requests,
            rng: Rc::new(RefCell::new(ChaCha8Rng::seed_from_u64(seed))),
            seed,
            duration,
        }
    }

    /// The mechanism's own random stream, derived from the scenario seed and
    /// separate from the transport's, the load's and the failures' streams:
    /// what the mechanism draws never shifts a latency draw. Do not hold it
    /// across a blocking call.
    pub fn rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.rng.borrow_mut()
    }

    /// The seed of [`Ctx::rng`], for mechanisms that derive streams of their
    /// own from it (one per node, so that one node's draws never shift another's).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The scenario's duration, if it has one.
    pub fn duration(&self) -> Option<SimTime> {
        self.duration
    }

    /// The request log, for observers and tests.
    pub fn requests(&self) -> &Requests {
        &self.requests
    }

    /// Issues a request of the mechanism's own at `origin` now (a buyer that
    /// shops on its own, say); it counts with the load's requests. Pair it
    /// with [`Ctx::complete`].
    pub fn issue(&self, kind: M::Request, origin: NodeId) -> Request<M::Request> {
        self.requests.issue(kind, origin, None)
    }

    /// Records that `req` ended now with `outcome`.
    pub fn complete(&self, req: &Request<M::Request>, outcome: RequestOutcome) {
        self.requests.complete(req, outcome);
    }
}
