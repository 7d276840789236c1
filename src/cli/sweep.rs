//! `p2psim sweep`: the Cartesian product of swept scenario keys times seeds, on N OS
//! threads; writes `sweep.json`, a journal of finished runs (`runs.jsonl`), and at
//! the end `sweep.csv`, `aggregate.csv`, `failures.txt` and charts.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::results::dir::{ResultDir, Reuse};
use crate::sim::scenario::{self, ScenarioError};
use crate::sim::Mechanisms;
use crate::sweep::grid::{self, Grid, Param, Point, Shard};
use crate::sweep::journal::{self, Journal};
use crate::sweep::plan::{Job, Plan};
use crate::sweep::row::{Base, Outcome, Row};
use crate::sweep::runner;
use crate::sweep::seeds::Seeds;
use crate::sweep::spec::Spec;

use super::sweep_files;

/// Arguments of `p2psim sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A swept key and its values: --param pool.capacity=8,16,32 (repeatable; the
    /// grid is their Cartesian product; `load.KEY` sets KEY in every `[[load]]`).
    #[arg(long = "param", value_name = "KEY=V1,V2,...", required = true)]
    pub params: Vec<String>,
    /// Seeds per point: an inclusive range `1..10` or a list `1,2,7` (default: the
    /// scenario's seed). Points times seeds is at most 100000 runs.
    #[arg(long)]
    pub seeds: Option<String>,
    /// OS threads running simulations (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Output directory (default: results/sweep-NAME/, with the shard appended,
    /// or -2, -3, ... after it when that holds an earlier result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the results in a directory that holds earlier ones (what the
    /// earlier result wrote is removed first, so nothing is mixed).
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Finish an interrupted sweep in --out (default: results/sweep-NAME/): the
    /// runs its journal holds are kept, the rest are run; the same command only
    /// (an empty or new directory: the sweep starts).
    #[arg(long)]
    pub resume: bool,
    /// Run only the points whose index is i modulo n (0 <= i < n), to split a sweep
    /// across machines; `p2psim merge` joins the shards' directories afterwards.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Override a scenario key in every run: --set topology.nodes=500 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The charts.
    #[command(flatten)]
    pub charts: sweep_files::ChartArgs,
    /// No progress bar and no closing summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the command; returns the exit status.
pub fn run(args: SweepArgs, mechanisms: &Mechanisms) -> i32 {
    match sweep(args, mechanisms) {
        Ok(status) => status,
        Err(msg) => {
            errln!("error: {msg}");
            super::EXIT_BAD_INPUT
        }
    }
}

fn sweep(args: SweepArgs, mechanisms: &Mechanisms) -> Result<i32, String> {
    let params: Vec<Param> = args
        .params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<Result<_, _>>()?;
    let plan = Plan {
        grid: Grid::new(params),
        seeds: args
            .seeds
            .as_deref()
            .map_or(Ok(Seeds::Scenario), Seeds::parse)?,
        shard: args
            .shard
            .as_deref()
            .map(|s| Shard::parse(s).map_err(|e| format!("--shard {e}")))
            .transpose()?,
    };
    let first = scenario::load_file(&args.scenario, &args.set).map_err(message)?;
    let text = std::fs::read_to_string(&args.scenario)
        .map_err(|e| format!("cannot read {}: {e}", args.scenario.display()))?;
    let base = Base {
        path: args.scenario.clone(),
        fixed: args.set.clone(),
        loads: first.loads.len(),
    };
    plan.grid.check_keys(&args.set, base.loads)?;
    let jobs = plan.jobs()?;
    let points = plan.owned_points()?;
    if let (0, Some(s)) = (points, plan.shard) {
        return Err(format!(
            "--shard {s} owns no point: the grid has {} point(s), and shard i runs points i, i+n, ...\n  \
             help: split it in at most {} shard(s)",
            plan.points()?,
            plan.points()?
        ));
    }
    // Every point is checked before anything runs: a typo is exit 2, not N error rows.
    for k in 0..points {
        let p = plan.grid.point(plan.shard.map_or(k, |s| s.nth(k)));
        let checked = scenario::load_file(&base.path, &base.overrides(&p, None))
            .and_then(|s| mechanisms.check(&s));
        checked.map_err(|e| message(blame(e, &p, base.loads)))?;
    }
    let spec = Spec::new(&args.scenario, &text, &args.set, &plan)?;
    let mut dir = claim(&args, &first.name, plan.shard)?;
    // `--resume` of a directory that holds nothing yet starts the sweep, so a
    // job that may be requeued runs one command either way.
    let done = if args.resume && dir.holds_results()? {
        resumed(&dir, &spec, &jobs)?
    } else {
        dir.record(sweep_files::ENTRIES)?;
        spec.save(dir.path())?;
        Vec::new()
    };
    let journal = Journal::open(dir.path()).map_err(|e| {
        format!(
            "cannot write {}: {e}",
            dir.path().join(journal::NAME).display()
        )
    })?;

    let finished: BTreeSet<usize> = done.iter().map(|(order, _)| *order).collect();
    let todo: Vec<Job> = jobs
        .iter()
        .filter(|j| !finished.contains(&j.order))
        .cloned()
        .collect();
    if args.resume && !args.quiet {
        errln!(
            "  resume     {} of {} runs done in {}, {} to run",
            finished.len(),
            jobs.len(),
            dir.path().display(),
            todo.len()
        );
    }
    let threads = args.jobs.unwrap_or_else(runner::default_jobs).max(1);
    let bar = progress_bar(args.quiet, todo.len() as u64);
    let lost: Mutex<Option<String>> = Mutex::new(None);
    let wall = Instant::now();
    let ran = runner::run_jobs(mechanisms, &base, &todo, threads, |job, row| {
        if let Err(e) = journal.append(job, row) {
            lost.lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e.to_string());
        }
        if let Some(b) = &bar {
            if row.outcome != Outcome::Ok {
                b.println(format!(
                    "point {} seed {}: {}",
                    row.point,
                    row.seed,
                    row.outcome.as_str()
                ));
            }
            b.inc(1);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let wall = wall.elapsed();
    if let Some(e) = lost.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(format!(
            "cannot write {}: {e}",
            dir.path().join(journal::NAME).display()
        ));
    }
    let mut rows: Vec<(usize, Row)> = done;
    rows.extend(ran);
    rows.sort_by_key(|(order, _)| *order);
    let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();

    let keys: Vec<String> = plan.grid.params.iter().map(|p| p.key.clone()).collect();
    let errors = sweep_files::report_errors(&rows, &keys);
    let written = sweep_files::write(dir.path(), keys, rows, &args.charts)?;
    if !args.quiet {
        let head = format!(
            "{points} points x {} seeds = {} runs on {} threads{}",
            plan.seeds.len(),
            jobs.len(),
            threads.min(todo.len().max(1)),
            plan.shard
                .map(|s| format!(" (shard {s})"))
                .unwrap_or_default()
        );
        sweep_files::summary(&head, Some(wall.as_secs_f64()), dir.path(), &written);
    }
    Ok(if errors { super::EXIT_BAD_INPUT } else { 0 })
}

/// The sweep's directory, claimed: `--out` as named (earlier results refused
/// unless `--force`; kept with `--resume`), else the first free
/// `results/sweep-NAME[-shardIofN][-N]/` (with `--resume`, the unnumbered one).
fn claim(args: &SweepArgs, name: &str, shard: Option<Shard>) -> Result<ResultDir, String> {
    let reuse = match (args.resume, args.force) {
        (true, _) => Reuse::Resume,
        (false, force) => Reuse::force_if(force),
    };
    if let Some(out) = &args.out {
        return ResultDir::claim(out, reuse, "--out").map_err(|e| {
            if reuse != Reuse::Resume && out.join(journal::NAME).exists() {
                format!("{e}\n  help: or pass --resume to finish that sweep, if it is this one")
            } else {
                e
            }
        });
    }
    let mut d = format!("sweep-{name}");
    if let Some(s) = shard {
        d.push_str(&format!("-shard{}of{}", s.index, s.count));
    }
    let base = super::run::results_path(&d);
    match reuse {
        Reuse::Resume => ResultDir::claim(&base, reuse, "--out"),
        _ => ResultDir::fresh(&base),
    }
}

/// The runs an interrupted sweep in `dir` finished, when it is the sweep
/// `spec` describes.
fn resumed(dir: &ResultDir, spec: &Spec, jobs: &[Job]) -> Result<Vec<(usize, Row)>, String> {
    let path = dir.path();
    let earlier = Spec::load(path).map_err(|e| {
        format!("--resume: {e}\n  help: start the sweep without --resume, or name its directory with --out")
    })?;
    if let Some(what) = earlier.differs(spec, true) {
        return Err(format!(
            "--resume: {} holds another sweep: {what}\n  \
             help: resume it with the command that started it, or start this one with another --out",
            path.display()
        ));
    }
    let mut done: Vec<(usize, Row)> = Vec::new();
    let mut seen = BTreeSet::new();
    for e in journal::read(path)? {
        let fits = jobs
            .get(e.order)
            .is_some_and(|j| j.point.index == e.row.point && j.seed_index == e.seed_index);
        if !fits || !seen.insert(e.order) {
            return Err(format!(
                "--resume: {} has a run (point {}, seed {}) that is not one of this sweep's, or is there twice\n  \
                 help: start the sweep again with --force",
                path.join(journal::NAME).display(),
                e.row.point,
                e.row.seed
            ));
        }
        done.push((e.order, e.row));
    }
    Ok(done)
}

/// A scenario error as a message (without its own `error: `, which the
/// command prints once).
fn message(e: ScenarioError) -> String {
    let text = e.to_string();
    text.strip_prefix("error: ")
        .map(String::from)
        .unwrap_or(text)
}

/// Blames the `--param` a point's override came from, as the user wrote it,
/// for an error located in that override (which the user never wrote as `--set`).
fn blame(mut e: ScenarioError, point: &Point, loads: usize) -> ScenarioError {
    for (key, value) in &point.values {
        for o in grid::expand(key, value, loads) {
            if e.origin != format!("--set {o}") {
                continue;
            }
            // `load[i].KEY=V` stands for the `load.KEY=V` the user wrote.
            let extra = o.len() - (key.len() + 1 + value.len());
            if e.column > "load".len() {
                e.column = e.column.saturating_sub(extra).max(1);
            }
            e.origin = format!("--param {key}={value}");
            return e;
        }
    }
    e
}

fn progress_bar(quiet: bool, total: u64) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::new(total);
    b.set_style(
        ProgressStyle::with_template(
            "{spinner} runs {pos:>5}/{len} [{bar:40}] {percent}% ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_in_a_swept_value_blames_the_param() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flood.toml");
        let point = Grid::new(vec![Param::parse("load.rate=1,x").unwrap()]).point(1);
        let e = scenario::load_file(&path, &point.overrides(1)).unwrap_err();
        let e = blame(e, &point, 1);
        assert_eq!(e.origin, "--param load.rate=x");
        assert_eq!(e.column, "load.rate=".len() + 1, "{e}");
    }
}
