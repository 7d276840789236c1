//! The bazaar's parameters, read from `[mechanism]` with located errors.

use std::time::Duration;

use p2psim_sim::scenario::{Params, ScenarioError};

use super::roles::Role;
use super::Good;

/// How a buyer orders the sellers that answered its lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SellerPolicy {
    /// In the order their replies arrived.
    First,
    /// In a random order (from the buyer's seeded stream).
    Random,
    /// Fewest hops first; ties in arrival order.
    Nearest,
}

impl SellerPolicy {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            SellerPolicy::First => "first",
            SellerPolicy::Random => "random",
            SellerPolicy::Nearest => "nearest",
        }
    }
}

/// Who is a buyer and who is a seller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleSpec {
    /// Every node a buyer or a seller by a fair coin (the assignment's parent process).
    Coin,
    /// This many random buyers and sellers; any other node only forwards.
    Counts {
        /// Buyers.
        buyers: usize,
        /// Sellers.
        sellers: usize,
    },
    /// One role per node, in node order.
    Explicit(Vec<Role>),
}

/// Parameters of the bazaar, from `[mechanism]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BazaarParams {
    /// Names of the goods; a [`Good`] indexes this list.
    pub goods: Vec<String>,
    /// Items a seller stocks of a good (k).
    pub stock: u32,
    /// Hops a lookup travels from the buyer (0: it never leaves).
    pub hopcount: u32,
    /// How roles are assigned.
    pub roles: RoleSpec,
    /// Per node, the first good it sells or wants (`None`: drawn at random).
    pub initial_goods: Vec<Option<Good>>,
    /// How long a buyer keeps collecting replies after the first (zero: first reply only).
    pub reply_window: Duration,
    /// Which answering seller a buyer tries first.
    pub seller_policy: SellerPolicy,
    /// Pause between a buyer's lookups.
    pub think_time: Duration,
    /// Buyers start at a uniform random time in `[0, start_spread)`.
    pub start_spread: Duration,
    /// Failed lookups in a row after which a buyer gives up its good and picks a new
    /// one (0: never, as in the assignment, where a buyer may wait for a good nobody sells).
    pub patience: u32,
    /// Lookups per buyer; `None` runs until the scenario's duration.
    pub max_lookups: Option<u64>,
    /// How long a buyer waits for the first reply.
    pub lookup_timeout: Duration,
    /// How long a buyer waits for a seller's answer to a buy.
    pub buy_timeout: Duration,
    /// Virtual time a seller takes to hand over an item, holding its stall's lock.
    pub sell_time: Duration,
    /// Whether a sold-out seller picks a new good and restocks k items.
    pub restock: bool,
    /// Whether the stock is guarded by the lock; `false` reproduces the race the lock
    /// prevents, and the run then fails its invariant check.
    pub stock_lock: bool,
}

const ROLE_HELP: &str = "each entry is \"buyer\", \"seller\" or \"peer\"";

impl BazaarParams {
    /// Reads and checks the parameters (`nodes`: the network size, if known;
    /// `has_duration`: whether the scenario ends by itself at `duration_s`).
    pub fn from_params(
        p: &Params,
        nodes: Option<usize>,
        has_duration: bool,
    ) -> Result<Self, ScenarioError> {
        let goods = p.list_str("goods")?;
        let goods = if p.contains("goods") {
            goods
        } else {
            ["fish", "salt", "boar"].map(String::from).to_vec()
        };
        if goods.is_empty() || goods.len() > usize::from(Good::MAX) {
            return Err(p.error(
                "goods",
                "expected 1 to 65535 goods",
                "e.g. `goods = [\"fish\", \"salt\", \"boar\"]`",
            ));
        }
        for (i, g) in goods.iter().enumerate() {
            if g.is_empty() || goods[..i].contains(g) {
                return Err(p.error(
                    "goods",
                    format!("good `{g}` is empty or repeated"),
                    "name each good once",
                ));
            }
        }
        let stock = p.u64_in("stock", 10, 1, u64::from(u32::MAX))? as u32;
        let hopcount = p.u64_in("hopcount", 3, 0, 1024)? as u32;
        let roles = read_roles(p, nodes)?;
        let initial_goods = read_initial_goods(p, nodes, &goods)?;
        let reply_window = secs(p, "reply_window", 0.0, 0.0)?;
        let seller_policy = match p
            .choice("seller_policy", "first", &["first", "random", "nearest"])?
            .as_str()
        {
            "random" => SellerPolicy::Random,
            "nearest" => SellerPolicy::Nearest,
            _ => SellerPolicy::First,
        };
        let think_time = secs(p, "think_time", 1.0, 0.0)?;
        let start_spread = secs(p, "start_spread", 0.0, 0.0)?;
        let patience = p.u64_in("patience", 3, 0, u64::from(u32::MAX))? as u32;
        let max_lookups = match p.opt_u64("max_lookups")? {
            Some(0) => {
                return Err(p.error(
                    "max_lookups",
                    "max_lookups must be at least 1",
                    "remove it to run until `duration_s`",
                ))
            }
            other => other,
        };
        if max_lookups.is_none() && !has_duration {
            return Err(p.error(
                "max_lookups",
                "the bazaar would never end: no `max_lookups` and no `duration_s`",
                "add `max_lookups = 100` to [mechanism] or `duration_s = 60` at the top",
            ));
        }
        let lookup_timeout = secs(p, "lookup_timeout", 2.0, 1e-9)?;
        let buy_timeout = secs(p, "buy_timeout", 2.0, 1e-9)?;
        let sell_time = secs(p, "sell_time", 0.0, 0.0)?;
        let restock = p.bool("restock", true)?;
        let stock_lock = p.bool("stock_lock", true)?;
        p.finish()?;
        Ok(BazaarParams {
            goods,
            stock,
            hopcount,
            roles,
            initial_goods,
            reply_window,
            seller_policy,
            think_time,
            start_spread,
            patience,
            max_lookups,
            lookup_timeout,
            buy_timeout,
            sell_time,
            restock,
            stock_lock,
        })
    }
}

/// A duration in seconds, at least `min`.
fn secs(p: &Params, key: &str, default: f64, min: f64) -> Result<Duration, ScenarioError> {
    Ok(Duration::from_secs_f64(p.f64_in(key, default, min, 1e9)?))
}

fn read_roles(p: &Params, nodes: Option<usize>) -> Result<RoleSpec, ScenarioError> {
    let buyers = p.opt_u64("buyers")?;
    let sellers = p.opt_u64("sellers")?;
    if p.contains("roles") {
        if buyers.is_some() || sellers.is_some() {
            return Err(p.error(
                "roles",
                "`roles` and `buyers`/`sellers` both assign roles",
                "keep one of them",
            ));
        }
        let mut roles = Vec::new();
        for name in p.list_str("roles")? {
            roles.push(match name.as_str() {
                "buyer" => Role::Buyer,
                "seller" => Role::Seller,
                "peer" => Role::Peer,
                _ => return Err(p.error("roles", format!("unknown role `{name}`"), ROLE_HELP)),
            });
        }
        if let Some(n) = nodes.filter(|n| *n != roles.len()) {
            return Err(p.error(
                "roles",
                format!("{} roles for {n} nodes", roles.len()),
                "give one role per node",
            ));
        }
        return Ok(RoleSpec::Explicit(roles));
    }
    if buyers.is_none() && sellers.is_none() {
        return Ok(RoleSpec::Coin);
    }
    let n = nodes.map_or(u64::MAX, |n| n as u64);
    let (b, s) = match (buyers, sellers) {
        (Some(b), Some(s)) => (b, s),
        (Some(b), None) => (b, n.saturating_sub(b)),
        (None, Some(s)) => (n.saturating_sub(s), s),
        (None, None) => unreachable!("handled above"),
    };
    if b.saturating_add(s) > n {
        return Err(p.error(
            "buyers",
            format!("{b} buyers and {s} sellers do not fit in {n} nodes"),
            "lower `buyers` or `sellers`",
        ));
    }
    Ok(RoleSpec::Counts {
        buyers: b as usize,
        sellers: s as usize,
    })
}

fn read_initial_goods(
    p: &Params,
    nodes: Option<usize>,
    goods: &[String],
) -> Result<Vec<Option<Good>>, ScenarioError> {
    let names = p.list_str("initial_goods")?;
    if let Some(n) = nodes.filter(|n| !names.is_empty() && *n != names.len()) {
        return Err(p.error(
            "initial_goods",
            format!("{} goods for {n} nodes", names.len()),
            "give one entry per node (\"\" draws one at random)",
        ));
    }
    names
        .iter()
        .map(|name| match name.as_str() {
            "" => Ok(None),
            _ => goods
                .iter()
                .position(|g| g == name)
                .map(|i| Some(i as Good))
                .ok_or_else(|| {
                    p.error(
                        "initial_goods",
                        format!("`{name}` is not one of the goods"),
                        format!("use one of: {}", goods.join(", ")),
                    )
                }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, has_duration: bool) -> Result<BazaarParams, ScenarioError> {
        let p = Params::from_toml_str(text, "m.toml", "mechanism").unwrap();
        BazaarParams::from_params(&p, Some(3), has_duration)
    }

    #[test]
    fn defaults_are_the_seeds_goods_and_first_reply() {
        let p = read("max_lookups = 2", false).unwrap();
        assert_eq!(p.goods, ["fish", "salt", "boar"]);
        assert_eq!(p.roles, RoleSpec::Coin);
        assert_eq!(p.seller_policy, SellerPolicy::First);
        assert!(p.reply_window.is_zero() && p.stock_lock && p.restock);
    }

    #[test]
    fn roles_goods_and_endings_are_checked_where_they_are_written() {
        let e = read("", false).unwrap_err();
        assert_eq!(e.key, "mechanism.max_lookups");
        assert!(read("", true).is_ok());
        let e = read("max_lookups = 1\nroles = [\"buyer\", \"seller\"]", false).unwrap_err();
        assert!(e.message.contains("2 roles for 3 nodes"), "{e}");
        let e = read(
            "max_lookups = 1\nroles = [\"buyer\", \"seller\", \"thief\"]",
            false,
        )
        .unwrap_err();
        assert!(e.message.contains("thief"), "{e}");
        let e = read(
            "max_lookups = 1\ninitial_goods = [\"fish\", \"gold\", \"\"]",
            false,
        )
        .unwrap_err();
        assert!(e.message.contains("gold"), "{e}");
        let e = read("max_lookups = 1\nbuyers = 2\nsellers = 2", false).unwrap_err();
        assert_eq!(e.key, "mechanism.buyers");
        let e = read("max_lookups = 1\nhopcuont = 2", false).unwrap_err();
        assert!(e.help.unwrap().contains("hopcount"));
        let p = read("max_lookups = 1\nbuyers = 1", false).unwrap();
        assert_eq!(
            p.roles,
            RoleSpec::Counts {
                buyers: 1,
                sellers: 2
            }
        );
    }
}
