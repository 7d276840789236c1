//! The handle `spawn` returns: a task's state, its result, and the means to kill it.

use std::fmt;

use super::cell::TypedCell;
use super::{JoinError, TaskId, TaskName, TaskState};
use crate::exec::context;

/// A handle to a spawned task: its state, its result, and the means to kill it.
pub struct JoinHandle<T> {
    pub(crate) cell: TypedCell<T>,
    pub(crate) key: usize,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.cell.id
    }

    /// The task's name.
    pub fn name(&self) -> &TaskName {
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
        matches!(
            &*self.cell.body.result().borrow(),
            Some(Err(e)) if **e == JoinError::Rejected
        )
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
            crate::sched::wait::join_task(self.key, self.cell.id, &self.cell.name.to_string());
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
            .body
            .result()
            .borrow_mut()
            .take()
            .unwrap_or_else(|| {
                Err(Box::new(JoinError::Panicked(
                    "result already taken by an earlier join".into(),
                )))
            })
            .map_err(|e| *e)
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
