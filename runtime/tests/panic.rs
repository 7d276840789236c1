//! Task panics: the TaskPanicked report (id, name, time, message with location,
//! seed) under PanicPolicy::Stop, and recorded panics under PanicPolicy::Continue.

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

/// Checks `message` is `"<text> <line> (at <this file>:<line>)"` and returns the line.
fn check_located(message: &str, text: &str) -> u32 {
    let rest = message
        .strip_prefix(text)
        .unwrap_or_else(|| panic!("{message:?} does not start with {text:?}"));
    let (line, loc) = rest
        .trim_start()
        .split_once(' ')
        .expect("line then location");
    let line: u32 = line.parse().expect("the line number");
    assert_eq!(loc, format!("(at {}:{line})", file!()), "in {message:?}");
    line
}

#[test]
fn task_panicked_carries_id_name_time_message_and_seed() {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(4242));
    rt.spawn("bystander", || sleep(ms(100)));
    let bad = rt.spawn("bad apple", || {
        sleep(ms(3));
        sleep(Duration::from_nanos(5));
        panic!("boom {}", line!())
    });
    let bad_id = bad.id();
    let err = rt.run().unwrap_err();
    let SimError::TaskPanicked(p) = &err else {
        panic!("expected TaskPanicked, got {err:?}")
    };
    assert_eq!(p.id, bad_id);
    assert_eq!(p.id.as_u64(), 2);
    assert_eq!(p.name, "bad apple");
    assert_eq!(p.time, SimTime::from_nanos(3_000_005));
    assert_eq!(p.seed, 4242);
    let line = check_located(&p.message, "boom");
    assert!(line > 30);
    assert!(err.as_deadlock().is_none());

    let text = err.to_string();
    assert!(text.contains("task #2 'bad apple' panicked"), "{text}");
    assert!(text.contains("seed 4242"), "{text}");
    assert!(text.contains("0.003000005s"), "{text}");
    assert!(text.contains(&p.message), "{text}");

    // The run stopped at the panic: the bystander still sleeps.
    assert_eq!(rt.now(), SimTime::from_nanos(3_000_005));
    assert_eq!(
        bad.try_join().unwrap(),
        Err(JoinError::Panicked(p.message.clone()))
    );
}

#[test]
fn stop_policy_stops_the_run_and_reports_only_the_first_panic() {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(1));
    let later_ran = Rc::new(Cell::new(false));
    for i in 0..3 {
        rt.spawn(format!("p{i}"), move || -> () {
            sleep(ms(1));
            panic!("number {i}")
        });
    }
    let l = later_ran.clone();
    rt.spawn("later", move || {
        sleep(ms(2));
        l.set(true);
    });
    let err = rt.run().unwrap_err();
    match err {
        SimError::TaskPanicked(p) => {
            assert_eq!(p.name, "p0");
            assert!(p.message.starts_with("number 0 (at "), "{}", p.message);
            assert_eq!(p.time, at_ms(1));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!later_ran.get());
}

#[test]
fn continue_policy_records_panics_and_the_run_goes_on() {
    let mut rt = Runtime::new(RuntimeConfig {
        seed: 77,
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    });
    let first = rt.spawn("first", || -> u8 {
        sleep(ms(2));
        panic!("first {}", line!())
    });
    let second = rt.spawn("second", || -> u8 {
        sleep(ms(5));
        let v: Vec<u8> = std::hint::black_box(Vec::new());
        v[std::hint::black_box(3)]
    });
    let survivor = rt.spawn("survivor", || {
        sleep(ms(10));
        now()
    });
    let report = rt.run().unwrap();
    assert_eq!(report.end_time, at_ms(10));
    assert_eq!(survivor.try_join().unwrap().unwrap(), at_ms(10));
    assert_eq!(report.panics.len(), 2);

    let p = &report.panics[0];
    assert_eq!((p.id, p.name.to_string().as_str()), (first.id(), "first"));
    assert_eq!(p.time, at_ms(2));
    assert_eq!(p.seed, 77);
    check_located(&p.message, "first");
    assert_eq!(
        first.try_join().unwrap(),
        Err(JoinError::Panicked(p.message.clone()))
    );

    let p = &report.panics[1];
    assert_eq!((p.id, p.name.to_string().as_str()), (second.id(), "second"));
    assert_eq!(p.time, at_ms(5));
    assert!(p.message.contains("index out of bounds"), "{}", p.message);
    assert!(
        p.message.contains(&format!("(at {}:", file!())),
        "{}",
        p.message
    );
    assert!(matches!(
        second.try_join(),
        Some(Err(JoinError::Panicked(_)))
    ));
}

#[test]
fn panicking_task_releases_its_mutex_while_unwinding() {
    let mut rt = Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    });
    let m = Mutex::new(0);
    let m1 = m.clone();
    rt.spawn("holder", move || {
        let _g = m1.lock();
        sleep(ms(4));
        panic!("holding the lock");
    });
    let m2 = m.clone();
    let waiter = rt.spawn("waiter", move || {
        sleep(ms(1));
        *m2.lock() += 1;
        now()
    });
    let report = rt.run().unwrap();
    assert_eq!(waiter.try_join().unwrap().unwrap(), at_ms(4));
    assert_eq!(report.panics.len(), 1);
}

#[test]
fn a_panic_caught_inside_a_task_is_not_reported() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("careful", || {
        let r = std::panic::catch_unwind(|| -> u8 { panic!("caught") });
        sleep(ms(1));
        r.is_err()
    });
    let report = rt.run().unwrap();
    assert!(h.try_join().unwrap().unwrap());
    assert!(report.panics.is_empty());
}

#[test]
fn resume_unwind_after_a_caught_panic_reports_its_own_payload() {
    let mut rt = Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    });
    let h = rt.spawn("rethrower", || {
        let _ = std::panic::catch_unwind(|| -> u8 { panic!("inner, already handled") });
        std::panic::resume_unwind(Box::new("outer"));
    });
    let report = rt.run().unwrap();
    assert_eq!(report.panics.len(), 1);
    assert_eq!(report.panics[0].message, "outer");
    assert_eq!(
        h.try_join().unwrap(),
        Err(JoinError::Panicked("outer".into()))
    );
}

#[test]
fn a_caught_panic_of_an_earlier_resumption_does_not_locate_a_later_one() {
    let mut rt = Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    });
    // Same message both times: only the resumption tells the records apart.
    rt.spawn("catcher", || {
        let _ = std::panic::catch_unwind(|| -> u8 { panic!("boom") });
    });
    rt.spawn("rethrower", || {
        let _ = std::panic::catch_unwind(|| -> u8 { panic!("boom") });
        sleep(ms(1));
        std::panic::resume_unwind(Box::new("boom"));
    });
    rt.spawn("later", || std::panic::resume_unwind(Box::new("boom")));
    rt.spawn("located", || -> u8 { panic!("boom") });
    let report = rt.run().unwrap();
    let messages: Vec<&str> = report.panics.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0], "boom");
    let at = format!("boom (at {}:", file!());
    assert!(messages[1].starts_with(&at), "{messages:?}");
    assert_eq!(messages[2], "boom");
}
