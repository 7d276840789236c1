//! A user's program lists its mechanisms: with the shipped ones, or exactly its
//! own, whose names may then be those of shipped ones; a name listed twice is
//! an error that says what to change, never a panic.

use clap::Parser;
use p2psim::cli::{dispatch, Cli, EXIT_BAD_INPUT};
use p2psim::sim::engine::RunOptions;
use p2psim::sim::scenario::{parse_str, Params, Scenario, ScenarioError};
use p2psim::sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};

request_kinds! {
    enum Move { Transfer = "transfer" }
}

/// A user's own `transfer`: it moves nothing and says so in its report.
struct MyTransfer;

impl Mechanism for MyTransfer {
    const KIND: &'static str = "transfer";
    type Params = ();
    type Request = Move;
    type Msg = ();
    type Report = &'static str;

    fn params(_: &Params, _: &Scenario) -> Result<(), ScenarioError> {
        Ok(())
    }

    fn new(_: ()) -> Self {
        MyTransfer
    }

    fn handle(&self, _: &Ctx<Self>, _: Incoming<()>) {}

    fn request(&self, _: &Ctx<Self>, _: &Request<Move>) -> RequestOutcome {
        RequestOutcome::succeeded()
    }

    fn report(&self) -> &'static str {
        "mine"
    }
}

fn scenario() -> Scenario {
    let text = "[topology]\nkind = \"ring\"\nnodes = 4\n[mechanism]\nkind = \"transfer\"\n\
                [[load]]\nrequest = \"transfer\"\narrivals = \"schedule\"\ntimes = [0.0]\norigin = 0\n";
    parse_str(text, "mine.toml", &[]).expect("valid")
}

#[test]
fn only_lists_exactly_the_user_s_mechanisms_and_runs_theirs() {
    let mine = p2psim::mechanisms![only: MyTransfer];
    assert_eq!(mine.kinds(), ["transfer"]);
    assert!(mine.ready().is_ok());
    let out = mine
        .run(&scenario(), RunOptions::default())
        .expect("the scenario checks")
        .expect("the run passes");
    assert_eq!(out.report, "mine");
}

#[test]
fn a_name_listed_twice_is_refused_with_what_to_change() {
    let both = p2psim::mechanisms![MyTransfer];
    let e = both.ready().unwrap_err();
    assert!(e.contains("two mechanisms called `transfer`"), "{e}");
    assert!(e.contains("mechanisms![only:"), "{e}");
    let e = both
        .run(&scenario(), RunOptions::default())
        .err()
        .expect("refused");
    assert!(e.to_string().contains("two mechanisms"), "{e}");
    // The command line refuses to start, exit 2.
    let cli = Cli::try_parse_from(["p2psim", "validate", "scenarios/flood.toml"]).unwrap();
    assert_eq!(dispatch(cli, &both), EXIT_BAD_INPUT);
}
