//! The session vocabulary the hub, the server and every transport share: what a client sends
//! to log in, and why a session's link ended.

use serde::{Deserialize, Serialize};

use super::KickReason;
use crate::limits::{Limits, Profile};

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

/// The sizes a session's requests must keep to, as the hub states them at login (those of the
/// session's profile): a client checks its requests against them before sending, so that what
/// it refuses itself is exactly what the hub would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionSizes {
    /// Longest user or channel ID, in bytes.
    pub max_id_bytes: usize,
    /// Largest message, in bytes.
    pub max_message_bytes: usize,
    /// Longest attribute key, in bytes.
    pub max_attribute_key_bytes: usize,
    /// Largest attribute value, in bytes.
    pub max_attribute_value_bytes: usize,
}

impl SessionSizes {
    /// The sizes of `limits`.
    pub fn of(limits: &Limits) -> Self {
        Self {
            max_id_bytes: limits.max_id_bytes,
            max_message_bytes: limits.max_message_bytes,
            max_attribute_key_bytes: limits.max_attribute_key_bytes,
            max_attribute_value_bytes: limits.max_attribute_value_bytes,
        }
    }

    /// Writes these sizes into `limits`.
    pub fn apply_to(self, limits: &mut Limits) {
        limits.max_id_bytes = self.max_id_bytes;
        limits.max_message_bytes = self.max_message_bytes;
        limits.max_attribute_key_bytes = self.max_attribute_key_bytes;
        limits.max_attribute_value_bytes = self.max_attribute_value_bytes;
    }
}
