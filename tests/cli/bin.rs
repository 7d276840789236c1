//! Running the `p2psim` binary as a user would. Every test runs it through
//! here, with backtraces on, and every run is held to the promise the command
//! line keeps whatever its input: no panic reaches it.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_p2psim");

/// The binary, with backtraces on (a panic would show in full).
pub fn command() -> Command {
    let mut c = Command::new(BIN);
    c.env("RUST_BACKTRACE", "1");
    c
}

/// `p2psim args...`: its output, checked.
pub fn p2psim(args: &[&str]) -> Output {
    command().args(args).run()
}

/// A shell script (for `ulimit`) that runs the binary as `$P2PSIM`.
pub fn sh_command(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(script)
        .env("P2PSIM", BIN)
        .env("RUST_BACKTRACE", "1");
    c
}

/// Runs `cmd`, killed if it takes longer than `limit`: its output, or why it
/// broke the promise (a panic reached stderr, or it hung), for the caller to
/// report with others.
pub fn run_within(cmd: &mut Command, limit: Duration) -> Result<Output, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let stdout = std::thread::spawn(move || read_all(out));
    let stderr = std::thread::spawn(move || read_all(err));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the command can be waited for") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {limit:?} (a hang)"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = Output {
        status,
        stdout: stdout.join().expect("stdout is read"),
        stderr: stderr.join().expect("stderr is read"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked at") {
        return Err(format!("a panic reached the command line:\n{stderr}"));
    }
    Ok(out)
}

/// Everything `pipe` gives until it closes.
fn read_all(pipe: Option<impl Read>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut p) = pipe {
        let _ = p.read_to_end(&mut bytes);
    }
    bytes
}

/// Fails the test when a panic reached the command line in `out`.
fn assert_no_panic(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked at"),
        "{what}: a panic reached the command line:\n{stderr}"
    );
}

/// Runs a command, checked.
pub trait Run {
    /// Runs it to its end; its output, once checked that no panic reached stderr.
    fn run(&mut self) -> Output;
}

impl Run for Command {
    fn run(&mut self) -> Output {
        let out = self.output().expect("the command starts");
        assert_no_panic(&out, &format!("{self:?}"));
        out
    }
}
