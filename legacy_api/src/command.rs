//! The legacy calls as the instance's actor receives them, in call order.

use std::time::Duration;

use crate::queries::AttrOp;

/// One legacy call, queued in call order.
#[derive(Debug)]
pub(crate) enum Command {
    Login {
        app_id: String,
        account: String,
        token: String,
        retry_time: Duration,
        retry_count: u32,
    },
    Logout,
    InstantSend {
        account: String,
        msg: String,
        msg_id: String,
        /// The `offline` switch of `message_instant_send2`'s options, when they set it.
        offline: Option<bool>,
    },
    QueryUserStatus {
        account: String,
    },
    SetAttr {
        name: String,
        value: String,
    },
    GetAttr {
        account: Option<String>,
        name: String,
    },
    GetAttrAll {
        account: Option<String>,
    },
    Invoke {
        name: String,
        req: String,
        call_id: String,
    },
    Dbg {
        a: String,
        b: String,
    },
    RefuseSend {
        name: &'static str,
        msg_id: String,
    },
    BcCall {
        call_id: String,
    },
    ChannelJoin {
        channel_id: String,
    },
    ChannelLeave {
        channel_id: String,
    },
    ChannelSend {
        channel_id: String,
        msg: String,
        msg_id: String,
        force: bool,
    },
    ChannelQueryUserNum {
        channel_id: String,
    },
    ChannelQueryUserIsIn {
        channel_id: String,
        account: String,
    },
    ChannelAttr {
        channel_id: String,
        op: AttrOp,
    },
    Invite {
        channel_id: String,
        account: String,
        extra: String,
    },
    InviteAnswer {
        channel_id: String,
        account: String,
        extra: String,
        accept: bool,
    },
    InviteEnd {
        channel_id: String,
        account: String,
        /// For the peer (the Web SDK's `channelInviteEnd(extra)`; empty from the native call).
        extra: String,
    },
    InviteDtmf {
        channel_id: String,
        phone_num: String,
        digits: String,
    },
    InvitePhone {
        name: &'static str,
        channel_id: String,
        phone_num: String,
        source: Option<String>,
        extra: String,
    },
    Destroy,
    /// Runs a job in callback order once every call before it has finished (see
    /// `Signaling::after_calls`).
    Then(Barrier),
}

/// A job run in callback order, after the calls queued before it.
pub(crate) struct Barrier(pub(crate) parking_lot::Mutex<crate::dispatcher::Job>);

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Barrier")
    }
}

impl Command {
    /// Whether the call needs the session: while the session reconnects, such a call waits for
    /// the link (see [`crate::hold`]) instead of failing as a call without a session. `login`,
    /// `logout`, `destroy`, `dbg` and the calls refused whatever the session (unsupported sends,
    /// `bc_call`) do not.
    pub(crate) fn needs_session(&self) -> bool {
        match self {
            Command::Login { .. }
            | Command::Logout
            | Command::Destroy
            | Command::Dbg { .. }
            | Command::RefuseSend { .. }
            | Command::BcCall { .. }
            | Command::Then(_) => false,
            Command::InstantSend { .. }
            | Command::QueryUserStatus { .. }
            | Command::SetAttr { .. }
            | Command::GetAttr { .. }
            | Command::GetAttrAll { .. }
            | Command::Invoke { .. }
            | Command::ChannelJoin { .. }
            | Command::ChannelLeave { .. }
            | Command::ChannelSend { .. }
            | Command::ChannelQueryUserNum { .. }
            | Command::ChannelQueryUserIsIn { .. }
            | Command::ChannelAttr { .. }
            | Command::Invite { .. }
            | Command::InviteAnswer { .. }
            | Command::InviteEnd { .. }
            | Command::InviteDtmf { .. }
            | Command::InvitePhone { .. } => true,
        }
    }

    /// The legacy operation name, as `on_error` reports it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Login { .. } => "login",
            Command::Logout => "logout",
            Command::InstantSend { .. } => "message_instant_send",
            Command::QueryUserStatus { .. } => "query_user_status",
            Command::SetAttr { .. } => "set_attr",
            Command::GetAttr { .. } => "get_attr",
            Command::GetAttrAll { .. } => "get_attr_all",
            Command::Invoke { .. } => "invoke",
            Command::Dbg { .. } => "dbg",
            Command::RefuseSend { name, .. } => name,
            Command::BcCall { .. } => "bc_call",
            Command::ChannelJoin { .. } => "channel_join",
            Command::ChannelLeave { .. } => "channel_leave",
            Command::ChannelSend { force: false, .. } => "message_channel_send",
            Command::ChannelSend { force: true, .. } => "message_channel_send_force",
            Command::ChannelQueryUserNum { .. } => "channel_query_user_num",
            Command::ChannelQueryUserIsIn { .. } => "channel_query_user_is_in",
            Command::ChannelAttr { op, .. } => op.name(),
            Command::Invite { .. } => "channel_invite_user",
            Command::InviteAnswer { accept: true, .. } => "channel_invite_accept",
            Command::InviteAnswer { accept: false, .. } => "channel_invite_refuse",
            Command::InviteEnd { .. } => "channel_invite_end",
            Command::InviteDtmf { .. } => "channel_invite_dtmf",
            Command::InvitePhone { name, .. } => name,
            Command::Destroy => "destroy",
            Command::Then(_) => "then",
        }
    }
}
