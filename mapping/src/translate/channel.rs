//! Channel join and leave.

use sigshim::ConnectionChangeReason;
use sigshim::error::{ChannelMemberCountError, JoinChannelError, LeaveChannelError};

use super::table::{kind_table, row};
use crate::codes::LegacyCode;

kind_table! {
    /// What each [`JoinChannelError`] gives `on_channel_join_failed`: the legacy SDK had one code.
    JOIN: JoinChannelError => LegacyCode {
        Failure => LegacyCode::JoinChannelOther,
        Rejected => LegacyCode::JoinChannelOther,
        InvalidArgument => LegacyCode::JoinChannelOther,
        Timeout => LegacyCode::JoinChannelOther,
        ExceedLimit => LegacyCode::JoinChannelOther,
        AlreadyJoined => LegacyCode::JoinChannelOther,
        TooOften => LegacyCode::JoinChannelOther,
        JoinSameChannelTooOften => LegacyCode::JoinChannelOther,
        NotInitialized => LegacyCode::JoinChannelOther,
        NotLoggedIn => LegacyCode::JoinChannelOther,
    }
}

kind_table! {
    /// What each [`LeaveChannelError`] gives `on_channel_leaved`.
    LEAVE: LeaveChannelError => LegacyCode {
        Failure => LegacyCode::LeaveChannelOther,
        Rejected => LegacyCode::LeaveChannelOther,
        NotInChannel => LegacyCode::LeaveChannelOther,
        Kicked => LegacyCode::LeaveChannelKicked,
        NotInitialized => LegacyCode::LeaveChannelLogout,
        NotLoggedIn => LegacyCode::LeaveChannelLogout,
    }
}

kind_table! {
    /// What each [`ChannelMemberCountError`] gives `on_channel_query_user_num_result`.
    MEMBER_COUNT: ChannelMemberCountError => LegacyCode {
        Failure => LegacyCode::QueryUserNumOther,
        InvalidArgument => LegacyCode::QueryUserNumOther,
        TooOften => LegacyCode::QueryUserNumOther,
        Timeout => LegacyCode::QueryUserNumTimeout,
        ExceedLimit => LegacyCode::QueryUserNumOther,
        NotInitialized => LegacyCode::QueryUserNumOther,
        NotLoggedIn => LegacyCode::QueryUserNumOther,
    }
}

/// The code for `on_channel_join_failed`: the legacy SDK had a single join failure code.
///
/// Every [`JoinChannelError`] variant gives `JOINCHANNEL_E_OTHER` 300; a variant the core adds
/// stops the build here until it is given a code too.
pub fn join_failure(error: JoinChannelError) -> LegacyCode {
    row!(JOIN, error)
}

/// Why the local user is no longer in a channel, as far as `on_channel_leaved` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaveCause {
    /// The application called `channel_leave` (or joined another channel in single-channel mode).
    ByUser,
    /// The session ended: `logout` or an expired token.
    Logout,
    /// The server removed the user (a login elsewhere kicked the session, or a ban).
    Kicked,
    /// The link was lost and could not be restored.
    Disconnected,
}

impl LeaveCause {
    /// Every cause.
    pub const ALL: &'static [Self] = &[Self::ByUser, Self::Logout, Self::Kicked, Self::Disconnected];

    /// The cause of losing every joined channel when the connection ends for `reason`.
    ///
    /// | Core [`ConnectionChangeReason`] | Cause | Code |
    /// |---|---|---|
    /// | `Logout`, `TokenExpired` | `Logout` | 603 |
    /// | `RemoteLogin` (kicked by a login elsewhere, `on_logout(103)`), `BannedByServer` | `Kicked` | 601 |
    /// | `Interrupted`, `Login`, `LoginSuccess`, `LoginFailure`, `LoginTimeout` | `Disconnected` | 604 |
    pub fn from_connection(reason: ConnectionChangeReason) -> Self {
        use ConnectionChangeReason as R;
        match reason {
            R::Logout | R::TokenExpired => Self::Logout,
            R::RemoteLogin | R::BannedByServer => Self::Kicked,
            R::Interrupted | R::Login | R::LoginSuccess | R::LoginFailure | R::LoginTimeout => {
                Self::Disconnected
            }
        }
    }
}

/// The code for `on_channel_leaved`.
///
/// | Cause | Legacy code |
/// |---|---|
/// | `ByUser` | `LEAVECHANNEL_E_BYUSER` 602 (the legacy docs leave this value open; 602 is its name) |
/// | `Logout` | `LEAVECHANNEL_E_LOGOUT` 603 |
/// | `Kicked` | `LEAVECHANNEL_E_KICKED` 601 |
/// | `Disconnected` | `LEAVECHANNEL_E_DISCONN` 604 |
pub fn leave_reason(cause: LeaveCause) -> LegacyCode {
    match cause {
        LeaveCause::ByUser => LegacyCode::LeaveChannelByUser,
        LeaveCause::Logout => LegacyCode::LeaveChannelLogout,
        LeaveCause::Kicked => LegacyCode::LeaveChannelKicked,
        LeaveCause::Disconnected => LegacyCode::LeaveChannelDisconn,
    }
}

/// The code for `on_channel_leaved` when [`LeaveChannelError`] ends a `channel_leave`.
///
/// | Core [`LeaveChannelError`] | Legacy code |
/// |---|---|
/// | `Kicked` | `LEAVECHANNEL_E_KICKED` 601 |
/// | `NotLoggedIn`, `NotInitialized` | `LEAVECHANNEL_E_LOGOUT` 603 |
/// | `Failure`, `Rejected`, `NotInChannel` | `LEAVECHANNEL_E_OTHER` 600 |
pub fn leave_failure(error: LeaveChannelError) -> LegacyCode {
    row!(LEAVE, error)
}

/// The code for `on_channel_query_user_num_result` when the member count query fails.
///
/// | Core [`ChannelMemberCountError`] | Legacy code |
/// |---|---|
/// | `Timeout` | `QUERYUSERNUM_E_TIMEOUT` 501 |
/// | `Failure`, `InvalidArgument`, `TooOften`, `ExceedLimit`, `NotInitialized`, `NotLoggedIn` | `QUERYUSERNUM_E_OTHER` 500 |
pub fn member_count_failure(error: ChannelMemberCountError) -> LegacyCode {
    row!(MEMBER_COUNT, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::table::check;

    #[test]
    fn tables_cover_each_kind_once() {
        check::covers_each_once(&JOIN, JoinChannelError::ALL, join_failure);
        check::covers_each_once(&LEAVE, LeaveChannelError::ALL, leave_failure);
        check::covers_each_once(&MEMBER_COUNT, ChannelMemberCountError::ALL, member_count_failure);
    }

    #[test]
    fn join_failures() {
        for &e in JoinChannelError::ALL {
            assert_eq!(join_failure(e).code(), 300, "{e:?}");
        }
    }

    #[test]
    fn leave_reasons() {
        let got: Vec<i32> = LeaveCause::ALL.iter().map(|&c| leave_reason(c).code()).collect();
        assert_eq!(got, [602, 603, 601, 604]);
    }

    #[test]
    fn leave_causes_from_the_connection() {
        use ConnectionChangeReason as R;
        assert_eq!(LeaveCause::from_connection(R::Logout), LeaveCause::Logout);
        assert_eq!(LeaveCause::from_connection(R::RemoteLogin), LeaveCause::Kicked);
        assert_eq!(LeaveCause::from_connection(R::BannedByServer), LeaveCause::Kicked);
        assert_eq!(LeaveCause::from_connection(R::Interrupted), LeaveCause::Disconnected);
    }

    #[test]
    fn member_count_failures() {
        for &e in ChannelMemberCountError::ALL {
            let expected = if e == ChannelMemberCountError::Timeout { 501 } else { 500 };
            assert_eq!(member_count_failure(e).code(), expected, "{e:?}");
        }
    }

    #[test]
    fn leave_failures() {
        for &e in LeaveChannelError::ALL {
            assert!((600..=604).contains(&leave_failure(e).code()), "{e:?}");
        }
        assert_eq!(leave_failure(LeaveChannelError::Kicked).code(), 601);
        assert_eq!(leave_failure(LeaveChannelError::NotInChannel).code(), 600);
        assert_eq!(leave_failure(LeaveChannelError::Failure).code(), 600);
        assert_eq!(leave_failure(LeaveChannelError::Rejected).code(), 600);
        assert_eq!(leave_failure(LeaveChannelError::NotLoggedIn).code(), 603);
        assert_eq!(leave_failure(LeaveChannelError::NotInitialized).code(), 603);
    }
}
