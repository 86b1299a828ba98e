//! The session vocabulary the hub, the server and every transport share: what a client sends
//! to log in, and why a session's link ended.

use super::KickReason;

/// What a client sends to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// The app ID the client was built for.
    pub app_id: String,
    /// The user ID to log in as.
    pub user_id: String,
    /// The token, `None` when the hub requires none.
    pub token: Option<String>,
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
