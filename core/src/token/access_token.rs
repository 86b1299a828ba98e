//! AccessToken version 006, as produced by the legacy `RtmTokenBuilder` and
//! `RtcTokenBuilder`.
//!
//! Layout: `"006" ‖ appId (32 chars) ‖ Base64(content)` where `content` is
//! `str signature ‖ u32 crc32(channel) ‖ u32 crc32(uid) ‖ str message` and
//! `message` is `u32 salt ‖ u32 ts ‖ map privileges`. The signature is
//! HMAC-SHA256 keyed with the certificate over `appId ‖ channel ‖ uid ‖ message`.
//!
//! For RTM the account goes in the *channel* slot and the uid is empty; the
//! only privilege is [`PRIVILEGE_RTM_LOGIN`] with an absolute expiry time.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;

use super::bytes::{Reader, Writer};
use super::{
    MAX_TOKEN_LEN, TokenError, TokenKind, VerifiedToken, check_expiry, hmac_sha256, is_hex32, random_salt,
    unix_now,
};

/// The three-character version prefix.
pub const VERSION: &str = "006";
/// RTC privilege: join a channel.
pub const PRIVILEGE_JOIN_CHANNEL: u16 = 1;
/// RTC privilege: publish audio.
pub const PRIVILEGE_PUBLISH_AUDIO: u16 = 2;
/// RTC privilege: publish video.
pub const PRIVILEGE_PUBLISH_VIDEO: u16 = 3;
/// RTC privilege: publish data streams.
pub const PRIVILEGE_PUBLISH_DATA: u16 = 4;
/// RTM privilege: log in.
pub const PRIVILEGE_RTM_LOGIN: u16 = 1000;

/// How long the official builders keep the token-level `ts` after "now".
const DEFAULT_TS_VALIDITY: u32 = 24 * 3600;

/// The inputs of a 006 token.
///
/// # Examples
/// An RTM login token (the account in the channel slot, privilege 1000), built and verified:
/// ```
/// use std::collections::BTreeMap;
///
/// use sigshim::token::access_token::{AccessToken, PRIVILEGE_RTM_LOGIN};
/// use sigshim::token::{TokenError, TokenKind, verify_login_token};
///
/// let app_id = "970CA35de60c44645bbae8a215061b33";
/// let cert = "5CFd2fd1755d40ecb72977518be15d3b";
/// let token = AccessToken {
///     app_id: app_id.to_owned(),
///     channel_name: "alice".to_owned(),
///     uid: String::new(),
///     salt: 7,
///     ts: 1_700_086_400,
///     privileges: BTreeMap::from([(PRIVILEGE_RTM_LOGIN, 1_700_000_600)]),
/// }
/// .build(cert)?;
/// assert!(token.starts_with(&format!("006{app_id}")));
///
/// let ok = verify_login_token(&token, app_id, cert, "alice", 1_700_000_000)?;
/// assert_eq!(ok.kind, TokenKind::AccessToken006);
/// assert_eq!(ok.expires_at, Some(1_700_000_600));
/// let wrong_cert = verify_login_token(&token, app_id, "00000000000000000000000000000000", "alice", 1_700_000_000);
/// assert_eq!(wrong_cert, Err(TokenError::BadSignature));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessToken {
    /// App id; must be 32 hex characters.
    pub app_id: String,
    /// Channel name (the account, for RTM tokens).
    pub channel_name: String,
    /// Uid as a string (empty for RTM tokens and for the numeric RTC uid 0).
    pub uid: String,
    /// Random salt (the official builders use `1..=99_999_999`).
    pub salt: u32,
    /// Token-level timestamp, absolute Unix seconds.
    pub ts: u32,
    /// Privilege id to absolute expiry (Unix seconds; 0 conventionally means "never").
    pub privileges: BTreeMap<u16, u32>,
}

/// A decoded 006 token whose signature has not been checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAccessToken {
    /// App id copied from the token text.
    pub app_id: String,
    /// HMAC-SHA256 signature carried by the token.
    pub signature: [u8; 32],
    /// CRC-32 of the channel name the token was built for.
    pub crc_channel_name: u32,
    /// CRC-32 of the uid the token was built for.
    pub crc_uid: u32,
    /// Salt from the signed message.
    pub salt: u32,
    /// Token-level timestamp from the signed message.
    pub ts: u32,
    /// Privileges from the signed message.
    pub privileges: BTreeMap<u16, u32>,
    /// The signed message exactly as found in the token.
    pub message: Vec<u8>,
}

/// HMAC over `appId ‖ channel ‖ uid ‖ message`, ready to finalise or verify.
fn signer(cert: &str, app_id: &str, channel: &str, uid: &str, message: &[u8]) -> super::HmacSha256 {
    let mut mac = hmac_sha256(cert.as_bytes());
    for part in [app_id.as_bytes(), channel.as_bytes(), uid.as_bytes(), message] {
        mac.update(part);
    }
    mac
}

impl AccessToken {
    /// Serialises and signs the token with `app_certificate`.
    ///
    /// Fails with [`TokenError::InvalidInput`] unless the app id and the
    /// certificate are 32 hex characters and the privileges fit in the format.
    pub fn build(&self, app_certificate: &str) -> Result<String, TokenError> {
        if !is_hex32(&self.app_id) || !is_hex32(app_certificate) {
            return Err(TokenError::InvalidInput);
        }
        let mut message = Writer::new();
        message.u32(self.salt).u32(self.ts).map(&self.privileges)?;
        let message = message.into_vec();

        let signature = signer(app_certificate, &self.app_id, &self.channel_name, &self.uid, &message)
            .finalize()
            .into_bytes();
        let mut content = Writer::new();
        content
            .str(signature)?
            .u32(crc32fast::hash(self.channel_name.as_bytes()))
            .u32(crc32fast::hash(self.uid.as_bytes()))
            .str(&message)?;
        Ok(format!("{VERSION}{}{}", self.app_id, BASE64.encode(content.into_vec())))
    }

    /// Decodes a 006 token without checking its signature.
    ///
    /// Any deviation from the layout (prefix, an app id that is not 32 hex
    /// characters, Base64, field lengths, a signature that is not 32 bytes, trailing bytes) is [`TokenError::Malformed`].
    pub fn parse(token: &str) -> Result<ParsedAccessToken, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let rest = token.strip_prefix(VERSION).ok_or(TokenError::Malformed)?;
        let (app_id, encoded) = rest.split_at_checked(32).ok_or(TokenError::Malformed)?;
        if !is_hex32(app_id) {
            return Err(TokenError::Malformed);
        }
        let content = BASE64.decode(encoded).map_err(|_| TokenError::Malformed)?;

        let mut reader = Reader::new(&content);
        let signature = reader.signature()?;
        let crc_channel_name = reader.u32()?;
        let crc_uid = reader.u32()?;
        let message = reader.bytes()?;
        reader.finish()?;

        let mut fields = Reader::new(message);
        let salt = fields.u32()?;
        let ts = fields.u32()?;
        let privileges = fields.map()?;
        fields.finish()?;

        Ok(ParsedAccessToken {
            app_id: app_id.to_owned(),
            signature,
            crc_channel_name,
            crc_uid,
            salt,
            ts,
            privileges,
            message: message.to_vec(),
        })
    }
}

impl ParsedAccessToken {
    /// Checks that the token was issued for `channel_name` / `uid` and signed
    /// with `app_certificate`.
    ///
    /// A CRC mismatch is reported as [`TokenError::WrongUser`] (a cheap
    /// pre-filter); the HMAC, compared in constant time, as
    /// [`TokenError::BadSignature`]. App id and expiry are not checked here.
    pub fn verify(&self, app_certificate: &str, channel_name: &str, uid: &str) -> Result<(), TokenError> {
        if self.crc_channel_name != crc32fast::hash(channel_name.as_bytes())
            || self.crc_uid != crc32fast::hash(uid.as_bytes())
        {
            return Err(TokenError::WrongUser);
        }
        signer(app_certificate, &self.app_id, channel_name, uid, &self.message)
            .verify_slice(&self.signature)
            .map_err(|_| TokenError::BadSignature)
    }
}

/// Builds an RTM login token the way `RtmTokenBuilder` does: the account in the
/// channel slot, an empty uid, and privilege 1000 set to `privilege_expired_ts`
/// (absolute Unix seconds). `ts` is the token-level timestamp.
pub fn build_rtm(
    app_id: &str,
    app_certificate: &str,
    account: &str,
    privilege_expired_ts: u32,
    salt: u32,
    ts: u32,
) -> Result<String, TokenError> {
    AccessToken {
        app_id: app_id.to_owned(),
        channel_name: account.to_owned(),
        uid: String::new(),
        salt,
        ts,
        privileges: BTreeMap::from([(PRIVILEGE_RTM_LOGIN, privilege_expired_ts)]),
    }
    .build(app_certificate)
}

/// Like [`build_rtm`], with a random salt, the login privilege ending
/// `valid_for_secs` from now and `ts` at the later of that and now + 24 h (the
/// official default).
pub fn build_rtm_now(
    app_id: &str,
    app_certificate: &str,
    account: &str,
    valid_for_secs: u32,
) -> Result<String, TokenError> {
    let now = u32::try_from(unix_now()).map_err(|_| TokenError::InvalidInput)?;
    let expires = now.checked_add(valid_for_secs).ok_or(TokenError::InvalidInput)?;
    let ts = now.saturating_add(DEFAULT_TS_VALIDITY).max(expires);
    build_rtm(app_id, app_certificate, account, expires, random_salt(), ts)
}

/// Verifies a 006 token for an RTM login by `account` at `now_unix`.
///
/// Order of checks: layout ([`TokenError::Malformed`]), app id
/// ([`TokenError::WrongAppId`]), bound to channel = `account` and uid = ""
/// ([`TokenError::WrongUser`]), HMAC ([`TokenError::BadSignature`]), privilege
/// 1000 present ([`TokenError::MissingPrivilege`]), expiry ([`TokenError::Expired`]).
///
/// Expiry policy: the login right ends at the earlier of the token-level `ts`
/// and privilege 1000, where a value of 0 means "no limit" (Agora documents 0
/// as "never expires"). If both are 0, `expires_at` is `None`.
pub fn verify_rtm(
    token: &str,
    app_id: &str,
    app_certificate: &str,
    account: &str,
    now_unix: u64,
) -> Result<VerifiedToken, TokenError> {
    let parsed = AccessToken::parse(token)?;
    if parsed.app_id != app_id {
        return Err(TokenError::WrongAppId);
    }
    parsed.verify(app_certificate, account, "")?;
    let login = *parsed.privileges.get(&PRIVILEGE_RTM_LOGIN).ok_or(TokenError::MissingPrivilege)?;
    let expires_at = [parsed.ts, login].into_iter().filter(|&t| t != 0).map(u64::from).min();
    check_expiry(TokenKind::AccessToken006, expires_at, now_unix)
}

#[cfg(test)]
mod tests;
