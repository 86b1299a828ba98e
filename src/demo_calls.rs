//! The demo's call: a legacy caller with `extra`, a core callee that accepts with a response,
//! and the caller ending the call after the accept.

use sigshim::ClientEvent;
use sigshim::call::{CallEvent, CallEvents, EndCall};

use super::{Demo, Step, WAIT, expect};

impl Demo {
    /// Waits for bob's next invitation event and prints it.
    async fn bob_call_event(events: &mut CallEvents) -> Result<CallEvent, String> {
        let ev = tokio::time::timeout(WAIT, events.recv())
            .await
            .map_err(|_| "no invitation event in time".to_string())?
            .ok_or("invitation events closed")?;
        let line = match &ev {
            CallEvent::RemoteInvitationReceived(i) => format!(
                "RemoteInvitationReceived {{ caller: {:?}, channel: {:?}, content: {:?}, state: {:?} }}",
                i.caller_id(),
                i.channel_id(),
                i.content(),
                i.state()
            ),
            CallEvent::RemoteInvitationAccepted(i) => {
                format!("RemoteInvitationAccepted {{ state: {:?} }}", i.state())
            }
            other => format!("{other:?}"),
        };
        println!("    <- bob call event: {line}");
        Ok(ev)
    }

    pub(super) async fn calls(&mut self) -> Step {
        println!("\n== calls ==");
        println!("\n[bob, core] call_kit()   (bob now acknowledges invitations)");
        let (kit, mut events) = self.bob.call_kit();

        let extra = r#"{"topic":"migration review"}"#;
        self.legacy(&format!("channel_invite_user2(\"lobby\", \"bob\", {extra:?})"), "channel_invite_user2");
        self.alice.channel_invite_user2("lobby", "bob", extra);
        let CallEvent::RemoteInvitationReceived(incoming) = Self::bob_call_event(&mut events).await? else {
            return Err("expected an incoming invitation".into());
        };
        if incoming.content() != extra || incoming.channel_id() != Some("lobby") {
            return Err(format!("the invitation arrived changed: {incoming:?}"));
        }
        expect(self.callback().await?, "on_invite_received_by_peer(\"lobby\", \"bob\"")?;

        println!("\n[bob, core] set_response(\"joining in 5\"); accept_remote_invitation(..)");
        incoming.set_response("joining in 5").map_err(|e| e.to_string())?;
        kit.accept_remote_invitation(&incoming).await.map_err(|e| e.to_string())?;
        expect(self.callback().await?, "on_invite_accepted_by_peer(\"lobby\", \"bob\"")?;
        if !matches!(Self::bob_call_event(&mut events).await?, CallEvent::RemoteInvitationAccepted(_)) {
            return Err("expected bob's accept to be confirmed".into());
        }

        self.legacy("channel_invite_end(\"lobby\", \"bob\", 0)   (after the accept)", "channel_invite_end");
        self.alice.channel_invite_end("lobby", "bob", 0);
        expect(self.callback().await?, "on_invite_end_by_myself(\"lobby\", \"bob\"")?;
        let ClientEvent::MessageFromPeer { peer_id, message, .. } = self.bob_event().await? else {
            return Err("expected the end-call message".into());
        };
        match EndCall::parse(message.text_or_description()) {
            Some(end) if peer_id == "alice" && end.channel_id == "lobby" => {
                println!("    (RTM's end-call message: the call on {:?} is over)", end.channel_id);
                Ok(())
            }
            _ => Err(format!("expected an end-call message, got {message:?}")),
        }
    }
}
