//! Chord. Nodes sit on a ring of 64-bit ids, and a key belongs to the first
//! node at or after it clockwise. Each node knows its `successors` (the next
//! nodes on the ring) and its fingers (the first node at or after its id + 2^i,
//! for every i). A lookup is iterative: the origin asks the node its table names
//! closest before the key for the next step, that node answers with the nodes
//! its own table names closest before the key, and so on. A node that does not
//! answer within `timeout` is taken for dead, and the next closest is asked
//! instead. When no node closer to the key is left, the key belongs to the
//! first live successor past the key of the last node that answered. A finger
//! step at least halves the distance to the key, so a lookup takes at most
//! log2 N hops, and ½ log2 N on average.
//!
//! The tables are built at install from global knowledge (every node's id), as
//! if the ring had stabilized; there are no joins. Then `crashed` takes a random
//! fraction of the nodes down, and their entries stay in the others' tables.
//!
//! ```text
//! cargo run --release --example chord -- run examples/chord.toml
//! cargo run --release --example chord -- sweep examples/chord.toml \
//!     --param topology.nodes=1024,2048,4096 --param mechanism.crashed=0,0.1 \
//!     --seeds 1..3 --plot chord.mean_hops,chord.success_rate
//! ```

use std::cell::{Cell, OnceCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use p2psim::sim::graph::NodeId;
use p2psim::sim::scenario::{Params, Scenario, ScenarioError};
use p2psim::sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::seq::index::sample;
use rand::Rng;
use serde::Serialize;

/// The allocator of the `p2psim` binary, for the same speed.
#[global_allocator]
static ALLOC: p2psim::Allocator = p2psim::Allocator;

/// The whole p2psim command line (run, validate, check, replay, sweep, plot,
/// bench), with Chord beside the shipped mechanisms.
fn main() {
    p2psim::cli::main(p2psim::mechanisms![Chord])
}

/// Chord's messages: two questions and their answers.
#[derive(Clone, Debug)]
pub enum ChordMsg {
    /// Asks a node for the next step towards `key`.
    FindSuccessor {
        /// The key looked up.
        key: u64,
    },
    /// The answer to `FindSuccessor`.
    Next(Step),
    /// Asks the owner found whether it is alive.
    Ping,
    /// The answer to `Ping`.
    Pong,
}

/// What a node's table says about a key.
#[derive(Clone, Debug)]
pub struct Step {
    /// The nodes it knows between itself and the key, to ask next in this order.
    pub closer: Vec<NodeId>,
    /// Its successors at or past the key, in ring order: if no closer node is
    /// alive, the first of these that is alive owns the key.
    pub owners: Vec<NodeId>,
}

request_kinds! {
    /// What Chord serves: a lookup of a random key.
    pub enum ChordRequest { Lookup = "lookup" }
}

/// Parameters of Chord, from `[mechanism]`.
#[derive(Clone, Debug)]
pub struct ChordParams {
    /// Successors each node keeps.
    pub successors: usize,
    /// How long a lookup waits for an answer before it takes the node for dead.
    pub timeout: Duration,
    /// The fraction of nodes down from the start.
    pub crashed: f64,
}

/// Chord's figures in `summary.json` (section `chord`).
#[derive(Clone, Debug, Serialize)]
pub struct ChordReport {
    /// Nodes on the ring.
    pub nodes: usize,
    /// Nodes down from the start.
    pub crashed: usize,
    /// Lookups that ended.
    pub lookups: u64,
    /// The fraction of them that found the key's true owner.
    pub success_rate: Option<f64>,
    /// Mean nodes asked for a next step per lookup (answers only; the origin's
    /// own table and the final ping of the owner are not hops).
    pub mean_hops: Option<f64>,
    /// ½ log2 N, what Chord's mean hops should be near.
    pub half_log2_n: f64,
    /// Mean calls per lookup that timed out (asked a dead node).
    pub timeouts_per_lookup: Option<f64>,
}

/// The ring as built at install.
struct Ring {
    /// Each node's id.
    id: Vec<u64>,
    /// Nodes in id order, to find a key's true owner.
    order: Vec<NodeId>,
    /// Each node's successors, in ring order.
    successors: Vec<Vec<NodeId>>,
    /// Each node's distinct fingers.
    fingers: Vec<Vec<NodeId>>,
}

impl Ring {
    /// Random distinct ids for `n` nodes, and every node's table.
    fn build(n: usize, successors: usize, rng: &mut impl Rng) -> Ring {
        let mut id: Vec<u64> = Vec::with_capacity(n);
        let mut taken = HashSet::new();
        while id.len() < n {
            let candidate = rng.gen();
            // 64-bit ids hardly ever collide, but two nodes must not share one.
            if taken.insert(candidate) {
                id.push(candidate);
            }
        }
        let mut order: Vec<NodeId> = (0..n as NodeId).collect();
        order.sort_by_key(|&v| id[v as usize]);
        let mut ring = Ring {
            id,
            order,
            successors: vec![Vec::new(); n],
            fingers: vec![Vec::new(); n],
        };
        for (pos, &v) in ring.order.iter().enumerate() {
            let next = (1..=successors.min(n - 1)).map(|i| ring.order[(pos + i) % n]);
            ring.successors[v as usize] = next.collect();
        }
        for v in 0..n {
            let me = ring.id[v];
            let mut fingers: Vec<NodeId> = (0..64)
                .map(|i| ring.first_at_or_after(me.wrapping_add(1 << i)))
                .filter(|&f| f as usize != v)
                .collect();
            fingers.dedup();
            ring.fingers[v] = fingers;
        }
        ring
    }

    /// The first node at or after `key` clockwise, up or not.
    fn first_at_or_after(&self, key: u64) -> NodeId {
        let pos = self.order.partition_point(|&v| self.id[v as usize] < key);
        self.order[pos % self.order.len()]
    }

    /// Clockwise distance from `node` to `key`.
    fn distance(&self, node: NodeId, key: u64) -> u64 {
        key.wrapping_sub(self.id[node as usize])
    }

    /// What `node`'s table says about `key`.
    fn step(&self, node: NodeId, key: u64) -> Step {
        let v = node as usize;
        let to_key = self.distance(node, key);
        let before_key = |c: &NodeId| {
            let d = self.distance(node, self.id[*c as usize]);
            d != 0 && d < to_key
        };
        // Fingers route, closest to the key first (they are in ring order);
        // successors are the last resort when those fingers are dead.
        let mut closer: Vec<NodeId> = self.fingers[v]
            .iter()
            .rev()
            .copied()
            .filter(before_key)
            .collect();
        for &s in self.successors[v].iter().rev().filter(|s| before_key(s)) {
            if !closer.contains(&s) {
                closer.push(s);
            }
        }
        let owners = self.successors[v]
            .iter()
            .copied()
            .filter(|s| !before_key(s))
            .collect();
        Step { closer, owners }
    }
}

/// The Chord mechanism.
pub struct Chord {
    params: ChordParams,
    ring: OnceCell<Ring>,
    crashed: Cell<usize>,
    lookups: Cell<u64>,
    succeeded: Cell<u64>,
    hops: Cell<u64>,
    timeouts: Cell<u64>,
}

impl Chord {
    /// The ring (built at install).
    fn ring(&self) -> &Ring {
        self.ring.get().expect("the ring is built at install")
    }

    /// Asks `node` for the next step towards `key`; `None` if it does not answer.
    fn ask(&self, ctx: &Ctx<Self>, origin: NodeId, node: NodeId, key: u64) -> Option<Step> {
        let question = ChordMsg::FindSuccessor { key };
        match ctx.net.call(origin, node, question, self.params.timeout) {
            Ok(ChordMsg::Next(step)) => Some(step),
            // A timeout: the node is dead (no other answer to this question exists).
            _ => {
                self.timeouts.set(self.timeouts.get() + 1);
                None
            }
        }
    }

    /// Whether `node` answers a ping.
    fn alive(&self, ctx: &Ctx<Self>, origin: NodeId, node: NodeId) -> bool {
        let answered = ctx
            .net
            .call(origin, node, ChordMsg::Ping, self.params.timeout);
        if answered.is_err() {
            self.timeouts.set(self.timeouts.get() + 1);
        }
        answered.is_ok()
    }

    /// Follows the steps from `origin` to the owner of `key`; the owner found
    /// (if any) and the hops it took.
    fn lookup(&self, ctx: &Ctx<Self>, origin: NodeId, key: u64) -> (Option<NodeId>, u32) {
        let mut hops = 0;
        // The origin reads its own table: no message.
        let mut step = self.ring().step(origin, key);
        // Ask the closer nodes in turn; the first that answers gives the next
        // step. Each is closer to the key than the node that named it, so the
        // walk ends.
        while let Some(next) = step
            .closer
            .iter()
            .find_map(|&n| self.ask(ctx, origin, n, key))
        {
            hops += 1;
            step = next;
        }
        // No node between the last one that answered and the key is alive:
        // the first of its successors past the key that is alive owns it.
        let owner = step
            .owners
            .into_iter()
            .find(|&n| self.alive(ctx, origin, n));
        (owner, hops)
    }

    /// The node that truly owns `key`: the first one up at or after it. Global
    /// knowledge, to judge a lookup, not to route one.
    fn true_owner(&self, ctx: &Ctx<Self>, key: u64) -> Option<NodeId> {
        let ring = self.ring();
        let start = ring.order.partition_point(|&v| ring.id[v as usize] < key);
        (0..ring.order.len())
            .map(|i| ring.order[(start + i) % ring.order.len()])
            .find(|&v| ctx.net.is_up(v))
    }
}

impl Mechanism for Chord {
    const KIND: &'static str = "chord";
    type Params = ChordParams;
    type Request = ChordRequest;
    type Msg = ChordMsg;
    type Report = ChordReport;

    fn params(p: &Params, _scenario: &Scenario) -> Result<ChordParams, ScenarioError> {
        Ok(ChordParams {
            successors: p.usize_in("successors", 8, 1, 1_000)?,
            timeout: Duration::from_secs_f64(p.f64_in("timeout", 0.5, 0.0, 3600.0)?),
            crashed: p.f64_in("crashed", 0.0, 0.0, 0.9)?,
        })
    }

    fn new(params: ChordParams) -> Self {
        Chord {
            params,
            ring: OnceCell::new(),
            crashed: Cell::new(0),
            lookups: Cell::new(0),
            succeeded: Cell::new(0),
            hops: Cell::new(0),
            timeouts: Cell::new(0),
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let n = ctx.net.node_count();
        let ring = Ring::build(n, self.params.successors, &mut *ctx.rng());
        let _ = self.ring.set(ring);
        // Crash after the tables are built: the dead stay in them.
        let down = (self.params.crashed * n as f64).round() as usize;
        for v in sample(&mut *ctx.rng(), n, down) {
            ctx.net.set_up(v as NodeId, false);
        }
        self.crashed.set(down);
    }

    fn handle(&self, _ctx: &Ctx<Self>, m: Incoming<ChordMsg>) {
        let answer = match m.msg {
            ChordMsg::FindSuccessor { key } => ChordMsg::Next(self.ring().step(m.to, key)),
            ChordMsg::Ping => ChordMsg::Pong,
            // Answers go to the waiting `call`, never to a handler.
            ChordMsg::Next(_) | ChordMsg::Pong => return,
        };
        if let Some(reply) = m.reply {
            reply.send(answer);
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<ChordRequest>) -> RequestOutcome {
        let key: u64 = ctx.rng().gen();
        let (owner, hops) = self.lookup(ctx, req.origin, key);
        let success = owner.is_some() && owner == self.true_owner(ctx, key);
        self.lookups.set(self.lookups.get() + 1);
        self.succeeded
            .set(self.succeeded.get() + u64::from(success));
        self.hops.set(self.hops.get() + u64::from(hops));
        RequestOutcome {
            success,
            hops: Some(hops),
            messages: None,
        }
    }

    fn report(&self) -> ChordReport {
        let lookups = self.lookups.get();
        let per_lookup = |x: u64| (lookups > 0).then(|| x as f64 / lookups as f64);
        let nodes = self.ring.get().map_or(0, |r| r.id.len());
        ChordReport {
            nodes,
            crashed: self.crashed.get(),
            lookups,
            success_rate: per_lookup(self.succeeded.get()),
            mean_hops: per_lookup(self.hops.get()),
            half_log2_n: 0.5 * (nodes.max(1) as f64).log2(),
            timeouts_per_lookup: per_lookup(self.timeouts.get()),
        }
    }

    fn headline(r: &ChordReport) -> Option<String> {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        Some(format!(
            "{} lookups, success {}, mean hops {} (½ log2 N = {:.2}), {} timeouts per lookup, {} of {} nodes down",
            r.lookups,
            show(r.success_rate),
            show(r.mean_hops),
            r.half_log2_n,
            show(r.timeouts_per_lookup),
            r.crashed,
            r.nodes
        ))
    }

    fn check(&self) -> Result<(), String> {
        // With every node up, routing on exact tables cannot miss.
        let failed = self.lookups.get() - self.succeeded.get();
        if self.crashed.get() == 0 && failed > 0 {
            return Err(format!("{failed} lookups failed with every node up"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim::sim::engine::run_scenario;
    use p2psim::sim::scenario::load_file;

    const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/chord.toml");

    /// The example's own scenario on 512 nodes with 300 lookups, and `extra`.
    fn run(extra: &[&str]) -> ChordReport {
        let mut set = vec!["topology.nodes=512".to_string(), "load[0].count=300".into()];
        set.extend(extra.iter().map(|s| s.to_string()));
        let scenario = load_file(SCENARIO.as_ref(), &set).expect("the scenario loads");
        run_scenario::<Chord>(&scenario)
            .expect("the run succeeds")
            .report
    }

    #[test]
    fn hops_are_near_half_log2_n_and_every_lookup_succeeds() {
        let r = run(&["mechanism.crashed=0"]);
        let hops = r.mean_hops.unwrap();
        assert!((hops - 4.5).abs() < 0.5, "mean hops {hops} on 512 nodes");
        assert_eq!(r.success_rate, Some(1.0));
        assert_eq!(r.timeouts_per_lookup, Some(0.0));
    }

    #[test]
    fn lookups_route_around_ten_percent_crashed_nodes() {
        let r = run(&["mechanism.crashed=0.1"]);
        assert_eq!(r.crashed, 51);
        assert!(r.success_rate.unwrap() >= 0.95, "{r:?}");
        assert!(r.timeouts_per_lookup.unwrap() > 0.0, "{r:?}");
    }
}
