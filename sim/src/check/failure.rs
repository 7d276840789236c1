//! A failing schedule as it is reported, saved (`failure.json`) and replayed.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use p2psim_runtime::DecisionLog;
use serde::{Deserialize, Serialize};

use super::file::File;
use super::{attempt, Attempt, Check};
use crate::registry::Mechanisms;
use crate::scenario::{Scenario, SourceText};
use crate::schedule::Schedule;
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
    /// Runs spent shrinking it (0: it was not shrunk).
    pub shrink_runs: usize,
    /// Where it was saved and by which program, if it was.
    pub saved: Option<Saved>,
}

/// Where a failure was saved, and the command that replays it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The file.
    pub path: PathBuf,
    /// The program that found it, as a user runs it (`p2psim`, a user's
    /// binary, `cargo run --release --example NAME --`): the one that has its
    /// mechanism.
    pub program: String,
}

impl Failure {
    /// A check of `scenario` that could not run: `report` says why and what to change.
    pub(crate) fn invalid(scenario: &Scenario, report: String) -> Failure {
        Failure {
            scenario: scenario.source.clone(),
            overrides: Vec::new(),
            schedule: Schedule::fifo(),
            index: 0,
            requests: None,
            kind: FailureKind::Invalid,
            report,
            trace_hash: String::new(),
            before: Size::default(),
            after: Size::default(),
            shrink_runs: 0,
            saved: None,
        }
    }

    /// Writes it as JSON to `path` (for `p2psim replay`), and remembers where.
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        self.save_as(path, "p2psim")
    }

    /// Writes it as JSON to `path`, found by `program` (the command that
    /// replays it: `program replay PATH`), and remembers where.
    pub fn save_as(&mut self, path: &Path, program: &str) -> std::io::Result<()> {
        let log = self.schedule.replay.clone().unwrap_or_default();
        let mechanism = self
            .scenario
            .reload(&self.overrides)
            .map(|s| s.mechanism.kind)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut file = File {
            version: super::file::VERSION,
            mechanism,
            program: program.to_string(),
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
            shrink_runs: self.shrink_runs,
            index: self.index,
            digest: String::new(),
        };
        file.digest = file.compute_digest();
        let text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")?;
        self.saved = Some(Saved {
            path: path.to_path_buf(),
            program: program.to_string(),
        });
        Ok(())
    }

    /// Reads a failure saved by [`Failure::save`]; a file of another format
    /// version, with a field out of range, or changed since it was written is
    /// an error naming the field.
    pub fn load(path: &Path) -> Result<Failure, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let at = |e: String| format!("{}: {e}", path.display());
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| at(format!("not JSON ({}:{}: {e})", e.line(), e.column())))?;
        if value.get("version").is_none() {
            return Err(at(
                "no format `version`: not a failure file this p2psim's `check` writes (an older \
                 p2psim's?)\n  help: run `p2psim check` again to find the failure anew"
                    .to_string(),
            ));
        }
        let f: File = serde_json::from_value(value).map_err(|e| {
            at(format!(
                "not a failure file this p2psim's `check` writes: {e}"
            ))
        })?;
        f.check_fields().map_err(at)?;
        let scenario = f
            .scenario
            .reload(&f.overrides)
            .map_err(|e| at(format!("the scenario it holds: {e}")))?;
        f.fits(&scenario).map_err(at)?;
        f.check_digest().map_err(at)?;
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
            shrink_runs: f.shrink_runs,
            saved: Some(Saved {
                path: path.to_path_buf(),
                program: f.program,
            }),
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
        match self.shrink_runs {
            0 => writeln!(f, "size {} (not shrunk)", self.after)?,
            runs if self.after == self.before => writeln!(
                f,
                "size {} (nothing smaller fails the same way; {runs} runs tried)",
                self.after
            )?,
            runs => {
                writeln!(f, "shrunk from {}", self.before)?;
                writeln!(f, "         to {} in {runs} runs", self.after)?;
            }
        }
        if !self.overrides.is_empty() {
            writeln!(f, "  with --set {}", self.overrides.join(" --set "))?;
        }
        if let Some(r) = &self.requests {
            let kept: Vec<String> = r.iter().map(|(l, n)| format!("load[{l}] #{n}")).collect();
            writeln!(f, "  keeping requests {}", kept.join(", "))?;
        }
        writeln!(f, "trace hash {}", self.trace_hash)?;
        match &self.saved {
            Some(s) => write!(f, "replay it: {} replay {}", s.program, s.path.display()),
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
    /// Whether the run took every recorded decision, and made as many
    /// choices as the recorded one (if not, the code changed since).
    pub followed: bool,
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
        .map_err(|e| format!("the scenario it holds: {e}"))?;
    let kind = scenario.mechanism.kind.as_str();
    if !mechanisms.kinds().contains(&kind) {
        let (program, path) = match &failure.saved {
            Some(s) => (s.program.clone(), s.path.display().to_string()),
            None => ("the program that found it".to_string(), "FILE".to_string()),
        };
        return Err(format!(
            "its mechanism `{kind}` is not in this program (which has {}): it was found by \
             `{program}`\n  help: replay it there: {program} replay {path}",
            mechanisms.kinds().join(", ")
        ));
    }
    let check = Check {
        fail_on_timeout_cycle: failure.kind == FailureKind::TimeoutCycle,
        trace,
        ..Check::new(failure.schedule.strategy, 0)
    };
    let (kind, report, summary) = match attempt(
        mechanisms,
        &scenario,
        &failure.schedule,
        failure.requests.as_ref(),
        &check,
    ) {
        Attempt::Passed(summary) => (None, String::new(), *summary),
        Attempt::Failed(f) => (Some(f.kind), f.report, f.summary),
    };
    let recorded = failure.schedule.replay.as_deref();
    let followed = recorded.is_some_and(|log| {
        log.decisions() == summary.decisions.decisions() && log.total() == summary.decisions.total()
    });
    Ok(Replayed {
        kind,
        report,
        summary,
        followed,
    })
}
