//! The execution layer.

pub(crate) mod context;
pub(crate) mod overflow;
pub(crate) mod prefetch;
pub(crate) mod shared_stack;
pub(crate) mod stack;
pub(crate) mod worker;
