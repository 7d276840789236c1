//! Who buys and who sells, and the first good of each: the assignment's parent process,
//! which set every node up as a buyer or a seller with its initial product.

use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::params::{BazaarParams, RoleSpec};
use super::Good;

/// What a node does in the bazaar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Looks goods up and buys them.
    Buyer,
    /// Sells one good at a time from a stock of k items.
    Seller,
    /// Only forwards lookups and replies.
    Peer,
}

/// Each node's role and first good (wanted by a buyer, sold by a seller).
pub fn cast(p: &BazaarParams, nodes: usize, rng: &mut ChaCha8Rng) -> Vec<(Role, Good)> {
    let roles = match &p.roles {
        RoleSpec::Coin => (0..nodes)
            .map(|_| {
                if rng.gen_bool(0.5) {
                    Role::Buyer
                } else {
                    Role::Seller
                }
            })
            .collect(),
        RoleSpec::Counts { buyers, sellers } => {
            let mut roles = vec![Role::Peer; nodes];
            let chosen = sample(rng, nodes, (buyers + sellers).min(nodes));
            for (i, node) in chosen.into_iter().enumerate() {
                roles[node] = if i < *buyers {
                    Role::Buyer
                } else {
                    Role::Seller
                };
            }
            roles
        }
        RoleSpec::Explicit(roles) => {
            assert_eq!(
                roles.len(),
                nodes,
                "mechanism.roles: {} roles for {nodes} nodes",
                roles.len()
            );
            roles.clone()
        }
    };
    if !p.initial_goods.is_empty() {
        assert_eq!(
            p.initial_goods.len(),
            nodes,
            "mechanism.initial_goods: {} goods for {nodes} nodes",
            p.initial_goods.len()
        );
    }
    roles
        .into_iter()
        .enumerate()
        .map(|(n, role)| {
            let drawn = random_good(p, rng);
            let given = p.initial_goods.get(n).copied().flatten();
            (role, given.unwrap_or(drawn))
        })
        .collect()
}

/// A good drawn uniformly.
pub fn random_good(p: &BazaarParams, rng: &mut impl Rng) -> Good {
    rng.gen_range(0..p.goods.len()) as Good
}
