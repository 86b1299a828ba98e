//! The member list a legacy join reports is complete, or the join fails: the list and the
//! channel attributes are read before `on_channel_joined`; when either cannot be read, the core
//! channel is left again and the join fails with `on_channel_join_failed(channel, 300)`. An
//! application never sees a join with an empty or partial `on_channel_user_list`, and the list
//! always holds the joiner.

use sigshim::error::{AttributeError, GetMembersError, RtmCode};
use sigshim::limits::Profile;
use sigshim::protocol::Request;
use sigshim::{Channel, ChannelEvent, ChannelEvents};
use sigshim_conformance::channel_fixtures::{member, next_no_count};
use sigshim_conformance::fixtures::{expect_cb, online_legacy, online_legacy_with};
use sigshim_conformance::request_fault::RequestFault;
use sigshim_conformance::{APP_ID, Backend, CoreDriver, Driver, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

/// `on_channel_user_list` of `accounts`, in this order.
fn user_list(accounts: &[&str]) -> String {
    let uids: Vec<String> = accounts.iter().map(|a| uid_for(a).to_string()).collect();
    format!("on_channel_user_list([{}], [{}])", accounts.join(" "), uids.join(" "))
}

/// The callbacks of `l` after its `on_login_success`, once every call made so far was
/// processed; fences left out.
async fn since_login(l: &mut LegacyDriver) -> Vec<String> {
    l.fence().await;
    let all = l.cbs.transcript();
    let at = all.iter().position(|c| c.starts_with("on_login_success(")).expect("logged in");
    all[at + 1..].iter().filter(|c| !c.starts_with("on_dbg(fence,")).cloned().collect()
}

/// The members of a channel as one of its core members reads them, sorted.
async fn members_of(channel: &Channel) -> Vec<String> {
    let mut members = channel.get_members().await.expect("a member reads the list");
    members.sort();
    members
}

/// Three channels with core members in them; alice (legacy, one channel at a time, under
/// `profile`) joins them ten times in a row without waiting, so each join leaves the channel
/// before it. Each join reports exactly its channel's members and alice, latest first, or fails
/// with 300 when the core refuses it; nothing else, and never an incomplete list. At the end
/// alice is a member of the channel of her last successful join only (a failed join left its
/// channel again). Returns how many joins succeeded.
async fn quick_joins(be: Backend, profile: Profile) -> usize {
    let hub = hub();
    // (channel, its members in join order)
    let rooms = [("c0", vec!["m0"]), ("c1", vec!["m1", "n1"]), ("c2", vec!["m2"])];
    let mut held: Vec<(CoreDriver, Channel, ChannelEvents)> = Vec::new();
    for (channel, users) in &rooms {
        for user in users {
            held.push(member(be, &hub, user, channel).await);
        }
    }
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default().profile(profile)).await;
    let joins = ["c0", "c1", "c2", "c0", "c1", "c2", "c0", "c1", "c2", "c0"];
    for channel in joins {
        alice.sig.channel_join(channel);
    }

    let got = since_login(&mut alice).await;
    let mut lines = got.iter().map(String::as_str);
    let mut current: Option<&str> = None;
    let mut joined = 0;
    for channel in joins {
        if let Some(prev) = current.take() {
            assert_eq!(lines.next(), Some(format!("on_channel_leaved({prev}, 602)").as_str()), "{got:#?}");
        }
        let outcome = lines.next().unwrap_or_else(|| panic!("no outcome for {channel}: {got:#?}"));
        if outcome == format!("on_channel_join_failed({channel}, 300)") {
            continue;
        }
        assert_eq!(outcome, format!("on_channel_joined({channel})"), "{got:#?}");
        let users = &rooms.iter().find(|(c, _)| *c == channel).expect("a room").1;
        let latest_first: Vec<&str> = std::iter::once("alice").chain(users.iter().rev().copied()).collect();
        assert_eq!(lines.next(), Some(user_list(&latest_first).as_str()), "the complete list: {got:#?}");
        current = Some(channel);
        joined += 1;
    }
    assert_eq!(lines.next(), None, "nothing else: {got:#?}");
    assert!(got[0] == "on_channel_joined(c0)", "the first join succeeds: {got:#?}");

    for (_, channel, _) in &held {
        let mut want: Vec<String> = rooms
            .iter()
            .find(|(c, _)| *c == channel.id())
            .expect("a room")
            .1
            .iter()
            .map(|u| (*u).to_owned())
            .collect();
        if current == Some(channel.id()) {
            want.push("alice".to_owned());
        }
        want.sort();
        assert_eq!(members_of(channel).await, want, "members of {}", channel.id());
    }
    joined
}

/// Under the legacy profile (the facade's default) nothing limits quick joins: all ten report
/// their complete list.
async fn quick_joins_under_the_legacy_profile_all_list_their_members(be: Backend) {
    assert_eq!(quick_joins(be, Profile::Legacy).await, 10);
}

/// Under RTM's profile the core refuses some of the ten joins (member lists 5 per 2 s, joins of
/// one channel 2 per 5 s): those fail with 300, and every other one lists its members in full.
async fn quick_joins_under_the_rtm_profile_list_their_members_or_fail(be: Backend) {
    let joined = quick_joins(be, Profile::Rtm).await;
    assert!((1..10).contains(&joined), "some joins are refused: {joined} of 10 joined");
}

/// Which read after the core join fails.
#[derive(Debug, Clone, Copy)]
enum Unreadable {
    Members,
    Attributes,
}

/// Alice's member list (or attribute set) of `room` cannot be read: her join of `room` is
/// undone. She reports `on_channel_join_failed(room, 300)` after leaving `lobby` (her joins of
/// `lobby` read fine); bob (legacy) sees her join and leave; carol (core) sees the same; `room`
/// keeps bob and carol only, and alice is in no channel.
async fn a_join_whose_reads_fail_is_undone(be: Backend, unreadable: Unreadable) {
    let hub = hub();
    let (_carol, carol_room, mut carol_events) = member(be, &hub, "carol", "room").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    bob.sig.channel_join("room");
    expect_cb(&mut bob, &user_list(&["bob", "carol"])).await;
    assert_eq!(next_no_count(&mut carol_events).await, ChannelEvent::MemberJoined("bob".into()));

    let fault = RequestFault::new(be, &hub, move |r| match (unreadable, r) {
        (Unreadable::Members, Request::GetMembers { channel_id }) if channel_id == "room" => {
            Some(GetMembersError::TooOften.code())
        }
        (Unreadable::Attributes, Request::GetChannelAttributes { channel_id, .. })
            if channel_id == "room" =>
        {
            Some(AttributeError::TooOften.code())
        }
        _ => None,
    });
    let options = SignalingOptions::default().connector(fault.clone());
    let mut alice = LegacyDriver::with_endpoint(APP_ID, "alice", options);
    alice.login(None).await.expect("alice logs in");
    alice.sig.channel_join("lobby");
    alice.sig.channel_join("room");
    expect_cb(&mut alice, "on_channel_join_failed(room, 300)").await;
    assert_eq!(fault.refused(), 1);
    assert_eq!(
        since_login(&mut alice).await,
        [
            "on_channel_joined(lobby)".to_owned(),
            user_list(&["alice"]),
            "on_channel_leaved(lobby, 602)".to_owned(),
            "on_channel_join_failed(room, 300)".to_owned(),
        ]
    );

    let uid = uid_for("alice");
    expect_cb(&mut bob, &format!("on_channel_user_leaved(alice, {uid})")).await;
    assert_eq!(
        since_login(&mut bob).await,
        [
            "on_channel_joined(room)".to_owned(),
            user_list(&["bob", "carol"]),
            format!("on_channel_user_joined(alice, {uid})"),
            format!("on_channel_user_leaved(alice, {uid})"),
        ]
    );
    assert_eq!(next_no_count(&mut carol_events).await, ChannelEvent::MemberJoined("alice".into()));
    assert_eq!(next_no_count(&mut carol_events).await, ChannelEvent::MemberLeft("alice".into()));
    assert_eq!(members_of(&carol_room).await, ["bob", "carol"]);

    // Alice is in no channel: leaving `room` finds her not in it.
    alice.sig.channel_leave("room");
    expect_cb(&mut alice, "on_channel_leaved(room, 600)").await;
}

async fn a_join_whose_member_list_cannot_be_read_is_undone(be: Backend) {
    a_join_whose_reads_fail_is_undone(be, Unreadable::Members).await;
}

async fn a_join_whose_attributes_cannot_be_read_is_undone(be: Backend) {
    a_join_whose_reads_fail_is_undone(be, Unreadable::Attributes).await;
}

sigshim_conformance::per_backend!(
    quick_joins_under_the_legacy_profile_all_list_their_members,
    quick_joins_under_the_rtm_profile_list_their_members_or_fail,
    a_join_whose_member_list_cannot_be_read_is_undone,
    a_join_whose_attributes_cannot_be_read_is_undone,
);
