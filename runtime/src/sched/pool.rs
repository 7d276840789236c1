//! Pool admission and release: how many of the pool's workers are taken, and
//! which tasks wait for one.
//!
//! Owns the count of taken slots, the queue of tasks waiting for a slot and
//! the pool's statistics (the workers themselves are the execution layer's).
//! Invariant: every admitted task that has not ended holds one slot or waits
//! in the queue, so `in_use` is the number holding one; it exceeds the
//! capacity only under `ExhaustionPolicy::Grow`, by at most `grown`. A slot
//! freed while tasks wait goes to the longest-waiting one, not back to the pool.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use crate::config::{ExhaustionPolicy, PoolConfig};
use crate::task::TaskId;
use crate::time::SimTime;

/// What the pool says to a new task.
pub(crate) enum Admission {
    /// It holds a slot: it may run.
    Run,
    /// The pool is exhausted: it waits for a slot (`enqueue` it).
    Queue,
    /// The pool is exhausted and rejects it.
    Reject,
}

/// The pool's accounting.
pub(crate) struct Admissions {
    capacity: usize,
    policy: ExhaustionPolicy,
    state: RefCell<Slots>,
}

/// The counts and the queue.
#[derive(Default)]
struct Slots {
    in_use: usize,
    peak_in_use: usize,
    /// Tasks admitted: given a slot or queued for one.
    admitted: u64,
    rejected: u64,
    queued: u64,
    grown: u64,
    longest_wait: Duration,
    /// Tasks waiting for a slot: (key, id, since).
    queue: VecDeque<(u32, TaskId, SimTime)>,
}

/// The pool's statistics so far (see [`crate::PoolStats`]).
pub(crate) struct AdmissionStats {
    pub admitted: u64,
    pub peak_in_use: usize,
    pub rejected: u64,
    pub queued: u64,
    pub grown: u64,
    pub longest_wait: Duration,
}

impl Admissions {
    /// The accounting of a pool configured so, with every slot free.
    pub fn new(config: &PoolConfig) -> Self {
        Admissions {
            capacity: config.capacity.unwrap_or(usize::MAX),
            policy: config.policy,
            state: RefCell::new(Slots::default()),
        }
    }

    /// Admits a new task: a slot, a place in the queue, or a refusal (counted).
    pub fn admit(&self) -> Admission {
        let mut pool = self.state.borrow_mut();
        let cap = self.capacity;
        if pool.in_use < cap || self.policy == ExhaustionPolicy::Grow {
            if pool.in_use >= cap {
                pool.grown += 1;
            }
            pool.in_use += 1;
            pool.peak_in_use = pool.peak_in_use.max(pool.in_use);
            pool.admitted += 1;
            Admission::Run
        } else if self.policy == ExhaustionPolicy::Queue {
            pool.queued += 1;
            pool.admitted += 1;
            Admission::Queue
        } else {
            pool.rejected += 1;
            Admission::Reject
        }
    }

    /// Queues task `key` (`id`), told to wait at `since`.
    pub fn enqueue(&self, key: u32, id: TaskId, since: SimTime) {
        self.state.borrow_mut().queue.push_back((key, id, since));
    }

    /// A slot came free at `now`: the longest-queued task takes it (returned,
    /// to be made runnable), or it is returned to the pool.
    pub fn release(&self, now: SimTime) -> Option<u32> {
        let mut pool = self.state.borrow_mut();
        match pool.queue.pop_front() {
            Some((key, _, since)) => {
                let waited = now - since;
                pool.longest_wait = pool.longest_wait.max(waited);
                Some(key)
            }
            None => {
                pool.in_use -= 1;
                None
            }
        }
    }

    /// Takes queued task `key` out of the queue (it was killed before it ran).
    pub fn forget(&self, key: u32) {
        self.state.borrow_mut().queue.retain(|&(k, _, _)| k != key);
    }

    /// Slots taken now.
    pub fn in_use(&self) -> usize {
        self.state.borrow().in_use
    }

    /// Tasks waiting for a slot now.
    pub fn queue_len(&self) -> usize {
        self.state.borrow().queue.len()
    }

    /// The statistics so far.
    pub fn stats(&self) -> AdmissionStats {
        let pool = self.state.borrow();
        AdmissionStats {
            admitted: pool.admitted,
            peak_in_use: pool.peak_in_use,
            rejected: pool.rejected,
            queued: pool.queued,
            grown: pool.grown,
            longest_wait: pool.longest_wait,
        }
    }
}
