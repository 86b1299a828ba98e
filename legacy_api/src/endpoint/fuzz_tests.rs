//! The endpoint's frame reader and call checks on arbitrary text, on generated call frames of
//! every legacy call, and on mutations of them.
//!
//! - Reading a frame never panics: it is a call, an acknowledgement or a resume with the members
//!   the text has, or a `BadFrame` that says why (with the frame's `id` when it had one).
//! - Checking a call's arguments never panics: a call frame is made (here on a destroyed
//!   instance, which ignores it), or refused with the right `CallError` kind: `Unknown` exactly
//!   for the names no call has, `LoginAgain` exactly for the logins, else `BadArgs`.
//! - Every call with arguments of its types is made; with one argument less, or one of the wrong
//!   type, it is refused as `BadArgs`.
//!
//! The frame checks and the mutations are those of the `legacy_frame` fuzz target
//! (`fuzz/src/legacy_checks.rs`, `fuzz/src/mutate.rs`), shared with it.

use std::sync::{Arc, OnceLock};

use proptest::collection::vec;
use proptest::prelude::*;

use super::args::Arg;
use super::calls::{self, Args, CallError, Login, is_login};
use super::frames::{self, ClientFrame};
use crate::Signaling;
// `legacy_checks.rs` reads the frames through `super::args` and `super::frames`, as in the
// fuzz crate.
use super::args;

#[allow(dead_code, unreachable_pub)]
#[path = "../../../fuzz/src/legacy_checks.rs"]
mod legacy_checks;
#[allow(dead_code, unreachable_pub)]
#[path = "../../../fuzz/src/mutate.rs"]
mod mutate;

/// An argument's type.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    /// A string.
    S,
    /// An integer from 0 to `u32::MAX`.
    U,
    /// A 32-bit integer.
    I,
}

use Ty::{I, S, U};

/// Every legacy call the endpoint takes, with its arguments (calls.rs).
const CALLS: &[(&str, &[Ty])] = &[
    ("login", &[S, S, S, U, S]),
    ("login2", &[S, S, S, U, S, I, I]),
    ("logout", &[]),
    ("destroy", &[]),
    ("getStatus", &[]),
    ("isOnline", &[]),
    ("getSdkVersion", &[]),
    ("ping", &[]),
    ("start", &[]),
    ("stop", &[]),
    ("setBackground", &[U]),
    ("setNetworkStatus", &[U]),
    ("dbg", &[S, S]),
    ("messageInstantSend", &[S, U, S, S]),
    ("messageInstantSend2", &[S, U, S, S, S]),
    ("queryUserStatus", &[S]),
    ("setAttr", &[S, S]),
    ("getAttr", &[S]),
    ("getAttrAll", &[]),
    ("getUserAttr", &[S, S]),
    ("getUserAttrAll", &[S]),
    ("invoke", &[S, S, S]),
    ("bc_call", &[S, S, S]),
    ("channelJoin", &[S]),
    ("channelLeave", &[S]),
    ("messageChannelSend", &[S, S, S]),
    ("messageChannelSendForce", &[S, S, S]),
    ("messageChannelSend2", &[S, S, S, S]),
    ("channelQueryUserNum", &[S]),
    ("channelQueryUserIsIn", &[S, S]),
    ("channelSetAttr", &[S, S, S]),
    ("channelDelAttr", &[S, S]),
    ("channelClearAttr", &[S]),
    ("channelInviteUser", &[S, S, U]),
    ("channelInviteUser2", &[S, S, S]),
    ("channelInviteAccept", &[S, S, U, S]),
    ("channelInviteRefuse", &[S, S, U, S]),
    ("channelInviteEnd", &[S, S, U, S]),
    ("channelInviteEnd", &[S, S, U]),
    ("channelInviteDTMF", &[S, S, S]),
    ("channelInvitePhone", &[S, S, U]),
    ("channelInvitePhone2", &[S, S, S]),
    ("channelInvitePhone3", &[S, S, S, S]),
    ("messageAppSend", &[S, S]),
    ("messagePushSend", &[S, U, S, S]),
    ("messageChatSend", &[S, U, S, S]),
    ("messageDTMFSend", &[U, S, S]),
];

/// One destroyed instance: it takes every call and ignores it, so only the checks run.
fn instance() -> &'static Arc<Signaling> {
    static INSTANCE: OnceLock<Arc<Signaling>> = OnceLock::new();
    INSTANCE.get_or_init(|| {
        let sig = Signaling::create_instance("fuzz-tests");
        sig.destroy();
        sig
    })
}

/// The outcome of the call checks for call `name` with `args`, checked against the kinds.
fn call(name: &str, args: &[Arg<'_>]) -> Result<(), CallError> {
    let a = Args::new(name, args);
    let known = CALLS.iter().any(|(n, _)| *n == name);
    let made = calls::call(instance(), name, &a);
    match &made {
        Ok(_) => assert!(known && !is_login(name), "{name}"),
        Err(CallError::Unknown(n)) => assert!(!known && n == name, "{name}"),
        Err(CallError::LoginAgain(n)) => assert!(is_login(name) && n == name, "{name}"),
        Err(CallError::BadArgs(detail)) => assert!(known && !is_login(name) && !detail.is_empty(), "{name}"),
    }
    if !is_login(name) {
        return made.map(drop);
    }
    match Login::parse(name, &a) {
        Ok(_) => Ok(()),
        Err(e) => {
            assert!(matches!(e, CallError::BadArgs(_)), "{name}: {e}");
            Err(e)
        }
    }
}

/// Reads `text` as the endpoint does, and makes the call it holds.
fn check(text: &str) {
    legacy_checks::check_legacy_frame(text);
    if let Ok(ClientFrame::Call { name, args, .. }) = frames::parse(text) {
        let _ = call(&name, &args);
    }
}

/// A value of type `ty` (any value the type allows, the edges more often).
fn value(ty: Ty) -> BoxedStrategy<serde_json::Value> {
    match ty {
        S => prop_oneof![".{0,8}", Just(String::new()), Just("{\"offline\":true}".to_owned())]
            .prop_map(serde_json::Value::from)
            .boxed(),
        U => prop_oneof![any::<u32>(), Just(0), Just(u32::MAX)].prop_map(serde_json::Value::from).boxed(),
        I => prop_oneof![any::<i32>(), Just(i32::MIN), Just(i32::MAX)]
            .prop_map(serde_json::Value::from)
            .boxed(),
    }
}

/// A call frame of any legacy call with arguments of its types, its name, and its arguments.
fn call_frame() -> impl Strategy<Value = (String, &'static str, Vec<serde_json::Value>)> {
    prop::sample::select(CALLS).prop_flat_map(|(name, tys)| {
        let args: Vec<_> = tys.iter().map(|&ty| value(ty)).collect();
        (args, proptest::option::of(any::<u64>()), any::<bool>()).prop_map(move |(args, id, args_first)| {
            let mut members = vec![("call", serde_json::Value::from(name))];
            let list = ("args", serde_json::Value::from(args.clone()));
            if args_first {
                members.insert(0, list)
            } else {
                members.push(list)
            }
            members.extend(id.map(|id| ("id", serde_json::Value::from(id))));
            let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            (format!("{{{}}}", body.join(",")), name, args)
        })
    })
}

fn as_arg(v: &serde_json::Value) -> Arg<'_> {
    match v {
        serde_json::Value::String(s) => Arg::Str(s.as_str().into()),
        v => v.as_u64().map_or_else(|| Arg::Signed(v.as_i64().expect("an integer")), Arg::Unsigned),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every call with arguments of its types reads as written and is made; its mutations read
    /// and check without a panic.
    #[test]
    fn call_frames_are_made_and_their_mutations_refused_cleanly(
        (text, name, values) in call_frame(),
        choices in vec(any::<u8>(), 0..24),
    ) {
        let Ok(ClientFrame::Call { name: read, args, .. }) = frames::parse(&text) else {
            panic!("{text} is not read as a call");
        };
        prop_assert_eq!(&read, name);
        let expected: Vec<Arg<'_>> = values.iter().map(as_arg).collect();
        prop_assert_eq!(&args, &expected);
        prop_assert_eq!(call(name, &args), Ok(()), "{}", text);
        check(&text);
        check(&mutate::mutate_json(&text, &choices));
    }

    /// A call with an argument less, or with one of the wrong type, is refused as `BadArgs`.
    #[test]
    fn wrong_arguments_are_refused((text, name, mut values) in call_frame(), pick in any::<usize>(), drop_one in any::<bool>()) {
        if values.is_empty() {
            values.push(serde_json::Value::from("extra"));
        } else if drop_one {
            // Without its fourth argument, an invitation's end is the three-argument call.
            prop_assume!(!(name == "channelInviteEnd" && values.len() == 4 && pick % 4 == 3));
            values.remove(pick % values.len());
        } else {
            let i = pick % values.len();
            values[i] = if values[i].is_string() { serde_json::Value::from(1) } else { serde_json::Value::from("1") };
        }
        let args: Vec<Arg<'_>> = values.iter().map(as_arg).collect();
        prop_assert!(matches!(call(name, &args), Err(CallError::BadArgs(_))), "{} with {:?}", text, values);
    }

    /// Any text, and text made of JSON's characters and the frames' names, reads and checks
    /// without a panic.
    #[test]
    fn any_text_is_read_or_refused_cleanly(any in ".{0,64}", pieces in vec(prop::sample::select(vec![
        "{", "}", "[", "]", ":", ",", "\"", "\\u0000", "\\ud83d\\ude00", " ", "0", "-1", "1.5", "1e400",
        "18446744073709551616", "null", "true", "\"call\"", "\"args\"", "\"id\"", "\"ack\"", "\"resume\"",
        "\"last_seq\"", "\"login\"", "\"channelJoin\"", "\"channelInviteEnd\"", "\"x\"",
    ]), 0..24)) {
        check(&any);
        check(&pieces.concat());
    }
}

/// The check refuses what it must: an unknown call, and a login after the first frame.
#[test]
fn the_call_check_tells_the_kinds_apart() {
    assert!(matches!(call("noSuchCall", &[]), Err(CallError::Unknown(_))));
    let login = [
        Arg::Str("app".into()),
        Arg::Str("a".into()),
        Arg::Str("t".into()),
        Arg::Unsigned(0),
        Arg::Str("".into()),
    ];
    assert_eq!(call("login", &login), Ok(()));
    assert!(matches!(
        calls::call(instance(), "login", &Args::new("login", &login)),
        Err(CallError::LoginAgain(_))
    ));
    assert!(matches!(call("channelJoin", &[Arg::Other]), Err(CallError::BadArgs(_))));
    assert_eq!(call("channelJoin", &[Arg::Str("room".into())]), Ok(()));
}
