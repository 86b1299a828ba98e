//! The legacy session endpoint (`/legacy`) frame by frame: calls in, callbacks out in order,
//! `done` frames, mixed with core users on the same hub; resume with replay, the grace period's
//! end, takeover and kicks; bad input and limits.

use std::time::Duration;

use serde_json::json;
use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::protocol::close;
use sigshim::{ChannelEvent, HubConfig};
use sigshim_conformance::channel_fixtures::next_no_count;
use sigshim_conformance::fixtures::{next_statuses, online_core, states};
use sigshim_conformance::legacy_wire::{LegacyWire, start_with_legacy};
use sigshim_conformance::raw::{RawClient, strict_config};
use sigshim_conformance::{APP_ID, Backend, Driver, hub};
use sigshim_legacy::uid_for;

#[tokio::test]
async fn calls_and_callbacks_by_their_legacy_names_in_order() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut cory = online_core(Backend::Memory, &hub, "cory").await;
    let mut lea = LegacyWire::connect(&server).await;
    let (_ticket, uid) = lea.login(APP_ID, "lea").await;
    assert_eq!(uid, u64::from(uid_for("lea")));
    assert!(hub.is_online("lea"));

    // A peer message to a core user: the send's success, then the core user has it.
    lea.call("messageInstantSend", json!(["cory", 0, "hello cory", "m1"])).await;
    assert_eq!(lea.expect("onMessageSendSuccess").await, json!(["m1"]));
    assert_eq!(cory.recv_peer().await, ("lea".into(), "hello cory".into()));
    cory.send_peer("lea", "hello lea").await.unwrap();
    assert_eq!(lea.expect("onMessageInstantReceive").await, json!(["cory", uid_for("cory"), "hello lea"]));

    // Join: joined, then the member list; the channel message comes back to its sender too.
    cory.client.create_channel("lobby").0.join().await.unwrap();
    lea.call("channelJoin", json!(["lobby"])).await;
    assert_eq!(lea.expect("onChannelJoined").await, json!(["lobby"]));
    let list = lea.expect("onChannelUserList").await;
    let mut members: Vec<(String, u64)> = list[0]
        .as_array()
        .unwrap()
        .iter()
        .zip(list[1].as_array().unwrap())
        .map(|(a, u)| (a.as_str().unwrap().to_owned(), u.as_u64().unwrap()))
        .collect();
    members.sort();
    assert_eq!(members, [("cory".into(), u64::from(uid_for("cory"))), ("lea".into(), uid)]);
    lea.call("messageChannelSend", json!(["lobby", "hi all", "c1"])).await;
    assert_eq!(lea.expect("onMessageSendSuccess").await, json!(["c1"]));
    assert_eq!(lea.expect("onMessageChannelReceive").await, json!(["lobby", "lea", uid, "hi all"]));

    // `done` follows every callback of the calls before it; getters answer in `ret`.
    lea.call("dbg", json!(["a", "b"])).await;
    lea.call_id("getStatus", json!([]), 7).await;
    assert_eq!(lea.expect("onDbg").await, json!(["a", "b"]));
    assert_eq!(lea.expect("done").await, json!([7, 2]));
    // The set is done when the server has it; its update event reaches every member, the
    // setter included, on its own way (before or after the `done`).
    lea.call_id("channelSetAttr", json!(["lobby", "topic", "rust"]), 8).await;
    let mut two = [lea.next().await, lea.next().await];
    two.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!((two[0].name.as_str(), &two[0].args), ("done", &json!([8, null])));
    assert_eq!(
        (two[1].name.as_str(), &two[1].args),
        ("onChannelAttrUpdated", &json!(["lobby", "topic", "rust", "update"]))
    );

    // Logout: the channel ends with the session, then onLogout(101), then close 1000.
    lea.call("logout", json!([])).await;
    assert_eq!(lea.expect("onChannelLeaved").await[0], "lobby");
    assert_eq!(lea.expect("onLogout").await, json!([101]));
    assert_eq!(lea.close_code().await, close::NORMAL);
    server.connections_reach(0).await;
    assert!(!hub.is_online("lea"));
    server.shutdown().await;
}

#[tokio::test]
async fn frames_are_numbered_without_gaps_and_a_failed_login_ends_the_connection() {
    let hub = sigshim::Hub::new(HubConfig::new(APP_ID).app_certificate("5CFd2fd1755d40ecb72977518be15d3b"));
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut lea = LegacyWire::connect(&server).await;
    lea.send_login(APP_ID, "lea").await;
    let failed = lea.next().await;
    assert_eq!((failed.seq, failed.name.as_str()), (1, "onLoginFailed"));
    assert_eq!(failed.args, json!([206]));
    assert_eq!(lea.close_code().await, close::NORMAL);
    server.shutdown().await;
}

#[tokio::test]
async fn a_broken_link_keeps_the_session_and_a_resume_replays_what_was_not_acknowledged() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut cory = online_core(Backend::Memory, &hub, "cory").await;
    let mut lea = LegacyWire::connect(&server).await;
    let (ticket, uid) = lea.login(APP_ID, "lea").await;
    for i in 1..=3 {
        cory.send_peer("lea", &format!("m{i}")).await.unwrap();
    }
    let mut seqs = Vec::new();
    for i in 1..=3 {
        let f = lea.next().await;
        assert_eq!(f.args, json!(["cory", uid_for("cory"), format!("m{i}")]));
        seqs.push(f.seq);
    }
    assert_eq!(seqs, [2, 3, 4]);
    lea.ack(2).await;
    // The link breaks (no close handshake): the user stays online, messages keep queuing.
    drop(lea);
    cory.send_peer("lea", "m4").await.unwrap();
    assert!(hub.is_online("lea"));

    // The client saw up to seq 3; 4 was sent but never seen, m4 queued meanwhile.
    let mut again =
        LegacyWire { raw: RawClient::connect(&sigshim_conformance::legacy_wire::legacy_url(&server)).await };
    again.raw.send_json(&json!({"resume": ticket, "last_seq": 3})).await;
    let answer = again.raw.json().await;
    assert_eq!(answer["resumed"], true, "{answer}");
    let replayed = again.next().await;
    assert_eq!((replayed.seq, replayed.args.clone()), (4, json!(["cory", uid_for("cory"), "m3"])));
    let queued = again.next().await;
    assert_eq!((queued.seq, queued.args.clone()), (5, json!(["cory", uid_for("cory"), "m4"])));
    // The session is the same: still logged in, same uid.
    again.call_id("getStatus", json!([]), 1).await;
    assert_eq!(again.expect("done").await, json!([1, 2]));
    again.call("messageInstantSend", json!(["cory", 0, "back", "m9"])).await;
    assert_eq!(again.expect("onMessageSendSuccess").await, json!(["m9"]));
    assert_eq!(cory.recv_peer().await, ("lea".into(), "back".into()));
    assert_eq!(uid, u64::from(uid_for("lea")));
    server.shutdown().await;
}

#[tokio::test]
async fn past_the_grace_period_the_instance_logs_out_and_the_ticket_is_refused() {
    let hub = sigshim::Hub::new(HubConfig::new(APP_ID).session_grace(Duration::from_millis(200)));
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut cory = online_core(Backend::Memory, &hub, "cory").await;
    let mut lea = LegacyWire::connect(&server).await;
    let (ticket, _) = lea.login(APP_ID, "lea").await;
    cory.client.subscribe_peers_online_status(&["lea"]).await.unwrap();
    assert_eq!(next_statuses(&mut cory).await, states(&[("lea", Online)]));
    drop(lea);
    // Others see the user go offline once the grace period ends.
    assert_eq!(next_statuses(&mut cory).await, states(&[("lea", Offline)]));
    let mut again =
        LegacyWire { raw: RawClient::connect(&sigshim_conformance::legacy_wire::legacy_url(&server)).await };
    again.raw.send_json(&json!({"resume": ticket, "last_seq": 1})).await;
    assert_eq!(again.error().await.0, "unknown_session");
    assert_eq!(again.close_code().await, close::POLICY);
    server.shutdown().await;
}

#[tokio::test]
async fn a_resume_takes_the_session_over_from_a_live_connection() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut old = LegacyWire::connect(&server).await;
    let (ticket, _) = old.login(APP_ID, "lea").await;
    let mut new = LegacyWire::connect(&server).await;
    new.raw.send_json(&json!({"resume": ticket, "last_seq": 1})).await;
    assert_eq!(new.raw.json().await["resumed"], true);
    assert_eq!(old.close_code().await, close::DROPPED);
    new.call_id("isOnline", json!([]), 3).await;
    assert_eq!(new.expect("done").await, json!([3, 1]));
    server.shutdown().await;
}

/// A resume's answer carries a new ticket: the one it used is refused from then on (and takes
/// nothing over), the new one resumes.
#[tokio::test]
async fn a_resume_hands_out_a_new_ticket_and_the_old_one_is_refused() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut lea = LegacyWire::connect(&server).await;
    let (first, _) = lea.login(APP_ID, "lea").await;
    let mut second_link = LegacyWire::connect(&server).await;
    second_link.raw.send_json(&json!({"resume": first, "last_seq": 1})).await;
    let answer = second_link.raw.json().await;
    assert_eq!(answer["resumed"], true, "{answer}");
    let second = answer["session"].as_str().expect("a ticket").to_owned();
    assert_ne!(second, first, "a new ticket");
    assert_eq!(lea.close_code().await, close::DROPPED);

    let mut replay = LegacyWire::connect(&server).await;
    replay.raw.send_json(&json!({"resume": first, "last_seq": 1})).await;
    assert_eq!(replay.error().await.0, "unknown_session");
    assert_eq!(replay.close_code().await, close::POLICY);
    second_link.call_id("isOnline", json!([]), 3).await;
    assert_eq!(second_link.expect("done").await, json!([3, 1]), "the replay took nothing over");

    let mut third_link = LegacyWire::connect(&server).await;
    third_link.raw.send_json(&json!({"resume": second, "last_seq": 2})).await;
    let answer = third_link.raw.json().await;
    assert_eq!(answer["resumed"], true, "{answer}");
    assert_eq!(second_link.close_code().await, close::DROPPED);
    third_link.call_id("getStatus", json!([]), 4).await;
    assert_eq!(third_link.expect("done").await, json!([4, 2]));
    server.shutdown().await;
}

/// On a hub with an App Certificate, a resume shows a valid token of the session's account
/// besides the ticket: without one, or with another account's, it is refused and the session
/// stays with its connection.
#[tokio::test]
async fn on_a_token_hub_a_resume_needs_the_accounts_token() {
    use sigshim_conformance::scenario::{TOKEN_APP_ID, TOKEN_CERT, token_hub};
    let token = |user: &str| {
        sigshim::token::access_token2::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, user, 600).unwrap()
    };
    let hub = token_hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut lea = LegacyWire::connect(&server).await;
    lea.call("login", json!([TOKEN_APP_ID, "lea", token("lea"), 0, ""])).await;
    let ticket = lea.raw.json().await["session"].as_str().expect("a ticket").to_owned();
    lea.expect("onLoginSuccess").await;

    for resume in [
        json!({"resume": ticket, "last_seq": 1}),
        json!({"resume": ticket, "last_seq": 1, "token": "_no_need_token"}),
        json!({"resume": ticket, "last_seq": 1, "token": token("bob")}),
    ] {
        let mut thief = LegacyWire::connect(&server).await;
        thief.raw.send_json(&resume).await;
        assert_eq!(thief.error().await.0, "unknown_session", "{resume}");
        assert_eq!(thief.close_code().await, close::POLICY);
        lea.call_id("isOnline", json!([]), 1).await;
        assert_eq!(lea.expect("done").await, json!([1, 1]), "still lea's: {resume}");
    }
    let mut again = LegacyWire::connect(&server).await;
    again.raw.send_json(&json!({"resume": ticket, "last_seq": 1, "token": token("lea")})).await;
    assert_eq!(again.raw.json().await["resumed"], true);
    assert_eq!(lea.close_code().await, close::DROPPED);
    server.shutdown().await;
}

#[tokio::test]
async fn a_second_login_of_the_account_ends_the_first_session_with_103() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut first = LegacyWire::connect(&server).await;
    first.login(APP_ID, "lea").await;
    let mut second = LegacyWire::connect(&server).await;
    second.login(APP_ID, "lea").await;
    assert_eq!(first.expect("onLogout").await, json!([103]));
    assert_eq!(first.close_code().await, close::NORMAL);
    second.call_id("getStatus", json!([]), 1).await;
    assert_eq!(second.expect("done").await, json!([1, 2]));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_answered_with_its_error_and_others_are_unaffected() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut bystander = LegacyWire::connect(&server).await;
    bystander.login(APP_ID, "bea").await;

    // Before login: anything but a login or a resume is refused, and the connection closes.
    let mut early = LegacyWire::connect(&server).await;
    early.call_id("messageInstantSend", json!(["bea", 0, "x", "m"]), 4).await;
    assert_eq!(early.error().await, ("login_expected".into(), Some(4)));
    assert_eq!(early.close_code().await, close::POLICY);
    let mut early = LegacyWire::connect(&server).await;
    early.call("login", json!([APP_ID, "lea"])).await;
    assert_eq!(early.error().await.0, "bad_args");
    assert_eq!(early.close_code().await, close::POLICY);

    let mut lea = LegacyWire::connect(&server).await;
    lea.login(APP_ID, "lea").await;
    lea.raw.send_text("not json").await;
    assert_eq!(lea.error().await, ("bad_frame".into(), None));
    lea.call_id("messageSend", json!([]), 1).await;
    assert_eq!(lea.error().await, ("unknown_call".into(), Some(1)));
    lea.call_id("messageInstantSend", json!(["bea", "zero", "x", "m"]), 2).await;
    assert_eq!(lea.error().await, ("bad_args".into(), Some(2)));
    // Only the bad ones were refused: the session goes on.
    lea.call_id("getStatus", json!([]), 3).await;
    assert_eq!(lea.expect("done").await, json!([3, 2]));
    // One bad frame too many (the fourth, past `MAX_BAD_FRAMES`) closes the connection; the
    // session waits for a resume.
    assert_eq!(sigshim_conformance::raw::MAX_BAD_FRAMES, 3);
    lea.call("login", json!([APP_ID, "lea", "_no_need_token", 0, ""])).await;
    assert_eq!(lea.error().await.0, "already_logged_in");
    assert_eq!(lea.close_code().await, close::POLICY);

    let mut big = LegacyWire::connect(&server).await;
    big.login(APP_ID, "bob").await;
    big.call("dbg", json!(["x".repeat(sigshim_conformance::raw::MAX_FRAME_BYTES), ""])).await;
    assert_eq!(big.close_code().await, close::TOO_BIG);
    let mut binary = LegacyWire::connect(&server).await;
    binary.login(APP_ID, "bin").await;
    binary.raw.send_binary(b"\x01\x02").await;
    assert_eq!(binary.close_code().await, close::UNSUPPORTED_DATA);

    bystander.call("messageInstantSend", json!(["bea", 0, "still here", "s1"])).await;
    assert_eq!(bystander.expect("onMessageSendSuccess").await, json!(["s1"]));
    assert_eq!(bystander.expect("onMessageInstantReceive").await[2], "still here");
    server.shutdown().await;
}

#[tokio::test]
async fn legacy_connections_count_against_the_servers_cap() {
    let hub = hub();
    let mut config = strict_config();
    config.max_connections = 1;
    let server = start_with_legacy(&hub, config).await;
    let mut lea = LegacyWire::connect(&server).await;
    lea.login(APP_ID, "lea").await;
    let refused = RawClient::try_connect(&server.url()).await.expect_err("the server is full");
    assert!(refused.to_string().contains("503"), "{refused}");
    let url = sigshim_conformance::legacy_wire::legacy_url(&server);
    let refused = RawClient::try_connect(&url).await.expect_err("the server is full");
    assert!(refused.to_string().contains("503"), "{refused}");
    let metrics = sigshim_conformance::raw::http_get(server.local_addr(), "/metrics").await;
    // The gauge is the process's (tests in this binary run side by side): at least this one.
    let gauge = metrics.body.lines().find_map(|l| l.strip_prefix("sigshim_legacy_sessions "));
    let gauge: f64 = gauge.unwrap_or_else(|| panic!("no legacy gauge in {}", metrics.body)).parse().unwrap();
    assert!(gauge >= 1.0, "{gauge}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_channel_member_sees_the_user_of_an_expired_session_leave() {
    let hub = sigshim::Hub::new(HubConfig::new(APP_ID).session_grace(Duration::from_millis(300)));
    let server = start_with_legacy(&hub, strict_config()).await;
    let cory = online_core(Backend::Memory, &hub, "cory").await;
    let (channel, mut events) = cory.client.create_channel("lobby");
    channel.join().await.unwrap();
    let mut lea = LegacyWire::connect(&server).await;
    lea.login(APP_ID, "lea").await;
    lea.call("channelJoin", json!(["lobby"])).await;
    assert_eq!(lea.expect("onChannelJoined").await, json!(["lobby"]));
    assert_eq!(next_no_count(&mut events).await, ChannelEvent::MemberJoined("lea".into()));
    drop(lea);
    // Parked, then expired: the only member event is the leave, at the grace period's end.
    assert_eq!(next_no_count(&mut events).await, ChannelEvent::MemberLeft("lea".into()));
    assert!(!hub.is_online("lea"));
    server.shutdown().await;
}

#[tokio::test]
async fn a_message_flood_is_refused_past_the_legacy_rate_and_every_send_is_answered_once() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut bea = LegacyWire::connect(&server).await;
    bea.login(APP_ID, "bea").await;
    let mut lea = LegacyWire::connect(&server).await;
    lea.login(APP_ID, "lea").await;
    const SENT: usize = 150;
    let budget = hub.config().legacy_limits.rates.messages.count as usize;
    assert!(budget > 0 && budget < SENT, "{budget}");
    for i in 0..SENT {
        lea.call("messageInstantSend", json!(["bea", 0, format!("n{i}"), format!("f{i}")])).await;
    }
    let (mut ok, mut refused) = (Vec::new(), Vec::new());
    for _ in 0..SENT {
        let f = lea.next().await;
        match f.name.as_str() {
            "onMessageSendSuccess" => ok.push(f.args[0].as_str().unwrap().to_owned()),
            "onMessageSendError" => {
                assert_eq!(f.args[1], 400, "{f:?}");
                refused.push(f.args[0].as_str().unwrap().to_owned());
            }
            other => panic!("unexpected {other}: {f:?}"),
        }
        lea.ack(f.seq).await;
    }
    assert_eq!(ok.len() + refused.len(), SENT);
    assert!(!refused.is_empty(), "{} accepted, none refused", ok.len());
    // The budget is a sliding window: the first `budget` sends always fit.
    for i in 0..budget {
        assert!(ok.contains(&format!("f{i}")), "f{i} refused: {refused:?}");
    }
    let mut answered: Vec<_> = ok.iter().chain(&refused).cloned().collect();
    answered.sort();
    answered.dedup();
    assert_eq!(answered.len(), SENT, "each send answered exactly once");
    // The receiver gets exactly the accepted ones, in order.
    for id in &ok {
        let got = bea.expect("onMessageInstantReceive").await;
        assert_eq!(got[2], format!("n{}", &id[1..]));
    }
    bea.call_id("getStatus", json!([]), 1).await;
    assert_eq!(bea.expect("done").await, json!([1, 2]));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_holds_its_session_back_and_loses_nothing_accepted() {
    let hub = {
        let mut limits = sigshim::Limits::default();
        limits.rates = sigshim::limits::RateLimits::unlimited();
        sigshim::Hub::new(HubConfig::new(APP_ID).limits(limits).legacy_limits(limits).inbox_capacity(8))
    };
    let mut config = strict_config();
    config.max_unacked = 4;
    let server = start_with_legacy(&hub, config).await;
    let mut cory = online_core(Backend::Memory, &hub, "cory").await;
    let mut lea = LegacyWire::connect(&server).await;
    lea.login(APP_ID, "lea").await; // seq 1, not acknowledged: the window has 3 more
    // Lea reads nothing now. Cory sends until the server refuses for good (a refusal can be
    // momentary, while the instance takes what arrived): the queues between are bounded, so that
    // comes. How many fit is their sum, not part of the contract.
    let (mut accepted, mut refused_in_a_row) = (0usize, 0);
    while refused_in_a_row < 200 {
        match cory.send_peer("lea", &format!("n{accepted}")).await {
            Ok(()) => {
                accepted += 1;
                refused_in_a_row = 0;
            }
            Err(e) => {
                assert_eq!(e.code, 1, "a full inbox refuses with PEER_MESSAGE_ERR_FAILURE: {e:?}");
                refused_in_a_row += 1
            }
        }
        assert!(accepted < 100_000, "nothing holds the sender back");
        // Room for the instance to take what arrived, as it would between real sends.
        tokio::task::yield_now().await;
    }
    assert!(accepted > 3, "{accepted}");
    // Every accepted message arrives, in order, once lea reads and acknowledges.
    for i in 0..accepted {
        let f = lea.next().await;
        assert_eq!((f.name.as_str(), &f.args[2]), ("onMessageInstantReceive", &json!(format!("n{i}"))));
        lea.ack(f.seq).await;
    }
    cory.send_peer("lea", "after").await.unwrap();
    assert_eq!(lea.expect("onMessageInstantReceive").await[2], "after");
    server.shutdown().await;
}

#[tokio::test]
async fn a_call_between_two_pages_carries_extra_on_every_step_including_the_end() {
    let hub = hub();
    let server = start_with_legacy(&hub, strict_config()).await;
    let mut lea = LegacyWire::connect(&server).await;
    let (_, lea_uid) = lea.login(APP_ID, "lea").await;
    let mut bea = LegacyWire::connect(&server).await;
    let (_, bea_uid) = bea.login(APP_ID, "bea").await;
    let offer = r#"{"video":true,"note":"hi \"bea\""}"#;
    lea.call("channelInviteUser2", json!(["room", "bea", offer])).await;
    assert_eq!(bea.expect("onInviteReceived").await, json!(["room", "lea", lea_uid, offer]));
    assert_eq!(lea.expect("onInviteReceivedByPeer").await, json!(["room", "bea", bea_uid]));
    bea.call("channelInviteAccept", json!(["room", "lea", 0, r#"{"ok":1}"#])).await;
    assert_eq!(lea.expect("onInviteAcceptedByPeer").await, json!(["room", "bea", bea_uid, r#"{"ok":1}"#]));
    // After the accept, the end's extra travels in the end-call message.
    lea.call("channelInviteEnd", json!(["room", "bea", 0, r#"{"by":"lea"}"#])).await;
    assert_eq!(lea.expect("onInviteEndByMyself").await, json!(["room", "bea", bea_uid]));
    assert_eq!(bea.expect("onInviteEndByPeer").await, json!(["room", "lea", lea_uid, r#"{"by":"lea"}"#]));

    // A pending invitation ended by the callee is refused with the extra as the response.
    lea.call("channelInviteUser2", json!(["room2", "bea", ""])).await;
    assert_eq!(bea.expect("onInviteReceived").await[0], "room2");
    assert_eq!(lea.expect("onInviteReceivedByPeer").await[0], "room2");
    bea.call("channelInviteEnd", json!(["room2", "lea", 0, r#"{"status":1}"#])).await;
    assert_eq!(bea.expect("onInviteEndByMyself").await, json!(["room2", "lea", lea_uid]));
    assert_eq!(
        lea.expect("onInviteRefusedByPeer").await,
        json!(["room2", "bea", bea_uid, r#"{"status":1}"#])
    );
    server.shutdown().await;
}
