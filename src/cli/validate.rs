//! `p2psim validate`: check a scenario file without running it.

use std::path::PathBuf;

use clap::Args;

use crate::sim::Mechanisms;

/// Arguments of `p2psim validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Overrides to check as well: --set key=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Runs the command; returns the exit status.
pub fn run(args: ValidateArgs, mechanisms: &Mechanisms) -> i32 {
    match super::run::load(&args.scenario, &args.set, None, mechanisms) {
        Some(s) => {
            outln!(
                "{}: ok (scenario `{}`, mechanism `{}`, seed {})",
                args.scenario.display(),
                s.name,
                s.mechanism.kind,
                s.seed
            );
            0
        }
        None => super::EXIT_BAD_INPUT,
    }
}
