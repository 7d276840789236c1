//! Stack overflow reports: a SIGSEGV on a task's guard page names the task and exits.
//!
//! Recovering from an overflow would mean resuming code whose state is half
//! written, so the process prints which task overflowed, its stack size and the
//! virtual time, and exits with status 1 (a failed simulation). Faults that are
//! not on a task's guard page go to the handler that was installed before ours
//! (Rust's own, which reports overflows of the main thread's stack).

use std::mem::MaybeUninit;
use std::sync::OnceLock;

use super::context;
use crate::sched::core::Core;

struct Previous {
    segv: libc::sigaction,
    bus: libc::sigaction,
}

// SAFETY: `sigaction` is plain data (a handler address, flags and a mask); it is
// written once before the handler can run and only read afterwards.
unsafe impl Sync for Previous {}
// SAFETY: as above.
unsafe impl Send for Previous {}

static PREVIOUS: OnceLock<Previous> = OnceLock::new();

/// Installs the overflow handler for SIGSEGV and SIGBUS, once per process.
pub(crate) fn install_handler() {
    PREVIOUS.get_or_init(|| {
        // SAFETY: we build a valid sigaction (zeroed, then handler, flags and an
        // empty mask) and install it; the previous actions are saved for chaining.
        // SA_ONSTACK: an overflowing task has no stack left to run the handler on;
        // Rust installs an alternate signal stack on every thread it starts.
        unsafe {
            let mut action: libc::sigaction = MaybeUninit::zeroed().assume_init();
            action.sa_sigaction = on_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut segv: libc::sigaction = MaybeUninit::zeroed().assume_init();
            let mut bus: libc::sigaction = MaybeUninit::zeroed().assume_init();
            libc::sigaction(libc::SIGSEGV, &action, &mut segv);
            libc::sigaction(libc::SIGBUS, &action, &mut bus);
            Previous { segv, bus }
        }
    });
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let core = context::core_ptr();
    if !core.is_null() {
        // SAFETY: a non-null core pointer means a runtime is running on this thread
        // and keeps the core alive; we only read plain fields.
        let core = unsafe { &*core };
        let [guard, limit, _] = core.exec().current_stack();
        if core.current().is_some() && addr >= guard && addr < limit {
            report_overflow(core);
        }
    }
    chain(sig, info, ctx);
}

/// Passes a fault that is not ours to the previous handler, or to the default action.
fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(prev) = PREVIOUS.get() else { return };
    let prev = if sig == libc::SIGBUS {
        &prev.bus
    } else {
        &prev.segv
    };
    let handler = prev.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // SAFETY: restoring the default action; returning re-executes the faulting
        // instruction, which then terminates the process with the usual signal.
        unsafe {
            let mut dfl: libc::sigaction = MaybeUninit::zeroed().assume_init();
            dfl.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &dfl, std::ptr::null_mut());
        }
    } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler was installed with SA_SIGINFO, so it has
        // this signature; we pass the arguments the kernel gave us.
        unsafe {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(handler);
            f(sig, info, ctx);
        }
    } else {
        // SAFETY: a plain handler takes only the signal number.
        unsafe {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
            f(sig);
        }
    }
}

/// Prints which task overflowed its stack and exits with status 1. Uses only
/// async-signal-safe calls (`write`, `_exit`) and no allocation.
pub(crate) fn report_overflow(core: &Core) -> ! {
    let [_, limit, top] = core.exec().current_stack();
    write_str("p2psim: simulation failed: stack overflow in task '");
    if core.current().is_some() {
        // The running task's header, which needs no borrow of the task table
        // (the fault may have hit while the table was borrowed).
        let (_, t) = core.running();
        t.name.write_parts(write_str, |n| write_num(n, ""));
        write_str("' (");
        write_num(t.id.0, "#");
    }
    write_str(") at virtual time ");
    write_num(core.now().as_nanos(), "");
    write_str(" ns, seed ");
    write_num(core.config().seed, "");
    write_str("; its stack is ");
    write_num((top - limit) as u64, "");
    write_str(" bytes: give the pool a larger stack_size\n");
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(1) }
}

pub(super) fn write_str(s: &str) {
    // SAFETY: writing a valid buffer to stderr; write is async-signal-safe.
    unsafe {
        libc::write(2, s.as_ptr().cast(), s.len());
    }
}

pub(super) fn write_num(mut n: u64, prefix: &str) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    write_str(prefix);
    write_str(std::str::from_utf8(&buf[i..]).unwrap_or("?"));
}
