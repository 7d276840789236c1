use p2psim_runtime::*;
use std::time::Duration;

#[test]
fn doc_example_and_pingpong() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let a = Semaphore::new(0);
    let b = Semaphore::new(0);
    let (a2, b2) = (a.clone(), b.clone());
    rt.spawn("A", move || {
        for _ in 0..1000 {
            b2.up();
            a2.down();
        }
    });
    rt.spawn("B", move || {
        for _ in 0..1000 {
            b.down();
            a.up();
        }
    });
    let r = rt.run().unwrap();
    assert!(r.events >= 2000);
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("s", || {
        sleep(Duration::from_secs(2));
        now()
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        SimTime::from_nanos(2_000_000_000)
    );
}

#[test]
fn deadlock_is_reported() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::named("never", 0);
    rt.spawn("stuck", move || s.down());
    let e = rt.run().unwrap_err();
    let d = e.as_deadlock().unwrap();
    assert_eq!(d.tasks.len(), 1);
    println!("{e}");
}

#[test]
fn panic_is_reported() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn("bad", move || {
        sleep(Duration::from_secs(1));
        panic!("boom")
    });
    let e = rt.run().unwrap_err();
    println!("{e}");
    assert!(matches!(e, SimError::TaskPanicked(_)));
}
