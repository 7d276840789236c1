//! A small located value tree, copied out of toml_edit so values from the file and from
//! `--set` overrides can live side by side, each remembering its own source.

use std::sync::Arc;

use super::error::ScenarioError;
use super::source::{Loc, Source};

/// A TOML value with where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) loc: Loc,
}

/// The shapes a TOML value can take.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

/// One `key = value` with the key's own location (unknown keys are reported there).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_loc: Loc,
    pub(crate) node: Node,
}

/// Entries in document order, so "first unknown key" means first in the file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
}

impl Table {
    /// The entry for `key`, if any.
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Mutable access to the node for `key`, if any.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.node)
    }

    /// Replaces the value of `key`, or appends it.
    pub(crate) fn set(&mut self, key: &str, key_loc: Loc, node: Node) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.key_loc = key_loc;
                e.node = node;
            }
            None => self.entries.push(Entry {
                key: key.to_string(),
                key_loc,
                node,
            }),
        }
    }
}

impl Node {
    /// Describes the value for "found ..." in messages; long strings are cut.
    pub(crate) fn found(&self) -> String {
        match &self.value {
            Value::Str(s) => {
                let short: String = s.chars().take(40).collect();
                let dots = if short.len() < s.len() { "..." } else { "" };
                format!("string {short:?}{dots}")
            }
            Value::Int(i) => format!("integer {i}"),
            Value::Float(f) => format!("float {f}"),
            Value::Bool(b) => format!("boolean {b}"),
            Value::Datetime(d) => format!("datetime {d}"),
            Value::Array(_) => "an array".to_string(),
            Value::Table(_) => "a table".to_string(),
        }
    }

    /// Ints and floats both count as numbers: `3` is accepted where `3.0` is.
    pub(crate) fn as_number(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// Parses a whole document; syntax errors are reported in the same located format.
pub(crate) fn parse(src: &Arc<Source>) -> Result<Node, ScenarioError> {
    let text = src.text().to_string();
    match toml_edit::ImDocument::parse(text) {
        Ok(doc) => Ok(from_document(doc.as_table(), src)),
        Err(e) => Err(syntax_error(&e, src)),
    }
}

fn syntax_error(e: &toml_edit::TomlError, src: &Arc<Source>) -> ScenarioError {
    let loc = Loc::new(src, e.span().unwrap_or(0..0));
    // toml_edit splits context and detail over lines; one line reads better after our prefix.
    let message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    // A duplicate names its key in backticks; use it so the error says which key.
    let dup = message
        .contains("duplicate key")
        .then(|| message.split('`').nth(1))
        .flatten();
    match dup {
        Some(key) => ScenarioError::at(&loc, key, message.clone(), "each key and table may be defined only once; merge the two definitions"),
        None => ScenarioError::at(&loc, "toml", message, "fix the TOML syntax here: strings need quotes, each line is `key = value` or a `[table]` header"),
    }
}

/// Converts a parsed document root into a located table node.
pub(crate) fn from_document(root: &toml_edit::Table, src: &Arc<Source>) -> Node {
    table(root, src, &Loc::start(src))
}

fn span_or(span: Option<std::ops::Range<usize>>, src: &Arc<Source>, fallback: &Loc) -> Loc {
    span.map_or_else(|| fallback.clone(), |s| Loc::new(src, s))
}

fn key_loc(key: Option<&toml_edit::Key>, src: &Arc<Source>, fallback: &Loc) -> Loc {
    span_or(key.and_then(|k| k.span()), src, fallback)
}

fn table(t: &toml_edit::Table, src: &Arc<Source>, fallback: &Loc) -> Node {
    // Implicit and dotted-key tables have no header span; their key location is the best anchor.
    let loc = span_or(t.span(), src, fallback);
    let mut out = Table::default();
    for (k, item) in t.iter() {
        let kl = key_loc(t.key(k), src, &loc);
        if let Some(node) = item_node(item, src, &kl) {
            out.set(k, kl, node);
        }
    }
    Node {
        value: Value::Table(out),
        loc,
    }
}

fn item_node(item: &toml_edit::Item, src: &Arc<Source>, fallback: &Loc) -> Option<Node> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(v) => Some(value(v, src, fallback)),
        toml_edit::Item::Table(t) => Some(table(t, src, fallback)),
        toml_edit::Item::ArrayOfTables(a) => {
            let items: Vec<Node> = a.iter().map(|t| table(t, src, fallback)).collect();
            let loc = items
                .first()
                .map_or_else(|| fallback.clone(), |n| n.loc.clone());
            Some(Node {
                value: Value::Array(items),
                loc,
            })
        }
    }
}

pub(crate) fn value(v: &toml_edit::Value, src: &Arc<Source>, fallback: &Loc) -> Node {
    let loc = span_or(v.span(), src, fallback);
    let value = match v {
        toml_edit::Value::String(s) => Value::Str(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::Int(*i.value()),
        toml_edit::Value::Float(f) => Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::Datetime(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(|x| value(x, src, &loc)).collect()),
        toml_edit::Value::InlineTable(t) => {
            let mut out = Table::default();
            for (k, x) in t.iter() {
                let kl = key_loc(t.key(k), src, &loc);
                let node = value(x, src, &kl);
                out.set(k, kl, node);
            }
            Value::Table(out)
        }
    };
    Node { value, loc }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        let src = Source::new("t.toml", text);
        let doc = toml_edit::ImDocument::parse(text.to_string()).unwrap();
        from_document(doc.as_table(), &src)
    }

    fn entry<'a>(n: &'a Node, key: &str) -> &'a Entry {
        match &n.value {
            Value::Table(t) => t.get(key).unwrap(),
            _ => panic!("not a table"),
        }
    }

    #[test]
    fn keeps_spans_of_keys_values_and_headers() {
        let n = parse("a = 1\n\n[pool]\ncapacity = \"many\"\n");
        assert_eq!(entry(&n, "a").node.loc.line_col(), (1, 5));
        let pool = entry(&n, "pool");
        assert_eq!(pool.node.loc.line_col(), (3, 1));
        let cap = entry(&pool.node, "capacity");
        assert_eq!(cap.key_loc.line_col(), (4, 1));
        assert_eq!(cap.node.loc.line_col(), (4, 12));
        assert_eq!(cap.node.found(), "string \"many\"");
    }

    #[test]
    fn dotted_and_array_tables_get_a_location() {
        let n = parse("x = 0\npool.capacity = 3\n[[load]]\nrate = 1\n");
        assert_eq!(entry(&n, "pool").node.loc.line_col(), (2, 1));
        let load = &entry(&n, "load").node;
        assert_eq!(load.loc.line_col(), (3, 1));
    }
}
