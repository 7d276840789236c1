//! Running a task's body: how it ended (a value, a panic, a kill), and the
//! panic hook that records where a task panicked.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

use super::{Killed, Outcome, TaskResult};
use crate::exec::context::{self, with_core};

thread_local! {
    /// The message and location of the latest panic inside a task (set by the
    /// panic hook), stamped with the resumption it happened in (the core's event count).
    static LAST_PANIC: RefCell<Option<(u64, String)>> = const { RefCell::new(None) };
}

/// Runs a task's closure (taken from `job`), storing its value; reports how it ended.
pub(crate) fn run_job<T, F: FnOnce() -> T>(
    job: &Cell<Option<F>>,
    result: &RefCell<Option<TaskResult<T>>>,
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
    let resumption = with_core(|core| core.events());
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
                let stamp = with_core(|core| core.events());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some((stamp, text)));
            } else {
                previous(info);
            }
        }));
    });
}
