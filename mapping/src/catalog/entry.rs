//! What one catalog row says about one legacy item.

use std::fmt;

/// How the shim provides a legacy item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// One core call or event does the job; the facade only reshapes arguments and results and
    /// translates codes.
    Direct,
    /// The facade supplies part of the legacy behaviour itself: state the core does not keep,
    /// policies, synthesised values, legacy encodings, or several core calls.
    Emulated,
    /// Not provided. Methods still answer in a defined way (a failure callback with a legacy code);
    /// callbacks are never fired.
    Unsupported,
}

impl Strategy {
    /// Every strategy.
    pub const ALL: &'static [Self] = &[Self::Direct, Self::Emulated, Self::Unsupported];

    /// The word MIGRATION.md uses in its strategy column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "Direct",
            Self::Emulated => "Emulated",
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
    /// The facade's name: snake_case (`"login2"`, `"on_channel_user_list"`), or for an invoke
    /// function its full name (`"io.agora.signal.user_query_user_status"`).
    pub legacy: &'static str,
    /// The name in the legacy SDK (`"login2"`, `"onChannelUserList"`).
    pub legacy_original: &'static str,
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
    /// The row as MIGRATION.md writes it: `` | `legacy` | core | strategy | note | ``.
    pub fn markdown_row(&self) -> String {
        format!("| `{}` | {} | {} | {} |", self.legacy, self.core, self.strategy, self.note)
    }
}

/// How many catalog rows use each strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Summary {
    /// Rows marked [`Strategy::Direct`].
    pub direct: usize,
    /// Rows marked [`Strategy::Emulated`].
    pub emulated: usize,
    /// Rows marked [`Strategy::Unsupported`].
    pub unsupported: usize,
}

impl Summary {
    /// Counts `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a CatalogEntry>) -> Self {
        let mut s = Self::default();
        for row in rows {
            *s.count_mut(row.strategy) += 1;
        }
        s
    }

    /// The count for one strategy.
    pub fn count(&self, strategy: Strategy) -> usize {
        match strategy {
            Strategy::Direct => self.direct,
            Strategy::Emulated => self.emulated,
            Strategy::Unsupported => self.unsupported,
        }
    }

    fn count_mut(&mut self, strategy: Strategy) -> &mut usize {
        match strategy {
            Strategy::Direct => &mut self.direct,
            Strategy::Emulated => &mut self.emulated,
            Strategy::Unsupported => &mut self.unsupported,
        }
    }

    /// All rows.
    pub fn total(&self) -> usize {
        self.direct + self.emulated + self.unsupported
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows: {} direct, {} emulated, {} unsupported",
            self.total(),
            self.direct,
            self.emulated,
            self.unsupported
        )
    }
}
