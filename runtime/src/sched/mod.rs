//! The scheduler layer.

pub(crate) mod core;
pub(crate) mod fifo;
pub(crate) mod flags;
pub(crate) mod handoff;
pub(crate) mod radix_heap;
pub(crate) mod schedule;
pub(crate) mod timers;
pub(crate) mod trace;
pub(crate) mod tracer;
pub(crate) mod wait;
