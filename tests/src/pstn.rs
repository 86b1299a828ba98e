//! A test telephone gateway: phone numbers that ring sigshim accounts.
//!
//! [`BridgeGateway`] logs in as its own core user and places each phone call as a core
//! invitation to the account its number maps to; what the callee does comes back to the calling
//! legacy instance through [`PhoneCall`]. DTMF goes to the callee as the facade's in-call
//! message, so the callee's facade reports `on_invite_msg`. It shows the adapter path end to
//! end over the real hub.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use sigshim::call::{CallEvent, CallKit, EndCall, LocalInvitation, LocalInvitationState};
use sigshim::{Client, ClientEvent, Hub, Message, SendMessageOptions};
use sigshim_legacy::{GatewayError, PhoneCall, PstnGateway};
use sigshim_mapping::invite::InviteMsg;

use crate::backend::Backend;

type Key = (String, String);

/// A gateway that maps phone numbers to accounts.
pub struct BridgeGateway {
    client: Client,
    kit: CallKit,
    numbers: HashMap<String, String>,
    calls: Arc<Mutex<HashMap<Key, (PhoneCall, LocalInvitation)>>>,
}

impl std::fmt::Debug for BridgeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeGateway").field("numbers", &self.numbers).finish_non_exhaustive()
    }
}

impl BridgeGateway {
    /// Logs the gateway in on `hub` through `be` as `account`; `numbers` maps phone numbers to
    /// accounts.
    pub async fn start(be: Backend, hub: &Hub, account: &str, numbers: &[(&str, &str)]) -> Arc<Self> {
        let (client, mut events) = be.client_builder(hub).build();
        client.login(None, account).await.expect("the gateway logs in");
        let (kit, mut call_events) = client.call_kit();
        let calls: Arc<Mutex<HashMap<Key, (PhoneCall, LocalInvitation)>>> = Arc::default();
        let numbers = numbers.iter().map(|(n, a)| ((*n).to_owned(), (*a).to_owned())).collect();
        let gw = Arc::new(Self { client, kit, numbers, calls: calls.clone() });
        let by_invitation = calls.clone();
        tokio::spawn(async move {
            while let Some(ev) = call_events.recv().await {
                report(&by_invitation, ev);
            }
        });
        let by_message = calls;
        let phone_of = gw.numbers.clone();
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                let ClientEvent::MessageFromPeer { peer_id, message, .. } = ev else { continue };
                let Some(end) = EndCall::parse(message.text_or_description()) else { continue };
                let phone = phone_of.iter().find(|(_, a)| **a == peer_id).map(|(n, _)| n.clone());
                let Some(phone) = phone else { continue };
                if let Some((call, _)) = by_message.lock().remove(&(end.channel_id, phone)) {
                    call.ended_by_peer(&end.extra);
                }
            }
        });
        gw
    }
}

/// Reports what became of the invitation behind a phone call.
fn report(calls: &Mutex<HashMap<Key, (PhoneCall, LocalInvitation)>>, ev: CallEvent) {
    let find = |inv: &LocalInvitation| {
        calls.lock().iter().find(|(_, (_, i))| i == inv).map(|(k, (c, _))| (k.clone(), c.clone()))
    };
    match ev {
        CallEvent::LocalInvitationReceivedByPeer(inv) => {
            if let Some((_, call)) = find(&inv) {
                call.received_by_peer();
            }
        }
        CallEvent::LocalInvitationAccepted { invitation, response } => {
            if let Some((_, call)) = find(&invitation) {
                call.accepted(&response);
            }
        }
        CallEvent::LocalInvitationRefused { invitation, response } => {
            if let Some((k, call)) = find(&invitation) {
                calls.lock().remove(&k);
                call.refused(&response);
            }
        }
        CallEvent::LocalInvitationFailure { invitation, error } => {
            if let Some((k, call)) = find(&invitation) {
                calls.lock().remove(&k);
                call.failed(sigshim_mapping::translate::local_invitation_failure(error).code());
            }
        }
        _ => {}
    }
}

impl PstnGateway for BridgeGateway {
    fn dial(&self, call: PhoneCall) {
        let Some(account) = self.numbers.get(call.phone_num()).cloned() else {
            call.failed(sigshim_mapping::LegacyCode::InvitePeerOffline.code());
            return;
        };
        let inv = self.kit.create_local_invitation(&account).expect("a valid account");
        let content = serde_json::json!({ "srcNum": call.source_num(), "extra": call.extra() }).to_string();
        inv.set_content(&content).expect("small content");
        inv.set_channel_id(Some(call.channel_id())).expect("a valid channel");
        let key = (call.channel_id().to_owned(), call.phone_num().to_owned());
        self.calls.lock().insert(key, (call, inv.clone()));
        let kit = self.kit.clone();
        tokio::spawn(async move { kit.send_local_invitation(&inv).await });
    }

    fn send_dtmf(&self, channel_id: &str, phone_num: &str, digits: &str) -> Result<(), GatewayError> {
        let key = (channel_id.to_owned(), phone_num.to_owned());
        if !self.calls.lock().contains_key(&key) {
            return Err(GatewayError::NoSuchCall);
        }
        let account = self.numbers.get(phone_num).cloned().ok_or(GatewayError::NoSuchCall)?;
        let text = InviteMsg::dtmf(channel_id, digits).to_text();
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = client
                .send_message_to_peer(&account, &Message::text(&text), SendMessageOptions::default())
                .await;
        });
        Ok(())
    }

    fn hang_up(&self, channel_id: &str, phone_num: &str) {
        let Some((_, inv)) = self.calls.lock().remove(&(channel_id.to_owned(), phone_num.to_owned())) else {
            return;
        };
        let (kit, client) = (self.kit.clone(), self.client.clone());
        let end = EndCall::new(channel_id, "").expect("an empty extra is valid").to_text();
        tokio::spawn(async move {
            if inv.state() == LocalInvitationState::AcceptedByRemote {
                let _ = client
                    .send_message_to_peer(
                        inv.callee_id(),
                        &Message::text(&end),
                        SendMessageOptions::default(),
                    )
                    .await;
            } else if !inv.state().is_final() {
                let _ = kit.cancel_local_invitation(&inv).await;
            }
        });
    }
}
