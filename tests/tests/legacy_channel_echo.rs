//! Legacy channel messages come back to their sender: a legacy member that sends to its channel
//! gets `on_message_channel_receive` with its own account right after `on_message_send_success`,
//! as every legacy SDK delivered it, while core members keep RTM's rule (no copy of their own
//! messages). Every other member gets each message once. Refused sends and force sends from
//! outside the channel are not echoed; a force send from a member is.

use std::time::Duration;

use sigshim::limits::RateLimit;
use sigshim::{ChannelEvent, ChannelEvents, Message};
use sigshim_conformance::Backend;
use sigshim_conformance::LegacyDriver;
use sigshim_conformance::channel_fixtures::{member, next_any, text};
use sigshim_conformance::fixtures::{expect_cb, hub_with, online_legacy_with, relaxed_hub};
use sigshim_legacy::{SignalingOptions, uid_for};

fn ok(id: &str) -> String {
    format!("on_message_send_success({id})")
}

fn failed(id: &str, code: i32) -> String {
    format!("on_message_send_error({id}, {code})")
}

fn received(channel: &str, from: &str, text: &str) -> String {
    format!("on_message_channel_receive({channel}, {from}, {}, {text})", uid_for(from))
}

/// Joins `channel` and waits for the member list.
async fn join(l: &mut LegacyDriver, channel: &str) {
    l.sig.channel_join(channel);
    l.cbs.wait("on_channel_user_list").await;
}

/// The callbacks of `l` after the last one that starts with `prefix`, once every call made so
/// far was processed; fence callbacks left out.
async fn since(l: &mut LegacyDriver, prefix: &str) -> Vec<String> {
    l.fence().await;
    let all = l.cbs.transcript();
    let at =
        all.iter().rposition(|c| c.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} in {all:?}"));
    all[at + 1..].iter().filter(|c| !c.starts_with("on_dbg(")).cloned().collect()
}

/// The next channel message of a core member's stream (member events aside): `(sender, text)`.
async fn next_message(ev: &mut ChannelEvents) -> (String, String) {
    loop {
        let event = next_any(ev).await;
        if matches!(event, ChannelEvent::MessageReceived { .. }) {
            return text(&event);
        }
    }
}

/// Alice and bob (legacy) and carol (core) in one channel, each sending in turn: the legacy
/// senders get their echo right after their success, everyone else gets each message once, and
/// carol gets no copy of her own.
async fn members_and_echoes(be: Backend, options: SignalingOptions) {
    let hub = relaxed_hub();
    let (_carol, room, mut carol_events) = member(be, &hub, "carol", "room").await;
    let mut alice = online_legacy_with(be, &hub, "alice", options.clone()).await;
    let mut bob = online_legacy_with(be, &hub, "bob", options).await;
    join(&mut alice, "room").await;
    join(&mut bob, "room").await;
    expect_cb(&mut alice, &format!("on_channel_user_joined(bob, {})", uid_for("bob"))).await;

    // A legacy member sends: success, then its own copy.
    alice.sig.message_channel_send("room", "hello", "a1");
    expect_cb(&mut alice, &received("room", "alice", "hello")).await;
    expect_cb(&mut bob, &received("room", "alice", "hello")).await;
    assert_eq!(next_message(&mut carol_events).await, ("alice".into(), "hello".into()));

    // The other legacy member sends; carol's next message is bob's, so she got alice's once.
    bob.sig.message_channel_send("room", "hi all", "b1");
    expect_cb(&mut bob, &received("room", "bob", "hi all")).await;
    expect_cb(&mut alice, &received("room", "bob", "hi all")).await;
    assert_eq!(next_message(&mut carol_events).await, ("bob".into(), "hi all".into()));

    // The core member sends: the legacy members get it, carol gets no copy (her next message is
    // alice's marker).
    room.send_message(&Message::text("from core")).await.expect("carol's message is sent");
    expect_cb(&mut alice, &received("room", "carol", "from core")).await;
    expect_cb(&mut bob, &received("room", "carol", "from core")).await;
    alice.sig.message_channel_send("room", "marker", "a2");
    expect_cb(&mut alice, &received("room", "alice", "marker")).await;
    assert_eq!(next_message(&mut carol_events).await, ("alice".into(), "marker".into()));
    expect_cb(&mut bob, &received("room", "alice", "marker")).await;

    assert_eq!(
        since(&mut alice, "on_channel_user_joined(bob,").await,
        [
            ok("a1"),
            received("room", "alice", "hello"),
            received("room", "bob", "hi all"),
            received("room", "carol", "from core"),
            ok("a2"),
            received("room", "alice", "marker"),
        ],
        "alice: each success, then her own copy; every message once"
    );
    assert_eq!(
        since(&mut bob, "on_channel_user_list(").await,
        [
            received("room", "alice", "hello"),
            ok("b1"),
            received("room", "bob", "hi all"),
            received("room", "carol", "from core"),
            received("room", "alice", "marker"),
        ],
        "bob: the same, from his side"
    );
}

async fn legacy_senders_get_their_echo_and_core_senders_do_not(be: Backend) {
    members_and_echoes(be, SignalingOptions::default().inline_callbacks(false)).await;
}

async fn legacy_senders_get_their_echo_with_inline_callbacks(be: Backend) {
    members_and_echoes(be, SignalingOptions::default().inline_callbacks(true)).await;
}

/// Sends in flight overlap: each echo still comes right after its own success, in call order.
async fn echoes_of_sends_in_flight_follow_their_successes(be: Backend) {
    let hub = relaxed_hub();
    let (_carol, _room, mut carol_events) = member(be, &hub, "carol", "room").await;
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default()).await;
    join(&mut alice, "room").await;
    let mut want = Vec::new();
    for i in 0..10 {
        alice.sig.message_channel_send("room", &format!("t{i}"), &format!("m{i}"));
        want.push(ok(&format!("m{i}")));
        want.push(received("room", "alice", &format!("t{i}")));
    }
    assert_eq!(since(&mut alice, "on_channel_user_list(").await, want);
    for i in 0..10 {
        assert_eq!(next_message(&mut carol_events).await, ("alice".into(), format!("t{i}")));
    }
}

/// The sends the server or the facade refuses are not echoed: outside the channel, empty, too
/// large, over the message rate budget. The budget's window is an hour, so no refill can let the
/// last send through.
async fn refused_channel_sends_get_no_echo(be: Backend) {
    let hub = hub_with(|l| {
        l.max_message_bytes = 16;
        l.rates.messages = RateLimit::new(2, Duration::from_secs(3600));
    });
    let (_carol, _room, mut carol_events) = member(be, &hub, "carol", "room").await;
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default()).await;
    join(&mut alice, "room").await;
    alice.sig.message_channel_send("elsewhere", "not a member", "out");
    alice.sig.message_channel_send("room", "", "empty");
    alice.sig.message_channel_send("room", "far too large for this hub", "large");
    alice.sig.message_channel_send("room", "first", "m1");
    alice.sig.message_channel_send("room", "second", "m2");
    alice.sig.message_channel_send("room", "third", "m3");
    assert_eq!(
        since(&mut alice, "on_channel_user_list(").await,
        [
            failed("out", 400),
            failed("empty", 400),
            failed("large", 400),
            ok("m1"),
            received("room", "alice", "first"),
            ok("m2"),
            received("room", "alice", "second"),
            failed("m3", 400),
        ]
    );
    assert_eq!(next_message(&mut carol_events).await, ("alice".into(), "first".into()));
    assert_eq!(next_message(&mut carol_events).await, ("alice".into(), "second".into()));
}

/// A force send from outside the channel is not echoed (the sender is not a member); from a
/// member it is, like a plain send, and the other members get it once.
async fn force_sends_are_echoed_to_members_only(be: Backend) {
    let hub = relaxed_hub();
    let (_carol, _room, mut carol_events) = member(be, &hub, "carol", "room").await;
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default()).await;
    let mut dave = online_legacy_with(be, &hub, "dave", SignalingOptions::default()).await;
    join(&mut alice, "room").await;

    dave.sig.message_channel_send_force("room", "from outside", "d1");
    expect_cb(&mut alice, &received("room", "dave", "from outside")).await;
    assert_eq!(next_message(&mut carol_events).await, ("dave".into(), "from outside".into()));
    assert_eq!(since(&mut dave, "on_login_success(").await, [ok("d1")], "no copy outside the channel");

    alice.sig.message_channel_send_force("room", "forced inside", "a1");
    expect_cb(&mut alice, &received("room", "alice", "forced inside")).await;
    assert_eq!(next_message(&mut carol_events).await, ("alice".into(), "forced inside".into()));
    assert_eq!(
        since(&mut alice, "on_message_channel_receive(room, dave,").await,
        [ok("a1"), received("room", "alice", "forced inside")]
    );
}

sigshim_conformance::per_backend!(
    legacy_senders_get_their_echo_and_core_senders_do_not,
    legacy_senders_get_their_echo_with_inline_callbacks,
    echoes_of_sends_in_flight_follow_their_successes,
    refused_channel_sends_get_no_echo,
    force_sends_are_echoed_to_members_only,
);
