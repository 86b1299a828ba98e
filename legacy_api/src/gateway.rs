//! The telephone gateway adapter behind the legacy phone invitations and DTMF.
//!
//! RTM has no telephone network. An application that still places phone calls registers a
//! [`PstnGateway`] in its [`SignalingOptions`](crate::SignalingOptions); the facade hands it
//! `channel_invite_phone*`, `channel_invite_dtmf` into phone calls, and `channel_invite_end` of
//! phone calls, and turns what the gateway reports through [`PhoneCall`] into the usual
//! `on_invite_*` callbacks. Without a gateway these calls fail with the codes in MIGRATION.md.
//! Reports reach the instance through a bounded queue ([`PHONE_REPORT_QUEUE`]).

use crate::phone::Reporter;

/// How many gateway reports (of all its phone calls) an instance holds before it has read them.
///
/// A report that finds the queue full is not queued, and its call fails instead: the instance
/// reports `on_invite_failed(channel_id, phone_num, 0, 700, "")` after the reports queued before
/// it, hangs the call up through [`PstnGateway::hang_up`], and ignores that call's later reports.
/// Reports never block the gateway, and none is dropped without its call failing.
pub const PHONE_REPORT_QUEUE: usize = 64;

/// Why a gateway could not carry out a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The gateway knows no call on this channel to this number.
    #[error("no call on this channel to this number")]
    NoSuchCall,
    /// The gateway failed for its own reason.
    #[error("gateway failure: {0}")]
    Failed(String),
}

/// A telephone gateway. Its methods are called on the instance's task: return quickly and do
/// the work elsewhere, reporting through the [`PhoneCall`].
pub trait PstnGateway: Send + Sync + 'static {
    /// Places a call. Report its progress through `call` (from any thread, at any time).
    fn dial(&self, call: PhoneCall);
    /// Sends DTMF digits (`0-9`, `*`, `#`) into the call on `channel_id` to `phone_num`.
    fn send_dtmf(&self, channel_id: &str, phone_num: &str, digits: &str) -> Result<(), GatewayError>;
    /// Hangs up the call on `channel_id` to `phone_num`.
    fn hang_up(&self, channel_id: &str, phone_num: &str);
}

/// What a gateway reports about one call; each becomes a callback of the calling instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhoneEvent {
    ReceivedByPeer,
    Accepted(String),
    Refused(String),
    Failed(i32),
    EndedByPeer(String),
    Message {
        msg_type: String,
        msg_data: String,
        extra: String,
    },
    /// Not from the gateway: a report of the call found the instance's queue full.
    ReportLost,
}

/// One phone call placed through a gateway: what was asked, and the way to report progress.
/// Cheap to clone. Reports never block; beyond [`PHONE_REPORT_QUEUE`] unread reports the call
/// fails (see [`PHONE_REPORT_QUEUE`]).
#[derive(Debug, Clone)]
pub struct PhoneCall {
    channel_id: String,
    phone_num: String,
    source_num: String,
    extra: String,
    report: Reporter,
}

impl PhoneCall {
    pub(crate) fn new(
        channel_id: &str,
        phone_num: &str,
        source_num: &str,
        extra: &str,
        report: Reporter,
    ) -> Self {
        Self {
            channel_id: channel_id.to_owned(),
            phone_num: phone_num.to_owned(),
            source_num: source_num.to_owned(),
            extra: extra.to_owned(),
            report,
        }
    }

    /// The channel the call belongs to.
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }

    /// The number called (with country code).
    pub fn phone_num(&self) -> &str {
        &self.phone_num
    }

    /// The caller ID to show: `sources_num` of `channel_invite_phone2/3`, else the caller's
    /// account.
    pub fn source_num(&self) -> &str {
        &self.source_num
    }

    /// The `extra` of `channel_invite_phone3` (SIP headers and the like), else empty.
    pub fn extra(&self) -> &str {
        &self.extra
    }

    fn send(&self, event: PhoneEvent) {
        self.report.report(&self.channel_id, &self.phone_num, event);
    }

    /// The far end is ringing: `on_invite_received_by_peer`.
    pub fn received_by_peer(&self) {
        self.send(PhoneEvent::ReceivedByPeer);
    }

    /// The far end answered: `on_invite_accepted_by_peer`.
    pub fn accepted(&self, extra: &str) {
        self.send(PhoneEvent::Accepted(extra.to_owned()));
    }

    /// The far end declined: `on_invite_refused_by_peer`.
    pub fn refused(&self, extra: &str) {
        self.send(PhoneEvent::Refused(extra.to_owned()));
    }

    /// The call failed with a legacy 70x code: `on_invite_failed`.
    pub fn failed(&self, ecode: i32) {
        self.send(PhoneEvent::Failed(ecode));
    }

    /// The far end hung up: `on_invite_end_by_peer`.
    pub fn ended_by_peer(&self, extra: &str) {
        self.send(PhoneEvent::EndedByPeer(extra.to_owned()));
    }

    /// An in-call message from the far end (DTMF): `on_invite_msg`.
    pub fn message(&self, msg_type: &str, msg_data: &str, extra: &str) {
        self.send(PhoneEvent::Message {
            msg_type: msg_type.to_owned(),
            msg_data: msg_data.to_owned(),
            extra: extra.to_owned(),
        });
    }
}
