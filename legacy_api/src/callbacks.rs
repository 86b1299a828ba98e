//! The legacy callback interface: one method per Signaling callback, each a no-op by default.
//!
//! The callbacks of every [`Signaling`](crate::Signaling) instance in the process run on one
//! dispatcher thread, one at a time, each instance's in event order. Like the legacy SDK's, they
//! must not block for long: a callback that waits for another callback waits forever.
#![allow(unused_variables)]

/// The legacy `ICallBack`: override the callbacks the application handles.
pub trait SignalingCallbacks: Send + Sync + 'static {
    /// The link broke after login; the SDK is retrying (`nretry` counts attempts).
    fn on_reconnecting(&self, nretry: u32) {}
    /// The link was restored.
    fn on_reconnected(&self, fd: u32) {}
    /// `login` / `login2` succeeded. `uid` is a stable 32-bit id derived from the account.
    fn on_login_success(&self, uid: u32, fd: u32) {}
    /// The login failed (2xx codes).
    fn on_login_failed(&self, ecode: i32) {}
    /// The session ended: 101 after `logout`, 102 network, 103 kicked, 105 token expired, 108
    /// already logged out.
    fn on_logout(&self, ecode: i32) {}
    /// This instance joined a channel.
    fn on_channel_joined(&self, channel_id: &str) {}
    /// Joining a channel failed.
    fn on_channel_join_failed(&self, channel_id: &str, ecode: i32) {}
    /// This instance left a channel.
    fn on_channel_leaved(&self, channel_id: &str, ecode: i32) {}
    /// Another user joined the current channel.
    fn on_channel_user_joined(&self, account: &str, uid: u32) {}
    /// Another user left the current channel.
    fn on_channel_user_leaved(&self, account: &str, uid: u32) {}
    /// The channel's members, right after joining it.
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {}
    /// Result of `channel_query_user_num`.
    fn on_channel_query_user_num_result(&self, channel_id: &str, ecode: i32, num: i32) {}
    /// Result of `channel_query_user_is_in` (1 in the channel, 0 not).
    fn on_channel_query_user_is_in(&self, channel_id: &str, account: &str, is_in: i32) {}
    /// A channel attribute changed (`kind` is `update`, `del` or `clear`).
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {}
    /// An invitation arrived (`account` is the caller).
    fn on_invite_received(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {}
    /// The callee's SDK received the invitation.
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {}
    /// The callee accepted.
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {}
    /// The callee refused.
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {}
    /// The invitation failed (70x codes).
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {}
    /// The other party ended the call.
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {}
    /// This side ended the call.
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {}
    /// An in-call message (DTMF digits) arrived.
    fn on_invite_msg(
        &self,
        channel_id: &str,
        account: &str,
        uid: u32,
        msg_type: &str,
        msg_data: &str,
        extra: &str,
    ) {
    }
    /// A peer or channel message could not be sent (40x codes, or 1003 before login).
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {}
    /// Send progress (never emitted; kept for interface compatibility).
    fn on_message_send_progress(&self, account: &str, message_id: &str, kind: &str, info: &str) {}
    /// The server accepted a peer or channel message.
    fn on_message_send_success(&self, message_id: &str) {}
    /// A message from the application server (never emitted).
    fn on_message_app_received(&self, msg: &str) {}
    /// A peer message arrived.
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {}
    /// A channel message arrived.
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {}
    /// A log line.
    fn on_log(&self, txt: &str) {}
    /// Result of `invoke` (`err` is empty on success).
    fn on_invoke_ret(&self, call_id: &str, err: &str, resp: &str) {}
    /// A raw typed message (never emitted).
    fn on_msg(&self, from: &str, kind: &str, msg: &str) {}
    /// Result of `get_attr` / `get_user_attr` (empty value when the key is not set).
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {}
    /// Result of `get_attr_all` / `get_user_attr_all`: a JSON object of all attributes.
    fn on_user_attr_all_result(&self, account: &str, value: &str) {}
    /// An operation failed; `name` is the operation, `ecode` a legacy code (100x mostly).
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {}
    /// Result of `query_user_status`: `"1"` online, `"0"` offline.
    fn on_query_user_status_result(&self, name: &str, status: &str) {}
    /// Answer to `dbg`.
    fn on_dbg(&self, a: &str, b: &str) {}
    /// Answer to `bc_call`.
    fn on_bc_call_result(&self, reason: &str, json_ret: &str, call_id: &str) {}
}

/// Callbacks that ignore everything (the sink before `callback_set`).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCallbacks;

impl SignalingCallbacks for NoCallbacks {}
