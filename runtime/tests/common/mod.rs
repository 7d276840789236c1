//! Random programs for the property and determinism tests: tasks mixing mutexes
//! (held across sleeps, always taken in one global order), semaphores, sleeps,
//! yields and spawn/join, plus producer/consumer pairs on mailboxes.

// Both test binaries include this module and each uses only part of it.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;
use proptest::prelude::*;

pub const MUTEXES: usize = 3;

#[derive(Clone, Debug)]
pub enum Op {
    Sleep(u64),
    Yield,
    /// Lock mutex i, sleep, unlock.
    Lock(usize, u64),
    /// Lock mutexes i < j (global order), sleeping in between and inside.
    LockTwo(usize, usize, u64),
    /// Down semaphore i, sleep, up.
    Sem(usize, u64),
    /// Spawn a child that sleeps, join it.
    SpawnJoin(u64),
}

#[derive(Clone, Debug)]
pub struct MailboxSpec {
    pub capacity: Option<usize>,
    pub producer_sleeps: Vec<u64>,
    pub consumer_sleeps: Vec<u64>,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub tasks: Vec<Vec<Op>>,
    pub permits: Vec<usize>,
    pub mailboxes: Vec<MailboxSpec>,
}

impl Program {
    /// Tasks the program spawns at the root (each mailbox adds two).
    pub fn root_tasks(&self) -> usize {
        self.tasks.len() + 2 * self.mailboxes.len()
    }
}

/// Short delays in microseconds, zero included, so that many events tie.
fn delay() -> impl Strategy<Value = u64> {
    0u64..4
}

fn op(sems: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        delay().prop_map(Op::Sleep),
        Just(Op::Yield),
        (0..MUTEXES, delay()).prop_map(|(i, d)| Op::Lock(i, d)),
        (0..MUTEXES, 0..MUTEXES, delay()).prop_filter_map("two distinct", |(a, b, d)| {
            (a != b).then(|| Op::LockTwo(a.min(b), a.max(b), d))
        }),
        (0..sems, delay()).prop_map(|(i, d)| Op::Sem(i, d)),
        delay().prop_map(Op::SpawnJoin),
    ]
}

fn mailbox() -> impl Strategy<Value = MailboxSpec> {
    (
        prop::option::of(1usize..3),
        1usize..8,
        prop::collection::vec(delay(), 8),
        prop::collection::vec(delay(), 8),
    )
        .prop_map(|(capacity, n, p, c)| MailboxSpec {
            capacity,
            producer_sleeps: p[..n].to_vec(),
            consumer_sleeps: c[..n].to_vec(),
        })
}

/// Programs of 2 to 16 root tasks.
pub fn program() -> impl Strategy<Value = Program> {
    (prop::collection::vec(1usize..4, 1..3), 0usize..3).prop_flat_map(|(permits, n_mb)| {
        let sems = permits.len();
        let max_tasks = 16 - 2 * n_mb;
        let min_tasks = 2usize.saturating_sub(2 * n_mb).max(1);
        (
            prop::collection::vec(prop::collection::vec(op(sems), 1..6), min_tasks..=max_tasks),
            Just(permits),
            prop::collection::vec(mailbox(), n_mb),
        )
            .prop_map(|(tasks, permits, mailboxes)| Program {
                tasks,
                permits,
                mailboxes,
            })
    })
}

/// What a run of a program observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub trace_hash: u64,
    pub end_time: SimTime,
    /// (task, step, time) in the order steps completed across all tasks.
    pub log: Vec<(usize, usize, SimTime)>,
    pub max_mutex_holders: Vec<usize>,
    pub max_sem_holders: Vec<usize>,
    /// What each mailbox's consumer received, in order.
    pub received: Vec<Vec<u32>>,
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

struct Counter {
    now: Cell<usize>,
    max: Cell<usize>,
}

impl Counter {
    fn new() -> Rc<Counter> {
        Rc::new(Counter {
            now: Cell::new(0),
            max: Cell::new(0),
        })
    }
    fn enter(&self) {
        self.now.set(self.now.get() + 1);
        self.max.set(self.max.get().max(self.now.get()));
    }
    fn leave(&self) {
        self.now.set(self.now.get() - 1);
    }
}

/// Runs `p` under `tie`; the outcome, or the run's error.
pub fn run(p: &Program, tie: TieBreak) -> Result<Outcome, SimError> {
    run_on(p, tie, StackMode::Dedicated)
}

/// Runs `p` under `tie` with its workers' stacks as `stacks` says.
pub fn run_on(p: &Program, tie: TieBreak, stacks: StackMode) -> Result<Outcome, SimError> {
    let mut rt = Runtime::new(RuntimeConfig {
        seed: 1,
        tie_break: tie,
        pool: PoolConfig {
            stacks,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    let mutexes: Vec<Mutex<u64>> = (0..MUTEXES).map(|_| Mutex::new(0)).collect();
    let mutex_holders: Vec<Rc<Counter>> = (0..MUTEXES).map(|_| Counter::new()).collect();
    let sems: Vec<Semaphore> = p.permits.iter().map(|&n| Semaphore::new(n)).collect();
    let sem_holders: Vec<Rc<Counter>> = p.permits.iter().map(|_| Counter::new()).collect();
    let log = Rc::new(RefCell::new(Vec::new()));

    for (t, ops) in p.tasks.iter().enumerate() {
        let ops = ops.clone();
        let (mutexes, mutex_holders) = (mutexes.clone(), mutex_holders.clone());
        let (sems, sem_holders, log) = (sems.clone(), sem_holders.clone(), log.clone());
        rt.spawn(format!("task{t}"), move || {
            for (step, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Sleep(d) => sleep(us(d)),
                    Op::Yield => yield_now(),
                    Op::Lock(i, d) => {
                        let mut g = mutexes[i].lock();
                        mutex_holders[i].enter();
                        *g += 1;
                        sleep(us(d));
                        assert_eq!(mutex_holders[i].now.get(), 1, "mutual exclusion");
                        mutex_holders[i].leave();
                    }
                    Op::LockTwo(i, j, d) => {
                        let _gi = mutexes[i].lock();
                        mutex_holders[i].enter();
                        sleep(us(d));
                        let _gj = mutexes[j].lock();
                        mutex_holders[j].enter();
                        sleep(us(d));
                        mutex_holders[j].leave();
                        mutex_holders[i].leave();
                    }
                    Op::Sem(i, d) => {
                        sems[i].down();
                        sem_holders[i].enter();
                        sleep(us(d));
                        sem_holders[i].leave();
                        sems[i].up();
                    }
                    Op::SpawnJoin(d) => {
                        let child = spawn("child", move || {
                            sleep(us(d));
                            d * 2
                        });
                        assert_eq!(child.join().unwrap(), d * 2);
                    }
                }
                log.borrow_mut().push((t, step, now()));
            }
        });
    }

    let mut received = Vec::new();
    for (m, spec) in p.mailboxes.iter().enumerate() {
        let mb: Mailbox<u32> = match spec.capacity {
            Some(c) => Mailbox::bounded(c),
            None => Mailbox::new(),
        };
        let got = Rc::new(RefCell::new(Vec::new()));
        received.push(got.clone());
        let (tx, sleeps) = (mb.clone(), spec.producer_sleeps.clone());
        rt.spawn(format!("producer{m}"), move || {
            for (i, d) in sleeps.into_iter().enumerate() {
                sleep(us(d));
                tx.send(i as u32);
            }
        });
        let sleeps = spec.consumer_sleeps.clone();
        rt.spawn(format!("consumer{m}"), move || {
            for d in sleeps {
                sleep(us(d));
                got.borrow_mut().push(mb.recv());
            }
            assert!(mb.is_empty());
        });
    }

    let report = rt.run()?;
    let log = log.borrow().clone();
    Ok(Outcome {
        trace_hash: report.trace_hash,
        end_time: report.end_time,
        log,
        max_mutex_holders: mutex_holders.iter().map(|c| c.max.get()).collect(),
        max_sem_holders: sem_holders.iter().map(|c| c.max.get()).collect(),
        received: received.iter().map(|r| r.borrow().clone()).collect(),
    })
}

/// k tasks, task i locks m_i, sleeps, then locks m_{(i+1)%k}: a cycle that always
/// closes (every first lock happens at time 0, every second one after the sleep).
/// `bystanders` unrelated tasks sleep far longer. Returns the cycle's task ids
/// and the run's error.
pub fn run_cycle(k: usize, bystanders: usize, seed: u64) -> (Vec<TaskId>, Vec<TaskId>, SimError) {
    let mut rt = Runtime::new(RuntimeConfig {
        seed,
        tie_break: TieBreak::Random(seed),
        ..RuntimeConfig::default()
    });
    let mutexes: Vec<Mutex<()>> = (0..k).map(|i| Mutex::named(&format!("m{i}"), ())).collect();
    let mut others = Vec::new();
    // Interleave bystanders with the cycle so ids are not simply 1..=k.
    let mut cycle = Vec::new();
    for i in 0..k {
        if i < bystanders {
            others.push(
                rt.spawn(format!("bystander{i}"), || sleep(Duration::from_secs(10)))
                    .id(),
            );
        }
        let first = mutexes[i].clone();
        let second = mutexes[(i + 1) % k].clone();
        cycle.push(
            rt.spawn(format!("cycle{i}"), move || {
                let _a = first.lock();
                sleep(Duration::from_millis(1));
                let _b = second.lock();
            })
            .id(),
        );
    }
    for i in k..bystanders {
        others.push(
            rt.spawn(format!("bystander{i}"), || sleep(Duration::from_secs(10)))
                .id(),
        );
    }
    let err = rt.run().expect_err("the cycle always closes");
    (cycle, others, err)
}
