//! The seed's five test cases, each its own scenario under `tests/scenarios/bazaar/`.

mod common;

use common::{int, run_case, stalls};

#[test]
fn case1_two_buyers_one_item_exactly_one_purchase() {
    let s = run_case("case1_two_buyers_one_item", &[]);
    assert_eq!(int(&s, "purchases"), 1);
    assert_eq!(
        int(&s, "failed_purchases"),
        1,
        "the other buyer hears false"
    );
    // (node, initial, remaining, sold)
    assert_eq!(stalls(&s), vec![(2, 1, 0, 1)]);
    assert_eq!(int(&s, "lookups_completed"), int(&s, "lookups"));
    assert_eq!(s["completed"], true);
}

#[test]
fn case2_nothing_in_common_nothing_bought_and_every_lookup_dies_at_hopcount_zero() {
    let s = run_case("case2_nothing_in_common", &[]);
    assert_eq!(int(&s, "purchases"), 0);
    assert_eq!(int(&s, "replies"), 0);
    assert_eq!(int(&s, "lookups"), 6);
    assert_eq!(int(&s, "lookups_completed"), 6);
    // Hopcount 1: each lookup reaches the buyer's 2 neighbours and dies there.
    assert_eq!(int(&s, "lookups_expired"), 12);
    assert_eq!(s["bazaar"]["messages"]["lookup"], 12);
    assert_eq!(int(&s, "searches_live_at_end"), 0);
    assert_eq!(stalls(&s), vec![(2, 5, 5, 0)]);
}

#[test]
fn case3_hopcount_zero_the_seller_is_out_of_reach() {
    let s = run_case("case3_hopcount_zero", &[]);
    assert_eq!(int(&s, "purchases"), 0);
    assert_eq!(s["bazaar"]["messages"]["total"], 0);
    assert_eq!(stalls(&s), vec![(2, 5, 5, 0)]);
}

#[test]
fn case3_a_seller_three_hops_away_is_out_of_reach_of_hopcount_two() {
    let s = run_case("case3_out_of_reach", &[]);
    assert_eq!(int(&s, "purchases"), 0);
    assert_eq!(int(&s, "replies"), 0);
    // The control: one more hop and the buyer reaches the salt seller.
    let s = run_case(
        "case3_out_of_reach",
        &["mechanism.hopcount=3", "mechanism.max_lookups=1"],
    );
    assert_eq!(int(&s, "purchases"), 1);
    assert!(stalls(&s).contains(&(3, 5, 4, 1)));
}

#[test]
fn case4_normal_match_one_purchase_and_the_stock_drops_by_one() {
    let s = run_case("case4_normal_match", &[]);
    assert_eq!(int(&s, "purchases"), 1);
    assert_eq!(stalls(&s), vec![(1, 3, 2, 1), (2, 3, 3, 0)]);
    assert_eq!(s["bazaar"]["success_rate"], 1.0);
    // lookup out (2 hops), reply back (2 hops at 10 ms), buy round trip.
    assert_eq!(s["bazaar"]["response_time_s"]["p50"], 0.02);
}

#[test]
fn case5_two_sellers_answer_and_the_buyer_buys_from_exactly_one() {
    let s = run_case("case5_two_sellers_answer", &[]);
    assert_eq!(int(&s, "replies"), 2);
    assert_eq!(int(&s, "purchases"), 1);
    let sold: i64 = stalls(&s).iter().map(|t| t.3).sum();
    assert_eq!(sold, 1);
    for policy in ["first", "random", "nearest"] {
        let set = format!("mechanism.seller_policy=\"{policy}\"");
        let s = run_case("case5_two_sellers_answer", &[&set]);
        assert_eq!(int(&s, "purchases"), 1, "{policy}");
        assert_eq!(stalls(&s).iter().map(|t| t.3).sum::<i64>(), 1, "{policy}");
    }
}
