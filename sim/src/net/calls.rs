//! Calls to several nodes in flight at once, from one task: a Kademlia lookup's
//! `alpha` outstanding queries, FADA's parallel extension.
//!
//! Each call runs [`Net::call`] on a TaskThread of its own, taken from the pool
//! as a thread-per-call implementation would take one, so an exhausted pool
//! bites here as it does in the real system: under `reject` the call fails at
//! once with [`CallError::NoTask`] instead of leaving the caller waiting for an
//! answer nobody will post. At most `k` calls are in flight ([`Calls::at_most`]);
//! the others wait their turn in the order they were made, and each call's
//! timeout runs from when it starts. Answers come back as they arrive
//! (`Calls` is an iterator over them) or all at once in the order the calls
//! were made ([`Calls::wait_all`]); either way the run is as deterministic as
//! any other.
//!
//! ```no_run
//! # use std::time::Duration;
//! # fn lookup(net: &p2psim_sim::Net<u32>, me: u32, peers: &[u32]) {
//! let mut calls = net.calls(me).at_most(3);
//! for &p in peers {
//!     calls.call(p, 7, Duration::from_millis(500));
//! }
//! while let Some((peer, answer)) = calls.next() {
//!     match answer {
//!         Ok(reply) => println!("{peer} answered {reply}"),
//!         Err(e) => println!("{peer}: {e}"),
//!     }
//! }
//! # }
//! ```
//!
//! The caller's wait for the next answer is a wait on a mailbox, which names no
//! task in the wait-for graph (any of the calls may answer): a cycle through it
//! is reported when the whole system stops, not the moment it closes. Each
//! call's own wait on the node serving it is an edge, as for [`Net::call`], and
//! [`Calls::wait_all`] joins the calls' tasks (edges too).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::{try_spawn, JoinHandle, Mailbox, TaskName};

use super::{CallError, Net};
use crate::graph::NodeId;

/// What one call got: its answer, once it has one.
type Slot<M> = Option<Result<M, CallError>>;

/// A call made but not started (the limit was reached).
struct Queued<M> {
    index: usize,
    msg: M,
    timeout: Duration,
}

/// Calls from one node to several, in flight at once; see the module.
pub struct Calls<M: 'static> {
    net: Net<M>,
    from: NodeId,
    limit: usize,
    kind: &'static str,
    /// Each call's node and, once answered, its answer, in the order made.
    targets: Vec<NodeId>,
    slots: Rc<RefCell<Vec<Slot<M>>>>,
    /// Each started call's task (`None`: refused, or already joined).
    tasks: Vec<Option<JoinHandle<()>>>,
    /// Whether `next` or `wait_all` has handed the answer out.
    taken: Vec<bool>,
    queued: VecDeque<Queued<M>>,
    /// Calls whose answer is known without waiting (refused a task).
    ready: VecDeque<usize>,
    /// The indices of calls answered, in the order the answers came.
    answered: Mailbox<usize>,
    in_flight: usize,
}

impl<M: 'static> Net<M> {
    /// Calls from node `from` to several nodes at once (see [`Calls`]): no
    /// limit on how many are in flight until [`Calls::at_most`] sets one.
    pub fn calls(&self, from: NodeId) -> Calls<M> {
        Calls {
            net: self.clone(),
            from,
            limit: usize::MAX,
            kind: "call",
            targets: Vec::new(),
            slots: Rc::new(RefCell::new(Vec::new())),
            tasks: Vec::new(),
            taken: Vec::new(),
            queued: VecDeque::new(),
            ready: VecDeque::new(),
            answered: Mailbox::named("the answers to its calls", None),
            in_flight: 0,
        }
    }
}

impl<M: 'static> Calls<M> {
    /// At most `k` calls in flight at once (at least 1); later ones start as
    /// earlier ones are answered.
    pub fn at_most(mut self, k: usize) -> Self {
        self.limit = k.max(1);
        self
    }

    /// Names the calls' tasks `"<kind> at node <from>"` in reports and traces
    /// (default `"call"`).
    pub fn named(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    /// Calls `to` with `msg`, waiting for its answer at most `timeout` from
    /// when the call starts (`Duration::MAX`: forever). Returns at once: the
    /// call starts now if fewer than the limit are in flight, else when a
    /// slot frees.
    pub fn call(&mut self, to: NodeId, msg: M, timeout: Duration) {
        let index = self.targets.len();
        self.targets.push(to);
        self.slots.borrow_mut().push(None);
        self.tasks.push(None);
        self.taken.push(false);
        let queued = Queued {
            index,
            msg,
            timeout,
        };
        if self.in_flight < self.limit {
            self.start(queued);
        } else {
            self.queued.push_back(queued);
        }
    }

    /// Calls made whose answers have not been handed out yet.
    pub fn pending(&self) -> usize {
        self.taken.iter().filter(|t| !**t).count()
    }

    /// Calls started and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Every answer not handed out yet, in the order the calls were made;
    /// blocks until the last has come.
    pub fn wait_all(mut self) -> Vec<(NodeId, Result<M, CallError>)> {
        // Calls still queued start as others finish, in the order answers come.
        while !self.queued.is_empty() {
            let i = self.answered.recv();
            self.finished(i);
        }
        for i in 0..self.targets.len() {
            if let Some(task) = self.tasks[i].take() {
                // The answer is in the slot; a task that ended without one
                // (killed) leaves it empty, read below as no task.
                let _ = task.join();
            }
        }
        let left: Vec<usize> = (0..self.targets.len())
            .filter(|&i| !self.taken[i])
            .collect();
        left.into_iter().map(|i| self.hand_out(i)).collect()
    }

    /// Starts one call on a task of its own, or answers it at once when the
    /// pool refuses one.
    fn start(&mut self, q: Queued<M>) {
        let Queued {
            index,
            msg,
            timeout,
        } = q;
        let (net, from, to) = (self.net.clone(), self.from, self.targets[index]);
        let (slots, answered) = (self.slots.clone(), self.answered.clone());
        let name = TaskName::at_node(self.kind, from);
        match try_spawn(name, move || {
            let answer = net.call(from, to, msg, timeout);
            slots.borrow_mut()[index] = Some(answer);
            answered.send(index);
        }) {
            Ok(task) => {
                self.tasks[index] = Some(task);
                self.in_flight += 1;
            }
            Err(_) => {
                self.slots.borrow_mut()[index] = Some(Err(CallError::NoTask));
                self.ready.push_back(index);
            }
        }
    }

    /// Call `index` was answered: its slot frees for a queued call.
    fn finished(&mut self, index: usize) {
        self.in_flight -= 1;
        // Its task is done with the answer; joining it would only wait for
        // its last step.
        self.tasks[index] = None;
        while self.in_flight < self.limit {
            let Some(q) = self.queued.pop_front() else {
                break;
            };
            self.start(q);
        }
    }

    /// Hands out call `index`'s answer.
    fn hand_out(&mut self, index: usize) -> (NodeId, Result<M, CallError>) {
        self.taken[index] = true;
        let answer = self.slots.borrow_mut()[index]
            .take()
            .unwrap_or(Err(CallError::NoTask));
        (self.targets[index], answer)
    }
}

/// The answers as they arrive: each the node that gave it (or the call's
/// error). `next` blocks until there is one, and ends once every answer was
/// handed out; calls made meanwhile (a lookup's next queries) are waited for too.
impl<M: 'static> Iterator for Calls<M> {
    type Item = (NodeId, Result<M, CallError>);

    fn next(&mut self) -> Option<Self::Item> {
        let index = match self.ready.pop_front() {
            Some(i) => i,
            None if self.in_flight == 0 => return None,
            None => {
                let i = self.answered.recv();
                self.finished(i);
                i
            }
        };
        Some(self.hand_out(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::net::transport::Transport;
    use p2psim_runtime::{
        now, sleep, ExhaustionPolicy, PoolConfig, Runtime, RuntimeConfig, SimTime,
    };

    const MS: Duration = Duration::from_millis(1);

    /// Node `n` answers after `n * 10` ms of work, node 9 never; hops take 1 ms.
    fn servers(rt_config: RuntimeConfig) -> (Runtime, Net<u32>) {
        let rt = Runtime::new(rt_config);
        let net: Net<u32> = Net::new(Graph::new(10), Transport::constant(0.001), 1);
        net.set_handler(|m| {
            if m.to == 9 {
                return;
            }
            sleep(MS * 10 * m.to);
            m.reply.unwrap().send(m.to * 100);
        });
        (rt, net)
    }

    fn ms(t: SimTime) -> u64 {
        t.as_nanos() / 1_000_000
    }

    #[test]
    fn answers_come_as_they_arrive_with_at_most_k_in_flight() {
        let (mut rt, net) = servers(RuntimeConfig::default());
        let h = rt.spawn("lookup", move || {
            let mut calls = net.calls(0).at_most(2);
            for to in [3, 1, 2] {
                calls.call(to, 0, Duration::from_secs(1));
            }
            assert_eq!((calls.in_flight(), calls.pending()), (2, 3));
            calls
                .map(|(node, answer)| (node, answer, ms(now())))
                .collect::<Vec<_>>()
        });
        rt.run().unwrap();
        // 1 answers at 1 + 10 + 1 ms; 2 starts then and answers at 12 + 22;
        // 3 answers at 32 ms, before 2.
        let got = h.try_join().unwrap().unwrap();
        assert_eq!(
            got,
            vec![(1, Ok(100), 12), (3, Ok(300), 32), (2, Ok(200), 34)]
        );
    }

    #[test]
    fn each_call_has_its_own_timeout_and_wait_all_keeps_call_order() {
        let (mut rt, net) = servers(RuntimeConfig::default());
        let h = rt.spawn("lookup", move || {
            let mut calls = net.calls(0);
            calls.call(9, 0, MS * 50);
            calls.call(2, 0, MS * 50);
            calls.call(1, 0, MS * 5);
            (calls.wait_all(), ms(now()))
        });
        rt.run().unwrap();
        let (all, end) = h.try_join().unwrap().unwrap();
        let want = vec![
            (9, Err(CallError::Timeout)),
            (2, Ok(200)),
            (1, Err(CallError::Timeout)),
        ];
        assert_eq!((all, end), (want, 50));
    }

    #[test]
    fn a_call_the_pool_refuses_a_task_fails_at_once() {
        let config = RuntimeConfig {
            pool: PoolConfig {
                capacity: Some(2),
                policy: ExhaustionPolicy::Reject,
                ..PoolConfig::default()
            },
            ..RuntimeConfig::default()
        };
        let (mut rt, net) = servers(config);
        let h = rt.spawn("lookup", move || {
            // The lookup holds one worker, the first call the other: the
            // second call gets none and says so without waiting.
            let mut calls = net.calls(0);
            calls.call(1, 0, Duration::from_secs(1));
            calls.call(2, 0, Duration::from_secs(1));
            let first = calls.next().map(|(n, a)| (n, a, ms(now())));
            let rest: Vec<_> = calls.collect();
            (first, rest)
        });
        rt.run().unwrap();
        let (first, rest) = h.try_join().unwrap().unwrap();
        assert_eq!(first, Some((2, Err(CallError::NoTask), 0)));
        // Node 1's handler got no worker either (the call's task held it):
        // its delivery was lost, and the call timed out.
        assert_eq!(rest, vec![(1, Err(CallError::Timeout))]);
    }

    #[test]
    fn a_handler_fans_out_as_a_request_does() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<u32> = Net::new(Graph::new(4), Transport::constant(0.001), 1);
        let relay = net.clone();
        net.set_handler(move |m| {
            let answer = match m.to {
                // Node 0 asks 1, 2 and 3 at once and sums their answers.
                0 => {
                    let mut calls = relay.calls(0);
                    for to in 1..4 {
                        calls.call(to, m.msg, MS * 10);
                    }
                    calls.map(|(_, a)| a.unwrap_or(0)).sum()
                }
                n => m.msg * n,
            };
            m.reply.unwrap().send(answer);
        });
        let n = net.clone();
        let h = rt.spawn("client", move || (n.call(1, 0, 2, MS * 100), ms(now())));
        rt.run().unwrap();
        assert_eq!(h.try_join().unwrap().unwrap(), (Ok(12), 4));
    }
}
