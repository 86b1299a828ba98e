//! The instance's callbacks, turned into frames for its connection.
//!
//! The instance runs its callbacks inline, on its own task: each becomes the body of a frame,
//! queued for whichever connection holds the session (or for the next one, while it is parked).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use serde::Serialize;
use tokio::sync::{Notify, mpsc};

use super::frames::callback_body;
use crate::{Signaling, SignalingCallbacks};

/// What the instance queues for its connection.
#[derive(Debug)]
pub(crate) enum Out {
    /// The body of a numbered frame (see `frames::numbered`).
    Frame(Box<str>),
    /// The session is over: its last callback is the frame before this.
    End,
}

/// The state the instance's callbacks and its connection share.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    /// Callbacks piled up past the queue: the session is being ended.
    overflowed: AtomicBool,
    /// The session's last frame went out, or it overflowed: it is neither parked nor resumed.
    closed: AtomicBool,
    /// Wakes the connection when the session overflows.
    pub(crate) overflow: Notify,
}

impl Flags {
    pub(crate) fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Acquire)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

/// The callbacks of one endpoint instance.
pub(crate) struct Forwarder {
    tx: mpsc::Sender<Out>,
    flags: Arc<Flags>,
    instance: Weak<Signaling>,
}

impl Forwarder {
    pub(crate) fn new(tx: mpsc::Sender<Out>, flags: Arc<Flags>, instance: Weak<Signaling>) -> Self {
        Self { tx, flags, instance }
    }

    fn queue(&self, out: Out) {
        if self.flags.overflowed() {
            return;
        }
        if self.tx.try_send(out).is_err() {
            self.flags.overflowed.store(true, Ordering::Release);
            self.flags.close();
            tracing::warn!("legacy session ended: its callbacks piled up past the queue");
            if let Some(instance) = self.instance.upgrade() {
                instance.destroy();
            }
            self.flags.overflow.notify_one();
        }
    }

    fn cb(&self, name: &str, args: &impl Serialize) {
        self.queue(Out::Frame(callback_body(name, args).into()));
    }

    /// Queues a `done` body (or any other numbered body).
    pub(crate) fn body(&self, body: String) {
        self.queue(Out::Frame(body.into()));
    }
}

impl SignalingCallbacks for Forwarder {
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
        self.queue(Out::End);
    }
    fn on_logout(&self, ecode: i32) {
        self.cb("onLogout", &(ecode,));
        self.queue(Out::End);
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
