//! The legacy invitation calls between applications, on the core call manager:
//! `channel_invite_*`, the `on_invite_*` callbacks, ending a call at any time, and DTMF as an
//! in-call message. Phone calls are in [`crate::phone`].
//!
//! Invitations are named the legacy way, by (channel, peer account). A call is *pending* from
//! the invite until an answer, and *established* once accepted; `channel_invite_end` cancels or
//! refuses a pending one and sends RTM's end-call message for an established (or unknown) one.

use std::collections::HashMap;

use sigshim::call::{
    CallEvent, CallEvents, CallKit, EndCall, LocalInvitation, LocalInvitationState, RemoteInvitation,
};
use sigshim::error::{LocalInvitationError, RemoteInvitationError};
use sigshim::{Client, Message, SendMessageOptions};
use sigshim_mapping::invite::{InviteExtra, InviteMsg, is_dtmf};
use sigshim_mapping::{LegacyCode, translate};

use crate::dispatcher::Dispatch;
use crate::uid::uid_for;

/// (channel, peer account).
pub(crate) type Key = (String, String);

/// The key of a call.
pub(crate) fn key(channel_id: &str, peer: &str) -> Key {
    (channel_id.to_owned(), peer.to_owned())
}

/// `on_error("channel_invite_dtmf", code, desc)`.
pub(crate) async fn dtmf_error(out: &Dispatch, code: LegacyCode, desc: String) {
    let code = code.code();
    out.emit(move |c| c.on_error("channel_invite_dtmf", code, &desc)).await;
}

/// Checks the digits of `channel_invite_dtmf` (`0-9`, `*`, `#`), reporting
/// `on_error(…, 1004, …)` when they are not.
pub(crate) async fn check_dtmf(out: &Dispatch, digits: &str) -> bool {
    let ok = is_dtmf(digits);
    if !ok {
        dtmf_error(out, LegacyCode::GeneralWrongParam, "DTMF digits are 0-9, * and #".into()).await;
    }
    ok
}

/// The instance's app-to-app calls: the session's call manager and the pending and established
/// calls by (channel, peer).
#[derive(Default)]
pub(crate) struct CallTable {
    kit: Option<CallKit>,
    events: Option<CallEvents>,
    outgoing: HashMap<Key, LocalInvitation>,
    incoming: HashMap<Key, RemoteInvitation>,
    /// Calls set up, with the incoming invitation this side accepted (none for outgoing ones).
    established: HashMap<Key, Option<RemoteInvitation>>,
}

impl CallTable {
    /// Starts with a new session's call manager.
    pub(crate) fn attach(&mut self, kit: CallKit, events: CallEvents) {
        self.lost();
        self.kit = Some(kit);
        self.events = Some(events);
    }

    /// Forgets every call (the session ended; `on_logout` tells the application).
    pub(crate) fn lost(&mut self) {
        self.kit = None;
        self.events = None;
        self.outgoing.clear();
        self.incoming.clear();
        self.established.clear();
    }

    /// Whether a call with `peer` about `channel_id` is pending or established.
    pub(crate) fn has_call(&self, channel_id: &str, peer: &str) -> bool {
        let k = key(channel_id, peer);
        self.established.contains_key(&k) || self.outgoing.contains_key(&k) || self.incoming.contains_key(&k)
    }

    /// The next invitation event of the session; never ready without a session.
    pub(crate) async fn next_event(&mut self) -> CallEvent {
        if let Some(events) = self.events.as_mut() {
            if let Some(ev) = events.recv().await {
                return ev;
            }
            self.events = None;
        }
        std::future::pending().await
    }

    /// `channel_invite_user` / `channel_invite_user2`; `logged_in` is the session's state.
    pub(crate) async fn invite(
        &mut self,
        out: &Dispatch,
        logged_in: bool,
        channel_id: String,
        account: String,
        extra: String,
    ) {
        let uid = uid_for(&account);
        let fail = |code: LegacyCode, extra: String| {
            let (ch, acc, code) = (channel_id.clone(), account.clone(), code.code());
            move |c: &dyn crate::SignalingCallbacks| c.on_invite_failed(&ch, &acc, uid, code, &extra)
        };
        let Some(kit) = self.kit.clone().filter(|_| logged_in) else {
            let code = translate::local_invitation_failure(LocalInvitationError::NotLoggedIn);
            return out.emit(fail(code, extra)).await;
        };
        let k = key(&channel_id, &account);
        if self.established.contains_key(&k) {
            return out.emit(fail(LegacyCode::InviteReinvite, extra)).await;
        }
        // A second invite for the same (channel, account) replaces a pending one, unless the
        // callee accepted it meanwhile: then the call is up (its accept is on its way) and this
        // is a re-invite.
        if let Some(old) = self.outgoing.get(&k).cloned() {
            if kit.cancel_local_invitation(&old).await.is_err()
                && old.state() == LocalInvitationState::AcceptedByRemote
            {
                return out.emit(fail(LegacyCode::InviteReinvite, extra)).await;
            }
            self.outgoing.remove(&k);
        }
        let options = InviteExtra::parse(&extra);
        let made = kit.create_local_invitation(&account).and_then(|inv| {
            inv.set_content(&extra)?;
            inv.set_channel_id(Some(&channel_id))?;
            inv.set_require_peer_online(options.require_peer_online)?;
            inv.set_timeout(options.timeout)?;
            Ok(inv)
        });
        let sent = match made {
            Ok(inv) => kit.send_local_invitation(&inv).await.map(|()| inv),
            Err(e) => Err(e),
        };
        match sent {
            Ok(inv) => {
                self.outgoing.insert(k, inv);
            }
            Err(e) => out.emit(fail(translate::invitation_api_failure(e), extra)).await,
        }
    }

    /// `channel_invite_accept` (`accept`) or `channel_invite_refuse`.
    pub(crate) async fn answer(
        &mut self,
        out: &Dispatch,
        channel_id: String,
        account: String,
        extra: String,
        accept: bool,
    ) {
        let name = if accept { "channel_invite_accept" } else { "channel_invite_refuse" };
        let k = key(&channel_id, &account);
        let (Some(kit), Some(inv)) = (self.kit.clone(), self.incoming.get(&k).cloned()) else {
            let code = LegacyCode::InviteOther.code();
            let desc = format!("no pending invitation from {account} on {channel_id}");
            return out.emit(move |c| c.on_error(name, code, &desc)).await;
        };
        let result = match inv.set_response(&extra) {
            Err(e) => Err(e),
            Ok(()) if accept => kit.accept_remote_invitation(&inv).await,
            Ok(()) => kit.refuse_remote_invitation(&inv).await,
        };
        match result {
            Ok(()) => {
                self.incoming.remove(&k);
                if accept {
                    self.established.insert(k, Some(inv));
                }
            }
            Err(e) => {
                let code = translate::invitation_api_failure(e).code();
                let desc = e.to_string();
                out.emit(move |c| c.on_error(name, code, &desc)).await
            }
        }
    }

    /// `channel_invite_end` of an app-to-app call: `on_invite_end_by_myself` at once, then
    /// whatever ends the call. `client` is the logged-in session's, for the end-call message.
    pub(crate) async fn end(
        &mut self,
        out: &Dispatch,
        client: Option<&Client>,
        channel_id: String,
        account: String,
        extra: String,
    ) {
        let k = key(&channel_id, &account);
        let uid = uid_for(&account);
        let (ch, acc) = (channel_id.clone(), account.clone());
        out.emit(move |c| c.on_invite_end_by_myself(&ch, &acc, uid)).await;
        let Some(kit) = self.kit.clone() else { return };
        if let Some(inv) = self.outgoing.remove(&k) {
            // Accepted meanwhile (its accept is on its way): end the call instead.
            let accepted = inv.state() == LocalInvitationState::AcceptedByRemote;
            if kit.cancel_local_invitation(&inv).await.is_ok() || !accepted {
                return;
            }
        } else if let Some(inv) = self.incoming.remove(&k) {
            // An extra the response cannot take (too long) leaves the response empty.
            if inv.set_response(&extra).is_err() {
                let _ = inv.set_response("");
            }
            let _ = kit.refuse_remote_invitation(&inv).await;
            return;
        }
        self.established.remove(&k);
        let Some(client) = client else { return };
        let end = match EndCall::new(&channel_id, &extra) {
            Some(end) => end,
            None => {
                let code = LegacyCode::InviteOther.code();
                let desc = "an end's extra cannot contain '_' (RTM's end-call message): ended without it";
                out.emit(move |c| c.on_error("channel_invite_end", code, desc)).await;
                EndCall { channel_id: channel_id.clone(), extra: String::new() }
            }
        };
        let text = end.to_text();
        if let Err(e) =
            client.send_message_to_peer(&account, &Message::text(&text), SendMessageOptions::default()).await
        {
            tracing::debug!(%account, error = %e, "end-call message not delivered");
        }
    }

    /// `channel_invite_dtmf` into an app-to-app call (checked digits): an in-call message to the
    /// peer. `client` is the logged-in session's.
    pub(crate) async fn dtmf(
        &self,
        out: &Dispatch,
        client: Option<&Client>,
        channel_id: &str,
        peer: &str,
        digits: &str,
    ) {
        let Some(client) = client else {
            return dtmf_error(out, translate::not_logged_in(), "not logged in".into()).await;
        };
        let message = Message::text(InviteMsg::dtmf(channel_id, digits).to_text());
        let sent = client.send_message_to_peer(peer, &message, SendMessageOptions::default());
        if let Err(e) = sent.await {
            let code = translate::peer_send_failure(e);
            dtmf_error(out, code, format!("DTMF not delivered: {e}")).await;
        }
    }

    /// Turns a core invitation event into the legacy callback. `live` tells whether the session
    /// still runs, so that the failures caused by its end are left to `on_logout`.
    pub(crate) async fn on_event(&mut self, out: &Dispatch, live: bool, event: CallEvent) {
        match event {
            CallEvent::LocalInvitationReceivedByPeer(inv) => {
                if let Some((ch, acc)) = self.outgoing_key(&inv, false) {
                    let uid = uid_for(&acc);
                    out.emit(move |c| c.on_invite_received_by_peer(&ch, &acc, uid)).await;
                }
            }
            CallEvent::LocalInvitationAccepted { invitation, response } => {
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true) {
                    self.established.insert(key(&ch, &acc), None);
                    let uid = uid_for(&acc);
                    out.emit(move |c| c.on_invite_accepted_by_peer(&ch, &acc, uid, &response)).await;
                }
            }
            CallEvent::LocalInvitationRefused { invitation, response } => {
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true) {
                    let uid = uid_for(&acc);
                    out.emit(move |c| c.on_invite_refused_by_peer(&ch, &acc, uid, &response)).await;
                }
            }
            CallEvent::LocalInvitationFailure { invitation, error } => {
                // Our own session ended: `on_logout` says so.
                let own_end = error == LocalInvitationError::NotLoggedIn && !live;
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true).filter(|_| !own_end) {
                    let uid = uid_for(&acc);
                    let code = translate::local_invitation_failure(error).code();
                    let extra = invitation.content();
                    out.emit(move |c| c.on_invite_failed(&ch, &acc, uid, code, &extra)).await;
                }
            }
            CallEvent::RemoteInvitationReceived(inv) => {
                let ch = inv.channel_id().unwrap_or_default().to_owned();
                let acc = inv.caller_id().to_owned();
                let extra = inv.content().to_owned();
                self.incoming.insert(key(&ch, &acc), inv);
                let uid = uid_for(&acc);
                out.emit(move |c| c.on_invite_received(&ch, &acc, uid, &extra)).await;
            }
            CallEvent::RemoteInvitationCanceled(inv) => {
                if let Some((ch, acc)) = self.incoming_key(&inv) {
                    let uid = uid_for(&acc);
                    out.emit(move |c| c.on_invite_end_by_peer(&ch, &acc, uid, "")).await;
                }
            }
            CallEvent::RemoteInvitationFailure { invitation, error } => {
                let own_end = error == RemoteInvitationError::PeerOffline && !live;
                if let Some((ch, acc)) = self.incoming_key(&invitation).filter(|_| !own_end) {
                    let uid = uid_for(&acc);
                    let extra = translate::remote_invitation_end_extra(error);
                    out.emit(move |c| c.on_invite_end_by_peer(&ch, &acc, uid, &extra)).await;
                }
            }
            _ => {}
        }
    }

    /// The (channel, callee) of an outgoing invitation this instance still tracks; `done`
    /// forgets it.
    fn outgoing_key(&mut self, inv: &LocalInvitation, done: bool) -> Option<Key> {
        let k = key(&inv.channel_id().unwrap_or_default(), inv.callee_id());
        if self.outgoing.get(&k) != Some(inv) {
            return None; // replaced or ended by this side
        }
        if done {
            self.outgoing.remove(&k);
        }
        Some(k)
    }

    /// The (channel, caller) of an incoming invitation that ended; pending or already accepted.
    fn incoming_key(&mut self, inv: &RemoteInvitation) -> Option<Key> {
        let k = key(inv.channel_id().unwrap_or_default(), inv.caller_id());
        if self.incoming.get(&k) == Some(inv) {
            self.incoming.remove(&k);
            return Some(k);
        }
        // Accepted here, then not confirmed by the caller (this very invitation, not a newer
        // call between the same two).
        if self.established.get(&k).is_some_and(|a| a.as_ref() == Some(inv)) {
            self.established.remove(&k);
            return Some(k);
        }
        None
    }

    /// A peer message that belongs to a call (end-call or in-call message): reports it and
    /// returns true.
    pub(crate) async fn on_peer_message(&mut self, out: &Dispatch, from: &str, text: &str) -> bool {
        if let Some(end) = EndCall::parse(text) {
            let (acc, uid) = (from.to_owned(), uid_for(from));
            let k = key(&end.channel_id, from);
            self.established.remove(&k);
            self.outgoing.remove(&k);
            self.incoming.remove(&k);
            out.emit(move |c| c.on_invite_end_by_peer(&end.channel_id, &acc, uid, &end.extra)).await;
            return true;
        }
        if let Some(m) = InviteMsg::parse(text) {
            let (acc, uid) = (from.to_owned(), uid_for(from));
            out.emit(move |c| c.on_invite_msg(&m.channel_id, &acc, uid, &m.msg_type, &m.msg_data, &m.extra))
                .await;
            return true;
        }
        false
    }
}
