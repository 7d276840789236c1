//! No node beyond TTL hops receives a lookup, and each node processes a search id once.

use p2psim_mechanisms::fada::Fada;

use crate::harness::{lookup_at, ring, run};

/// Every node of the ring holds the one item, so every node reached answers.
const ALL_HOLD: &str = "catalogue = 1\nreplicas = 20\nttl = 3\n";

#[test]
fn a_lookup_reaches_exactly_the_nodes_within_ttl_in_every_mode() {
    for mode in ["sequential", "parallel", "async"] {
        let out = run::<Fada>(&ring(
            &format!("{ALL_HOLD}neighbours = \"all\"\npropagation = \"{mode}\"\ntimeout = 1.0"),
            &lookup_at(0, 0.0),
        ));
        // Nodes 17, 18, 19, 0, 1, 2, 3: the origin and three hops each way.
        assert_eq!(out.report.results_per_lookup, 7.0, "{mode}");
        // Extensions: 0 -> 1, 19; 1 -> 0, 2; 19 -> 0, 18; 2 -> 1, 3; 18 -> 19, 17.
        // Six nodes process the search; the other four copies are declined (seen).
        assert_eq!(out.report.extensions_declined, 4, "{mode}");
        let expected = match mode {
            // Every extension is a call with a reply.
            "sequential" | "parallel" => 20,
            // Ten extensions plus one report to the origin per matching node.
            _ => 16,
        };
        assert_eq!(out.summary.messages.sent, expected, "{mode}");
    }
}

#[test]
fn all_but_sender_saves_the_copies_back() {
    let out = run::<Fada>(&ring(
        &format!("{ALL_HOLD}neighbours = \"all_but_sender\"\npropagation = \"sequential\""),
        &lookup_at(0, 0.0),
    ));
    assert_eq!(out.report.results_per_lookup, 7.0);
    assert_eq!(out.report.extensions_declined, 0);
    assert_eq!(out.summary.messages.sent, 12);
}
