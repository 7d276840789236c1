//! p2psim-sim: the network simulation layer.
//!
//! Nodes and their links ([`graph`]), seeded [`topology`] generators and
//! [`graph_stats`], per-hop [`latency`], request [`arrivals`], and the TOML
//! [`scenario`] files that put them together.

pub mod arrivals;
pub mod graph;
pub mod graph_stats;
pub mod latency;
pub mod scenario;
pub mod topology;
