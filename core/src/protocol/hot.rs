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

use serde::Deserialize;

use super::wire::{EventFrame, ReplyFrame, RequestFrame};
use super::{Event, Reply, Request};
use crate::message::{Message, SendMessageOptions};

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
struct SendPeer {
    id: u64,
    #[serde(rename = "op")]
    _op: SendPeerOp,
    peer_id: String,
    message: Message,
    #[serde(default)]
    options: SendMessageOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendChannel {
    id: u64,
    #[serde(rename = "op")]
    _op: SendChannelOp,
    channel_id: String,
    message: Message,
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
struct PeerMessage {
    #[serde(default)]
    seq: u64,
    #[serde(rename = "event")]
    _event: PeerMessageTag,
    peer_id: String,
    message: Message,
    #[serde(default)]
    offline: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelMessage {
    #[serde(default)]
    seq: u64,
    #[serde(rename = "event")]
    _event: ChannelMessageTag,
    channel_id: String,
    peer_id: String,
    message: Message,
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
        let f: SendPeer = serde_json::from_str(text).ok()?;
        let request = Request::SendPeerMessage { peer_id: f.peer_id, message: f.message, options: f.options };
        return Some(RequestFrame { id: f.id, request });
    }
    if text.contains(r#""op":"send_channel_message""#) {
        let f: SendChannel = serde_json::from_str(text).ok()?;
        let request = Request::SendChannelMessage { channel_id: f.channel_id, message: f.message };
        return Some(RequestFrame { id: f.id, request });
    }
    None
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
        let f: PeerMessage = serde_json::from_str(text).ok()?;
        let event = Event::PeerMessage { peer_id: f.peer_id, message: f.message, offline: f.offline };
        return Some(EventFrame { seq: f.seq, event });
    }
    if text.contains(r#""event":"channel_message""#) {
        let f: ChannelMessage = serde_json::from_str(text).ok()?;
        let event = Event::ChannelMessage {
            channel_id: f.channel_id,
            peer_id: f.peer_id,
            message: f.message,
            encoded: Default::default(),
        };
        return Some(EventFrame { seq: f.seq, event });
    }
    None
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
