//! Helpers for invitation scenarios on the core: logged-in call managers and event waits that
//! read as one-line summaries.

use sigshim::call::{CallEvent, CallEvents, CallKit, LocalInvitation, RemoteInvitation};
use sigshim::{Client, Hub};

use crate::backend::Backend;
use crate::fixtures::online_core;
use crate::recorder::WAIT;

/// A logged-in client of `hub` with its call manager and invitation events.
pub struct Party {
    /// The client.
    pub client: Client,
    /// Its call manager.
    pub kit: CallKit,
    /// Its invitation events.
    pub events: CallEvents,
}

/// `user` logged in on `hub` through `be`, with a call manager.
pub async fn party(be: Backend, hub: &Hub, user: &str) -> Party {
    let client = online_core(be, hub, user).await.client;
    let (kit, events) = client.call_kit();
    Party { client, kit, events }
}

impl Party {
    /// Creates an invitation to `callee` (no content, no channel) and sends it.
    pub async fn invite(&self, callee: &str) -> LocalInvitation {
        let inv = self.kit.create_local_invitation(callee).expect("a valid callee");
        self.kit.send_local_invitation(&inv).await.expect("the invitation is sent");
        inv
    }
}

/// `user` logged in on `hub` through `be` without a call manager: it never acknowledges
/// invitations.
pub async fn without_call_manager(be: Backend, hub: &Hub, user: &str) -> (Client, sigshim::Events) {
    let (client, events) = be.client_builder(hub).build();
    client.login(None, user).await.unwrap_or_else(|e| panic!("login of {user}: {e:?}"));
    (client, events)
}

/// A session opened on `hub` directly (no client): a party that speaks the invitation protocol
/// by hand through `Hub::handle`, and its inbox.
pub fn raw_session(
    hub: &Hub,
    user: &str,
) -> (std::sync::Arc<sigshim::test_support::Session>, sigshim::hub::SessionInbox) {
    let login = sigshim::protocol::LoginRequest::new(crate::APP_ID, user, None);
    hub.login(&login).unwrap_or_else(|e| panic!("login of {user}: {e:?}"))
}

/// One line for an invitation event, for exact comparisons.
pub fn brief(e: &CallEvent) -> String {
    match e {
        CallEvent::LocalInvitationReceivedByPeer(_) => "local:received_by_peer".into(),
        CallEvent::LocalInvitationAccepted { response, .. } => format!("local:accepted({response})"),
        CallEvent::LocalInvitationRefused { response, .. } => format!("local:refused({response})"),
        CallEvent::LocalInvitationCanceled(_) => "local:canceled".into(),
        CallEvent::LocalInvitationFailure { error, .. } => format!("local:failure({error:?})"),
        CallEvent::RemoteInvitationReceived(i) => {
            format!("remote:received({},{},{})", i.caller_id(), i.channel_id().unwrap_or("-"), i.content())
        }
        CallEvent::RemoteInvitationAccepted(_) => "remote:accepted".into(),
        CallEvent::RemoteInvitationRefused(_) => "remote:refused".into(),
        CallEvent::RemoteInvitationCanceled(_) => "remote:canceled".into(),
        CallEvent::RemoteInvitationFailure { error, .. } => format!("remote:failure({error:?})"),
        other => format!("{other:?}"),
    }
}

/// The next invitation event, waited for with a deadline.
pub async fn next_call(ev: &mut CallEvents) -> CallEvent {
    tokio::time::timeout(WAIT, ev.recv()).await.expect("an invitation event in time").expect("stream open")
}

/// [`brief`] of the next invitation event.
pub async fn next_brief(ev: &mut CallEvents) -> String {
    brief(&next_call(ev).await)
}

/// Waits for the next event and expects a received invitation.
pub async fn next_incoming(ev: &mut CallEvents) -> RemoteInvitation {
    match next_call(ev).await {
        CallEvent::RemoteInvitationReceived(i) => i,
        other => panic!("expected an incoming invitation, got {other:?}"),
    }
}

/// The events ready now, without waiting. Under paused time, right after
/// [`advance`](crate::scenario::advance), these are all the events due before the current
/// instant.
pub fn ready(ev: &mut CallEvents) -> Vec<String> {
    std::iter::from_fn(|| ev.try_recv()).map(|e| brief(&e)).collect()
}

/// Asserts that the next events are exactly `want` ([`brief`]s, in order), each at the current
/// instant of a paused clock ([`at_once`](crate::scenario::at_once)).
pub async fn expect_now(ev: &mut CallEvents, want: &[&str]) {
    let mut got = Vec::new();
    for _ in want {
        got.push(crate::scenario::at_once(next_brief(ev)).await);
    }
    assert_eq!(got, want);
}
