//! What the scanner looks for, read from the catalog in `sigshim-mapping`: which names are legacy
//! methods and callbacks on each platform, which are also common words, which calls hand out
//! legacy objects, and which codes and `extra` keys a program may test or set.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use sigshim_mapping::catalog::{CATALOG, CatalogEntry, ItemKind, SPELLINGS};
use sigshim_mapping::{LegacyCode, reserved};

use crate::lang::Platform;

/// Method and callback names that other code uses too (`login`, `start`, `onError`): a call to
/// one counts only on an object known to come from the legacy SDK, or inside a class that
/// implements the legacy callback interface.
const COMMON_NAMES: &[&str] = &[
    "login",
    "logout",
    "start",
    "stop",
    "ping",
    "destroy",
    "destory",
    "invoke",
    "dbg",
    "getStatus",
    "isOnline",
    "setAttr",
    "getAttr",
    "getAttrAll",
    "setBackground",
    "setNetworkStatus",
    "callbackSet",
    "callbackGet",
    "getInstance",
    "getSdkVersion",
    "getSDKVersion",
    "Signal",
    "onError",
    "onLog",
    "onMsg",
    "onDbg",
    "onLogout",
    "onReconnecting",
    "onReconnected",
];

/// Types and classes whose values are legacy SDK objects.
const LEGACY_TYPES: &[&str] =
    &["IAgoraAPI", "IAgoraAPIC", "AgoraAPI", "AgoraAPIOnlySignal", "ICallBackC", "AgoraSigKit"];

/// Calls that hand out a legacy object: the instance factories, and on the Web the session,
/// channel and call objects.
const PRODUCERS: &[&str] = &["login", "login2", "channelJoin", "channelInviteUser", "channelInviteUser2"];

/// Words in a class's header that make it an implementation of the legacy callbacks.
const CALLBACK_BASES: &[&str] = &["ICallBack", "AgoraAPI.CallBack"];

/// Callbacks whose arguments carry a legacy error code.
const CODE_CALLBACKS: &[&str] = &[
    "onLoginFailed",
    "onLogout",
    "onChannelJoinFailed",
    "onChannelLeaved",
    "onInviteFailed",
    "onMessageSendError",
    "onError",
    "onChannelQueryUserNumResult",
];

/// Prefixes platforms put before a legacy code's constant name.
const CODE_PREFIXES: &[&str] = &["ECODE_", "AgoraEcode_"];

/// Words at least one of which every file with a use holds: the distinctive names of the
/// catalog and its spellings, the legacy types, `Signal`, the callback base classes, the codes'
/// names, the reserved keys, the `invoke` prefix and the SDK's module and script names. A common name counts only next to one of
/// these (a legacy object's origin, a callback class), so a file without any has no use, and
/// is not parsed.
static TELLTALES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let mut words: Vec<&str> = CATALOG
        .iter()
        .map(|e| e.legacy_name)
        .chain(SPELLINGS.iter().map(|s| s.name.trim_end_matches(':')))
        .filter(|n| !is_common(n))
        .collect();
    words.extend(LEGACY_TYPES);
    words.extend(["Signal", "CallBack", "io.agora.signal.", "agora-signaling-sdk", "AgoraSig"]);
    words.extend(LegacyCode::ALL.iter().filter(|c| !c.is_success()).map(|c| c.name()));
    words.extend(reserved::RESERVED_KEYS.iter().map(|k| k.key));
    AhoCorasick::new(words).expect("the telltale words build an automaton")
});

/// Whether `src` could hold a use at all (see [`TELLTALES`]).
pub(crate) fn may_use_legacy(src: &str) -> bool {
    TELLTALES.is_match(src)
}

/// The catalog row for a method or callback `name` as a program on `platform` spells it.
pub(crate) fn member_row(platform: Platform, name: &str) -> Option<&'static CatalogEntry> {
    let name = name.strip_suffix(':').unwrap_or(name);
    let by_spelling = SPELLINGS
        .iter()
        .filter(|s| platform.sdks().contains(&s.sdk))
        .find(|s| s.name.trim_end_matches(':') == name)
        .and_then(|s| CATALOG.iter().find(|e| e.legacy_name == s.of));
    by_spelling.or_else(|| CATALOG.iter().find(|e| e.kind != ItemKind::Invoke && e.legacy_name == name))
}

/// The row of an `invoke` function name (`"io.agora.signal.user_set_attr"`).
pub(crate) fn invoke_row(text: &str) -> Option<&'static CatalogEntry> {
    CATALOG.iter().find(|e| e.kind == ItemKind::Invoke && e.legacy_name == text)
}

/// Whether `name` is also a common word, so that it needs a known legacy object to count.
pub(crate) fn is_common(name: &str) -> bool {
    COMMON_NAMES.contains(&name.trim_end_matches(':'))
}

/// Whether `name` is a legacy SDK type or class.
pub(crate) fn is_legacy_type(name: &str) -> bool {
    LEGACY_TYPES.contains(&name)
}

/// Whether some type name in `text` is a legacy one (`IAgoraAPI *`, `AgoraAPIOnlySignal?`).
pub(crate) fn mentions_legacy_type(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(is_legacy_type)
}

/// Whether a class header (what comes before its body) names the legacy callback interface.
pub(crate) fn is_callback_class_header(header: &str) -> bool {
    let words = header.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'));
    words.into_iter().any(|w| {
        CALLBACK_BASES
            .iter()
            .any(|b| w.strip_suffix(b).is_some_and(|rest| rest.is_empty() || rest.ends_with('.')))
    })
}

/// Whether a call named `name` hands out a legacy object (given a legacy receiver, or none).
pub(crate) fn is_producer(platform: Platform, name: &str) -> bool {
    PRODUCERS.contains(&name) || is_factory(platform, name)
}

/// Whether `name` is an instance factory of the legacy SDK on `platform`.
pub(crate) fn is_factory(platform: Platform, name: &str) -> bool {
    member_row(platform, name)
        .is_some_and(|row| matches!(row.legacy_name, "getInstance" | "createAgoraSDKInstance"))
}

/// Whether a callback's arguments carry a legacy code.
pub(crate) fn carries_code(row: &CatalogEntry) -> bool {
    CODE_CALLBACKS.contains(&row.legacy_name)
}

/// The legacy code a constant name stands for (`LOGIN_E_TOKENWRONG`, `ECODE_LOGIN_E_TOKENWRONG`,
/// `AgoraEcode_LOGIN_E_TOKENWRONG`). `SUCCESS` is not counted: it is too common a word.
pub(crate) fn code_constant(name: &str) -> Option<LegacyCode> {
    // Every code's name has `_E` in it; most identifiers are turned away here.
    if !name.contains("_E") {
        return None;
    }
    let bare = CODE_PREFIXES.iter().find_map(|p| name.strip_prefix(p)).unwrap_or(name);
    LegacyCode::ALL.iter().copied().find(|c| !c.is_success() && c.name() == bare)
}

/// The legacy code an integer literal in a comparison stands for; 0 is not counted.
pub(crate) fn code_literal(text: &str) -> Option<LegacyCode> {
    let value: i32 = text.trim().parse().ok()?;
    LegacyCode::from_code(value).filter(|c| !c.is_success())
}

/// A reserved `extra` key, and whether it is distinctive enough to count without an invitation
/// call around it (`_timeout` is not).
pub(crate) fn reserved_key(name: &str) -> Option<(&'static reserved::ReservedKey, bool)> {
    reserved::lookup(name).map(|k| (k, k.key != "_timeout"))
}

/// Whether a module name or script address is the legacy SDK's (`agora-signaling-sdk`,
/// `lib/AgoraSig-1.4.0.js`).
pub(crate) fn names_sdk_package(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("agora-signaling-sdk") || lower.contains("agorasig")
}

/// The calls that send an invitation's `extra`.
pub(crate) fn is_invite_call(name: &str) -> bool {
    matches!(name, "channelInviteUser2" | "channelInvitePhone2" | "channelInvitePhone3" | "channelInviteUser")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_follow_the_platform() {
        assert_eq!(member_row(Platform::Web, "login").unwrap().legacy_name, "login2");
        assert_eq!(member_row(Platform::Android, "login").unwrap().legacy_name, "login");
        assert_eq!(member_row(Platform::Web, "Signal").unwrap().legacy_name, "getInstance");
        assert_eq!(
            member_row(Platform::Apple, "getInstanceWithoutMedia").unwrap().legacy_name,
            "getInstance"
        );
        assert_eq!(member_row(Platform::Native, "destory").unwrap().legacy_name, "destroy");
        assert!(member_row(Platform::Web, "io.agora.signal.user_set_attr").is_none());
        assert!(is_factory(Platform::Native, "getAgoraSDKInstanceCPP"));
        assert!(!is_factory(Platform::Web, "getAgoraSDKInstanceCPP"));
    }

    #[test]
    fn codes_and_keys() {
        assert_eq!(code_constant("ECODE_LOGIN_E_TOKENWRONG"), Some(LegacyCode::LoginTokenWrong));
        assert_eq!(code_constant("AgoraEcode_LOGIN_E_NET"), Some(LegacyCode::LoginNet));
        assert_eq!(code_constant("SUCCESS"), None);
        assert_eq!(code_literal("206"), Some(LegacyCode::LoginTokenWrong));
        assert_eq!(code_literal("0"), None);
        assert_eq!(code_literal("207x"), None);
        assert!(reserved_key("_require_peer_online").unwrap().1);
        assert!(!reserved_key("_timeout").unwrap().1);
        assert!(is_callback_class_header("class Handler : public agora_sdk_cpp::ICallBack"));
        assert!(is_callback_class_header("new IAgoraAPI.ICallBack()"));
        assert!(!is_callback_class_header("class Handler : public Listener"));
        assert!(mentions_legacy_type("IAgoraAPI *"));
        assert!(!mentions_legacy_type("IAgoraAPIX"));
    }
}
