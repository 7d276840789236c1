//! Tasks: their identity, the state model of the design document, the cell
//! the scheduler and the handles share, and the handle returned by `spawn`.

mod cell;
mod handle;
mod name;
mod run;

use std::fmt;

pub(crate) use cell::{AnyCell, Body, Header, TaskCell, TaskResult, TaskSlot};
pub use handle::JoinHandle;
/// A task's name, as given to `spawn`; static strings cost no allocation.
pub use name::TaskName;
pub(crate) use run::install_panic_hook;

/// Marks a task that has no worker yet.
pub(crate) const NO_WORKER: u32 = u32::MAX;

/// How a task's body ended.
pub(crate) enum Outcome {
    Done,
    Panicked(String),
    Killed,
}

/// The unwinding payload of a killed task's blocking call.
pub(crate) struct Killed;

/// A task's identity: unique for the whole run, assigned in spawn order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The raw number (spawn order, starting at 1).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The TaskThread states of the design document (Java's `Thread.State` plus Running).
///
/// - `New`: spawned, waiting for a worker of the pool.
/// - `Runnable`: has (or will get) a worker and waits in the run queue.
/// - `Running`: the one task executing now.
/// - `Blocked`: waiting to acquire a lock (`Mutex::lock`, `Semaphore::down`).
/// - `Waiting`: waiting without timeout for an event (`LockObject::block`,
///   `Mailbox::recv`, `SyncPoint::wait_until`, `join`).
/// - `TimedWaiting`: `sleep` or any `*_for` form with a timeout.
/// - `Terminated`: finished, panicked, killed or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Spawned, waiting for a worker of the pool.
    New,
    /// Ready to run, in the run queue.
    Runnable,
    /// Executing now.
    Running,
    /// Waiting to acquire a lock.
    Blocked,
    /// Waiting without timeout.
    Waiting,
    /// Sleeping, or waiting with a timeout.
    TimedWaiting,
    /// Finished (normally or not); the worker went back to the pool.
    Terminated,
}

impl TaskState {
    /// Whether the task is parked on a wait (Blocked, Waiting or TimedWaiting).
    pub fn is_parked(self) -> bool {
        matches!(
            self,
            TaskState::Blocked | TaskState::Waiting | TaskState::TimedWaiting
        )
    }
}

/// Why `join` produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The task panicked with this message.
    Panicked(String),
    /// The task was killed; its stack was unwound.
    Killed,
    /// The pool had no worker and its policy is `Reject`: the task never ran.
    Rejected,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(m) => write!(f, "task panicked: {m}"),
            JoinError::Killed => f.write_str("task was killed"),
            JoinError::Rejected => f.write_str("task was rejected: the pool was exhausted"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The id and name of a task, as returned by [`crate::current`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// The task's id.
    pub id: TaskId,
    /// The task's name.
    pub name: TaskName,
}
