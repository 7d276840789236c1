//! A failing schedule as it is reported, saved (`failure.json`) and replayed.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use p2psim_runtime::DecisionLog;
use serde::{Deserialize, Serialize};

use super::{attempt, Attempt, Check};
use crate::registry::Mechanisms;
use crate::scenario::SourceText;
use crate::schedule::{Schedule, Strategy};
use crate::summary::Summary;

/// How a run failed a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Every task blocked, nothing left to wake them.
    Deadlock,
    /// A wait-for cycle closed while other tasks could still run.
    PartialDeadlock,
    /// A task panicked.
    Panic,
    /// The mechanism's `check()` failed.
    Invariant,
    /// A wait-for cycle closed that only a timeout broke (`--fail-on timeout-cycle`).
    TimeoutCycle,
    /// The scenario could not run (a shrunk one that is not valid, say).
    Invalid,
    /// The run reached a limit, not a bug: the end of the virtual clock, or the
    /// machine's memory.
    Limit,
}

impl FailureKind {
    /// Its name in reports and replay files.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Deadlock => "deadlock",
            FailureKind::PartialDeadlock => "partial deadlock",
            FailureKind::Panic => "task panic",
            FailureKind::Invariant => "invariant violated",
            FailureKind::TimeoutCycle => "timeout cycle",
            FailureKind::Invalid => "invalid scenario",
            FailureKind::Limit => "limit reached",
        }
    }
}

/// How big a failing case is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// Requests issued.
    pub requests: u64,
    /// Nodes of the network.
    pub nodes: usize,
    /// Task resumptions.
    pub events: u64,
    /// Non-default choices of the schedule.
    pub decisions: usize,
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requests, {} nodes, {} events, {} decisions",
            self.requests, self.nodes, self.events, self.decisions
        )
    }
}

/// The first failing schedule of a check, shrunk: everything that replays it.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The scenario as read, with its overrides.
    pub scenario: SourceText,
    /// Overrides shrinking added (fewer nodes).
    pub overrides: Vec<String>,
    /// The schedule, replaying the shrunk decision log.
    pub schedule: Schedule,
    /// Which schedule of the check failed (its seed; 0 for the FIFO run).
    pub index: u64,
    /// The requests kept, as (`[[load]]` index, number); `None`: all.
    pub requests: Option<BTreeSet<(usize, u64)>>,
    /// How it failed.
    pub kind: FailureKind,
    /// The failure's report, as the runtime or the mechanism gave it.
    pub report: String,
    /// The trace hash of the (shrunk) failing run.
    pub trace_hash: String,
    /// Its size as found.
    pub before: Size,
    /// Its size shrunk.
    pub after: Size,
    /// Where it was saved, if it was.
    pub saved: Option<PathBuf>,
}

/// `failure.json`: a failure as a file.
#[derive(Serialize, Deserialize)]
struct File {
    scenario: SourceText,
    overrides: Vec<String>,
    strategy: Strategy,
    seed: u64,
    jitter_s: Option<f64>,
    steps: u64,
    decisions: Vec<(u64, u64)>,
    decisions_total: u64,
    requests: Option<Vec<(usize, u64)>>,
    kind: FailureKind,
    report: String,
    trace_hash: String,
    before: Size,
    after: Size,
    index: u64,
}

impl Failure {
    /// Writes it as JSON to `path` (for `p2psim replay`), and remembers where.
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        let log = self.schedule.replay.clone().unwrap_or_default();
        let file = File {
            scenario: self.scenario.clone(),
            overrides: self.overrides.clone(),
            strategy: self.schedule.strategy,
            seed: self.schedule.seed,
            jitter_s: self.schedule.jitter.map(|j| j.as_secs_f64()),
            steps: self.schedule.steps,
            decisions: log.decisions().to_vec(),
            decisions_total: log.total(),
            requests: self.requests.as_ref().map(|r| r.iter().copied().collect()),
            kind: self.kind,
            report: self.report.clone(),
            trace_hash: self.trace_hash.clone(),
            before: self.before,
            after: self.after,
            index: self.index,
        };
        let text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")?;
        self.saved = Some(path.to_path_buf());
        Ok(())
    }

    /// Reads a failure saved by [`Failure::save`].
    pub fn load(path: &Path) -> Result<Failure, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let f: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a failure file written by `p2psim check`: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        Ok(Failure {
            scenario: f.scenario,
            overrides: f.overrides,
            schedule: Schedule {
                strategy: f.strategy,
                seed: f.seed,
                jitter: f.jitter_s.map(std::time::Duration::from_secs_f64),
                steps: f.steps,
                replay: Some(Arc::new(DecisionLog::new(f.decisions, f.decisions_total))),
            },
            index: f.index,
            requests: f.requests.map(|r| r.into_iter().collect()),
            kind: f.kind,
            report: f.report,
            trace_hash: f.trace_hash,
            before: f.before,
            after: f.after,
            saved: Some(path.to_path_buf()),
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = match self.index {
            0 => "the FIFO run".to_string(),
            i => format!("schedule {i}"),
        };
        writeln!(
            f,
            "{} in {found} ({}) of scenario {}",
            self.kind.as_str(),
            Schedule {
                replay: None,
                ..self.schedule.clone()
            },
            self.scenario.origin
        )?;
        writeln!(f, "{}", self.report.trim_end())?;
        writeln!(f, "shrunk from {}", self.before)?;
        writeln!(f, "         to {}", self.after)?;
        if !self.overrides.is_empty() {
            writeln!(f, "  with --set {}", self.overrides.join(" --set "))?;
        }
        if let Some(r) = &self.requests {
            let kept: Vec<String> = r.iter().map(|(l, n)| format!("load[{l}] #{n}")).collect();
            writeln!(f, "  keeping requests {}", kept.join(", "))?;
        }
        writeln!(f, "trace hash {}", self.trace_hash)?;
        match &self.saved {
            Some(p) => write!(f, "replay it: p2psim replay {}", p.display()),
            None => write!(
                f,
                "save it (Failure::save) to replay it with `p2psim replay FILE`"
            ),
        }
    }
}

impl std::error::Error for Failure {}

/// What replaying a failure gave.
#[derive(Debug)]
pub struct Replayed {
    /// How the replayed run failed (`None`: it passed).
    pub kind: Option<FailureKind>,
    /// Its report (empty when it passed).
    pub report: String,
    /// Its summary.
    pub summary: Summary,
}

impl Replayed {
    /// Whether it failed with the very report and trace hash recorded.
    pub fn matches(&self, failure: &Failure) -> bool {
        self.kind == Some(failure.kind)
            && self.report == failure.report
            && self.summary.trace_hash == failure.trace_hash
    }
}

/// Replays `failure` with `mechanisms`: the same scenario, overrides,
/// requests and decisions.
pub fn replay(mechanisms: &Mechanisms, failure: &Failure) -> Result<Replayed, String> {
    replay_traced(mechanisms, failure, None)
}

/// Replays `failure` and writes its Perfetto trace (Chrome trace-event JSON)
/// to `path`.
pub fn trace(mechanisms: &Mechanisms, failure: &Failure, path: &Path) -> Result<(), String> {
    let replayed = replay_traced(mechanisms, failure, Some(crate::perfetto::DEFAULT_LIMIT))?;
    let text = replayed
        .summary
        .trace
        .ok_or("the replay recorded no trace (the scenario did not run)")?;
    std::fs::write(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

fn replay_traced(
    mechanisms: &Mechanisms,
    failure: &Failure,
    trace: Option<usize>,
) -> Result<Replayed, String> {
    let scenario = failure
        .scenario
        .reload(&failure.overrides)
        .map_err(|e| e.to_string())?;
    let check = Check {
        fail_on_timeout_cycle: failure.kind == FailureKind::TimeoutCycle,
        trace,
        ..Check::new(failure.schedule.strategy, 0)
    };
    Ok(
        match attempt(
            mechanisms,
            &scenario,
            &failure.schedule,
            failure.requests.as_ref(),
            &check,
        ) {
            Attempt::Passed(summary) => Replayed {
                kind: None,
                report: String::new(),
                summary: *summary,
            },
            Attempt::Failed(f) => {
                let f = *f;
                Replayed {
                    kind: Some(f.kind),
                    report: f.report,
                    summary: f.summary,
                }
            }
        },
    )
}
