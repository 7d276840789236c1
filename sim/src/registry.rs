//! The mechanisms a program knows, by `mechanism.kind`: what the CLI, sweeps
//! and checks run a scenario with.
//!
//! Each entry is a type (a [`Mechanism`]), not a value, so the list is
//! `Send + Sync` and every thread of a sweep builds its own mechanism inside
//! its own run. Observers a user's program adds to every run live here too.

use std::marker::PhantomData;
use std::sync::Arc;

use serde_json::Value;

use crate::engine::{self, RunFailure, RunOptions, RunOutput};
use crate::mechanism::{prepare, Mechanism};
use crate::observe::Observer;
use crate::scenario::{Scenario, ScenarioError};
use crate::RequestKind;

/// Makes an observer for one run of a scenario.
pub type ObserverFactory = Arc<dyn Fn(&Scenario) -> Box<dyn Observer> + Send + Sync>;

/// A list of mechanism kinds, and observers added to every run.
#[derive(Clone, Default)]
pub struct Mechanisms {
    entries: Vec<Arc<dyn Entry>>,
    observers: Vec<ObserverFactory>,
}

/// One mechanism type, with its type erased.
trait Entry: Send + Sync {
    fn kind(&self) -> &'static str;
    fn requests(&self) -> Vec<&'static str>;
    fn check(&self, s: &Scenario) -> Result<(), ScenarioError>;
    fn run(
        &self,
        s: &Scenario,
        options: RunOptions<'_>,
    ) -> Result<Result<RunOutput<Value>, RunFailure>, ScenarioError>;
}

struct Typed<M>(PhantomData<fn() -> M>);

impl<M: Mechanism> Entry for Typed<M> {
    fn kind(&self) -> &'static str {
        M::KIND
    }

    fn requests(&self) -> Vec<&'static str> {
        M::Request::names()
    }

    fn check(&self, s: &Scenario) -> Result<(), ScenarioError> {
        prepare::<M>(s).map(drop)
    }

    fn run(
        &self,
        s: &Scenario,
        options: RunOptions<'_>,
    ) -> Result<Result<RunOutput<Value>, RunFailure>, ScenarioError> {
        let params = prepare::<M>(s)?;
        Ok(engine::run::<M>(s, params, options).map(|out| RunOutput {
            report: out
                .summary
                .sections
                .get(M::KIND)
                .cloned()
                .unwrap_or(Value::Null),
            summary: out.summary,
            headline: out.headline,
            series: out.series,
            runtime: out.runtime,
        }))
    }
}

impl Mechanisms {
    /// An empty list.
    pub fn new() -> Self {
        Mechanisms::default()
    }

    /// The list with mechanism `M` added. Panics if a mechanism of the same
    /// `KIND` is in it already: two would make `mechanism.kind` ambiguous.
    pub fn with<M: Mechanism>(mut self) -> Self {
        assert!(
            self.find(M::KIND).is_none(),
            "two mechanisms are called `{}`: give one another `KIND`",
            M::KIND
        );
        self.entries.push(Arc::new(Typed::<M>(PhantomData)));
        self
    }

    /// The list with an observer added to every run: `make` builds it for
    /// each run from the scenario.
    pub fn observer(
        mut self,
        make: impl Fn(&Scenario) -> Box<dyn Observer> + Send + Sync + 'static,
    ) -> Self {
        self.observers.push(Arc::new(make));
        self
    }

    /// Every kind, in the order added.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.entries.iter().map(|e| e.kind()).collect()
    }

    /// The request kinds of mechanism `kind`, if the list has it.
    pub fn requests(&self, kind: &str) -> Option<Vec<&'static str>> {
        self.find(kind).map(|e| e.requests())
    }

    /// Checks `scenario` before anything runs: its `mechanism.kind` is in the
    /// list, its parameters and every `[[load]] request` are right for it.
    pub fn check(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        self.entry(scenario)?.check(scenario)
    }

    /// Checks and runs `scenario` with the mechanism it names, and the list's
    /// observers besides those in `options`. The outer error is a scenario
    /// that did not check (exit 2), the inner one a run that failed (exit 1).
    pub fn run(
        &self,
        scenario: &Scenario,
        mut options: RunOptions<'_>,
    ) -> Result<Result<RunOutput<Value>, RunFailure>, ScenarioError> {
        let entry = self.entry(scenario)?;
        for make in &self.observers {
            options.observers.push(make(scenario));
        }
        entry.run(scenario, options)
    }

    fn find(&self, kind: &str) -> Option<&Arc<dyn Entry>> {
        self.entries.iter().find(|e| e.kind() == kind)
    }

    fn entry(&self, s: &Scenario) -> Result<&Arc<dyn Entry>, ScenarioError> {
        let kind = s.mechanism.kind.as_str();
        self.find(kind).ok_or_else(|| {
            let kinds = self.kinds();
            let help = match crate::scenario::closest(kind, &kinds) {
                Some(near) => format!("use one of: {}; did you mean `{near}`?", kinds.join(", ")),
                None => format!("use one of: {}", kinds.join(", ")),
            };
            s.mechanism
                .params
                .error("kind", format!("unknown mechanism `{kind}`"), help)
        })
    }
}
