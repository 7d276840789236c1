//! Observers: the design document's pluggable statistics extractors.
//!
//! The engine feeds every observer the same events: request issue/end/loss, a
//! snapshot every `sample_interval` of virtual time (instants at which nothing
//! can have changed are skipped), and the graph at the start and the end. Each observer adds its figures to `summary.json` and may keep a
//! time series (written as one CSV file).

mod degree;
mod log_histogram;
mod quantiles;
mod request_stats;
mod sampled;
mod series;

pub use degree::DegreeStats;
pub use log_histogram::LogHistogram;
pub use quantiles::quantile;
pub use request_stats::RequestStats;
pub use sampled::{MessageSeries, PoolOccupancy, RequestSeries};
pub use series::TimeSeries;

use std::time::Duration;

use p2psim_runtime::SimTime;
use serde_json::{Map, Value};

use crate::graph::Graph;
use crate::load::requests::{RequestCounts, RequestRecord};
use crate::mechanism::Request;

/// A request event.
pub enum RequestEvent<'a> {
    /// Issued now.
    Issued(&'a Request),
    /// Ended.
    Done(&'a RequestRecord),
    /// Never served (pool exhausted with policy reject, origin down).
    Lost(&'a Request),
}

/// The state of the run at one sampling instant.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snapshot {
    /// Virtual time.
    pub time: SimTime,
    /// Pool workers busy.
    pub pool_in_use: usize,
    /// Tasks waiting for a worker.
    pub pool_queue: usize,
    /// Request counts so far.
    pub requests: RequestCounts,
    /// Messages sent so far.
    pub sent: u64,
    /// Messages delivered so far.
    pub delivered: u64,
    /// Messages lost so far.
    pub lost: u64,
    /// Nodes up.
    pub nodes_up: usize,
}

/// A time series: named columns, one row per sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// File stem of its CSV.
    pub name: String,
    /// Column names; the first is `time_s`.
    pub columns: Vec<String>,
    /// Rows of values.
    pub rows: Vec<Vec<f64>>,
}

impl Series {
    /// The series as CSV text.
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.join(",");
        out.push('\n');
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|v| format_number(*v)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

/// Integers without a decimal point, other values with up to 9 decimals.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.9}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A pluggable statistics extractor.
pub trait Observer {
    /// The graph before the run.
    fn on_start(&mut self, _graph: &Graph) {}
    /// A request event.
    fn on_request(&mut self, _event: &RequestEvent<'_>) {}
    /// A periodic snapshot.
    fn on_sample(&mut self, _snapshot: &Snapshot) {}
    /// The sampling interval grew to `every` (the series hit its row cap):
    /// keep only the rows on that coarser grid ([`TimeSeries::coarsen`]). An
    /// observer that keeps a [`TimeSeries`] must pass this on to it, or its
    /// CSV keeps the finer grid (and grows with the run).
    fn coarsen(&mut self, _every: Duration) {}
    /// The graph and the state after the run.
    fn on_end(&mut self, _graph: &Graph, _last: &Snapshot) {}
    /// Adds this observer's figures to the summary, as sections under names
    /// of its own (the built-in figures are fields of the summary instead). A
    /// section named like its mechanism's `KIND` merges into the mechanism's
    /// report; one named like a field of the summary becomes `<name>_observer`.
    fn summarize(&self, _out: &mut Map<String, Value>) {}
    /// This observer's time series, if it keeps one.
    fn series(&self) -> Option<Series> {
        None
    }
}

/// The observers of one run: the built-in ones, whose figures are fields of
/// the [`Summary`](crate::summary::Summary), and those a mechanism or a user
/// added, whose figures are its sections.
pub struct Observers {
    /// Request counts, latency and hops.
    pub stats: RequestStats,
    /// Pool occupancy over time.
    pub pool: PoolOccupancy,
    /// Requests over time.
    pub requests: RequestSeries,
    /// Messages over time.
    pub messages: MessageSeries,
    /// The graph before and after.
    pub degree: DegreeStats,
    /// Observers a mechanism or a user added.
    pub added: Vec<Box<dyn Observer>>,
}

impl Observers {
    /// The built-in observers (latency quantiles at `quantiles`) and `added`.
    pub fn new(quantiles: &[f64], added: Vec<Box<dyn Observer>>) -> Self {
        Observers {
            stats: RequestStats::new(quantiles.to_vec()),
            pool: PoolOccupancy::default(),
            requests: RequestSeries::default(),
            messages: MessageSeries::default(),
            degree: DegreeStats::default(),
            added,
        }
    }

    /// Calls `f` on every observer, the built-in ones first.
    pub fn each(&mut self, mut f: impl FnMut(&mut dyn Observer)) {
        f(&mut self.stats);
        f(&mut self.pool);
        f(&mut self.requests);
        f(&mut self.messages);
        f(&mut self.degree);
        for o in &mut self.added {
            f(o.as_mut());
        }
    }

    /// Every time series, the built-in ones first.
    pub fn series(&mut self) -> Vec<Series> {
        let mut out = Vec::new();
        self.each(|o| out.extend(o.series()));
        out
    }
}
