//! What the bazaar counts, and its part of `summary.json`.

use std::cell::{Cell, RefCell};

use p2psim_sim::observe::quantile;
use serde_json::{json, Value};

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

    /// The figures, with `purchases` from the ledger.
    pub fn summary(&self, purchases: u64, unconfirmed: u64) -> Value {
        let lookups = self.lookups.get();
        let done = self.lookups_done.get();
        json!({
            "lookups": lookups,
            "lookups_completed": done,
            "lookups_answered": self.lookups_answered.get(),
            "replies": self.replies.get(),
            "late_replies": self.late_replies.get(),
            "purchases": purchases,
            "failed_purchases": self.failed_purchases.get(),
            "buy_timeouts": self.buy_timeouts.get(),
            "unconfirmed_sales": unconfirmed,
            "success_rate": ratio(self.lookups_bought.get(), done),
            "response_time_s": quantiles(&self.response_times.borrow()),
            "lookup_time_s": quantiles(&self.lookup_times.borrow()),
            "messages": {
                "lookup": self.lookup_messages.get(),
                "reply": self.reply_messages.get(),
                "buy": self.buy_messages.get(),
                "total": self.messages(),
            },
            "messages_per_lookup": ratio(self.messages(), lookups),
            "lookups_expired": self.expired.get(),
            "duplicates_dropped": self.duplicates.get(),
        })
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn quantiles(samples: &[f64]) -> Value {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = (!sorted.is_empty()).then(|| sorted.iter().sum::<f64>() / sorted.len() as f64);
    json!({
        "p50": quantile(&sorted, 0.5),
        "p99": quantile(&sorted, 0.99),
        "mean": mean,
        "count": sorted.len(),
    })
}
