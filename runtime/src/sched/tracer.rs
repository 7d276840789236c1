//! What happens to tasks, as a run goes, for a tracer to record.
//!
//! Off by default: a run without a tracer pays one test of a flag at each
//! spawn, resumption, park and end. A tracer sees every task's life in
//! virtual time, which is what a trace viewer draws (see the sim crate's
//! Perfetto writer).

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
