//! Warming the caches for the task that runs next, while the current one runs.
//!
//! With thousands of tasks, resuming one touches memory nothing touched for a
//! long time: its cell, its worker and the top of its stack, each found through
//! the one before (a chain of cache and TLB misses). The scheduler knows the next
//! task one step ahead (the run queue's front, or the earliest timer), so it asks
//! for those lines before resuming the current task, and they arrive while it runs.

/// Where a parked task's hot memory is, kept per task key and packed into one
/// word (a million blocked tasks hold a million hints): the cache line where it
/// last suspended, how many lines of stack it uses above it, and its worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hint(u64);

/// Bits of the worker index; workers beyond are not prefetched.
const WORKER_BITS: u32 = 20;
const WORKER_NONE: u64 = (1 << WORKER_BITS) - 1;
const LINES_BITS: u32 = 3;
/// The stack line number sits above the worker and the line count.
const SP_SHIFT: u32 = WORKER_BITS + LINES_BITS;

/// Most stack lines fetched ahead above the suspension point: the frames up to
/// the task's own loop are usually a few hundred bytes.
pub(crate) const MAX_STACK_LINES: usize = (1 << LINES_BITS) - 1;

impl Hint {
    /// A task that has not run yet: nothing to fetch.
    pub const NONE: Hint = Hint(WORKER_NONE);

    /// The same hint with the task's worker.
    pub fn with_worker(self, worker: u32) -> Hint {
        let w = u64::from(worker).min(WORKER_NONE);
        Hint((self.0 & !WORKER_NONE) | w)
    }

    /// The same hint with the suspension point `sp` and `lines` of stack above it.
    #[inline]
    pub fn with_stack(self, sp: usize, lines: usize) -> Hint {
        let lines = lines.min(MAX_STACK_LINES) as u64;
        let line = (sp as u64) >> 6;
        Hint((line << SP_SHIFT) | (lines << WORKER_BITS) | (self.0 & WORKER_NONE))
    }

    /// The worker, if known and small enough to be recorded.
    pub fn worker(self) -> Option<usize> {
        let w = self.0 & WORKER_NONE;
        (w != WORKER_NONE).then_some(w as usize)
    }

    /// The line-aligned suspension point, or 0 before the task first suspended.
    fn sp(self) -> usize {
        ((self.0 >> SP_SHIFT) << 6) as usize
    }

    fn lines(self) -> usize {
        ((self.0 >> WORKER_BITS) & ((1 << LINES_BITS) - 1)) as usize
    }
}

const LINE: usize = 64;

/// Bytes below the recorded pointer that a resumption touches first (the frames
/// of the switch itself).
const BELOW_SP: usize = 192;

/// Asks for the cache line holding `addr` (never faults, whatever the address).
#[inline(always)]
pub(crate) fn line(addr: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it does not fault or change memory, whatever
    // the address, so any value is sound.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(addr as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}

/// Asks for the stack lines a task suspended at `hint` will touch when resumed.
#[inline]
pub(crate) fn stack(hint: Hint) {
    let sp = hint.sp();
    if sp == 0 {
        return;
    }
    // The switch's frames and saved registers sit below the recorded pointer.
    let end = sp.wrapping_add(hint.lines() * LINE);
    let mut addr = sp.wrapping_sub(BELOW_SP);
    while addr <= end {
        line(addr);
        addr += LINE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_keeps_its_parts() {
        let h = Hint::NONE
            .with_worker(12345)
            .with_stack(0x7fff_1234_5678, 5);
        assert_eq!(h.worker(), Some(12345));
        assert_eq!(h.sp(), 0x7fff_1234_5640);
        assert_eq!(h.lines(), 5);
        let h = h.with_worker(7).with_stack(0x7000_0000_0000, 99);
        assert_eq!((h.worker(), h.lines()), (Some(7), MAX_STACK_LINES));
        assert_eq!(Hint::NONE.worker(), None);
        assert_eq!(Hint::NONE.sp(), 0);
        assert_eq!(Hint::NONE.with_worker(u32::MAX).worker(), None);
    }
}

/// State a simulation will read soon, named by a reference: the network warms
/// it a batch of deliveries ahead (see `Mechanism::hot_state` in the sim crate).
/// Holding one borrows the state, so it can only name memory that is alive.
#[derive(Clone, Copy, Debug)]
pub struct Hot<'a> {
    addr: usize,
    _state: std::marker::PhantomData<&'a ()>,
}

impl<'a> Hot<'a> {
    /// The memory of `state` (its first cache line).
    pub fn of<T>(state: &'a T) -> Self {
        Hot {
            addr: state as *const T as usize,
            _state: std::marker::PhantomData,
        }
    }

    /// Asks the CPU to bring it closer: a hint, which changes timing only.
    #[inline]
    pub fn warm(self) {
        line(self.addr);
    }
}
