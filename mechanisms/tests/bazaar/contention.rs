//! The case the assignment's own solution could not handle: n buyers answered by one seller that has n-1
//! items. Exactly n-1 buys succeed, the last buyer hears false and moves on, and
//! nobody waits forever.

use p2psim_mechanisms::bazaar::Bazaar;
use p2psim_sim::engine::RunFailure;

use crate::harness::{bazaar_case, run, run_file, stalls, try_run_file};

/// A star: the seller at the centre with `items` of salt, `n` salt buyers around it.
fn star(n: usize, items: usize, extra: &str) -> String {
    let roles = std::iter::once("\"seller\"")
        .chain(std::iter::repeat("\"buyer\"").take(n))
        .collect::<Vec<_>>()
        .join(", ");
    let goods = vec!["\"salt\""; n + 1].join(", ");
    format!(
        "seed = {n}\n[topology]\nkind = \"star\"\nnodes = {}\n\
         [transport]\nlatency = {{ kind = \"constant\", value = 0.01 }}\n\
         [mechanism]\nkind = \"bazaar\"\nroles = [{roles}]\ninitial_goods = [{goods}]\n\
         stock = {items}\nrestock = false\nhopcount = 1\n{extra}\n",
        n + 1
    )
}

#[test]
fn n_buyers_for_n_minus_1_items_exactly_n_minus_1_purchases() {
    for n in 2..=6u64 {
        let out = run::<Bazaar>(&star(n as usize, n as usize - 1, "max_lookups = 3"));
        let b = &out.report;
        assert_eq!(b.purchases, n - 1, "n = {n}");
        assert_eq!(b.failed_purchases, 1, "n = {n}: one buyer hears false");
        assert_eq!(stalls(b), vec![(0, n as u32 - 1, 0, n - 1)], "n = {n}");
        // Everyone finished every lookup: the loser looked up again and found nothing.
        assert_eq!(b.lookups_completed, 3 * n, "n = {n}");
        assert_eq!(b.unconfirmed_sales, 0);
        assert!(out.summary.completed);
    }
}

#[test]
fn a_slow_seller_serves_queued_buyers_one_at_a_time_under_its_lock() {
    // Each sale holds the lock for 10 ms: the 5 buys that arrive together are served
    // in turn, 4 true and the last false after 40 ms in the queue.
    let b = run::<Bazaar>(&star(5, 4, "max_lookups = 1\nsell_time = 0.01")).report;
    assert_eq!(b.purchases, 4);
    assert_eq!(b.failed_purchases, 1);
    let slowest = b.lookup_time_s.p99.expect("lookups ended");
    assert!(slowest > 0.07, "queued buyers wait for the lock: {slowest}");
}

#[test]
fn the_buyer_that_hears_false_tries_the_next_reply() {
    // A peer at the centre; seller 1 (n-1 items) is 10 ms away, seller 2 (1 item) 50 ms
    // away. Every buyer collects both replies, tries seller 1 first, and the one that
    // hears false buys from seller 2 within the same lookup.
    let n = 4;
    let roles: Vec<&str> = ["\"peer\"", "\"seller\"", "\"seller\""]
        .into_iter()
        .chain(std::iter::repeat("\"buyer\"").take(n))
        .collect();
    let text = format!(
        "[topology]\nkind = \"star\"\nnodes = {}\n\
         [transport]\nlatency = {{ kind = \"constant\", value = 0.01 }}\n\
         links = [{{ a = 0, b = 2, latency = 0.05 }}]\n\
         [mechanism]\nkind = \"bazaar\"\nroles = [{}]\ngoods = [\"salt\"]\n\
         stock = {}\nrestock = false\nhopcount = 2\nreply_window = 0.2\n\
         seller_policy = \"nearest\"\nmax_lookups = 1\n",
        n + 3,
        roles.join(", "),
        n - 1
    );
    let b = run::<Bazaar>(&text).report;
    assert_eq!(b.purchases, n as u64);
    assert_eq!(b.failed_purchases, 1);
    assert_eq!(b.success_rate, Some(1.0));
    let stalls = stalls(&b);
    assert_eq!(stalls[0].2, 0);
    assert_eq!(stalls[0].3, n as u64 - 1);
    assert_eq!(stalls[1].3, 1);
}

#[test]
fn without_the_lock_items_are_sold_twice_and_the_run_fails() {
    let path = bazaar_case("race_without_lock");
    match try_run_file::<Bazaar>(&path, &[]) {
        // The run itself ends; the ledger's audit after it finds the double sales.
        Err(RunFailure::Invariant { message, .. }) => assert!(
            message.contains("below zero") || message.contains("twice"),
            "{message}"
        ),
        Err(other) => panic!("the invariant check fails, not the run: {other}"),
        Ok(_) => panic!("the invariant check fails"),
    }
    let b = run_file::<Bazaar>(&path, &["mechanism.stock_lock=true"]).report;
    assert_eq!(b.purchases, 2);
    assert_eq!(b.failed_purchases, 2);
}
