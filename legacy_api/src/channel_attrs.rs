//! Channel attribute sets as the legacy callbacks see them: per-key differences.

use std::collections::BTreeMap;

/// The per-key legacy events that turn `old` into `new`: `update` for added or changed keys,
/// `del` for removed ones; a set that became empty is one `clear` (also when its last key was
/// deleted: the core's full-set event cannot tell the two apart).
pub(crate) fn attr_diff(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<(String, String, &'static str)> {
    if new.is_empty() {
        return if old.is_empty() { Vec::new() } else { vec![(String::new(), String::new(), "clear")] };
    }
    let mut out: Vec<(String, String, &'static str)> =
        old.keys().filter(|k| !new.contains_key(*k)).map(|k| (k.clone(), String::new(), "del")).collect();
    for (k, v) in new {
        if old.get(k) != Some(v) {
            out.push((k.clone(), v.clone(), "update"));
        }
    }
    out
}

pub(crate) fn to_map(attrs: Vec<sigshim::ChannelAttribute>) -> BTreeMap<String, String> {
    attrs.into_iter().map(|a| (a.key, a.value)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn diffs_become_per_key_events() {
        let got = attr_diff(&m(&[("a", "1"), ("b", "2")]), &m(&[("b", "3"), ("c", "4")]));
        assert_eq!(
            got,
            [
                ("a".to_string(), String::new(), "del"),
                ("b".to_string(), "3".to_string(), "update"),
                ("c".to_string(), "4".to_string(), "update")
            ]
        );
        assert_eq!(attr_diff(&m(&[("a", "1")]), &m(&[])), [(String::new(), String::new(), "clear")]);
        assert!(attr_diff(&m(&[]), &m(&[])).is_empty());
        assert!(attr_diff(&m(&[("a", "1")]), &m(&[("a", "1")])).is_empty());
    }
}
