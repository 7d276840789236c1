//! The wait-for graph and deadlock detection.
//!
//! An untimed wait may name what it waits for (a mutex's holder, the task
//! serving a call, a task to join): an edge of the wait-for graph, kept in the
//! waiting task's header. A wait that closes a cycle of edges back to its own
//! task is a deadlock the moment it closes, unless a wait of the cycle has a
//! timeout (then it is a timeout cycle, counted, and the run goes on until the
//! timeout breaks it). When nothing can run at all, every parked task is named.
//!
//! Owns the count of timeout cycles and the first one's report; the edges
//! live in the task table, which these functions read. Invariant: an edge is
//! only followed to a task that is still the task it named (same id) and is
//! still parked, so a stale edge never closes a cycle.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::tasks::TaskTable;
use crate::error::{BlockedTask, DeadlockReport};
use crate::task::{Header, TaskId, TaskState};

/// The owner of a mutex or the target of a join: an edge of the wait-for graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    pub key: u32,
    pub id: TaskId,
}

/// What an untimed wait waits for, for wait-for cycle detection.
pub(crate) enum WaitsFor {
    /// Whoever is in the cell when the graph is walked: a mutex's owner, or
    /// the task serving a call (a `Responder`).
    Holder(Rc<Cell<Option<Owner>>>),
    /// A task to terminate.
    Task(Owner),
}

/// The timeout cycles seen so far.
#[derive(Default)]
pub(crate) struct WaitGraph {
    /// Wait-for cycles that a timeout broke (or will): how many, and the first.
    timeout_cycles: Cell<u64>,
    first_timeout_cycle: RefCell<Option<DeadlockReport>>,
}

impl WaitGraph {
    /// Counts a timeout cycle; `report` describes it if it is the first.
    pub fn count_timeout_cycle(&self, report: impl FnOnce() -> DeadlockReport) {
        self.timeout_cycles.set(self.timeout_cycles.get() + 1);
        let mut first = self.first_timeout_cycle.borrow_mut();
        if first.is_none() {
            *first = Some(report());
        }
    }

    /// Timeout cycles so far, and the first of them.
    pub fn timeout_cycles(&self) -> (u64, Option<DeadlockReport>) {
        (
            self.timeout_cycles.get(),
            self.first_timeout_cycle.borrow().clone(),
        )
    }
}

/// Walks the wait-for graph from task `me`; returns the cycle's keys if it
/// leads back to `me`.
pub(crate) fn find_cycle(tasks: &TaskTable, me: u32) -> Option<Vec<u32>> {
    let tasks = tasks.borrow();
    let mut path = vec![me];
    let mut next = edge(&tasks[me as usize]);
    while let Some(o) = next {
        if o.key == me {
            return Some(path);
        }
        if path.len() > tasks.len() {
            return None;
        }
        let t = tasks.get(o.key as usize)?;
        if t.id != o.id || t.wait.get() == 0 {
            return None;
        }
        path.push(o.key);
        next = edge(t);
    }
    None
}

/// Whether one of the tasks `keys` waits with a timeout.
pub(crate) fn any_timed(tasks: &TaskTable, keys: &[u32]) -> bool {
    let tasks = tasks.borrow();
    keys.iter()
        .any(|&k| tasks[k as usize].state.get() == TaskState::TimedWaiting)
}

/// The edge of task `t`'s current wait, if it has one.
fn edge(t: &Header) -> Option<Owner> {
    if !t.detailed.get() {
        return None;
    }
    let detail = t.detail.take();
    let edge = match detail.as_ref().and_then(|d| d.waits_for.as_ref()) {
        Some(WaitsFor::Holder(owner)) => owner.get(),
        Some(WaitsFor::Task(o)) => Some(*o),
        None => None,
    };
    t.detail.set(detail);
    edge
}

/// What a deadlock report says of the tasks `keys` (or, when `None`, of every
/// parked or unstarted task, by id): whether it is partial, and each task.
pub(crate) fn blocked_tasks(tasks: &TaskTable, keys: Option<Vec<u32>>) -> (bool, Vec<BlockedTask>) {
    let tasks = tasks.borrow();
    let partial = keys.is_some();
    let keys: Vec<u32> = match keys {
        Some(k) => k,
        None => tasks
            .iter()
            .filter(|(_, t)| t.wait.get() != 0 || t.state.get() == TaskState::New)
            .map(|(k, _)| k as u32)
            .collect(),
    };
    let mut blocked: Vec<BlockedTask> = keys
        .iter()
        .map(|&k| {
            let t = &tasks[k as usize];
            let detail = t.detail.take();
            let named = detail
                .as_ref()
                .and_then(|d| d.object.as_deref())
                .filter(|_| t.detailed.get())
                .map(str::to_owned);
            t.detail.set(detail);
            BlockedTask {
                id: t.id,
                name: t.name.clone(),
                state: t.state.get(),
                waits_on: t.waits_on.get(),
                object: named,
                waits_for: edge(t).map(|o| o.id),
                since: t.since.get(),
                daemon: t.daemon,
            }
        })
        .collect();
    if !partial {
        blocked.sort_by_key(|b| b.id);
    }
    (partial, blocked)
}

/// Whether, of the tasks, only daemons can act: no non-daemon task (and no
/// callback) is among the run queue's entries `ready`, and every non-daemon
/// task is parked without a timeout or waits for a worker.
pub(crate) fn only_daemons_act(tasks: &TaskTable, ready: &[u32]) -> bool {
    let tasks = tasks.borrow();
    if ready
        .iter()
        .any(|&k| super::callbacks::is_callback(k) || !tasks[k as usize].daemon)
    {
        return false;
    }
    tasks.iter().all(|(_, t)| {
        t.daemon
            || matches!(
                t.state.get(),
                TaskState::Blocked | TaskState::Waiting | TaskState::New
            )
    })
}
