//! Builds the graph a scenario's `[topology]` names.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::graph::topology::{self, TopologyError};
use crate::graph::Graph;
use crate::scenario::TopologySpec;

/// The seeded graph of `spec`; errors are messages about the topology's
/// parameters, each starting with `[topology]: ` (a run's setup can also fail
/// on other sections). A graph with no node is an error: nothing could run on it.
pub fn build_graph(spec: &TopologySpec, seed: u64) -> Result<Graph, String> {
    build(spec, seed).map_err(|e| format!("[topology]: {e}"))
}

/// Checks that the graph of `spec` is within what any graph may hold
/// ([`MAX_NODES`](topology::MAX_NODES) nodes, [`MAX_EDGES`](topology::MAX_EDGES)
/// edges), without building it: what the scenario checks when it is read, so
/// that `validate` refuses what `run` would. An edge list is checked by parsing it.
pub fn check_size(spec: &TopologySpec) -> Result<(), TopologyError> {
    use topology::{check_edge_budget, check_node_count};
    let Some(nodes) = spec.nodes() else {
        return Ok(());
    };
    check_node_count(nodes, 1, "1")?;
    match *spec {
        TopologySpec::RingLattice { nodes, k } | TopologySpec::WattsStrogatz { nodes, k, .. } => {
            check_edge_budget(topology::lattice_edges(nodes, k))
        }
        TopologySpec::KOut { nodes, k } => check_edge_budget(topology::k_out_edges(nodes, k)),
        TopologySpec::ErdosRenyi { nodes, p } => {
            check_edge_budget(topology::erdos_renyi_edges(nodes, p))
        }
        TopologySpec::BarabasiAlbert { nodes, m } => {
            check_edge_budget(topology::barabasi_albert_edges(nodes, m))
        }
        TopologySpec::Ring { .. } | TopologySpec::Star { .. } | TopologySpec::EdgeList { .. } => {
            Ok(())
        }
    }
}

fn build(spec: &TopologySpec, seed: u64) -> Result<Graph, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = match spec {
        TopologySpec::Ring { nodes } => topology::ring(*nodes),
        TopologySpec::RingLattice { nodes, k } => topology::ring_lattice(*nodes, *k),
        TopologySpec::KOut { nodes, k } => topology::random_k_out(*nodes, *k, &mut rng),
        TopologySpec::ErdosRenyi { nodes, p } => topology::erdos_renyi(*nodes, *p, &mut rng),
        TopologySpec::BarabasiAlbert { nodes, m } => {
            topology::barabasi_albert(*nodes, *m, &mut rng)
        }
        TopologySpec::WattsStrogatz { nodes, k, beta } => {
            topology::watts_strogatz(*nodes, *k, *beta, &mut rng)
        }
        TopologySpec::Star { nodes } => topology::star(*nodes),
        TopologySpec::EdgeList { path, nodes } => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read edge list {}: {e}", path.display()))?;
            let g = topology::edge_list_of(&text, *nodes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if g.node_count() == 0 {
                return Err(format!(
                    "the edge list {} has no edge and declares no node count, so the graph \
                     has no node: add edges, a `# nodes: N` header line, or `nodes = N` \
                     to [topology]",
                    path.display()
                ));
            }
            return Ok(g);
        }
    };
    g.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge_list_spec(text: &str, name: &str, nodes: Option<usize>) -> TopologySpec {
        let path = std::env::temp_dir().join(format!("p2psim-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TopologySpec::EdgeList { path, nodes }
    }

    #[test]
    fn an_edge_list_without_edges_needs_a_node_count() {
        let e = build_graph(&edge_list_spec("# nothing\n", "empty", None), 1).unwrap_err();
        assert!(e.starts_with("[topology]: "), "{e}");
        assert!(e.contains("no node") && e.contains("nodes = N"), "{e}");
        let g = build_graph(&edge_list_spec("", "empty-3", Some(3)), 1).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (3, 0));
        let g = build_graph(&edge_list_spec("# nodes: 2\n", "header", None), 1).unwrap();
        assert_eq!(g.node_count(), 2);
    }

    #[test]
    fn small_rings_and_stars_build() {
        for (spec, nodes, edges) in [
            (TopologySpec::Ring { nodes: 1 }, 1, 0),
            (TopologySpec::Ring { nodes: 2 }, 2, 1),
            (TopologySpec::Ring { nodes: 3 }, 3, 3),
            (TopologySpec::Star { nodes: 1 }, 1, 0),
            (TopologySpec::Star { nodes: 2 }, 2, 1),
        ] {
            let g = build_graph(&spec, 1).unwrap();
            assert_eq!((g.node_count(), g.edge_count()), (nodes, edges), "{spec:?}");
        }
    }
}
