//! Messages on the wire: held by arrival time, handed out when they are due.
//!
//! A network in flight holds thousands of messages. Keeping them in one queue
//! of plain values (rather than a boxed timer callback each) costs no allocation
//! per message, and with a constant hop latency the queue is a FIFO read in
//! order, which the hardware prefetches. Arrivals earlier than the latest one
//! queued (random latencies) go to a radix heap beside it (`overtakers`); the
//! two are merged by (arrival, send order), so equal arrival times come out in
//! the order sent.

mod overtakers;

use std::collections::VecDeque;

use p2psim_runtime::SimTime;

use overtakers::Overtakers;

/// Items in flight, ordered by (arrival time, send order).
pub(crate) struct Wire<T> {
    /// Items whose arrivals never decrease along the queue: (arrival ns, seq, item).
    lane: VecDeque<(u64, u64, T)>,
    /// The other items.
    heap: Overtakers<T>,
    seq: u64,
}

impl<T> Default for Wire<T> {
    fn default() -> Self {
        Wire {
            lane: VecDeque::new(),
            heap: Overtakers::default(),
            seq: 0,
        }
    }
}

impl<T> Wire<T> {
    /// Puts `item` on the wire, due at `at`.
    pub fn push(&mut self, at: SimTime, item: T) {
        let at = at.as_nanos();
        self.seq += 1;
        match self.lane.back() {
            Some(&(last, _, _)) if last > at => self.heap.push(at, self.seq, item),
            _ => self.lane.push_back((at, self.seq, item)),
        }
    }

    /// The earliest item due at or before `now`, if any.
    pub fn pop_due(&mut self, now: SimTime) -> Option<T> {
        let now = now.as_nanos();
        let lane = self.lane.front().map(|&(at, seq, _)| (at, seq));
        let heap = if self.heap.len() == 0 {
            None // constant latencies: nothing ever overtakes
        } else {
            self.heap.peek().map(|(at, seq, _)| (at, seq))
        };
        let from_lane = match (lane, heap) {
            (Some(l), Some(h)) => l < h,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if from_lane {
            if lane.is_some_and(|(at, _)| at <= now) {
                return self.lane.pop_front().map(|(_, _, item)| item);
            }
        } else if heap.is_some_and(|(at, _)| at <= now) {
            return self.heap.pop_due(now);
        }
        None
    }

    /// The item `n` places behind the front of the in-order queue (items that
    /// overtook it are not counted): what will most likely come off soon.
    pub fn lane_ahead(&self, n: usize) -> Option<&T> {
        self.lane.get(n).map(|(_, _, item)| item)
    }

    /// The earliest of the items that overtook the in-order queue: with random
    /// latencies, most likely the next to come off.
    pub fn heap_front(&mut self) -> Option<&T> {
        self.heap.peek().map(|(_, _, item)| item)
    }

    /// Items in flight.
    pub fn len(&self) -> usize {
        self.lane.len() + self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(ns: u64) -> SimTime {
        SimTime::from_nanos(ns)
    }

    #[test]
    fn nothing_comes_out_before_it_is_due() {
        let mut w = Wire::default();
        w.push(t(10), 'a');
        assert_eq!(w.pop_due(t(9)), None);
        assert_eq!(w.pop_due(t(10)), Some('a'));
        assert_eq!(w.pop_due(t(10)), None);
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn an_earlier_arrival_overtakes_the_lane() {
        let mut w = Wire::default();
        w.push(t(30), 'a');
        w.push(t(10), 'b');
        w.push(t(30), 'c');
        w.push(t(20), 'd');
        assert_eq!(w.len(), 4);
        let out: Vec<char> = std::iter::from_fn(|| w.pop_due(t(100))).collect();
        assert_eq!(out, ['b', 'd', 'a', 'c']);
    }

    #[test]
    fn the_heap_front_is_the_earliest_overtaker() {
        let mut w = Wire::default();
        assert_eq!(w.heap_front(), None);
        w.push(t(30), 'a');
        assert_eq!(w.heap_front(), None, "in order: nothing overtook");
        w.push(t(20), 'b');
        w.push(t(10), 'c');
        assert_eq!(w.heap_front(), Some(&'c'));
        assert_eq!(w.pop_due(t(10)), Some('c'));
        assert_eq!(w.heap_front(), Some(&'b'));
    }

    proptest! {
        /// For all push sequences, items come out sorted by (arrival, send order),
        /// none before its time, none lost.
        #[test]
        fn items_come_out_in_arrival_then_send_order(
            arrivals in proptest::collection::vec(0u64..50, 0..200),
            steps in proptest::collection::vec(0u64..60, 1..20),
        ) {
            let mut w = Wire::default();
            for (i, &a) in arrivals.iter().enumerate() {
                w.push(t(a), (a, i));
            }
            let mut expected: Vec<(u64, usize)> =
                arrivals.iter().copied().zip(0..).collect();
            expected.sort();
            let mut now = 0;
            let mut out = Vec::new();
            for s in steps {
                now = now.max(s);
                while let Some(item) = w.pop_due(t(now)) {
                    prop_assert!(item.0 <= now);
                    out.push(item);
                }
            }
            while let Some(item) = w.pop_due(t(u64::MAX)) {
                out.push(item);
            }
            prop_assert_eq!(out, expected);
        }
    }
}
