//! The instance's callbacks, turned into frames for its connection.
//!
//! The instance queues each callback as a job for its owner (see `Signaling::create_owned`);
//! the connection that holds the session runs the jobs with a [`Collector`], which turns each
//! callback into the body of a frame. Running them on the connection's task keeps them in order
//! and lets a connection that cannot send hold the instance back, instead of piling frames up.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

use axum::extract::ws::Utf8Bytes;

use super::frames::{callback_frame, done_frame};
use crate::SignalingCallbacks;

/// What the instance has for its connection.
#[derive(Debug)]
pub(crate) enum Out {
    /// A numbered frame, written once: sent, then kept as it is until acknowledged.
    Frame(u64, Utf8Bytes),
    /// The session is over: its last callback is the frame before this.
    End,
}

/// The callbacks of one endpoint session: each becomes a numbered frame, kept until its
/// connection takes it.
#[derive(Debug)]
pub(crate) struct Collector {
    out: Mutex<Frames>,
}

#[derive(Debug)]
struct Frames {
    queue: VecDeque<Out>,
    /// The `seq` of the next frame (frames are numbered as they are made, in callback order).
    next_seq: u64,
}

impl Default for Collector {
    fn default() -> Self {
        Self { out: Mutex::new(Frames { queue: VecDeque::new(), next_seq: 1 }) }
    }
}

impl Collector {
    fn push(&self, make: impl FnOnce(u64) -> String) {
        let mut out = self.out.lock();
        let seq = out.next_seq;
        out.next_seq += 1;
        let text = make(seq);
        out.queue.push_back(Out::Frame(seq, text.into()));
    }

    /// A callback `name` with `args`; `hint` is about the length of its strings.
    fn cb(&self, name: &str, args: &impl Serialize, hint: usize) {
        self.push(|seq| callback_frame(seq, name, args, hint));
    }

    /// Adds call `id`'s `done` frame.
    pub(crate) fn done(&self, id: u64, ret: Option<i32>) {
        self.push(|seq| done_frame(seq, id, ret));
    }

    /// The oldest frame not yet taken.
    pub(crate) fn pop(&self) -> Option<Out> {
        self.out.lock().queue.pop_front()
    }

    /// Puts `out` back in front, for the next link.
    pub(crate) fn push_front(&self, out: Out) {
        self.out.lock().queue.push_front(out);
    }

    fn end(&self) {
        self.out.lock().queue.push_back(Out::End);
    }
}

impl SignalingCallbacks for Collector {
    fn on_reconnecting(&self, nretry: u32) {
        self.cb("onReconnecting", &(nretry,), 0);
    }
    fn on_reconnected(&self, fd: u32) {
        self.cb("onReconnected", &(fd,), 0);
    }
    fn on_login_success(&self, uid: u32, fd: u32) {
        self.cb("onLoginSuccess", &(uid, fd), 0);
    }
    fn on_login_failed(&self, ecode: i32) {
        self.cb("onLoginFailed", &(ecode,), 0);
        self.end();
    }
    fn on_logout(&self, ecode: i32) {
        self.cb("onLogout", &(ecode,), 0);
        self.end();
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.cb("onChannelJoined", &(channel_id,), 0);
    }
    fn on_channel_join_failed(&self, channel_id: &str, ecode: i32) {
        self.cb("onChannelJoinFailed", &(channel_id, ecode), 0);
    }
    fn on_channel_leaved(&self, channel_id: &str, ecode: i32) {
        self.cb("onChannelLeaved", &(channel_id, ecode), 0);
    }
    fn on_channel_user_joined(&self, account: &str, uid: u32) {
        self.cb("onChannelUserJoined", &(account, uid), 0);
    }
    fn on_channel_user_leaved(&self, account: &str, uid: u32) {
        self.cb("onChannelUserLeaved", &(account, uid), 0);
    }
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {
        self.cb("onChannelUserList", &(accounts, uids), accounts.iter().map(|a| a.len() + 14).sum());
    }
    fn on_channel_query_user_num_result(&self, channel_id: &str, ecode: i32, num: i32) {
        self.cb("onChannelQueryUserNumResult", &(channel_id, ecode, num), 0);
    }
    fn on_channel_query_user_is_in(&self, channel_id: &str, account: &str, is_in: i32) {
        self.cb("onChannelQueryUserIsIn", &(channel_id, account, is_in), 0);
    }
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {
        self.cb("onChannelAttrUpdated", &(channel_id, name, value, kind), 0);
    }
    fn on_invite_received(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteReceived", &(channel_id, account, uid, extra), 0);
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {
        self.cb("onInviteReceivedByPeer", &(channel_id, account, uid), 0);
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteAcceptedByPeer", &(channel_id, account, uid, extra), 0);
    }
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteRefusedByPeer", &(channel_id, account, uid, extra), 0);
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {
        self.cb("onInviteFailed", &(channel_id, account, uid, ecode, extra), 0);
    }
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.cb("onInviteEndByPeer", &(channel_id, account, uid, extra), 0);
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {
        self.cb("onInviteEndByMyself", &(channel_id, account, uid), 0);
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
        self.cb("onInviteMsg", &(channel_id, account, uid, msg_type, msg_data, extra), 0);
    }
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {
        self.cb("onMessageSendError", &(message_id, ecode), 0);
    }
    fn on_message_send_progress(&self, account: &str, message_id: &str, kind: &str, info: &str) {
        self.cb("onMessageSendProgress", &(account, message_id, kind, info), 0);
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.cb("onMessageSendSuccess", &(message_id,), message_id.len());
    }
    fn on_message_app_received(&self, msg: &str) {
        self.cb("onMessageAppReceived", &(msg,), 0);
    }
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {
        self.cb("onMessageInstantReceive", &(account, uid, msg), account.len() + msg.len());
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {
        self.cb(
            "onMessageChannelReceive",
            &(channel_id, account, uid, msg),
            channel_id.len() + account.len() + msg.len(),
        );
    }
    fn on_log(&self, txt: &str) {
        self.cb("onLog", &(txt,), 0);
    }
    fn on_invoke_ret(&self, call_id: &str, err: &str, resp: &str) {
        self.cb("onInvokeRet", &(call_id, err, resp), 0);
    }
    fn on_msg(&self, from: &str, kind: &str, msg: &str) {
        self.cb("onMsg", &(from, kind, msg), 0);
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        self.cb("onUserAttrResult", &(account, name, value), 0);
    }
    fn on_user_attr_all_result(&self, account: &str, value: &str) {
        self.cb("onUserAttrAllResult", &(account, value), 0);
    }
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {
        self.cb("onError", &(name, ecode, desc), 0);
    }
    fn on_query_user_status_result(&self, name: &str, status: &str) {
        self.cb("onQueryUserStatusResult", &(name, status), 0);
    }
    fn on_dbg(&self, a: &str, b: &str) {
        self.cb("onDbg", &(a, b), 0);
    }
    fn on_bc_call_result(&self, reason: &str, json_ret: &str, call_id: &str) {
        self.cb("onBCCall_result", &(reason, json_ret, call_id), 0);
    }
}
