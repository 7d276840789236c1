//! A time series in memory: one row of figures per sampling instant, bounded.
//!
//! The engine samples on a grid of `sample_interval` and skips instants at
//! which nothing can have changed, so rows follow the work, not the span of
//! virtual time. A run that is busy for very long still fills up: past
//! `max_rows` the engine doubles the interval and every series drops the rows
//! that are off the coarser grid ([`TimeSeries::coarsen`]).

use std::time::Duration;

use p2psim_runtime::{duration_nanos, SimTime};

use super::Series;

/// Rows of `f64` figures, each at a virtual time, stored flat.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeries {
    name: String,
    columns: Vec<String>,
    times: Vec<u64>,
    values: Vec<f64>,
}

impl TimeSeries {
    /// An empty series written as `<name>.csv` with these value columns
    /// (`time_s` comes first by itself).
    pub fn new(name: &str, columns: &[&str]) -> Self {
        TimeSeries {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            times: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends the row sampled at `time`; `row` has one value per column.
    pub fn push(&mut self, time: SimTime, row: &[f64]) {
        assert_eq!(
            row.len(),
            self.columns.len(),
            "series `{}`: one value per column",
            self.name
        );
        self.times.push(time.as_nanos());
        self.values.extend_from_slice(row);
    }

    /// Rows kept.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether no row was kept.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The values of column `c` (0 is the first value column), in time order.
    pub fn column(&self, c: usize) -> impl Iterator<Item = f64> + '_ {
        let width = self.columns.len();
        self.values.iter().skip(c).step_by(width.max(1)).copied()
    }

    /// Keeps only the rows on the grid of `every` (times that are whole
    /// multiples of it) and the last row, which holds the end of the run.
    pub fn coarsen(&mut self, every: Duration) {
        let every = duration_nanos(every).max(1);
        let width = self.columns.len();
        let last = self.times.len().saturating_sub(1);
        let mut kept = 0;
        for row in 0..self.times.len() {
            if self.times[row] % every == 0 || row == last {
                self.times[kept] = self.times[row];
                self.values
                    .copy_within(row * width..(row + 1) * width, kept * width);
                kept += 1;
            }
        }
        self.times.truncate(kept);
        self.values.truncate(kept * width);
    }

    /// The series as the engine hands it out (one CSV file).
    pub fn to_series(&self) -> Series {
        let mut columns = vec!["time_s".to_string()];
        columns.extend(self.columns.iter().cloned());
        let width = self.columns.len();
        let rows = self
            .times
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let mut row = vec![SimTime::from_nanos(t).as_secs_f64()];
                row.extend_from_slice(&self.values[i * width..(i + 1) * width]);
                row
            })
            .collect();
        Series {
            name: self.name.clone(),
            columns,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarsening_keeps_the_coarse_grid_and_the_last_row() {
        let mut s = TimeSeries::new("x", &["a", "b"]);
        for i in 0..7u64 {
            s.push(SimTime::from_nanos(i * 10), &[i as f64, -(i as f64)]);
        }
        s.coarsen(Duration::from_nanos(20));
        let out = s.to_series();
        let times: Vec<f64> = out.rows.iter().map(|r| (r[0] * 1e9).round()).collect();
        assert_eq!(times, vec![0.0, 20.0, 40.0, 60.0]);
        assert_eq!(s.column(1).collect::<Vec<_>>(), vec![0.0, -2.0, -4.0, -6.0]);
        s.push(SimTime::from_nanos(65), &[9.0, 9.0]);
        s.coarsen(Duration::from_nanos(40));
        assert_eq!(s.column(0).collect::<Vec<_>>(), vec![0.0, 4.0, 9.0]);
        assert_eq!(out.columns, vec!["time_s", "a", "b"]);
    }
}
