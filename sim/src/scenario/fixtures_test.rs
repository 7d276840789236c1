//! Every broken fixture must fail with the key and message its `# expect:` line names,
//! at a line and column inside the file; plus garbage and truncation never panic.

use std::path::PathBuf;

use super::{load_file, parse_str};

/// The fixture folder sits in the crate in the scratch copy and at the workspace root in p2psim.
fn fixture_dir() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("tests/scenarios/broken"),
        here.join("../tests/scenarios/broken"),
    ]
    .into_iter()
    .find(|d| d.is_dir())
    .expect("tests/scenarios/broken not found")
}

fn fixtures() -> Vec<(PathBuf, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn every_broken_fixture_reports_its_expected_error() {
    let all = fixtures();
    assert!(all.len() >= 20, "only {} fixtures", all.len());
    for (path, text) in all {
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| {
                panic!(
                    "{}: first line must be `# expect: <key> <text>`",
                    path.display()
                )
            });
        let (key, needle) = expect.split_once(' ').unwrap();
        let err = load_file(&path, &[]).expect_err(&path.display().to_string());
        let shown = err.to_string();
        assert_eq!(err.key, key, "{}: {shown}", path.display());
        assert!(
            err.message.contains(needle),
            "{}: wanted {needle:?} in {shown}",
            path.display()
        );
        assert_eq!(err.origin, path.display().to_string());
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(err.line >= 1 && err.line <= lines.len(), "{shown}");
        let width = lines[err.line - 1].chars().count();
        assert!(err.column >= 1 && err.column <= width + 1, "{shown}");
    }
}

const VALID: &str = r#"name = "ok"
seed = 9
duration_s = 50.0
[topology]
kind = "watts_strogatz"
nodes = 12
k = 4
beta = 0.2
[transport]
latency = { kind = "normal", mean = 0.01, sd = 0.002 }
links = [ { a = 0, b = 1, latency = 0.5 } ]
[failures]
crashes = [ { node = 3, at = 10.0, recover = 20.0 } ]
crash_set = [ { count = 2, at = 5.0, exclude = [0] }, { fraction = 0.25, at = 0, every = 10, for = 2 } ]
churn = { leave_rate = 0.01, join_rate = 0.01, min_alive = 1 }
[pool]
capacity = 64
stack_size = "1MiB"
[mechanism]
kind = "flood"
ttl = 4
[[load]]
request = "lookup"
arrivals = "poisson"
rate = 10.0
origin = [1, 2]
[observers]
latency_quantiles = [0.5]
[output]
dir = "out"
"#;

/// Checks the error, if any, points inside `text`.
fn check_located(text: &str, origin: &str) {
    if let Err(e) = parse_str(text, origin, &[]) {
        let lines = text.split('\n').count();
        assert!(e.line >= 1 && e.line <= lines, "{e} ({lines} lines)");
        assert!(e.column >= 1, "{e}");
    }
}

#[test]
fn truncations_never_panic_and_stay_located() {
    assert!(parse_str(VALID, "v.toml", &[]).is_ok());
    let mut texts = vec![VALID.to_string()];
    texts.extend(fixtures().into_iter().map(|(_, t)| t));
    for text in texts {
        for (cut, _) in text.char_indices() {
            check_located(&text[..cut], "cut.toml");
        }
    }
}

#[test]
fn garbage_never_panics() {
    // A fixed LCG keeps this deterministic without a rand dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let alphabet: Vec<char> = "[]{}=\"'.,#\n 0123456789abcxyz_-+éinfnan".chars().collect();
    for _ in 0..2000 {
        let len = (state >> 33) as usize % 80;
        let mut s = String::new();
        for _ in 0..len {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push(alphabet[(state >> 33) as usize % alphabet.len()]);
        }
        check_located(&s, "garbage.toml");
        let mutated = format!("{}{}", &VALID[..VALID.len() / 2], s);
        check_located(&mutated, "garbage.toml");
        let _ = parse_str(
            VALID,
            "v.toml",
            &[s.clone(), format!("pool.{s}"), format!("x={s}")],
        );
    }
}
