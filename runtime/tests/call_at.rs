//! Timed callbacks (`call_at`) and `stop`.

use p2psim_runtime::*;
use std::time::Duration;

#[test]
fn callbacks_run_at_their_time_and_stop_ends_the_run() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    rt.call_at(SimTime::from_nanos(5), move || {
        let l2 = l.clone();
        l.borrow_mut().push(("cb", clock()));
        spawn_any("from-cb", move || l2.borrow_mut().push(("task", now()))).unwrap();
    });
    rt.spawn_daemon("ticker", || loop {
        sleep(Duration::from_secs(1))
    });
    rt.spawn("stopper", || {
        sleep(Duration::from_secs(10));
        stop();
    });
    let r = rt.run().unwrap();
    assert_eq!(r.end_time, SimTime::from_nanos(10_000_000_000));
    assert_eq!(
        *log.borrow(),
        vec![
            ("cb", SimTime::from_nanos(5)),
            ("task", SimTime::from_nanos(5))
        ]
    );
}
