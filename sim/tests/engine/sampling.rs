//! Time series follow the work, not the span of virtual time: idle spans cost
//! no rows, and a busy run past its row cap coarsens its sampling interval.

use std::time::Duration;

use p2psim_runtime::sleep;
use p2psim_sim::engine::{self, RunOptions, RunOutput};
use p2psim_sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim_sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};

request_kinds! {
    enum Work { Work = "work" }
}

/// A request works for `work` of virtual time; with `call_timeout` it first
/// calls node 1, which never answers, and waits that long.
#[derive(Clone, Copy)]
struct Worker {
    work: Duration,
    call_timeout: Option<Duration>,
}

impl Mechanism for Worker {
    const KIND: &'static str = "worker";
    type Params = Worker;
    type Request = Work;
    type Msg = ();
    type Report = ();

    fn params(_: &Params, _: &Scenario) -> Result<Worker, ScenarioError> {
        unreachable!("the tests build the parameters")
    }

    fn new(params: Worker) -> Self {
        params
    }

    fn handle(&self, _: &Ctx<Self>, _: Incoming<()>) {}

    fn request(&self, ctx: &Ctx<Self>, req: &Request<Work>) -> RequestOutcome {
        if let Some(t) = self.call_timeout {
            let _ = ctx.net.call(req.origin, 1, (), t);
        }
        sleep(self.work);
        RequestOutcome::default()
    }

    fn report(&self) {}
}

fn run(load: &str, extra: &str, mech: Worker) -> RunOutput<()> {
    let text = format!(
        "[topology]\nkind = \"star\"\nnodes = 2\n[mechanism]\nkind = \"worker\"\n\
         [[load]]\nrequest = \"work\"\norigin = 0\n{load}\n{extra}"
    );
    let s = parse_str(&text, "span.toml", &[]).expect("the scenario is valid");
    match engine::run::<Worker>(&s, mech, RunOptions::default()) {
        Ok(out) => out,
        Err(e) => panic!("the run fails: {e}"),
    }
}

fn rows(out: &RunOutput<()>, name: &str) -> Vec<Vec<f64>> {
    let s = out.series.iter().find(|s| s.name == name).expect(name);
    s.rows.clone()
}

#[test]
fn an_idle_span_of_two_million_seconds_costs_a_few_rows() {
    // 25 requests spread over 2,000,000 virtual seconds, sampled every second.
    let times: Vec<String> = (0..25).map(|i| format!("{}", i * 80_000)).collect();
    let load = format!("arrivals = \"schedule\"\ntimes = [{}]", times.join(", "));
    let out = run(
        &load,
        "",
        Worker {
            work: Duration::from_secs(1),
            call_timeout: None,
        },
    );
    assert!(out.summary.completed);
    let end = out.summary.virtual_time_s;
    assert!((end - 1_920_001.0).abs() < 1e-6, "{end}");
    for name in ["pool_occupancy", "requests", "messages"] {
        let r = rows(&out, name);
        // About three rows per request: at its start, at its end, before the next.
        assert!(r.len() <= 4 * 25, "{name}: {} rows", r.len());
        assert!(
            r.windows(2).all(|w| w[0][0] < w[1][0]),
            "{name}: times increase"
        );
    }
    // The rows still tell the story: each request's start and end has its row,
    // and a worker comes free at its end.
    let pool = rows(&out, "pool_occupancy");
    let at = |t: f64| pool.iter().find(|r| r[0] == t).map(|r| r[1]);
    for i in 0..25 {
        let start = f64::from(i * 80_000);
        let (busy, idle) = (at(start), at(start + 1.0));
        assert!(busy.is_some() && idle.is_some(), "request {i}: {pool:?}");
        assert_eq!(busy.unwrap() - idle.unwrap(), 1.0, "request {i}: {pool:?}");
    }
    assert_eq!(out.summary.sampling.doublings, 0);
}

#[test]
fn a_call_with_a_timeout_of_1e8_seconds_runs_in_a_few_rows() {
    let out = run(
        "arrivals = \"schedule\"\ntimes = [0.0]",
        "",
        Worker {
            work: Duration::ZERO,
            call_timeout: Some(Duration::from_secs_f64(1e8)),
        },
    );
    assert!(out.summary.completed);
    assert_eq!(out.summary.virtual_time_s, 1e8);
    assert!(
        rows(&out, "requests").len() <= 4,
        "{:?}",
        rows(&out, "requests")
    );
}

#[test]
fn a_busy_run_past_its_row_cap_doubles_its_interval() {
    // A request every 0.1 s for 100 s, sampled every 0.1 s, at most 64 rows.
    let out = run(
        "arrivals = \"poisson\"\nrate = 10.0\ncount = 1000",
        "[observers]\nsample_interval = 0.1\nmax_rows = 64",
        Worker {
            work: Duration::from_millis(50),
            call_timeout: None,
        },
    );
    let sampling = &out.summary.sampling;
    let doublings = sampling.doublings;
    assert!(doublings >= 3, "{sampling:?}");
    let every = sampling.effective_interval_s;
    assert!(
        (every - 0.1 * f64::from(1 << doublings)).abs() < 1e-9,
        "{sampling:?}"
    );
    for name in ["pool_occupancy", "requests", "messages"] {
        let r = rows(&out, name);
        assert!(r.len() < 64, "{name}: {} rows", r.len());
        // Every row but the last (the run's end) is on the coarse grid.
        for row in &r[..r.len() - 1] {
            let k = row[0] / every;
            assert!(
                (k - k.round()).abs() < 1e-6,
                "{name}: {} is off the grid",
                row[0]
            );
        }
    }
    let requests = rows(&out, "requests");
    assert_eq!(requests.last().unwrap()[1], 1000.0);
}
