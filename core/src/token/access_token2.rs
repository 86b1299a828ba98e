//! AccessToken2 version 007, as produced by `RtmTokenBuilder2` and the other
//! `*TokenBuilder2` helpers.
//!
//! Layout: `"007" ‖ Base64(zlib(str signature ‖ signing_info))` where
//! `signing_info` is `str app_id ‖ u32 issue_ts ‖ u32 expire ‖ u32 salt ‖
//! u16 count ‖ services` (see [`Service`]). Every lifetime is in seconds
//! relative to `issue_ts`. The signature is
//! `HMAC(HMAC(u32le(salt), HMAC(u32le(issue_ts), cert)), signing_info)`.
//!
//! Compression is not canonical: Go and Node.js builders emit different zlib
//! streams for the same payload, so verification works on the decompressed
//! bytes. [`AccessToken2::build`] uses C zlib at level 6, which reproduces the
//! strings of the C++, Java, Python and PHP builders exactly.

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use flate2::Compression;
use flate2::bufread::ZlibDecoder;
use flate2::write::ZlibEncoder;
use hmac::Mac;

use super::bytes::{Reader, Writer};
use super::{
    MAX_PAYLOAD_LEN, MAX_TOKEN_LEN, TokenError, TokenKind, VerifiedToken, check_expiry, hmac_sha256,
    is_hex32, random_salt, unix_now,
};

mod service;

pub use service::*;

/// The three-character version prefix.
pub const VERSION: &str = "007";

/// The inputs of a 007 token.
///
/// # Examples
/// An RTM login token for one user, built and verified (lifetimes are relative to `issue_ts`):
/// ```
/// use sigshim::token::access_token2::{AccessToken2, Privileges, RTM_PRIVILEGE_LOGIN, Service};
/// use sigshim::token::{TokenError, TokenKind, verify_login_token};
///
/// let app_id = "970CA35de60c44645bbae8a215061b33";
/// let cert = "5CFd2fd1755d40ecb72977518be15d3b";
/// let token = AccessToken2 {
///     app_id: app_id.to_owned(),
///     issue_ts: 1_700_000_000,
///     expire: 3600,
///     salt: 42,
///     services: vec![Service::Rtm {
///         user_id: "alice".to_owned(),
///         privileges: Privileges::from([(RTM_PRIVILEGE_LOGIN, 600)]),
///     }],
/// }
/// .build(cert)?;
/// assert!(token.starts_with("007"));
///
/// let ok = verify_login_token(&token, app_id, cert, "alice", 1_700_000_060)?;
/// assert_eq!(ok.kind, TokenKind::AccessToken2007);
/// // The login privilege ends before the token does.
/// assert_eq!(ok.expires_at, Some(1_700_000_600));
/// assert_eq!(verify_login_token(&token, app_id, cert, "bob", 1_700_000_060), Err(TokenError::WrongUser));
/// assert_eq!(verify_login_token(&token, app_id, cert, "alice", 1_700_000_601), Err(TokenError::Expired));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessToken2 {
    /// App id; must be 32 hex characters to build.
    pub app_id: String,
    /// Issue time, absolute Unix seconds.
    pub issue_ts: u32,
    /// Token lifetime in seconds after `issue_ts`.
    pub expire: u32,
    /// Random salt (the official builders use `1..=99_999_999`).
    pub salt: u32,
    /// Services; written sorted by type (stable, so equal types keep their order).
    pub services: Vec<Service>,
}

/// A decoded 007 token whose signature has not been checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAccessToken2 {
    /// The decoded fields. If parsing stopped at an unknown service type,
    /// `token.services` holds only the services before it.
    pub token: AccessToken2,
    /// HMAC-SHA256 signature carried by the token.
    pub signature: [u8; 32],
    /// The signed bytes exactly as found in the token.
    pub signing_info: Vec<u8>,
    /// The first service type this module does not know, if any.
    pub unknown_service_type: Option<u16>,
}

/// The final signing key derived from the certificate, issue time and salt.
fn signing_key(app_certificate: &str, issue_ts: u32, salt: u32) -> [u8; 32] {
    let mut k1 = hmac_sha256(&issue_ts.to_le_bytes());
    k1.update(app_certificate.as_bytes());
    let mut k2 = hmac_sha256(&salt.to_le_bytes());
    k2.update(&k1.finalize().into_bytes());
    k2.finalize().into_bytes().into()
}

/// Base64-decodes and inflates the body of a 007 token, capped at
/// [`MAX_PAYLOAD_LEN`] bytes of output.
///
/// Bad Base64, a corrupt or truncated zlib stream, bytes after the stream or
/// an oversized output are all [`TokenError::Malformed`].
pub fn decode_payload(token: &str) -> Result<Vec<u8>, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let body = token.strip_prefix(VERSION).ok_or(TokenError::Malformed)?;
    let compressed = BASE64.decode(body).map_err(|_| TokenError::Malformed)?;
    let mut decoder = ZlibDecoder::new(compressed.as_slice());
    let mut payload = Vec::new();
    let limit = u64::try_from(MAX_PAYLOAD_LEN).map_or(u64::MAX, |n| n.saturating_add(1));
    (&mut decoder).take(limit).read_to_end(&mut payload).map_err(|_| TokenError::Malformed)?;
    if payload.len() > MAX_PAYLOAD_LEN || !decoder.into_inner().is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok(payload)
}

impl AccessToken2 {
    /// The uncompressed token body: `str signature ‖ signing_info`.
    ///
    /// Fails with [`TokenError::InvalidInput`] unless the app id and the
    /// certificate are 32 hex characters, there is at least one service and
    /// every field fits in the format.
    pub fn build_payload(&self, app_certificate: &str) -> Result<Vec<u8>, TokenError> {
        if !is_hex32(&self.app_id) || !is_hex32(app_certificate) || self.services.is_empty() {
            return Err(TokenError::InvalidInput);
        }
        let mut services: Vec<&Service> = self.services.iter().collect();
        services.sort_by_key(|s| s.service_type());
        let service_count = u16::try_from(services.len()).map_err(|_| TokenError::InvalidInput)?;

        let mut info = Writer::new();
        info.str(&self.app_id)?.u32(self.issue_ts).u32(self.expire).u32(self.salt).u16(service_count);
        for service in services {
            service.write(&mut info)?;
        }
        let info = info.into_vec();

        let key = signing_key(app_certificate, self.issue_ts, self.salt);
        let mut mac = hmac_sha256(&key);
        mac.update(&info);
        let mut payload = Writer::new();
        payload.str(mac.finalize().into_bytes())?;
        let mut payload = payload.into_vec();
        payload.extend_from_slice(&info);
        Ok(payload)
    }

    /// Serialises, signs and compresses the token with `app_certificate`.
    ///
    /// See [`AccessToken2::build_payload`] for the input rules.
    pub fn build(&self, app_certificate: &str) -> Result<String, TokenError> {
        let payload = self.build_payload(app_certificate)?;
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        // Writing into a Vec cannot fail; an error here would be a zlib fault.
        encoder.write_all(&payload).map_err(|_| TokenError::InvalidInput)?;
        let compressed = encoder.finish().map_err(|_| TokenError::InvalidInput)?;
        Ok(format!("{VERSION}{}", BASE64.encode(compressed)))
    }

    /// Decodes a 007 token without checking its signature.
    ///
    /// Like the official parsers, stops at the first unknown service type and
    /// still succeeds (see [`ParsedAccessToken2::unknown_service_type`]);
    /// bytes after the declared services are ignored, as they are signed.
    pub fn parse(token: &str) -> Result<ParsedAccessToken2, TokenError> {
        let payload = decode_payload(token)?;
        let mut reader = Reader::new(&payload);
        let signature = reader.signature()?;
        let signing_info = reader.remaining();

        let mut r = Reader::new(signing_info);
        let app_id = r.string()?;
        let issue_ts = r.u32()?;
        let expire = r.u32()?;
        let salt = r.u32()?;
        let declared = r.u16()?;
        let mut services = Vec::new();
        let mut unknown_service_type = None;
        for _ in 0..declared {
            let service_type = r.u16()?;
            match Service::read(service_type, &mut r)? {
                Some(service) => services.push(service),
                None => {
                    unknown_service_type = Some(service_type);
                    break;
                }
            }
        }
        Ok(ParsedAccessToken2 {
            token: AccessToken2 { app_id, issue_ts, expire, salt, services },
            signature,
            signing_info: signing_info.to_vec(),
            unknown_service_type,
        })
    }
}

impl ParsedAccessToken2 {
    /// Recomputes the HMAC over the raw `signing_info` with `app_certificate`
    /// and compares it in constant time ([`TokenError::BadSignature`]).
    pub fn verify_signature(&self, app_certificate: &str) -> Result<(), TokenError> {
        let key = signing_key(app_certificate, self.token.issue_ts, self.token.salt);
        let mut mac = hmac_sha256(&key);
        mac.update(&self.signing_info);
        mac.verify_slice(&self.signature).map_err(|_| TokenError::BadSignature)
    }
}

/// Builds an RTM login token the way `RtmTokenBuilder2` does: one Rtm service
/// for `user_id` whose login privilege lasts as long as the token,
/// `expire_secs` after `issue_ts`.
pub fn build_rtm(
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    expire_secs: u32,
    issue_ts: u32,
    salt: u32,
) -> Result<String, TokenError> {
    AccessToken2 {
        app_id: app_id.to_owned(),
        issue_ts,
        expire: expire_secs,
        salt,
        services: vec![Service::Rtm {
            user_id: user_id.to_owned(),
            privileges: Privileges::from([(RTM_PRIVILEGE_LOGIN, expire_secs)]),
        }],
    }
    .build(app_certificate)
}

/// Like [`build_rtm`], issued now with a random salt.
pub fn build_rtm_now(
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    expire_secs: u32,
) -> Result<String, TokenError> {
    let now = u32::try_from(unix_now()).map_err(|_| TokenError::InvalidInput)?;
    build_rtm(app_id, app_certificate, user_id, expire_secs, now, random_salt())
}

/// Verifies a 007 token for an RTM login by `user_id` at `now_unix`.
///
/// Order of checks: decoding ([`TokenError::Malformed`]), app id
/// ([`TokenError::WrongAppId`]), signature ([`TokenError::BadSignature`]), an Rtm
/// service present ([`TokenError::MissingPrivilege`]), one of them for `user_id`
/// ([`TokenError::WrongUser`]), its login privilege present
/// ([`TokenError::MissingPrivilege`]), expiry ([`TokenError::Expired`]).
///
/// `expires_at` is `issue_ts + min(expire, login privilege)`; all values are
/// taken literally, so 0 means "expired at issue time", never "forever".
pub fn verify_rtm(
    token: &str,
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    now_unix: u64,
) -> Result<VerifiedToken, TokenError> {
    let parsed = AccessToken2::parse(token)?;
    if parsed.token.app_id != app_id {
        return Err(TokenError::WrongAppId);
    }
    parsed.verify_signature(app_certificate)?;

    let mut rtm_users = parsed.token.services.iter().filter_map(|s| match s {
        Service::Rtm { user_id, privileges } => Some((user_id, privileges)),
        _ => None,
    });
    let first = rtm_users.next().ok_or(TokenError::MissingPrivilege)?;
    let (_, privileges) = std::iter::once(first)
        .chain(rtm_users)
        .find(|(id, _)| id.as_str() == user_id)
        .ok_or(TokenError::WrongUser)?;
    let login = *privileges.get(&RTM_PRIVILEGE_LOGIN).ok_or(TokenError::MissingPrivilege)?;

    let expires_at = u64::from(parsed.token.issue_ts) + u64::from(parsed.token.expire.min(login));
    check_expiry(TokenKind::AccessToken2007, Some(expires_at), now_unix)
}

#[cfg(test)]
mod tests;
