//! The two invitation objects: [`LocalInvitation`] (caller side) and [`RemoteInvitation`]
//! (callee side), with their RTM states.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use crate::error::InvitationApiError;
use crate::limits::{Limits, validate_id};

/// Where an outgoing invitation stands (RTM `LOCAL_INVITATION_STATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalInvitationState {
    /// Created, not sent.
    Idle = 0,
    /// Sent; the callee's client has not confirmed receipt yet.
    SentToRemote = 1,
    /// The callee's client received it.
    ReceivedByRemote = 2,
    /// The callee accepted.
    AcceptedByRemote = 3,
    /// The callee refused.
    RefusedByRemote = 4,
    /// The caller canceled it.
    Canceled = 5,
    /// It failed (see [`LocalInvitationError`](crate::error::LocalInvitationError)).
    Failure = 6,
}

impl LocalInvitationState {
    /// The RTM numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// True once the invitation can no longer change.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Idle | Self::SentToRemote | Self::ReceivedByRemote)
    }
}

/// Where an incoming invitation stands (RTM `REMOTE_INVITATION_STATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemoteInvitationState {
    /// Not received (never seen by an application).
    Idle = 0,
    /// Received; waiting for this side to accept or refuse.
    InvitationReceived = 1,
    /// Accepted; waiting for the caller to confirm.
    AcceptSentToLocal = 2,
    /// Refused.
    Refused = 3,
    /// Accepted and confirmed by the caller.
    Accepted = 4,
    /// The caller canceled it.
    Canceled = 5,
    /// It failed (see [`RemoteInvitationError`](crate::error::RemoteInvitationError)).
    Failure = 6,
}

impl RemoteInvitationState {
    /// The RTM numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// True once the invitation can no longer change.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Idle | Self::InvitationReceived | Self::AcceptSentToLocal)
    }
}

fn max_bytes() -> usize {
    Limits::default().max_invitation_bytes
}

#[derive(Debug)]
pub(crate) struct LocalData {
    pub(crate) content: String,
    pub(crate) channel_id: Option<String>,
    pub(crate) response: String,
    pub(crate) state: LocalInvitationState,
    pub(crate) require_peer_online: bool,
    pub(crate) timeout: Option<Duration>,
    /// True once the hub handed the invitation to the callee's client.
    pub(crate) delivered: bool,
}

#[derive(Debug)]
pub(crate) struct LocalInner {
    pub(crate) id: u64,
    pub(crate) callee_id: String,
    pub(crate) data: Mutex<LocalData>,
}

/// An invitation this client sends (RTM `LocalInvitation`). Cheap to clone; clones are the same
/// invitation, and the events about it carry a clone.
#[derive(Debug, Clone)]
pub struct LocalInvitation {
    pub(crate) inner: Arc<LocalInner>,
}

impl PartialEq for LocalInvitation {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for LocalInvitation {}

impl LocalInvitation {
    pub(crate) fn new(id: u64, callee_id: &str) -> Self {
        let data = LocalData {
            content: String::new(),
            channel_id: None,
            response: String::new(),
            state: LocalInvitationState::Idle,
            require_peer_online: false,
            timeout: None,
            delivered: false,
        };
        Self { inner: Arc::new(LocalInner { id, callee_id: callee_id.to_owned(), data: Mutex::new(data) }) }
    }

    /// The number this client gave the invitation (unique per client).
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Who is invited.
    pub fn callee_id(&self) -> &str {
        &self.inner.callee_id
    }

    /// The content sent with the invitation.
    pub fn content(&self) -> String {
        self.inner.data.lock().content.clone()
    }

    /// The channel the call is about, if any.
    pub fn channel_id(&self) -> Option<String> {
        self.inner.data.lock().channel_id.clone()
    }

    /// The callee's response, once it accepted or refused.
    pub fn response(&self) -> String {
        self.inner.data.lock().response.clone()
    }

    /// The current state.
    pub fn state(&self) -> LocalInvitationState {
        self.inner.data.lock().state
    }

    /// Runs `f` on the data while the invitation has not been sent.
    fn before_send(&self, f: impl FnOnce(&mut LocalData)) -> Result<(), InvitationApiError> {
        let mut d = self.inner.data.lock();
        if d.state != LocalInvitationState::Idle {
            return Err(InvitationApiError::AlreadySent);
        }
        f(&mut d);
        Ok(())
    }

    /// Sets the content (at most 8 KB); only before sending.
    pub fn set_content(&self, content: &str) -> Result<(), InvitationApiError> {
        if content.len() > max_bytes() {
            return Err(InvitationApiError::InvalidArgument);
        }
        self.before_send(|d| d.content = content.to_owned())
    }

    /// Sets the channel the call is about (a valid channel ID, or `None`); only before sending.
    /// Legacy Signaling peers need it.
    pub fn set_channel_id(&self, channel_id: Option<&str>) -> Result<(), InvitationApiError> {
        if channel_id.is_some_and(|c| validate_id(c, Limits::default().max_id_bytes).is_err()) {
            return Err(InvitationApiError::InvalidArgument);
        }
        self.before_send(|d| d.channel_id = channel_id.map(str::to_owned))
    }

    /// A sigshim extension: fail with `PeerOffline` at once when the callee is offline, instead
    /// of sending again for the acknowledgement timeout. Only before sending.
    pub fn set_require_peer_online(&self, required: bool) -> Result<(), InvitationApiError> {
        self.before_send(|d| d.require_peer_online = required)
    }

    /// A sigshim extension: end the invitation with `InvitationExpire` after `timeout` from the
    /// send unless it was accepted, refused or canceled by then. A callee that has not received
    /// it by then never will. Only before sending.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), InvitationApiError> {
        self.before_send(|d| d.timeout = timeout)
    }
}

#[derive(Debug)]
pub(crate) struct RemoteData {
    pub(crate) response: String,
    pub(crate) state: RemoteInvitationState,
}

#[derive(Debug)]
pub(crate) struct RemoteInner {
    pub(crate) id: u64,
    pub(crate) caller_id: String,
    pub(crate) content: String,
    pub(crate) channel_id: Option<String>,
    pub(crate) data: Mutex<RemoteData>,
}

/// An invitation this client received (RTM `RemoteInvitation`). Cheap to clone; clones are the
/// same invitation.
#[derive(Debug, Clone)]
pub struct RemoteInvitation {
    pub(crate) inner: Arc<RemoteInner>,
}

impl PartialEq for RemoteInvitation {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for RemoteInvitation {}

impl RemoteInvitation {
    pub(crate) fn new(id: u64, caller_id: &str, content: String, channel_id: Option<String>) -> Self {
        let data = RemoteData { response: String::new(), state: RemoteInvitationState::InvitationReceived };
        Self {
            inner: Arc::new(RemoteInner {
                id,
                caller_id: caller_id.to_owned(),
                content,
                channel_id,
                data: Mutex::new(data),
            }),
        }
    }

    /// The caller's number for the invitation.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Who invites.
    pub fn caller_id(&self) -> &str {
        &self.inner.caller_id
    }

    /// The caller's content.
    pub fn content(&self) -> &str {
        &self.inner.content
    }

    /// The channel the call is about, if the caller named one.
    pub fn channel_id(&self) -> Option<&str> {
        self.inner.channel_id.as_deref()
    }

    /// The response this side gives when it accepts or refuses.
    pub fn response(&self) -> String {
        self.inner.data.lock().response.clone()
    }

    /// The current state.
    pub fn state(&self) -> RemoteInvitationState {
        self.inner.data.lock().state
    }

    /// Sets the response (at most 8 KB); only while the invitation waits for an answer.
    pub fn set_response(&self, response: &str) -> Result<(), InvitationApiError> {
        if response.len() > max_bytes() {
            return Err(InvitationApiError::InvalidArgument);
        }
        let mut d = self.inner.data.lock();
        answerable(d.state)?;
        d.response = response.to_owned();
        Ok(())
    }
}

/// Whether an incoming invitation in `state` may still be answered, and the API error if not.
pub(crate) fn answerable(state: RemoteInvitationState) -> Result<(), InvitationApiError> {
    use RemoteInvitationState as S;
    match state {
        S::InvitationReceived => Ok(()),
        S::AcceptSentToLocal | S::Accepted => Err(InvitationApiError::AlreadyAccept),
        S::Idle => Err(InvitationApiError::NotStarted),
        S::Refused | S::Canceled | S::Failure => Err(InvitationApiError::AlreadyEnd),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_check_size_and_state() {
        let inv = LocalInvitation::new(1, "bob");
        assert_eq!(inv.set_content(&"x".repeat(8 * 1024 + 1)), Err(InvitationApiError::InvalidArgument));
        assert_eq!(inv.set_content(&"x".repeat(8 * 1024)), Ok(()));
        assert_eq!(inv.set_channel_id(Some("bad/id")), Err(InvitationApiError::InvalidArgument));
        assert_eq!(inv.set_channel_id(Some("room")), Ok(()));
        inv.inner.data.lock().state = LocalInvitationState::SentToRemote;
        assert_eq!(inv.set_content("late"), Err(InvitationApiError::AlreadySent));
        assert_eq!(inv.channel_id().as_deref(), Some("room"));

        let remote = RemoteInvitation::new(1, "alice", "hi".into(), None);
        assert_eq!(remote.set_response("ok"), Ok(()));
        remote.inner.data.lock().state = RemoteInvitationState::AcceptSentToLocal;
        assert_eq!(remote.set_response("no"), Err(InvitationApiError::AlreadyAccept));
        remote.inner.data.lock().state = RemoteInvitationState::Canceled;
        assert_eq!(remote.set_response("no"), Err(InvitationApiError::AlreadyEnd));
        assert_eq!(remote.response(), "ok");
    }

    #[test]
    fn rtm_numbers() {
        assert_eq!(LocalInvitationState::Failure.code(), 6);
        assert_eq!(RemoteInvitationState::AcceptSentToLocal.code(), 2);
        assert_eq!(RemoteInvitationState::Accepted.code(), 4);
        assert!(LocalInvitationState::AcceptedByRemote.is_final());
        assert!(!RemoteInvitationState::AcceptSentToLocal.is_final());
    }
}
