//! Messages: text or raw bytes, with the ids and timestamps the server assigns.

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageBody {
    /// UTF-8 text.
    Text {
        /// The text.
        text: String,
    },
    /// Binary data with an optional text description (Base64 on the wire).
    Raw {
        /// The bytes.
        #[serde(serialize_with = "b64_ser", deserialize_with = "b64_de")]
        data: Vec<u8>,
        /// A description, possibly empty.
        #[serde(default)]
        description: String,
    },
}

/// A peer or channel message.
///
/// `id` and `server_ts` are zero on a message the application builds and are filled in by the
/// server; a received message always has both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Server-assigned id, unique within a hub.
    #[serde(default)]
    pub id: u64,
    /// Milliseconds since the Unix epoch at which the server received the message.
    #[serde(default)]
    pub server_ts: u64,
    /// The payload.
    #[serde(flatten)]
    pub body: MessageBody,
}

impl Message {
    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Self { id: 0, server_ts: 0, body: MessageBody::Text { text: text.into() } }
    }

    /// A raw (binary) message with a description.
    pub fn raw(data: impl Into<Vec<u8>>, description: impl Into<String>) -> Self {
        Self {
            id: 0,
            server_ts: 0,
            body: MessageBody::Raw { data: data.into(), description: description.into() },
        }
    }

    /// The text of a text message, or the description of a raw one.
    pub fn text_or_description(&self) -> &str {
        match &self.body {
            MessageBody::Text { text } => text,
            MessageBody::Raw { description, .. } => description,
        }
    }

    /// Payload size as RTM counts it: text bytes, or data plus description bytes.
    pub fn payload_len(&self) -> usize {
        match &self.body {
            MessageBody::Text { text } => text.len(),
            MessageBody::Raw { data, description } => data.len() + description.len(),
        }
    }

    /// True when there is nothing to send (empty text, or empty raw data).
    pub fn is_empty(&self) -> bool {
        match &self.body {
            MessageBody::Text { text } => text.is_empty(),
            MessageBody::Raw { data, .. } => data.is_empty(),
        }
    }

    /// True when the message may be sent under `limits`: not empty, and no larger than
    /// [`Limits::max_message_bytes`](crate::Limits::max_message_bytes).
    pub fn fits(&self, limits: &crate::Limits) -> bool {
        !self.is_empty() && self.payload_len() <= limits.max_message_bytes
    }
}

/// Options of a peer send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageOptions {
    /// Store the message when the peer is offline and deliver it at the peer's next login.
    #[serde(default)]
    pub enable_offline_messaging: bool,
}

impl SendMessageOptions {
    /// Options with offline caching switched on.
    pub fn offline() -> Self {
        Self { enable_offline_messaging: true }
    }
}

/// Where a sent peer message ended up, when the peer received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReceipt {
    /// The id the server gave the message.
    pub id: u64,
    /// The server's receive time (ms since the epoch).
    pub server_ts: u64,
}

fn b64_ser<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
}

fn b64_de<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    base64::engine::general_purpose::STANDARD.decode(s).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Message::text("héllo").payload_len(), 6);
        assert_eq!(Message::raw(vec![1, 2, 3], "ab").payload_len(), 5);
        assert!(Message::text("").is_empty());
        assert!(Message::raw(Vec::new(), "desc").is_empty());
    }

    #[test]
    fn json_shape() {
        let m = Message::raw(vec![0, 255], "d");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v, serde_json::json!({"id":0,"server_ts":0,"type":"raw","data":"AP8=","description":"d"}));
        let back: Message = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
        let t: Message = serde_json::from_str(r#"{"type":"text","text":"hi"}"#).unwrap();
        assert_eq!(t, Message::text("hi"));
    }
}
