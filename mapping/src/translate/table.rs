//! Total tables from a core error kind to its legacy meaning.
//!
//! The core's error enums are `#[non_exhaustive]`, so a `match` over one outside the core must end
//! in a catch-all arm, and a variant the core adds later would silently take that arm. The
//! translations avoid `match` altogether: each is a const table with one row per variant, declared
//! with [`kind_table!`], whose length is the kind's `ALL.len()`. A variant added to the core
//! lengthens `ALL` and stops the build at the table until someone writes its legacy meaning, and a
//! const check rejects a table that repeats a variant or lists them out of `ALL` order.

/// Declares a const table with exactly one row per variant of a core error kind, in the order of
/// the kind's `ALL`, and checks that at compile time.
///
/// ```text
/// kind_table! {
///     /// What each `LogoutError` gives.
///     LOGOUT: LogoutError => LegacyCode {
///         Rejected => LegacyCode::LogoutOther,
///         NotInitialized => LegacyCode::LogoutAlreadyLogout,
///         NotLoggedIn => LegacyCode::LogoutAlreadyLogout,
///     }
/// }
/// ```
///
/// The check also requires each variant's discriminant to be its position in `ALL` (the core's
/// error macro declares variants without explicit discriminants, in `ALL` order), so `row!` can
/// read a row by `variant as usize` with no fallback: every value of the kind has a row.
macro_rules! kind_table {
    (
        $(#[$meta:meta])*
        $table:ident: $kind:ident => $value:ty {
            $( $variant:ident => $result:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        const $table: [($kind, $value); $kind::ALL.len()] = [ $( ($kind::$variant, $result), )+ ];

        const _: () = {
            let mut i = 0;
            while i < $table.len() {
                assert!(
                    $table[i].0 as usize == i && $kind::ALL[i] as usize == i,
                    concat!(
                        stringify!($table),
                        " must list every ",
                        stringify!($kind),
                        " exactly once, in the order of its ALL"
                    )
                );
                i += 1;
            }
        };
    };
}

/// The value a `kind_table!` table gives for `key`.
///
/// The table's compile-time check makes the index in bounds for every value of the kind.
macro_rules! row {
    ($table:ident, $key:expr) => {
        $table[$key as usize].1
    };
}

pub(crate) use {kind_table, row};

#[cfg(test)]
pub(crate) mod check {
    //! What the unit tests assert of every table, beyond the compile-time check.

    use std::fmt::Debug;

    /// Asserts that `table` holds each kind of `all` exactly once, and that `lookup` gives that
    /// row's value for it.
    pub(crate) fn covers_each_once<K, V>(table: &[(K, V)], all: &[K], lookup: impl Fn(K) -> V)
    where
        K: Copy + PartialEq + Debug,
        V: Copy + PartialEq + Debug,
    {
        assert_eq!(table.len(), all.len(), "one row per kind");
        for &kind in all {
            let rows: Vec<_> = table.iter().filter(|(k, _)| *k == kind).collect();
            assert_eq!(rows.len(), 1, "{kind:?} must appear exactly once");
            assert_eq!(lookup(kind), rows[0].1, "{kind:?}");
        }
    }
}
