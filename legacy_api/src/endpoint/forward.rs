//! The instance's callbacks, turned into frames for its connection.
//!
//! The instance queues each callback as a job for its owner (see `Signaling::create_owned`);
//! the connection that holds the session runs the jobs with a [`Collector`], which turns each
//! callback into the body of a frame. Running them on the connection's task keeps them in order
//! and lets a connection that cannot send hold the instance back, instead of piling frames up.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

use super::frames::callback_body;
use crate::SignalingCallbacks;

/// What the instance has for its connection.
#[derive(Debug)]
pub(crate) enum Out {
    /// The body of a numbered frame (see `frames::numbered`).
    Frame(Box<str>),
    /// The session is over: its last callback is the frame before this.
    End,
}

/// The callbacks of one endpoint session: each becomes a frame body, kept until its connection
/// takes it.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    out: Mutex<VecDeque<Out>>,
}

impl Collector {
    fn cb(&self, name: &str, args: &impl Serialize) {
        self.out.lock().push_back(Out::Frame(callback_body(name, args).into()));
    }

    /// Adds a `done` body (or any other numbered body).
    pub(crate) fn body(&self, body: String) {
        self.out.lock().push_back(Out::Frame(body.into()));
    }

    /// The oldest body not yet taken.
    pub(crate) fn pop(&self) -> Option<Out> {
        self.out.lock().pop_front()
    }

    /// Puts `out` back in front, for the next link.
    pub(crate) fn push_front(&self, out: Out) {
        self.out.lock().push_front(out);
    }

    fn end(&self) {
        self.out.lock().push_back(Out::End);
    }
}

impl SignalingCallbacks for Collector {
    fn on_reconnecting(&self, nretry: u32) {
        self.cb("onReconnecting", &(nretry,));
    }
    fn on_reconnected(&self, fd: u32) {
        self.cb("onReconnected", &(fd,));
    }
    fn on_login_success(&self, uid: u32, fd: u32) {
        self.cb("onLoginSuccess", &(uid, fd));
    }
    fn on_login_failed(&self, ecode: i32) {
        self.cb("onLoginFailed", &(ecode,));
        self.end();
    }
    fn on_logout(&self, ecode: i32) {
        self.cb("onLogout", &(ecode,));
        self.end();
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.cb("onChannelJoined", &(channel_id,));
    }
    fn on_channel_join_failed(&self, channel_id: &str, ecode: i32) {
        self.cb("onChannelJoinFailed", &(channel_id, ecode));
    }
    fn on_channel_leaved(&self, channel_id: &str, ecode: i32) {
        self.cb("onChannelLeaved", &(channel_id, ecode));
    }
    fn on_channel_user_joined(&self, account: &str, uid: u32) {
        self.cb("onChannelUserJoined", &(account, uid));
    }
    fn on_channel_user_leaved(&self, account: &str, uid: u32) {
        self.cb("onChannelUserLeaved", &(account, uid));
    }
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {
        self.cb("onChannelUserList", &(accounts, uids));
    }
    fn on_channel_query_user_num_result(&self, channel_id: &str, ecode: i32, num: i32) {
        self.cb("onChannelQueryUserNumResult", &(channel_id, ecode, num));
    }
    fn on_channel_query_user_is_in(&self, channel_id: &str, account: &str, is_in: i32) {
        self.cb("onChannelQueryUserIsIn", &(channel_id, account, is_in));
    }
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {
        self.cb("onChannelAttrUpdated", &(channel_id, name, value, kind));
    }
    fn on_invite_received(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteReceived", &(channel_id, account, uid, extra));
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {
        self.cb("onInviteReceivedByPeer", &(channel_id, account, uid));
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteAcceptedByPeer", &(channel_id, account, uid, extra));
    }
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteRefusedByPeer", &(channel_id, account, uid, extra));
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {
        self.cb("onInviteFailed", &(channel_id, account, uid, ecode, extra));
    }
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteEndByPeer", &(channel_id, account, uid, extra));
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {
        self.cb("onInviteEndByMyself", &(channel_id, account, uid));
    }
    fn on_invite_msg(
        &self,
        channel_id: &str,
        account: &str,
        uid: u32,
        msg_type: &str,
        msg_data: &str,
        extra: &str,
    ) {
        self.cb("onInviteMsg", &(channel_id, account, uid, msg_type, msg_data, extra));
    }
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {
        self.cb("onMessageSendError", &(message_id, ecode));
    }
    fn on_message_send_progress(&self, account: &str, message_id: &str, kind: &str, info: &str) {
        self.cb("onMessageSendProgress", &(account, message_id, kind, info));
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.cb("onMessageSendSuccess", &(message_id,));
    }
    fn on_message_app_received(&self, msg: &str) {
        self.cb("onMessageAppReceived", &(msg,));
    }
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {
        self.cb("onMessageInstantReceive", &(account, uid, msg));
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {
        self.cb("onMessageChannelReceive", &(channel_id, account, uid, msg));
    }
    fn on_log(&self, txt: &str) {
        self.cb("onLog", &(txt,));
    }
    fn on_invoke_ret(&self, call_id: &str, err: &str, resp: &str) {
        self.cb("onInvokeRet", &(call_id, err, resp));
    }
    fn on_msg(&self, from: &str, kind: &str, msg: &str) {
        self.cb("onMsg", &(from, kind, msg));
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        self.cb("onUserAttrResult", &(account, name, value));
    }
    fn on_user_attr_all_result(&self, account: &str, value: &str) {
        self.cb("onUserAttrAllResult", &(account, value));
    }
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {
        self.cb("onError", &(name, ecode, desc));
    }
    fn on_query_user_status_result(&self, name: &str, status: &str) {
        self.cb("onQueryUserStatusResult", &(name, status));
    }
    fn on_dbg(&self, a: &str, b: &str) {
        self.cb("onDbg", &(a, b));
    }
    fn on_bc_call_result(&self, reason: &str, json_ret: &str, call_id: &str) {
        self.cb("onBCCall_result", &(reason, json_ret, call_id));
    }
}
