//! The frames of the legacy endpoint (docs/LEGACY-PROTOCOL.md): what a client sends, and the
//! text of what the server sends.

use std::io::Write as _;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::args::Arg;

/// A frame from the client, borrowing from its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ClientFrame<'a> {
    /// A legacy call by name.
    Call { name: Cow<'a, str>, args: Vec<Arg<'a>>, id: Option<u64> },
    /// Acknowledges every frame up to `seq`.
    Ack(u64),
    /// Resumes a session (a connection's first frame), with a token of its account when the
    /// server checks tokens.
    Resume { ticket: String, last_seq: u64, token: Option<String> },
}

/// The kinds of error frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorKind {
    BadFrame,
    UnknownCall,
    BadArgs,
    LoginExpected,
    AlreadyLoggedIn,
    UnknownSession,
    SessionBusy,
}

/// A frame that is not one of the client's frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadFrame {
    /// The call's `id`, when the frame had one.
    pub(crate) id: Option<u64>,
    pub(crate) detail: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw<'a> {
    #[serde(borrow)]
    call: Option<Cow<'a, str>>,
    #[serde(borrow)]
    args: Option<Vec<Arg<'a>>>,
    id: Option<u64>,
    ack: Option<u64>,
    resume: Option<String>,
    last_seq: Option<u64>,
    token: Option<String>,
}

/// Reads one client frame.
pub(crate) fn parse(text: &str) -> Result<ClientFrame<'_>, BadFrame> {
    let raw: Raw<'_> =
        serde_json::from_str(text).map_err(|e| BadFrame { id: None, detail: e.to_string() })?;
    let bad = |id, detail: &str| Err(BadFrame { id, detail: detail.to_owned() });
    match raw {
        Raw { call: Some(name), args, id, ack: None, resume: None, last_seq: None, token: None } => {
            Ok(ClientFrame::Call { name, args: args.unwrap_or_default(), id })
        }
        Raw {
            call: None,
            args: None,
            id: None,
            ack: Some(seq),
            resume: None,
            last_seq: None,
            token: None,
        } => Ok(ClientFrame::Ack(seq)),
        Raw { call: None, args: None, id: None, ack: None, resume: Some(ticket), last_seq, token } => {
            Ok(ClientFrame::Resume { ticket, last_seq: last_seq.unwrap_or(0), token })
        }
        Raw { id, .. } => bad(id, "a frame is a call, an acknowledgement or a resume, one at a time"),
    }
}

/// The answer to a connection's first frame.
pub(crate) fn session_text(ticket: &str, resumed: bool, window: usize, max_frame: usize) -> String {
    #[derive(Serialize)]
    struct Session<'a> {
        session: &'a str,
        resumed: bool,
        window: usize,
        max_frame: usize,
    }
    serde_json::to_string(&Session { session: ticket, resumed, window, max_frame }).unwrap_or_default()
}

/// An error frame.
pub(crate) fn error_text(kind: ErrorKind, id: Option<u64>, detail: &str) -> String {
    #[derive(Serialize)]
    struct Error<'a> {
        error: ErrorKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        detail: &'a str,
    }
    serde_json::to_string(&Error { error: kind, id, detail }).unwrap_or_default()
}

/// A callback frame: its `seq`, the callback's name and its arguments (a tuple or slice,
/// serialized as a JSON array), written once into a buffer of about `hint` bytes beyond the
/// frame's fixed part.
pub(crate) fn callback_frame(seq: u64, name: &str, args: &impl Serialize, hint: usize) -> String {
    let mut buf = Vec::with_capacity(48 + name.len() + hint);
    let _ = write!(buf, "{{\"seq\":{seq},\"cb\":\"{name}\",\"args\":");
    // Strings and integers into memory: serializing cannot fail.
    let _ = serde_json::to_writer(&mut buf, args);
    buf.push(b'}');
    String::from_utf8(buf).unwrap_or_default()
}

/// A `done` frame.
pub(crate) fn done_frame(seq: u64, id: u64, ret: Option<i32>) -> String {
    match ret {
        Some(v) => format!("{{\"seq\":{seq},\"done\":{id},\"ret\":{v}}}"),
        None => format!("{{\"seq\":{seq},\"done\":{id},\"ret\":null}}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn the_three_client_frames_parse_and_anything_else_is_refused() {
        let call = parse(r#"{"call":"channelJoin","args":["lobby"],"id":7}"#).unwrap();
        let lobby = Arg::Str("lobby".into());
        assert_eq!(call, ClientFrame::Call { name: "channelJoin".into(), args: vec![lobby], id: Some(7) });
        let bare = parse(r#"{"call":"logout"}"#).unwrap();
        assert_eq!(bare, ClientFrame::Call { name: "logout".into(), args: vec![], id: None });
        assert_eq!(parse(r#"{"ack":9}"#).unwrap(), ClientFrame::Ack(9));
        assert_eq!(
            parse(r#"{"resume":"1.2","last_seq":4}"#).unwrap(),
            ClientFrame::Resume { ticket: "1.2".into(), last_seq: 4, token: None }
        );
        assert_eq!(
            parse(r#"{"resume":"1.2","last_seq":4,"token":"007x"}"#).unwrap(),
            ClientFrame::Resume { ticket: "1.2".into(), last_seq: 4, token: Some("007x".into()) }
        );
        assert_eq!(parse(r#"{"call":"logout","token":"007x","id":6}"#).unwrap_err().id, Some(6));
        assert_eq!(parse(r#"{"call":"logout","ack":3,"id":5}"#).unwrap_err().id, Some(5));
        for bad in [
            "",
            "[]",
            "7",
            "{}",
            r#"{"call":3}"#,
            r#"{"cal":"x"}"#,
            r#"{"ack":-1}"#,
            r#"{"call":"x","args":{}}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn server_frames_are_the_documented_json() {
        let cb = callback_frame(4, "onMessageInstantReceive", &("bob", 7u32, "hi \"you\""), 0);
        let v: Value = serde_json::from_str(&cb).unwrap();
        assert_eq!(v, json!({"seq":4,"cb":"onMessageInstantReceive","args":["bob",7,"hi \"you\""]}));
        let list = callback_frame(5, "onChannelUserList", &(["a", "b"], [1u32, 2]), 1000);
        let v: Value = serde_json::from_str(&list).unwrap();
        assert_eq!(v, json!({"seq":5,"cb":"onChannelUserList","args":[["a","b"],[1,2]]}));
        let done: Value = serde_json::from_str(&done_frame(6, 3, Some(2))).unwrap();
        assert_eq!(done, json!({"seq":6,"done":3,"ret":2}));
        let done: Value = serde_json::from_str(&done_frame(7, 4, None)).unwrap();
        assert_eq!(done, json!({"seq":7,"done":4,"ret":null}));
        let err: Value = serde_json::from_str(&error_text(ErrorKind::BadArgs, Some(1), "x")).unwrap();
        assert_eq!(err, json!({"error":"bad_args","id":1,"detail":"x"}));
        let err: Value = serde_json::from_str(&error_text(ErrorKind::LoginExpected, None, "y")).unwrap();
        assert_eq!(err, json!({"error":"login_expected","detail":"y"}));
        let hello: Value = serde_json::from_str(&session_text("1.2", true, 8, 9)).unwrap();
        assert_eq!(hello, json!({"session":"1.2","resumed":true,"window":8,"max_frame":9}));
    }
}
