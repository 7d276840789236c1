//! One run of a sweep, as one row: its point, its seed, how it ended, its figures.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use serde_json::Value;

use crate::runtime::SimError;
use crate::sim::engine::{RunFailure, RunOptions};
use crate::sim::{scenario, Mechanisms};

use super::grid::Point;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// It ran to its end.
    Ok,
    /// The runtime reported a deadlock.
    Deadlock,
    /// A task (or the engine) panicked.
    Panic,
    /// A mechanism invariant was violated.
    Invariant,
    /// The scenario could not be set up.
    Error,
}

impl Outcome {
    /// The lowercase name used in `sweep.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Deadlock => "deadlock",
            Outcome::Panic => "panic",
            Outcome::Invariant => "invariant",
            Outcome::Error => "error",
        }
    }

    /// The outcome named `s`.
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Ok,
            Outcome::Deadlock,
            Outcome::Panic,
            Outcome::Invariant,
            Outcome::Error,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Synthetic per-run figure: 1 if the run failed, else 0 (its mean is the failure rate).
pub const FAILED: &str = "run.failed";
/// Synthetic per-run figure: 1 if the run deadlocked, else 0.
pub const DEADLOCK: &str = "run.deadlock";
/// Figures that differ between identical runs (wall clock, resident stack pages).
pub const NONDETERMINISTIC: &[&str] = &["wall_s", "pool.stack_high_water"];

/// One run of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The grid point's index.
    pub point: usize,
    /// The swept values, in parameter order.
    pub params: Vec<String>,
    /// The run's seed.
    pub seed: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// The first line of the failure report (empty when ok).
    pub detail: String,
    /// The full failure report (not in the CSV; written to `failures.txt`).
    pub report: String,
    /// The numeric figures of its summary, flattened to dotted keys.
    pub metrics: BTreeMap<String, f64>,
}

/// Arrays up to this long are flattened element by element; a longer one
/// gives its length only (`KEY.len`), so that a per-node array of a large
/// network does not become thousands of columns.
pub const MAX_ARRAY_COLUMNS: usize = 64;

/// The numeric leaves of a summary under dotted keys (booleans as 0/1): an
/// array's elements as `KEY.0`, `KEY.1`, ... (`KEY.len` alone past
/// [`MAX_ARRAY_COLUMNS`]); strings and histograms (`distribution` tables) are
/// left out.
pub fn flatten(summary: &Value) -> BTreeMap<String, f64> {
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, f64>) {
        match v {
            Value::Array(items) if items.len() > MAX_ARRAY_COLUMNS => {
                out.insert(format!("{prefix}.len"), items.len() as f64);
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), x, out);
                }
            }
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "distribution" {
                        continue;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, x, out);
                }
            }
            Value::Number(n) => {
                if let Some(f) = n.as_f64() {
                    out.insert(prefix.to_string(), f);
                }
            }
            Value::Bool(b) => {
                out.insert(prefix.to_string(), if *b { 1.0 } else { 0.0 });
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk("", summary, &mut out);
    out.remove("seed");
    out
}

/// What every run of a sweep shares: the scenario file, its fixed `--set`
/// overrides and its number of `[[load]]` entries (to expand `load.KEY`).
#[derive(Clone, Debug)]
pub struct Base {
    /// The scenario file.
    pub path: std::path::PathBuf,
    /// Overrides applied to every run, before the point's.
    pub fixed: Vec<String>,
    /// The scenario's `[[load]]` entries.
    pub loads: usize,
}

impl Base {
    /// The overrides of one run: the fixed ones, the point's, then the seed.
    pub fn overrides(&self, point: &Point, seed: Option<u64>) -> Vec<String> {
        let mut out = self.fixed.clone();
        out.extend(point.overrides(self.loads));
        if let Some(s) = seed {
            out.push(format!("seed={s}"));
        }
        out
    }
}

/// Runs the scenario at one point with one seed (`None`: the file's own), in this
/// thread; never panics, a failure is a row.
pub fn run_one(mechanisms: &Mechanisms, base: &Base, point: &Point, seed: Option<u64>) -> Row {
    let path: &Path = &base.path;
    let mut row = Row {
        point: point.index,
        params: point.values.iter().map(|(_, v)| v.clone()).collect(),
        seed: seed.unwrap_or(0),
        outcome: Outcome::Ok,
        detail: String::new(),
        report: String::new(),
        metrics: BTreeMap::new(),
    };
    let overrides = base.overrides(point, seed);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let sc = scenario::load_file(path, &overrides).map_err(|e| e.to_string())?;
        let run = mechanisms
            .run(&sc, RunOptions::default())
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((sc.seed, run))
    }));
    let (outcome, report, summary) = match result {
        Err(payload) => (Outcome::Panic, panic_text(&*payload), Value::Null),
        Ok(Err(msg)) => (Outcome::Error, msg, Value::Null),
        Ok(Ok((s, run))) => {
            row.seed = s;
            match run {
                Ok(out) => (Outcome::Ok, String::new(), out.summary.to_json()),
                Err(RunFailure::Setup(msg)) => (Outcome::Error, msg, Value::Null),
                Err(RunFailure::Simulation { error, summary }) => {
                    let o = match error {
                        SimError::Deadlock(_) => Outcome::Deadlock,
                        SimError::TaskPanicked(_) => Outcome::Panic,
                        SimError::ClockEnd(_) | SimError::OutOfMemory(_) => Outcome::Error,
                    };
                    (o, error.to_string(), summary.to_json())
                }
                Err(RunFailure::Invariant { message, summary }) => {
                    (Outcome::Invariant, message, summary.to_json())
                }
            }
        }
    };
    row.metrics = flatten(&summary);
    let failed = outcome != Outcome::Ok;
    row.metrics
        .insert(FAILED.into(), f64::from(u8::from(failed)));
    row.metrics.insert(
        DEADLOCK.into(),
        f64::from(u8::from(outcome == Outcome::Deadlock)),
    );
    row.outcome = outcome;
    row.detail = report.lines().next().unwrap_or("").to_string();
    row.report = report;
    row
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_become_columns_and_a_long_one_its_length() {
        let summary = json!({
            "seed": 1,
            "requests": {"issued": 3, "by_load": [2, 1]},
            "mine": {"hops_hist": [0, 4, 9], "per_node": vec![1; 100], "names": ["a"], "ok": true},
            "latency_s": {"distribution": {"p50": 1.0}},
        });
        let flat: Vec<(String, f64)> = flatten(&summary).into_iter().collect();
        let want: Vec<(String, f64)> = [
            ("mine.hops_hist.0", 0.0),
            ("mine.hops_hist.1", 4.0),
            ("mine.hops_hist.2", 9.0),
            ("mine.ok", 1.0),
            ("mine.per_node.len", 100.0),
            ("requests.by_load.0", 2.0),
            ("requests.by_load.1", 1.0),
            ("requests.issued", 3.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(flat, want);
    }
}
