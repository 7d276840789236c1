//! The Runtime: owns the core, the workers and their stacks, and runs the scheduler loop.

use std::rc::Rc;

use crate::config::RuntimeConfig;
use crate::error::{SimError, SpawnError};
use crate::exec::context;
use crate::exec::pool::WorkerPool;
use crate::report::RunReport;
use crate::sched::{self, core::Core};
use crate::task::{JoinHandle, TaskName};
use crate::time::SimTime;

/// A simulation's scheduler: spawn root tasks, then `run` until nothing is left to do.
///
/// One OS thread runs one task at a time in virtual time. A `Runtime` is not
/// `Send`; run independent runtimes on separate threads for parallel sweeps.
pub struct Runtime {
    // Field order is drop order: the workers before the core they refer to.
    pool: WorkerPool,
    core: Rc<Core>,
}

impl Runtime {
    /// A runtime with no tasks, at virtual time zero.
    pub fn new(config: RuntimeConfig) -> Self {
        crate::task::install_panic_hook();
        crate::exec::overflow::install_handler();
        crate::exec::out_of_memory::install_report(None);
        let pool = WorkerPool::new(config.pool.stack_size);
        let core = Core::new(config);
        core.exec().set_span(pool.span());
        Runtime {
            pool,
            core: Rc::new(core),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &RuntimeConfig {
        self.core.config()
    }

    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        self.core.now()
    }

    /// Spawns a root task. With a `Reject` pool that is exhausted the handle is
    /// already terminated with `JoinError::Rejected` (see [`Runtime::try_spawn`]).
    pub fn spawn<T, F>(&mut self, name: impl Into<TaskName>, f: F) -> JoinHandle<T>
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        self.core.spawn(name.into(), false, f).0
    }

    /// Spawns a root task, or returns `SpawnError::Rejected` when the pool refuses it.
    pub fn try_spawn<T, F>(
        &mut self,
        name: impl Into<TaskName>,
        f: F,
    ) -> Result<JoinHandle<T>, SpawnError>
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        match self.core.spawn(name.into(), false, f) {
            (_, true) => Err(SpawnError::Rejected),
            (h, false) => Ok(h),
        }
    }

    /// Spawns a root daemon task (see [`crate::spawn_daemon`]).
    pub fn spawn_daemon<T, F>(&mut self, name: impl Into<TaskName>, f: F) -> JoinHandle<T>
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        self.core.spawn(name.into(), true, f).0
    }

    /// Records the run's task events with `tracer` (see [`Tracer`](crate::Tracer)).
    pub fn set_tracer(&mut self, tracer: Box<dyn crate::Tracer>) {
        self.core.set_tracer(tracer);
    }

    /// Schedules `f` to run in scheduler context at virtual time `t` (see [`crate::call_at`]).
    pub fn call_at(&mut self, t: SimTime, f: impl FnOnce() + 'static) {
        self.core.call_at(t, Box::new(f));
    }

    /// Kills a task between runs (inside tasks use [`JoinHandle::kill`]).
    pub fn kill<T>(&mut self, handle: &JoinHandle<T>) {
        if !handle.is_finished() {
            let _entered = context::enter(&self.core);
            self.core.kill(handle.key, handle.id());
        }
    }

    /// Runs until every non-daemon task has ended and no callback is pending (daemons
    /// still waiting are left so). Fails on a deadlock or a panic.
    pub fn run(&mut self) -> Result<RunReport, SimError> {
        self.run_until(SimTime::MAX)
    }

    /// Runs every event up to and including virtual time `limit`, then stops with the
    /// clock at `limit` (tasks still pending stay so; call again to go on). Returns
    /// earlier, with `completed` set, if the run ends as in [`Runtime::run`].
    pub fn run_until(&mut self, limit: SimTime) -> Result<RunReport, SimError> {
        let completed = self.advance_until(limit)?;
        let mut report = self.report();
        report.completed = completed;
        Ok(report)
    }

    /// Runs as [`Runtime::run_until`] does and says whether the run completed,
    /// without building a report: one that steps through a run (sampling
    /// observers between steps) then skips the report's sampling of every
    /// worker's stack (a `mincore` call each) at every step.
    pub fn advance_until(&mut self, limit: SimTime) -> Result<bool, SimError> {
        let _entered = context::enter(&self.core);
        sched::run(&self.core, &mut self.pool, limit)
    }

    /// When the next timer is due (it may be one whose wait already ended), or
    /// `None` when no timer is pending: nothing changes before then unless a
    /// task is ready.
    pub fn next_timer(&mut self) -> Option<SimTime> {
        self.core.next_timer()
    }

    /// Whether only daemons can still act (see [`Runtime::deadlock`]): every live
    /// non-daemon task waits without a timeout and no callback is pending.
    pub fn stalled(&self) -> bool {
        self.core.stalled()
    }

    /// The deadlock report of the tasks parked now, for a caller that decided the
    /// run cannot progress (e.g. `stalled()` held while only daemons ran).
    pub fn deadlock(&self) -> SimError {
        SimError::Deadlock(self.core.deadlock_report(None))
    }

    /// Each worker's stack high-water mark in bytes (pages touched from the top of
    /// its stack), in creation order. One `mincore` call per worker.
    pub fn stack_high_water_marks(&self) -> Vec<usize> {
        self.pool.high_water_marks()
    }

    /// Workers of the pool busy now (for sampling between `run_until` steps).
    pub fn pool_in_use(&self) -> usize {
        self.core.pool_load().0
    }

    /// Tasks waiting for a worker of the exhausted pool now.
    pub fn pool_queue_len(&self) -> usize {
        self.core.pool_load().1
    }

    /// The statistics of the run so far.
    pub fn report(&self) -> RunReport {
        self.core.report(self.pool.stats())
    }
}

impl Drop for Runtime {
    /// Unwinds every suspended task (so its locals are dropped), then lets the
    /// workers leave their job loops, so no coroutine is force-unwound blindly.
    fn drop(&mut self) {
        let _entered = context::enter_any(&self.core);
        self.core.begin_teardown();
        sched::unwind_all(&self.core, &mut self.pool);
        // Tasks that caught their kill and parked again: their coroutines are leaked
        // rather than resumed into code that ignores being killed.
        let stuck = self.core.workers_in_use();
        let leaked = self.pool.forget(self.core.exec(), &stuck);
        self.core.clear();
        self.pool.exit_all(self.core.exec(), leaked);
    }
}
