//! The legacy calls as the actor receives them, and how it runs each one.

use std::time::Duration;

use sigshim_mapping::{LegacyCode, translate};

use crate::actor::Actor;
use crate::channels::AttrOp;

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
}

impl Command {
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
        }
    }
}

impl Actor {
    /// Runs one call. A send is started and left in flight; any other call first waits for
    /// the sends in flight and reports their results, so its own callbacks follow theirs.
    pub(crate) async fn handle(&mut self, cmd: Command) {
        let cmd = match cmd {
            Command::InstantSend { account, msg, msg_id, offline } => {
                return self.instant_send(account, msg, msg_id, offline).await;
            }
            Command::ChannelSend { channel_id, msg, msg_id, force } => {
                return self.channel_send(channel_id, msg, msg_id, force).await;
            }
            other => other,
        };
        self.drain_sends().await;
        match cmd {
            Command::Login { app_id, account, token, retry_time, retry_count } => {
                self.login(app_id, account, token, retry_time, retry_count).await
            }
            Command::Logout => self.logout().await,
            Command::QueryUserStatus { account } => self.query_user_status(account).await,
            Command::SetAttr { name, value } => self.set_attr(name, value).await,
            Command::GetAttr { account, name } => self.get_attr(account, name).await,
            Command::GetAttrAll { account } => self.get_attr_all(account).await,
            Command::Invoke { name, req, call_id } => crate::invoke::invoke(self, name, req, call_id).await,
            Command::Dbg { a, b } => self.cb(move |c| c.on_dbg(&a, &b)).await,
            Command::RefuseSend { name, msg_id } => {
                let code = LegacyCode::SendMessageOther.code();
                tracing::debug!(call = name, "unsupported send refused");
                self.cb(move |c| c.on_message_send_error(&msg_id, code)).await
            }
            Command::BcCall { call_id } => {
                let reason = format!("{}: unsupported", translate::unsupported().code());
                self.cb(move |c| c.on_bc_call_result(&reason, "{}", &call_id)).await
            }
            Command::ChannelJoin { channel_id } => self.channel_join(channel_id).await,
            Command::ChannelLeave { channel_id } => self.channel_leave(channel_id).await,
            Command::ChannelQueryUserNum { channel_id } => self.channel_query_user_num(channel_id).await,
            Command::ChannelQueryUserIsIn { channel_id, account } => {
                self.channel_query_user_is_in(channel_id, account).await
            }
            Command::ChannelAttr { channel_id, op } => self.channel_attr(channel_id, op).await,
            Command::Invite { channel_id, account, extra } => self.invite(channel_id, account, extra).await,
            Command::InviteAnswer { channel_id, account, extra, accept } => {
                self.invite_answer(channel_id, account, extra, accept).await
            }
            Command::InviteEnd { channel_id, account } => self.invite_end(channel_id, account).await,
            Command::InviteDtmf { channel_id, phone_num, digits } => {
                self.invite_dtmf(channel_id, phone_num, digits).await
            }
            Command::InvitePhone { channel_id, phone_num, source, extra, .. } => {
                self.invite_phone(channel_id, phone_num, source, extra).await
            }
            Command::InstantSend { .. } | Command::ChannelSend { .. } | Command::Destroy => {}
        }
    }
}
