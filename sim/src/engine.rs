//! Runs a scenario: builds the network, installs the mechanism, drives the load,
//! samples the observers, and gathers everything into a summary.

use std::rc::Rc;
use std::time::{Duration, Instant};

use p2psim_runtime::{
    spawn, spawn_daemon, ExhaustionPolicy, PoolConfig, RunReport, Runtime, RuntimeConfig, SimError,
    SimTime, StackMode,
};
use serde_json::{json, Map, Value};

use crate::graph_build::build_graph;
use crate::mechanism::{Ctx, Mechanism};
use crate::net::Net;
use crate::observe::{default_observers, Series, Snapshot};
use crate::requests::Requests;
use crate::sampling::Schedule;
use crate::scenario::{PoolPolicySpec, Scenario};
use crate::seeds::{derive, Stream};
use crate::transport::Transport;
use crate::{failures, load};

/// Sampling steps in a row in which only daemons could act before the run is
/// reported as a deadlock.
const STALL_STEPS: u32 = 2;

/// What a successful run produced.
pub struct RunOutput {
    /// The figures of `summary.json`.
    pub summary: Value,
    /// The observers' time series (one CSV each).
    pub series: Vec<Series>,
    /// The runtime's report.
    pub report: RunReport,
}

/// Why a run failed.
pub enum RunFailure {
    /// The graph could not be built (bad edge list, impossible parameters), or
    /// the failures cannot be drawn on it; the message names the section.
    Setup(String),
    /// The simulation failed: deadlock or task panic.
    Simulation {
        /// The runtime's report of the failure.
        error: SimError,
        /// What had been measured until then.
        summary: Value,
    },
    /// The run finished but a mechanism invariant is violated.
    Invariant {
        /// What is violated.
        message: String,
        /// The figures of the run.
        summary: Value,
    },
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

/// Runs `scenario` with mechanism `mech`; `progress(now, end)` is called as virtual
/// time advances (`end` is the duration, when there is one).
pub fn run<M: Mechanism>(
    scenario: &Scenario,
    mech: M,
    mut progress: impl FnMut(SimTime, Option<SimTime>),
) -> Result<RunOutput, RunFailure> {
    let wall = Instant::now();
    let graph = build_graph(&scenario.topology, derive(scenario.seed, Stream::Topology))
        .map_err(RunFailure::Setup)?;
    let (nodes, edges) = (graph.node_count(), graph.edge_count());
    let transport = Transport::from_spec(&scenario.transport);
    let net: Net<M::Msg> = Net::new(graph, transport, derive(scenario.seed, Stream::Transport));
    let failures_seed = derive(scenario.seed, Stream::Failures);
    let crashes =
        failures::resolve(&scenario.failures, nodes, failures_seed).map_err(RunFailure::Setup)?;
    for node in crashes.down_at_start() {
        net.set_up(node, false);
    }

    let requests = Requests::new(default_observers(&scenario.observers.latency_quantiles));
    requests.with_observers(|obs| {
        for o in obs.iter_mut() {
            o.on_start(&net.graph());
        }
    });
    let duration = scenario.duration_s.map(SimTime::from_secs_f64);
    let ctx = Ctx {
        net: net.clone(),
        requests: requests.clone(),
        seed: derive(scenario.seed, Stream::Mechanism),
        duration,
    };
    let mech = Rc::new(mech);

    let mut rt = Runtime::new(runtime_config(scenario));
    start_tasks(&mut rt, scenario, mech.clone(), ctx.clone(), crashes);

    let mut schedule = Schedule::new(
        Duration::from_secs_f64(scenario.observers.sample_interval),
        scenario.observers.max_rows,
    );
    let result = drive(&mut rt, &ctx, duration, &mut schedule, &mut progress);
    let last = snapshot(&ctx, rt.now(), 0, 0);
    requests.with_observers(|obs| {
        for o in obs.iter_mut() {
            o.on_end(&net.graph(), &last);
        }
    });
    let mut report = rt.report();
    if let Ok(completed) = result {
        report.completed = completed;
    }
    let summary = summarize(
        scenario,
        &ctx,
        &*mech,
        &report,
        &schedule,
        (nodes, edges),
        wall.elapsed(),
    );
    let series = requests.with_observers(|obs| obs.iter().filter_map(|o| o.series()).collect());
    drop(rt);
    match result {
        Err(error) => Err(RunFailure::Simulation { error, summary }),
        Ok(_) => match mech.check() {
            Err(message) => Err(RunFailure::Invariant { message, summary }),
            Ok(()) => Ok(RunOutput {
                summary,
                series,
                report,
            }),
        },
    }
}

/// Spawns the setup task: the mechanism's install, the load drivers, failures, sampler.
fn start_tasks<M: Mechanism>(
    rt: &mut Runtime,
    s: &Scenario,
    mech: Rc<M>,
    ctx: Ctx<M::Msg>,
    crashes: failures::CrashPlan,
) {
    let loads = s.loads.clone();
    let churn = s.failures.churn.clone();
    let seed = s.seed;
    rt.spawn("setup", move || {
        mech.clone().install(&ctx);
        for (i, spec) in loads.into_iter().enumerate() {
            let (m, c) = (mech.clone(), ctx.clone());
            let load_seed = derive(seed, Stream::Load(i as u32));
            let until = c.duration;
            spawn(format!("load-{i}"), move || {
                load::drive(m, c, spec, i, load_seed, until)
            });
        }
        if !crashes.is_empty() {
            let net = ctx.net.clone();
            spawn_daemon("crashes", move || failures::crashes(net, crashes));
        }
        if let Some(spec) = churn {
            let net = ctx.net.clone();
            let churn_seed = derive(seed, Stream::Churn);
            spawn_daemon("churn", move || failures::churn(net, spec, churn_seed));
        }
    });
}

/// Runs from one sampling instant to the next (see `sampling`), sampling the
/// observers at each and reporting progress, until done or `duration`; returns
/// whether the run completed. Sampling happens here, between steps, rather
/// than in a daemon task: a daemon's timers would keep a deadlocked run alive,
/// hiding the deadlock the runtime reports when no timer is left.
fn drive<M>(
    rt: &mut Runtime,
    ctx: &Ctx<M>,
    duration: Option<SimTime>,
    schedule: &mut Schedule,
    progress: &mut impl FnMut(SimTime, Option<SimTime>),
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
        ctx.requests.with_observers(|obs| {
            for o in obs.iter_mut() {
                o.on_sample(&snap);
                if let Some(every) = coarser {
                    o.coarsen(every);
                }
            }
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

fn snapshot<M>(ctx: &Ctx<M>, time: SimTime, in_use: usize, queue: usize) -> Snapshot {
    let c = ctx.net.counters();
    Snapshot {
        time,
        pool_in_use: in_use,
        pool_queue: queue,
        requests: ctx.requests.counts(),
        sent: c.sent.get(),
        delivered: c.delivered.get(),
        lost: c.lost(),
        nodes_up: ctx.net.nodes_up(),
    }
}

fn summarize<M: Mechanism>(
    s: &Scenario,
    ctx: &Ctx<M::Msg>,
    mech: &M,
    r: &RunReport,
    schedule: &Schedule,
    (nodes, edges): (usize, usize),
    wall: Duration,
) -> Value {
    let c = ctx.net.counters();
    let mut out = Map::new();
    out.insert("scenario".into(), json!(s.name));
    out.insert("mechanism".into(), json!(s.mechanism.kind));
    out.insert("seed".into(), json!(s.seed));
    out.insert("nodes".into(), json!(nodes));
    out.insert("edges".into(), json!(edges));
    out.insert("virtual_time_s".into(), json!(r.end_time.as_secs_f64()));
    out.insert("wall_s".into(), json!(wall.as_secs_f64()));
    out.insert("events".into(), json!(r.events));
    out.insert("tasks_spawned".into(), json!(r.tasks_spawned));
    out.insert("peak_tasks_alive".into(), json!(r.peak_tasks_alive));
    out.insert("completed".into(), json!(r.completed));
    out.insert(
        "pool".into(),
        json!({
            "capacity": r.pool.capacity,
            "policy": r.pool.policy.as_str(),
            "stack_size": r.pool.stack_size,
            "stacks": r.pool.stacks.as_str(),
            "guard": r.pool.guard.as_str(),
            "peak_in_use": r.pool.peak_in_use,
            "rejected": r.pool.rejected,
            "queued": r.pool.queued,
            "grown": r.pool.grown,
            "longest_queue_wait_s": r.pool.longest_queue_wait.as_secs_f64(),
            "workers_created": r.pool.workers_created,
            "stack_high_water": r.pool.stack_high_water,
        }),
    );
    out.insert(
        "messages".into(),
        json!({
            "sent": c.sent.get(),
            "delivered": c.delivered.get(),
            "lost": c.lost(),
            "lost_on_wire": c.lost_wire.get(),
            "lost_node_down": c.lost_down.get(),
            "lost_no_worker": c.lost_rejected.get(),
            "late_replies": c.late_replies.get(),
        }),
    );
    let (asked, used) = schedule.intervals();
    out.insert(
        "sampling".into(),
        json!({
            "interval_s": asked.as_secs_f64(),
            "effective_interval_s": used.as_secs_f64(),
            "doublings": schedule.doublings(),
            "max_rows": s.observers.max_rows,
        }),
    );
    ctx.requests.with_observers(|obs| {
        for o in obs.iter() {
            o.summarize(&mut out);
        }
    });
    if let Some((name, v)) = mech.summary() {
        out.insert(name, v);
    }
    out.insert("trace_hash".into(), json!(format!("{:016x}", r.trace_hash)));
    Value::Object(out)
}
