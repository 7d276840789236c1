//! Quantiles of very many durations in fixed memory: buckets 1% wide on a
//! log scale from 1 ns, so a quantile is within 0.5% of the exact one; the
//! count, the mean and the maximum are exact.

use crate::summary::Spread;

/// Buckets grow by this factor.
const RATIO: f64 = 1.01;
/// The lower edge of bucket 1; bucket 0 holds everything below.
const FLOOR_S: f64 = 1e-9;

/// A histogram of durations in seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogHistogram {
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
    max: f64,
}

impl LogHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one duration (negative and NaN count as 0).
    pub fn record(&mut self, secs: f64) {
        let x = secs.max(0.0);
        let i = if x < FLOOR_S {
            0
        } else {
            // Past f64's range of sensible durations the index saturates.
            1 + ((x / FLOOR_S).ln() / RATIO.ln()).floor().min(1e6) as usize
        };
        if self.buckets.len() <= i {
            self.buckets.resize(i + 1, 0);
        }
        self.buckets[i] += 1;
        self.count += 1;
        self.sum += x;
        self.max = self.max.max(x);
    }

    /// Durations counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q`-quantile (nearest rank), the geometric middle of its bucket,
    /// never above the maximum; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let mid = match i {
                    0 => 0.0,
                    _ => FLOOR_S * RATIO.powf(i as f64 - 0.5),
                };
                return Some(mid.min(self.max));
            }
        }
        Some(self.max)
    }

    /// Count, mean, median, p90, p99 and maximum.
    pub fn spread(&self) -> Spread {
        Spread {
            count: self.count,
            mean: (self.count > 0).then(|| self.sum / self.count as f64),
            p50: self.quantile(0.5),
            p90: self.quantile(0.9),
            p99: self.quantile(0.99),
            max: (self.count > 0).then_some(self.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_half_a_percent_and_the_rest_exact() {
        let mut h = LogHistogram::new();
        let xs: Vec<f64> = (1..=10_000).map(|i| f64::from(i) * 0.37).collect();
        for &x in &xs {
            h.record(x);
        }
        for (q, exact) in [(0.5, xs[4_999]), (0.9, xs[8_999]), (0.99, xs[9_899])] {
            let got = h.quantile(q).unwrap();
            assert!(
                (got - exact).abs() <= 0.005 * exact,
                "q{q}: {got} vs {exact}"
            );
        }
        let s = h.spread();
        assert_eq!((s.count, s.max), (10_000, Some(3_700.0)));
        assert!((s.mean.unwrap() - 1_850.185).abs() < 1e-6);
        let top = h.quantile(1.0).unwrap();
        assert!((3_700.0 * 0.995..=3_700.0).contains(&top), "{top}");
        assert_eq!(LogHistogram::new().spread().p50, None);
        let mut z = LogHistogram::new();
        z.record(0.0);
        z.record(f64::NAN);
        assert_eq!((z.quantile(0.5), z.count()), (Some(0.0), 2));
    }
}
