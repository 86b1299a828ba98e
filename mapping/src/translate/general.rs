//! The `GENERAL_E_*` codes that `on_error(name, ecode, desc)` carries for calls without a failure
//! callback of their own.
//!
//! By convention the facade passes the snake_case name of the failed call as `name` (for example
//! `"query_user_status"`, the name applications were seen matching on) and the core error's text
//! as `desc`.

use sigshim::error::{AttributeError, QueryPeersOnlineStatusError};

use super::table::{kind_table, row};
use crate::codes::LegacyCode;

kind_table! {
    /// What each [`QueryPeersOnlineStatusError`] gives `on_error`.
    QUERY_STATUS: QueryPeersOnlineStatusError => LegacyCode {
        Failure => LegacyCode::GeneralFailed,
        InvalidArgument => LegacyCode::GeneralWrongParam,
        Rejected => LegacyCode::GeneralFailed,
        Timeout => LegacyCode::GeneralFailed,
        TooOften => LegacyCode::GeneralFailed,
        NotInitialized => LegacyCode::GeneralNotLogin,
        NotLoggedIn => LegacyCode::GeneralNotLogin,
    }
}

kind_table! {
    /// What each [`AttributeError`] gives `on_error`.
    ATTRIBUTE: AttributeError => LegacyCode {
        NotReady => LegacyCode::GeneralNotLogin,
        Failure => LegacyCode::GeneralFailed,
        InvalidArgument => LegacyCode::GeneralWrongParam,
        SizeOverflow => LegacyCode::GeneralLargeParam,
        TooOften => LegacyCode::GeneralFailed,
        UserNotFound => LegacyCode::GeneralFailed,
        Timeout => LegacyCode::GeneralFailed,
        NotInitialized => LegacyCode::GeneralNotLogin,
        NotLoggedIn => LegacyCode::GeneralNotLogin,
    }
}

/// `GENERAL_E_NOT_LOGIN` 1003: the call needs a login first.
pub fn not_logged_in() -> LegacyCode {
    LegacyCode::GeneralNotLogin
}

/// `GENERAL_E_FAILED` 1001: what the facade reports for a legacy feature the shim does not
/// provide, when the legacy callback has room for a code.
pub fn unsupported() -> LegacyCode {
    LegacyCode::GeneralFailed
}

/// The `on_error` code when `query_user_status` fails.
///
/// | Core [`QueryPeersOnlineStatusError`] | Legacy code |
/// |---|---|
/// | `NotLoggedIn`, `NotInitialized` | `GENERAL_E_NOT_LOGIN` 1003 |
/// | `InvalidArgument` | `GENERAL_E_WRONG_PARAM` 1004 |
/// | `TooOften`, `Timeout`, `Failure`, `Rejected` | `GENERAL_E_FAILED` 1001 |
pub fn query_status_failure(error: QueryPeersOnlineStatusError) -> LegacyCode {
    row!(QUERY_STATUS, error)
}

/// The `on_error` code when a user attribute call (`set_attr`, `get_attr`, …) fails.
///
/// | Core [`AttributeError`] | Legacy code |
/// |---|---|
/// | `NotLoggedIn`, `NotReady` (its RTM 1.0 name), `NotInitialized` | `GENERAL_E_NOT_LOGIN` 1003 |
/// | `InvalidArgument` | `GENERAL_E_WRONG_PARAM` 1004 |
/// | `SizeOverflow` | `GENERAL_E_LARGE_PARAM` 1005 |
/// | `TooOften`, `Failure`, `Timeout` | `GENERAL_E_FAILED` 1001 |
/// | `UserNotFound` (the other user is offline) | `GENERAL_E_FAILED` 1001 |
pub fn attribute_failure(error: AttributeError) -> LegacyCode {
    row!(ATTRIBUTE, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::table::check;

    #[test]
    fn tables_cover_each_kind_once() {
        check::covers_each_once(&QUERY_STATUS, QueryPeersOnlineStatusError::ALL, query_status_failure);
        check::covers_each_once(&ATTRIBUTE, AttributeError::ALL, attribute_failure);
    }

    fn general(code: LegacyCode) -> bool {
        (1000..=1005).contains(&code.code())
    }

    #[test]
    fn fixed_codes() {
        assert_eq!(not_logged_in().code(), 1003);
        assert_eq!(unsupported().code(), 1001);
    }

    #[test]
    fn query_status_failures() {
        for &e in QueryPeersOnlineStatusError::ALL {
            assert!(general(query_status_failure(e)), "{e:?}");
        }
        use QueryPeersOnlineStatusError as E;
        assert_eq!(query_status_failure(E::NotLoggedIn).code(), 1003);
        assert_eq!(query_status_failure(E::InvalidArgument).code(), 1004);
        assert_eq!(query_status_failure(E::TooOften).code(), 1001);
        assert_eq!(query_status_failure(E::Timeout).code(), 1001);
        assert_eq!(query_status_failure(E::Rejected).code(), 1001);
    }

    #[test]
    fn attribute_failures() {
        for &e in AttributeError::ALL {
            assert!(general(attribute_failure(e)), "{e:?}");
        }
        use AttributeError as E;
        assert_eq!(attribute_failure(E::NotLoggedIn).code(), 1003);
        assert_eq!(attribute_failure(E::InvalidArgument).code(), 1004);
        assert_eq!(attribute_failure(E::SizeOverflow).code(), 1005);
        assert_eq!(attribute_failure(E::TooOften).code(), 1001);
        assert_eq!(attribute_failure(E::Failure).code(), 1001);
        assert_eq!(attribute_failure(E::Timeout).code(), 1001);
        assert_eq!(attribute_failure(E::UserNotFound).code(), 1001);
    }
}
