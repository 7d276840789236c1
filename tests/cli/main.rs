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
mod deadlock_exit;
mod errors;
mod front_end;
mod memory;
mod plot;
mod run;
mod sweep;
mod trace_hashes;
