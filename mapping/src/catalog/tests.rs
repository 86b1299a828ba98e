//! Sanity checks over the catalog data.

use std::collections::HashSet;

use super::*;

/// Every method of signaling-api.md §1.1–§1.7, by its legacy name.
const METHODS: &[&str] = &[
    "getInstance",
    "createAgoraSDKInstance",
    "destroy",
    "callbackSet",
    "callbackGet",
    "start",
    "stop",
    "dbg",
    "bc_call",
    "login",
    "login2",
    "logout",
    "getStatus",
    "isOnline",
    "getSdkVersion",
    "setBackground",
    "setNetworkStatus",
    "ping",
    "setAttr",
    "getAttr",
    "getAttrAll",
    "getUserAttr",
    "getUserAttrAll",
    "queryUserStatus",
    "messageInstantSend",
    "messageInstantSend2",
    "messageAppSend",
    "messagePushSend",
    "messageChatSend",
    "messageDTMFSend",
    "channelJoin",
    "channelLeave",
    "channelQueryUserNum",
    "channelQueryUserIsIn",
    "channelSetAttr",
    "channelDelAttr",
    "channelClearAttr",
    "messageChannelSend",
    "messageChannelSendForce",
    "messageChannelSend2",
    "messageChannelSendFast",
    "channelInviteUser",
    "channelInviteUser2",
    "channelInviteAccept",
    "channelInviteRefuse",
    "channelInviteEnd",
    "channelInviteDTMF",
    "channelInvitePhone",
    "channelInvitePhone2",
    "channelInvitePhone3",
    "invoke",
];

/// Every callback of signaling-api.md §2, by its legacy name.
const CALLBACKS: &[&str] = &[
    "onReconnecting",
    "onReconnected",
    "onLoginSuccess",
    "onLoginFailed",
    "onLogout",
    "onChannelJoined",
    "onChannelJoinFailed",
    "onChannelLeaved",
    "onChannelUserJoined",
    "onChannelUserLeaved",
    "onChannelUserList",
    "onChannelQueryUserNumResult",
    "onChannelQueryUserIsIn",
    "onChannelAttrUpdated",
    "onInviteReceived",
    "onInviteReceivedByPeer",
    "onInviteAcceptedByPeer",
    "onInviteRefusedByPeer",
    "onInviteFailed",
    "onInviteEndByPeer",
    "onInviteEndByMyself",
    "onInviteMsg",
    "onMessageSendError",
    "onMessageSendProgress",
    "onMessageSendSuccess",
    "onMessageAppReceived",
    "onMessageInstantReceive",
    "onMessageChannelReceive",
    "onLog",
    "onInvokeRet",
    "onMsg",
    "onUserAttrResult",
    "onUserAttrAllResult",
    "onError",
    "onQueryUserStatusResult",
    "onDbg",
    "onBCCall_result",
];

/// Every function name of signaling-api.md §7.9, without the `io.agora.signal.` prefix.
const INVOKES: &[&str] = &[
    "user_query_user_status",
    "user_set_attr",
    "user_get_attr",
    "user_get_attr_all",
    "channel_query_num",
    "channel_query_user_isin",
    "channel_query_userlist",
    "channel_query_userlist_all",
    "channel_set_attr",
    "channel_del_attr",
    "channel_clear_attr",
];

/// Legacy camelCase to the facade's snake_case; a run of capitals is one word (`DTMF`, `SDK`).
fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn names_are_unique() {
    let mut seen = HashSet::new();
    for e in CATALOG {
        assert!(seen.insert(e.facade), "duplicate facade name {}", e.facade);
    }
    let mut originals = HashSet::new();
    for e in CATALOG {
        assert!(originals.insert(e.legacy_name), "duplicate legacy name {}", e.legacy_name);
    }
}

#[test]
fn every_method_is_present() {
    for &m in METHODS {
        let e = CATALOG.iter().find(|e| e.legacy_name == m).unwrap_or_else(|| panic!("method {m} missing"));
        assert_eq!(e.kind, ItemKind::Method, "{m}");
    }
    assert_eq!(CATALOG.iter().filter(|e| e.kind == ItemKind::Method).count(), METHODS.len());
}

#[test]
fn every_callback_is_present() {
    for &cb in CALLBACKS {
        let e =
            CATALOG.iter().find(|e| e.legacy_name == cb).unwrap_or_else(|| panic!("callback {cb} missing"));
        assert_eq!(e.kind, ItemKind::Callback, "{cb}");
        assert_eq!(e.area, Area::Callbacks, "{cb}");
    }
    assert_eq!(CATALOG.iter().filter(|e| e.kind == ItemKind::Callback).count(), CALLBACKS.len());
}

#[test]
fn every_invoke_name_is_present() {
    for &f in INVOKES {
        let full = format!("io.agora.signal.{f}");
        let e = lookup(&full).unwrap_or_else(|| panic!("invoke {full} missing"));
        assert_eq!(e.kind, ItemKind::Invoke);
    }
    let invokes: Vec<_> = CATALOG.iter().filter(|e| e.kind == ItemKind::Invoke).collect();
    assert_eq!(invokes.len(), INVOKES.len());
    for e in invokes {
        assert!(e.facade.starts_with("io.agora.signal."), "{}", e.facade);
        assert_eq!(e.facade, e.legacy_name);
        assert_eq!(e.area, Area::Invoke);
    }
}

#[test]
fn facade_names_are_snake_case_of_the_legacy_names() {
    for e in CATALOG.iter().filter(|e| e.kind != ItemKind::Invoke) {
        let expected = match e.legacy_name {
            "createAgoraSDKInstance" => "create_instance".to_owned(),
            other => snake(other),
        };
        assert_eq!(e.facade, expected, "{}", e.legacy_name);
    }
    assert_eq!(snake("onBCCall_result"), "on_bc_call_result");
    assert_eq!(snake("channelInviteDTMF"), "channel_invite_dtmf");
}

#[test]
fn kinds_and_areas_agree() {
    for e in CATALOG {
        let ok = match e.kind {
            ItemKind::Callback => e.area == Area::Callbacks && e.facade.starts_with("on_"),
            ItemKind::Invoke => e.area == Area::Invoke,
            ItemKind::Method => e.area != Area::Callbacks && (e.area != Area::Invoke || e.facade == "invoke"),
        };
        assert!(ok, "{e:?}");
    }
    for &area in Area::ALL {
        assert!(in_area(area).next().is_some(), "{area:?} is empty");
    }
}

#[test]
fn rows_are_one_markdown_line() {
    for e in CATALOG {
        for text in [e.core, e.note] {
            assert!(
                !text.is_empty() && !text.contains('|') && !text.contains('\n'),
                "{}: {text:?}",
                e.facade
            );
        }
        assert_eq!(e.markdown_row().matches('|').count(), 6, "{}", e.facade);
        assert!(
            e.markdown_row().starts_with(&format!("| `{}`", e.legacy_name)),
            "{}: the row starts with the legacy name",
            e.facade
        );
    }
}

#[test]
fn unsupported_methods_name_their_answer() {
    for e in rows(Strategy::Unsupported) {
        match e.kind {
            ItemKind::Method | ItemKind::Invoke => {
                assert!(e.note.contains("`on_"), "{} must name its failure callback", e.facade);
                assert!(
                    ["400", "1001"].iter().any(|c| e.note.contains(c)),
                    "{} must name its code",
                    e.facade
                );
            }
            ItemKind::Callback => {
                assert!(e.note.contains("Never fired") || e.note.contains("failure answer"))
            }
        }
    }
}

#[test]
fn lookup_by_either_name() {
    assert_eq!(lookup("on_channel_user_list").map(|e| e.legacy_name), Some("onChannelUserList"));
    assert_eq!(lookup("onChannelUserList").map(|e| e.facade), Some("on_channel_user_list"));
    assert_eq!(lookup("create_instance").map(|e| e.legacy_name), Some("createAgoraSDKInstance"));
    assert!(lookup("channel_join_force").is_none());
}

#[test]
fn lookup_by_other_sdks_spellings() {
    assert_eq!(lookup("getSDKVersion").map(|e| e.facade), Some("get_sdk_version"));
    assert_eq!(lookup("getSDKVersion_int").map(|e| e.facade), Some("get_sdk_version"));
    assert_eq!(lookup("destory").map(|e| e.facade), Some("destroy"));
    assert_eq!(lookup("getAgoraSDKInstanceCPP").map(|e| e.facade), Some("get_instance"));
    assert_eq!(lookup("createSigInstance:").map(|e| e.facade), Some("create_instance"));
    // The Web's `login` takes the reconnect limits of `login2`, but the name is the native `login`.
    assert_eq!(lookup("login").map(|e| e.facade), Some("login"));
}

#[test]
fn spellings_belong_to_rows_and_differ_from_them() {
    for s in SPELLINGS {
        let e = CATALOG
            .iter()
            .find(|e| e.legacy_name == s.of)
            .unwrap_or_else(|| panic!("spelling {} of {}: no such row", s.name, s.of));
        assert_ne!(s.name, e.legacy_name, "{s:?} repeats the native name");
        assert!(!s.name.is_empty() && !s.name.contains('`') && !s.name.contains('|'), "{s:?}");
        assert!(!s.remark.contains('|') && !s.remark.contains('\n'), "{s:?}");
        assert!(e.spellings().any(|t| t == s));
    }
    let cell = lookup("get_sdk_version").map(CatalogEntry::legacy_cell);
    assert_eq!(
        cell.as_deref(),
        Some("`getSdkVersion` (Web `getSDKVersion` (a string), `getSDKVersion_int`)")
    );
    let cell = lookup("destroy").map(CatalogEntry::legacy_cell);
    assert_eq!(cell.as_deref(), Some("`destroy` (Windows `destory`)"));
    let cell = lookup("message_instant_send").map(CatalogEntry::legacy_cell);
    assert_eq!(cell.as_deref(), Some("`messageInstantSend`"));
}

#[test]
fn accepted_rows_are_methods_that_do_nothing() {
    let accepted: Vec<_> = rows(Strategy::Accepted).map(|e| e.facade).collect();
    assert_eq!(accepted, ["start", "stop", "set_background", "set_network_status", "ping"]);
    for e in rows(Strategy::Accepted) {
        assert_eq!(e.kind, ItemKind::Method, "{}", e.facade);
        assert_eq!(e.core, "—", "{}", e.facade);
        assert!(e.note.starts_with("Does nothing"), "{}", e.facade);
    }
    for e in rows(Strategy::Emulated) {
        assert!(!e.note.starts_with("Does nothing"), "{} does something, or is Accepted", e.facade);
    }
}

#[test]
fn facade_cells() {
    assert_eq!(
        lookup("onChannelUserList").map(CatalogEntry::facade_cell).as_deref(),
        Some("`on_channel_user_list`")
    );
    let invoke = lookup("io.agora.signal.user_set_attr").map(CatalogEntry::facade_cell);
    assert_eq!(invoke.as_deref(), Some("`invoke`"));
}

#[test]
fn summary_counts_every_row() {
    let s = summary();
    assert_eq!(s.total(), CATALOG.len());
    for &st in Strategy::ALL {
        assert_eq!(s.count(st), rows(st).count());
    }
    assert_eq!(CATALOG.len(), METHODS.len() + CALLBACKS.len() + INVOKES.len());
}
