//! Churn as one network-wide stream: nodes leave and join at Poisson rates.

use std::time::Duration;

use p2psim_runtime::sleep;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::net::Net;
use crate::scenario::PoissonChurnSpec;

/// Churn: nodes leave and join at network-wide Poisson rates (a daemon task).
/// A leave picks a random up node (never below `min_alive` up); a join a random down one.
pub fn churn<M>(net: Net<M>, spec: PoissonChurnSpec, seed: u64) {
    let total = spec.leave_rate + spec.join_rate;
    if total <= 0.0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = net.node_count();
    loop {
        let u: f64 = rng.gen();
        // A gap past the clock's end saturates there: the daemon sleeps out the run.
        let gap = Duration::try_from_secs_f64(-(1.0 - u).ln() / total);
        sleep(gap.unwrap_or(Duration::MAX));
        let leave = rng.gen::<f64>() < spec.leave_rate / total;
        let want_up = !leave;
        if leave && net.nodes_up() <= spec.min_alive as usize {
            continue;
        }
        let candidates: Vec<u32> = (0..n as u32).filter(|&v| net.is_up(v) != want_up).collect();
        if candidates.is_empty() {
            continue;
        }
        let v = candidates[rng.gen_range(0..candidates.len())];
        net.set_up(v, want_up);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::net::transport::Transport;
    use p2psim_runtime::{spawn_daemon, Runtime, RuntimeConfig};
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn churn_keeps_min_alive_and_moves_nodes() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<()> = Net::new(Graph::new(50), Transport::constant(0.0), 1);
        let n = net.clone();
        let lows = Rc::new(RefCell::new(Vec::new()));
        let l = lows.clone();
        rt.spawn("observer", move || {
            let c = n.clone();
            spawn_daemon("churn", move || {
                churn(
                    c,
                    PoissonChurnSpec {
                        leave_rate: 5.0,
                        join_rate: 1.0,
                        min_alive: 10,
                    },
                    7,
                )
            });
            for _ in 0..100 {
                sleep(Duration::from_secs(1));
                l.borrow_mut().push(n.nodes_up());
            }
        });
        rt.run().unwrap();
        let lows = lows.borrow();
        assert!(lows.iter().all(|&u| u >= 10), "{lows:?}");
        assert!(lows.iter().any(|&u| u < 50));
        // Leaves outpace joins: the network settles near min_alive.
        assert!(*lows.last().unwrap() < 20);
    }
}
