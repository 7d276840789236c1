//! Virtual time: integer nanoseconds since the start of a run, never the wall clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// An instant of virtual time, in integer nanoseconds since the run started.
///
/// Integer nanoseconds keep ordering exact (no float ties or drift) and give
/// 584 years of range. [`SimTime::MAX`] is the end of that range: an instant
/// computed past it saturates to it, nothing happens at it, and a run whose
/// next event is there stops with [`SimError::ClockEnd`](crate::SimError::ClockEnd)
/// instead of jumping to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The end of the clock: past the last instant at which anything happens (a
    /// timeout that reaches it never fires; a sleep or an event there ends the run).
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// An instant `nanos` nanoseconds after the start.
    pub const fn from_nanos(nanos: u64) -> Self {
        SimTime(nanos)
    }

    /// An instant `secs` (fractional) seconds after the start, rounded to the nanosecond.
    pub fn from_secs_f64(secs: f64) -> Self {
        SimTime(secs_to_nanos(secs))
    }

    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the start, as a float (for reports and charts).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// `self + d`, saturating at [`SimTime::MAX`] instead of overflowing.
    pub fn saturating_add(self, d: Duration) -> SimTime {
        SimTime(self.0.saturating_add(duration_nanos(d)))
    }
}

/// Converts a duration to whole nanoseconds, saturating at `u64::MAX`.
pub fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Converts non-negative fractional seconds to nanoseconds (negative and NaN map to 0,
/// anything past the clock to `u64::MAX`, the end of the clock): for values drawn
/// during a run, such as a latency sample. An input is converted with
/// [`duration_from_secs`], which refuses what this clamps.
pub fn secs_to_nanos(secs: f64) -> u64 {
    if secs.is_nan() || secs <= 0.0 {
        0
    } else {
        (secs * 1e9).round().min(u64::MAX as f64) as u64
    }
}

/// The most seconds any input may give as a time or a span: a round figure just
/// below the clock's end (2^64 ns, about 584 years), so that every input instant,
/// and a run's duration, can be reached.
pub const MAX_SECS: f64 = 1.8e10;

/// Why a number of seconds is not a virtual duration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SecsError {
    /// Below zero.
    Negative(f64),
    /// NaN.
    NotANumber,
    /// Past [`MAX_SECS`] (infinity included).
    PastTheClock(f64),
}

impl fmt::Display for SecsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecsError::Negative(v) => write!(f, "{v} s is negative: a time is at least 0"),
            SecsError::NotANumber => f.write_str("NaN is not a number of seconds"),
            SecsError::PastTheClock(v) => write!(
                f,
                "{v:e} s is past the end of the virtual clock: at most {MAX_SECS:e} s (the clock \
                 counts nanoseconds in 64 bits, about 584 years)"
            ),
        }
    }
}

impl std::error::Error for SecsError {}

/// `secs` as a virtual duration, rounded to the nanosecond, or why it is not one
/// (negative, NaN, past [`MAX_SECS`]): the one checked conversion of every time
/// an input gives (a scenario key, a command-line flag, a failure file). The
/// caller says where the value came from.
pub fn duration_from_secs(secs: f64) -> Result<Duration, SecsError> {
    if secs.is_nan() {
        return Err(SecsError::NotANumber);
    }
    if secs < 0.0 {
        return Err(SecsError::Negative(secs));
    }
    if secs > MAX_SECS {
        return Err(SecsError::PastTheClock(secs));
    }
    // Within the range this cannot fail, and it rounds as `Duration::from_secs_f64`
    // does, so a value converted either way is the same duration.
    Duration::try_from_secs_f64(secs).map_err(|_| SecsError::PastTheClock(secs))
}

impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        self.saturating_add(d)
    }
}

impl AddAssign<Duration> for SimTime {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for SimTime {
    type Output = Duration;
    fn sub(self, earlier: SimTime) -> Duration {
        self.saturating_since(earlier)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.9}s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_in_nanoseconds() {
        let t = SimTime::ZERO + Duration::from_millis(10) + Duration::from_nanos(3);
        assert_eq!(t.as_nanos(), 10_000_003);
        assert_eq!(t - SimTime::from_nanos(3), Duration::from_millis(10));
        assert_eq!(SimTime::from_nanos(1) - t, Duration::ZERO);
    }

    #[test]
    fn inputs_convert_checked() {
        assert_eq!(duration_from_secs(0.005), Ok(Duration::from_millis(5)));
        assert_eq!(duration_from_secs(0.0), Ok(Duration::ZERO));
        assert_eq!(
            duration_from_secs(MAX_SECS),
            Ok(Duration::from_secs(18_000_000_000))
        );
        assert_eq!(duration_from_secs(-1.0), Err(SecsError::Negative(-1.0)));
        assert_eq!(duration_from_secs(f64::NAN), Err(SecsError::NotANumber));
        for huge in [1e20, f64::INFINITY, 1.8e10 + 1.0] {
            let e = duration_from_secs(huge).unwrap_err();
            assert_eq!(e, SecsError::PastTheClock(huge));
            assert!(e.to_string().contains("at most 1.8e10 s"), "{e}");
        }
        // Every accepted input is an instant a run can reach.
        assert!(SimTime::ZERO + duration_from_secs(MAX_SECS).unwrap() < SimTime::MAX);
    }

    #[test]
    fn seconds_round_trip_and_saturate() {
        assert_eq!(SimTime::from_secs_f64(1.5).as_nanos(), 1_500_000_000);
        assert_eq!(SimTime::from_secs_f64(-1.0), SimTime::ZERO);
        assert_eq!(SimTime::MAX + Duration::from_secs(1), SimTime::MAX);
        assert_eq!(
            format!("{}", SimTime::from_nanos(1_500_000_000)),
            "1.500000000s"
        );
    }
}
