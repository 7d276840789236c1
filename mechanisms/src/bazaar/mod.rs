//! The bazaar: buyers and sellers over a flooding peer-to-peer network (the bazaar
//! assignment, `000_e2c4f1ea09e87e67`), as blocking code.
//!
//! Every node is a buyer, a seller or a plain peer. A seller sells one good from a
//! stock of k items and, when it sells out, picks a new good and restocks. A buyer
//! wants one good at a time: it floods `lookup(good, hopcount, search id, path)` to
//! its neighbours; the lookup spreads hop by hop until its hopcount reaches 0, and
//! every seller holding the good replies along the reversed path. The buyer collects
//! the replies, picks a seller by policy, and buys directly from it; the seller's
//! stock is behind a scheduler-aware lock, so of n buyers racing for n-1 items
//! exactly n-1 succeed and the last one hears false and tries the next reply or looks
//! up again. A ledger of item serials proves afterwards that no item was sold twice.
//!
//! Files: [`params`], [`roles`], [`messages`], [`lookup`] (flooding and
//! backtracking), [`searches`] (seen searches), [`buyer`], [`seller`], [`ledger`]
//! (the invariant check), [`stats`].

pub mod buyer;
pub mod ledger;
pub mod lookup;
pub mod messages;
pub mod params;
pub mod roles;
pub mod searches;
pub mod seller;
pub mod stats;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use p2psim_runtime::{spawn, Mailbox};
use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use ledger::Ledger;
use messages::Reply;
use roles::Role;
use searches::Searches;
use seller::{Restock, Seller};
use stats::{bump, Stats};
pub use stats::{BazaarReport, StallFigures};

pub use messages::BazaarMsg;
pub use params::{BazaarParams, RoleSpec, SellerPolicy};

/// A good: an index into `goods`.
pub type Good = u16;

request_kinds! {
    /// What the bazaar serves: a buyer's lookup (and the purchase it leads to).
    pub enum BazaarRequest { Lookup = "lookup" }
}

/// The bazaar mechanism.
pub struct Bazaar {
    params: BazaarParams,
    /// Per node, its seller (if it is one).
    sellers: RefCell<Vec<Option<Rc<Seller>>>>,
    buyers: RefCell<Vec<NodeId>>,
    searches: Searches,
    /// Per open search, the buyer's inbox for replies.
    inboxes: RefCell<HashMap<u64, Mailbox<Reply>>>,
    ledger: Ledger,
    stats: Stats,
}

impl Bazaar {
    /// The seller at `node`, if it is one.
    fn seller(&self, node: NodeId) -> Option<Rc<Seller>> {
        self.sellers.borrow().get(node as usize).cloned().flatten()
    }

    /// Every seller, in node order.
    fn all_sellers(&self) -> Vec<Rc<Seller>> {
        self.sellers.borrow().iter().flatten().cloned().collect()
    }
}

impl Mechanism for Bazaar {
    const KIND: &'static str = "bazaar";
    type Params = BazaarParams;
    type Request = BazaarRequest;
    type Msg = BazaarMsg;
    type Report = BazaarReport;

    fn params(table: &Params, scenario: &Scenario) -> Result<BazaarParams, ScenarioError> {
        BazaarParams::from_params(table, scenario.nodes(), scenario.duration_s.is_some())
    }

    fn new(params: BazaarParams) -> Self {
        Bazaar {
            params,
            sellers: RefCell::new(Vec::new()),
            buyers: RefCell::new(Vec::new()),
            searches: Searches::default(),
            inboxes: RefCell::new(HashMap::new()),
            ledger: Ledger::default(),
            stats: Stats::default(),
        }
    }

    /// Serves one message at its destination.
    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<BazaarMsg>) {
        match m.msg {
            BazaarMsg::Lookup(l) => self.on_lookup(ctx, m.to, m.from, l),
            BazaarMsg::Reply(r) => self.on_reply(ctx, m.to, r),
            BazaarMsg::Buy { good } => {
                let sold = self.seller(m.to).and_then(|s| s.sell(good));
                if let Some(serial) = sold {
                    self.ledger.sold(m.to, serial);
                }
                if let Some(reply) = m.reply {
                    bump(&self.stats.buy_messages);
                    reply.send(BazaarMsg::Sold(sold));
                }
            }
            // Answers to buys go straight to the waiting buyer, never through here.
            BazaarMsg::Sold(_) => {}
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let n = ctx.net.node_count();
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed());
        let cast = roles::cast(&self.params, n, &mut rng);
        let restock = Restock {
            enabled: self.params.restock,
            items: self.params.stock,
            goods: self.params.goods.len(),
        };
        let mut sellers = vec![None; n];
        let mut buyers = Vec::new();
        for (node, &(role, good)) in cast.iter().enumerate() {
            let id = node as NodeId;
            match role {
                Role::Seller => {
                    let rng = node_rng(ctx.seed(), node as u64, 1);
                    let s = Seller::new(
                        id,
                        good,
                        restock,
                        self.params.sell_time,
                        self.params.stock_lock,
                        rng,
                    );
                    sellers[node] = Some(Rc::new(s));
                }
                Role::Buyer => buyers.push((id, good)),
                Role::Peer => {}
            }
        }
        *self.sellers.borrow_mut() = sellers;
        *self.buyers.borrow_mut() = buyers.iter().map(|b| b.0).collect();
        for (id, good) in buyers {
            let (me, c) = (self.clone(), ctx.clone());
            let rng = node_rng(ctx.seed(), u64::from(id), 2);
            spawn(format!("buyer-{id}"), move || {
                me.run_buyer(&c, id, good, rng)
            });
        }
    }

    /// A lookup from a `[[load]]` entry: one lookup for a random good at the origin.
    fn request(&self, ctx: &Ctx<Self>, req: &Request<BazaarRequest>) -> RequestOutcome {
        let mut rng = node_rng(ctx.seed() ^ req.id, u64::from(req.origin), 3);
        let good = roles::random_good(&self.params, &mut rng);
        self.shop(ctx, req, good, &mut rng)
    }

    fn message_kind(m: &BazaarMsg) -> &'static str {
        match m {
            BazaarMsg::Lookup(_) => "lookup",
            BazaarMsg::Reply(_) => "reply",
            BazaarMsg::Buy { .. } => "buy",
            BazaarMsg::Sold(_) => "sold",
        }
    }

    fn headline(b: &BazaarReport) -> Option<String> {
        let f = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.4}"));
        Some(format!(
            "{} purchases in {} lookups (success rate {}), {} sold-out answers; \
             response to first reply p50 {} s, p99 {} s",
            b.purchases,
            b.lookups,
            f(b.success_rate),
            b.failed_purchases,
            f(b.response_time_s.p50),
            f(b.response_time_s.p99)
        ))
    }

    fn report(&self) -> BazaarReport {
        let p = &self.params;
        let sellers = self
            .all_sellers()
            .iter()
            .map(|s| {
                let stall = s.stall();
                StallFigures {
                    node: s.node,
                    initial_stock: s.initial_stock,
                    remaining: stall.stock,
                    sold: stall.sold,
                    restocks: stall.restocks,
                    good: p.goods[usize::from(stall.good)].clone(),
                }
            })
            .collect();
        BazaarReport {
            goods: p.goods.clone(),
            hopcount: p.hopcount,
            stock: p.stock,
            seller_policy: p.seller_policy.as_str().to_string(),
            reply_window_s: p.reply_window.as_secs_f64(),
            buyers: self.buyers.borrow().len(),
            searches_live_at_end: self.searches.live(),
            sellers,
            ..self
                .stats
                .report(self.ledger.purchases(), self.ledger.unconfirmed())
        }
    }

    fn check(&self) -> Result<(), String> {
        let sellers = self.all_sellers();
        let stalls: Vec<_> = sellers.iter().map(|s| (s.node, s.stall())).collect();
        self.ledger.audit(stalls.iter().map(|(n, s)| (*n, s)))
    }
}

/// A random stream of its own for node `node` (`salt` tells uses apart).
fn node_rng(seed: u64, node: u64, salt: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(node.wrapping_mul(4).wrapping_add(salt));
    rng
}
