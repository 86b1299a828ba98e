//! Call invitations, DTMF and phone calls.

use super::entry::Area::Calls;
use super::entry::CatalogEntry;
use super::entry::ItemKind::Method;
use super::entry::Strategy::Planned;

pub(super) const ROWS: &[CatalogEntry] = &[
    CatalogEntry {
        legacy: "channel_invite_user",
        legacy_original: "channelInviteUser",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Planned,
        note: "A `LocalInvitation` to the account carrying the channel id and no content; progress arrives through the `on_invite_*` callbacks.",
    },
    CatalogEntry {
        legacy: "channel_invite_user2",
        legacy_original: "channelInviteUser2",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Planned,
        note: "`extra` travels as the invitation content; its `_require_peer_online` and `_timeout` keys are honoured; other keys reach the callee unchanged.",
    },
    CatalogEntry {
        legacy: "channel_invite_accept",
        legacy_original: "channelInviteAccept",
        kind: Method,
        area: Calls,
        core: "`CallKit::accept_remote_invitation`",
        strategy: Planned,
        note: "`extra` becomes the invitation response; accepting joins no channel, as before.",
    },
    CatalogEntry {
        legacy: "channel_invite_refuse",
        legacy_original: "channelInviteRefuse",
        kind: Method,
        area: Calls,
        core: "`CallKit::refuse_remote_invitation`",
        strategy: Planned,
        note: "`extra` becomes the invitation response, so application reason codes reach the caller.",
    },
    CatalogEntry {
        legacy: "channel_invite_end",
        legacy_original: "channelInviteEnd",
        kind: Method,
        area: Calls,
        core: "`CallKit::cancel_local_invitation` + `Client::send_message_to_peer`",
        strategy: Planned,
        note: "Cancels a pending invitation; after acceptance either side sends RTM's legacy end-call message instead; `on_invite_end_by_myself` fires at once.",
    },
    CatalogEntry {
        legacy: "channel_invite_dtmf",
        legacy_original: "channelInviteDTMF",
        kind: Method,
        area: Calls,
        core: "gateway adapter",
        strategy: Planned,
        note: r#"Digits go to a pluggable telephony gateway; without one, `on_error("channel_invite_dtmf", 1001, …)`."#,
    },
    CatalogEntry {
        legacy: "channel_invite_phone",
        legacy_original: "channelInvitePhone",
        kind: Method,
        area: Calls,
        core: "gateway adapter",
        strategy: Planned,
        note: "A phone call through the gateway adapter, caller id = account; without a gateway, `on_invite_failed(channel, phone, 0, 700, extra)`.",
    },
    CatalogEntry {
        legacy: "channel_invite_phone2",
        legacy_original: "channelInvitePhone2",
        kind: Method,
        area: Calls,
        core: "gateway adapter",
        strategy: Planned,
        note: "As `channel_invite_phone` with `sources_num` as caller id; without a gateway, `on_invite_failed(…, 700, …)`.",
    },
    CatalogEntry {
        legacy: "channel_invite_phone3",
        legacy_original: "channelInvitePhone3",
        kind: Method,
        area: Calls,
        core: "gateway adapter",
        strategy: Planned,
        note: "As `channel_invite_phone2`, with `extra` (e.g. SIP headers) handed to the gateway; without one, `on_invite_failed(…, 700, …)`.",
    },
];
