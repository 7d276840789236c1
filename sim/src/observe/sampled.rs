//! Time series sampled at the configured virtual interval.

use std::time::Duration;

use super::{Observer, Series, Snapshot, TimeSeries};
use crate::summary::Occupancy;

/// Pool workers in use and tasks queued for a worker, over virtual time.
pub struct PoolOccupancy {
    rows: TimeSeries,
    peak_sampled: usize,
}

impl Default for PoolOccupancy {
    fn default() -> Self {
        PoolOccupancy {
            rows: TimeSeries::new("pool_occupancy", &["in_use", "queued"]),
            peak_sampled: 0,
        }
    }
}

impl PoolOccupancy {
    /// Occupancy over the rows kept.
    pub fn figures(&self) -> Occupancy {
        let n = self.rows.len();
        Occupancy {
            samples: n,
            mean_in_use: (n > 0).then(|| self.rows.column(0).sum::<f64>() / n as f64),
            peak_in_use_sampled: self.peak_sampled,
        }
    }
}

impl Observer for PoolOccupancy {
    fn on_sample(&mut self, s: &Snapshot) {
        self.peak_sampled = self.peak_sampled.max(s.pool_in_use);
        self.rows
            .push(s.time, &[s.pool_in_use as f64, s.pool_queue as f64]);
    }

    fn coarsen(&mut self, every: Duration) {
        self.rows.coarsen(every);
    }

    fn series(&self) -> Option<Series> {
        Some(self.rows.to_series())
    }
}

/// Cumulative requests issued, succeeded, failed and lost over virtual time.
pub struct RequestSeries {
    rows: TimeSeries,
}

impl Default for RequestSeries {
    fn default() -> Self {
        RequestSeries {
            rows: TimeSeries::new("requests", &["issued", "succeeded", "failed", "lost"]),
        }
    }
}

impl Observer for RequestSeries {
    fn on_sample(&mut self, s: &Snapshot) {
        let c = s.requests;
        self.rows.push(
            s.time,
            &[
                c.issued as f64,
                c.succeeded as f64,
                c.failed as f64,
                c.lost as f64,
            ],
        );
    }

    fn coarsen(&mut self, every: Duration) {
        self.rows.coarsen(every);
    }

    fn series(&self) -> Option<Series> {
        Some(self.rows.to_series())
    }
}

/// Cumulative messages sent, delivered and lost, and nodes up, over virtual time.
pub struct MessageSeries {
    rows: TimeSeries,
}

impl Default for MessageSeries {
    fn default() -> Self {
        MessageSeries {
            rows: TimeSeries::new("messages", &["sent", "delivered", "lost", "nodes_up"]),
        }
    }
}

impl Observer for MessageSeries {
    fn on_sample(&mut self, s: &Snapshot) {
        self.rows.push(
            s.time,
            &[
                s.sent as f64,
                s.delivered as f64,
                s.lost as f64,
                s.nodes_up as f64,
            ],
        );
    }

    fn coarsen(&mut self, every: Duration) {
        self.rows.coarsen(every);
    }

    fn series(&self) -> Option<Series> {
        Some(self.rows.to_series())
    }
}
