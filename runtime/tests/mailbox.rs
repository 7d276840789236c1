//! Mailbox<T>: FIFO delivery, blocking recv, timeouts, try_recv, bounded capacity
//! with blocking send, and receivers served in arrival order.

use std::cell::RefCell;
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
fn messages_arrive_in_send_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let tx = mb.clone();
    rt.spawn("producer", move || {
        for i in 0..100 {
            tx.send(i);
            if i % 7 == 0 {
                sleep(ms(1));
            }
        }
    });
    let rx = mb.clone();
    let h = rt.spawn("consumer", move || {
        (0..100).map(|_| rx.recv()).collect::<Vec<_>>()
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (0..100).collect::<Vec<_>>());
    assert!(mb.is_empty());
    assert_eq!(mb.len(), 0);
}

#[test]
fn recv_blocks_until_a_send() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<&'static str> = Mailbox::named("inbox", None);
    let rx = mb.clone();
    let h = rt.spawn("receiver", move || (rx.recv(), now()));
    rt.spawn("sender", move || {
        sleep(Duration::from_nanos(12_345));
        mb.send("hello");
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ("hello", SimTime::from_nanos(12_345))
    );
}

#[test]
fn recv_for_times_out_at_exactly_the_deadline() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u8> = Mailbox::new();
    let rx = mb.clone();
    let h = rt.spawn("receiver", move || {
        sleep(ms(1));
        let first = (rx.recv_for(Duration::from_nanos(333)), now());
        let second = (rx.recv_for(ms(10)), now());
        (first, second)
    });
    rt.spawn("sender", move || {
        sleep(ms(5));
        mb.send(8);
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ((None, SimTime::from_nanos(1_000_333)), (Some(8), at_ms(5)))
    );
}

#[test]
fn try_recv_and_len() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || {
        let mb: Mailbox<char> = Mailbox::new();
        let empty = mb.try_recv();
        mb.send('a');
        mb.send('b');
        let len = mb.len();
        (
            empty,
            len,
            mb.try_recv(),
            mb.try_recv(),
            mb.try_recv(),
            now(),
        )
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (None, 2, Some('a'), Some('b'), None, SimTime::ZERO)
    );
}

#[test]
fn a_message_for_a_woken_receiver_cannot_be_stolen() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u8> = Mailbox::new();
    let rx = mb.clone();
    let waiting = rt.spawn("waiting", move || rx.recv());
    let (tx, thief) = (mb.clone(), mb.clone());
    let h = rt.spawn("sender-and-thief", move || {
        sleep(ms(1));
        tx.send(1);
        // The message is promised to the receiver that was already waiting.
        let stolen = thief.try_recv();
        (stolen, thief.len())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (None, 1));
    assert_eq!(waiting.try_join().unwrap().unwrap(), 1);
    assert!(mb.is_empty());
}

#[test]
fn bounded_send_blocks_when_full_and_resumes_when_a_receiver_takes() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::bounded(2);
    let log = Rc::new(RefCell::new(Vec::new()));
    let (tx, l) = (mb.clone(), log.clone());
    rt.spawn("producer", move || {
        for i in 0..5 {
            tx.send(i);
            l.borrow_mut().push(("sent", i, now()));
        }
    });
    let (rx, l) = (mb.clone(), log.clone());
    rt.spawn("consumer", move || {
        for _ in 0..5 {
            sleep(ms(10));
            let v = rx.recv();
            l.borrow_mut().push(("got", v, now()));
        }
    });
    rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![
            ("sent", 0, at_ms(0)),
            ("sent", 1, at_ms(0)),
            ("got", 0, at_ms(10)),
            ("sent", 2, at_ms(10)),
            ("got", 1, at_ms(20)),
            ("sent", 3, at_ms(20)),
            ("got", 2, at_ms(30)),
            ("sent", 4, at_ms(30)),
            ("got", 3, at_ms(40)),
            ("got", 4, at_ms(50)),
        ]
    );
}

#[test]
fn bounded_capacity_is_at_least_one() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || {
        let mb: Mailbox<u8> = Mailbox::bounded(0);
        (mb.try_send(1), mb.try_send(2), mb.len())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (Ok(()), Err(2), 1));
}

#[test]
fn send_for_times_out_and_gives_the_message_back() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<String> = Mailbox::bounded(1);
    let tx = mb.clone();
    let h = rt.spawn("sender", move || {
        tx.send("first".to_string());
        sleep(ms(1));
        let r = tx.send_for("second".to_string(), ms(4));
        (r, now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (Err("second".to_string()), at_ms(5))
    );
    assert_eq!(mb.len(), 1);
}

#[test]
fn send_for_succeeds_when_room_comes_in_time() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u8> = Mailbox::bounded(1);
    let tx = mb.clone();
    let h = rt.spawn("sender", move || {
        tx.send(1);
        let r = tx.send_for(2, ms(10));
        (r, now())
    });
    let rx = mb.clone();
    let r = rt.spawn("receiver", move || {
        sleep(ms(3));
        let a = rx.recv();
        (a, rx.recv())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (Ok(()), at_ms(3)));
    assert_eq!(r.try_join().unwrap().unwrap(), (1, 2));
}

#[test]
fn blocked_senders_are_served_in_arrival_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<&'static str> = Mailbox::bounded(1);
    let tx = mb.clone();
    rt.spawn("filler", move || tx.send("fill"));
    for (name, arrive) in [("s3", 3), ("s1", 1), ("s2", 2)] {
        let tx = mb.clone();
        rt.spawn(name, move || {
            sleep(ms(arrive));
            tx.send(name);
        });
    }
    let rx = mb.clone();
    let h = rt.spawn("receiver", move || {
        sleep(ms(10));
        (0..4).map(|_| rx.recv()).collect::<Vec<_>>()
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        vec!["fill", "s1", "s2", "s3"]
    );
}

#[test]
fn multiple_receivers_are_served_in_arrival_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    for (name, arrive) in [("r3", 3), ("r1", 1), ("r2", 2)] {
        let (rx, log) = (mb.clone(), log.clone());
        rt.spawn(name, move || {
            sleep(ms(arrive));
            let v = rx.recv();
            log.borrow_mut().push((name, v, now()));
        });
    }
    let tx = mb.clone();
    rt.spawn("sender", move || {
        sleep(ms(5));
        tx.send(10);
        tx.send(20);
        sleep(ms(1));
        tx.send(30);
    });
    rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![
            ("r1", 10, at_ms(5)),
            ("r2", 20, at_ms(5)),
            ("r3", 30, at_ms(6))
        ]
    );
}

#[test]
fn timed_out_receivers_are_skipped() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let rx1 = mb.clone();
    let impatient = rt.spawn("impatient", move || rx1.recv_for(ms(1)));
    let rx2 = mb.clone();
    let patient = rt.spawn("patient", move || (rx2.recv(), now()));
    rt.spawn("sender", move || {
        sleep(ms(2));
        mb.send(5);
    });
    rt.run().unwrap();
    assert_eq!(impatient.try_join().unwrap().unwrap(), None);
    assert_eq!(patient.try_join().unwrap().unwrap(), (5, at_ms(2)));
}

#[test]
fn every_message_is_received_exactly_once_by_competing_receivers() {
    let mut rt = Runtime::new(RuntimeConfig {
        tie_break: TieBreak::Random(5),
        ..RuntimeConfig::default()
    });
    let mb: Mailbox<u32> = Mailbox::bounded(3);
    let got = Rc::new(RefCell::new(Vec::new()));
    for p in 0..3u32 {
        let tx = mb.clone();
        rt.spawn(format!("p{p}"), move || {
            for i in 0..50 {
                tx.send(p * 1000 + i);
                if i % 5 == 0 {
                    sleep(Duration::from_nanos(u64::from(p) + 1));
                }
            }
        });
    }
    for r in 0..5u64 {
        let (rx, got) = (mb.clone(), got.clone());
        rt.spawn(format!("r{r}"), move || {
            for _ in 0..30 {
                let v = rx.recv();
                got.borrow_mut().push(v);
                sleep(Duration::from_nanos(r + 1));
            }
        });
    }
    rt.run().unwrap();
    let got = got.borrow();
    assert_eq!(got.len(), 150);
    // Per producer, messages come out in the order they went in.
    for p in 0..3u32 {
        let mine: Vec<u32> = got.iter().copied().filter(|v| v / 1000 == p).collect();
        assert_eq!(mine, (0..50).map(|i| p * 1000 + i).collect::<Vec<_>>());
    }
}

#[test]
fn messages_are_read_after_the_run_and_after_the_runtime_is_dropped() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let tx = mb.clone();
    rt.spawn("producer", move || {
        for i in 0..6 {
            tx.send(i);
            sleep(ms(1));
        }
    });
    // A receiver still parked when the run ends.
    let rx = mb.clone();
    rt.spawn_daemon("late", move || {
        sleep(ms(100));
        rx.recv()
    });
    rt.run().unwrap();
    assert_eq!(mb.len(), 6);
    assert!(!mb.is_empty());
    assert_eq!(mb.try_recv(), Some(0));
    assert_eq!(mb.try_recv(), Some(1));
    drop(rt);
    assert_eq!(mb.len(), 4);
    assert_eq!(mb.try_recv(), Some(2));
    assert_eq!(mb.drain(), vec![3, 4, 5]);
    assert!(mb.is_empty());
    assert_eq!(mb.try_recv(), None);
    assert_eq!(mb.drain(), Vec::<u32>::new());
}

#[test]
fn receiving_outside_the_run_from_a_full_bounded_mailbox_wakes_nobody() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::bounded(2);
    let tx = mb.clone();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let sent2 = sent.clone();
    rt.spawn_daemon("producer", move || {
        for i in 0..4 {
            tx.send(i);
            sent2.borrow_mut().push(i);
        }
    });
    rt.run().unwrap();
    // Two fit; the third send is parked on the full mailbox.
    assert_eq!(*sent.borrow(), vec![0, 1]);
    assert_eq!(mb.try_recv(), Some(0));
    assert_eq!(mb.drain(), vec![1]);
    assert_eq!(*sent.borrow(), vec![0, 1]);
    // The parked sender's waiter is stale once the runtime is gone.
    drop(rt);
    assert!(mb.is_empty());
    assert_eq!(mb.try_recv(), None);
}

#[test]
fn drain_in_a_task_takes_all_and_frees_room_for_parked_senders() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::bounded(2);
    let tx = mb.clone();
    rt.spawn("producer", move || {
        for i in 0..5 {
            tx.send(i);
        }
    });
    let rx = mb.clone();
    let h = rt.spawn("drainer", move || {
        let mut batches = Vec::new();
        while batches.iter().map(Vec::len).sum::<usize>() < 5 {
            sleep(ms(1));
            batches.push(rx.drain());
        }
        batches
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        vec![vec![0, 1], vec![2, 3], vec![4]]
    );
}

#[test]
fn drain_leaves_the_messages_promised_to_woken_receivers() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let rx = mb.clone();
    let waiter = rt.spawn("waiter", move || rx.recv());
    let tx = mb.clone();
    let h = rt.spawn("sender", move || {
        sleep(ms(1));
        tx.send(1);
        tx.send(2);
        // The waiter was woken by the first send but has not run: one stays.
        tx.drain()
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), vec![1]);
    assert_eq!(waiter.try_join().unwrap().unwrap(), 2);
}
