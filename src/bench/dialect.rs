//! The two protocols protocol-level users speak: the core protocol (docs/PROTOCOL.md, at
//! `ws://host:port/`) and the legacy session endpoint (docs/LEGACY-PROTOCOL.md, at
//! `ws://host:port/legacy`). One sender ([`super::lean::LeanSender`]) and one reader
//! ([`super::raw::read`]) serve both; what differs is here: the login, the send frame, how its
//! answer is recognised, the acknowledgement, and where a delivered message carries its send
//! time. The frames are read with plain string searches, not a JSON parser, so that the
//! generator spends little CPU per message.

use super::raw::Ws;

/// The protocol of a protocol-level user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// The core protocol: `send_peer_message` requests, replies by request ID.
    Core,
    /// The legacy endpoint: `messageInstantSend` calls, `onMessageSendSuccess` /
    /// `onMessageSendError` callbacks by message ID.
    Legacy,
}

/// The answer to one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The request ID (core) or message ID (legacy) of the send it answers; `None` for an answer
    /// that names no send (a legacy call refused with `onError`, its queue of calls full).
    pub(crate) id: Option<u64>,
    /// Whether the send succeeded.
    pub(crate) ok: bool,
}

impl Dialect {
    /// Connects to the server at `url` (`ws://host:port/`) and logs in as `user`.
    pub(crate) async fn login(self, url: &str, user: &str) -> Result<Ws, String> {
        match self {
            Dialect::Core => super::raw::login(url, user).await,
            Dialect::Legacy => super::legacy_wire::login(url, user).await,
        }
    }

    /// The frame that sends `text` to user `to`, with `id` (request ID or message ID).
    pub(crate) fn send_frame(self, id: u64, to: &str, text: &str) -> String {
        match self {
            Dialect::Core => format!(
                r#"{{"op":"send_peer_message","id":{id},"peer_id":"{to}","message":{{"type":"text","text":"{text}"}}}}"#
            ),
            Dialect::Legacy => {
                format!(r#"{{"call":"messageInstantSend","args":["{to}",0,"{text}","{id}"]}}"#)
            }
        }
    }

    /// The frame that acknowledges every numbered frame up to `seq`.
    pub(crate) fn ack_frame(self, seq: u64) -> String {
        match self {
            Dialect::Core => format!(r#"{{"op":"ack","seq":{seq}}}"#),
            Dialect::Legacy => format!(r#"{{"ack":{seq}}}"#),
        }
    }

    /// The answer to a send that `text` is, if it is one.
    pub(crate) fn reply_of(self, text: &str) -> Option<Reply> {
        match self {
            Dialect::Core => {
                let reply = text.find("\"reply\":\"")?;
                let id = digits(&text[text.find("\"id\":")? + 5..])?;
                Some(Reply { id: Some(id), ok: !text[reply + 9..].starts_with("error\"") })
            }
            Dialect::Legacy => {
                if let Some(at) = text.find("\"cb\":\"onMessageSend") {
                    let rest = &text[at + 19..];
                    let ok = match rest {
                        _ if rest.starts_with("Success\"") => true,
                        _ if rest.starts_with("Error\"") => false,
                        _ => return None,
                    };
                    let id = digits(&rest[rest.find("\"args\":[\"")? + 9..])?;
                    Some(Reply { id: Some(id), ok })
                } else if text.contains("\"cb\":\"onError\"") {
                    Some(Reply { id: None, ok: false })
                } else {
                    None
                }
            }
        }
    }

    /// The `seq` of a numbered frame and, for a delivered message, the send time its text
    /// carries (see [`super::stats::payload`]). `None` for frames without a `seq`.
    pub(crate) fn seq_and_sent(self, text: &str) -> Option<(u64, Option<u64>)> {
        let seq = seq_of(text)?;
        let sent = match self {
            Dialect::Core => text.find("\"text\":\"t").and_then(|i| digits(&text[i + 9..])),
            // The message is the callback's last argument.
            Dialect::Legacy => text
                .find("\"cb\":\"onMessageInstantReceive\"")
                .and_then(|i| text[i..].rfind(",\"t").map(|j| i + j))
                .and_then(|j| digits(&text[j + 3..])),
        };
        Some((seq, sent))
    }
}

/// The number after `"seq":` in a numbered frame (both dialects number the server's frames so).
pub(crate) fn seq_of(text: &str) -> Option<u64> {
    digits(&text[text.find("\"seq\":")? + 6..])
}

/// The decimal number `s` starts with.
fn digits(s: &str) -> Option<u64> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_replies_are_matched_by_id_and_outcome() {
        let core = Dialect::Core;
        assert_eq!(
            core.reply_of(r#"{"id":7,"reply":"message_sent","message_id":5,"server_ts":1}"#),
            Some(Reply { id: Some(7), ok: true })
        );
        assert_eq!(
            core.reply_of(r#"{"id":12,"reply":"error","code":1}"#),
            Some(Reply { id: Some(12), ok: false })
        );
        assert_eq!(
            core.reply_of(
                r#"{"seq":1,"event":"peer_message","peer_id":"b","message":{"id":6,"type":"text","text":"x"}}"#
            ),
            None
        );
    }

    #[test]
    fn legacy_replies_are_matched_by_message_id_and_outcome() {
        let legacy = Dialect::Legacy;
        assert_eq!(
            legacy.reply_of(r#"{"seq":4,"cb":"onMessageSendSuccess","args":["13"]}"#),
            Some(Reply { id: Some(13), ok: true })
        );
        assert_eq!(
            legacy.reply_of(r#"{"seq":5,"cb":"onMessageSendError","args":["8",400]}"#),
            Some(Reply { id: Some(8), ok: false })
        );
        assert_eq!(
            legacy.reply_of(
                r#"{"seq":6,"cb":"onError","args":["message_instant_send",1001,"too many calls in flight"]}"#
            ),
            Some(Reply { id: None, ok: false })
        );
        assert_eq!(
            legacy.reply_of(r#"{"seq":7,"cb":"onMessageSendProgress","args":["a","1","x",""]}"#),
            None
        );
        assert_eq!(legacy.reply_of(r#"{"seq":1,"cb":"onLoginSuccess","args":[5,1]}"#), None);
        assert_eq!(legacy.reply_of(r#"{"seq":2,"cb":"onMessageSendSuccess","args":["m1"]}"#), None);
    }

    #[test]
    fn delivered_messages_give_their_seq_and_send_time() {
        let core = r#"{"seq":42,"event":"channel_message","channel_id":"r","peer_id":"p","message":{"id":1,"server_ts":2,"type":"text","text":"t123456|xx"}}"#;
        assert_eq!(Dialect::Core.seq_and_sent(core), Some((42, Some(123_456))));
        assert_eq!(Dialect::Core.seq_and_sent(r#"{"seq":7,"event":"member_joined"}"#), Some((7, None)));
        assert_eq!(Dialect::Core.seq_and_sent(r#"{"id":1,"reply":"ok"}"#), None);
        let legacy = r#"{"seq":9,"cb":"onMessageInstantReceive","args":["s0-t1",2217388342,"t98765|xxxx"]}"#;
        assert_eq!(Dialect::Legacy.seq_and_sent(legacy), Some((9, Some(98_765))));
        let other = r#"{"seq":3,"cb":"onMessageInstantReceive","args":["s0-t1",1,"hello"]}"#;
        assert_eq!(Dialect::Legacy.seq_and_sent(other), Some((3, None)));
        assert_eq!(
            Dialect::Legacy.seq_and_sent(r#"{"seq":2,"cb":"onLoginSuccess","args":[5,1]}"#),
            Some((2, None))
        );
        assert_eq!(Dialect::Legacy.seq_and_sent(r#"{"session":"1.a","resumed":false}"#), None);
    }

    #[test]
    fn frames_out_are_the_documented_json() {
        let text = super::super::stats::payload(5);
        let core: serde_json::Value =
            serde_json::from_str(&Dialect::Core.send_frame(3, "r1", &text)).unwrap();
        assert_eq!(core["op"], "send_peer_message");
        assert_eq!(core["id"], 3);
        assert_eq!(core["message"]["text"], text.as_str());
        let legacy: serde_json::Value =
            serde_json::from_str(&Dialect::Legacy.send_frame(3, "r1", &text)).unwrap();
        assert_eq!(legacy, serde_json::json!({"call":"messageInstantSend","args":["r1",0,text,"3"]}));
        assert_eq!(Dialect::Core.ack_frame(9), r#"{"op":"ack","seq":9}"#);
        assert_eq!(Dialect::Legacy.ack_frame(9), r#"{"ack":9}"#);
    }
}
