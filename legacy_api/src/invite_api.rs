//! The legacy invitation methods of [`Signaling`]: invite, answer, end, DTMF and phone calls.
//! They return at once; results arrive through the `on_invite_*` callbacks.

use crate::command::Command;
use crate::signaling::Signaling;

impl Signaling {
    /// Invites `account` to a call about `channel_id` (no extra). See
    /// [`channel_invite_user2`](Self::channel_invite_user2); `uid` is not used.
    pub fn channel_invite_user(&self, channel_id: &str, account: &str, _uid: u32) {
        self.channel_invite_user2(channel_id, account, "");
    }

    /// Invites `account` to a call about `channel_id`. `extra` (JSON or empty, at most 8 KB)
    /// reaches the callee's `on_invite_received` unchanged; its keys `_require_peer_online` (1:
    /// fail at once with 703 when the callee is offline) and `_timeout` (seconds: fail with 704
    /// when unanswered by then) are honoured. The caller then gets `on_invite_received_by_peer`
    /// and `on_invite_accepted_by_peer`, `on_invite_refused_by_peer` or `on_invite_failed`.
    /// Inviting the same account to the same channel again replaces a pending invitation; once
    /// the call is established it fails with 701.
    pub fn channel_invite_user2(&self, channel_id: &str, account: &str, extra: &str) {
        self.send(Command::Invite {
            channel_id: channel_id.to_owned(),
            account: account.to_owned(),
            extra: extra.to_owned(),
        });
    }

    /// Accepts the invitation from `account` (the caller) about `channel_id`; the caller gets
    /// `on_invite_accepted_by_peer` with `extra`. Joins no channel.
    pub fn channel_invite_accept(&self, channel_id: &str, account: &str, _uid: u32, extra: &str) {
        self.answer(channel_id, account, extra, true);
    }

    /// Refuses the invitation from `account` about `channel_id`; the caller gets
    /// `on_invite_refused_by_peer` with `extra`.
    pub fn channel_invite_refuse(&self, channel_id: &str, account: &str, _uid: u32, extra: &str) {
        self.answer(channel_id, account, extra, false);
    }

    fn answer(&self, channel_id: &str, account: &str, extra: &str, accept: bool) {
        self.send(Command::InviteAnswer {
            channel_id: channel_id.to_owned(),
            account: account.to_owned(),
            extra: extra.to_owned(),
            accept,
        });
    }

    /// Ends the call with `account` about `channel_id`, at any time and from either side:
    /// `on_invite_end_by_myself` fires at once. A pending outgoing invitation is canceled (the
    /// callee gets `on_invite_end_by_peer`), a pending incoming one is refused, and an
    /// established call ends with RTM's end-call message, which the peer's facade reports as
    /// `on_invite_end_by_peer`. A phone call is hung up through the gateway.
    pub fn channel_invite_end(&self, channel_id: &str, account: &str, uid: u32) {
        self.channel_invite_end_with_extra(channel_id, account, uid, "");
    }

    /// [`channel_invite_end`](Self::channel_invite_end) with an `extra` for the peer, as the
    /// legacy Web SDK's `channelInviteEnd(extra)` had: a pending incoming invitation is refused
    /// with it as the response, an established call's end-call message carries it (RTM's format
    /// cannot carry `_`: such an extra is left out and `on_error("channel_invite_end", 700, …)`
    /// says so). A canceled outgoing invitation carries none (RTM's cancel has no content).
    pub fn channel_invite_end_with_extra(&self, channel_id: &str, account: &str, _uid: u32, extra: &str) {
        self.send(Command::InviteEnd {
            channel_id: channel_id.to_owned(),
            account: account.to_owned(),
            extra: extra.to_owned(),
        });
    }

    /// Sends DTMF digits (`0-9`, `*`, `#`) into the call about `channel_id`: to an application
    /// peer as an in-call message (its facade reports `on_invite_msg(…, "dtmf", digits, extra)`),
    /// or to a phone number through the gateway. Without a call or gateway:
    /// `on_error("channel_invite_dtmf", 1001, …)`; bad digits: 1004.
    pub fn channel_invite_dtmf(&self, channel_id: &str, phone_num: &str, dtmf: &str) {
        self.send(Command::InviteDtmf {
            channel_id: channel_id.to_owned(),
            phone_num: phone_num.to_owned(),
            digits: dtmf.to_owned(),
        });
    }

    /// Calls a phone number through the gateway, showing this account as caller ID. Without a
    /// gateway: `on_invite_failed(channel_id, phone_num, 0, 700, "")`.
    pub fn channel_invite_phone(&self, channel_id: &str, phone_num: &str, _uid: u32) {
        self.phone("channel_invite_phone", channel_id, phone_num, None, "");
    }

    /// As [`channel_invite_phone`](Self::channel_invite_phone), showing `sources_num`.
    pub fn channel_invite_phone2(&self, channel_id: &str, phone_num: &str, sources_num: &str) {
        self.phone("channel_invite_phone2", channel_id, phone_num, Some(sources_num), "");
    }

    /// As [`channel_invite_phone2`](Self::channel_invite_phone2), with `extra` (SIP headers and
    /// the like) for the gateway.
    pub fn channel_invite_phone3(&self, channel_id: &str, phone_num: &str, sources_num: &str, extra: &str) {
        self.phone("channel_invite_phone3", channel_id, phone_num, Some(sources_num), extra);
    }

    fn phone(
        &self,
        name: &'static str,
        channel_id: &str,
        phone_num: &str,
        source: Option<&str>,
        extra: &str,
    ) {
        self.send(Command::InvitePhone {
            name,
            channel_id: channel_id.to_owned(),
            phone_num: phone_num.to_owned(),
            source: source.map(str::to_owned),
            extra: extra.to_owned(),
        });
    }
}
