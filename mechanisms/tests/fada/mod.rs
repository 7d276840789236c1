//! FADA's lookup and register on small rings with known answers.

mod async_mode;
mod leases;
mod matches;
mod node_policy;
mod rewiring;
mod seen_cache;
mod ttl;
