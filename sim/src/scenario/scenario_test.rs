//! Whole-file behaviour: defaults, overrides, names and the public error format.

use std::path::Path;

use super::*;

const MIN: &str = "[topology]\nkind = \"ring\"\nnodes = 6\n[mechanism]\nkind = \"flood\"\n";

fn sets(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn defaults_fill_everything_optional() {
    let s = parse_str(MIN, "dir/bazaar.toml", &[]).unwrap();
    assert_eq!(s.name, "bazaar");
    assert_eq!(s.seed, 1);
    assert_eq!(s.duration_s, None);
    assert_eq!(s.nodes(), Some(6));
    assert_eq!(
        s.transport,
        TransportSpec {
            latency: LatencySpec::Each(crate::dist::Distribution::Constant(0.0)),
            loss: 0.0,
            links: vec![],
            message_bytes: DEFAULT_MESSAGE_BYTES,
        }
    );
    assert_eq!(s.failures, FailureSpec::default());
    assert_eq!(
        s.pool,
        PoolSpec {
            capacity: None,
            policy: PoolPolicySpec::Queue,
            stack_size: 256 * 1024,
            shared_stack: false,
        }
    );
    assert_eq!(
        s.observers,
        ObserverSpec {
            sample_interval: 1.0,
            latency_quantiles: vec![0.5, 0.9, 0.99],
            max_rows: crate::scenario::DEFAULT_MAX_ROWS,
        }
    );
    assert_eq!(
        s.output,
        OutputSpec {
            dir: None,
            csv: true
        }
    );
    assert!(s.loads.is_empty());
    assert!(s.mechanism.params.finish().is_ok());
}

#[test]
fn overrides_change_values() {
    let s = parse_str(
        MIN,
        "a.toml",
        &sets(&[
            "pool.capacity=32",
            "seed=7",
            "topology.kind=\"star\"",
            "mechanism.hopcount=3",
            "name=run two",
        ]),
    )
    .unwrap();
    assert_eq!(s.pool.capacity, Some(32));
    assert_eq!(s.seed, 7);
    assert_eq!(s.topology, TopologySpec::Star { nodes: 6 });
    assert_eq!(s.mechanism.params.u64("hopcount", 1).unwrap(), 3);
    assert_eq!(s.name, "run two");
    let s = parse_str(
        MIN,
        "a.toml",
        &sets(&["topology.kind=ring_lattice", "topology.k=2"]),
    )
    .unwrap();
    assert_eq!(s.topology, TopologySpec::RingLattice { nodes: 6, k: 2 });
}

#[test]
fn override_errors_name_the_argument() {
    let e = parse_str(MIN, "a.toml", &sets(&["pool.capcity=3"])).unwrap_err();
    assert_eq!(e.origin, "--set pool.capcity=3");
    assert_eq!((e.line, e.column, e.key.as_str()), (1, 6, "pool.capcity"));
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("did you mean `capacity`?"),
        "{e}"
    );
    let e = parse_str(MIN, "a.toml", &sets(&["pool.capacity=many"])).unwrap_err();
    assert_eq!(e.origin, "--set pool.capacity=many");
    assert_eq!((e.line, e.column), (1, 15));
    assert!(
        e.message
            .contains("expected an integer >= 1, found string \"many\""),
        "{e}"
    );
    let e = parse_str(MIN, "a.toml", &sets(&["bogus=1"])).unwrap_err();
    assert_eq!(e.key, "bogus");
}

#[test]
fn file_and_syntax_errors_use_the_same_format() {
    let e = parse_str("[topology\n", "s.toml", &[]).unwrap_err();
    assert_eq!(
        (e.origin.as_str(), e.line, e.key.as_str()),
        ("s.toml", 1, "toml")
    );
    assert!(e.to_string().starts_with("error: s.toml:1:"), "{e}");
    let e = load_file(Path::new("/definitely/not/here.toml"), &[]).unwrap_err();
    assert_eq!(e.key, "file");
}

#[test]
fn missing_required_key_points_at_header() {
    let e = parse_str(
        "seed = 1\n\n[topology]\nkind = \"ring\"\n[mechanism]\nkind = \"x\"\n",
        "h.toml",
        &[],
    )
    .unwrap_err();
    assert_eq!((e.key.as_str(), e.line, e.column), ("topology.nodes", 3, 1));
    assert_eq!(e.help.as_deref(), Some("add `nodes = 6` to [topology]"));
}

#[test]
fn poisson_with_duration_and_load_params() {
    let text = format!("duration_s = 5\n{MIN}[[load]]\nrequest = \"get\"\narrivals = \"poisson\"\nrate = 3\nkey = \"k1\"\n");
    let s = parse_str(&text, "l.toml", &[]).unwrap();
    let l = &s.loads[0];
    assert_eq!(l.arrivals, ArrivalSpec::Poisson { rate: 3.0 });
    assert_eq!(l.origin, OriginSpec::Uniform);
    assert_eq!(l.params.string("key", "").unwrap(), "k1");
    assert_eq!(l.params.prefix(), "load[0]");
    let s = parse_str(&text, "l.toml", &sets(&["load[0].rate=9"])).unwrap();
    assert_eq!(s.loads[0].arrivals, ArrivalSpec::Poisson { rate: 9.0 });
}

#[test]
fn parsing_is_deterministic() {
    let text = format!("{MIN}[pool]\ncapacty = 1\npolcy = 2\n");
    let a = parse_str(&text, "d.toml", &[]).unwrap_err();
    let b = parse_str(&text, "d.toml", &[]).unwrap_err();
    assert_eq!(a, b);
    assert_eq!(a.key, "pool.capacty");
}

#[test]
fn a_name_is_one_file_name() {
    for bad in ["../../escape", "a/b", "a\\\\b", ".hidden"] {
        let e = parse_str(&format!("name = \"{bad}\"\n{MIN}"), "n.toml", &[]).unwrap_err();
        assert_eq!(e.key, "name", "{bad}");
        assert!(e.message.contains("results directory"), "{bad}: {e}");
    }
    let s = parse_str(&format!("name = \"flood v2.1\"\n{MIN}"), "n.toml", &[]).unwrap();
    assert_eq!(s.name, "flood v2.1");
}
