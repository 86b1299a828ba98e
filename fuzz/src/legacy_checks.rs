//! What the legacy endpoint's frame reader must do with any text: checked here for the
//! `legacy_frame` fuzz target, and by the proptest cases of `legacy_api/src/endpoint/fuzz_tests.rs`,
//! which include this file with `#[path]` beside the reader's own modules (`super::args` and
//! `super::frames` in both places).

use super::args::Arg;
use super::frames::{ClientFrame, parse};

/// Reads `text` as a client frame of the legacy endpoint. It never panics; a frame it takes is a
/// JSON object with the members it reports, and one it refuses says why, with the `id` of the
/// frame when it had one. (Arguments that are neither strings nor numbers are skipped without
/// being decoded, so a frame with one nested past serde_json's depth limit, or holding a number
/// out of range or an unpaired surrogate escape, is taken too: such a frame is checked to be
/// JSON and not to panic.)
pub fn check_legacy_frame(text: &str) {
    let parsed = parse(text);
    if parsed.is_ok() {
        // JSON as a reader that skips values sees it: its syntax, whatever the values hold.
        let syntax = serde_json::from_str::<serde::de::IgnoredAny>(text);
        assert!(syntax.is_ok(), "{text:?} is read though it is no JSON: {syntax:?}");
    }
    // Arguments that are neither strings nor numbers are skipped without being decoded: to any
    // depth, with numbers out of range or unpaired surrogate escapes, all of which a `Value`
    // refuses. Such an argument fails every call's checks (`BadArgs`); with no `Value` to
    // compare with, the frame is checked only not to panic.
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        if let Err(bad) = parsed {
            assert!(!bad.detail.is_empty(), "{text:?}");
        }
        return;
    };
    let member = |key: &str| value.get(key);
    match parsed {
        Ok(ClientFrame::Call { name, args, id }) => {
            assert_eq!(member("call").and_then(|v| v.as_str()), Some(&*name), "{text:?}");
            assert_eq!(id, member("id").and_then(serde_json::Value::as_u64), "{text:?}");
            let written = member("args").and_then(|v| v.as_array()).map_or(0, Vec::len);
            assert_eq!(args.len(), written, "{text:?}");
            for (arg, v) in args.iter().zip(member("args").and_then(|v| v.as_array()).into_iter().flatten()) {
                match arg {
                    Arg::Str(s) => assert_eq!(v.as_str(), Some(&**s), "{text:?}"),
                    Arg::Unsigned(n) => assert_eq!(v.as_u64(), Some(*n), "{text:?}"),
                    Arg::Signed(n) => assert!(v.as_i64() == Some(*n) && *n < 0, "{text:?}"),
                    Arg::Other => assert!(!v.is_string() && !v.is_u64() && !v.is_i64(), "{text:?}"),
                }
            }
        }
        Ok(ClientFrame::Ack(seq)) => {
            assert_eq!(member("ack").and_then(|v| v.as_u64()), Some(seq), "{text:?}")
        }
        Ok(ClientFrame::Resume { ticket, last_seq, token }) => {
            assert_eq!(member("resume").and_then(|v| v.as_str()), Some(&*ticket), "{text:?}");
            assert_eq!(member("last_seq").and_then(|v| v.as_u64()).unwrap_or(0), last_seq, "{text:?}");
            assert_eq!(member("token").and_then(|v| v.as_str()), token.as_deref(), "{text:?}");
        }
        Err(bad) => {
            assert!(!bad.detail.is_empty(), "{text:?}");
            if let Some(id) = bad.id {
                assert_eq!(member("id").and_then(|v| v.as_u64()), Some(id), "{text:?}");
            }
        }
    }
}
