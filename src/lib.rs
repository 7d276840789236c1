//! p2psim: a deterministic virtual-time simulator for peer-to-peer networks.
//!
//! The facade re-exports the layers: [`runtime`] (scheduler, TaskThread pool,
//! primitives), [`sim`] (network layer) and [`mechanisms`]; [`workloads`] holds
//! the standard benchmark workloads.

pub use p2psim_mechanisms as mechanisms;
pub use p2psim_runtime as runtime;
pub use p2psim_sim as sim;

pub mod rss;
pub mod workloads;
