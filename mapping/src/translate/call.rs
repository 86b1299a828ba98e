//! Call invitations.

use sigshim::error::{InvitationApiError, LocalInvitationError, RemoteInvitationError};

use super::table::{kind_table, row};
use crate::codes::LegacyCode;

kind_table! {
    /// What each [`LocalInvitationError`] gives `on_invite_failed`.
    LOCAL_INVITATION: LocalInvitationError => LegacyCode {
        PeerOffline => LegacyCode::InvitePeerOffline,
        PeerNoResponse => LegacyCode::InviteTimeout,
        InvitationExpire => LegacyCode::InviteTimeout,
        NotLoggedIn => LegacyCode::InviteOther,
    }
}

kind_table! {
    /// What each [`InvitationApiError`] gives `on_invite_failed`.
    INVITATION_API: InvitationApiError => LegacyCode {
        InvalidArgument => LegacyCode::InviteOther,
        NotStarted => LegacyCode::InviteOther,
        AlreadyEnd => LegacyCode::InviteOther,
        AlreadyAccept => LegacyCode::InviteOther,
        AlreadySent => LegacyCode::InviteReinvite,
    }
}

kind_table! {
    /// The `_reason` each [`RemoteInvitationError`] puts in `on_invite_end_by_peer`'s `extra`.
    REMOTE_END_REASON: RemoteInvitationError => &'static str {
        PeerOffline => "peer_offline",
        AcceptFailure => "accept_failure",
        InvitationExpire => "expired",
    }
}

/// The code for `on_invite_failed` when an outgoing invitation fails.
///
/// | Core [`LocalInvitationError`] | Legacy code |
/// |---|---|
/// | `PeerOffline` | `INVITE_E_PEEROFFLINE` 703 |
/// | `PeerNoResponse` | `INVITE_E_TIMEOUT` 704 |
/// | `InvitationExpire` | `INVITE_E_TIMEOUT` 704 |
/// | `NotLoggedIn` | `INVITE_E_OTHER` 700 |
pub fn local_invitation_failure(error: LocalInvitationError) -> LegacyCode {
    row!(LOCAL_INVITATION, error)
}

/// The code for `on_invite_failed` when the core refuses an invitation call outright.
///
/// | Core [`InvitationApiError`] | Legacy code |
/// |---|---|
/// | `AlreadySent` | `INVITE_E_REINVITE` 701 |
/// | `InvalidArgument`, `NotStarted`, `AlreadyEnd`, `AlreadyAccept` | `INVITE_E_OTHER` 700 |
pub fn invitation_api_failure(error: InvitationApiError) -> LegacyCode {
    row!(INVITATION_API, error)
}

/// The `extra` of `on_invite_end_by_peer` when an incoming invitation ends without the caller
/// ending it: `{"_reason":"peer_offline"}`, `"accept_failure"` or `"expired"`.
pub fn remote_invitation_end_extra(error: RemoteInvitationError) -> String {
    let reason = row!(REMOTE_END_REASON, error);
    format!(r#"{{"_reason":"{reason}"}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::table::check;

    #[test]
    fn tables_cover_each_kind_once() {
        check::covers_each_once(&LOCAL_INVITATION, LocalInvitationError::ALL, local_invitation_failure);
        check::covers_each_once(&INVITATION_API, InvitationApiError::ALL, invitation_api_failure);
        check::covers_each_once(&REMOTE_END_REASON, RemoteInvitationError::ALL, |e| {
            row!(REMOTE_END_REASON, e)
        });
        for &e in RemoteInvitationError::ALL {
            let extra = remote_invitation_end_extra(e);
            assert!(extra.contains(row!(REMOTE_END_REASON, e)), "{e:?}: {extra}");
        }
    }

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
