//! Runs scenarios with one mechanism and hands back its typed output: the
//! engine's [`Summary`](p2psim_sim::Summary) and the mechanism's own report, as
//! the types the crates define (no JSON in between). Also the small scenarios
//! the tests share.

use std::path::{Path, PathBuf};

use p2psim_mechanisms::bazaar::BazaarReport;
use p2psim_sim::engine::{self, RunFailure, RunOptions, RunOutput};
use p2psim_sim::scenario::{self, Scenario};
use p2psim_sim::{prepare, Mechanism};

/// Scenario text as a scenario; panics if it does not load (a broken test).
pub fn scenario(text: &str) -> Scenario {
    scenario::parse_str(text, "test.toml", &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// A scenario file with `--set` overrides; panics if it does not load.
pub fn load(path: &Path, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::load_file(path, &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `s` with `M`: its output, or how the run failed. Panics if `s` does
/// not check for `M` (a broken test, not a failed run).
pub fn try_run_scenario<M: Mechanism>(s: &Scenario) -> Result<RunOutput<M::Report>, RunFailure> {
    let params = prepare::<M>(s).unwrap_or_else(|e| panic!("the scenario checks: {e}"));
    engine::run::<M>(s, params, RunOptions::default())
}

/// Runs `s` with `M`; panics if the run fails.
pub fn run_scenario<M: Mechanism>(s: &Scenario) -> RunOutput<M::Report> {
    try_run_scenario::<M>(s).unwrap_or_else(|e| panic!("{}: {e}", s.name))
}

/// Runs scenario text with `M`: its output, or how the run failed.
pub fn try_run<M: Mechanism>(text: &str) -> Result<RunOutput<M::Report>, RunFailure> {
    try_run_scenario::<M>(&scenario(text))
}

/// Runs scenario text with `M`; panics if the run fails.
pub fn run<M: Mechanism>(text: &str) -> RunOutput<M::Report> {
    run_scenario::<M>(&scenario(text))
}

/// Runs a scenario file with `--set` overrides and `M`: its output, or how the run failed.
pub fn try_run_file<M: Mechanism>(
    path: &Path,
    overrides: &[&str],
) -> Result<RunOutput<M::Report>, RunFailure> {
    try_run_scenario::<M>(&load(path, overrides))
}

/// Runs a scenario file with `--set` overrides and `M`; panics if the run fails.
pub fn run_file<M: Mechanism>(path: &Path, overrides: &[&str]) -> RunOutput<M::Report> {
    try_run_file::<M>(path, overrides).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A scenario file under `mechanisms/tests/scenarios/bazaar/`.
pub fn bazaar_case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/bazaar/{name}.toml"))
}

/// Per seller: (node, initial stock, remaining, sold), in node order.
pub fn stalls(report: &BazaarReport) -> Vec<(u32, u32, i64, u64)> {
    report
        .sellers
        .iter()
        .map(|s| (s.node, s.initial_stock, s.remaining, s.sold))
        .collect()
}

/// A FADA ring of 20 nodes, 10 ms per hop, the given `[mechanism]` keys and load entries.
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
