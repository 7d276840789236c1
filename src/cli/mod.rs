//! The `p2psim` command line: argument definitions and dispatch.

pub mod bench;
pub mod output;
pub mod plot;
pub mod run;
pub mod sweep;
pub mod validate;

use clap::{Parser, Subcommand};

/// Exit status: the simulation failed (deadlock, task panic).
pub const EXIT_SIM_FAILED: i32 = 1;
/// Exit status: bad input (scenario, arguments).
pub const EXIT_BAD_INPUT: i32 = 2;

/// p2psim: deterministic virtual-time simulation of peer-to-peer networks.
#[derive(Parser, Debug)]
#[command(name = "p2psim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: progress in virtual time, a summary table, summary.json and CSVs.
    Run(run::RunArgs),
    /// Check a scenario file without running it.
    Validate(validate::ValidateArgs),
    /// Sweep scenario keys across values and seeds on N threads: sweep.csv, aggregate.csv, charts.
    Sweep(sweep::SweepArgs),
    /// Chart a sweep.csv (mean and 95% CI against a swept key) or a run's time-series CSV.
    Plot(plot::PlotArgs),
    /// Run the standard benchmark workloads (W1-W7 of docs/workloads.md) and print one line per figure.
    Bench(bench::BenchArgs),
}

/// Runs the parsed command; returns the process exit status.
pub fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Plot(args) => plot::run(args),
    }
}
