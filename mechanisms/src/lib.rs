//! p2psim-mechanisms: pluggable mechanisms and policies, written as blocking code.
//!
//! - [`bazaar`]: buyers and sellers over a flooding network (the bazaar assignment's).
//! - [`fada`]: FADA's lookup and register with pluggable per-node policies.
//! - [`flood`]: a flooding lookup with TTL and duplicate suppression.
//! - [`nested`]: nested blocking calls that can exhaust a queueing pool into deadlock.
//! - [`transfer`]: transfers that lock, then call: a deadlock for `p2psim check` to find.
//! - [`registry`]: the list of them all, [`builtin`], for the CLI.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bazaar;
pub mod fada;
pub mod flood;
pub mod nested;
pub mod registry;
pub mod transfer;

pub use registry::builtin;
