//! The scheduler's state: its parts, composed.
//!
//! Single-threaded by construction: everything is `Cell`/`RefCell`, and every
//! borrow is released before a task is resumed or suspended, because the task's
//! own code re-enters the core through the primitives.
//!
//! Each part owns one concern and knows nothing of the others: the task table
//! (`tasks`), the clock with the run queue and the timers (`agenda`), pool
//! admission (`pool`), callbacks (`callbacks`), timeout cycles of the wait-for
//! graph (`deadlock`), the trace (`trace`), the schedule oracle (`schedule`).
//! `Core` composes them: the run's outcome (failures, panics, `stop`), the
//! deadlock checks and the report here, a task's life (spawn, end, kill) in
//! `life`, its waits in `wait`, the run queue's order and the clock's jumps in
//! `next`, hand-offs in `handoff`. Code outside the scheduler goes through
//! `Core`'s methods.

use std::cell::{Cell, RefCell};

use super::agenda::Agenda;
use super::callbacks::{self, Callback, Callbacks};
use super::deadlock::{self, Owner, WaitGraph};
use super::flags::RunFlags;
use super::pool::Admissions;
use super::schedule::Schedule;
use super::tasks::TaskTable;
use super::trace::{Trace, Tracer};
use crate::config::{PanicPolicy, RuntimeConfig, StackMode};
use crate::error::{ClockEndReport, DeadlockReport, PanicReport, ResourceReport, SimError};
use crate::exec::pool::WorkerStats;
use crate::exec::warm::TimerHint;
use crate::exec::ExecState;
use crate::report::{PoolStats, RunReport};
use crate::task::{Header, TaskId, TaskState, NO_WORKER};
use crate::time::SimTime;

/// The scheduler's shared state.
///
/// Field order is layout (`repr(C)`): the timer heap is most of the core's
/// 4.5 KiB, and two fields 4 KiB apart share the low 12 bits of their
/// addresses, so that a load after a store to the other one waits as if it
/// depended on it (4K aliasing). The fields the scheduler touches at every
/// switch therefore sit in one 4 KiB window: the schedule and the
/// configuration (cold under FIFO) first, the agenda, whose timer heap ends
/// with its rarely used late level, last.
#[repr(C)]
pub(crate) struct Core {
    /// The oracle of the run's choices; `None` under plain FIFO (the fast path).
    pub(super) schedule: RefCell<Option<Schedule>>,
    config: RuntimeConfig,
    pub(super) tasks: TaskTable,
    pub(super) trace: Trace,
    /// What task code and the fault handler need of the execution layer.
    exec: ExecState,
    /// Interrupted (set with `failure` or `stop_requested`: the one switch the
    /// scheduler loop checks), tearing down, handing off (see `RunFlags`).
    pub(super) flags: RunFlags,
    /// Whether `schedule` is set: the run explores (no hand-offs, no chaining).
    pub(super) exploring: bool,
    /// Set by `stop()`: the run returns after the current task suspends.
    stop_requested: Cell<bool>,
    pub(super) pool: Admissions,
    pub(super) callbacks: Callbacks,
    pub(super) waits: WaitGraph,
    failure: RefCell<Option<SimError>>,
    panics: RefCell<Vec<PanicReport>>,
    pub(super) agenda: Agenda,
}

impl Core {
    /// A core with no tasks, at virtual time zero.
    pub fn new(config: RuntimeConfig) -> Self {
        let schedule = Schedule::new(config.tie_break, config.jitter, config.replay.clone());
        let shared_stack = config.pool.stacks == StackMode::Shared;
        let exploring = schedule.is_some();
        Core {
            tasks: TaskTable::new(),
            agenda: Agenda::new(),
            pool: Admissions::new(&config.pool),
            callbacks: Callbacks::default(),
            waits: WaitGraph::default(),
            trace: Trace::default(),
            exploring,
            schedule: RefCell::new(schedule),
            flags: RunFlags::new(!exploring && !shared_stack),
            failure: RefCell::new(None),
            panics: RefCell::new(Vec::new()),
            stop_requested: Cell::new(false),
            exec: ExecState::new(shared_stack),
            config,
        }
    }

    /// The configuration the runtime was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// The current virtual time.
    #[inline(always)]
    pub fn now(&self) -> SimTime {
        self.agenda.now()
    }

    /// The execution layer's state.
    #[inline(always)]
    pub fn exec(&self) -> &ExecState {
        &self.exec
    }

    /// The running task's key, if a task runs.
    #[inline]
    pub fn current(&self) -> Option<u32> {
        self.tasks.current()
    }

    /// The running task's key; panics outside a task.
    #[inline]
    pub fn current_key(&self) -> u32 {
        self.running().0
    }

    /// The running task's key and header; panics outside a task.
    #[inline(always)]
    pub fn running(&self) -> (u32, &Header) {
        self.tasks.running()
    }

    /// Live task `key` as a wait-for edge's end.
    #[inline]
    pub fn owner(&self, key: u32) -> Owner {
        Owner {
            key,
            id: self.tasks.id(key),
        }
    }

    /// Makes task `key` (header `t`) the running one (state Running) and records
    /// its resumption.
    #[inline]
    pub fn enter(&self, key: u32, t: &Header) {
        t.state.set(TaskState::Running);
        self.tasks.enter(key, t);
        self.trace.resumed(self.now(), t.id);
    }

    /// No task runs any more (the running one suspended or ended).
    #[inline]
    pub fn leave(&self) {
        self.tasks.leave();
    }

    /// Records a task's panic: the run's failure under `PanicPolicy::Stop`
    /// (unless it is being torn down), else one more panic for the report.
    pub(super) fn task_panicked(&self, report: PanicReport) {
        if self.config.on_panic == PanicPolicy::Stop && !self.flags.tearing_down() {
            self.fail(SimError::TaskPanicked(report));
        } else {
            self.panics.borrow_mut().push(report);
        }
    }

    /// Records the run's failure (the first one counts) and interrupts it.
    fn fail(&self, error: SimError) {
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(error);
            self.flags.set_interrupted(true);
        }
    }

    /// Asks the scheduler to end the run once the running task suspends.
    pub fn stop(&self) {
        self.stop_requested.set(true);
        self.flags.set_interrupted(true);
    }

    /// Whether `stop` was asked for and not yet acted on.
    #[inline]
    pub(super) fn stop_requested(&self) -> bool {
        self.stop_requested.get()
    }

    /// Moves the clock to `limit` if it is behind (the run stopped there).
    pub fn reach(&self, limit: SimTime) {
        self.agenda.reach(limit);
    }

    /// Whether a failure or `stop` interrupted the run.
    #[inline(always)]
    pub fn interrupted(&self) -> bool {
        self.flags.interrupted()
    }

    /// Clears an interruption: the failure that caused it, or `Ok(true)` for a
    /// `stop`, `Ok(false)` when neither is left (the run may go on).
    pub fn take_interruption(&self) -> Result<bool, SimError> {
        self.flags.set_interrupted(false);
        if let Some(err) = self.failure.borrow_mut().take() {
            return Err(err);
        }
        Ok(self.stop_requested.replace(false))
    }

    /// Whether a task parking now may run the next ready task itself (see
    /// `handoff`): a task is ready, FIFO order, dedicated stacks, not already
    /// handing off, and a run that is neither interrupted nor torn down.
    #[inline(always)]
    pub fn may_hand_off(&self) -> bool {
        self.flags.hand_off_allowed() && !self.agenda.nothing_ready()
    }

    /// The walk of the wait-for graph after the running task parked on a wait
    /// with an edge: a cycle back to it is a deadlock, or a timeout cycle.
    pub fn check_cycle(&self) {
        let me = self.current_key();
        if let Some(cycle) = deadlock::find_cycle(&self.tasks, me) {
            self.cycle_closed(cycle);
        }
    }

    /// A wait-for cycle closed through the tasks `keys`: a deadlock if none of
    /// them waits with a timeout, else a timeout cycle, counted (the first one
    /// kept) while the run goes on until a timeout breaks it.
    fn cycle_closed(&self, keys: Vec<u32>) {
        if !deadlock::any_timed(&self.tasks, &keys) {
            return self.fail_deadlock(Some(keys));
        }
        self.waits
            .count_timeout_cycle(|| self.deadlock_report(Some(keys)));
    }

    /// Records a deadlock failure naming `keys` (or every parked task when `None`).
    pub fn fail_deadlock(&self, keys: Option<Vec<u32>>) {
        let report = self.deadlock_report(keys);
        debug_assert!(!report.tasks.is_empty(), "a deadlock names a blocked task");
        self.fail(SimError::Deadlock(report));
    }

    /// Records that the run's next event is at the end of the clock.
    pub fn fail_clock_end(&self) {
        let (_, tasks) = deadlock::blocked_tasks(&self.tasks, None);
        self.fail(SimError::ClockEnd(ClockEndReport {
            time: self.now(),
            seed: self.config.seed,
            tie_break: self.config.tie_break,
            tasks,
        }));
    }

    /// Records that the machine refused the run memory (`what`), with
    /// `workers` workers in existence.
    pub fn fail_out_of_memory(&self, what: String, workers: usize) {
        self.fail(SimError::OutOfMemory(ResourceReport {
            time: self.now(),
            seed: self.config.seed,
            what,
            workers,
            tasks_alive: self.tasks.alive(),
        }));
    }

    /// The deadlock report naming `keys` (or every parked task when `None`).
    pub fn deadlock_report(&self, keys: Option<Vec<u32>>) -> DeadlockReport {
        let (partial, tasks) = deadlock::blocked_tasks(&self.tasks, keys);
        DeadlockReport {
            time: self.now(),
            seed: self.config.seed,
            tie_break: self.config.tie_break,
            partial,
            only_daemons_active: !partial && self.agenda.has_timers(),
            tasks,
        }
    }

    /// Whether only daemons can still act: non-daemon tasks are alive, none is ready
    /// or waiting with a timeout, and no callback is pending. Daemons could in
    /// principle still wake them, which is why the scheduler alone does not call
    /// this a deadlock; a caller that knows its daemons can (see the sim engine).
    pub fn stalled(&self) -> bool {
        if self.tasks.non_daemons() == 0 || self.callbacks.pending() {
            return false;
        }
        deadlock::only_daemons_act(&self.tasks, &self.agenda.ready_entries())
    }

    /// Tasks with an entry (read by the out-of-memory report: a cell, no borrow).
    #[inline]
    pub fn tasks_alive(&self) -> usize {
        self.tasks.alive()
    }

    /// Whether the run's work is done: no non-daemon task is left (daemons
    /// serve, they do not keep a run alive).
    #[inline]
    pub fn work_done(&self) -> bool {
        self.tasks.non_daemons() == 0
    }

    /// Schedules `f` to run in scheduler context at virtual time `t` (not before now).
    pub fn call_at(&self, t: SimTime, f: Callback) {
        let index = self.callbacks.at(f);
        let t = t.max(self.now());
        self.agenda
            .push_timer(t, callbacks::KEY, index, TimerHint::NONE);
    }

    /// Queues `f` behind the tasks ready now; it runs in scheduler context on its
    /// turn, as a task would, but with no worker and no stack.
    pub fn call_soon(&self, f: Callback) {
        let key = self.callbacks.soon(f);
        self.agenda.push_ready(key);
    }

    /// Whether a callback is still pending.
    pub fn callbacks_pending(&self) -> bool {
        self.callbacks.pending()
    }

    /// Gives the run a tracer (see `trace`).
    pub fn set_tracer(&self, tracer: Box<dyn Tracer>) {
        self.trace.set_tracer(tracer);
    }

    /// Task resumptions so far.
    #[inline]
    pub fn events(&self) -> u64 {
        self.trace.events()
    }

    /// The extra delay for a message sent now, from the schedule (0 without jitter).
    pub fn jitter(&self) -> u64 {
        if !self.exploring {
            return 0;
        }
        let now = self.now().as_nanos();
        self.schedule
            .borrow_mut()
            .as_mut()
            .map_or(0, |s| s.jitter(now))
    }

    /// Whether enough tasks are alive that their memory falls out of the caches,
    /// so that warming the next one pays (see `exec::warm`).
    #[inline(always)]
    pub fn warming(&self) -> bool {
        crate::exec::warm::pays(self.tasks.alive())
    }

    /// Workers of the pool taken now, and tasks waiting for one.
    pub fn pool_load(&self) -> (usize, usize) {
        (self.pool.in_use(), self.pool.queue_len())
    }

    /// The statistics of the run so far, with the pool's own (`workers`).
    pub fn report(&self, workers: WorkerStats) -> RunReport {
        let (decisions, choice_points) = match self.schedule.borrow().as_ref() {
            Some(s) => (s.log(), s.picks()),
            None => Default::default(),
        };
        let (timeout_cycles, first_timeout_cycle) = self.waits.timeout_cycles();
        let pool = self.pool.stats();
        RunReport {
            completed: self.work_done(),
            end_time: self.now(),
            events: self.trace.events(),
            tasks_spawned: self.tasks.spawned(),
            tasks_finished: self.tasks.finished(),
            peak_tasks_alive: self.tasks.peak_alive(),
            tasks_alive: self.tasks.alive(),
            pool: PoolStats {
                capacity: self.config.pool.capacity,
                policy: self.config.pool.policy,
                stack_size: workers.stack_size,
                stacks: self.config.pool.stacks,
                guard: workers.guard,
                spawned: pool.admitted,
                peak_in_use: pool.peak_in_use,
                rejected: pool.rejected,
                queued: pool.queued,
                grown: pool.grown,
                longest_queue_wait: pool.longest_wait,
                workers_created: workers.workers_created,
                stack_high_water: workers.stack_high_water,
            },
            trace_hash: self.trace.hash(),
            seed: self.config.seed,
            tie_break: self.config.tie_break,
            decisions,
            choice_points,
            timeout_cycles,
            first_timeout_cycle,
            panics: self.panics.borrow().clone(),
        }
    }

    /// Starts the teardown: every task resumed from now on unwinds, and a
    /// failure not yet returned is dropped.
    pub fn begin_teardown(&self) {
        self.flags.set_tearing_down();
        self.failure.borrow_mut().take();
    }

    /// Every live task, started or not, by key and id.
    pub fn live_tasks(&self) -> Vec<(usize, TaskId)> {
        self.tasks.borrow().iter().map(|(k, t)| (k, t.id)).collect()
    }

    /// The workers of the tasks still alive, sorted.
    pub fn workers_in_use(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self
            .tasks
            .borrow()
            .iter()
            .map(|(_, t)| t.worker.get())
            .filter(|&w| w != NO_WORKER)
            .collect();
        w.sort_unstable();
        w
    }

    /// Drops every task's entry and every pending callback (at teardown: they
    /// may hold handles into the core).
    pub fn clear(&self) {
        self.tasks.clear();
        self.callbacks.clear();
    }
}
