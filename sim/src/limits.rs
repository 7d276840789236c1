//! The limits a run can reach that are no bug of its mechanism: the end of the
//! virtual clock and the machine's memory; what to change in the scenario.

use p2psim_runtime::SimError;

/// What to change when `error` is a limit, in the scenario's keys; `None` for
/// a deadlock or a panic (the mechanism's own failures).
pub fn help(error: &SimError) -> Option<&'static str> {
    match error {
        SimError::ClockEnd(_) => Some(
            "every event of a run must come within 1.8e10 s of virtual time: lower the \
             latencies (transport.latency, transport.links), the load's times and rates or the \
             mechanism's timeouts, whose sums along the run passed the end of the clock",
        ),
        SimError::OutOfMemory(_) => Some(
            "lower pool.capacity (policy \"grow\" adds a worker per task past the capacity, \
             \"queue\" makes tasks wait instead), pool.stack_size, or the load's count; or run \
             where more memory is allowed (ulimit -v)",
        ),
        SimError::Deadlock(_) | SimError::TaskPanicked(_) => None,
    }
}
