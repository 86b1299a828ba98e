//! The legacy invitation calls on the core call manager: `channel_invite_*`, the `on_invite_*`
//! callbacks, ending a call at any time, DTMF, and phone calls through a [`PstnGateway`].
//!
//! Invitations are named the legacy way, by (channel, peer account). A call is *pending* from
//! the invite until an answer, and *established* once accepted; `channel_invite_end` cancels or
//! refuses a pending one and sends RTM's end-call message for an established (or unknown) one.

use std::collections::{HashMap, HashSet};

use sigshim::call::LocalInvitationState;

use sigshim::call::{CallEvent, CallEvents, CallKit, EndCall, LocalInvitation, RemoteInvitation};
use sigshim::error::{LocalInvitationError, RemoteInvitationError};
use sigshim::{ConnectionState, Message, SendMessageOptions};
use sigshim_mapping::invite::{InviteExtra, InviteMsg, is_dtmf};
use sigshim_mapping::{LegacyCode, translate};
use tokio::sync::mpsc;

use crate::actor::Actor;
use crate::gateway::{PhoneCall, PhoneEvent};
use crate::uid::uid_for;

/// (channel, peer account).
type Key = (String, String);

/// What a gateway reports: (channel, phone number, event).
pub(crate) type PhoneReport = (String, String, PhoneEvent);

/// The instance's calls.
pub(crate) struct Calls {
    kit: Option<CallKit>,
    pub(crate) events: Option<CallEvents>,
    outgoing: HashMap<Key, LocalInvitation>,
    incoming: HashMap<Key, RemoteInvitation>,
    /// Calls set up, with the incoming invitation this side accepted (none for outgoing ones).
    established: HashMap<Key, Option<RemoteInvitation>>,
    /// Phone calls handed to the gateway and not ended.
    phone: HashSet<Key>,
    pub(crate) phone_tx: mpsc::UnboundedSender<PhoneReport>,
    pub(crate) phone_rx: mpsc::UnboundedReceiver<PhoneReport>,
}

impl Calls {
    pub(crate) fn new() -> Self {
        let (phone_tx, phone_rx) = mpsc::unbounded_channel();
        Self {
            kit: None,
            events: None,
            outgoing: HashMap::new(),
            incoming: HashMap::new(),
            established: HashMap::new(),
            phone: HashSet::new(),
            phone_tx,
            phone_rx,
        }
    }

    /// Starts with a new session's call manager.
    pub(crate) fn attach(&mut self, kit: CallKit, events: CallEvents) {
        self.lost();
        self.kit = Some(kit);
        self.events = Some(events);
    }

    /// Forgets every app-to-app call (the session ended; `on_logout` tells the application).
    pub(crate) fn lost(&mut self) {
        self.kit = None;
        self.events = None;
        self.outgoing.clear();
        self.incoming.clear();
        self.established.clear();
    }
}

fn key(channel_id: &str, peer: &str) -> Key {
    (channel_id.to_owned(), peer.to_owned())
}

impl Actor {
    /// `channel_invite_user` / `channel_invite_user2`.
    pub(crate) async fn invite(&mut self, channel_id: String, account: String, extra: String) {
        let uid = uid_for(&account);
        let fail = |code: LegacyCode, extra: String| {
            let (ch, acc, code) = (channel_id.clone(), account.clone(), code.code());
            move |c: &dyn crate::SignalingCallbacks| c.on_invite_failed(&ch, &acc, uid, code, &extra)
        };
        let Some(kit) = self.calls.kit.clone().filter(|_| self.logged_in().is_some()) else {
            let code = translate::local_invitation_failure(LocalInvitationError::NotLoggedIn);
            return self.cb(fail(code, extra)).await;
        };
        let k = key(&channel_id, &account);
        if self.calls.established.contains_key(&k) {
            return self.cb(fail(LegacyCode::InviteReinvite, extra)).await;
        }
        // A second invite for the same (channel, account) replaces a pending one, unless the
        // callee accepted it meanwhile: then the call is up (its accept is on its way) and this
        // is a re-invite.
        if let Some(old) = self.calls.outgoing.get(&k).cloned() {
            if kit.cancel_local_invitation(&old).await.is_err()
                && old.state() == LocalInvitationState::AcceptedByRemote
            {
                return self.cb(fail(LegacyCode::InviteReinvite, extra)).await;
            }
            self.calls.outgoing.remove(&k);
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
                self.calls.outgoing.insert(k, inv);
            }
            Err(e) => self.cb(fail(translate::invitation_api_failure(e), extra)).await,
        }
    }

    /// `channel_invite_accept` (`accept`) or `channel_invite_refuse`.
    pub(crate) async fn invite_answer(
        &mut self,
        channel_id: String,
        account: String,
        extra: String,
        accept: bool,
    ) {
        let name = if accept { "channel_invite_accept" } else { "channel_invite_refuse" };
        let k = key(&channel_id, &account);
        let (Some(kit), Some(inv)) = (self.calls.kit.clone(), self.calls.incoming.get(&k).cloned()) else {
            let code = LegacyCode::InviteOther.code();
            let desc = format!("no pending invitation from {account} on {channel_id}");
            return self.cb(move |c| c.on_error(name, code, &desc)).await;
        };
        let result = match inv.set_response(&extra) {
            Err(e) => Err(e),
            Ok(()) if accept => kit.accept_remote_invitation(&inv).await,
            Ok(()) => kit.refuse_remote_invitation(&inv).await,
        };
        match result {
            Ok(()) => {
                self.calls.incoming.remove(&k);
                if accept {
                    self.calls.established.insert(k, Some(inv));
                }
            }
            Err(e) => {
                let code = translate::invitation_api_failure(e).code();
                let desc = e.to_string();
                self.cb(move |c| c.on_error(name, code, &desc)).await
            }
        }
    }

    /// `channel_invite_end`: `on_invite_end_by_myself` at once, then whatever ends the call.
    pub(crate) async fn invite_end(&mut self, channel_id: String, account: String) {
        let k = key(&channel_id, &account);
        let phone = self.calls.phone.remove(&k);
        // Phone numbers have no uid, as in every phone-call callback.
        let uid = if phone { 0 } else { uid_for(&account) };
        let (ch, acc) = (channel_id.clone(), account.clone());
        self.cb(move |c| c.on_invite_end_by_myself(&ch, &acc, uid)).await;
        if phone {
            if let Some(gw) = self.options.pstn_gateway.clone() {
                gw.hang_up(&channel_id, &account);
            }
            return;
        }
        let Some(kit) = self.calls.kit.clone() else { return };
        if let Some(inv) = self.calls.outgoing.remove(&k) {
            // Accepted meanwhile (its accept is on its way): end the call instead.
            let accepted = inv.state() == LocalInvitationState::AcceptedByRemote;
            if kit.cancel_local_invitation(&inv).await.is_ok() || !accepted {
                return;
            }
        } else if let Some(inv) = self.calls.incoming.remove(&k) {
            let _ = kit.refuse_remote_invitation(&inv).await;
            return;
        }
        self.calls.established.remove(&k);
        let Some((client, _)) = self.logged_in() else { return };
        // The extra of a legacy end is empty, which is always a valid end-call message.
        let text = EndCall::new(&channel_id, "").map(|e| e.to_text()).unwrap_or_default();
        if let Err(e) =
            client.send_message_to_peer(&account, &Message::text(&text), SendMessageOptions::default()).await
        {
            tracing::debug!(%account, error = %e, "end-call message not delivered");
        }
    }

    /// `channel_invite_dtmf`: into an app-to-app call as an in-call message, else through the
    /// gateway.
    pub(crate) async fn invite_dtmf(&mut self, channel_id: String, phone_num: String, digits: String) {
        const NAME: &str = "channel_invite_dtmf";
        let error = |code: LegacyCode, desc: String| {
            let code = code.code();
            move |c: &dyn crate::SignalingCallbacks| c.on_error(NAME, code, &desc)
        };
        if !is_dtmf(&digits) {
            return self
                .cb(error(LegacyCode::GeneralWrongParam, "DTMF digits are 0-9, * and #".into()))
                .await;
        }
        let k = key(&channel_id, &phone_num);
        let app_call = self.calls.established.contains_key(&k)
            || self.calls.outgoing.contains_key(&k)
            || self.calls.incoming.contains_key(&k);
        if app_call {
            let Some((client, _)) = self.logged_in() else {
                return self.cb(error(translate::not_logged_in(), "not logged in".into())).await;
            };
            let message = Message::text(InviteMsg::dtmf(&channel_id, &digits).to_text());
            let sent = client.send_message_to_peer(&phone_num, &message, SendMessageOptions::default());
            if let Err(e) = sent.await {
                let code = translate::peer_send_failure(e);
                return self.cb(error(code, format!("DTMF not delivered: {e}"))).await;
            }
            return;
        }
        match self.options.pstn_gateway.clone() {
            None => self.cb(error(LegacyCode::GeneralFailed, "no PSTN gateway registered".into())).await,
            Some(gw) => {
                if let Err(e) = gw.send_dtmf(&channel_id, &phone_num, &digits) {
                    self.cb(error(LegacyCode::GeneralFailed, e.to_string())).await;
                }
            }
        }
    }

    /// `channel_invite_phone` / `2` / `3`: a call through the gateway.
    pub(crate) async fn invite_phone(
        &mut self,
        channel_id: String,
        phone_num: String,
        source: Option<String>,
        extra: String,
    ) {
        let Some(gw) = self.options.pstn_gateway.clone() else {
            let code = LegacyCode::InviteOther.code();
            return self.cb(move |c| c.on_invite_failed(&channel_id, &phone_num, 0, code, &extra)).await;
        };
        let source = source.or_else(|| self.logged_in().map(|(_, account)| account)).unwrap_or_default();
        self.calls.phone.insert(key(&channel_id, &phone_num));
        gw.dial(PhoneCall::new(&channel_id, &phone_num, &source, &extra, self.calls.phone_tx.clone()));
    }

    /// What the gateway reported about a phone call.
    pub(crate) async fn on_phone_event(&mut self, (channel_id, phone, event): PhoneReport) {
        let k = key(&channel_id, &phone);
        let (ch, ph) = (channel_id, phone);
        match event {
            PhoneEvent::ReceivedByPeer => self.cb(move |c| c.on_invite_received_by_peer(&ch, &ph, 0)).await,
            PhoneEvent::Accepted(extra) => {
                self.cb(move |c| c.on_invite_accepted_by_peer(&ch, &ph, 0, &extra)).await
            }
            PhoneEvent::Message { msg_type, msg_data, extra } => {
                self.cb(move |c| c.on_invite_msg(&ch, &ph, 0, &msg_type, &msg_data, &extra)).await
            }
            PhoneEvent::Refused(extra) => {
                self.calls.phone.remove(&k);
                self.cb(move |c| c.on_invite_refused_by_peer(&ch, &ph, 0, &extra)).await
            }
            PhoneEvent::Failed(code) => {
                self.calls.phone.remove(&k);
                self.cb(move |c| c.on_invite_failed(&ch, &ph, 0, code, "")).await
            }
            PhoneEvent::EndedByPeer(extra) => {
                self.calls.phone.remove(&k);
                self.cb(move |c| c.on_invite_end_by_peer(&ch, &ph, 0, &extra)).await
            }
        }
    }

    /// Turns a core invitation event into the legacy callback.
    pub(crate) async fn on_call_event(&mut self, event: CallEvent) {
        let live = self.logged_in().is_some_and(|(c, _)| {
            matches!(c.connection_state(), ConnectionState::Connected | ConnectionState::Reconnecting)
        });
        match event {
            CallEvent::LocalInvitationReceivedByPeer(inv) => {
                if let Some((ch, acc)) = self.outgoing_key(&inv, false) {
                    let uid = uid_for(&acc);
                    self.cb(move |c| c.on_invite_received_by_peer(&ch, &acc, uid)).await;
                }
            }
            CallEvent::LocalInvitationAccepted { invitation, response } => {
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true) {
                    self.calls.established.insert(key(&ch, &acc), None);
                    let uid = uid_for(&acc);
                    self.cb(move |c| c.on_invite_accepted_by_peer(&ch, &acc, uid, &response)).await;
                }
            }
            CallEvent::LocalInvitationRefused { invitation, response } => {
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true) {
                    let uid = uid_for(&acc);
                    self.cb(move |c| c.on_invite_refused_by_peer(&ch, &acc, uid, &response)).await;
                }
            }
            CallEvent::LocalInvitationFailure { invitation, error } => {
                // Our own session ended: `on_logout` says so.
                let own_end = error == LocalInvitationError::NotLoggedIn && !live;
                if let Some((ch, acc)) = self.outgoing_key(&invitation, true).filter(|_| !own_end) {
                    let uid = uid_for(&acc);
                    let code = translate::local_invitation_failure(error).code();
                    let extra = invitation.content();
                    self.cb(move |c| c.on_invite_failed(&ch, &acc, uid, code, &extra)).await;
                }
            }
            CallEvent::RemoteInvitationReceived(inv) => {
                let ch = inv.channel_id().unwrap_or_default().to_owned();
                let acc = inv.caller_id().to_owned();
                let extra = inv.content().to_owned();
                self.calls.incoming.insert(key(&ch, &acc), inv);
                let uid = uid_for(&acc);
                self.cb(move |c| c.on_invite_received(&ch, &acc, uid, &extra)).await;
            }
            CallEvent::RemoteInvitationCanceled(inv) => {
                if let Some((ch, acc)) = self.incoming_key(&inv) {
                    let uid = uid_for(&acc);
                    self.cb(move |c| c.on_invite_end_by_peer(&ch, &acc, uid, "")).await;
                }
            }
            CallEvent::RemoteInvitationFailure { invitation, error } => {
                let own_end = error == RemoteInvitationError::PeerOffline && !live;
                if let Some((ch, acc)) = self.incoming_key(&invitation).filter(|_| !own_end) {
                    let uid = uid_for(&acc);
                    let extra = translate::remote_invitation_end_extra(error);
                    self.cb(move |c| c.on_invite_end_by_peer(&ch, &acc, uid, &extra)).await;
                }
            }
            _ => {}
        }
    }

    /// The (channel, callee) of an outgoing invitation this instance still tracks; `done`
    /// forgets it.
    fn outgoing_key(&mut self, inv: &LocalInvitation, done: bool) -> Option<Key> {
        let k = key(&inv.channel_id().unwrap_or_default(), inv.callee_id());
        if self.calls.outgoing.get(&k) != Some(inv) {
            return None; // replaced or ended by this side
        }
        if done {
            self.calls.outgoing.remove(&k);
        }
        Some(k)
    }

    /// The (channel, caller) of an incoming invitation that ended; pending or already accepted.
    fn incoming_key(&mut self, inv: &RemoteInvitation) -> Option<Key> {
        let k = key(inv.channel_id().unwrap_or_default(), inv.caller_id());
        if self.calls.incoming.get(&k) == Some(inv) {
            self.calls.incoming.remove(&k);
            return Some(k);
        }
        // Accepted here, then not confirmed by the caller (this very invitation, not a newer
        // call between the same two).
        if self.calls.established.get(&k).is_some_and(|a| a.as_ref() == Some(inv)) {
            self.calls.established.remove(&k);
            return Some(k);
        }
        None
    }

    /// A peer message that belongs to a call (end-call or in-call message): reports it and
    /// returns true.
    pub(crate) async fn on_call_message(&mut self, from: &str, text: &str) -> bool {
        if let Some(end) = EndCall::parse(text) {
            let (acc, uid) = (from.to_owned(), uid_for(from));
            let k = key(&end.channel_id, from);
            self.calls.established.remove(&k);
            self.calls.outgoing.remove(&k);
            self.calls.incoming.remove(&k);
            self.cb(move |c| c.on_invite_end_by_peer(&end.channel_id, &acc, uid, &end.extra)).await;
            return true;
        }
        if let Some(m) = InviteMsg::parse(text) {
            let (acc, uid) = (from.to_owned(), uid_for(from));
            self.cb(move |c| c.on_invite_msg(&m.channel_id, &acc, uid, &m.msg_type, &m.msg_data, &m.extra))
                .await;
            return true;
        }
        false
    }
}
