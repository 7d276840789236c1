//! p2psim-mechanisms: pluggable mechanisms and policies, written as blocking code.
//!
//! - [`flood`]: a flooding lookup with TTL and duplicate suppression.
//! - [`fada`]: FADA's lookup and register with pluggable per-node policies.
//! - [`registry`]: the `mechanism.kind` names a scenario may use.

pub mod fada;
pub mod flood;
pub mod registry;
