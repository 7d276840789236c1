//! Parking and waking: the one mechanism every blocking call is built on.
//!
//! A blocking call parks the running task (recording what it waits on and, for a
//! timeout, pushing a timer), lets the primitive queue the returned waiter, and
//! suspends. Whoever ends the wait first (a release, the timer, a kill) wins;
//! the other copies of the waiter are stale and ignored when they surface.
//!
//! The blocking path is `#[inline(always)]` from each primitive's blocking call
//! down to the switch (`block`, the closure it runs on the core, `with_core`,
//! `Core::park`, `context::suspend`), and the scheduler resumes tasks from its
//! run loop's own frame (`sched::step` and `WorkerPool::resume` are inlined
//! there). The CPU predicts each `ret` from a stack of the return addresses
//! its `call`s pushed; a switch changes stacks under it, so every function
//! entered before a suspend and left after the resume (on either side)
//! returns to an address the predictor does not hold: one mispredicted return
//! each, a pipeline flush at every switch. Two calls are left on the
//! path, each saying why it may be one: `Core::run_ready` (see `handoff`), and
//! on shared stacks `context::suspend_recording_sp`.

use std::rc::Rc;

use super::core::Core;
use super::deadlock::{Owner, WaitsFor};
use crate::error::WaitKind;
use crate::exec::context::{self, with_core};
use crate::exec::warm::{self, TimerHint};
use crate::task::{Killed, TaskId, TaskState};
use crate::time::SimTime;

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

/// Parks the running task until woken; `enqueue` registers the waiter with the
/// primitive. Returns why it woke (a kill unwinds instead of returning).
#[inline(always)]
pub(crate) fn block(
    kind: WaitKind,
    object: Option<&Rc<str>>,
    deadline: Option<SimTime>,
    waits_for: Option<WaitsFor>,
    enqueue: impl FnOnce(Waiter),
) -> WakeReason {
    let check_cycle = waits_for.is_some();
    with_core(
        #[inline(always)]
        |core| {
            let waiter = core.park(kind, object, deadline, waits_for);
            enqueue(waiter);
            if check_cycle {
                core.check_cycle();
            }
            context::suspend(core);
            core.unpark()
        },
    )
}

/// Wakes `waiter` with `reason`; false if its wait already ended.
#[inline]
pub(crate) fn wake(waiter: Waiter, reason: WakeReason) -> bool {
    with_core(|core| core.wake(waiter, reason))
}

/// Blocks the running task until task `key` (id `id`) terminates.
pub(crate) fn join_task(key: usize, id: TaskId, name: &str) {
    let key = key as u32;
    let target = Owner { key, id };
    let object: Rc<str> = Rc::from(format!("task {id} '{name}'"));
    block(
        WaitKind::Join,
        Some(&object),
        None,
        Some(WaitsFor::Task(target)),
        |w| {
            with_core(|core| {
                // Already gone: nothing will wake us, so wake now.
                if !core.tasks.add_joiner(key, id, w) {
                    core.wake(w, WakeReason::Notified);
                }
            })
        },
    );
}

impl Core {
    /// Parks the running task on a wait; the caller queues the returned waiter and suspends.
    ///
    /// Always inlined: the arguments are constants at each primitive's call site,
    /// so the unnamed, untimed wait (most of them) folds down to a few stores.
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
        // A sleep there is an event past the end, which stops the run when due.
        let deadline = deadline.filter(|d| *d != SimTime::MAX || kind == WaitKind::Sleep);
        let wait = self.tasks.new_wait();
        t.wait.set(wait);
        t.waits_on.set(kind);
        t.since.set(self.now());
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
        if self.trace.on() {
            self.trace.record(
                self.now(),
                super::trace::TraceEvent::Parked {
                    id: t.id,
                    waits_on: kind,
                    object: object.map(|o| &**o),
                },
            );
        }
        let hint = if self.warming() {
            let marker = 0u8;
            self.note_suspend(key, &marker as *const u8 as usize)
        } else {
            TimerHint::NONE
        };
        if let Some(d) = deadline {
            self.agenda.push_timer(d, key, wait, hint);
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

    /// Ends `waiter`'s wait with `reason` and makes its task runnable; false if stale.
    #[inline]
    pub fn wake(&self, waiter: Waiter, reason: WakeReason) -> bool {
        if !self.tasks.end_wait(waiter, reason) {
            return false;
        }
        self.agenda.push_ready(waiter.key);
        true
    }

    /// Puts the running task at the back of the run queue (it stays Runnable).
    #[inline]
    pub fn requeue_current(&self) {
        let (key, t) = self.running();
        if t.kill_pending.get() {
            std::panic::resume_unwind(Box::new(Killed));
        }
        t.state.set(TaskState::Runnable);
        self.agenda.push_ready(key);
        if self.warming() {
            let marker = 0u8;
            self.note_suspend(key, &marker as *const u8 as usize);
        }
    }

    /// Unwinds the running task if it was killed during teardown (after a yield).
    pub fn unwind_if_torn_down(&self) {
        let killed = self.running().1.kill_pending.get();
        if killed && self.flags.tearing_down() {
            std::panic::resume_unwind(Box::new(Killed));
        }
    }

    /// Records where the running task `key` will suspend (about `sp`: the
    /// caller is inlined into the frame that switches), for warming it before
    /// it is resumed; returns what its timer, if it sets one, carries.
    #[inline(always)]
    fn note_suspend(&self, key: u32, sp: usize) -> TimerHint {
        let top = self.exec().running_top();
        let tasks = self.tasks.borrow();
        warm::suspending(&tasks[key as usize], top, sp)
    }
}
