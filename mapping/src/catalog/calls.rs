//! Call invitations, DTMF and phone calls.

use super::entry::Area::Calls;
use super::entry::CatalogEntry;
use super::entry::ItemKind::Method;
use super::entry::Strategy::{Direct, Emulated};

pub(super) const ROWS: &[CatalogEntry] = &[
    CatalogEntry {
        legacy: "channel_invite_user",
        legacy_original: "channelInviteUser",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Emulated,
        note: "As `channel_invite_user2` with an empty `extra`; `uid` is not used.",
    },
    CatalogEntry {
        legacy: "channel_invite_user2",
        legacy_original: "channelInviteUser2",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Emulated,
        note: "A `LocalInvitation` with the channel id and `extra` as content (unchanged, at most 8 KB). `_require_peer_online: 1` sets `set_require_peer_online` (703 at once), `_timeout` sets `set_timeout` (704). Invitations are keyed by (channel, account): a second invite replaces a pending one; one for an established call fails with 701.",
    },
    CatalogEntry {
        legacy: "channel_invite_accept",
        legacy_original: "channelInviteAccept",
        kind: Method,
        area: Calls,
        core: "`CallKit::accept_remote_invitation`",
        strategy: Direct,
        note: "`extra` becomes the response; joins no channel. Nothing pending from that account on that channel: `on_error(\"channel_invite_accept\", 700, …)`.",
    },
    CatalogEntry {
        legacy: "channel_invite_refuse",
        legacy_original: "channelInviteRefuse",
        kind: Method,
        area: Calls,
        core: "`CallKit::refuse_remote_invitation`",
        strategy: Direct,
        note: "`extra` becomes the response, so application reason codes reach the caller. Nothing pending: `on_error(\"channel_invite_refuse\", 700, …)`.",
    },
    CatalogEntry {
        legacy: "channel_invite_end",
        legacy_original: "channelInviteEnd",
        kind: Method,
        area: Calls,
        core: "`CallKit::cancel_local_invitation`, `refuse_remote_invitation`, `EndCall` peer message",
        strategy: Emulated,
        note: "`on_invite_end_by_myself` fires first. A pending outgoing invitation is canceled, a pending incoming one refused with an empty response; otherwise the peer gets RTM's end-call message `AgoraRTMLegacyEndcallCompatibleMessagePrefix_<channel>_`. Phone calls are hung up through the gateway.",
    },
    CatalogEntry {
        legacy: "channel_invite_dtmf",
        legacy_original: "channelInviteDTMF",
        kind: Method,
        area: Calls,
        core: "`Client::send_message_to_peer` (in-call message) or `PstnGateway::send_dtmf`",
        strategy: Emulated,
        note: "Into an application call: an in-call peer message the other facade reports as `on_invite_msg(…, \"dtmf\", digits, extra)`. Otherwise the gateway; without one, `on_error(\"channel_invite_dtmf\", 1001, …)`; digits outside `0-9*#`: 1004.",
    },
    CatalogEntry {
        legacy: "channel_invite_phone",
        legacy_original: "channelInvitePhone",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "A phone call through the registered gateway, caller id = account, progress as `on_invite_*` with uid 0; without a gateway, `on_invite_failed(channel, phone, 0, 700, \"\")`.",
    },
    CatalogEntry {
        legacy: "channel_invite_phone2",
        legacy_original: "channelInvitePhone2",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "As `channel_invite_phone` with `sources_num` as caller id; without a gateway, `on_invite_failed(…, 700, …)`.",
    },
    CatalogEntry {
        legacy: "channel_invite_phone3",
        legacy_original: "channelInvitePhone3",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "As `channel_invite_phone2`, with `extra` (e.g. SIP headers) handed to the gateway; without one, `on_invite_failed(…, 700, extra)`.",
    },
];
