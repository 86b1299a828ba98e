//! What a logged-in user does with other users: peer messages, online status, user attributes.

use super::entry::Area::{PeerMessages, Presence};
use super::entry::CatalogEntry;
use super::entry::ItemKind::Method;
use super::entry::Strategy::{Direct, Emulated, Unsupported};

pub(super) const MESSAGES: &[CatalogEntry] = &[
    CatalogEntry {
        legacy: "message_instant_send",
        legacy_original: "messageInstantSend",
        kind: Method,
        area: PeerMessages,
        core: "`Client::send_message_to_peer`",
        strategy: Emulated,
        note: "Success once the server accepts the message, also when it is cached for an offline peer (strict mode waits for the peer); failures use `translate::peer_send_failure`; an empty `msg_id` gets a generated one.",
    },
    CatalogEntry {
        legacy: "message_instant_send2",
        legacy_original: "messageInstantSend2",
        kind: Method,
        area: PeerMessages,
        core: "`Client::send_message_to_peer`",
        strategy: Emulated,
        note: "As `message_instant_send`; an `offline` key (true/false or 1/0) in the `options` JSON overrides offline caching for that message.",
    },
    CatalogEntry {
        legacy: "message_app_send",
        legacy_original: "messageAppSend",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "There is no app-server endpoint; answered by `on_message_send_error(msg_id, 400)`.",
    },
    CatalogEntry {
        legacy: "message_push_send",
        legacy_original: "messagePushSend",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Push delivery is not modelled; answered by `on_message_send_error(msg_id, 400)`. Use `message_instant_send`.",
    },
    CatalogEntry {
        legacy: "message_chat_send",
        legacy_original: "messageChatSend",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Chat-typed delivery is not modelled; answered by `on_message_send_error(msg_id, 400)`. Use `message_instant_send`.",
    },
    CatalogEntry {
        legacy: "message_dtmf_send",
        legacy_original: "messageDTMFSend",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Obsolete in the legacy SDK; answered by `on_message_send_error(msg_id, 400)`.",
    },
];

pub(super) const PRESENCE: &[CatalogEntry] = &[
    CatalogEntry {
        legacy: "set_attr",
        legacy_original: "setAttr",
        kind: Method,
        area: Presence,
        core: "`Client::add_or_update_local_user_attributes`, `Client::delete_local_user_attributes_by_keys`",
        strategy: Direct,
        note: r#"Sets one key of the logged-in user (an empty value removes it); no success callback, as before; a failure gives `on_error("set_attr", code, desc)` with `translate::attribute_failure`."#,
    },
    CatalogEntry {
        legacy: "get_attr",
        legacy_original: "getAttr",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes_by_keys`",
        strategy: Direct,
        note: "Reads one key of the logged-in user into `on_user_attr_result(account, name, value)`; a missing key gives an empty value.",
    },
    CatalogEntry {
        legacy: "get_attr_all",
        legacy_original: "getAttrAll",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes`",
        strategy: Emulated,
        note: "All keys of the logged-in user, encoded as one JSON object string for `on_user_attr_all_result`.",
    },
    CatalogEntry {
        legacy: "get_user_attr",
        legacy_original: "getUserAttr",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes_by_keys`",
        strategy: Direct,
        note: "One key of another user into `on_user_attr_result`; that user must be online (RTM rule), else `on_error` with 1001.",
    },
    CatalogEntry {
        legacy: "get_user_attr_all",
        legacy_original: "getUserAttrAll",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes`",
        strategy: Emulated,
        note: "All keys of another online user, encoded as one JSON object string for `on_user_attr_all_result`.",
    },
    CatalogEntry {
        legacy: "query_user_status",
        legacy_original: "queryUserStatus",
        kind: Method,
        area: Presence,
        core: "`Client::query_peers_online_status`",
        strategy: Direct,
        note: r#"Queries a one-account list; answered by `on_query_user_status_result(account, "1" or "0")`; failures give `on_error("query_user_status", …)` through `translate::query_status_failure`."#,
    },
];
