//! The token parsers and verifiers on arbitrary text and on changed valid tokens, and the
//! builders' tokens read back field for field.
//!
//! The checks and the mutations are those of the `tokens` fuzz target (`fuzz/src/token_checks.rs`
//! and `fuzz/src/mutate.rs`, shared with it), here driven by proptest.

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use sigshim::token::access_token::{AccessToken, PRIVILEGE_RTM_LOGIN};
use sigshim::token::access_token2::{AccessToken2, Service};
use sigshim::token::{TokenError, TokenKind, signaling, verify_login_token};

#[allow(dead_code, unreachable_pub)]
#[path = "../../fuzz/src/mutate.rs"]
mod mutate;
#[allow(dead_code, unreachable_pub)]
#[path = "../../fuzz/src/token_checks.rs"]
mod token_checks;

use token_checks::{ACCOUNT, APP_ID, CERT, NOW};

fn hex32() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{32}"
}

/// Short strings of any Unicode, or empty.
fn s() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9]{0,8}", ".{0,8}"]
}

fn privileges() -> impl Strategy<Value = BTreeMap<u16, u32>> {
    btree_map(any::<u16>(), any::<u32>(), 0..4)
}

fn service() -> impl Strategy<Value = Service> {
    let rtm2 =
        (s(), privileges(), btree_map(any::<u16>(), btree_map(any::<u16>(), vec(s(), 0..3), 0..3), 0..3))
            .prop_map(|(user_id, privileges, permissions)| Service::Rtm2 {
                user_id,
                privileges,
                permissions,
            });
    prop_oneof![
        (s(), s(), privileges()).prop_map(|(channel_name, uid, privileges)| Service::Rtc {
            channel_name,
            uid,
            privileges
        }),
        (s(), privileges()).prop_map(|(user_id, privileges)| Service::Rtm { user_id, privileges }),
        (s(), s(), privileges()).prop_map(|(channel_name, account, privileges)| Service::Streaming {
            channel_name,
            account,
            privileges
        }),
        privileges().prop_map(|privileges| Service::Fpa { privileges }),
        (s(), privileges()).prop_map(|(user_id, privileges)| Service::Chat { user_id, privileges }),
        (s(), s(), privileges()).prop_map(|(channel_name, account, privileges)| Service::FCdn {
            channel_name,
            account,
            privileges
        }),
        (s(), s(), any::<i16>(), privileges()).prop_map(|(room_uuid, user_uuid, role, privileges)| {
            Service::Apaas { room_uuid, user_uuid, role, privileges }
        }),
        rtm2,
        privileges().prop_map(|privileges| Service::ConvoAi { privileges }),
        privileges().prop_map(|privileges| Service::Stt { privileges }),
    ]
}

/// Text that starts like a token of some kind, then anything from the Base64 alphabet and `:`.
fn tokenish() -> impl Strategy<Value = String> {
    ("(1:|006|007|00|)", "[A-Za-z0-9+/=:]{0,120}").prop_map(|(prefix, body)| prefix + &body)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text, or text shaped like a token: nothing panics, and the verifiers agree.
    #[test]
    fn any_text_is_refused_or_verified_consistently(any in ".{0,80}", shaped in tokenish()) {
        token_checks::check_any(&any);
        token_checks::check_any(&shaped);
    }

    /// A valid token changed as text, in its encoded body, or in its signed content signed
    /// again: nothing panics, and a changed token that still verifies carries what the original
    /// carried.
    #[test]
    fn changed_tokens_never_verify_as_something_else(kind in 0usize..3, choices in vec(any::<u8>(), 1..24)) {
        let valid = token_checks::valid_tokens();
        let original = &valid[kind];
        token_checks::check_mutated(original, token_checks::mutate_token(original, &choices));
    }

    /// A 006 token reads back as it was built, verifies for its channel and uid, and builds
    /// again into the same text.
    #[test]
    fn access_tokens_read_back(
        app_id in hex32(), cert in hex32(), channel_name in s(), uid in s(),
        salt in any::<u32>(), ts in any::<u32>(), privileges in privileges(),
    ) {
        let token = AccessToken { app_id, channel_name, uid, salt, ts, privileges };
        let text = token.build(&cert).unwrap();
        let parsed = AccessToken::parse(&text).unwrap();
        prop_assert_eq!(&parsed.app_id, &token.app_id);
        prop_assert_eq!((parsed.salt, parsed.ts, &parsed.privileges), (token.salt, token.ts, &token.privileges));
        prop_assert_eq!(parsed.verify(&cert, &token.channel_name, &token.uid), Ok(()));
        let again = AccessToken { privileges: parsed.privileges.clone(), ..token.clone() }.build(&cert).unwrap();
        prop_assert_eq!(again, text);
    }

    /// A 007 token reads back as it was built (its services in type order), its signature
    /// checks, and it builds again into the same text.
    #[test]
    fn access_tokens2_read_back(
        app_id in hex32(), cert in hex32(), issue_ts in any::<u32>(), expire in any::<u32>(),
        salt in any::<u32>(), services in vec(service(), 1..4),
    ) {
        let token = AccessToken2 { app_id, issue_ts, expire, salt, services };
        let text = token.build(&cert).unwrap();
        let parsed = AccessToken2::parse(&text).unwrap();
        let mut sorted = token.services.clone();
        sorted.sort_by_key(Service::service_type);
        prop_assert_eq!(&parsed.token, &AccessToken2 { services: sorted, ..token.clone() });
        prop_assert_eq!(parsed.unknown_service_type, None);
        prop_assert_eq!(parsed.verify_signature(&cert), Ok(()));
        prop_assert_eq!(parsed.token.build(&cert).unwrap(), text);
    }

    /// An RTM login token of each kind verifies for its user until it expires, and for no one
    /// else.
    #[test]
    fn login_tokens_verify_for_their_user_only(user in "[a-zA-Z0-9_]{1,16}", valid_for in 0u32..100_000) {
        let now = NOW as u32;
        let tokens = [
            (TokenKind::Signaling, signaling::build(&user, APP_ID, CERT, NOW + u64::from(valid_for))),
            (
                TokenKind::AccessToken006,
                sigshim::token::access_token::build_rtm(APP_ID, CERT, &user, now + valid_for, 1, 0).unwrap(),
            ),
            (
                TokenKind::AccessToken2007,
                sigshim::token::access_token2::build_rtm(APP_ID, CERT, &user, valid_for, now, 1).unwrap(),
            ),
        ];
        let at = NOW + u64::from(valid_for);
        for (kind, token) in tokens {
            let ok = verify_login_token(&token, APP_ID, CERT, &user, at).unwrap();
            prop_assert_eq!((ok.kind, ok.expires_at), (kind, Some(at)));
            prop_assert_eq!(verify_login_token(&token, APP_ID, CERT, &user, at + 1), Err(TokenError::Expired));
            let other = format!("{user}x");
            prop_assert!(verify_login_token(&token, APP_ID, CERT, &other, NOW).is_err());
            token_checks::check_any(&token);
        }
    }
}

/// The valid tokens of the checks verify, and the re-signing of changed content makes the
/// builders' tokens (so the re-signed mutations reach the checks past the signature).
#[test]
fn the_checks_start_from_valid_tokens() {
    for token in token_checks::valid_tokens() {
        assert!(verify_login_token(&token, APP_ID, CERT, ACCOUNT, NOW).is_ok(), "{token}");
    }
    token_checks::check_signing_helpers();
    // A 006 token without the login privilege, re-signed, is refused for that reason.
    let token = AccessToken {
        app_id: APP_ID.into(),
        channel_name: ACCOUNT.into(),
        uid: String::new(),
        salt: 1,
        ts: 0,
        privileges: BTreeMap::from([(PRIVILEGE_RTM_LOGIN + 1, 0)]),
    }
    .build(CERT)
    .unwrap();
    assert_eq!(verify_login_token(&token, APP_ID, CERT, ACCOUNT, NOW), Err(TokenError::MissingPrivilege));
}
