//! What the bazaar counts, and its part of `summary.json`.

use std::cell::{Cell, RefCell};

use p2psim_sim::observe::quantile;
use serde::{Deserialize, Serialize};

/// Counters and samples of one run.
#[derive(Default)]
pub struct Stats {
    /// Lookups started by buyers.
    pub lookups: Cell<u64>,
    /// Lookups finished (bought or gave up).
    pub lookups_done: Cell<u64>,
    /// Lookups that ended in a purchase.
    pub lookups_bought: Cell<u64>,
    /// Lookups that got at least one reply.
    pub lookups_answered: Cell<u64>,
    /// Replies that reached their buyer.
    pub replies: Cell<u64>,
    /// Replies for a search already completed, discarded.
    pub late_replies: Cell<u64>,
    /// Buys answered false (sold out, or the seller moved to another good).
    pub failed_purchases: Cell<u64>,
    /// Buys with no answer before `buy_timeout`.
    pub buy_timeouts: Cell<u64>,
    /// Lookups that died because their hopcount reached 0.
    pub expired: Cell<u64>,
    /// Lookups dropped at a node that had seen their search.
    pub duplicates: Cell<u64>,
    /// Lookup messages sent.
    pub lookup_messages: Cell<u64>,
    /// Reply messages sent (one per hop back).
    pub reply_messages: Cell<u64>,
    /// Buy and sold messages sent.
    pub buy_messages: Cell<u64>,
    /// Seconds from a lookup to its first reply.
    pub response_times: RefCell<Vec<f64>>,
    /// Seconds from a lookup to its end (purchase or giving up).
    pub lookup_times: RefCell<Vec<f64>>,
}

/// Adds one to a counter.
pub fn bump(c: &Cell<u64>) {
    c.set(c.get() + 1);
}

impl Stats {
    /// Messages of all kinds.
    pub fn messages(&self) -> u64 {
        self.lookup_messages.get() + self.reply_messages.get() + self.buy_messages.get()
    }

    /// The figures counted here, with `purchases` and `unconfirmed` sales
    /// from the ledger; the rest of the report is left at its defaults.
    pub fn report(&self, purchases: u64, unconfirmed: u64) -> BazaarReport {
        let lookups = self.lookups.get();
        let done = self.lookups_done.get();
        BazaarReport {
            lookups,
            lookups_completed: done,
            lookups_answered: self.lookups_answered.get(),
            replies: self.replies.get(),
            late_replies: self.late_replies.get(),
            purchases,
            failed_purchases: self.failed_purchases.get(),
            buy_timeouts: self.buy_timeouts.get(),
            unconfirmed_sales: unconfirmed,
            success_rate: ratio(self.lookups_bought.get(), done),
            response_time_s: Times::of(&self.response_times.borrow()),
            lookup_time_s: Times::of(&self.lookup_times.borrow()),
            messages: Messages {
                lookup: self.lookup_messages.get(),
                reply: self.reply_messages.get(),
                buy: self.buy_messages.get(),
                total: self.messages(),
            },
            messages_per_lookup: ratio(self.messages(), lookups),
            lookups_expired: self.expired.get(),
            duplicates_dropped: self.duplicates.get(),
            ..BazaarReport::default()
        }
    }
}

/// The bazaar's figures in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BazaarReport {
    /// Lookups started (by buyers and by the load).
    pub lookups: u64,
    /// Lookups finished (bought or gave up).
    pub lookups_completed: u64,
    /// Lookups that got at least one reply.
    pub lookups_answered: u64,
    /// Replies that reached their buyer.
    pub replies: u64,
    /// Replies for a search already completed, discarded.
    pub late_replies: u64,
    /// Items bought (from the ledger).
    pub purchases: u64,
    /// Buys answered false (sold out, or the seller moved to another good).
    pub failed_purchases: u64,
    /// Buys with no answer before `buy_timeout`.
    pub buy_timeouts: u64,
    /// Sales whose answer never reached the buyer.
    pub unconfirmed_sales: u64,
    /// Lookups that bought, over lookups completed.
    pub success_rate: Option<f64>,
    /// Seconds from a lookup to its first reply.
    pub response_time_s: Times,
    /// Seconds from a lookup to its end.
    pub lookup_time_s: Times,
    /// Messages by kind.
    pub messages: Messages,
    /// Messages per lookup.
    pub messages_per_lookup: Option<f64>,
    /// Lookups that died because their hopcount reached 0.
    pub lookups_expired: u64,
    /// Lookups dropped at a node that had seen their search.
    pub duplicates_dropped: u64,
    /// The goods traded.
    pub goods: Vec<String>,
    /// Hops a lookup travels.
    pub hopcount: u32,
    /// Items per stock.
    pub stock: u32,
    /// How a buyer picks among the replies.
    pub seller_policy: String,
    /// How long a buyer collects replies, in seconds.
    pub reply_window_s: f64,
    /// Buyers.
    pub buyers: usize,
    /// Searches still remembered at the end.
    pub searches_live_at_end: usize,
    /// Every seller's stall, in node order.
    pub sellers: Vec<StallFigures>,
}

/// One seller's stall at the end.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StallFigures {
    /// The seller's node.
    pub node: u32,
    /// Items in its first stock.
    pub initial_stock: u32,
    /// Items left (negative only if a broken lock oversold).
    pub remaining: i64,
    /// Items sold.
    pub sold: u64,
    /// Times it restocked.
    pub restocks: u64,
    /// The good it sells now.
    pub good: String,
}

/// Messages of the bazaar, by kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Messages {
    /// Lookup copies.
    pub lookup: u64,
    /// Reply hops.
    pub reply: u64,
    /// Buys and their answers.
    pub buy: u64,
    /// All of them.
    pub total: u64,
}

/// A distribution of times, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Times {
    /// The median.
    pub p50: Option<f64>,
    /// The 99th percentile.
    pub p99: Option<f64>,
    /// The mean.
    pub mean: Option<f64>,
    /// Samples.
    pub count: usize,
}

impl Times {
    fn of(samples: &[f64]) -> Times {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Times {
            p50: quantile(&sorted, 0.5),
            p99: quantile(&sorted, 0.99),
            mean: (!sorted.is_empty()).then(|| sorted.iter().sum::<f64>() / sorted.len() as f64),
            count: sorted.len(),
        }
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}
