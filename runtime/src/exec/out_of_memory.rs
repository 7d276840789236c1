//! Out-of-memory reports: an allocation the system refuses ends the process with
//! a report and exit status 1, not Rust's bare "memory allocation failed" abort.
//!
//! Rust aborts the process when an infallible allocation fails (stable Rust
//! offers no hook to do otherwise). [`ReportingAlloc`] wraps the program's
//! global allocator and notes the size of every request it refuses; the abort
//! that follows raises SIGABRT, whose handler here prints what was refused,
//! the virtual time and the tasks of the runtime running on that thread, and
//! the program's advice on what to lower, then exits with status 1 (a run that
//! failed). An abort with no refused allocation before it goes on as usual.

use std::alloc::{GlobalAlloc, Layout};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::OnceLock;

use super::context;
use super::overflow::{write_num, write_str};

/// A global allocator around `A` that turns running out of memory into a report.
///
/// ```ignore
/// #[global_allocator]
/// static ALLOC: ReportingAlloc<std::alloc::System> = ReportingAlloc::new(std::alloc::System);
/// ```
pub struct ReportingAlloc<A>(A);

impl<A> ReportingAlloc<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> Self {
        ReportingAlloc(inner)
    }
}

/// The size of the last allocation refused (0: none was).
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// What the program advises lowering, printed after the report (a `&'static str`).
static ADVICE: AtomicPtr<&'static str> = AtomicPtr::new(std::ptr::null_mut());

#[inline]
fn noted(p: *mut u8, layout: Layout) -> *mut u8 {
    if p.is_null() {
        REFUSED.store(layout.size().max(1), Ordering::Relaxed);
    }
    p
}

// SAFETY: every method forwards to `A`'s with the caller's arguments unchanged,
// so `A`'s guarantees are this allocator's; noting a refusal allocates nothing.
unsafe impl<A: GlobalAlloc> GlobalAlloc for ReportingAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        noted(unsafe { self.0.alloc(layout) }, layout)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        noted(unsafe { self.0.alloc_zeroed(layout) }, layout)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is (see the impl).
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is (see the impl).
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if p.is_null() {
            REFUSED.store(new_size.max(1), Ordering::Relaxed);
        }
        p
    }
}

/// The SIGABRT handler installed before ours, when it takes only the signal
/// number (one with `SA_SIGINFO` is not called: the default action runs instead).
static PREVIOUS: OnceLock<usize> = OnceLock::new();

/// Installs the report for SIGABRT, once per process; `advice` (what to lower,
/// in the program's terms) is printed after it. A later call only replaces the
/// advice, which is kept when `None`.
pub fn install_report(advice: Option<&'static str>) {
    if let Some(a) = advice {
        ADVICE.store(Box::into_raw(Box::new(a)), Ordering::Release);
    }
    PREVIOUS.get_or_init(|| {
        // SAFETY: we build a valid sigaction (zeroed, then handler, flags and an
        // empty mask) and install it; the previous handler is kept for chaining.
        // SA_ONSTACK: the abort may come from a task's stack, nearly full.
        unsafe {
            let mut action: libc::sigaction = MaybeUninit::zeroed().assume_init();
            action.sa_sigaction = on_abort as *const () as usize;
            action.sa_flags = libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = MaybeUninit::zeroed().assume_init();
            libc::sigaction(libc::SIGABRT, &action, &mut previous);
            match previous.sa_flags & libc::SA_SIGINFO {
                0 => previous.sa_sigaction,
                _ => libc::SIG_DFL,
            }
        }
    });
}

extern "C" fn on_abort(sig: libc::c_int) {
    let refused = REFUSED.load(Ordering::Relaxed);
    if refused == 0 {
        return restore_default(sig);
    }
    write_str("p2psim: out of memory: the system refused an allocation of ");
    write_num(refused as u64, "");
    write_str(" bytes");
    let core = context::core_ptr();
    if !core.is_null() {
        // SAFETY: a non-null core pointer means a runtime runs on this thread and
        // keeps its core alive; we read plain fields (cells), no borrow.
        let core = unsafe { &*core };
        write_str(" at virtual time ");
        write_num(core.now().as_nanos(), "");
        write_str(" ns (seed ");
        write_num(core.config().seed, "");
        write_str(") with ");
        write_num(core.tasks_alive() as u64, "");
        write_str(" tasks alive");
    }
    write_str("\n");
    let advice = ADVICE.load(Ordering::Acquire);
    if !advice.is_null() {
        write_str("  help: ");
        // SAFETY: a non-null advice was leaked from a Box by `install_report`
        // and is never freed.
        write_str(unsafe { *advice });
        write_str("\n");
    }
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(1) }
}

/// Lets an abort that is not ours go on: the plain handler installed before
/// ours (Rust installs none for SIGABRT), else the default action once we return.
fn restore_default(sig: libc::c_int) {
    let previous = PREVIOUS.get().copied().unwrap_or(libc::SIG_DFL);
    if previous != libc::SIG_DFL && previous != libc::SIG_IGN {
        // SAFETY: the previous handler was installed as a plain handler (we
        // saved it as given); it takes only the signal number.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(previous) };
        return f(sig);
    }
    // SAFETY: restoring the default action; `abort` raises the signal again
    // when the handler returns, which then ends the process as usual.
    unsafe {
        let mut dfl: libc::sigaction = MaybeUninit::zeroed().assume_init();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &dfl, std::ptr::null_mut());
    }
}
