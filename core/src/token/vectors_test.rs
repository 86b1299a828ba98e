//! Checks every official vector in `core/tests/data/agora_tokens.json`: build
//! from the inputs, verify the expected string, and reject a wrong certificate.

use std::collections::BTreeMap;

use serde_json::Value;

use super::access_token::{self, AccessToken};
use super::access_token2::{self, AccessToken2, Privileges, Service};
use super::{TokenError, TokenKind, signaling, verify_login_token};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/agora_tokens.json");
/// Before the 2015/2017 expiries of the Signaling vectors.
const NOW_SIGNALING: u64 = 1_446_455_000;
/// The issue time / token-level `ts` of every 006 and 007 vector.
const NOW_ACCESS: u64 = 1_111_111;

/// Accessors that turn a missing or mistyped field into a readable panic.
trait Field {
    fn str_of(&self, key: &str) -> &str;
    fn u32_of(&self, key: &str) -> u32;
}

impl Field for Value {
    fn str_of(&self, key: &str) -> &str {
        self[key].as_str().unwrap_or_else(|| panic!("string field {key} in {self}"))
    }

    fn u32_of(&self, key: &str) -> u32 {
        let n = self[key].as_u64().unwrap_or_else(|| panic!("number field {key} in {self}"));
        u32::try_from(n).expect("fits in u32")
    }
}

fn privileges(v: &Value) -> Privileges {
    let map = v["privileges"].as_object().expect("privileges object");
    map.iter()
        .map(|(k, val)| {
            (k.parse().expect("u16 key"), val.as_u64().and_then(|x| x.try_into().ok()).expect("u32"))
        })
        .collect()
}

fn wrong_cert(cert: &str) -> String {
    let last = if cert.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &cert[..cert.len() - 1])
}

fn check_signaling(v: &Value) {
    let (app, cert, account) = (v.str_of("app_id"), v.str_of("app_certificate"), v.str_of("account"));
    let ts = v["expired_ts"].as_u64().expect("expired_ts");
    let expected = v.str_of("expected");
    assert_eq!(signaling::build(account, app, cert, ts), expected);

    let ok = verify_login_token(expected, app, cert, account, NOW_SIGNALING).unwrap();
    assert_eq!((ok.kind, ok.expires_at), (TokenKind::Signaling, Some(ts)));
    let late = verify_login_token(expected, app, cert, account, ts + 1);
    assert_eq!(late, Err(TokenError::Expired));
    let forged = verify_login_token(expected, app, &wrong_cert(cert), account, NOW_SIGNALING);
    assert_eq!(forged, Err(TokenError::BadSignature));
}

fn check_006(v: &Value, rtm: bool) {
    let (app, cert, expected) = (v.str_of("app_id"), v.str_of("app_certificate"), v.str_of("expected"));
    let token = AccessToken {
        app_id: app.to_owned(),
        channel_name: v.str_of("channel_name").to_owned(),
        uid: v.str_of("uid").to_owned(),
        salt: v.u32_of("salt"),
        ts: v.u32_of("ts"),
        privileges: privileges(v),
    };
    assert_eq!(token.build(cert).unwrap(), expected);

    let parsed = AccessToken::parse(expected).unwrap();
    assert_eq!((parsed.salt, parsed.ts, &parsed.privileges), (token.salt, token.ts, &token.privileges));
    parsed.verify(cert, &token.channel_name, &token.uid).unwrap();
    assert_eq!(
        parsed.verify(&wrong_cert(cert), &token.channel_name, &token.uid),
        Err(TokenError::BadSignature)
    );

    if rtm {
        let account = v.str_of("account");
        let priv_ts = v.u32_of("privilege_expired_ts");
        let built = access_token::build_rtm(app, cert, account, priv_ts, token.salt, token.ts).unwrap();
        assert_eq!(built, expected);
        // The token-level ts (1111111) ends the login right before privilege 1000.
        let ok = verify_login_token(expected, app, cert, account, NOW_ACCESS).unwrap();
        assert_eq!((ok.kind, ok.expires_at), (TokenKind::AccessToken006, Some(NOW_ACCESS)));
        let late = verify_login_token(expected, app, cert, account, NOW_ACCESS + 1);
        assert_eq!(late, Err(TokenError::Expired));
        let forged = verify_login_token(expected, app, &wrong_cert(cert), account, NOW_ACCESS);
        assert_eq!(forged, Err(TokenError::BadSignature));
    } else {
        // RTC tokens never authorise an RTM login.
        let login = verify_login_token(expected, app, cert, &token.channel_name, NOW_ACCESS);
        let expected_err =
            if token.uid.is_empty() { TokenError::MissingPrivilege } else { TokenError::WrongUser };
        assert_eq!(login, Err(expected_err));
    }
}

fn service(v: &Value) -> Service {
    let privileges = privileges(v);
    let s = |key: &str| v.str_of(key).to_owned();
    match v["type"].as_u64() {
        Some(1) => Service::Rtc { channel_name: s("channel"), uid: s("uid"), privileges },
        Some(2) => Service::Rtm { user_id: s("user_id"), privileges },
        Some(4) => Service::Fpa { privileges },
        Some(5) => Service::Chat { user_id: s("user_id"), privileges },
        Some(7) => {
            let role = v["role"].as_i64().and_then(|r| i16::try_from(r).ok()).expect("i16 role");
            Service::Apaas { room_uuid: s("room_uuid"), user_uuid: s("user_uuid"), role, privileges }
        }
        other => panic!("no vector uses service type {other:?}"),
    }
}

fn check_007(v: &Value) {
    let (app, cert, expected) = (v.str_of("app_id"), v.str_of("app_certificate"), v.str_of("expected"));
    let services: Vec<Service> = v["services"].as_array().expect("services").iter().map(service).collect();
    let token = AccessToken2 {
        app_id: app.to_owned(),
        issue_ts: v.u32_of("issue_ts"),
        expire: v.u32_of("expire"),
        salt: v.u32_of("salt"),
        services,
    };

    // The payload always matches; the string only for C-zlib-compatible builders, and only when
    // this crate builds with the system zlib (the `zlib` feature).
    let payload = token.build_payload(cert).unwrap();
    assert_eq!(access_token2::decode_payload(expected).unwrap(), payload);
    let exact = match v.str_of("compressor") {
        "zlib" => true,
        "go" | "nodejs-zlib" => false,
        other => panic!("unknown compressor {other}"),
    };
    let built = token.build(cert).unwrap();
    assert_eq!(access_token2::decode_payload(&built).unwrap(), payload);
    if cfg!(feature = "zlib") {
        assert_eq!(built == expected, exact, "string equality vs compressor {}", v.str_of("compressor"));
    }

    let parsed = AccessToken2::parse(expected).unwrap();
    assert_eq!((&parsed.token, parsed.unknown_service_type), (&token, None));
    parsed.verify_signature(cert).unwrap();

    let rtm_user = token.services.iter().find_map(|s| match s {
        Service::Rtm { user_id, .. } => Some(user_id.as_str()),
        _ => None,
    });
    let forged = verify_login_token(expected, app, &wrong_cert(cert), rtm_user.unwrap_or("x"), NOW_ACCESS);
    assert_eq!(forged, Err(TokenError::BadSignature));

    let Some(user) = rtm_user else {
        let login = verify_login_token(expected, app, cert, "2882341273", NOW_ACCESS);
        assert_eq!(login, Err(TokenError::MissingPrivilege));
        return;
    };
    if v.str_of("kind") == "access_token2_007_rtm" {
        assert_eq!(v.str_of("user_id"), user);
        let quick =
            access_token2::build_rtm(app, cert, user, token.expire, token.issue_ts, token.salt).unwrap();
        assert_eq!(access_token2::decode_payload(&quick).unwrap(), payload);
    }
    let end = NOW_ACCESS + u64::from(token.expire);
    let ok = verify_login_token(expected, app, cert, user, NOW_ACCESS).unwrap();
    assert_eq!((ok.kind, ok.expires_at), (TokenKind::AccessToken2007, Some(end)));
    assert_eq!(verify_login_token(expected, app, cert, user, end + 1), Err(TokenError::Expired));
    assert_eq!(verify_login_token(expected, app, cert, "intruder", NOW_ACCESS), Err(TokenError::WrongUser));
}

#[test]
fn all_official_vectors() {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("reading {VECTORS}: {e}"));
    let vectors: Vec<Value> = serde_json::from_str(&text).expect("vector JSON");
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &vectors {
        let kind = v.str_of("kind");
        match kind {
            "signaling" => check_signaling(v),
            "access_token_006_rtm" => check_006(v, true),
            "access_token_006_generic" => check_006(v, false),
            "access_token2_007_rtm" | "access_token2_007_generic" => check_007(v),
            other => panic!("unknown vector kind {other}"),
        }
        *seen.entry(kind).or_default() += 1;
    }
    let expected_counts = BTreeMap::from([
        ("access_token2_007_generic", 6),
        ("access_token2_007_rtm", 3),
        ("access_token_006_generic", 4),
        ("access_token_006_rtm", 1),
        ("signaling", 2),
    ]);
    assert_eq!(seen, expected_counts);
    assert_eq!(seen.values().sum::<usize>(), 16);
}
