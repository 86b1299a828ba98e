//! What the token parsers and verifiers must do with any text, checked in one place for the
//! `tokens` fuzz target and the proptest cases of `core/tests/token_props.rs` (which includes
//! this file with `#[path]`, beside `mutate.rs`).
//!
//! - [`check_any`]: no parser or verifier panics; [`verify_login_token`] gives the answer of the
//!   verifier of the token's kind, and a token that does not parse never verifies.
//! - [`check_mutated`]: a changed token that still verifies carries exactly what the original
//!   carried (Signaling: the same text up to the case of its digest; 006 and 007: the same
//!   decoded fields and signed bytes), unless the change was signed again.
//! - [`mutate_token`]: changes a token as text, or changes its decoded body and writes it back
//!   with a fresh signature, so that the checks past the signature (services, privileges,
//!   expiry) get changed inputs too.

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sigshim::token::access_token::{self, AccessToken};
use sigshim::token::access_token2::{self, AccessToken2};
use sigshim::token::{TokenError, TokenKind, detect_kind, signaling, verify_login_token};

use super::mutate::{Choices, mutate_bytes, mutate_text};

/// The app the tokens are checked for.
pub const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
/// Its certificate.
pub const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
/// The account logging in.
pub const ACCOUNT: &str = "alice";
/// The time of the checks (Unix seconds).
pub const NOW: u64 = 1_700_000_000;

/// A valid token of each kind for [`ACCOUNT`] at [`NOW`].
pub fn valid_tokens() -> [String; 3] {
    let now = NOW as u32;
    [
        signaling::build(ACCOUNT, APP_ID, CERT, NOW + 600),
        access_token::build_rtm(APP_ID, CERT, ACCOUNT, now + 600, 42, now + 86_400).expect("006 builds"),
        access_token2::build_rtm(APP_ID, CERT, ACCOUNT, 600, now - 60, 42).expect("007 builds"),
    ]
}

/// Every parser and verifier on `token`, as an attacker may send it.
pub fn check_any(token: &str) {
    let verified = verify_login_token(token, APP_ID, CERT, ACCOUNT, NOW);
    // The parsers of every kind take any text.
    let parsed_006 = AccessToken::parse(token);
    let parsed_007 = AccessToken2::parse(token);
    let payload_007 = access_token2::decode_payload(token);
    let signaling = signaling::verify(token, APP_ID, CERT, ACCOUNT, NOW);
    match detect_kind(token) {
        None => assert_eq!(verified, Err(TokenError::Malformed), "{token:?}"),
        Some(TokenKind::Signaling) => assert_eq!(verified, signaling, "{token:?}"),
        Some(TokenKind::AccessToken006) => {
            assert_eq!(verified, access_token::verify_rtm(token, APP_ID, CERT, ACCOUNT, NOW), "{token:?}");
            if parsed_006.is_err() {
                assert_eq!(verified, Err(TokenError::Malformed), "{token:?}");
            }
        }
        Some(TokenKind::AccessToken2007) => {
            assert_eq!(verified, access_token2::verify_rtm(token, APP_ID, CERT, ACCOUNT, NOW), "{token:?}");
            if parsed_007.is_err() {
                assert_eq!(verified, Err(TokenError::Malformed), "{token:?}");
            }
            if payload_007.is_err() {
                assert!(parsed_007.is_err(), "{token:?}");
            }
        }
    }
    if let Ok(ok) = verified {
        assert_eq!(Some(ok.kind), detect_kind(token));
        assert!(ok.expires_at.is_none_or(|at| at >= NOW), "{token:?}: {ok:?}");
    }
    if let Err(e) = parsed_006 {
        assert_eq!(e, TokenError::Malformed);
    }
    if let Err(e) = parsed_007 {
        assert_eq!(e, TokenError::Malformed);
    }
}

/// A token changed from the valid `original`: checked as any text, and if it still verifies
/// it must carry what the original carried (unless it was signed again by
/// [`mutate_token`], which makes a token as valid as any the builders make).
pub fn check_mutated(original: &str, (mutated, signed_again): (String, bool)) {
    let mutated = mutated.as_str();
    check_any(mutated);
    if signed_again || verify_login_token(mutated, APP_ID, CERT, ACCOUNT, NOW).is_err() {
        return;
    }
    match detect_kind(mutated) {
        Some(TokenKind::Signaling) => {
            assert!(mutated.eq_ignore_ascii_case(original), "{original:?} -> {mutated:?} verifies")
        }
        Some(TokenKind::AccessToken006) => {
            assert_eq!(AccessToken::parse(mutated), AccessToken::parse(original), "{mutated:?} verifies")
        }
        Some(TokenKind::AccessToken2007) => {
            let (m, o) = (AccessToken2::parse(mutated), AccessToken2::parse(original));
            let (Ok(m), Ok(o)) = (m, o) else { panic!("{mutated:?} verifies but does not parse") };
            assert_eq!((m.token, m.signature, m.signing_info), (o.token, o.signature, o.signing_info));
        }
        None => panic!("{mutated:?} verifies without a known prefix"),
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// A length-prefixed byte string, as the 006 and 007 bodies write them.
fn prefixed(bytes: &[u8]) -> Vec<u8> {
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    let mut out = len.to_le_bytes().to_vec();
    out.extend_from_slice(&bytes[..usize::from(len)]);
    out
}

/// A 006 token whose signed message is `message`, signed for [`ACCOUNT`] with [`CERT`].
fn sign_006(message: &[u8]) -> String {
    let signature = hmac(CERT.as_bytes(), &[APP_ID.as_bytes(), ACCOUNT.as_bytes(), b"", message]);
    let mut content = prefixed(&signature);
    content.extend_from_slice(&crc32(ACCOUNT.as_bytes()).to_le_bytes());
    content.extend_from_slice(&crc32(b"").to_le_bytes());
    content.extend_from_slice(&prefixed(message));
    format!("006{APP_ID}{}", BASE64.encode(content))
}

/// CRC-32 (IEEE), as the 006 format uses for the channel and the uid.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { crc >> 1 ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A 007 token whose signing info is `info`, signed with [`CERT`] and the issue time and salt
/// that `info` carries (zero when it is too short to carry them).
fn sign_007(info: &[u8]) -> String {
    let app_len = info.get(..2).map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let u32_at = |at: usize| info.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (issue_ts, salt) = (u32_at(2 + app_len), u32_at(2 + app_len + 8));
    let k1 = hmac(&issue_ts.to_le_bytes(), &[CERT.as_bytes()]);
    let key = hmac(&salt.to_le_bytes(), &[&k1]);
    let mut payload = prefixed(&hmac(&key, &[info]));
    payload.extend_from_slice(info);
    format!("007{}", BASE64.encode(deflate(&payload)))
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("into memory");
    encoder.finish().expect("into memory")
}

fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes).read_to_end(&mut out).ok()?;
    Some(out)
}

/// `original` (one of [`valid_tokens`]) changed as the choices say: as text, as its encoded
/// body, or as its signed content signed again (then the flag is true).
pub fn mutate_token(original: &str, choices: &[u8]) -> (String, bool) {
    let mut c = Choices::new(choices);
    let how = c.byte() % 4;
    let rest = choices.get(1..).unwrap_or_default();
    match (how, detect_kind(original)) {
        (0, _) | (_, None | Some(TokenKind::Signaling)) => (mutate_text(original, rest), false),
        // The Base64 body's bytes, the signature left as it was.
        (1, Some(TokenKind::AccessToken006)) => {
            let body = BASE64.decode(&original[35..]).unwrap_or_default();
            (format!("{}{}", &original[..35], BASE64.encode(mutate_bytes(&body, rest))), false)
        }
        (1, Some(TokenKind::AccessToken2007)) => {
            let body = BASE64.decode(&original[3..]).unwrap_or_default();
            let changed = mutate_bytes(&inflate(&body).unwrap_or_default(), rest);
            (format!("007{}", BASE64.encode(deflate(&changed))), false)
        }
        // The signed content changed and signed again: the checks after the signature see it.
        (_, Some(TokenKind::AccessToken006)) => {
            let parsed = AccessToken::parse(original).expect("a valid 006 token");
            (sign_006(&mutate_bytes(&parsed.message, rest)), true)
        }
        (_, Some(TokenKind::AccessToken2007)) => {
            let parsed = AccessToken2::parse(original).expect("a valid 007 token");
            (sign_007(&mutate_bytes(&parsed.signing_info, rest)), true)
        }
    }
}

/// The signing helpers above make the tokens the builders make (else the re-signed mutations
/// would test nothing past the signature).
pub fn check_signing_helpers() {
    let [_, t006, t007] = valid_tokens();
    let parsed = AccessToken::parse(&t006).expect("006 parses");
    assert_eq!(sign_006(&parsed.message), t006);
    let parsed = AccessToken2::parse(&t007).expect("007 parses");
    let resigned = sign_007(&parsed.signing_info);
    assert_eq!(AccessToken2::parse(&resigned), Ok(parsed));
    assert!(verify_login_token(&resigned, APP_ID, CERT, ACCOUNT, NOW).is_ok());
}
