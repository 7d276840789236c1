//! Node failure: scheduled crashes and recoveries ([`crashes`]), and churn,
//! as one network-wide Poisson stream ([`poisson`]) or as each node's own
//! alternation of sessions and downtimes ([`lifetime`]).

pub mod churn;
pub mod crashes;
pub mod lifetime;
pub mod poisson;

pub use churn::Churn;
pub use crashes::{crashes, resolve, CrashPlan};
