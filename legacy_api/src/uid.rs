//! The numeric `uid` the legacy callbacks carry, derived from the account.

/// A stable, non-zero 32-bit id for `account`: the same in every process and on every machine
/// (CRC-32 of the UTF-8 bytes; the rare zero becomes 1, since legacy apps treat 0 as "none").
pub fn uid_for(account: &str) -> u32 {
    match crc32fast::hash(account.as_bytes()) {
        0 => 1,
        n => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        assert_eq!(uid_for("alice"), uid_for("alice"));
        assert_ne!(uid_for("alice"), uid_for("bob"));
        // Fixed value: must never change between releases.
        assert_eq!(uid_for("alice"), crc32fast::hash(b"alice"));
        assert_ne!(uid_for(""), 0);
    }
}
