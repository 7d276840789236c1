//! The scheduler's state: tasks, the run queue, timers, the pool's accounting.
//!
//! Single-threaded by construction: everything is `Cell`/`RefCell`, and every
//! borrow is released before a task is resumed or suspended, because the task's
//! own code re-enters the core through the primitives.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use crate::config::{ExhaustionPolicy, PanicPolicy, RuntimeConfig, StackMode};
use crate::error::{BlockedTask, DeadlockReport, PanicReport, SimError, WaitKind};
use crate::sched::fifo::Fifo;
use crate::sched::flags::RunFlags;
use crate::sched::schedule::{DecisionLog, Entry, Schedule};
use crate::exec::stack::SlotSpan;
use crate::task::{
    AnyCell, Body, Header, JoinError, JoinHandle, TaskCell, TaskId, TaskName, TaskSlot, TaskState,
};
use crate::time::SimTime;
use crate::sched::timers::{Near, TimerHeap};
use crate::sched::trace;
use crate::sched::tracer::{TraceEvent, Tracer};
use crate::exec::worker::Worker;
use slab::Slab;

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

/// Why a parked task was made runnable again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WakeReason {
    Notified,
    TimedOut,
    Killed,
}

/// One wait of one task, as queued by a primitive or a timer. A waiter whose wait
/// already ended is stale: waking it does nothing (lazy deletion everywhere).
/// Wait ids start at 1 and a task not parked has wait 0, so no waiter matches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub key: u32,
    pub wait: u64,
}

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

/// Accounting of the TaskThread pool (the workers themselves live in the Runtime).
#[derive(Default)]
pub(crate) struct PoolState {
    pub in_use: usize,
    pub peak_in_use: usize,
    pub spawned: u64,
    pub rejected: u64,
    pub queued: u64,
    pub grown: u64,
    pub longest_wait: Duration,
    /// Tasks waiting for a worker: (key, id, since).
    pub queue: VecDeque<(u32, TaskId, SimTime)>,
}

/// What the scheduler found when the run queue was empty.
pub(crate) enum Advance {
    /// Timers fired: tasks are ready.
    Ready,
    /// The next timer is beyond the limit.
    LimitReached,
    /// Nothing is ready and no timer is pending.
    Idle,
}

/// The scheduler's shared state.
pub(crate) struct Core {
    pub config: RuntimeConfig,
    pub now: Cell<SimTime>,
    /// The running task's key; meaningless while `current_hdr` is null.
    current_key: Cell<u32>,
    /// The running task's header, null when none runs (so the one test of
    /// whether a task runs): the blocking path reads and writes it at every
    /// park and resume without a lookup in `tasks`.
    current_hdr: Cell<*const Header>,
    pub tasks: RefCell<Slab<TaskSlot>>,
    /// Tasks joining each task, by task key: few tasks are joined, so the list
    /// lives here rather than in every task's record.
    pub joiners: RefCell<BTreeMap<u32, Vec<Waiter>>>,
    pub ready: Fifo<u32>,
    pub timers: RefCell<TimerHeap>,
    pub pool: RefCell<PoolState>,
    /// The oracle of the run's choices; `None` under plain FIFO (the fast path).
    schedule: RefCell<Option<Schedule>>,
    /// Whether `schedule` is set: the run explores (no hand-offs, no chaining).
    exploring: bool,
    /// The task that ran last, for the strategy (kept only while exploring).
    last_picked: Cell<Option<TaskId>>,
    next_wait: Cell<u64>,
    next_id: Cell<u64>,
    pub trace: Cell<u64>,
    pub events: Cell<u64>,
    pub spawned: Cell<u64>,
    pub finished: Cell<u64>,
    /// Live tasks that are not daemons: if any is parked when nothing can run, it is a deadlock.
    pub live: Cell<usize>,
    pub alive: Cell<usize>,
    pub peak_alive: Cell<usize>,
    pub failure: RefCell<Option<SimError>>,
    /// Wait-for cycles that a timeout broke (or will): how many, and the first.
    timeout_cycles: Cell<u64>,
    first_timeout_cycle: RefCell<Option<DeadlockReport>>,
    /// Interrupted (set with `failure` or `stop_requested`: the one switch the
    /// scheduler loop checks), tearing down, handing off (see `RunFlags`).
    pub flags: RunFlags,
    pub panics: RefCell<Vec<PanicReport>>,
    /// The top of the running task's stack, for overflow reports (with
    /// `stack_span` it gives the stack's bounds, see `current_stack`).
    pub current_top: Cell<usize>,
    /// The layout of every stack the pool carves.
    pub stack_span: Cell<SlotSpan>,
    pub software_guard: Cell<bool>,
    /// Whether every worker runs on one shared stack (`StackMode::Shared`).
    pub shared_stack: bool,
    /// With a shared stack: the stack pointer of the task that suspended last
    /// (recorded by the task, read when its frames are saved).
    pub suspend_sp: Cell<usize>,
    /// Whether a tracer records this run (tested on every traced event).
    tracing: Cell<bool>,
    tracer: RefCell<Option<Box<dyn Tracer>>>,
    /// Timed callbacks (`call_at`), run in scheduler context when their timer fires.
    callbacks: RefCell<Slab<Callback>>,
    /// Callbacks due at the instant being advanced to, reused so that message
    /// arrivals allocate nothing here.
    due: RefCell<Vec<usize>>,
    /// Set by `stop()`: the run returns after the current task suspends.
    pub stop_requested: Cell<bool>,
    /// Workers whose job ended and that wait for the next one.
    pub idle_workers: RefCell<Vec<u32>>,
    /// The pool's worker array, as the scheduler last saw it (see `handoff`).
    pub worker_base: Cell<*mut Worker>,
}

/// The panic of a blocking call made outside a task (kept out of the callers' code).
#[cold]
#[inline(never)]
fn not_in_task() -> ! {
    panic!("p2psim: this call blocks, so it must run inside a task spawned on a Runtime")
}

/// A closure run by the scheduler itself at a virtual time (it must not block).
pub(crate) type Callback = Box<dyn FnOnce()>;

/// Bytes of a cell prefetched before its first run (its header and closure;
/// lines past a smaller cell are harmless to ask for).
const MAX_CELL_PREFETCH: usize = 256;

/// Bytes of a cell prefetched before any later run: the header's hot fields
/// fill its first line, and the second holds what a task's last run touches
/// (its result, written when the body returns; its name and wait detail,
/// dropped with the cell). Without it, a task's end waited on that line: W3
/// shared ran 1,158 -> 824 ns per task (alternating runs, medians of 5), W3
/// 4,207 -> 3,927, W4 3,415 -> 3,121, and W2 (whose tasks end once in a
/// hundred wake-ups) moved within its noise.
const RESUMED_CELL_PREFETCH: usize = 128;

/// Below this many live tasks everything stays in cache (see `Core::prefetching`).
const PREFETCH_MIN_TASKS: usize = 64;

/// How many callbacks ahead of the one running the scheduler prefetches.
const CALLBACK_LOOKAHEAD: usize = 4;

/// Timer keys at or above this mark callbacks, not task waits.
const CALLBACK_KEY: u32 = 1 << 31;

impl Core {
    /// A core with no tasks, at virtual time zero.
    pub fn new(config: RuntimeConfig) -> Self {
        let schedule = Schedule::new(config.tie_break, config.jitter, config.replay.clone());
        let shared_stack = config.pool.stacks == StackMode::Shared;
        let exploring = schedule.is_some();
        Core {
            config,
            now: Cell::new(SimTime::ZERO),
            current_key: Cell::new(0),
            current_hdr: Cell::new(std::ptr::null()),
            tasks: RefCell::new(Slab::new()),
            joiners: RefCell::new(BTreeMap::new()),
            ready: Fifo::default(),
            timers: RefCell::new(TimerHeap::default()),
            pool: RefCell::new(PoolState::default()),
            exploring,
            schedule: RefCell::new(schedule),
            last_picked: Cell::new(None),
            next_wait: Cell::new(0),
            next_id: Cell::new(0),
            trace: Cell::new(0),
            events: Cell::new(0),
            spawned: Cell::new(0),
            finished: Cell::new(0),
            live: Cell::new(0),
            alive: Cell::new(0),
            peak_alive: Cell::new(0),
            failure: RefCell::new(None),
            timeout_cycles: Cell::new(0),
            first_timeout_cycle: RefCell::new(None),
            flags: RunFlags::new(!exploring && !shared_stack),
            panics: RefCell::new(Vec::new()),
            current_top: Cell::new(0),
            stack_span: Cell::new(SlotSpan::default()),
            software_guard: Cell::new(false),
            shared_stack,
            suspend_sp: Cell::new(0),
            tracing: Cell::new(false),
            tracer: RefCell::new(None),
            callbacks: RefCell::new(Slab::new()),
            due: RefCell::new(Vec::new()),
            stop_requested: Cell::new(false),
            idle_workers: RefCell::new(Vec::new()),
            worker_base: Cell::new(std::ptr::null_mut()),
        }
    }

    /// The running task's key, if a task runs.
    #[inline]
    pub fn current(&self) -> Option<u32> {
        (!self.current_hdr.get().is_null()).then(|| self.current_key.get())
    }

    /// The running task's key; panics outside a task.
    #[inline]
    pub fn current_key(&self) -> u32 {
        self.running().0
    }

    /// The running task's key and header; panics outside a task.
    #[inline(always)]
    pub fn running(&self) -> (u32, &Header) {
        let hdr = self.current_hdr.get();
        if hdr.is_null() {
            not_in_task();
        }
        // SAFETY: `current_hdr` is set with `current_key` (in `enter`) to the
        // header of the task that key names, whose cell its slot in `tasks`
        // keeps alive; a slot is only removed by `finish`, never for the running task before
        // `leave` nulls the pointer (`end_job` leaves first), so a non-null
        // pointer is valid. Headers are only ever shared (mutable parts are Cells).
        (self.current_key.get(), unsafe { &*hdr })
    }

    /// Creates a task; returns its handle and whether the pool rejected it.
    pub fn spawn<T, F>(&self, name: TaskName, daemon: bool, f: F) -> (JoinHandle<T>, bool)
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        let id = TaskId(self.next_id.get() + 1);
        self.next_id.set(id.0);
        self.spawned.set(self.spawned.get() + 1);
        let now = self.now.get();
        if self.flags.tearing_down() {
            return (Self::rejected_handle(id, name, now), true);
        }

        let runnable = {
            let mut pool = self.pool.borrow_mut();
            let cap = self.config.pool.capacity.unwrap_or(usize::MAX);
            if pool.in_use < cap || self.config.pool.policy == ExhaustionPolicy::Grow {
                if pool.in_use >= cap {
                    pool.grown += 1;
                }
                pool.in_use += 1;
                pool.peak_in_use = pool.peak_in_use.max(pool.in_use);
                pool.spawned += 1;
                true
            } else if self.config.pool.policy == ExhaustionPolicy::Queue {
                pool.queued += 1;
                pool.spawned += 1;
                false
            } else {
                pool.rejected += 1;
                drop(pool);
                return (Self::rejected_handle(id, name, now), true);
            }
        };

        let cell = TaskCell::new_rc(id, name, daemon, now, Body::new(f));
        if self.tracing.get() {
            let parent = self.current().map(|k| self.tasks.borrow()[k as usize].id);
            self.trace(TraceEvent::Spawned {
                id,
                parent,
                name: &cell.name,
            });
        }
        let slot = TaskSlot::new(cell.clone());
        let key = self.tasks.borrow_mut().insert(slot);
        let key32 = u32::try_from(key).expect("fewer than 2^32 live tasks");
        if runnable {
            cell.state.set(TaskState::Runnable);
            self.ready.push_back(key32);
        } else {
            self.pool.borrow_mut().queue.push_back((key32, id, now));
        }
        if !daemon {
            self.live.set(self.live.get() + 1);
        }
        self.alive.set(self.alive.get() + 1);
        self.peak_alive
            .set(self.peak_alive.get().max(self.alive.get()));
        (JoinHandle { cell, key }, false)
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

    /// The next entry to run: the queue's front, or the schedule's pick.
    #[inline(always)]
    pub fn pop_ready(&self) -> Option<u32> {
        if self.exploring {
            return self.pop_ready_explored();
        }
        self.ready.pop_front()
    }

    /// The schedule's pick among the ready entries (see `schedule`).
    #[inline(never)]
    fn pop_ready_explored(&self) -> Option<u32> {
        let ready = &self.ready;
        let n = ready.len();
        if n == 0 {
            return None;
        }
        let i = {
            let mut schedule = self.schedule.borrow_mut();
            let Some(schedule) = schedule.as_mut() else {
                return ready.pop_front();
            };
            let tasks = self.tasks.borrow();
            let describe = |i: usize| match ready.get(i) {
                Some(k) if !Self::is_callback(k) => tasks
                    .get(k as usize)
                    .map_or(Entry::Callback, |t| Entry::Task(t.id)),
                _ => Entry::Callback,
            };
            schedule.pick(n, describe, self.last_picked.get())
        };
        let key = ready.remove(i)?;
        if !Self::is_callback(key) {
            if let Some(t) = self.tasks.borrow().get(key as usize) {
                self.last_picked.set(Some(t.id));
            }
        }
        Some(key)
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

    /// The run's non-default choices so far and how many run-queue choices it made.
    pub fn decisions(&self) -> (DecisionLog, u64) {
        match self.schedule.borrow().as_ref() {
            Some(s) => (s.log(), s.picks()),
            None => (DecisionLog::default(), 0),
        }
    }

    /// Advances virtual time to the earliest timers (not beyond `limit`) and fires them.
    pub fn advance(&self, limit: SimTime) -> Advance {
        loop {
            let mut timers = self.timers.borrow_mut();
            let Some(&head) = timers.peek() else {
                return Advance::Idle;
            };
            let t = head.time;
            if t > limit.as_nanos() {
                return Advance::LimitReached;
            }
            // A timeout whose wait already ended must not move the clock.
            if head.key < CALLBACK_KEY && !self.wait_is_live(head.key, head.wait) {
                timers.pop();
                continue;
            }
            self.now.set(SimTime::from_nanos(t));
            let mut woke = false;
            let mut due = std::mem::take(&mut *self.due.borrow_mut());
            while timers.peek_time() == Some(t) {
                let timer = timers.pop().expect("peeked");
                if timer.key >= CALLBACK_KEY {
                    due.push(timer.wait as usize);
                    continue;
                }
                let w = Waiter {
                    key: timer.key,
                    wait: timer.wait,
                };
                woke |= self.wake(w, WakeReason::TimedOut);
            }
            drop(timers);
            for (i, &index) in due.iter().enumerate() {
                if let Some(&ahead) = due.get(i + CALLBACK_LOOKAHEAD) {
                    self.prefetch_callback(ahead);
                }
                let f = self.callbacks.borrow_mut().remove(index);
                f();
                woke |= !self.ready.is_empty();
            }
            due.clear();
            *self.due.borrow_mut() = due;
            if woke || self.stop_requested.get() {
                return Advance::Ready;
            }
        }
    }

    /// Asks for the memory of callback `index` (its closure was boxed when it was
    /// scheduled, one hop's worth of messages ago, so it has left the caches).
    #[inline]
    fn prefetch_callback(&self, index: usize) {
        if let Some(f) = self.callbacks.borrow().get(index) {
            let addr = &**f as *const dyn FnOnce() as *const u8 as usize;
            let size = std::mem::size_of_val(&**f);
            for line in (0..size).step_by(64) {
                crate::exec::prefetch::line(addr + line);
            }
        }
    }

    /// Schedules `f` to run in scheduler context at virtual time `t` (not before now).
    pub fn call_at(&self, t: SimTime, f: Callback) {
        let index = self.callbacks.borrow_mut().insert(f);
        let t = t.max(self.now.get());
        self.timers
            .borrow_mut()
            .push(t.as_nanos(), CALLBACK_KEY, index as u64, Near::NONE);
    }

    /// Queues `f` behind the tasks ready now; it runs in scheduler context on its
    /// turn, as a task would, but with no worker and no stack.
    pub fn call_soon(&self, f: Callback) {
        let index = self.callbacks.borrow_mut().insert(f);
        let key = u32::try_from(index)
            .ok()
            .filter(|&k| k < CALLBACK_KEY)
            .expect("fewer than 2^31 pending callbacks");
        self.ready.push_back(key | CALLBACK_KEY);
    }

    /// Whether a run-queue entry is a `call_soon` callback rather than a task.
    #[inline(always)]
    pub fn is_callback(key: u32) -> bool {
        key >= CALLBACK_KEY
    }

    /// Runs the `call_soon` callback queued as `key`.
    pub fn run_callback(&self, key: u32) {
        let f = self
            .callbacks
            .borrow_mut()
            .remove((key & !CALLBACK_KEY) as usize);
        f();
    }

    /// Whether a `call_at` callback is still pending.
    pub fn callbacks_pending(&self) -> bool {
        !self.callbacks.borrow().is_empty()
    }

    /// Drops pending callbacks (at teardown: they may hold handles into the core).
    pub fn clear_callbacks(&self) {
        let all = std::mem::take(&mut *self.callbacks.borrow_mut());
        drop(all);
    }

    /// Parks the running task on a wait; the caller queues the returned waiter and suspends.
    ///
    /// Always inlined: the arguments are constants at each primitive's call site,
    /// so the unnamed, untimed wait (most of them) folds down to a few stores;
    /// as a call it cost 66 instructions per park (W1: 10% of a round trip).
    #[inline(always)]
    pub fn park(
        &self,
        kind: WaitKind,
        object: Option<&Rc<str>>,
        deadline: Option<SimTime>,
        waits_for: Option<WaitsFor>,
    ) -> Waiter {
        let (key, t) = self.running();
        if t.kill_pending.get() {
            std::panic::resume_unwind(Box::new(Killed));
        }
        // A timeout past the end of virtual time never fires: the wait is untimed.
        let deadline = deadline.filter(|d| *d != SimTime::MAX);
        let wait = self.next_wait.get() + 1;
        self.next_wait.set(wait);
        t.wait.set(wait);
        t.waits_on.set(kind);
        t.since.set(self.now.get());
        let detailed = object.is_some() || waits_for.is_some();
        t.detailed.set(detailed);
        if detailed {
            let mut d = t.detail.take().unwrap_or_default();
            d.object = object.cloned();
            d.waits_for = waits_for;
            t.detail.set(Some(d));
        }
        let state = match (deadline, kind) {
            (Some(_), _) => TaskState::TimedWaiting,
            (None, WaitKind::Mutex | WaitKind::Semaphore) => TaskState::Blocked,
            (None, _) => TaskState::Waiting,
        };
        t.state.set(state);
        if self.tracing.get() {
            self.trace(TraceEvent::Parked {
                id: t.id,
                waits_on: kind,
                object: object.map(|o| &**o),
            });
        }
        let near = if self.prefetching() {
            let marker = 0u8;
            self.note_suspend(key, &marker as *const u8 as usize)
        } else {
            Near::NONE
        };
        if let Some(d) = deadline {
            self.timers.borrow_mut().push(d.as_nanos(), key, wait, near);
        }
        Waiter { key, wait }
    }

    /// Called by a task just resumed from `park`: why it was woken. A kill unwinds.
    #[inline]
    pub fn unpark(&self) -> WakeReason {
        let (_, t) = self.running();
        let reason = t.wake.get();
        if reason == WakeReason::Killed {
            std::panic::resume_unwind(Box::new(Killed));
        }
        reason
    }

    /// Whether wait `wait` of task `key` is still in progress.
    #[inline]
    fn wait_is_live(&self, key: u32, wait: u64) -> bool {
        matches!(self.tasks.borrow().get(key as usize), Some(t) if t.wait.get() == wait)
    }

    /// Unwinds the running task if it was killed during teardown (after a yield).
    pub fn unwind_if_torn_down(&self) {
        let killed = self.running().1.kill_pending.get();
        if killed && self.flags.tearing_down() {
            std::panic::resume_unwind(Box::new(Killed));
        }
    }

    /// Ends `waiter`'s wait with `reason` and makes its task runnable; false if stale.
    #[inline]
    pub fn wake(&self, waiter: Waiter, reason: WakeReason) -> bool {
        let tasks = self.tasks.borrow();
        match tasks.get(waiter.key as usize) {
            Some(t) if t.wait.get() == waiter.wait => {
                t.wait.set(0);
                t.wake.set(reason);
                t.state.set(TaskState::Runnable);
                drop(tasks);
                self.ready.push_back(waiter.key);
                true
            }
            _ => false,
        }
    }

    /// Puts the running task at the back of the run queue (it stays Runnable).
    #[inline]
    pub fn requeue_current(&self) {
        let (key, t) = self.running();
        if t.kill_pending.get() {
            std::panic::resume_unwind(Box::new(Killed));
        }
        t.state.set(TaskState::Runnable);
        self.ready.push_back(key);
        if self.prefetching() {
            let marker = 0u8;
            self.note_suspend(key, &marker as *const u8 as usize);
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
            self.wake(Waiter { key, wait }, WakeReason::Killed);
        } else if state == TaskState::New {
            self.pool.borrow_mut().queue.retain(|&(k, _, _)| k != key);
            self.finish(key, Outcome::Killed, false);
        } else if self.flags.tearing_down() {
            // Runnable (woken, not yet resumed): at teardown it unwinds as soon
            // as it resumes, so `unpark` has one reason to check, not two.
            self.tasks.borrow()[key as usize]
                .wake
                .set(WakeReason::Killed);
        }
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
        let ready = &self.ready;
        let Some(next) = ready.front() else {
            return false;
        };
        if Self::is_callback(next) {
            return false;
        }
        let tasks = self.tasks.borrow();
        let t = &tasks[next as usize];
        if t.worker.get() != NO_WORKER || t.kill_pending.get() {
            return false;
        }
        ready.pop_front();
        t.bind(worker);
        self.enter(next, t);
        drop(tasks);
        if self.prefetching() {
            self.prefetch_next();
        }
        true
    }

    /// The running task's cell (its worker runs the body from it).
    #[inline]
    pub fn current_cell(&self) -> AnyCell {
        let key = self.current_key();
        self.tasks.borrow()[key as usize].cell.clone()
    }

    /// Records the end of task `key`, wakes its joiners and frees (or hands on) its
    /// pool slot. Returns the worker it used, if any.
    pub fn finish(&self, key: u32, outcome: Outcome, held_slot: bool) -> u32 {
        let t = self.tasks.borrow_mut().remove(key as usize);
        t.state.set(TaskState::Terminated);
        if self.tracing.get() {
            self.trace(TraceEvent::Ended { id: t.id });
        }
        match outcome {
            Outcome::Done => {}
            Outcome::Killed => t.cell.body.fail(JoinError::Killed),
            Outcome::Panicked(message) => {
                t.cell.body.fail(JoinError::Panicked(message.clone()));
                let report = PanicReport {
                    id: t.id,
                    name: t.name.clone(),
                    time: self.now.get(),
                    message,
                    seed: self.config.seed,
                    tie_break: self.config.tie_break,
                };
                if self.config.on_panic == PanicPolicy::Stop && !self.flags.tearing_down() {
                    let mut failure = self.failure.borrow_mut();
                    if failure.is_none() {
                        *failure = Some(SimError::TaskPanicked(report));
                        self.flags.set_interrupted(true);
                    }
                } else {
                    self.panics.borrow_mut().push(report);
                }
            }
        }
        let joiners = {
            let mut all = self.joiners.borrow_mut();
            // Few tasks are ever joined: most ends skip the lookup.
            match all.is_empty() {
                true => None,
                false => all.remove(&key),
            }
        };
        for j in joiners.into_iter().flatten() {
            self.wake(j, WakeReason::Notified);
        }
        self.finished.set(self.finished.get() + 1);
        if !t.daemon {
            self.live.set(self.live.get() - 1);
        }
        self.alive.set(self.alive.get() - 1);
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
        let mut pool = self.pool.borrow_mut();
        match pool.queue.pop_front() {
            Some((key, _, since)) => {
                let waited = self.now.get() - since;
                pool.longest_wait = pool.longest_wait.max(waited);
                drop(pool);
                let tasks = self.tasks.borrow();
                tasks[key as usize].state.set(TaskState::Runnable);
                drop(tasks);
                self.ready.push_back(key);
            }
            None => pool.in_use -= 1,
        }
    }

    /// Walks the wait-for graph from the running task; returns the cycle's keys if it
    /// leads back to the running task.
    pub fn find_cycle(&self) -> Option<Vec<u32>> {
        let me = self.current_key();
        let tasks = self.tasks.borrow();
        let mut path = vec![me];
        let mut next = Self::edge(&tasks[me as usize]);
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
            next = Self::edge(t);
        }
        None
    }

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

    /// Whether only daemons can still act: non-daemon tasks are alive, none is ready
    /// or waiting with a timeout, and no callback is pending. Daemons could in
    /// principle still wake them, which is why the scheduler alone does not call
    /// this a deadlock; a caller that knows its daemons can (see the sim engine).
    pub fn stalled(&self) -> bool {
        if self.live.get() == 0 || self.callbacks_pending() {
            return false;
        }
        let tasks = self.tasks.borrow();
        if self
            .ready
            .to_vec()
            .into_iter()
            .any(|k| Self::is_callback(k) || !tasks[k as usize].daemon)
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

    /// Records a deadlock failure naming `keys` (or every parked task when `None`).
    pub fn fail_deadlock(&self, keys: Option<Vec<u32>>) {
        let report = self.deadlock_report(keys);
        debug_assert!(!report.tasks.is_empty(), "a deadlock names a blocked task");
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(SimError::Deadlock(report));
            self.flags.set_interrupted(true);
        }
    }

    /// A wait-for cycle closed through the tasks `keys`: a deadlock if none of
    /// them waits with a timeout, else a timeout cycle, counted (the first one
    /// kept) while the run goes on until a timeout breaks it.
    pub fn cycle_closed(&self, keys: Vec<u32>) {
        let timed = {
            let tasks = self.tasks.borrow();
            keys.iter()
                .any(|&k| tasks[k as usize].state.get() == TaskState::TimedWaiting)
        };
        if !timed {
            return self.fail_deadlock(Some(keys));
        }
        self.timeout_cycles.set(self.timeout_cycles.get() + 1);
        let mut first = self.first_timeout_cycle.borrow_mut();
        if first.is_none() {
            *first = Some(self.deadlock_report(Some(keys)));
        }
    }

    /// Timeout cycles so far, and the first of them.
    pub fn timeout_cycles(&self) -> (u64, Option<DeadlockReport>) {
        (
            self.timeout_cycles.get(),
            self.first_timeout_cycle.borrow().clone(),
        )
    }

    /// The deadlock report naming `keys` (or every parked task when `None`).
    pub fn deadlock_report(&self, keys: Option<Vec<u32>>) -> DeadlockReport {
        let tasks = self.tasks.borrow();
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
                    waits_for: Self::edge(t).map(|o| o.id),
                    since: t.since.get(),
                    daemon: t.daemon,
                }
            })
            .collect();
        if !partial {
            blocked.sort_by_key(|b| b.id);
        }
        DeadlockReport {
            time: self.now.get(),
            seed: self.config.seed,
            tie_break: self.config.tie_break,
            partial,
            only_daemons_active: !partial && !self.timers.borrow().is_empty(),
            tasks: blocked,
        }
    }

    /// Whether a task parking now may run the next ready task itself (see
    /// `handoff`): a task is ready, FIFO order, dedicated stacks, not already
    /// handing off, and a run that is neither interrupted nor torn down.
    #[inline(always)]
    pub fn may_hand_off(&self) -> bool {
        self.flags.hand_off_allowed() && !self.ready.is_empty()
    }

    /// Whether enough tasks are alive that their memory falls out of the caches,
    /// so that prefetching the next one pays (below, it only costs).
    #[inline(always)]
    pub fn prefetching(&self) -> bool {
        self.alive.get() > PREFETCH_MIN_TASKS
    }

    /// Records where the running task `key` will suspend (about `sp`: the caller
    /// is inlined into the frame that switches), so that its stack can be
    /// fetched into the cache before it is resumed; returns where its memory is.
    #[inline(always)]
    fn note_suspend(&self, key: u32, sp: usize) -> Near {
        let top = self.current_top.get();
        let lines = top.saturating_sub(sp) / 64;
        let tasks = self.tasks.borrow();
        let slot = &tasks[key as usize];
        let hint = slot.hint.get().with_stack(sp, lines);
        slot.hint.set(hint);
        Near {
            slot: slot as *const TaskSlot as usize,
            header: &**slot as *const Header as usize,
            hint,
        }
    }

    /// Warms the caches for the task expected to run after the current one (the
    /// run queue's front, else the earliest timer's task): its cell and the top
    /// of its stack. Returns its worker, whose record the pool may fetch too.
    #[inline]
    pub fn prefetch_next(&self) -> Option<usize> {
        let (header, hint) = match self.ready.front() {
            Some(key) => {
                if Self::is_callback(key) {
                    return None;
                }
                let tasks = self.tasks.borrow();
                let t = tasks.get(key as usize)?;
                (&**t as *const Header as usize, t.hint.get())
            }
            // The timer carries what the task table would give, saving a
            // dependent load (a cache miss with many tasks) before the prefetches.
            None => {
                let mut timers = self.timers.borrow_mut();
                let near = timers.peek()?.near;
                if near.header == 0 {
                    return None;
                }
                // The table entry is read first, to check the timer is live.
                crate::exec::prefetch::line(near.slot);
                (near.header, near.hint)
            }
        };
        // The whole cell before a first run, which reads its closure beyond the
        // header; two lines before a later one.
        // Whether it ran is read from the hint, not the header: the header is
        // what is being fetched, and waiting for it here would stall the loop.
        let cell = match hint.worker() {
            None => MAX_CELL_PREFETCH,
            Some(_) => RESUMED_CELL_PREFETCH,
        };
        for offset in (0..cell).step_by(64) {
            crate::exec::prefetch::line(header + offset);
        }
        crate::exec::prefetch::stack(hint);
        hint.worker()
    }

    /// The worker of the task expected to run after the next one, if the
    /// timers already say which (see `Runtime::prefetch_next`): the second
    /// timer when nothing is ready, the first when one task is.
    #[inline]
    pub fn worker_after_next(&self) -> Option<usize> {
        let timers = self.timers.borrow();
        let timer = match self.ready.len() {
            0 => timers.settled(1)?,
            1 => timers.settled(0)?,
            _ => return None,
        };
        timer.near.hint.worker()
    }

    /// Makes task `key` (header `t`) the running one (state Running) and records
    /// its resumption.
    #[inline]
    pub fn enter(&self, key: u32, t: &Header) {
        t.state.set(TaskState::Running);
        self.current_key.set(key);
        self.current_hdr.set(t);
        self.record_resume(t.id);
    }

    /// No task runs any more (the running one suspended or ended).
    #[inline]
    pub fn leave(&self) {
        self.current_hdr.set(std::ptr::null());
    }

    /// (guard, limit, top) of the running task's stack.
    pub fn current_stack(&self) -> [usize; 3] {
        self.stack_span.get().bounds(self.current_top.get())
    }

    /// Gives the run a tracer (see `tracer`).
    pub fn set_tracer(&self, tracer: Box<dyn Tracer>) {
        *self.tracer.borrow_mut() = Some(tracer);
        self.tracing.set(true);
    }

    /// Hands `event` to the tracer, now.
    #[cold]
    #[inline(never)]
    fn trace(&self, event: TraceEvent<'_>) {
        if let Some(t) = self.tracer.borrow_mut().as_mut() {
            t.record(self.now.get(), event);
        }
    }

    /// Mixes one resumption into the trace hash and counts it.
    #[inline]
    pub fn record_resume(&self, id: TaskId) {
        if self.tracing.get() {
            self.trace(TraceEvent::Resumed { id });
        }
        let h = trace::mix(self.trace.get(), self.now.get().as_nanos());
        self.trace.set(trace::mix(h, id.0));
        self.events.set(self.events.get() + 1);
    }
}
