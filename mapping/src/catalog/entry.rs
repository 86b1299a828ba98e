//! What one catalog row says about one legacy item.

use std::fmt;

use super::spellings::{SPELLINGS, Sdk, Spelling};

/// How the shim provides a legacy item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// One core call or event does the job; the facade only reshapes arguments and results and
    /// translates codes.
    Direct,
    /// The facade supplies part of the legacy behaviour itself: state the core does not keep,
    /// policies, synthesised values, legacy encodings, or several core calls.
    Emulated,
    /// A no-op, accepted for compatibility: the call returns at once, does nothing and reports
    /// nothing, because the core has no use for it (an event loop to start, a keep-alive, a
    /// background hint).
    Accepted,
    /// Not provided. Methods still answer in a defined way (a failure callback with a legacy code);
    /// callbacks are never fired.
    Unsupported,
}

impl Strategy {
    /// Every strategy.
    pub const ALL: &'static [Self] = &[Self::Direct, Self::Emulated, Self::Accepted, Self::Unsupported];

    /// The word MIGRATION.md uses in its strategy column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "Direct",
            Self::Emulated => "Emulated",
            Self::Accepted => "Accepted",
            Self::Unsupported => "Unsupported",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What sort of legacy item a row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A method the application calls.
    Method,
    /// A callback the SDK calls.
    Callback,
    /// A function name accepted by `invoke`.
    Invoke,
}

/// The part of the legacy surface a row belongs to; one MIGRATION.md table per area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// Instances, login, logout, status and housekeeping methods.
    Lifecycle,
    /// Point-to-point and app messages.
    PeerMessages,
    /// Online status and user attributes.
    Presence,
    /// Channels, channel messages and channel attributes.
    Channels,
    /// Call invitations, DTMF and phone calls.
    Calls,
    /// The `invoke` method and its function names.
    Invoke,
    /// Every callback.
    Callbacks,
}

impl Area {
    /// Every area, in MIGRATION.md order.
    pub const ALL: &'static [Self] = &[
        Self::Lifecycle,
        Self::PeerMessages,
        Self::Presence,
        Self::Channels,
        Self::Calls,
        Self::Invoke,
        Self::Callbacks,
    ];

    /// The MIGRATION.md heading of the area's table.
    pub fn title(self) -> &'static str {
        match self {
            Self::Lifecycle => "Lifecycle & login",
            Self::PeerMessages => "Peer messages",
            Self::Presence => "Presence & user attributes",
            Self::Channels => "Channels",
            Self::Calls => "Calls",
            Self::Invoke => "Invoke",
            Self::Callbacks => "Callbacks",
        }
    }
}

/// One legacy method, callback or invoke function name, and how the shim provides it.
///
/// `core` and `note` are Markdown (code in backticks), exactly as MIGRATION.md shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CatalogEntry {
    /// The name as the native SDKs spelled it (Android, iOS, C/C++): `"messageInstantSend"`,
    /// `"onChannelUserList"`, or for an invoke function its full name
    /// (`"io.agora.signal.user_query_user_status"`). Where another SDK spelled it differently,
    /// [`spellings`](Self::spellings) says how.
    pub legacy_name: &'static str,
    /// The facade's name: snake_case (`"message_instant_send"`, `"on_channel_user_list"`), or for
    /// an invoke function the same full name, passed to `invoke`.
    pub facade: &'static str,
    /// Method, callback or invoke function.
    pub kind: ItemKind,
    /// The MIGRATION.md table the row belongs to.
    pub area: Area,
    /// The core counterpart(s), or `"—"` when there is none.
    pub core: &'static str,
    /// How the shim provides the item.
    pub strategy: Strategy,
    /// One line: how the shim provides it, or what differs from the legacy SDK.
    pub note: &'static str,
}

impl CatalogEntry {
    /// The other SDKs' spellings of this item, where they differ from
    /// [`legacy_name`](Self::legacy_name).
    pub fn spellings(&self) -> impl Iterator<Item = &'static Spelling> + use<> {
        let name = self.legacy_name;
        SPELLINGS.iter().filter(move |s| s.of == name)
    }

    /// MIGRATION.md's first cell: the legacy name, then any other SDK's spelling, for example
    /// `` `getSdkVersion` (Web `getSDKVersion`, `getSDKVersion_int`) ``.
    pub fn legacy_cell(&self) -> String {
        let mut cell = format!("`{}`", self.legacy_name);
        let mut by_sdk: Vec<(Sdk, Vec<String>)> = Vec::new();
        for s in self.spellings() {
            let text = format!("`{}`{}", s.name, s.remark);
            match by_sdk.iter_mut().find(|(sdk, _)| *sdk == s.sdk) {
                Some((_, names)) => names.push(text),
                None => by_sdk.push((s.sdk, vec![text])),
            }
        }
        if !by_sdk.is_empty() {
            let parts: Vec<String> =
                by_sdk.iter().map(|(sdk, names)| format!("{} {}", sdk.as_str(), names.join(", "))).collect();
            cell.push_str(&format!(" ({})", parts.join("; ")));
        }
        cell
    }

    /// MIGRATION.md's second cell: the facade method or callback, or for an invoke function
    /// `` `invoke` ``, which takes the name as its argument.
    pub fn facade_cell(&self) -> String {
        match self.kind {
            ItemKind::Invoke => "`invoke`".to_owned(),
            ItemKind::Method | ItemKind::Callback => format!("`{}`", self.facade),
        }
    }

    /// The row as MIGRATION.md writes it: `` | legacy | facade | core | strategy | note | ``.
    pub fn markdown_row(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} |",
            self.legacy_cell(),
            self.facade_cell(),
            self.core,
            self.strategy,
            self.note
        )
    }
}

/// How many items have each strategy: the catalog's rows, or the uses of them a scan of
/// legacy code found. Serialized with the strategies' names as keys (`{"Direct": 12, …}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary {
    /// Rows marked [`Strategy::Direct`].
    pub direct: usize,
    /// Rows marked [`Strategy::Emulated`].
    pub emulated: usize,
    /// Rows marked [`Strategy::Accepted`].
    pub accepted: usize,
    /// Rows marked [`Strategy::Unsupported`].
    pub unsupported: usize,
}

impl Summary {
    /// Counts `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a CatalogEntry>) -> Self {
        Self::of_strategies(rows.into_iter().map(|row| row.strategy))
    }

    /// Counts items by their strategies.
    pub fn of_strategies(strategies: impl IntoIterator<Item = Strategy>) -> Self {
        let mut s = Self::default();
        for strategy in strategies {
            *s.count_mut(strategy) += 1;
        }
        s
    }

    /// The count for one strategy.
    pub fn count(&self, strategy: Strategy) -> usize {
        match strategy {
            Strategy::Direct => self.direct,
            Strategy::Emulated => self.emulated,
            Strategy::Accepted => self.accepted,
            Strategy::Unsupported => self.unsupported,
        }
    }

    fn count_mut(&mut self, strategy: Strategy) -> &mut usize {
        match strategy {
            Strategy::Direct => &mut self.direct,
            Strategy::Emulated => &mut self.emulated,
            Strategy::Accepted => &mut self.accepted,
            Strategy::Unsupported => &mut self.unsupported,
        }
    }

    /// All rows.
    pub fn total(&self) -> usize {
        self.direct + self.emulated + self.accepted + self.unsupported
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows: {} direct, {} emulated, {} accepted, {} unsupported",
            self.total(),
            self.direct,
            self.emulated,
            self.accepted,
            self.unsupported
        )
    }
}
