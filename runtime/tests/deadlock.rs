//! Global deadlocks: every blocked task is reported with what it waits on, the
//! object's name and since when; daemons blocked forever are not a deadlock;
//! the report's Display carries the seed.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

#[test]
fn global_deadlock_lists_every_blocked_task() {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(31337));
    let sem = Semaphore::named("sem-never", 0);
    let lo = LockObject::named("lo-never");
    let mb: Mailbox<u8> = Mailbox::named("mb-empty", None);
    let full: Mailbox<u8> = Mailbox::named("mb-full", Some(1));
    let sp = SyncPoint::named("sp-never");
    let m = Mutex::named("mx", ());

    let s = sem.clone();
    rt.spawn("t-sem", move || {
        sleep(ms(1));
        s.down();
    });
    rt.spawn("t-lo", move || {
        sleep(ms(2));
        lo.block();
    });
    rt.spawn("t-recv", move || {
        sleep(ms(3));
        mb.recv();
    });
    rt.spawn("t-send", move || {
        full.send(1);
        sleep(ms(4));
        full.send(2);
    });
    rt.spawn("t-sp", move || {
        sleep(ms(5));
        sp.wait_until(|| false);
    });
    let m1 = m.clone();
    rt.spawn("t-holder", move || {
        let _g = m1.lock();
        sleep(ms(6));
        sem.down();
    });
    rt.spawn("t-mutex", move || {
        sleep(ms(7));
        let _g = m.lock();
    });
    rt.spawn("t-join", move || {
        sleep(ms(8));
        let lo = LockObject::new();
        spawn("t-child", move || lo.block()).join().unwrap();
    });
    rt.spawn("t-done", || sleep(ms(9)));

    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().expect("deadlock");
    assert!(!d.partial);
    assert_eq!(d.time, at_ms(9));
    assert_eq!(d.seed, 31337);
    assert_eq!(d.tie_break, TieBreak::Fifo);
    let got: Vec<_> = d
        .tasks
        .iter()
        .map(|t| {
            (
                t.id.as_u64(),
                t.name.to_string(),
                t.state,
                t.waits_on,
                t.object.clone(),
                t.since,
                t.daemon,
            )
        })
        .collect();
    use TaskState::*;
    use WaitKind as W;
    let o = |s: &str| Some(s.to_string());
    assert_eq!(
        got,
        vec![
            (
                1,
                "t-sem".into(),
                Blocked,
                W::Semaphore,
                o("sem-never"),
                at_ms(1),
                false
            ),
            (
                2,
                "t-lo".into(),
                Waiting,
                W::LockObject,
                o("lo-never"),
                at_ms(2),
                false
            ),
            (
                3,
                "t-recv".into(),
                Waiting,
                W::MailboxRecv,
                o("mb-empty"),
                at_ms(3),
                false
            ),
            (
                4,
                "t-send".into(),
                Waiting,
                W::MailboxSend,
                o("mb-full"),
                at_ms(4),
                false
            ),
            (
                5,
                "t-sp".into(),
                Waiting,
                W::SyncPoint,
                o("sp-never"),
                at_ms(5),
                false
            ),
            (
                6,
                "t-holder".into(),
                Blocked,
                W::Semaphore,
                o("sem-never"),
                at_ms(6),
                false
            ),
            (
                7,
                "t-mutex".into(),
                Blocked,
                W::Mutex,
                o("mx"),
                at_ms(7),
                false
            ),
            (
                8,
                "t-join".into(),
                Waiting,
                W::Join,
                o("task #10 't-child'"),
                at_ms(8),
                false
            ),
            (
                10,
                "t-child".into(),
                Waiting,
                W::LockObject,
                None,
                at_ms(8),
                false
            ),
        ]
    );
    let holder = d.tasks.iter().find(|t| t.name == "t-mutex").unwrap();
    assert_eq!(holder.waits_for.map(TaskId::as_u64), Some(6));
    let joiner = d.tasks.iter().find(|t| t.name == "t-join").unwrap();
    assert_eq!(joiner.waits_for.map(TaskId::as_u64), Some(10));
    assert!(d
        .tasks
        .iter()
        .filter(|t| t.name != "t-mutex" && t.name != "t-join")
        .all(|t| t.waits_for.is_none()));
}

#[test]
fn display_mentions_seed_time_tie_break_and_each_task() {
    let mut rt = Runtime::new(RuntimeConfig {
        seed: 987654321,
        tie_break: TieBreak::Random(3),
        ..RuntimeConfig::default()
    });
    let s = Semaphore::named("gate", 0);
    rt.spawn("stuck", move || {
        sleep(Duration::from_nanos(1_500_000_000));
        s.down();
    });
    let err = rt.run().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("seed 987654321"), "{text}");
    assert!(text.contains("tie-break random(3)"), "{text}");
    assert!(text.contains("every task is blocked"), "{text}");
    assert!(text.contains("1.500000000s"), "{text}");
    assert!(
        text.contains("task #1 'stuck' (Blocked) waits on semaphore 'gate' since 1.500000000s"),
        "{text}"
    );
    assert!(text.contains("1 task(s)"), "{text}");
}

#[test]
fn daemons_blocked_forever_are_not_a_deadlock() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let requests: Mailbox<u32> = Mailbox::named("requests", None);
    let served = Rc::new(Cell::new(0));
    let (rx, s) = (requests.clone(), served.clone());
    let server = rt.spawn_daemon("server", move || loop {
        let _r = rx.recv();
        s.set(s.get() + 1);
    });
    let tx = requests.clone();
    rt.spawn("client", move || {
        for i in 0..3 {
            sleep(ms(1));
            tx.send(i);
        }
    });
    let report = rt.run().unwrap();
    assert_eq!(served.get(), 3);
    assert_eq!(report.end_time, at_ms(3));
    assert_eq!(report.tasks_alive, 1);
    assert_eq!(server.state(), TaskState::Waiting);
}

#[test]
fn daemons_spawned_from_tasks_do_not_hold_the_run() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("main", || {
        let d = spawn_daemon("helper", || LockObject::new().block());
        sleep(ms(2));
        d.state()
    });
    let report = rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), TaskState::Waiting);
    assert_eq!(report.end_time, at_ms(2));
}

#[test]
fn a_non_daemon_blocked_with_daemons_is_a_deadlock_listing_both() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn_daemon("d", || LockObject::new().block());
    rt.spawn("n", || Semaphore::new(0).down());
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    let flags: Vec<_> = d
        .tasks
        .iter()
        .map(|t| (t.name.to_string(), t.daemon))
        .collect();
    assert_eq!(
        flags,
        vec![("d".to_string(), true), ("n".to_string(), false)]
    );
    assert!(err.to_string().contains("[daemon]"));
}

#[test]
fn run_ends_when_only_daemons_remain_even_if_they_sleep() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let beats = Rc::new(Cell::new(0u32));
    let b = beats.clone();
    // A periodic heartbeat daemon (bounded here so the bug cannot hang the test).
    rt.spawn_daemon("heartbeat", move || {
        for _ in 0..1000 {
            sleep(ms(10));
            b.set(b.get() + 1);
        }
    });
    rt.spawn("main", || sleep(ms(25)));
    let report = rt.run().unwrap();
    assert!(report.completed);
    assert_eq!(report.end_time, at_ms(25));
    assert_eq!(beats.get(), 2);
    assert_eq!(report.tasks_alive, 1);
}

#[test]
fn blocked_task_display_format() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::named("res", ());
    let m1 = m.clone();
    rt.spawn("owner", move || {
        let _g = m1.lock();
        Semaphore::named("s", 0).down();
    });
    rt.spawn("waiter", move || {
        let _g = m.lock();
    });
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    assert_eq!(
        d.tasks[1].to_string(),
        "task #2 'waiter' (Blocked) waits on mutex 'res' held by task #1 since 0.000000000s"
    );
}
