//! Call invitations (RTM's call manager): invite a user, and accept, refuse or cancel, with the
//! RTM states, events and failure codes.
//!
//! ```
//! use sigshim::call::{CallEvent, LocalInvitationState};
//! use sigshim::{Client, Hub, HubConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let hub = Hub::new(HubConfig::new("demo-app"));
//! let (alice, _) = Client::builder("demo-app").hub(&hub).build();
//! let (bob, _) = Client::builder("demo-app").hub(&hub).build();
//! alice.login(None, "alice").await.unwrap();
//! bob.login(None, "bob").await.unwrap();
//! let (alice_calls, mut alice_events) = alice.call_kit();
//! let (bob_calls, mut bob_events) = bob.call_kit();
//!
//! let invitation = alice_calls.create_local_invitation("bob").unwrap();
//! invitation.set_channel_id(Some("room-7")).unwrap();
//! alice_calls.send_local_invitation(&invitation).await.unwrap();
//!
//! let Some(CallEvent::RemoteInvitationReceived(incoming)) = bob_events.recv().await else { panic!() };
//! assert_eq!(incoming.channel_id(), Some("room-7"));
//! incoming.set_response("on my way").unwrap();
//! bob_calls.accept_remote_invitation(&incoming).await.unwrap();
//!
//! loop {
//!     if let Some(CallEvent::LocalInvitationAccepted { response, .. }) = alice_events.recv().await {
//!         assert_eq!(response, "on my way");
//!         break;
//!     }
//! }
//! assert_eq!(invitation.state(), LocalInvitationState::AcceptedByRemote);
//! # }
//! ```
//!
//! # Timers
//! The caller sends again every [`CallTimers::resend_interval`] while the callee is offline; an
//! invitation not received within [`CallTimers::ack_timeout`] fails with `PeerOffline` (the callee
//! was offline throughout) or `PeerNoResponse`. Once received, it expires after
//! [`CallTimers::expire_after`] on both sides. An accept the caller does not confirm within
//! [`CallTimers::accept_ack_timeout`] fails with `AcceptFailure`.
//!
//! # Ending with the session
//! Logout, a kick (REMOTE_LOGIN, token expiry) or a reconnect that could not resume the session
//! fails every open invitation: outgoing ones with `NotLoggedIn`, incoming ones with
//! `PeerOffline`; the other party's invitation fails with `PeerOffline`.

pub(crate) mod book;
#[cfg(test)]
mod bound_test;
mod end_call;
mod events;
mod invitation;
mod route;

use std::time::Duration;

use crate::client::Client;
use crate::error::{InvitationApiError, LocalInvitationError, RemoteInvitationError};
use crate::limits::{Limits, validate_id};

pub use end_call::{END_CALL_PREFIX, EndCall};
pub use events::{CALL_EVENTS_CAPACITY, CallEvents};
pub use invitation::{LocalInvitation, LocalInvitationState, RemoteInvitation, RemoteInvitationState};

/// The timers of call invitations; the defaults are RTM's. [`Default`], then a chainable setter
/// per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallTimers {
    /// How long the caller waits for the callee's client to confirm receipt (30 s).
    pub ack_timeout: Duration,
    /// How often the caller sends again while the callee is offline (2 s).
    pub resend_interval: Duration,
    /// How long a received invitation waits for an answer before it expires (60 s).
    pub expire_after: Duration,
    /// How long the callee waits for the caller to confirm an accept (5 s).
    pub accept_ack_timeout: Duration,
    /// How often the callee sends its accept again while the caller is offline (1 s).
    pub accept_resend_interval: Duration,
}

impl Default for CallTimers {
    fn default() -> Self {
        Self {
            ack_timeout: Duration::from_secs(30),
            resend_interval: Duration::from_secs(2),
            expire_after: Duration::from_secs(60),
            accept_ack_timeout: Duration::from_secs(5),
            accept_resend_interval: Duration::from_secs(1),
        }
    }
}

crate::config::config_setters!(CallTimers {
    ack_timeout: Duration,
    resend_interval: Duration,
    expire_after: Duration,
    accept_ack_timeout: Duration,
    accept_resend_interval: Duration,
});

/// One event of a client's invitations, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallEvent {
    /// Caller: the callee's client received the invitation.
    LocalInvitationReceivedByPeer(LocalInvitation),
    /// Caller: the callee accepted.
    LocalInvitationAccepted {
        /// The invitation.
        invitation: LocalInvitation,
        /// The callee's response.
        response: String,
    },
    /// Caller: the callee refused.
    LocalInvitationRefused {
        /// The invitation.
        invitation: LocalInvitation,
        /// The callee's response.
        response: String,
    },
    /// Caller: this side's cancel went through.
    LocalInvitationCanceled(LocalInvitation),
    /// Caller: the invitation failed.
    LocalInvitationFailure {
        /// The invitation.
        invitation: LocalInvitation,
        /// Why.
        error: LocalInvitationError,
    },
    /// Callee: an invitation arrived.
    RemoteInvitationReceived(RemoteInvitation),
    /// Callee: the caller confirmed this side's accept.
    RemoteInvitationAccepted(RemoteInvitation),
    /// Callee: this side's refuse went through.
    RemoteInvitationRefused(RemoteInvitation),
    /// Callee: the caller canceled.
    RemoteInvitationCanceled(RemoteInvitation),
    /// Callee: the invitation failed.
    RemoteInvitationFailure {
        /// The invitation.
        invitation: RemoteInvitation,
        /// Why.
        error: RemoteInvitationError,
    },
}

/// A client's call manager (RTM `RtmCallManager`). The API calls answer whether the call was
/// accepted ([`InvitationApiError`]); progress arrives as [`CallEvent`]s.
///
/// # Examples
/// Alice invites Bob, Bob accepts; each side sees its invitation's events in order:
/// ```
/// use sigshim::call::{CallEvent, LocalInvitationState, RemoteInvitationState};
/// use sigshim::{Client, Hub, HubConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hub = Hub::new(HubConfig::new("demo-app"));
/// let (alice, _) = Client::builder("demo-app").hub(&hub).build();
/// let (bob, _) = Client::builder("demo-app").hub(&hub).build();
/// alice.login(None, "alice").await.unwrap();
/// bob.login(None, "bob").await.unwrap();
/// let (alice_calls, mut alice_events) = alice.call_kit();
/// let (bob_calls, mut bob_events) = bob.call_kit();
///
/// let invitation = alice_calls.create_local_invitation("bob").unwrap();
/// invitation.set_content("video call?").unwrap();
/// alice_calls.send_local_invitation(&invitation).await.unwrap();
///
/// let incoming = match bob_events.recv().await {
///     Some(CallEvent::RemoteInvitationReceived(incoming)) => incoming,
///     other => panic!("expected an invitation, got {other:?}"),
/// };
/// assert_eq!((incoming.caller_id(), incoming.content()), ("alice", "video call?"));
/// incoming.set_response("yes").unwrap();
/// bob_calls.accept_remote_invitation(&incoming).await.unwrap();
///
/// match alice_events.recv().await {
///     Some(CallEvent::LocalInvitationReceivedByPeer(inv)) => assert_eq!(inv, invitation),
///     other => panic!("expected the receipt, got {other:?}"),
/// }
/// match alice_events.recv().await {
///     Some(CallEvent::LocalInvitationAccepted { invitation: inv, response }) => {
///         assert_eq!(inv, invitation);
///         assert_eq!(response, "yes");
///     }
///     other => panic!("expected the accept, got {other:?}"),
/// }
/// assert_eq!(invitation.state(), LocalInvitationState::AcceptedByRemote);
///
/// // Bob's side ends when Alice's client confirms the accept.
/// assert_eq!(bob_events.recv().await, Some(CallEvent::RemoteInvitationAccepted(incoming.clone())));
/// assert_eq!(incoming.state(), RemoteInvitationState::Accepted);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CallKit {
    client: Client,
}

impl Client {
    /// The call manager and the stream of invitation events, bounded at the client's
    /// [`call_event_capacity`](crate::ClientBuilder::call_event_capacity) (by default
    /// [`CALL_EVENTS_CAPACITY`]; see [`CallEvents`] for what waits when it is full). Calling it
    /// again sends the events to the new stream; the old one ends once read. Needs no login.
    pub fn call_kit(&self) -> (CallKit, CallEvents) {
        let queue = events::Queue::new(self.shared().call_event_capacity);
        self.shared().calls.set_events(queue.clone());
        (CallKit { client: self.clone() }, CallEvents::new(queue))
    }
}

impl CallKit {
    /// A new invitation to `callee_id`, not sent yet.
    pub fn create_local_invitation(&self, callee_id: &str) -> Result<LocalInvitation, InvitationApiError> {
        validate_id(callee_id, Limits::default().max_id_bytes)
            .map_err(|_| InvitationApiError::InvalidArgument)?;
        Ok(self.client.shared().calls.create(callee_id))
    }

    /// Sends an invitation. Without a login it fails at once with a `NotLoggedIn` event.
    pub async fn send_local_invitation(
        &self,
        invitation: &LocalInvitation,
    ) -> Result<(), InvitationApiError> {
        if self.client.user_id().as_deref() == Some(invitation.callee_id()) {
            return Err(InvitationApiError::InvalidArgument);
        }
        let s = self.client.shared();
        s.calls.send(s, invitation).await
    }

    /// Withdraws a sent invitation that is still open.
    pub async fn cancel_local_invitation(
        &self,
        invitation: &LocalInvitation,
    ) -> Result<(), InvitationApiError> {
        let s = self.client.shared();
        s.calls.cancel(s, invitation).await
    }

    /// Accepts an incoming invitation with its current response.
    pub async fn accept_remote_invitation(
        &self,
        invitation: &RemoteInvitation,
    ) -> Result<(), InvitationApiError> {
        let s = self.client.shared();
        s.calls.accept(s, invitation)
    }

    /// Refuses an incoming invitation with its current response.
    pub async fn refuse_remote_invitation(
        &self,
        invitation: &RemoteInvitation,
    ) -> Result<(), InvitationApiError> {
        let s = self.client.shared();
        s.calls.refuse(s, invitation).await
    }
}
