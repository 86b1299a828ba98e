//! What a logged-in user does with other users: peer messages, online status, user attributes.

use super::entry::Area::{PeerMessages, Presence};
use super::entry::CatalogEntry;
use super::entry::ItemKind::Method;
use super::entry::Strategy::{Direct, Emulated, Unsupported};

pub(super) const MESSAGES: &[CatalogEntry] = &[
    CatalogEntry {
        legacy_name: "messageInstantSend",
        facade: "message_instant_send",
        kind: Method,
        area: PeerMessages,
        core: "`Client::send_message_to_peer`",
        strategy: Emulated,
        note: "Success once the server accepts the message, also when it is cached for an offline peer (strict mode waits for the peer); failures use `translate::peer_send_failure`; an empty `msg_id` gets a generated one.",
    },
    CatalogEntry {
        legacy_name: "messageInstantSend2",
        facade: "message_instant_send2",
        kind: Method,
        area: PeerMessages,
        core: "`Client::send_message_to_peer`",
        strategy: Emulated,
        note: "As `message_instant_send`; an `offline` key (true/false or 1/0) in the `options` JSON overrides offline caching for that message.",
    },
    CatalogEntry {
        legacy_name: "messageAppSend",
        facade: "message_app_send",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "There is no app-server endpoint; answered by `on_message_send_error(msg_id, 400)`.",
    },
    CatalogEntry {
        legacy_name: "messagePushSend",
        facade: "message_push_send",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Push delivery is not modelled; answered by `on_message_send_error(msg_id, 400)`. Use `message_instant_send`.",
    },
    CatalogEntry {
        legacy_name: "messageChatSend",
        facade: "message_chat_send",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Chat-typed delivery is not modelled; answered by `on_message_send_error(msg_id, 400)`. Use `message_instant_send`.",
    },
    CatalogEntry {
        legacy_name: "messageDTMFSend",
        facade: "message_dtmf_send",
        kind: Method,
        area: PeerMessages,
        core: "—",
        strategy: Unsupported,
        note: "Obsolete in the legacy SDK; answered by `on_message_send_error(msg_id, 400)`.",
    },
];

pub(super) const PRESENCE: &[CatalogEntry] = &[
    CatalogEntry {
        legacy_name: "setAttr",
        facade: "set_attr",
        kind: Method,
        area: Presence,
        core: "`Client::add_or_update_local_user_attributes`, `Client::delete_local_user_attributes_by_keys`",
        strategy: Direct,
        note: r#"Sets one key of the logged-in user (an empty value removes it); no success callback, as before; a failure gives `on_error("set_attr", code, desc)` with `translate::attribute_failure`."#,
    },
    CatalogEntry {
        legacy_name: "getAttr",
        facade: "get_attr",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes_by_keys`",
        strategy: Direct,
        note: "Reads one key of the logged-in user into `on_user_attr_result(account, name, value)`; a missing key gives an empty value.",
    },
    CatalogEntry {
        legacy_name: "getAttrAll",
        facade: "get_attr_all",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes`",
        strategy: Emulated,
        note: "All keys of the logged-in user, encoded as one JSON object string for `on_user_attr_all_result`.",
    },
    CatalogEntry {
        legacy_name: "getUserAttr",
        facade: "get_user_attr",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes_by_keys`",
        strategy: Direct,
        note: "One key of another user into `on_user_attr_result`; that user must be online (RTM rule), else `on_error` with 1001.",
    },
    CatalogEntry {
        legacy_name: "getUserAttrAll",
        facade: "get_user_attr_all",
        kind: Method,
        area: Presence,
        core: "`Client::get_user_attributes`",
        strategy: Emulated,
        note: "All keys of another online user, encoded as one JSON object string for `on_user_attr_all_result`.",
    },
    CatalogEntry {
        legacy_name: "queryUserStatus",
        facade: "query_user_status",
        kind: Method,
        area: Presence,
        core: "`Client::query_peers_online_status`",
        strategy: Direct,
        note: r#"Queries a one-account list; answered by `on_query_user_status_result(account, "1" or "0")`; failures give `on_error("query_user_status", …)` through `translate::query_status_failure`."#,
    },
];
