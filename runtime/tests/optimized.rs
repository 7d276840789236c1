//! The runtime's tests that must also pass optimized: the shared stack saves a
//! task's frames by the stack pointer the switch records, which holds only if
//! the optimizer lays out every switch alike, so CI runs this binary again in a
//! release build (`cargo test --release -p p2psim-runtime --test optimized`).

mod common;

mod handoff;
mod properties;
mod shared_stack;
