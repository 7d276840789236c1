//! The sweep's grid is checked before anything runs: its size is bounded,
//! every swept key changes the runs once, an error names the flag the user
//! wrote, an empty shard says so, and runs that cannot be set up are never
//! exit 0.

use super::cmd::{assert_exit, p2psim_in, scratch, small_scenario};

#[test]
fn bad_grids_are_exit_2_naming_the_flag() {
    let dir = scratch("sweep-grid");
    let with_load = small_scenario(&dir, 5);
    let no_load_dir = dir.join("no-load");
    std::fs::create_dir_all(&no_load_dir).unwrap();
    let no_load = small_scenario(&no_load_dir, 0);
    // (scenario, arguments, phrase of the error)
    let cases: [(&str, &[&str], &str); 10] = [
        (
            &with_load,
            &[
                "--param",
                "pool.capacity=8",
                "--seeds",
                "0..18446744073709551615",
            ],
            "--seeds 0..18446744073709551615",
        ),
        (
            &with_load,
            &["--param", "pool.capacity=8", "--seeds", "1..100000000000"],
            "at most 100000 runs",
        ),
        (
            &with_load,
            &["--param", "pool.capacity=8,16", "--seeds", "1..1000000"],
            "2000000 runs",
        ),
        (
            &with_load,
            &[
                "--param",
                "pool.capacity=8",
                "--seeds",
                "18446744073709551615",
            ],
            "--seeds 18446744073709551615",
        ),
        (
            &with_load,
            &["--param", "pool.capacity=8", "--seeds", "1,2,1"],
            "given twice",
        ),
        (
            &with_load,
            &["--param", "pool.capacity=8", "--param", "pool.capacity=16"],
            "both sweep `pool.capacity`",
        ),
        (
            &with_load,
            &["--param", "pool.capacity=8,16,8"],
            "`8` is given twice",
        ),
        (&no_load, &["--param", "load.rate=1,2"], "no [[load]]"),
        (&with_load, &["--param", "seed=1,2"], "--seeds"),
        (
            &with_load,
            &["--param", "pool.capacity=8", "--set", "pool.capacity=4"],
            "a --set fixes too",
        ),
    ];
    for (scenario, extra, phrase) in cases {
        let out = dir.join("out");
        let mut args = vec!["sweep", scenario, "--quiet", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        assert_exit(&p2psim_in(&dir, &args), 2, phrase, &format!("{extra:?}"));
        assert!(!out.exists(), "{extra:?}: nothing is written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_swept_value_blames_its_param_once() {
    let dir = scratch("sweep-blame");
    let scenario = small_scenario(&dir, 5);
    for (param, phrase) in [
        (
            "pool.capacit=8",
            "error: --param pool.capacit=8:1:6: `pool.capacit`",
        ),
        (
            "load.rate=1,x",
            "error: --param load.rate=x:1:11: `load[0].rate`",
        ),
        ("mechanism.ttll=1", "--param mechanism.ttll=1"),
    ] {
        let r = p2psim_in(&dir, &["sweep", &scenario, "--quiet", "--param", param]);
        assert_exit(&r, 2, phrase, param);
        assert!(
            !String::from_utf8_lossy(&r.stderr).contains("--set"),
            "{param}"
        );
    }
    assert!(!dir.join("results").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shard_that_owns_no_point_says_so() {
    let dir = scratch("sweep-empty-shard");
    let scenario = small_scenario(&dir, 5);
    let r = p2psim_in(
        &dir,
        &[
            "sweep",
            &scenario,
            "--quiet",
            "--param",
            "pool.capacity=8",
            "--shard",
            "1/5",
        ],
    );
    assert_exit(
        &r,
        2,
        "--shard 1/5 owns no point: the grid has 1 point",
        "empty shard",
    );
    assert!(!dir.join("results").exists(), "no header-only CSV");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runs_that_cannot_be_set_up_are_not_exit_0() {
    let dir = scratch("sweep-setup");
    std::fs::write(dir.join("edges.txt"), "0 1\n1 2\n").unwrap();
    let scenario = dir.join("s.toml");
    std::fs::write(
        &scenario,
        "[topology]\nkind = \"edge_list\"\npath = \"edges.txt\"\n[mechanism]\nkind = \"flood\"\n\
         [[failures.crash_set]]\ncount = 4\nat = 1.0\n",
    )
    .unwrap();
    let r = p2psim_in(
        &dir,
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--quiet",
            "--param",
            "pool.capacity=8,16",
        ],
    );
    assert_exit(
        &r,
        2,
        "`failures.crash_set[0].count`: count = 4 but only 3 nodes",
        "every run fails to set up",
    );
    let _ = std::fs::remove_dir_all(&dir);
}
