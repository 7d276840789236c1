//! `[failures]`: scheduled crashes and random churn.

use super::convert::{self, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;

/// One node crashing at a time, optionally recovering later.
#[derive(Clone, Debug, PartialEq)]
pub struct CrashSpec {
    /// The node that crashes.
    pub node: u32,
    /// Crash time in seconds.
    pub at: f64,
    /// Recovery time in seconds, after `at`.
    pub recover: Option<f64>,
}

/// Random departures and arrivals as Poisson processes.
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnSpec {
    /// Departures per second.
    pub leave_rate: f64,
    /// Arrivals per second.
    pub join_rate: f64,
    /// Churn never takes the live count below this.
    pub min_alive: u32,
}

/// Everything that goes wrong on purpose.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailureSpec {
    /// Scheduled crashes.
    pub crashes: Vec<CrashSpec>,
    /// Random churn, if any.
    pub churn: Option<ChurnSpec>,
}

/// Reads `[failures]`; `nodes` bounds node ids when known.
pub(crate) fn read(f: &Params, nodes: Option<usize>) -> Result<FailureSpec, ScenarioError> {
    f.check_known(&["crashes", "churn"])?;
    let mut crashes = Vec::new();
    for c in f.table_list("crashes")? {
        c.check_known(&["node", "at", "recover"])?;
        let node = c.require("node", "node = 0", |n| convert::node_id(n, nodes))?;
        let at = c.require("at", "at = 10.0", |n| {
            convert::float(n, FRange::AT_LEAST_ZERO)
        })?;
        let recover = c.opt_float("recover", FRange::AT_LEAST_ZERO)?;
        if let Some(r) = recover.filter(|r| *r <= at) {
            return Err(c.error(
                "recover",
                format!("recover ({r}) must be later than at ({at})"),
                "set recover > at, or remove it for a permanent crash",
            ));
        }
        crashes.push(CrashSpec { node, at, recover });
    }
    let churn = match f.sub("churn")? {
        None => None,
        Some(c) => {
            c.check_known(&["leave_rate", "join_rate", "min_alive"])?;
            let max_alive = nodes.map_or(u32::MAX, |n| n.min(u32::MAX as usize) as u32);
            Some(ChurnSpec {
                leave_rate: c
                    .opt_float("leave_rate", FRange::AT_LEAST_ZERO)?
                    .unwrap_or(0.0),
                join_rate: c
                    .opt_float("join_rate", FRange::AT_LEAST_ZERO)?
                    .unwrap_or(0.0),
                min_alive: c
                    .opt_int("min_alive", IRange::new(0, max_alive))?
                    .map_or(1.min(max_alive), |v| v as u32),
            })
        }
    };
    Ok(FailureSpec { crashes, churn })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fl(body: &str) -> Result<FailureSpec, ScenarioError> {
        read(
            &Params::from_toml_str(body, "t.toml", "failures").unwrap(),
            Some(5),
        )
    }

    #[test]
    fn crashes_and_churn() {
        let f = fl("crashes = [{ node = 3, at = 10, recover = 20 }]\nchurn = { leave_rate = 0.1 }")
            .unwrap();
        assert_eq!(
            f.crashes,
            vec![CrashSpec {
                node: 3,
                at: 10.0,
                recover: Some(20.0)
            }]
        );
        assert_eq!(
            f.churn,
            Some(ChurnSpec {
                leave_rate: 0.1,
                join_rate: 0.0,
                min_alive: 1
            })
        );
        assert_eq!(fl("").unwrap(), FailureSpec::default());
    }

    #[test]
    fn bad_crashes() {
        assert_eq!(
            fl("crashes = [{ node = 5, at = 1 }]").unwrap_err().key,
            "failures.crashes[0].node"
        );
        let e = fl("crashes = [{ node = 1, at = 5, recover = 5 }]").unwrap_err();
        assert_eq!(e.key, "failures.crashes[0].recover");
        assert_eq!(
            fl("churn = { min_alive = 6 }").unwrap_err().key,
            "failures.churn.min_alive"
        );
    }
}
