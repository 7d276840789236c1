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
    let value = value(arg, eq + 1, &src, key)?;
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

/// Parses the value as TOML; plain text that is not TOML (`ring`, `256KiB`,
/// `5ms`, `graph.txt`, `run two`) is read as that string, so it works unquoted.
/// Anything else that is not one TOML value (`"a"b"`, `[1,`, nothing) is an error.
fn value(arg: &str, start: usize, src: &Arc<Source>, key: &str) -> Result<Node, ScenarioError> {
    let loc = Loc::new(src, start..arg.len());
    let text = &arg[start..];
    // Pad the synthetic document so its byte offsets equal offsets in `arg`; spans then
    // point straight into the argument without any shifting.
    let synthetic = format!("v{}={text}", " ".repeat(start.saturating_sub(2)));
    let parsed = match start >= 2 {
        true => toml_edit::ImDocument::parse(synthetic).map_err(|e| e.message().to_string()),
        false => Err("no key".to_string()),
    };
    let why = match parsed {
        Ok(doc) => match (doc.as_table().len(), doc.as_table().get("v")) {
            (1, Some(item)) => match item.as_value() {
                Some(v) => return Ok(tree::value(v, src, &loc)),
                None => "it is a table header, not a value".to_string(),
            },
            _ => "it holds more than one value".to_string(),
        },
        Err(e) => e,
    };
    let word = text.trim();
    // A number TOML refuses (past 64 bits, say) is a mistake, not a string.
    let numeric = word.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c));
    if is_bare_word(word) && !(numeric && word.parse::<f64>().is_ok()) {
        return Ok(Node {
            value: Value::Str(word.to_string()),
            loc,
        });
    }
    Err(ScenarioError::at(
        &loc,
        key,
        format!(
            "`{word}` is not a TOML value: {}",
            why.trim_end().replace('\n', "; ")
        ),
        format!(
            "quote a string, e.g. --set '{key}=\"...\"' (a bare word such as ring or 5ms \
             needs no quotes)"
        ),
    ))
}

/// Text read as a string when it is not TOML: anything but nothing, with no
/// quote, bracket, brace, `=`, `#`, `,` or control character, each of which says
/// it was meant as TOML (and got it wrong).
fn is_bare_word(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_control() || "\"'[]{}=#,".contains(c))
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
    }

    #[test]
    fn a_value_is_toml_or_a_bare_word() {
        let mut r = root("seed = 1\n");
        for (arg, want) in [
            ("kind=ring", "ring"),
            ("stack_size=256KiB", "256KiB"),
            ("jitter=5ms", "5ms"),
            ("path=../graphs/g.txt", "../graphs/g.txt"),
            ("name=\"a b\"", "a b"),
            ("name=run two", "run two"),
        ] {
            apply(&mut r, arg).unwrap();
            let key = arg.split('=').next().unwrap();
            assert!(
                matches!(&get(&r, key).value, Value::Str(s) if s == want),
                "{arg}"
            );
        }
        for arg in [
            "name=\"a\"b\"",
            "name='a",
            "name=",
            "name=a = 1\nb = 2",
            "x=[1,",
            "seed=18446744073709551615",
        ] {
            let e = apply(&mut r, arg).unwrap_err();
            assert!(e.message.contains("is not a TOML value"), "{arg}: {e}");
            assert!(e.help.unwrap().contains("quote"), "{arg}");
            assert_eq!(e.origin, format!("--set {arg}"));
        }
    }
}
