//! `check --shard i/n`: the shards run disjoint schedules whose union is the
//! unsharded check's, and the shard that owns the first failing schedule finds
//! that very schedule.

use super::cmd::{assert_exit, p2psim_in, scratch};

fn demo() -> String {
    format!(
        "{}/scenarios/check-transfer.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn three_check_shards_run_the_unsharded_schedules() {
    let dir = scratch("check-shard");
    let fixed = [
        "--set",
        "mechanism.release_before_call=true",
        "--strategy",
        "random",
    ];
    let run = |extra: &[&str]| {
        let demo = demo();
        let mut args = vec!["check", demo.as_str(), "--schedules", "61", "--quiet"];
        args.extend_from_slice(&fixed);
        args.extend_from_slice(extra);
        let r = p2psim_in(&dir, &args);
        assert_exit(&r, 0, "", &format!("{extra:?}"));
        String::from_utf8_lossy(&r.stdout).into_owned()
    };
    assert!(run(&[]).contains("61 schedules of check-transfer"));
    for (i, n, first) in [(0, 21, "1, 4"), (1, 20, "2, 5"), (2, 20, "3, 6")] {
        let out = run(&["--shard", &format!("{i}/3")]);
        assert!(
            out.contains(&format!("{n} schedules of check-transfer")),
            "{out}"
        );
        assert!(
            out.contains(&format!("{i}/3: schedules {first}, ... of 61")),
            "{out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The schedule a failing check names: "... in schedule N (...".
fn failing_schedule(stderr: &str) -> u64 {
    let at = stderr
        .find(" in schedule ")
        .expect("the report names the schedule")
        + 13;
    stderr[at..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_shard_owning_the_first_failure_finds_it() {
    let dir = scratch("check-shard-bug");
    let demo = demo();
    let base = [
        "check",
        demo.as_str(),
        "--schedules",
        "60",
        "--quiet",
        "--strategy",
        "random",
        "--no-shrink",
    ];
    let r = p2psim_in(&dir, &base);
    assert_exit(&r, 1, "in schedule", "unsharded");
    let first = failing_schedule(&String::from_utf8_lossy(&r.stderr));
    let owner = (first - 1) % 3;
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = base.to_vec();
        args.extend_from_slice(&["--shard", &shard]);
        let r = p2psim_in(&dir, &args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        if i == owner {
            assert_exit(&r, 1, "in schedule", &shard);
            assert_eq!(failing_schedule(&stderr), first, "{shard}");
        } else if r.status.code() == Some(1) {
            assert!(failing_schedule(&stderr) > first, "{shard}: {stderr}");
        }
        if r.status.code() == Some(1) {
            let name = format!("failure-shard{i}of3.json");
            assert!(stderr.contains(&format!("replay {name}")), "{stderr}");
            assert!(dir.join(&name).exists(), "{name}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
