//! The legacy Signaling vocabulary: error codes, login states and attribute update kinds.
//!
//! Numeric values and constant names are the ones every legacy header shares, so a value written
//! here can be handed to legacy callbacks unchanged.

use std::fmt;

/// Declares [`LegacyCode`] from one table of `variant = value, "CONSTANT", "meaning"` rows.
macro_rules! legacy_codes {
    ($( $(#[$vmeta:meta])* $variant:ident = $code:literal, $name:literal, $desc:literal; )+) => {
        /// A legacy Signaling error code (`AGORA_E_CODE`, `AgoraEcode`, Android `ECODE_*`).
        ///
        /// Obsolete codes are kept so that every value an old application may test for has a name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(i32)]
        pub enum LegacyCode {
            $( $(#[$vmeta])* $variant = $code, )+
        }

        impl LegacyCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The code with this numeric value, if the legacy SDK defines one.
            pub fn from_code(code: i32) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The legacy constant name, for example `"LOGIN_E_TOKENWRONG"`.
            pub fn name(self) -> &'static str {
                match self { $( Self::$variant => $name, )+ }
            }

            /// A short explanation, suitable for the `desc` argument of `on_error`.
            pub fn description(self) -> &'static str {
                match self { $( Self::$variant => $desc, )+ }
            }
        }
    };
}

legacy_codes! {
    /// No error.
    Success = 0, "SUCCESS", "no error";
    /// Logged out for a reason without its own code.
    LogoutOther = 100, "LOGOUT_E_OTHER", "logged out for another reason";
    /// The application called `logout`.
    LogoutUser = 101, "LOGOUT_E_USER", "logged out by the application";
    /// The connection was lost and could not be restored.
    LogoutNet = 102, "LOGOUT_E_NET", "logged out after losing the network";
    /// The same account logged in somewhere else.
    LogoutKicked = 103, "LOGOUT_E_KICKED", "the account logged in elsewhere";
    /// Obsolete: a malformed packet.
    LogoutPacket = 104, "LOGOUT_E_PACKET", "bad packet (obsolete)";
    /// The token expired.
    LogoutTokenExpired = 105, "LOGOUT_E_TOKENEXPIRED", "the token expired";
    /// Obsolete: the SDK version is too old.
    LogoutOldVersion = 106, "LOGOUT_E_OLDVERSION", "SDK too old (obsolete)";
    /// Obsolete: the token is wrong.
    LogoutTokenWrong = 107, "LOGOUT_E_TOKENWRONG", "wrong token (obsolete)";
    /// `logout` was called while not logged in.
    LogoutAlreadyLogout = 108, "LOGOUT_E_ALREADY_LOGOUT", "not logged in";
    /// The login failed for an unknown reason.
    LoginOther = 200, "LOGIN_E_OTHER", "login failed for an unknown reason";
    /// A network problem, or a missing App ID.
    LoginNet = 201, "LOGIN_E_NET", "login failed: network or App ID problem";
    /// The server refused the login.
    LoginFailed = 202, "LOGIN_E_FAILED", "the server refused the login";
    /// The application cancelled the login.
    LoginCancel = 203, "LOGIN_E_CANCEL", "login cancelled";
    /// The token has expired.
    LoginTokenExpired = 204, "LOGIN_E_TOKENEXPIRED", "the token has expired";
    /// Obsolete: the SDK version is too old.
    LoginOldVersion = 205, "LOGIN_E_OLDVERSION", "SDK too old (obsolete)";
    /// The token does not verify.
    LoginTokenWrong = 206, "LOGIN_E_TOKENWRONG", "the token is not valid";
    /// A renewed token was used for a login elsewhere.
    LoginTokenKicked = 207, "LOGIN_E_TOKEN_KICKED", "the token was used elsewhere";
    /// Already logged in.
    LoginAlreadyLogin = 208, "LOGIN_E_ALREADY_LOGIN", "already logged in";
    /// The account string is not acceptable.
    LoginInvalidUser = 209, "LOGIN_E_INVALID_USER", "invalid account";
    /// Joining the channel failed.
    JoinChannelOther = 300, "JOINCHANNEL_E_OTHER", "could not join the channel";
    /// Sending the message failed.
    SendMessageOther = 400, "SENDMESSAGE_E_OTHER", "the message was not sent";
    /// Sending the message timed out.
    SendMessageTimeout = 401, "SENDMESSAGE_E_TIMEOUT", "the message send timed out";
    /// The member-count query failed.
    QueryUserNumOther = 500, "QUERYUSERNUM_E_OTHER", "the member count query failed";
    /// The member-count query timed out.
    QueryUserNumTimeout = 501, "QUERYUSERNUM_E_TIMEOUT", "the member count query timed out";
    /// Obsolete.
    QueryUserNumByUser = 502, "QUERYUSERNUM_E_BYUSER", "member count query (obsolete)";
    /// Left the channel for a reason without its own code.
    LeaveChannelOther = 600, "LEAVECHANNEL_E_OTHER", "left the channel for another reason";
    /// Removed from the channel.
    LeaveChannelKicked = 601, "LEAVECHANNEL_E_KICKED", "removed from the channel";
    /// The application left the channel.
    LeaveChannelByUser = 602, "LEAVECHANNEL_E_BYUSER", "left the channel on request";
    /// Left the channel because of a logout.
    LeaveChannelLogout = 603, "LEAVECHANNEL_E_LOGOUT", "left the channel on logout";
    /// Left the channel because the connection was lost.
    LeaveChannelDisconn = 604, "LEAVECHANNEL_E_DISCONN", "left the channel after losing the link";
    /// The call failed for a reason without its own code.
    InviteOther = 700, "INVITE_E_OTHER", "the call failed";
    /// The same invitation was sent again.
    InviteReinvite = 701, "INVITE_E_REINVITE", "the invitation was already sent";
    /// A network problem.
    InviteNet = 702, "INVITE_E_NET", "the call failed: network problem";
    /// The callee is offline.
    InvitePeerOffline = 703, "INVITE_E_PEEROFFLINE", "the callee is offline";
    /// Nobody answered in time.
    InviteTimeout = 704, "INVITE_E_TIMEOUT", "the call timed out";
    /// Obsolete.
    InviteCantRecv = 705, "INVITE_E_CANTRECV", "cannot receive (obsolete)";
    /// A general error.
    General = 1000, "GENERAL_E", "general error";
    /// The operation failed.
    GeneralFailed = 1001, "GENERAL_E_FAILED", "the operation failed";
    /// An unknown error.
    GeneralUnknown = 1002, "GENERAL_E_UNKNOWN", "unknown error";
    /// The operation needs a login first.
    GeneralNotLogin = 1003, "GENERAL_E_NOT_LOGIN", "not logged in";
    /// A parameter is wrong.
    GeneralWrongParam = 1004, "GENERAL_E_WRONG_PARAM", "wrong parameter";
    /// A parameter is too large.
    GeneralLargeParam = 1005, "GENERAL_E_LARGE_PARAM", "parameter too large";
}

impl LegacyCode {
    /// The numeric value legacy callbacks carry.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// True for [`LegacyCode::Success`].
    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// Whether sigshim ever reports this code to legacy code. The obsolete codes, and the few
    /// that only the retired service produced (a cancelled login, a token used elsewhere, the
    /// invitation network error, the general 1000 and 1002), are never reported: a branch that
    /// tests for one of them does not run on sigshim.
    pub fn is_reported(self) -> bool {
        !matches!(
            self,
            Self::LogoutPacket
                | Self::LogoutOldVersion
                | Self::LogoutTokenWrong
                | Self::LoginCancel
                | Self::LoginOldVersion
                | Self::LoginTokenKicked
                | Self::QueryUserNumByUser
                | Self::InviteNet
                | Self::InviteCantRecv
                | Self::General
                | Self::GeneralUnknown
        )
    }
}

impl From<LegacyCode> for i32 {
    fn from(code: LegacyCode) -> i32 {
        code.code()
    }
}

impl fmt::Display for LegacyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// What the legacy `getStatus()` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum LoginStatus {
    /// Not logged in.
    NotLogin = 0,
    /// A login is in progress.
    Logining = 1,
    /// Logged in.
    Logined = 2,
    /// The link broke; the SDK is restoring it.
    Reconnecting = 3,
}

impl LoginStatus {
    /// Every status, in numeric order.
    pub const ALL: &'static [Self] = &[Self::NotLogin, Self::Logining, Self::Logined, Self::Reconnecting];

    /// The number `getStatus()` returns.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The status with this number, if there is one.
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The legacy constant name, for example `"LOGIN_STATE_LOGINED"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NotLogin => "LOGIN_STATE_NOT_LOGIN",
            Self::Logining => "LOGIN_STATE_LOGINING",
            Self::Logined => "LOGIN_STATE_LOGINED",
            Self::Reconnecting => "LOGIN_STATE_RECONNECTING",
        }
    }
}

/// The `type` argument of `onChannelAttrUpdated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrUpdateType {
    /// One attribute was added or changed.
    Update,
    /// One attribute was removed.
    Del,
    /// All attributes were removed.
    Clear,
    /// Obsolete form of an update, still accepted by old applications.
    Set,
}

impl AttrUpdateType {
    /// Every kind.
    pub const ALL: &'static [Self] = &[Self::Update, Self::Del, Self::Clear, Self::Set];

    /// The string legacy callbacks carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Del => "del",
            Self::Clear => "clear",
            Self::Set => "set",
        }
    }

    /// The kind named by this string, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for AttrUpdateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for &c in LegacyCode::ALL {
            assert_eq!(LegacyCode::from_code(c.code()), Some(c), "{c}");
        }
        assert_eq!(LegacyCode::ALL.len(), 43);
        assert!(LegacyCode::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
        assert_eq!(LegacyCode::from_code(99), None);
        assert_eq!(LegacyCode::from_code(1006), None);
    }

    #[test]
    fn spot_checked_values() {
        let expected = [
            (LegacyCode::LoginAlreadyLogin, 208, "LOGIN_E_ALREADY_LOGIN"),
            (LegacyCode::LoginTokenWrong, 206, "LOGIN_E_TOKENWRONG"),
            (LegacyCode::LoginTokenExpired, 204, "LOGIN_E_TOKENEXPIRED"),
            (LegacyCode::LoginInvalidUser, 209, "LOGIN_E_INVALID_USER"),
            (LegacyCode::LogoutKicked, 103, "LOGOUT_E_KICKED"),
            (LegacyCode::LogoutAlreadyLogout, 108, "LOGOUT_E_ALREADY_LOGOUT"),
            (LegacyCode::LeaveChannelByUser, 602, "LEAVECHANNEL_E_BYUSER"),
            (LegacyCode::InvitePeerOffline, 703, "INVITE_E_PEEROFFLINE"),
            (LegacyCode::GeneralNotLogin, 1003, "GENERAL_E_NOT_LOGIN"),
            (LegacyCode::GeneralLargeParam, 1005, "GENERAL_E_LARGE_PARAM"),
            (LegacyCode::Success, 0, "SUCCESS"),
        ];
        for (code, value, name) in expected {
            assert_eq!(code.code(), value);
            assert_eq!(code.name(), name);
            assert_eq!(i32::from(code), value);
        }
        assert_eq!(LegacyCode::LoginTokenWrong.to_string(), "LOGIN_E_TOKENWRONG (206)");
    }

    #[test]
    fn names_follow_the_legacy_prefixes() {
        for &c in LegacyCode::ALL {
            let prefix = match c.code() {
                0 => "SUCCESS",
                100..=199 => "LOGOUT_E_",
                200..=299 => "LOGIN_E_",
                300..=399 => "JOINCHANNEL_E_",
                400..=499 => "SENDMESSAGE_E_",
                500..=599 => "QUERYUSERNUM_E_",
                600..=699 => "LEAVECHANNEL_E_",
                700..=799 => "INVITE_E_",
                _ => "GENERAL_E",
            };
            assert!(c.name().starts_with(prefix), "{c}");
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn login_status_values() {
        for &s in LoginStatus::ALL {
            assert_eq!(LoginStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(LoginStatus::NotLogin.code(), 0);
        assert_eq!(LoginStatus::Reconnecting.code(), 3);
        assert_eq!(LoginStatus::Logined.name(), "LOGIN_STATE_LOGINED");
        assert_eq!(LoginStatus::from_code(4), None);
    }

    #[test]
    fn attr_update_strings() {
        let strings: Vec<_> = AttrUpdateType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(strings, ["update", "del", "clear", "set"]);
        for &t in AttrUpdateType::ALL {
            assert_eq!(AttrUpdateType::parse(t.as_str()), Some(t));
        }
        assert_eq!(AttrUpdateType::parse("delete"), None);
    }
}
