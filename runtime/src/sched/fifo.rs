//! The run queue's and the wait queues' ring buffer, without a borrow flag.
//!
//! These queues are touched several times per context switch (a wake pushes, a
//! park pushes, the next turn pops), and a `RefCell` checks and writes its flag
//! around each access. A `Fifo` needs no flag because no access can overlap
//! another: each method finishes with the deque before it returns, never hands
//! out a reference into it, and runs no code that could reach the queue again
//! (the items are `Copy`, so nothing is dropped; growing only calls the
//! allocator).

use std::cell::UnsafeCell;
use std::collections::VecDeque;

/// A first-in first-out queue of small `Copy` items for the single-threaded core.
pub(crate) struct Fifo<T: Copy>(UnsafeCell<Ring<T>>);

/// A ring of power-of-two capacity: an index wraps with a mask, where
/// `VecDeque` compares and subtracts (W1 pushes and pops eight times per round
/// trip), and a masked index needs no bounds check.
struct Ring<T> {
    /// The slots; `buf.len()` is zero or a power of two.
    buf: Vec<T>,
    /// `buf.len() - 1` (0 when empty): every `i & mask` indexes `buf`.
    mask: usize,
    /// Where the front item is.
    head: usize,
    /// How many items are queued.
    len: usize,
}

impl<T: Copy> Ring<T> {
    const EMPTY: Ring<T> = Ring {
        buf: Vec::new(),
        mask: 0,
        head: 0,
        len: 0,
    };

    #[inline(always)]
    fn slot(&self, i: usize) -> usize {
        (self.head + i) & self.mask
    }

    /// The item in slot `at` (a value of `slot`, as `head` always is).
    #[inline(always)]
    fn read(&self, at: usize) -> T {
        debug_assert!(at < self.buf.len());
        // SAFETY: `at` is masked (`slot`; `head` is only ever set to 0 or a
        // value of `slot`), so `at <= mask`, and `mask` is `buf.len() - 1`
        // whenever the ring holds an item (every caller checks `len` first,
        // and `len > 0` implies a non-empty `buf`).
        unsafe { *self.buf.get_unchecked(at) }
    }

    #[inline(always)]
    fn push_back(&mut self, item: T) {
        if self.len == self.buf.len() {
            self.grow(item);
        }
        let at = self.slot(self.len);
        debug_assert!(at < self.buf.len());
        // SAFETY: after the check above `buf` is non-empty, so `mask` is
        // `buf.len() - 1` and `at <= mask`.
        unsafe { *self.buf.get_unchecked_mut(at) = item };
        self.len += 1;
    }

    /// Doubles the capacity (at least 8 slots), keeping the order; `fill` only
    /// initializes the new slots.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, fill: T) {
        let cap = (self.buf.len() * 2).max(8);
        let mut buf = Vec::with_capacity(cap);
        buf.extend((0..self.len).map(|i| self.buf[self.slot(i)]));
        buf.resize(cap, fill);
        self.buf = buf;
        self.mask = cap - 1;
        self.head = 0;
    }

    #[inline(always)]
    fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.read(self.head);
        self.head = self.slot(1);
        self.len -= 1;
        Some(item)
    }

    #[inline(always)]
    fn get(&self, i: usize) -> Option<T> {
        (i < self.len).then(|| self.read(self.slot(i)))
    }

    /// Removes the `i`-th item, the others keeping their order.
    fn remove(&mut self, i: usize) -> Option<T> {
        let item = self.get(i)?;
        for j in i..self.len - 1 {
            let (to, from) = (self.slot(j), self.slot(j + 1));
            self.buf[to] = self.buf[from];
        }
        self.len -= 1;
        Some(item)
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.len).map(|i| self.buf[self.slot(i)])
    }
}

impl<T: Copy> Default for Fifo<T> {
    fn default() -> Self {
        Fifo(UnsafeCell::new(Ring::EMPTY))
    }
}

impl<T: Copy> Fifo<T> {
    /// Runs `f` on the ring. Private, and only ever given the short closures
    /// below, which neither re-enter this queue nor let a reference escape.
    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut Ring<T>) -> R) -> R {
        // SAFETY: `Fifo` is not `Sync` (UnsafeCell), so only this thread reaches
        // the ring, and no other access is in progress: every access goes
        // through `with`, whose closures (all in this file) do not call `with`
        // again, run no foreign code (items are `Copy`; growing calls only the
        // allocator) and return no reference into the ring.
        f(unsafe { &mut *self.0.get() })
    }

    /// Appends `item` at the back.
    #[inline(always)]
    pub fn push_back(&self, item: T) {
        self.with(|q| q.push_back(item));
    }

    /// Takes the front item.
    #[inline(always)]
    pub fn pop_front(&self) -> Option<T> {
        self.with(|q| q.pop_front())
    }

    /// The front item, left in place.
    #[inline(always)]
    pub fn front(&self) -> Option<T> {
        self.with(|q| q.get(0))
    }

    /// Takes item `i`, replacing it by the back item (order is not kept).
    /// Removes the `i`-th item from the front, the others keeping their order.
    pub fn remove(&self, i: usize) -> Option<T> {
        self.with(|q| q.remove(i))
    }

    /// The `i`-th item from the front.
    pub fn get(&self, i: usize) -> Option<T> {
        self.with(|q| q.get(i))
    }

    /// How many items are queued.
    pub fn len(&self) -> usize {
        self.with(|q| q.len)
    }

    /// Whether no item is queued.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.with(|q| q.len == 0)
    }

    /// Empties the queue, returning its items in order.
    pub fn take(&self) -> VecDeque<T> {
        self.with(|q| {
            let all = q.iter().collect();
            *q = Ring::EMPTY;
            all
        })
    }

    /// A copy of the items in order (for reports and checks off the hot path).
    pub fn to_vec(&self) -> Vec<T> {
        self.with(|q| q.iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// For all sequences of operations, a Fifo behaves as a VecDeque does.
        #[test]
        fn behaves_as_a_deque(ops in prop::collection::vec((0u8..6, any::<u16>()), 0..300)) {
            let fifo = Fifo::default();
            let mut model = VecDeque::new();
            for (op, x) in ops {
                match op {
                    0 | 1 => {
                        fifo.push_back(x);
                        model.push_back(x);
                    }
                    2 => prop_assert_eq!(fifo.pop_front(), model.pop_front()),
                    3 => prop_assert_eq!(fifo.front(), model.front().copied()),
                    4 if !model.is_empty() => {
                        let i = usize::from(x) % model.len();
                        prop_assert_eq!(fifo.get(i), model.get(i).copied());
                        prop_assert_eq!(fifo.remove(i), model.remove(i));
                    }
                    _ => prop_assert_eq!(fifo.to_vec(), model.iter().copied().collect::<Vec<_>>()),
                }
                prop_assert_eq!(fifo.len(), model.len());
                prop_assert_eq!(fifo.is_empty(), model.is_empty());
            }
            prop_assert_eq!(fifo.take(), model);
            prop_assert!(fifo.is_empty());
        }
    }
}
