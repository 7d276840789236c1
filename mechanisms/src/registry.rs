//! The mechanisms a scenario can name in `mechanism.kind`, checked before running.

use p2psim_runtime::SimTime;
use p2psim_sim::engine::{self, RunFailure, RunOutput};
use p2psim_sim::scenario::{Scenario, ScenarioError};

use crate::fada::{Fada, FadaParams};
use crate::flood::{Flood, FloodParams};

/// Every `mechanism.kind` this build knows.
pub const KINDS: &[&str] = &["flood", "fada"];

/// A mechanism built from a scenario, its parameters checked.
pub enum Prepared {
    /// The flooding lookup.
    Flood(FloodParams),
    /// FADA lookup and register.
    Fada(FadaParams),
}

/// Checks the scenario's `[mechanism]` and load request kinds.
pub fn prepare(s: &Scenario) -> Result<Prepared, ScenarioError> {
    let p = &s.mechanism.params;
    let prepared = match s.mechanism.kind.as_str() {
        "flood" => Prepared::Flood(FloodParams::from_params(p, s.nodes())?),
        "fada" => Prepared::Fada(FadaParams::from_params(p, s.nodes())?),
        other => {
            return Err(p.error(
                "kind",
                format!("unknown mechanism `{other}`"),
                format!("use one of: {}", KINDS.join(", ")),
            ))
        }
    };
    let requests: &[&str] = match prepared {
        Prepared::Flood(_) => &["lookup"],
        Prepared::Fada(_) => &["lookup", "register"],
    };
    for l in &s.loads {
        if !requests.contains(&l.request.as_str()) {
            return Err(l.params.error(
                "request",
                format!(
                    "mechanism `{}` serves no request `{}`",
                    s.mechanism.kind, l.request
                ),
                format!("use one of: {}", requests.join(", ")),
            ));
        }
        l.params.finish()?;
    }
    Ok(prepared)
}

impl Prepared {
    /// Runs the scenario with this mechanism.
    pub fn run(
        self,
        s: &Scenario,
        progress: impl FnMut(SimTime, Option<SimTime>),
    ) -> Result<RunOutput, RunFailure> {
        match self {
            Prepared::Flood(p) => engine::run(s, Flood::new(p), progress),
            Prepared::Fada(p) => engine::run(s, Fada::new(p), progress),
        }
    }
}
