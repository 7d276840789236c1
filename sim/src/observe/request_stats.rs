//! Requests issued/succeeded/failed/lost, latency and hop quantiles, messages per request.

use serde_json::{json, Map, Value};

use super::{quantile, Observer, RequestEvent, Snapshot};

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

    fn quantiles_of(&self, samples: &[f64]) -> Value {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut m = Map::new();
        for q in &self.quantiles {
            let key = format!("p{}", (q * 1000.0).round() / 10.0)
                .trim_end_matches(".0")
                .to_string();
            m.insert(key, json!(quantile(&sorted, *q)));
        }
        m.insert(
            "mean".into(),
            json!(if sorted.is_empty() {
                None
            } else {
                Some(sorted.iter().sum::<f64>() / sorted.len() as f64)
            }),
        );
        Value::Object(m)
    }
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

    fn summarize(&self, out: &mut Map<String, Value>) {
        let c = self.last.requests;
        out.insert(
            "requests".into(),
            json!({
                "issued": c.issued,
                "succeeded": c.succeeded,
                "failed": c.failed,
                "lost": c.lost,
                "success_rate": if c.issued == 0 { None } else { Some(c.succeeded as f64 / c.issued as f64) },
            }),
        );
        out.insert("latency_s".into(), self.quantiles_of(&self.latencies));
        out.insert(
            "latency_success_s".into(),
            self.quantiles_of(&self.success_latencies),
        );
        out.insert("hops".into(), self.quantiles_of(&self.hops));
        let per_request = if !self.messages.is_empty() {
            Some(self.messages.iter().sum::<f64>() / self.messages.len() as f64)
        } else if c.issued > 0 {
            Some(self.last.sent as f64 / c.issued as f64)
        } else {
            None
        };
        out.insert("messages_per_request".into(), json!(per_request));
    }
}
