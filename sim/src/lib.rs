//! p2psim-sim: the network simulation layer.
//!
//! Nodes and their links ([`graph`]), seeded [`topology`] generators and
//! [`graph_stats`], per-hop [`latency`] and [`transport`], messaging as blocking
//! code ([`net`]), request [`arrivals`] and [`load`], node [`failures`],
//! pluggable [`observe`]rs, the TOML [`scenario`] files, and the [`engine`] that
//! runs a scenario with a [`mechanism`]. It knows nothing of FADA or bazaars.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod arrivals;
pub mod check;
pub mod counters;
mod ctx;
pub mod engine;
pub mod failures;
pub mod graph;
pub mod graph_build;
pub mod graph_stats;
pub mod latency;
pub mod load;
pub mod mechanism;
pub mod net;
pub mod observe;
pub mod perfetto;
pub mod registry;
mod request_kind;
pub mod requests;
mod sampling;
pub mod scenario;
pub mod schedule;
pub mod seeds;
pub mod summary;
pub mod topology;
pub mod transport;
mod wire;

pub use ctx::Ctx;
pub use mechanism::{prepare, Mechanism, Request, RequestOutcome};
pub use net::{CallError, Incoming, Net, ReplyTo};
pub use registry::Mechanisms;
pub use request_kind::RequestKind;
pub use summary::Summary;
