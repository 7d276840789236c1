//! p2psim-sim: the network simulation layer.
//!
//! Three rooms hold the network model: [`graph`] (nodes and their links, the
//! seeded topology generators, graph statistics), [`net`] (messaging as blocking
//! code, the wire, the transport and its latency models) and [`load`] (request
//! arrivals and the requests they issue). Around them: node [`failures`],
//! pluggable [`observe`]rs, the TOML [`scenario`] files, and the [`engine`] that
//! runs a scenario with a [`mechanism`]. It knows nothing of FADA or bazaars.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod check;
pub mod counters;
mod ctx;
pub mod dist;
pub mod engine;
pub mod failures;
pub mod graph;
pub mod limits;
pub mod load;
pub mod mechanism;
pub mod net;
pub mod observe;
pub mod perfetto;
pub mod registry;
mod sampling;
pub mod scenario;
pub mod schedule;
pub mod seeds;
pub mod shard;
pub mod summary;

pub use ctx::Ctx;
pub use load::RequestKind;
pub use mechanism::{prepare, Mechanism, Request, RequestOutcome};
pub use net::{CallError, Calls, Incoming, Net, ReplyTo};
pub use registry::Mechanisms;
pub use summary::Summary;
