//! A node's local registry: items registered with a lease expire when it ends. One
//! expiry task per node sleeps until the next expiry; with no leased item it blocks
//! on a LockObject and costs nothing (it is started at the node's first lease).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::{now, spawn_daemon, LockObject, SimTime};

use super::messages::ItemId;

/// The registry of one node.
#[derive(Clone, Default)]
pub struct LeasedRegistry {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Items held for the whole run.
    permanent: RefCell<BTreeSet<ItemId>>,
    /// Leased items and when their lease ends (the latest registration wins).
    leased: RefCell<BTreeMap<ItemId, SimTime>>,
    /// The same leases ordered by end time; the expiry task sleeps until the first.
    ends: RefCell<BTreeSet<(SimTime, ItemId)>>,
    /// Wakes the expiry task when an earlier lease arrives.
    wake: LockObject,
    /// Whether the expiry task runs.
    task_started: Cell<bool>,
    /// Leases that ended.
    expired: Cell<u64>,
}

impl LeasedRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds `item` for the whole run.
    pub fn hold(&self, item: ItemId) {
        self.inner.permanent.borrow_mut().insert(item);
    }

    /// Registers `item` until `now + lease` (renewing an earlier lease); call from a task.
    pub fn register(&self, item: ItemId, lease: Duration) {
        let i = &*self.inner;
        let end = now().saturating_add(lease);
        if let Some(old) = i.leased.borrow_mut().insert(item, end) {
            i.ends.borrow_mut().remove(&(old, item));
        }
        let earliest = {
            let mut ends = i.ends.borrow_mut();
            ends.insert((end, item));
            ends.first().map(|f| f.0) == Some(end)
        };
        if !i.task_started.get() {
            self.start_expiry_task();
        } else if earliest {
            i.wake.release();
        }
    }

    /// Whether the registry matches `item` at `t` (a lease ending at `t` has ended).
    pub fn matches(&self, item: ItemId, t: SimTime) -> bool {
        let i = &*self.inner;
        i.permanent.borrow().contains(&item) || i.leased.borrow().get(&item).is_some_and(|&e| e > t)
    }

    /// Items held now (permanent and leased).
    pub fn len(&self) -> usize {
        self.inner.permanent.borrow().len() + self.inner.leased.borrow().len()
    }

    /// Whether the registry holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Leases that have ended so far.
    pub fn expired(&self) -> u64 {
        self.inner.expired.get()
    }

    fn start_expiry_task(&self) {
        let me = self.clone();
        let h = spawn_daemon("fada-expiry", move || me.expire_forever());
        // With an exhausted pool the task starts at the next registration; `matches`
        // ignores ended leases meanwhile.
        self.inner.task_started.set(!h.is_rejected());
    }

    /// The expiry task: removes each lease when it ends, sleeping in between.
    fn expire_forever(&self) {
        let i = &*self.inner;
        loop {
            let next = i.ends.borrow().first().copied();
            match next {
                None => i.wake.block(),
                Some((end, item)) if end <= now() => {
                    i.ends.borrow_mut().remove(&(end, item));
                    i.leased.borrow_mut().remove(&item);
                    i.expired.set(i.expired.get() + 1);
                }
                Some((end, _)) => {
                    i.wake.block_for(end.saturating_since(now()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim_runtime::{sleep, sleep_until, Runtime, RuntimeConfig};

    fn ms(v: u64) -> SimTime {
        SimTime::from_nanos(v * 1_000_000)
    }

    #[test]
    fn leases_end_at_the_exact_virtual_time_with_one_task() {
        let mut rt = Runtime::new(RuntimeConfig::with_seed(1));
        let reg = LeasedRegistry::new();
        let r = reg.clone();
        let h = rt.spawn("client", move || {
            sleep_until(ms(1000));
            r.register(1, Duration::from_millis(2000)); // ends at 3.000 s
            r.register(2, Duration::from_millis(500)); // ends at 1.500 s: wakes the task
            r.hold(9);
            let mut seen = Vec::new();
            for t in [1499, 1500, 2999, 3000] {
                sleep_until(ms(t));
                p2psim_runtime::yield_now();
                seen.push((t, r.matches(1, now()), r.matches(2, now()), r.len()));
            }
            sleep(Duration::from_secs(10));
            (seen, r.expired(), r.matches(9, now()))
        });
        let report = rt.run().unwrap();
        let (seen, expired, permanent) = h.try_join().unwrap().unwrap();
        assert_eq!(
            seen,
            vec![
                (1499, true, true, 3),
                (1500, true, false, 2),
                (2999, true, false, 2),
                (3000, false, false, 1)
            ]
        );
        assert_eq!((expired, permanent), (2, true));
        // One client task plus one expiry task, however many leases.
        assert_eq!(report.tasks_spawned, 2);
    }
}
