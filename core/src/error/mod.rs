//! Error kinds, one enum per operation.
//!
//! Every variant carries the numeric code that RTM 1.x uses for the same failure, available through
//! [`RtmCode::code`]. Codes travel over the wire as plain integers and are turned back into the
//! operation's enum with `from_code`, so a client and a hub always agree on their meaning.
//!
//! Where a failure can come from below the protocol (a login over the network), the operation
//! returns [`Error<Kind>`](Error): the kind, and the cause beneath it.

use serde::{Deserialize, Serialize};

mod sourced;

pub use sourced::{Error, Source};

/// Gives the RTM numeric code of an error or state value.
pub trait RtmCode {
    /// The numeric value RTM 1.x assigns to this value.
    fn code(&self) -> i32;
}

/// Defines an error enum whose variants map one-to-one to RTM numeric codes.
macro_rules! rtm_error {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $msg:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[error($msg)] $variant, )+
        }

        impl RtmCode for $name {
            fn code(&self) -> i32 {
                match self { $( Self::$variant => $code, )+ }
            }
        }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The variant with this RTM code, if there is one.
            pub fn from_code(code: i32) -> Option<Self> {
                match code { $( $code => Some(Self::$variant), )+ _ => None }
            }
        }
    };
}

rtm_error! {
    /// Why `login` failed (RTM `LOGIN_ERR_CODE`).
    LoginError {
        /// Unknown failure.
        Unknown = 1 => "login failed for an unknown reason",
        /// The server rejected the login.
        Rejected = 2 => "the server rejected the login",
        /// The user ID or another argument is invalid.
        InvalidArgument = 3 => "invalid login argument (user ID)",
        /// The app ID is not the one the server serves.
        InvalidAppId = 4 => "invalid app ID",
        /// The token does not verify.
        InvalidToken = 5 => "invalid token",
        /// The token has expired.
        TokenExpired = 6 => "token expired",
        /// Not authorized.
        NotAuthorized = 7 => "not authorized",
        /// Already logged in or logging in, or aborted without a logout.
        AlreadyLoggedIn = 8 => "already logged in or logging in",
        /// The login did not finish within the login timeout.
        Timeout = 9 => "login timed out",
        /// More than the allowed login calls per second.
        TooOften = 10 => "login called too often",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
    }
}

rtm_error! {
    /// Why `logout` failed (RTM `LOGOUT_ERR_CODE`).
    LogoutError {
        /// The server rejected the logout.
        Rejected = 1 => "logout rejected",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why `renew_token` failed (RTM `RENEW_TOKEN_ERR_CODE`).
    RenewTokenError {
        /// Generic failure.
        Failure = 1 => "token renewal failed",
        /// The token argument is invalid.
        InvalidArgument = 2 => "invalid token argument",
        /// The server rejected the renewal.
        Rejected = 3 => "token renewal rejected",
        /// More than the allowed renewals per second.
        TooOften = 4 => "token renewed too often",
        /// The new token has already expired.
        TokenExpired = 5 => "the new token has expired",
        /// The new token does not verify.
        InvalidToken = 6 => "the new token is invalid",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why a peer message was not received by the peer (RTM `PEER_MESSAGE_ERR_CODE`).
    ///
    /// As in RTM, [`PeerUnreachable`](Self::PeerUnreachable) and
    /// [`CachedByServer`](Self::CachedByServer) arrive on the failure path although the server did
    /// accept the message; [`PeerMessageError::server_accepted`] tells them apart.
    PeerMessageError {
        /// Generic failure (for example the receiver's inbox is full).
        Failure = 1 => "peer message failed",
        /// No result within the send timeout.
        Timeout = 2 => "peer message timed out",
        /// The peer is offline and the message was not stored.
        PeerUnreachable = 3 => "peer unreachable",
        /// The peer is offline; the server stored the message for its next login.
        CachedByServer = 4 => "peer offline; message cached by the server",
        /// Peer and channel messages share one rate budget, which is exhausted.
        TooOften = 5 => "messages sent too often",
        /// The peer ID is invalid.
        InvalidUserId = 6 => "invalid peer user ID",
        /// The message is empty or larger than the limit.
        InvalidMessage = 7 => "invalid message (empty or too large)",
        /// The receiver cannot handle this message type.
        IncompatibleMessage = 8 => "incompatible message",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

impl PeerMessageError {
    /// True when the server accepted the message although the peer did not receive it yet
    /// (unreachable peer, or cached for its next login).
    pub fn server_accepted(&self) -> bool {
        matches!(self, Self::PeerUnreachable | Self::CachedByServer)
    }
}

rtm_error! {
    /// Why `query_peers_online_status` failed (RTM `QUERY_PEERS_ONLINE_STATUS_ERR`).
    QueryPeersOnlineStatusError {
        /// Generic failure.
        Failure = 1 => "online status query failed",
        /// Empty list, more than the allowed peers, or an invalid peer ID.
        InvalidArgument = 2 => "invalid online status query",
        /// Rejected by the server.
        Rejected = 3 => "online status query rejected",
        /// No result in time.
        Timeout = 4 => "online status query timed out",
        /// Rate limit hit.
        TooOften = 5 => "online status queried too often",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why a presence subscribe or unsubscribe failed (RTM `PEER_SUBSCRIPTION_STATUS_ERR`).
    SubscriptionError {
        /// Generic failure.
        Failure = 1 => "subscription request failed",
        /// Empty list or an invalid peer ID.
        InvalidArgument = 2 => "invalid subscription request",
        /// Rejected by the server.
        Rejected = 3 => "subscription request rejected",
        /// No result in time.
        Timeout = 4 => "subscription request timed out",
        /// Rate limit hit.
        TooOften = 5 => "subscription requests too often",
        /// More than the allowed number of subscribed peers.
        Overflow = 6 => "too many subscribed peers",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why `query_peers_by_subscription_option` failed (RTM `QUERY_PEERS_BY_SUBSCRIPTION_OPTION_ERR`).
    QuerySubscriptionError {
        /// Generic failure.
        Failure = 1 => "subscription query failed",
        /// No result in time.
        Timeout = 2 => "subscription query timed out",
        /// Rate limit hit.
        TooOften = 3 => "subscription queried too often",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why a user or channel attribute operation failed (RTM `ATTRIBUTE_OPERATION_ERR`).
    AttributeError {
        /// Deprecated in RTM 1.1 (replaced by `NotLoggedIn`); kept for the numbering.
        NotReady = 1 => "attribute service not ready",
        /// Generic failure.
        Failure = 2 => "attribute operation failed",
        /// Empty or invalid key or value, or an invalid ID.
        InvalidArgument = 3 => "invalid attribute argument",
        /// A size or count limit would be exceeded.
        SizeOverflow = 4 => "attribute size or count limit exceeded",
        /// Rate limit hit.
        TooOften = 5 => "attribute operations too often",
        /// The target user is offline or unknown.
        UserNotFound = 6 => "user not found",
        /// No result in time.
        Timeout = 7 => "attribute operation timed out",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why joining a channel failed (RTM `JOIN_CHANNEL_ERR`).
    JoinChannelError {
        /// Generic failure.
        Failure = 1 => "join failed",
        /// Rejected (re-join of a joined channel in RTM 1.0).
        Rejected = 2 => "join rejected",
        /// Invalid channel ID.
        InvalidArgument = 3 => "invalid channel ID",
        /// No result in time.
        Timeout = 4 => "join timed out",
        /// More than the allowed joined channels.
        ExceedLimit = 5 => "too many joined channels",
        /// Already joined or joining.
        AlreadyJoined = 6 => "already joined",
        /// Join rate limit hit.
        TooOften = 7 => "joins too often",
        /// The same channel joined too often.
        JoinSameChannelTooOften = 8 => "the same channel joined too often",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why leaving a channel failed (RTM `LEAVE_CHANNEL_ERR`).
    LeaveChannelError {
        /// Generic failure.
        Failure = 1 => "leave failed",
        /// Rejected.
        Rejected = 2 => "leave rejected",
        /// Not a member of the channel.
        NotInChannel = 3 => "not in channel",
        /// Removed by the server.
        Kicked = 4 => "kicked from the channel",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why a channel message failed (RTM `CHANNEL_MESSAGE_ERR_CODE`).
    ChannelMessageError {
        /// Generic failure.
        Failure = 1 => "channel message failed",
        /// No result in time.
        Timeout = 2 => "channel message timed out",
        /// Rate limit hit.
        TooOften = 3 => "messages sent too often",
        /// Empty or too large.
        InvalidMessage = 4 => "invalid message (empty or too large)",
        /// Not a member of the channel.
        NotInChannel = 5 => "not in channel",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why `get_members` failed (RTM `GET_MEMBERS_ERR`).
    GetMembersError {
        /// Generic failure.
        Failure = 1 => "get members failed",
        /// Rejected.
        Rejected = 2 => "get members rejected",
        /// No result in time.
        Timeout = 3 => "get members timed out",
        /// Rate limit hit.
        TooOften = 4 => "get members called too often",
        /// Not a member of the channel.
        NotInChannel = 5 => "not in channel",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why `get_channel_member_count` failed (RTM `GET_CHANNEL_MEMBER_COUNT_ERR_CODE`).
    ChannelMemberCountError {
        /// Generic failure.
        Failure = 1 => "member count query failed",
        /// Invalid channel ID.
        InvalidArgument = 2 => "invalid channel ID",
        /// Rate limit hit.
        TooOften = 3 => "member count queried too often",
        /// No result in time.
        Timeout = 4 => "member count query timed out",
        /// More than the allowed channel IDs.
        ExceedLimit = 5 => "too many channel IDs",
        /// The client is not initialized.
        NotInitialized = 101 => "client not initialized",
        /// The client is not logged in.
        NotLoggedIn = 102 => "not logged in",
    }
}

rtm_error! {
    /// Why an invitation API call was refused (RTM `INVITATION_API_CALL_ERR_CODE`).
    InvitationApiError {
        /// Invalid argument, for example content longer than the limit.
        InvalidArgument = 1 => "invalid invitation argument",
        /// The invitation has not been started.
        NotStarted = 2 => "invitation not started",
        /// The invitation has already ended.
        AlreadyEnd = 3 => "invitation already ended",
        /// The invitation has already been accepted.
        AlreadyAccept = 4 => "invitation already accepted",
        /// The invitation has already been sent.
        AlreadySent = 5 => "invitation already sent",
    }
}

rtm_error! {
    /// Why an outgoing invitation failed (RTM `LOCAL_INVITATION_ERR_CODE`).
    LocalInvitationError {
        /// The callee stayed offline.
        PeerOffline = 1 => "callee offline",
        /// The callee did not acknowledge in time.
        PeerNoResponse = 2 => "callee did not respond",
        /// Nobody ended the invitation in time.
        InvitationExpire = 3 => "invitation expired",
        /// The caller is not logged in.
        NotLoggedIn = 4 => "caller not logged in",
    }
}

rtm_error! {
    /// Why an incoming invitation failed (RTM `REMOTE_INVITATION_ERR_CODE`).
    RemoteInvitationError {
        /// The other party is offline.
        PeerOffline = 1 => "caller offline",
        /// The caller did not acknowledge the accept in time.
        AcceptFailure = 2 => "accept not acknowledged",
        /// Nobody ended the invitation in time.
        InvitationExpire = 3 => "invitation expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_for_every_variant() {
        fn check<E: RtmCode + Copy + PartialEq + std::fmt::Debug>(all: &[E], from: fn(i32) -> Option<E>) {
            for e in all {
                assert_eq!(from(e.code()), Some(*e));
            }
        }
        check(LoginError::ALL, LoginError::from_code);
        check(PeerMessageError::ALL, PeerMessageError::from_code);
        check(AttributeError::ALL, AttributeError::from_code);
        check(JoinChannelError::ALL, JoinChannelError::from_code);
        check(InvitationApiError::ALL, InvitationApiError::from_code);
        assert_eq!(LoginError::from_code(0), None);
    }

    #[test]
    fn documented_values() {
        assert_eq!(LoginError::AlreadyLoggedIn.code(), 8);
        assert_eq!(LoginError::TooOften.code(), 10);
        assert_eq!(PeerMessageError::CachedByServer.code(), 4);
        assert_eq!(PeerMessageError::NotLoggedIn.code(), 102);
        assert_eq!(AttributeError::UserNotFound.code(), 6);
        assert_eq!(SubscriptionError::Overflow.code(), 6);
        assert!(PeerMessageError::CachedByServer.server_accepted());
        assert!(!PeerMessageError::Timeout.server_accepted());
    }
}
