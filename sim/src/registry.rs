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
    /// Kinds added more than once: the list refuses to run them (see [`Mechanisms::ready`]).
    duplicates: Vec<&'static str>,
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

    /// The list with mechanism `M` added. A second mechanism of the same
    /// `KIND` would make `mechanism.kind` ambiguous: it is not added, and the
    /// list says so wherever it is used ([`Mechanisms::ready`]; the command
    /// line at start, exit 2; a check or run of that kind).
    pub fn with<M: Mechanism>(mut self) -> Self {
        if self.find(M::KIND).is_some() {
            if !self.duplicates.contains(&M::KIND) {
                self.duplicates.push(M::KIND);
            }
        } else {
            self.entries.push(Arc::new(Typed::<M>(PhantomData)));
        }
        self
    }

    /// Whether every kind in the list is there once; else what to change.
    pub fn ready(&self) -> Result<(), String> {
        match self.duplicates.first() {
            None => Ok(()),
            Some(kind) => {
                let (what, help) = duplicate(kind);
                Err(format!("{what}: {help}"))
            }
        }
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
        if let Some(twice) = self.duplicates.iter().find(|d| **d == kind) {
            let (what, help) = duplicate(twice);
            return Err(s.mechanism.params.error("kind", what, help));
        }
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

/// What a program whose list has `kind` twice is told, and what to change.
fn duplicate(kind: &str) -> (String, String) {
    (
        format!("this program lists two mechanisms called `{kind}`"),
        "`p2psim::mechanisms![A, B]` adds the shipped ones (flood, fada, bazaar, nested, \
         transfer) to yours; list exactly yours with `p2psim::mechanisms![only: A, B]` (or \
         `Mechanisms::new().with::<A>()`), or give one of them another `KIND`"
            .to_string(),
    )
}
