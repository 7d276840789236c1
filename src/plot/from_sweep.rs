//! Charts of a sweep: a figure's mean and 95% CI against one swept parameter, one
//! line per combination of the other swept parameters.

use std::collections::BTreeMap;

use crate::sweep::aggregate::{aggregate, PointStats};
use crate::sweep::table::SweepTable;

use super::chart::{Chart, Line, XScale};

/// The chart of figure `y` against parameter `x` of `table`.
pub fn chart(table: &SweepTable, x: &str, y: &str, x_scale: XScale) -> Result<Chart, String> {
    let xi = table.params.iter().position(|p| p == x).ok_or_else(|| {
        format!(
            "`{x}` is not a swept parameter of this sweep (it has: {})",
            table.params.join(", ")
        )
    })?;
    if !table.metrics.iter().any(|m| m == y) {
        return Err(format!(
            "`{y}` is not a figure of this sweep (e.g. {})",
            suggestions(table, y)
        ));
    }
    let stats = aggregate(table);
    // Other parameters that take more than one value name the lines.
    let varying: Vec<usize> = (0..table.params.len())
        .filter(|&i| i != xi)
        .filter(|&i| {
            let first = stats.first().map(|p| &p.params[i]);
            stats.iter().any(|p| Some(&p.params[i]) != first)
        })
        .collect();
    let mut lines: Vec<Line> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for p in &stats {
        let label = label(table, p, &varying, y);
        let xv: f64 = p.params[xi]
            .parse()
            .map_err(|_| format!("`{x}` value `{}` is not a number", p.params[xi]))?;
        let Some((_, e)) = p.figures.iter().find(|(m, _)| m == y) else {
            continue;
        };
        let at = *index.entry(label.clone()).or_insert_with(|| {
            lines.push(Line {
                label,
                points: Vec::new(),
            });
            lines.len() - 1
        });
        lines[at].points.push((xv, e.mean, e.ci95));
    }
    for l in &mut lines {
        l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let seeds = stats.iter().map(|p| p.runs).max().unwrap_or(0);
    Ok(Chart {
        title: format!("{y} against {x} (mean, 95% CI, {seeds} seeds per point)"),
        x_label: x.to_string(),
        y_label: y.to_string(),
        lines,
        x_scale,
    })
}

fn label(table: &SweepTable, p: &PointStats, varying: &[usize], y: &str) -> String {
    if varying.is_empty() {
        return y.to_string();
    }
    varying
        .iter()
        .map(|&i| format!("{}={}", table.params[i], p.params[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggestions(table: &SweepTable, y: &str) -> String {
    let last = y.rsplit('.').next().unwrap_or(y);
    let mut near: Vec<&str> = table
        .metrics
        .iter()
        .filter(|m| m.contains(last))
        .map(String::as_str)
        .collect();
    if near.is_empty() {
        near = table.metrics.iter().take(8).map(String::as_str).collect();
    }
    near.join(", ")
}
