//! `replay` refuses a failure file that does not fit (exit 2, naming the
//! field): another format version, fields out of range, decisions past the
//! run's end, requests of loads its scenario lacks, a file changed since it was
//! written; and a failure found by a user's binary names that binary, and
//! replaying it where its mechanism is missing says which binary can.

use std::path::Path;
use std::process::Output;

use p2psim::sim::check::{Check, Strategy};
use p2psim::sim::scenario::{self, Params, Scenario, ScenarioError};
use p2psim::sim::{request_kinds, Ctx, Incoming, Mechanism, Mechanisms, Request, RequestOutcome};
use serde_json::Value;

use super::cmd::{assert_exit, p2psim_in, scratch};

/// `p2psim check` of the transfer demo (50 schedules) in `dir`, with `extra`.
fn check(dir: &Path, extra: &[&str]) -> Output {
    let demo = format!(
        "{}/scenarios/check-transfer.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut args = vec!["check", &demo, "--schedules", "50", "--quiet"];
    args.extend_from_slice(extra);
    p2psim_in(dir, &args)
}

/// A failure found by `p2psim check` on the transfer demo, as a JSON value.
fn found(dir: &Path) -> Value {
    let r = check(dir, &[]);
    assert_exit(&r, 1, "replay it: p2psim replay failure.json", "check");
    serde_json::from_str(&std::fs::read_to_string(dir.join("failure.json")).unwrap()).unwrap()
}

/// How a test changes one field of a failure file.
enum Edit {
    Keep,
    Set(Value),
    Append(Value),
    Prepend(Value),
    Remove,
}

impl Edit {
    /// Applies it to `field` (a JSON pointer; a top-level name to add or remove).
    fn apply(self, file: &mut Value, field: &str) {
        let top = file.as_object_mut().unwrap();
        match self {
            Edit::Keep => {}
            Edit::Remove => drop(top.remove(field)),
            Edit::Set(v) if !field.starts_with('/') => drop(top.insert(field.into(), v)),
            Edit::Set(v) => *file.pointer_mut(field).unwrap() = v,
            Edit::Append(v) => file
                .pointer_mut(field)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(v),
            Edit::Prepend(v) => file
                .pointer_mut(field)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .insert(0, v),
        }
    }
}

#[test]
fn a_failure_file_that_does_not_fit_is_exit_2_naming_the_field() {
    let dir = scratch("replay-fit");
    let file = found(&dir);
    assert_eq!(file["version"], 1);
    assert_eq!(file["mechanism"], "transfer");
    let total = file["decisions_total"].as_u64().unwrap();
    use serde_json::json;
    use Edit::{Append, Keep, Prepend, Remove, Set};
    // (what, the field as a JSON pointer, the edit, a phrase of the error)
    let cases = [
        ("as written", "", Keep, ""),
        (
            "past the end",
            "/decisions",
            Append(json!([[u64::MAX / 2, total + 100], 1])),
            "`decisions`: choice",
        ),
        (
            "unknown load",
            "/requests",
            Append(json!([5, 0])),
            "`requests`: load[5] #0",
        ),
        (
            "past a load's count",
            "/requests",
            Append(json!([0, 99])),
            "past that load's",
        ),
        (
            "an extra decision",
            "/decisions",
            Prepend(json!([[0, 0], 1])),
            "`digest`",
        ),
        (
            "another report",
            "/report",
            Set(json!("nothing")),
            "`digest`",
        ),
        (
            "another version",
            "/version",
            Set(json!(2)),
            "`version`: format version 2",
        ),
        ("no version", "version", Remove, "no format `version`"),
        (
            "an unknown field",
            "format",
            Set(json!(7)),
            "unknown field `format`",
        ),
        (
            "jitter 1e300",
            "/jitter_s",
            Set(json!(1e300)),
            "`jitter_s`: 1e300",
        ),
        ("jitter -1", "/jitter_s", Set(json!(-1.0)), "`jitter_s`: -1"),
        (
            "pct depth 0",
            "/strategy/depth",
            Set(json!(0)),
            "`strategy`: PCT's depth",
        ),
        (
            "another mechanism",
            "/mechanism",
            Set(json!("flood")),
            "`mechanism`: `flood`, but",
        ),
    ];
    for (what, field, edit, phrase) in cases {
        let mut f = file.clone();
        edit.apply(&mut f, field);
        let path = dir.join("edited.json");
        std::fs::write(&path, serde_json::to_string_pretty(&f).unwrap()).unwrap();
        let r = p2psim_in(&dir, &["replay", path.to_str().unwrap()]);
        if phrase.is_empty() {
            assert_exit(&r, 1, "identical to the recorded failure", what);
        } else {
            assert_exit(&r, 2, phrase, what);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_never_replaces_a_failure_file() {
    let dir = scratch("replay-keep");
    let first = found(&dir);
    let r = check(&dir, &["--set", "mechanism.amount=2"]);
    assert_exit(
        &r,
        1,
        "replay it: p2psim replay failure-2.json",
        "second check",
    );
    let kept: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("failure.json")).unwrap()).unwrap();
    assert_eq!(kept, first, "the first failure is kept");
    // A named one that exists is refused before anything runs.
    let r = check(&dir, &["--failure", "failure.json"]);
    assert_exit(
        &r,
        2,
        "--failure failure.json: the file exists",
        "named, existing",
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    let r = check(&dir, &["--failure", "failure.json", "--force"]);
    assert_exit(&r, 1, "replay it: p2psim replay failure.json", "forced");
    let _ = std::fs::remove_dir_all(&dir);
}

request_kinds! {
    /// The one request of the planted bug.
    pub enum RingRequest { Turn = "turn" }
}

/// A user's mechanism with a planted bug: its invariant never holds.
struct LockRing;

impl Mechanism for LockRing {
    const KIND: &'static str = "lockring";
    type Params = ();
    type Request = RingRequest;
    type Msg = ();
    type Report = ();

    fn params(table: &Params, _scenario: &Scenario) -> Result<(), ScenarioError> {
        table.finish()
    }

    fn new((): ()) -> Self {
        LockRing
    }

    fn handle(&self, _ctx: &Ctx<Self>, _m: Incoming<()>) {}

    fn request(&self, _ctx: &Ctx<Self>, _req: &Request<RingRequest>) -> RequestOutcome {
        RequestOutcome::succeeded()
    }

    fn report(&self) {}

    fn check(&self) -> Result<(), String> {
        Err("the ring is broken".to_string())
    }
}

#[test]
fn a_failure_from_a_users_binary_names_it_and_p2psim_says_so() {
    let dir = scratch("replay-user");
    let path = dir.join("ring.toml");
    std::fs::write(
        &path,
        "name = \"ring\"\n[topology]\nkind = \"ring\"\nnodes = 3\n[mechanism]\nkind = \"lockring\"\n\
         [[load]]\nrequest = \"turn\"\narrivals = \"poisson\"\nrate = 10.0\ncount = 2\n",
    )
    .unwrap();
    let ring = scenario::load_file(&path, &[]).unwrap();
    let mechanisms = Mechanisms::new().with::<LockRing>();
    let mut failure = Check::new(Strategy::Random, 5)
        .run(&mechanisms, &ring, &|_| {})
        .unwrap_err();
    let saved = dir.join("failure.json");
    failure
        .save_as(&saved, "cargo run --release --example lockring --")
        .unwrap();
    let hint = format!(
        "replay it: cargo run --release --example lockring -- replay {}",
        saved.display()
    );
    assert!(failure.to_string().ends_with(&hint), "{failure}");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(file["mechanism"], "lockring");
    assert_eq!(file["program"], "cargo run --release --example lockring --");
    let r = p2psim_in(&dir, &["replay", saved.to_str().unwrap()]);
    assert_exit(
        &r,
        2,
        "its mechanism `lockring` is not in this program",
        "p2psim replay",
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        stderr.contains("cargo run --release --example lockring -- replay"),
        "{stderr}"
    );
    assert!(!stderr.contains("trace hash"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
