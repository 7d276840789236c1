//! `p2psim run` on the shipped bazaar scenario and on a broken stall.

use crate::bin::{command, Run};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(scenario: &Path, out: &str, extra: &[&str]) -> (i32, Value) {
    let dir = std::env::temp_dir().join(format!("p2psim-bazaar-cli-{}-{out}", std::process::id()));
    let status = command()
        .arg("run")
        .arg(scenario)
        .arg("--quiet")
        .arg("--out")
        .arg(&dir)
        .args(extra)
        .run()
        .status;
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json is written");
    let _ = std::fs::remove_dir_all(&dir);
    (
        status.code().unwrap_or(-1),
        serde_json::from_str(&text).unwrap(),
    )
}

#[test]
fn the_shipped_bazaar_runs_and_reports_its_figures() {
    let (code, s) = run(&root().join("scenarios/bazaar.toml"), "main", &[]);
    assert_eq!(code, 0);
    let b = &s["bazaar"];
    assert_eq!(s["nodes"], 6);
    assert_eq!(b["lookups"], 300);
    assert_eq!(b["lookups_completed"], 300);
    assert!(b["purchases"].as_u64().unwrap() > 0);
    for key in [
        "replies",
        "failed_purchases",
        "success_rate",
        "messages_per_lookup",
    ] {
        assert!(b[key].is_number(), "bazaar.{key}: {b}");
    }
    assert!(b["response_time_s"]["p50"].is_number());
    assert!(b["response_time_s"]["p99"].is_number());
    let sellers = b["sellers"].as_array().unwrap();
    assert_eq!(sellers.len(), 3);
    let sold: u64 = sellers.iter().map(|s| s["sold"].as_u64().unwrap()).sum();
    assert_eq!(b["purchases"].as_u64().unwrap(), sold);
}

#[test]
fn a_stall_without_its_lock_fails_the_run_with_exit_1() {
    // The mechanism tests' scenario of the race the ledger catches; here, its exit code.
    let race = root().join("mechanisms/tests/scenarios/bazaar/race_without_lock.toml");
    let (code, s) = run(&race, "race", &[]);
    assert_eq!(code, 1);
    assert!(
        s["failure"].as_str().unwrap().contains("seller 0"),
        "{}",
        s["failure"]
    );
    let (code, _) = run(
        &race,
        "race-locked",
        &["--set", "mechanism.stock_lock=true"],
    );
    assert_eq!(code, 0);
}
