//! Direct readers for the frames that carry messages, the bulk of all traffic.
//!
//! The derived readers of [`RequestFrame`], [`ReplyFrame`] and [`EventFrame`] go through serde's
//! internally tagged enums, which buffer every field of a frame before they look at the tag (and
//! `#[serde(flatten)]` buffers them once more). For the few frames that carry messages, each
//! reader here is a plain struct with the tag as a one-value field: one pass, no buffering. A
//! frame that does not fit (another tag, a missing field, a member the frame does not define)
//! yields `None`, and the caller takes the general path, so the result is always the one the
//! derived readers give: those check every member's JSON even where they ignore it, which a
//! direct reader skipping unknown members would not.

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::wire::{EventFrame, ReplyFrame, RequestFrame};
use super::{Event, Reply, Request};
use crate::message::{Message, MessageBody, SendMessageOptions};

/// A one-value tag: deserializes only from the one name, so a frame with another tag is
/// refused rather than misread.
macro_rules! tag {
    ($name:ident, $value:literal) => {
        #[derive(Deserialize)]
        enum $name {
            #[serde(rename = $value)]
            Only,
        }
    };
}

tag!(SendPeerOp, "send_peer_message");
tag!(SendChannelOp, "send_channel_message");
tag!(MessageSentTag, "message_sent");
tag!(PeerMessageTag, "peer_message");
tag!(ChannelMessageTag, "channel_message");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendPeer<M> {
    id: u64,
    #[serde(rename = "op")]
    _op: SendPeerOp,
    peer_id: String,
    message: M,
    #[serde(default)]
    options: Options,
}

/// A peer message's options, with no member they do not define: the derived reader checks the
/// JSON of every member it ignores (numbers in range, nesting within the depth limit), which a
/// reader skipping them would not.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default)]
    enable_offline_messaging: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendChannel<M> {
    id: u64,
    #[serde(rename = "op")]
    _op: SendChannelOp,
    channel_id: String,
    message: M,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageSent {
    id: u64,
    #[serde(rename = "reply")]
    _reply: MessageSentTag,
    message_id: u64,
    server_ts: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeerMessage<M> {
    #[serde(default)]
    seq: u64,
    #[serde(rename = "event")]
    _event: PeerMessageTag,
    peer_id: String,
    message: M,
    #[serde(default)]
    offline: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelMessage<M> {
    #[serde(default)]
    seq: u64,
    #[serde(rename = "event")]
    _event: ChannelMessageTag,
    channel_id: String,
    peer_id: String,
    message: M,
}

/// A text message read in one pass. The derived [`Message`] reader buffers the body's members
/// to find its `type` first (a tagged, flattened enum): three allocations where the text alone
/// needs one. This reader takes only an object with `type` `"text"`, `text`, and at most `id`
/// and `server_ts`, each once; anything else fails it, and the frame is read again with the
/// derived message reader, so the result is always the derived one.
struct TextMessage(Message);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum TextField {
    Id,
    ServerTs,
    Type,
    Text,
}

tag!(TextType, "text");

impl<'de> Deserialize<'de> for TextMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TextMessageVisitor)
    }
}

struct TextMessageVisitor;

impl<'de> Visitor<'de> for TextMessageVisitor {
    type Value = TextMessage;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a text message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextMessage, A::Error> {
        let (mut id, mut server_ts, mut typed, mut text) = (None, None, false, None);
        while let Some(field) = map.next_key::<TextField>()? {
            match field {
                TextField::Id if id.is_none() => id = Some(map.next_value::<u64>()?),
                TextField::ServerTs if server_ts.is_none() => server_ts = Some(map.next_value::<u64>()?),
                TextField::Type if !typed => {
                    map.next_value::<TextType>()?;
                    typed = true;
                }
                TextField::Text if text.is_none() => text = Some(map.next_value::<String>()?),
                _ => return Err(A::Error::custom("a member twice")),
            }
        }
        match (typed, text) {
            (true, Some(text)) => Ok(TextMessage(Message {
                id: id.unwrap_or_default(),
                server_ts: server_ts.unwrap_or_default(),
                body: MessageBody::Text { text },
            })),
            _ => Err(A::Error::custom("not a text message")),
        }
    }
}

/// The message inside a frame, read either way.
trait Body: for<'de> Deserialize<'de> {
    fn into_message(self) -> Message;
}

impl Body for Message {
    fn into_message(self) -> Message {
        self
    }
}

impl Body for TextMessage {
    fn into_message(self) -> Message {
        self.0
    }
}

// Each reader first looks for its `"tag":"value"` member anywhere in the text, a cheap filter;
// the struct then checks that the member is the frame's own and not text inside a string. A
// derived struct also reads a JSON array as its fields in order, which the derived frames
// (flattened, so read as maps) refuse: only an object is read here.

/// True when the frame is a JSON object (anything else is left to the derived readers).
fn is_object(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// A peer or channel message request, read directly.
pub(super) fn request(text: &str) -> Option<RequestFrame> {
    if !is_object(text) {
        return None;
    }
    if text.contains(r#""op":"send_peer_message""#) {
        return send_peer::<TextMessage>(text).or_else(|| send_peer::<Message>(text));
    }
    if text.contains(r#""op":"send_channel_message""#) {
        return send_channel::<TextMessage>(text).or_else(|| send_channel::<Message>(text));
    }
    None
}

fn send_peer<M: Body>(text: &str) -> Option<RequestFrame> {
    let f: SendPeer<M> = serde_json::from_str(text).ok()?;
    let message = f.message.into_message();
    let options = SendMessageOptions { enable_offline_messaging: f.options.enable_offline_messaging };
    let request = Request::SendPeerMessage { peer_id: f.peer_id, message, options };
    Some(RequestFrame { id: f.id, request })
}

fn send_channel<M: Body>(text: &str) -> Option<RequestFrame> {
    let f: SendChannel<M> = serde_json::from_str(text).ok()?;
    let request = Request::SendChannelMessage { channel_id: f.channel_id, message: f.message.into_message() };
    Some(RequestFrame { id: f.id, request })
}

/// The reply to a peer message, read directly.
pub(super) fn reply(text: &str) -> Option<ReplyFrame> {
    if !is_object(text) || !text.contains(r#""reply":"message_sent""#) {
        return None;
    }
    let f: MessageSent = serde_json::from_str(text).ok()?;
    Some(ReplyFrame {
        id: f.id,
        reply: Reply::MessageSent { message_id: f.message_id, server_ts: f.server_ts },
    })
}

/// A peer or channel message event, read directly.
pub(super) fn event(text: &str) -> Option<EventFrame> {
    if !is_object(text) {
        return None;
    }
    if text.contains(r#""event":"peer_message""#) {
        return peer_message::<TextMessage>(text).or_else(|| peer_message::<Message>(text));
    }
    if text.contains(r#""event":"channel_message""#) {
        return channel_message::<TextMessage>(text).or_else(|| channel_message::<Message>(text));
    }
    None
}

fn peer_message<M: Body>(text: &str) -> Option<EventFrame> {
    let f: PeerMessage<M> = serde_json::from_str(text).ok()?;
    let event =
        Event::PeerMessage { peer_id: f.peer_id, message: f.message.into_message(), offline: f.offline };
    Some(EventFrame { seq: f.seq, event })
}

fn channel_message<M: Body>(text: &str) -> Option<EventFrame> {
    let f: ChannelMessage<M> = serde_json::from_str(text).ok()?;
    let event = Event::ChannelMessage {
        channel_id: f.channel_id,
        peer_id: f.peer_id,
        message: f.message.into_message(),
        encoded: Default::default(),
    };
    Some(EventFrame { seq: f.seq, event })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each frame is read the same way directly and through the derived readers; frames the
    /// direct readers do not take are left to the general path.
    #[test]
    fn direct_readers_agree_with_the_derived_ones() {
        let requests = [
            r#"{"id":7,"op":"send_peer_message","peer_id":"bob","message":{"type":"text","text":"hi"}}"#,
            r#"{"op":"send_peer_message","message":{"type":"raw","data":"AP8="},"peer_id":"bob","id":8,"options":{"enable_offline_messaging":true}}"#,
            r#"{"id":9,"op":"send_channel_message","channel_id":"room","message":{"type":"text","text":"yo"}}"#,
        ];
        for text in requests {
            assert_eq!(request(text), serde_json::from_str::<RequestFrame>(text).ok(), "{text}");
            assert!(request(text).is_some(), "{text}");
        }
        let not_taken = [
            // a member the frame does not define: the derived reader decides
            r#"{"id":3,"op":"send_peer_message","peer_id":"bob","message":{"type":"text","text":"hi"},"x":1e400}"#,
            // the member is inside the message text, not the frame's own op
            r#"{"id":1,"op":"publish_channel_message","channel_id":"r","message":{"type":"text","text":"\"op\":\"send_peer_message\""}}"#,
            r#"{"id":2,"op":"send_peer_message","peer_id":"bob"}"#,
            r#"{"op":"send_peer_message","peer_id":"bob","message":{"type":"text","text":"no id"}}"#,
        ];
        for text in not_taken {
            assert_eq!(request(text), None, "{text}");
        }
        let replies = [r#"{"id":3,"reply":"message_sent","message_id":9,"server_ts":1}"#];
        for text in replies {
            assert_eq!(reply(text), serde_json::from_str::<ReplyFrame>(text).ok(), "{text}");
        }
        assert_eq!(reply(r#"{"id":4,"reply":"error","code":1}"#), None);
        let events = [
            r#"{"seq":5,"event":"peer_message","peer_id":"a","message":{"id":1,"server_ts":2,"type":"text","text":"x"},"offline":true}"#,
            r#"{"event":"peer_message","peer_id":"a","message":{"id":1,"server_ts":2,"type":"text","text":"x"}}"#,
            r#"{"seq":6,"event":"channel_message","channel_id":"c","peer_id":"a","message":{"id":1,"server_ts":2,"type":"text","text":"x"}}"#,
        ];
        for text in events {
            assert_eq!(event(text), serde_json::from_str::<EventFrame>(text).ok(), "{text}");
            assert!(event(text).is_some(), "{text}");
        }
        assert_eq!(event(r#"{"seq":7,"event":"member_joined","channel_id":"c","user_id":"u"}"#), None);
    }

    /// A derived struct reads an array as its fields in order; the derived frames refuse one, and
    /// so do the direct readers.
    #[test]
    fn direct_readers_take_only_objects() {
        let requests = [
            r#"[9,"send_channel_message","room",{"type":"text","text":"hi","op":"send_channel_message"}]"#,
            r#"[7,"send_peer_message","bob",{"type":"text","text":"hi"},{"op":"send_peer_message"}]"#,
            r#" [7,"send_peer_message","bob",{"type":"text","text":"hi"},{"op":"send_peer_message"}]"#,
        ];
        for text in requests {
            assert_eq!(request(text), None, "{text}");
            assert!(serde_json::from_str::<RequestFrame>(text).is_err(), "{text}");
        }
        let events = [
            r#"[5,"peer_message","a",{"type":"text","text":"x","event":"peer_message"}]"#,
            r#"[5,"channel_message","c","a",{"type":"text","text":"x","event":"channel_message"}]"#,
        ];
        for text in events {
            assert_eq!(event(text), None, "{text}");
            assert!(serde_json::from_str::<EventFrame>(text).is_err(), "{text}");
        }
        let text = r#"[3,"message_sent",9,1,{"reply":"message_sent"}]"#;
        assert_eq!(reply(text), None);
        assert!(serde_json::from_str::<ReplyFrame>(text).is_err());
        // A message inside a frame is an object too.
        let text = r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":[0,0,"text","hi",null]}"#;
        assert_eq!(request(text), None);
        // Whitespace before the object is fine.
        let text = " \n{\"id\":1,\"op\":\"send_peer_message\",\"peer_id\":\"b\",\"message\":{\"type\":\"text\",\"text\":\"hi\"}}";
        assert_eq!(request(text), serde_json::from_str::<RequestFrame>(text).ok());
        assert!(request(text).is_some());
    }

    /// Messages of every shape inside each kind of frame: the direct readers, falling back to
    /// the derived ones as `parse_client` and `parse_server` do, give the derived readers'
    /// result, and the plain text messages take the one-pass text reader.
    #[test]
    fn the_text_message_reader_agrees_with_the_derived_one() {
        let text_path = [
            r#"{"type":"text","text":"hi"}"#,
            r#"{"text":"hi","type":"text"}"#,
            r#"{"id":3,"server_ts":4,"type":"text","text":"hi"}"#,
            r#"{"server_ts":18446744073709551615,"text":"","type":"text","id":0}"#,
            r#"{"type":"text","text":"esc \" \\ \u00e9 \ud83d\ude00 \n"}"#,
            r#"{"\u0074ype":"text","te\u0078t":"escaped keys"}"#,
        ];
        let other = [
            r#"{"type":"text","text":"a","text":"b"}"#,
            r#"{"type":"text","type":"text","text":"a"}"#,
            r#"{"id":1,"id":2,"type":"text","text":"a"}"#,
            r#"{"type":"text"}"#,
            r#"{"text":"no type"}"#,
            r#"{"type":"raw","data":"AP8="}"#,
            r#"{"type":"raw","data":"AP8=","description":"d","id":4}"#,
            r#"{"type":"text","text":"hi","data":"AP8="}"#,
            r#"{"type":"text","text":"hi","description":"d"}"#,
            r#"{"type":"text","text":5}"#,
            r#"{"type":"text","text":"hi","id":-1}"#,
            r#"{"type":"text","text":"hi","id":null}"#,
            r#"{"type":"text","text":"hi","id":1.0}"#,
            r#"{"type":"text","text":"hi","id":18446744073709551616}"#,
            r#"{"type":"TEXT","text":"hi"}"#,
            r#"{"type":"text","text":"hi","extra":1}"#,
            r#"{"type":"text","text":"hi","extra":1e400}"#,
            r#"{}"#,
            r#"[]"#,
            r#"["text","hi"]"#,
            r#""text""#,
            r#"null"#,
        ];
        let frames = |m: &str| {
            [
                format!(r#"{{"id":1,"op":"send_peer_message","peer_id":"b","message":{m}}}"#),
                format!(r#"{{"id":2,"op":"send_channel_message","channel_id":"c","message":{m}}}"#),
                format!(r#"{{"seq":3,"event":"peer_message","peer_id":"a","message":{m}}}"#),
                format!(
                    r#"{{"seq":4,"event":"channel_message","channel_id":"c","peer_id":"a","message":{m}}}"#
                ),
            ]
        };
        let all = text_path.iter().map(|m| (m, true)).chain(other.iter().map(|m| (m, false)));
        for (m, on_text_path) in all {
            let [peer, channel, peer_event, channel_event] = frames(m);
            for text in [&peer, &channel] {
                let derived = serde_json::from_str::<RequestFrame>(text).ok();
                assert_eq!(request(text).or_else(|| derived.clone()), derived, "{text}");
            }
            for text in [&peer_event, &channel_event] {
                let derived = serde_json::from_str::<EventFrame>(text).ok();
                assert_eq!(event(text).or_else(|| derived.clone()), derived, "{text}");
            }
            assert_eq!(send_peer::<TextMessage>(&peer).is_some(), on_text_path, "{peer}");
            assert_eq!(send_channel::<TextMessage>(&channel).is_some(), on_text_path, "{channel}");
            assert_eq!(peer_message::<TextMessage>(&peer_event).is_some(), on_text_path, "{peer_event}");
            assert_eq!(
                channel_message::<TextMessage>(&channel_event).is_some(),
                on_text_path,
                "{channel_event}"
            );
        }
    }

    proptest::proptest! {
        /// Any message sigshim writes reads back the same through the direct readers, text
        /// messages through the text reader.
        #[test]
        fn written_messages_read_back_the_same(
            text in ".*",
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            raw in proptest::bool::ANY,
            id in proptest::num::u64::ANY,
            server_ts in proptest::num::u64::ANY,
        ) {
            let body = if raw { Message::raw(data, text) } else { Message::text(text) };
            let message = Message { id, server_ts, ..body };
            let frame = RequestFrame {
                id: 1,
                request: Request::SendPeerMessage {
                    peer_id: "b".into(),
                    message: message.clone(),
                    options: SendMessageOptions::default(),
                },
            };
            let text = super::super::wire::frame_text(&frame).unwrap();
            proptest::prop_assert_eq!(request(&text), Some(frame));
            proptest::prop_assert_eq!(send_peer::<TextMessage>(&text).is_some(), !raw);
            let e = Event::PeerMessage { peer_id: "a".into(), message, offline: false };
            let text = super::super::wire::event_frame_text(9, &e).unwrap();
            proptest::prop_assert_eq!(event(&text), Some(EventFrame { seq: 9, event: e }));
        }
    }

    /// The frames sigshim itself writes all take the direct path.
    #[test]
    fn sigshim_s_own_frames_are_read_directly() {
        let message = Message { id: 5, server_ts: 6, ..Message::text("hi \"there\" ✓") };
        let requests = [
            Request::SendPeerMessage {
                peer_id: "bob".into(),
                message: message.clone(),
                options: SendMessageOptions::offline(),
            },
            Request::SendChannelMessage { channel_id: "room".into(), message: message.clone() },
        ];
        for request in requests {
            let frame = RequestFrame { id: 9, request };
            let text = serde_json::to_string(&frame).unwrap();
            assert_eq!(super::request(&text), Some(frame), "{text}");
        }
        let frame = ReplyFrame { id: 9, reply: Reply::MessageSent { message_id: 5, server_ts: 6 } };
        let text = serde_json::to_string(&frame).unwrap();
        assert_eq!(reply(&text), Some(frame), "{text}");
        let events = [
            Event::PeerMessage { peer_id: "alice".into(), message: message.clone(), offline: true },
            Event::ChannelMessage {
                channel_id: "room".into(),
                peer_id: "alice".into(),
                message,
                encoded: Default::default(),
            },
        ];
        for e in events {
            let text = super::super::wire::event_frame_text(3, &e).unwrap();
            assert_eq!(event(&text), Some(EventFrame { seq: 3, event: e }), "{text}");
        }
    }
}
