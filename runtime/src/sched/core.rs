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
//! `Core` composes them: a task's life (spawn, end, kill) here, its waits in
//! `wait`, the run queue's order and the clock's jumps in `run`, hand-offs in
//! `handoff`. Code outside the scheduler goes through `Core`'s methods.

use std::cell::{Cell, RefCell};

use super::agenda::Agenda;
use super::callbacks::{self, Callback, Callbacks};
use super::deadlock::{self, Owner, WaitGraph};
use super::flags::RunFlags;
use super::pool::{Admission, Admissions};
use super::schedule::Schedule;
use super::tasks::TaskTable;
use super::trace::{Trace, TraceEvent, Tracer};
use super::wait::WakeReason;
use crate::config::{PanicPolicy, RuntimeConfig, StackMode};
use crate::error::{DeadlockReport, PanicReport, SimError};
use crate::exec::pool::WorkerStats;
use crate::exec::warm::TimerHint;
use crate::exec::ExecState;
use crate::report::{PoolStats, RunReport};
use crate::task::{
    AnyCell, Body, Header, JoinError, JoinHandle, Outcome, TaskCell, TaskId, TaskName, TaskSlot,
    TaskState, NO_WORKER,
};
use crate::time::SimTime;

/// The scheduler's shared state.
pub(crate) struct Core {
    config: RuntimeConfig,
    pub(super) tasks: TaskTable,
    pub(super) agenda: Agenda,
    pub(super) pool: Admissions,
    pub(super) callbacks: Callbacks,
    pub(super) waits: WaitGraph,
    pub(super) trace: Trace,
    /// The oracle of the run's choices; `None` under plain FIFO (the fast path).
    pub(super) schedule: RefCell<Option<Schedule>>,
    /// Whether `schedule` is set: the run explores (no hand-offs, no chaining).
    pub(super) exploring: bool,
    /// Interrupted (set with `failure` or `stop_requested`: the one switch the
    /// scheduler loop checks), tearing down, handing off (see `RunFlags`).
    pub(super) flags: RunFlags,
    failure: RefCell<Option<SimError>>,
    panics: RefCell<Vec<PanicReport>>,
    /// Set by `stop()`: the run returns after the current task suspends.
    stop_requested: Cell<bool>,
    /// What task code and the fault handler need of the execution layer.
    exec: ExecState,
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

    /// Creates a task; returns its handle and whether the pool rejected it.
    pub fn spawn<T, F>(&self, name: TaskName, daemon: bool, f: F) -> (JoinHandle<T>, bool)
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        let id = self.tasks.new_id();
        let now = self.now();
        if self.flags.tearing_down() {
            return (Self::rejected_handle(id, name, now), true);
        }
        let runnable = match self.pool.admit() {
            Admission::Run => true,
            Admission::Queue => false,
            Admission::Reject => return (Self::rejected_handle(id, name, now), true),
        };
        let cell = TaskCell::new_rc(id, name, daemon, now, Body::new(f));
        if self.trace.on() {
            let parent = self.current().map(|k| self.tasks.id(k));
            self.trace.record(
                now,
                TraceEvent::Spawned {
                    id,
                    parent,
                    name: &cell.name,
                },
            );
        }
        let key = self.tasks.insert(TaskSlot::new(cell.clone()));
        if runnable {
            cell.state.set(TaskState::Runnable);
            self.agenda.push_ready(key);
        } else {
            self.pool.enqueue(key, id, now);
        }
        (
            JoinHandle {
                cell,
                key: key as usize,
            },
            false,
        )
    }

    fn rejected_handle<T: 'static>(id: TaskId, name: TaskName, now: SimTime) -> JoinHandle<T> {
        let body = Body::<fn() -> T, T>::failed(JoinError::Rejected);
        let cell = TaskCell::new_rc(id, name, false, now, body);
        cell.state.set(TaskState::Terminated);
        JoinHandle {
            cell,
            key: usize::MAX,
        }
    }

    /// The running task's cell (its worker runs the body from it).
    #[inline]
    pub fn current_cell(&self) -> AnyCell {
        let key = self.current_key();
        self.tasks.borrow()[key as usize].cell.clone()
    }

    /// Makes task `key`, popped from the run queue, the running one, first
    /// binding it to a worker from `bind` if it never ran; returns its worker,
    /// or `None` if it was killed before it ever ran (it has ended now).
    #[inline(always)]
    pub fn enter_next(&self, key: u32, bind: impl FnOnce() -> u32) -> Option<u32> {
        let tasks = self.tasks.borrow();
        let t = &tasks[key as usize];
        let mut w = t.worker.get();
        if w == NO_WORKER {
            // Killed before it ever ran: it never gets a worker.
            if t.kill_pending.get() {
                drop(tasks);
                self.finish(key, Outcome::Killed, true);
                return None;
            }
            w = bind();
            t.bind(w);
        }
        self.enter(key, t);
        Some(w)
    }

    /// Ends the running task's job with `outcome`, on its worker. If the task due
    /// next has never run, binds it to the same worker and makes it the running
    /// task, so that it starts without two switches through the scheduler (the
    /// one the scheduler would run next, so the order is the same); returns
    /// whether it did. Only in plain FIFO order: an explored pick stays with the
    /// scheduler.
    pub fn end_job(&self, outcome: Outcome) -> bool {
        let key = self.current_key();
        self.leave();
        let worker = self.finish(key, outcome, true);
        if self.exploring || self.flags.interrupted() || self.flags.tearing_down() {
            return false;
        }
        let Some(next) = self.agenda.front() else {
            return false;
        };
        if callbacks::is_callback(next) {
            return false;
        }
        let tasks = self.tasks.borrow();
        let t = &tasks[next as usize];
        if t.worker.get() != NO_WORKER || t.kill_pending.get() {
            return false;
        }
        self.agenda.pop_ready();
        t.bind(worker);
        self.enter(next, t);
        drop(tasks);
        if self.warming() {
            self.warm_next();
        }
        true
    }

    /// Records the end of task `key`, wakes its joiners and frees (or hands on) its
    /// pool slot. Returns the worker it used, if any.
    pub fn finish(&self, key: u32, outcome: Outcome, held_slot: bool) -> u32 {
        let t = self.tasks.remove(key);
        t.state.set(TaskState::Terminated);
        if self.trace.on() {
            self.trace
                .record(self.now(), TraceEvent::Ended { id: t.id });
        }
        match outcome {
            Outcome::Done => {}
            Outcome::Killed => t.cell.body.fail(JoinError::Killed),
            Outcome::Panicked(message) => {
                t.cell.body.fail(JoinError::Panicked(message.clone()));
                let report = PanicReport {
                    id: t.id,
                    name: t.name.clone(),
                    time: self.now(),
                    message,
                    seed: self.config.seed,
                    tie_break: self.config.tie_break,
                };
                if self.config.on_panic == PanicPolicy::Stop && !self.flags.tearing_down() {
                    self.fail(SimError::TaskPanicked(report));
                } else {
                    self.panics.borrow_mut().push(report);
                }
            }
        }
        for j in self.tasks.take_joiners(key).into_iter().flatten() {
            self.wake(j, WakeReason::Notified);
        }
        if held_slot {
            self.release_slot();
        }
        // A task killed before it ran drops its closure now, not with its last handle.
        if t.worker.get() == NO_WORKER {
            t.cell.body.drop_job();
        }
        t.worker.get()
    }

    /// A pool slot came free: the longest-queued task takes it, or it is returned.
    fn release_slot(&self) {
        if let Some(key) = self.pool.release(self.now()) {
            self.tasks.borrow()[key as usize]
                .state
                .set(TaskState::Runnable);
            self.agenda.push_ready(key);
        }
    }

    /// Kills task `key` if it is still task `id` (see `JoinHandle::kill`).
    pub fn kill(&self, key: usize, id: TaskId) {
        let tasks = self.tasks.borrow();
        let Some(t) = tasks.get(key) else { return };
        if t.id != id {
            return;
        }
        t.kill_pending.set(true);
        let (wait, state) = (t.wait.get(), t.state.get());
        drop(tasks);
        let key = key as u32;
        if wait != 0 {
            self.wake(super::wait::Waiter { key, wait }, WakeReason::Killed);
        } else if state == TaskState::New {
            self.pool.forget(key);
            self.finish(key, Outcome::Killed, false);
        } else if self.flags.tearing_down() {
            // Runnable (woken, not yet resumed): at teardown it unwinds as soon
            // as it resumes, so `unpark` has one reason to check, not two.
            self.tasks.borrow()[key as usize]
                .wake
                .set(WakeReason::Killed);
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
        self.schedule
            .borrow_mut()
            .as_mut()
            .map_or(0, Schedule::jitter)
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
