//! The ledger: every sale as the seller made it and every purchase as the buyer
//! received it, audited after the run. No item is sold twice, no stock goes below
//! zero, and what buyers bought is exactly what left the stalls.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use p2psim_sim::graph::NodeId;

use super::seller::Stall;

/// Sales and purchases, by seller and item serial.
#[derive(Default)]
pub struct Ledger {
    sales: RefCell<Vec<(NodeId, u64)>>,
    purchases: RefCell<Vec<(NodeId, u64)>>,
}

impl Ledger {
    /// The seller handed over item `serial`.
    pub fn sold(&self, seller: NodeId, serial: u64) {
        self.sales.borrow_mut().push((seller, serial));
    }

    /// A buyer received item `serial` from `seller`.
    pub fn bought(&self, seller: NodeId, serial: u64) {
        self.purchases.borrow_mut().push((seller, serial));
    }

    /// Purchases the buyers received.
    pub fn purchases(&self) -> u64 {
        self.purchases.borrow().len() as u64
    }

    /// Sales whose answer never reached the buyer (it timed out, or the answer was lost).
    pub fn unconfirmed(&self) -> u64 {
        (self.sales.borrow().len() - self.purchases.borrow().len().min(self.sales.borrow().len()))
            as u64
    }

    /// Checks the ledger against the stalls (in node order); the first violation found.
    pub fn audit<'a>(
        &self,
        stalls: impl Iterator<Item = (NodeId, &'a Stall)>,
    ) -> Result<(), String> {
        let mut sold: BTreeMap<NodeId, BTreeSet<u64>> = BTreeMap::new();
        for &(seller, serial) in self.sales.borrow().iter() {
            if !sold.entry(seller).or_default().insert(serial) {
                return Err(format!("seller {seller} sold item #{serial} twice"));
            }
        }
        for (node, stall) in stalls {
            if stall.stock < 0 {
                return Err(format!(
                    "seller {node}'s stock is {} (below zero)",
                    stall.stock
                ));
            }
            let serials = sold.remove(&node).unwrap_or_default();
            let decrements = stall.stocked - stall.stock as u64;
            if serials.len() as u64 != decrements || stall.sold != decrements {
                return Err(format!(
                    "seller {node}: stock fell by {decrements} but {} items were sold",
                    serials.len()
                ));
            }
            if let Some(s) = serials.iter().find(|s| **s >= stall.stocked) {
                return Err(format!(
                    "seller {node} sold item #{s} it never stocked ({} stocked)",
                    stall.stocked
                ));
            }
            sold.insert(node, serials);
        }
        let mut received = BTreeSet::new();
        for &(seller, serial) in self.purchases.borrow().iter() {
            if !received.insert((seller, serial)) {
                return Err(format!(
                    "item #{serial} of seller {seller} was bought twice"
                ));
            }
            if !sold.get(&seller).is_some_and(|s| s.contains(&serial)) {
                return Err(format!(
                    "a buyer got item #{serial} that seller {seller} never sold"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stall(stock: i64, stocked: u64) -> Stall {
        Stall {
            good: 0,
            stock,
            stocked,
            sold: stocked.wrapping_sub(stock as u64),
            restocks: 0,
        }
    }

    #[test]
    fn a_clean_ledger_passes() {
        let l = Ledger::default();
        l.sold(3, 0);
        l.bought(3, 0);
        assert_eq!(l.audit([(3, &stall(1, 2))].into_iter()), Ok(()));
        assert_eq!((l.purchases(), l.unconfirmed()), (1, 0));
    }

    #[test]
    fn double_sales_negative_stock_and_phantom_purchases_fail() {
        let l = Ledger::default();
        l.sold(3, 0);
        l.sold(3, 0);
        assert!(l
            .audit([(3, &stall(0, 2))].into_iter())
            .unwrap_err()
            .contains("twice"));
        let l = Ledger::default();
        l.sold(3, 0);
        l.sold(3, 1);
        l.sold(3, 2);
        assert!(l
            .audit([(3, &stall(-1, 2))].into_iter())
            .unwrap_err()
            .contains("below zero"));
        let l = Ledger::default();
        l.bought(3, 0);
        assert!(l
            .audit([(3, &stall(2, 2))].into_iter())
            .unwrap_err()
            .contains("never sold"));
    }
}
