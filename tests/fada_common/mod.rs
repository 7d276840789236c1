//! Shared helpers of the FADA integration tests: small scenarios with known answers.

#![allow(dead_code)]

use serde_json::Value;

#[path = "../common/mod.rs"]
mod shared;

/// Runs a scenario given as TOML text and returns its summary.
pub use shared::run_text as run;

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
