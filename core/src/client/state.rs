//! Connection states and the reasons for their changes (RTM numbering).

use serde::{Deserialize, Serialize};

/// Where a client is in its connection life cycle (RTM `CONNECTION_STATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionState {
    /// Not logged in.
    Disconnected = 1,
    /// Logging in.
    Connecting = 2,
    /// Logged in.
    Connected = 3,
    /// The link broke; the client is trying to restore it.
    Reconnecting = 4,
    /// The hub ended the session; call `logout` before logging in again.
    Aborted = 5,
}

/// Why the connection state changed (RTM `CONNECTION_CHANGE_REASON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionChangeReason {
    /// A login started.
    Login = 1,
    /// The login (or a reconnect) succeeded.
    LoginSuccess = 2,
    /// The login failed.
    LoginFailure = 3,
    /// The login did not finish within the login timeout.
    LoginTimeout = 4,
    /// The link was lost.
    Interrupted = 5,
    /// `logout` was called.
    Logout = 6,
    /// The server banned this login.
    BannedByServer = 7,
    /// The same user ID logged in elsewhere.
    RemoteLogin = 8,
    /// The token expired.
    TokenExpired = 9,
}

impl ConnectionState {
    /// The RTM numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl ConnectionChangeReason {
    /// The RTM numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtm_numbers() {
        assert_eq!(ConnectionState::Disconnected.code(), 1);
        assert_eq!(ConnectionState::Aborted.code(), 5);
        assert_eq!(ConnectionChangeReason::Login.code(), 1);
        assert_eq!(ConnectionChangeReason::RemoteLogin.code(), 8);
        assert_eq!(ConnectionChangeReason::TokenExpired.code(), 9);
    }
}
