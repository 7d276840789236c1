//! "Did you mean" suggestions and valid-key listings for unknown-key errors.

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate within 2 edits; ties go to the earliest so output is stable.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if d <= 2 && !best.is_some_and(|(bd, _)| d >= bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Help text for an unknown key: a suggestion if one is close, then every valid key.
pub(crate) fn unknown_key_help(word: &str, valid: &[&str], table: &str) -> String {
    let list = if valid.is_empty() {
        format!("{table} takes no keys here; remove it")
    } else {
        format!("valid keys in {table}: {}", valid.join(", "))
    };
    match closest(word, valid) {
        Some(c) => format!("did you mean `{c}`? {list}"),
        None => list,
    }
}

/// How a table is named in messages, from its key prefix.
pub(crate) fn table_name(prefix: &str) -> String {
    if prefix.is_empty() {
        "the top level".to_string()
    } else if prefix.ends_with(']') {
        format!("`{prefix}`")
    } else {
        format!("[{prefix}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_basics() {
        assert_eq!(edit_distance("capacty", "capacity"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_close_keys() {
        let valid = ["capacity", "policy", "stack_size"];
        assert_eq!(closest("capacty", &valid), Some("capacity"));
        assert_eq!(closest("zzz", &valid), None);
        let h = unknown_key_help("capacty", &valid, "[pool]");
        assert!(h.starts_with("did you mean `capacity`?"), "{h}");
        assert!(h.contains("capacity, policy, stack_size"));
    }
}
