//! `Params`: a table of parameters read with located, typed errors and tracking of which
//! keys were read, so a mechanism can reject keys it does not understand.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::Duration;

use super::convert::{self, Bad, FRange, IRange};
use super::error::ScenarioError;
use super::source::{Loc, Source};
use super::suggest::{table_name, unknown_key_help};
use super::tree::{self, Node, Table, Value};

/// A parameter table (e.g. `[mechanism]` or one `[[load]]` entry) with read tracking.
#[derive(Clone, Debug)]
pub struct Params {
    table: Table,
    loc: Loc,
    prefix: String,
    read: RefCell<BTreeSet<String>>,
}

impl Params {
    /// Wraps a table node; a non-table node yields an empty table at its location.
    pub(crate) fn from_node(node: &Node, prefix: &str) -> Params {
        let table = match &node.value {
            Value::Table(t) => t.clone(),
            _ => Table::default(),
        };
        Params {
            table,
            loc: node.loc.clone(),
            prefix: prefix.to_string(),
            read: RefCell::default(),
        }
    }

    /// An empty table, used for absent optional sections so defaults flow through one path.
    pub(crate) fn empty(loc: Loc, prefix: &str) -> Params {
        Params {
            table: Table::default(),
            loc,
            prefix: prefix.to_string(),
            read: RefCell::default(),
        }
    }

    /// Parses `text` as a whole TOML document and wraps its root; for tests and tools.
    pub fn from_toml_str(text: &str, origin: &str, prefix: &str) -> Result<Params, ScenarioError> {
        let src = Source::new(origin, text);
        let root = tree::parse(&src)?;
        Ok(Params::from_node(&root, prefix))
    }

    /// The key prefix, e.g. `mechanism` or `load[0]`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The dotted path of `key` in this table, as used in messages.
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Whether `key` is present (does not count as a read).
    pub fn contains(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    /// All keys present, in document order.
    pub fn keys(&self) -> Vec<String> {
        self.table.entries.iter().map(|e| e.key.clone()).collect()
    }

    /// The node for `key`, marking it as read.
    pub(crate) fn take(&self, key: &str) -> Option<&Node> {
        self.read.borrow_mut().insert(key.to_string());
        self.table.get(key).map(|e| &e.node)
    }

    /// Marks `key` as read without converting it, for keys validated elsewhere.
    pub(crate) fn mark_read(&self, key: &str) {
        self.read.borrow_mut().insert(key.to_string());
    }

    /// An error located at `node`, named by `key` in this table.
    pub(crate) fn error_at(
        &self,
        node: &Node,
        key: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::at(&node.loc, &self.path(key), message, help)
    }

    /// Converts `key` if present; conversion errors point at the value.
    pub(crate) fn convert<T>(
        &self,
        key: &str,
        f: impl FnOnce(&Node) -> Result<T, Bad>,
    ) -> Result<Option<T>, ScenarioError> {
        match self.take(key) {
            None => Ok(None),
            Some(node) => f(node)
                .map(Some)
                .map_err(|(m, h)| self.error_at(node, key, m, h)),
        }
    }

    /// The error for a missing required key: at the table, saying what to add.
    pub(crate) fn missing(&self, key: &str, example: &str) -> ScenarioError {
        ScenarioError::at(
            &self.loc,
            &self.path(key),
            format!(
                "missing required key `{key}` in {}",
                table_name(&self.prefix)
            ),
            format!("add `{example}` to {}", table_name(&self.prefix)),
        )
    }

    /// Converts a required key.
    pub(crate) fn require<T>(
        &self,
        key: &str,
        example: &str,
        f: impl FnOnce(&Node) -> Result<T, Bad>,
    ) -> Result<T, ScenarioError> {
        self.convert(key, f)?
            .ok_or_else(|| self.missing(key, example))
    }

    /// An optional float in `range`.
    pub(crate) fn opt_float(&self, key: &str, range: FRange) -> Result<Option<f64>, ScenarioError> {
        self.convert(key, |n| convert::float(n, range))
    }

    /// An optional integer in `range`.
    pub(crate) fn opt_int(&self, key: &str, range: IRange) -> Result<Option<i128>, ScenarioError> {
        self.convert(key, |n| convert::int(n, range))
    }

    /// Errors on `key` if it is present: a valid key that does not apply in this context.
    pub(crate) fn reject(&self, key: &str, why: &str) -> Result<(), ScenarioError> {
        self.mark_read(key);
        match self.table.get(key) {
            None => Ok(()),
            Some(e) => Err(ScenarioError::at(
                &e.key_loc,
                &self.path(key),
                why.to_string(),
                format!("remove `{key}`"),
            )),
        }
    }

    /// Rejects every key not in `valid`, suggesting the closest valid one.
    pub(crate) fn check_known(&self, valid: &[&str]) -> Result<(), ScenarioError> {
        match self
            .table
            .entries
            .iter()
            .find(|e| !valid.contains(&e.key.as_str()))
        {
            None => Ok(()),
            Some(e) => Err(self.unknown(e, valid)),
        }
    }

    fn unknown(&self, e: &tree::Entry, valid: &[&str]) -> ScenarioError {
        let table = table_name(&self.prefix);
        ScenarioError::at(
            &e.key_loc,
            &self.path(&e.key),
            format!("unknown key `{}` in {table}", e.key),
            unknown_key_help(&e.key, valid, &table),
        )
    }

    /// Each element of an array, converted; errors point at the element.
    pub(crate) fn list<T>(
        &self,
        key: &str,
        f: impl Fn(&Node) -> Result<T, Bad>,
    ) -> Result<Option<Vec<T>>, ScenarioError> {
        let Some(node) = self.take(key) else {
            return Ok(None);
        };
        let Value::Array(items) = &node.value else {
            return Err(self.error_at(
                node,
                key,
                format!("expected an array, found {}", node.found()),
                "write a list in brackets, e.g. `[1, 2]`",
            ));
        };
        items
            .iter()
            .map(|item| f(item).map_err(|(m, h)| self.error_at(item, key, m, h)))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// An array of tables (`[[x]]` or `x = [{..}]`), each wrapped as `prefix.key[i]`.
    pub fn table_list(&self, key: &str) -> Result<Vec<Params>, ScenarioError> {
        let Some(node) = self.take(key) else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = &node.value else {
            return Err(self.error_at(
                node,
                key,
                format!("expected an array of tables, found {}", node.found()),
                format!(
                    "write `[[{}]]` sections or `{key} = [{{ ... }}]`",
                    self.path(key)
                ),
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let name = format!("{}[{i}]", self.path(key));
            if !matches!(item.value, Value::Table(_)) {
                return Err(ScenarioError::at(
                    &item.loc,
                    &name,
                    format!("expected a table, found {}", item.found()),
                    "write each entry as `{ key = value, ... }`",
                ));
            }
            out.push(Params::from_node(item, &name));
        }
        Ok(out)
    }

    /// A float, `default` when absent.
    pub fn f64(&self, key: &str, default: f64) -> Result<f64, ScenarioError> {
        Ok(self
            .opt_float(key, FRange::closed(f64::NEG_INFINITY, f64::INFINITY))?
            .unwrap_or(default))
    }

    /// A float in `[min, max]` (use infinities for open ends), `default` when absent.
    pub fn f64_in(
        &self,
        key: &str,
        default: f64,
        min: f64,
        max: f64,
    ) -> Result<f64, ScenarioError> {
        Ok(self
            .opt_float(key, FRange::closed(min, max))?
            .unwrap_or(default))
    }

    /// A span of virtual time in seconds, in `[0, max_s]` (`max_s` at most the
    /// clock's 1.8e10), `default_s` when absent; converted as every input time is.
    pub fn seconds(
        &self,
        key: &str,
        default_s: f64,
        max_s: f64,
    ) -> Result<Duration, ScenarioError> {
        let range = FRange::closed(0.0, max_s.min(p2psim_runtime::MAX_SECS));
        let secs = self.opt_float(key, range)?.unwrap_or(default_s);
        p2psim_runtime::duration_from_secs(secs)
            .map_err(|e| self.error(key, e.to_string(), String::new()))
    }

    /// A non-negative integer, `default` when absent.
    pub fn u64(&self, key: &str, default: u64) -> Result<u64, ScenarioError> {
        self.u64_in(key, default, 0, u64::MAX)
    }

    /// An integer in `[min, max]`, `default` when absent.
    pub fn u64_in(
        &self,
        key: &str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, ScenarioError> {
        // The range bounds the value, so the narrowing cannot fail.
        Ok(self
            .opt_int(key, IRange::new(min, max))?
            .map_or(default, |v| v as u64))
    }

    /// A `usize` in `[min, max]`, `default` when absent.
    pub fn usize_in(
        &self,
        key: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ScenarioError> {
        let range = IRange::new(min as u64, max as u64);
        Ok(self.opt_int(key, range)?.map_or(default, |v| v as usize))
    }

    /// A boolean, `default` when absent.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, ScenarioError> {
        Ok(self.convert(key, convert::boolean)?.unwrap_or(default))
    }

    /// A string, `default` when absent.
    pub fn string(&self, key: &str, default: &str) -> Result<String, ScenarioError> {
        Ok(self
            .convert(key, |n| convert::string(n, false))?
            .unwrap_or_else(|| default.to_string()))
    }

    /// One of `allowed`, `default` when absent; a near miss gets a suggestion.
    pub fn choice(
        &self,
        key: &str,
        default: &str,
        allowed: &[&str],
    ) -> Result<String, ScenarioError> {
        Ok(self
            .convert(key, |n| convert::choice(n, allowed))?
            .unwrap_or_else(|| default.to_string()))
    }

    /// A float, or `None` when absent.
    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, ScenarioError> {
        self.opt_float(key, FRange::closed(f64::NEG_INFINITY, f64::INFINITY))
    }

    /// A non-negative integer, or `None` when absent.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, ScenarioError> {
        Ok(self
            .opt_int(key, IRange::new(0, u64::MAX))?
            .map(|v| v as u64))
    }

    /// A list of `u32` (e.g. node ids); empty when absent.
    pub fn list_u32(&self, key: &str) -> Result<Vec<u32>, ScenarioError> {
        let range = IRange::new(0, u32::MAX);
        Ok(self
            .list(key, |n| convert::int(n, range).map(|v| v as u32))?
            .unwrap_or_default())
    }

    /// A list of strings; empty when absent.
    pub fn list_str(&self, key: &str) -> Result<Vec<String>, ScenarioError> {
        Ok(self
            .list(key, |n| convert::string(n, false))?
            .unwrap_or_default())
    }

    /// A nested table as its own `Params` (call `finish` on it too); `None` when absent.
    pub fn sub(&self, key: &str) -> Result<Option<Params>, ScenarioError> {
        let Some(node) = self.take(key) else {
            return Ok(None);
        };
        if !matches!(node.value, Value::Table(_)) {
            let path = self.path(key);
            return Err(self.error_at(
                node,
                key,
                format!("expected a table, found {}", node.found()),
                format!("write a [{path}] section or an inline table `{key} = {{ ... }}`"),
            ));
        }
        Ok(Some(Params::from_node(node, &self.path(key))))
    }

    /// A located error for a mechanism-specific check; points at the value, or at the table
    /// when `key` is absent. An empty `help` means none.
    pub fn error(
        &self,
        key: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ScenarioError {
        let loc = self.table.get(key).map_or(&self.loc, |e| &e.node.loc);
        ScenarioError::at(loc, &self.path(key), message, help)
    }

    /// Fails on the first key (in document order) that was never read: it is unknown.
    pub fn finish(&self) -> Result<(), ScenarioError> {
        let read = self.read.borrow();
        let valid: Vec<&str> = read.iter().map(String::as_str).collect();
        match self.table.entries.iter().find(|e| !read.contains(&e.key)) {
            None => Ok(()),
            Some(e) => Err(self.unknown(e, &valid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Params {
        Params::from_toml_str(text, "m.toml", "mechanism").unwrap()
    }

    #[test]
    fn reads_with_defaults() {
        let p = p("hops = 3\nalpha = 1\nname = \"x\"\nfast = true\nids = [1, 2]\ntags = [\"a\"]\n");
        assert_eq!(p.u64("hops", 9).unwrap(), 3);
        assert_eq!(p.f64("alpha", 0.5).unwrap(), 1.0);
        assert_eq!(p.string("name", "d").unwrap(), "x");
        assert!(p.bool("fast", false).unwrap());
        assert_eq!(p.list_u32("ids").unwrap(), vec![1, 2]);
        assert_eq!(p.list_str("tags").unwrap(), vec!["a".to_string()]);
        assert_eq!(p.u64("absent", 9).unwrap(), 9);
        assert_eq!(p.opt_f64("absent").unwrap(), None);
        assert_eq!(p.usize_in("absent2", 4, 1, 8).unwrap(), 4);
        assert_eq!(
            p.seconds("alpha", 0.0, 10.0).unwrap(),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.seconds("absent3", 0.25, 10.0).unwrap(),
            Duration::from_millis(250)
        );
        assert!(p.finish().is_ok());
    }

    #[test]
    fn errors_are_located_at_the_value() {
        let p = p("# c\nhops = 2.5\nalpha = 3\nmode = \"fsat\"\n");
        let e = p.u64_in("hops", 1, 1, 10).unwrap_err();
        assert_eq!((e.line, e.column, e.key.as_str()), (2, 8, "mechanism.hops"));
        assert!(
            e.message
                .contains("expected an integer in [1, 10], found float 2.5"),
            "{e}"
        );
        let e = p.f64_in("alpha", 0.5, 0.0, 1.0).unwrap_err();
        assert!(e.message.contains("[0, 1]"), "{e}");
        let e = p.choice("mode", "fast", &["fast", "slow"]).unwrap_err();
        assert!(e.help.unwrap().contains("did you mean \"fast\""));
        let e = p.error("hops", "hopcount must be <= nodes", "");
        assert_eq!((e.line, e.help), (2, None));
    }

    #[test]
    fn finish_reports_unread_keys_with_suggestion() {
        let p = p("fanout = 3\nhopcuont = 2\n");
        p.u64("fanout", 1).unwrap();
        p.u64("hopcount", 1).unwrap();
        let e = p.finish().unwrap_err();
        assert_eq!(e.key, "mechanism.hopcuont");
        assert_eq!((e.line, e.column), (2, 1));
        let help = e.help.unwrap();
        assert!(help.contains("did you mean `hopcount`?"), "{help}");
        assert!(help.contains("fanout, hopcount"), "{help}");
    }

    #[test]
    fn sub_tables_nest_prefixes() {
        let p = p("[routing]\nalpha = 2\n");
        let s = p.sub("routing").unwrap().unwrap();
        assert_eq!(s.prefix(), "mechanism.routing");
        let e = s.f64_in("alpha", 0.0, 0.0, 1.0).unwrap_err();
        assert_eq!(e.key, "mechanism.routing.alpha");
        assert!(p.sub("none").unwrap().is_none());
        assert!(p.finish().is_ok());
        let e = s.finish();
        assert!(e.is_ok());
        let bad = Params::from_toml_str("x = 1", "m", "mechanism").unwrap();
        assert!(bad.sub("x").is_err());
    }

    #[test]
    fn missing_key_errors_point_at_the_table() {
        let p = p("a = 1\n");
        let e = p.error("b", "b is needed", "add b");
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(e.help.as_deref(), Some("add b"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = Params::from_toml_str("a = 1\nb = \n", "m.toml", "mechanism").unwrap_err();
        assert_eq!(e.origin, "m.toml");
        assert_eq!(e.line, 2);
    }
}
