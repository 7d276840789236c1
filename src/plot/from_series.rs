//! Charts of one run's time series (`pool_occupancy.csv`, `requests.csv`, ...):
//! chosen columns against virtual time.

use crate::sweep::table::split;

use super::chart::{Chart, Line, XScale};

/// The chart of columns `ys` (all but `time_s` when empty) of a series CSV named `name`.
pub fn chart(text: &str, name: &str, ys: &[String]) -> Result<Chart, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split(lines.next().ok_or("empty file: no header")?)?;
    if header.first().map(String::as_str) != Some("time_s") {
        return Err("not a time series: the first column must be `time_s`".into());
    }
    let wanted: Vec<usize> = if ys.is_empty() {
        (1..header.len()).collect()
    } else {
        ys.iter()
            .map(|y| {
                header
                    .iter()
                    .position(|h| h == y)
                    .ok_or_else(|| format!("no column `{y}` (columns: {})", header[1..].join(", ")))
            })
            .collect::<Result<_, _>>()?
    };
    let mut out: Vec<Line> = wanted
        .iter()
        .map(|&i| Line {
            label: header[i].clone(),
            points: Vec::new(),
        })
        .collect();
    for (n, line) in lines.enumerate() {
        let cells = split(line)?;
        let num = |i: usize| -> Result<f64, String> {
            cells
                .get(i)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("line {}: cell {} is not a number", n + 2, i + 1))
        };
        let t = num(0)?;
        for (l, &i) in out.iter_mut().zip(&wanted) {
            l.points.push((t, num(i)?, f64::NAN));
        }
    }
    let y_label = if wanted.len() == 1 {
        header[wanted[0]].clone()
    } else {
        name.to_string()
    };
    Ok(Chart {
        title: format!("{name} over virtual time"),
        x_label: "virtual time (s)".into(),
        y_label,
        lines: out,
        x_scale: XScale::Linear,
        x_categories: None,
    })
}
