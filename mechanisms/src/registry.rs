//! The mechanisms a scenario can name in `mechanism.kind`, checked before running.

use p2psim_runtime::SimTime;
use p2psim_sim::engine::{self, RunFailure, RunOutput};
use p2psim_sim::scenario::{Scenario, ScenarioError};

use crate::bazaar::{Bazaar, BazaarParams};
use crate::fada::{Fada, FadaParams};
use crate::flood::{Flood, FloodParams};
use crate::nested::{Nested, NestedParams};

/// Every `mechanism.kind` this build knows.
pub const KINDS: &[&str] = &["flood", "fada", "bazaar", "nested"];

/// A mechanism built from a scenario, its parameters checked.
pub enum Prepared {
    /// The flooding lookup.
    Flood(FloodParams),
    /// Buyers and sellers over a flooding network.
    Bazaar(BazaarParams),
    /// Nested blocking calls (the pool deadlock).
    Nested(NestedParams),
    /// FADA lookup and register.
    Fada(FadaParams),
}

/// Checks the scenario's `[mechanism]` and load request kinds.
pub fn prepare(s: &Scenario) -> Result<Prepared, ScenarioError> {
    let p = &s.mechanism.params;
    let prepared = match s.mechanism.kind.as_str() {
        "flood" => Prepared::Flood(FloodParams::from_params(p, s.nodes())?),
        "bazaar" => Prepared::Bazaar(BazaarParams::from_params(
            p,
            s.nodes(),
            s.duration_s.is_some(),
        )?),
        "nested" => Prepared::Nested(NestedParams::from_params(p)?),
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
        Prepared::Bazaar(_) => &[crate::bazaar::LOOKUP],
        Prepared::Nested(_) => &["call"],
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
            Prepared::Bazaar(p) => engine::run(s, Bazaar::new(p), progress),
            Prepared::Nested(p) => engine::run(s, Nested::new(p), progress),
            Prepared::Fada(p) => engine::run(s, Fada::new(p), progress),
        }
    }
}
