//! Signals of an invitation on their way to the other party, through the client's link.

use std::sync::Arc;

use crate::client::Shared;
use crate::protocol::{CallRole, CallSignal, Reply, Request};

/// What became of one signal sent to the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Routed {
    /// The other party's client has it.
    Delivered,
    /// The other party is offline or its link is down.
    Offline,
    /// No link, or no answer in time.
    NoLink,
    /// The hub refused it with this code.
    Refused(i32),
}

/// Sends one signal through the current link.
pub(super) async fn route(s: &Shared, peer_id: &str, id: u64, by: CallRole, signal: CallSignal) -> Routed {
    let Some(link) = s.connected_link() else { return Routed::NoLink };
    let request = Request::Invitation { peer_id: peer_id.to_owned(), invitation_id: id, by, signal };
    match tokio::time::timeout(s.request_timeout, link.request(request)).await {
        Ok(Ok(Reply::InvitationRouted { delivered: true })) => Routed::Delivered,
        Ok(Ok(Reply::InvitationRouted { delivered: false })) => Routed::Offline,
        Ok(Ok(Reply::Error { code })) => Routed::Refused(code),
        Ok(Ok(other)) => {
            tracing::warn!(?other, "unexpected reply to an invitation signal");
            Routed::Refused(-1)
        }
        Ok(Err(_)) | Err(_) => Routed::NoLink,
    }
}

/// Sends a signal that ends an invitation now, so that what this side does next reaches the
/// hub after it; without a link, keeps trying on a task.
pub(super) async fn end_reliably(s: &Arc<Shared>, peer_id: &str, id: u64, by: CallRole, signal: CallSignal) {
    if route(s, peer_id, id, by, signal.clone()).await == Routed::NoLink {
        spawn_route(s, peer_id.to_owned(), id, by, signal);
    }
}

/// Sends a signal on a task. A signal that ends the invitation is sent again while there is no
/// link (for up to the acknowledgement timeout), so that both sides and the hub learn the end.
pub(super) fn spawn_route(s: &Arc<Shared>, peer_id: String, id: u64, by: CallRole, signal: CallSignal) {
    let s = s.clone();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + s.calls.timers.ack_timeout;
        loop {
            let routed = route(&s, &peer_id, id, by, signal.clone()).await;
            if routed != Routed::NoLink || !signal.is_final() || tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(s.calls.timers.resend_interval).await;
        }
    });
}
