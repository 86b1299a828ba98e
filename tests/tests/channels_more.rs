//! More channel scenarios on the core: channel attributes (notification, stamps, limits, reads
//! without membership, expiry of an empty channel's attributes), publishing without membership,
//! leaving every channel at logout, kick and link loss, slow members, and the rejoin after an
//! automatic reconnect.
//!
//! Scenarios with paused time run in-process only; the others run per backend
//! (`memory::` and `ws::`) and skip `MemberCountUpdated`, whose throttled pushes arrive on a
//! real-time schedule.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sigshim::error::{AttributeError as AE, ChannelMessageError as ME};
use sigshim::limits::RateLimits;
use sigshim::protocol::LoginRequest;
use sigshim::protocol::{Event, Reply, Request};
use sigshim::{
    Attribute, ChannelAttributeOptions, ChannelEvent, ChannelEvents, Hub, HubConfig, Message, RtmCode,
};
use sigshim_conformance::Backend;
use sigshim_conformance::channel_fixtures::{marker, member, next_no_count as next, text};
use sigshim_conformance::fixtures::{hub_with, online_core};
use sigshim_conformance::scenario::{advance, at_once};
use sigshim_conformance::{APP_ID, CoreDriver, hub};

use ChannelEvent::{MemberJoined as Joined, MemberLeft as Left};

const NOTIFY: ChannelAttributeOptions =
    ChannelAttributeOptions { enable_notification_to_channel_members: true };
const SILENT: ChannelAttributeOptions =
    ChannelAttributeOptions { enable_notification_to_channel_members: false };

/// `(key, value, last updater)` triples, sorted by key.
fn triples(attrs: &[sigshim::ChannelAttribute]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> =
        attrs.iter().map(|a| (a.key.clone(), a.value.clone(), a.last_update_user_id.clone())).collect();
    v.sort();
    v
}

fn t(k: &str, v: &str, u: &str) -> (String, String, String) {
    (k.to_owned(), v.to_owned(), u.to_owned())
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

async fn attributes_updated(ev: &mut ChannelEvents) -> Vec<sigshim::ChannelAttribute> {
    match next(ev).await {
        ChannelEvent::AttributesUpdated { attributes: attrs, .. } => attrs,
        other => panic!("expected AttributesUpdated, got {other:?}"),
    }
}

async fn attribute_changes_are_pushed_only_when_asked(be: Backend) {
    let hub = hub();
    let (a, ca, mut ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(next(&mut ea).await, Joined("bob".into()));
    let carol = online_core(be, &hub, "carol").await; // not a member

    let before = now_ms();
    let kv = [Attribute::new("a", "1"), Attribute::new("b", "2")];
    carol.client.set_channel_attributes("room", &kv, NOTIFY).await.expect("set by a non-member");
    let after = now_ms();
    for ev in [&mut ea, &mut eb] {
        let attrs = attributes_updated(ev).await;
        assert_eq!(triples(&attrs), [t("a", "1", "carol"), t("b", "2", "carol")]);
        assert!(attrs.iter().all(|x| (before..=after).contains(&x.last_update_ts)), "{attrs:?}");
    }
    // Without notification nothing is pushed (bob's marker is next), but the change is made.
    a.client.add_or_update_channel_attributes("room", &[Attribute::new("b", "3")], SILENT).await.unwrap();
    marker(&cb, "bob", "m1", &mut [&mut ea]).await;
    marker(&ca, "alice", "m2", &mut [&mut eb]).await;
    let read = carol.client.get_channel_attributes("room").await.expect("read");
    assert_eq!(triples(&read), [t("a", "1", "carol"), t("b", "3", "alice")]);
    // With notification the whole set goes to every member, the updater included.
    a.client.add_or_update_channel_attributes("room", &[Attribute::new("c", "4")], NOTIFY).await.unwrap();
    for ev in [&mut ea, &mut eb] {
        let attrs = attributes_updated(ev).await;
        assert_eq!(triples(&attrs), [t("a", "1", "carol"), t("b", "3", "alice"), t("c", "4", "alice")]);
    }
    a.client.delete_channel_attributes_by_keys("room", &["a"], NOTIFY).await.unwrap();
    for ev in [&mut ea, &mut eb] {
        assert_eq!(triples(&attributes_updated(ev).await), [t("b", "3", "alice"), t("c", "4", "alice")]);
    }
    carol.client.clear_channel_attributes("room", SILENT).await.unwrap();
    marker(&cb, "bob", "m3", &mut [&mut ea]).await;
    marker(&ca, "alice", "m4", &mut [&mut eb]).await;
    assert_eq!(carol.client.get_channel_attributes("room").await.expect("read"), []);
}

async fn channel_attribute_limits(be: Backend) {
    let hub = hub_with(|l| l.rates = RateLimits::unlimited());
    let a = online_core(be, &hub, "alice").await;
    let set = |attrs: Vec<Attribute>| {
        let c = a.client.clone();
        async move { c.set_channel_attributes("room", &attrs, SILENT).await }
    };
    let many = |n: usize, len: usize| -> Vec<Attribute> {
        (0..n).map(|i| Attribute::new(format!("k{i}"), "v".repeat(len))).collect()
    };
    set(many(32, 1)).await.expect("32 keys are allowed");
    assert_eq!(set(many(33, 1)).await, Err(AE::SizeOverflow));
    assert_eq!(AE::SizeOverflow.code(), 4);
    set(vec![Attribute::new("big", "x".repeat(8 * 1024))]).await.expect("an 8 KB value is allowed");
    assert_eq!(set(vec![Attribute::new("big", "x".repeat(8 * 1024 + 1))]).await, Err(AE::SizeOverflow));
    // Keys plus values: 4 × (2 + 8190) = 32 768 fits, one byte more does not.
    set(many(4, 8190)).await.expect("exactly 32 KB in total is allowed");
    let mut over = many(4, 8190);
    over[3].value.push('x');
    assert_eq!(set(over).await, Err(AE::SizeOverflow));
    a.client.set_channel_attributes("room", &many(3, 8190), SILENT).await.unwrap();
    assert_eq!(
        a.client
            .add_or_update_channel_attributes("room", &[Attribute::new("k9", "x".repeat(8191))], SILENT)
            .await,
        Err(AE::SizeOverflow),
        "the merged total counts"
    );
    assert_eq!(set(vec![Attribute::new("", "v")]).await, Err(AE::InvalidArgument));
    assert_eq!(AE::InvalidArgument.code(), 3);
    // A refused update leaves the attributes as they were.
    let read = a.client.get_channel_attributes("room").await.expect("read");
    let keys: Vec<&str> = read.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(read.iter().all(|x| x.value.len() == 8190));
}

async fn attributes_are_readable_without_membership(be: Backend) {
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    let d = online_core(be, &hub, "dave").await;
    a.client
        .set_channel_attributes("room", &[Attribute::new("k", "v"), Attribute::new("x", "y")], NOTIFY)
        .await
        .unwrap();
    let all = d.client.get_channel_attributes("room").await.expect("read without joining");
    assert_eq!(triples(&all), [t("k", "v", "alice"), t("x", "y", "alice")]);
    let some = d.client.get_channel_attributes_by_keys("room", &["x", "nope"]).await.expect("read by keys");
    assert_eq!(triples(&some), [t("x", "y", "alice")]);
    assert_eq!(d.client.get_channel_attributes("elsewhere").await.expect("read"), []);
    assert_eq!(d.client.get_channel_member_count(&["room"]).await.expect("count")[0].count, 0);
}

#[tokio::test(start_paused = true)]
async fn attributes_of_an_empty_channel_expire() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub_with(|l| {
        l.channel_attributes_ttl = Duration::from_secs(10);
        l.rates = RateLimits::unlimited();
    });
    let (a, ca, _ea) = member(be, &hub, "alice", "room").await;
    let kv = [Attribute::new("k", "v")];
    a.client.set_channel_attributes("room", &kv, SILENT).await.unwrap();
    advance(Duration::from_secs(60)).await;
    assert_eq!(a.client.get_channel_attributes("room").await.unwrap().len(), 1, "kept while a member stays");
    ca.leave().await.unwrap(); // t = 0 for the expiry
    advance(Duration::from_millis(9999)).await;
    assert_eq!(a.client.get_channel_attributes("room").await.unwrap().len(), 1);
    // The expiry timer fires at 10 s; the first read after it (the timer's 1 ms resolution
    // later) finds nothing.
    advance(Duration::from_millis(2)).await;
    assert_eq!(
        a.client.get_channel_attributes("room").await.unwrap(),
        [],
        "expired 10 s after the last leave"
    );

    // Set on a channel without members (t = 0); used again at 5 s: the first expiry is void.
    a.client.set_channel_attributes("hall", &kv, SILENT).await.unwrap();
    advance(Duration::from_secs(5)).await;
    let (hall, _eh) = a.client.create_channel("hall");
    hall.join().await.unwrap();
    advance(Duration::from_secs(1)).await;
    hall.leave().await.unwrap(); // t = 6 s: expires at 16 s
    advance(Duration::from_millis(9_999)).await; // t = 15.999 s
    assert_eq!(a.client.get_channel_attributes("hall").await.unwrap().len(), 1, "the 10 s timer was void");
    advance(Duration::from_millis(2)).await;
    assert_eq!(a.client.get_channel_attributes("hall").await.unwrap(), []);
}

async fn publishing_without_membership(be: Backend) {
    let hub = hub();
    let (_a, ca, mut ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(next(&mut ea).await, Joined("bob".into()));
    let carol = online_core(be, &hub, "carol").await;
    carol.client.publish_to_channel("room", &Message::text("from outside")).await.expect("published");
    for ev in [&mut ea, &mut eb] {
        assert_eq!(text(&next(ev).await), ("carol".to_owned(), "from outside".to_owned()));
    }
    // No member events around it, and carol did not become a member.
    marker(&cb, "bob", "m1", &mut [&mut ea]).await;
    marker(&ca, "alice", "m2", &mut [&mut eb]).await;
    assert!(!carol.client.is_channel_member("room", "carol").await.unwrap());
    assert_eq!(carol.client.get_channel_member_count(&["room"]).await.unwrap()[0].count, 2);
    carol.client.publish_to_channel("empty", &Message::text("nobody")).await.expect("no members, no error");
    assert_eq!(carol.client.publish_to_channel("room", &Message::text("")).await, Err(ME::InvalidMessage));
}

async fn publishing_without_membership_can_be_switched_off(be: Backend) {
    let hub = Hub::new(HubConfig::new(APP_ID).allow_publish_without_join(false));
    let (a, _ca, _ea) = member(be, &hub, "alice", "room").await;
    let (_b, _cb, mut eb) = member(be, &hub, "bob", "room").await;
    let carol = online_core(be, &hub, "carol").await;
    assert_eq!(carol.client.publish_to_channel("room", &Message::text("x")).await, Err(ME::NotInChannel));
    assert_eq!(ME::NotInChannel.code(), 5);
    // A member may still use it.
    a.client.publish_to_channel("room", &Message::text("member")).await.expect("a member publishes");
    assert_eq!(text(&next(&mut eb).await), ("alice".to_owned(), "member".to_owned()));
}

/// How alice's session ends.
#[derive(Debug, Clone, Copy)]
enum End {
    Logout,
    RemoteLogin,
    LinkLost,
}

async fn an_ended_session_leaves_every_channel_once(be: Backend) {
    for end in [End::Logout, End::RemoteLogin, End::LinkLost] {
        let hub = hub();
        let (b, cb1, mut eb1) = member(be, &hub, "bob", "r1").await;
        let (cb2, mut eb2) = b.client.create_channel("r2");
        cb2.join().await.unwrap();
        // No automatic reconnect: the client would rejoin (see `a_reconnected_client_is_rejoined`).
        let policy = sigshim::client::ReconnectPolicy::default().max_attempts(Some(0));
        let (client, events) = be.client_builder(&hub).reconnect_policy(policy).build();
        let mut a = CoreDriver::from_parts(client, events, "alice");
        sigshim_conformance::Driver::login(&mut a, None).await.expect("alice logs in");
        let (ca1, _ea1) = a.client.create_channel("r1");
        ca1.join().await.unwrap();
        let (ca2, _ea2) = a.client.create_channel("r2");
        ca2.join().await.unwrap();
        assert_eq!(next(&mut eb1).await, Joined("alice".into()));
        assert_eq!(next(&mut eb2).await, Joined("alice".into()));
        let _second = match end {
            End::Logout => {
                sigshim_conformance::Driver::logout(&mut a).await.expect("logout");
                None
            }
            End::RemoteLogin => Some(online_core(be, &hub, "alice").await),
            End::LinkLost => {
                assert!(be.node_of(&hub, "alice").disconnect_user("alice"));
                None
            }
        };
        assert_eq!(next(&mut eb1).await, Left("alice".into()), "{end:?}");
        assert_eq!(next(&mut eb2).await, Left("alice".into()), "{end:?}");
        let carol = online_core(be, &hub, "carol").await;
        for (ch, ev) in [("r1", &mut eb1), ("r2", &mut eb2)] {
            carol.client.publish_to_channel(ch, &Message::text("marker")).await.unwrap();
            assert_eq!(text(&next(ev).await), ("carol".to_owned(), "marker".to_owned()), "{end:?} in {ch}");
        }
        let counts = carol.client.get_channel_member_count(&["r1", "r2"]).await.unwrap();
        assert_eq!((counts[0].count, counts[1].count), (1, 1), "{end:?}");
        drop(cb1);
    }
}

async fn a_slow_member_loses_messages_alone(be: Backend) {
    // Inboxes of 16 events; "slow" is a session whose inbox is never read.
    let hub = Hub::new(HubConfig::new(APP_ID).inbox_capacity(16));
    let (_a, ca, mut ea) = member(be, &hub, "alice", "room").await;
    let (_b, _cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(next(&mut ea).await, Joined("bob".into()));
    let login = LoginRequest::new(APP_ID, "slow", None);
    let (slow, mut slow_rx) = hub.login(&login).expect("slow logs in");
    assert_eq!(hub.handle(&slow, Request::JoinChannel { channel_id: "room".into() }), Reply::Ok);
    assert_eq!(next(&mut ea).await, Joined("slow".into()));
    assert_eq!(next(&mut eb).await, Joined("slow".into()));
    let drops = hub.stats().inbox_full_drops;
    for i in 0..20 {
        ca.send_message(&Message::text(format!("m{i}"))).await.expect("the server has it");
        // Bob keeps up and gets every message.
        assert_eq!(text(&next(&mut eb).await), ("alice".to_owned(), format!("m{i}")));
    }
    // Slow holds its join count and the first 15 messages; the last 5 were dropped and counted.
    assert_eq!(hub.stats().inbox_full_drops - drops, 5);
    let mut got = Vec::new();
    while let Ok(ev) = slow_rx.try_recv() {
        match &*ev {
            Event::ChannelMessage { message, .. } => got.push(message.text_or_description().to_owned()),
            Event::MemberCountUpdated { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(got, (0..15).map(|i| format!("m{i}")).collect::<Vec<_>>());
    drop(slow);
}

#[tokio::test(start_paused = true)]
async fn a_reconnected_client_is_rejoined() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    let (_a, _ca, mut ea) = member(be, &hub, "alice", "room").await;
    assert_eq!(next(&mut eb).await, Joined("alice".into()));
    assert!(be.node_of(&hub, "alice").disconnect_user("alice"));
    assert_eq!(at_once(next(&mut eb)).await, Left("alice".into()));
    advance(Duration::from_millis(499)).await;
    assert!(eb.try_recv().is_none(), "alice is back before the first reconnect attempt");
    advance(Duration::from_millis(1)).await; // the first reconnect attempt
    assert_eq!(at_once(next(&mut eb)).await, Joined("alice".into()));
    assert_eq!(cb.get_members().await.unwrap(), ["alice", "bob"]);
    marker(&cb, "bob", "welcome back", &mut [&mut ea]).await;
    // Exactly one leave and one join: bob's next event is alice's message.
    let (a2, _) = _a.client.create_channel("room");
    a2.send_message(&Message::text("thanks")).await.expect("alice is a member again");
    assert_eq!(text(&next(&mut eb).await), ("alice".to_owned(), "thanks".to_owned()));
}

sigshim_conformance::per_backend!(
    attribute_changes_are_pushed_only_when_asked,
    channel_attribute_limits,
    attributes_are_readable_without_membership,
    publishing_without_membership,
    publishing_without_membership_can_be_switched_off,
    an_ended_session_leaves_every_channel_once;
    // Its slow member is a session of one hub driven through the hub's own calls.
    memory_and_ws: a_slow_member_loses_messages_alone,
);
