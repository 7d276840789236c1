//! The runtime's integration tests: one test binary, one module per primitive or
//! behaviour. The shared stack's tests, the hand-offs and the random-program
//! properties are a binary of their own, `optimized.rs`, which CI runs again in a
//! release build. (`Cargo.toml` sets `autotests = false`, so the files here are
//! modules of these two binaries, not binaries of their own.)

mod common;

mod call_at;
mod chain;
mod clock_end;
mod deadlock;
mod determinism;
mod join;
mod kill;
mod lock_object;
mod mailbox;
mod mutex;
mod overflow;
mod panic;
mod pool;
mod schedule;
mod scheduler;
mod semaphore;
mod states;
mod sync_point;
