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
}
