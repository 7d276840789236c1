//! The root package's tests: the `p2psim` binary (run, validate, bench, plot and
//! sweep, with their exit codes and output files) and sweeps through the library.
//! One test binary, one module per behaviour. The shipped scenarios on a shared
//! stack are a binary of their own, `tests/shared_stack_runs.rs`, which CI runs
//! again optimized; the mechanisms' own tests are in `mechanisms/tests/`.

mod adversarial;
mod bazaar;
mod bench;
mod bin;
mod check;
mod check_shard;
mod cmd;
mod deadlock_exit;
mod errors;
mod front_end;
mod memory;
mod merge;
mod plot;
mod replay_fit;
mod results_dirs;
mod run;
mod sweep;
mod sweep_grid;
mod sweep_resume;
mod trace_hashes;
