//! Channels on the core, end to end: join, member events and counts, fan-out, attributes.

use sigshim::{Attribute, ChannelAttributeOptions, ChannelEvent, Message};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::online_core;
use sigshim_conformance::{WAIT, hub};

async fn next(ev: &mut sigshim::ChannelEvents) -> ChannelEvent {
    tokio::time::timeout(WAIT, ev.recv()).await.expect("a channel event in time").expect("stream open")
}

async fn join_talk_and_leave(be: Backend) {
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    let b = online_core(be, &hub, "bob").await;
    let (ca, mut ea) = a.client.create_channel("room");
    let (cb, mut eb) = b.client.create_channel("room");
    ca.join().await.expect("alice joins");
    assert_eq!(next(&mut ea).await, ChannelEvent::MemberCountUpdated(1));
    cb.join().await.expect("bob joins");
    assert_eq!(next(&mut eb).await, ChannelEvent::MemberCountUpdated(2));
    assert_eq!(next(&mut ea).await, ChannelEvent::MemberJoined("bob".into()));
    assert_eq!(cb.join().await, Err(sigshim::error::JoinChannelError::AlreadyJoined));
    let mut members = ca.get_members().await.expect("members");
    members.sort();
    assert_eq!(members, ["alice", "bob"]);
    ca.send_message(&Message::text("hi room")).await.expect("server received");
    match next(&mut eb).await {
        ChannelEvent::MessageReceived { peer_id, message } => {
            assert_eq!(peer_id, "alice");
            assert_eq!(message.text_or_description(), "hi room");
            assert!(message.id > 0);
        }
        other => panic!("{other:?}"),
    }
    let notify = ChannelAttributeOptions { enable_notification_to_channel_members: true };
    a.client
        .add_or_update_channel_attributes("room", &[Attribute::new("topic", "rust")], notify)
        .await
        .unwrap();
    for ev in [&mut ea, &mut eb] {
        match next(ev).await {
            ChannelEvent::AttributesUpdated { attributes: attrs, .. } => {
                assert_eq!(attrs.len(), 1);
                assert_eq!((attrs[0].key.as_str(), attrs[0].value.as_str()), ("topic", "rust"));
                assert_eq!(attrs[0].last_update_user_id, "alice");
            }
            other => panic!("{other:?}"),
        }
    }
    let counts = b.client.get_channel_member_count(&["room", "empty"]).await.unwrap();
    assert_eq!((counts[0].count, counts[1].count), (2, 0));
    assert!(b.client.is_channel_member("room", "alice").await.unwrap());
    cb.leave().await.expect("bob leaves");
    assert_eq!(next(&mut ea).await, ChannelEvent::MemberLeft("bob".into()));
    assert_eq!(
        cb.send_message(&Message::text("x")).await,
        Err(sigshim::error::ChannelMessageError::NotInChannel)
    );
    b.client.publish_to_channel("room", &Message::text("forced")).await.expect("publish without joining");
    match next(&mut ea).await {
        ChannelEvent::MessageReceived { peer_id, message } => {
            assert_eq!((peer_id.as_str(), message.text_or_description()), ("bob", "forced"));
        }
        other => panic!("{other:?}"),
    }
}

sigshim_conformance::per_backend!(join_talk_and_leave,);
