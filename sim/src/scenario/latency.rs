//! `[transport] latency`: a distribution drawn per message, per-pair latencies
//! fixed for the run, or a measured matrix read (and checked) as the scenario is.

use std::path::Path;
use std::sync::Arc;

use super::convert;
use super::distribution::{self, Written};
use super::error::ScenarioError;
use super::params::Params;
use super::transport::LatencySpec;
use crate::dist::Distribution;
use crate::net::matrix::{self, MatrixError, Placement};

/// A distribution table, as shown in help.
const EXAMPLE: &str = "{ kind = \"uniform\", min = 0.005, max = 0.02 }";

/// Reads `latency` of `[transport]`; `base_dir` resolves a matrix's path.
pub(crate) fn read(t: &Params, base_dir: &Path) -> Result<LatencySpec, ScenarioError> {
    let Some(node) = t.take("latency") else {
        // No default is given by the schema; an ideal network is the least surprising one.
        return Ok(LatencySpec::Each(Distribution::Constant(0.0)));
    };
    let l = match distribution::written(t, "latency", node, EXAMPLE)? {
        Written::Seconds(v) => return Ok(LatencySpec::Each(Distribution::Constant(v))),
        Written::Table(l) => l,
    };
    let mut kinds = distribution::KINDS.to_vec();
    kinds.extend(["pairwise", "matrix"]);
    let kind = l.require("kind", "kind = \"constant\"", |n| {
        convert::choice(n, &kinds)
    })?;
    match kind.as_str() {
        "pairwise" => {
            l.check_known(&["kind", "of", "jitter"])?;
            let of = distribution::read(&l, "of", EXAMPLE)?
                .ok_or_else(|| l.missing("of", &format!("of = {EXAMPLE}")))?;
            let jitter = distribution::read(&l, "jitter", EXAMPLE)?;
            Ok(LatencySpec::Pairwise { of, jitter })
        }
        "matrix" => read_matrix(&l, base_dir),
        kind => distribution::from_table(&l, kind).map(LatencySpec::Each),
    }
}

/// Reads `{ kind = "matrix", path, format, placement, jitter }` and the matrix file.
fn read_matrix(l: &Params, base_dir: &Path) -> Result<LatencySpec, ScenarioError> {
    l.check_known(&["kind", "path", "format", "placement", "jitter"])?;
    let rel = l.require("path", "path = \"king.txt\"", |n| convert::string(n, true))?;
    let format = l.require("format", "format = \"king\"", |n| {
        convert::choice(n, &["king", "square"])
    })?;
    let placement = match l
        .convert("placement", |n| convert::choice(n, &["modulo", "random"]))?
        .as_deref()
    {
        Some("random") => Placement::Random,
        _ => Placement::Modulo,
    };
    let jitter = distribution::read(l, "jitter", EXAMPLE)?;
    let path = base_dir.join(&rel);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        l.error(
            "path",
            format!("cannot read the latency matrix {}: {e}", path.display()),
            "the path is relative to the scenario file's directory; check the name",
        )
    })?;
    let parsed = match format.as_str() {
        "king" => matrix::parse_king(&text),
        _ => matrix::parse_square(&text),
    };
    let matrix = parsed.map_err(|e| in_file(l, &path, &format, e))?;
    Ok(LatencySpec::Matrix {
        matrix: Arc::new(matrix),
        placement,
        jitter,
    })
}

/// A matrix file's mistake as a scenario error located in that file.
fn in_file(l: &Params, path: &Path, format: &str, e: MatrixError) -> ScenarioError {
    let help = match format {
        "king" => "the King format is one `host host microseconds` line per pair",
        _ => "the square format is M rows of M latencies in seconds",
    };
    ScenarioError {
        origin: path.display().to_string(),
        line: e.line,
        column: e.column,
        key: l.path("path"),
        message: e.message,
        help: Some(help.to_string()),
    }
}
