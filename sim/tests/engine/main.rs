//! How the engine runs a scenario with a mechanism defined outside the crates:
//! how a run ends, and what its time series hold.

mod cost;
mod late_reply;
mod latency_models;
mod sampling;
