//! Call invitations.

use sigshim::error::{InvitationApiError, LocalInvitationError, RemoteInvitationError};

use crate::codes::LegacyCode;

/// The code for `on_invite_failed` when an outgoing invitation fails.
///
/// | Core [`LocalInvitationError`] | Legacy code |
/// |---|---|
/// | `PeerOffline` | `INVITE_E_PEEROFFLINE` 703 |
/// | `PeerNoResponse` | `INVITE_E_TIMEOUT` 704 |
/// | `InvitationExpire` | `INVITE_E_TIMEOUT` 704 |
/// | `NotLoggedIn`, any later variant | `INVITE_E_OTHER` 700 |
pub fn local_invitation_failure(error: LocalInvitationError) -> LegacyCode {
    use LocalInvitationError as E;
    match error {
        E::PeerOffline => LegacyCode::InvitePeerOffline,
        E::PeerNoResponse | E::InvitationExpire => LegacyCode::InviteTimeout,
        E::NotLoggedIn => LegacyCode::InviteOther,
        _ => LegacyCode::InviteOther,
    }
}

/// The code for `on_invite_failed` when the core refuses an invitation call outright.
///
/// | Core [`InvitationApiError`] | Legacy code |
/// |---|---|
/// | `AlreadySent` | `INVITE_E_REINVITE` 701 |
/// | `InvalidArgument`, `NotStarted`, `AlreadyEnd`, `AlreadyAccept`, any later variant | `INVITE_E_OTHER` 700 |
pub fn invitation_api_failure(error: InvitationApiError) -> LegacyCode {
    use InvitationApiError as E;
    match error {
        E::AlreadySent => LegacyCode::InviteReinvite,
        E::InvalidArgument | E::NotStarted | E::AlreadyEnd | E::AlreadyAccept => LegacyCode::InviteOther,
        _ => LegacyCode::InviteOther,
    }
}

/// The `extra` of `on_invite_end_by_peer` when an incoming invitation ends without the caller
/// ending it: `{"_reason":"peer_offline"}`, `"accept_failure"` or `"expired"`.
pub fn remote_invitation_end_extra(error: RemoteInvitationError) -> String {
    use RemoteInvitationError as E;
    let reason = match error {
        E::PeerOffline => "peer_offline",
        E::AcceptFailure => "accept_failure",
        E::InvitationExpire => "expired",
        _ => "failure",
    };
    format!(r#"{{"_reason":"{reason}"}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_invitation_failures() {
        for &e in LocalInvitationError::ALL {
            assert!((700..=705).contains(&local_invitation_failure(e).code()), "{e:?}");
        }
        assert_eq!(local_invitation_failure(LocalInvitationError::PeerOffline).code(), 703);
        assert_eq!(local_invitation_failure(LocalInvitationError::PeerNoResponse).code(), 704);
        assert_eq!(local_invitation_failure(LocalInvitationError::InvitationExpire).code(), 704);
        assert_eq!(local_invitation_failure(LocalInvitationError::NotLoggedIn).code(), 700);
    }

    #[test]
    fn remote_ends() {
        assert_eq!(
            remote_invitation_end_extra(RemoteInvitationError::PeerOffline),
            r#"{"_reason":"peer_offline"}"#
        );
        assert_eq!(
            remote_invitation_end_extra(RemoteInvitationError::AcceptFailure),
            r#"{"_reason":"accept_failure"}"#
        );
        assert_eq!(
            remote_invitation_end_extra(RemoteInvitationError::InvitationExpire),
            r#"{"_reason":"expired"}"#
        );
    }

    #[test]
    fn invitation_api_failures() {
        for &e in InvitationApiError::ALL {
            let expected = if e == InvitationApiError::AlreadySent { 701 } else { 700 };
            assert_eq!(invitation_api_failure(e).code(), expected, "{e:?}");
        }
    }
}
