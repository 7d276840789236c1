//! `p2psim merge`: joins the directories of a sweep's shards into the whole
//! sweep's files (`sweep.csv`, `aggregate.csv`, `failures.txt`, charts, and the
//! `sweep.json` and journal that make it a sweep like any other).

use std::path::PathBuf;

use clap::Args;

use crate::results::dir::{ResultDir, Reuse};
use crate::sweep::journal::Journal;
use crate::sweep::merge;

use super::sweep_files;

/// Arguments of `p2psim merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' directories (each written by `p2psim sweep --shard i/n`).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Where the whole sweep's files go.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the results in --out if it holds earlier ones.
    #[arg(long)]
    pub force: bool,
    /// The charts.
    #[command(flatten)]
    pub charts: sweep_files::ChartArgs,
    /// No closing summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the command; returns the exit status.
pub fn run(args: MergeArgs) -> i32 {
    match merge_shards(args) {
        Ok(status) => status,
        Err(msg) => {
            errln!("error: {msg}");
            super::EXIT_BAD_INPUT
        }
    }
}

fn merge_shards(args: MergeArgs) -> Result<i32, String> {
    if let Some(s) = args.shards.iter().find(|s| same_dir(s, &args.out)) {
        return Err(format!(
            "--out {} is one of the shards ({}): merge into another directory",
            args.out.display(),
            s.display()
        ));
    }
    let merged = merge::merge(&args.shards)?;
    let mut dir = ResultDir::claim(&args.out, Reuse::force_if(args.force), "--out")?;
    dir.record(sweep_files::ENTRIES)?;
    merged.spec.save(dir.path())?;
    let journal = Journal::open(dir.path()).map_err(|e| e.to_string())?;
    for e in &merged.entries {
        journal
            .append_entry(e.order, e.seed_index, &e.row)
            .map_err(|e| format!("cannot write to {}: {e}", dir.path().display()))?;
    }
    let keys: Vec<String> = merged.spec.params.iter().map(|p| p.key.clone()).collect();
    let rows: Vec<_> = merged.entries.into_iter().map(|e| e.row).collect();
    let errors = sweep_files::report_errors(&rows, &keys);
    let written = sweep_files::write(dir.path(), keys, rows, &args.charts)?;
    if !args.quiet {
        let head = format!(
            "{} shards merged: {} points, {} runs",
            args.shards.len(),
            merged.spec.points,
            merged.spec.runs
        );
        sweep_files::summary(&head, None, dir.path(), &written);
    }
    Ok(if errors { super::EXIT_BAD_INPUT } else { 0 })
}

/// Whether `a` and `b` name one directory.
fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
