//! The one-pass readers (`hot`) against the derived ones, on generated frames of every kind,
//! on mutations of them, and on arbitrary text.
//!
//! - Whenever a one-pass reader returns a frame, the derived reader of that frame returns the
//!   same frame.
//! - `parse_client` and `parse_server` return exactly what the derived readers alone return
//!   (frames and errors), and never panic.
//! - Every frame, written as sigshim writes it, reads back as itself; and a frame read from any
//!   text, written again, reads back the same.
//!
//! The mutations are those of the fuzz targets (`fuzz/src/mutate.rs`, shared with them), here
//! driven by proptest's bytes. The `client_frame` and `server_frame` fuzz targets check the
//! same through the public codec.

use proptest::collection::vec;
use proptest::prelude::*;

use super::call::{CallRole, CallSignal};
use super::hot;
use super::session::SessionSizes;
use super::wire::{
    ClientFrame, Control, ErrorFrame, EventFrame, FrameError, Hello, ProtocolError, ReplyFrame, RequestFrame,
    ServerFrame, event_frame_text, frame_text, parse_client, parse_server,
};
use super::{ChannelMemberCount, Event, KickReason, PeerOnlineState, PeerStatus, Reply, Request};
use crate::attributes::{Attribute, AttributeUpdate, ChannelAttribute};
use crate::limits::Profile;
use crate::message::{Message, SendMessageOptions};

#[allow(dead_code, unreachable_pub)]
#[path = "../../../fuzz/src/mutate.rs"]
mod mutate;

/// What `parse_client` must return: the derived readers alone, requests first.
fn derived_client(text: &str) -> Result<ClientFrame, FrameError> {
    match serde_json::from_str::<RequestFrame>(text) {
        Ok(r) => Ok(ClientFrame::Request(r)),
        Err(request_error) => serde_json::from_str::<Control>(text)
            .map(ClientFrame::Control)
            .or_else(|_| serde_json::from_str::<Hello>(text).map(ClientFrame::Hello))
            .map_err(|_| FrameError(request_error.to_string())),
    }
}

/// What `parse_server` must return: the derived readers alone, events first.
fn derived_server(text: &str) -> Result<ServerFrame, FrameError> {
    serde_json::from_str::<EventFrame>(text)
        .map(ServerFrame::Event)
        .or_else(|_| serde_json::from_str::<ReplyFrame>(text).map(ServerFrame::Reply))
        .or_else(|_| serde_json::from_str::<ErrorFrame>(text).map(ServerFrame::Error))
        .map_err(|e| FrameError(e.to_string()))
}

fn check_client(text: &str) -> Result<(), TestCaseError> {
    if let Some(r) = hot::request(text) {
        prop_assert_eq!(serde_json::from_str::<RequestFrame>(text).ok(), Some(r), "{:?}", text);
    }
    let parsed = parse_client(text);
    prop_assert_eq!(&parsed, &derived_client(text), "{:?}", text);
    if let Ok(frame) = parsed {
        let written = match &frame {
            ClientFrame::Request(r) => frame_text(r),
            ClientFrame::Hello(h) => frame_text(h),
            ClientFrame::Control(c) => frame_text(c),
        };
        let written = written.expect("a frame that was read can be written");
        prop_assert_eq!(parse_client(&written), Ok(frame), "{:?} written as {:?}", text, written);
    }
    Ok(())
}

fn check_server(text: &str) -> Result<(), TestCaseError> {
    if let Some(e) = hot::event(text) {
        prop_assert_eq!(serde_json::from_str::<EventFrame>(text).ok(), Some(e), "{:?}", text);
    }
    if let Some(r) = hot::reply(text) {
        prop_assert_eq!(serde_json::from_str::<ReplyFrame>(text).ok(), Some(r), "{:?}", text);
    }
    let parsed = parse_server(text);
    prop_assert_eq!(&parsed, &derived_server(text), "{:?}", text);
    if let Ok(frame) = parsed {
        let written = match &frame {
            ServerFrame::Reply(r) => frame_text(r),
            ServerFrame::Event(e) => event_frame_text(e.seq, &e.event),
            ServerFrame::Error(e) => frame_text(e),
        };
        let written = written.expect("a frame that was read can be written");
        prop_assert_eq!(parse_server(&written), Ok(frame), "{:?} written as {:?}", text, written);
    }
    Ok(())
}

/// Short strings: plain, any Unicode, or with the characters JSON escapes.
fn s() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-z]{0,6}",
        ".{0,6}",
        prop::sample::select(vec!["", "\u{0}", "\"", "\\", "\u{1f600}", "é", "\u{7f}", "\u{feff}", "\n\t"])
            .prop_map(str::to_owned),
    ]
    .boxed()
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(s(), 0..3)
}

fn number() -> impl Strategy<Value = u64> {
    prop_oneof![any::<u64>(), Just(0), Just(u64::MAX), Just(i64::MAX as u64), Just(u64::from(u32::MAX) + 1)]
}

fn message() -> impl Strategy<Value = Message> {
    let body = prop_oneof![
        3 => s().prop_map(Message::text),
        1 => (vec(any::<u8>(), 0..12), s()).prop_map(|(data, d)| Message::raw(data, d)),
    ];
    (body, number(), number()).prop_map(|(m, id, server_ts)| Message { id, server_ts, ..m })
}

fn attributes() -> impl Strategy<Value = Vec<Attribute>> {
    vec((s(), s()).prop_map(|(k, v)| Attribute::new(k, v)), 0..3)
}

fn channel_attributes() -> impl Strategy<Value = Vec<ChannelAttribute>> {
    vec(
        (s(), s(), s(), number()).prop_map(|(key, value, last_update_user_id, last_update_ts)| {
            ChannelAttribute { key, value, last_update_user_id, last_update_ts }
        }),
        0..3,
    )
}

fn update() -> impl Strategy<Value = AttributeUpdate> {
    prop_oneof![
        attributes().prop_map(|attributes| AttributeUpdate::Set { attributes }),
        attributes().prop_map(|attributes| AttributeUpdate::AddOrUpdate { attributes }),
        strings().prop_map(|keys| AttributeUpdate::DeleteKeys { keys }),
        Just(AttributeUpdate::Clear),
    ]
}

fn role() -> impl Strategy<Value = CallRole> {
    prop_oneof![Just(CallRole::Caller), Just(CallRole::Callee)]
}

fn signal() -> impl Strategy<Value = CallSignal> {
    prop_oneof![
        (s(), proptest::option::of(s()))
            .prop_map(|(content, channel_id)| CallSignal::Invite { content, channel_id }),
        Just(CallSignal::Received),
        s().prop_map(|response| CallSignal::Accept { response }),
        Just(CallSignal::Confirm),
        s().prop_map(|response| CallSignal::Refuse { response }),
        Just(CallSignal::Cancel),
        Just(CallSignal::Expire),
        Just(CallSignal::PeerGone),
    ]
}

fn options() -> impl Strategy<Value = SendMessageOptions> {
    any::<bool>().prop_map(|enable_offline_messaging| SendMessageOptions { enable_offline_messaging })
}

/// Every request (the message requests, the one-pass readers' own, more often).
fn request() -> impl Strategy<Value = Request> {
    let messages = prop_oneof![
        (s(), message(), options()).prop_map(|(peer_id, message, options)| Request::SendPeerMessage {
            peer_id,
            message,
            options
        }),
        (s(), message())
            .prop_map(|(channel_id, message)| Request::SendChannelMessage { channel_id, message }),
        (s(), message())
            .prop_map(|(channel_id, message)| Request::PublishChannelMessage { channel_id, message }),
    ];
    let others = prop_oneof![
        Just(Request::Logout),
        s().prop_map(|token| Request::RenewToken { token }),
        strings().prop_map(|peer_ids| Request::QueryPeersOnlineStatus { peer_ids }),
        strings().prop_map(|peer_ids| Request::SubscribePeersOnlineStatus { peer_ids }),
        strings().prop_map(|peer_ids| Request::UnsubscribePeersOnlineStatus { peer_ids }),
        Just(Request::QueryPeersBySubscriptionOption),
        update().prop_map(|update| Request::UpdateLocalUserAttributes { update }),
        (s(), proptest::option::of(strings()))
            .prop_map(|(user_id, keys)| Request::GetUserAttributes { user_id, keys }),
        Just(Request::Ping),
        s().prop_map(|channel_id| Request::JoinChannel { channel_id }),
        s().prop_map(|channel_id| Request::LeaveChannel { channel_id }),
        s().prop_map(|channel_id| Request::GetMembers { channel_id }),
        (s(), s()).prop_map(|(channel_id, user_id)| Request::QueryChannelMember { channel_id, user_id }),
        strings().prop_map(|channel_ids| Request::GetChannelMemberCount { channel_ids }),
        (s(), update(), any::<bool>()).prop_map(|(channel_id, update, notify)| {
            Request::UpdateChannelAttributes { channel_id, update, notify }
        }),
        (s(), proptest::option::of(strings()))
            .prop_map(|(channel_id, keys)| Request::GetChannelAttributes { channel_id, keys }),
        (s(), number(), role(), signal()).prop_map(|(peer_id, invitation_id, by, signal)| {
            Request::Invitation { peer_id, invitation_id, by, signal }
        }),
    ];
    prop_oneof![1 => messages, 1 => others]
}

fn profile() -> impl Strategy<Value = Profile> {
    prop_oneof![Just(Profile::Rtm), Just(Profile::Legacy)]
}

/// A client frame of any kind, with its text as a client writes it.
fn client_frame() -> impl Strategy<Value = (ClientFrame, String)> {
    let frame = prop_oneof![
        6 => (number(), request()).prop_map(|(id, request)| ClientFrame::Request(RequestFrame { id, request })),
        1 => (number(), s(), s(), proptest::option::of(s()), profile()).prop_map(
            |(id, app_id, user_id, token, profile)| ClientFrame::Hello(Hello::Login { id, app_id, user_id, token, profile })
        ),
        1 => (number(), s(), number(), proptest::option::of(s())).prop_map(
            |(id, session, last_seq, token)| ClientFrame::Hello(Hello::Resume { id, session, last_seq, token })
        ),
        1 => number().prop_map(|seq| ClientFrame::Control(Control::Ack { seq })),
    ];
    frame.prop_map(|frame| {
        let text = match &frame {
            ClientFrame::Request(r) => frame_text(r),
            ClientFrame::Hello(h) => frame_text(h),
            ClientFrame::Control(c) => frame_text(c),
        };
        (frame, text.expect("every frame can be written"))
    })
}

fn statuses() -> impl Strategy<Value = Vec<PeerStatus>> {
    let state = prop_oneof![
        Just(PeerOnlineState::Online),
        Just(PeerOnlineState::Unreachable),
        Just(PeerOnlineState::Offline)
    ];
    vec((s(), state).prop_map(|(peer_id, state)| PeerStatus { peer_id, state }), 0..3)
}

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![any::<usize>(), Just(0), Just(usize::MAX)]
}

fn reply() -> impl Strategy<Value = Reply> {
    let sizes = (size(), size(), size(), size()).prop_map(|(a, b, c, d)| SessionSizes {
        max_id_bytes: a,
        max_message_bytes: b,
        max_attribute_key_bytes: c,
        max_attribute_value_bytes: d,
    });
    prop_oneof![
        1 => Just(Reply::Ok),
        1 => any::<i32>().prop_map(|code| Reply::Error { code }),
        3 => (number(), number()).prop_map(|(message_id, server_ts)| Reply::MessageSent { message_id, server_ts }),
        1 => statuses().prop_map(|statuses| Reply::PeerStatuses { statuses }),
        1 => strings().prop_map(|peer_ids| Reply::PeerIds { peer_ids }),
        1 => attributes().prop_map(|attributes| Reply::Attributes { attributes }),
        1 => Just(Reply::Pong),
        1 => strings().prop_map(|user_ids| Reply::Members { user_ids }),
        1 => any::<bool>().prop_map(|is_member| Reply::IsMember { is_member }),
        1 => vec((s(), size()).prop_map(|(channel_id, count)| ChannelMemberCount { channel_id, count }), 0..3)
            .prop_map(|counts| Reply::MemberCounts { counts }),
        1 => channel_attributes().prop_map(|attributes| Reply::ChannelAttributes { attributes }),
        1 => any::<bool>().prop_map(|delivered| Reply::InvitationRouted { delivered }),
        1 => (s(), any::<bool>(), size(), size(), proptest::option::of(sizes)).prop_map(
            |(session, resumed, window, max_frame, sizes)| Reply::LoggedIn { session, resumed, window, max_frame, sizes }
        ),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let kick =
        prop_oneof![Just(KickReason::RemoteLogin), Just(KickReason::TokenExpired), Just(KickReason::Banned)];
    prop_oneof![
        3 => (s(), message(), any::<bool>())
            .prop_map(|(peer_id, message, offline)| Event::PeerMessage { peer_id, message, offline }),
        3 => (s(), s(), message()).prop_map(|(channel_id, peer_id, message)| Event::ChannelMessage {
            channel_id,
            peer_id,
            message,
            encoded: Default::default()
        }),
        1 => statuses().prop_map(|statuses| Event::PeersOnlineStatusChanged { statuses }),
        1 => Just(Event::TokenPrivilegeWillExpire),
        1 => kick.prop_map(|reason| Event::Kicked { reason }),
        1 => (s(), s()).prop_map(|(channel_id, user_id)| Event::MemberJoined { channel_id, user_id }),
        1 => (s(), s()).prop_map(|(channel_id, user_id)| Event::MemberLeft { channel_id, user_id }),
        1 => (s(), size()).prop_map(|(channel_id, count)| Event::MemberCountUpdated { channel_id, count }),
        1 => (s(), channel_attributes(), any::<bool>()).prop_map(|(channel_id, attributes, cleared)| {
            Event::ChannelAttributesUpdated { channel_id, attributes, cleared }
        }),
        1 => (s(), number(), role(), signal()).prop_map(|(peer_id, invitation_id, by, signal)| Event::Invitation {
            peer_id,
            invitation_id,
            by,
            signal
        }),
    ]
}

/// A server frame of any kind, with its text as a server writes it.
fn server_frame() -> impl Strategy<Value = (ServerFrame, String)> {
    let error = prop_oneof![
        Just(ProtocolError::BadFrame),
        Just(ProtocolError::NotLoggedIn),
        Just(ProtocolError::AlreadyLoggedIn),
        Just(ProtocolError::UnknownSession),
        Just(ProtocolError::SessionBusy),
    ];
    let frame = prop_oneof![
        2 => (number(), reply()).prop_map(|(id, reply)| ServerFrame::Reply(ReplyFrame { id, reply })),
        3 => (number(), event()).prop_map(|(seq, event)| ServerFrame::Event(EventFrame { seq, event })),
        1 => (error, proptest::option::of(number()), s())
            .prop_map(|(error, id, detail)| ServerFrame::Error(ErrorFrame { error, id, detail })),
    ];
    (frame, any::<bool>()).prop_map(|(frame, derived_writer)| {
        let text = match &frame {
            ServerFrame::Reply(r) => frame_text(r),
            // As the server writes events (a channel message's shared encoding), or derived.
            ServerFrame::Event(e) if derived_writer => frame_text(e),
            ServerFrame::Event(e) => event_frame_text(e.seq, &e.event),
            ServerFrame::Error(e) => frame_text(e),
        };
        (frame, text.expect("every frame can be written"))
    })
}

/// Text made of JSON's own characters and the frames' names, so that much of it is nearly JSON.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        "\\u0000",
        "\\ud83d\\ude00",
        "\\",
        " ",
        "0",
        "-1",
        "1e400",
        "null",
        "true",
        "\"id\"",
        "\"op\"",
        "\"seq\"",
        "\"event\"",
        "\"reply\"",
        "\"message\"",
        "\"type\"",
        "\"text\"",
        "\"send_peer_message\"",
        "\"peer_message\"",
        "\"message_sent\"",
        "\"peer_id\"",
        "\"x\"",
        "é",
    ]);
    vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn choices() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// A client frame reads back as itself, and its mutations read the same both ways.
    #[test]
    fn client_frames_and_their_mutations_agree((frame, text) in client_frame(), choices in choices()) {
        prop_assert_eq!(parse_client(&text), Ok(frame), "{}", text);
        check_client(&text)?;
        check_client(&mutate::mutate_json(&text, &choices))?;
    }

    /// A server frame reads back as itself, and its mutations read the same both ways.
    #[test]
    fn server_frames_and_their_mutations_agree((frame, text) in server_frame(), choices in choices()) {
        prop_assert_eq!(parse_server(&text), Ok(frame), "{}", text);
        check_server(&text)?;
        check_server(&mutate::mutate_json(&text, &choices))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A request's operation name is its wire tag, and its index finds that name in the table.
    #[test]
    fn a_requests_op_name_is_its_wire_tag(request in request()) {
        let json = serde_json::to_value(&request).expect("a request serializes");
        prop_assert_eq!(json["op"].as_str(), Some(request.op_name()));
        prop_assert_eq!(Request::OPS[request.op_index()], request.op_name());
    }

    /// Arbitrary text, and text close to JSON, read the same both ways on either side.
    #[test]
    fn arbitrary_text_reads_the_same_both_ways(any in ".{0,64}", near in jsonish()) {
        for text in [&any, &near] {
            check_client(text)?;
            check_server(text)?;
        }
    }
}

/// The mutations keep many frames on the one-pass path, so the properties above compare the two
/// readers on them rather than only on frames the one-pass readers leave alone.
#[test]
fn mutated_message_frames_still_take_the_one_pass_path() {
    let seed = frame_text(&RequestFrame {
        id: 7,
        request: Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: Message::text("hi"),
            options: SendMessageOptions::offline(),
        },
    })
    .unwrap();
    let (mut direct, mut changed) = (0, 0);
    for a in 0..=255u8 {
        let text = mutate::mutate_json(&seed, &[1, 0, a, a.wrapping_mul(31), 0]);
        changed += usize::from(text != seed);
        if let Some(r) = hot::request(&text) {
            direct += 1;
            assert_eq!(serde_json::from_str::<RequestFrame>(&text).ok(), Some(r), "{text}");
        }
    }
    assert!(changed > 128 && direct > 32, "{changed} changed, {direct} read directly");
}

/// Found by the `client_frame` fuzz target: a member of a peer message's `options` that the
/// options do not define was skipped by the one-pass reader unchecked, while the derived reader
/// refuses the frame over it (a number out of range, nesting past the depth limit).
#[test]
fn options_members_the_options_do_not_define_are_left_to_the_derived_reader() {
    let deep = format!("{}null{}", "[".repeat(130), "]".repeat(130));
    for extra in ["1e400", deep.as_str(), "1", "\"x\""] {
        let text = format!(
            r#"{{"id":1,"op":"send_peer_message","peer_id":"b","message":{{"type":"text","text":"hi"}},"options":{{"enable_offline_messaging":true,"x":{extra}}}}}"#
        );
        assert_eq!(hot::request(&text), None, "{text}");
        assert_eq!(parse_client(&text), derived_client(&text), "{text}");
        check_client(&text).unwrap();
    }
    let text = r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"text","text":"hi"},"options":{"x":1e400}}"#;
    assert!(parse_client(text).is_err(), "{text}");
    let text = r#"{"id":1,"op":"send_peer_message","peer_id":"b","message":{"type":"text","text":"hi"},"options":{"x":1}}"#;
    assert!(matches!(parse_client(text), Ok(ClientFrame::Request(_))), "{text}");
}
