//! RTM's end-call message: the peer text that legacy Signaling peers read as "the call ended".

/// The prefix of the end-call message (RTM `AGORA_RTM_ENDCALL_PREFIX`).
pub const END_CALL_PREFIX: &str = "AgoraRTMLegacyEndcallCompatibleMessagePrefix";

/// An end-call message: `<prefix>_<channel id>_<extra>`.
///
/// `extra` may be empty and never contains `_` (the channel ID may), so the message splits at
/// its last `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndCall {
    /// The channel of the call.
    pub channel_id: String,
    /// Free text from the side that ended the call (no `_`).
    pub extra: String,
}

impl EndCall {
    /// The message for `channel_id` with `extra`; `None` when `extra` contains `_`.
    pub fn new(channel_id: &str, extra: &str) -> Option<Self> {
        (!extra.contains('_')).then(|| Self { channel_id: channel_id.to_owned(), extra: extra.to_owned() })
    }

    /// The message text to send as a peer message.
    pub fn to_text(&self) -> String {
        format!("{END_CALL_PREFIX}_{}_{}", self.channel_id, self.extra)
    }

    /// Reads a peer message text; `None` when it is not an end-call message.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(END_CALL_PREFIX)?.strip_prefix('_')?;
        let (channel_id, extra) = rest.rsplit_once('_')?;
        Some(Self { channel_id: channel_id.to_owned(), extra: extra.to_owned() })
    }

    /// The sender and the end-call message, when `event` is a peer message carrying one.
    pub fn from_event(event: &crate::ClientEvent) -> Option<(&str, Self)> {
        match event {
            crate::ClientEvent::MessageFromPeer { peer_id, message, .. } => {
                Some((peer_id.as_str(), Self::parse(message.text_or_description())?))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let end = EndCall::new("room_7", "{\"by\":1}").unwrap();
        let text = end.to_text();
        assert_eq!(text, "AgoraRTMLegacyEndcallCompatibleMessagePrefix_room_7_{\"by\":1}");
        assert_eq!(EndCall::parse(&text), Some(end));
        assert_eq!(
            EndCall::parse("AgoraRTMLegacyEndcallCompatibleMessagePrefix_room_"),
            Some(EndCall { channel_id: "room".into(), extra: String::new() })
        );
    }

    #[test]
    fn rejects_other_text() {
        assert_eq!(EndCall::new("room", "a_b"), None);
        assert_eq!(EndCall::parse("hello"), None);
        assert_eq!(EndCall::parse("AgoraRTMLegacyEndcallCompatibleMessagePrefix"), None);
        assert_eq!(EndCall::parse("AgoraRTMLegacyEndcallCompatibleMessagePrefix_room"), None);
        assert_eq!(EndCall::parse("AgoraRTMLegacyEndcallCompatibleMessagePrefixX_room_"), None);
    }

    #[test]
    fn read_from_a_peer_message_event() {
        let peer_message = |text: &str| crate::ClientEvent::MessageFromPeer {
            peer_id: "bob".into(),
            message: crate::Message::text(text),
            is_offline: false,
        };
        let end = EndCall::new("room_7", "").unwrap();
        assert_eq!(EndCall::from_event(&peer_message(&end.to_text())), Some(("bob", end)));
        assert_eq!(EndCall::from_event(&peer_message("hello")), None);
        assert_eq!(EndCall::from_event(&crate::ClientEvent::TokenExpired), None);
    }
}
