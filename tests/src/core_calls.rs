//! The core driver's side of calls: its call manager, its invitations by (channel, peer), and
//! the normalisation of core invitation events into [`CallNote`]s.

use std::collections::HashMap;

use sigshim::call::{CallEvent, CallEvents, CallKit, EndCall, LocalInvitation, RemoteInvitation};
use sigshim::error::{InvitationApiError as IE, LocalInvitationError as LE};
use sigshim::{Client, ClientEvent, Message, SendMessageOptions};

use crate::core_driver::{CoreDriver, fail};
use crate::driver::{CallNote, Fail, FailKind as K, Outcome};
use crate::recorder::WAIT;

type Key = (String, String);

/// A core client's call manager and the invitations the driver made or received.
#[derive(Debug)]
pub struct CoreCalls {
    /// The call manager.
    pub kit: CallKit,
    /// Its events.
    pub events: CallEvents,
    outgoing: HashMap<Key, LocalInvitation>,
    incoming: HashMap<Key, RemoteInvitation>,
}

fn key(channel: &str, peer: &str) -> Key {
    (channel.to_owned(), peer.to_owned())
}

fn api_fail(e: IE) -> Fail {
    fail(if e == IE::InvalidArgument { K::InvalidArgument } else { K::Other }, e)
}

/// The shared meaning of a caller-side failure.
pub(crate) fn local_fail(e: LE) -> Fail {
    let kind = match e {
        LE::PeerOffline => K::PeerOffline,
        LE::PeerNoResponse | LE::InvitationExpire => K::CallTimeout,
        LE::NotLoggedIn => K::NotLoggedIn,
        _ => K::Other,
    };
    fail(kind, e)
}

impl CoreCalls {
    pub(crate) fn new(client: &Client) -> Self {
        let (kit, events) = client.call_kit();
        Self { kit, events, outgoing: HashMap::new(), incoming: HashMap::new() }
    }

    pub(crate) async fn invite(&mut self, to: &str, channel: &str, extra: &str) -> Outcome {
        let inv = self.kit.create_local_invitation(to).map_err(api_fail)?;
        inv.set_content(extra).map_err(api_fail)?;
        inv.set_channel_id(Some(channel)).map_err(api_fail)?;
        self.kit.send_local_invitation(&inv).await.map_err(api_fail)?;
        self.outgoing.insert(key(channel, to), inv);
        Ok(())
    }

    pub(crate) async fn answer(&mut self, from: &str, channel: &str, accept: bool, extra: &str) -> Outcome {
        let inv = self.incoming.get(&key(channel, from)).cloned().ok_or(api_fail(IE::NotStarted))?;
        inv.set_response(extra).map_err(api_fail)?;
        if accept {
            self.kit.accept_remote_invitation(&inv).await.map_err(api_fail)
        } else {
            self.kit.refuse_remote_invitation(&inv).await.map_err(api_fail)
        }
    }

    /// Cancels or refuses a pending invitation, else sends RTM's end-call message.
    pub(crate) async fn end(&mut self, client: &Client, peer: &str, channel: &str) -> Outcome {
        let k = key(channel, peer);
        if let Some(inv) = self.outgoing.remove(&k).filter(|i| !i.state().is_final()) {
            return self.kit.cancel_local_invitation(&inv).await.map_err(api_fail);
        }
        if let Some(inv) = self.incoming.remove(&k).filter(|i| !i.state().is_final())
            && inv.state() == sigshim::call::RemoteInvitationState::InvitationReceived
        {
            return self.kit.refuse_remote_invitation(&inv).await.map_err(api_fail);
        }
        let text = EndCall::new(channel, "").expect("an empty extra is valid").to_text();
        let sent =
            client.send_message_to_peer(peer, &Message::text(&text), SendMessageOptions::default()).await;
        sent.map(drop).map_err(|e| fail(K::NotDelivered, e))
    }

    /// The note for a core event; `None` for this side's own confirmations.
    fn note(&mut self, event: CallEvent) -> Option<CallNote> {
        let out = |i: &LocalInvitation| (i.callee_id().to_owned(), i.channel_id().unwrap_or_default());
        let inc =
            |i: &RemoteInvitation| (i.caller_id().to_owned(), i.channel_id().unwrap_or_default().to_owned());
        Some(match event {
            CallEvent::RemoteInvitationReceived(i) => {
                let (from, channel) = inc(&i);
                let extra = i.content().to_owned();
                self.incoming.insert(key(&channel, &from), i);
                CallNote::Incoming { from, channel, extra }
            }
            CallEvent::LocalInvitationReceivedByPeer(i) => {
                let (peer, channel) = out(&i);
                CallNote::ReceivedByPeer { peer, channel }
            }
            CallEvent::LocalInvitationAccepted { invitation, response } => {
                let (peer, channel) = out(&invitation);
                CallNote::Accepted { peer, channel, extra: response }
            }
            CallEvent::LocalInvitationRefused { invitation, response } => {
                let (peer, channel) = out(&invitation);
                CallNote::Refused { peer, channel, extra: response }
            }
            CallEvent::LocalInvitationFailure { invitation, error } => {
                let (peer, channel) = out(&invitation);
                CallNote::Failed { peer, channel, fail: local_fail(error) }
            }
            CallEvent::RemoteInvitationCanceled(i)
            | CallEvent::RemoteInvitationFailure { invitation: i, .. } => {
                let (peer, channel) = inc(&i);
                CallNote::Ended { peer, channel }
            }
            _ => return None,
        })
    }
}

/// The next call note of a core driver: an invitation event, or an end-call peer message
/// (other client events wait in the driver's backlog).
pub(crate) async fn next_call(d: &mut CoreDriver) -> CallNote {
    let deadline = tokio::time::Instant::now() + WAIT;
    if let Some(i) = d.backlog.iter().position(|e| end_call(e).is_some()) {
        let e = d.backlog.remove(i).expect("position is in range");
        return end_call(&e).expect("checked above");
    }
    loop {
        tokio::select! {
            ev = d.calls.events.recv() => {
                let ev = ev.expect("call events open");
                if let Some(note) = d.calls.note(ev) {
                    return note;
                }
            }
            ev = d.events.recv() => {
                let ev = ev.expect("client events open");
                match end_call(&ev) {
                    Some(note) => return note,
                    None => d.backlog.push_back(ev),
                }
            }
            _ = tokio::time::sleep_until(deadline) => panic!("no call note within {WAIT:?}"),
        }
    }
}

fn end_call(e: &ClientEvent) -> Option<CallNote> {
    let (peer, end) = EndCall::from_event(e)?;
    Some(CallNote::Ended { peer: peer.to_owned(), channel: end.channel_id })
}
