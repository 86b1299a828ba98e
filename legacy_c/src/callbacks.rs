//! The program's callbacks, called through its own table: a C++ `ICallBack` object's first word
//! points to its table of virtual functions, a C `ICallBackC` struct is such a table itself.
//!
//! Each line of the table below is a callback's field, its legacy name (what a panic inside it is
//! reported as) and its arguments; see [`callbacks!`](crate::macros::callbacks). The facade's
//! callback of the same name calls it, if the program set it.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::macros::callbacks;

callbacks! {
    on_reconnecting: "onReconnecting" (nretry: u32);
    on_reconnected: "onReconnected" (fd: u32 as c_int);
    on_login_success: "onLoginSuccess" (uid: u32, fd: u32 as c_int);
    on_logout: "onLogout" (ecode: c_int);
    on_login_failed: "onLoginFailed" (ecode: c_int);
    on_channel_joined: "onChannelJoined" (channel_id: Str);
    on_channel_join_failed: "onChannelJoinFailed" (channel_id: Str, ecode: c_int);
    on_channel_leaved: "onChannelLeaved" (channel_id: Str, ecode: c_int);
    on_channel_user_joined: "onChannelUserJoined" (account: Str, uid: u32);
    on_channel_user_leaved: "onChannelUserLeaved" (account: Str, uid: u32);
    on_channel_user_list: "onChannelUserList" ((accounts, uids): UserList);
    on_channel_query_user_num_result: "onChannelQueryUserNumResult" (
        channel_id: Str, ecode: c_int, num: c_int,
    );
    on_channel_query_user_is_in: "onChannelQueryUserIsIn" (channel_id: Str, account: Str, is_in: c_int);
    on_channel_attr_updated: "onChannelAttrUpdated" (channel_id: Str, name: Str, value: Str, kind: Str);
    on_invite_received: "onInviteReceived" (channel_id: Str, account: Str, uid: u32, extra: Str);
    on_invite_received_by_peer: "onInviteReceivedByPeer" (channel_id: Str, account: Str, uid: u32);
    on_invite_accepted_by_peer: "onInviteAcceptedByPeer" (
        channel_id: Str, account: Str, uid: u32, extra: Str,
    );
    on_invite_refused_by_peer: "onInviteRefusedByPeer" (channel_id: Str, account: Str, uid: u32, extra: Str);
    on_invite_failed: "onInviteFailed" (channel_id: Str, account: Str, uid: u32, ecode: c_int, extra: Str);
    on_invite_end_by_peer: "onInviteEndByPeer" (channel_id: Str, account: Str, uid: u32, extra: Str);
    on_invite_end_by_myself: "onInviteEndByMyself" (channel_id: Str, account: Str, uid: u32);
    on_invite_msg: "onInviteMsg" (
        channel_id: Str, account: Str, uid: u32, msg_type: Str, msg_data: Str, extra: Str,
    );
    on_message_send_error: "onMessageSendError" (message_id: Str, ecode: c_int);
    on_message_send_progress: "onMessageSendProgress" (account: Str, message_id: Str, kind: Str, info: Str);
    on_message_send_success: "onMessageSendSuccess" (message_id: Str);
    on_message_app_received: "onMessageAppReceived" (msg: Str);
    on_message_instant_receive: "onMessageInstantReceive" (account: Str, uid: u32, msg: Str);
    on_message_channel_receive: "onMessageChannelReceive" (channel_id: Str, account: Str, uid: u32, msg: Str);
    on_log: "onLog" (txt: Str);
    on_invoke_ret: "onInvokeRet" (call_id: Str, err: Str, resp: Str);
    on_msg: "onMsg" (from: Str, t: Str, msg: Str);
    on_user_attr_result: "onUserAttrResult" (account: Str, name: Str, value: Str);
    on_user_attr_all_result: "onUserAttrAllResult" (account: Str, value: Str);
    on_error: "onError" (name: Str, ecode: c_int, desc: Str);
    on_query_user_status_result: "onQueryUserStatusResult" (name: Str, status: Str);
    on_dbg: "onDbg" (a: Str, b: Str);
    on_bc_call_result: "onBCCall_result" (reason: Str, json_ret: Str, call_id: Str);
}

/// The program's callback object, registered with `callbackSet`, as the facade's callbacks.
pub(crate) struct Foreign {
    /// The object's address (kept as a number: the program owns it and its thread safety).
    this: usize,
    /// A C++ `ICallBack` (table behind the first word) rather than a C `ICallBackC`.
    cpp: bool,
}

impl Foreign {
    /// The callbacks of the program's object at `this`.
    pub(crate) fn new(this: *mut c_void, cpp: bool) -> Foreign {
        Foreign { this: this as usize, cpp }
    }

    /// The object, passed first to every callback.
    pub(crate) fn this(&self) -> *mut c_void {
        self.this as *mut c_void
    }

    /// Runs `f` with the object's table; a panic inside is reported on stderr and goes no
    /// further.
    pub(crate) fn call(&self, name: &str, f: impl FnOnce(&CallbackTable)) {
        let table: &CallbackTable = if self.cpp {
            // SAFETY: the program registered a live `ICallBack` (it must outlive its
            // registration, as with the legacy SDK); under the Itanium C++ ABI its first word
            // points to its virtual functions in declaration order, which `CallbackTable`
            // mirrors.
            unsafe { &**(self.this as *const *const CallbackTable) }
        } else {
            // SAFETY: the program registered a live `ICallBackC`, whose fields are exactly
            // `CallbackTable`'s.
            unsafe { &*(self.this as *const CallbackTable) }
        };
        if catch_unwind(AssertUnwindSafe(|| f(table))).is_err() {
            eprintln!("libagorasig: a panic while calling {name} was stopped at the boundary");
        }
    }
}

/// A string handed to a callback: NUL-terminated, alive until the callback returns.
pub(crate) struct Text(Vec<u8>);

impl Text {
    /// `s` with a NUL after it.
    pub(crate) fn new(s: &str) -> Text {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        Text(bytes)
    }

    /// The first byte.
    pub(crate) fn ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }

    /// The length without the NUL.
    pub(crate) fn size(&self) -> usize {
        self.0.len() - 1
    }
}

/// The arrays of `onChannelUserList(int n, char **accounts, uint32_t *uids)`.
pub(crate) struct UserList {
    _texts: Vec<Text>,
    accounts: Vec<*mut c_char>,
    uids: Vec<u32>,
}

impl UserList {
    /// The members `accounts` with their `uids` (0 where a uid is missing).
    pub(crate) fn new(accounts: &[String], uids: &[u32]) -> UserList {
        let texts: Vec<Text> = accounts.iter().map(|a| Text::new(a)).collect();
        let pointers = texts.iter().map(|t| t.ptr().cast_mut()).collect();
        let uids = (0..accounts.len()).map(|i| uids.get(i).copied().unwrap_or(0)).collect();
        UserList { _texts: texts, accounts: pointers, uids }
    }

    /// The number of members.
    pub(crate) fn n(&self) -> c_int {
        c_int::try_from(self.accounts.len()).unwrap_or(c_int::MAX)
    }

    /// The accounts array.
    pub(crate) fn accounts(&mut self) -> *mut *mut c_char {
        self.accounts.as_mut_ptr()
    }

    /// The uids array.
    pub(crate) fn uids(&mut self) -> *mut u32 {
        self.uids.as_mut_ptr()
    }
}
