//! The `p2psim` command line.

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    std::process::exit(cli::dispatch(cli));
}
