//! `p2psim check` on the transfer demo: a deadlock FIFO never shows, found,
//! shrunk, saved and replayed; its fix passes; a timeout cycle is counted;
//! the failing run's trace shows the cycle.

use std::path::PathBuf;

use p2psim_mechanisms::transfer::Transfer;
use p2psim_sim::check::{self, Check, Failure, FailureKind, Strategy};
use p2psim_sim::engine::run_scenario;
use p2psim_sim::scenario::{load_file, parse_str, Scenario};
use p2psim_sim::Mechanisms;

fn demo(overrides: &[&str]) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/check-transfer.toml");
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load_file(&path, &overrides).expect("the demo scenario is valid")
}

fn mechanisms() -> Mechanisms {
    Mechanisms::new().with::<Transfer>()
}

/// `pairs` transfers from node 0, each answered by one from node 1 exactly
/// one hop later: `2 * pairs` requests, each pair a race only a non-FIFO
/// order at one instant (or jitter) loses.
fn racing_pairs(pairs: usize) -> Scenario {
    let t0: Vec<String> = (0..pairs).map(|i| format!("{}.0", i)).collect();
    let t1: Vec<String> = (0..pairs).map(|i| format!("{}.01", i)).collect();
    let text = format!(
        "name = \"pairs\"\n[topology]\nkind = \"ring\"\nnodes = 16\n[transport]\nlatency = 0.01\n\
         [mechanism]\nkind = \"transfer\"\n\
         [[load]]\nrequest = \"transfer\"\narrivals = \"schedule\"\ntimes = [{}]\norigin = 0\n\
         [[load]]\nrequest = \"transfer\"\narrivals = \"schedule\"\ntimes = [{}]\norigin = 1\n",
        t0.join(", "),
        t1.join(", ")
    );
    parse_str(&text, "pairs.toml", &[]).expect("valid")
}

#[test]
fn the_demo_passes_in_fifo_order() {
    let out = run_scenario::<Transfer>(&demo(&[])).expect("FIFO never deadlocks here");
    assert_eq!(out.report.completed, 40);
    assert_eq!(out.report.total_balance, out.report.opening_total);
}

#[test]
fn pct_finds_the_deadlock_and_the_saved_failure_replays_it_exactly() {
    let mut check = Check::new(Strategy::Pct { depth: 3 }, 1000);
    check.jobs = 2;
    let mut failure = *check
        .run(&mechanisms(), &demo(&[]), &|_| {})
        .expect_err("some schedule deadlocks");
    assert_eq!(failure.kind, FailureKind::PartialDeadlock);
    assert!(failure.report.contains("account of node 0"), "{failure}");
    assert_eq!(failure.after.requests, 2, "{failure}");
    assert_eq!(failure.after.decisions, 1, "{failure}");
    assert!(failure.after.nodes <= 2, "{failure}");
    let path = std::env::temp_dir().join(format!("p2psim-failure-{}.json", std::process::id()));
    failure.save(&path).unwrap();
    let loaded = Failure::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let replayed = check::replay(&mechanisms(), &loaded).unwrap();
    assert!(replayed.matches(&loaded), "{:?}", replayed.report);
    assert_eq!(replayed.summary.trace_hash, failure.trace_hash);
    assert!(format!("{failure}").contains("p2psim replay"));
}

#[test]
fn the_fix_passes_ten_thousand_schedules() {
    let fixed = demo(&["mechanism.release_before_call=true"]);
    let stats = check::explore::<Transfer>(&fixed, Strategy::Pct { depth: 3 }, 10_000)
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(stats.schedules, 10_000);
    assert_eq!(stats.timeout_cycles, 0);
}

#[test]
fn shrinking_turns_two_hundred_requests_into_the_two_that_race() {
    let bound = std::time::Duration::from_millis(5);
    let mut check = Check::new(Strategy::Jitter { bound }, 50);
    check.jobs = 1;
    let failure = check
        .run(&mechanisms(), &racing_pairs(100), &|_| {})
        .expect_err("jitter breaks a race");
    assert!(failure.before.requests >= 2, "{failure}");
    // Decisions are named by their instant: dropping the requests before the
    // race shifts none of its choices, so only the racing pair is left.
    assert_eq!(failure.after.requests, 2, "{failure}");
    assert_eq!(failure.after.decisions, 1, "{failure}");
    // Decisions past the shrunk log's end take the default, and it still fails.
    let replayed = check::replay(&mechanisms(), &failure).unwrap();
    assert!(replayed.matches(&failure), "{}", replayed.report);
    // The full scenario had 200 requests to shrink from.
    let full = run_scenario::<Transfer>(&racing_pairs(100)).expect("FIFO passes");
    assert_eq!(full.summary.requests.issued, 200);
}

#[test]
fn a_cycle_that_a_timeout_breaks_is_counted_or_fails_when_asked() {
    let timed = demo(&["mechanism.timeout=1.0"]);
    let stats = check::explore::<Transfer>(&timed, Strategy::Random, 200).expect("no deadlock");
    assert!(stats.timeout_cycles > 0, "{stats:?}");
    let mut strict = Check::new(Strategy::Random, 200);
    strict.fail_on_timeout_cycle = true;
    let failure = strict
        .run(&mechanisms(), &timed, &|_| {})
        .expect_err("the cycle is a failure when asked");
    assert_eq!(failure.kind, FailureKind::TimeoutCycle);
    assert!(failure.report.contains("request"), "{failure}");
}

#[test]
fn the_failing_run_s_trace_parses_and_shows_the_cycle() {
    let mut check = Check::new(Strategy::Pct { depth: 3 }, 1000);
    check.jobs = 1;
    let failure = check
        .run(&mechanisms(), &demo(&[]), &|_| {})
        .expect_err("fails");
    let path = std::env::temp_dir().join(format!("p2psim-trace-{}.json", std::process::id()));
    check::trace(&mechanisms(), &failure, &path).unwrap();
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let processes: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    assert!(
        processes.contains(&"node 0") && processes.contains(&"node 1"),
        "{processes:?}"
    );
    // Both accounts are waited on to the end of the trace: the cycle.
    for account in ["account of node 0", "account of node 1"] {
        let wait = format!("waits on mutex '{account}'");
        assert!(events.iter().any(|e| e["name"] == wait.as_str()), "{wait}");
    }
    assert!(events.iter().any(|e| e["ph"] == "s") && events.iter().any(|e| e["ph"] == "f"));
    assert_eq!(trace["otherData"]["truncated"], false);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 8, ..Default::default() })]

    /// The check composes with proptest: for all generated transfer scenarios
    /// (how many pairs race, how far apart their two halves start), the fixed
    /// mechanism passes every schedule; a counterexample would shrink with
    /// proptest (the scenario) and with the check (the schedule).
    #[test]
    fn the_fix_passes_for_all_generated_races(pairs in 1usize..6, gap_ms in 0u32..30) {
        let t0: Vec<String> = (0..pairs).map(|i| format!("{}.0", i)).collect();
        let t1: Vec<String> = (0..pairs).map(|i| format!("{}", i as f64 + f64::from(gap_ms) / 1000.0)).collect();
        let text = format!(
            "[topology]\nkind = \"ring\"\nnodes = 4\n[transport]\nlatency = 0.01\n\
             [mechanism]\nkind = \"transfer\"\nrelease_before_call = true\n\
             [[load]]\nrequest = \"transfer\"\narrivals = \"schedule\"\ntimes = [{}]\norigin = 0\n\
             [[load]]\nrequest = \"transfer\"\narrivals = \"schedule\"\ntimes = [{}]\norigin = 1\n",
            t0.join(", "),
            t1.join(", ")
        );
        let scenario = parse_str(&text, "generated.toml", &[]).unwrap();
        let result = check::explore::<Transfer>(&scenario, Strategy::Random, 50);
        proptest::prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}
