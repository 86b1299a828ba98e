//! Peer messages, presence and user attributes, the legacy way.

use std::collections::BTreeMap;

use sigshim::error::PeerMessageError;
use sigshim::message::MessageBody;
use sigshim::{Attribute, Message, SendMessageOptions};
use sigshim_mapping::translate;

use crate::actor::Actor;
use crate::sends::SendResult;

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

/// A JSON object of attributes, as `on_user_attr_all_result` carries it.
pub(crate) fn attrs_json(attrs: &[Attribute]) -> String {
    let map: BTreeMap<&str, &str> = attrs.iter().map(|a| (a.key.as_str(), a.value.as_str())).collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// The legacy outcome of a peer message: success once the server accepted it (cached for an
/// offline peer, or unreachable without caching), unless `strict` asks for the peer's receipt.
fn peer_send_result(msg_id: String, result: Result<(), PeerMessageError>, strict: bool) -> SendResult {
    match result {
        Ok(()) => SendResult::ok(msg_id),
        Err(e) if e.server_accepted() && !strict => SendResult::ok(msg_id),
        Err(PeerMessageError::NotLoggedIn) => SendResult::failed(msg_id, translate::not_logged_in().code()),
        Err(e) => SendResult::failed(msg_id, translate::peer_send_failure(e).code()),
    }
}

impl Actor {
    /// `message_instant_send`: puts the message on the link and leaves its result in flight
    /// (see [`crate::sends`]).
    pub(crate) async fn instant_send(
        &mut self,
        account: String,
        msg: String,
        msg_id: String,
        offline: Option<bool>,
    ) {
        let msg_id = if msg_id.is_empty() { self.fresh_msg_id() } else { msg_id };
        let Some(session) = self.session.as_ref() else {
            return self.send_failed(msg_id, translate::not_logged_in().code()).await;
        };
        let client = session.client.clone();
        let offline = offline.unwrap_or(self.options.offline_messages);
        let opts = SendMessageOptions { enable_offline_messaging: offline };
        let strict = self.options.strict_peer_ack;
        self.start_send(async move {
            let result = client.send_message_to_peer(&account, &Message::text(msg), opts).await;
            peer_send_result(msg_id, result.map(drop), strict)
        })
        .await;
    }

    /// Whether `account` is online, or the legacy code of the failure.
    pub(crate) async fn user_online(&self, account: &str) -> Result<bool, i32> {
        let Some((client, _)) = self.require_login("query_user_status").await else {
            return Err(translate::not_logged_in().code());
        };
        match client.query_peers_online_status(&[account]).await {
            Ok(s) => Ok(s.first().is_some_and(|p| p.state == sigshim::PeerOnlineState::Online)),
            Err(e) => Err(translate::query_status_failure(e).code()),
        }
    }

    pub(crate) async fn query_user_status(&self, account: String) {
        match self.user_online(&account).await {
            Ok(online) => {
                let status = if online { "1" } else { "0" };
                self.cb(move |c| c.on_query_user_status_result(&account, status)).await
            }
            Err(code) if code == translate::not_logged_in().code() => {}
            Err(code) => self.cb(move |c| c.on_error("query_user_status", code, "query failed")).await,
        }
    }

    /// Sets (or, with an empty value, removes) one attribute of the logged-in user.
    pub(crate) async fn write_attr(&self, name: &str, value: &str) -> Result<(), i32> {
        let Some((client, _)) = self.require_login("set_attr").await else {
            return Err(translate::not_logged_in().code());
        };
        let result = if value.is_empty() {
            client.delete_local_user_attributes_by_keys(&[name]).await
        } else {
            client.add_or_update_local_user_attributes(&[Attribute::new(name, value)]).await
        };
        result.map_err(|e| translate::attribute_failure(e).code())
    }

    pub(crate) async fn set_attr(&self, name: String, value: String) {
        if let Err(code) = self.write_attr(&name, &value).await {
            if code != translate::not_logged_in().code() {
                self.cb(move |c| c.on_error("set_attr", code, "attribute update failed")).await;
            }
        }
    }

    /// All attributes of `account` (the logged-in user when `None`) with the account read.
    pub(crate) async fn read_attrs(
        &self,
        op: &'static str,
        account: Option<String>,
        key: Option<&str>,
    ) -> Result<(String, Vec<Attribute>), i32> {
        let Some((client, me)) = self.require_login(op).await else {
            return Err(translate::not_logged_in().code());
        };
        let account = account.unwrap_or(me);
        let result = match key {
            Some(k) => client.get_user_attributes_by_keys(&account, &[k]).await,
            None => client.get_user_attributes(&account).await,
        };
        result.map(|a| (account, a)).map_err(|e| translate::attribute_failure(e).code())
    }

    pub(crate) async fn get_attr(&self, account: Option<String>, name: String) {
        let op = if account.is_some() { "get_user_attr" } else { "get_attr" };
        match self.read_attrs(op, account, Some(&name)).await {
            Ok((account, attrs)) => {
                let value = attrs.into_iter().next().map(|a| a.value).unwrap_or_default();
                self.cb(move |c| c.on_user_attr_result(&account, &name, &value)).await
            }
            Err(code) if code == translate::not_logged_in().code() => {}
            Err(code) => self.cb(move |c| c.on_error(op, code, "attribute read failed")).await,
        }
    }

    pub(crate) async fn get_attr_all(&self, account: Option<String>) {
        let op = if account.is_some() { "get_user_attr_all" } else { "get_attr_all" };
        match self.read_attrs(op, account, None).await {
            Ok((account, attrs)) => {
                let json = attrs_json(&attrs);
                self.cb(move |c| c.on_user_attr_all_result(&account, &json)).await
            }
            Err(code) if code == translate::not_logged_in().code() => {}
            Err(code) => self.cb(move |c| c.on_error(op, code, "attribute read failed")).await,
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
        let r = |result, strict| peer_send_result("m".into(), result, strict).error;
        assert_eq!(r(Ok(()), true), None);
        assert_eq!(r(Err(E::CachedByServer), false), None, "the server accepted it");
        assert_eq!(r(Err(E::PeerUnreachable), false), None);
        assert_eq!(r(Err(E::CachedByServer), true), Some(400), "strict: not received");
        assert_eq!(r(Err(E::NotLoggedIn), false), Some(1003));
        assert_eq!(r(Err(E::InvalidUserId), false), Some(400));
        assert_eq!(r(Err(E::Timeout), false), Some(401));
    }

    #[test]
    fn raw_bodies_become_text() {
        assert_eq!(legacy_text(Message::raw(b"hi".to_vec(), "d")), "hi");
        assert_eq!(legacy_text(Message::text("t")), "t");
        assert_eq!(legacy_text(Message::raw(vec![b'a', 0xff], "")), "a\u{fffd}", "invalid UTF-8 replaced");
        assert_eq!(attrs_json(&[Attribute::new("b", "2"), Attribute::new("a", "1")]), r#"{"a":"1","b":"2"}"#);
    }
}
