//! Login, logout and connection state.

use sigshim::error::{LoginError, LogoutError};
use sigshim::{ConnectionChangeReason, ConnectionState};

use super::table::{kind_table, row};
use crate::codes::{LegacyCode, LoginStatus};

kind_table! {
    /// What each [`LoginError`] gives `on_login_failed`.
    LOGIN: LoginError => LegacyCode {
        Unknown => LegacyCode::LoginOther,
        Rejected => LegacyCode::LoginFailed,
        InvalidArgument => LegacyCode::LoginInvalidUser,
        InvalidAppId => LegacyCode::LoginNet,
        InvalidToken => LegacyCode::LoginTokenWrong,
        TokenExpired => LegacyCode::LoginTokenExpired,
        NotAuthorized => LegacyCode::LoginFailed,
        AlreadyLoggedIn => LegacyCode::LoginAlreadyLogin,
        Timeout => LegacyCode::LoginNet,
        TooOften => LegacyCode::LoginFailed,
        NotInitialized => LegacyCode::LoginOther,
    }
}

kind_table! {
    /// What each [`LogoutError`] gives `on_logout`.
    LOGOUT: LogoutError => LegacyCode {
        Rejected => LegacyCode::LogoutOther,
        NotInitialized => LegacyCode::LogoutAlreadyLogout,
        NotLoggedIn => LegacyCode::LogoutAlreadyLogout,
    }
}

/// The code for `on_login_failed` when [`Client::login`](sigshim::Client::login) fails.
///
/// | Core [`LoginError`] | Legacy code | Why |
/// |---|---|---|
/// | `InvalidToken` | `LOGIN_E_TOKENWRONG` 206 | the token does not verify |
/// | `TokenExpired` | `LOGIN_E_TOKENEXPIRED` 204 | same meaning |
/// | `InvalidArgument` | `LOGIN_E_INVALID_USER` 209 | the only login argument the core checks is the account |
/// | `AlreadyLoggedIn` | `LOGIN_E_ALREADY_LOGIN` 208 | same meaning |
/// | `Timeout` | `LOGIN_E_NET` 201 | the legacy SDK blamed the network when no server answered |
/// | `InvalidAppId` | `LOGIN_E_NET` 201 | the legacy SDK reported a missing or unknown App ID this way |
/// | `Rejected`, `NotAuthorized`, `TooOften` | `LOGIN_E_FAILED` 202 | the server refused the login |
/// | `Unknown`, `NotInitialized` | `LOGIN_E_OTHER` 200 | no better legacy meaning |
pub fn login_failure(error: LoginError) -> LegacyCode {
    row!(LOGIN, error)
}

/// The code for `on_logout` when the connection leaves the logged-in states for this reason.
///
/// | Core [`ConnectionChangeReason`] | Legacy code |
/// |---|---|
/// | `Logout` | `LOGOUT_E_USER` 101 |
/// | `RemoteLogin` | `LOGOUT_E_KICKED` 103 |
/// | `TokenExpired` | `LOGOUT_E_TOKENEXPIRED` 105 |
/// | `Interrupted` (reconnect policy exhausted) | `LOGOUT_E_NET` 102 |
/// | `BannedByServer` | `LOGOUT_E_OTHER` 100 (the legacy SDK had no ban code) |
/// | `Login`, `LoginSuccess`, `LoginFailure`, `LoginTimeout` | `LOGOUT_E_OTHER` 100 |
pub fn logout_reason(reason: ConnectionChangeReason) -> LegacyCode {
    use ConnectionChangeReason as R;
    match reason {
        R::Logout => LegacyCode::LogoutUser,
        R::RemoteLogin => LegacyCode::LogoutKicked,
        R::TokenExpired => LegacyCode::LogoutTokenExpired,
        R::Interrupted => LegacyCode::LogoutNet,
        R::BannedByServer | R::Login | R::LoginSuccess | R::LoginFailure | R::LoginTimeout => {
            LegacyCode::LogoutOther
        }
    }
}

/// The code for `on_logout` when [`Client::logout`](sigshim::Client::logout) itself fails.
///
/// | Core [`LogoutError`] | Legacy code |
/// |---|---|
/// | `NotLoggedIn`, `NotInitialized` | `LOGOUT_E_ALREADY_LOGOUT` 108 |
/// | `Rejected` | `LOGOUT_E_OTHER` 100 |
pub fn logout_failure(error: LogoutError) -> LegacyCode {
    row!(LOGOUT, error)
}

/// What `get_status()` returns for a core connection state.
///
/// `Aborted` (the hub ended the session and waits for a `logout`) counts as not logged in, since
/// the legacy application has already been told so through `on_logout`.
pub fn login_status(state: ConnectionState) -> LoginStatus {
    match state {
        ConnectionState::Disconnected | ConnectionState::Aborted => LoginStatus::NotLogin,
        ConnectionState::Connecting => LoginStatus::Logining,
        ConnectionState::Connected => LoginStatus::Logined,
        ConnectionState::Reconnecting => LoginStatus::Reconnecting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::table::check;

    /// Every reason the core defines (the enum has no `ALL`; the match below keeps this list
    /// complete, because it fails to compile when a variant is added).
    fn all_reasons() -> Vec<ConnectionChangeReason> {
        use ConnectionChangeReason as R;
        let all = vec![
            R::Login,
            R::LoginSuccess,
            R::LoginFailure,
            R::LoginTimeout,
            R::Interrupted,
            R::Logout,
            R::BannedByServer,
            R::RemoteLogin,
            R::TokenExpired,
        ];
        for r in &all {
            match r {
                R::Login
                | R::LoginSuccess
                | R::LoginFailure
                | R::LoginTimeout
                | R::Interrupted
                | R::Logout
                | R::BannedByServer
                | R::RemoteLogin
                | R::TokenExpired => {}
            }
        }
        all
    }

    #[test]
    fn tables_cover_each_kind_once() {
        check::covers_each_once(&LOGIN, LoginError::ALL, login_failure);
        check::covers_each_once(&LOGOUT, LogoutError::ALL, logout_failure);
    }

    #[test]
    fn login_failures() {
        for &e in LoginError::ALL {
            let code = login_failure(e);
            assert!((200..=209).contains(&code.code()), "{e:?} -> {code}");
        }
        assert_eq!(login_failure(LoginError::InvalidToken).code(), 206);
        assert_eq!(login_failure(LoginError::TokenExpired).code(), 204);
        assert_eq!(login_failure(LoginError::InvalidArgument).code(), 209);
        assert_eq!(login_failure(LoginError::AlreadyLoggedIn).code(), 208);
        assert_eq!(login_failure(LoginError::Timeout).code(), 201);
        assert_eq!(login_failure(LoginError::InvalidAppId).code(), 201);
        assert_eq!(login_failure(LoginError::Rejected).code(), 202);
        assert_eq!(login_failure(LoginError::NotAuthorized).code(), 202);
        assert_eq!(login_failure(LoginError::TooOften).code(), 202);
        assert_eq!(login_failure(LoginError::Unknown).code(), 200);
        assert_eq!(login_failure(LoginError::NotInitialized).code(), 200);
    }

    #[test]
    fn logout_reasons() {
        for r in all_reasons() {
            let code = logout_reason(r);
            assert!((100..=108).contains(&code.code()), "{r:?} -> {code}");
        }
        assert_eq!(logout_reason(ConnectionChangeReason::Logout).code(), 101);
        assert_eq!(logout_reason(ConnectionChangeReason::RemoteLogin).code(), 103);
        assert_eq!(logout_reason(ConnectionChangeReason::TokenExpired).code(), 105);
        assert_eq!(logout_reason(ConnectionChangeReason::Interrupted).code(), 102);
        assert_eq!(logout_reason(ConnectionChangeReason::BannedByServer).code(), 100);
        assert_eq!(logout_reason(ConnectionChangeReason::LoginTimeout).code(), 100);
    }

    #[test]
    fn logout_failures() {
        for &e in LogoutError::ALL {
            let code = logout_failure(e);
            assert!(code == LegacyCode::LogoutAlreadyLogout || code == LegacyCode::LogoutOther);
        }
        assert_eq!(logout_failure(LogoutError::NotLoggedIn).code(), 108);
        assert_eq!(logout_failure(LogoutError::NotInitialized).code(), 108);
        assert_eq!(logout_failure(LogoutError::Rejected).code(), 100);
    }

    #[test]
    fn login_statuses() {
        use ConnectionState as S;
        let all = [S::Disconnected, S::Connecting, S::Connected, S::Reconnecting, S::Aborted];
        for s in all {
            // Fails to compile when a state is added, so that `all` gets the new one too.
            match s {
                S::Disconnected | S::Connecting | S::Connected | S::Reconnecting | S::Aborted => {}
            }
        }
        let got: Vec<i32> = all.iter().map(|&s| login_status(s).code()).collect();
        assert_eq!(got, [0, 1, 2, 3, 0]);
    }
}
