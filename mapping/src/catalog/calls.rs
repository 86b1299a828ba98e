//! Call invitations, DTMF and phone calls.

use super::entry::Area::Calls;
use super::entry::CatalogEntry;
use super::entry::ItemKind::Method;
use super::entry::Strategy::{Direct, Emulated};

pub(super) const ROWS: &[CatalogEntry] = &[
    CatalogEntry {
        legacy_name: "channelInviteUser",
        facade: "channel_invite_user",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Emulated,
        note: "As `channel_invite_user2` with an empty `extra`; `uid` is not used.",
    },
    CatalogEntry {
        legacy_name: "channelInviteUser2",
        facade: "channel_invite_user2",
        kind: Method,
        area: Calls,
        core: "`CallKit::send_local_invitation`",
        strategy: Emulated,
        note: "A `LocalInvitation` with the channel id and `extra` as content (unchanged, at most 8 KB). `_require_peer_online: 1` sets `set_require_peer_online` (703 at once), `_timeout` sets `set_timeout` (704). Invitations are keyed by (channel, account): a second invite replaces a pending one; one for an established call fails with 701.",
    },
    CatalogEntry {
        legacy_name: "channelInviteAccept",
        facade: "channel_invite_accept",
        kind: Method,
        area: Calls,
        core: "`CallKit::accept_remote_invitation`",
        strategy: Direct,
        note: "`extra` becomes the response; joins no channel. Nothing pending from that account on that channel: `on_error(\"channel_invite_accept\", 700, …)`.",
    },
    CatalogEntry {
        legacy_name: "channelInviteRefuse",
        facade: "channel_invite_refuse",
        kind: Method,
        area: Calls,
        core: "`CallKit::refuse_remote_invitation`",
        strategy: Direct,
        note: "`extra` becomes the response, so application reason codes reach the caller. Nothing pending: `on_error(\"channel_invite_refuse\", 700, …)`.",
    },
    CatalogEntry {
        legacy_name: "channelInviteEnd",
        facade: "channel_invite_end",
        kind: Method,
        area: Calls,
        core: "`CallKit::cancel_local_invitation`, `refuse_remote_invitation`, `EndCall` peer message",
        strategy: Emulated,
        note: "`on_invite_end_by_myself` fires first. A pending outgoing invitation is canceled, a pending incoming one refused with an empty response; otherwise the peer gets RTM's end-call message `AgoraRTMLegacyEndcallCompatibleMessagePrefix_<channel>_`. The Web's `channelInviteEnd(extra)` is `channel_invite_end_with_extra`: the extra becomes the refusal's response or ends the end-call message (without `_`). Phone calls are hung up through the gateway.",
    },
    CatalogEntry {
        legacy_name: "channelInviteDTMF",
        facade: "channel_invite_dtmf",
        kind: Method,
        area: Calls,
        core: "`Client::send_message_to_peer` (in-call message) or `PstnGateway::send_dtmf`",
        strategy: Emulated,
        note: "Into an application call: an in-call peer message the other facade reports as `on_invite_msg(…, \"dtmf\", digits, extra)`. Otherwise the gateway; without one, `on_error(\"channel_invite_dtmf\", 1001, …)`; digits outside `0-9*#`: 1004.",
    },
    CatalogEntry {
        legacy_name: "channelInvitePhone",
        facade: "channel_invite_phone",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "A phone call through the registered gateway, caller id = account, progress as `on_invite_*` with uid 0; without a gateway, `on_invite_failed(channel, phone, 0, 700, \"\")`.",
    },
    CatalogEntry {
        legacy_name: "channelInvitePhone2",
        facade: "channel_invite_phone2",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "As `channel_invite_phone` with `sources_num` as caller id; without a gateway, `on_invite_failed(…, 700, …)`.",
    },
    CatalogEntry {
        legacy_name: "channelInvitePhone3",
        facade: "channel_invite_phone3",
        kind: Method,
        area: Calls,
        core: "`PstnGateway::dial`",
        strategy: Emulated,
        note: "As `channel_invite_phone2`, with `extra` (e.g. SIP headers) handed to the gateway; without one, `on_invite_failed(…, 700, extra)`.",
    },
];
