//! Cache warming: every prefetch the runtime makes, behind one small interface.
//!
//! With thousands of tasks, resuming one touches memory nothing touched for a
//! long time: its cell, its worker and the top of its stack, each found through
//! the one before (a chain of cache and TLB misses). The scheduler knows the next
//! task one step ahead (the run queue's front, or the earliest timer), so it asks
//! for those lines before resuming the current task, and they arrive while it runs.
//!
//! What this module owns: when warming pays ([`pays`]), what a task's table
//! entry and a timer keep for it ([`TaskHint`], [`TimerHint`], opaque to their
//! holders), what is fetched for the next task ([`ready_task`], [`timed_task`])
//! and for the records the pool and the callbacks read next ([`record`],
//! [`closure`], [`saved_frames`]). Only [`Hot`] is seen above the runtime: the
//! one optional hint a simulation may give (see the sim crate's
//! `Mechanism::warm`). Every function here is a hint: none changes what a run
//! does, only how long it takes.

use std::cell::Cell;

use crate::task::{Header, TaskSlot};

/// Below this many live tasks everything stays in cache: warming only costs.
const MIN_TASKS: usize = 64;

/// Bytes of a cell prefetched before its first run (its header and closure;
/// lines past a smaller cell are harmless to ask for).
const FIRST_RUN_CELL: usize = 256;

/// Bytes of a cell prefetched before any later run: the header's hot fields
/// fill its first line, and the second holds what a task's last run touches
/// (its result, written when the body returns; its name and wait detail,
/// dropped with the cell), which a task's end otherwise waits on.
const RESUMED_CELL: usize = 128;

/// At most this many bytes of a task's saved frames (shared stack) are
/// prefetched before it resumes.
const SAVED_FRAMES: usize = 1024;

/// How many callbacks ahead of the one running the scheduler warms.
pub(crate) const CALLBACKS_AHEAD: usize = 4;

const LINE: usize = 64;

/// Bytes below the recorded pointer that a resumption touches first (the frames
/// of the switch itself).
const BELOW_SP: usize = 192;

/// Whether `alive` tasks are enough that their memory falls out of the caches,
/// so that warming the next one pays (below, it only costs).
#[inline(always)]
pub(crate) fn pays(alive: usize) -> bool {
    alive > MIN_TASKS
}

/// Where a parked task's hot memory is, packed into one word (a million
/// blocked tasks hold a million hints): the cache line where it last
/// suspended, how many lines of stack it uses above it, and its worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hint(u64);

/// Bits of the worker index; workers beyond are not prefetched.
const WORKER_BITS: u32 = 20;
const WORKER_NONE: u64 = (1 << WORKER_BITS) - 1;
const LINES_BITS: u32 = 3;
/// The stack line number sits above the worker and the line count.
const SP_SHIFT: u32 = WORKER_BITS + LINES_BITS;

/// Most stack lines fetched ahead above the suspension point: the frames up to
/// the task's own loop are usually a few hundred bytes.
const MAX_STACK_LINES: usize = (1 << LINES_BITS) - 1;

impl Hint {
    /// A task that has not run yet: nothing to fetch.
    const NONE: Hint = Hint(WORKER_NONE);

    /// The same hint with the task's worker.
    fn with_worker(self, worker: u32) -> Hint {
        let w = u64::from(worker).min(WORKER_NONE);
        Hint((self.0 & !WORKER_NONE) | w)
    }

    /// The same hint with the suspension point `sp` and `lines` of stack above it.
    #[inline]
    fn with_stack(self, sp: usize, lines: usize) -> Hint {
        let lines = lines.min(MAX_STACK_LINES) as u64;
        let line = (sp as u64) >> 6;
        Hint((line << SP_SHIFT) | (lines << WORKER_BITS) | (self.0 & WORKER_NONE))
    }

    /// The worker, if known and small enough to be recorded.
    fn worker(self) -> Option<usize> {
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

/// What a task's table entry keeps for warming it: where it last suspended and
/// its worker, so that it is fetched without touching its cell.
pub(crate) struct TaskHint(Cell<Hint>);

impl TaskHint {
    /// The hint of a task that has not run yet: nothing to fetch.
    pub(crate) fn new() -> Self {
        TaskHint(Cell::new(Hint::NONE))
    }

    /// Records the worker the task was given on its first run.
    #[inline]
    pub(crate) fn bind(&self, worker: u32) {
        self.0.set(self.0.get().with_worker(worker));
    }
}

/// What a timer carries about its task's memory, so that the scheduler can warm
/// it one wake-up ahead without a load through the task table. Only ever
/// prefetched: stale values are harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerHint {
    /// The task's entry in the task table (read first, to check the timer is live).
    slot: usize,
    /// The task's header (0 for none).
    header: usize,
    /// Its worker and where its stack will be touched.
    hint: Hint,
}

impl TimerHint {
    /// Nothing to prefetch (callbacks, or too few tasks for warming to pay).
    pub(crate) const NONE: TimerHint = TimerHint {
        slot: 0,
        header: 0,
        hint: Hint::NONE,
    };

    /// The worker of the timer's task, if it has run.
    #[inline]
    pub(crate) fn worker(&self) -> Option<usize> {
        self.hint.worker()
    }
}

/// Records where the task of `slot`, whose stack's top is `top`, will suspend
/// (about `sp`: the caller is inlined into the frame that switches), so that
/// its stack can be fetched before it is resumed; returns what its timer, if
/// it sets one, carries.
#[inline(always)]
pub(crate) fn suspending(slot: &TaskSlot, top: usize, sp: usize) -> TimerHint {
    let lines = top.saturating_sub(sp) / LINE;
    let cell = &slot.hint().0;
    let hint = cell.get().with_stack(sp, lines);
    cell.set(hint);
    TimerHint {
        slot: slot as *const TaskSlot as usize,
        header: &**slot as *const Header as usize,
        hint,
    }
}

/// Warms the run queue's front task (`slot`) before it runs: its cell and the
/// top of its stack. Returns its worker, whose record the pool may warm too.
#[inline]
pub(crate) fn ready_task(slot: &TaskSlot) -> Option<usize> {
    let header = &**slot as *const Header as usize;
    task(header, slot.hint().0.get())
}

/// Warms the task of the earliest timer (`timer`), as [`ready_task`] does.
/// The timer carries what the task table would give, saving a dependent load
/// (a cache miss with many tasks) before the prefetches.
#[inline]
pub(crate) fn timed_task(timer: TimerHint) -> Option<usize> {
    if timer.header == 0 {
        return None;
    }
    // The table entry is read first, to check the timer is live.
    line(timer.slot);
    task(timer.header, timer.hint)
}

#[inline(always)]
fn task(header: usize, hint: Hint) -> Option<usize> {
    // The whole cell before a first run, which reads its closure beyond the
    // header; two lines before a later one.
    // Whether it ran is read from the hint, not the header: the header is
    // what is being fetched, and waiting for it here would stall the loop.
    let cell = match hint.worker() {
        None => FIRST_RUN_CELL,
        Some(_) => RESUMED_CELL,
    };
    for offset in (0..cell).step_by(LINE) {
        line(header + offset);
    }
    stack(hint);
    hint.worker()
}

/// Asks for the stack lines a task suspended at `hint` will touch when resumed.
#[inline]
fn stack(hint: Hint) {
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

/// Warms a record that is read whole: its first and its last byte's lines
/// (a pool worker, a shared-stack worker's record of its saved frames).
#[inline]
pub(crate) fn record<T>(record: &T) {
    let addr = record as *const T as usize;
    line(addr);
    line(addr + std::mem::size_of::<T>() - 1);
}

/// Warms a boxed callback's closure (boxed when it was scheduled, one hop's
/// worth of messages ago, so it has left the caches).
#[inline]
pub(crate) fn closure(f: &dyn FnOnce()) {
    let addr = f as *const dyn FnOnce() as *const u8 as usize;
    let size = std::mem::size_of_val(f);
    for offset in (0..size).step_by(LINE) {
        line(addr + offset);
    }
}

/// Warms the first bytes of a task's frames saved off the shared stack
/// (`len` bytes at `addr`), which are copied back before it resumes.
#[inline]
pub(crate) fn saved_frames(addr: usize, len: usize) {
    for offset in (0..len.min(SAVED_FRAMES)).step_by(LINE) {
        line(addr + offset);
    }
}

/// Asks for the cache line holding `addr` (never faults, whatever the address).
#[inline(always)]
fn line(addr: usize) {
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

/// State a simulation will read soon, named by a reference: the network warms
/// it a batch of deliveries ahead (see `Mechanism::warm` in the sim crate).
/// The one hint the runtime takes from above: it changes timing only, never
/// what a run does. Holding one borrows the state, so it can only name memory
/// that is alive.
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
