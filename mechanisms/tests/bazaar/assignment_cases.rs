//! The assignment's five test cases, each its own scenario under
//! `mechanisms/tests/scenarios/bazaar/`.

use p2psim_mechanisms::bazaar::{Bazaar, BazaarReport};
use p2psim_sim::engine::RunOutput;

use crate::harness::{bazaar_case, run_file, stalls};

/// Runs the case `name` with `--set` overrides; panics if the run fails.
fn run_case(name: &str, overrides: &[&str]) -> RunOutput<BazaarReport> {
    run_file::<Bazaar>(&bazaar_case(name), overrides)
}

#[test]
fn case1_two_buyers_one_item_exactly_one_purchase() {
    let out = run_case("case1_two_buyers_one_item", &[]);
    let b = &out.report;
    assert_eq!(b.purchases, 1);
    assert_eq!(b.failed_purchases, 1, "the other buyer hears false");
    // (node, initial, remaining, sold)
    assert_eq!(stalls(b), vec![(2, 1, 0, 1)]);
    assert_eq!(b.lookups_completed, b.lookups);
    assert!(out.summary.completed);
}

#[test]
fn case2_nothing_in_common_nothing_bought_and_every_lookup_dies_at_hopcount_zero() {
    let b = run_case("case2_nothing_in_common", &[]).report;
    assert_eq!(b.purchases, 0);
    assert_eq!(b.replies, 0);
    assert_eq!(b.lookups, 6);
    assert_eq!(b.lookups_completed, 6);
    // Hopcount 1: each lookup reaches the buyer's 2 neighbours and dies there.
    assert_eq!(b.lookups_expired, 12);
    assert_eq!(b.messages.lookup, 12);
    assert_eq!(b.searches_live_at_end, 0);
    assert_eq!(stalls(&b), vec![(2, 5, 5, 0)]);
}

#[test]
fn case3_hopcount_zero_the_seller_is_out_of_reach() {
    let b = run_case("case3_hopcount_zero", &[]).report;
    assert_eq!(b.purchases, 0);
    assert_eq!(b.messages.total, 0);
    assert_eq!(stalls(&b), vec![(2, 5, 5, 0)]);
}

#[test]
fn case3_a_seller_three_hops_away_is_out_of_reach_of_hopcount_two() {
    let b = run_case("case3_out_of_reach", &[]).report;
    assert_eq!(b.purchases, 0);
    assert_eq!(b.replies, 0);
    // The control: one more hop and the buyer reaches the salt seller.
    let b = run_case(
        "case3_out_of_reach",
        &["mechanism.hopcount=3", "mechanism.max_lookups=1"],
    )
    .report;
    assert_eq!(b.purchases, 1);
    assert!(stalls(&b).contains(&(3, 5, 4, 1)));
}

#[test]
fn case4_normal_match_one_purchase_and_the_stock_drops_by_one() {
    let b = run_case("case4_normal_match", &[]).report;
    assert_eq!(b.purchases, 1);
    assert_eq!(stalls(&b), vec![(1, 3, 2, 1), (2, 3, 3, 0)]);
    assert_eq!(b.success_rate, Some(1.0));
    // lookup out (2 hops), reply back (2 hops at 10 ms), buy round trip.
    assert_eq!(b.response_time_s.p50, Some(0.02));
}

#[test]
fn case5_two_sellers_answer_and_the_buyer_buys_from_exactly_one() {
    let b = run_case("case5_two_sellers_answer", &[]).report;
    assert_eq!(b.replies, 2);
    assert_eq!(b.purchases, 1);
    let sold: u64 = b.sellers.iter().map(|s| s.sold).sum();
    assert_eq!(sold, 1);
    for policy in ["first", "random", "nearest"] {
        let set = format!("mechanism.seller_policy=\"{policy}\"");
        let b = run_case("case5_two_sellers_answer", &[&set]).report;
        assert_eq!(b.purchases, 1, "{policy}");
        assert_eq!(b.sellers.iter().map(|s| s.sold).sum::<u64>(), 1, "{policy}");
    }
}
