//! A task's name: text, or what a message's task is (its kind and node),
//! named without an allocation per message.

use std::borrow::Cow;
use std::fmt;
use std::ptr::NonNull;

/// What a task is called in reports and traces.
///
/// Most names are text (`"setup"`, `"request 7 'lookup' from node 3"`); a task
/// serving a delivered message is named by the message's kind and the node
/// it is at (`"extend at node 42"`), which costs no allocation for the
/// millions of messages a flood delivers. The whole name stays as small as a
/// `Cow<str>`, because every task's cell holds one.
#[derive(Clone)]
pub struct TaskName(Repr);

#[derive(Clone)]
enum Repr {
    Text(Cow<'static, str>),
    /// A `&'static str` kept as its parts, so that the name fits in 24 bytes.
    At {
        kind: NonNull<u8>,
        len: u32,
        node: u32,
    },
}

// SAFETY: the only pointer in a name is to a `&'static str` (see `at_node`):
// immutable data that lives forever, which any thread may read.
unsafe impl Send for TaskName {}
// SAFETY: as for `Send`: a name is never mutated through a shared reference.
unsafe impl Sync for TaskName {}

impl TaskName {
    /// The name of a task serving a message of `kind` at `node`.
    pub fn at_node(kind: &'static str, node: u32) -> Self {
        let len = u32::try_from(kind.len()).unwrap_or(0);
        TaskName(Repr::At {
            kind: NonNull::from(kind.as_bytes()).cast(),
            len,
            node,
        })
    }

    /// The message kind and node of a name made by [`TaskName::at_node`].
    pub fn kind_and_node(&self) -> Option<(&'static str, u32)> {
        match self.0 {
            Repr::Text(_) => None,
            Repr::At { kind, len, node } => {
                // SAFETY: `kind` and `len` were taken from a `&'static str` in
                // `at_node` (a length over u32 is recorded as 0, a valid prefix),
                // so they describe `len` bytes of valid UTF-8 that live forever.
                let text = unsafe {
                    let bytes = std::slice::from_raw_parts(kind.as_ptr(), len as usize);
                    std::str::from_utf8_unchecked(bytes)
                };
                Some((text, node))
            }
        }
    }

    /// The name's text, when it is text (not a message's kind and node).
    pub fn as_text(&self) -> Option<&str> {
        match &self.0 {
            Repr::Text(t) => Some(t),
            Repr::At { .. } => None,
        }
    }

    /// Writes the name in pieces, with no allocation (for the overflow report,
    /// which runs in a signal handler).
    pub(crate) fn write_parts(&self, mut text: impl FnMut(&str), mut num: impl FnMut(u64)) {
        match self.kind_and_node() {
            None => text(self.as_text().unwrap_or("")),
            Some((kind, node)) => {
                text(kind);
                text(" at node ");
                num(u64::from(node));
            }
        }
    }
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind_and_node() {
            None => f.write_str(self.as_text().unwrap_or("")),
            Some((kind, node)) => write!(f, "{kind} at node {node}"),
        }
    }
}

impl fmt::Debug for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl PartialEq for TaskName {
    fn eq(&self, other: &TaskName) -> bool {
        match (self.as_text(), other.as_text()) {
            (Some(a), Some(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for TaskName {}

impl PartialEq<str> for TaskName {
    fn eq(&self, other: &str) -> bool {
        match self.as_text() {
            Some(t) => t == other,
            None => self.to_string().as_str() == other,
        }
    }
}

impl PartialEq<&str> for TaskName {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&'static str> for TaskName {
    fn from(s: &'static str) -> Self {
        TaskName(Repr::Text(Cow::Borrowed(s)))
    }
}

impl From<String> for TaskName {
    fn from(s: String) -> Self {
        TaskName(Repr::Text(Cow::Owned(s)))
    }
}

impl From<Cow<'static, str>> for TaskName {
    fn from(s: Cow<'static, str>) -> Self {
        TaskName(Repr::Text(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_text_or_a_kind_at_a_node_in_24_bytes() {
        assert_eq!(std::mem::size_of::<TaskName>(), 24);
        let n = TaskName::at_node("extend", 42);
        assert_eq!(n.to_string(), "extend at node 42");
        assert_eq!(n.kind_and_node(), Some(("extend", 42)));
        assert_eq!(n, "extend at node 42");
        let t = TaskName::from("setup");
        assert_eq!(t.as_text(), Some("setup"));
        assert_eq!(t, TaskName::from(String::from("setup")));
        assert_ne!(t, n);
    }
}
