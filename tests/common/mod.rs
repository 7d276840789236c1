//! Running bazaar scenarios in tests and reading their summaries.
#![allow(dead_code)]

use std::path::PathBuf;

use p2psim::mechanisms::registry;
use p2psim::sim::engine::RunFailure;
use p2psim::sim::scenario::{self, Scenario};
use serde_json::Value;

/// A scenario file under `tests/scenarios/bazaar/`.
pub fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/bazaar/{name}.toml"))
}

/// Runs `s`: the summary, or the failure message (and summary, when there is one).
pub fn run(s: &Scenario) -> Result<Value, (String, Option<Value>)> {
    let prepared = registry::prepare(s).map_err(|e| (e.to_string(), None))?;
    match prepared.run(s, |_, _| {}) {
        Ok(out) => Ok(out.summary),
        Err(RunFailure::Setup(m)) => Err((m, None)),
        Err(RunFailure::Simulation { error, summary }) => Err((error.to_string(), Some(summary))),
        Err(RunFailure::Invariant { message, summary }) => Err((message, Some(summary))),
    }
}

/// Runs a scenario file with `--set` overrides; panics on failure.
pub fn run_case(name: &str, overrides: &[&str]) -> Value {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = scenario::load_file(&case(name), &overrides).expect("scenario is valid");
    run(&s).unwrap_or_else(|(m, _)| panic!("{name}: {m}"))
}

/// Runs scenario text; panics on failure.
pub fn run_text(text: &str) -> Value {
    let s = scenario::parse_str(text, "test.toml", &[]).expect("scenario is valid");
    run(&s).unwrap_or_else(|(m, _)| panic!("{m}"))
}

/// `summary.bazaar.<key>` as an integer.
pub fn int(summary: &Value, key: &str) -> i64 {
    summary["bazaar"][key]
        .as_i64()
        .unwrap_or_else(|| panic!("bazaar.{key} is an integer: {}", summary["bazaar"]))
}

/// Per seller node: (initial stock, remaining, sold), in node order.
pub fn stalls(summary: &Value) -> Vec<(i64, i64, i64, i64)> {
    summary["bazaar"]["sellers"]
        .as_array()
        .expect("a seller list")
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_i64().expect("an integer");
            (f("node"), f("initial_stock"), f("remaining"), f("sold"))
        })
        .collect()
}
