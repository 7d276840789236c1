//! Shared helpers of the FADA integration tests: small scenarios with known answers.

#![allow(dead_code)]

use serde_json::Value;

/// Runs a scenario given as TOML text and returns its summary.
pub fn run(text: &str) -> Value {
    let s = p2psim::sim::scenario::parse_str(text, "test", &[]).expect("scenario parses");
    let prepared = p2psim::mechanisms::registry::prepare(&s).expect("scenario checks");
    match prepared.run(&s, |_, _| {}) {
        Ok(out) => out.summary,
        Err(_) => panic!("run failed"),
    }
}

/// A ring of 20 nodes, 10 ms per hop, the given `[mechanism]` keys and load entries.
pub fn ring(mechanism: &str, loads: &str) -> String {
    format!(
        "name = \"t\"\nseed = 5\n\
         [topology]\nkind = \"ring\"\nnodes = 20\n\
         [transport]\nlatency = {{ kind = \"constant\", value = 0.01 }}\n\
         [mechanism]\nkind = \"fada\"\n{mechanism}\n{loads}"
    )
}

/// One lookup from `node` at time `at`.
pub fn lookup_at(node: u32, at: f64) -> String {
    format!(
        "[[load]]\nrequest = \"lookup\"\narrivals = \"schedule\"\ntimes = [{at:?}]\norigin = {node}\n"
    )
}

/// One registration at `node` at time `at`.
pub fn register_at(node: u32, at: f64) -> String {
    format!(
        "[[load]]\nrequest = \"register\"\narrivals = \"schedule\"\ntimes = [{at:?}]\norigin = {node}\n"
    )
}

/// A figure of the summary by path, e.g. `at(&s, "fada/late_results_dropped")`.
pub fn at<'a>(s: &'a Value, path: &str) -> &'a Value {
    s.pointer(&format!("/{path}"))
        .unwrap_or_else(|| panic!("no {path} in {s:#}"))
}

/// A numeric figure of the summary.
pub fn num(s: &Value, path: &str) -> f64 {
    at(s, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number in {s:#}"))
}
