//! Charts of a sweep: a figure's mean and 95% CI against one swept parameter, one
//! line per combination of the other swept parameters; or against another
//! figure's mean (performance against cost: success against bytes per node per
//! second), each line traced by the first swept parameter.

use std::collections::BTreeMap;

use crate::sweep::aggregate::{aggregate, PointStats};
use crate::sweep::table::SweepTable;

use super::chart::{Chart, Line, XScale};

/// The chart of figure `y` against `x` of `table`: a swept parameter, or a
/// figure (its mean at each point).
pub fn chart(table: &SweepTable, x: &str, y: &str, x_scale: XScale) -> Result<Chart, String> {
    let is_figure = |f: &str| table.metrics.iter().any(|m| m == f);
    let xi = match table.params.iter().position(|p| p == x) {
        Some(i) => Some(i),
        None if is_figure(x) => None,
        None => {
            return Err(format!(
                "`{x}` is neither a swept parameter of this sweep (it has: {}) nor one of \
                 its figures",
                table.params.join(", ")
            ))
        }
    };
    if !is_figure(y) {
        return Err(format!(
            "`{y}` is not a figure of this sweep (e.g. {})",
            suggestions(table, y)
        ));
    }
    let stats = aggregate(table);
    // Against a figure, the first swept parameter traces each line.
    let traced = xi.unwrap_or(0);
    // Other parameters that take more than one value name the lines.
    let varying: Vec<usize> = (0..table.params.len())
        .filter(|&i| i != traced)
        .filter(|&i| {
            let first = stats.first().map(|p| &p.params[i]);
            stats.iter().any(|p| Some(&p.params[i]) != first)
        })
        .collect();
    // Numbers go on a scale; anything else (`true`, `reject`) names a
    // category, in the order the sweep has them. A figure is always a number.
    let numeric = match xi {
        Some(i) => stats.iter().all(|p| p.params[i].parse::<f64>().is_ok()),
        None => true,
    };
    let mut categories: Vec<String> = Vec::new();
    if let (false, Some(i)) = (numeric, xi) {
        for p in &stats {
            if !categories.contains(&p.params[i]) {
                categories.push(p.params[i].clone());
            }
        }
    }
    let x_of = |v: &str| match numeric {
        true => v.parse().unwrap_or(f64::NAN),
        false => categories.iter().position(|c| c == v).unwrap_or(0) as f64,
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for p in &stats {
        let label = label(table, p, &varying, y);
        let mean_of = |f: &str| p.figures.iter().find(|(m, _)| m == f).map(|(_, e)| *e);
        let xv: f64 = match xi {
            Some(i) => x_of(&p.params[i]),
            None => match mean_of(x) {
                Some(e) => e.mean,
                None => continue,
            },
        };
        let Some(e) = mean_of(y) else {
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
        x_categories: (!numeric).then_some(categories),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_swept_over_names_gets_a_categorical_axis() {
        let csv =
            "point,mechanism.release_before_call,pool.policy,seed,outcome,detail,run.deadlock\n\
                   0,false,reject,1,ok,,1\n0,false,reject,2,ok,,0\n\
                   1,true,reject,1,ok,,0\n1,true,reject,2,ok,,0\n\
                   2,false,queue,1,ok,,1\n3,true,queue,1,ok,,0\n";
        let table = SweepTable::from_csv(csv).unwrap();
        let c = chart(
            &table,
            "mechanism.release_before_call",
            "run.deadlock",
            XScale::Auto,
        )
        .expect("charted");
        assert_eq!(
            c.x_categories,
            Some(vec!["false".to_string(), "true".to_string()])
        );
        let reject = c
            .lines
            .iter()
            .find(|l| l.label == "pool.policy=reject")
            .unwrap();
        let xs: Vec<f64> = reject.points.iter().map(|p| p.0).collect();
        assert_eq!(xs, [0.0, 1.0]);
        assert_eq!(reject.points[0].1, 0.5);
        let by_policy = chart(&table, "pool.policy", "run.deadlock", XScale::Auto).unwrap();
        assert_eq!(
            by_policy.x_categories,
            Some(vec!["reject".into(), "queue".into()])
        );
    }

    /// Two swept keys; per run a cost (bytes) and a performance figure (success).
    const SWEEP: &str =
        "point,session,ttl,seed,outcome,detail,bytes.sent_per_node_s.mean,requests.success_rate\n\
        0,60,3,1,ok,,100,0.5\n0,60,3,2,ok,,120,0.7\n\
        1,600,3,1,ok,,40,0.9\n1,600,3,2,ok,,60,0.9\n\
        2,60,5,1,ok,,300,0.8\n2,60,5,2,ok,,340,0.8\n\
        3,600,5,1,ok,,90,1.0\n3,600,5,2,ok,,110,1.0\n";

    #[test]
    fn a_figure_against_a_figure_is_one_line_per_other_key_traced_by_the_first() {
        let table = SweepTable::from_csv(SWEEP).unwrap();
        let c = chart(
            &table,
            "bytes.sent_per_node_s.mean",
            "requests.success_rate",
            XScale::Linear,
        )
        .unwrap();
        assert_eq!(c.x_label, "bytes.sent_per_node_s.mean");
        let lines: Vec<(&str, Vec<(f64, f64)>)> = c
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.as_str(),
                    l.points.iter().map(|p| (p.0, p.1)).collect(),
                )
            })
            .collect();
        // Each line: the sessions' points, sorted by their mean bytes.
        assert_eq!(
            lines,
            vec![
                ("ttl=3", vec![(50.0, 0.9), (110.0, 0.6)]),
                ("ttl=5", vec![(100.0, 1.0), (320.0, 0.8)]),
            ]
        );
        let e = chart(&table, "nope", "requests.success_rate", XScale::Linear).unwrap_err();
        assert!(e.contains("neither"), "{e}");
    }
}
