//! The network encoding: one JSON object per WebSocket text frame.
//!
//! A client opens with a [`Hello`] (login or resume), then sends [`RequestFrame`]s, each with an
//! `id` that its [`ReplyFrame`] echoes, and acknowledges received events with [`Control::Ack`].
//! The server pushes [`EventFrame`]s numbered by `seq`; after a broken link a client resumes its
//! session and the server replays every event after the last one acknowledged. Protocol
//! violations are answered with an [`ErrorFrame`] or a close code from [`close`]. `docs/PROTOCOL.md`
//! describes every frame with examples.

use serde::{Deserialize, Serialize};

use super::{Event, Reply, Request};
use crate::limits::Profile;

/// The most bytes of JSON one byte of a string becomes: a control character is written as
/// `\u00XX`. (Other bytes take one or two; text beyond ASCII is written as it is.)
pub const MAX_ESCAPED_BYTES_PER_BYTE: usize = 6;

/// What a frame holds besides its largest strings, at most: the members' names, IDs, numbers,
/// and the per-item members of the largest lists of attributes.
pub const FRAME_ENVELOPE_BYTES: usize = 16 * 1024;

/// The frame size that carries any request or event whose strings hold at most
/// `max_message_bytes` (a message of that size, or a set of attributes) however they escape:
/// six times the message size plus [`FRAME_ENVELOPE_BYTES`]. The size rules are on messages, not
/// on their encoding: a server whose frames are smaller refuses some messages that are within
/// the rules by cutting the link (1009) instead of answering their size code.
pub const fn frame_bytes_for(max_message_bytes: usize) -> usize {
    MAX_ESCAPED_BYTES_PER_BYTE * max_message_bytes + FRAME_ENVELOPE_BYTES
}

/// The largest frame a server reads unless configured otherwise, and the largest a client reads
/// by default: [`frame_bytes_for`] the default message size limit (32 KiB), 208 KiB. Clients
/// keep their frames within it until the server states its own limit at login.
pub const DEFAULT_MAX_FRAME_BYTES: usize = frame_bytes_for(crate::limits::DEFAULT_MAX_MESSAGE_BYTES);

/// The first frame of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Hello {
    /// Start a session.
    Login {
        /// Correlation id echoed by the reply (default 0).
        #[serde(default)]
        id: u64,
        /// The app ID.
        app_id: String,
        /// The user ID.
        user_id: String,
        /// The token, when the server requires one.
        #[serde(default)]
        token: Option<String>,
        /// The limits profile (`"rtm"` when absent).
        #[serde(default, skip_serializing_if = "Profile::is_rtm")]
        profile: Profile,
    },
    /// Take over a session whose link broke.
    Resume {
        /// Correlation id echoed by the reply (default 0).
        #[serde(default)]
        id: u64,
        /// The ticket from the `logged_in` reply.
        session: String,
        /// The last event `seq` the client received.
        #[serde(default)]
        last_seq: u64,
        /// A valid token of the session's user (the login's or a renewed one), when the server
        /// checks tokens: a ticket alone does not resume a session there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
}

impl Hello {
    /// The correlation id.
    pub fn id(&self) -> u64 {
        match self {
            Hello::Login { id, .. } | Hello::Resume { id, .. } => *id,
        }
    }
}

/// A request with its correlation id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFrame {
    /// Echoed by the reply.
    pub id: u64,
    /// The request (its `op` and fields sit beside `id`).
    #[serde(flatten)]
    pub request: Request,
}

/// Connection-level frames from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Control {
    /// Every event up to and including `seq` arrived; the server may forget them.
    Ack {
        /// The highest received `seq`.
        seq: u64,
    },
}

/// Anything a client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// Login or resume.
    Hello(Hello),
    /// A request.
    Request(RequestFrame),
    /// An acknowledgement.
    Control(Control),
}

/// A frame that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid frame: {0}")]
pub struct FrameError(pub String);

/// What can be read of a frame that is not a client frame, to answer it: its `id` and `op`
/// when it has them (of the right types), and what is wrong with it, read as the frame its `op`
/// names (a malformed login is told what its login lacks, not that it is no request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameFault {
    /// The frame's `id`, when it has one that is an unsigned integer.
    pub id: Option<u64>,
    /// The frame's `op`, when it has one that is a string.
    pub op: Option<String>,
    /// What is wrong with it.
    pub detail: String,
}

impl std::fmt::Display for FrameFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.op {
            Some(op) => write!(f, "{op}: {}", self.detail),
            None => f.write_str(&self.detail),
        }
    }
}

/// Reads what it can of `text`, a frame [`parse_client`] refused (a slow path: refused frames
/// are few, and a connection sends only so many).
pub fn frame_fault(text: &str) -> FrameFault {
    /// The members that say what a frame is; the rest is skipped.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        id: Option<serde_json::Value>,
        #[serde(default)]
        op: Option<serde_json::Value>,
    }
    // An object only: a derived reader would also take the members of a struct from an array.
    let object = text.trim_start().starts_with('{');
    let head = object.then(|| serde_json::from_str::<Head>(text).ok()).flatten();
    let (id, op) = head.map_or((None, None), |h| {
        (h.id.and_then(|v| v.as_u64()), h.op.and_then(|v| v.as_str().map(str::to_owned)))
    });
    let error = match op.as_deref() {
        Some("login" | "resume") => serde_json::from_str::<Hello>(text).err(),
        Some("ack") => serde_json::from_str::<Control>(text).err(),
        _ => serde_json::from_str::<RequestFrame>(text).err(),
    };
    let detail = error.map_or_else(|| "not a frame of this connection".to_owned(), |e| e.to_string());
    FrameFault { id, op, detail }
}

/// Parses one client frame. Message requests, the bulk of the traffic, are read directly;
/// other requests, the next most common case, are tried before the rest.
pub fn parse_client(text: &str) -> Result<ClientFrame, FrameError> {
    if let Some(r) = super::hot::request(text) {
        return Ok(ClientFrame::Request(r));
    }
    match serde_json::from_str::<RequestFrame>(text) {
        Ok(r) => Ok(ClientFrame::Request(r)),
        Err(request_error) => {
            if let Ok(c) = serde_json::from_str::<Control>(text) {
                return Ok(ClientFrame::Control(c));
            }
            if let Ok(h) = serde_json::from_str::<Hello>(text) {
                return Ok(ClientFrame::Hello(h));
            }
            Err(FrameError(request_error.to_string()))
        }
    }
}

/// The answer to one request (or to the hello).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyFrame {
    /// The request's id.
    pub id: u64,
    /// The reply (its `reply` tag and fields sit beside `id`).
    #[serde(flatten)]
    pub reply: Reply,
}

/// A pushed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFrame {
    /// Position in the session's event sequence (from 1); 0 for the final `kicked` notice, which
    /// is not replayed.
    #[serde(default)]
    pub seq: u64,
    /// The event (its `event` tag and fields sit beside `seq`).
    #[serde(flatten)]
    pub event: Event,
}

/// An [`EventFrame`] that borrows its event, for encoding without a copy (same JSON).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EventFrameRef<'a> {
    /// As in [`EventFrame::seq`].
    pub seq: u64,
    /// The event.
    #[serde(flatten)]
    pub event: &'a Event,
}

/// What went wrong with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolError {
    /// Not JSON, an unknown `op`, or fields of the wrong type.
    BadFrame,
    /// A request before a successful login.
    NotLoggedIn,
    /// A second hello on a logged-in connection.
    AlreadyLoggedIn,
    /// The resume ticket is unknown or its session has ended.
    UnknownSession,
    /// The session is still held by another connection that did not let go in time; try the
    /// resume again.
    SessionBusy,
}

/// A protocol error; the connection stays open unless a close frame follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFrame {
    /// The kind.
    pub error: ProtocolError,
    /// The `id` of the frame it answers, when that frame had one that could be read: the
    /// answer to that request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// A human-readable explanation.
    pub detail: String,
}

/// Anything the server sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerFrame {
    /// A reply.
    Reply(ReplyFrame),
    /// An event.
    Event(EventFrame),
    /// A protocol error.
    Error(ErrorFrame),
}

/// Parses one server frame: as an event, else as a reply, else as an error frame. Message events
/// and their replies are read directly. A frame with no `event` member cannot be an event, so
/// replies (most of the rest) skip the event reader; the direct reply reader refuses any frame
/// with a member it does not know, `event` included, so a frame that is both stays an event.
pub fn parse_server(text: &str) -> Result<ServerFrame, FrameError> {
    if let Some(e) = super::hot::event(text) {
        return Ok(ServerFrame::Event(e));
    }
    if may_have_event(text)
        && let Ok(e) = serde_json::from_str::<EventFrame>(text)
    {
        return Ok(ServerFrame::Event(e));
    }
    if let Some(r) = super::hot::reply(text) {
        return Ok(ServerFrame::Reply(r));
    }
    if let Ok(r) = serde_json::from_str::<ReplyFrame>(text) {
        return Ok(ServerFrame::Reply(r));
    }
    serde_json::from_str::<ErrorFrame>(text).map(ServerFrame::Error).map_err(|e| FrameError(e.to_string()))
}

/// False only when no member of the frame can be named `event`: the name appears nowhere, and
/// there is no `\u` escape that could spell it (`"ev\u0065nt"`). Whitespace before the colon
/// does not matter, as the colon is not part of the test.
fn may_have_event(text: &str) -> bool {
    text.contains("\"event\"") || text.contains("\\u")
}

/// WebSocket close codes the server uses.
pub mod close {
    /// The session ended normally (logout).
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame that breaks the WebSocket protocol itself (RFC 6455): reserved bits set, an
    /// unmasked frame, an unknown opcode, a continuation with nothing to continue, a fragmented
    /// or oversized control frame.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A binary frame: only text frames are accepted.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// A text frame that is not valid UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// No valid hello in time, or too many bad frames.
    pub const POLICY: u16 = 1008;
    /// A frame larger than the server's limit.
    pub const TOO_BIG: u16 = 1009;
    /// The hub ended the session (the preceding `kicked` event says why).
    pub const KICKED: u16 = 4000;
    /// Nothing heard from the client within the idle timeout.
    pub const IDLE: u16 = 4001;
    /// The server dropped the session's link (operator action).
    pub const DROPPED: u16 = 4002;
    /// Reserved for a client that stops acknowledging events. Not sent today: at
    /// `ServerConfig::max_unacked` the server stops sending, the session's inbox fills and
    /// further pushes are refused (and counted).
    pub const SLOW_CONSUMER: u16 = 4008;
}

/// An event's JSON, made on first use and shared by every connection the event goes to (a
/// channel message fanned out to many members is encoded once). Not part of the event's value:
/// equal to every other, cloned empty.
#[derive(Default)]
pub struct EncodedOnce(std::sync::OnceLock<Box<str>>);

impl EncodedOnce {
    /// The JSON of `event`, made now if not yet.
    pub fn get_or_encode(&self, event: &Event) -> Option<&str> {
        if self.0.get().is_none() {
            let json = serde_json::to_string(event).ok()?;
            let _ = self.0.set(json.into_boxed_str());
        }
        self.0.get().map(|s| &**s)
    }
}

impl Clone for EncodedOnce {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for EncodedOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for EncodedOnce {}

impl std::fmt::Debug for EncodedOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncodedOnce")
    }
}

/// The JSON text of any frame as sigshim writes it: one allocation, a string of exactly the
/// frame's size (the WebSocket layer takes it without another).
pub fn frame_text<T: Serialize + ?Sized>(frame: &T) -> Option<String> {
    super::text::json(frame)
}

/// The text of a `send_peer_message` request frame written from borrowed parts: the same text as
/// [`frame_text`] of the [`RequestFrame`] holding [`Request::SendPeerMessage`], without copying
/// the receiver's name and the message into a request first.
pub fn peer_message_frame_text(
    id: u64,
    peer_id: &str,
    message: &crate::message::Message,
    options: crate::message::SendMessageOptions,
) -> Option<String> {
    /// [`RequestFrame`] of a [`Request::SendPeerMessage`], by reference: fields in the same order.
    #[derive(Serialize)]
    struct PeerMessageFrame<'a> {
        id: u64,
        op: &'static str,
        peer_id: &'a str,
        message: &'a crate::message::Message,
        options: crate::message::SendMessageOptions,
    }
    frame_text(&PeerMessageFrame { id, op: "send_peer_message", peer_id, message, options })
}

/// The text of the event frame `{"seq":…,<event fields>}` for `event` with sequence `seq`,
/// reusing the event's shared encoding when it has one.
pub fn event_frame_text(seq: u64, event: &Event) -> Option<String> {
    match event {
        Event::ChannelMessage { encoded, .. } => {
            // The shared encoding is `{"event":…}`: the frame is the same object, `seq` first.
            super::text::with_seq(seq, encoded.get_or_encode(event)?)
        }
        _ => frame_text(&EventFrameRef { seq, event }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    /// The borrowed encoding of a peer message is the owned request's frame, byte for byte.
    #[test]
    fn a_peer_message_frame_from_borrowed_parts_is_the_request_frame() {
        use crate::message::SendMessageOptions;
        let raw = Message::raw(vec![0, 1, 2, 250], "d\"esc");
        for (message, options) in [
            (Message::text("hi \"there\"\n"), SendMessageOptions::default()),
            (raw, SendMessageOptions::offline()),
        ] {
            let request =
                Request::SendPeerMessage { peer_id: "bob".into(), message: message.clone(), options };
            let owned = frame_text(&RequestFrame { id: 42, request });
            assert_eq!(peer_message_frame_text(42, "bob", &message, options), owned);
        }
    }
    use crate::protocol::{CallRole, CallSignal};

    #[test]
    fn client_frames() {
        let r = parse_client(
            r#"{"id":7,"op":"send_peer_message","peer_id":"bob","message":{"type":"text","text":"hi"}}"#,
        );
        match r {
            Ok(ClientFrame::Request(RequestFrame {
                id: 7,
                request: Request::SendPeerMessage { peer_id, message, .. },
            })) => {
                assert_eq!(peer_id, "bob");
                assert_eq!(message, Message::text("hi"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_client(r#"{"op":"ack","seq":3}"#),
            Ok(ClientFrame::Control(Control::Ack { seq: 3 }))
        );
        assert!(matches!(
            parse_client(r#"{"op":"login","app_id":"a","user_id":"u"}"#),
            Ok(ClientFrame::Hello(Hello::Login { id: 0, token: None, .. }))
        ));
        assert!(matches!(
            parse_client(r#"{"op":"resume","session":"t","last_seq":9}"#),
            Ok(ClientFrame::Hello(Hello::Resume { last_seq: 9, .. }))
        ));
        // The invitation's own number does not collide with the frame's request id.
        let text = r#"{"id":8,"op":"invitation","peer_id":"bob","invitation_id":3,"by":"callee",
            "signal":{"kind":"accept","response":"ok"}}"#;
        assert_eq!(
            parse_client(text),
            Ok(ClientFrame::Request(RequestFrame {
                id: 8,
                request: Request::Invitation {
                    peer_id: "bob".into(),
                    invitation_id: 3,
                    by: CallRole::Callee,
                    signal: CallSignal::Accept { response: "ok".into() },
                },
            }))
        );
        for bad in
            ["", "{", "[]", "42", r#"{"id":1,"op":"fly"}"#, r#"{"id":"x","op":"ping"}"#, r#"{"op":"ping"}"#]
        {
            assert!(parse_client(bad).is_err(), "{bad:?} parsed");
        }
    }

    /// A refused frame is answered with what could be read of it: its `id` and `op` when they
    /// have the right types, and what is wrong with it as the frame its `op` names.
    #[test]
    fn a_refused_frame_is_read_for_its_id_and_op() {
        let cases = [
            (r#"{"id":7,"op":"nope"}"#, Some(7), Some("nope")),
            (r#"{"id":8,"op":"send_peer_message"}"#, Some(8), Some("send_peer_message")),
            (r#"{"op":"send_peer_message","peer_id":3,"id":9}"#, Some(9), Some("send_peer_message")),
            (r#"{"op":"login","app_id":"a"}"#, None, Some("login")),
            (r#"{"id":4,"op":"login","app_id":"a","user_id":5}"#, Some(4), Some("login")),
            (r#"{"op":"resume"}"#, None, Some("resume")),
            (r#"{"op":"ack","seq":"1"}"#, None, Some("ack")),
            (r#"{"op":"ping"}"#, None, Some("ping")),
            (r#"{"id":"1","op":7}"#, None, None),
            (r#"{"id":-1,"op":"ping"}"#, None, Some("ping")),
            (r#"[1,"ping"]"#, None, None),
            ("{", None, None),
        ];
        for (text, id, op) in cases {
            assert!(parse_client(text).is_err(), "{text}");
            let fault = frame_fault(text);
            assert_eq!((fault.id, fault.op.as_deref()), (id, op), "{text}");
            assert!(!fault.detail.is_empty(), "{text}");
        }
        // A login is read as a login: its own fault, not that it lacks a request's `id`.
        let login = frame_fault(r#"{"op":"login","app_id":"a"}"#);
        let as_login = serde_json::from_str::<Hello>(r#"{"op":"login","app_id":"a"}"#).unwrap_err();
        assert_eq!(login.detail, as_login.to_string());
    }

    #[test]
    fn a_shared_encoding_makes_the_same_frame() {
        let event = Event::ChannelMessage {
            channel_id: "room".into(),
            peer_id: "bob".into(),
            message: Message::text("hi \"there\""),
            encoded: EncodedOnce::default(),
        };
        for seq in [1, 42] {
            let direct = serde_json::to_string(&EventFrameRef { seq, event: &event }).unwrap();
            assert_eq!(event_frame_text(seq, &event).as_deref(), Some(direct.as_str()));
        }
        let Event::ChannelMessage { encoded, .. } = &event else { unreachable!() };
        assert!(encoded.0.get().is_some(), "encoded once, kept");
        assert_eq!(event.clone(), event, "the cache is not part of the value");
    }

    #[test]
    fn server_frames_round_trip() {
        let frames = [
            ServerFrame::Reply(ReplyFrame {
                id: 3,
                reply: Reply::MessageSent { message_id: 9, server_ts: 1 },
            }),
            ServerFrame::Reply(ReplyFrame { id: 4, reply: Reply::Error { code: 102 } }),
            ServerFrame::Event(EventFrame { seq: 5, event: Event::TokenPrivilegeWillExpire }),
            ServerFrame::Reply(ReplyFrame { id: 6, reply: Reply::InvitationRouted { delivered: true } }),
            ServerFrame::Event(EventFrame {
                seq: 7,
                event: Event::Invitation {
                    peer_id: "alice".into(),
                    invitation_id: 2,
                    by: CallRole::Caller,
                    signal: CallSignal::Invite { content: "c".into(), channel_id: Some("room".into()) },
                },
            }),
            ServerFrame::Error(ErrorFrame { error: ProtocolError::BadFrame, id: None, detail: "x".into() }),
            ServerFrame::Error(ErrorFrame {
                error: ProtocolError::BadFrame,
                id: Some(7),
                detail: "x".into(),
            }),
        ];
        for f in frames {
            let text = match &f {
                ServerFrame::Reply(r) => serde_json::to_string(r),
                ServerFrame::Event(e) => serde_json::to_string(e),
                ServerFrame::Error(e) => serde_json::to_string(e),
            }
            .unwrap();
            assert_eq!(parse_server(&text), Ok(f.clone()), "{text}");
            if let ServerFrame::Event(e) = &f {
                let borrowed = serde_json::to_string(&EventFrameRef { seq: e.seq, event: &e.event }).unwrap();
                assert_eq!(borrowed, text, "the borrowed form encodes the same");
            }
        }
    }

    #[test]
    fn parsing_agrees_with_the_derived_frames_in_any_layout() {
        let requests = [
            r#"{"id":7,"op":"send_peer_message","peer_id":"bob","message":{"type":"text","text":"hi"}}"#,
            r#"{"op":"send_peer_message","message":{"type":"text","text":"{\"id\":1}"},"peer_id":"bob","id":8}"#,
            r#"{"op":"join_channel","channel_id":"room","id":9,"extra":"ignored"}"#,
            r#"{"id":10,"op":"logout"}"#,
            r#"{"op":"logout"}"#,
            r#"{"id":"eleven","op":"logout"}"#,
            r#"{"id":12,"op":"no_such_op"}"#,
            r#"{"id":13,"op":"join_channel"}"#,
        ];
        for text in requests {
            let derived = serde_json::from_str::<RequestFrame>(text).ok().map(ClientFrame::Request);
            assert_eq!(parse_client(text).ok(), derived, "{text}");
        }
        let server = [
            r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1}"#,
            r#"{"reply":"message_sent","message_id":9,"server_ts":1,"id":3}"#,
            r#"{"seq":5,"event":"peer_message","peer_id":"a","message":{"id":1,"server_ts":2,"type":"text","text":"x"},"offline":false}"#,
            r#"{"event":"peer_message","peer_id":"a","message":{"id":1,"server_ts":2,"type":"text","text":"x"},"offline":false,"seq":6}"#,
            r#"{"event":"kicked","reason":"remote_login"}"#,
        ];
        for text in server {
            let derived = serde_json::from_str::<EventFrame>(text)
                .map(ServerFrame::Event)
                .or_else(|_| serde_json::from_str::<ReplyFrame>(text).map(ServerFrame::Reply))
                .ok();
            assert!(derived.is_some(), "{text}");
            assert_eq!(parse_server(text).ok(), derived, "{text}");
        }
    }

    /// A frame that is both an event and a reply is an event, as when events were tried first,
    /// however its members are laid out or spelled; so are frames that are only one of them.
    #[test]
    fn a_frame_that_is_both_an_event_and_a_reply_is_an_event() {
        let kicked = Some(ServerFrame::Event(EventFrame {
            seq: 0,
            event: Event::Kicked { reason: crate::protocol::KickReason::RemoteLogin },
        }));
        let both = [
            r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1,"event":"kicked","reason":"remote_login"}"#,
            r#"{"id":3,"reply":"ok","event":"kicked","reason":"remote_login"}"#,
            r#"{"id":3,"reply":"ok","event" : "kicked","reason":"remote_login"}"#,
            r#"{"id":3,"reply":"ok","ev\u0065nt":"kicked","reason":"remote_login"}"#,
            r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1,"\u0065vent":"kicked","reason":"remote_login"}"#,
        ];
        for text in both {
            assert_eq!(parse_server(text).ok(), kicked, "{text}");
        }
        let server = [
            r#"{"id":3,"reply":"ok","event":"token_privilege_will_expire"}"#,
            r#"{"seq":3,"reply":"ok","event":"token_privilege_will_expire","id":4}"#,
            r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1,"event":"peer_message","peer_id":"a","message":{"type":"text","text":"x"}}"#,
            // an `event` member that is not a valid event leaves the reply
            r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1,"event":"no_such_event"}"#,
            r#"{"id":3,"reply":"ok","event":"kicked"}"#,
            // `"event"` only inside a string
            r#"{"id":3,"reply":"error","code":1,"x":"\"event\":\"kicked\""}"#,
            r#"{"id":1,"reply":"message_sent","message_id":9,"server_ts":1,"error":"bad_frame","detail":"x"}"#,
            r#"{"error":"bad_frame","detail":"x","id":1,"reply":"ok"}"#,
            r#"[5,"peer_message","a",{"type":"text","text":"x","event":"peer_message"}]"#,
            r#"[3,"message_sent",9,1,{"reply":"message_sent"}]"#,
            r#"{"seq":5,"event":"peer_message","peer_id":"a","message":{"id":1,"server_ts":2,"type":0,"text":"x","description":1}}"#,
            r#"{"seq":5,"event":"peer_message","peer_id":"a","message":[1,2,"text","x",null]}"#,
        ];
        for text in server {
            let derived = serde_json::from_str::<EventFrame>(text)
                .map(ServerFrame::Event)
                .or_else(|_| serde_json::from_str::<ReplyFrame>(text).map(ServerFrame::Reply))
                .or_else(|_| serde_json::from_str::<ErrorFrame>(text).map(ServerFrame::Error))
                .ok();
            assert_eq!(parse_server(text).ok(), derived, "{text}");
        }
        assert!(matches!(
            parse_server(r#"{"id":3,"reply":"ok","event":"token_privilege_will_expire"}"#),
            Ok(ServerFrame::Event(EventFrame { seq: 0, event: Event::TokenPrivilegeWillExpire }))
        ));
        assert!(parse_server(r#"[3,"message_sent",9,1,{"reply":"message_sent"}]"#).is_err());
    }

    /// The message cases of the review, inside request frames: read as the derived frames read
    /// them (the message's own reader is checked against its old derived form in `message`).
    #[test]
    fn message_requests_in_odd_shapes_parse_as_the_derived_frames() {
        let requests = [
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"text","text":"hi","description":5}}"#,
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"raw","data":"AA==","text":5}}"#,
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"text","text":"hi","description":"a","description":"b"}}"#,
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":0,"text":"hi"}}"#,
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"text","text":"a","text":"b"}}"#,
            r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":[0,0,"text","hi",null]}"#,
            r#"[9,"send_channel_message","room",{"type":"text","text":"hi","op":"send_channel_message"}]"#,
            r#"[7,"send_peer_message","bob",{"type":"text","text":"hi"},{"op":"send_peer_message"}]"#,
        ];
        for text in requests {
            let derived = serde_json::from_str::<RequestFrame>(text).ok().map(ClientFrame::Request);
            assert_eq!(parse_client(text).ok(), derived, "{text}");
        }
        let hi = |message| {
            Some(ClientFrame::Request(RequestFrame {
                id: 1,
                request: Request::SendPeerMessage {
                    peer_id: "b".into(),
                    message,
                    options: Default::default(),
                },
            }))
        };
        assert_eq!(parse_client(requests[2]).ok(), hi(Message::text("hi")));
        assert_eq!(parse_client(requests[3]).ok(), hi(Message::text("hi")));
        assert_eq!(parse_client(requests[4]).ok(), None);
        assert_eq!(parse_client(requests[5]).ok(), None);
        assert_eq!(parse_client(requests[6]).ok(), None);
        assert_eq!(parse_client(requests[7]).ok(), None);
    }
}
