//! The catalog of the whole legacy surface: every method, callback and `invoke` function name,
//! with its core counterpart and how the shim provides it.
//!
//! This is the single source of truth behind MIGRATION.md (a test keeps the two in step) and the
//! facade's behaviour for each item, including the defined answer of unsupported ones.
//!
//! ```
//! use sigshim_mapping::catalog::{self, ItemKind, Strategy};
//!
//! let row = catalog::lookup("on_login_success").unwrap();
//! assert_eq!(row.kind, ItemKind::Callback);
//! assert_eq!(row.legacy_name, "onLoginSuccess");
//! assert_eq!(catalog::lookup("onLoginSuccess"), Some(row));
//! assert_eq!(catalog::lookup("getSDKVersion").unwrap().facade, "get_sdk_version");
//! assert_eq!(catalog::rows(Strategy::Accepted).count(), catalog::summary().accepted);
//! assert!(catalog::rows(Strategy::Unsupported).any(|r| r.facade == "bc_call"));
//! assert_eq!(catalog::summary().total(), catalog::CATALOG.len());
//! ```

mod callbacks;
mod calls;
mod channels;
mod entry;
mod invoke;
mod lifecycle;
mod peer;
mod spellings;
#[cfg(test)]
mod tests;

pub use entry::{Area, CatalogEntry, ItemKind, Strategy, Summary};
pub use spellings::{SPELLINGS, Sdk, Spelling};

/// Every legacy item, grouped by [`Area`] in MIGRATION.md order.
pub static CATALOG: &[CatalogEntry] = &ALL_ROWS;

/// The rows of each area, in order.
const PARTS: [&[CatalogEntry]; 7] = [
    lifecycle::ROWS,
    peer::MESSAGES,
    peer::PRESENCE,
    channels::ROWS,
    calls::ROWS,
    invoke::ROWS,
    callbacks::ROWS,
];

const ALL_ROWS: [CatalogEntry; total(&PARTS)] = concat(&PARTS);

const fn total(parts: &[&[CatalogEntry]]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

const fn concat<const N: usize>(parts: &[&[CatalogEntry]]) -> [CatalogEntry; N] {
    let mut out = [parts[0][0]; N];
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[n] = parts[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "catalog length mismatch");
    out
}

/// The row for a legacy item, by its facade name (`"channel_invite_user2"`), its legacy name
/// (`"channelInviteUser2"`), another SDK's spelling of it (`"getSDKVersion"`, `"destory"`) or,
/// for `invoke`, its full function name. Facade and native names win over other spellings, so
/// `"login"` is the native `login`, not the Web's.
pub fn lookup(name: &str) -> Option<&'static CatalogEntry> {
    CATALOG
        .iter()
        .find(|e| e.facade == name)
        .or_else(|| CATALOG.iter().find(|e| e.legacy_name == name))
        .or_else(|| {
            let spelling = SPELLINGS.iter().find(|s| s.name == name)?;
            CATALOG.iter().find(|e| e.legacy_name == spelling.of)
        })
}

/// The rows provided with one strategy.
pub fn rows(strategy: Strategy) -> impl Iterator<Item = &'static CatalogEntry> {
    CATALOG.iter().filter(move |e| e.strategy == strategy)
}

/// The rows of one area (one MIGRATION.md table).
pub fn in_area(area: Area) -> impl Iterator<Item = &'static CatalogEntry> {
    CATALOG.iter().filter(move |e| e.area == area)
}

/// How many rows use each strategy.
pub fn summary() -> Summary {
    Summary::of(CATALOG)
}
