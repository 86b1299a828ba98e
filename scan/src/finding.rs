//! One use of the legacy API found in a file, and what the catalog says about it.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sigshim_mapping::catalog::{CatalogEntry, ItemKind, Strategy};
use sigshim_mapping::{LegacyCode, reserved::ReservedKey};

use crate::lang::{Language, Platform};

/// How sure the scanner is that a use is the legacy SDK's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The name is the SDK's, but the object it is used on was not seen to come from the SDK
    /// (a parameter, a field set elsewhere).
    Medium,
    /// The object comes from the SDK (a factory, a legacy type, a session from `login`), the
    /// code sits in an implementation of the legacy callbacks, or the name cannot be anything
    /// else (`io.agora.signal.…`, `LOGIN_E_TOKENWRONG`).
    High,
}

impl Confidence {
    /// The word reports use (`high`, `medium`), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// What kind of legacy item a use is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    /// A method called (or referred to).
    Method,
    /// A callback set or implemented.
    Callback,
    /// A function name passed to `invoke`.
    Invoke,
    /// A reserved key of an invitation's `extra`.
    ExtraKey,
    /// A legacy error code the program tests for.
    ErrorCode,
}

impl UseKind {
    /// The identifier JSON and SARIF use (`method`, `extra_key`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Method => "method",
            Self::Callback => "callback",
            Self::Invoke => "invoke",
            Self::ExtraKey => "extra_key",
            Self::ErrorCode => "error_code",
        }
    }

    /// The name readable reports use (`method`, `extra key`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Method => "method",
            Self::Callback => "callback",
            Self::Invoke => "invoke function",
            Self::ExtraKey => "extra key",
            Self::ErrorCode => "error code",
        }
    }
}

/// The legacy item a use refers to, with the catalog's word on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Item {
    /// What sort of item it is.
    pub kind: UseKind,
    /// The item's catalog name: the native legacy name, the full invoke name, the `extra` key,
    /// or the code's constant name.
    pub name: Cow<'static, str>,
    /// How sigshim provides it.
    #[serde(serialize_with = "strategy_name")]
    pub strategy: Strategy,
    /// The core counterpart (Markdown), `"—"` when there is none.
    pub core: Cow<'static, str>,
    /// What sigshim does, or what differs from the legacy SDK (Markdown).
    pub note: Cow<'static, str>,
}

fn strategy_name<S: serde::Serializer>(s: &Strategy, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

impl Item {
    /// The item for a catalog row.
    pub fn from_row(row: &CatalogEntry) -> Self {
        let kind = match row.kind {
            ItemKind::Method => UseKind::Method,
            ItemKind::Callback => UseKind::Callback,
            ItemKind::Invoke => UseKind::Invoke,
        };
        Self {
            kind,
            name: Cow::Borrowed(row.legacy_name),
            strategy: row.strategy,
            core: Cow::Borrowed(row.core),
            note: Cow::Borrowed(row.note),
        }
    }

    /// The item for a reserved `extra` key.
    pub fn from_key(key: &ReservedKey) -> Self {
        Self {
            kind: UseKind::ExtraKey,
            name: Cow::Borrowed(key.key),
            strategy: key.strategy,
            core: Cow::Borrowed(key.core),
            note: Cow::Borrowed(key.note),
        }
    }

    /// The item for a legacy error code: reported codes are direct, the others unsupported.
    pub fn from_code(code: LegacyCode) -> Self {
        let (strategy, note) = if code.is_reported() {
            (Strategy::Direct, format!("Reported by sigshim with the same value ({}).", code.code()))
        } else {
            (
                Strategy::Unsupported,
                format!(
                    "sigshim never reports {} ({}): a branch that tests for it does not run.",
                    code.name(),
                    code.code()
                ),
            )
        };
        Self {
            kind: UseKind::ErrorCode,
            name: Cow::Borrowed(code.name()),
            strategy,
            core: Cow::Borrowed("`sigshim_mapping::translate`"),
            note: Cow::Owned(note),
        }
    }
}

/// One use of the legacy API in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as given on the command line or found under a directory given there (shared
    /// by the file's findings).
    pub path: Arc<Path>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The file's language.
    pub language: Language,
    /// The legacy SDK the file was written against.
    pub platform: Platform,
    /// The text as the program wrote it (`messageInstantSend`, `getAgoraSDKInstanceCPP`, `206`).
    pub text: String,
    /// The legacy item, with the catalog's strategy and note.
    pub item: Item,
    /// How sure the scanner is.
    pub confidence: Confidence,
}

impl Finding {
    /// The sigshim drop-in that runs this use unchanged on its platform.
    pub fn drop_in(&self) -> &'static str {
        self.platform.drop_in()
    }
}
