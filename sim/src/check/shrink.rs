//! Shrinking a failing schedule before it is reported: fewer requests, fewer
//! nodes, fewer non-default choices, as long as it still fails the same way.
//!
//! "The same way" is the failure's [`Signature`] (its kind, and the tasks of a
//! deadlock by name with what each waits on, or the message of a panic or an
//! invariant), and, for a failure a schedule found (the FIFO run passed), that
//! the candidate does not fail so in FIFO order too: a race whose partner was
//! dropped is a different bug, one with nothing to race with.
//!
//! The failing run is first turned into a replay of its own decision log (the
//! same run). Then, each step keeping only what still fails alike, and the
//! three in turn until a round shrinks nothing (a fixpoint):
//! 1. the load's requests, by delta debugging over (load, number) pairs: a
//!    request left out still draws its time and origin, so the others stay,
//!    and decisions are named by their instant (see
//!    `p2psim_runtime::ChoiceAt`), so the others' choices stay too;
//! 2. the nodes, halving `topology.nodes` while the scenario allows it;
//! 3. the decisions, by delta debugging over the log: a choice left out
//!    takes the default (FIFO, no jitter).
//!
//! Every candidate is a whole run, and the number of runs is bounded by the
//! check's `shrink_budget`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use p2psim_runtime::DecisionLog;

use super::ddmin::ddmin;
use super::failure::{Failure, Size};
use super::signature::Signature;
use super::{attempt, Attempt, Check, Failed};
use crate::registry::Mechanisms;
use crate::scenario::Scenario;
use crate::schedule::Schedule;
use crate::summary::Summary;

/// The fewest nodes shrinking tries.
const MIN_NODES: usize = 2;

/// What a candidate run changes of the failing one.
#[derive(Clone, PartialEq)]
struct Case {
    overrides: Vec<String>,
    requests: Option<BTreeSet<(usize, u64)>>,
    log: DecisionLog,
}

/// Which requests of which scenario: what a FIFO run of a case depends on.
type Workload = (Vec<String>, Option<BTreeSet<(usize, u64)>>);

/// Runs candidates against the failure found.
struct Shrinker<'a> {
    mechanisms: &'a Mechanisms,
    scenario: &'a Scenario,
    schedule: &'a Schedule,
    check: &'a Check,
    target: Signature,
    /// Whether the failure needs a non-default order: the FIFO run passed.
    order_dependent: bool,
    /// Whether each workload fails alike in FIFO order (one run each).
    fifo: BTreeMap<Workload, bool>,
    runs: usize,
}

impl Shrinker<'_> {
    fn remaining(&self) -> usize {
        self.check.shrink_budget.saturating_sub(self.runs)
    }

    /// Runs `case` under `log`; the failure, if it fails the same way.
    fn run(&mut self, case: &Case, log: &DecisionLog) -> Option<Failed> {
        if self.remaining() == 0 {
            return None;
        }
        self.runs += 1;
        let scenario = match case.overrides.is_empty() {
            true => self.scenario.clone(),
            false => self.scenario.source.reload(&case.overrides).ok()?,
        };
        let replay = Schedule {
            replay: Some(Arc::new(log.clone())),
            ..self.schedule.clone()
        };
        match attempt(
            self.mechanisms,
            &scenario,
            &replay,
            case.requests.as_ref(),
            self.check,
        ) {
            Attempt::Failed(f) if f.signature == self.target => Some(*f),
            _ => None,
        }
    }

    /// The failure of `case`, if it fails the same way as the one found and
    /// (for a failure a schedule found) not in FIFO order too.
    fn fails_alike(&mut self, case: &Case) -> Option<Failed> {
        if self.order_dependent && case.log.is_empty() {
            return None;
        }
        let failed = self.run(case, &case.log)?;
        if self.order_dependent && self.fails_in_fifo(case) {
            return None;
        }
        Some(failed)
    }

    /// Whether `case`'s requests fail the same way in FIFO order; with no
    /// budget left to tell, they are taken to (the candidate is refused).
    fn fails_in_fifo(&mut self, case: &Case) -> bool {
        let workload = (case.overrides.clone(), case.requests.clone());
        if let Some(&known) = self.fifo.get(&workload) {
            return known;
        }
        if self.remaining() == 0 {
            return true;
        }
        let fails = self.run(case, &DecisionLog::default()).is_some();
        self.fifo.insert(workload, fails);
        fails
    }
}

/// Shrinks the failing run (schedule `index`) within the check's budget.
pub(crate) fn shrink(
    mechanisms: &Mechanisms,
    scenario: &Scenario,
    schedule: Schedule,
    index: u64,
    failed: Failed,
    check: &Check,
) -> Failure {
    let before = size(&failed.summary);
    let mut case = Case {
        overrides: Vec::new(),
        requests: None,
        log: failed.summary.decisions.clone(),
    };
    let mut shrinker = Shrinker {
        mechanisms,
        scenario,
        schedule: &schedule,
        check,
        target: failed.signature.clone(),
        order_dependent: index > 0,
        fifo: BTreeMap::new(),
        runs: 0,
    };
    let mut best = failed;
    while shrinker.remaining() > 0 {
        let was = size(&best.summary);
        shrink_requests(&mut shrinker, &mut case, &mut best);
        shrink_nodes(&mut shrinker, &mut case, &mut best);
        shrink_decisions(&mut shrinker, &mut case, &mut best);
        if size(&best.summary) == was {
            break;
        }
    }
    let replay = Schedule {
        replay: Some(Arc::new(best.summary.decisions.clone())),
        ..schedule
    };
    Failure {
        scenario: scenario.source.clone(),
        overrides: case.overrides,
        schedule: replay,
        index,
        requests: case.requests,
        kind: best.kind,
        report: best.report,
        trace_hash: best.summary.trace_hash.clone(),
        before,
        after: size(&best.summary),
        shrink_runs: shrinker.runs,
        saved: None,
    }
}

/// Keeps `candidate` and its failure as the best so far; its log is the one
/// the failing run made (the decisions it met).
fn keep(case: &mut Case, best: &mut Failed, candidate: Case, failed: Failed) {
    *case = candidate;
    *best = failed;
    case.log = best.summary.decisions.clone();
}

fn shrink_requests(shrinker: &mut Shrinker<'_>, case: &mut Case, best: &mut Failed) {
    let all: Vec<(usize, u64)> = match &case.requests {
        Some(kept) => kept.iter().copied().collect(),
        None => best
            .summary
            .requests
            .by_load
            .iter()
            .enumerate()
            .flat_map(|(load, &n)| (0..n).map(move |i| (load, i)))
            .collect(),
    };
    if all.len() < 2 {
        return;
    }
    let with = |subset: &[(usize, u64)]| Case {
        requests: Some(subset.iter().copied().collect()),
        ..case.clone()
    };
    if let Some((candidate, f)) = smallest(shrinker, all, &with) {
        keep(case, best, candidate, f);
    }
}

/// Delta debugging over `items`, each subset tried as the case `with` makes
/// of it: the smallest case that still fails alike, and its failure, when it
/// has fewer items than all of them.
fn smallest<T: Clone>(
    shrinker: &mut Shrinker<'_>,
    items: Vec<T>,
    with: &dyn Fn(&[T]) -> Case,
) -> Option<(Case, Failed)> {
    let all = items.len();
    let mut found: Option<(Case, Failed)> = None;
    let mut budget = shrinker.remaining();
    let kept = ddmin(items, &mut budget, &mut |subset| {
        let candidate = with(subset);
        match shrinker.fails_alike(&candidate) {
            Some(f) => {
                found = Some((candidate, f));
                true
            }
            None => false,
        }
    });
    // ddmin keeps a subset only when it fails and shrinks only from there, so
    // the last run that failed is the one kept.
    let shrunk = kept.len() < all;
    let kept = with(&kept);
    found.filter(|(c, _)| shrunk && *c == kept)
}

fn shrink_nodes(shrinker: &mut Shrinker<'_>, case: &mut Case, best: &mut Failed) {
    let Some(mut nodes) = shrinker.scenario.topology.nodes() else {
        return;
    };
    if let Some(set) = case
        .overrides
        .iter()
        .find_map(|o| o.strip_prefix("topology.nodes="))
    {
        nodes = set.parse().unwrap_or(nodes);
    }
    while nodes / 2 >= MIN_NODES && shrinker.remaining() > 0 {
        let mut candidate = case.clone();
        candidate
            .overrides
            .retain(|o| !o.starts_with("topology.nodes="));
        candidate
            .overrides
            .push(format!("topology.nodes={}", nodes / 2));
        match shrinker.fails_alike(&candidate) {
            Some(f) => {
                nodes /= 2;
                keep(case, best, candidate, f);
            }
            None => break,
        }
    }
}

fn shrink_decisions(shrinker: &mut Shrinker<'_>, case: &mut Case, best: &mut Failed) {
    let log = case.log.clone();
    if log.is_empty() {
        return;
    }
    let with = |keep: &[usize]| {
        let keep: BTreeSet<usize> = keep.iter().copied().collect();
        Case {
            log: log.filtered(|i| keep.contains(&i)),
            ..case.clone()
        }
    };
    let positions: Vec<usize> = (0..log.len()).collect();
    if let Some((candidate, f)) = smallest(shrinker, positions, &with) {
        keep(case, best, candidate, f);
    }
}

/// The sizes a shrink report compares.
fn size(s: &Summary) -> Size {
    Size {
        requests: s.requests.issued,
        nodes: s.nodes,
        events: s.events,
        decisions: s.decisions.len(),
    }
}
