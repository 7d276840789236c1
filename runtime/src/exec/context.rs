//! The thread-local link from task code to the running scheduler.
//!
//! Task code calls free functions (`now()`, `sleep()`, primitives) with no
//! runtime argument; they find the core and the current worker's yielder here.
//! Both pointers are set only while `Runtime::run*` executes on this thread.

use std::cell::Cell;
use std::ptr;
use std::rc::Rc;

use corosensei::Yielder;

use super::worker::{Resume, Suspend};
use super::ExecState;
use crate::sched::core::Core;

thread_local! {
    static CORE: Cell<*const Core> = const { Cell::new(ptr::null()) };
    static YIELDER: Cell<*const Yielder<Resume, Suspend>> = const { Cell::new(ptr::null()) };
}

/// Keeps `CORE` set while a runtime runs on this thread; restores it (and the
/// yielder of whatever task was running) on drop.
pub(crate) struct Entered {
    prev: *const Core,
    prev_yielder: *const Yielder<Resume, Suspend>,
}

/// Makes `core` the running core of this thread until the guard drops.
pub(crate) fn enter(core: &Rc<Core>) -> Entered {
    let prev = CORE.with(|c| c.get());
    if !prev.is_null() && prev != Rc::as_ptr(core) {
        panic!("p2psim: a Runtime cannot run inside a task of another Runtime");
    }
    enter_any(core)
}

/// Like `enter`, but also from inside another runtime's task (to drop a runtime there).
pub(crate) fn enter_any(core: &Rc<Core>) -> Entered {
    let prev = CORE.with(|c| c.replace(Rc::as_ptr(core)));
    let prev_yielder = YIELDER.with(|c| c.get());
    Entered { prev, prev_yielder }
}

impl Drop for Entered {
    fn drop(&mut self) {
        CORE.with(|c| c.set(self.prev));
        YIELDER.with(|c| c.set(self.prev_yielder));
    }
}

/// Runs `f` with the running core; panics with a clear message outside a run.
/// Always inlined, as is every closure on the blocking path given to it (see `wait`).
#[inline(always)]
pub(crate) fn with_core<R>(f: impl FnOnce(&Core) -> R) -> R {
    let p = CORE.with(|c| c.get());
    if p.is_null() {
        panic!(
            "p2psim: this call needs a running simulation: call it inside a task \
             spawned on a Runtime (Runtime::spawn, then Runtime::run)"
        );
    }
    // SAFETY: CORE is non-null only between `enter` and the guard's drop, i.e.
    // while `Runtime::run*` (or its teardown) holds the `Rc<Core>` alive on this
    // thread; the core is only ever accessed through shared references.
    f(unsafe { &*p })
}

/// Runs `f` with the running core, if there is one.
#[inline]
pub(crate) fn try_with_core<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    let p = CORE.with(|c| c.get());
    if p.is_null() {
        None
    } else {
        // SAFETY: as in `with_core`.
        Some(f(unsafe { &*p }))
    }
}

/// Whether a runtime runs on this thread (in a task, a callback, or its teardown).
#[inline]
pub(crate) fn running() -> bool {
    !CORE.with(|c| c.get()).is_null()
}

/// Whether the caller is task code of a running runtime.
#[inline]
pub(crate) fn in_task() -> bool {
    try_with_core(|c| c.current().is_some()).unwrap_or(false)
}

/// Records the yielder of the worker now running (done at each job start).
#[inline]
pub(crate) fn set_yielder(y: &Yielder<Resume, Suspend>) {
    YIELDER.with(|c| c.set(y));
}

/// Suspends the running task back to the scheduler, which already knows why.
#[inline(always)]
pub(crate) fn suspend(core: &Core) {
    let y = YIELDER.with(|c| c.get());
    assert!(!y.is_null(), "p2psim: suspend outside a task");
    let exec = core.exec();
    if exec.software_guard() {
        check_stack_depth(core);
    }
    // SAFETY: YIELDER is set by the worker coroutine currently executing this
    // code (the running task's), and that yielder lives on the coroutine's own
    // stack, which is live for as long as we execute on it.
    let y = unsafe { &*y };
    if core.may_hand_off() && core.run_ready(y) {
        return;
    }
    let resume = if exec.shared() {
        suspend_recording_sp(exec, y)
    } else {
        y.suspend(Suspend::Parked)
    };
    // Other workers ran in between and set their own yielders.
    YIELDER.with(|c| c.set(y));
    if let Resume::Exit = resume {
        unreachable!("p2psim: a parked task is never told to exit");
    }
}

/// Suspends like `suspend`, first recording (for the shared stack) its stack
/// pointer: every frame of the task's code lies above it, and below it only the
/// switch's own use, which `shared_stack::measure_switch_depth` measures once.
///
/// Never inlined, though the rest of the blocking path is (see `wait`): the
/// switch's use below the recorded pointer must be the same at every
/// suspension, the probe's included. Inlined, each copy would get its own
/// choice of whether corosensei's `Yielder::suspend` is inlined too; where it
/// is not, its frame lies below the pointer, deeper than the probe measured,
/// is not saved, and the task returns into garbage when resumed. As one
/// function it is one choice for all. The price is a
/// return across the switch (see `wait`), on shared stacks only.
#[inline(never)]
pub(crate) fn suspend_recording_sp(exec: &ExecState, y: &Yielder<Resume, Suspend>) -> Resume {
    exec.record_sp(stack_pointer());
    y.suspend(Suspend::Parked)
}

/// The current stack pointer (the lowest address of this function's frame).
#[inline(always)]
fn stack_pointer() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads a register into a local; touches no memory and no flags.
        unsafe {
            std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: as above.
        unsafe {
            std::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        // A local of this (inlined) frame, less a frame's worth for the rest of it.
        let marker = 0u8;
        std::hint::black_box(&marker) as *const u8 as usize - 512
    }
}

/// With software guards (no guard pages), an overflow is caught when the task
/// suspends deeper than its stack allows.
fn check_stack_depth(core: &Core) {
    let marker = 0u8;
    let sp = &marker as *const u8 as usize;
    let [_, limit, top] = core.exec().current_stack();
    if sp < limit || sp > top {
        super::overflow::report_overflow(core);
    }
}

/// The raw core pointer, for the stack-overflow signal handler only.
pub(crate) fn core_ptr() -> *const Core {
    CORE.with(|c| c.get())
}
