//! `--set key=value` overrides, applied to the value tree before typed extraction so they
//! get exactly the same checks as the file, but are reported against the argument itself.

use std::sync::Arc;

use super::error::ScenarioError;
use super::source::{Loc, Source};
use super::tree::{self, Node, Table, Value};

/// One dotted-path segment, e.g. `load[0]`.
struct Seg {
    name: String,
    index: Option<usize>,
    loc: Loc,
}

/// Applies one `key=value` argument to the document root.
pub(crate) fn apply(root: &mut Node, arg: &str) -> Result<(), ScenarioError> {
    let src = Source::new(format!("--set {arg}"), arg);
    let Some(eq) = arg.find('=') else {
        return Err(ScenarioError::at(
            &Loc::start(&src),
            arg.trim(),
            "expected `key=value`",
            "e.g. `--set pool.capacity=32`",
        ));
    };
    let key = arg[..eq].trim();
    let segs = segments(&arg[..eq], &src)?;
    let value = value(arg, eq + 1, &src);
    match &mut root.value {
        Value::Table(t) => insert(t, &segs, value, key),
        _ => Ok(()),
    }
}

fn segments(key_part: &str, src: &Arc<Source>) -> Result<Vec<Seg>, ScenarioError> {
    let key = key_part.trim();
    let bad = |offset: usize, why: &str| {
        ScenarioError::at(
            &Loc::new(src, offset..offset),
            key,
            format!("invalid key `{key}`: {why}"),
            "write a dotted path such as `pool.capacity` or `load[0].rate`",
        )
    };
    let mut out = Vec::new();
    let mut offset = key_part.len() - key_part.trim_start().len();
    for raw in key.split('.') {
        let (name, index) = match raw.find('[') {
            None => (raw, None),
            Some(open) => {
                let idx = raw[open..]
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|d| d.parse::<usize>().ok())
                    .ok_or_else(|| bad(offset + open, "an index must look like `[0]`"))?;
                (&raw[..open], Some(idx))
            }
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(offset, "each part must be a non-empty bare key"));
        }
        out.push(Seg {
            name: name.to_string(),
            index,
            loc: Loc::new(src, offset..offset + raw.len()),
        });
        offset += raw.len() + 1;
    }
    Ok(out)
}

/// Parses the value as TOML, falling back to a plain string (so `kind=ring` works unquoted).
fn value(arg: &str, start: usize, src: &Arc<Source>) -> Node {
    // Pad the synthetic document so its byte offsets equal offsets in `arg`; spans then
    // point straight into the argument without any shifting.
    let synthetic = format!("v{}={}", " ".repeat(start.saturating_sub(2)), &arg[start..]);
    if start >= 2 {
        if let Ok(doc) = toml_edit::ImDocument::parse(synthetic) {
            let root = doc.as_table();
            if root.len() == 1 {
                if let Some(v) = root.get("v").and_then(|i| i.as_value()) {
                    return tree::value(v, src, &Loc::new(src, start..arg.len()));
                }
            }
        }
    }
    Node {
        value: Value::Str(arg[start..].trim().to_string()),
        loc: Loc::new(src, start..arg.len()),
    }
}

fn insert(t: &mut Table, segs: &[Seg], value: Node, key: &str) -> Result<(), ScenarioError> {
    let Some((seg, rest)) = segs.split_first() else {
        return Ok(());
    };
    if rest.is_empty() && seg.index.is_none() {
        t.set(&seg.name, seg.loc.clone(), value);
        return Ok(());
    }
    if t.get(&seg.name).is_none() {
        if seg.index.is_some() {
            return Err(ScenarioError::at(
                &seg.loc,
                key,
                format!("cannot index `{}`: it is not set", seg.name),
                "only existing array entries can be overridden",
            ));
        }
        let empty = Node {
            value: Value::Table(Table::default()),
            loc: seg.loc.clone(),
        };
        t.set(&seg.name, seg.loc.clone(), empty);
    }
    let Some(mut target) = t.get_mut(&seg.name) else {
        return Ok(());
    };
    if let Some(i) = seg.index {
        let len = match &target.value {
            Value::Array(items) => items.len(),
            _ => {
                return Err(ScenarioError::at(
                    &seg.loc,
                    key,
                    format!(
                        "cannot index `{}`: it is {}, not an array",
                        seg.name,
                        target.found()
                    ),
                    "",
                ))
            }
        };
        target = match &mut target.value {
            Value::Array(items) if i < len => &mut items[i],
            _ => {
                return Err(ScenarioError::at(
                    &seg.loc,
                    key,
                    format!(
                        "index {i} is out of range: `{}` has {len} entries",
                        seg.name
                    ),
                    format!("use an index below {len}"),
                ))
            }
        };
    }
    if rest.is_empty() {
        *target = value;
        return Ok(());
    }
    let found = target.found();
    match &mut target.value {
        Value::Table(sub) => insert(sub, rest, value, key),
        _ => Err(ScenarioError::at(
            &seg.loc,
            key,
            format!("cannot set `{key}`: `{}` is {found}, not a table", seg.name),
            "",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        tree::parse(&Source::new("f.toml", text)).unwrap()
    }

    fn get<'a>(n: &'a Node, key: &str) -> &'a Node {
        match &n.value {
            Value::Table(t) => &t.get(key).unwrap().node,
            _ => panic!("not a table"),
        }
    }

    #[test]
    fn sets_nested_and_creates_tables() {
        let mut r = root("[pool]\ncapacity = 4\n");
        apply(&mut r, "pool.capacity=32").unwrap();
        apply(&mut r, "topology.kind=ring").unwrap();
        let cap = get(get(&r, "pool"), "capacity");
        assert!(matches!(cap.value, Value::Int(32)));
        assert_eq!(cap.loc.origin(), "--set pool.capacity=32");
        assert_eq!(cap.loc.line_col(), (1, 15));
        assert!(matches!(&get(get(&r, "topology"), "kind").value, Value::Str(s) if s == "ring"));
    }

    #[test]
    fn indexes_arrays_and_rejects_bad_paths() {
        let mut r = root("seed = 1\n[[load]]\nrate = 1\n");
        apply(&mut r, "load[0].rate=5").unwrap();
        assert!(apply(&mut r, "load[3].rate=5").is_err());
        assert!(apply(&mut r, "seed.x=5").is_err());
        assert!(apply(&mut r, "noequals").is_err());
        assert!(apply(&mut r, "=3").is_err());
        assert!(apply(&mut r, "a..b=3").is_err());
        assert!(apply(&mut r, "a[x]=3").is_err());
        // Multi-key or broken TOML values fall back to strings rather than failing.
        apply(&mut r, "name=a = 1\nb = 2").unwrap();
        assert!(matches!(&get(&r, "name").value, Value::Str(_)));
    }
}
