//! A keyed table of the scheduler's live records (tasks, callbacks): a dense vector
//! and a stack of free keys.
//!
//! A slab threads its free list through its vacant entries, so each insert first
//! reads the entry the previous removal left, a dependent cache miss when keys are
//! reused in a scattered order (a flood spawns tens of thousands of tasks per
//! instant). Here the free keys sit in one contiguous stack: taking one reads a
//! warm line, and the entry is only written.

use std::ops::Index;

/// Values by `usize` key; keys of removed values are reused, most recent first.
pub(crate) struct Table<T> {
    entries: Vec<Option<T>>,
    /// Free keys as `u32`: a table never holds 2^32 records, and at a million
    /// tasks the stack stays 4 MB.
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Table<T> {
    /// Stores `value`; returns its key.
    #[inline]
    pub fn insert(&mut self, value: T) -> usize {
        self.len += 1;
        match self.free.pop() {
            Some(key) => {
                let entry: *mut Option<T> = &mut self.entries[key as usize];
                // SAFETY: `entry` is a valid, exclusive place in `entries`, and the
                // entry at a free key is `None`, which has nothing to drop: writing
                // over it without reading it first (as `*entry = ..` would, to drop
                // the old value) saves a cache miss per insert.
                unsafe { entry.write(Some(value)) };
                key as usize
            }
            None => {
                self.entries.push(Some(value));
                self.entries.len() - 1
            }
        }
    }

    /// Takes the value at `key` out; panics if there is none.
    #[inline]
    pub fn remove(&mut self, key: usize) -> T {
        let value = self.entries[key]
            .take()
            .expect("p2psim: removing a vacant table entry");
        self.free
            .push(u32::try_from(key).expect("fewer than 2^32 table entries"));
        self.len -= 1;
        value
    }

    /// The value at `key`, if there is one.
    #[inline]
    pub fn get(&self, key: usize) -> Option<&T> {
        self.entries.get(key)?.as_ref()
    }

    /// Values stored now.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no value is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The stored values with their keys, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(k, e)| e.as_ref().map(|v| (k, v)))
    }

    /// Removes every value (keys start again from zero).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.len = 0;
    }
}

impl<T> Index<usize> for Table<T> {
    type Output = T;

    #[inline]
    fn index(&self, key: usize) -> &T {
        match self.get(key) {
            Some(v) => v,
            None => panic!("p2psim: no table entry at key {key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_reused_most_recent_first() {
        let mut t = Table::default();
        let keys: Vec<usize> = (0..4).map(|i| t.insert(i * 10)).collect();
        assert_eq!(keys, [0, 1, 2, 3]);
        assert_eq!(t.remove(1), 10);
        assert_eq!(t.remove(3), 30);
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(1), None);
        assert_eq!(t.insert(5), 3);
        assert_eq!(t.insert(6), 1);
        assert_eq!(t.insert(7), 4);
        assert_eq!(t[1], 6);
        let all: Vec<(usize, i32)> = t.iter().map(|(k, v)| (k, *v)).collect();
        assert_eq!(all, [(0, 0), (1, 6), (2, 20), (3, 5), (4, 7)]);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.insert(9), 0);
    }

    #[test]
    #[should_panic(expected = "vacant")]
    fn removing_twice_panics() {
        let mut t = Table::default();
        let k = t.insert(1);
        t.remove(k);
        t.remove(k);
    }
}
