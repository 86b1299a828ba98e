//! Legacy Signaling SDK login tokens: `1:<appId>:<expiredTs>:<md5hex>`.
//!
//! The digest is the lowercase hex MD5 of `account ‖ appId ‖ appCertificate ‖
//! expiredTs` (plain concatenation, `expiredTs` in decimal). The account is not
//! part of the token, so the verifier must be told which account is claimed.
//! The app id keeps its case: it is hashed exactly as written.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use super::{MAX_TOKEN_LEN, TokenError, TokenKind, VerifiedToken, check_expiry, unix_now};

/// The digest over the concatenated fields.
fn digest(account: &str, app_id: &str, app_certificate: &str, expired_ts: &str) -> [u8; 16] {
    let mut md5 = Md5::new();
    for part in [account, app_id, app_certificate, expired_ts] {
        md5.update(part.as_bytes());
    }
    md5.finalize().into()
}

/// Lowercase hex rendering of a digest.
fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Parses 32 hex digits (either case) into a digest.
fn from_hex(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(hi << 4 | lo).ok()?;
    }
    Some(out)
}

/// Builds a Signaling token for `account`, valid until the absolute Unix time
/// `expired_ts` (seconds).
///
/// No argument is validated: an app id containing `:` yields a token that no
/// verifier can split, and a certificate of the wrong shape one that the
/// service rejects.
///
/// # Examples
/// ```
/// use sigshim::token::{TokenError, TokenKind, signaling, verify_login_token};
///
/// let app_id = "970CA35de60c44645bbae8a215061b33";
/// let cert = "5CFd2fd1755d40ecb72977518be15d3b";
/// let token = signaling::build("alice", app_id, cert, 1_700_000_600);
/// assert!(token.starts_with(&format!("1:{app_id}:1700000600:")));
///
/// let ok = verify_login_token(&token, app_id, cert, "alice", 1_700_000_000).unwrap();
/// assert_eq!(ok.kind, TokenKind::Signaling);
/// assert_eq!(ok.expires_at, Some(1_700_000_600));
/// // The account is only in the digest: another account does not match it.
/// let other = verify_login_token(&token, app_id, cert, "mallory", 1_700_000_000);
/// assert_eq!(other, Err(TokenError::BadSignature));
/// let late = verify_login_token(&token, app_id, cert, "alice", 1_700_000_601);
/// assert_eq!(late, Err(TokenError::Expired));
/// ```
#[must_use]
pub fn build(account: &str, app_id: &str, app_certificate: &str, expired_ts: u64) -> String {
    let ts = expired_ts.to_string();
    let md5 = to_hex(&digest(account, app_id, app_certificate, &ts));
    format!("1:{app_id}:{ts}:{md5}")
}

/// Like [`build`], valid for `valid_for_secs` from the current time.
#[must_use]
pub fn build_now(account: &str, app_id: &str, app_certificate: &str, valid_for_secs: u64) -> String {
    let expired_ts = unix_now().saturating_add(valid_for_secs);
    build(account, app_id, app_certificate, expired_ts)
}

/// Verifies a Signaling token claimed by `account` at `now_unix`.
///
/// Checks, in order: exactly four `:`-separated parts with version `1` and a
/// decimal timestamp ([`TokenError::Malformed`]), the app id (case-sensitive,
/// [`TokenError::WrongAppId`]), the MD5 compared in constant time
/// ([`TokenError::BadSignature`], which is also what a wrong account yields
/// since the account is only in the digest), then `expiredTs >= now_unix`
/// ([`TokenError::Expired`]). `expires_at` is `expiredTs`.
pub fn verify(
    token: &str,
    app_id: &str,
    app_certificate: &str,
    account: &str,
    now_unix: u64,
) -> Result<VerifiedToken, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let parts: Vec<&str> = token.split(':').collect();
    let [version, token_app_id, ts_text, md5_hex] = parts[..] else {
        return Err(TokenError::Malformed);
    };
    if version != "1" || ts_text.is_empty() || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TokenError::Malformed);
    }
    let expired_ts: u64 = ts_text.parse().map_err(|_| TokenError::Malformed)?;
    let presented = from_hex(md5_hex).ok_or(TokenError::Malformed)?;
    if token_app_id != app_id {
        return Err(TokenError::WrongAppId);
    }
    // Hash the timestamp text exactly as it appears in the token.
    let expected = digest(account, app_id, app_certificate, ts_text);
    if !bool::from(expected.ct_eq(&presented)) {
        return Err(TokenError::BadSignature);
    }
    check_expiry(TokenKind::Signaling, Some(expired_ts), now_unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
    const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
    const TS: u64 = 1_514_219_634;

    fn token() -> String {
        build("2882341273", APP_ID, CERT, TS)
    }

    #[test]
    fn round_trip() {
        let ok = verify(&token(), APP_ID, CERT, "2882341273", TS).unwrap();
        assert_eq!(ok, VerifiedToken { kind: TokenKind::Signaling, expires_at: Some(TS) });
    }

    #[test]
    fn uppercase_digest_is_accepted() {
        let t = token();
        let (head, md5) = t.rsplit_once(':').unwrap();
        let upper = format!("{head}:{}", md5.to_ascii_uppercase());
        assert!(verify(&upper, APP_ID, CERT, "2882341273", TS).is_ok());
    }

    #[test]
    fn rejections() {
        let t = token();
        let check = |tok: &str, app: &str, cert: &str, acct: &str, now: u64| {
            verify(tok, app, cert, acct, now).unwrap_err()
        };
        assert_eq!(check(&t, APP_ID, CERT, "2882341273", TS + 1), TokenError::Expired);
        assert_eq!(check(&t, APP_ID, CERT, "someone", 0), TokenError::BadSignature);
        assert_eq!(check(&t, APP_ID, "0".repeat(32).as_str(), "2882341273", 0), TokenError::BadSignature);
        let lower = APP_ID.to_ascii_lowercase();
        assert_eq!(check(&t, &lower, CERT, "2882341273", 0), TokenError::WrongAppId);
        let tampered = t.replace(":1514219634:", ":1514219635:");
        assert_eq!(check(&tampered, APP_ID, CERT, "2882341273", 0), TokenError::BadSignature);
    }

    #[test]
    fn malformed_inputs() {
        let t = token();
        let md5 = &t[t.len() - 32..];
        let cases = [
            String::new(),
            "1:".to_owned(),
            t[..t.len() - 1].to_owned(),
            format!("{t}:extra"),
            t.replacen("1:", "2:", 1),
            format!("1:{APP_ID}::{md5}"),
            format!("1:{APP_ID}:+1514219634:{md5}"),
            format!("1:{APP_ID}:99999999999999999999999:{md5}"),
            format!("1:{APP_ID}:{TS}:{}", "z".repeat(32)),
            format!("1:{APP_ID}:{TS}:{}", "é".repeat(16)),
            format!("1:{APP_ID}:{TS}:{}", "a".repeat(MAX_TOKEN_LEN)),
        ];
        for case in cases {
            assert_eq!(
                verify(&case, APP_ID, CERT, "2882341273", 0),
                Err(TokenError::Malformed),
                "{case:.80}"
            );
        }
    }
}
