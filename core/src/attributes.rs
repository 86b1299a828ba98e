//! User attributes and their validation.

use serde::{Deserialize, Serialize};

use crate::error::AttributeError;
use crate::limits::Limits;

/// One key/value attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribute {
    /// The key: visible ASCII, 1 to 32 bytes by default.
    pub key: String,
    /// The value: non-empty, at most 8 KB by default.
    pub value: String,
}

impl Attribute {
    /// A key/value pair.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self { key: key.into(), value: value.into() }
    }
}

/// A channel attribute with who changed it last and when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelAttribute {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// The user whose update set it.
    pub last_update_user_id: String,
    /// When (ms since the epoch, server time).
    pub last_update_ts: u64,
}

/// How a local user attribute update changes the stored set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AttributeUpdate {
    /// Replace every attribute with these.
    Set {
        /// The new set.
        attributes: Vec<Attribute>,
    },
    /// Merge these in by key.
    AddOrUpdate {
        /// The attributes to add or overwrite.
        attributes: Vec<Attribute>,
    },
    /// Remove these keys.
    DeleteKeys {
        /// The keys to remove.
        keys: Vec<String>,
    },
    /// Remove everything.
    Clear,
}

/// True when `key` is a valid attribute key: 1 to `max` bytes of visible ASCII.
fn valid_key(key: &str, max: usize) -> bool {
    !key.is_empty() && key.len() <= max && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks keys used for reads or deletes.
pub fn validate_keys(keys: &[String], limits: &Limits) -> Result<(), AttributeError> {
    if keys.iter().all(|k| valid_key(k, limits.max_attribute_key_bytes)) {
        Ok(())
    } else {
        Err(AttributeError::InvalidArgument)
    }
}

impl AttributeUpdate {
    /// Checks what can be checked without the current set: keys, values and their sizes.
    /// Clients run it before sending; the hub runs it again (through [`AttributeSet::apply`])
    /// and then checks the count and total of the resulting set.
    pub fn check(&self, limits: &Limits) -> Result<(), AttributeError> {
        match self {
            AttributeUpdate::Set { attributes } | AttributeUpdate::AddOrUpdate { attributes } => {
                for a in attributes {
                    if !valid_key(&a.key, limits.max_attribute_key_bytes) || a.value.is_empty() {
                        return Err(AttributeError::InvalidArgument);
                    }
                    if a.value.len() > limits.max_attribute_value_bytes {
                        return Err(AttributeError::SizeOverflow);
                    }
                }
                Ok(())
            }
            AttributeUpdate::DeleteKeys { keys } => validate_keys(keys, limits),
            AttributeUpdate::Clear => Ok(()),
        }
    }
}

/// An ordered attribute set (keys unique), as a user or channel holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeSet {
    items: Vec<Attribute>,
}

impl AttributeSet {
    /// The attributes in insertion order.
    pub fn all(&self) -> &[Attribute] {
        &self.items
    }

    /// The attributes whose keys are listed (unknown keys are skipped).
    pub fn by_keys(&self, keys: &[String]) -> Vec<Attribute> {
        self.items.iter().filter(|a| keys.contains(&a.key)).cloned().collect()
    }

    /// Applies an update, checking every limit against the result; on error nothing changes.
    pub fn apply(
        &mut self,
        update: &AttributeUpdate,
        limits: &Limits,
        max_total_bytes: usize,
    ) -> Result<(), AttributeError> {
        update.check(limits)?;
        let mut next = match update {
            AttributeUpdate::Set { attributes } => {
                let mut s = AttributeSet::default();
                s.merge(attributes);
                s
            }
            AttributeUpdate::AddOrUpdate { attributes } => {
                let mut s = self.clone();
                s.merge(attributes);
                s
            }
            AttributeUpdate::DeleteKeys { keys } => {
                let mut s = self.clone();
                s.items.retain(|a| !keys.contains(&a.key));
                s
            }
            AttributeUpdate::Clear => AttributeSet::default(),
        };
        let total: usize = next.items.iter().map(|a| a.key.len() + a.value.len()).sum();
        if next.items.len() > limits.max_attributes || total > max_total_bytes {
            return Err(AttributeError::SizeOverflow);
        }
        std::mem::swap(self, &mut next);
        Ok(())
    }

    fn merge(&mut self, attrs: &[Attribute]) {
        for a in attrs {
            match self.items.iter_mut().find(|x| x.key == a.key) {
                Some(x) => x.value.clone_from(&a.value),
                None => self.items.push(a.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn a(k: &str, v: &str) -> Attribute {
        Attribute::new(k, v)
    }

    #[test]
    fn set_replaces_and_add_merges() {
        let l = limits();
        let mut s = AttributeSet::default();
        s.apply(&AttributeUpdate::Set { attributes: vec![a("x", "1"), a("y", "2")] }, &l, 16384).unwrap();
        s.apply(&AttributeUpdate::AddOrUpdate { attributes: vec![a("y", "3"), a("z", "4")] }, &l, 16384)
            .unwrap();
        assert_eq!(s.all(), &[a("x", "1"), a("y", "3"), a("z", "4")]);
        s.apply(&AttributeUpdate::Set { attributes: vec![a("q", "9")] }, &l, 16384).unwrap();
        assert_eq!(s.all(), &[a("q", "9")]);
        s.apply(&AttributeUpdate::DeleteKeys { keys: vec!["q".into(), "nope".into()] }, &l, 16384).unwrap();
        assert!(s.all().is_empty());
    }

    #[test]
    fn limits_are_checked_and_failure_changes_nothing() {
        let l = limits();
        let mut s = AttributeSet::default();
        s.apply(&AttributeUpdate::Set { attributes: vec![a("k", "v")] }, &l, 16384).unwrap();
        let before = s.clone();
        let err = |s: &mut AttributeSet, u| s.apply(&u, &l, 16384).unwrap_err();
        assert_eq!(
            err(&mut s, AttributeUpdate::AddOrUpdate { attributes: vec![a("", "v")] }),
            AttributeError::InvalidArgument
        );
        assert_eq!(
            err(&mut s, AttributeUpdate::AddOrUpdate { attributes: vec![a("k", "")] }),
            AttributeError::InvalidArgument
        );
        assert_eq!(
            err(&mut s, AttributeUpdate::AddOrUpdate { attributes: vec![a(&"k".repeat(33), "v")] }),
            AttributeError::InvalidArgument
        );
        assert_eq!(
            err(&mut s, AttributeUpdate::AddOrUpdate { attributes: vec![a("big", &"v".repeat(8193))] }),
            AttributeError::SizeOverflow
        );
        let many: Vec<_> = (0..33).map(|i| a(&format!("k{i}"), "v")).collect();
        assert_eq!(err(&mut s, AttributeUpdate::Set { attributes: many }), AttributeError::SizeOverflow);
        let heavy: Vec<_> = (0..3).map(|i| a(&format!("h{i}"), &"v".repeat(8000))).collect();
        assert_eq!(
            err(&mut s, AttributeUpdate::AddOrUpdate { attributes: heavy }),
            AttributeError::SizeOverflow
        );
        assert_eq!(s, before);
    }
}
