//! Turning replies and link failures into each operation's error kind.

use crate::error::*;
use crate::protocol::Reply;

/// An operation's error enum, as far as the generic request path needs it.
pub(crate) trait OpError: RtmCode + Copy {
    /// The call needs a logged-in client.
    const NOT_LOGGED_IN: Self;
    /// No reply in time, or the link broke before it came.
    const TIMEOUT: Self;
    /// Anything else.
    const FAILURE: Self;
    /// The variant with this code.
    fn decode(code: i32) -> Option<Self>;
}

macro_rules! op_error {
    ($($t:ident: $nli:ident, $to:ident, $fail:ident;)+) => {$(
        impl OpError for $t {
            const NOT_LOGGED_IN: Self = $t::$nli;
            const TIMEOUT: Self = $t::$to;
            const FAILURE: Self = $t::$fail;
            fn decode(code: i32) -> Option<Self> { $t::from_code(code) }
        }
    )+};
}

op_error! {
    LogoutError: NotLoggedIn, Rejected, Rejected;
    RenewTokenError: NotLoggedIn, Failure, Failure;
    PeerMessageError: NotLoggedIn, Timeout, Failure;
    QueryPeersOnlineStatusError: NotLoggedIn, Timeout, Failure;
    SubscriptionError: NotLoggedIn, Timeout, Failure;
    QuerySubscriptionError: NotLoggedIn, Timeout, Failure;
    AttributeError: NotLoggedIn, Timeout, Failure;
    JoinChannelError: NotLoggedIn, Timeout, Failure;
    LeaveChannelError: NotLoggedIn, Failure, Failure;
    ChannelMessageError: NotLoggedIn, Timeout, Failure;
    GetMembersError: NotLoggedIn, Timeout, Failure;
    ChannelMemberCountError: NotLoggedIn, Timeout, Failure;
}

/// Maps an error reply to `E`; any other reply is handed back for the caller to match.
pub(crate) fn check<E: OpError>(reply: Reply) -> Result<Reply, E> {
    match reply {
        Reply::Error { code } => Err(E::decode(code).unwrap_or_else(|| {
            tracing::warn!(
                code,
                error = std::any::type_name::<E>(),
                "error reply with a code the operation does not have"
            );
            E::FAILURE
        })),
        other => Ok(other),
    }
}

/// A reply that does not answer the request (a bug on one side of the protocol): logged, and
/// the operation fails with its generic failure.
pub(crate) fn unexpected<E: OpError>(reply: &Reply) -> E {
    tracing::warn!(?reply, error = std::any::type_name::<E>(), "unexpected reply");
    E::FAILURE
}
