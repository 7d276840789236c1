//! `failure.json` as a file: its format, and the checks a file must pass
//! before it is replayed. It carries a format version, the mechanism and the
//! program that found it, and a digest of everything that replays it, so a
//! file that was edited, truncated or written by another build of the format
//! is refused (exit 2 on the command line) instead of replaying something
//! else and calling it "no longer fails".

use p2psim_runtime::ChoiceAt;
use serde::{Deserialize, Serialize};

use super::failure::{FailureKind, Size};
use crate::scenario::{ArrivalSpec, LoadSpec, Scenario, SourceText};
use crate::schedule::Strategy;

/// The format of the failure files this build writes and reads.
pub const VERSION: u32 = 1;

/// The longest jitter bound a file may hold, in seconds: what every time of a
/// scenario is held to.
const MAX_JITTER_S: f64 = p2psim_runtime::MAX_SECS;

/// `failure.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    pub version: u32,
    /// The `mechanism.kind` of its scenario.
    pub mechanism: String,
    /// The command that found it and so can replay it (`p2psim`, a user's
    /// binary, `cargo run --example NAME --`).
    pub program: String,
    pub scenario: SourceText,
    pub overrides: Vec<String>,
    pub strategy: Strategy,
    pub seed: u64,
    pub jitter_s: Option<f64>,
    pub steps: u64,
    pub decisions: Vec<(ChoiceAt, u64)>,
    pub decisions_total: u64,
    pub requests: Option<Vec<(usize, u64)>>,
    pub kind: FailureKind,
    pub report: String,
    pub trace_hash: String,
    pub before: Size,
    pub after: Size,
    /// Runs spent shrinking it (0: it was not shrunk).
    pub shrink_runs: usize,
    pub index: u64,
    /// FNV-1a of the file's JSON with this field empty.
    pub digest: String,
}

impl File {
    /// The digest of everything else in the file.
    pub fn compute_digest(&self) -> String {
        let unsigned = File {
            digest: String::new(),
            ..self.clone()
        };
        let text = serde_json::to_string(&unsigned).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// Checks what can be checked without the scenario: the version and every
    /// field's range. Errors name the field.
    pub fn check_fields(&self) -> Result<(), String> {
        if self.version != VERSION {
            return Err(format!(
                "`version`: format version {}, but this p2psim reads version {VERSION}\n  \
                 help: run `p2psim check` again with this p2psim to find the failure anew",
                self.version
            ));
        }
        if let Some(j) = self.jitter_s {
            if !(j.is_finite() && (0.0..=MAX_JITTER_S).contains(&j)) {
                let shown = if j.abs() < 1e6 {
                    j.to_string()
                } else {
                    format!("{j:e}")
                };
                return Err(format!(
                    "`jitter_s`: {shown} is not a jitter bound (seconds from 0 to {MAX_JITTER_S:.0})"
                ));
            }
        }
        if let Strategy::Jitter { bound } = self.strategy {
            let secs = bound.as_secs_f64();
            if bound.is_zero() || secs > MAX_JITTER_S {
                return Err(format!(
                    "`strategy`: the jitter strategy's bound is {secs} s; it must be above 0 and \
                     at most {MAX_JITTER_S:.0} s"
                ));
            }
        }
        if let Strategy::Pct { depth } = self.strategy {
            if !(1..=64).contains(&depth) {
                return Err(format!("`strategy`: PCT's depth is 1 to 64, not {depth}"));
            }
        }
        if self.kind == FailureKind::Invalid {
            return Err("`kind`: `invalid` is not a failure that replays".to_string());
        }
        let mut last = None;
        for &((at, rank), answer) in &self.decisions {
            if rank >= self.decisions_total {
                return Err(format!(
                    "`decisions`: choice {rank} at {at} ns is past the run's end (it made {} \
                     choices)",
                    self.decisions_total
                ));
            }
            if answer == 0 || last.is_some_and(|l| l >= (at, rank)) {
                return Err(format!(
                    "`decisions`: (({at}, {rank}), {answer}) is not a recorded decision \
                     (choices increase by instant then rank, answers are not 0)"
                ));
            }
            last = Some((at, rank));
        }
        Ok(())
    }

    /// Checks that nothing changed since the file was written (last: the
    /// other checks say better what is wrong with a field).
    pub fn check_digest(&self) -> Result<(), String> {
        if self.digest != self.compute_digest() {
            return Err(
                "`digest`: the file was changed after `p2psim check` wrote it, so it no longer \
                 records the failing run\n  help: run `p2psim check` again to find it anew"
                    .to_string(),
            );
        }
        Ok(())
    }

    /// Checks the file against its own scenario: the mechanism it names, and
    /// the requests it keeps.
    pub fn fits(&self, scenario: &Scenario) -> Result<(), String> {
        if self.mechanism != scenario.mechanism.kind {
            return Err(format!(
                "`mechanism`: `{}`, but its scenario runs `{}`",
                self.mechanism, scenario.mechanism.kind
            ));
        }
        for &(load, n) in self.requests.iter().flatten() {
            let Some(spec) = scenario.loads.get(load) else {
                return Err(format!(
                    "`requests`: load[{load}] #{n} names a [[load]] its scenario does not have \
                     (it has {})",
                    scenario.loads.len()
                ));
            };
            if let Some(most) = most_requests(spec).filter(|&most| n >= most) {
                return Err(format!(
                    "`requests`: load[{load}] #{n} is past that load's {most} requests"
                ));
            }
        }
        Ok(())
    }
}

/// The most requests a load issues, when its arrivals bound them.
fn most_requests(spec: &LoadSpec) -> Option<u64> {
    let by_arrivals = match &spec.arrivals {
        ArrivalSpec::Schedule(times) => Some(times.len() as u64),
        ArrivalSpec::Burst { count, .. } => Some(*count),
        ArrivalSpec::Poisson { .. } => None,
    };
    match (by_arrivals, spec.count) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}
