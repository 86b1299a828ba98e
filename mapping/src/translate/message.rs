//! Peer and channel message sends.

use sigshim::error::{ChannelMessageError, PeerMessageError};

use crate::codes::LegacyCode;

/// The code for `on_message_send_error` when a peer message fails.
///
/// | Core [`PeerMessageError`] | Legacy code |
/// |---|---|
/// | `Timeout` | `SENDMESSAGE_E_TIMEOUT` 401 |
/// | every other variant | `SENDMESSAGE_E_OTHER` 400 |
///
/// By default the facade never gets here for `PeerUnreachable` and `CachedByServer`: the server
/// accepted those messages ([`PeerMessageError::server_accepted`]), which the legacy SDK counted as
/// a success. Only the opt-in strict mode reports them, as 400.
pub fn peer_send_failure(error: PeerMessageError) -> LegacyCode {
    match error {
        PeerMessageError::Timeout => LegacyCode::SendMessageTimeout,
        PeerMessageError::Failure
        | PeerMessageError::PeerUnreachable
        | PeerMessageError::CachedByServer
        | PeerMessageError::TooOften
        | PeerMessageError::InvalidUserId
        | PeerMessageError::InvalidMessage
        | PeerMessageError::IncompatibleMessage
        | PeerMessageError::NotInitialized
        | PeerMessageError::NotLoggedIn => LegacyCode::SendMessageOther,
        _ => LegacyCode::SendMessageOther,
    }
}

/// The code for `on_message_send_error` when a channel message fails.
///
/// | Core [`ChannelMessageError`] | Legacy code |
/// |---|---|
/// | `Timeout` | `SENDMESSAGE_E_TIMEOUT` 401 |
/// | every other variant | `SENDMESSAGE_E_OTHER` 400 |
pub fn channel_send_failure(error: ChannelMessageError) -> LegacyCode {
    match error {
        ChannelMessageError::Timeout => LegacyCode::SendMessageTimeout,
        ChannelMessageError::Failure
        | ChannelMessageError::TooOften
        | ChannelMessageError::InvalidMessage
        | ChannelMessageError::NotInChannel
        | ChannelMessageError::NotInitialized
        | ChannelMessageError::NotLoggedIn => LegacyCode::SendMessageOther,
        _ => LegacyCode::SendMessageOther,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_failures() {
        for &e in PeerMessageError::ALL {
            let expected = if e == PeerMessageError::Timeout { 401 } else { 400 };
            assert_eq!(peer_send_failure(e).code(), expected, "{e:?}");
        }
    }

    #[test]
    fn channel_failures() {
        for &e in ChannelMessageError::ALL {
            let expected = if e == ChannelMessageError::Timeout { 401 } else { 400 };
            assert_eq!(channel_send_failure(e).code(), expected, "{e:?}");
        }
    }
}
