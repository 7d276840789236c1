//! One stack for every worker (`StackMode::Shared`): a suspended worker's live
//! frames are copied out when another worker needs the stack, and copied back
//! to the same addresses before it resumes.
//!
//! Frames go back to exactly where they were, so every pointer into them (the
//! yielder, references between frames, unwinding records) stays valid. Nothing
//! outside a task holds a pointer into its frames while it is suspended: task
//! closures are `'static`, primitives keep their state on the heap, and a waiter
//! checks its own predicate when it resumes.
//!
//! What is live: from the stack pointer the resident task recorded when it
//! suspended (the resident is always the last worker to have run on the
//! stack, so the core's one record is its), less what the switch itself
//! pushes below it (measured once per stack by
//! suspending a probe over a patterned stack), up to the top. A worker whose
//! coroutine returned (shared workers end their coroutine with their job) has
//! nothing live and is never saved.

use std::mem::MaybeUninit;
use std::ptr;

use corosensei::{Coroutine, CoroutineResult};

use super::context;
use super::stack::SlotStack;
use super::warm;
use super::worker::{Resume, Suspend};
use super::ExecState;

/// The shared stack's bounds, which worker's frames are on it, and everyone else's.
pub(crate) struct SharedStack {
    limit: usize,
    top: usize,
    /// Bytes below a recorded stack pointer that a suspended task still uses.
    margin: usize,
    /// The worker whose frames are on the stack now.
    resident: Option<u32>,
    /// Per worker (same index): its frames while it is off the stack (the bytes
    /// of `[top - len, top)`), or empty while it is resident (the capacity is
    /// kept for the next save).
    frames: Vec<Vec<MaybeUninit<u8>>>,
}

/// Bytes below the top an unstarted coroutine may use (corosensei's initial frame).
const INITIAL_FRAME: usize = 256;

/// How far below its recorded stack pointer the probe's switch is looked for.
const PROBE_SPAN: usize = 4096;

/// Bytes added to the measured switch depth: one word, for a saved register
/// that happened to equal the probe's pattern (the depth is otherwise exact,
/// since every suspension goes through the one function the probe measured;
/// a margin one word short crashes the release shared-stack tests). Every byte
/// here is copied out and back at every shared-stack switch, and a save's
/// buffer is sized by it (a few words more can put a small task's buffer in
/// the allocator's next size class).
const MARGIN_SLACK: usize = 8;

/// The probe's fill; no return address is ever this word (a saved register
/// could be, in principle: see `MARGIN_SLACK`).
const PATTERN: u64 = 0xA5A5_A5A5_A5A5_A5A5;

/// Bytes below a saved frame's low end that debug builds poison on every save,
/// so that a task relying on anything below what was copied fails its tests.
#[cfg(debug_assertions)]
const POISON: usize = 4096;

impl SharedStack {
    /// A shared stack over `stack`'s bounds, with no worker yet (and nothing
    /// on the stack: measuring the switch uses it).
    pub fn new(stack: &SlotStack, exec: &ExecState) -> Self {
        SharedStack {
            limit: stack.limit,
            top: stack.top,
            margin: measure_switch_depth(stack, exec) + MARGIN_SLACK,
            resident: None,
            frames: Vec::new(),
        }
    }

    /// The bounds every shared worker's coroutine is given.
    pub fn slot(&self) -> SlotStack {
        SlotStack {
            limit: self.limit,
            top: self.top,
        }
    }

    /// Prepares for a new coroutine for worker `w` (a new index when `w` equals the
    /// workers created so far): the resident's frames are saved first, because
    /// creating a coroutine writes its initial frame at the top of the stack.
    pub fn prepare_new(&mut self, w: u32, exec: &ExecState, done: impl Fn(u32) -> bool) {
        self.evict(exec, done);
        if w as usize == self.frames.len() {
            self.frames.push(Vec::new());
        }
        self.frames[w as usize].clear();
        // Until it first suspends, its live frame is corosensei's initial one.
        exec.record_sp(self.top - INITIAL_FRAME);
        self.resident = Some(w);
    }

    /// Puts worker `w`'s frames on the stack (saving the resident's) before it resumes.
    #[inline]
    pub fn make_resident(&mut self, w: u32, exec: &ExecState, done: impl Fn(u32) -> bool) {
        if self.resident == Some(w) {
            return;
        }
        self.evict(exec, done);
        let s = &mut self.frames[w as usize];
        let len = s.len();
        // SAFETY: `[top - len, top)` lies in the shared stack (a save never copies
        // more than `top - limit` bytes), which stays mapped while the runtime
        // lives; no code runs on that stack now (the scheduler runs on its own),
        // and the buffer holds `len` bytes. These are the frames `w` left there.
        unsafe {
            ptr::copy_nonoverlapping(s.as_ptr(), (self.top - len) as *mut _, len);
        }
        s.clear();
        self.resident = Some(w);
    }

    /// Saves the resident worker's frames (unless its coroutine has ended), from
    /// the stack pointer it recorded in `exec` when it suspended; after this no
    /// worker is resident.
    pub fn evict(&mut self, exec: &ExecState, done: impl Fn(u32) -> bool) {
        let Some(r) = self.resident.take() else {
            return;
        };
        if done(r) {
            return;
        }
        let s = &mut self.frames[r as usize];
        let sp = exec.suspend_sp();
        let low = sp.saturating_sub(self.margin).clamp(self.limit, self.top);
        let len = self.top - low;
        s.clear();
        s.reserve_exact(len);
        // SAFETY: `[low, top)` lies in the shared stack, mapped while the runtime
        // lives, and no code runs on it now; the buffer has room for `len` bytes,
        // which are copied as untyped bytes and so all initialised `MaybeUninit`s.
        unsafe {
            ptr::copy_nonoverlapping(low as *const MaybeUninit<u8>, s.as_mut_ptr(), len);
            s.set_len(len);
        }
        #[cfg(debug_assertions)]
        {
            let from = low.saturating_sub(POISON).max(self.limit);
            // SAFETY: `[from, low)` lies in the shared stack below every live frame
            // (the one worker with frames there was just saved).
            unsafe { ptr::write_bytes(from as *mut u8, 0xA5, low - from) };
        }
    }

    /// Drops worker `w`'s record (the worker vector swap-removes it too); call
    /// only with no worker resident.
    pub fn swap_remove(&mut self, w: u32) {
        debug_assert!(self.resident.is_none());
        self.frames.swap_remove(w as usize);
    }

    /// Where worker `w`'s saved frames are, for prefetching before it resumes.
    #[inline]
    pub fn saved(&self, w: usize) -> Option<(usize, usize)> {
        let s = self.frames.get(w)?;
        (!s.is_empty()).then_some((s.as_ptr() as usize, s.len()))
    }

    /// Warms worker `w`'s record of its saved frames, so that a later
    /// `saved(w)` does not wait on it (with many workers the records are a
    /// random access into a large array).
    #[inline]
    pub fn warm_record(&self, w: usize) {
        if let Some(record) = self.frames.get(w) {
            warm::record(record);
        }
    }
}

/// How many bytes below the stack pointer that `context::suspend_recording_sp`
/// records the switch itself writes (its pushes, and corosensei's yielder frame
/// where the compiler did not inline it): a probe coroutine suspends through
/// that function (inlined into the probe as into every suspending frame: each
/// copy reads the stack pointer, then switches) over a stack filled with a
/// pattern, and the lowest word it changed is the deepest the switch goes. The
/// probe then leaves.
fn measure_switch_depth(stack: &SlotStack, exec: &ExecState) -> usize {
    let span = PROBE_SPAN.min(stack.top - stack.limit) & !7;
    let base = stack.top - span;
    // SAFETY: `[base, top)` lies in the shared stack, mapped and unused (no
    // coroutine has run on it yet), and is 8-byte aligned (the top is a page
    // boundary and `span` a multiple of 8).
    unsafe {
        let words = std::slice::from_raw_parts_mut(base as *mut u64, span / 8);
        words.fill(PATTERN);
    }
    let slot = SlotStack {
        limit: stack.limit,
        top: stack.top,
    };
    let mut probe: Coroutine<Resume, Suspend, (), SlotStack> =
        Coroutine::with_stack(slot, |y, _| {
            context::with_core(|core| context::suspend_recording_sp(core.exec(), y));
        });
    match probe.resume(Resume::Go) {
        CoroutineResult::Yield(Suspend::Parked) => {}
        _ => unreachable!("the probe suspends once"),
    }
    let sp = exec.suspend_sp();
    assert!(
        sp > base && sp < stack.top,
        "the probe ran on the shared stack"
    );
    // SAFETY: as above; the probe is suspended, so nothing writes to the stack
    // while these words are read.
    let lowest = unsafe {
        let words = std::slice::from_raw_parts(base as *const u64, span / 8);
        let first = words
            .iter()
            .position(|&w| w != PATTERN)
            .expect("the probe wrote to its stack");
        base + first * 8
    };
    match probe.resume(Resume::Exit) {
        CoroutineResult::Return(()) => {}
        _ => unreachable!("the probe returns when resumed"),
    }
    sp.saturating_sub(lowest)
}
