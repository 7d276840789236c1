//! Shrinking a failing schedule before it is reported: fewer requests, fewer
//! nodes, fewer non-default choices, as long as it still fails the same way.
//!
//! The failing run is first turned into a replay of its own decision log (the
//! same run). Then, each step keeping only what still fails alike:
//! 1. the load's requests, by delta debugging over (load, number) pairs: a
//!    request left out still draws its time and origin, so the others stay;
//! 2. the nodes, halving `topology.nodes` while the scenario allows it;
//! 3. the decisions, by delta debugging over the log: a choice left out
//!    takes the default (FIFO, no jitter);
//! 4. the requests once more, as fewer decisions may need fewer of them.
//!
//! Every candidate is a whole run, and the number of runs is bounded.

use std::collections::BTreeSet;
use std::sync::Arc;

use p2psim_runtime::DecisionLog;

use super::ddmin::ddmin;
use super::failure::{Failure, Size};
use super::{attempt, Attempt, Check, Failed};
use crate::registry::Mechanisms;
use crate::scenario::Scenario;
use crate::schedule::Schedule;
use crate::summary::Summary;

/// The fewest nodes shrinking tries.
const MIN_NODES: usize = 2;

/// What a candidate run changes of the failing one.
#[derive(Clone)]
struct Case {
    overrides: Vec<String>,
    requests: Option<BTreeSet<(usize, u64)>>,
    log: DecisionLog,
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
    let mut best = failed.clone();
    let mut budget = check.shrink_budget;
    let kind = failed.kind;
    let mut tries = |case: &Case, budget: &mut usize| -> Option<Failed> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let scenario = match case.overrides.is_empty() {
            true => scenario.clone(),
            false => scenario.source.reload(&case.overrides).ok()?,
        };
        let replay = Schedule {
            replay: Some(Arc::new(case.log.clone())),
            ..schedule.clone()
        };
        match attempt(
            mechanisms,
            &scenario,
            &replay,
            case.requests.as_ref(),
            check,
        ) {
            Attempt::Failed(f) if f.kind == kind => Some(*f),
            _ => None,
        }
    };
    if budget > 0 {
        shrink_requests(&mut case, &mut best, &mut budget, &mut tries);
        shrink_nodes(scenario, &mut case, &mut best, &mut budget, &mut tries);
        shrink_decisions(&mut case, &mut best, &mut budget, &mut tries);
        shrink_requests(&mut case, &mut best, &mut budget, &mut tries);
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
        kind,
        report: best.report,
        trace_hash: best.summary.trace_hash.clone(),
        before,
        after: size(&best.summary),
        saved: None,
    }
}

type Tries<'a> = dyn FnMut(&Case, &mut usize) -> Option<Failed> + 'a;

fn shrink_requests(case: &mut Case, best: &mut Failed, budget: &mut usize, tries: &mut Tries<'_>) {
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
    let mut found: Option<Failed> = None;
    let base = case.clone();
    let kept = ddmin(all.clone(), budget, &mut |subset| {
        let candidate = Case {
            requests: Some(subset.iter().copied().collect()),
            ..base.clone()
        };
        // ddmin spends the budget itself: each test is one run.
        let mut one = 1;
        match tries(&candidate, &mut one) {
            Some(f) => {
                found = Some(f);
                true
            }
            None => false,
        }
    });
    if kept.len() < all.len() {
        let candidate = Case {
            requests: Some(kept.into_iter().collect()),
            ..base
        };
        // The last run tested is not always the one kept: run it once more.
        let mut one = 1;
        if let Some(f) = tries(&candidate, &mut one).or(found) {
            *case = candidate;
            *best = f;
            case.log = best.summary.decisions.clone();
        }
    }
}

fn shrink_nodes(
    scenario: &Scenario,
    case: &mut Case,
    best: &mut Failed,
    budget: &mut usize,
    tries: &mut Tries<'_>,
) {
    let Some(mut nodes) = scenario.topology.nodes() else {
        return;
    };
    while nodes / 2 >= MIN_NODES && *budget > 0 {
        let mut candidate = case.clone();
        candidate
            .overrides
            .retain(|o| !o.starts_with("topology.nodes="));
        candidate
            .overrides
            .push(format!("topology.nodes={}", nodes / 2));
        match tries(&candidate, budget) {
            Some(f) => {
                nodes /= 2;
                *case = candidate;
                *best = f;
                case.log = best.summary.decisions.clone();
            }
            None => break,
        }
    }
}

fn shrink_decisions(case: &mut Case, best: &mut Failed, budget: &mut usize, tries: &mut Tries<'_>) {
    let log = case.log.clone();
    if log.is_empty() {
        return;
    }
    let positions: Vec<usize> = (0..log.len()).collect();
    let base = case.clone();
    let kept = ddmin(positions, budget, &mut |subset| {
        let keep: BTreeSet<usize> = subset.iter().copied().collect();
        let candidate = Case {
            log: log.filtered(|i| keep.contains(&i)),
            ..base.clone()
        };
        let mut one = 1;
        tries(&candidate, &mut one).is_some()
    });
    let keep: BTreeSet<usize> = kept.into_iter().collect();
    let candidate = Case {
        log: log.filtered(|i| keep.contains(&i)),
        ..base
    };
    let mut one = 1;
    if let Some(f) = tries(&candidate, &mut one) {
        *case = candidate;
        *best = f;
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
