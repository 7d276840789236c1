//! Policies are chosen per node: listed nodes or a fraction override the defaults.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{lookup_at, ring, run};

#[test]
fn listed_nodes_and_fractions_get_their_own_propagation() {
    let mech = "catalogue = 1\nreplicas = 20\nttl = 3\ntimeout = 0.5\n\
                [[mechanism.node_policy]]\nfraction = 0.5\npropagation = \"parallel\"\n\
                [[mechanism.node_policy]]\nnodes = [0, 1]\npropagation = \"sequential\"\n";
    let out = run::<Fada>(&ring(mech, &lookup_at(0, 0.0)));
    let modes = &out.report.nodes_per_propagation;
    let count = |m: &str| modes.get(m).copied().unwrap_or(0);
    assert_eq!(count("sequential"), 2);
    assert_eq!(count("async") + count("parallel") + count("sequential"), 20);
    assert!((8..=10).contains(&count("parallel")));
    // Mixed modes still find the whole reach (distant async reports reach the origin
    // while its sequential extension is still running, or come back along the calls).
    assert_eq!(out.summary.requests.succeeded, 1);
}

#[test]
fn bootstraps_find_a_first_node() {
    for b in [
        "uniform",
        "well_known\"\nbootstrap_node = \"3",
        "lowest_latency",
    ] {
        let mech = format!("catalogue = 1\nreplicas = 20\nttl = 2\nbootstrap = \"{b}\"\n");
        let out = run::<Fada>(&ring(&mech.replace("\"3\"", "3"), &lookup_at(0, 0.0)));
        assert_eq!(out.summary.requests.succeeded, 1, "{b}");
    }
}
