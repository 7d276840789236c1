//! The trace: the hash that fingerprints a run, and the optional tracer.
//!
//! Owns the trace hash (every resumption's time and task, mixed in order: equal
//! hashes mean equal runs), the count of resumptions, and the tracer that
//! records every task's life in virtual time, which is what a trace viewer draws
//! (see the sim crate's Perfetto writer). Invariant: the hash and the count
//! change only in [`Trace::resumed`], once per resumption of a task.
//!
//! Off by default: a run without a tracer pays one test of a flag at each
//! spawn, resumption, park and end.

use std::cell::{Cell, RefCell};

use crate::error::WaitKind;
use crate::task::{TaskId, TaskName};
use crate::time::SimTime;

/// One thing that happened to a task.
#[derive(Clone, Copy, Debug)]
pub enum TraceEvent<'a> {
    /// It was created (by `parent`, when a task spawned it).
    Spawned {
        /// The task.
        id: TaskId,
        /// The task that spawned it (`None`: the runtime's owner or a callback).
        parent: Option<TaskId>,
        /// Its name.
        name: &'a TaskName,
    },
    /// It runs (first time or again).
    Resumed {
        /// The task.
        id: TaskId,
    },
    /// It parked, waiting on `waits_on` (named `object`, if it has a name).
    Parked {
        /// The task.
        id: TaskId,
        /// What it waits on.
        waits_on: WaitKind,
        /// The object's name.
        object: Option<&'a str>,
    },
    /// It ended.
    Ended {
        /// The task.
        id: TaskId,
    },
}

/// Receives a run's trace events, each with the virtual time it happened at.
pub trait Tracer {
    /// Records `event`, which happened at `at`.
    fn record(&mut self, at: SimTime, event: TraceEvent<'_>);
}

/// The run's trace hash, its resumption count and its tracer.
#[derive(Default)]
pub(crate) struct Trace {
    hash: Cell<u64>,
    events: Cell<u64>,
    /// Whether a tracer records this run (tested on every traced event).
    tracing: Cell<bool>,
    tracer: RefCell<Option<Box<dyn Tracer>>>,
}

impl Trace {
    /// Gives the run a tracer.
    pub fn set_tracer(&self, tracer: Box<dyn Tracer>) {
        *self.tracer.borrow_mut() = Some(tracer);
        self.tracing.set(true);
    }

    /// Whether a tracer records this run.
    #[inline(always)]
    pub fn on(&self) -> bool {
        self.tracing.get()
    }

    /// Hands `event`, which happened at `now`, to the tracer.
    #[cold]
    #[inline(never)]
    pub fn record(&self, now: SimTime, event: TraceEvent<'_>) {
        if let Some(t) = self.tracer.borrow_mut().as_mut() {
            t.record(now, event);
        }
    }

    /// Mixes the resumption of task `id` at `now` into the hash and counts it.
    #[inline]
    pub fn resumed(&self, now: SimTime, id: TaskId) {
        if self.on() {
            self.record(now, TraceEvent::Resumed { id });
        }
        let h = mix(self.hash.get(), now.as_nanos());
        self.hash.set(mix(h, id.0));
        self.events.set(self.events.get() + 1);
    }

    /// The hash of every resumption so far.
    pub fn hash(&self) -> u64 {
        self.hash.get()
    }

    /// Resumptions so far.
    #[inline]
    pub fn events(&self) -> u64 {
        self.events.get()
    }
}

/// Mixes one value into a running hash (FxHash-style: rotate, xor, multiply).
#[inline]
fn mix(hash: u64, value: u64) -> u64 {
    (hash.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

#[cfg(test)]
mod tests {
    use super::mix;

    #[test]
    fn order_matters() {
        let a = mix(mix(0, 1), 2);
        let b = mix(mix(0, 2), 1);
        assert_ne!(a, b);
        assert_eq!(a, mix(mix(0, 1), 2));
    }
}
