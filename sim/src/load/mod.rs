//! Request generators: one task per `[[load]]` entry issues requests at its
//! arrival times, each served on a TaskThread of its own.

pub mod arrivals;
pub(crate) mod request_kind;
pub mod requests;

pub use request_kind::RequestKind;

use std::rc::Rc;

use p2psim_runtime::{now, sleep_until, try_spawn, SimTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ctx::Ctx;
use crate::graph::NodeId;
use crate::mechanism::Mechanism;
use crate::scenario::{ArrivalSpec, LoadSpec, OriginSpec};
use arrivals::{Arrivals, OriginRule};

/// Picks of a down origin retried before the request counts as lost.
const ORIGIN_RETRIES: usize = 64;

/// Which of a load's requests are issued: all, or those whose number (their
/// place among the load's arrivals, from 0) is kept. A request left out still
/// draws its time and origin, so that those kept are the same requests.
pub(crate) type Keep = Option<std::collections::BTreeSet<u64>>;

/// Runs load entry `index` (asking `kind` of the mechanism) until its arrivals
/// end or `until` passes.
pub(crate) fn drive<M: Mechanism>(
    mech: Rc<M>,
    ctx: Ctx<M>,
    (spec, kind, keep): (LoadSpec, M::Request, Keep),
    index: usize,
    seed: u64,
    until: Option<SimTime>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let arrivals = match &spec.arrivals {
        ArrivalSpec::Poisson { rate } => Arrivals::Poisson { rate_per_s: *rate },
        ArrivalSpec::Schedule(times) => Arrivals::Schedule(times.clone()),
        ArrivalSpec::Burst { at, count, spread } => Arrivals::Burst {
            at_s: *at,
            count: *count,
            spread_s: *spread,
        },
    };
    let rule = match &spec.origin {
        OriginSpec::Uniform => OriginRule::Uniform,
        OriginSpec::Node(n) => OriginRule::Node(*n),
        OriginSpec::Among(v) => OriginRule::Among(v.clone()),
    };
    let n = ctx.net.node_count();
    let mut times = arrivals.times(spec.start, spec.count);
    let mut number = 0u64;
    while let Some(t) = times.next_time(&mut rng) {
        let t = SimTime::from_secs_f64(t);
        if until.is_some_and(|u| t > u) {
            break;
        }
        sleep_until(t.max(now()));
        let origin = pick_up_origin(&rule, n, &ctx, &mut rng);
        number += 1;
        if keep.as_ref().is_some_and(|k| !k.contains(&(number - 1))) {
            continue;
        }
        let req = ctx.requests().issue(kind, origin.unwrap_or(0), Some(index));
        if origin.is_none() {
            ctx.requests().lose(&req);
            continue;
        }
        let (m, c, r) = (mech.clone(), ctx.clone(), req.clone());
        let name = format!(
            "request {} ({}) from node {}",
            req.id,
            kind.name(),
            req.origin
        );
        let served = try_spawn(name, move || {
            let outcome = m.request(&c, &r);
            c.requests().complete(&r, outcome);
        });
        if served.is_err() {
            ctx.requests().lose(&req);
        }
    }
}

/// An origin that is up, by the rule; `None` if none was found.
fn pick_up_origin<M: Mechanism>(
    rule: &OriginRule,
    n: usize,
    ctx: &Ctx<M>,
    rng: &mut impl Rng,
) -> Option<NodeId> {
    for _ in 0..ORIGIN_RETRIES {
        let o = rule.pick(n, rng);
        if ctx.net.is_up(o) {
            return Some(o);
        }
        if matches!(rule, OriginRule::Node(_)) {
            return None;
        }
    }
    None
}
