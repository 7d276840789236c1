//! Bytes each node sends and receives: one pair of counters per node, side
//! by side, since a node that receives a message is the one that sends what
//! it causes.

use std::cell::Cell;

use crate::graph::NodeId;
use crate::observe::quantile;
use crate::summary::{ByteFigures, Spread};

/// One node's counters.
#[derive(Debug, Default)]
struct NodeBytes {
    sent: Cell<u64>,
    received: Cell<u64>,
}

/// Per-node byte counters.
#[derive(Debug)]
pub(crate) struct Traffic {
    nodes: Box<[NodeBytes]>,
}

impl Traffic {
    /// Counters for `nodes` nodes, at zero.
    pub(crate) fn new(nodes: usize) -> Self {
        Traffic {
            nodes: (0..nodes).map(|_| NodeBytes::default()).collect(),
        }
    }

    /// `node` put `bytes` on the wire (a node past the counters is not counted).
    #[inline]
    pub(crate) fn sent(&self, node: NodeId, bytes: u64) {
        if let Some(n) = self.nodes.get(node as usize) {
            add(&n.sent, bytes);
        }
    }

    /// `bytes` reached `node`, which was up.
    #[inline]
    pub(crate) fn received(&self, node: NodeId, bytes: u64) {
        if let Some(n) = self.nodes.get(node as usize) {
            add(&n.received, bytes);
        }
    }

    /// Asks for `node`'s counters to be brought into the cache (a delivery
    /// to it comes soon).
    #[inline]
    pub(crate) fn warm(&self, node: NodeId) {
        if let Some(n) = self.nodes.get(node as usize) {
            p2psim_runtime::Hot::of(n).warm();
        }
    }

    /// Bytes `node` sent so far.
    pub(crate) fn sent_by(&self, node: NodeId) -> u64 {
        self.nodes.get(node as usize).map_or(0, |n| n.sent.get())
    }

    /// Bytes that reached `node` so far.
    pub(crate) fn received_by(&self, node: NodeId) -> u64 {
        self.nodes
            .get(node as usize)
            .map_or(0, |n| n.received.get())
    }

    /// The figures of a run that lasted `secs` of virtual time.
    pub(crate) fn figures(&self, message_bytes: u64, secs: f64) -> ByteFigures {
        let sent = || self.nodes.iter().map(|n| n.sent.get());
        let received = || self.nodes.iter().map(|n| n.received.get());
        ByteFigures {
            message_bytes,
            sent: sent().fold(0, u64::saturating_add),
            received: received().fold(0, u64::saturating_add),
            sent_per_node_s: per_second(sent(), secs),
            received_per_node_s: per_second(received(), secs),
        }
    }
}

#[inline]
fn add(c: &Cell<u64>, bytes: u64) {
    c.set(c.get().saturating_add(bytes));
}

/// The spread across nodes of each node's bytes per second; empty for a run
/// that took no time.
fn per_second(counts: impl Iterator<Item = u64>, secs: f64) -> Spread {
    if secs.is_nan() || secs <= 0.0 {
        return Spread::default();
    }
    let mut rates: Vec<f64> = counts.map(|c| c as f64 / secs).collect();
    if rates.is_empty() {
        return Spread::default();
    }
    rates.sort_by(f64::total_cmp);
    Spread {
        count: rates.len() as u64,
        mean: Some(rates.iter().sum::<f64>() / rates.len() as f64),
        p50: quantile(&rates, 0.5),
        p90: quantile(&rates, 0.9),
        p99: quantile(&rates, 0.99),
        max: rates.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_per_node_per_second_spread_across_the_nodes() {
        let t = Traffic::new(4);
        t.sent(0, 100);
        t.sent(0, 300);
        t.sent(2, 800);
        t.sent(9, 1_000_000);
        t.received(3, 1_200);
        assert_eq!(
            (t.sent_by(0), t.sent_by(9), t.received_by(3)),
            (400, 0, 1_200)
        );
        let f = t.figures(100, 2.0);
        assert_eq!((f.message_bytes, f.sent, f.received), (100, 1_200, 1_200));
        // Per second: 200, 0, 400, 0.
        let s = f.sent_per_node_s;
        assert_eq!((s.count, s.mean, s.max), (4, Some(150.0), Some(400.0)));
        assert_eq!(s.p50, Some(100.0));
        assert_eq!(f.received_per_node_s.max, Some(600.0));
        assert_eq!(t.figures(100, 0.0).sent_per_node_s, Spread::default());
    }
}
