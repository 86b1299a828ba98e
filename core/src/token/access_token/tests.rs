//! Unit tests for AccessToken 006: hostile input and policy checks.

use super::*;

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const OTHER_CERT: &str = "00000000000000000000000000000000";

fn rtm(priv_ts: u32, ts: u32) -> String {
    build_rtm(APP_ID, CERT, "test_user", priv_ts, 1, ts).unwrap()
}

fn err(token: &str, cert: &str, account: &str, now: u64) -> TokenError {
    verify_rtm(token, APP_ID, cert, account, now).unwrap_err()
}

#[test]
fn expiry_policy() {
    let ok = |t: &str| verify_rtm(t, APP_ID, CERT, "test_user", 100).unwrap().expires_at;
    assert_eq!(ok(&rtm(500, 400)), Some(400));
    assert_eq!(ok(&rtm(300, 400)), Some(300));
    assert_eq!(ok(&rtm(0, 400)), Some(400));
    assert_eq!(ok(&rtm(500, 0)), Some(500));
    assert_eq!(ok(&rtm(0, 0)), None);
    assert_eq!(err(&rtm(500, 400), CERT, "test_user", 401), TokenError::Expired);
}

#[test]
fn rejections() {
    let t = rtm(500, 400);
    assert_eq!(err(&t, OTHER_CERT, "test_user", 0), TokenError::BadSignature);
    assert_eq!(err(&t, CERT, "other_user", 0), TokenError::WrongUser);
    let lower = APP_ID.to_ascii_lowercase();
    assert_eq!(verify_rtm(&t, &lower, CERT, "test_user", 0), Err(TokenError::WrongAppId));

    let rtc = AccessToken {
        app_id: APP_ID.into(),
        channel_name: "test_user".into(),
        privileges: BTreeMap::from([(PRIVILEGE_JOIN_CHANNEL, 500)]),
        ..AccessToken::default()
    };
    let rtc = rtc.build(CERT).unwrap();
    assert_eq!(err(&rtc, CERT, "test_user", 0), TokenError::MissingPrivilege);
}

#[test]
fn tampered_message_fails_signature() {
    let t = rtm(500, 400);
    let mut content = BASE64.decode(&t[35..]).unwrap();
    let last = content.len() - 1;
    content[last] ^= 1; // flips a bit of the privilege expiry
    let forged = format!("006{APP_ID}{}", BASE64.encode(content));
    assert_eq!(err(&forged, CERT, "test_user", 0), TokenError::BadSignature);
}

#[test]
fn malformed_inputs() {
    let t = rtm(500, 400);
    let content = BASE64.decode(&t[35..]).unwrap();
    let cases = [
        "006".to_owned(),
        t[..34].to_owned(),
        t[..t.len() - 4].to_owned(),
        format!("{t}AAAA"),
        format!("006{APP_ID}!!!!"),
        format!("006{APP_ID} {}", &t[35..]),
        format!("006{}{}", "é".repeat(16), &t[35..]),
        format!("006{APP_ID}{}", BASE64.encode(&content[..content.len() - 1])),
        format!("006{APP_ID}{}", BASE64.encode([&content[..], &[0]].concat())),
        format!("006{APP_ID}{}", "A".repeat(MAX_TOKEN_LEN)),
    ];
    for case in cases {
        assert_eq!(AccessToken::parse(&case), Err(TokenError::Malformed), "{case:.80}");
        assert_eq!(err(&case, CERT, "test_user", 0), TokenError::Malformed);
    }
}

#[test]
fn builder_validates_input() {
    assert_eq!(build_rtm("short", CERT, "u", 1, 1, 1), Err(TokenError::InvalidInput));
    assert_eq!(build_rtm(APP_ID, "short", "u", 1, 1, 1), Err(TokenError::InvalidInput));
    let huge = AccessToken {
        app_id: APP_ID.into(),
        privileges: (0..=u16::MAX).map(|k| (k, 0)).collect(),
        ..AccessToken::default()
    };
    assert_eq!(huge.build(CERT), Err(TokenError::InvalidInput));
    let now = build_rtm_now(APP_ID, CERT, "u", 60).unwrap();
    assert!(verify_rtm(&now, APP_ID, CERT, "u", unix_now()).is_ok());
}
