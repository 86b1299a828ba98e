//! Peer and channel message sends.

use sigshim::error::{ChannelMessageError, PeerMessageError};

use super::table::{kind_table, row};
use crate::codes::LegacyCode;

kind_table! {
    /// What each [`PeerMessageError`] gives `on_message_send_error`.
    PEER_SEND: PeerMessageError => LegacyCode {
        Failure => LegacyCode::SendMessageOther,
        Timeout => LegacyCode::SendMessageTimeout,
        PeerUnreachable => LegacyCode::SendMessageOther,
        CachedByServer => LegacyCode::SendMessageOther,
        TooOften => LegacyCode::SendMessageOther,
        InvalidUserId => LegacyCode::SendMessageOther,
        InvalidMessage => LegacyCode::SendMessageOther,
        IncompatibleMessage => LegacyCode::SendMessageOther,
        NotInitialized => LegacyCode::SendMessageOther,
        NotLoggedIn => LegacyCode::SendMessageOther,
    }
}

kind_table! {
    /// What each [`ChannelMessageError`] gives `on_message_send_error`.
    CHANNEL_SEND: ChannelMessageError => LegacyCode {
        Failure => LegacyCode::SendMessageOther,
        Timeout => LegacyCode::SendMessageTimeout,
        TooOften => LegacyCode::SendMessageOther,
        InvalidMessage => LegacyCode::SendMessageOther,
        NotInChannel => LegacyCode::SendMessageOther,
        NotInitialized => LegacyCode::SendMessageOther,
        NotLoggedIn => LegacyCode::SendMessageOther,
    }
}

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
    row!(PEER_SEND, error)
}

/// The code for `on_message_send_error` when a channel message fails.
///
/// | Core [`ChannelMessageError`] | Legacy code |
/// |---|---|
/// | `Timeout` | `SENDMESSAGE_E_TIMEOUT` 401 |
/// | every other variant | `SENDMESSAGE_E_OTHER` 400 |
pub fn channel_send_failure(error: ChannelMessageError) -> LegacyCode {
    row!(CHANNEL_SEND, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::table::check;

    #[test]
    fn tables_cover_each_kind_once() {
        check::covers_each_once(&PEER_SEND, PeerMessageError::ALL, peer_send_failure);
        check::covers_each_once(&CHANNEL_SEND, ChannelMessageError::ALL, channel_send_failure);
    }

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
