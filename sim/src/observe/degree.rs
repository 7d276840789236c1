//! The degree distribution before and after the run (rewiring shows here).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Observer, Snapshot};
use crate::graph::Graph;
use crate::graph_stats::{degree_distribution, degree_summary};

/// Degree statistics of the graph at the start and at the end.
#[derive(Default)]
pub struct DegreeStats {
    before: Option<Value>,
    after: Option<Value>,
}

fn describe(g: &Graph) -> Value {
    let dist: BTreeMap<usize, usize> = degree_distribution(g);
    let s = degree_summary(g);
    let dist: Map<String, Value> = dist
        .into_iter()
        .map(|(d, c)| (d.to_string(), json!(c)))
        .collect();
    json!({
        "edges": g.edge_count(),
        "min": s.as_ref().map(|s| s.min),
        "max": s.as_ref().map(|s| s.max),
        "mean": s.as_ref().map(|s| s.mean),
        "distribution": dist,
    })
}

impl Observer for DegreeStats {
    fn on_start(&mut self, graph: &Graph) {
        self.before = Some(describe(graph));
    }

    fn on_end(&mut self, graph: &Graph, _last: &Snapshot) {
        self.after = Some(describe(graph));
    }

    fn summarize(&self, out: &mut Map<String, Value>) {
        out.insert(
            "degree".into(),
            json!({ "before": self.before, "after": self.after }),
        );
    }
}
