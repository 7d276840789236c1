//! The buyer: it wants one good at a time. It looks the good up, collects the
//! replies, orders the sellers by its policy and buys directly from the first that
//! still has the good; a seller that answers false sends it to the next reply. After
//! a purchase it picks a new good at random, and also after `patience` lookups in a
//! row that bought nothing. Between lookups it thinks.

use std::time::Duration;

use p2psim_runtime::{now, sleep, Mailbox};
use p2psim_sim::graph::NodeId;
use p2psim_sim::{Ctx, Request, RequestOutcome};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::messages::{BazaarMsg, Reply};
use super::params::SellerPolicy;
use super::roles::random_good;
use super::stats::bump;
use super::{Bazaar, BazaarRequest, Good};

impl Bazaar {
    /// A buyer's life: `max_lookups` lookups, or lookups until the run ends.
    pub(super) fn run_buyer(&self, ctx: &Ctx<Self>, me: NodeId, first: Good, mut rng: ChaCha8Rng) {
        let spread = self.params.start_spread.as_secs_f64();
        if spread > 0.0 {
            sleep(Duration::from_secs_f64(rng.gen_range(0.0..spread)));
        }
        let mut wants = first;
        let (mut lookups, mut misses) = (0, 0);
        while self.params.max_lookups.map_or(true, |max| lookups < max) {
            lookups += 1;
            let req = ctx.issue(BazaarRequest::Lookup, me);
            let outcome = self.shop(ctx, &req, wants, &mut rng);
            misses = if outcome.success { 0 } else { misses + 1 };
            ctx.complete(&req, outcome);
            if misses == 0 || misses == self.params.patience {
                wants = random_good(&self.params, &mut rng);
                misses = 0;
            }
            sleep(self.params.think_time);
        }
    }

    /// One lookup for `good` at `req.origin`, and the purchase it leads to.
    pub(super) fn shop(
        &self,
        ctx: &Ctx<Self>,
        req: &Request<BazaarRequest>,
        good: Good,
        rng: &mut ChaCha8Rng,
    ) -> RequestOutcome {
        let (me, search, start) = (req.origin, req.id, now());
        bump(&self.stats.lookups);
        let inbox: Mailbox<Reply> = Mailbox::new();
        self.inboxes.borrow_mut().insert(search, inbox.clone());
        self.flood(ctx, me, good, search);
        let offers = self.collect(&inbox, start);
        let bought = self.buy_from_one(ctx, me, good, offers, &inbox, rng);
        // The search is complete: replies still coming are discarded.
        self.inboxes.borrow_mut().remove(&search);
        let unread = inbox.len() as u64;
        self.stats
            .late_replies
            .set(self.stats.late_replies.get() + unread);
        bump(&self.stats.lookups_done);
        if bought.is_some() {
            bump(&self.stats.lookups_bought);
        }
        let took = now().saturating_since(start).as_secs_f64();
        self.stats.lookup_times.borrow_mut().push(took);
        RequestOutcome {
            success: bought.is_some(),
            hops: bought,
            messages: None,
        }
    }

    /// Waits for the first reply, then collects more for `reply_window`.
    fn collect(&self, inbox: &Mailbox<Reply>, start: p2psim_runtime::SimTime) -> Vec<Reply> {
        let Some(first) = inbox.recv_for(self.params.lookup_timeout) else {
            return Vec::new();
        };
        bump(&self.stats.lookups_answered);
        let waited = now().saturating_since(start).as_secs_f64();
        self.stats.response_times.borrow_mut().push(waited);
        let mut offers = vec![first];
        let until = now() + self.params.reply_window;
        loop {
            let left = until.saturating_since(now());
            if left.is_zero() {
                break;
            }
            match inbox.recv_for(left) {
                Some(r) => offers.push(r),
                None => break,
            }
        }
        offers.extend(std::iter::from_fn(|| inbox.try_recv()));
        offers
    }

    /// Tries the offers in policy order, then any that arrived meanwhile; the hops
    /// to the seller it bought from, or `None` when nobody sold.
    fn buy_from_one(
        &self,
        ctx: &Ctx<Self>,
        me: NodeId,
        good: Good,
        mut offers: Vec<Reply>,
        inbox: &Mailbox<Reply>,
        rng: &mut ChaCha8Rng,
    ) -> Option<u32> {
        while !offers.is_empty() {
            self.order(&mut offers, rng);
            for offer in offers.drain(..) {
                if self.buy(ctx, me, good, offer.seller) {
                    return Some(offer.hops);
                }
            }
            offers.extend(std::iter::from_fn(|| inbox.try_recv()));
        }
        None
    }

    /// Orders offers by the seller policy (arrival order first).
    fn order(&self, offers: &mut [Reply], rng: &mut ChaCha8Rng) {
        match self.params.seller_policy {
            SellerPolicy::First => {}
            SellerPolicy::Random => offers.shuffle(rng),
            SellerPolicy::Nearest => offers.sort_by_key(|r| r.hops),
        }
    }

    /// Buys one item of `good` directly from `seller`: true if it sold.
    fn buy(&self, ctx: &Ctx<Self>, me: NodeId, good: Good, seller: NodeId) -> bool {
        bump(&self.stats.buy_messages);
        let answer = ctx
            .net
            .call(me, seller, BazaarMsg::Buy { good }, self.params.buy_timeout);
        match answer {
            Ok(BazaarMsg::Sold(Some(serial))) => {
                self.ledger.bought(seller, serial);
                true
            }
            Ok(_) => {
                bump(&self.stats.failed_purchases);
                false
            }
            Err(_) => {
                bump(&self.stats.buy_timeouts);
                false
            }
        }
    }
}
