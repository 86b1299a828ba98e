//! Login tokens: legacy Signaling tokens, AccessToken 006 and AccessToken2 007.
//!
//! Three token generations can authorise an RTM / Signaling login:
//!
//! | kind | prefix | module | lifetime values |
//! |---|---|---|---|
//! | [`TokenKind::Signaling`] | `1:` | [`signaling`] | absolute Unix seconds |
//! | [`TokenKind::AccessToken006`] | `006` | [`access_token`] | absolute Unix seconds |
//! | [`TokenKind::AccessToken2007`] | `007` | [`access_token2`] | seconds relative to the issue time |
//!
//! Each module has builders that reproduce the official Agora strings byte for
//! byte, and a parser/verifier that never panics on attacker-supplied text.
//! [`verify_login_token`] picks the right verifier from the prefix and applies
//! the login policy: the token must be for this app, bound to this user, signed
//! with this certificate, carry the login privilege and not be expired.
//!
//! Verification always recomputes the signature over the bytes found in the
//! token; it never compares token strings, because 007 tokens produced by
//! different zlib implementations differ while carrying the same payload.
//!
//! ```
//! use sigshim::token::{TokenError, TokenKind, access_token2, verify_login_token};
//!
//! let app_id = "970CA35de60c44645bbae8a215061b33";
//! let cert = "5CFd2fd1755d40ecb72977518be15d3b";
//! let issued: u32 = 1_700_000_000;
//! let token = access_token2::build_rtm(app_id, cert, "alice", 600, issued, 42)?;
//!
//! let now = u64::from(issued) + 60;
//! let ok = verify_login_token(&token, app_id, cert, "alice", now)?;
//! assert_eq!(ok.kind, TokenKind::AccessToken2007);
//! assert_eq!(ok.expires_at, Some(u64::from(issued) + 600));
//!
//! let err = verify_login_token(&token, app_id, cert, "mallory", now);
//! assert_eq!(err, Err(TokenError::WrongUser));
//! # Ok::<(), TokenError>(())
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

pub mod access_token;
pub mod access_token2;
mod bytes;
pub mod signaling;
#[cfg(test)]
mod vectors_test;

/// Longest token string any verifier will look at, in bytes.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Largest decompressed 007 payload accepted (protects against zlib bombs).
pub const MAX_PAYLOAD_LEN: usize = 64 * 1024;

/// Why a token could not be built or was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token cannot be parsed: unknown prefix, bad Base64 or zlib data,
    /// truncated or oversized fields, or trailing garbage.
    #[error("malformed token")]
    Malformed,
    /// The token was issued for a different app id.
    #[error("token was issued for a different app id")]
    WrongAppId,
    /// The token is bound to another account (or channel / uid).
    #[error("token is bound to a different user")]
    WrongUser,
    /// The signature does not match: wrong certificate or tampered token.
    #[error("token signature mismatch (wrong certificate or tampered token)")]
    BadSignature,
    /// The token or its login privilege expired before the verification time.
    #[error("token has expired")]
    Expired,
    /// The token does not grant the privilege needed for login.
    #[error("token does not grant the login privilege")]
    MissingPrivilege,
    /// Builder arguments are invalid (for example an app id or certificate that
    /// is not 32 hex characters, no service, or a field too long to encode).
    #[error("invalid token builder input")]
    InvalidInput,
}

/// The token generations this module understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Legacy Signaling SDK token, `1:<appId>:<expiredTs>:<md5>`.
    Signaling,
    /// AccessToken version 006 (legacy `RtmTokenBuilder`).
    AccessToken006,
    /// AccessToken2 version 007 (`RtmTokenBuilder2`).
    AccessToken2007,
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Signaling => "Signaling (1)",
            Self::AccessToken006 => "AccessToken (006)",
            Self::AccessToken2007 => "AccessToken2 (007)",
        })
    }
}

/// Outcome of a successful login verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifiedToken {
    /// Which token generation was presented.
    pub kind: TokenKind,
    /// Absolute Unix time (seconds) at which the login right ends, or `None`
    /// if it never ends (only possible for 006, see [`access_token::verify_rtm`]).
    pub expires_at: Option<u64>,
}

/// Identifies the token generation from its prefix, without validating it.
#[must_use]
pub fn detect_kind(token: &str) -> Option<TokenKind> {
    if token.starts_with("1:") {
        Some(TokenKind::Signaling)
    } else if token.starts_with("006") {
        Some(TokenKind::AccessToken006)
    } else if token.starts_with("007") {
        Some(TokenKind::AccessToken2007)
    } else {
        None
    }
}

/// Verifies `token` for an RTM / Signaling login by `user_id` at `now_unix`.
///
/// The kind is detected from the prefix; see [`signaling::verify`],
/// [`access_token::verify_rtm`] and [`access_token2::verify_rtm`] for the exact
/// rules. An unknown prefix is [`TokenError::Malformed`].
pub fn verify_login_token(
    token: &str,
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    now_unix: u64,
) -> Result<VerifiedToken, TokenError> {
    let kind = detect_kind(token).ok_or(TokenError::Malformed)?;
    match kind {
        TokenKind::Signaling => signaling::verify(token, app_id, app_certificate, user_id, now_unix),
        TokenKind::AccessToken006 => {
            access_token::verify_rtm(token, app_id, app_certificate, user_id, now_unix)
        }
        TokenKind::AccessToken2007 => {
            access_token2::verify_rtm(token, app_id, app_certificate, user_id, now_unix)
        }
    }
}

/// Current Unix time in seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A random salt in `1..=99_999_999`, the range the official builders use.
pub fn random_salt() -> u32 {
    rand::thread_rng().gen_range(1..=99_999_999)
}

/// Renders a numeric RTC uid the way the official builders do: 0 becomes the
/// empty string ("any uid"), anything else its decimal form.
pub fn rtc_uid_string(uid: u32) -> String {
    if uid == 0 { String::new() } else { uid.to_string() }
}

/// Whether `s` is exactly 32 ASCII hex digits (the shape of app ids and
/// certificates).
fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Builds the [`VerifiedToken`], rejecting it if `expires_at < now_unix`.
fn check_expiry(
    kind: TokenKind,
    expires_at: Option<u64>,
    now_unix: u64,
) -> Result<VerifiedToken, TokenError> {
    match expires_at {
        Some(at) if at < now_unix => Err(TokenError::Expired),
        _ => Ok(VerifiedToken { kind, expires_at }),
    }
}

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed with `key`, ready to absorb data.
fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of every length; `new_from_slice` only fails for MACs
    // with a fixed key size, so this branch cannot be taken.
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_prefixes() {
        assert_eq!(detect_kind("1:abc"), Some(TokenKind::Signaling));
        assert_eq!(detect_kind("006abc"), Some(TokenKind::AccessToken006));
        assert_eq!(detect_kind("007eJ"), Some(TokenKind::AccessToken2007));
        assert_eq!(detect_kind("008"), None);
        assert_eq!(detect_kind(""), None);
    }

    #[test]
    fn unknown_prefix_is_malformed() {
        for token in ["", "garbage", "1", "00", "005xyz", "\u{1F600}"] {
            assert_eq!(verify_login_token(token, "a", "b", "u", 0), Err(TokenError::Malformed));
        }
    }

    #[test]
    fn expiry_boundary_is_inclusive() {
        let kind = TokenKind::Signaling;
        assert!(check_expiry(kind, Some(10), 10).is_ok());
        assert_eq!(check_expiry(kind, Some(10), 11), Err(TokenError::Expired));
        assert!(check_expiry(kind, None, u64::MAX).is_ok());
    }

    #[test]
    fn helpers() {
        assert_eq!(rtc_uid_string(0), "");
        assert_eq!(rtc_uid_string(2_882_341_273), "2882341273");
        assert!((1..=99_999_999).contains(&random_salt()));
        assert!(is_hex32("970CA35de60c44645bbae8a215061b33"));
        assert!(!is_hex32("970CA35de60c44645bbae8a215061b3g"));
        assert!(!is_hex32("970CA35de60c44645bbae8a215061b3"));
    }
}
