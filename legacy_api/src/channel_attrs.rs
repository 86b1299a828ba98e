//! Channel attribute sets as the legacy callbacks see them: per-key differences.

use std::collections::BTreeMap;

use sigshim_mapping::AttrUpdateType;

/// One per-key legacy event: (name, value, kind).
pub(crate) type AttrChange = (String, String, AttrUpdateType);

/// The per-key legacy events that turn `old` into `new`: `update` for added or changed keys,
/// `del` for removed ones, and one `clear` when the change was a clear (`cleared`, as the core's
/// event says) that emptied a set. A delete of the last key, or of several keys at once, is a
/// `del` of each.
pub(crate) fn attr_diff(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    cleared: bool,
) -> Vec<AttrChange> {
    if cleared && new.is_empty() {
        return if old.is_empty() {
            Vec::new()
        } else {
            vec![(String::new(), String::new(), AttrUpdateType::Clear)]
        };
    }
    let mut out: Vec<AttrChange> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .map(|k| (k.clone(), String::new(), AttrUpdateType::Del))
        .collect();
    for (k, v) in new {
        if old.get(k) != Some(v) {
            out.push((k.clone(), v.clone(), AttrUpdateType::Update));
        }
    }
    out
}

/// A core attribute list as a key → value map.
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
        let got = attr_diff(&m(&[("a", "1"), ("b", "2")]), &m(&[("b", "3"), ("c", "4")]), false);
        assert_eq!(
            got,
            [
                ("a".to_string(), String::new(), AttrUpdateType::Del),
                ("b".to_string(), "3".to_string(), AttrUpdateType::Update),
                ("c".to_string(), "4".to_string(), AttrUpdateType::Update)
            ]
        );
        assert!(attr_diff(&m(&[]), &m(&[]), false).is_empty());
        assert!(attr_diff(&m(&[]), &m(&[]), true).is_empty());
        assert!(attr_diff(&m(&[("a", "1")]), &m(&[("a", "1")]), false).is_empty());
    }

    #[test]
    fn only_a_clear_is_a_clear() {
        let del = |k: &str| (k.to_string(), String::new(), AttrUpdateType::Del);
        let clear = [(String::new(), String::new(), AttrUpdateType::Clear)];
        assert_eq!(attr_diff(&m(&[("a", "1")]), &m(&[]), false), [del("a")], "the last key deleted");
        assert_eq!(attr_diff(&m(&[("a", "1")]), &m(&[]), true), clear, "a one-key set cleared");
        assert_eq!(
            attr_diff(&m(&[("a", "1"), ("b", "2")]), &m(&[]), false),
            [del("a"), del("b")],
            "several keys deleted at once"
        );
        assert_eq!(attr_diff(&m(&[("a", "1"), ("b", "2")]), &m(&[]), true), clear, "cleared");
    }
}
