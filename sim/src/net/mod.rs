//! The network as mechanisms see it: nodes that are up or down, links that can be
//! rewired, and messaging as blocking code (`send` one-way, `call` request/response).
//!
//! A message in flight costs no TaskThread: it waits on the wire (see `wire`). On
//! arrival it is handed to the destination's handler on a TaskThread from the
//! pool; when the pool refuses (policy reject) the delivery is lost and counted,
//! as in FADA when a node runs out of threads.

mod availability;
mod calls;
pub mod latency;
pub mod matrix;
pub mod pairwise;
pub mod regions;
mod traffic;
pub mod transport;
mod wire;

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::{
    call_at, call_soon, current, in_task, jitter, now, try_spawn, Mailbox, Responder, SimTime,
    TaskId, TaskName,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::counters::Counters;
use crate::graph::{Graph, NodeId};
use crate::net::transport::Transport;
use crate::perfetto::TraceLog;
use crate::summary::ByteFigures;
use availability::Availability;
use traffic::Traffic;
use wire::Wire;

pub use calls::Calls;

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
    slot: CallSlot<M>,
}

/// Where the response to one `call` is awaited. Once the call has returned
/// (answered or timed out) the slot is closed, and a response that arrives
/// later is dropped and counted as a late reply instead of filling a mailbox
/// nobody reads.
struct CallSlot<M: 'static> {
    inner: Rc<SlotInner<M>>,
}

struct SlotInner<M: 'static> {
    mailbox: Mailbox<M>,
    open: Cell<bool>,
    /// The task serving the call, once the request is delivered: the caller's
    /// wait is an edge to it in the wait-for graph.
    server: Responder,
    /// The calling task, when the run is traced (the reply's arrow ends there).
    caller: Cell<Option<TaskId>>,
}

impl<M> Clone for CallSlot<M> {
    fn clone(&self) -> Self {
        CallSlot {
            inner: self.inner.clone(),
        }
    }
}

impl<M: 'static> CallSlot<M> {
    fn new(name: &Rc<str>) -> Self {
        CallSlot {
            inner: Rc::new(SlotInner {
                mailbox: Mailbox::named_shared(name),
                open: Cell::new(true),
                server: Responder::new(),
                caller: Cell::new(None),
            }),
        }
    }

    /// Waits for the response at most `timeout` (forever if it reaches past
    /// the end of virtual time); closes the slot either way.
    fn wait(&self, timeout: Duration) -> Option<M> {
        let got = self
            .inner
            .mailbox
            .recv_for_from(timeout, &self.inner.server);
        self.inner.open.set(false);
        got
    }

    /// Whether the caller still waits for the response.
    fn is_open(&self) -> bool {
        self.inner.open.get()
    }

    fn deliver(&self, msg: M) {
        self.inner.mailbox.send(msg);
    }

    /// The running task serves the call from now on.
    fn served_here(&self) {
        self.inner.server.serve();
    }
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
        slot.inner.server.clear();
        net.transmit(callee, caller, Arrival::Reply { caller, slot, msg });
    }
}

/// What arrives when a message comes off the wire.
enum Arrival<M: 'static> {
    /// A message for a node's handler.
    Message(Letter<M>),
    /// The response to a `call`, for the caller's waiting task.
    Reply {
        caller: NodeId,
        slot: CallSlot<M>,
        msg: M,
    },
}

/// A message for a node's handler, as it travels. A request's return address is
/// kept as its parts: a `ReplyTo` holds the network, and the wire is part of the
/// network.
struct Letter<M: 'static> {
    from: NodeId,
    to: NodeId,
    msg: M,
    reply: Option<(NodeId, CallSlot<M>)>,
}

impl<M> Arrival<M> {
    /// What it carries.
    fn msg(&self) -> &M {
        match self {
            Arrival::Message(letter) => &letter.msg,
            Arrival::Reply { msg, .. } => msg,
        }
    }

    /// The node it arrives at.
    fn destination(&self) -> NodeId {
        match self {
            Arrival::Message(letter) => letter.to,
            Arrival::Reply { caller, .. } => *caller,
        }
    }
}

/// Most messages handed to their handlers in one turn of the run queue: the
/// delivery tasks of one batch run before the next batch is spawned, so their
/// memory is reused while it is still in the cache.
const DELIVERY_BATCH: usize = 16;

/// Why a `call` produced no response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallError {
    /// No response within the timeout (lost, refused, or just slow).
    Timeout,
    /// The call never started: the pool refused a TaskThread to make it
    /// (policy reject; [`Calls`] makes each call on a task of its own).
    NoTask,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallError::Timeout => "no response before the timeout",
            CallError::NoTask => "no task to make the call: the pool refused one (policy reject)",
        })
    }
}

impl std::error::Error for CallError {}

type Handler<M> = Rc<dyn Fn(Incoming<M>)>;

/// Warms the state a mechanism's handler reads first for a node.
type Warmer = Box<dyn Fn(NodeId)>;

struct Inner<M: 'static> {
    graph: RefCell<Graph>,
    up: RefCell<Vec<bool>>,
    availability: Availability,
    transport: Transport,
    rng: RefCell<ChaCha8Rng>,
    handler: RefCell<Option<Handler<M>>>,
    /// The run's trace, when it is traced: every message is recorded as it
    /// goes on and comes off the wire.
    trace: RefCell<Option<Rc<RefCell<TraceLog>>>>,
    /// Whether `trace` is set (tested on every message, so a flag).
    tracing: Cell<bool>,
    /// Whether the run's schedule jitters messages (else no choice is asked).
    jittered: Cell<bool>,
    /// What a call's wait for its reply is called in reports.
    reply_name: Rc<str>,
    /// Names a message's kind, for the name of the task that serves it.
    kind_of: Cell<fn(&M) -> &'static str>,
    /// A message's size in bytes, when its mechanism says (`Mechanism::size`).
    size_of: Cell<fn(&M) -> Option<usize>>,
    traffic: Traffic,
    warmer: RefCell<Option<Warmer>>,
    counters: Counters,
    wire: RefCell<Wire<Arrival<M>>>,
    /// The arrival time a `call_at` drain is pending for (the latest scheduled).
    drain_at: Cell<Option<SimTime>>,
    /// Whether a drain has queued its continuation (`call_soon`).
    draining: Cell<bool>,
}

impl<M> Inner<M> {
    /// Records, when the run is traced, that the next message off the wire
    /// was taken by task `by` (none: lost or late).
    #[inline]
    fn traced_arrival(&self, by: Option<TaskId>) {
        if self.tracing.get() {
            if let Some(t) = self.trace.borrow().as_ref() {
                t.borrow_mut().arrived(now(), by);
            }
        }
    }

    /// Records, when the run is traced, a message put on the wire now.
    #[inline]
    fn traced_send(&self) {
        if self.tracing.get() {
            if let Some(t) = self.trace.borrow().as_ref() {
                let sender = in_task().then(|| current().id);
                t.borrow_mut().sent(now(), sender);
            }
        }
    }

    /// The schedule's extra delay for a message sent now (zero unless it jitters).
    #[inline]
    fn jitter(&self) -> Duration {
        if self.jittered.get() {
            jitter()
        } else {
            Duration::ZERO
        }
    }

    fn is_up(&self, n: NodeId) -> bool {
        self.up.borrow().get(n as usize).copied().unwrap_or(false)
    }

    /// A message's size in bytes: the mechanism's, else the transport's default.
    #[inline]
    fn bytes(&self, msg: &M) -> u64 {
        match (self.size_of.get())(msg) {
            Some(b) => b as u64,
            None => self.transport.message_bytes(),
        }
    }

    /// Starts fetching what the handler of a message to `n` reads first, a batch
    /// before it arrives: the mechanism's state of `n` (if it said where),
    /// `n`'s links and its byte counters.
    fn prefetch_node(&self, n: NodeId) {
        if let Some(warm) = self.warmer.borrow().as_ref() {
            warm(n);
        }
        self.graph.borrow().warm(n);
        self.traffic.warm(n);
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
                availability: Availability::new(n),
                transport,
                rng: RefCell::new(ChaCha8Rng::seed_from_u64(seed)),
                handler: RefCell::new(None),
                kind_of: Cell::new(|_| "message"),
                size_of: Cell::new(|_| None),
                traffic: Traffic::new(n),
                reply_name: Rc::from("the reply to its call"),
                trace: RefCell::new(None),
                tracing: Cell::new(false),
                jittered: Cell::new(false),
                warmer: RefCell::new(None),
                counters: Counters::default(),
                wire: RefCell::new(Wire::default()),
                drain_at: Cell::new(None),
                draining: Cell::new(false),
            }),
        }
    }

    /// Sets the function that serves every delivered message. The engine sets
    /// it to the mechanism's `handle`; a network made by hand needs one.
    pub fn set_handler(&self, f: impl Fn(Incoming<M>) + 'static) {
        *self.inner.handler.borrow_mut() = Some(Rc::new(f));
    }

    /// Sets how a message's kind is named (for the names of the tasks that
    /// serve messages, in reports and traces).
    pub fn set_kind_names(&self, kind_of: fn(&M) -> &'static str) {
        self.inner.kind_of.set(kind_of);
    }

    /// Sets how a message's size in bytes is found (`None`: the transport's
    /// `message_bytes`).
    pub fn set_sizes(&self, size_of: fn(&M) -> Option<usize>) {
        self.inner.size_of.set(size_of);
    }

    /// Records every message of the run into `trace`.
    pub(crate) fn set_trace(&self, trace: Rc<RefCell<TraceLog>>) {
        *self.inner.trace.borrow_mut() = Some(trace);
        self.inner.tracing.set(true);
    }

    /// Tells the network that the run's schedule jitters messages, so that it
    /// asks the schedule for each message's extra delay (see
    /// `p2psim_runtime::jitter`); the engine sets it from the run's schedule.
    pub fn set_jittered(&self, on: bool) {
        self.inner.jittered.set(on);
    }

    /// Removes the handler and the warmer (they keep the network alive
    /// through what they hold); later messages are lost as to a down node.
    pub(crate) fn clear_handler(&self) {
        self.inner.handler.borrow_mut().take();
        self.inner.warmer.borrow_mut().take();
        self.inner.trace.borrow_mut().take();
        self.inner.tracing.set(false);
    }

    /// Sets what warms the mechanism's state of a node a batch of deliveries
    /// before a message to it is handed out (see `Mechanism::warm`).
    pub(crate) fn set_warmer(&self, warm: impl Fn(NodeId) + 'static) {
        *self.inner.warmer.borrow_mut() = Some(Box::new(warm));
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
            if *s != up {
                *s = up;
                self.inner.availability.changed(up);
            }
        }
    }

    /// Nodes up now.
    pub fn nodes_up(&self) -> usize {
        self.inner.availability.up()
    }

    /// The time-average fraction of the nodes up from the start to `end`
    /// (`None` for a run that took no time).
    pub fn mean_up_fraction(&self, end: SimTime) -> Option<f64> {
        self.inner
            .availability
            .mean_fraction(self.node_count(), end)
    }

    /// Bytes node `n` has sent.
    pub fn bytes_sent(&self, n: NodeId) -> u64 {
        self.inner.traffic.sent_by(n)
    }

    /// Bytes that have reached node `n` while it was up.
    pub fn bytes_received(&self, n: NodeId) -> u64 {
        self.inner.traffic.received_by(n)
    }

    /// The byte figures of a run that lasted `secs` of virtual time.
    pub(crate) fn byte_figures(&self, secs: f64) -> ByteFigures {
        let bytes = self.inner.transport.message_bytes();
        self.inner.traffic.figures(bytes, secs)
    }

    /// The message counters.
    pub fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Sends `msg` from `from` to `to`, one-way. Returns at once; the message arrives
    /// after the latency between them and is served on a TaskThread at `to`.
    /// Any node can be reached, not only a neighbour: links are what a
    /// mechanism knows of the network, latency is what the transport says.
    pub fn send(&self, from: NodeId, to: NodeId, msg: M) {
        self.send_with_reply(from, to, msg, None);
    }

    /// Sends `req` and blocks the calling task until the response arrives or
    /// `timeout` passes (RPC style, as FADA's blocking extendLookup). A
    /// timeout of `Duration::MAX` waits forever. While it waits, the caller
    /// waits on the task serving the request (once delivered), so a cycle of
    /// waits through calls and locks is reported the moment it closes: as a
    /// deadlock when no timeout can break it, else as a counted timeout cycle.
    pub fn call(
        &self,
        from: NodeId,
        to: NodeId,
        req: M,
        timeout: Duration,
    ) -> Result<M, CallError> {
        let slot = CallSlot::new(&self.inner.reply_name);
        if self.inner.tracing.get() {
            slot.inner.caller.set(Some(current().id));
        }
        let reply = ReplyTo {
            net: self.clone(),
            caller: from,
            callee: to,
            slot: slot.clone(),
        };
        self.send_with_reply(from, to, req, Some(reply));
        slot.wait(timeout.saturating_add(self.inner.jitter()))
            .ok_or(CallError::Timeout)
    }

    /// Messages on the wire now (sent, not yet arrived).
    pub fn in_flight(&self) -> usize {
        self.inner.wire.borrow().len()
    }

    fn send_with_reply(&self, from: NodeId, to: NodeId, msg: M, reply: Option<ReplyTo<M>>) {
        let reply = reply.map(|r| (r.caller, r.slot));
        self.transmit(
            from,
            to,
            Arrival::Message(Letter {
                from,
                to,
                msg,
                reply,
            }),
        );
    }

    /// Puts one message on the wire; it arrives after the hop's latency unless it is lost.
    fn transmit(&self, from: NodeId, to: NodeId, arrival: Arrival<M>) {
        let inner = &self.inner;
        Counters::bump(&inner.counters.sent);
        inner.traffic.sent(from, inner.bytes(arrival.msg()));
        let hop = inner.transport.hop(from, to, &mut *inner.rng.borrow_mut());
        let Some(d) = hop else {
            Counters::bump(&inner.counters.lost_wire);
            return;
        };
        // The schedule's perturbation of this message (zero unless it jitters).
        let at = now() + d + inner.jitter();
        inner.wire.borrow_mut().push(at, arrival);
        inner.traced_send();
        // One drain per arrival instant: with a constant latency, every message
        // sent at one instant shares it.
        if inner.drain_at.get() != Some(at) {
            inner.drain_at.set(Some(at));
            let inner = inner.clone();
            call_at(at, move || {
                if inner.drain_at.get() == Some(at) {
                    inner.drain_at.set(None);
                }
                drain(&inner);
            });
        }
    }
}

/// Hands the messages due now to their handlers, a batch per turn of the run queue.
fn drain<M: 'static>(inner: &Rc<Inner<M>>) {
    if inner.draining.get() {
        // A continuation is queued and will take these too.
        return;
    }
    let now = now();
    for _ in 0..DELIVERY_BATCH {
        let (next, ahead) = {
            let mut wire = inner.wire.borrow_mut();
            let next = wire.pop_due(now);
            (
                next,
                wire.lane_ahead(DELIVERY_BATCH).map(Arrival::destination),
            )
        };
        if let Some(to) = ahead {
            inner.prefetch_node(to);
        }
        match next {
            Some(arrival) => arrive(inner, arrival),
            None => {
                // With random latencies most arrivals overtook the in-order
                // queue and each comes at an instant of its own: the heap's
                // front is the next, a delivery task's run from now.
                let front = inner
                    .wire
                    .borrow_mut()
                    .heap_front()
                    .map(Arrival::destination);
                if let Some(to) = front {
                    inner.prefetch_node(to);
                }
                return;
            }
        }
    }
    inner.draining.set(true);
    let inner = inner.clone();
    call_soon(move || {
        inner.draining.set(false);
        drain(&inner);
    });
}

/// One message comes off the wire at its destination.
fn arrive<M: 'static>(inner: &Rc<Inner<M>>, arrival: Arrival<M>) {
    match arrival {
        Arrival::Message(letter) => deliver(inner, letter),
        Arrival::Reply { caller, slot, msg } => {
            let mut taken_by = None;
            if inner.is_up(caller) {
                inner.traffic.received(caller, inner.bytes(&msg));
            }
            if !inner.is_up(caller) {
                Counters::bump(&inner.counters.lost_down);
            } else if !slot.is_open() {
                Counters::bump(&inner.counters.late_replies);
            } else {
                Counters::bump(&inner.counters.delivered);
                // The caller's own task is waiting: no new TaskThread is needed.
                taken_by = slot.inner.caller.get();
                slot.deliver(msg);
            }
            inner.traced_arrival(taken_by);
        }
    }
}

/// Hands a letter that arrived to its handler on a new TaskThread.
fn deliver<M: 'static>(inner: &Rc<Inner<M>>, letter: Letter<M>) {
    let c = &inner.counters;
    if !inner.is_up(letter.to) || inner.handler.borrow().is_none() {
        Counters::bump(&c.lost_down);
        inner.traced_arrival(None);
        return;
    }
    inner.traffic.received(letter.to, inner.bytes(&letter.msg));
    // The task takes the letter as it came off the wire and unpacks it itself:
    // unpacked here, it would be copied piece by piece into the closure and
    // read back whole when the task starts (a store-forwarding stall).
    let name = TaskName::at_node((inner.kind_of.get())(&letter.msg), letter.to);
    let net = inner.clone();
    match try_spawn(name, move || handle(&net, letter)) {
        Ok(h) => {
            Counters::bump(&c.delivered);
            if inner.tracing.get() {
                inner.traced_arrival(Some(h.id()));
            }
        }
        Err(_) => {
            Counters::bump(&c.lost_rejected);
            inner.traced_arrival(None);
        }
    }
}

/// Runs the handler on a letter that arrived (in its delivery task).
fn handle<M: 'static>(inner: &Rc<Inner<M>>, letter: Letter<M>) {
    let Letter {
        from,
        to,
        msg,
        reply,
    } = letter;
    let Some(handler) = inner.handler.borrow().clone() else {
        return;
    };
    if let Some((_, slot)) = &reply {
        slot.served_here();
    }
    handler(Incoming {
        from,
        to,
        msg,
        reply: reply.map(|(caller, slot)| ReplyTo {
            net: Net {
                inner: inner.clone(),
            },
            caller,
            callee: to,
            slot,
        }),
    });
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

    /// Many messages sent at one instant (more than a delivery batch) arrive
    /// together, each on its own task, in the order they were sent; the wire is
    /// empty afterwards.
    #[test]
    fn a_burst_arrives_in_send_order_at_one_instant() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<u32> = Net::new(line(2), Transport::constant(0.01), 1);
        let got = Rc::new(RefCell::new(Vec::new()));
        let g = got.clone();
        net.set_handler(move |m| g.borrow_mut().push((m.msg, now())));
        let n = net.clone();
        let burst = 5 * DELIVERY_BATCH as u32 + 3;
        rt.spawn("sender", move || {
            for i in 0..burst {
                n.send(0, 1, i);
            }
            assert_eq!(n.in_flight(), burst as usize);
        });
        let report = rt.run().unwrap();
        let at = SimTime::from_nanos(10_000_000);
        let want: Vec<(u32, SimTime)> = (0..burst).map(|i| (i, at)).collect();
        assert_eq!(*got.borrow(), want);
        assert_eq!(report.tasks_finished, 1 + u64::from(burst));
        assert_eq!(net.in_flight(), 0);
    }

    /// With random latencies every message still arrives exactly at its own time,
    /// and messages arriving at one time come in send order, however sends and
    /// arrivals interleave.
    #[test]
    fn random_latencies_deliver_each_message_at_its_arrival_time() {
        use crate::dist::Distribution;
        use crate::net::latency::LatencyModel;
        let model = LatencyModel::Each(Distribution::Uniform {
            min: 0.001,
            max: 0.004,
        });
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<(u32, SimTime)> = Net::new(line(2), Transport::with_model(model.clone()), 9);
        let got = Rc::new(RefCell::new(Vec::new()));
        let g = got.clone();
        net.set_handler(move |m| g.borrow_mut().push((m.msg, now())));
        // The same draws the network makes, to know when each message is due.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let t = Transport::with_model(model);
        let mut want = Vec::new();
        let mut sent_at = SimTime::ZERO;
        for i in 0..300u32 {
            if i % 7 == 0 {
                sent_at += Duration::from_micros(500);
            }
            let d = t.hop(0, 1, &mut rng).unwrap();
            want.push(((i, sent_at), sent_at + d));
        }
        let n = net.clone();
        rt.spawn("sender", move || {
            for i in 0..300u32 {
                if i % 7 == 0 {
                    p2psim_runtime::sleep(Duration::from_micros(500));
                }
                n.send(0, 1, (i, now()));
            }
        });
        rt.run().unwrap();
        want.sort_by_key(|&((i, _), at)| (at, i));
        assert_eq!(*got.borrow(), want);
    }
}
