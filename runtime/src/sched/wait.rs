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
//! run loop's own frame (`WorkerPool::step` is inlined there). The CPU predicts
//! each `ret` from a stack of the return addresses its `call`s pushed; a switch
//! changes stacks under it, so every function entered before a suspend and left
//! after the resume (on either side) returns to an address the predictor does
//! not hold: one mispredicted return each, 10-25 ns apiece here. With the
//! primitives as calls, W1 took 117 ns per round trip; inlined, 62-73 ns on the
//! same minutes (`p2psim bench --child W1`), W2 ~530 -> ~355 ns per wake-up.
//! Two calls are left on the path, each saying why it may be one:
//! `handoff::run_ready`, and on shared stacks `context::suspend_recording_sp`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;

use crate::exec::context::{self, with_core, LAST_PANIC};
use crate::sched::core::{Killed, Outcome, Waiter, WaitsFor, WakeReason};
use crate::error::WaitKind;
use crate::time::SimTime;

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
                if let Some(cycle) = core.find_cycle() {
                    core.cycle_closed(cycle);
                }
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
pub(crate) fn join_task(key: usize, id: crate::task::TaskId, name: &str) {
    let target = crate::sched::core::Owner {
        key: key as u32,
        id,
    };
    let object: Rc<str> = Rc::from(format!("task {id} '{name}'"));
    block(
        WaitKind::Join,
        Some(&object),
        None,
        Some(WaitsFor::Task(target)),
        |w| {
            with_core(|core| {
                let tasks = core.tasks.borrow();
                match tasks.get(key) {
                    Some(t) if t.id == id => core
                        .joiners
                        .borrow_mut()
                        .entry(key as u32)
                        .or_default()
                        .push(w),
                    // Already gone: nothing will wake us, so wake now.
                    _ => {
                        drop(tasks);
                        core.wake(w, WakeReason::Notified);
                    }
                }
            })
        },
    );
}

/// Runs a task's closure (taken from `job`), storing its value; reports how it ended.
pub(crate) fn run_job<T, F: FnOnce() -> T>(
    job: &Cell<Option<F>>,
    result: &RefCell<Option<crate::task::TaskResult<T>>>,
) -> Outcome {
    // Taken inside the guarded call: moved out before it, the closure would be
    // copied twice on the way in (and the second copy, wider than the first's
    // stores, stalls on store forwarding).
    let run = || job.take().expect("a task's closure runs once")();
    match panic::catch_unwind(AssertUnwindSafe(run)) {
        Ok(v) => {
            *result.borrow_mut() = Some(Ok(v));
            Outcome::Done
        }
        Err(payload) => unwound(payload),
    }
}

/// How a job that unwound ended: killed, or panicked with this message.
///
/// Out of line: on a shared stack every byte of a suspended task's frames is
/// copied out and back, and this path's locals would widen every task's frame.
#[cold]
#[inline(never)]
fn unwound(payload: Box<dyn Any + Send>) -> Outcome {
    if payload.is::<Killed>() {
        return Outcome::Killed;
    }
    // The hook's record has the location, but only if it is this panic's:
    // `resume_unwind` skips the hook, and a caught panic may have left one
    // (in an earlier resumption, so with another stamp, or with another
    // message). Checked here rather than cleared before every job.
    let message = payload_message(&*payload);
    let recorded = LAST_PANIC.with(|p| p.borrow_mut().take());
    let resumption = with_core(|core| core.events.get());
    Outcome::Panicked(match recorded {
        Some((stamp, r)) if stamp == resumption && r.starts_with(&message) => r,
        _ => message,
    })
}

/// The text of a panic payload.
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// Installs (once per process) a panic hook that records panics inside tasks for
/// their `TaskPanicked` report instead of printing them; other panics go to the
/// previous hook unchanged.
pub(crate) fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if context::in_task() {
                let msg = payload_message(info.payload());
                let text = match info.location() {
                    Some(l) => format!("{msg} (at {}:{})", l.file(), l.line()),
                    None => msg,
                };
                let stamp = with_core(|core| core.events.get());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some((stamp, text)));
            } else {
                previous(info);
            }
        }));
    });
}
