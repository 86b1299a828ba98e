//! The frames a client and a hub exchange, as one serde model.
//!
//! In-process they travel as Rust values; over the network the same types are encoded as JSON.
//! A [`Request`] always gets exactly one [`Reply`]; [`Event`]s are pushed by the hub at any time.
//! Error replies carry the RTM numeric code of the operation's error enum (see [`crate::error`]).

use serde::{Deserialize, Serialize};

use crate::attributes::{Attribute, AttributeUpdate, ChannelAttribute};
use crate::message::{Message, SendMessageOptions};

#[cfg(test)]
mod agree_tests;
pub mod call;
mod hot;
mod session;
pub(crate) mod text;
pub(crate) mod wire;

pub use wire::{DEFAULT_MAX_FRAME_BYTES, close, frame_bytes_for};

pub use call::{CallRole, CallSignal};
pub use session::{CloseReason, LoginRequest, SessionSizes};

/// Online state of a peer (RTM `PEER_ONLINE_STATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerOnlineState {
    /// Logged in.
    Online = 0,
    /// Logged in but not heard from recently (subscriptions only).
    Unreachable = 1,
    /// Not logged in.
    Offline = 2,
}

impl PeerOnlineState {
    /// The RTM numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// One peer's online state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeerStatus {
    /// The peer's user ID.
    pub peer_id: String,
    /// Its state.
    pub state: PeerOnlineState,
}

/// Why the hub ended a session on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KickReason {
    /// The same user ID logged in elsewhere.
    RemoteLogin,
    /// The login token expired.
    TokenExpired,
    /// The server banned this login.
    Banned,
}

/// What a logged-in client asks of the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// End the session.
    Logout,
    /// Replace the session's token.
    RenewToken {
        /// The new token.
        token: String,
    },
    /// Send a message to a peer.
    SendPeerMessage {
        /// Receiver user ID.
        peer_id: String,
        /// The message.
        message: Message,
        /// Send options.
        #[serde(default)]
        options: SendMessageOptions,
    },
    /// One-shot online query.
    QueryPeersOnlineStatus {
        /// Peers to query.
        peer_ids: Vec<String>,
    },
    /// Subscribe to peers' online state.
    SubscribePeersOnlineStatus {
        /// Peers to add.
        peer_ids: Vec<String>,
    },
    /// Unsubscribe from peers' online state.
    UnsubscribePeersOnlineStatus {
        /// Peers to remove.
        peer_ids: Vec<String>,
    },
    /// List the subscribed peers.
    QueryPeersBySubscriptionOption,
    /// Change the local user's attributes.
    UpdateLocalUserAttributes {
        /// The change.
        update: AttributeUpdate,
    },
    /// Read a user's attributes (all of them when `keys` is `None`).
    GetUserAttributes {
        /// Whose.
        user_id: String,
        /// Which keys.
        #[serde(default)]
        keys: Option<Vec<String>>,
    },
    /// Liveness probe.
    Ping,
    /// Join a channel.
    JoinChannel {
        /// The channel.
        channel_id: String,
    },
    /// Leave a channel.
    LeaveChannel {
        /// The channel.
        channel_id: String,
    },
    /// Send a message to the other members of a joined channel.
    SendChannelMessage {
        /// The channel.
        channel_id: String,
        /// The message.
        message: Message,
    },
    /// Core extension: deliver a channel message to the members without being one.
    PublishChannelMessage {
        /// The channel.
        channel_id: String,
        /// The message.
        message: Message,
    },
    /// List the members of a joined channel.
    GetMembers {
        /// The channel.
        channel_id: String,
    },
    /// Whether a user is a member of a channel (membership not needed; a sigshim extension).
    QueryChannelMember {
        /// The channel.
        channel_id: String,
        /// The user.
        user_id: String,
    },
    /// Count the members of channels (membership not needed).
    GetChannelMemberCount {
        /// The channels.
        channel_ids: Vec<String>,
    },
    /// Change a channel's attributes (membership not needed).
    UpdateChannelAttributes {
        /// The channel.
        channel_id: String,
        /// The change.
        update: AttributeUpdate,
        /// Push the whole new set to the members.
        #[serde(default)]
        notify: bool,
    },
    /// Read a channel's attributes (all of them when `keys` is `None`).
    GetChannelAttributes {
        /// The channel.
        channel_id: String,
        /// Which keys.
        #[serde(default)]
        keys: Option<Vec<String>>,
    },
    /// Pass one step of a call invitation to the other party (see [`call`]).
    Invitation {
        /// The other party.
        peer_id: String,
        /// The invitation's number, chosen by its caller.
        invitation_id: u64,
        /// The sender's side of the invitation.
        by: CallRole,
        /// The step.
        signal: CallSignal,
    },
}

/// The hub's answer to one [`Request`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// Done, nothing to return.
    Ok,
    /// Failed with the operation's RTM error code.
    Error {
        /// RTM code of the operation's error enum.
        code: i32,
    },
    /// A peer message reached the peer.
    MessageSent {
        /// Server-assigned id of the message.
        message_id: u64,
        /// Server receive time (ms).
        server_ts: u64,
    },
    /// Online states.
    PeerStatuses {
        /// One per queried peer, in query order.
        statuses: Vec<PeerStatus>,
    },
    /// Subscribed peers.
    PeerIds {
        /// The IDs.
        peer_ids: Vec<String>,
    },
    /// A user's attributes.
    Attributes {
        /// The attributes.
        attributes: Vec<Attribute>,
    },
    /// Answer to [`Request::Ping`].
    Pong,
    /// Channel members.
    Members {
        /// Their user IDs.
        user_ids: Vec<String>,
    },
    /// Whether the user is a member.
    IsMember {
        /// The answer.
        is_member: bool,
    },
    /// Member counts, one per requested channel.
    MemberCounts {
        /// The counts.
        counts: Vec<ChannelMemberCount>,
    },
    /// A channel's attributes.
    ChannelAttributes {
        /// The attributes.
        attributes: Vec<ChannelAttribute>,
    },
    /// Answer to [`Request::Invitation`].
    InvitationRouted {
        /// True when the other party's client is connected and was handed the signal; false
        /// when it is offline (or its link is down), so that the sender may try again.
        delivered: bool,
    },
    /// Answer to a network client's login or resume (the hello of `docs/PROTOCOL.md`).
    LoggedIn {
        /// The ticket that resumes this session after a broken link.
        session: String,
        /// True when an existing session was resumed.
        resumed: bool,
        /// Events the server sends before it waits for an acknowledgement; clients acknowledge
        /// well before that (0 when not stated).
        #[serde(default)]
        window: usize,
        /// The largest frame the server reads; a client never sends a larger one (0 when not
        /// stated).
        #[serde(default)]
        max_frame: usize,
        /// The sizes the session's requests must keep to (those of its profile; absent when
        /// not stated).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sizes: Option<SessionSizes>,
    },
}

impl Request {
    /// Every operation's `op` name as it appears on the wire, in [`op_index`](Self::op_index)
    /// order.
    pub const OPS: [&'static str; 20] = [
        "logout",
        "renew_token",
        "send_peer_message",
        "query_peers_online_status",
        "subscribe_peers_online_status",
        "unsubscribe_peers_online_status",
        "query_peers_by_subscription_option",
        "update_local_user_attributes",
        "get_user_attributes",
        "ping",
        "join_channel",
        "leave_channel",
        "send_channel_message",
        "publish_channel_message",
        "get_members",
        "get_channel_member_count",
        "query_channel_member",
        "update_channel_attributes",
        "get_channel_attributes",
        "invitation",
    ];

    /// The position of the request's operation in [`OPS`](Self::OPS): a dense index for tables
    /// kept per operation.
    pub fn op_index(&self) -> usize {
        match self {
            Request::Logout => 0,
            Request::RenewToken { .. } => 1,
            Request::SendPeerMessage { .. } => 2,
            Request::QueryPeersOnlineStatus { .. } => 3,
            Request::SubscribePeersOnlineStatus { .. } => 4,
            Request::UnsubscribePeersOnlineStatus { .. } => 5,
            Request::QueryPeersBySubscriptionOption => 6,
            Request::UpdateLocalUserAttributes { .. } => 7,
            Request::GetUserAttributes { .. } => 8,
            Request::Ping => 9,
            Request::JoinChannel { .. } => 10,
            Request::LeaveChannel { .. } => 11,
            Request::SendChannelMessage { .. } => 12,
            Request::PublishChannelMessage { .. } => 13,
            Request::GetMembers { .. } => 14,
            Request::GetChannelMemberCount { .. } => 15,
            Request::QueryChannelMember { .. } => 16,
            Request::UpdateChannelAttributes { .. } => 17,
            Request::GetChannelAttributes { .. } => 18,
            Request::Invitation { .. } => 19,
        }
    }

    /// The request's `op` name, as it appears on the wire.
    pub fn op_name(&self) -> &'static str {
        Self::OPS[self.op_index()]
    }
}

impl Reply {
    /// An error reply with the given error's code.
    pub fn error(e: impl crate::error::RtmCode) -> Self {
        Reply::Error { code: e.code() }
    }
}

/// What the hub pushes to a session at any time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A peer message arrived.
    PeerMessage {
        /// Sender.
        peer_id: String,
        /// The message, with id and server timestamp.
        message: Message,
        /// True when it was stored while this user was offline.
        #[serde(default)]
        offline: bool,
    },
    /// Subscribed peers' states (right after a subscribe, then on each change).
    PeersOnlineStatusChanged {
        /// The states that changed.
        statuses: Vec<PeerStatus>,
    },
    /// The token expires in 30 s.
    TokenPrivilegeWillExpire,
    /// The hub ended the session.
    Kicked {
        /// Why.
        reason: KickReason,
    },
    /// A message in a joined channel (never one's own).
    ChannelMessage {
        /// The channel.
        channel_id: String,
        /// The sender.
        peer_id: String,
        /// The message, with id and server timestamp.
        message: Message,
        /// The event's JSON, made once for all the members a server sends it to.
        #[serde(skip)]
        encoded: wire::EncodedOnce,
    },
    /// Another user joined a joined channel.
    MemberJoined {
        /// The channel.
        channel_id: String,
        /// Who.
        user_id: String,
    },
    /// Another user left a joined channel.
    MemberLeft {
        /// The channel.
        channel_id: String,
        /// Who.
        user_id: String,
    },
    /// The member count of a joined channel (once on join, then on change, throttled).
    MemberCountUpdated {
        /// The channel.
        channel_id: String,
        /// Members now.
        count: usize,
    },
    /// A joined channel's attributes changed (the whole set), when the updater asked to notify.
    ChannelAttributesUpdated {
        /// The channel.
        channel_id: String,
        /// Every attribute now.
        attributes: Vec<ChannelAttribute>,
        /// True when the change was a clear (omitted when false).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cleared: bool,
    },
    /// One step of a call invitation from the other party (see [`call`]).
    Invitation {
        /// The other party.
        peer_id: String,
        /// The invitation's number, chosen by its caller.
        invitation_id: u64,
        /// The sender's side of the invitation.
        by: CallRole,
        /// The step.
        signal: CallSignal,
    },
}

impl Event {
    /// Roughly the memory the event holds while it waits for its client: its strings and
    /// payload plus a fixed 64 bytes. The inbox and the network link bound what a session
    /// queues by this figure.
    pub fn queued_bytes(&self) -> usize {
        const OVERHEAD: usize = 64;
        OVERHEAD
            + match self {
                Event::PeerMessage { peer_id, message, .. } => peer_id.len() + message.payload_len(),
                Event::ChannelMessage { channel_id, peer_id, message, .. } => {
                    channel_id.len() + peer_id.len() + message.payload_len()
                }
                Event::PeersOnlineStatusChanged { statuses } => {
                    statuses.iter().map(|s| s.peer_id.len() + 16).sum()
                }
                Event::MemberJoined { channel_id, user_id } | Event::MemberLeft { channel_id, user_id } => {
                    channel_id.len() + user_id.len()
                }
                Event::MemberCountUpdated { channel_id, .. } => channel_id.len(),
                Event::ChannelAttributesUpdated { channel_id, attributes, .. } => {
                    channel_id.len()
                        + attributes
                            .iter()
                            .map(|a| a.key.len() + a.value.len() + a.last_update_user_id.len() + 8)
                            .sum::<usize>()
                }
                Event::Invitation { peer_id, signal, .. } => peer_id.len() + signal.content_len(),
                Event::TokenPrivilegeWillExpire | Event::Kicked { .. } => 0,
            }
    }
}

/// The member count of one channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelMemberCount {
    /// The channel.
    pub channel_id: String,
    /// Members now (0 for an unknown channel).
    pub count: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_shape() {
        let r = Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: Message::text("hi"),
            options: SendMessageOptions::offline(),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["op"], "send_peer_message");
        assert_eq!(v["message"]["text"], "hi");
        assert_eq!(v["options"]["enable_offline_messaging"], true);
        assert_eq!(serde_json::from_value::<Request>(v).unwrap(), r);
        let p: Request = serde_json::from_str(r#"{"op":"ping"}"#).unwrap();
        assert_eq!(p, Request::Ping);
        assert!(serde_json::from_str::<Request>(r#"{"op":"nope"}"#).is_err());
    }

    #[test]
    fn reply_and_event_json_shape() {
        let v = serde_json::to_value(Reply::Error { code: 102 }).unwrap();
        assert_eq!(v, serde_json::json!({"reply":"error","code":102}));
        let e = Event::Kicked { reason: KickReason::RemoteLogin };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"event":"kicked","reason":"remote_login"})
        );
    }
}
