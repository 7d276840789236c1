//! Per point and figure: the mean and its 95% confidence interval over seeds
//! (Student's t, for the handful of seeds a sweep has).

use super::row::{Outcome, DEADLOCK, FAILED};
use super::table::{join, SweepTable};

/// Two-sided 95% quantiles of Student's t, for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (beyond the table,
/// the value of the nearest tabulated df below, which errs on the wide side).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        31..=39 => 2.042,
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=999 => 1.980,
        _ => 1.960,
    }
}

/// Mean and spread of one figure's samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Samples.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (`NaN` for fewer than 2).
    pub sd: f64,
    /// Half-width of the 95% confidence interval of the mean (`NaN` for fewer than 2).
    pub ci95: f64,
}

impl Estimate {
    /// The estimate from these samples; `None` when there are none.
    pub fn of(xs: &[f64]) -> Option<Estimate> {
        let n = xs.len();
        if n == 0 {
            return None;
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let (sd, ci95) = if n < 2 {
            (f64::NAN, f64::NAN)
        } else {
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let sd = var.sqrt();
            (sd, t975(n - 1) * sd / (n as f64).sqrt())
        };
        Some(Estimate { n, mean, sd, ci95 })
    }
}

/// One grid point's estimates.
#[derive(Clone, Debug, PartialEq)]
pub struct PointStats {
    /// The grid point's index.
    pub point: usize,
    /// Its swept values.
    pub params: Vec<String>,
    /// Runs at this point.
    pub runs: usize,
    /// Runs that ended ok.
    pub ok: usize,
    /// `(figure, estimate)`, in the table's figure order.
    pub figures: Vec<(String, Estimate)>,
}

/// Aggregates a sweep per point. Figures are over the runs that ended ok (a failed
/// run's figures stop where it failed), except `run.failed` and `run.deadlock`,
/// which are over every run, so their means are the failure and deadlock rates.
pub fn aggregate(t: &SweepTable) -> Vec<PointStats> {
    let mut out: Vec<PointStats> = Vec::new();
    let mut start = 0;
    while start < t.rows.len() {
        let point = t.rows[start].point;
        let end = start
            + t.rows[start..]
                .iter()
                .take_while(|r| r.point == point)
                .count();
        let rows = &t.rows[start..end];
        let figures = t
            .metrics
            .iter()
            .filter_map(|m| {
                let all_runs = m == FAILED || m == DEADLOCK;
                let xs: Vec<f64> = rows
                    .iter()
                    .filter(|r| all_runs || r.outcome == Outcome::Ok)
                    .filter_map(|r| r.metrics.get(m).copied())
                    .collect();
                Estimate::of(&xs).map(|e| (m.clone(), e))
            })
            .collect();
        out.push(PointStats {
            point,
            params: rows[0].params.clone(),
            runs: rows.len(),
            ok: rows.iter().filter(|r| r.outcome == Outcome::Ok).count(),
            figures,
        });
        start = end;
    }
    out
}

/// `aggregate.csv`: one line per point and figure with n, mean, sd and the 95% CI.
pub fn to_csv(params: &[String], stats: &[PointStats]) -> String {
    let mut header = vec!["point".to_string()];
    header.extend(params.iter().cloned());
    header.extend(
        [
            "runs",
            "ok",
            "figure",
            "n",
            "mean",
            "sd",
            "ci95",
            "ci95_low",
            "ci95_high",
        ]
        .map(String::from),
    );
    let mut out = join(&header);
    let num = |v: f64| {
        if v.is_nan() {
            String::new()
        } else {
            v.to_string()
        }
    };
    for p in stats {
        for (name, e) in &p.figures {
            let mut cells = vec![p.point.to_string()];
            cells.extend(p.params.iter().cloned());
            cells.extend([
                p.runs.to_string(),
                p.ok.to_string(),
                name.clone(),
                e.n.to_string(),
                num(e.mean),
                num(e.sd),
                num(e.ci95),
                num(e.mean - e.ci95),
                num(e.mean + e.ci95),
            ]);
            out.push_str(&join(&cells));
        }
    }
    out
}
