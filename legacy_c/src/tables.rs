//! The two tables of the interface, in the legacy order: the methods the library serves and the
//! callbacks it calls.
#![allow(unsafe_code)]
// The tables spell out each legacy signature in full.
#![allow(clippy::type_complexity, clippy::too_many_arguments)]

use std::ffi::{c_char, c_int, c_void};

use sigshim_legacy::SignalingCallbacks;

use crate::callbacks::{Foreign, Text, UserList};
use crate::instance::{Receiver, guard, text};

/// The legacy `IAgoraAPI` table: the 48 methods in the legacy order, each taking the object first.
#[repr(C)]
pub(crate) struct ApiTable {
    pub(crate) callback_set: unsafe extern "C" fn(*mut c_void, *mut c_void),
    pub(crate) callback_get: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
    pub(crate) login: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
    ),
    pub(crate) login2: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
        c_int,
        c_int,
    ),
    pub(crate) logout: unsafe extern "C" fn(*mut c_void),
    pub(crate) channel_join: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) channel_leave: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) channel_query_user_num: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) channel_query_user_is_in:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_set_attr:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_del_attr:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_clear_attr: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) channel_invite_user:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, u32),
    pub(crate) channel_invite_user2:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_invite_phone:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, u32),
    pub(crate) channel_invite_phone2:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_invite_phone3: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) channel_invite_dtmf:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) channel_invite_accept: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
    ),
    pub(crate) channel_invite_refuse: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
    ),
    pub(crate) channel_invite_end:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, u32),
    pub(crate) message_app_send:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) message_instant_send: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) message_instant_send2: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) message_channel_send:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) message_channel_send_force:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) message_channel_send2: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) message_push_send: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) message_chat_send: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        u32,
        *const c_char,
        usize,
        *const c_char,
        usize,
    ),
    pub(crate) message_dtmf_send:
        unsafe extern "C" fn(*mut c_void, u32, *const c_char, usize, *const c_char, usize),
    pub(crate) set_background: unsafe extern "C" fn(*mut c_void, u32),
    pub(crate) set_network_status: unsafe extern "C" fn(*mut c_void, u32),
    pub(crate) ping: unsafe extern "C" fn(*mut c_void),
    pub(crate) set_attr: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) get_attr: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) get_attr_all: unsafe extern "C" fn(*mut c_void),
    pub(crate) get_user_attr: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) get_user_attr_all: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) query_user_status: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    pub(crate) invoke:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) start: unsafe extern "C" fn(*mut c_void),
    pub(crate) stop: unsafe extern "C" fn(*mut c_void),
    pub(crate) is_online: unsafe extern "C" fn(*mut c_void) -> bool,
    pub(crate) get_status: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub(crate) get_sdk_version: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub(crate) bc_call:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    pub(crate) dbg: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    pub(crate) destroy: unsafe extern "C" fn(*mut c_void),
}

/// The legacy `ICallBack` table (and `ICallBackC` struct): the 37 callbacks in the legacy order,
/// each taking the callback object first. A C program may leave any of them NULL.
#[repr(C)]
pub(crate) struct CallbackTable {
    pub(crate) on_reconnecting: Option<unsafe extern "C" fn(*mut c_void, u32)>,
    pub(crate) on_reconnected: Option<unsafe extern "C" fn(*mut c_void, c_int)>,
    pub(crate) on_login_success: Option<unsafe extern "C" fn(*mut c_void, u32, c_int)>,
    pub(crate) on_logout: Option<unsafe extern "C" fn(*mut c_void, c_int)>,
    pub(crate) on_login_failed: Option<unsafe extern "C" fn(*mut c_void, c_int)>,
    pub(crate) on_channel_joined: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize)>,
    pub(crate) on_channel_join_failed: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, c_int)>,
    pub(crate) on_channel_leaved: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, c_int)>,
    pub(crate) on_channel_user_joined: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, u32)>,
    pub(crate) on_channel_user_leaved: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, u32)>,
    pub(crate) on_channel_user_list:
        Option<unsafe extern "C" fn(*mut c_void, c_int, *mut *mut c_char, *mut u32)>,
    pub(crate) on_channel_query_user_num_result:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, c_int, c_int)>,
    pub(crate) on_channel_query_user_is_in:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, c_int)>,
    pub(crate) on_channel_attr_updated: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_received: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_received_by_peer:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, u32)>,
    pub(crate) on_invite_accepted_by_peer: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_refused_by_peer: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_failed: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            c_int,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_end_by_peer: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_invite_end_by_myself:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, u32)>,
    pub(crate) on_invite_msg: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_message_send_error: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, c_int)>,
    pub(crate) on_message_send_progress: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_message_send_success: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize)>,
    pub(crate) on_message_app_received: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize)>,
    pub(crate) on_message_instant_receive:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, u32, *const c_char, usize)>,
    pub(crate) on_message_channel_receive: Option<
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            usize,
            *const c_char,
            usize,
            u32,
            *const c_char,
            usize,
        ),
    >,
    pub(crate) on_log: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize)>,
    pub(crate) on_invoke_ret: Option<
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    >,
    pub(crate) on_msg: Option<
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    >,
    pub(crate) on_user_attr_result: Option<
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    >,
    pub(crate) on_user_attr_all_result:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize)>,
    pub(crate) on_error:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, c_int, *const c_char, usize)>,
    pub(crate) on_query_user_status_result:
        Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize)>,
    pub(crate) on_dbg: Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize)>,
    pub(crate) on_bc_call_result: Option<
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, *const c_char, usize),
    >,
}

impl ApiTable {
    /// The table whose methods find their instance through `K`.
    pub(crate) const fn new<K: Receiver>() -> ApiTable {
        ApiTable {
            callback_set: callback_set::<K>,
            callback_get: callback_get::<K>,
            login: login::<K>,
            login2: login2::<K>,
            logout: logout::<K>,
            channel_join: channel_join::<K>,
            channel_leave: channel_leave::<K>,
            channel_query_user_num: channel_query_user_num::<K>,
            channel_query_user_is_in: channel_query_user_is_in::<K>,
            channel_set_attr: channel_set_attr::<K>,
            channel_del_attr: channel_del_attr::<K>,
            channel_clear_attr: channel_clear_attr::<K>,
            channel_invite_user: channel_invite_user::<K>,
            channel_invite_user2: channel_invite_user2::<K>,
            channel_invite_phone: channel_invite_phone::<K>,
            channel_invite_phone2: channel_invite_phone2::<K>,
            channel_invite_phone3: channel_invite_phone3::<K>,
            channel_invite_dtmf: channel_invite_dtmf::<K>,
            channel_invite_accept: channel_invite_accept::<K>,
            channel_invite_refuse: channel_invite_refuse::<K>,
            channel_invite_end: channel_invite_end::<K>,
            message_app_send: message_app_send::<K>,
            message_instant_send: message_instant_send::<K>,
            message_instant_send2: message_instant_send2::<K>,
            message_channel_send: message_channel_send::<K>,
            message_channel_send_force: message_channel_send_force::<K>,
            message_channel_send2: message_channel_send2::<K>,
            message_push_send: message_push_send::<K>,
            message_chat_send: message_chat_send::<K>,
            message_dtmf_send: message_dtmf_send::<K>,
            set_background: set_background::<K>,
            set_network_status: set_network_status::<K>,
            ping: ping::<K>,
            set_attr: set_attr::<K>,
            get_attr: get_attr::<K>,
            get_attr_all: get_attr_all::<K>,
            get_user_attr: get_user_attr::<K>,
            get_user_attr_all: get_user_attr_all::<K>,
            query_user_status: query_user_status::<K>,
            invoke: invoke::<K>,
            start: start::<K>,
            stop: stop::<K>,
            is_online: is_online::<K>,
            get_status: get_status::<K>,
            get_sdk_version: get_sdk_version::<K>,
            bc_call: bc_call::<K>,
            dbg: dbg::<K>,
            destroy: destroy::<K>,
        }
    }
}

/// `callbackSet`.
unsafe extern "C" fn callback_set<K: Receiver>(this: *mut c_void, handler: *mut c_void) {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "callbackSet", (), || instance.callback_set(handler, K::CPP))
}

/// `callbackGet`.
unsafe extern "C" fn callback_get<K: Receiver>(this: *mut c_void) -> *mut c_void {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "callbackGet", std::ptr::null_mut(), || instance.callback_get())
}

/// `login`.
unsafe extern "C" fn login<K: Receiver>(
    this: *mut c_void,
    vendor_id: *const c_char,
    vendor_id_size: usize,
    account: *const c_char,
    account_size: usize,
    token: *const c_char,
    token_size: usize,
    uid: u32,
    device_id: *const c_char,
    device_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let vendor_id = unsafe { text(vendor_id, vendor_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let token = unsafe { text(token, token_size) };
    // SAFETY: as above.
    let device_id = unsafe { text(device_id, device_id_size) };
    guard(instance, "login", (), || instance.signaling().login(&vendor_id, &account, &token, uid, &device_id))
}

/// `login2`.
unsafe extern "C" fn login2<K: Receiver>(
    this: *mut c_void,
    vendor_id: *const c_char,
    vendor_id_size: usize,
    account: *const c_char,
    account_size: usize,
    token: *const c_char,
    token_size: usize,
    uid: u32,
    device_id: *const c_char,
    device_id_size: usize,
    retry_time_in_s: c_int,
    retry_count: c_int,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let vendor_id = unsafe { text(vendor_id, vendor_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let token = unsafe { text(token, token_size) };
    // SAFETY: as above.
    let device_id = unsafe { text(device_id, device_id_size) };
    guard(instance, "login2", (), || {
        instance.signaling().login2(
            &vendor_id,
            &account,
            &token,
            uid,
            &device_id,
            retry_time_in_s,
            retry_count,
        )
    })
}

/// `logout`.
unsafe extern "C" fn logout<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "logout", (), || instance.signaling().logout())
}

/// `channelJoin`.
unsafe extern "C" fn channel_join<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    guard(instance, "channelJoin", (), || instance.signaling().channel_join(&channel_id))
}

/// `channelLeave`.
unsafe extern "C" fn channel_leave<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    guard(instance, "channelLeave", (), || instance.signaling().channel_leave(&channel_id))
}

/// `channelQueryUserNum`.
unsafe extern "C" fn channel_query_user_num<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    guard(instance, "channelQueryUserNum", (), || instance.signaling().channel_query_user_num(&channel_id))
}

/// `channelQueryUserIsIn`.
unsafe extern "C" fn channel_query_user_is_in<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    guard(instance, "channelQueryUserIsIn", (), || {
        instance.signaling().channel_query_user_is_in(&channel_id, &account)
    })
}

/// `channelSetAttr`.
unsafe extern "C" fn channel_set_attr<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    name: *const c_char,
    name_size: usize,
    value: *const c_char,
    value_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    // SAFETY: as above.
    let value = unsafe { text(value, value_size) };
    guard(instance, "channelSetAttr", (), || {
        instance.signaling().channel_set_attr(&channel_id, &name, &value)
    })
}

/// `channelDelAttr`.
unsafe extern "C" fn channel_del_attr<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    name: *const c_char,
    name_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    guard(instance, "channelDelAttr", (), || instance.signaling().channel_del_attr(&channel_id, &name))
}

/// `channelClearAttr`.
unsafe extern "C" fn channel_clear_attr<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    guard(instance, "channelClearAttr", (), || instance.signaling().channel_clear_attr(&channel_id))
}

/// `channelInviteUser`.
unsafe extern "C" fn channel_invite_user<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
    uid: u32,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    guard(instance, "channelInviteUser", (), || {
        instance.signaling().channel_invite_user(&channel_id, &account, uid)
    })
}

/// `channelInviteUser2`.
unsafe extern "C" fn channel_invite_user2<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
    extra: *const c_char,
    extra_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let extra = unsafe { text(extra, extra_size) };
    guard(instance, "channelInviteUser2", (), || {
        instance.signaling().channel_invite_user2(&channel_id, &account, &extra)
    })
}

/// `channelInvitePhone`.
unsafe extern "C" fn channel_invite_phone<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    phone_num: *const c_char,
    phone_num_size: usize,
    uid: u32,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let phone_num = unsafe { text(phone_num, phone_num_size) };
    guard(instance, "channelInvitePhone", (), || {
        instance.signaling().channel_invite_phone(&channel_id, &phone_num, uid)
    })
}

/// `channelInvitePhone2`.
unsafe extern "C" fn channel_invite_phone2<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    phone_num: *const c_char,
    phone_num_size: usize,
    sources_num: *const c_char,
    sources_num_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let phone_num = unsafe { text(phone_num, phone_num_size) };
    // SAFETY: as above.
    let sources_num = unsafe { text(sources_num, sources_num_size) };
    guard(instance, "channelInvitePhone2", (), || {
        instance.signaling().channel_invite_phone2(&channel_id, &phone_num, &sources_num)
    })
}

/// `channelInvitePhone3`.
unsafe extern "C" fn channel_invite_phone3<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    phone_num: *const c_char,
    phone_num_size: usize,
    sources_num: *const c_char,
    sources_num_size: usize,
    extra: *const c_char,
    extra_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let phone_num = unsafe { text(phone_num, phone_num_size) };
    // SAFETY: as above.
    let sources_num = unsafe { text(sources_num, sources_num_size) };
    // SAFETY: as above.
    let extra = unsafe { text(extra, extra_size) };
    guard(instance, "channelInvitePhone3", (), || {
        instance.signaling().channel_invite_phone3(&channel_id, &phone_num, &sources_num, &extra)
    })
}

/// `channelInviteDTMF`.
unsafe extern "C" fn channel_invite_dtmf<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    phone_num: *const c_char,
    phone_num_size: usize,
    dtmf: *const c_char,
    dtmf_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let phone_num = unsafe { text(phone_num, phone_num_size) };
    // SAFETY: as above.
    let dtmf = unsafe { text(dtmf, dtmf_size) };
    guard(instance, "channelInviteDTMF", (), || {
        instance.signaling().channel_invite_dtmf(&channel_id, &phone_num, &dtmf)
    })
}

/// `channelInviteAccept`.
unsafe extern "C" fn channel_invite_accept<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    extra: *const c_char,
    extra_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let extra = unsafe { text(extra, extra_size) };
    guard(instance, "channelInviteAccept", (), || {
        instance.signaling().channel_invite_accept(&channel_id, &account, uid, &extra)
    })
}

/// `channelInviteRefuse`.
unsafe extern "C" fn channel_invite_refuse<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    extra: *const c_char,
    extra_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let extra = unsafe { text(extra, extra_size) };
    guard(instance, "channelInviteRefuse", (), || {
        instance.signaling().channel_invite_refuse(&channel_id, &account, uid, &extra)
    })
}

/// `channelInviteEnd`.
unsafe extern "C" fn channel_invite_end<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    account: *const c_char,
    account_size: usize,
    uid: u32,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    guard(instance, "channelInviteEnd", (), || {
        instance.signaling().channel_invite_end(&channel_id, &account, uid)
    })
}

/// `messageAppSend`.
unsafe extern "C" fn message_app_send<K: Receiver>(
    this: *mut c_void,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageAppSend", (), || instance.signaling().message_app_send(&msg, &msg_id))
}

/// `messageInstantSend`.
unsafe extern "C" fn message_instant_send<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageInstantSend", (), || {
        instance.signaling().message_instant_send(&account, uid, &msg, &msg_id)
    })
}

/// `messageInstantSend2`.
unsafe extern "C" fn message_instant_send2<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
    options: *const c_char,
    options_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    // SAFETY: as above.
    let options = unsafe { text(options, options_size) };
    guard(instance, "messageInstantSend2", (), || {
        instance.signaling().message_instant_send2(&account, uid, &msg, &msg_id, &options)
    })
}

/// `messageChannelSend`.
unsafe extern "C" fn message_channel_send<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageChannelSend", (), || {
        instance.signaling().message_channel_send(&channel_id, &msg, &msg_id)
    })
}

/// `messageChannelSendForce`.
unsafe extern "C" fn message_channel_send_force<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageChannelSendForce", (), || {
        instance.signaling().message_channel_send_force(&channel_id, &msg, &msg_id)
    })
}

/// `messageChannelSend2`.
unsafe extern "C" fn message_channel_send2<K: Receiver>(
    this: *mut c_void,
    channel_id: *const c_char,
    channel_id_size: usize,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
    extra: *const c_char,
    extra_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let channel_id = unsafe { text(channel_id, channel_id_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    // SAFETY: as above.
    let extra = unsafe { text(extra, extra_size) };
    guard(instance, "messageChannelSend2", (), || {
        instance.signaling().message_channel_send2(&channel_id, &msg, &msg_id, &extra)
    })
}

/// `messagePushSend`.
unsafe extern "C" fn message_push_send<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messagePushSend", (), || {
        instance.signaling().message_push_send(&account, uid, &msg, &msg_id)
    })
}

/// `messageChatSend`.
unsafe extern "C" fn message_chat_send<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
    uid: u32,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageChatSend", (), || {
        instance.signaling().message_chat_send(&account, uid, &msg, &msg_id)
    })
}

/// `messageDTMFSend`.
unsafe extern "C" fn message_dtmf_send<K: Receiver>(
    this: *mut c_void,
    uid: u32,
    msg: *const c_char,
    msg_size: usize,
    msg_id: *const c_char,
    msg_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let msg = unsafe { text(msg, msg_size) };
    // SAFETY: as above.
    let msg_id = unsafe { text(msg_id, msg_id_size) };
    guard(instance, "messageDTMFSend", (), || instance.signaling().message_dtmf_send(uid, &msg, &msg_id))
}

/// `setBackground`.
unsafe extern "C" fn set_background<K: Receiver>(this: *mut c_void, b_out: u32) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "setBackground", (), || instance.signaling().set_background(b_out))
}

/// `setNetworkStatus`.
unsafe extern "C" fn set_network_status<K: Receiver>(this: *mut c_void, b_out: u32) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "setNetworkStatus", (), || instance.signaling().set_network_status(b_out))
}

/// `ping`.
unsafe extern "C" fn ping<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "ping", (), || instance.signaling().ping())
}

/// `setAttr`.
unsafe extern "C" fn set_attr<K: Receiver>(
    this: *mut c_void,
    name: *const c_char,
    name_size: usize,
    value: *const c_char,
    value_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    // SAFETY: as above.
    let value = unsafe { text(value, value_size) };
    guard(instance, "setAttr", (), || instance.signaling().set_attr(&name, &value))
}

/// `getAttr`.
unsafe extern "C" fn get_attr<K: Receiver>(this: *mut c_void, name: *const c_char, name_size: usize) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    guard(instance, "getAttr", (), || instance.signaling().get_attr(&name))
}

/// `getAttrAll`.
unsafe extern "C" fn get_attr_all<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "getAttrAll", (), || instance.signaling().get_attr_all())
}

/// `getUserAttr`.
unsafe extern "C" fn get_user_attr<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
    name: *const c_char,
    name_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    guard(instance, "getUserAttr", (), || instance.signaling().get_user_attr(&account, &name))
}

/// `getUserAttrAll`.
unsafe extern "C" fn get_user_attr_all<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    guard(instance, "getUserAttrAll", (), || instance.signaling().get_user_attr_all(&account))
}

/// `queryUserStatus`.
unsafe extern "C" fn query_user_status<K: Receiver>(
    this: *mut c_void,
    account: *const c_char,
    account_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let account = unsafe { text(account, account_size) };
    guard(instance, "queryUserStatus", (), || instance.signaling().query_user_status(&account))
}

/// `invoke`.
unsafe extern "C" fn invoke<K: Receiver>(
    this: *mut c_void,
    name: *const c_char,
    name_size: usize,
    req: *const c_char,
    req_size: usize,
    call_id: *const c_char,
    call_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let name = unsafe { text(name, name_size) };
    // SAFETY: as above.
    let req = unsafe { text(req, req_size) };
    // SAFETY: as above.
    let call_id = unsafe { text(call_id, call_id_size) };
    guard(instance, "invoke", (), || instance.signaling().invoke(&name, &req, &call_id))
}

/// `start`.
unsafe extern "C" fn start<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "start", (), || instance.start())
}

/// `stop`.
unsafe extern "C" fn stop<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "stop", (), || instance.stop())
}

/// `isOnline`.
unsafe extern "C" fn is_online<K: Receiver>(this: *mut c_void) -> bool {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "isOnline", false, || instance.is_online())
}

/// `getStatus`.
unsafe extern "C" fn get_status<K: Receiver>(this: *mut c_void) -> c_int {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "getStatus", 0, || instance.get_status())
}

/// `getSdkVersion`.
unsafe extern "C" fn get_sdk_version<K: Receiver>(this: *mut c_void) -> c_int {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "getSdkVersion", 0, || instance.get_sdk_version())
}

/// `bc_call`.
unsafe extern "C" fn bc_call<K: Receiver>(
    this: *mut c_void,
    func: *const c_char,
    func_size: usize,
    json_args: *const c_char,
    json_args_size: usize,
    call_id: *const c_char,
    call_id_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let func = unsafe { text(func, func_size) };
    // SAFETY: as above.
    let json_args = unsafe { text(json_args, json_args_size) };
    // SAFETY: as above.
    let call_id = unsafe { text(call_id, call_id_size) };
    guard(instance, "bc_call", (), || instance.signaling().bc_call(&func, &json_args, &call_id))
}

/// `dbg`.
unsafe extern "C" fn dbg<K: Receiver>(
    this: *mut c_void,
    a: *const c_char,
    a_size: usize,
    b: *const c_char,
    b_size: usize,
) {
    // SAFETY: `this` is an object this library handed out, and each string is NULL or
    // points to its size in readable bytes (the interface's contract).
    let instance = unsafe { K::instance(this) };
    // SAFETY: as above.
    let a = unsafe { text(a, a_size) };
    // SAFETY: as above.
    let b = unsafe { text(b, b_size) };
    guard(instance, "dbg", (), || instance.signaling().dbg(&a, &b))
}

/// `destroy`.
unsafe extern "C" fn destroy<K: Receiver>(this: *mut c_void) {
    // SAFETY: `this` is an object this library handed out (the interface's contract).
    let instance = unsafe { K::instance(this) };
    guard(instance, "destroy", (), || instance.destroy())
}

impl SignalingCallbacks for Foreign {
    fn on_reconnecting(&self, nretry: u32) {
        self.call("onReconnecting", |table| {
            let Some(f) = table.on_reconnecting else { return };
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), nretry) }
        })
    }
    fn on_reconnected(&self, fd: u32) {
        self.call("onReconnected", |table| {
            let Some(f) = table.on_reconnected else { return };
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), fd as c_int) }
        })
    }
    fn on_login_success(&self, uid: u32, fd: u32) {
        self.call("onLoginSuccess", |table| {
            let Some(f) = table.on_login_success else { return };
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), uid, fd as c_int) }
        })
    }
    fn on_logout(&self, ecode: i32) {
        self.call("onLogout", |table| {
            let Some(f) = table.on_logout else { return };
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), ecode) }
        })
    }
    fn on_login_failed(&self, ecode: i32) {
        self.call("onLoginFailed", |table| {
            let Some(f) = table.on_login_failed else { return };
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), ecode) }
        })
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.call("onChannelJoined", |table| {
            let Some(f) = table.on_channel_joined else { return };
            let channel_id = Text::new(channel_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size()) }
        })
    }
    fn on_channel_join_failed(&self, channel_id: &str, ecode: i32) {
        self.call("onChannelJoinFailed", |table| {
            let Some(f) = table.on_channel_join_failed else { return };
            let channel_id = Text::new(channel_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size(), ecode) }
        })
    }
    fn on_channel_leaved(&self, channel_id: &str, ecode: i32) {
        self.call("onChannelLeaved", |table| {
            let Some(f) = table.on_channel_leaved else { return };
            let channel_id = Text::new(channel_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size(), ecode) }
        })
    }
    fn on_channel_user_joined(&self, account: &str, uid: u32) {
        self.call("onChannelUserJoined", |table| {
            let Some(f) = table.on_channel_user_joined else { return };
            let account = Text::new(account);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), account.ptr(), account.size(), uid) }
        })
    }
    fn on_channel_user_leaved(&self, account: &str, uid: u32) {
        self.call("onChannelUserLeaved", |table| {
            let Some(f) = table.on_channel_user_leaved else { return };
            let account = Text::new(account);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), account.ptr(), account.size(), uid) }
        })
    }
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {
        self.call("onChannelUserList", |table| {
            let Some(f) = table.on_channel_user_list else { return };
            let mut list = UserList::new(accounts, uids);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), list.n(), list.accounts(), list.uids()) }
        })
    }
    fn on_channel_query_user_num_result(&self, channel_id: &str, ecode: i32, num: i32) {
        self.call("onChannelQueryUserNumResult", |table| {
            let Some(f) = table.on_channel_query_user_num_result else { return };
            let channel_id = Text::new(channel_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size(), ecode, num) }
        })
    }
    fn on_channel_query_user_is_in(&self, channel_id: &str, account: &str, is_in: i32) {
        self.call("onChannelQueryUserIsIn", |table| {
            let Some(f) = table.on_channel_query_user_is_in else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(self.this(), channel_id.ptr(), channel_id.size(), account.ptr(), account.size(), is_in)
            }
        })
    }
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {
        self.call("onChannelAttrUpdated", |table| {
            let Some(f) = table.on_channel_attr_updated else { return };
            let channel_id = Text::new(channel_id);
            let name = Text::new(name);
            let value = Text::new(value);
            let kind = Text::new(kind);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    name.ptr(),
                    name.size(),
                    value.ptr(),
                    value.size(),
                    kind.ptr(),
                    kind.size(),
                )
            }
        })
    }
    fn on_invite_received(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.call("onInviteReceived", |table| {
            let Some(f) = table.on_invite_received else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {
        self.call("onInviteReceivedByPeer", |table| {
            let Some(f) = table.on_invite_received_by_peer else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size(), account.ptr(), account.size(), uid) }
        })
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.call("onInviteAcceptedByPeer", |table| {
            let Some(f) = table.on_invite_accepted_by_peer else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.call("onInviteRefusedByPeer", |table| {
            let Some(f) = table.on_invite_refused_by_peer else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {
        self.call("onInviteFailed", |table| {
            let Some(f) = table.on_invite_failed else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    ecode,
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.call("onInviteEndByPeer", |table| {
            let Some(f) = table.on_invite_end_by_peer else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {
        self.call("onInviteEndByMyself", |table| {
            let Some(f) = table.on_invite_end_by_myself else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), channel_id.ptr(), channel_id.size(), account.ptr(), account.size(), uid) }
        })
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
        self.call("onInviteMsg", |table| {
            let Some(f) = table.on_invite_msg else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let msg_type = Text::new(msg_type);
            let msg_data = Text::new(msg_data);
            let extra = Text::new(extra);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    msg_type.ptr(),
                    msg_type.size(),
                    msg_data.ptr(),
                    msg_data.size(),
                    extra.ptr(),
                    extra.size(),
                )
            }
        })
    }
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {
        self.call("onMessageSendError", |table| {
            let Some(f) = table.on_message_send_error else { return };
            let message_id = Text::new(message_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), message_id.ptr(), message_id.size(), ecode) }
        })
    }
    fn on_message_send_progress(&self, account: &str, message_id: &str, kind: &str, info: &str) {
        self.call("onMessageSendProgress", |table| {
            let Some(f) = table.on_message_send_progress else { return };
            let account = Text::new(account);
            let message_id = Text::new(message_id);
            let kind = Text::new(kind);
            let info = Text::new(info);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    account.ptr(),
                    account.size(),
                    message_id.ptr(),
                    message_id.size(),
                    kind.ptr(),
                    kind.size(),
                    info.ptr(),
                    info.size(),
                )
            }
        })
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.call("onMessageSendSuccess", |table| {
            let Some(f) = table.on_message_send_success else { return };
            let message_id = Text::new(message_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), message_id.ptr(), message_id.size()) }
        })
    }
    fn on_message_app_received(&self, msg: &str) {
        self.call("onMessageAppReceived", |table| {
            let Some(f) = table.on_message_app_received else { return };
            let msg = Text::new(msg);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), msg.ptr(), msg.size()) }
        })
    }
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {
        self.call("onMessageInstantReceive", |table| {
            let Some(f) = table.on_message_instant_receive else { return };
            let account = Text::new(account);
            let msg = Text::new(msg);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), account.ptr(), account.size(), uid, msg.ptr(), msg.size()) }
        })
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {
        self.call("onMessageChannelReceive", |table| {
            let Some(f) = table.on_message_channel_receive else { return };
            let channel_id = Text::new(channel_id);
            let account = Text::new(account);
            let msg = Text::new(msg);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    channel_id.ptr(),
                    channel_id.size(),
                    account.ptr(),
                    account.size(),
                    uid,
                    msg.ptr(),
                    msg.size(),
                )
            }
        })
    }
    fn on_log(&self, txt: &str) {
        self.call("onLog", |table| {
            let Some(f) = table.on_log else { return };
            let txt = Text::new(txt);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), txt.ptr(), txt.size()) }
        })
    }
    fn on_invoke_ret(&self, call_id: &str, err: &str, resp: &str) {
        self.call("onInvokeRet", |table| {
            let Some(f) = table.on_invoke_ret else { return };
            let call_id = Text::new(call_id);
            let err = Text::new(err);
            let resp = Text::new(resp);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(self.this(), call_id.ptr(), call_id.size(), err.ptr(), err.size(), resp.ptr(), resp.size())
            }
        })
    }
    fn on_msg(&self, from: &str, t: &str, msg: &str) {
        self.call("onMsg", |table| {
            let Some(f) = table.on_msg else { return };
            let from = Text::new(from);
            let t = Text::new(t);
            let msg = Text::new(msg);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), from.ptr(), from.size(), t.ptr(), t.size(), msg.ptr(), msg.size()) }
        })
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        self.call("onUserAttrResult", |table| {
            let Some(f) = table.on_user_attr_result else { return };
            let account = Text::new(account);
            let name = Text::new(name);
            let value = Text::new(value);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    account.ptr(),
                    account.size(),
                    name.ptr(),
                    name.size(),
                    value.ptr(),
                    value.size(),
                )
            }
        })
    }
    fn on_user_attr_all_result(&self, account: &str, value: &str) {
        self.call("onUserAttrAllResult", |table| {
            let Some(f) = table.on_user_attr_all_result else { return };
            let account = Text::new(account);
            let value = Text::new(value);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), account.ptr(), account.size(), value.ptr(), value.size()) }
        })
    }
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {
        self.call("onError", |table| {
            let Some(f) = table.on_error else { return };
            let name = Text::new(name);
            let desc = Text::new(desc);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), name.ptr(), name.size(), ecode, desc.ptr(), desc.size()) }
        })
    }
    fn on_query_user_status_result(&self, name: &str, status: &str) {
        self.call("onQueryUserStatusResult", |table| {
            let Some(f) = table.on_query_user_status_result else { return };
            let name = Text::new(name);
            let status = Text::new(status);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), name.ptr(), name.size(), status.ptr(), status.size()) }
        })
    }
    fn on_dbg(&self, a: &str, b: &str) {
        self.call("onDbg", |table| {
            let Some(f) = table.on_dbg else { return };
            let a = Text::new(a);
            let b = Text::new(b);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe { f(self.this(), a.ptr(), a.size(), b.ptr(), b.size()) }
        })
    }
    fn on_bc_call_result(&self, reason: &str, json_ret: &str, call_id: &str) {
        self.call("onBCCall_result", |table| {
            let Some(f) = table.on_bc_call_result else { return };
            let reason = Text::new(reason);
            let json_ret = Text::new(json_ret);
            let call_id = Text::new(call_id);
            // SAFETY: `f` is the program's own callback, called with its object and arguments
            // of the declared types; the strings live until it returns.
            unsafe {
                f(
                    self.this(),
                    reason.ptr(),
                    reason.size(),
                    json_ret.ptr(),
                    json_ret.size(),
                    call_id.ptr(),
                    call_id.size(),
                )
            }
        })
    }
}
