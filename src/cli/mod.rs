//! The `p2psim` command line, for any list of mechanisms: a user's program
//! gets `run`, `validate`, `check`, `replay`, `sweep`, `merge`, `plot` and `bench` for its own mechanisms
//! beside the shipped ones, with the same output, exit codes and errors.
//!
//! ```no_run
//! # use p2psim::sim::Mechanisms;
//! fn main() {
//!     // `p2psim::mechanisms![Gossip, Chord]`: the shipped ones and a crate's own;
//!     // `p2psim::mechanisms![only: Gossip, Chord]`: exactly these.
//!     p2psim::cli::main(p2psim::mechanisms::builtin())
//! }
//! ```

/// Prints to stdout; a closed pipe (`p2psim ... | head`) ends output quietly
/// instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

/// Like `out!`, with a newline.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// A line to stderr; a closed pipe is not an error.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub mod bench;
pub mod check;
pub mod merge;
pub mod output;
pub mod plot;
pub mod program;
pub mod replay;
pub mod run;
pub mod sweep;
pub mod sweep_files;
pub mod validate;

use clap::{Parser, Subcommand};

use crate::sim::Mechanisms;

/// What to lower when the machine runs out of memory (printed with the report).
pub const OUT_OF_MEMORY_HELP: &str = "lower topology.nodes, the load's count, pool.capacity or \
     pool.stack_size (policy \"grow\" adds a worker per task past the capacity), or --jobs; or \
     run where more memory is allowed (ulimit -v)";

/// Exit status: the simulation failed (deadlock, task panic).
pub const EXIT_SIM_FAILED: i32 = 1;
/// Exit status: bad input (scenario, arguments).
pub const EXIT_BAD_INPUT: i32 = 2;

/// p2psim: deterministic virtual-time simulation of peer-to-peer networks.
#[derive(Parser, Debug)]
#[command(name = "p2psim", version, about)]
pub struct Cli {
    /// The subcommand to run.
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
    /// Join the directories of a sweep's shards (sweep --shard i/n) into the whole sweep's files.
    Merge(merge::MergeArgs),
    /// Chart a sweep.csv (mean and 95% CI against a swept key) or a run's time-series CSV.
    Plot(plot::PlotArgs),
    /// Check a scenario for deadlock freedom: N schedules across cores, the first failure shrunk.
    Check(check::CheckArgs),
    /// Replay a failure written by `check`: the same report and trace hash.
    Replay(replay::ReplayArgs),
    /// Run the standard benchmark workloads (W1-W7 of docs/workloads.md) and print one line per figure.
    Bench(bench::BenchArgs),
}

/// The parser of `--seed`: a scenario's seed is a TOML integer, at most 2^63 - 1.
pub(crate) fn seed_arg() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(..=i64::MAX as u64)
}

/// Parses the command line, runs the command with `mechanisms` and exits
/// with its status: 0 ok, 1 the simulation failed, 2 bad input.
pub fn main(mechanisms: Mechanisms) -> ! {
    crate::runtime::install_out_of_memory_report(Some(OUT_OF_MEMORY_HELP));
    let cli = Cli::parse();
    std::process::exit(dispatch(cli, &mechanisms))
}

/// Runs a parsed command with `mechanisms`; returns the process exit status.
pub fn dispatch(cli: Cli, mechanisms: &Mechanisms) -> i32 {
    if let Err(msg) = mechanisms.ready() {
        errln!("error: {msg}");
        return EXIT_BAD_INPUT;
    }
    match cli.command {
        Command::Run(args) => run::run(args, mechanisms),
        Command::Validate(args) => validate::run(args, mechanisms),
        Command::Bench(args) => bench::run(args),
        Command::Sweep(args) => sweep::run(args, mechanisms),
        Command::Merge(args) => merge::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Check(args) => check::run(args, mechanisms),
        Command::Replay(args) => replay::run(args, mechanisms),
    }
}
