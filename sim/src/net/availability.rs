//! How many nodes are up, and how many were over time: the count kept as nodes
//! go up and down, and its integral over virtual time.

use std::cell::Cell;

use p2psim_runtime::{in_task, now, SimTime};

/// The up count and its time integral.
#[derive(Debug)]
pub(crate) struct Availability {
    up: Cell<usize>,
    /// Node-nanoseconds up until `since`.
    area: Cell<u128>,
    since: Cell<SimTime>,
}

impl Availability {
    /// `nodes` nodes, all up, at time 0.
    pub(crate) fn new(nodes: usize) -> Self {
        Availability {
            up: Cell::new(nodes),
            area: Cell::new(0),
            since: Cell::new(SimTime::ZERO),
        }
    }

    /// Nodes up now.
    #[inline]
    pub(crate) fn up(&self) -> usize {
        self.up.get()
    }

    /// One node went up (`true`) or down. Outside a task (the engine setting
    /// up the run) no virtual time has passed since the last change.
    pub(crate) fn changed(&self, up: bool) {
        let at = if in_task() { now() } else { self.since.get() };
        self.settle(at);
        let n = self.up.get();
        self.up.set(if up { n + 1 } else { n.saturating_sub(1) });
    }

    fn settle(&self, at: SimTime) {
        let since = self.since.get();
        if at > since {
            let span = u128::from(at.as_nanos() - since.as_nanos());
            self.area
                .set(self.area.get() + span * self.up.get() as u128);
            self.since.set(at);
        }
    }

    /// The time-average fraction of `nodes` up from 0 to `end`; `None` for an
    /// empty network or a run that took no time.
    pub(crate) fn mean_fraction(&self, nodes: usize, end: SimTime) -> Option<f64> {
        self.settle(end);
        let span = end.as_nanos();
        (nodes > 0 && span > 0).then(|| self.area.get() as f64 / (nodes as f64 * span as f64))
    }
}
