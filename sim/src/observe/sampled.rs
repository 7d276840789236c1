//! Time series sampled at the configured virtual interval.

use serde_json::{json, Map, Value};

use super::{Observer, Series, Snapshot};

/// Pool workers in use and tasks queued for a worker, over virtual time.
#[derive(Default)]
pub struct PoolOccupancy {
    rows: Vec<Vec<f64>>,
    peak_sampled: usize,
}

impl Observer for PoolOccupancy {
    fn on_sample(&mut self, s: &Snapshot) {
        self.peak_sampled = self.peak_sampled.max(s.pool_in_use);
        self.rows.push(vec![
            s.time.as_secs_f64(),
            s.pool_in_use as f64,
            s.pool_queue as f64,
        ]);
    }

    fn summarize(&self, out: &mut Map<String, Value>) {
        let mean = if self.rows.is_empty() {
            None
        } else {
            Some(self.rows.iter().map(|r| r[1]).sum::<f64>() / self.rows.len() as f64)
        };
        out.insert(
            "pool_occupancy".into(),
            json!({ "samples": self.rows.len(), "mean_in_use": mean, "peak_in_use_sampled": self.peak_sampled }),
        );
    }

    fn series(&self) -> Option<Series> {
        Some(Series {
            name: "pool_occupancy".into(),
            columns: vec!["time_s".into(), "in_use".into(), "queued".into()],
            rows: self.rows.clone(),
        })
    }
}

/// Cumulative requests issued, succeeded, failed and lost over virtual time.
#[derive(Default)]
pub struct RequestSeries {
    rows: Vec<Vec<f64>>,
}

impl Observer for RequestSeries {
    fn on_sample(&mut self, s: &Snapshot) {
        let c = s.requests;
        self.rows.push(vec![
            s.time.as_secs_f64(),
            c.issued as f64,
            c.succeeded as f64,
            c.failed as f64,
            c.lost as f64,
        ]);
    }

    fn series(&self) -> Option<Series> {
        Some(Series {
            name: "requests".into(),
            columns: ["time_s", "issued", "succeeded", "failed", "lost"]
                .map(String::from)
                .to_vec(),
            rows: self.rows.clone(),
        })
    }
}

/// Cumulative messages sent, delivered and lost, and nodes up, over virtual time.
#[derive(Default)]
pub struct MessageSeries {
    rows: Vec<Vec<f64>>,
}

impl Observer for MessageSeries {
    fn on_sample(&mut self, s: &Snapshot) {
        self.rows.push(vec![
            s.time.as_secs_f64(),
            s.sent as f64,
            s.delivered as f64,
            s.lost as f64,
            s.nodes_up as f64,
        ]);
    }

    fn series(&self) -> Option<Series> {
        Some(Series {
            name: "messages".into(),
            columns: ["time_s", "sent", "delivered", "lost", "nodes_up"]
                .map(String::from)
                .to_vec(),
            rows: self.rows.clone(),
        })
    }
}
