//! Task stacks carved from large memory regions, each with a guard page that costs
//! no kernel map entry.
//!
//! One `mmap` per stack plus an `mprotect`ed guard costs two kernel map entries,
//! and a default kernel allows 65,530 (`vm.max_map_count`): about 32,750 stacks.
//! Here stacks are slots in a few large `MAP_NORESERVE` regions (one map entry per
//! region, regions double in size), and the lowest page of each slot becomes a
//! guard with `madvise(MADV_GUARD_INSTALL)` (Linux 6.13+), which marks page-table
//! entries instead of splitting the mapping. A touch of the guard raises SIGSEGV,
//! which [`crate::exec::overflow`] turns into a report naming the task.
//!
//! On kernels without guard markers the slots have no hardware guard and
//! [`GuardMode::Software`] is reported: the scheduler then checks each task's
//! stack pointer whenever it suspends, which catches an overflow that is still
//! deep when the task blocks but not one that returned before blocking.
//!
//! Memory: only touched pages are resident; a task that blocks shallowly touches
//! one 4 KiB page. Slots are never unmapped while the runtime lives, because
//! workers (and so their stacks) are recycled rather than freed.

use std::io;
use std::ptr;

use corosensei::stack::{Stack, StackPointer};

/// `MADV_GUARD_INSTALL` from `<linux/mman.h>` (Linux 6.13); not yet in every libc crate.
const MADV_GUARD_INSTALL: libc::c_int = 102;

/// Slots in the first region; each later region doubles, up to `MAX_REGION_SLOTS`.
const FIRST_REGION_SLOTS: usize = 16;
/// Regions stop doubling here (a few GiB of address space; no memory until touched).
const MAX_REGION_SLOTS: usize = 16 * 1024;

/// How stack overflow is detected for this runtime's stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardMode {
    /// A hardware guard page below every stack (`MADV_GUARD_INSTALL`).
    Hardware,
    /// No guard page available; the stack pointer is checked at every suspension.
    Software,
}

impl GuardMode {
    /// Short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardMode::Hardware => "guard-page",
            GuardMode::Software => "software-check",
        }
    }
}

/// One task stack: a slot of a region. Bounds only; the region owns the memory.
#[derive(Debug)]
pub(crate) struct SlotStack {
    /// Lowest usable address (just above the guard).
    pub limit: usize,
    /// Highest address (exclusive): the stack grows down from here.
    pub top: usize,
}

// SAFETY: `top` and `limit` bound a readable and writable range of `top - limit`
// bytes (>= MIN_STACK_SIZE, page aligned so STACK_ALIGNMENT holds) that belongs to
// this slot alone and stays mapped until the allocator is dropped, which the
// runtime does only after every coroutine using a slot has been dropped.
unsafe impl Stack for SlotStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.top).expect("stack top is never null")
    }

    fn limit(&self) -> StackPointer {
        StackPointer::new(self.limit).expect("stack limit is never null")
    }
}

/// The layout every slot shares: its usable bytes, and below them its guard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SlotSpan {
    pub size: usize,
    pub guard: usize,
}

impl SlotSpan {
    /// (guard, limit, top) of the slot whose top is `top`: the top alone locates it.
    #[inline]
    pub fn bounds(self, top: usize) -> [usize; 3] {
        let limit = top.wrapping_sub(self.size);
        [limit.wrapping_sub(self.guard), limit, top]
    }
}

struct Region {
    base: *mut u8,
    len: usize,
}

/// Carves stacks from regions; hands each slot out once (workers recycle them).
pub(crate) struct StackAllocator {
    page: usize,
    stack_size: usize,
    slot_size: usize,
    regions: Vec<Region>,
    /// Slots already handed out from the last region.
    used_in_last: usize,
    slots_in_last: usize,
    mode: Option<GuardMode>,
}

impl StackAllocator {
    /// An allocator of stacks with `stack_size` usable bytes (rounded up to pages).
    pub fn new(stack_size: usize) -> Self {
        let page = page_size();
        let stack_size = stack_size
            .max(corosensei::stack::MIN_STACK_SIZE)
            .div_ceil(page)
            * page;
        StackAllocator {
            page,
            stack_size,
            slot_size: stack_size + page,
            regions: Vec::new(),
            used_in_last: 0,
            slots_in_last: 0,
            mode: None,
        }
    }

    /// (guard, limit, top) of the stack whose top is `top`.
    pub fn bounds(&self, top: usize) -> [usize; 3] {
        self.span().bounds(top)
    }

    /// The layout of every slot: usable bytes, then a guard page below them.
    pub fn span(&self) -> SlotSpan {
        SlotSpan {
            size: self.stack_size,
            guard: self.page,
        }
    }

    /// Usable bytes per stack.
    pub fn stack_size(&self) -> usize {
        self.stack_size
    }

    /// How overflow is detected (known once the first stack was carved).
    pub fn mode(&self) -> GuardMode {
        self.mode.unwrap_or(GuardMode::Hardware)
    }

    /// Carves the next stack, mapping a new region when the last one is full.
    pub fn carve(&mut self) -> io::Result<SlotStack> {
        if self.used_in_last == self.slots_in_last {
            self.map_region()?;
        }
        let region = self.regions.last().expect("a region was just mapped");
        let guard = region.base as usize + self.used_in_last * self.slot_size;
        self.used_in_last += 1;
        self.install_guard(guard);
        Ok(SlotStack {
            limit: guard + self.page,
            top: guard + self.slot_size,
        })
    }

    /// Maps the next region: twice the last one, or as many slots as the
    /// address space still holds (down to one) when that is refused.
    fn map_region(&mut self) -> io::Result<()> {
        let mut slots = if self.slots_in_last == 0 {
            FIRST_REGION_SLOTS
        } else {
            (self.slots_in_last * 2).min(MAX_REGION_SLOTS)
        };
        loop {
            match self.map_slots(slots) {
                Err(_) if slots > 1 => slots /= 2,
                done => return done,
            }
        }
    }

    fn map_slots(&mut self, slots: usize) -> io::Result<()> {
        let len = slots * self.slot_size;
        // SAFETY: an anonymous private mapping at a kernel-chosen address touches no
        // existing memory. MAP_NORESERVE: only touched pages are committed, so a
        // region of many large stacks costs nothing until tasks use them.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        self.regions.push(Region {
            base: base.cast(),
            len,
        });
        self.slots_in_last = slots;
        self.used_in_last = 0;
        Ok(())
    }

    fn install_guard(&mut self, guard: usize) {
        if self.mode == Some(GuardMode::Software) {
            return;
        }
        // SAFETY: [guard, guard + page) lies inside a region this allocator mapped
        // and is the guard page of a slot no one has used yet.
        let rc =
            unsafe { libc::madvise(guard as *mut libc::c_void, self.page, MADV_GUARD_INSTALL) };
        self.mode = Some(if rc == 0 {
            GuardMode::Hardware
        } else {
            GuardMode::Software
        });
    }

    /// Whether `addr` lies in the guard page of any slot of this allocator.
    #[cfg(test)]
    pub fn is_guard_address(&self, addr: usize) -> bool {
        self.regions.iter().any(|r| {
            let base = r.base as usize;
            addr >= base && addr < base + r.len && (addr - base) % self.slot_size < self.page
        })
    }

    /// Bytes of `stack` that are resident, counted down from its top: the stack's
    /// high-water mark (pages once touched stay resident while the worker lives).
    pub fn resident_bytes(&self, stack: &SlotStack) -> usize {
        let pages = (stack.top - stack.limit) / self.page;
        let mut vec = vec![0u8; pages];
        // SAFETY: [limit, top) is mapped (part of one of our regions) and `vec`
        // has one byte per page of it, as mincore requires.
        let rc = unsafe {
            libc::mincore(
                stack.limit as *mut libc::c_void,
                stack.top - stack.limit,
                vec.as_mut_ptr(),
            )
        };
        if rc != 0 {
            return 0;
        }
        // Pages above the lowest resident one were touched on the way down.
        match vec.iter().position(|b| b & 1 == 1) {
            Some(lowest) => (pages - lowest) * self.page,
            None => 0,
        }
    }
}

/// Fresh stacks from the allocator the pool uses, for measuring what the first
/// touch of a task's stack costs on this machine: a million tasks alive at once
/// each need the top page of a stack of their own, so this is the floor under a
/// workload like W3 (the kernel maps and zeroes one page per touch).
pub struct FreshStacks {
    stacks: StackAllocator,
    tops: Vec<usize>,
}

impl FreshStacks {
    /// Carves `n` stacks of `stack_size` bytes, untouched.
    pub fn carve(n: usize, stack_size: usize) -> io::Result<Self> {
        let mut stacks = StackAllocator::new(stack_size);
        let tops = (0..n)
            .map(|_| stacks.carve().map(|s| s.top))
            .collect::<io::Result<Vec<usize>>>()?;
        Ok(FreshStacks { stacks, tops })
    }

    /// Writes the top word of every stack, as a task's first frame does; returns
    /// how many stacks it touched.
    pub fn touch_all(&mut self) -> usize {
        for &top in &self.tops {
            // SAFETY: [top - 8, top) lies inside a slot's usable range, which the
            // allocator mapped read-write and which nothing else uses.
            unsafe { std::ptr::write_volatile((top - 8) as *mut u64, 1) };
        }
        self.tops.len()
    }

    /// Bytes resident in the first stack (one page once touched).
    pub fn resident_of_first(&self) -> usize {
        self.tops.first().map_or(0, |&top| {
            let [_, limit, top] = self.stacks.bounds(top);
            self.stacks.resident_bytes(&SlotStack { limit, top })
        })
    }
}

impl Drop for StackAllocator {
    fn drop(&mut self) {
        for r in &self.regions {
            // SAFETY: each region was mapped by `map_region` with this length and
            // every coroutine that used one of its slots has been dropped already
            // (the runtime drops its workers before its allocator).
            unsafe {
                libc::munmap(r.base.cast(), r.len);
            }
        }
    }
}

/// The system page size.
pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_disjoint_page_aligned_and_guarded() {
        let mut a = StackAllocator::new(64 * 1024);
        let stacks: Vec<_> = (0..40).map(|_| a.carve().unwrap()).collect();
        for w in stacks.windows(2) {
            let ([g0, _, t0], [g1, _, t1]) = (a.bounds(w[0].top), a.bounds(w[1].top));
            assert!(t0 <= g1 || t1 <= g0);
            assert_eq!(g1 + a.page, w[1].limit);
        }
        for s in &stacks {
            assert_eq!(s.limit % a.page, 0);
            assert_eq!(s.top - s.limit, a.stack_size());
            assert!(a.is_guard_address(a.bounds(s.top)[0]));
            assert!(!a.is_guard_address(s.limit));
        }
        assert_eq!(a.regions.len(), 2, "16 then 32 slots");
    }

    #[test]
    fn resident_bytes_grow_with_touched_pages() {
        let mut a = StackAllocator::new(64 * 1024);
        let s = a.carve().unwrap();
        assert_eq!(a.resident_bytes(&s), 0);
        // SAFETY: the address lies in the slot's usable range, mapped and
        // writable, and nothing else uses this fresh slot.
        unsafe { ptr::write_volatile((s.top - 3 * a.page - 8) as *mut u64, 1) };
        assert_eq!(a.resident_bytes(&s), 4 * a.page);
    }

    #[test]
    fn fresh_stacks_are_untouched_until_touched() {
        let mut f = FreshStacks::carve(4, 64 * 1024).unwrap();
        assert_eq!(f.resident_of_first(), 0);
        assert_eq!(f.touch_all(), 4);
        assert_eq!(f.resident_of_first(), page_size());
    }
}
