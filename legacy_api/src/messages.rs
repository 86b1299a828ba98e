//! Peer and channel messages, the legacy way: what a send reports, and the text a receiver
//! sees.

use std::future::Future;

use sigshim::error::PeerMessageError;
use sigshim::message::MessageBody;
use sigshim::{Channel, Client, Message, SendMessageOptions};
use sigshim_mapping::translate;

use crate::sends::{Echo, SendResult};
use crate::uid::uid_for;

/// The text a legacy receiver sees: the text of a text message; the bytes of a raw message
/// read as UTF-8 (invalid sequences replaced), since legacy messages are strings only.
pub(crate) fn legacy_text(message: Message) -> String {
    match message.body {
        MessageBody::Text { text } => text,
        MessageBody::Raw { data, .. } => match String::from_utf8(data) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
    }
}

/// Reads the `offline` switch of `message_instant_send2`'s options (bool or 0/1); `None` when
/// the options do not set it (empty, not JSON, or without the key).
pub(crate) fn offline_override(options: &str) -> Option<bool> {
    if options.is_empty() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(options).ok()?;
    match v.get("offline")? {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

/// How the instance acknowledges and caches peer messages (from its `SignalingOptions`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerPolicy {
    /// Success only once the peer received the message (RTM's meaning).
    pub(crate) strict_ack: bool,
    /// Ask the server to keep messages for offline peers, unless the call says otherwise.
    pub(crate) offline: bool,
}

/// The legacy outcome of a peer message: success once the server accepted it (cached for an
/// offline peer, or unreachable without caching), unless `strict` asks for the peer's receipt.
fn peer_send_result(msg_id: String, result: Result<(), PeerMessageError>, strict: bool) -> SendResult {
    match result {
        Ok(()) => SendResult::ok(msg_id),
        Err(e) if e.server_accepted() && !strict => SendResult::ok(msg_id),
        Err(PeerMessageError::NotLoggedIn) => SendResult::failed(msg_id, translate::not_logged_in()),
        Err(e) => SendResult::failed(msg_id, translate::peer_send_failure(e)),
    }
}

/// `message_instant_send[2]` to `account` as a send in flight (see [`crate::sends`]).
/// `offline` is the call's own switch, when it set one.
pub(crate) fn peer_send(
    client: Client,
    policy: PeerPolicy,
    account: String,
    msg: String,
    msg_id: String,
    offline: Option<bool>,
) -> impl Future<Output = SendResult> + Send + 'static {
    let opts = SendMessageOptions { enable_offline_messaging: offline.unwrap_or(policy.offline) };
    async move {
        let result = client.send_message_to_peer(&account, &Message::text(msg), opts).await;
        peer_send_result(msg_id, result.map(drop), policy.strict_ack)
    }
}

/// Where a channel message goes: through the joined channel, or (force send) straight to the
/// channel ID without membership.
pub(crate) enum ChannelTarget {
    /// `message_channel_send`: a channel this instance joined.
    Joined(Channel),
    /// `message_channel_send_force`: the session's client, which publishes to the channel ID.
    Force(Client),
}

/// `message_channel_send[_force]` to `channel_id` as a send in flight (see [`crate::sends`]).
/// `echo_to`, the sender's account when it is a member of the channel, gets its own copy of the
/// message once the server accepted it (the legacy SDKs echoed channel messages; the core does
/// not).
pub(crate) fn channel_send(
    target: ChannelTarget,
    channel_id: String,
    msg: String,
    msg_id: String,
    echo_to: Option<String>,
) -> impl Future<Output = SendResult> + Send + 'static {
    let message = Message::text(msg);
    async move {
        let result = match target {
            ChannelTarget::Joined(channel) => channel.send_message(&message).await,
            ChannelTarget::Force(client) => client.publish_to_channel(&channel_id, &message).await,
        };
        match (result, echo_to) {
            (Ok(()), Some(account)) => {
                let uid = uid_for(&account);
                let echo = Echo { channel_id, account, uid, msg: legacy_text(message) };
                SendResult::echoed(msg_id, echo)
            }
            (Ok(()), None) => SendResult::ok(msg_id),
            (Err(e), _) => SendResult::failed(msg_id, translate::channel_send_failure(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_switch() {
        assert_eq!(offline_override(r#"{"offline":false}"#), Some(false));
        assert_eq!(offline_override(r#"{"offline":1}"#), Some(true));
        assert_eq!(offline_override(""), None);
        assert_eq!(offline_override("not json"), None);
        assert_eq!(offline_override(r#"{"other":1}"#), None);
    }

    #[test]
    fn peer_send_results() {
        use PeerMessageError as E;
        use sigshim_mapping::LegacyCode as L;
        let r = |result, strict| peer_send_result("m".into(), result, strict).error;
        assert_eq!(r(Ok(()), true), None);
        assert_eq!(r(Err(E::CachedByServer), false), None, "the server accepted it");
        assert_eq!(r(Err(E::PeerUnreachable), false), None);
        assert_eq!(r(Err(E::CachedByServer), true), Some(L::SendMessageOther), "strict: not received");
        assert_eq!(r(Err(E::NotLoggedIn), false), Some(L::GeneralNotLogin));
        assert_eq!(r(Err(E::InvalidUserId), false), Some(L::SendMessageOther));
        assert_eq!(r(Err(E::Timeout), false), Some(L::SendMessageTimeout));
    }

    #[test]
    fn raw_bodies_become_text() {
        assert_eq!(legacy_text(Message::raw(b"hi".to_vec(), "d")), "hi");
        assert_eq!(legacy_text(Message::text("t")), "t");
        assert_eq!(legacy_text(Message::raw(vec![b'a', 0xff], "")), "a\u{fffd}", "invalid UTF-8 replaced");
    }
}
