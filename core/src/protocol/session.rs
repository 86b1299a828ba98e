//! The session vocabulary the hub, the server and every transport share: what a client sends
//! to log in, and why a session's link ended.

use super::KickReason;
use crate::limits::Profile;

/// What a client sends to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// The app ID the client was built for.
    pub app_id: String,
    /// The user ID to log in as.
    pub user_id: String,
    /// The token, `None` when the hub requires none.
    pub token: Option<String>,
    /// Which limits the session lives under (RTM's unless the client asks for the legacy
    /// profile).
    pub profile: Profile,
}

impl LoginRequest {
    /// A login as `user_id` under the RTM profile.
    pub fn new(app_id: impl Into<String>, user_id: impl Into<String>, token: Option<String>) -> Self {
        Self { app_id: app_id.into(), user_id: user_id.into(), token, profile: Profile::Rtm }
    }

    /// The same login under `profile`.
    #[must_use]
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }
}

/// Why a link ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The hub ended the session.
    Kicked(KickReason),
    /// The session ended after a logout.
    LoggedOut,
    /// The link broke.
    LinkLost,
}
