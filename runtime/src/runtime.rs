//! The Runtime: owns the core, the workers and their stacks, and runs the scheduler loop.

use std::rc::Rc;

use crate::config::RuntimeConfig;
use crate::exec::context;
use crate::sched::core::{Advance, Core, Outcome, NO_WORKER};
use crate::error::{SimError, SpawnError};
use crate::exec::prefetch;
use crate::report::{PoolStats, RunReport};
use crate::exec::shared_stack::SharedStack;
use crate::exec::stack::{GuardMode, SlotStack, StackAllocator};
use crate::task::{JoinHandle, TaskName};
use crate::time::SimTime;
use crate::exec::worker::{Resume, Suspend, Worker};

/// At most this many bytes of a task's saved frames are prefetched before it resumes.
const SAVED_PREFETCH: usize = 1024;

/// Most workers sampled for the stack high-water mark (one `mincore` call each).
const HIGH_WATER_SAMPLES: usize = 4096;

/// A simulation's scheduler: spawn root tasks, then `run` until nothing is left to do.
///
/// One OS thread runs one task at a time in virtual time. A `Runtime` is not
/// `Send`; run independent runtimes on separate threads for parallel sweeps.
pub struct Runtime {
    // Field order is drop order: the workers before the core they refer to.
    pool: WorkerPool,
    core: Rc<Core>,
}

/// The TaskThreads: coroutines and the stacks they run on (the core lists the idle ones).
struct WorkerPool {
    // Field order is drop order: workers (and their coroutines) before the stacks.
    workers: Vec<Worker>,
    stacks: StackAllocator,
    /// With `StackMode::Shared`: the one stack (carved on first use) and the
    /// frames of the workers that are off it.
    shared: Option<SharedStack>,
}

impl Runtime {
    /// A runtime with no tasks, at virtual time zero.
    pub fn new(config: RuntimeConfig) -> Self {
        crate::sched::wait::install_panic_hook();
        crate::exec::overflow::install_handler();
        let stacks = StackAllocator::new(config.pool.stack_size);
        let core = Core::new(config);
        core.stack_span.set(stacks.span());
        Runtime {
            pool: WorkerPool {
                workers: Vec::new(),
                stacks,
                shared: None,
            },
            core: Rc::new(core),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.core.config
    }

    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        self.core.now.get()
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
        let core = self.core.clone();
        let mut completed = false;
        loop {
            if core.flags.interrupted() {
                core.flags.set_interrupted(false);
                if let Some(err) = core.failure.borrow_mut().take() {
                    return Err(err);
                }
                if core.stop_requested.replace(false) {
                    break;
                }
            }
            let Some(key) = self.core.pop_ready() else {
                if self.core.live.get() == 0 && !self.core.callbacks_pending() {
                    // Only daemons are left: they serve, they do not keep the run alive.
                    completed = true;
                    break;
                }
                match self.core.advance(limit) {
                    Advance::Ready => continue,
                    Advance::LimitReached => {
                        self.core.now.set(self.core.now.get().max(limit));
                        break;
                    }
                    Advance::Idle => {
                        // The callbacks just fired may have ended the last of the
                        // work (a late reply nobody waits for): a deadlock needs a
                        // task left to name.
                        if self.core.live.get() == 0 {
                            completed = true;
                            break;
                        }
                        self.core.fail_deadlock(None);
                        continue;
                    }
                }
            };
            if Core::is_callback(key) {
                core.run_callback(key);
                continue;
            }
            self.pool.step(&core, key);
        }
        Ok(completed)
    }

    /// When the next timer is due (it may be one whose wait already ended), or
    /// `None` when no timer is pending: nothing changes before then unless a
    /// task is ready.
    pub fn next_timer(&mut self) -> Option<SimTime> {
        self.core
            .timers
            .borrow_mut()
            .peek_time()
            .map(SimTime::from_nanos)
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
        self.pool
            .workers
            .iter()
            .map(|w| self.pool.high_water(w))
            .collect()
    }

    /// Workers of the pool busy now (for sampling between `run_until` steps).
    pub fn pool_in_use(&self) -> usize {
        self.core.pool.borrow().in_use
    }

    /// Tasks waiting for a worker of the exhausted pool now.
    pub fn pool_queue_len(&self) -> usize {
        self.core.pool.borrow().queue.len()
    }

    /// The statistics of the run so far.
    pub fn report(&self) -> RunReport {
        let core = &*self.core;
        let (decisions, choice_points) = core.decisions();
        let (timeout_cycles, first_timeout_cycle) = core.timeout_cycles();
        let pool = core.pool.borrow();
        let step = (self.pool.workers.len() / HIGH_WATER_SAMPLES).max(1);
        let stack_high_water = self
            .pool
            .workers
            .iter()
            .step_by(step)
            .map(|w| self.pool.high_water(w))
            .max()
            .unwrap_or(0);
        RunReport {
            completed: core.live.get() == 0,
            end_time: core.now.get(),
            events: core.events.get(),
            tasks_spawned: core.spawned.get(),
            tasks_finished: core.finished.get(),
            peak_tasks_alive: core.peak_alive.get(),
            tasks_alive: core.alive.get(),
            pool: PoolStats {
                capacity: core.config.pool.capacity,
                policy: core.config.pool.policy,
                stack_size: self.pool.stacks.stack_size(),
                stacks: core.config.pool.stacks,
                guard: self.pool.stacks.mode(),
                spawned: pool.spawned,
                peak_in_use: pool.peak_in_use,
                rejected: pool.rejected,
                queued: pool.queued,
                grown: pool.grown,
                longest_queue_wait: pool.longest_wait,
                workers_created: self.pool.workers.len(),
                stack_high_water,
            },
            trace_hash: core.trace.get(),
            seed: core.config.seed,
            tie_break: core.config.tie_break,
            decisions,
            choice_points,
            timeout_cycles,
            first_timeout_cycle,
            panics: core.panics.borrow().clone(),
        }
    }
}

impl WorkerPool {
    /// How deep `worker`'s stack has reached: its resident bytes (one `mincore`).
    fn high_water(&self, worker: &Worker) -> usize {
        let [_, limit, top] = self.stacks.bounds(worker.top);
        self.stacks.resident_bytes(&SlotStack { limit, top })
    }

    /// Resumes task `key` until it parks or ends.
    ///
    /// Always inlined: the loop that calls it is where a suspended task returns
    /// to, and a call in between would be a mispredicted return at every switch
    /// (see `wait`).
    #[inline(always)]
    fn step(&mut self, core: &Core, key: u32) {
        let w = {
            let tasks = core.tasks.borrow();
            let t = &tasks[key as usize];
            let mut w = t.worker.get();
            if w == NO_WORKER {
                // Killed before it ever ran: it never gets a worker.
                if t.kill_pending.get() {
                    drop(tasks);
                    core.finish(key, Outcome::Killed, true);
                    return;
                }
                w = self.bind_worker(core);
                t.bind(w);
            }
            core.enter(key, t);
            w
        };
        if core.prefetching() {
            self.prefetch_next(core);
        }
        self.make_resident(core, w);
        // Through the array's pointer, not a slice: a task handing off (see
        // `handoff`) resumes other workers of the array while this one runs.
        let base = self.workers.as_mut_ptr();
        core.worker_base.set(base);
        assert!((w as usize) < self.workers.len(), "a bound worker exists");
        // SAFETY: `w` is in bounds (checked above) and no other reference to
        // worker `w` exists: the scheduler resumes one worker at a time, and a
        // hand-off only resumes workers of parked tasks, never this running one.
        let worker = unsafe { &mut *base.add(w as usize) };
        core.current_top.set(worker.top);
        let suspended = worker.resume(Resume::Go);
        core.leave();
        // The worker ended its job (and any it chained) itself: it is free.
        if suspended == Suspend::Finished {
            core.idle_workers.borrow_mut().push(w);
        }
    }

    /// Resumes worker `w` to leave its job loop (at teardown).
    fn exit(&mut self, core: &Core, w: usize) {
        self.make_resident(core, w as u32);
        self.workers[w].resume(Resume::Exit);
    }

    /// On a shared stack, puts worker `w`'s frames on it before `w` resumes.
    #[inline]
    fn make_resident(&mut self, core: &Core, w: u32) {
        if !core.shared_stack {
            return;
        }
        if let Some(shared) = &mut self.shared {
            let workers = &self.workers;
            shared.make_resident(w, core, |i| workers[i as usize].is_done());
        }
    }

    /// Warms the caches for the task expected to run after this one (see `prefetch`),
    /// its worker's record included.
    #[inline]
    fn prefetch_next(&self, core: &Core) {
        let Some(w) = core.prefetch_next() else {
            return;
        };
        if let Some(worker) = self.workers.get(w) {
            let addr = worker as *const Worker as usize;
            prefetch::line(addr);
            prefetch::line(addr + std::mem::size_of::<Worker>() - 1);
        }
        // On a shared stack its frames come back from their saved copy. Finding
        // that copy is itself a miss with many workers (a random entry of a
        // large array), so the record of the task after it is asked for now,
        // a step before it is read.
        if let Some(s) = self.shared.as_ref() {
            if let Some((addr, len)) = s.saved(w) {
                for offset in (0..len.min(SAVED_PREFETCH)).step_by(64) {
                    prefetch::line(addr + offset);
                }
            }
            if let Some(after) = core.worker_after_next() {
                s.prefetch_record(after);
            }
        }
    }

    /// An idle worker, or a new one on a freshly carved stack.
    fn bind_worker(&mut self, core: &Core) -> u32 {
        let idle = core.idle_workers.borrow_mut().pop();
        if let Some(w) = idle {
            // A shared worker's coroutine ended with its job: it gets a new one.
            if self.shared.is_some() && self.workers[w as usize].is_done() {
                let stack = self.shared_slot(core, w);
                self.workers[w as usize] = Worker::new(stack);
            }
            return w;
        }
        let w = self.workers.len() as u32;
        let stack = match core.shared_stack {
            true => {
                if self.shared.is_none() {
                    let stack = self.carve(core);
                    self.shared = Some(SharedStack::new(&stack, core));
                }
                self.shared_slot(core, w)
            }
            false => self.carve(core),
        };
        self.workers.push(Worker::new(stack));
        w
    }

    /// The shared stack's bounds for a new coroutine of worker `w`, whose initial
    /// frame will overwrite the top of the stack (so the resident's frames are saved).
    fn shared_slot(&mut self, core: &Core, w: u32) -> SlotStack {
        let shared = self.shared.as_mut().expect("a shared stack was carved");
        let workers = &self.workers;
        shared.prepare_new(w, core, |i| workers[i as usize].is_done());
        shared.slot()
    }

    /// A freshly carved stack (the only one, with a shared stack).
    fn carve(&mut self, core: &Core) -> SlotStack {
        let stack = match self.stacks.carve() {
            Ok(s) => s,
            Err(e) => panic!(
                "p2psim: cannot map memory for another task stack ({} workers exist): {e}",
                self.workers.len()
            ),
        };
        core.software_guard
            .set(self.stacks.mode() == GuardMode::Software);
        stack
    }
}

impl Drop for Runtime {
    /// Unwinds every suspended task (so its locals are dropped), then lets the
    /// workers leave their job loops, so no coroutine is force-unwound blindly.
    fn drop(&mut self) {
        let _entered = context::enter_any(&self.core);
        self.core.flags.set_tearing_down();
        self.core.failure.borrow_mut().take();
        for _pass in 0..3 {
            // Every task, started or not: parked ones wake into their unwind,
            // runnable ones unwind when resumed, unstarted ones never run.
            let live: Vec<(usize, crate::TaskId)> = self
                .core
                .tasks
                .borrow()
                .iter()
                .map(|(k, t)| (k, t.id))
                .collect();
            if live.is_empty() {
                break;
            }
            for (key, id) in live {
                self.core.kill(key, id);
            }
            let core = self.core.clone();
            while let Some(key) = core.pop_ready() {
                // Callbacks are dropped unrun below: nothing new starts at teardown.
                if !Core::is_callback(key) {
                    self.pool.step(&core, key);
                }
            }
        }
        // Tasks that caught their kill and parked again: their coroutines are leaked
        // rather than resumed into code that ignores being killed.
        let mut stuck: Vec<u32> = self
            .core
            .tasks
            .borrow()
            .iter()
            .map(|(_, t)| t.worker.get())
            .filter(|&w| w != NO_WORKER)
            .collect();
        stuck.sort_unstable();
        if let Some(shared) = &mut self.pool.shared {
            // Indices move below: nobody stays resident across that.
            let workers = &self.pool.workers;
            shared.evict(&self.core, |i| workers[i as usize].is_done());
        }
        for w in stuck.iter().rev() {
            let worker = self.pool.workers.swap_remove(*w as usize);
            if let Some(shared) = &mut self.pool.shared {
                shared.swap_remove(*w);
            }
            std::mem::forget(worker);
        }
        self.core.tasks.borrow_mut().clear();
        self.core.clear_callbacks();
        for w in 0..self.pool.workers.len() {
            let worker = &self.pool.workers[w];
            if worker.is_started() && !worker.is_done() {
                self.pool.exit(&self.core, w);
            }
        }
        if !stuck.is_empty() {
            // Their stacks are still referenced by leaked coroutines.
            std::mem::forget(std::mem::replace(
                &mut self.pool.stacks,
                StackAllocator::new(4096),
            ));
        }
    }
}
