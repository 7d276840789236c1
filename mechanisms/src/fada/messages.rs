//! What FADA nodes say to each other: lookups, their extensions, and results.

use p2psim_sim::graph::NodeId;

/// A search identifier, unique per starting node: `(node << 32) | counter`.
pub type SearchId = u64;

/// An item identifier; a lookup's template matches nodes holding that item.
pub type ItemId = u32;

/// One match: the node whose local registry matched, and how far it is from the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// The node that matched (the origin may link to it when rewiring).
    pub node: NodeId,
    /// Hops from the node that started the lookup.
    pub hops: u32,
}

/// The messages of the FADA mechanism.
#[derive(Clone, Debug)]
pub enum FadaMsg {
    /// A client asks the node it bootstrapped to for a lookup (answered with `Results`).
    Lookup {
        /// The item looked up.
        item: ItemId,
    },
    /// A client registers an item at the node it bootstrapped to (answered with `Registered`).
    Register {
        /// The item.
        item: ItemId,
    },
    /// The registration was stored.
    Registered,
    /// The design document's extendLookup: carry the search to a neighbour.
    Extend(Extension),
    /// Matches, as an answer to a `call` or reported straight to the origin.
    Results {
        /// The search they belong to.
        search: SearchId,
        /// The matches (without duplicates).
        matches: Vec<Match>,
    },
    /// The receiver has already seen this search and declines it.
    Declined,
    /// A bootstrap probe.
    Ping,
    /// The answer to a probe.
    Pong,
}

/// The search criteria and bookkeeping that travel with an extended lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The search's id.
    pub search: SearchId,
    /// The item looked up.
    pub item: ItemId,
    /// Hops it may still travel, this one included.
    pub ttl: u32,
    /// Hops travelled so far, this one included.
    pub hops: u32,
    /// The node that started the lookup (where asynchronous results go).
    pub origin: NodeId,
}

impl Extension {
    /// The extension one hop further on.
    pub fn next_hop(self) -> Extension {
        Extension {
            ttl: self.ttl - 1,
            hops: self.hops + 1,
            ..self
        }
    }
}
