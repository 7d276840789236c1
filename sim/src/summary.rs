//! The figures of one run, as typed values: what `summary.json` holds.
//!
//! Everything the engine measures has a field; the mechanism's own report and
//! the sections of observers a mechanism or a user adds sit in `sections`,
//! under their names (a mechanism's under its `KIND`). `summary.json` is this
//! struct serialized with its keys in alphabetical order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The figures of `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// The mechanism's `KIND`.
    pub mechanism: String,
    /// The scenario seed (the root of every random stream).
    pub seed: u64,
    /// Nodes of the network.
    pub nodes: usize,
    /// Links of the network at the start.
    pub edges: usize,
    /// Virtual time at the end, in seconds.
    pub virtual_time_s: f64,
    /// Wall-clock seconds the run took (the one figure that differs between identical runs).
    pub wall_s: f64,
    /// Task resumptions.
    pub events: u64,
    /// Tasks spawned (pool rejections included).
    pub tasks_spawned: u64,
    /// Most tasks alive at once.
    pub peak_tasks_alive: usize,
    /// Whether every non-daemon task ended (false: cut short by the duration, or failed).
    pub completed: bool,
    /// The TaskThread pool.
    pub pool: PoolFigures,
    /// Messages on the network.
    pub messages: MessageFigures,
    /// What the messages cost each node, in bytes.
    pub bytes: ByteFigures,
    /// Churn, when the scenario has some: the fraction of nodes up, and for
    /// lifetime churn the sessions and downtimes it drew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub churn: Option<ChurnFigures>,
    /// Requests of the load and of the mechanism.
    pub requests: RequestFigures,
    /// Latency of every ended request, in seconds.
    pub latency_s: Distribution,
    /// Latency of the requests that succeeded, in seconds.
    pub latency_success_s: Distribution,
    /// Hops to the answer of the requests that succeeded and gave a count
    /// (failed requests are not in it: compare with `requests.success_rate`).
    pub hops: Distribution,
    /// Messages per request: as the mechanism counted them, else all sent over issued.
    pub messages_per_request: Option<f64>,
    /// Pool occupancy as sampled.
    pub pool_occupancy: Occupancy,
    /// The graph before and after the run.
    pub degree: Degrees,
    /// The sampling of the time series.
    pub sampling: Sampling,
    /// The schedule of the run's choices.
    pub schedule: ScheduleFigures,
    /// Waits that formed a cycle broken by a timeout.
    pub waits: WaitFigures,
    /// A hash of every task resumption (time, task): equal hashes, equal runs.
    pub trace_hash: String,
    /// Why the run failed, when it did (the report's text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The mechanism's report (under its `KIND`) and added observers' sections.
    #[serde(flatten)]
    pub sections: BTreeMap<String, Value>,
    /// The run's non-default choices, which replay it (not in `summary.json`).
    #[serde(skip)]
    pub decisions: p2psim_runtime::DecisionLog,
    /// The run's Perfetto trace (Chrome trace-event JSON), when it was traced
    /// (`RunOptions::trace`; not in `summary.json`).
    #[serde(skip)]
    pub trace: Option<std::sync::Arc<str>>,
}

impl Summary {
    /// The summary as `summary.json` writes it: keys in alphabetical order.
    pub fn to_json(&self) -> Value {
        // Through a Value, whose maps are sorted: the order readers are used to.
        serde_json::to_value(self).expect("a summary serializes")
    }

    /// The mechanism's report, read back as its type (`None` if absent or of another shape).
    pub fn section<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        serde_json::from_value(self.sections.get(name)?.clone()).ok()
    }
}

/// The TaskThread pool's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PoolFigures {
    /// Its capacity (`None`: unbounded).
    pub capacity: Option<usize>,
    /// What happens when it is exhausted: reject, queue or grow.
    pub policy: String,
    /// Bytes of stack per worker.
    pub stack_size: usize,
    /// Dedicated stacks or one shared stack.
    pub stacks: String,
    /// How stack overflow is caught.
    pub guard: String,
    /// Most workers in use at once.
    pub peak_in_use: usize,
    /// Tasks refused (policy reject).
    pub rejected: u64,
    /// Tasks that waited for a worker (policy queue).
    pub queued: u64,
    /// Workers made beyond the capacity (policy grow).
    pub grown: u64,
    /// The longest wait for a worker, in seconds.
    pub longest_queue_wait_s: f64,
    /// Workers (coroutines with a stack) created.
    pub workers_created: usize,
    /// Deepest stack use seen, in bytes (resident pages; differs between identical runs).
    pub stack_high_water: usize,
}

/// Message counts: `sent` = `delivered` + `lost` + `late_replies` + those in
/// flight when the run ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFigures {
    /// Put on the wire (`send`, `call` requests and replies).
    pub sent: u64,
    /// Handed to their destination.
    pub delivered: u64,
    /// Lost in all.
    pub lost: u64,
    /// Lost on the wire (the loss probability).
    pub lost_on_wire: u64,
    /// Arrived at a node that was down.
    pub lost_node_down: u64,
    /// Refused for want of a worker (policy reject).
    pub lost_no_worker: u64,
    /// Replies that arrived after their `call` had returned.
    pub late_replies: u64,
}

/// Request counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestFigures {
    /// Issued (lost ones included).
    pub issued: u64,
    /// Ended with success.
    pub succeeded: u64,
    /// Ended without success.
    pub failed: u64,
    /// Never served: no worker (policy reject) or origin down.
    pub lost: u64,
    /// `succeeded / issued`, when any was issued.
    pub success_rate: Option<f64>,
    /// Issued by each `[[load]]` entry, in order.
    pub by_load: Vec<u64>,
}

/// Bytes sent and received: in all, and per node per second of the run
/// (across the nodes: mean, quantiles, maximum).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ByteFigures {
    /// The size of a message whose mechanism does not say (`[transport] message_bytes`).
    pub message_bytes: u64,
    /// Bytes put on the wire.
    pub sent: u64,
    /// Bytes that reached a node that was up.
    pub received: u64,
    /// Each node's bytes sent over the run's virtual time.
    pub sent_per_node_s: Spread,
    /// Each node's bytes received over the run's virtual time.
    pub received_per_node_s: Spread,
}

/// What churn did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChurnFigures {
    /// `poisson` or `lifetime`.
    pub kind: String,
    /// The time-average fraction of the nodes up over the run (whatever took them down).
    pub mean_up_fraction: Option<f64>,
    /// The fraction of the nodes up at the start.
    pub initial_up_fraction: Option<f64>,
    /// Lifetime churn: mean session / (mean session + mean downtime), the long-run fraction up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_up_fraction: Option<f64>,
    /// Lifetime churn: the sessions drawn, in seconds (the last of each node's may
    /// reach past the run's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_s: Option<Spread>,
    /// Lifetime churn: the downtimes drawn, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtimes_s: Option<Spread>,
}

/// How values spread: how many, their mean, quantiles and maximum (`None`
/// without values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// How many values.
    pub count: u64,
    /// Their mean.
    pub mean: Option<f64>,
    /// Their median.
    pub p50: Option<f64>,
    /// Their 90th percentile.
    pub p90: Option<f64>,
    /// Their 99th percentile.
    pub p99: Option<f64>,
    /// The largest.
    pub max: Option<f64>,
}

/// A distribution: its mean and its quantiles (`p50`, `p90`, ... as configured
/// in `observers.latency_quantiles`); `None` without samples.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// The mean.
    pub mean: Option<f64>,
    /// The quantiles, by name (`p50`, `p99.9`, ...).
    #[serde(flatten)]
    pub quantiles: BTreeMap<String, Option<f64>>,
}

impl Distribution {
    /// The quantile named `name` (`"p50"`), if it was configured and has samples.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.quantiles.get(name).copied().flatten()
    }
}

/// Pool occupancy as sampled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Occupancy {
    /// Rows of the `pool_occupancy` series.
    pub samples: usize,
    /// Mean workers in use over the samples.
    pub mean_in_use: Option<f64>,
    /// Most workers in use at a sample.
    pub peak_in_use_sampled: usize,
}

/// The graph's figures before and after the run (rewiring shows here).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Degrees {
    /// At the start.
    pub before: Option<GraphFigures>,
    /// At the end.
    pub after: Option<GraphFigures>,
}

/// A graph's degree distribution, components, diameter and clustering.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphFigures {
    /// Links.
    pub edges: usize,
    /// Smallest degree.
    pub min: Option<usize>,
    /// Largest degree.
    pub max: Option<usize>,
    /// Mean degree.
    pub mean: Option<f64>,
    /// Connected components.
    pub components: usize,
    /// Nodes of the largest one.
    pub largest_component: usize,
    /// An estimate of the largest component's diameter (double-sweep BFS).
    pub diameter_estimate: usize,
    /// The average clustering coefficient (sampled on large graphs).
    pub clustering: f64,
    /// Nodes by degree.
    pub distribution: BTreeMap<usize, usize>,
}

/// How the time series were sampled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// The interval asked for (`observers.sample_interval`), in seconds.
    pub interval_s: f64,
    /// The interval of the rows kept, after any doubling, in seconds.
    pub effective_interval_s: f64,
    /// How many times the interval doubled to keep within `max_rows`.
    pub doublings: u32,
    /// The row cap (`observers.max_rows`).
    pub max_rows: usize,
}

/// The schedule a run used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleFigures {
    /// `fifo`, `random`, `pct` or `jitter`.
    pub strategy: String,
    /// Its seed (`None` for fifo).
    pub seed: Option<u64>,
    /// PCT's bug depth.
    pub depth: Option<u32>,
    /// The jitter bound, in seconds.
    pub jitter_s: Option<f64>,
    /// Choices that were not the default (the length of the decision log).
    pub decisions: usize,
    /// Run-queue choices between two or more entries.
    pub choice_points: u64,
}

/// Wait-for cycles that only a timeout broke.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitFigures {
    /// How many closed.
    pub timeout_cycles: u64,
    /// The tasks of the first, and what each waited on.
    pub first_timeout_cycle: Vec<String>,
}
