//! The network as mechanisms see it: nodes that are up or down, links that can be
//! rewired, and messaging as blocking code (`send` one-way, `call` request/response).
//!
//! A message in flight costs no TaskThread: it is a timed callback. On arrival it is
//! handed to the destination's handler on a TaskThread from the pool; when the pool
//! refuses (policy reject) the delivery is lost and counted, as in FADA when a node
//! runs out of threads.

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::{call_at, clock, spawn_with_prefetch, Mailbox};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::counters::Counters;
use crate::graph::{Graph, NodeId};
use crate::transport::Transport;

/// A message as the destination's handler receives it.
pub struct Incoming<M: 'static> {
    /// The sending node.
    pub from: NodeId,
    /// The receiving node (the handler serves every node).
    pub to: NodeId,
    /// The payload.
    pub msg: M,
    /// Where to answer, when the sender used [`Net::call`].
    pub reply: Option<ReplyTo<M>>,
}

/// The return address of a `call`: answering sends one message back over the wire.
pub struct ReplyTo<M: 'static> {
    net: Net<M>,
    caller: NodeId,
    callee: NodeId,
    slot: Mailbox<M>,
}

impl<M: 'static> ReplyTo<M> {
    /// Sends the response back to the caller (one hop, with latency and loss).
    pub fn send(self, msg: M) {
        let ReplyTo {
            net,
            caller,
            callee,
            slot,
        } = self;
        let inner = net.inner.clone();
        net.transmit(callee, caller, move || {
            if inner.is_up(caller) {
                Counters::bump(&inner.counters.delivered);
                // The caller's own task is waiting: no new TaskThread is needed.
                slot.send(msg);
            } else {
                Counters::bump(&inner.counters.lost_down);
            }
        });
    }
}

/// Why a `call` produced no response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallError {
    /// No response within the timeout (lost, refused, or just slow).
    Timeout,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no response before the timeout")
    }
}

impl std::error::Error for CallError {}

type Handler<M> = Rc<dyn Fn(Incoming<M>)>;

/// Where a mechanism keeps the state its handler reads first for a node.
type Locator = Box<dyn Fn(NodeId) -> usize>;

struct Inner<M: 'static> {
    graph: RefCell<Graph>,
    up: RefCell<Vec<bool>>,
    transport: Transport,
    rng: RefCell<ChaCha8Rng>,
    handler: RefCell<Option<Handler<M>>>,
    locator: RefCell<Option<Locator>>,
    counters: Counters,
}

impl<M> Inner<M> {
    fn is_up(&self, n: NodeId) -> bool {
        self.up.borrow().get(n as usize).copied().unwrap_or(false)
    }
}

/// A shared handle to the simulated network carrying messages of type `M`.
pub struct Net<M: 'static> {
    inner: Rc<Inner<M>>,
}

impl<M> Clone for Net<M> {
    fn clone(&self) -> Self {
        Net {
            inner: self.inner.clone(),
        }
    }
}

impl<M: 'static> Net<M> {
    /// A network over `graph` (all nodes up) with this transport and RNG seed.
    pub fn new(graph: Graph, transport: Transport, seed: u64) -> Self {
        let n = graph.node_count();
        Net {
            inner: Rc::new(Inner {
                graph: RefCell::new(graph),
                up: RefCell::new(vec![true; n]),
                transport,
                rng: RefCell::new(ChaCha8Rng::seed_from_u64(seed)),
                handler: RefCell::new(None),
                locator: RefCell::new(None),
                counters: Counters::default(),
            }),
        }
    }

    /// Sets the function that serves every delivered message (one per mechanism).
    pub fn set_handler(&self, f: impl Fn(Incoming<M>) + 'static) {
        *self.inner.handler.borrow_mut() = Some(Rc::new(f));
    }

    /// Tells the network the address of the state the handler reads first for a
    /// node; each delivery's task then has that memory prefetched just before it
    /// runs (a flood over a large network otherwise waits on one cache miss per
    /// message). A hint only: a wrong address costs time, never correctness.
    pub fn set_prefetch(&self, locate: impl Fn(NodeId) -> usize + 'static) {
        *self.inner.locator.borrow_mut() = Some(Box::new(locate));
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.inner.graph.borrow().node_count()
    }

    /// The graph, for reading (do not hold it across a blocking call).
    pub fn graph(&self) -> Ref<'_, Graph> {
        self.inner.graph.borrow()
    }

    /// The graph, for rewiring (do not hold it across a blocking call).
    pub fn graph_mut(&self) -> RefMut<'_, Graph> {
        self.inner.graph.borrow_mut()
    }

    /// A copy of `n`'s neighbours (safe to keep across blocking calls).
    pub fn neighbors(&self, n: NodeId) -> Vec<NodeId> {
        self.inner.graph.borrow().neighbors(n).to_vec()
    }

    /// `n`'s degree.
    pub fn degree(&self, n: NodeId) -> usize {
        self.inner.graph.borrow().degree(n)
    }

    /// Whether node `n` is up.
    pub fn is_up(&self, n: NodeId) -> bool {
        self.inner.is_up(n)
    }

    /// Brings node `n` up or down; messages to a down node are lost.
    pub fn set_up(&self, n: NodeId, up: bool) {
        if let Some(s) = self.inner.up.borrow_mut().get_mut(n as usize) {
            *s = up;
        }
    }

    /// Nodes up now.
    pub fn nodes_up(&self) -> usize {
        self.inner.up.borrow().iter().filter(|u| **u).count()
    }

    /// The message counters.
    pub fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    /// The network's seeded RNG (latency, loss; mechanisms may draw from it too).
    pub fn rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.inner.rng.borrow_mut()
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Sends `msg` from `from` to `to`, one-way. Returns at once; the message arrives
    /// after the hop's latency and is served on a TaskThread at `to`.
    pub fn send(&self, from: NodeId, to: NodeId, msg: M) {
        self.send_with_reply(from, to, msg, None);
    }

    /// Sends `req` and blocks the calling task until the response arrives or
    /// `timeout` passes (RPC style, as the seed's blocking extendLookup).
    pub fn call(
        &self,
        from: NodeId,
        to: NodeId,
        req: M,
        timeout: Duration,
    ) -> Result<M, CallError> {
        let slot: Mailbox<M> = Mailbox::new();
        let reply = ReplyTo {
            net: self.clone(),
            caller: from,
            callee: to,
            slot: slot.clone(),
        };
        self.send_with_reply(from, to, req, Some(reply));
        slot.recv_for(timeout).ok_or(CallError::Timeout)
    }

    fn send_with_reply(&self, from: NodeId, to: NodeId, msg: M, reply: Option<ReplyTo<M>>) {
        let inner = self.inner.clone();
        self.transmit(from, to, move || deliver(&inner, from, to, msg, reply));
    }

    /// Puts one message on the wire; `arrive` runs at the arrival time unless it is lost.
    fn transmit(&self, from: NodeId, to: NodeId, arrive: impl FnOnce() + 'static) {
        let c = &self.inner.counters;
        Counters::bump(&c.sent);
        let hop = self
            .inner
            .transport
            .hop(from, to, &mut *self.inner.rng.borrow_mut());
        match hop {
            Some(d) => call_at(clock() + d, arrive),
            None => Counters::bump(&c.lost_wire),
        }
    }
}

/// Hands a message that arrived at `to` to its handler on a new TaskThread.
fn deliver<M: 'static>(
    inner: &Rc<Inner<M>>,
    from: NodeId,
    to: NodeId,
    msg: M,
    reply: Option<ReplyTo<M>>,
) {
    let c = &inner.counters;
    if !inner.is_up(to) {
        Counters::bump(&c.lost_down);
        return;
    }
    let Some(handler) = inner.handler.borrow().clone() else {
        Counters::bump(&c.lost_down);
        return;
    };
    let incoming = Incoming {
        from,
        to,
        msg,
        reply,
    };
    // What the handler reads first: the mechanism's state of `to` and its links.
    let state = inner
        .locator
        .borrow()
        .as_ref()
        .map_or(0, |locate| locate(to));
    let links = inner.graph.borrow().entry_address(to);
    match spawn_with_prefetch("deliver", [state, links], move || handler(incoming)) {
        Ok(_) => Counters::bump(&c.delivered),
        Err(_) => Counters::bump(&c.lost_rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim_runtime::{now, ExhaustionPolicy, PoolConfig, Runtime, RuntimeConfig, SimTime};
    use std::cell::Cell;

    fn line(n: usize) -> Graph {
        let mut g = Graph::new(n);
        for i in 1..n as u32 {
            g.add_edge(i - 1, i);
        }
        g
    }

    #[test]
    fn send_arrives_after_the_latency_on_a_task() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<u32> = Net::new(line(2), Transport::constant(0.01), 1);
        let got = Rc::new(Cell::new(None));
        let g = got.clone();
        net.set_handler(move |m| g.set(Some((m.from, m.to, m.msg, now()))));
        let n = net.clone();
        rt.spawn("sender", move || n.send(0, 1, 7));
        rt.run().unwrap();
        assert_eq!(got.get(), Some((0, 1, 7, SimTime::from_nanos(10_000_000))));
        assert_eq!(net.counters().delivered.get(), 1);
    }

    #[test]
    fn call_returns_the_response_after_a_round_trip_or_times_out() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<u32> = Net::new(line(3), Transport::constant(0.01), 1);
        net.set_handler(|m| {
            if m.to == 1 {
                m.reply.unwrap().send(m.msg * 2);
            }
        });
        let n = net.clone();
        let h = rt.spawn("caller", move || {
            let ok = n.call(0, 1, 21, Duration::from_secs(1)).map(|v| (v, now()));
            let lost = n
                .call(0, 2, 1, Duration::from_millis(50))
                .map(|v| (v, now()));
            (ok, lost, now())
        });
        rt.run().unwrap();
        let (ok, lost, end) = h.try_join().unwrap().unwrap();
        assert_eq!(ok, Ok((42, SimTime::from_nanos(20_000_000))));
        assert_eq!(lost, Err(CallError::Timeout));
        assert_eq!(end, SimTime::from_nanos(70_000_000));
    }

    #[test]
    fn down_nodes_and_an_exhausted_pool_lose_messages() {
        let config = RuntimeConfig {
            pool: PoolConfig {
                capacity: Some(1),
                policy: ExhaustionPolicy::Reject,
                ..PoolConfig::default()
            },
            ..RuntimeConfig::default()
        };
        let mut rt = Runtime::new(config);
        let net: Net<u32> = Net::new(line(3), Transport::constant(0.01), 1);
        net.set_handler(|_| p2psim_runtime::sleep(Duration::from_secs(1)));
        net.set_up(2, false);
        let n = net.clone();
        // The root task holds the only worker while the messages arrive.
        rt.spawn("sender", move || {
            n.send(0, 1, 1);
            n.send(0, 2, 2);
            p2psim_runtime::sleep(Duration::from_millis(20));
        });
        rt.run().unwrap();
        let c = net.counters();
        assert_eq!(
            (c.sent.get(), c.lost_down.get(), c.lost_rejected.get()),
            (2, 1, 1)
        );
    }
}
