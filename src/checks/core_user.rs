//! A user of the core client over WebSocket, as the checks drive it: waits are bounded and
//! report a [`CheckError`] instead of panicking.

use std::collections::HashMap;
use std::sync::Arc;

use sigshim::call::{CallEvent, CallEvents, CallKit, EndCall, RemoteInvitation};
use sigshim::error::PeerMessageError;
use sigshim::transport::WsConnector;
use sigshim::{
    Client, ClientEvent, ConnectionChangeReason, ConnectionState, Events, Message, SendMessageOptions,
};
use tokio::time::Instant;

use super::assertion::CheckError;
use super::backlog::Backlog;
use super::{CallNote, LOGIN_WAIT, Target, WAIT};

/// A core client of the target, its events and its call manager.
pub(crate) struct CoreUser {
    /// The client.
    pub(crate) client: Client,
    events: Events,
    backlog: Backlog<ClientEvent>,
    kit: CallKit,
    calls: CallEvents,
    incoming: HashMap<(String, String), RemoteInvitation>,
    user: String,
}

impl CoreUser {
    /// A client of the target that will log in as `user` (not logged in yet).
    pub(crate) fn new(target: &Target, user: &str) -> Self {
        let connector = Arc::new(WsConnector::new(target.url.clone()));
        let (client, events) = Client::builder(&target.app_id).connector(connector).build();
        let (kit, calls) = client.call_kit();
        Self {
            client,
            events,
            backlog: Backlog::new("client's events"),
            kit,
            calls,
            incoming: HashMap::new(),
            user: user.to_owned(),
        }
    }

    /// A client of the target logged in as `user`, with a token when the target has a certificate.
    pub(crate) async fn online(target: &Target, user: &str) -> Result<Self, CheckError> {
        let me = Self::new(target, user);
        let token = target.token(user)?;
        let what = format!("login of {user}");
        match tokio::time::timeout(LOGIN_WAIT, me.client.login(token.as_deref(), user)).await {
            Ok(Ok(())) => Ok(me),
            Ok(Err(e)) => Err(CheckError::call(what, e)),
            Err(_) => Err(CheckError::Timeout { what: format!("result of the {what}"), after: LOGIN_WAIT }),
        }
    }

    /// Logs out.
    pub(crate) async fn logout(&self) -> Result<(), CheckError> {
        self.client.logout().await.map_err(|e| CheckError::call(format!("logout of {}", self.user), e))
    }

    /// Waits for the first event (skipped ones first) that `pick` maps to a value.
    pub(crate) async fn wait_event<T>(
        &mut self,
        what: &str,
        pick: impl Fn(&ClientEvent) -> Option<T>,
    ) -> Result<T, CheckError> {
        self.backlog.wait(what, WAIT, &mut self.events, pick).await
    }

    /// Waits for the next connection state change.
    pub(crate) async fn next_state(
        &mut self,
        what: &str,
    ) -> Result<(ConnectionState, ConnectionChangeReason), CheckError> {
        self.wait_event(what, |e| match e {
            ClientEvent::ConnectionStateChanged { state, reason } => Some((*state, *reason)),
            _ => None,
        })
        .await
    }

    /// Sends a text message with offline caching on; `Ok` when the peer received it.
    pub(crate) async fn send_peer(&self, to: &str, text: &str) -> Result<(), PeerMessageError> {
        self.client
            .send_message_to_peer(to, &Message::text(text), SendMessageOptions::offline())
            .await
            .map(drop)
    }

    /// Waits for the next peer message: (sender, text, offline).
    pub(crate) async fn recv_peer(&mut self) -> Result<(String, String, bool), CheckError> {
        self.wait_event("peer message", |e| match e {
            ClientEvent::MessageFromPeer { peer_id, message, is_offline } => {
                Some((peer_id.clone(), message.text_or_description().to_owned(), *is_offline))
            }
            _ => None,
        })
        .await
    }

    /// Waits until the session is aborted and returns the reason.
    pub(crate) async fn aborted(&mut self) -> Result<ConnectionChangeReason, CheckError> {
        self.wait_event("ABORTED state", |e| match e {
            ClientEvent::ConnectionStateChanged { state: ConnectionState::Aborted, reason } => Some(*reason),
            _ => None,
        })
        .await
    }

    /// Accepts the pending invitation from `from` about `channel`, with `response`.
    pub(crate) async fn accept(
        &mut self,
        from: &str,
        channel: &str,
        response: &str,
    ) -> Result<(), CheckError> {
        let what = format!("accepting the invitation from {from}");
        let key = (channel.to_owned(), from.to_owned());
        let Some(inv) = self.incoming.get(&key).cloned() else {
            return Err(CheckError::Timeout { what: format!("invitation from {from}"), after: WAIT });
        };
        inv.set_response(response).map_err(|e| CheckError::call(what.clone(), e))?;
        self.kit.accept_remote_invitation(&inv).await.map_err(|e| CheckError::call(what, e))
    }

    /// Waits for the next call note: an invitation event or an end-call peer message.
    pub(crate) async fn next_call(&mut self) -> Result<CallNote, CheckError> {
        if let Some(note) = self.backlog.take(end_call) {
            return Ok(note);
        }
        let deadline = Instant::now() + WAIT;
        let closed = |stream| CheckError::Closed { stream, what: "call note".into() };
        loop {
            tokio::select! {
                ev = self.calls.recv() => {
                    let ev = ev.ok_or_else(|| closed("call events"))?;
                    if let Some(note) = self.note(ev) {
                        return Ok(note);
                    }
                }
                ev = self.events.recv() => {
                    let ev = ev.ok_or_else(|| closed("client's events"))?;
                    match end_call(&ev) {
                        Some(note) => return Ok(note),
                        None => self.backlog.keep(ev),
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(CheckError::Timeout { what: "call note".into(), after: WAIT });
                }
            }
        }
    }

    /// The note for a callee-side event; `None` for the others.
    fn note(&mut self, event: CallEvent) -> Option<CallNote> {
        let inv = match event {
            CallEvent::RemoteInvitationReceived(inv) => inv,
            CallEvent::RemoteInvitationCanceled(inv)
            | CallEvent::RemoteInvitationFailure { invitation: inv, .. } => {
                let channel = inv.channel_id().unwrap_or_default().to_owned();
                return Some(CallNote::Ended { peer: inv.caller_id().to_owned(), channel });
            }
            _ => return None,
        };
        let (from, channel) = (inv.caller_id().to_owned(), inv.channel_id().unwrap_or_default().to_owned());
        let extra = inv.content().to_owned();
        self.incoming.insert((channel.clone(), from.clone()), inv);
        Some(CallNote::Incoming { from, channel, extra })
    }
}

/// An end-call peer message as a note.
fn end_call(e: &ClientEvent) -> Option<CallNote> {
    let (peer, end) = EndCall::from_event(e)?;
    Some(CallNote::Ended { peer: peer.to_owned(), channel: end.channel_id })
}
