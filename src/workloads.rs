//! The standard benchmark workloads of `docs/workloads.md` (W1-W5 on the runtime,
//! W6 and W7 on the network layer with the FADA mechanism).
//!
//! Each function builds and runs one workload at the given size and returns what
//! it measured. Wall time is the benchmark's figure; virtual time is simulated.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::mechanisms::fada::Fada;
use crate::sim::engine::RunOptions;
use rand_distr::Exp1;

use crate::runtime::{sleep, spawn, Mailbox, Runtime, RuntimeConfig, Semaphore, StackMode};

/// What one workload run measured.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Wall time of the simulation run (setup excluded where the workload allows).
    pub wall: Duration,
    /// How many units the figure is divided by (round trips, wake-ups, tasks, messages).
    pub units: u64,
    /// Peak resident set of the process, in bytes, when measured.
    pub peak_rss: Option<u64>,
    /// Resident set before the workload started, in bytes.
    pub base_rss: Option<u64>,
}

impl Measured {
    /// Wall nanoseconds per unit.
    pub fn ns_per_unit(&self) -> f64 {
        self.wall.as_nanos() as f64 / self.units.max(1) as f64
    }
}

fn config() -> RuntimeConfig {
    RuntimeConfig::with_seed(1)
}

/// The workloads' configuration with the workers' stacks as `stacks` says.
fn config_on(stacks: StackMode) -> RuntimeConfig {
    let mut c = config();
    c.pool.stacks = stacks;
    c
}

/// W1: two tasks release each other through semaphores, `round_trips` times.
pub fn w1_pingpong(round_trips: u64) -> Measured {
    let mut rt = Runtime::new(config());
    let (a, b) = (Semaphore::new(0), Semaphore::new(0));
    let (a2, b2) = (a.clone(), b.clone());
    rt.spawn("A", move || {
        for _ in 0..round_trips {
            b2.up();
            a2.down();
        }
    });
    rt.spawn("B", move || {
        for _ in 0..round_trips {
            b.down();
            a.up();
        }
    });
    let start = Instant::now();
    rt.run().expect("W1 runs to completion");
    measured(start, round_trips)
}

/// W2: `tasks` tasks each sleep `rounds` times for Exp(mean 1 s) drawn from a seeded RNG.
pub fn w2_timers(tasks: u64, rounds: u64, stacks: StackMode) -> Measured {
    let mut rt = Runtime::new(config_on(stacks));
    for i in 0..tasks {
        rt.spawn("sleeper", move || {
            let mut rng = ChaCha8Rng::seed_from_u64(i);
            for _ in 0..rounds {
                sleep(exp_delay(&mut rng, 1.0));
            }
        });
    }
    let start = Instant::now();
    rt.run().expect("W2 runs to completion");
    measured(start, tasks * rounds)
}

/// W3: the main task spawns `tasks` short tasks; each sleeps U(0,1) s once and exits.
pub fn w3_churn(tasks: u64, stacks: StackMode) -> Measured {
    let base = crate::rss::current_rss();
    let mut rt = Runtime::new(config_on(stacks));
    rt.spawn("main", move || {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..tasks {
            let d = Duration::from_nanos(rng.gen_range(0..1_000_000_000));
            spawn("short", move || sleep(d));
        }
    });
    let start = Instant::now();
    rt.run().expect("W3 runs to completion");
    let mut m = measured(start, tasks);
    m.base_rss = base;
    m.peak_rss = crate::rss::peak_rss();
    m
}

/// The floor under W3 on this machine: the first touch of `n` fresh stacks of
/// `stack_size` bytes from the pool's own allocator (the kernel maps and zeroes a
/// page at each). Each of W3's million tasks is alive at once and needs the top
/// page of a stack of its own, so no run of W3 can beat this figure per task.
pub fn fresh_page_floor(n: usize, stack_size: usize) -> Measured {
    let mut stacks = crate::runtime::FreshStacks::carve(n, stack_size)
        .expect("the fresh-page floor maps its stacks");
    let start = Instant::now();
    let touched = stacks.touch_all();
    let wall = start.elapsed();
    assert_eq!(touched, n);
    assert!(stacks.resident_of_first() > 0);
    Measured {
        wall,
        units: n as u64,
        peak_rss: crate::rss::peak_rss(),
        base_rss: None,
    }
}

/// W4: `tasks` tasks all block on one semaphore, then are released one by one and exit.
pub fn w4_alive(tasks: u64, stacks: StackMode) -> Measured {
    let base = crate::rss::current_rss();
    let mut rt = Runtime::new(config_on(stacks));
    let sem = Semaphore::new(0);
    let blocked = Rc::new(Cell::new(0u64));
    let b = blocked.clone();
    rt.spawn("main", move || {
        for _ in 0..tasks {
            let s = sem.clone();
            let b = b.clone();
            spawn("blocked", move || {
                b.set(b.get() + 1);
                s.down();
            });
        }
        // Let every task run once and block.
        sleep(Duration::from_nanos(1));
        assert_eq!(b.get(), tasks);
        for _ in 0..tasks {
            sem.up();
        }
    });
    let start = Instant::now();
    rt.run().expect("W4 runs to completion");
    let mut m = measured(start, tasks);
    m.base_rss = base;
    m.peak_rss = crate::rss::peak_rss();
    assert_eq!(blocked.get(), tasks);
    m
}

/// W5: one producer sends `messages` u64s through a mailbox to one consumer.
pub fn w5_mailbox(messages: u64) -> Measured {
    let mut rt = Runtime::new(config());
    let mb: Mailbox<u64> = Mailbox::new();
    let tx = mb.clone();
    rt.spawn("producer", move || {
        for i in 0..messages {
            tx.send(i);
        }
    });
    let sum = rt.spawn("consumer", move || {
        let mut sum = 0u64;
        for _ in 0..messages {
            sum = sum.wrapping_add(mb.recv());
        }
        sum
    });
    let start = Instant::now();
    rt.run().expect("W5 runs to completion");
    let m = measured(start, messages);
    let expected = messages.saturating_sub(1).wrapping_mul(messages) / 2;
    assert_eq!(sum.try_join().and_then(Result::ok), Some(expected));
    m
}

/// The W6 flood as a scenario: a Barabasi-Albert graph (m = 2) of `nodes`, `lookups`
/// lookups (lookup i at t = i s from a seeded random node), TTL 5, forwarded to all
/// neighbours but the sender, seen ids dropped, 10 ms per hop. FADA in its asynchronous
/// form with no item anywhere, so every message is a search copy. Returns the text and
/// the lookups' origins.
pub fn w6_scenario(nodes: u64, lookups: u64) -> (String, Vec<u32>) {
    flood_scenario(nodes, lookups, FloodLatency::Constant)
}

/// The hop latency of a W6-style flood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloodLatency {
    /// W6: 10 ms per hop.
    Constant,
    /// W7: uniform(5 ms, 15 ms), drawn per hop.
    Uniform,
    /// W7's normal variant: normal(mean 10 ms, sd 3 ms) truncated at 1 ms, per hop.
    Normal,
    /// W7's exponential variant: 1 ms plus an exponential excess, 10 ms on average, per hop.
    Exponential,
}

impl FloodLatency {
    /// The `[transport] latency` value of the scenario.
    pub fn toml(self) -> &'static str {
        match self {
            FloodLatency::Constant => "{ kind = \"constant\", value = 0.01 }",
            FloodLatency::Uniform => "{ kind = \"uniform\", min = 0.005, max = 0.015 }",
            FloodLatency::Normal => "{ kind = \"normal\", mean = 0.01, sd = 0.003, min = 0.001 }",
            FloodLatency::Exponential => "{ kind = \"exponential\", mean = 0.01, min = 0.001 }",
        }
    }
}

/// W6's flood (same graph, seed, origins, TTL and seen-id rule) with hop latency
/// `latency`; W7 is [`FloodLatency::Uniform`]. Returns the text and the origins.
pub fn flood_scenario(nodes: u64, lookups: u64, latency: FloodLatency) -> (String, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let origins: Vec<u32> = (0..lookups)
        .map(|_| rng.gen_range(0..nodes as u32))
        .collect();
    let name = match latency {
        FloodLatency::Constant => "W6 flood",
        _ => "W7 flood",
    };
    let latency = latency.toml();
    let mut text = format!(
        "name = \"{name}\"\nseed = 6\n\
         [topology]\nkind = \"barabasi_albert\"\nnodes = {nodes}\nm = 2\n\
         [transport]\nlatency = {latency}\n\
         [pool]\npolicy = \"grow\"\nstack_size = \"64KiB\"\n\
         [mechanism]\nkind = \"fada\"\nttl = 5\ncatalogue = 1\nreplicas = 0\n\
         neighbours = \"all_but_sender\"\npropagation = \"async\"\ntimeout = 0.1\n\
         seen_expiry = 1.0\n\
         [observers]\nsample_interval = 100.0\n"
    );
    for (i, o) in origins.iter().enumerate() {
        text.push_str(&format!(
            "[[load]]\nrequest = \"lookup\"\narrivals = \"schedule\"\ntimes = [{i}.0]\norigin = {o}\n"
        ));
    }
    (text, origins)
}

/// W6: the flood of [`w6_scenario`]; `units` is the number of messages delivered.
/// The wall time covers the whole run, graph generation included (a few percent).
pub fn w6_flood(nodes: u64, lookups: u64) -> Measured {
    flood(nodes, lookups, FloodLatency::Constant)
}

/// W7: W6's flood with a hop latency drawn per hop from uniform(5 ms, 15 ms).
pub fn w7_flood(nodes: u64, lookups: u64) -> Measured {
    flood(nodes, lookups, FloodLatency::Uniform)
}

/// The flood of [`flood_scenario`]; `units` is the number of messages delivered.
pub fn flood(nodes: u64, lookups: u64, latency: FloodLatency) -> Measured {
    let base = crate::rss::current_rss();
    let (text, _) = flood_scenario(nodes, lookups, latency);
    let s =
        crate::sim::scenario::parse_str(&text, "flood", &[]).expect("the flood scenario parses");
    let params = crate::sim::prepare::<Fada>(&s).expect("the flood scenario checks");
    let start = Instant::now();
    let out = match crate::sim::engine::run::<Fada>(&s, params, RunOptions::default()) {
        Ok(out) => out,
        Err(e) => panic!("the flood runs to completion: {e}"),
    };
    let delivered = out.summary.messages.delivered;
    let mut m = measured(start, delivered);
    m.base_rss = base;
    m.peak_rss = crate::rss::peak_rss();
    m
}

/// An Exp(mean `mean_s` seconds) delay in whole nanoseconds. Drawn with the
/// ziggurat method (`rand_distr::Exp1`: a table lookup and a compare for almost
/// every draw) rather than as `-ln(1 - u)`, and converted without
/// `Duration::from_secs_f64`'s exact rounding: both are the workload's own
/// arithmetic, not the scheduler's, and would otherwise weigh on W2's figure.
fn exp_delay(rng: &mut ChaCha8Rng, mean_s: f64) -> Duration {
    let x: f64 = rng.sample(Exp1);
    Duration::from_nanos((x * mean_s * 1e9) as u64)
}

fn measured(start: Instant, units: u64) -> Measured {
    Measured {
        wall: start.elapsed(),
        units,
        peak_rss: None,
        base_rss: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_run_at_small_sizes() {
        assert_eq!(w1_pingpong(100).units, 100);
        for stacks in [StackMode::Dedicated, StackMode::Shared] {
            assert_eq!(w2_timers(10, 10, stacks).units, 100);
            assert_eq!(w3_churn(100, stacks).units, 100);
            assert_eq!(w4_alive(100, stacks).units, 100);
        }
        assert_eq!(w5_mailbox(100).units, 100);
        assert!(w6_flood(300, 3).units > 0);
        for latency in [
            FloodLatency::Uniform,
            FloodLatency::Normal,
            FloodLatency::Exponential,
        ] {
            assert!(flood(300, 3, latency).units > 0, "{latency:?}");
        }
    }

    /// The W6 flood delivers exactly as many messages as a breadth-first count predicts.
    #[test]
    fn delivered_copies_equal_the_bfs_count_on_a_small_ba_graph() {
        use crate::sim::graph::build::build_graph;
        use crate::sim::graph::stats::flood_message_count;
        use crate::sim::seeds::{derive, Stream};

        let (text, origins) = w6_scenario(2000, 20);
        let s = crate::sim::scenario::parse_str(&text, "W6", &[]).unwrap();
        let g = build_graph(&s.topology, derive(s.seed, Stream::Topology)).unwrap();
        let expected: u64 = origins.iter().map(|&o| flood_message_count(&g, o, 5)).sum();
        let out =
            crate::sim::engine::run_scenario::<Fada>(&s).unwrap_or_else(|e| panic!("W6 runs: {e}"));
        assert_eq!(out.summary.messages.delivered, expected);
        assert_eq!(out.summary.messages.lost, 0);
        assert!(expected > 20 * 1000, "{expected}");
    }

    /// With a latency drawn per hop a node's first copy may have come a longer way
    /// with less TTL left, so W7 delivers at most W6's BFS count, never more.
    #[test]
    fn random_latencies_deliver_at_most_the_bfs_count() {
        use crate::sim::graph::build::build_graph;
        use crate::sim::graph::stats::flood_message_count;
        use crate::sim::seeds::{derive, Stream};

        let (text, origins) = flood_scenario(2000, 20, FloodLatency::Uniform);
        let s = crate::sim::scenario::parse_str(&text, "W7", &[]).unwrap();
        let g = build_graph(&s.topology, derive(s.seed, Stream::Topology)).unwrap();
        let bfs: u64 = origins.iter().map(|&o| flood_message_count(&g, o, 5)).sum();
        let out =
            crate::sim::engine::run_scenario::<Fada>(&s).unwrap_or_else(|e| panic!("W7 runs: {e}"));
        let delivered = out.summary.messages.delivered;
        assert!(delivered <= bfs, "{delivered} > {bfs}");
        assert!(delivered > bfs / 2, "{delivered} of {bfs}");
        assert_eq!(out.summary.messages.lost, 0);
    }
}
