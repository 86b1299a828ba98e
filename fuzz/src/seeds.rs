//! Valid inputs of every kind, made from the real types and written as sigshim writes them: the
//! starting points of the structured fuzz inputs, and the seed corpus (`cargo run --example
//! seeds` writes them to `corpus/`).

use sigshim::limits::{Limits, Profile};
use sigshim::protocol::{
    CallRole, CallSignal, ChannelMemberCount, Event, KickReason, PeerOnlineState, PeerStatus, Reply, Request,
    SessionSizes,
};
use sigshim::test_support::wire::{
    Control, ErrorFrame, EventFrame, Hello, ProtocolError, ReplyFrame, RequestFrame, event_frame_text,
    frame_text,
};
use sigshim::{Attribute, AttributeUpdate, ChannelAttribute, Message, SendMessageOptions};

fn messages() -> Vec<Message> {
    vec![
        Message::text("hi"),
        Message { id: 7, server_ts: 1_700_000_000_000, ..Message::text("esc \" \\ \u{0} é \u{1f600}") },
        Message::raw(vec![0, 255, 1], "d"),
        Message { id: u64::MAX, server_ts: u64::MAX, ..Message::raw(Vec::new(), "") },
    ]
}

fn signals() -> Vec<CallSignal> {
    vec![
        CallSignal::Invite { content: "c".into(), channel_id: Some("room".into()) },
        CallSignal::Invite { content: String::new(), channel_id: None },
        CallSignal::Received,
        CallSignal::Accept { response: "ok".into() },
        CallSignal::Confirm,
        CallSignal::Refuse { response: "busy".into() },
        CallSignal::Cancel,
        CallSignal::Expire,
        CallSignal::PeerGone,
    ]
}

fn channel_attributes() -> Vec<ChannelAttribute> {
    vec![ChannelAttribute {
        key: "k".into(),
        value: "v".into(),
        last_update_user_id: "bob".into(),
        last_update_ts: 1_700_000_000_000,
    }]
}

/// Every request, hello and acknowledgement, as a client writes them.
pub fn client_frames() -> Vec<String> {
    let ids = || vec!["bob".to_owned(), "é\u{1f600}".to_owned()];
    let attrs = vec![Attribute::new("k", "v"), Attribute::new("", "\u{0}")];
    let mut requests = vec![
        Request::Logout,
        Request::RenewToken { token: "007abc".into() },
        Request::QueryPeersOnlineStatus { peer_ids: ids() },
        Request::SubscribePeersOnlineStatus { peer_ids: ids() },
        Request::UnsubscribePeersOnlineStatus { peer_ids: Vec::new() },
        Request::QueryPeersBySubscriptionOption,
        Request::UpdateLocalUserAttributes { update: AttributeUpdate::Set { attributes: attrs.clone() } },
        Request::UpdateLocalUserAttributes { update: AttributeUpdate::AddOrUpdate { attributes: attrs } },
        Request::UpdateLocalUserAttributes { update: AttributeUpdate::DeleteKeys { keys: ids() } },
        Request::UpdateLocalUserAttributes { update: AttributeUpdate::Clear },
        Request::GetUserAttributes { user_id: "bob".into(), keys: Some(ids()) },
        Request::GetUserAttributes { user_id: "bob".into(), keys: None },
        Request::Ping,
        Request::JoinChannel { channel_id: "room".into() },
        Request::LeaveChannel { channel_id: "room".into() },
        Request::GetMembers { channel_id: "room".into() },
        Request::QueryChannelMember { channel_id: "room".into(), user_id: "bob".into() },
        Request::GetChannelMemberCount { channel_ids: ids() },
        Request::UpdateChannelAttributes {
            channel_id: "room".into(),
            update: AttributeUpdate::Clear,
            notify: true,
        },
        Request::GetChannelAttributes { channel_id: "room".into(), keys: None },
    ];
    for message in messages() {
        requests.push(Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: message.clone(),
            options: SendMessageOptions::offline(),
        });
        requests.push(Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: message.clone(),
            options: SendMessageOptions::default(),
        });
        requests.push(Request::SendChannelMessage { channel_id: "room".into(), message: message.clone() });
        requests.push(Request::PublishChannelMessage { channel_id: "room".into(), message });
    }
    for signal in signals() {
        requests.push(Request::Invitation {
            peer_id: "bob".into(),
            invitation_id: 3,
            by: CallRole::Caller,
            signal,
        });
    }
    let mut out: Vec<String> = requests
        .into_iter()
        .enumerate()
        .filter_map(|(i, request)| frame_text(&RequestFrame { id: i as u64 * 977, request }))
        .collect();
    let hellos = [
        Hello::Login {
            id: 1,
            app_id: "app".into(),
            user_id: "alice".into(),
            token: None,
            profile: Profile::Rtm,
        },
        Hello::Login {
            id: 0,
            app_id: "app".into(),
            user_id: "alice".into(),
            token: Some("006x".into()),
            profile: Profile::Legacy,
        },
        Hello::Resume { id: 2, session: "1.abc".into(), last_seq: 9, token: None },
        Hello::Resume { id: 3, session: "1.abc".into(), last_seq: 9, token: Some("007x".into()) },
    ];
    out.extend(hellos.iter().filter_map(frame_text));
    out.extend(frame_text(&Control::Ack { seq: u64::MAX }));
    out
}

/// Every reply, event and error frame, as a server writes them.
pub fn server_frames() -> Vec<String> {
    let statuses = vec![
        PeerStatus { peer_id: "a".into(), state: PeerOnlineState::Online },
        PeerStatus { peer_id: "b".into(), state: PeerOnlineState::Unreachable },
        PeerStatus { peer_id: "c".into(), state: PeerOnlineState::Offline },
    ];
    let replies = vec![
        Reply::Ok,
        Reply::Error { code: -1 },
        Reply::MessageSent { message_id: 9, server_ts: 1_700_000_000_000 },
        Reply::PeerStatuses { statuses: statuses.clone() },
        Reply::PeerIds { peer_ids: vec!["a".into()] },
        Reply::Attributes { attributes: vec![Attribute::new("k", "v")] },
        Reply::Pong,
        Reply::Members { user_ids: vec!["a".into(), "b".into()] },
        Reply::IsMember { is_member: true },
        Reply::MemberCounts { counts: vec![ChannelMemberCount { channel_id: "room".into(), count: 2 }] },
        Reply::ChannelAttributes { attributes: channel_attributes() },
        Reply::InvitationRouted { delivered: false },
        Reply::LoggedIn {
            session: "1.abc".into(),
            resumed: false,
            window: 256,
            max_frame: 131_072,
            sizes: Some(SessionSizes::of(&Limits::default())),
        },
        Reply::LoggedIn { session: "1.abc".into(), resumed: true, window: 0, max_frame: 0, sizes: None },
    ];
    let mut out: Vec<String> = replies
        .into_iter()
        .enumerate()
        .filter_map(|(i, reply)| frame_text(&ReplyFrame { id: i as u64, reply }))
        .collect();
    let mut events = vec![
        Event::PeersOnlineStatusChanged { statuses },
        Event::TokenPrivilegeWillExpire,
        Event::Kicked { reason: KickReason::RemoteLogin },
        Event::Kicked { reason: KickReason::TokenExpired },
        Event::Kicked { reason: KickReason::Banned },
        Event::MemberJoined { channel_id: "room".into(), user_id: "bob".into() },
        Event::MemberLeft { channel_id: "room".into(), user_id: "bob".into() },
        Event::MemberCountUpdated { channel_id: "room".into(), count: usize::MAX },
        Event::ChannelAttributesUpdated {
            channel_id: "room".into(),
            attributes: channel_attributes(),
            cleared: true,
        },
        Event::ChannelAttributesUpdated { channel_id: "room".into(), attributes: Vec::new(), cleared: false },
    ];
    for message in messages() {
        events.push(Event::PeerMessage { peer_id: "a".into(), message: message.clone(), offline: true });
        events.push(Event::ChannelMessage {
            channel_id: "room".into(),
            peer_id: "a".into(),
            message,
            encoded: Default::default(),
        });
    }
    for signal in signals() {
        events.push(Event::Invitation {
            peer_id: "a".into(),
            invitation_id: 3,
            by: CallRole::Callee,
            signal,
        });
    }
    for (seq, event) in events.iter().enumerate() {
        out.extend(event_frame_text(seq as u64, event));
    }
    // The derived writer too (the same JSON but for the shared encoding's path).
    out.extend(frame_text(&EventFrame { seq: 1, event: Event::TokenPrivilegeWillExpire }));
    for error in [
        ProtocolError::BadFrame,
        ProtocolError::NotLoggedIn,
        ProtocolError::AlreadyLoggedIn,
        ProtocolError::UnknownSession,
        ProtocolError::SessionBusy,
    ] {
        out.extend(frame_text(&ErrorFrame { error, id: None, detail: "x".into() }));
        out.extend(frame_text(&ErrorFrame { error, id: Some(7), detail: "x".into() }));
    }
    out
}

/// Call frames of the legacy endpoint (docs/LEGACY-PROTOCOL.md), its acknowledgement and resume.
pub fn legacy_frames() -> Vec<String> {
    [
        r#"{"call":"login","args":["app","alice","_no_need_token",0,""],"id":1}"#,
        r#"{"call":"login2","args":["app","alice","006x",7,"dev",30,3]}"#,
        r#"{"call":"channelJoin","args":["lobby"],"id":7}"#,
        r#"{"call":"messageInstantSend","args":["bob",0,"hi \"there\" \u00e9","m1"],"id":8}"#,
        r#"{"call":"messageChannelSend","args":["lobby","hi","m2"]}"#,
        r#"{"call":"channelInviteUser2","args":["room","bob","{\"extra\":1}"],"id":9}"#,
        r#"{"call":"channelInviteEnd","args":["room","bob",0,"x"]}"#,
        r#"{"call":"messageDTMFSend","args":[4294967295,"bob","1"]}"#,
        r#"{"call":"setAttr","args":["k","v"]}"#,
        r#"{"call":"getStatus","id":18446744073709551615}"#,
        r#"{"call":"logout"}"#,
        r#"{"ack":9}"#,
        r#"{"resume":"1.2","last_seq":4}"#,
        r#"{"resume":"1.2"}"#,
        r#"{"resume":"1.2","last_seq":4,"token":"007x"}"#,
    ]
    .map(str::to_owned)
    .to_vec()
}
