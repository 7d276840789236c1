//! The request log: issue, completion and loss of requests, fanned out to observers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use p2psim_runtime::{clock, SimTime};

use crate::graph::NodeId;
use crate::mechanism::{Request, RequestOutcome};
use crate::observe::{Observer, RequestEvent};

/// A finished request.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// The request.
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
    observers: RefCell<Vec<Box<dyn Observer>>>,
}

/// Shared handle to the request log.
#[derive(Clone)]
pub struct Requests {
    inner: Rc<Inner>,
}

impl Requests {
    /// A log feeding these observers.
    pub fn new(observers: Vec<Box<dyn Observer>>) -> Self {
        Requests {
            inner: Rc::new(Inner {
                next_id: Cell::new(0),
                counts: Cell::new(RequestCounts::default()),
                observers: RefCell::new(observers),
            }),
        }
    }

    /// Issues a request of `kind` at `origin` now.
    pub fn issue(&self, kind: Rc<str>, origin: NodeId, load: usize) -> Request {
        let id = self.inner.next_id.get() + 1;
        self.inner.next_id.set(id);
        self.update(|c| c.issued += 1);
        let req = Request {
            id,
            kind,
            origin,
            issued: clock(),
            load,
        };
        self.notify(RequestEvent::Issued(&req));
        req
    }

    /// Records that `req` ended now with `outcome`.
    pub fn complete(&self, req: Request, outcome: RequestOutcome) {
        self.update(|c| {
            if outcome.success {
                c.succeeded += 1
            } else {
                c.failed += 1
            }
        });
        let rec = RequestRecord {
            request: req,
            finished: clock(),
            outcome,
        };
        self.notify(RequestEvent::Done(&rec));
    }

    /// Records that `req` was never served.
    pub fn lose(&self, req: Request) {
        self.update(|c| c.lost += 1);
        self.notify(RequestEvent::Lost(&req));
    }

    /// The counts so far.
    pub fn counts(&self) -> RequestCounts {
        self.inner.counts.get()
    }

    /// Runs `f` on the observers.
    pub fn with_observers<R>(&self, f: impl FnOnce(&mut Vec<Box<dyn Observer>>) -> R) -> R {
        f(&mut self.inner.observers.borrow_mut())
    }

    fn update(&self, f: impl FnOnce(&mut RequestCounts)) {
        let mut c = self.inner.counts.get();
        f(&mut c);
        self.inner.counts.set(c);
    }

    fn notify(&self, ev: RequestEvent<'_>) {
        for o in self.inner.observers.borrow_mut().iter_mut() {
            o.on_request(&ev);
        }
    }
}
