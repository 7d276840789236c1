//! The `p2psim` command line.

mod cli;

use clap::Parser;

/// Simulations allocate and free millions of small objects (tasks, messages in
/// flight); mimalloc's thread-local free lists serve them faster than glibc's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cli::Cli::parse();
    std::process::exit(cli::dispatch(cli));
}
