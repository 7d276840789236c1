//! The request log: issue, completion and loss of requests, fanned out to observers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use p2psim_runtime::{now, SimTime};

use crate::graph::NodeId;
use crate::load::request_kind::RequestKind;
use crate::mechanism::{Request, RequestOutcome};
use crate::observe::{Observers, RequestEvent};

/// A finished request.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// The request (its kind by name).
    pub request: Request,
    /// When it ended.
    pub finished: SimTime,
    /// How.
    pub outcome: RequestOutcome,
}

/// Cumulative request counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Issued (lost ones included).
    pub issued: u64,
    /// Ended with success.
    pub succeeded: u64,
    /// Ended without success.
    pub failed: u64,
    /// Never served: no worker (policy reject) or origin down.
    pub lost: u64,
}

struct Inner {
    next_id: Cell<u64>,
    counts: Cell<RequestCounts>,
    by_load: RefCell<Vec<u64>>,
    observers: RefCell<Observers>,
}

/// Shared handle to the request log.
#[derive(Clone)]
pub struct Requests {
    inner: Rc<Inner>,
}

impl Requests {
    /// A log feeding these observers.
    pub fn new(observers: Observers) -> Self {
        Requests {
            inner: Rc::new(Inner {
                next_id: Cell::new(0),
                counts: Cell::new(RequestCounts::default()),
                by_load: RefCell::new(Vec::new()),
                observers: RefCell::new(observers),
            }),
        }
    }

    /// Issues a request of `kind` at `origin` now; `load` is its `[[load]]`
    /// entry (`None`: the mechanism issued it). Ids count from 1 in issue order.
    pub fn issue<K: RequestKind>(
        &self,
        kind: K,
        origin: NodeId,
        load: Option<usize>,
    ) -> Request<K> {
        let id = self.inner.next_id.get() + 1;
        self.inner.next_id.set(id);
        self.update(|c| c.issued += 1);
        if let Some(i) = load {
            let mut by_load = self.inner.by_load.borrow_mut();
            if by_load.len() <= i {
                by_load.resize(i + 1, 0);
            }
            by_load[i] += 1;
        }
        let req = Request {
            id,
            kind,
            origin,
            issued: now(),
            load,
        };
        self.notify(RequestEvent::Issued(&req.named()));
        req
    }

    /// Records that `req` ended now with `outcome`.
    pub fn complete<K: RequestKind>(&self, req: &Request<K>, outcome: RequestOutcome) {
        self.update(|c| {
            if outcome.success {
                c.succeeded += 1
            } else {
                c.failed += 1
            }
        });
        let rec = RequestRecord {
            request: req.named(),
            finished: now(),
            outcome,
        };
        self.notify(RequestEvent::Done(&rec));
    }

    /// Records that `req` was never served.
    pub fn lose<K: RequestKind>(&self, req: &Request<K>) {
        self.update(|c| c.lost += 1);
        self.notify(RequestEvent::Lost(&req.named()));
    }

    /// Requests issued by each `[[load]]` entry so far.
    pub fn by_load(&self) -> Vec<u64> {
        self.inner.by_load.borrow().clone()
    }

    /// The counts so far.
    pub fn counts(&self) -> RequestCounts {
        self.inner.counts.get()
    }

    /// Runs `f` on the observers.
    pub fn with_observers<R>(&self, f: impl FnOnce(&mut Observers) -> R) -> R {
        f(&mut self.inner.observers.borrow_mut())
    }

    fn update(&self, f: impl FnOnce(&mut RequestCounts)) {
        let mut c = self.inner.counts.get();
        f(&mut c);
        self.inner.counts.set(c);
    }

    fn notify(&self, ev: RequestEvent<'_>) {
        self.inner
            .observers
            .borrow_mut()
            .each(|o| o.on_request(&ev));
    }
}
