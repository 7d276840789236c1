//! The runtime alone, no network: two tasks play ping-pong through mailboxes in
//! virtual time. Each throw takes 10 ms of flight (the thrower sleeps); `recv`
//! blocks the catcher until the ball arrives. Pong leaves after three balls, so
//! ping's wait for the fourth times out, at exactly 50 ms after its throw.
//!
//! ```text
//! cargo run --example pingpong
//! ```

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use p2psim::runtime::{now, sleep, Mailbox, Runtime, RuntimeConfig};

/// How long a ball is in the air.
const FLIGHT: Duration = Duration::from_millis(10);
/// How long ping waits for a ball to come back.
const PATIENCE: Duration = Duration::from_millis(50);

/// Plays the game and prints what happened, with virtual times.
fn main() {
    for line in play() {
        println!("{line}");
    }
}

/// What the players saw. Everything runs on one OS thread, one task at a
/// time, so `Rc` and `RefCell` are enough to share it.
type Log = Rc<RefCell<Vec<String>>>;

/// Adds a line to the log, stamped with the virtual time.
fn say(log: &Log, line: String) {
    log.borrow_mut().push(format!("{} {line}", now()));
}

/// Ping serves four balls, one at a time, and waits for each to come back.
fn ping(inbox: Mailbox<u32>, pong: Mailbox<u32>, log: Log) {
    for ball in 1..=4 {
        sleep(FLIGHT); // the ball flies to pong
        pong.send(ball);
        match inbox.recv_for(PATIENCE) {
            Some(back) => say(&log, format!("ping: ball {back} is back")),
            None => {
                say(&log, format!("ping: ball {ball} never came back"));
                return;
            }
        }
    }
}

/// Pong returns three balls, then leaves.
fn pong(inbox: Mailbox<u32>, ping: Mailbox<u32>, log: Log) {
    for _ in 0..3 {
        let ball = inbox.recv(); // blocks in virtual time until a ball lands
        say(&log, format!("pong: caught ball {ball}"));
        sleep(FLIGHT);
        ping.send(ball);
    }
    say(&log, "pong: leaves".to_string());
}

/// Plays the game; returns the log and how the run ended.
fn play() -> Vec<String> {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(1));
    let log = Log::default();
    // A mailbox per player, where a ball thrown to it lands; a clone is
    // another handle to the same mailbox.
    let (ping_box, pong_box) = (Mailbox::new(), Mailbox::new());
    let (inbox, to_pong, l) = (ping_box.clone(), pong_box.clone(), log.clone());
    rt.spawn("ping", move || ping(inbox, to_pong, l));
    let l = log.clone();
    rt.spawn("pong", move || pong(pong_box, ping_box, l));

    let report = rt.run().expect("no deadlock, no panic");
    let mut lines = log.take();
    lines.push(format!(
        "the game ended at {} after {} task resumptions",
        report.end_time, report.events
    ));
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_game_runs_in_exact_virtual_time() {
        let lines = super::play();
        assert_eq!(
            lines[..8],
            [
                "0.010000000s pong: caught ball 1",
                "0.020000000s ping: ball 1 is back",
                "0.030000000s pong: caught ball 2",
                "0.040000000s ping: ball 2 is back",
                "0.050000000s pong: caught ball 3",
                "0.060000000s pong: leaves",
                "0.060000000s ping: ball 3 is back",
                "0.120000000s ping: ball 4 never came back",
            ]
        );
        assert!(lines[8].starts_with("the game ended at 0.120000000s after "));
    }
}
