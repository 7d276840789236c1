//! Scenario files: TOML parsed into typed specs and fully validated before anything runs.
//! Every mistake is a [`ScenarioError`] with file, line, column, dotted key and a fix.

use std::path::Path;

mod assemble;
mod check;
mod convert;
mod distribution;
mod error;
mod failures;
mod latency;
mod load;
mod mechanism;
mod observers;
mod overrides;
mod params;
mod pool;
mod regions;
mod source;
mod suggest;
mod topology;
mod transport;
mod tree;

#[cfg(test)]
mod fixtures_test;
#[cfg(test)]
mod scenario_test;

pub use check::{parse_duration, CheckSpec, MAX_SCHEDULES};
pub use error::ScenarioError;
pub use failures::{
    ChurnSpec, CrashSetSpec, CrashSpec, FailureSpec, LifetimeSpec, PoissonChurnSpec, RepeatSpec,
    SetSize,
};
pub use load::{ArrivalSpec, LoadSpec, OriginSpec};
pub use mechanism::MechanismSpec;
pub use observers::{ObserverSpec, OutputSpec, DEFAULT_MAX_ROWS};
pub use params::Params;
pub use pool::{PoolPolicySpec, PoolSpec};
pub use regions::{RegionSpec, RegionsSpec};
pub use suggest::closest;
pub use topology::TopologySpec;
pub use transport::{LatencySpec, LinkOverride, TransportSpec, DEFAULT_MESSAGE_BYTES};

/// The most seconds any time in a scenario may be (the runtime's
/// [`MAX_SECS`](p2psim_runtime::MAX_SECS)): the clock counts nanoseconds in 64
/// bits (about 584 years).
pub const MAX_VIRTUAL_S: f64 = p2psim_runtime::MAX_SECS;

/// A fully validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Run name; defaults to the file stem.
    pub name: String,
    /// Root seed of all randomness.
    pub seed: u64,
    /// Virtual run time; `None` ends the run when all load is done.
    pub duration_s: Option<f64>,
    /// The graph.
    pub topology: TopologySpec,
    /// Latency, loss, link overrides, regions and message sizes.
    pub transport: TransportSpec,
    /// Crashes and churn.
    pub failures: FailureSpec,
    /// Green-thread pool sizing.
    pub pool: PoolSpec,
    /// The mechanism and its parameters.
    pub mechanism: MechanismSpec,
    /// Request generators.
    pub loads: Vec<LoadSpec>,
    /// Measurement settings.
    pub observers: ObserverSpec,
    /// Result output settings.
    pub output: OutputSpec,
    /// Defaults for `p2psim check`.
    pub check: CheckSpec,
    /// Where it was read from, so that it can be read again (a replay file
    /// carries it, with further overrides).
    pub source: SourceText,
}

/// A scenario's text as read, its origin and the overrides applied to it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceText {
    /// The file it came from (or the name it was given), which relative paths resolve against.
    pub origin: String,
    /// The TOML text.
    pub text: String,
    /// The `--set` overrides applied, in order.
    pub overrides: Vec<String>,
}

impl SourceText {
    /// Reads the scenario again with `more` overrides after its own.
    pub fn reload(&self, more: &[String]) -> Result<Scenario, ScenarioError> {
        let mut overrides = self.overrides.clone();
        overrides.extend_from_slice(more);
        parse_str(&self.text, &self.origin, &overrides)
    }
}

impl Scenario {
    /// The node count, when the topology states one (edge lists may not).
    pub fn nodes(&self) -> Option<usize> {
        self.topology.nodes()
    }
}

/// Reads, overrides and validates a scenario file; relative paths resolve against its directory.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        origin: origin.clone(),
        line: 1,
        column: 1,
        key: "file".to_string(),
        message: format!("cannot read scenario file: {e}"),
        help: Some("check that the path exists and is a UTF-8 text file".to_string()),
    })?;
    assemble::scenario(&text, &origin, &base_dir(path), overrides)
}

/// Parses and validates scenario text; `origin` names it in messages and anchors relative paths.
pub fn parse_str(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    assemble::scenario(text, origin, &base_dir(Path::new(origin)), overrides)
}

fn base_dir(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}
