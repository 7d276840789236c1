//! `check::explore` and the shrinker on planted concurrency bugs, each a
//! mechanism defined outside the crates as a user writes one: an ordering
//! that only jitter breaks, a lost wake-up, and a race inside one request.

mod jitter_only;
mod lost_wakeup;
mod one_request;
mod writer;
