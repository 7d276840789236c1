//! Kademlia's node lookup with `alpha` queries in flight. Nodes have random
//! 64-bit ids, and the distance between two ids is their XOR. Each node keeps
//! a k-bucket per distance range (up to `k` nodes whose distance from it has
//! its highest bit at position i). A lookup for a key starts from the `k`
//! nodes its origin knows closest to the key and asks the closest it has not
//! asked yet, `alpha` at a time, for the `k` closest they know; every answer
//! may bring closer nodes, which are asked next. It ends when the `k` closest
//! nodes heard of have all answered or failed to. A node that does not answer
//! within `timeout` is dropped from the lookup; with `alpha` above 1 its
//! timeout runs while the other queries go on, which is why Kademlia asks in
//! parallel.
//!
//! The queries in flight are the network's `Calls` (`ctx.net.calls(origin)
//! .at_most(alpha)`): each runs on a TaskThread of its own, its answer comes
//! back as it arrives, and a query the pool has no thread for fails at once
//! instead of hanging the lookup.
//!
//! The tables are built at install from global knowledge, as if the network
//! had converged; `crashed` then takes a random fraction of the nodes down,
//! and their entries stay in the others' buckets.
//!
//! ```text
//! cargo run --release --example kademlia -- run examples/kademlia.toml
//! cargo run --release --example kademlia -- sweep examples/kademlia.toml \
//!     --param mechanism.alpha=1,2,3 --param mechanism.crashed=0,0.2 --seeds 1..3 \
//!     --plot latency_s.p50
//! ```

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use p2psim::sim::graph::NodeId;
use p2psim::sim::scenario::{Params, Scenario, ScenarioError};
use p2psim::sim::{request_kinds, CallError, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::seq::index::sample;
use rand::Rng;
use serde::Serialize;

/// The allocator of the `p2psim` binary, for the same speed.
#[global_allocator]
static ALLOC: p2psim::Allocator = p2psim::Allocator;

/// The whole p2psim command line with Kademlia beside the shipped mechanisms.
fn main() {
    p2psim::cli::main(p2psim::mechanisms![Kademlia])
}

/// Kademlia's messages: a question and its answer.
#[derive(Clone, Debug)]
pub enum KadMsg {
    /// Asks for the `k` nodes the receiver knows closest to `key`.
    FindNode {
        /// The key looked up.
        key: u64,
    },
    /// The answer: those nodes, closest first.
    Nodes(Vec<NodeId>),
}

request_kinds! {
    /// What Kademlia serves: a lookup of a random key.
    pub enum KadRequest { Lookup = "lookup" }
}

/// Kademlia's parameters, from `[mechanism]`.
#[derive(Clone, Debug)]
pub struct KadParams {
    /// Nodes per bucket, and how many closest nodes a lookup settles.
    pub k: usize,
    /// Queries in flight at once.
    pub alpha: usize,
    /// How long a query waits for its answer.
    pub timeout: Duration,
    /// The fraction of nodes down from the start.
    pub crashed: f64,
}

/// Kademlia's figures in `summary.json` (section `kademlia`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct KadReport {
    /// Lookups that ended.
    pub lookups: u64,
    /// The fraction of them that found the live node closest to the key.
    pub success_rate: Option<f64>,
    /// Mean queries per lookup.
    pub queries_per_lookup: Option<f64>,
    /// Mean queries per lookup that got no answer in time.
    pub timeouts_per_lookup: Option<f64>,
    /// Queries the pool had no TaskThread for, in all.
    pub refused: u64,
    /// Nodes down from the start.
    pub crashed: usize,
}

/// Every node's id and buckets, as built at install.
struct Table {
    id: Vec<u64>,
    /// Each node's bucket entries (at most `k` per distance range).
    known: Vec<Vec<NodeId>>,
}

impl Table {
    /// Random distinct ids for `n` nodes; each bucket takes the first `k`
    /// nodes of its range in node order (ids are random, so that is a random pick).
    fn build(n: usize, k: usize, rng: &mut impl Rng) -> Table {
        let mut id = Vec::with_capacity(n);
        let mut taken = HashSet::new();
        while id.len() < n {
            let candidate: u64 = rng.gen();
            if taken.insert(candidate) {
                id.push(candidate);
            }
        }
        let known = (0..n)
            .map(|v| {
                let mut fill = [0usize; 64];
                (0..n)
                    .filter(|&u| u != v)
                    .filter(|&u| {
                        let bucket = 63 - (id[v] ^ id[u]).leading_zeros() as usize;
                        fill[bucket] += 1;
                        fill[bucket] <= k
                    })
                    .map(|u| u as NodeId)
                    .collect()
            })
            .collect();
        Table { id, known }
    }

    fn distance(&self, node: NodeId, key: u64) -> u64 {
        self.id[node as usize] ^ key
    }

    /// The `count` nodes `node` knows closest to `key`, closest first.
    fn closest(&self, node: NodeId, key: u64, count: usize) -> Vec<NodeId> {
        let mut known = self.known[node as usize].clone();
        known.sort_by_key(|&u| self.distance(u, key));
        known.truncate(count);
        known
    }
}

/// Where a lookup stands with one node it heard of.
#[derive(Clone, Copy, PartialEq)]
enum Heard {
    New,
    Asked,
    Answered,
    Failed,
}

/// The Kademlia mechanism.
pub struct Kademlia {
    params: KadParams,
    table: OnceCell<Table>,
    crashed: Cell<usize>,
    lookups: Cell<u64>,
    succeeded: Cell<u64>,
    queries: Cell<u64>,
    timeouts: Cell<u64>,
    refused: Cell<u64>,
}

impl Kademlia {
    fn table(&self) -> &Table {
        self.table.get().expect("the table is built at install")
    }

    /// The node closest to `key` that answered (the origin counts), by
    /// iterative lookup from `origin` with `alpha` queries in flight.
    fn lookup(&self, ctx: &Ctx<Self>, origin: NodeId, key: u64) -> NodeId {
        let (table, k) = (self.table(), self.params.k);
        // Every node heard of, by distance to the key (ids are distinct).
        let mut heard: BTreeMap<u64, (NodeId, Heard)> = BTreeMap::new();
        heard.insert(table.distance(origin, key), (origin, Heard::Answered));
        for u in table.closest(origin, key, k) {
            heard.insert(table.distance(u, key), (u, Heard::New));
        }
        let mut calls = ctx.net.calls(origin).at_most(self.params.alpha);
        loop {
            // Ask the closest not asked yet among the k closest still in the race.
            while calls.in_flight() < self.params.alpha {
                let next = heard
                    .values_mut()
                    .filter(|(_, h)| *h != Heard::Failed)
                    .take(k)
                    .find(|(_, h)| *h == Heard::New);
                let Some((node, state)) = next else {
                    break;
                };
                *state = Heard::Asked;
                calls.call(*node, KadMsg::FindNode { key }, self.params.timeout);
                self.queries.set(self.queries.get() + 1);
            }
            let Some((node, answer)) = calls.next() else {
                break;
            };
            let state = match answer {
                Ok(KadMsg::Nodes(nodes)) => {
                    for u in nodes {
                        heard
                            .entry(table.distance(u, key))
                            .or_insert((u, Heard::New));
                    }
                    Heard::Answered
                }
                Ok(KadMsg::FindNode { .. }) => Heard::Failed,
                Err(e) => {
                    let count = match e {
                        CallError::Timeout => &self.timeouts,
                        CallError::NoTask => &self.refused,
                    };
                    count.set(count.get() + 1);
                    Heard::Failed
                }
            };
            heard
                .get_mut(&table.distance(node, key))
                .expect("a node asked was heard of")
                .1 = state;
        }
        heard
            .values()
            .find(|(_, h)| *h == Heard::Answered)
            .map_or(origin, |(n, _)| *n)
    }

    /// The live node closest to `key`: global knowledge, to judge a lookup.
    fn truly_closest(&self, ctx: &Ctx<Self>, key: u64) -> Option<NodeId> {
        let table = self.table();
        (0..table.id.len() as NodeId)
            .filter(|&v| ctx.net.is_up(v))
            .min_by_key(|&v| table.distance(v, key))
    }
}

impl Mechanism for Kademlia {
    const KIND: &'static str = "kademlia";
    type Params = KadParams;
    type Request = KadRequest;
    type Msg = KadMsg;
    type Report = KadReport;

    fn params(p: &Params, _: &Scenario) -> Result<KadParams, ScenarioError> {
        Ok(KadParams {
            k: p.usize_in("k", 8, 1, 64)?,
            alpha: p.usize_in("alpha", 3, 1, 64)?,
            timeout: Duration::from_secs_f64(p.f64_in("timeout", 0.5, 0.001, 3600.0)?),
            crashed: p.f64_in("crashed", 0.0, 0.0, 0.9)?,
        })
    }

    fn new(params: KadParams) -> Self {
        Kademlia {
            params,
            table: OnceCell::new(),
            crashed: Cell::new(0),
            lookups: Cell::new(0),
            succeeded: Cell::new(0),
            queries: Cell::new(0),
            timeouts: Cell::new(0),
            refused: Cell::new(0),
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let n = ctx.net.node_count();
        let _ = self
            .table
            .set(Table::build(n, self.params.k, &mut *ctx.rng()));
        let down = (self.params.crashed * n as f64).round() as usize;
        for v in sample(&mut *ctx.rng(), n, down) {
            ctx.net.set_up(v as NodeId, false);
        }
        self.crashed.set(down);
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<KadMsg>) {
        if let (KadMsg::FindNode { key }, Some(reply)) = (m.msg, m.reply) {
            reply.send(KadMsg::Nodes(self.table().closest(
                m.to,
                key,
                self.params.k,
            )));
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<KadRequest>) -> RequestOutcome {
        let key: u64 = ctx.rng().gen();
        let found = self.lookup(ctx, req.origin, key);
        let success = Some(found) == self.truly_closest(ctx, key);
        self.lookups.set(self.lookups.get() + 1);
        self.succeeded
            .set(self.succeeded.get() + u64::from(success));
        RequestOutcome::from_success(success)
    }

    fn report(&self) -> KadReport {
        let lookups = self.lookups.get();
        let per_lookup = |x: u64| (lookups > 0).then(|| x as f64 / lookups as f64);
        KadReport {
            lookups,
            success_rate: per_lookup(self.succeeded.get()),
            queries_per_lookup: per_lookup(self.queries.get()),
            timeouts_per_lookup: per_lookup(self.timeouts.get()),
            refused: self.refused.get(),
            crashed: self.crashed.get(),
        }
    }

    fn check(&self) -> Result<(), String> {
        // With every node up and every query answered, the k closest are exact.
        let failed = self.lookups.get() - self.succeeded.get();
        let all_answered = self.timeouts.get() == 0 && self.refused.get() == 0;
        if self.crashed.get() == 0 && all_answered && failed > 0 {
            return Err(format!("{failed} lookups missed with every node up"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim::sim::engine::run_scenario;
    use p2psim::sim::scenario::load_file;
    use p2psim::sim::Summary;

    const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kademlia.toml");

    /// The example's scenario on 256 nodes with 200 lookups, and `extra`.
    fn run(extra: &[&str]) -> (KadReport, Summary) {
        let mut set = vec!["topology.nodes=256".to_string(), "load[0].count=200".into()];
        set.extend(extra.iter().map(|s| s.to_string()));
        let scenario = load_file(SCENARIO.as_ref(), &set).expect("the scenario loads");
        let out = run_scenario::<Kademlia>(&scenario).expect("the run succeeds");
        (out.report, out.summary)
    }

    #[test]
    fn every_lookup_finds_the_closest_node_when_all_are_up() {
        let (r, _) = run(&[]);
        assert_eq!(r.lookups, 200);
        assert_eq!(r.success_rate, Some(1.0));
        assert_eq!(r.timeouts_per_lookup, Some(0.0));
    }

    #[test]
    fn parallel_queries_hide_the_timeouts_of_dead_nodes() {
        let crashed = "mechanism.crashed=0.2";
        let (one, one_s) = run(&[crashed, "mechanism.alpha=1"]);
        let (three, three_s) = run(&[crashed, "mechanism.alpha=3"]);
        assert!(one.success_rate.unwrap() >= 0.9, "{one:?}");
        assert!(three.success_rate.unwrap() >= 0.9, "{three:?}");
        assert!(three.timeouts_per_lookup.unwrap() > 0.0, "{three:?}");
        let mean = |s: &Summary| s.latency_s.mean.expect("lookups ended");
        let (slow, fast) = (mean(&one_s), mean(&three_s));
        assert!(
            fast < 0.7 * slow,
            "mean latency with alpha 3: {fast} s, with alpha 1: {slow} s"
        );
    }

    #[test]
    fn parallel_queries_are_deterministic() {
        let hash = |_| run(&["mechanism.crashed=0.2"]).1.trace_hash;
        assert_eq!(hash(1), hash(2));
    }

    #[test]
    fn a_query_the_pool_cannot_serve_fails_and_the_lookup_ends() {
        // Few threads, refused when none is free: some queries get no task,
        // and every lookup still ends (none waits for an answer never posted).
        let (r, s) = run(&["pool.capacity=6", "pool.policy=\"reject\""]);
        assert!(r.refused > 0, "{r:?}");
        assert!(s.completed, "{s:?}");
        assert_eq!(r.lookups + s.requests.lost, 200, "{r:?} {:?}", s.requests);
    }
}
