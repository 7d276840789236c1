//! Runs a scenario: builds the network, installs the mechanism, drives the load,
//! samples the observers, and gathers everything into a [`Summary`].

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use p2psim_runtime::{
    spawn, spawn_daemon, ExhaustionPolicy, PoolConfig, RunReport, Runtime, RuntimeConfig, SimError,
    SimTime, StackMode,
};
use serde_json::{Map, Value};

use crate::ctx::Ctx;
use crate::graph::build::build_graph;
use crate::load::request_kind;
use crate::load::requests::Requests;
use crate::mechanism::{prepare, Mechanism};
use crate::net::transport::Transport;
use crate::net::Net;
use crate::observe::{Observer, Observers, Series, Snapshot};
use crate::perfetto::{SharedTrace, TraceLog};
use crate::sampling::SampleGrid;
use crate::scenario::{PoolPolicySpec, Scenario, ScenarioError};
use crate::schedule::Schedule;
use crate::schedule::Strategy;
use crate::seeds::{derive, Stream};
use crate::summary::{
    MessageFigures, PoolFigures, RequestFigures, Sampling, ScheduleFigures, Summary, WaitFigures,
};
use crate::{failures, load};

/// Sampling steps in a row in which only daemons could act before the run is
/// reported as a deadlock.
const STALL_STEPS: u32 = 2;

/// What a successful run produced.
pub struct RunOutput<R> {
    /// The figures of `summary.json`.
    pub summary: Summary,
    /// The mechanism's own report, typed (also in `summary.sections`).
    pub report: R,
    /// Its one line for the terminal (`Mechanism::headline`).
    pub headline: Option<String>,
    /// The observers' time series (one CSV each).
    pub series: Vec<Series>,
    /// The runtime's report.
    pub runtime: RunReport,
}

/// Why a run failed.
#[derive(Debug)]
pub enum RunFailure {
    /// The graph could not be built (bad edge list, impossible parameters), or
    /// the failures cannot be drawn on it; the message names the section.
    Setup(String),
    /// The simulation failed: a deadlock or a task panic.
    Simulation {
        /// The runtime's report of the failure.
        error: SimError,
        /// What had been measured until then.
        summary: Box<Summary>,
    },
    /// The run finished but an invariant of the mechanism is violated.
    Invariant {
        /// What is violated.
        message: String,
        /// The figures of the run.
        summary: Box<Summary>,
    },
}

impl RunFailure {
    /// The figures measured before the failure, when the run got that far.
    pub fn summary(&self) -> Option<&Summary> {
        match self {
            RunFailure::Setup(_) => None,
            RunFailure::Simulation { summary, .. } | RunFailure::Invariant { summary, .. } => {
                Some(summary)
            }
        }
    }
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunFailure::Setup(m) => write!(f, "the run could not be set up: {m}"),
            RunFailure::Simulation { error, .. } => write!(f, "{error}"),
            RunFailure::Invariant { message, .. } => write!(f, "invariant violated: {message}"),
        }
    }
}

impl std::error::Error for RunFailure {}

/// A scenario that did not check, or a run that failed.
#[derive(Debug)]
pub enum Error {
    /// The scenario is wrong for this mechanism (exit 2).
    Scenario(ScenarioError),
    /// The run failed (exit 1).
    Run(RunFailure),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Scenario(e) => write!(f, "{e}"),
            Error::Run(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ScenarioError> for Error {
    fn from(e: ScenarioError) -> Self {
        Error::Scenario(e)
    }
}

impl From<RunFailure> for Error {
    fn from(e: RunFailure) -> Self {
        Error::Run(e)
    }
}

/// How a run is made and watched: its schedule, which requests it issues,
/// progress, and observers beyond the built-in ones.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Called as virtual time advances, with the duration when there is one.
    pub progress: Option<&'a mut dyn FnMut(SimTime, Option<SimTime>)>,
    /// Observers to sample besides the built-in ones and the mechanism's own.
    pub observers: Vec<Box<dyn Observer>>,
    /// How the run's open choices are made (default: FIFO).
    pub schedule: Schedule,
    /// Only these requests of the load are issued, as (`[[load]]` index,
    /// number among its arrivals from 0); `None`: all. The others still draw
    /// their times and origins, so the ones kept are unchanged (shrinking).
    pub requests: Option<BTreeSet<(usize, u64)>>,
    /// Record a Perfetto trace of at most this many events (`None`: no trace);
    /// it comes back in `Summary::trace`.
    pub trace: Option<usize>,
}

/// The runtime configuration a scenario asks for.
pub fn runtime_config(s: &Scenario) -> RuntimeConfig {
    RuntimeConfig {
        seed: s.seed,
        pool: PoolConfig {
            capacity: s.pool.capacity,
            policy: match s.pool.policy {
                PoolPolicySpec::Reject => ExhaustionPolicy::Reject,
                PoolPolicySpec::Queue => ExhaustionPolicy::Queue,
                PoolPolicySpec::Grow => ExhaustionPolicy::Grow,
            },
            stack_size: s.pool.stack_size,
            stacks: match s.pool.shared_stack {
                true => StackMode::Shared,
                false => StackMode::Dedicated,
            },
        },
        ..RuntimeConfig::default()
    }
}

/// Checks `scenario` for mechanism `M` and runs it (see [`prepare`] and [`run`]).
pub fn run_scenario<M: Mechanism>(scenario: &Scenario) -> Result<RunOutput<M::Report>, Error> {
    let params = prepare::<M>(scenario)?;
    Ok(run::<M>(scenario, params, RunOptions::default())?)
}

/// Runs `scenario` with mechanism `M` built from `params` (from [`prepare`],
/// or made by hand).
pub fn run<M: Mechanism>(
    scenario: &Scenario,
    params: M::Params,
    mut options: RunOptions<'_>,
) -> Result<RunOutput<M::Report>, RunFailure> {
    let wall = Instant::now();
    let kinds = scenario
        .loads
        .iter()
        .map(|l| request_kind::parse::<M>(l).map(|k| (l.clone(), k)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RunFailure::Setup(e.to_string()))?;
    let graph = build_graph(&scenario.topology, derive(scenario.seed, Stream::Topology))
        .map_err(RunFailure::Setup)?;
    let (nodes, edges) = (graph.node_count(), graph.edge_count());
    let transport = Transport::from_spec(&scenario.transport, nodes, scenario.seed);
    let net: Net<M::Msg> = Net::new(graph, transport, derive(scenario.seed, Stream::Transport));
    let failures_seed = derive(scenario.seed, Stream::Failures);
    let crashes =
        failures::resolve(&scenario.failures, nodes, failures_seed).map_err(RunFailure::Setup)?;
    for node in crashes.down_at_start() {
        net.set_up(node, false);
    }
    let churn = failures::Churn::new(
        scenario.failures.churn.as_ref(),
        nodes,
        derive(scenario.seed, Stream::Churn),
    );
    for &node in churn.down_at_start() {
        net.set_up(node, false);
    }
    let initial_up = net.nodes_up();
    let duration = scenario.duration_s.map(SimTime::from_secs_f64);
    let mech = Rc::new(M::new(params));
    let mut added = mech.observers();
    added.append(&mut options.observers);
    let requests = Requests::new(Observers::new(&scenario.observers.latency_quantiles, added));
    requests.with_observers(|obs| obs.each(|o| o.on_start(&net.graph())));
    let ctx: Ctx<M> = Ctx::new(
        net.clone(),
        requests.clone(),
        derive(scenario.seed, Stream::Mechanism),
        duration,
    );
    connect(&mech, &ctx);

    let mut config = runtime_config(scenario);
    config.tie_break = options.schedule.tie_break();
    config.jitter = options.schedule.runtime_jitter();
    net.set_jittered(config.jitter.is_some());
    config.replay = options.schedule.replay.clone();
    let mut rt = Runtime::new(config);
    let trace = options.trace.map(|limit| {
        let log = Rc::new(RefCell::new(TraceLog::new(limit)));
        rt.set_tracer(Box::new(SharedTrace(log.clone())));
        net.set_trace(log.clone());
        log
    });
    let loads = kinds
        .into_iter()
        .enumerate()
        .map(|(i, (spec, kind))| {
            let keep = options.requests.as_ref().map(|kept| {
                kept.range((i, 0)..=(i, u64::MAX))
                    .map(|&(_, n)| n)
                    .collect()
            });
            (spec, kind, keep)
        })
        .collect();
    start_tasks(
        &mut rt,
        scenario,
        mech.clone(),
        ctx.clone(),
        loads,
        (crashes, churn.clone()),
    );
    let mut sampling = SampleGrid::new(
        Duration::from_secs_f64(scenario.observers.sample_interval),
        scenario.observers.max_rows,
    );
    let mut no_progress = |_: SimTime, _: Option<SimTime>| {};
    let progress = options.progress.unwrap_or(&mut no_progress);
    let result = drive(&mut rt, &ctx, duration, &mut sampling, progress);
    let last = snapshot(&ctx, rt.now(), 0, 0);
    requests.with_observers(|obs| obs.each(|o| o.on_end(&net.graph(), &last)));
    let mut runtime = rt.report();
    if let Ok(completed) = result {
        runtime.completed = completed;
    }
    let series = requests.with_observers(|obs| obs.series());
    let trace = trace.map(|log| {
        let failure = result.as_ref().err().map(|e| e.to_string());
        let mut log = log.borrow_mut();
        log.finish(rt.now(), failure);
        std::sync::Arc::<str>::from(log.to_json(&scenario.name).to_string())
    });
    // The report is made once every task has unwound, so that no guard a
    // parked task held (a deadlock's) is in the way of reading the state.
    drop(rt);
    let report = mech.report();
    let mut summary = summarize::<M>(
        scenario,
        &ctx,
        &report,
        &runtime,
        (&sampling, &options.schedule),
        (nodes, edges),
        wall.elapsed(),
    );
    summary.trace = trace;
    summary.churn = churn.figures(
        &net,
        SimTime::from_secs_f64(summary.virtual_time_s),
        initial_up,
    );
    // The handler holds the context, which holds the network: let both go.
    net.clear_handler();
    match result {
        Err(error) => Err(RunFailure::Simulation {
            error,
            summary: Box::new(summary),
        }),
        Ok(_) => match mech.check() {
            Err(message) => Err(RunFailure::Invariant {
                message,
                summary: Box::new(summary),
            }),
            Ok(()) => Ok(RunOutput {
                summary,
                headline: M::headline(&report),
                report,
                series,
                runtime,
            }),
        },
    }
}

/// Hands every delivered message to the mechanism, and lets the network warm
/// the state a message will read a batch of deliveries ahead.
fn connect<M: Mechanism>(mech: &Rc<M>, ctx: &Ctx<M>) {
    let (me, c) = (mech.clone(), ctx.clone());
    ctx.net.set_handler(move |m| me.handle(&c, m));
    ctx.net.set_kind_names(M::message_kind);
    ctx.net.set_sizes(M::size);
    let me = mech.clone();
    ctx.net.set_warmer(move |n| me.warm(n));
}

/// Spawns the setup task: the mechanism's install, the load drivers, failures.
fn start_tasks<M: Mechanism>(
    rt: &mut Runtime,
    s: &Scenario,
    mech: Rc<M>,
    ctx: Ctx<M>,
    loads: Vec<(crate::scenario::LoadSpec, M::Request, load::Keep)>,
    (crashes, churn): (failures::CrashPlan, failures::Churn),
) {
    let seed = s.seed;
    rt.spawn("setup", move || {
        mech.install(&ctx);
        for (i, load) in loads.into_iter().enumerate() {
            let (m, c) = (mech.clone(), ctx.clone());
            let load_seed = derive(seed, Stream::Load(i as u32));
            let until = c.duration();
            spawn(format!("load-{i}"), move || {
                load::drive(m, c, load, i, load_seed, until)
            });
        }
        if !crashes.is_empty() {
            let net = ctx.net.clone();
            spawn_daemon("crashes", move || failures::crashes(net, crashes));
        }
        churn.start(&ctx.net);
    });
}

/// Runs from one sampling instant to the next (see `sampling`), sampling the
/// observers at each and reporting progress, until done or `duration`; returns
/// whether the run completed. Sampling happens here, between steps, rather
/// than in a daemon task: a daemon's timers would keep a deadlocked run alive,
/// hiding the deadlock the runtime reports when no timer is left.
fn drive<M: Mechanism>(
    rt: &mut Runtime,
    ctx: &Ctx<M>,
    duration: Option<SimTime>,
    schedule: &mut SampleGrid,
    progress: &mut dyn FnMut(SimTime, Option<SimTime>),
) -> Result<bool, SimError> {
    let mut next = rt.now();
    let mut stalled_steps = 0;
    loop {
        if let Some(d) = duration {
            next = next.min(d);
        }
        let completed = rt.advance_until(next)?;
        let snap = snapshot(ctx, rt.now(), rt.pool_in_use(), rt.pool_queue_len());
        let coarser = schedule.taken(snap.time);
        ctx.requests().with_observers(|obs| {
            obs.each(|o| {
                o.on_sample(&snap);
                if let Some(every) = coarser {
                    o.coarsen(every);
                }
            })
        });
        progress(rt.now(), duration);
        if completed || duration.is_some_and(|d| rt.now() >= d) {
            return Ok(completed);
        }
        // The sim's daemons (churn, crashes, lease expiry) never wake a waiting
        // task, so their timers must not keep a deadlocked run going until its
        // duration, or forever without one.
        stalled_steps = if rt.stalled() { stalled_steps + 1 } else { 0 };
        if stalled_steps >= STALL_STEPS {
            return Err(rt.deadlock());
        }
        next = schedule.next(rt.now(), rt.next_timer());
    }
}

fn snapshot<M: Mechanism>(ctx: &Ctx<M>, time: SimTime, in_use: usize, queue: usize) -> Snapshot {
    let c = ctx.net.counters();
    Snapshot {
        time,
        pool_in_use: in_use,
        pool_queue: queue,
        requests: ctx.requests().counts(),
        sent: c.sent.get(),
        delivered: c.delivered.get(),
        lost: c.lost(),
        nodes_up: ctx.net.nodes_up(),
    }
}

/// Puts the mechanism's report under its `KIND` among the observers'
/// sections: an observer's section of the same name merges into it (the
/// report's keys win), and an observer's section named like a field of the
/// summary is renamed `<name>_observer`, so nothing is silently replaced.
fn place_report(sections: &mut Map<String, Value>, kind: &str, report: Value) {
    let reserved = serde_json::to_value(Summary::default()).expect("a summary serializes");
    let clashing: Vec<String> = sections
        .keys()
        .filter(|k| reserved.get(k.as_str()).is_some())
        .cloned()
        .collect();
    for k in clashing {
        if let Some(v) = sections.remove(&k) {
            sections.insert(format!("{k}_observer"), v);
        }
    }
    match (sections.remove(kind), report) {
        (Some(Value::Object(mut observed)), Value::Object(report)) => {
            observed.extend(report);
            sections.insert(kind.to_string(), Value::Object(observed));
        }
        (observed, Value::Null) => {
            if let Some(v) = observed {
                sections.insert(kind.to_string(), v);
            }
        }
        (_, report) => {
            sections.insert(kind.to_string(), report);
        }
    }
}

fn summarize<M: Mechanism>(
    s: &Scenario,
    ctx: &Ctx<M>,
    report: &M::Report,
    r: &RunReport,
    (sampling, schedule): (&SampleGrid, &Schedule),
    (nodes, edges): (usize, usize),
    wall: Duration,
) -> Summary {
    let c = ctx.net.counters();
    let (asked, used) = sampling.intervals();
    let mut sections = Map::new();
    let mut summary = ctx.requests().with_observers(|obs| {
        for o in &obs.added {
            o.summarize(&mut sections);
        }
        Summary {
            requests: RequestFigures {
                by_load: ctx.requests().by_load(),
                ..obs.stats.requests()
            },
            latency_s: obs.stats.latency(),
            latency_success_s: obs.stats.success_latency(),
            hops: obs.stats.hops(),
            messages_per_request: obs.stats.messages_per_request(),
            pool_occupancy: obs.pool.figures(),
            degree: obs.degree.figures(),
            ..Summary::default()
        }
    });
    let report = serde_json::to_value(report).unwrap_or_else(|e| {
        Value::String(format!(
            "the report of `{}` does not serialize: {e}",
            M::KIND
        ))
    });
    place_report(&mut sections, M::KIND, report);
    summary.sections = sections.into_iter().collect();
    Summary {
        scenario: s.name.clone(),
        mechanism: M::KIND.to_string(),
        seed: s.seed,
        nodes,
        edges,
        virtual_time_s: r.end_time.as_secs_f64(),
        wall_s: wall.as_secs_f64(),
        events: r.events,
        tasks_spawned: r.tasks_spawned,
        peak_tasks_alive: r.peak_tasks_alive,
        completed: r.completed,
        pool: PoolFigures {
            capacity: r.pool.capacity,
            policy: r.pool.policy.as_str().to_string(),
            stack_size: r.pool.stack_size,
            stacks: r.pool.stacks.as_str().to_string(),
            guard: r.pool.guard.as_str().to_string(),
            peak_in_use: r.pool.peak_in_use,
            rejected: r.pool.rejected,
            queued: r.pool.queued,
            grown: r.pool.grown,
            longest_queue_wait_s: r.pool.longest_queue_wait.as_secs_f64(),
            workers_created: r.pool.workers_created,
            stack_high_water: r.pool.stack_high_water,
        },
        bytes: ctx.net.byte_figures(r.end_time.as_secs_f64()),
        messages: MessageFigures {
            sent: c.sent.get(),
            delivered: c.delivered.get(),
            lost: c.lost(),
            lost_on_wire: c.lost_wire.get(),
            lost_node_down: c.lost_down.get(),
            lost_no_worker: c.lost_rejected.get(),
            late_replies: c.late_replies.get(),
        },
        sampling: Sampling {
            interval_s: asked.as_secs_f64(),
            effective_interval_s: used.as_secs_f64(),
            doublings: sampling.doublings(),
            max_rows: s.observers.max_rows,
        },
        schedule: ScheduleFigures {
            strategy: schedule.strategy.name().to_string(),
            seed: (schedule.strategy != Strategy::Fifo).then_some(schedule.seed),
            depth: match schedule.strategy {
                Strategy::Pct { depth } => Some(depth),
                _ => None,
            },
            jitter_s: schedule.jitter.map(|j| j.as_secs_f64()),
            decisions: r.decisions.len(),
            choice_points: r.choice_points,
        },
        waits: WaitFigures {
            timeout_cycles: r.timeout_cycles,
            first_timeout_cycle: r
                .first_timeout_cycle
                .iter()
                .flat_map(|d| d.tasks.iter().map(|t| t.to_string()))
                .collect(),
        },
        trace_hash: format!("{:016x}", r.trace_hash),
        decisions: r.decisions.clone(),
        ..summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_observer_section_merges_into_its_mechanism_and_never_replaces_a_field() {
        let mut sections = Map::new();
        sections.insert("gossip".into(), json!({"curve_rows": 3, "coverage": 0.1}));
        sections.insert("requests".into(), json!({"mine": 1}));
        place_report(&mut sections, "gossip", json!({"coverage": 0.9}));
        assert_eq!(
            sections["gossip"],
            json!({"curve_rows": 3, "coverage": 0.9})
        );
        assert_eq!(sections["requests_observer"], json!({"mine": 1}));
        assert!(!sections.contains_key("requests"));
        place_report(&mut sections, "quiet", Value::Null);
        assert!(!sections.contains_key("quiet"));
    }
}
