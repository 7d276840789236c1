//! Requests issued/succeeded/failed/lost, latency and hop quantiles, messages per request.

use std::collections::BTreeMap;

use super::{quantile, Observer, RequestEvent, Snapshot};
use crate::summary::{Distribution, RequestFigures};

/// Totals and distributions over all requests.
#[derive(Default)]
pub struct RequestStats {
    quantiles: Vec<f64>,
    latencies: Vec<f64>,
    success_latencies: Vec<f64>,
    hops: Vec<f64>,
    messages: Vec<f64>,
    last: Snapshot,
}

impl RequestStats {
    /// Collects latency quantiles at `quantiles` (e.g. 0.5, 0.9, 0.99).
    pub fn new(quantiles: Vec<f64>) -> Self {
        RequestStats {
            quantiles,
            ..Self::default()
        }
    }

    fn quantiles_of(&self, samples: &[f64]) -> Distribution {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let quantiles: BTreeMap<String, Option<f64>> = self
            .quantiles
            .iter()
            .map(|q| (quantile_name(*q), quantile(&sorted, *q)))
            .collect();
        let mean = (!sorted.is_empty()).then(|| sorted.iter().sum::<f64>() / sorted.len() as f64);
        Distribution { mean, quantiles }
    }

    /// The request counts at the end.
    pub fn requests(&self) -> RequestFigures {
        let c = self.last.requests;
        RequestFigures {
            issued: c.issued,
            succeeded: c.succeeded,
            failed: c.failed,
            lost: c.lost,
            success_rate: (c.issued > 0).then(|| c.succeeded as f64 / c.issued as f64),
            by_load: Vec::new(),
        }
    }

    /// Latency of every ended request, in seconds.
    pub fn latency(&self) -> Distribution {
        self.quantiles_of(&self.latencies)
    }

    /// Latency of the requests that succeeded, in seconds.
    pub fn success_latency(&self) -> Distribution {
        self.quantiles_of(&self.success_latencies)
    }

    /// Hops of the requests that succeeded and said.
    pub fn hops(&self) -> Distribution {
        self.quantiles_of(&self.hops)
    }

    /// Messages per request: as the mechanism counted them, else all sent over issued.
    pub fn messages_per_request(&self) -> Option<f64> {
        let issued = self.last.requests.issued;
        if !self.messages.is_empty() {
            Some(self.messages.iter().sum::<f64>() / self.messages.len() as f64)
        } else if issued > 0 {
            Some(self.last.sent as f64 / issued as f64)
        } else {
            None
        }
    }
}

/// `p50` for 0.5, `p99.9` for 0.999.
fn quantile_name(q: f64) -> String {
    format!("p{}", (q * 1000.0).round() / 10.0)
        .trim_end_matches(".0")
        .to_string()
}

impl Observer for RequestStats {
    fn on_request(&mut self, event: &RequestEvent<'_>) {
        if let RequestEvent::Done(rec) = event {
            let lat = (rec.finished - rec.request.issued).as_secs_f64();
            self.latencies.push(lat);
            if rec.outcome.success {
                self.success_latencies.push(lat);
                if let Some(h) = rec.outcome.hops {
                    self.hops.push(f64::from(h));
                }
            }
            if let Some(m) = rec.outcome.messages {
                self.messages.push(m as f64);
            }
        }
    }

    fn on_end(&mut self, _graph: &crate::graph::Graph, last: &Snapshot) {
        self.last = *last;
    }
}
