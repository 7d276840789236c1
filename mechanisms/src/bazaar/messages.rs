//! What travels between bazaar nodes.

use p2psim_sim::graph::NodeId;

use super::Good;

/// The bazaar's messages.
#[derive(Clone, Debug)]
pub enum BazaarMsg {
    /// A search flooding outwards from a buyer.
    Lookup(Lookup),
    /// A seller's answer, backtracking along the lookup's path.
    Reply(Reply),
    /// A buyer asking a seller, directly, for one item of `good` (a call).
    Buy {
        /// The good wanted.
        good: Good,
    },
    /// The seller's answer to a buy: the item's serial (true) or `None` (false).
    Sold(Option<u64>),
}

/// `lookup(good, hopcount, search id, path)`.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// The good looked for.
    pub good: Good,
    /// Hops it may still travel, this one included.
    pub hopcount: u32,
    /// The buyer's search id.
    pub search: u64,
    /// The nodes it went through, the buyer first and the sender last.
    pub path: Vec<NodeId>,
}

/// A seller's reply on its way back to the buyer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The search it answers.
    pub search: u64,
    /// The seller.
    pub seller: NodeId,
    /// Hops from the buyer to the seller.
    pub hops: u32,
    /// The rest of the way back: the next hop is the last element; empty at the buyer.
    pub back: Vec<NodeId>,
}
