//! Over random topologies, roles, stocks, policies and seeds: the run passes its own
//! invariant check, purchases equal the stock decrements, and every lookup ends.

use p2psim_mechanisms::bazaar::Bazaar;
use proptest::prelude::*;

use crate::harness::{stalls, try_run};

fn topology(kind: u8, nodes: usize) -> String {
    match kind {
        0 => format!("kind = \"ring\"\nnodes = {nodes}"),
        1 => format!("kind = \"star\"\nnodes = {nodes}"),
        2 => format!("kind = \"k_out\"\nnodes = {nodes}\nk = 2"),
        3 => format!("kind = \"erdos_renyi\"\nnodes = {nodes}\np = 0.3"),
        _ => format!("kind = \"barabasi_albert\"\nnodes = {nodes}\nm = 2"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn purchases_equal_stock_decrements_and_no_item_is_sold_twice(
        seed in 0u64..1_000_000,
        kind in 0u8..5,
        nodes in 4usize..16,
        buyer_share in 0.1f64..0.8,
        stock in 1u32..4,
        restock: bool,
        hopcount in 1u32..4,
        policy in prop::sample::select(vec!["first", "random", "nearest"]),
        window in prop::sample::select(vec![0.0, 0.03]),
        sell_time in prop::sample::select(vec![0.0, 0.004]),
        max_lookups in 1u64..4,
    ) {
        let buyers = ((nodes as f64 * buyer_share) as usize).clamp(1, nodes - 1);
        let text = format!(
            "seed = {seed}\n[topology]\n{}\n\
             [transport]\nlatency = {{ kind = \"uniform\", min = 0.005, max = 0.02 }}\n\
             [mechanism]\nkind = \"bazaar\"\nbuyers = {buyers}\nstock = {stock}\n\
             restock = {restock}\nhopcount = {hopcount}\nseller_policy = \"{policy}\"\n\
             reply_window = {window}\nsell_time = {sell_time}\nmax_lookups = {max_lookups}\n\
             think_time = 0.1\nbuy_timeout = 100.0\n",
            topology(kind, nodes)
        );
        // A failed run (its invariant check included) fails the case.
        let b = try_run::<Bazaar>(&text)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .report;
        let stalls = stalls(&b);
        let sold: u64 = stalls.iter().map(|t| t.3).sum();
        prop_assert_eq!(b.purchases, sold);
        prop_assert_eq!(b.unconfirmed_sales, 0);
        for (node, initial, remaining, sold) in &stalls {
            prop_assert!(*remaining >= 0, "seller {} has {} left", node, remaining);
            if !restock {
                prop_assert_eq!(i64::from(*initial) - remaining, *sold as i64);
            }
        }
        let lookups = buyers as u64 * max_lookups;
        prop_assert_eq!(b.lookups, lookups);
        prop_assert_eq!(b.lookups_completed, lookups);
    }
}
