//! Bad and extreme input, as an adversarial user gives it: one case per cause
//! of issue 29 (and a crash set of none, issue 30), each its input, the exit
//! code it must get (0 ok, 1 the run failed with a report, 2 bad input) and a
//! phrase of what it must say. Every case runs under a time limit: a hang is
//! a failure too.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::bin::{command, Run};

/// A flooding lookup on a ring of 4: the base most cases change with `--set`.
const FLOOD: &str = "name = \"flood\"
[topology]
kind = \"ring\"
nodes = 4
[mechanism]
kind = \"flood\"
ttl = 2
[[load]]
request = \"lookup\"
arrivals = \"poisson\"
rate = 1.0
count = 3
";

/// A flood on an edge list beside it (`edges.txt`).
const ON_EDGES: &str = "[topology]
kind = \"edge_list\"
path = \"edges.txt\"
[mechanism]
kind = \"flood\"
[[load]]
request = \"lookup\"
arrivals = \"poisson\"
rate = 1.0
count = 3
";

/// Its node count declared: 3.
const ON_EDGES_OF_3: &str = "[topology]
kind = \"edge_list\"
nodes = 3
path = \"edges.txt\"
[mechanism]
kind = \"flood\"
";

/// A million calls at once on a pool that grows a worker (a stack) for each.
const GROW_BURST: &str = "[topology]
kind = \"ring\"
nodes = 4
[pool]
policy = \"grow\"
capacity = 4
[mechanism]
kind = \"nested\"
[[load]]
request = \"call\"
arrivals = \"burst\"
at = 1.0
count = 1000000
";

/// FADA's parallel extensions on stacks of 64 MiB.
const FADA_BIG_STACKS: &str = "[topology]
kind = \"barabasi_albert\"
nodes = 300
m = 2
[transport]
latency = 0.01
[pool]
stack_size = \"64MiB\"
[mechanism]
kind = \"fada\"
ttl = 4
catalogue = 1
replicas = 3
propagation = \"parallel\"
[[load]]
request = \"lookup\"
arrivals = \"burst\"
at = 0.0
count = 200
";

/// The transfer demo's accounts at the documented largest balance.
const RICH_TRANSFERS: &str = "[topology]
kind = \"ring\"
nodes = 8
[mechanism]
kind = \"transfer\"
balance = 4611686018427387903
";

/// A crash set of a fraction and a count of none: the baseline of a sweep over them.
const NO_CRASH: &str = "[topology]
kind = \"ring\"
nodes = 10
[failures]
crash_set = [{ fraction = 0.0, at = 0.5 }, { count = 0, at = 0.5 }]
[mechanism]
kind = \"flood\"
[[load]]
request = \"lookup\"
arrivals = \"poisson\"
rate = 1.0
count = 3
";

/// One adversarial input.
struct Case {
    /// What is wrong, in the terms.
    what: &'static str,
    /// The scenario file's text (`s.toml`), if the command takes one.
    scenario: &'static str,
    /// Files beside it: name and text.
    files: &'static [(&'static str, &'static str)],
    /// The arguments: `{s}` is the scenario, `{dir}` the case's directory; a
    /// leading `ulimit=KIB` runs the rest under that cap of address space.
    args: &'static [&'static str],
    /// The exit code it must get.
    code: i32,
    /// A phrase stderr must hold.
    says: &'static str,
}

const CASES: &[Case] = &[
    // 1. Values past the virtual clock.
    Case {
        what: "a latency past the clock",
        scenario: FLOOD,
        files: &[],
        args: &["run", "{s}", "--set", "transport.latency=1e308"],
        code: 2,
        says: "`transport.latency`: 1e308 is out of range: expected a number in [0, 1.8e10]",
    },
    Case {
        what: "a uniform latency's max past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "transport.latency={kind=\"uniform\",min=0,max=1e308}",
        ],
        code: 2,
        says: "`transport.latency.max`",
    },
    Case {
        what: "a link's latency past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "validate",
            "{s}",
            "--set",
            "transport.links=[{a=0,b=1,latency=1e20}]",
        ],
        code: 2,
        says: "`transport.links[0].latency`",
    },
    Case {
        what: "hops that each fit the clock and whose sum does not",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "transport.latency=5e9",
            "--set",
            "topology.nodes=10",
            "--set",
            "mechanism.ttl=4",
        ],
        code: 1,
        says: "the run reached the end of the virtual clock",
    },
    Case {
        what: "a check of a run that passes the end of the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "check",
            "{s}",
            "--failure",
            "{dir}/f.json",
            "--set",
            "transport.latency=5e9",
            "--set",
            "topology.nodes=10",
            "--set",
            "mechanism.ttl=4",
        ],
        code: 1,
        says: "check stopped in schedule 0: the run reached the end of the virtual clock",
    },
    Case {
        what: "a rate whose gaps pass the clock",
        scenario: FLOOD,
        files: &[],
        args: &["run", "{s}", "--set", "load[0].rate=1e-11"],
        code: 2,
        says: "`load[0].rate`: 1e-11 is out of range",
    },
    Case {
        what: "a scheduled time past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "load[0]={request=\"lookup\",arrivals=\"schedule\",times=[1.0,1e11]}",
        ],
        code: 2,
        says: "`load[0].times`: 1e11 is out of range",
    },
    Case {
        what: "a burst past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "load[0]={request=\"lookup\",arrivals=\"burst\",at=1e308,count=2}",
        ],
        code: 2,
        says: "`load[0].at`",
    },
    Case {
        what: "a crash past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "validate",
            "{s}",
            "--set",
            "failures.crashes=[{node=1,at=1e20}]",
        ],
        code: 2,
        says: "`failures.crashes[0].at`",
    },
    // 2. Events closer than 1 ns.
    Case {
        what: "churn faster than the clock's nanosecond",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "duration_s=10",
            "--set",
            "failures.churn={leave_rate=1e308,join_rate=1e308}",
        ],
        code: 2,
        says: "events closer than 1 ns",
    },
    Case {
        what: "a crash set repeating faster than 1 ns",
        scenario: FLOOD,
        files: &[],
        args: &[
            "run",
            "{s}",
            "--set",
            "duration_s=10",
            "--set",
            "failures.crash_set=[{count=1,at=0,every=1e-12,for=1e-13}]",
        ],
        code: 2,
        says: "`failures.crash_set[0].every`",
    },
    // 3. Floats that are no duration.
    Case {
        what: "[check] jitter past the clock, validated",
        scenario: FLOOD,
        files: &[],
        args: &["validate", "{s}", "--set", "check.jitter=1e20"],
        code: 2,
        says: "`check.jitter`",
    },
    Case {
        what: "check --jitter past the clock",
        scenario: FLOOD,
        files: &[],
        args: &[
            "check",
            "{s}",
            "--jitter",
            "1e20s",
            "--failure",
            "{dir}/f.json",
        ],
        code: 2,
        says: "--jitter 1e20s: 1e20 s is past the end of the virtual clock",
    },
    Case {
        what: "check --jitter negative",
        scenario: FLOOD,
        files: &[],
        args: &["check", "{s}", "--jitter=-1ms", "--failure", "{dir}/f.json"],
        code: 2,
        says: "is negative",
    },
    // 5. `validate` runs every check `run` makes.
    Case {
        what: "too many nodes, validated",
        scenario: FLOOD,
        files: &[],
        args: &["validate", "{s}", "--set", "topology.nodes=100000000"],
        code: 2,
        says: "--set topology.nodes=100000000:1:16: `topology.nodes`: nodes = 100000000 must \
               be at most 16777216",
    },
    Case {
        what: "an Erdos-Renyi graph too dense, validated",
        scenario: FLOOD,
        files: &[],
        args: &[
            "validate",
            "{s}",
            "--set",
            "topology={kind=\"erdos_renyi\",nodes=1000000,p=0.5}",
        ],
        code: 2,
        says: "`topology.p`: expected p * nodes * (nodes - 1) / 2",
    },
    Case {
        what: "an edge list with a malformed line, validated",
        scenario: ON_EDGES,
        files: &[("edges.txt", "0 1\n1 x\n")],
        args: &["validate", "{s}"],
        code: 2,
        says: "edges.txt:2:3: `topology.path`: expected a node id",
    },
    // 6. An edge past the declared `nodes`.
    Case {
        what: "an edge past the declared node count",
        scenario: ON_EDGES_OF_3,
        files: &[("edges.txt", "0 1\n2 5\n")],
        args: &["validate", "{s}"],
        code: 2,
        says: "edges.txt:2:3: `topology.path`: node id 5 must be below 3",
    },
    // 7. Memory and threads the machine cannot give.
    Case {
        what: "a growing pool past the memory cap",
        scenario: GROW_BURST,
        files: &[],
        args: &[
            "ulimit=4000000",
            "run",
            "{s}",
            "--quiet",
            "--out",
            "{dir}/out",
        ],
        code: 1,
        says: "out of memory",
    },
    Case {
        what: "stacks of 64 MiB past the memory cap",
        scenario: FADA_BIG_STACKS,
        files: &[],
        args: &[
            "ulimit=4000000",
            "run",
            "{s}",
            "--quiet",
            "--out",
            "{dir}/out",
        ],
        code: 1,
        says: "out of memory",
    },
    // The 16,777,216 nodes under 4 GB, scaled down 8 times (a debug build
    // takes a minute for the former): the same allocation failure, sooner.
    Case {
        what: "the transfer demo on 2,097,152 nodes past the memory cap",
        scenario: "",
        files: &[],
        args: &[
            "ulimit=300000",
            "check",
            "scenarios/check-transfer.toml",
            "--quiet",
            "--schedules",
            "2",
            "--failure",
            "{dir}/f.json",
            "--set",
            "topology.nodes=2097152",
        ],
        code: 1,
        says: "out of memory: the system refused an allocation of",
    },
    Case {
        what: "the transfer demo as shipped, under the same cap",
        scenario: "",
        files: &[],
        args: &[
            "ulimit=300000",
            "check",
            "scenarios/check-transfer.toml",
            "--quiet",
            "--schedules",
            "2",
            "--no-shrink",
            "--failure",
            "{dir}/f.json",
        ],
        code: 1,
        says: "deadlock",
    },
    Case {
        what: "more check threads than allowed",
        scenario: "",
        files: &[],
        args: &["check", "scenarios/check-transfer.toml", "--jobs", "5000"],
        code: 2,
        says: "5000 is not in 1..=1024",
    },
    // 8. Totals past 64 bits.
    Case {
        what: "transfer accounts whose total passes 2^64",
        scenario: RICH_TRANSFERS,
        files: &[],
        args: &["validate", "{s}"],
        code: 2,
        says: "`mechanism.balance`: 8 accounts of 4611686018427387903 each",
    },
    // 9. `--set` values that are not TOML.
    Case {
        what: "a --set value that is no TOML",
        scenario: FLOOD,
        files: &[],
        args: &["validate", "{s}", "--set", "name=\"a\"b\""],
        code: 2,
        says: "`\"a\"b\"` is not a TOML value",
    },
    // 14. A name that leaves results/.
    Case {
        what: "a name with a path in it",
        scenario: FLOOD,
        files: &[],
        args: &["run", "{s}", "--set", "name=\"../../escape\""],
        code: 2,
        says: "`name`: name \"../../escape\" holds a path separator",
    },
    // 15. Flags and keys under one rule.
    Case {
        what: "a seed past a TOML integer",
        scenario: FLOOD,
        files: &[],
        args: &["run", "{s}", "--seed", "18446744073709551615"],
        code: 2,
        says: "for '--seed <SEED>'",
    },
    Case {
        what: "check --schedules 0",
        scenario: "",
        files: &[],
        args: &["check", "scenarios/check-transfer.toml", "--schedules", "0"],
        code: 2,
        says: "for '--schedules <SCHEDULES>'",
    },
    Case {
        what: "check --depth 65",
        scenario: "",
        files: &[],
        args: &["check", "scenarios/check-transfer.toml", "--depth", "65"],
        code: 2,
        says: "65 is not in 1..=64",
    },
    Case {
        what: "bench --runs 0",
        scenario: "",
        files: &[],
        args: &["bench", "W1", "--runs", "0", "--quick"],
        code: 2,
        says: "for '--runs <RUNS>'",
    },
    Case {
        what: "an edge-list path that is a directory",
        scenario: "[topology]\nkind = \"edge_list\"\npath = \".\"\n[mechanism]\nkind = \"flood\"\n",
        files: &[],
        args: &["validate", "{s}"],
        code: 2,
        says: "is a directory, not an edge list file",
    },
    // Issue 30: the no-crash baseline of a sweep over a crash set's size.
    Case {
        what: "a crash set of none",
        scenario: NO_CRASH,
        files: &[],
        args: &["run", "{s}", "--quiet", "--out", "{dir}/out"],
        code: 0,
        says: "",
    },
];

/// The most a case may take (the slowest takes seconds): a hang is a failure.
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn every_adversarial_input_gets_its_exit_code_and_says_what_is_wrong() {
    let root = std::env::temp_dir().join(format!("p2psim-adversarial-{}", std::process::id()));
    let mut wrong = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let dir = root.join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let out = match run(case, &dir) {
            Ok(out) => out,
            Err(why) => {
                wrong.push(format!("{}: {why}", case.what));
                continue;
            }
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(case.code) || !stderr.contains(case.says) {
            wrong.push(format!(
                "{}: exit {:?} (want {}), stderr:\n{stderr}",
                case.what,
                out.status.code(),
                case.code
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_name_with_a_path_writes_nothing_outside_results() {
    let dir = std::env::temp_dir().join(format!("p2psim-escape-{}", std::process::id()));
    let inner = dir.join("a/b");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(inner.join("s.toml"), FLOOD).unwrap();
    let out = command()
        .current_dir(&inner)
        .args(["run", "s.toml", "--quiet", "--set", "name=\"../../escape\""])
        .run();
    assert_eq!(out.status.code(), Some(2));
    let written: Vec<PathBuf> = walk(&dir)
        .into_iter()
        .filter(|p| !p.ends_with("s.toml"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_refuses_a_depth_check_refuses() {
    let dir = std::env::temp_dir().join(format!("p2psim-depth0-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let failure = dir.join("failure.json");
    let f = failure.to_str().unwrap();
    let o = crate::bin::p2psim(&[
        "check",
        "scenarios/check-transfer.toml",
        "--quiet",
        "--no-shrink",
        "--failure",
        f,
    ]);
    assert_eq!(o.status.code(), Some(1), "the demo fails its check");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&failure).unwrap()).unwrap();
    json["strategy"] = serde_json::json!({ "kind": "pct", "depth": 0 });
    std::fs::write(&failure, json.to_string()).unwrap();
    let o = crate::bin::p2psim(&["replay", f]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PCT's depth is 1 to 64, not 0"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `case` in `dir`: its output, or why it broke the promise (a panic, a hang).
fn run(case: &Case, dir: &Path) -> Result<Output, String> {
    let scenario = dir.join("s.toml");
    if !case.scenario.is_empty() {
        std::fs::write(&scenario, case.scenario).unwrap();
    }
    for (name, text) in case.files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let fill = |a: &str| {
        a.replace("{s}", scenario.to_str().unwrap())
            .replace("{dir}", dir.to_str().unwrap())
    };
    let mut args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let cap = args
        .first()
        .and_then(|a| a.strip_prefix("ulimit="))
        .map(str::to_owned);
    let mut cmd = match cap {
        Some(kib) => {
            args.remove(0);
            let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
            let mut c = crate::bin::sh_command(&format!(
                "ulimit -v {kib}; exec \"$P2PSIM\" {}",
                quoted.join(" ")
            ));
            c.current_dir(env!("CARGO_MANIFEST_DIR"));
            c
        }
        _ => {
            let mut c = command();
            c.args(&args).current_dir(env!("CARGO_MANIFEST_DIR"));
            c
        }
    };
    crate::bin::run_within(&mut cmd, LIMIT)
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
