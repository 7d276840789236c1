//! Network-wide message and request counters, shared by the network and observers.

use std::cell::Cell;

/// Counts that only ever grow during a run.
#[derive(Default, Debug)]
pub struct Counters {
    /// Messages put on the wire (`send`, `call` requests and replies).
    pub sent: Cell<u64>,
    /// Messages handed to their destination.
    pub delivered: Cell<u64>,
    /// Messages lost on the wire (loss probability).
    pub lost_wire: Cell<u64>,
    /// Messages that reached a node that was down.
    pub lost_down: Cell<u64>,
    /// Deliveries refused because the pool had no worker (policy reject).
    pub lost_rejected: Cell<u64>,
    /// Responses to a `call` that arrived after the call had returned (timed
    /// out): dropped, neither delivered nor lost.
    pub late_replies: Cell<u64>,
}

impl Counters {
    /// All lost messages.
    pub fn lost(&self) -> u64 {
        self.lost_wire.get() + self.lost_down.get() + self.lost_rejected.get()
    }

    pub(crate) fn bump(c: &Cell<u64>) {
        c.set(c.get() + 1);
    }
}
