//! The methods the library serves: the legacy `IAgoraAPI` table, in the legacy order, and the
//! function behind each entry.
//!
//! Each line is a method's table field, its legacy name (what `onError` reports when the method
//! fails) and its arguments; see [`methods!`](crate::macros::methods). A method without a body
//! calls the facade's method of the same name with the same arguments; the others (the callback
//! object, the `start`/`stop` gate, the state queries and `destroy`) are the instance's own.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};

use crate::macros::methods;

methods! {
    callback_set: "callbackSet" (handler: *mut c_void) => |i| i.callback_set(handler, K::CPP);
    callback_get: "callbackGet" () -> *mut c_void = std::ptr::null_mut() => |i| i.callback_get();
    login: "login" (vendor_id: Str, account: Str, token: Str, uid: u32, device_id: Str);
    login2: "login2" (
        vendor_id: Str, account: Str, token: Str, uid: u32, device_id: Str,
        retry_time_in_s: c_int, retry_count: c_int,
    );
    logout: "logout" ();
    channel_join: "channelJoin" (channel_id: Str);
    channel_leave: "channelLeave" (channel_id: Str);
    channel_query_user_num: "channelQueryUserNum" (channel_id: Str);
    channel_query_user_is_in: "channelQueryUserIsIn" (channel_id: Str, account: Str);
    channel_set_attr: "channelSetAttr" (channel_id: Str, name: Str, value: Str);
    channel_del_attr: "channelDelAttr" (channel_id: Str, name: Str);
    channel_clear_attr: "channelClearAttr" (channel_id: Str);
    channel_invite_user: "channelInviteUser" (channel_id: Str, account: Str, uid: u32);
    channel_invite_user2: "channelInviteUser2" (channel_id: Str, account: Str, extra: Str);
    channel_invite_phone: "channelInvitePhone" (channel_id: Str, phone_num: Str, uid: u32);
    channel_invite_phone2: "channelInvitePhone2" (channel_id: Str, phone_num: Str, sources_num: Str);
    channel_invite_phone3: "channelInvitePhone3" (
        channel_id: Str, phone_num: Str, sources_num: Str, extra: Str,
    );
    channel_invite_dtmf: "channelInviteDTMF" (channel_id: Str, phone_num: Str, dtmf: Str);
    channel_invite_accept: "channelInviteAccept" (channel_id: Str, account: Str, uid: u32, extra: Str);
    channel_invite_refuse: "channelInviteRefuse" (channel_id: Str, account: Str, uid: u32, extra: Str);
    channel_invite_end: "channelInviteEnd" (channel_id: Str, account: Str, uid: u32);
    message_app_send: "messageAppSend" (msg: Str, msg_id: Str);
    message_instant_send: "messageInstantSend" (account: Str, uid: u32, msg: Str, msg_id: Str);
    message_instant_send2: "messageInstantSend2" (
        account: Str, uid: u32, msg: Str, msg_id: Str, options: Str,
    );
    message_channel_send: "messageChannelSend" (channel_id: Str, msg: Str, msg_id: Str);
    message_channel_send_force: "messageChannelSendForce" (channel_id: Str, msg: Str, msg_id: Str);
    message_channel_send2: "messageChannelSend2" (channel_id: Str, msg: Str, msg_id: Str, extra: Str);
    message_push_send: "messagePushSend" (account: Str, uid: u32, msg: Str, msg_id: Str);
    message_chat_send: "messageChatSend" (account: Str, uid: u32, msg: Str, msg_id: Str);
    message_dtmf_send: "messageDTMFSend" (uid: u32, msg: Str, msg_id: Str);
    set_background: "setBackground" (b_out: u32);
    set_network_status: "setNetworkStatus" (b_out: u32);
    ping: "ping" ();
    set_attr: "setAttr" (name: Str, value: Str);
    get_attr: "getAttr" (name: Str);
    get_attr_all: "getAttrAll" ();
    get_user_attr: "getUserAttr" (account: Str, name: Str);
    get_user_attr_all: "getUserAttrAll" (account: Str);
    query_user_status: "queryUserStatus" (account: Str);
    invoke: "invoke" (name: Str, req: Str, call_id: Str);
    start: "start" () => |i| i.start();
    stop: "stop" () => |i| i.stop();
    is_online: "isOnline" () -> bool = false => |i| i.is_online();
    get_status: "getStatus" () -> c_int = 0 => |i| i.get_status();
    get_sdk_version: "getSdkVersion" () -> c_int = 0 => |i| i.get_sdk_version();
    bc_call: "bc_call" (func: Str, json_args: Str, call_id: Str);
    dbg: "dbg" (a: Str, b: Str);
    destroy: "destroy" () => |i| i.destroy();
}
