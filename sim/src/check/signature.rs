//! How one failure is told from another: what a shrunk case must keep so that
//! it fails the same way as the case found, not just fails.
//!
//! A signature is the failure's kind and, for a deadlock, its tasks by name and
//! what each waits on (the object and the task it waits for); for a panic, the
//! task and its message; for a violated invariant, the message. In the names
//! of tasks and objects every run of digits reads as `#`: request numbers and
//! node numbers change when shrinking drops requests or nodes, the shape of
//! the bug does not. Messages are compared as written (a message's numbers
//! may be the bug: "holds write 1" is not "holds write 0"). A wait-for cycle
//! is compared with its multiplicity (a cycle of three is not one of two);
//! the blocked set of a global deadlock as a set (twenty consumers blocked
//! alike are the same deadlock as one).

use p2psim_runtime::{BlockedTask, DeadlockReport, SimError};

use super::failure::FailureKind;

/// What a shrunk failure must keep of the one found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    kind: FailureKind,
    /// Normalised lines, sorted.
    lines: Vec<String>,
}

impl Signature {
    /// A failure known by its kind and `lines` (in any order).
    pub fn new(kind: FailureKind, lines: impl IntoIterator<Item = String>) -> Self {
        let mut lines: Vec<String> = lines.into_iter().collect();
        lines.sort_unstable();
        // A global deadlock's blocked set is a set; a cycle keeps its length.
        if kind == FailureKind::Deadlock {
            lines.dedup();
        }
        Signature { kind, lines }
    }

    /// How the run failed.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The signature of a run the runtime failed.
    pub fn of_error(kind: FailureKind, error: &SimError) -> Self {
        match error {
            SimError::Deadlock(d) => Signature::new(kind, waits(d)),
            SimError::TaskPanicked(p) => {
                let name = normalise(&p.name.to_string());
                Signature::new(kind, [format!("'{name}' panicked: {}", p.message)])
            }
            // A limit of the machine or the clock, not a bug of the schedule: any
            // run that hits the same limit fails the same way.
            SimError::ClockEnd(_) | SimError::OutOfMemory(_) => Signature::new(kind, []),
        }
    }
}

/// Each non-daemon task of a deadlock as the name, what it waits on, and the
/// name of the task it waits for.
fn waits(d: &DeadlockReport) -> Vec<String> {
    let name_of = |id| {
        d.tasks
            .iter()
            .find(|t: &&BlockedTask| t.id == id)
            .map_or_else(
                || "a task outside the report".to_string(),
                |t| t.name.to_string(),
            )
    };
    d.tasks
        .iter()
        .filter(|t| !t.daemon)
        .map(|t| {
            let mut line = format!("'{}' waits on {}", t.name, t.waits_on.as_str());
            if let Some(o) = &t.object {
                line.push_str(&format!(" '{o}'"));
            }
            if let Some(other) = t.waits_for {
                line.push_str(&format!(" for '{}'", name_of(other)));
            }
            normalise(&line)
        })
        .collect()
}

/// `text` with every run of digits as one `#`.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_alike_and_a_cycle_keeps_its_length() {
        assert_eq!(
            normalise("request 12 (transfer) from node 3 since 0.51s"),
            "request # (transfer) from node # since #.#s"
        );
        let line = |n: u32| {
            normalise(&format!(
                "'credit at node {n}' waits on mutex 'account of node {n}'"
            ))
        };
        let set = |kind, lines: Vec<String>| Signature::new(kind, lines);
        use FailureKind::{Deadlock, PartialDeadlock};
        assert_eq!(
            set(Deadlock, vec![line(1), line(2)]),
            set(Deadlock, vec![line(7)])
        );
        assert_ne!(
            set(PartialDeadlock, vec![line(1), line(2)]),
            set(PartialDeadlock, vec![line(7)])
        );
        assert_ne!(
            set(Deadlock, vec![line(1)]),
            set(PartialDeadlock, vec![line(1)])
        );
        assert_ne!(
            set(Deadlock, vec![line(1)]),
            set(Deadlock, vec!["'x' waits on semaphore".into()])
        );
    }
}
