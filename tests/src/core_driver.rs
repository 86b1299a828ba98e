//! The core API behind the [`Driver`] interface.

use std::collections::{BTreeMap, VecDeque};

use async_trait::async_trait;
use sigshim::error::*;
use sigshim::{Client, ClientEvent, Events, Hub, Message, PeerOnlineState, RtmCode, SendMessageOptions};

use crate::driver::{Api, CallNote, Driver, Fail, FailKind as K, Outcome};
use crate::recorder::WAIT;

/// A core [`Client`] as a [`Driver`]. Peer messages are sent with offline caching on.
#[derive(Debug)]
pub struct CoreDriver {
    /// The client.
    pub client: Client,
    /// Its events (those skipped by waits stay in `backlog`).
    pub events: Events,
    pub(crate) backlog: VecDeque<ClientEvent>,
    user: String,
    /// Its call manager and invitations (see `core_calls`).
    pub calls: crate::core_calls::CoreCalls,
}

pub(crate) fn fail(kind: K, e: impl RtmCode) -> Fail {
    Fail { kind, code: e.code() }
}

impl CoreDriver {
    /// An in-process client of `hub` that will log in as `user` (the same as
    /// [`Backend::Memory.core`](crate::Backend::core); scenarios that run per backend use
    /// [`Backend::core`](crate::Backend::core)).
    pub fn new(hub: &Hub, user: &str) -> Self {
        crate::Backend::Memory.core(hub, user)
    }

    /// Wraps an existing client.
    pub fn from_parts(client: Client, events: Events, user: &str) -> Self {
        let calls = crate::core_calls::CoreCalls::new(&client);
        Self { client, events, backlog: VecDeque::new(), user: user.to_owned(), calls }
    }

    /// The next event if one is ready (backlog first), without waiting.
    pub fn try_next_event(&mut self) -> Option<ClientEvent> {
        self.backlog.pop_front().or_else(|| self.events.try_recv())
    }

    /// Waits for the first event (backlog first) that `pick` maps to a value.
    pub async fn wait_event<T>(&mut self, what: &str, pick: impl Fn(&ClientEvent) -> Option<T>) -> T {
        if let Some(i) = self.backlog.iter().position(|e| pick(e).is_some()) {
            let e = self.backlog.remove(i).expect("position is in range");
            return pick(&e).expect("checked above");
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) => match pick(&e) {
                    Some(v) => return v,
                    None => self.backlog.push_back(e),
                },
                Ok(None) => panic!("event stream ended while waiting for {what}"),
                Err(_) => panic!("no {what} within {WAIT:?}; backlog: {:?}", self.backlog),
            }
        }
    }
}

#[async_trait]
impl Driver for CoreDriver {
    fn api(&self) -> Api {
        Api::Core
    }

    fn user(&self) -> &str {
        &self.user
    }

    async fn login(&mut self, token: Option<&str>) -> Outcome {
        self.client.login(token, &self.user).await.map_err(|e| {
            let kind = match e.kind() {
                LoginError::InvalidArgument => K::InvalidUser,
                LoginError::InvalidToken => K::InvalidToken,
                LoginError::TokenExpired => K::TokenExpired,
                LoginError::TooOften => K::TooOften,
                _ => K::Other,
            };
            fail(kind, e)
        })
    }

    async fn logout(&mut self) -> Outcome {
        self.client
            .logout()
            .await
            .map_err(|e| fail(if e == LogoutError::NotLoggedIn { K::NotLoggedIn } else { K::Other }, e))
    }

    async fn send_peer(&mut self, to: &str, text: &str) -> Outcome {
        let r =
            self.client.send_message_to_peer(to, &Message::text(text), SendMessageOptions::offline()).await;
        r.map(drop).map_err(|e| {
            let kind = match e {
                PeerMessageError::NotLoggedIn => K::NotLoggedIn,
                PeerMessageError::InvalidUserId => K::InvalidUser,
                PeerMessageError::InvalidMessage => K::InvalidArgument,
                PeerMessageError::TooOften => K::TooOften,
                PeerMessageError::PeerUnreachable | PeerMessageError::CachedByServer => K::NotDelivered,
                _ => K::Other,
            };
            fail(kind, e)
        })
    }

    async fn recv_peer(&mut self) -> (String, String) {
        self.wait_event("a peer message", |e| match e {
            ClientEvent::MessageFromPeer { peer_id, message, .. } => {
                Some((peer_id.clone(), message.text_or_description().to_owned()))
            }
            _ => None,
        })
        .await
    }

    async fn query_online(&mut self, user: &str) -> Outcome<bool> {
        match self.client.query_peers_online_status(&[user]).await {
            Ok(s) => Ok(s.first().is_some_and(|p| p.state == PeerOnlineState::Online)),
            Err(e) => Err(fail(
                match e {
                    QueryPeersOnlineStatusError::NotLoggedIn => K::NotLoggedIn,
                    QueryPeersOnlineStatusError::InvalidArgument => K::InvalidArgument,
                    QueryPeersOnlineStatusError::TooOften => K::TooOften,
                    _ => K::Other,
                },
                e,
            )),
        }
    }

    async fn set_attr(&mut self, key: &str, value: &str) -> Outcome {
        let attr = sigshim::Attribute::new(key, value);
        self.client.add_or_update_local_user_attributes(&[attr]).await.map_err(attr_fail)
    }

    async fn get_attr(&mut self, user: &str, key: &str) -> Outcome<String> {
        let attrs = self.client.get_user_attributes_by_keys(user, &[key]).await.map_err(attr_fail)?;
        Ok(attrs.into_iter().next().map(|a| a.value).unwrap_or_default())
    }

    async fn get_attrs(&mut self, user: &str) -> Outcome<BTreeMap<String, String>> {
        let attrs = self.client.get_user_attributes(user).await.map_err(attr_fail)?;
        Ok(attrs.into_iter().map(|a| (a.key, a.value)).collect())
    }

    async fn expect_kicked(&mut self) -> i32 {
        self.wait_event("ABORTED", |e| match e {
            ClientEvent::ConnectionStateChanged { state: sigshim::ConnectionState::Aborted, reason } => {
                Some(reason.code())
            }
            _ => None,
        })
        .await
    }

    async fn invite(&mut self, to: &str, channel: &str, extra: &str) -> Outcome {
        self.calls.invite(to, channel, extra).await
    }

    async fn answer(&mut self, from: &str, channel: &str, accept: bool, extra: &str) -> Outcome {
        self.calls.answer(from, channel, accept, extra).await
    }

    async fn end_call(&mut self, peer: &str, channel: &str) -> Outcome {
        self.calls.end(&self.client, peer, channel).await
    }

    async fn next_call(&mut self) -> CallNote {
        crate::core_calls::next_call(self).await
    }
}

fn attr_fail(e: AttributeError) -> Fail {
    let kind = match e {
        AttributeError::NotLoggedIn => K::NotLoggedIn,
        AttributeError::InvalidArgument | AttributeError::SizeOverflow => K::InvalidArgument,
        AttributeError::TooOften => K::TooOften,
        AttributeError::UserNotFound => K::UserNotFound,
        _ => K::Other,
    };
    fail(kind, e)
}
