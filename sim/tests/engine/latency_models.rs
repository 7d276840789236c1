//! The latency models as a scenario names them, measured on the messages of a
//! run: every message carries its send time, and its latency is read off on
//! arrival, to the nanosecond.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use p2psim_runtime::{now, sleep, spawn, SimTime};
use p2psim_sim::dist::Distribution;
use p2psim_sim::engine::run_scenario;
use p2psim_sim::net::matrix::{self, HostMatrix, Placement};
use p2psim_sim::net::pairwise::Pairwise;
use p2psim_sim::net::regions::Regions;
use p2psim_sim::scenario::{parse_str, LatencySpec, Params, Scenario, ScenarioError};
use p2psim_sim::seeds::{derive, Stream};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};

request_kinds! {
    enum Nothing { Nothing = "nothing" }
}

/// One measured message: from, to, latency in nanoseconds.
type Hop = (u32, u32, u64);

/// Sends `rounds` rounds of one message from every node to every other (a
/// second apart) and records each message's latency.
struct Probe {
    rounds: u64,
    seen: RefCell<Vec<Hop>>,
}

impl Mechanism for Probe {
    const KIND: &'static str = "probe";
    type Params = u64;
    type Request = Nothing;
    type Msg = SimTime;
    type Report = Vec<Hop>;

    fn params(t: &Params, _: &Scenario) -> Result<u64, ScenarioError> {
        t.u64("rounds", 3)
    }

    fn new(rounds: u64) -> Self {
        Probe {
            rounds,
            seen: RefCell::new(Vec::new()),
        }
    }

    fn install(self: &Rc<Self>, ctx: &Ctx<Self>) {
        let (net, rounds) = (ctx.net.clone(), self.rounds);
        spawn("prober", move || {
            let n = net.node_count() as u32;
            for _ in 0..rounds {
                for a in 0..n {
                    for b in (0..n).filter(|&b| b != a) {
                        net.send(a, b, now());
                    }
                }
                sleep(Duration::from_secs(1));
            }
        });
    }

    fn handle(&self, _: &Ctx<Self>, m: Incoming<SimTime>) {
        let latency = now().as_nanos() - m.msg.as_nanos();
        self.seen.borrow_mut().push((m.from, m.to, latency));
    }

    fn request(&self, _: &Ctx<Self>, _: &Request<Nothing>) -> RequestOutcome {
        RequestOutcome::failed()
    }

    fn report(&self) -> Vec<Hop> {
        let mut seen = self.seen.take();
        seen.sort_unstable();
        seen
    }
}

/// The scenario of `nodes` nodes with `transport` (the body of `[transport]`),
/// read as if from `dir`; and its run's measured hops, sorted.
fn probe(nodes: usize, transport: &str, dir: &str) -> (Scenario, Vec<Hop>) {
    let text = format!(
        "seed = 11\n[topology]\nkind = \"ring\"\nnodes = {nodes}\n\
         [transport]\n{transport}\n[mechanism]\nkind = \"probe\"\nrounds = 3\n"
    );
    let origin = format!("{dir}/probe.toml");
    let scenario = parse_str(&text, &origin, &[]).unwrap_or_else(|e| panic!("{e}"));
    let out = run_scenario::<Probe>(&scenario).unwrap_or_else(|e| panic!("{e}"));
    let hops = out.report;
    assert_eq!(hops.len(), 3 * nodes * (nodes - 1), "every message arrived");
    (scenario, hops)
}

/// The one latency every message of each ordered pair had.
fn per_pair(hops: &[Hop]) -> Vec<((u32, u32), u64)> {
    let mut pairs: Vec<((u32, u32), u64)> = Vec::new();
    for &(a, b, d) in hops {
        match pairs.last() {
            Some(&(p, first)) if p == (a, b) => {
                assert_eq!(d, first, "pair {a}->{b}: every message takes the same time")
            }
            _ => pairs.push(((a, b), d)),
        }
    }
    pairs
}

fn nanos(secs: f64) -> u64 {
    p2psim_runtime::secs_to_nanos(secs)
}

#[test]
fn a_pairwise_latency_is_the_same_on_every_message_of_a_pair_and_differs_between_pairs() {
    let (scenario, hops) = probe(
        8,
        "latency = { kind = \"pairwise\", of = { kind = \"uniform\", min = 0.005, max = 0.015 } }",
        ".",
    );
    let pairs = per_pair(&hops);
    assert_eq!(pairs.len(), 8 * 7);
    let model = Pairwise::new(
        Distribution::Uniform {
            min: 0.005,
            max: 0.015,
        },
        derive(scenario.seed, Stream::Pairs),
    );
    for &((a, b), d) in &pairs {
        assert_eq!(d, nanos(model.secs(a, b)), "{a}->{b}");
        assert!((5_000_000..=15_000_000).contains(&d), "{a}->{b}: {d}");
    }
    let mut distinct: Vec<u64> = pairs.iter().map(|p| p.1).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), pairs.len(), "56 pairs, 56 latencies");
}

#[test]
fn a_pairwise_jitter_moves_each_message_and_never_below_its_pair() {
    let (scenario, hops) = probe(
        5,
        "latency = { kind = \"pairwise\", of = 0.01, jitter = { kind = \"uniform\", min = 0, max = 0.002 } }",
        ".",
    );
    assert!(hops
        .iter()
        .all(|&(_, _, d)| (10_000_000..=12_000_000).contains(&d)));
    let mut distinct: Vec<u64> = hops.iter().map(|h| h.2).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() > hops.len() / 2, "jittered per message");
    assert_eq!(scenario.transport.loss, 0.0);
}

fn data_dir() -> String {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "scenarios", "data"]
        .iter()
        .collect();
    dir.display().to_string()
}

#[test]
fn the_shipped_king_matrix_is_read_and_placed_modulo() {
    let (scenario, hops) = probe(
        40,
        "latency = { kind = \"matrix\", path = \"king-32.txt\", format = \"king\" }",
        &data_dir(),
    );
    let LatencySpec::Matrix { matrix, .. } = &scenario.transport.latency else {
        panic!("a matrix");
    };
    assert_eq!(matrix.hosts(), 32);
    let text = std::fs::read_to_string(format!("{}/king-32.txt", data_dir())).unwrap();
    // Chosen pairs, as the file says them in microseconds (the file gives i < j).
    let line = |i: u32, j: u32| -> u64 {
        let found = text
            .lines()
            .find_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (w.len() == 3 && w[0] == i.to_string() && w[1] == j.to_string())
                    .then(|| w[2].parse::<u64>().unwrap())
            })
            .unwrap_or_else(|| panic!("the file gives {i} {j}"));
        found * 1_000
    };
    let pairs = per_pair(&hops);
    let of = |a: u32, b: u32| pairs.iter().find(|p| p.0 == (a, b)).unwrap().1;
    assert_eq!(of(0, 1), line(0, 1));
    assert_eq!(of(1, 0), line(0, 1), "filled from 0 1");
    assert_eq!(of(3, 30), line(3, 30));
    // Node 35 sits on host 3 and node 33 on host 1; nodes 0 and 32 share host 0.
    assert_eq!(of(35, 30), line(3, 30));
    assert_eq!(of(33, 3), line(1, 3));
    assert_eq!(of(0, 32), 0);
    assert_eq!(of(32, 0), 0);
}

#[test]
fn a_square_matrix_is_read_and_placed_at_random_from_the_seed() {
    let dir = std::env::temp_dir().join(format!("p2psim-square-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = "0 0.010 0.020\n0.011 0 0.030\n0.021 0.031 0.005\n";
    std::fs::write(dir.join("square.txt"), text).unwrap();
    let (scenario, hops) = probe(
        12,
        "latency = { kind = \"matrix\", path = \"square.txt\", format = \"square\", placement = \"random\" }",
        &dir.display().to_string(),
    );
    let placed = HostMatrix::new(
        Arc::new(matrix::parse_square(text).unwrap()),
        Placement::Random,
        derive(scenario.seed, Stream::Placement),
    );
    let ms = 1_000_000;
    let want = [
        [0, 10 * ms, 20 * ms],
        [11 * ms, 0, 30 * ms],
        [21 * ms, 31 * ms, 5 * ms],
    ];
    let mut hosts_used = [false; 3];
    for ((a, b), d) in per_pair(&hops) {
        let (ha, hb) = (placed.host(a), placed.host(b));
        hosts_used[ha] = true;
        assert_eq!(d, want[ha][hb], "{a} on host {ha} to {b} on host {hb}");
    }
    assert_eq!(hosts_used, [true; 3], "12 nodes cover 3 hosts");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn region_latencies_are_exact_and_the_regions_hold_their_fractions() {
    let transport = "[[transport.region]]\nname = \"Europe\"\nfraction = 0.4\n\
                     latency = { Europe = 0.02, America = 0.09 }\n\
                     [[transport.region]]\nname = \"America\"\nfraction = 0.6\n\
                     latency = { America = 0.035 }";
    let (scenario, hops) = probe(20, transport, ".");
    let LatencySpec::Regions(spec) = &scenario.transport.latency else {
        panic!("regions");
    };
    let regions = Regions::new(spec, 20, derive(scenario.seed, Stream::Placement));
    assert_eq!(regions.sizes(), vec![8, 12]);
    let mut seen = [0usize; 3];
    for ((a, b), d) in per_pair(&hops) {
        let want = match (regions.region(a), regions.region(b)) {
            (0, 0) => 20_000_000,
            (1, 1) => 35_000_000,
            _ => 90_000_000,
        };
        assert_eq!(d, want, "{a} -> {b}");
        seen[[20_000_000, 35_000_000, 90_000_000]
            .iter()
            .position(|&w| w == d)
            .unwrap()] += 1;
    }
    assert_eq!(seen, [8 * 7, 12 * 11, 2 * 8 * 12]);
}

/// A King-format matrix of `hosts` hosts in four clusters on a plane (as
/// continents): each host's one-way latency to another is 2 ms plus their
/// distance, in ms, written in whole microseconds, one line per pair `i < j`.
fn synthetic_king(hosts: u32, seed: u64) -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let centers = [(0.0, 0.0), (80.0, 10.0), (40.0, 70.0), (140.0, 60.0)];
    let at: Vec<(f64, f64)> = (0..hosts as usize)
        .map(|i| {
            let (x, y) = centers[i % centers.len()];
            (
                x + rng.gen_range(-10.0..10.0),
                y + rng.gen_range(-10.0..10.0),
            )
        })
        .collect();
    let mut text = format!(
        "# A synthetic King-format latency matrix: {hosts} hosts in 4 clusters on a plane,\n\
         # one-way latency 2 ms plus the hosts' distance in ms, in microseconds, one line\n\
         # per pair (i < j; the other direction is the same). Generated by synthetic_king\n\
         # in sim/tests/engine/latency_models.rs; regenerate with\n\
         # P2PSIM_WRITE_DATA=1 cargo test -p p2psim-sim --test engine generators_output\n"
    );
    for i in 0..at.len() {
        for j in i + 1..at.len() {
            let d = ((at[i].0 - at[j].0).powi(2) + (at[i].1 - at[j].1).powi(2)).sqrt();
            text.push_str(&format!(
                "{i} {j} {}\n",
                ((2.0 + d) * 1000.0).round() as u64
            ));
        }
    }
    text
}

#[test]
fn the_shipped_king_matrix_is_the_generators_output() {
    let path = format!("{}/king-32.txt", data_dir());
    let generated = synthetic_king(32, 32);
    if std::env::var_os("P2PSIM_WRITE_DATA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap();
    assert!(
        shipped == generated,
        "{path} is not synthetic_king(32, 32)'s output"
    );
}
