//! When the engine samples its observers: a grid of `sample_interval` from
//! t = 0, without the instants at which nothing can have changed, coarsened
//! when the series reach their row cap.
//!
//! Between two events the state of a run is constant, so after a sample the
//! engine goes straight to the last grid instant before the next event (one
//! row that says the values held until then) instead of stepping through an
//! idle span: a call that waits 10^8 s costs two rows, not 10^8. A run that is
//! busy for long still fills its series; at `max_rows` the interval doubles and
//! every row off the coarser grid goes, as many times as it takes.

use std::time::Duration;

use p2psim_runtime::{duration_nanos, SimTime};

/// The sampling grid of one run.
pub(crate) struct SampleGrid {
    /// The grid's spacing now, in nanoseconds (at least 1).
    step: u64,
    /// The spacing the scenario asked for.
    requested: u64,
    max_rows: usize,
    /// When each kept row was sampled (to thin as the observers thin theirs).
    times: Vec<u64>,
    /// How many times the spacing doubled.
    doublings: u32,
}

impl SampleGrid {
    /// A grid of `interval` keeping at most `max_rows` rows (at least 2).
    pub fn new(interval: Duration, max_rows: usize) -> Self {
        let step = duration_nanos(interval).max(1);
        SampleGrid {
            step,
            requested: step,
            max_rows: max_rows.max(2),
            times: Vec::new(),
            doublings: 0,
        }
    }

    /// Records a sample taken at `t`. When that fills the rows, doubles the
    /// spacing until they fit again and returns it: every series must then
    /// keep only its rows on the new grid (`TimeSeries::coarsen`).
    pub fn taken(&mut self, t: SimTime) -> Option<Duration> {
        self.times.push(t.as_nanos());
        if self.times.len() < self.max_rows {
            return None;
        }
        while self.times.len() >= self.max_rows {
            self.step = self.step.saturating_mul(2);
            self.doublings += 1;
            let (step, last) = (self.step, self.times.len() - 1);
            let mut row = 0;
            self.times.retain(|&at| {
                let keep = at % step == 0 || row == last;
                row += 1;
                keep
            });
        }
        Some(Duration::from_nanos(self.step))
    }

    /// The next instant to sample after a sample at `now`, when the next
    /// event is due at `next_event` (`None`: no timer is pending).
    pub fn next(&self, now: SimTime, next_event: Option<SimTime>) -> SimTime {
        let step = self.step;
        let now = now.as_nanos();
        let after = (now / step).saturating_add(1).saturating_mul(step);
        let next = match next_event.map(SimTime::as_nanos) {
            // An event at the end of the clock cannot happen: go there to fail at once,
            // the clock where it stands.
            Some(e) if e == SimTime::MAX.as_nanos() => e,
            // Nothing happens before the event: skip to the last grid instant before it.
            Some(e) if e > after => ((e - 1) / step).saturating_mul(step),
            _ => after,
        };
        SimTime::from_nanos(next)
    }

    /// The spacing asked for, and the one in force now.
    pub fn intervals(&self) -> (Duration, Duration) {
        (
            Duration::from_nanos(self.requested),
            Duration::from_nanos(self.step),
        )
    }

    /// How many times the spacing doubled.
    pub fn doublings(&self) -> u32 {
        self.doublings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(n: u64) -> SimTime {
        SimTime::from_nanos(n)
    }

    #[test]
    fn idle_spans_are_skipped_to_the_last_instant_before_the_event() {
        let s = SampleGrid::new(Duration::from_nanos(10), 100);
        assert_eq!(s.next(ns(0), Some(ns(5))), ns(10));
        assert_eq!(s.next(ns(0), Some(ns(10))), ns(10));
        assert_eq!(s.next(ns(0), None), ns(10));
        assert_eq!(s.next(ns(0), Some(ns(1_000_001))), ns(1_000_000));
        assert_eq!(s.next(ns(0), Some(ns(1_000_000))), ns(999_990));
        // The end of a run (off the grid) still leads back onto it.
        assert_eq!(s.next(ns(13), Some(ns(14))), ns(20));
        assert_eq!(s.next(ns(u64::MAX - 5), None), ns(u64::MAX));
        assert_eq!(s.next(ns(13), Some(SimTime::MAX)), SimTime::MAX);
    }

    #[test]
    fn the_spacing_doubles_when_the_rows_fill() {
        let mut s = SampleGrid::new(Duration::from_nanos(1), 8);
        let mut coarsened = Vec::new();
        for t in 0..40 {
            if let Some(every) = s.taken(ns(t)) {
                coarsened.push((t, every.as_nanos()));
            }
        }
        assert_eq!(coarsened[0], (7, 2));
        assert!(s.times.len() < 8);
        assert_eq!(s.intervals().1.as_nanos() as u64, 1 << s.doublings());
        assert!(s.times.windows(2).all(|w| w[0] < w[1]));
    }
}
