//! One interface over the two ways to use sigshim, so each scenario runs through both.
//!
//! Outcomes are normalised into [`Fail`] kinds for the shared assertions; each failure also keeps
//! the driver's own numeric code (an RTM code for the core, a legacy code for the facade) so that
//! driver-specific tests can pin the exact values.

use std::collections::BTreeMap;

use async_trait::async_trait;

/// Which API a driver speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The RTM-style core [`sigshim::Client`].
    Core,
    /// The legacy [`sigshim_legacy::Signaling`] facade.
    Legacy,
}

/// What went wrong, in terms both APIs share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    /// The call needs a login.
    NotLoggedIn,
    /// The user ID / account is invalid.
    InvalidUser,
    /// The token does not verify.
    InvalidToken,
    /// The token expired.
    TokenExpired,
    /// A rate limit refused the call.
    TooOften,
    /// The message or argument is invalid or too large.
    InvalidArgument,
    /// The peer did not receive the message (offline; maybe stored).
    NotDelivered,
    /// The target user is not online.
    UserNotFound,
    /// The callee is offline (invitations).
    PeerOffline,
    /// Nobody answered in time (invitations).
    CallTimeout,
    /// Anything else.
    Other,
}

/// A failure with the driver's own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail {
    /// Shared meaning.
    pub kind: FailKind,
    /// RTM code (core) or legacy code (facade).
    pub code: i32,
}

/// Result of a driver call.
pub type Outcome<T = ()> = Result<T, Fail>;

/// What one side of a call learns from the other, in terms both APIs share.
///
/// Each side's reports about its own actions (a cancel that went through, `on_invite_end_by_myself`,
/// the callee's accept confirmation) are not notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNote {
    /// Callee: an invitation arrived.
    Incoming {
        /// The caller.
        from: String,
        /// The call's channel.
        channel: String,
        /// The legacy extra / the core content.
        extra: String,
    },
    /// Caller: the callee's client has the invitation.
    ReceivedByPeer {
        /// The callee.
        peer: String,
        /// The call's channel.
        channel: String,
    },
    /// Caller: the callee accepted.
    Accepted {
        /// The callee.
        peer: String,
        /// The call's channel.
        channel: String,
        /// The legacy extra / the core response.
        extra: String,
    },
    /// Caller: the callee refused.
    Refused {
        /// The callee.
        peer: String,
        /// The call's channel.
        channel: String,
        /// The legacy extra / the core response.
        extra: String,
    },
    /// Caller: the invitation failed.
    Failed {
        /// The callee.
        peer: String,
        /// The call's channel.
        channel: String,
        /// Why.
        fail: Fail,
    },
    /// Either side: the other side ended the call or the pending invitation (cancel, end-call
    /// message, or the invitation failing on the callee's side).
    Ended {
        /// The other side.
        peer: String,
        /// The call's channel.
        channel: String,
    },
}

/// A user driven through one of the APIs.
#[async_trait]
pub trait Driver: Send {
    /// Which API this is.
    fn api(&self) -> Api;
    /// The user ID this driver logs in as.
    fn user(&self) -> &str;
    /// Logs in.
    async fn login(&mut self, token: Option<&str>) -> Outcome;
    /// Logs out.
    async fn logout(&mut self) -> Outcome;
    /// Sends a text peer message and reports the sender-side outcome.
    async fn send_peer(&mut self, to: &str, text: &str) -> Outcome;
    /// Waits for the next peer message: (sender, text).
    async fn recv_peer(&mut self) -> (String, String);
    /// Whether `user` is online.
    async fn query_online(&mut self, user: &str) -> Outcome<bool>;
    /// Sets one attribute of the logged-in user.
    async fn set_attr(&mut self, key: &str, value: &str) -> Outcome;
    /// Reads one attribute of `user` (empty when unset).
    async fn get_attr(&mut self, user: &str, key: &str) -> Outcome<String>;
    /// Reads all attributes of `user`.
    async fn get_attrs(&mut self, user: &str) -> Outcome<BTreeMap<String, String>>;
    /// Waits until the session was ended because the same user logged in elsewhere; returns the
    /// driver's code for it (RTM change reason or legacy logout code).
    async fn expect_kicked(&mut self) -> i32;
    /// Invites `to` to a call about `channel`, with `extra` (legacy extra, core content). Only
    /// failures found at the call itself are returned; later ones arrive as [`CallNote::Failed`].
    async fn invite(&mut self, to: &str, channel: &str, extra: &str) -> Outcome;
    /// Accepts or refuses the pending invitation from `from` about `channel`, with `extra`.
    async fn answer(&mut self, from: &str, channel: &str, accept: bool, extra: &str) -> Outcome;
    /// Ends the call with `peer` about `channel`, whatever its state.
    async fn end_call(&mut self, peer: &str, channel: &str) -> Outcome;
    /// Waits for the next thing the other side of a call tells this one.
    async fn next_call(&mut self) -> CallNote;
}
