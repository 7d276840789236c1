//! Puts the sections together in a fixed order, so the first error reported is stable.

use std::path::Path;

use super::convert::{self, FRange};
use super::error::ScenarioError;
use super::params::Params;
use super::source::{Loc, Source};
use super::{
    check, failures, load, mechanism, observers, overrides, pool, topology, transport, tree,
    Scenario,
};

const TOP_KEYS: &[&str] = &[
    "name",
    "seed",
    "duration_s",
    "topology",
    "transport",
    "failures",
    "pool",
    "mechanism",
    "load",
    "observers",
    "output",
    "check",
];

/// Parses `text`, applies `overrides` and extracts a validated [`Scenario`].
pub(crate) fn scenario(
    text: &str,
    origin: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    let src = Source::new(origin, text);
    let mut root = tree::parse(&src)?;
    for o in overrides {
        overrides::apply(&mut root, o)?;
    }
    let top = Params::from_node(&root, "");
    top.check_known(TOP_KEYS)?;
    let name = top
        .convert("name", file_name)?
        .unwrap_or_else(|| default_name(origin));
    let seed = top.u64("seed", 1)?;
    let duration_s = top.opt_float("duration_s", FRange::time_above(0.0))?;
    let topo = required(
        &top,
        &src,
        "topology",
        "`[topology]` table with `kind = \"ring\"` and `nodes = 6`",
    )?;
    let topology = topology::read(&topo, base_dir)?;
    let nodes = topology.nodes();
    let transport = transport::read(&optional(&top, &src, "transport")?, nodes, base_dir)?;
    let failures = failures::read(&optional(&top, &src, "failures")?, nodes)?;
    let pool = pool::read(&optional(&top, &src, "pool")?)?;
    let mechanism = mechanism::read(required(
        &top,
        &src,
        "mechanism",
        "`[mechanism]` table with `kind = \"flood\"`",
    )?)?;
    let loads = top
        .table_list("load")?
        .into_iter()
        .map(|l| load::read(l, nodes, duration_s))
        .collect::<Result<Vec<_>, _>>()?;
    let observers = observers::read_observers(&optional(&top, &src, "observers")?)?;
    let output = observers::read_output(&optional(&top, &src, "output")?)?;
    let check = check::read(&optional(&top, &src, "check")?)?;
    Ok(Scenario {
        name,
        seed,
        duration_s,
        topology,
        transport,
        failures,
        pool,
        mechanism,
        loads,
        observers,
        output,
        check,
        source: super::SourceText {
            origin: origin.to_string(),
            text: text.to_string(),
            overrides: overrides.to_vec(),
        },
    })
}

/// An absent optional section reads as an empty table, so defaults come from one code path.
fn optional(
    top: &Params,
    src: &std::sync::Arc<Source>,
    key: &str,
) -> Result<Params, ScenarioError> {
    Ok(top
        .sub(key)?
        .unwrap_or_else(|| Params::empty(Loc::start(src), key)))
}

fn required(
    top: &Params,
    src: &std::sync::Arc<Source>,
    key: &str,
    example: &str,
) -> Result<Params, ScenarioError> {
    top.sub(key)?.ok_or_else(|| {
        ScenarioError::at(
            &Loc::start(src),
            key,
            format!("missing required table [{key}]"),
            format!("add a {example}"),
        )
    })
}

/// A name used in result paths (`results/<name>-<seed>/`): one file name, so
/// it cannot reach outside `results/` or hide there.
fn file_name(n: &tree::Node) -> Result<String, convert::Bad> {
    let name = convert::string(n, true)?;
    let bad = if name.contains(['/', '\\']) {
        Some("holds a path separator")
    } else if name.starts_with('.') {
        Some("starts with `.`")
    } else if name.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    };
    match bad {
        None => Ok(name),
        Some(why) => Err((
            format!("name {name:?} {why}: it names the results directory, results/<name>-<seed>"),
            "use letters, digits, `-`, `_` and `.` (not first), e.g. name = \"flood-large\"; \
             [output] dir or --out choose another directory"
                .to_string(),
        )),
    }
}

fn default_name(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string())
}
