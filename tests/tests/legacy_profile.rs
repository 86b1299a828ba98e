//! The legacy limits profile, through the legacy API on both backends: what the legacy SDK
//! allowed is allowed (128-character accounts, channel names and attribute names, queries and
//! rejoins without quotas), what it limited is limited with the legacy failure (8 KB messages),
//! and an oversized call fails alone: the session, the link and the next call are unaffected.
//! Where the RTM profile differs, the same calls are made under it too ("core defaults").

use sigshim::limits::Profile;
use sigshim_conformance::fixtures::{expect_cb, online_core, online_legacy, online_legacy_with};
use sigshim_conformance::scenario::assert_no_callback;
use sigshim_conformance::{Backend, Driver, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

fn rtm() -> SignalingOptions {
    SignalingOptions::default().profile(Profile::Rtm)
}

/// The callbacks of `l` once every call made so far was processed, fence callbacks left out,
/// and forgets them.
async fn drained(l: &mut LegacyDriver) -> Vec<String> {
    l.fence().await;
    let mut got = Vec::new();
    while let Some(cb) = l.cbs.take_pending(|_| true) {
        if cb.name != "on_dbg" {
            got.push(cb.to_string());
        }
    }
    got
}

async fn accounts_channels_and_attribute_names_of_128_characters(be: Backend) {
    let hub = hub();
    let account = "a".repeat(128);
    let mut l = be.legacy(&hub, &account);
    l.login(None).await.expect("a 128-character account logs in");
    assert!(hub.is_online(&account));

    let channel = "c".repeat(128);
    l.sig.channel_join(&channel);
    expect_cb(&mut l, &format!("on_channel_joined({channel})")).await;
    let list = l.cbs.wait("on_channel_user_list").await;
    assert_eq!(list.args[0], format!("[{account}]"), "the joiner is listed");
    drained(&mut l).await;

    let name = "n".repeat(128);
    l.sig.set_attr(&name, "v");
    l.sig.get_attr(&name);
    expect_cb(&mut l, &format!("on_user_attr_result({account}, {name}, v)")).await;
    l.sig.channel_set_attr(&channel, &name, "cv");
    expect_cb(&mut l, &format!("on_channel_attr_updated({channel}, {name}, cv, update)")).await;
    let long_name = "n".repeat(129);
    l.sig.set_attr(&long_name, "v");
    expect_cb(&mut l, "on_error(set_attr, 1004, attribute update failed)").await;
    assert_eq!(drained(&mut l).await, Vec::<String>::new(), "nothing else");
    let too_long = "c".repeat(129);
    l.sig.channel_join(&too_long);
    expect_cb(&mut l, &format!("on_channel_join_failed({too_long}, 300)")).await;

    // Under the RTM profile the same account is refused (RTM's 64 bytes).
    let mut r = be.legacy_with(&hub, &account, rtm());
    assert_eq!(r.login(None).await.map_err(|f| f.code), Err(209));
}

async fn messages_up_to_8_kb_and_the_legacy_failure_past_it(be: Backend) {
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_join("room");
    alice.cbs.wait("on_channel_user_list").await;
    drained(&mut alice).await;
    let max = "m".repeat(8 * 1024);
    let over = "o".repeat(8 * 1024 + 1);
    alice.sig.message_instant_send("bob", 0, &max, "p1");
    alice.sig.message_instant_send("bob", 0, &over, "p2");
    alice.sig.message_channel_send("room", &over, "c1");
    alice.sig.message_channel_send("room", &max, "c2");
    assert_eq!(
        drained(&mut alice).await,
        [
            "on_message_send_success(p1)".to_owned(),
            "on_message_send_error(p2, 400)".to_owned(),
            "on_message_send_error(c1, 400)".to_owned(),
            "on_message_send_success(c2)".to_owned(),
            format!("on_message_channel_receive(room, alice, {}, {max})", uid_for("alice")),
        ]
    );
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), max.clone()));

    // Under the RTM profile 8 KB + 1 goes through (RTM's 32 KB).
    let mut carol = online_legacy_with(be, &hub, "carol", rtm()).await;
    carol.sig.message_instant_send("bob", 0, &over, "r1");
    expect_cb(&mut carol, "on_message_send_success(r1)").await;
    assert_eq!(bob.recv_peer().await, ("carol".to_owned(), over));
}

/// A 200 KB message or attribute (larger than the server reads in one frame) is refused by the
/// client's own size check, with the call's legacy code, and the session goes on (no reconnect,
/// no 1003 after it). A request above the frame limit that passes the size checks is in
/// `ws_limits.rs`.
async fn an_oversized_call_fails_alone(be: Backend) {
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    let mut alice = online_legacy(be, &hub, "alice").await;
    let huge = "h".repeat(200 * 1024);
    alice.sig.message_instant_send("bob", 0, &huge, "big");
    alice.sig.message_instant_send("bob", 0, "small", "next");
    alice.sig.set_attr("k", &huge);
    alice.sig.set_attr("k", "v");
    alice.sig.get_attr("k");
    assert_eq!(
        drained(&mut alice).await,
        [
            "on_message_send_error(big, 400)",
            "on_message_send_success(next)",
            "on_error(set_attr, 1005, attribute update failed)",
            "on_user_attr_result(alice, k, v)",
        ]
    );
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), "small".to_owned()));
    assert_eq!(alice.sig.get_status(), 2, "still logged in");
    assert_no_callback(&mut alice, &["on_reconnecting", "on_logout"]).await;
}

/// A contact list of 50, half of them online, queried one by one in a loop: 50 answers, each
/// right, no quota error.
async fn query_user_status_over_50_contacts(be: Backend) {
    let hub = hub();
    let mut online = Vec::new();
    for i in (0..50).step_by(2) {
        online.push(online_core(be, &hub, &format!("contact{i}")).await);
    }
    let mut me = online_legacy(be, &hub, "me").await;
    for i in 0..50 {
        me.sig.query_user_status(&format!("contact{i}"));
    }
    let want: Vec<String> = (0..50)
        .map(|i| format!("on_query_user_status_result(contact{i}, {})", u8::from(i % 2 == 0)))
        .collect();
    assert_eq!(drained(&mut me).await, want);

    // Under the RTM profile the 11th query in 5 s hits RTM's quota.
    let mut r = online_legacy_with(be, &hub, "rtm-user", rtm()).await;
    for i in 0..11 {
        r.sig.query_user_status(&format!("contact{i}"));
    }
    let got = drained(&mut r).await;
    assert_eq!(got.len(), 11);
    assert_eq!(got[10], "on_error(query_user_status, 1001, query failed)");
}

/// `channelQueryUserNum` twice in a second: both right.
async fn member_counts_twice_in_a_second(be: Backend) {
    let hub = hub();
    let mut me = online_legacy(be, &hub, "me").await;
    let mut other = online_legacy(be, &hub, "other").await;
    for l in [&mut me, &mut other] {
        l.sig.channel_join("room");
        l.cbs.wait("on_channel_user_list").await;
    }
    me.cbs.wait("on_channel_user_joined").await;
    drained(&mut me).await;
    me.sig.channel_query_user_num("room");
    me.sig.channel_query_user_num("room");
    assert_eq!(
        drained(&mut me).await,
        ["on_channel_query_user_num_result(room, 0, 2)", "on_channel_query_user_num_result(room, 0, 2)"]
    );
}

/// Join, leave and rejoin one channel five times quickly, with two members present: every join
/// succeeds and every user list holds exactly the members and the joiner.
async fn quick_rejoins_list_every_member_each_time(be: Backend) {
    let hub = hub();
    let mut a = online_legacy(be, &hub, "a").await;
    let mut b = online_legacy(be, &hub, "b").await;
    for l in [&mut a, &mut b] {
        l.sig.channel_join("room");
        l.cbs.wait("on_channel_user_list").await;
    }
    let mut me = online_legacy(be, &hub, "me").await;
    for _ in 0..5 {
        me.sig.channel_join("room");
        me.sig.channel_leave("room");
    }
    me.sig.channel_join("room");
    let got = drained(&mut me).await;
    let joins: Vec<&String> = got.iter().filter(|c| c.starts_with("on_channel_join")).collect();
    assert_eq!(joins.len(), 6, "six joins reported: {got:?}");
    assert!(joins.iter().all(|c| c.as_str() == "on_channel_joined(room)"), "every join succeeds: {got:?}");
    let lists: Vec<Vec<&str>> = got.iter().filter_map(|c| listed(c)).collect();
    assert_eq!(lists.len(), 6, "{got:?}");
    for list in lists {
        assert_eq!(list, ["a", "b", "me"], "every list is complete: {got:?}");
    }
}

/// The accounts of an `on_channel_user_list` rendering, sorted.
fn listed(cb: &str) -> Option<Vec<&str>> {
    let accounts = cb.strip_prefix("on_channel_user_list([")?.split(']').next()?;
    let mut accounts: Vec<&str> = accounts.split(' ').collect();
    accounts.sort_unstable();
    Some(accounts)
}

/// A user's attributes live with the session: once the owner's `on_logout` was reported, another
/// user reading them gets the same failure on both backends (the user is not found), and so does
/// a reader of a user who never logged in.
async fn attributes_of_a_logged_out_user_are_gone(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.set_attr("k", "v");
    bob.sig.get_user_attr("alice", "k");
    expect_cb(&mut bob, "on_user_attr_result(alice, k, v)").await;
    alice.sig.logout();
    expect_cb(&mut alice, "on_logout(101)").await;
    bob.sig.get_user_attr("alice", "k");
    bob.sig.get_user_attr_all("alice");
    bob.sig.get_user_attr("nobody", "k");
    assert_eq!(
        drained(&mut bob).await,
        [
            "on_error(get_user_attr, 1001, attribute read failed)",
            "on_error(get_user_attr_all, 1001, attribute read failed)",
            "on_error(get_user_attr, 1001, attribute read failed)",
        ]
    );
}

/// The hub states the sizes of the session's profile at login and the client checks against
/// those: with the legacy profile raised to 16 KB messages, a 12 KB message goes through (the
/// built-in 8 KB check would refuse it) and 16 KB + 1 is refused.
async fn the_hub_states_the_sizes_the_client_checks(be: Backend) {
    use sigshim::{HubConfig, Limits};
    let legacy = Limits::legacy().max_message_bytes(16 * 1024);
    let hub = sigshim::Hub::new(HubConfig::new(sigshim_conformance::APP_ID).legacy_limits(legacy));
    let mut bob = online_core(be, &hub, "bob").await;
    let mut alice = online_legacy(be, &hub, "alice").await;
    let twelve = "t".repeat(12 * 1024);
    alice.sig.message_instant_send("bob", 0, &twelve, "m1");
    alice.sig.message_instant_send("bob", 0, &"o".repeat(16 * 1024 + 1), "m2");
    assert_eq!(drained(&mut alice).await, ["on_message_send_success(m1)", "on_message_send_error(m2, 400)"]);
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), twelve));
}

sigshim_conformance::per_backend!(
    the_hub_states_the_sizes_the_client_checks,
    attributes_of_a_logged_out_user_are_gone,
    accounts_channels_and_attribute_names_of_128_characters,
    messages_up_to_8_kb_and_the_legacy_failure_past_it,
    an_oversized_call_fails_alone,
    query_user_status_over_50_contacts,
    member_counts_twice_in_a_second,
    quick_rejoins_list_every_member_each_time
);

/// Four legacy members send 60 messages each within one second: each stays within the legacy 60
/// a second per user, the channel takes 200 a second in all, and the 40 past that fail with the
/// legacy send failure instead of being dropped after a success.
#[tokio::test(start_paused = true)]
async fn a_channel_takes_200_messages_a_second() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut members = Vec::new();
    for name in ["m1", "m2", "m3", "m4"] {
        let mut l = online_legacy(be, &hub, name).await;
        l.sig.channel_join("room");
        l.cbs.wait("on_channel_user_list").await;
        members.push(l);
    }
    for m in &mut members {
        drained(m).await;
    }
    let mut results = Vec::new();
    for (n, m) in members.iter_mut().enumerate() {
        for i in 0..60 {
            m.sig.message_channel_send("room", "x", &format!("{n}-{i}"));
        }
        let got = drained(m).await;
        let ok = got.iter().filter(|c| c.starts_with("on_message_send_success(")).count();
        let refused =
            got.iter().filter(|c| c.starts_with("on_message_send_error(") && c.ends_with(", 400)")).count();
        results.push((ok, refused));
    }
    assert_eq!(results, [(60, 0), (60, 0), (60, 0), (20, 40)]);
    // A second later the channel takes messages again.
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    members[3].sig.message_channel_send("room", "again", "later");
    expect_cb(&mut members[3], "on_message_send_success(later)").await;
}
