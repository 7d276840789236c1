//! `[failures]`: scheduled crashes and random churn.

use super::convert::{self, FRange, IRange, MAX_RATE};
use super::distribution;
use super::error::ScenarioError;
use super::params::Params;
use super::tree::Value;
use crate::dist::Distribution;

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

/// How many nodes a crash set takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SetSize {
    /// Exactly this many nodes.
    Count(u32),
    /// This fraction of the nodes it draws from, rounded to the nearest whole number.
    Fraction(f64),
}

/// A crash set drawn afresh every period, each draw down for a while.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepeatSpec {
    /// Seconds between the starts of consecutive draws.
    pub every: f64,
    /// Seconds each draw stays down (less than `every`).
    pub down_for: f64,
    /// No draw starts at or after this time; `None` repeats until the run ends.
    pub until: Option<f64>,
}

/// Nodes drawn at random from the scenario seed that crash together.
#[derive(Clone, Debug, PartialEq)]
pub struct CrashSetSpec {
    /// How many nodes crash.
    pub size: SetSize,
    /// Crash time in seconds (of the first draw, when repeating).
    pub at: f64,
    /// Recovery time in seconds, after `at` (one-off sets only).
    pub recover: Option<f64>,
    /// Repetition, if the set is drawn every period.
    pub repeat: Option<RepeatSpec>,
    /// The nodes to draw from; `None` draws from all.
    pub nodes: Option<Vec<u32>>,
    /// Nodes never drawn (e.g. a bootstrap node).
    pub exclude: Vec<u32>,
}

/// Random departures and arrivals as Poisson processes.
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonChurnSpec {
    /// Departures per second.
    pub leave_rate: f64,
    /// Arrivals per second.
    pub join_rate: f64,
    /// Churn never takes the live count below this.
    pub min_alive: u32,
}

/// Each node alternating between sessions (up) and downtimes (down), each
/// drawn on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct LifetimeSpec {
    /// How long a node stays up, in seconds.
    pub session: Distribution,
    /// How long a node stays down, in seconds.
    pub downtime: Distribution,
    /// The fraction of the nodes up at the start.
    pub initial_up: f64,
}

/// How nodes leave and come back.
#[derive(Clone, Debug, PartialEq)]
pub enum ChurnSpec {
    /// One network-wide stream of leaves and joins (`kind = "poisson"`, the default).
    Poisson(PoissonChurnSpec),
    /// Each node's own sessions and downtimes (`kind = "lifetime"`).
    Lifetime(LifetimeSpec),
}

/// Everything that goes wrong on purpose.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailureSpec {
    /// Scheduled crashes.
    pub crashes: Vec<CrashSpec>,
    /// Crash sets: random nodes crashing together, once or every period.
    pub crash_sets: Vec<CrashSetSpec>,
    /// Random churn, if any.
    pub churn: Option<ChurnSpec>,
}

/// Reads `[failures]`; `nodes` bounds node ids when known.
pub(crate) fn read(f: &Params, nodes: Option<usize>) -> Result<FailureSpec, ScenarioError> {
    f.check_known(&["crashes", "crash_set", "churn"])?;
    let mut crashes = Vec::new();
    for c in f.table_list("crashes")? {
        c.check_known(&["node", "at", "recover"])?;
        let node = c.require("node", "node = 0", |n| convert::node_id(n, nodes))?;
        let at = c.require("at", "at = 10.0", |n| convert::float(n, FRange::TIME))?;
        let recover = c.opt_float("recover", FRange::TIME)?;
        if let Some(r) = recover.filter(|r| *r <= at) {
            return Err(c.error(
                "recover",
                format!("recover ({r}) must be later than at ({at})"),
                "set recover > at, or remove it for a permanent crash",
            ));
        }
        crashes.push(CrashSpec { node, at, recover });
    }
    let crash_sets = f
        .table_list("crash_set")?
        .iter()
        .map(|c| read_set(c, nodes))
        .collect::<Result<Vec<_>, _>>()?;
    let churn = match f.sub("churn")? {
        None => None,
        Some(c) => Some(read_churn(&c, nodes)?),
    };
    Ok(FailureSpec {
        crashes,
        crash_sets,
        churn,
    })
}

/// Reads `churn = { kind = "poisson" | "lifetime", ... }`.
fn read_churn(c: &Params, nodes: Option<usize>) -> Result<ChurnSpec, ScenarioError> {
    let kind = c
        .convert("kind", |n| convert::choice(n, &["poisson", "lifetime"]))?
        .unwrap_or_else(|| "poisson".to_string());
    if kind == "lifetime" {
        return read_lifetime(c).map(ChurnSpec::Lifetime);
    }
    if !c.contains("kind") {
        for key in ["session", "downtime", "initial_up"] {
            if c.contains(key) {
                return Err(c.error(
                    key,
                    format!("`{key}` belongs to lifetime churn, and this churn has no `kind`"),
                    "add `kind = \"lifetime\"` (without it, churn is the Poisson stream of \
                     leave_rate and join_rate)",
                ));
            }
        }
    }
    c.check_known(&["kind", "leave_rate", "join_rate", "min_alive"])?;
    let max_alive = nodes.map_or(u32::MAX, |n| n.min(u32::MAX as usize) as u32);
    let rate = |key| {
        c.opt_float(key, FRange::RATE_OR_ZERO)
            .map(|r| r.unwrap_or(0.0))
    };
    let (leave_rate, join_rate) = (rate("leave_rate")?, rate("join_rate")?);
    // Leaves and joins are one stream: together they must leave 1 ns between events.
    if leave_rate + join_rate > MAX_RATE {
        return Err(c.error(
            "join_rate",
            format!(
                "leave_rate + join_rate = {} events per second is too fast: at most {}",
                convert::number(leave_rate + join_rate),
                convert::number(MAX_RATE)
            ),
            "the virtual clock counts whole nanoseconds: lower the rates",
        ));
    }
    Ok(ChurnSpec::Poisson(PoissonChurnSpec {
        leave_rate,
        join_rate,
        min_alive: c
            .opt_int("min_alive", IRange::new(0, max_alive))?
            .map_or(1.min(max_alive), |v| v as u32),
    }))
}

/// Reads the keys of `kind = "lifetime"`.
fn read_lifetime(c: &Params) -> Result<LifetimeSpec, ScenarioError> {
    c.check_known(&["kind", "session", "downtime", "initial_up"])?;
    let example = "{ kind = \"weibull\", shape = 0.5, scale = 600.0 }";
    let read = |key: &str| -> Result<Distribution, ScenarioError> {
        let d = distribution::read(c, key, example)?
            .ok_or_else(|| c.missing(key, &format!("{key} = {example}")))?;
        if d.mean().is_nan() || d.mean() <= 0.0 {
            return Err(c.error(
                key,
                format!("a {key} of mean 0 would switch a node up and down forever at one instant"),
                format!("give `{key}` a mean above 0, e.g. `{key} = {example}`"),
            ));
        }
        Ok(d)
    };
    let session = read("session")?;
    let downtime = read("downtime")?;
    let stationary = session.mean() / (session.mean() + downtime.mean());
    let initial_up = match c.opt_float("initial_up", FRange::probability())? {
        Some(f) => f,
        None if stationary.is_finite() && session.mean().is_finite() => stationary,
        None => {
            return Err(c.error(
                "initial_up",
                "`initial_up` has no default here: a session or downtime of infinite mean \
                 (a pareto of shape <= 1) has no long-run fraction of nodes up",
                "say which fraction of the nodes is up at the start, e.g. `initial_up = 0.5`",
            ))
        }
    };
    Ok(LifetimeSpec {
        session,
        downtime,
        initial_up,
    })
}

/// Reads one `[[failures.crash_set]]`.
fn read_set(c: &Params, nodes: Option<usize>) -> Result<CrashSetSpec, ScenarioError> {
    c.check_known(&[
        "count", "fraction", "at", "recover", "every", "for", "until", "nodes", "exclude",
    ])?;
    // 0 crashes no node: the baseline of a sweep over the size.
    let count = c.opt_int("count", IRange::new(0, u32::MAX))?;
    let fraction = c.opt_float("fraction", FRange::probability())?;
    let size = match (count, fraction) {
        (Some(n), None) => SetSize::Count(n as u32),
        (None, Some(f)) => SetSize::Fraction(f),
        (Some(_), Some(_)) => {
            return Err(c.error(
                "fraction",
                "a crash set takes count or fraction, not both",
                "keep one: `count = 3` crashes 3 nodes, `fraction = 0.1` a tenth of them",
            ))
        }
        (None, None) => {
            return Err(c.error(
                "count",
                "a crash set needs `count` or `fraction`: how many nodes crash",
                "add `count = 3`, or `fraction = 0.1` for a tenth of the nodes",
            ))
        }
    };
    let at = c.require("at", "at = 10.0", |n| convert::float(n, FRange::TIME))?;
    let recover = c.opt_float("recover", FRange::TIME)?;
    if let Some(r) = recover.filter(|r| *r <= at) {
        return Err(c.error(
            "recover",
            format!("recover ({r}) must be later than at ({at})"),
            "set recover > at, or remove it for a permanent crash",
        ));
    }
    let repeat = read_repeat(c, at, recover.is_some())?;
    let restrict = read_restrict(c, nodes)?;
    let exclude = c
        .list("exclude", |n| convert::node_id(n, nodes))?
        .unwrap_or_default();
    check_drawable(c, size, nodes, restrict.as_deref(), &exclude)?;
    Ok(CrashSetSpec {
        size,
        at,
        recover,
        repeat,
        nodes: restrict,
        exclude,
    })
}

/// Reads `every`, `for` and `until`, which come together or not at all.
fn read_repeat(
    c: &Params,
    at: f64,
    has_recover: bool,
) -> Result<Option<RepeatSpec>, ScenarioError> {
    let every = c.opt_float("every", FRange::PERIOD)?;
    let down_for = c.opt_float("for", FRange::time_above(0.0))?;
    let until = c.opt_float("until", FRange::TIME)?;
    let Some(every) = every else {
        if down_for.is_some() {
            return Err(c.error(
                "for",
                "`for` applies to a repeating crash set, and this one has no `every`",
                "add `every = 30.0` to draw a fresh set each period, or use \
                 `recover = <at + for>` for a single crash",
            ));
        }
        if until.is_some() {
            return Err(c.error(
                "until",
                "`until` applies to a repeating crash set, and this one has no `every`",
                "add `every` and `for`, or remove `until`",
            ));
        }
        return Ok(None);
    };
    if has_recover {
        return Err(c.error(
            "recover",
            "a repeating crash set (with `every`) comes back after `for`, not at `recover`",
            "remove `recover`; `for` says how long each draw stays down",
        ));
    }
    let Some(down_for) = down_for else {
        return Err(c.error(
            "for",
            "a repeating crash set needs `for`: how long each draw stays down",
            format!("add `for = {}` (less than every = {every})", every / 2.0),
        ));
    };
    if down_for >= every {
        return Err(c.error(
            "for",
            format!("for ({down_for}) must be shorter than every ({every})"),
            "each draw must be back up before the next is drawn: lower `for` or raise `every`",
        ));
    }
    if let Some(u) = until.filter(|u| *u <= at) {
        return Err(c.error(
            "until",
            format!("until ({u}) must be later than at ({at})"),
            "set until > at, or remove it to repeat until the run ends",
        ));
    }
    Ok(Some(RepeatSpec {
        every,
        down_for,
        until,
    }))
}

/// Reads `nodes`, the ids to draw from: at least one, each once.
fn read_restrict(c: &Params, nodes: Option<usize>) -> Result<Option<Vec<u32>>, ScenarioError> {
    let Some(node) = c.take("nodes") else {
        return Ok(None);
    };
    let Value::Array(items) = &node.value else {
        return Err(c.error_at(
            node,
            "nodes",
            format!("expected an array of node ids, found {}", node.found()),
            "write the nodes to draw from in brackets, e.g. `nodes = [1, 2, 3]`",
        ));
    };
    if items.is_empty() {
        return Err(c.error_at(
            node,
            "nodes",
            "`nodes` is empty: there is no node to draw from",
            "list the nodes to draw from, or remove `nodes` to draw from all",
        ));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = convert::node_id(item, nodes).map_err(|(m, h)| c.error_at(item, "nodes", m, h))?;
        if ids.contains(&id) {
            return Err(c.error_at(
                item,
                "nodes",
                format!("node {id} is listed twice"),
                "list each node once",
            ));
        }
        ids.push(id);
    }
    Ok(Some(ids))
}

/// Checks the set can be drawn when the pool's size is known at load: from
/// `nodes` if given, else from the topology's node count.
fn check_drawable(
    c: &Params,
    size: SetSize,
    nodes: Option<usize>,
    restrict: Option<&[u32]>,
    exclude: &[u32],
) -> Result<(), ScenarioError> {
    let (total, from) = match (restrict, nodes) {
        (Some(r), _) => (r.len(), format!("the {} listed in `nodes`", r.len())),
        (None, Some(n)) => (n, format!("the topology's {n} nodes")),
        (None, None) => return Ok(()),
    };
    let mut excluded: Vec<u32> = match restrict {
        Some(r) => exclude.iter().copied().filter(|v| r.contains(v)).collect(),
        None => exclude.to_vec(),
    };
    excluded.sort_unstable();
    excluded.dedup();
    let pool = total - excluded.len();
    if pool == 0 {
        return Err(c.error(
            "exclude",
            format!("`exclude` leaves no node to draw from: it removes all of {from}"),
            "exclude fewer nodes",
        ));
    }
    if let SetSize::Count(k) = size {
        if k as usize > pool {
            let less = match excluded.len() {
                0 => String::new(),
                e => format!(" less {e} excluded"),
            };
            return Err(c.error(
                "count",
                format!("count = {k} but only {pool} nodes can be drawn ({from}{less})"),
                format!("lower count to at most {pool}, or use `fraction`"),
            ));
        }
    }
    Ok(())
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
            Some(ChurnSpec::Poisson(PoissonChurnSpec {
                leave_rate: 0.1,
                join_rate: 0.0,
                min_alive: 1
            }))
        );
        let kinded = fl("churn = { kind = \"poisson\", leave_rate = 0.1 }").unwrap();
        assert_eq!(kinded.churn, f.churn);
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

    #[test]
    fn crash_sets() {
        let f = fl(
            "[[crash_set]]\ncount = 2\nat = 1\nrecover = 3\nexclude = [0]\n\
                    [[crash_set]]\nfraction = 0.5\nat = 0\nevery = 10\nfor = 2.5\nuntil = 60\n\
                    nodes = [4, 1, 2]",
        )
        .unwrap();
        assert_eq!(
            f.crash_sets,
            vec![
                CrashSetSpec {
                    size: SetSize::Count(2),
                    at: 1.0,
                    recover: Some(3.0),
                    repeat: None,
                    nodes: None,
                    exclude: vec![0],
                },
                CrashSetSpec {
                    size: SetSize::Fraction(0.5),
                    at: 0.0,
                    recover: None,
                    repeat: Some(RepeatSpec {
                        every: 10.0,
                        down_for: 2.5,
                        until: Some(60.0),
                    }),
                    nodes: Some(vec![4, 1, 2]),
                    exclude: vec![],
                },
            ]
        );
        let inline = fl("crash_set = [{ count = 5, at = 2 }]").unwrap();
        assert_eq!(inline.crash_sets[0].size, SetSize::Count(5));
    }

    /// The dotted key of the error `body` gives as a `[[crash_set]]`.
    fn set_err(body: &str) -> ScenarioError {
        fl(&format!("[[crash_set]]\n{body}")).unwrap_err()
    }

    #[test]
    fn bad_crash_sets_name_the_key_and_the_fix() {
        let cases = [
            ("count = 2\nfraction = 0.5\nat = 1", "fraction", "not both"),
            ("at = 1", "count", "needs `count` or `fraction`"),
            ("fraction = 1.5\nat = 1", "fraction", "out of range"),
            ("count = -1\nat = 1", "count", "out of range"),
            (
                "count = 1\nat = 1\nevery = 1e-12\nfor = 1e-13",
                "every",
                "out of range",
            ),
            ("count = 1\nat = 1e20", "at", "out of range"),
            ("count = 6\nat = 1", "count", "only 5 nodes can be drawn"),
            (
                "count = 5\nat = 1\nexclude = [0]",
                "count",
                "less 1 excluded",
            ),
            ("count = 3\nat = 1\nnodes = [1, 2]", "count", "only 2 nodes"),
            (
                "count = 1\nat = 1\nnodes = [1, 2]\nexclude = [1, 2]",
                "exclude",
                "no node",
            ),
            (
                "count = 1\nat = 1\nexclude = [0, 1, 2, 3, 4]",
                "exclude",
                "no node",
            ),
            ("count = 1\nat = 1\nnodes = []", "nodes", "empty"),
            ("count = 1\nat = 1\nnodes = [1, 1]", "nodes", "listed twice"),
            ("count = 1\nat = 1\nnodes = [9]", "nodes", "does not exist"),
            (
                "count = 1\nat = 1\nexclude = [5]",
                "exclude",
                "does not exist",
            ),
            ("count = 1", "at", "missing required key"),
            ("count = 1\nat = 4\nrecover = 4", "recover", "later than at"),
            ("count = 1\nat = 1\nfor = 2", "for", "no `every`"),
            ("count = 1\nat = 1\nuntil = 2", "until", "no `every`"),
            ("count = 1\nat = 1\nevery = 5", "for", "needs `for`"),
            (
                "count = 1\nat = 1\nevery = 5\nfor = 5",
                "for",
                "shorter than every",
            ),
            (
                "count = 1\nat = 1\nevery = 5\nfor = 1\nrecover = 2",
                "recover",
                "not at `recover`",
            ),
            (
                "count = 1\nat = 3\nevery = 5\nfor = 1\nuntil = 3",
                "until",
                "later than at",
            ),
            (
                "count = 1\nat = 1\nevery = 0\nfor = 1",
                "every",
                "out of range",
            ),
        ];
        for (body, key, says) in cases {
            let e = set_err(body);
            assert_eq!(e.key, format!("failures.crash_set[0].{key}"), "{body}");
            assert!(e.message.contains(says), "{body}: {}", e.message);
            // Range errors state the allowed range instead of a separate fix.
            let ranged = e.message.contains("out of range: expected");
            assert!(ranged || e.help.is_some(), "{body}: no help");
        }
    }

    #[test]
    fn a_crash_set_of_none_is_the_baseline() {
        for body in ["count = 0\nat = 1", "fraction = 0\nat = 1"] {
            let f = fl(&format!("[[crash_set]]\n{body}")).unwrap();
            let plan = crate::failures::resolve(&f, 5, 1).unwrap();
            assert!(plan.draw(0, 0).is_empty(), "{body}");
        }
    }

    #[test]
    fn churn_faster_than_the_clock_is_refused() {
        let e = fl("churn = { leave_rate = 1e308, join_rate = 1e308 }").unwrap_err();
        assert_eq!(e.key, "failures.churn.leave_rate");
        assert!(e.help.unwrap().contains("nanoseconds"));
        let e = fl("churn = { leave_rate = 6e8, join_rate = 6e8 }").unwrap_err();
        assert_eq!(e.key, "failures.churn.join_rate");
        assert!(e.message.contains("1.2e9 events per second"), "{e}");
        assert!(fl("churn = { leave_rate = 5e8, join_rate = 5e8 }").is_ok());
    }

    #[test]
    fn unknown_crash_set_keys_suggest_the_nearest() {
        let e = set_err("count = 1\nat = 1\nrecovr = 2");
        assert_eq!(e.key, "failures.crash_set[0].recovr");
        assert!(e.help.unwrap().contains("recover"));
        let e = fl("crash_sets = [{ count = 1, at = 1 }]").unwrap_err();
        assert_eq!(e.key, "failures.crash_sets");
        assert!(e.help.unwrap().contains("crash_set"));
    }

    #[test]
    fn an_unknown_node_count_defers_the_pool_check() {
        let p = Params::from_toml_str(
            "[[crash_set]]\ncount = 50\nat = 1\nexclude = [70]",
            "t.toml",
            "failures",
        )
        .unwrap();
        assert_eq!(
            read(&p, None).unwrap().crash_sets[0].size,
            SetSize::Count(50)
        );
    }

    #[test]
    fn lifetime_churn() {
        let f = fl(
            "churn = { kind = \"lifetime\", session = { kind = \"weibull\", shape = 0.5, \
                    scale = 300 }, downtime = 200 }",
        )
        .unwrap();
        let Some(ChurnSpec::Lifetime(l)) = f.churn else {
            panic!("lifetime churn");
        };
        assert_eq!(
            l.session,
            Distribution::Weibull {
                shape: 0.5,
                scale: 300.0
            }
        );
        assert_eq!(l.downtime, Distribution::Constant(200.0));
        // The default: the long-run fraction up, 600 / (600 + 200) (Γ(3) = 2).
        assert!((l.initial_up - 0.75).abs() < 1e-12, "{}", l.initial_up);
        let f = fl("churn = { kind = \"lifetime\", session = 10, downtime = 10, initial_up = 1 }")
            .unwrap();
        assert!(
            matches!(f.churn, Some(ChurnSpec::Lifetime(LifetimeSpec { initial_up, .. })) if initial_up == 1.0)
        );
        let cases = [
            (
                "churn = { kind = \"lifetime\", downtime = 10 }",
                "session",
                "missing",
            ),
            (
                "churn = { kind = \"lifetime\", session = 10 }",
                "downtime",
                "missing",
            ),
            (
                "churn = { kind = \"lifetime\", session = 0, downtime = 10 }",
                "session",
                "mean 0",
            ),
            (
                "churn = { kind = \"lifetime\", session = 10, downtime = 10, leave_rate = 1 }",
                "leave_rate",
                "unknown key",
            ),
            (
                "churn = { kind = \"lifetime\", session = { kind = \"pareto\", shape = 0.9, \
                 scale = 1 }, downtime = 10 }",
                "initial_up",
                "no default",
            ),
            (
                "churn = { kind = \"lifetime\", session = 10, downtime = 10, initial_up = 1.5 }",
                "initial_up",
                "out of range",
            ),
            (
                "churn = { session = 10, downtime = 10 }",
                "session",
                "no `kind`",
            ),
            ("churn = { kind = \"lifetme\" }", "kind", "unknown value"),
        ];
        for (body, key, says) in cases {
            let e = fl(body).unwrap_err();
            assert_eq!(e.key, format!("failures.churn.{key}"), "{body}: {e}");
            assert!(e.message.contains(says), "{body}: {e}");
        }
    }
}
