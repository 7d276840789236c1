//! FADA's lookup and register, as the design document describes them, with every policy pluggable
//! per node: bootstrap, neighbour selection, propagation, seen search ids, leases,
//! rewiring.
//!
//! A lookup goes through fixed phases, in order (the design document's "Definition of lookup
//! phases"): the client bootstraps to a node; that node makes a locally unique search
//! id, searches its local registry, selects the neighbours to contact, extends the
//! search to them as its propagation policy says, waits as that policy says, rewires
//! itself towards the nodes that answered, and returns the merged results. A node
//! receiving an extension declines a search id it has seen, searches its registry and
//! extends further while hops remain.

pub mod bootstrap;
pub mod messages;
pub mod neighbours;
pub mod params;
pub mod propagation;
pub mod registry_lease;
pub mod results;
pub mod rewiring;
pub mod seen_cache;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use p2psim_runtime::{now, Hot};
use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Net, ReplyTo, Request, RequestOutcome};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use bootstrap::Bootstrap;
use messages::{Extension, FadaMsg, ItemId, Match, SearchId};
use neighbours::NeighbourSelection;
pub use params::FadaParams;
use params::{NodeChoice, PolicySpec};
use propagation::{Extender, Propagation};
use registry_lease::LeasedRegistry;
use results::{MatchSet, Results};
use rewiring::Rewiring;
use seen_cache::SeenCache;

request_kinds! {
    /// What a FADA client asks.
    pub enum FadaRequest { Lookup = "lookup", Register = "register" }
}

/// FADA's figures in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FadaReport {
    /// Hops a search may travel.
    pub ttl: u32,
    /// Nodes per propagation form.
    pub nodes_per_propagation: BTreeMap<String, u64>,
    /// Lookups served.
    pub lookups: u64,
    /// Registrations served.
    pub registrations: u64,
    /// Matches returned per lookup, on average.
    pub results_per_lookup: f64,
    /// Extensions declined because the node had seen the search.
    pub extensions_declined: u64,
    /// Extensions that found no worker (pool exhausted, policy reject).
    pub extensions_refused: u64,
    /// Results that reached an origin no longer waiting.
    pub late_results_dropped: u64,
    /// Most seen-search ids held at once, over all nodes.
    pub seen_cache_peak: u64,
    /// Seen-search ids held at the end.
    pub seen_cache_end: u64,
    /// Leases that expired.
    pub leases_expired: u64,
    /// Links added by rewiring.
    pub rewired_links: u64,
}

/// The policies of a group of nodes, built from their spec.
struct Policies {
    spec: PolicySpec,
    bootstrap: Box<dyn Bootstrap>,
    neighbours: Box<dyn NeighbourSelection>,
    propagation: Box<dyn Propagation>,
    rewiring: Box<dyn Rewiring>,
}

impl Policies {
    fn new(spec: PolicySpec) -> Self {
        Policies {
            spec,
            bootstrap: spec.bootstrap.build(),
            neighbours: spec.neighbours.build(),
            propagation: spec.propagation.build(),
            rewiring: spec.rewiring.build(),
        }
    }
}

/// What one node keeps, in one cache line: a flood's cost is the memory latency of
/// the random node each delivery visits, so a visit must touch one line, not three.
#[repr(align(64))]
struct NodeState {
    seen: SeenCache,
    registry: LeasedRegistry,
    next_search: u32,
    /// Its policies: an index into `Fada::policies`.
    policy: u16,
    /// Whether anything was ever put in its registry (saves a visit to an empty one).
    may_hold: bool,
}

const _: () = assert!(std::mem::size_of::<NodeState>() == 64);

/// Figures for `summary.json`.
#[derive(Default)]
struct Stats {
    lookups: Cell<u64>,
    registrations: Cell<u64>,
    matches_returned: Cell<u64>,
    declined: Cell<u64>,
    late_results: Cell<u64>,
    seen_live: Cell<u64>,
    seen_peak: Cell<u64>,
    rewired_links: Cell<u64>,
}

fn bump(c: &Cell<u64>, by: u64) {
    c.set(c.get() + by);
}

/// The FADA mechanism.
pub struct Fada {
    params: FadaParams,
    /// Index 0: the defaults; then one per `node_policy` entry.
    policies: Vec<Policies>,
    nodes: RefCell<Vec<NodeState>>,
    /// Result containers of the searches in progress, by search id.
    pending: RefCell<HashMap<SearchId, Rc<Results>>>,
    rng: RefCell<ChaCha8Rng>,
    /// A reusable buffer for the neighbours to contact.
    scratch: RefCell<Vec<NodeId>>,
    stats: Stats,
}

impl Fada {
    fn policies_of(&self, node: NodeId) -> &Policies {
        &self.policies[self.nodes.borrow()[node as usize].policy as usize]
    }

    /// A node serving a client's lookup: the phases in order; returns the merged matches.
    fn lookup(&self, net: &Net<FadaMsg>, me: NodeId, item: ItemId) -> Vec<Match> {
        let policy = self.policies_of(me);
        // A locally unique search id, remembered as seen.
        let search = self.new_search_id(me);
        // The local registry.
        let results = Rc::new(Results::new());
        if self.holds(me, item) {
            results.merge([Match { node: me, hops: 0 }]);
        }
        self.pending.borrow_mut().insert(search, results.clone());
        // The neighbours to contact.
        let targets = self.neighbours_to_contact(net, policy, me, None);
        // Propagation.
        let ext = Extension {
            search,
            item,
            ttl: self.params.ttl,
            hops: 1,
            origin: me,
        };
        let via = Extender::new(net.clone(), me, ext);
        results.merge(policy.propagation.extend(&via, &targets));
        self.give_back(targets);
        // Waiting, as the propagation requires; later results will be dropped.
        policy.propagation.wait(&results);
        self.pending.borrow_mut().remove(&search);
        let found = results.snapshot();
        // Rewiring towards the nodes that answered.
        let responders: Vec<NodeId> = found.iter().map(|m| m.node).filter(|&n| n != me).collect();
        if !responders.is_empty() {
            let added = policy
                .rewiring
                .rewire(&mut net.graph_mut(), me, &responders);
            bump(&self.stats.rewired_links, added as u64);
        }
        found
    }

    /// A node receiving an extended search (`reply`: the caller waits for the answer).
    fn extend_lookup(
        &self,
        net: &Net<FadaMsg>,
        me: NodeId,
        from: NodeId,
        ext: Extension,
        reply: Option<ReplyTo<FadaMsg>>,
    ) {
        // Seen search ids: decline a search already performed here.
        if !self.first_sight(me, ext.search) {
            bump(&self.stats.declined, 1);
            if let Some(r) = reply {
                r.send(FadaMsg::Declined);
            }
            return;
        }
        // The local registry.
        let mut found = MatchSet::new();
        if self.holds(me, ext.item) {
            found.add(Match {
                node: me,
                hops: ext.hops,
            });
        }
        // Further extension while hops remain.
        if ext.ttl > 1 {
            let policy = self.policies_of(me);
            let targets = self.neighbours_to_contact(net, policy, me, Some(from));
            let via = Extender::new(net.clone(), me, ext.next_hop());
            found.merge(policy.propagation.extend(&via, &targets));
            self.give_back(targets);
        }
        // The answer: back along the call, or (one-way arrivals) straight to the origin.
        let results = |matches| FadaMsg::Results {
            search: ext.search,
            matches,
        };
        match reply {
            Some(r) => r.send(results(found.to_vec())),
            None if !found.is_empty() => net.send(me, ext.origin, results(found.to_vec())),
            None => {}
        }
    }

    /// Results reported straight to the origin: merged if it still waits, else dropped.
    fn results_arrived(&self, search: SearchId, matches: Vec<Match>) {
        let waiting = self.pending.borrow().get(&search).cloned();
        match waiting {
            Some(r) => r.merge(matches),
            None => bump(&self.stats.late_results, matches.len() as u64),
        }
    }

    fn register(&self, me: NodeId, item: ItemId) {
        bump(&self.stats.registrations, 1);
        let reg = {
            let mut nodes = self.nodes.borrow_mut();
            nodes[me as usize].may_hold = true;
            nodes[me as usize].registry.clone()
        };
        reg.register(item, self.params.lease);
    }

    fn holds(&self, me: NodeId, item: ItemId) -> bool {
        let nodes = self.nodes.borrow();
        let node = &nodes[me as usize];
        node.may_hold && node.registry.matches(item, now())
    }

    fn new_search_id(&self, me: NodeId) -> SearchId {
        let id = {
            let mut nodes = self.nodes.borrow_mut();
            let s = &mut nodes[me as usize];
            s.next_search = s.next_search.wrapping_add(1);
            (u64::from(me) << 32) | u64::from(s.next_search)
        };
        self.first_sight(me, id);
        id
    }

    /// Records `search` as seen at `me`; false if it had been.
    fn first_sight(&self, me: NodeId, search: SearchId) -> bool {
        let mut nodes = self.nodes.borrow_mut();
        let cache = &mut nodes[me as usize].seen;
        let before = cache.len() as u64;
        let first = cache.first_sight(search, now(), self.params.seen_expiry);
        let live = self.stats.seen_live.get() + cache.len() as u64 - before;
        self.stats.seen_live.set(live);
        if live > self.stats.seen_peak.get() {
            self.stats.seen_peak.set(live);
        }
        first
    }

    fn neighbours_to_contact(
        &self,
        net: &Net<FadaMsg>,
        policy: &Policies,
        me: NodeId,
        sender: Option<NodeId>,
    ) -> Vec<NodeId> {
        let mut out = std::mem::take(&mut *self.scratch.borrow_mut());
        policy.neighbours.neighbours_to_contact(
            &net.graph(),
            me,
            sender,
            &mut self.rng.borrow_mut(),
            &mut out,
        );
        out
    }

    fn give_back(&self, mut targets: Vec<NodeId>) {
        targets.clear();
        *self.scratch.borrow_mut() = targets;
    }

    fn draw_item(&self) -> ItemId {
        self.rng.borrow_mut().gen_range(0..self.params.catalogue)
    }

    /// Serves one message at its destination.
    fn serve(&self, net: &Net<FadaMsg>, m: Incoming<FadaMsg>) {
        match m.msg {
            FadaMsg::Extend(ext) => self.extend_lookup(net, m.to, m.from, ext, m.reply),
            FadaMsg::Results { search, matches } if m.reply.is_none() => {
                self.results_arrived(search, matches)
            }
            FadaMsg::Lookup { item } => {
                let matches = self.lookup(net, m.to, item);
                if let Some(r) = m.reply {
                    r.send(FadaMsg::Results { search: 0, matches });
                }
            }
            FadaMsg::Register { item } => {
                self.register(m.to, item);
                if let Some(r) = m.reply {
                    r.send(FadaMsg::Registered);
                }
            }
            FadaMsg::Ping => {
                if let Some(r) = m.reply {
                    r.send(FadaMsg::Pong);
                }
            }
            _ => {}
        }
    }

    /// Assigns each node its policies: defaults, then each override in order.
    fn assign_policies(&self, n: usize) -> Vec<u16> {
        let mut of = vec![0u16; n];
        for (i, o) in self.params.node_policy.iter().enumerate() {
            let ix = (i + 1) as u16;
            match &o.nodes {
                NodeChoice::Listed(v) => v.iter().for_each(|&x| of[x as usize] = ix),
                NodeChoice::Fraction(f) => {
                    let k = (f * n as f64).round() as usize;
                    for x in sample(&mut *self.rng.borrow_mut(), n, k.min(n)) {
                        of[x] = ix;
                    }
                }
            }
        }
        of
    }
}

impl Mechanism for Fada {
    const KIND: &'static str = "fada";
    type Params = FadaParams;
    type Request = FadaRequest;
    type Msg = FadaMsg;
    type Report = FadaReport;

    fn params(table: &Params, scenario: &Scenario) -> Result<FadaParams, ScenarioError> {
        FadaParams::from_params(table, scenario.nodes())
    }

    fn new(params: FadaParams) -> Self {
        let policies = std::iter::once(params.default)
            .chain(params.node_policy.iter().map(|o| o.policy))
            .map(Policies::new)
            .collect();
        Fada {
            params,
            policies,
            nodes: RefCell::new(Vec::new()),
            pending: RefCell::new(HashMap::new()),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(0)),
            scratch: RefCell::new(Vec::new()),
            stats: Stats::default(),
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let n = ctx.net.node_count();
        *self.rng.borrow_mut() = ChaCha8Rng::seed_from_u64(ctx.seed());
        let policy_of = self.assign_policies(n);
        let mut nodes: Vec<NodeState> = policy_of
            .into_iter()
            .map(|policy| NodeState {
                policy,
                may_hold: false,
                seen: SeenCache::new(),
                registry: LeasedRegistry::new(),
                next_search: 0,
            })
            .collect();
        for item in 0..self.params.catalogue {
            let k = self.params.replicas.min(n);
            for x in sample(&mut *self.rng.borrow_mut(), n, k) {
                nodes[x].may_hold = true;
                nodes[x].registry.hold(item);
            }
        }
        *self.nodes.borrow_mut() = nodes;
    }

    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<FadaMsg>) {
        self.serve(&ctx.net, m);
    }

    fn warm(&self, node: NodeId) {
        if let Some(state) = self.nodes.borrow().get(node as usize) {
            Hot::of(state).warm();
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<FadaRequest>) -> RequestOutcome {
        let (net, client) = (&ctx.net, req.origin);
        // Bootstrap: the node the request starts from.
        let start = self
            .policies_of(client)
            .bootstrap
            .first_node(net, client, &self.rng);
        let item = self.draw_item();
        let timeout = self.params.client_timeout;
        if req.kind == FadaRequest::Register {
            let ok = start == client
                || net
                    .call(client, start, FadaMsg::Register { item }, timeout)
                    .is_ok();
            if start == client {
                self.register(start, item);
            }
            return RequestOutcome {
                success: ok,
                hops: None,
                messages: None,
            };
        }
        bump(&self.stats.lookups, 1);
        let matches = if start == client {
            self.lookup(net, start, item)
        } else {
            match net.call(client, start, FadaMsg::Lookup { item }, timeout) {
                Ok(FadaMsg::Results { matches, .. }) => matches,
                _ => Vec::new(),
            }
        };
        bump(&self.stats.matches_returned, matches.len() as u64);
        RequestOutcome {
            success: !matches.is_empty(),
            hops: matches.iter().map(|m| m.hops).min(),
            messages: None,
        }
    }

    fn message_kind(m: &FadaMsg) -> &'static str {
        match m {
            FadaMsg::Lookup { .. } => "lookup",
            FadaMsg::Register { .. } => "register",
            FadaMsg::Registered => "registered",
            FadaMsg::Extend(_) => "extend",
            FadaMsg::Results { .. } => "results",
            FadaMsg::Declined => "declined",
            FadaMsg::Ping => "ping",
            FadaMsg::Pong => "pong",
        }
    }

    fn headline(r: &FadaReport) -> Option<String> {
        Some(format!(
            "{:.4} results per lookup, {} late results dropped, {} links rewired, {} leases expired",
            r.results_per_lookup, r.late_results_dropped, r.rewired_links, r.leases_expired
        ))
    }

    fn report(&self) -> FadaReport {
        let s = &self.stats;
        let mut per_mode: BTreeMap<String, u64> = BTreeMap::new();
        for node in self.nodes.borrow().iter() {
            let spec = self.policies[node.policy as usize].spec;
            *per_mode
                .entry(spec.propagation.name().to_string())
                .or_default() += 1;
        }
        let expired: u64 = self
            .nodes
            .borrow()
            .iter()
            .map(|n| n.registry.expired())
            .sum();
        let refused: u64 = self.policies.iter().map(|p| p.propagation.refused()).sum();
        let lookups = s.lookups.get();
        FadaReport {
            ttl: self.params.ttl,
            nodes_per_propagation: per_mode,
            lookups,
            registrations: s.registrations.get(),
            results_per_lookup: s.matches_returned.get() as f64 / lookups.max(1) as f64,
            extensions_declined: s.declined.get(),
            extensions_refused: refused,
            late_results_dropped: s.late_results.get(),
            seen_cache_peak: s.seen_peak.get(),
            seen_cache_end: s.seen_live.get(),
            leases_expired: expired,
            rewired_links: s.rewired_links.get(),
        }
    }
}
