//! `sweep.csv`: one row per run. Columns: `point`, the swept parameters, `seed`,
//! `outcome`, `detail`, then every numeric summary figure (dotted keys, sorted).
//! Shards' files concatenate (drop the repeated headers) and read back as one.

use std::collections::{BTreeMap, BTreeSet};

use super::row::{Outcome, Row};

/// The rows of a sweep with their column names.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepTable {
    /// Swept parameter keys, in order.
    pub params: Vec<String>,
    /// Figure columns, in order.
    pub metrics: Vec<String>,
    /// The runs, sorted by point then seed order.
    pub rows: Vec<Row>,
}

impl SweepTable {
    /// A table of these rows; the figure columns are the union of their figures.
    pub fn new(params: Vec<String>, rows: Vec<Row>) -> Self {
        let metrics: BTreeSet<&String> = rows.iter().flat_map(|r| r.metrics.keys()).collect();
        let metrics = metrics.into_iter().cloned().collect();
        SweepTable {
            params,
            metrics,
            rows,
        }
    }

    /// The table as CSV text.
    pub fn to_csv(&self) -> String {
        let mut header = vec!["point".to_string()];
        header.extend(self.params.iter().cloned());
        header.extend(["seed", "outcome", "detail"].map(String::from));
        header.extend(self.metrics.iter().cloned());
        let mut out = join(&header);
        for r in &self.rows {
            let mut cells = vec![r.point.to_string()];
            cells.extend(r.params.iter().cloned());
            cells.push(r.seed.to_string());
            cells.push(r.outcome.as_str().to_string());
            cells.push(r.detail.clone());
            for m in &self.metrics {
                cells.push(r.metrics.get(m).map(|v| v.to_string()).unwrap_or_default());
            }
            out.push_str(&join(&cells));
        }
        out
    }

    /// Reads `sweep.csv` text (repeated header lines, as from concatenated shards,
    /// are skipped; rows are re-sorted by point, keeping seed order).
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header_line = lines.next().ok_or("empty file: no header")?;
        let header = split(header_line)?;
        let seed_at = header
            .iter()
            .position(|h| h == "seed")
            .ok_or("not a sweep.csv: no `seed` column")?;
        if header.first().map(String::as_str) != Some("point")
            || header.get(seed_at + 1).map(String::as_str) != Some("outcome")
            || header.get(seed_at + 2).map(String::as_str) != Some("detail")
        {
            return Err(
                "not a sweep.csv: expected point, PARAMS..., seed, outcome, detail, FIGURES..."
                    .into(),
            );
        }
        let params = header[1..seed_at].to_vec();
        let metrics = header[seed_at + 3..].to_vec();
        let mut rows = Vec::new();
        for (n, line) in lines.enumerate() {
            if line == header_line {
                continue;
            }
            let cells = split(line)?;
            let bad = |what: &str| format!("line {}: {what}", n + 2);
            if cells.len() != header.len() {
                return Err(bad("wrong number of cells"));
            }
            let num = |s: &str| {
                s.parse::<f64>()
                    .map_err(|_| bad(&format!("`{s}` is not a number")))
            };
            let mut m = BTreeMap::new();
            for (k, v) in metrics.iter().zip(&cells[seed_at + 3..]) {
                if !v.is_empty() {
                    m.insert(k.clone(), num(v)?);
                }
            }
            rows.push(Row {
                point: cells[0].parse().map_err(|_| bad("bad point"))?,
                params: cells[1..seed_at].to_vec(),
                seed: cells[seed_at].parse().map_err(|_| bad("bad seed"))?,
                outcome: Outcome::parse(&cells[seed_at + 1]).ok_or_else(|| bad("bad outcome"))?,
                detail: cells[seed_at + 2].clone(),
                report: String::new(),
                metrics: m,
            });
        }
        rows.sort_by_key(|r| r.point);
        Ok(SweepTable {
            params,
            metrics,
            rows,
        })
    }
}

/// One CSV line, quoting cells that need it.
pub fn join(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    let mut s = quoted.join(",");
    s.push('\n');
    s
}

/// Splits one CSV line (quoted cells allowed).
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cell)),
            (_, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(format!("unterminated quote in `{line}`"));
    }
    out.push(cell);
    Ok(out)
}
