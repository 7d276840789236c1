//! A seller's stall: one good, a stock of k items, and the lock every buy takes.
//!
//! Items carry serial numbers (0, 1, 2, ... over all restocks), so the ledger can
//! prove that no item was sold twice. The stall's figures live in a `RefCell` that is
//! only changed while the runtime `Mutex` is held (or, with `stock_lock = false`,
//! without it: the assignment's race, kept to show what the lock prevents).

use std::cell::RefCell;
use std::time::Duration;

use p2psim_runtime::{sleep, Mutex};
use p2psim_sim::graph::NodeId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::Good;

/// The figures of one stall.
#[derive(Clone, Debug)]
pub struct Stall {
    /// The good on sale.
    pub good: Good,
    /// Items left (signed, so a broken lock shows as a negative stock).
    pub stock: i64,
    /// Items ever put on the stall; serials run `0..stocked`.
    pub stocked: u64,
    /// Items sold.
    pub sold: u64,
    /// Times it sold out and restocked.
    pub restocks: u64,
}

/// How a seller restocks.
#[derive(Clone, Copy, Debug)]
pub struct Restock {
    /// Whether it restocks at all.
    pub enabled: bool,
    /// Items per restock (k).
    pub items: u32,
    /// Goods to choose from.
    pub goods: usize,
}

/// A seller node.
pub struct Seller {
    /// Its node.
    pub node: NodeId,
    /// Its first stock.
    pub initial_stock: u32,
    lock: Mutex<()>,
    guarded: bool,
    sell_time: Duration,
    restock: Restock,
    stall: RefCell<Stall>,
    rng: RefCell<ChaCha8Rng>,
}

impl Seller {
    /// A seller at `node` selling `good` from `restock.items` items.
    pub fn new(
        node: NodeId,
        good: Good,
        restock: Restock,
        sell_time: Duration,
        guarded: bool,
        rng: ChaCha8Rng,
    ) -> Self {
        Seller {
            node,
            initial_stock: restock.items,
            lock: Mutex::named(&format!("stall-{node}"), ()),
            guarded,
            sell_time,
            restock,
            stall: RefCell::new(Stall {
                good,
                stock: i64::from(restock.items),
                stocked: u64::from(restock.items),
                sold: 0,
                restocks: 0,
            }),
            rng: RefCell::new(rng),
        }
    }

    /// Whether it has `good` on sale now (what a lookup sees).
    pub fn holds(&self, good: Good) -> bool {
        let s = self.stall.borrow();
        s.good == good && s.stock > 0
    }

    /// The stall's figures now.
    pub fn stall(&self) -> Stall {
        self.stall.borrow().clone()
    }

    /// Sells one item of `good`: its serial (true), or `None` (false) when the stall
    /// sells something else or has sold out. Buyers queue on the lock in arrival order.
    pub fn sell(&self, good: Good) -> Option<u64> {
        if !self.guarded {
            return self.sell_unguarded(good);
        }
        let _held = self.lock.lock();
        if !self.holds(good) {
            return None;
        }
        if !self.sell_time.is_zero() {
            sleep(self.sell_time);
        }
        Some(self.hand_over())
    }

    /// The assignment's race: check, take time, then take the item, with no lock.
    fn sell_unguarded(&self, good: Good) -> Option<u64> {
        if !self.holds(good) {
            return None;
        }
        sleep(self.sell_time);
        Some(self.hand_over())
    }

    /// Takes the next item off the stall; restocks with a new good when it sold out.
    fn hand_over(&self) -> u64 {
        let mut s = self.stall.borrow_mut();
        let serial = s.stocked.wrapping_sub(s.stock as u64);
        s.stock -= 1;
        s.sold += 1;
        if s.stock == 0 && self.restock.enabled {
            s.good = self.rng.borrow_mut().gen_range(0..self.restock.goods) as Good;
            s.stock = i64::from(self.restock.items);
            s.stocked += u64::from(self.restock.items);
            s.restocks += 1;
        }
        serial
    }
}
