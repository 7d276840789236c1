//! Lookup and reply: a buyer floods `lookup(good, hopcount, search id, path)` to its
//! neighbours; each node drops a search it has seen, answers if it sells the good,
//! and forwards to its other neighbours with hopcount - 1 and itself pushed on the
//! path, until the hopcount reaches 0. A reply backtracks along the reversed path,
//! one message per hop, to the buyer.

use p2psim_sim::graph::NodeId;
use p2psim_sim::Ctx;

use super::messages::{BazaarMsg, Lookup, Reply};
use super::stats::bump;
use super::{Bazaar, Good};

impl Bazaar {
    /// Floods a new search for `good` from `buyer` to its neighbours.
    pub(super) fn flood(&self, ctx: &Ctx<Self>, buyer: NodeId, good: Good, search: u64) {
        self.searches.open(search, buyer);
        let hopcount = self.params.hopcount;
        if hopcount == 0 {
            bump(&self.stats.expired);
        } else {
            let path = vec![buyer];
            for n in ctx.net.neighbors(buyer) {
                let l = Lookup {
                    good,
                    hopcount,
                    search,
                    path: path.clone(),
                };
                self.send_lookup(ctx, buyer, n, l);
            }
        }
        self.searches.settle(search, false);
    }

    /// A lookup arrives at `at` from `from`.
    pub(super) fn on_lookup(&self, ctx: &Ctx<Self>, at: NodeId, from: NodeId, l: Lookup) {
        let search = l.search;
        if !self.searches.arrive(search, at) {
            bump(&self.stats.duplicates);
        } else {
            if self.seller(at).is_some_and(|s| s.holds(l.good)) {
                let mut back = l.path.clone();
                let hops = back.len() as u32;
                let next = back
                    .pop()
                    .expect("a lookup's path holds at least the buyer");
                let r = Reply {
                    search,
                    seller: at,
                    hops,
                    back,
                };
                self.send_reply(ctx, at, next, r);
            }
            if l.hopcount > 1 {
                let mut path = l.path;
                path.push(at);
                for n in ctx.net.neighbors(at) {
                    if n != from {
                        let fwd = Lookup {
                            good: l.good,
                            hopcount: l.hopcount - 1,
                            search,
                            path: path.clone(),
                        };
                        self.send_lookup(ctx, at, n, fwd);
                    }
                }
            } else {
                bump(&self.stats.expired);
            }
        }
        self.searches.settle(search, true);
    }

    /// A reply arrives at `at`: it hops on towards the buyer, or has reached it.
    pub(super) fn on_reply(&self, ctx: &Ctx<Self>, at: NodeId, mut r: Reply) {
        match r.back.pop() {
            Some(next) => self.send_reply(ctx, at, next, r),
            None => {
                bump(&self.stats.replies);
                // Replies for a search already completed are discarded.
                match self.inboxes.borrow().get(&r.search) {
                    Some(inbox) => inbox.send(r),
                    None => bump(&self.stats.late_replies),
                }
            }
        }
    }

    fn send_lookup(&self, ctx: &Ctx<Self>, from: NodeId, to: NodeId, l: Lookup) {
        self.searches.sent(l.search);
        bump(&self.stats.lookup_messages);
        ctx.net.send(from, to, BazaarMsg::Lookup(l));
    }

    fn send_reply(&self, ctx: &Ctx<Self>, from: NodeId, to: NodeId, r: Reply) {
        bump(&self.stats.reply_messages);
        ctx.net.send(from, to, BazaarMsg::Reply(r));
    }
}
