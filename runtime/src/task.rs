//! Task identity, the seed's state model, and the handle returned by `spawn`.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use crate::context;

/// A task's name, as given to `spawn`; static strings cost no allocation.
pub type TaskName = Cow<'static, str>;

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

/// The TaskThread states of the seed (Java's `Thread.State` plus Running).
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

/// What every task shares with its handles: identity, observable state, result.
///
/// `R` is unsized in the core's view (`dyn ResultSlot`) so that one allocation
/// holds both the header and the typed result.
pub(crate) struct TaskCell<R: ?Sized> {
    pub id: TaskId,
    pub name: TaskName,
    pub state: Cell<TaskState>,
    pub result: R,
}

/// The core's untyped access to a task's result slot.
pub(crate) trait ResultSlot {
    /// Records that the task produced no value.
    fn fail(&self, err: JoinError);
}

impl<T> ResultSlot for RefCell<Option<Result<T, JoinError>>> {
    fn fail(&self, err: JoinError) {
        *self.borrow_mut() = Some(Err(err));
    }
}

/// The typed cell behind a `JoinHandle<T>`.
pub(crate) type TypedCell<T> = TaskCell<RefCell<Option<Result<T, JoinError>>>>;
/// The untyped cell the scheduler keeps.
pub(crate) type AnyCell = Rc<TaskCell<dyn ResultSlot>>;

/// A handle to a spawned task: its state, its result, and the means to kill it.
pub struct JoinHandle<T> {
    pub(crate) cell: Rc<TypedCell<T>>,
    pub(crate) key: usize,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.cell.id
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.cell.name
    }

    /// The task's current state.
    pub fn state(&self) -> TaskState {
        self.cell.state.get()
    }

    /// Whether the task has terminated (its result, if any, is ready).
    pub fn is_finished(&self) -> bool {
        self.state() == TaskState::Terminated
    }

    /// Whether the pool rejected this task (policy `Reject`, pool exhausted).
    pub fn is_rejected(&self) -> bool {
        matches!(&*self.cell.result.borrow(), Some(Err(JoinError::Rejected)))
    }

    /// Waits (inside a task) until the task ends, and returns its value or why there is none.
    ///
    /// Outside a task this only works on a finished task; otherwise it panics,
    /// because nothing could make progress while the caller waits.
    pub fn join(self) -> Result<T, JoinError> {
        if !self.is_finished() {
            if !context::in_task() {
                panic!(
                    "JoinHandle::join on unfinished task {} '{}' outside a task: \
                     call it inside a task, or after Runtime::run",
                    self.cell.id, self.cell.name
                );
            }
            crate::wait::join_task(self.key, self.cell.id, &self.cell.name);
        }
        self.take_result()
    }

    /// The task's result if it has terminated, without waiting; `None` otherwise.
    pub fn try_join(&self) -> Option<Result<T, JoinError>> {
        if self.is_finished() {
            Some(self.take_result())
        } else {
            None
        }
    }

    /// Kills the task: a parked task's blocking call unwinds its stack (dropping its
    /// locals); a runnable task unwinds at its next blocking call; a task that has not
    /// started never runs. Must be called while its runtime is running (inside a task).
    pub fn kill(&self) {
        if self.is_finished() {
            return;
        }
        context::with_core(|core| core.kill(self.key, self.cell.id));
    }

    fn take_result(&self) -> Result<T, JoinError> {
        self.cell
            .result
            .borrow_mut()
            .take()
            .unwrap_or(Err(JoinError::Panicked(
                "result already taken by an earlier join".into(),
            )))
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.cell.id)
            .field("name", &self.cell.name)
            .field("state", &self.state())
            .finish()
    }
}
