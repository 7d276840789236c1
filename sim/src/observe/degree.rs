//! The graph before and after the run: degree distribution (rewiring shows here),
//! connected components, a diameter estimate and the clustering coefficient.

use std::collections::BTreeMap;

use rand::SeedableRng;
use serde_json::{json, Map, Value};

use super::{Observer, Snapshot};
use crate::graph::Graph;
use crate::graph_stats::{
    average_clustering, connected_components, degree_distribution, degree_summary,
    diameter_estimate,
};

/// Nodes sampled for the clustering coefficient (exact below this size).
const CLUSTERING_SAMPLES: usize = 2000;

/// Degree statistics of the graph at the start and at the end.
#[derive(Default)]
pub struct DegreeStats {
    before: Option<Value>,
    after: Option<Value>,
}

fn describe(g: &Graph) -> Value {
    // Statistics draw from their own fixed stream: they must not shift the run's.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5747);
    let components = connected_components(g);
    let samples = (g.node_count() > CLUSTERING_SAMPLES).then_some(CLUSTERING_SAMPLES);
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
        "components": components.len(),
        "largest_component": components.first().copied().unwrap_or(0),
        "diameter_estimate": diameter_estimate(g, &mut rng),
        "clustering": average_clustering(g, samples, &mut rng),
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
