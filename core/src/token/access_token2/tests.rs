//! Unit tests for AccessToken2: hostile input and policy checks.

use super::*;
use crate::token::bytes::Writer;

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const OTHER_CERT: &str = "00000000000000000000000000000000";
const ISSUED: u32 = 1_700_000_000;

fn rtm_token(user: &str, expire: u32) -> String {
    build_rtm(APP_ID, CERT, user, expire, ISSUED, 7).unwrap()
}

fn verify(token: &str, cert: &str, user: &str, now: u64) -> Result<VerifiedToken, TokenError> {
    verify_rtm(token, APP_ID, cert, user, now)
}

/// Compresses and encodes a payload the way a builder would.
fn encode(payload: &[u8]) -> String {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(payload).unwrap();
    format!("007{}", BASE64.encode(encoder.finish().unwrap()))
}

/// Signs arbitrary `signing_info` bytes with `CERT` (issue_ts/salt as given).
fn sign_raw(info: &[u8], issue_ts: u32, salt: u32) -> String {
    let mut mac = hmac_sha256(&signing_key(CERT, issue_ts, salt));
    mac.update(info);
    let mut payload = Writer::new();
    payload.str(mac.finalize().into_bytes()).unwrap();
    let mut payload = payload.into_vec();
    payload.extend_from_slice(info);
    encode(&payload)
}

fn header(service_count: u16) -> Writer {
    let mut w = Writer::new();
    w.str(APP_ID).unwrap().u32(ISSUED).u32(600).u32(7).u16(service_count);
    w
}

#[test]
fn round_trip_and_expiry() {
    let t = rtm_token("alice", 600);
    let ok = verify(&t, CERT, "alice", u64::from(ISSUED)).unwrap();
    assert_eq!(ok.kind, TokenKind::AccessToken2007);
    assert_eq!(ok.expires_at, Some(u64::from(ISSUED) + 600));
    assert!(verify(&t, CERT, "alice", u64::from(ISSUED) + 600).is_ok());
    assert_eq!(verify(&t, CERT, "alice", u64::from(ISSUED) + 601), Err(TokenError::Expired));
}

#[test]
fn login_privilege_can_end_before_the_token() {
    let token = AccessToken2 {
        app_id: APP_ID.into(),
        issue_ts: ISSUED,
        expire: 600,
        salt: 1,
        services: vec![Service::Rtm {
            user_id: "alice".into(),
            privileges: Privileges::from([(RTM_PRIVILEGE_LOGIN, 60)]),
        }],
    };
    let t = token.build(CERT).unwrap();
    let ok = verify(&t, CERT, "alice", 0).unwrap();
    assert_eq!(ok.expires_at, Some(u64::from(ISSUED) + 60));
}

#[test]
fn rejections() {
    let t = rtm_token("alice", 600);
    assert_eq!(verify(&t, OTHER_CERT, "alice", 0), Err(TokenError::BadSignature));
    assert_eq!(verify(&t, CERT, "bob", 0), Err(TokenError::WrongUser));
    let lower = APP_ID.to_ascii_lowercase();
    assert_eq!(verify_rtm(&t, &lower, CERT, "alice", 0), Err(TokenError::WrongAppId));

    let no_login = AccessToken2 {
        app_id: APP_ID.into(),
        issue_ts: ISSUED,
        expire: 600,
        salt: 1,
        services: vec![
            Service::Rtm { user_id: "alice".into(), privileges: Privileges::new() },
            Service::Chat { user_id: "alice".into(), privileges: Privileges::from([(1, 600)]) },
        ],
    };
    let t = no_login.build(CERT).unwrap();
    assert_eq!(verify(&t, CERT, "alice", 0), Err(TokenError::MissingPrivilege));
}

#[test]
fn rtc_before_rtm_and_several_rtm_services() {
    let login = || Privileges::from([(RTM_PRIVILEGE_LOGIN, 600)]);
    let token = AccessToken2 {
        app_id: APP_ID.into(),
        issue_ts: ISSUED,
        expire: 600,
        salt: 1,
        // Deliberately unsorted: the builder sorts by type, keeping Rtm order.
        services: vec![
            Service::Rtm { user_id: "alice".into(), privileges: login() },
            Service::Rtc { channel_name: "c".into(), uid: String::new(), privileges: login() },
            Service::Rtm { user_id: "bob".into(), privileges: login() },
        ],
    };
    let t = token.build(CERT).unwrap();
    let parsed = AccessToken2::parse(&t).unwrap();
    let types: Vec<u16> = parsed.token.services.iter().map(Service::service_type).collect();
    assert_eq!(types, [SERVICE_RTC, SERVICE_RTM, SERVICE_RTM]);
    assert!(verify(&t, CERT, "alice", 0).is_ok());
    assert!(verify(&t, CERT, "bob", 0).is_ok());
    assert_eq!(verify(&t, CERT, "carol", 0), Err(TokenError::WrongUser));
}

#[test]
fn tampered_payload_fails_signature() {
    let t = rtm_token("alice", 600);
    let mut payload = decode_payload(&t).unwrap();
    let expire_offset = 2 + 32 + 2 + 32 + 4;
    payload[expire_offset] ^= 0x01;
    assert_eq!(verify(&encode(&payload), CERT, "alice", 0), Err(TokenError::BadSignature));
}

#[test]
fn parsing_stops_at_unknown_service() {
    let mut info = header(2);
    Service::Rtm { user_id: "alice".into(), privileges: Privileges::from([(1, 600)]) }
        .write(&mut info)
        .unwrap();
    info.u16(999).u32(0xDEAD_BEEF);
    let t = sign_raw(&info.into_vec(), ISSUED, 7);
    let parsed = AccessToken2::parse(&t).unwrap();
    assert_eq!(parsed.unknown_service_type, Some(999));
    assert_eq!(parsed.token.services.len(), 1);
    assert!(verify(&t, CERT, "alice", 0).is_ok());

    // An Rtm service hidden behind an unknown one cannot be reached.
    let mut info = header(2);
    info.u16(999);
    let t = sign_raw(&info.into_vec(), ISSUED, 7);
    assert_eq!(verify(&t, CERT, "alice", 0), Err(TokenError::MissingPrivilege));
}

#[test]
fn zlib_bomb_is_rejected() {
    let bomb = encode(&vec![0u8; 8 * MAX_PAYLOAD_LEN]);
    assert!(bomb.len() < MAX_TOKEN_LEN);
    assert_eq!(decode_payload(&bomb), Err(TokenError::Malformed));
    assert_eq!(verify(&bomb, CERT, "alice", 0), Err(TokenError::Malformed));
    // Exactly at the cap is still decoded (and then fails to parse).
    let edge = encode(&vec![0u8; MAX_PAYLOAD_LEN]);
    assert_eq!(decode_payload(&edge).map(|p| p.len()), Ok(MAX_PAYLOAD_LEN));
}

#[test]
fn malformed_inputs() {
    let t = rtm_token("alice", 600);
    let compressed = BASE64.decode(&t[3..]).unwrap();
    let payload = decode_payload(&t).unwrap();
    let cases = [
        "007".to_owned(),
        "007eJ".to_owned(),
        "007!!!!".to_owned(),
        format!("007 {}", &t[3..]),
        t[..t.len() - 8].to_owned(),
        format!("007{}", BASE64.encode(&compressed[..compressed.len() - 3])),
        format!("007{}", BASE64.encode([&compressed[..], b"junk"].concat())),
        format!("007{}", BASE64.encode(b"not zlib at all")),
        encode(&payload[..payload.len() - 1]),
        encode(&payload[..40]),
        encode(&[32, 0]),
        encode(&[]),
        format!("007{}", "A".repeat(MAX_TOKEN_LEN)),
    ];
    for case in cases {
        assert_eq!(verify(&case, CERT, "alice", 0), Err(TokenError::Malformed), "{case:.80}");
    }
}

#[test]
fn builder_validates_input() {
    let err = |app: &str, cert: &str| build_rtm(app, cert, "u", 600, ISSUED, 1).unwrap_err();
    assert_eq!(err("short", CERT), TokenError::InvalidInput);
    assert_eq!(err(APP_ID, "zz0CA35de60c44645bbae8a215061b33"), TokenError::InvalidInput);
    let empty = AccessToken2 { app_id: APP_ID.into(), ..AccessToken2::default() };
    assert_eq!(empty.build(CERT), Err(TokenError::InvalidInput));
    let long_user = "x".repeat(usize::from(u16::MAX) + 1);
    assert_eq!(build_rtm(APP_ID, CERT, &long_user, 1, 1, 1), Err(TokenError::InvalidInput));

    let t = build_rtm_now(APP_ID, CERT, "u", 60).unwrap();
    assert!(verify(&t, CERT, "u", unix_now()).is_ok());
}
