//! The graph before and after the run: degree distribution (rewiring shows here),
//! connected components, a diameter estimate and the clustering coefficient.

use rand::SeedableRng;

use super::{Observer, Snapshot};
use crate::graph::stats::{
    average_clustering, connected_components, degree_distribution, degree_summary,
    diameter_estimate,
};
use crate::graph::Graph;
use crate::summary::{Degrees, GraphFigures};

/// Nodes sampled for the clustering coefficient (exact below this size).
const CLUSTERING_SAMPLES: usize = 2000;

/// Degree statistics of the graph at the start and at the end.
#[derive(Default)]
pub struct DegreeStats {
    figures: Degrees,
}

impl DegreeStats {
    /// The figures before and after the run.
    pub fn figures(&self) -> Degrees {
        self.figures.clone()
    }
}

fn describe(g: &Graph) -> GraphFigures {
    // Statistics draw from their own fixed stream: they must not shift the run's.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5747);
    let components = connected_components(g);
    let samples = (g.node_count() > CLUSTERING_SAMPLES).then_some(CLUSTERING_SAMPLES);
    let s = degree_summary(g);
    GraphFigures {
        edges: g.edge_count(),
        min: s.as_ref().map(|s| s.min),
        max: s.as_ref().map(|s| s.max),
        mean: s.as_ref().map(|s| s.mean),
        components: components.len(),
        largest_component: components.first().copied().unwrap_or(0),
        diameter_estimate: diameter_estimate(g, &mut rng),
        clustering: average_clustering(g, samples, &mut rng),
        distribution: degree_distribution(g),
    }
}

impl Observer for DegreeStats {
    fn on_start(&mut self, graph: &Graph) {
        self.figures.before = Some(describe(graph));
    }

    fn on_end(&mut self, graph: &Graph, _last: &Snapshot) {
        self.figures.after = Some(describe(graph));
    }
}
