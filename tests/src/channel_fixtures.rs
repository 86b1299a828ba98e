//! Helpers for channel scenarios: waiting on channel events, the marker technique, joined members.

use sigshim::{Channel, ChannelEvent, ChannelEvents, Hub, Message};

use crate::backend::Backend;
use crate::core_driver::CoreDriver;
use crate::fixtures::online_core;
use crate::recorder::WAIT;

/// The next event of a channel, whatever it is.
pub async fn next_any(ev: &mut ChannelEvents) -> ChannelEvent {
    tokio::time::timeout(WAIT, ev.recv()).await.expect("a channel event in time").expect("stream open")
}

/// The next event of a channel that is not a member count.
pub async fn next_no_count(ev: &mut ChannelEvents) -> ChannelEvent {
    loop {
        match next_any(ev).await {
            ChannelEvent::MemberCountUpdated(_) => continue,
            other => return other,
        }
    }
}

/// `(sender, text)` of a received channel message.
pub fn text(e: &ChannelEvent) -> (String, String) {
    match e {
        ChannelEvent::MessageReceived { peer_id, message } => {
            (peer_id.clone(), message.text_or_description().to_owned())
        }
        other => panic!("expected a channel message, got {other:?}"),
    }
}

/// Sends `marker` on `from`'s channel and asserts it is the next event (counts aside) of each of
/// `to`: nothing else was queued before it.
pub async fn marker(from: &Channel, user: &str, marker: &str, to: &mut [&mut ChannelEvents]) {
    from.send_message(&Message::text(marker)).await.expect("the marker is sent");
    for ev in to {
        assert_eq!(text(&next_no_count(ev).await), (user.to_owned(), marker.to_owned()));
    }
}

/// A core client logged in through `be` and its handle on `channel`, joined.
pub async fn member(
    be: Backend,
    hub: &Hub,
    user: &str,
    channel: &str,
) -> (CoreDriver, Channel, ChannelEvents) {
    let d = online_core(be, hub, user).await;
    let (c, ev) = d.client.create_channel(channel);
    c.join().await.unwrap_or_else(|e| panic!("{user} joins {channel}: {e:?}"));
    (d, c, ev)
}
