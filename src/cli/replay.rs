//! `p2psim replay`: runs a failure written by `p2psim check` again, exactly.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::sim::check::{self, Failure};
use crate::sim::Mechanisms;

/// Arguments of `p2psim replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The failure file `p2psim check` wrote.
    pub failure: PathBuf,
    /// Write the replayed run's Perfetto trace (Chrome trace-event JSON) here.
    #[arg(long)]
    pub trace: Option<PathBuf>,
}

/// Runs the command: exit 1 when the failure is reproduced, 0 when the run
/// now passes, 2 for a file that cannot be read.
pub fn run(args: ReplayArgs, mechanisms: &Mechanisms) -> i32 {
    if let Some(t) = &args.trace {
        if let Err(e) = crate::results::file::writable(t, "--trace") {
            errln!("error: {e}");
            return super::EXIT_BAD_INPUT;
        }
    }
    let failure = match Failure::load(&args.failure) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return super::EXIT_BAD_INPUT;
        }
    };
    // The strategy obeys the rule `check` and `[check]` do (a PCT depth of 1 to 64).
    if let Err(e) = failure.schedule.strategy.check() {
        errln!("error: {}: `strategy`: {e}", args.failure.display());
        return super::EXIT_BAD_INPUT;
    }
    let replayed = match check::replay(mechanisms, &failure) {
        Ok(r) => r,
        Err(e) => {
            errln!("error: {}: {e}", args.failure.display());
            return super::EXIT_BAD_INPUT;
        }
    };
    let traced = match &args.trace {
        Some(path) => write_trace(mechanisms, &failure, path),
        None => true,
    };
    if !replayed.followed {
        errln!(
            "note: the replay did not take the recorded decisions as recorded: the mechanism or \
             p2psim changed since the failure was found, so this is another run"
        );
    }
    let status = match replayed.kind {
        None => {
            outln!(
                "  replay     {} no longer fails (trace {}; the recorded failure had {})",
                args.failure.display(),
                replayed.summary.trace_hash,
                failure.trace_hash
            );
            0
        }
        Some(kind) => {
            errln!(
                "p2psim: replayed {}:\n{}",
                kind.as_str(),
                replayed.report.trim_end()
            );
            errln!("trace hash {}", replayed.summary.trace_hash);
            if replayed.matches(&failure) {
                errln!("identical to the recorded failure: report and trace hash");
            } else {
                errln!(
                    "differs from the recorded failure ({}, trace hash {})",
                    failure.kind.as_str(),
                    failure.trace_hash
                );
            }
            super::EXIT_SIM_FAILED
        }
    };
    if traced || status != 0 {
        status
    } else {
        super::EXIT_BAD_INPUT
    }
}

/// Writes the Perfetto trace of `failure`'s run to `path`, or says why not
/// (an error: the trace was asked for); whether it was written.
pub fn write_trace(mechanisms: &Mechanisms, failure: &Failure, path: &Path) -> bool {
    match check::trace(mechanisms, failure, path) {
        Ok(()) => {
            errln!(
                "  trace      {} (open it in ui.perfetto.dev)",
                path.display()
            );
            true
        }
        Err(e) => {
            errln!("error: no trace: {e}");
            false
        }
    }
}
