//! The keys of an invitation's `extra` JSON that the legacy service itself read.
//!
//! Any other key travels to the callee byte for byte, as it did before; these few changed what
//! the service did with the invitation, so an application that sets them depends on the shim
//! reproducing that.
//!
//! ```
//! use sigshim_mapping::{Strategy, reserved};
//!
//! assert_eq!(reserved::lookup("_timeout").unwrap().strategy, Strategy::Emulated);
//! assert_eq!(reserved::lookup("sip_header:X-Trace").unwrap().key, "sip_header:");
//! assert!(reserved::lookup("channelName").is_none());
//! ```

use crate::catalog::Strategy;

/// One reserved `extra` key and how the shim treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReservedKey {
    /// The key as applications write it; a key ending in `:` is a prefix (`sip_header:Name`).
    pub key: &'static str,
    /// How the shim provides what the key asked for.
    pub strategy: Strategy,
    /// The core counterpart, or `"—"` (Markdown).
    pub core: &'static str,
    /// One line: what the shim does with the key (Markdown).
    pub note: &'static str,
}

impl ReservedKey {
    /// Whether `name` is this key (or, for a prefix key, starts with it).
    pub fn matches(&self, name: &str) -> bool {
        if self.key.ends_with(':') { name.starts_with(self.key) } else { name == self.key }
    }
}

/// Every reserved key.
pub static RESERVED_KEYS: &[ReservedKey] = &[
    ReservedKey {
        key: "_require_peer_online",
        strategy: Strategy::Emulated,
        core: "`LocalInvitation::set_require_peer_online`",
        note: "`1` fails the invitation at once with 703 when the callee is offline; the key still reaches the callee inside `extra`.",
    },
    ReservedKey {
        key: "_timeout",
        strategy: Strategy::Emulated,
        core: "`LocalInvitation::set_timeout`",
        note: "Seconds before an unanswered invitation fails with 704; the key still reaches the callee inside `extra`.",
    },
    ReservedKey {
        key: "destMediaUid",
        strategy: Strategy::Direct,
        core: "the invitation's content",
        note: "Delivered to the callee inside `extra`, unchanged; the callee's code reads it as before.",
    },
    ReservedKey {
        key: "srcNum",
        strategy: Strategy::Unsupported,
        core: "—",
        note: "The number a phone showed for the caller: phone calls are not provided, so nothing reads it (in a peer invitation it reaches the callee unchanged).",
    },
    ReservedKey {
        key: "sip_header:",
        strategy: Strategy::Unsupported,
        core: "—",
        note: "A SIP header for a phone call: phone calls are not provided, so nothing reads it (in a peer invitation it reaches the callee unchanged).",
    },
];

/// The reserved key `name` is, if any.
pub fn lookup(name: &str) -> Option<&'static ReservedKey> {
    RESERVED_KEYS.iter().find(|k| k.matches(name))
}
