//! A worker: one coroutine with its stack, looping over the jobs the pool gives it.
//!
//! This is the recyclable TaskThread of the design document: when a job ends,
//! the coroutine does not return; it suspends with the outcome and waits for
//! its next job, so a recycled worker costs no allocation and no stack setup.

use corosensei::{Coroutine, CoroutineResult, Yielder};

use super::context;
use super::stack::SlotStack;

/// What the scheduler tells a worker when it resumes it.
pub(crate) enum Resume {
    /// Run (or continue) the current task.
    Go,
    /// Leave the job loop: the runtime is being dropped.
    Exit,
}

/// Why a worker handed control back (kept to one byte: it crosses every switch).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suspend {
    /// Its task parked or yielded; the core already knows where it waits.
    Parked,
    /// Its task ended and was recorded as ended (as were any it chained); the
    /// worker is free (on a shared stack its coroutine has returned).
    Finished,
}

/// A pooled coroutine.
pub(crate) struct Worker {
    coro: Coroutine<Resume, Suspend, (), SlotStack>,
    /// The top of its stack (the allocator derives the other bounds).
    pub top: usize,
}

impl Worker {
    /// A worker running on `stack`.
    pub fn new(stack: SlotStack) -> Self {
        let top = stack.top;
        let coro = Coroutine::with_stack(stack, job_loop);
        Worker { coro, top }
    }

    /// Resumes the worker; returns why it stopped.
    #[inline(always)]
    pub fn resume(&mut self, cmd: Resume) -> Suspend {
        match self.coro.resume(cmd) {
            CoroutineResult::Yield(s) => s,
            CoroutineResult::Return(()) => Suspend::Finished,
        }
    }

    /// Whether the coroutine has left its job loop.
    pub fn is_done(&self) -> bool {
        self.coro.done()
    }

    /// Whether the coroutine has been resumed at least once.
    pub fn is_started(&self) -> bool {
        self.coro.started()
    }
}

fn job_loop(y: &Yielder<Resume, Suspend>, mut cmd: Resume) {
    loop {
        if let Resume::Exit = cmd {
            return;
        }
        context::set_yielder(y);
        loop {
            let cell = context::with_core(|core| core.current_cell());
            let outcome = cell.body.run();
            // Not held while the worker idles: the cell may be the task's last owner.
            drop(cell);
            if !context::with_core(|core| core.end_job(outcome)) {
                break;
            }
        }
        // On a shared stack an idle worker would be frames to save and restore;
        // ending the coroutine leaves none, and a new one costs a few stores.
        if context::with_core(|core| core.exec().shared()) {
            return;
        }
        cmd = y.suspend(Suspend::Finished);
    }
}
