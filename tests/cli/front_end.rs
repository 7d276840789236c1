//! The scenario front end, for all inputs: scenario text made of the keys
//! docs/scenarios.md documents, with values good and bad (huge, tiny,
//! negative, NaN, of the wrong type), is either accepted by `validate` and
//! then runs to exit 0 or 1, or refused (exit 2) by both `validate` and `run`:
//! never a panic, never a run that `validate` passed and `run` refuses.
//!
//! `validate` and `run` are called in-process through the library entry points
//! the commands use (`scenario::parse_str` and `Mechanisms::check`, then
//! `Mechanisms::run`), each under `catch_unwind`. Runs stay small: values that
//! are valid and large only where that costs few events (a latency of 5e9 s is
//! generated, a `count` of 2^40 is not), so every accepted run ends quickly.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use p2psim::sim::engine::{RunFailure, RunOptions};
use p2psim::sim::scenario;
use proptest::prelude::*;
use proptest::sample::select;

use p2psim::runtime::SimError;

/// Values no key of any kind accepts as a number within its range, or of the wrong type.
const WRONG_TYPE: &[&str] = &["\"x\"", "true", "[1]", "{ a = 1 }", "nan", "inf", "-inf"];

/// How often a value is bad: never (`0`), or `mix` times in 100 about.
type Mix = u32;

/// `good` most of the time; with `mix`, sometimes one of `bad` or of the wrong type.
fn value(
    mix: Mix,
    good: BoxedStrategy<String>,
    bad: &'static [&'static str],
) -> BoxedStrategy<String> {
    if mix == 0 {
        return good;
    }
    prop_oneof![
        100 => good,
        mix => select(bad).prop_map(str::to_owned),
        mix.div_ceil(2) => select(WRONG_TYPE).prop_map(str::to_owned),
    ]
    .boxed()
}

fn float_in(lo: f64, hi: f64) -> BoxedStrategy<String> {
    (lo..hi).prop_map(|v| format!("{v:?}")).boxed()
}

fn int_in(lo: i64, hi: i64) -> BoxedStrategy<String> {
    (lo..=hi).prop_map(|v| v.to_string()).boxed()
}

fn one_of(values: &'static [&'static str]) -> BoxedStrategy<String> {
    select(values).prop_map(str::to_owned).boxed()
}

/// A node count or a pool's capacity: small, or refused (past 2^24 for nodes).
fn size(m: Mix, lo: i64) -> BoxedStrategy<String> {
    value(
        m,
        int_in(lo, 24),
        &[
            "0",
            "-1",
            "3.5",
            "100000000",
            "1099511627776",
            "-9223372036854775808",
        ],
    )
}

/// A load's count: small, or refused (a valid large one would be as many requests).
fn count(m: Mix) -> BoxedStrategy<String> {
    value(
        m,
        int_in(1, 24),
        &["0", "-1", "3.5", "-9223372036854775808"],
    )
}

/// A node id of the smallest graph generated (3 nodes), or none.
fn node_id(m: Mix) -> BoxedStrategy<String> {
    value(m, int_in(0, 2), &["-1", "25", "4294967296", "2.0"])
}

/// A time or a span: valid ones include huge ones, which cost few events.
fn time(m: Mix) -> BoxedStrategy<String> {
    let good =
        prop_oneof![8 => float_in(0.0, 5.0), 1 => one_of(&["5e9", "1.8e10", "1e-12", "5e-324"])];
    value(m, good.boxed(), &["-1", "-0.5", "1.9e10", "1e20", "1e308"])
}

/// A run's duration: short, or refused.
fn duration(m: Mix) -> BoxedStrategy<String> {
    value(
        m,
        float_in(0.5, 20.0),
        &["0", "-1", "1.9e10", "1e20", "1e308"],
    )
}

/// A period (repeating crash sets, sampling): at least 0.5 s, or refused.
fn period(m: Mix) -> BoxedStrategy<String> {
    value(
        m,
        float_in(0.5, 10.0),
        &["0", "-1", "1e-12", "5e-324", "1e20", "1e308"],
    )
}

/// A load's rate.
fn rate(m: Mix) -> BoxedStrategy<String> {
    let good = prop_oneof![8 => float_in(0.1, 20.0), 1 => one_of(&["1e9", "1e-10"])];
    value(m, good.boxed(), &["0", "-1", "1e-11", "5e9", "1e308"])
}

/// A churn rate: slow, or refused (a valid fast one would make too many events).
fn churn_rate(m: Mix) -> BoxedStrategy<String> {
    let good = prop_oneof![8 => float_in(0.0, 5.0), 1 => one_of(&["1e-12"])];
    value(m, good.boxed(), &["-1", "5e9", "1e308"])
}

fn probability(m: Mix) -> BoxedStrategy<String> {
    value(m, float_in(0.0, 1.0), &["-0.1", "1.5", "1e308"])
}

/// A small integer parameter (ttl, depth).
fn small(m: Mix) -> BoxedStrategy<String> {
    value(m, int_in(1, 5), &["0", "-1", "65", "100000000", "2.5"])
}

/// `v` with probability `p` (0 and 1 included), else `None`.
fn maybe<T: std::fmt::Debug + Clone + 'static>(
    p: f64,
    v: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    match p {
        p if p <= 0.0 => Just(None).boxed(),
        p if p >= 1.0 => v.prop_map(Some).boxed(),
        p => prop::option::weighted(p, v).boxed(),
    }
}

/// `key = value`, present with probability `p`.
fn key(name: &'static str, v: BoxedStrategy<String>, p: f64) -> BoxedStrategy<String> {
    maybe(p, v)
        .prop_map(move |v| v.map_or(String::new(), |v| format!("{name} = {v}\n")))
        .boxed()
}

/// Joins the parts.
fn lines(parts: Vec<BoxedStrategy<String>>) -> BoxedStrategy<String> {
    parts.prop_map(|p| p.concat()).boxed()
}

/// `[topology]`: a kind with the keys it takes (with a bad mix, sometimes one it does not).
fn topology(m: Mix) -> BoxedStrategy<String> {
    let nodes = || key("nodes", size(m, 3), 1.0);
    let even_k = value(
        m,
        (1..=1i64).prop_map(|k| (2 * k).to_string()).boxed(),
        &["3", "0", "100"],
    );
    let by_kind = prop_oneof![
        lines(vec![Just("kind = \"ring\"\n".into()).boxed(), nodes()]),
        lines(vec![Just("kind = \"star\"\n".into()).boxed(), nodes()]),
        lines(vec![
            Just("kind = \"ring_lattice\"\n".into()).boxed(),
            nodes(),
            key("k", even_k.clone(), 1.0)
        ]),
        lines(vec![
            Just("kind = \"k_out\"\n".into()).boxed(),
            nodes(),
            key("k", value(m, int_in(1, 2), &["0", "30"]), 1.0)
        ]),
        lines(vec![
            Just("kind = \"erdos_renyi\"\n".into()).boxed(),
            nodes(),
            key("p", probability(m), 1.0)
        ]),
        lines(vec![
            Just("kind = \"barabasi_albert\"\n".into()).boxed(),
            nodes(),
            key("m", value(m, int_in(1, 2), &["0", "30"]), 1.0)
        ]),
        lines(vec![
            Just("kind = \"watts_strogatz\"\n".into()).boxed(),
            nodes(),
            key("k", even_k, 1.0),
            key("beta", probability(m), 1.0),
        ]),
        lines(vec![
            Just("kind = \"edge_list\"\n".into()).boxed(),
            key("nodes", value(m, int_in(4, 9), &["3", "0"]), 0.3),
            key(
                "path",
                value(
                    m,
                    one_of(&["\"edges.txt\""]),
                    &["\"bad-edges.txt\"", "\"missing.txt\"", "\".\""]
                ),
                1.0
            ),
        ]),
    ];
    let stray = match m {
        0 => Just(String::new()).boxed(),
        _ => prop_oneof![20 => Just(String::new()), 1 => one_of(&["beta = 0.5\n", "kind = \"hypercube\"\n", "nodez = 3\n"])].boxed(),
    };
    (by_kind, stray)
        .prop_map(|(k, stray)| format!("[topology]\n{k}{stray}"))
        .boxed()
}

fn latency(m: Mix) -> BoxedStrategy<String> {
    let ordered = |m| {
        (time(m), time(m)).prop_map(move |(a, b)| match (a.parse::<f64>(), b.parse::<f64>()) {
            // A good mix keeps min <= max; a bad one may not.
            (Ok(x), Ok(y)) if m == 0 && x > y => (b, a),
            _ => (a, b),
        })
    };
    prop_oneof![
        3 => time(m),
        1 => ordered(m).prop_map(|(a, b)| format!("{{ kind = \"uniform\", min = {a}, max = {b} }}")),
        1 => (time(m), time(m)).prop_map(|(mean, sd)| format!("{{ kind = \"normal\", mean = {mean}, sd = {sd} }}")),
        1 => ordered(m).prop_map(|(min, mean)| format!("{{ kind = \"exponential\", mean = {mean}, min = {min} }}")),
    ]
    .boxed()
}

fn transport(m: Mix) -> BoxedStrategy<String> {
    let link = (time(m),)
        .prop_map(|(l,)| format!("[{{ a = 0, b = 1, latency = {l} }}]"))
        .boxed();
    lines(vec![
        Just("[transport]\n".to_string()).boxed(),
        key("latency", latency(m), 0.8),
        key("loss", probability(m), 0.3),
        key("links", link, 0.2),
    ])
}

/// `[failures]`; churn and repeating crash sets only in a run of bounded
/// duration (`periodic`), as their events would otherwise go on as long as
/// the rest of the run, which a valid huge time makes 10^10 s.
fn failures(m: Mix, periodic: bool) -> BoxedStrategy<String> {
    let crash = (node_id(m), time(m), prop::option::of(time(m)))
        .prop_map(|(n, at, r)| {
            let r = r.map_or(String::new(), |r| format!(", recover = {r}"));
            format!("[{{ node = {n}, at = {at}{r} }}]")
        })
        .boxed();
    let churn = (
        churn_rate(m),
        churn_rate(m),
        value(m, int_in(0, 2), &["-1", "30"]),
    )
        .prop_map(|(l, j, a)| format!("{{ leave_rate = {l}, join_rate = {j}, min_alive = {a} }}"))
        .boxed();
    let size_of_set = prop_oneof![
        value(m, int_in(0, 2), &["-1", "30", "1.5"]).prop_map(|c| format!("count = {c}")),
        probability(m).prop_map(|f| format!("fraction = {f}")),
    ];
    // A good mix repeats with `for` shorter than `every`.
    let repeat = maybe(
        if periodic { 0.5 } else { 0.0 },
        (period(m), prop::option::of(time(m))),
    )
    .prop_map(move |r| {
        r.map_or(String::new(), |(every, until)| {
            let down = match every.parse::<f64>() {
                Ok(e) if m == 0 => format!("{}", e / 2.0),
                _ => "0.25".to_string(),
            };
            let until = until.map_or(String::new(), |u| format!(", until = {u}"));
            format!(", every = {every}, for = {down}{until}")
        })
    });
    let set = (size_of_set, time(m), repeat)
        .prop_map(|(size, at, repeat)| format!("[{{ {size}, at = {at}{repeat} }}]"))
        .boxed();
    lines(vec![
        Just("[failures]\n".to_string()).boxed(),
        key("crashes", crash, 0.3),
        key("churn", churn, if periodic { 0.3 } else { 0.0 }),
        key("crash_set", set, 0.3),
    ])
}

fn pool(m: Mix) -> BoxedStrategy<String> {
    let policy = value(
        m,
        one_of(&["\"reject\"", "\"queue\"", "\"grow\""]),
        &["\"drop\""],
    );
    let stack = value(
        m,
        one_of(&["\"64KiB\"", "\"256KiB\"", "65536"]),
        &["\"1KiB\"", "\"1GiB\"", "-5", "\"99999999999999999999MiB\""],
    );
    let stacks = value(m, one_of(&["\"dedicated\"", "\"shared\""]), &["\"copied\""]);
    lines(vec![
        Just("[pool]\n".to_string()).boxed(),
        key("capacity", size(m, 1), 0.5),
        key("policy", policy, 0.5),
        key("stack_size", stack, 0.3),
        key("stacks", stacks, 0.3),
    ])
}

/// `[mechanism]` and its loads, with the request its kind serves (a bad mix:
/// sometimes one it does not).
fn mechanism_and_loads(m: Mix) -> BoxedStrategy<String> {
    let kinds = select(
        &[
            ("flood", "lookup"),
            ("nested", "call"),
            ("transfer", "transfer"),
        ][..],
    );
    let balance = value(m, int_in(0, 1000), &["-1", "4611686018427387903"]);
    let wrong = maybe(if m == 0 { 0.0 } else { 0.1 }, Just(())).prop_map(|w| w.is_some());
    (
        kinds,
        prop::collection::vec((wrong, load(m)), 0..3),
        small(m),
        balance,
    )
        .prop_map(|((kind, request), loads, n, balance)| {
            let param = match kind {
                "flood" => format!("ttl = {n}\ntimeout = 1.0\n"),
                "nested" => format!("depth = {n}\nservice = 0.001\n"),
                _ => format!("balance = {balance}\n"),
            };
            let mut text = format!("[mechanism]\nkind = \"{kind}\"\n{param}");
            for (wrong, l) in loads {
                let request = if wrong { "nothing" } else { request };
                text.push_str(&format!("[[load]]\nrequest = \"{request}\"\n{l}"));
            }
            text
        })
        .boxed()
}

/// One `[[load]]`'s arrivals and origin (a poisson load always has a count).
fn load(m: Mix) -> BoxedStrategy<String> {
    let arrivals = prop_oneof![
        (rate(m), count(m))
            .prop_map(|(r, c)| format!("arrivals = \"poisson\"\nrate = {r}\ncount = {c}\n")),
        prop::collection::vec(time(m), 1..4).prop_map(|mut t| {
            t.sort_by(|a, b| {
                a.parse::<f64>()
                    .ok()
                    .partial_cmp(&b.parse::<f64>().ok())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            format!("arrivals = \"schedule\"\ntimes = [{}]\n", t.join(", "))
        }),
        (time(m), count(m), prop::option::of(time(m))).prop_map(|(at, c, s)| {
            let s = s.map_or(String::new(), |s| format!("spread = {s}\n"));
            format!("arrivals = \"burst\"\nat = {at}\ncount = {c}\n{s}")
        }),
    ];
    let origin =
        maybe(0.3, node_id(m)).prop_map(|o| o.map_or(String::new(), |o| format!("origin = {o}\n")));
    (arrivals, origin)
        .prop_map(|(a, o)| format!("{a}{o}"))
        .boxed()
}

fn observers_and_check(m: Mix) -> BoxedStrategy<String> {
    let quantiles = value(
        m,
        Just("[0.5, 0.9]".to_string()).boxed(),
        &["[0.5, 1.0]", "[-1]"],
    );
    let jitter = value(
        m,
        one_of(&["\"5ms\"", "0.001"]),
        &["1e20", "\"1e20s\"", "-1", "\"5 parsecs\""],
    );
    lines(vec![
        Just("[observers]\n".to_string()).boxed(),
        key("sample_interval", period(m), 0.4),
        key(
            "max_rows",
            value(m, int_in(2, 1000), &["1", "0", "-1"]),
            0.2,
        ),
        key("latency_quantiles", quantiles, 0.2),
        Just("[check]\n".to_string()).boxed(),
        key("jitter", jitter, 0.3),
        key("depth", value(m, int_in(1, 64), &["0", "65"]), 0.2),
        key("schedules", value(m, int_in(1, 100), &["0", "-1"]), 0.2),
    ])
}

/// A whole scenario, its values bad about `m` times in 100.
fn scenario_with(m: Mix) -> BoxedStrategy<String> {
    let name = value(
        m,
        Just("\"prop\"".to_string()).boxed(),
        &["\"../../escape\"", "\"\"", "\".hidden\""],
    );
    (prop::option::of(duration(m)), prop::bool::ANY)
        .prop_flat_map(move |(duration, periodic)| {
            let head = duration
                .as_ref()
                .map_or(String::new(), |d| format!("duration_s = {d}\n"));
            lines(vec![
                Just(head).boxed(),
                key("name", name.clone(), 0.3),
                key("seed", value(m, int_in(0, 1000), &["-1", "1.5"]), 0.5),
                topology(m),
                transport(m),
                failures(m, periodic && duration.is_some()),
                pool(m),
                mechanism_and_loads(m),
                observers_and_check(m),
            ])
        })
        .boxed()
}

/// Scenarios all good, a little bad, or bad throughout.
fn scenario_text() -> BoxedStrategy<String> {
    prop_oneof![scenario_with(0), scenario_with(2), scenario_with(15)].boxed()
}

/// What `p2psim validate` and `p2psim run` exit with on `text`: the commands'
/// own steps, in-process. A panic is an `Err` with where it came from.
fn exits(text: &str, origin: &str) -> Result<(i32, i32), String> {
    let mechanisms = p2psim::mechanisms::builtin();
    let read =
        || scenario::parse_str(text, origin, &[]).and_then(|s| mechanisms.check(&s).map(|()| s));
    let validate = catch_unwind(AssertUnwindSafe(|| read().is_ok()))
        .map_err(|_| "validate panicked".to_string())?;
    let run = catch_unwind(AssertUnwindSafe(|| match read() {
        Err(_) => Ok(2),
        Ok(s) => match mechanisms.run(&s, RunOptions::default()) {
            Err(_) | Ok(Err(RunFailure::Setup(_))) => Ok(2),
            Ok(Err(RunFailure::Simulation {
                error: SimError::TaskPanicked(p),
                ..
            })) => Err(format!("a task panicked: {}", p.message)),
            Ok(Err(_)) => Ok(1),
            Ok(Ok(_)) => Ok(0),
        },
    }))
    .map_err(|_| "run panicked".to_string())??;
    Ok((if validate { 0 } else { 2 }, run))
}

/// A directory holding the edge lists a generated scenario may name.
fn edge_files() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("p2psim-front-end-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("edges.txt"), "0 1\n1 2\n2 3\n3 0\n").unwrap();
    std::fs::write(dir.join("bad-edges.txt"), "0 1\n1 x\n").unwrap();
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn validate_and_run_agree_and_never_panic(text in scenario_text()) {
        let dir = edge_files();
        let origin = dir.join("s.toml").display().to_string();
        let (validate, run) = exits(&text, &origin).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        match validate {
            0 => prop_assert!(run == 0 || run == 1, "validate ok, run exit {run}:\n{text}"),
            _ => prop_assert_eq!(run, 2, "validate refused, run did not:\n{}", text),
        }
    }
}
