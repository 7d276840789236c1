//! The end of the virtual clock: an instant computed past 2^64 ns saturates to
//! `SimTime::MAX`, and a run whose next event is there stops with
//! `SimError::ClockEnd` where it stands (never jumping the clock there, never
//! calling it a deadlock); a timeout that reaches it still waits forever.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn clock_end(r: Result<RunReport, SimError>) -> ClockEndReport {
    match r {
        Err(SimError::ClockEnd(c)) => c,
        other => panic!("expected the end of the clock, got {other:?}"),
    }
}

#[test]
fn a_sleep_past_the_end_stops_the_run_where_it_stands() {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(7));
    rt.spawn("sleeper", || {
        sleep(Duration::from_secs(1));
        sleep(Duration::from_secs(u64::MAX));
    });
    let c = clock_end(rt.run());
    assert_eq!(c.time, SimTime::from_nanos(1_000_000_000));
    assert_eq!(rt.now(), c.time, "the clock did not jump to the end");
    assert_eq!(c.tasks.len(), 1);
    assert_eq!(c.tasks[0].name.to_string(), "sleeper");
    assert_eq!(c.tasks[0].waits_on, WaitKind::Sleep);
    let text = SimError::ClockEnd(c).to_string();
    assert!(text.contains("end of the virtual clock"), "{text}");
    assert!(!text.contains("deadlock"), "{text}");
}

#[test]
fn an_event_past_the_end_stops_the_run_after_every_earlier_one() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let ran = Rc::new(Cell::new(0));
    let (early, late) = (ran.clone(), ran.clone());
    rt.spawn("sender", move || {
        call_at(now() + Duration::from_secs(2), move || {
            early.set(early.get() + 1)
        });
        // A latency so long that the arrival saturates at the end of the clock.
        call_at(now() + Duration::MAX, move || late.set(late.get() + 10));
        sleep(Duration::from_secs(3));
    });
    let c = clock_end(rt.run());
    assert_eq!(
        ran.get(),
        1,
        "the event before the end ran, the one past it not"
    );
    assert_eq!(c.time, SimTime::from_nanos(3_000_000_000));
}

#[test]
fn a_run_stopped_before_the_end_is_not_a_failure() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn("sleeper", || sleep_until(SimTime::MAX));
    let limit = SimTime::from_nanos(5_000);
    let report = rt.run_until(limit).expect("nothing fails before the limit");
    assert!(!report.completed);
    assert_eq!(rt.now(), limit);
}

#[test]
fn a_daemon_sleeping_past_the_end_does_not_hold_a_finished_run() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn_daemon("churn", || sleep(Duration::MAX));
    rt.spawn("work", || sleep(Duration::from_millis(4)));
    let report = rt.run().expect("the work ends before the clock does");
    assert!(report.completed);
    assert_eq!(report.end_time, SimTime::from_nanos(4_000_000));
}

#[test]
fn a_timeout_past_the_end_waits_forever() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u8> = Mailbox::new();
    let got = Rc::new(Cell::new(None));
    let (rx, out) = (mb.clone(), got.clone());
    rt.spawn("receiver", move || out.set(rx.recv_for(Duration::MAX)));
    rt.spawn("sender", move || {
        sleep(Duration::from_secs(9));
        mb.send(5);
    });
    rt.run().expect("the message comes before the end");
    assert_eq!(got.get(), Some(5));
    // With no sender, a wait whose timeout never comes is a deadlock.
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u8> = Mailbox::new();
    rt.spawn("receiver", move || mb.recv_for(Duration::MAX));
    assert!(matches!(rt.run(), Err(SimError::Deadlock(_))));
}
