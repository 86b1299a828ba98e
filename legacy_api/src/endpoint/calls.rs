//! The legacy calls by their wire names: each checks its arguments and calls the instance.

use super::args::Arg;
use crate::Signaling;

/// Why a call frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CallError {
    /// No legacy call has this name.
    #[error("no legacy call is named {0:?}")]
    Unknown(String),
    /// Wrong number or types of arguments.
    #[error("{0}")]
    BadArgs(String),
    /// A login on a connection that has its session.
    #[error("{0} is only a connection's first frame")]
    LoginAgain(String),
}

/// What the `done` frame of a call carries as `ret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ret {
    /// `null`.
    Nothing,
    /// `getStatus`.
    Status,
    /// `isOnline`.
    Online,
    /// `getSdkVersion`.
    Version,
}

impl Ret {
    /// The value, read from the instance now.
    pub(crate) fn value(self, sig: &Signaling) -> Option<i32> {
        match self {
            Ret::Nothing => None,
            Ret::Status => Some(sig.get_status()),
            Ret::Online => Some(sig.is_online()),
            Ret::Version => Some(sig.get_sdk_version()),
        }
    }
}

/// The arguments of one call, checked as they are read.
pub(crate) struct Args<'a> {
    call: &'a str,
    values: &'a [Arg<'a>],
}

impl<'a> Args<'a> {
    pub(crate) fn new(call: &'a str, values: &'a [Arg<'a>]) -> Self {
        Self { call, values }
    }

    /// Refuses any count but `n`.
    fn count(&self, n: usize) -> Result<(), CallError> {
        if self.values.len() == n {
            Ok(())
        } else {
            Err(CallError::BadArgs(format!("{} takes {n} arguments, not {}", self.call, self.values.len())))
        }
    }

    fn str(&self, i: usize) -> Result<&'a str, CallError> {
        match &self.values[i] {
            Arg::Str(s) => Ok(s),
            _ => Err(self.wrong(i, "a string")),
        }
    }

    fn u32(&self, i: usize) -> Result<u32, CallError> {
        match self.values[i] {
            Arg::Unsigned(n) => u32::try_from(n).ok(),
            _ => None,
        }
        .ok_or_else(|| self.wrong(i, "an integer from 0 to 4294967295"))
    }

    fn i32(&self, i: usize) -> Result<i32, CallError> {
        match self.values[i] {
            Arg::Unsigned(n) => i32::try_from(n).ok(),
            Arg::Signed(n) => i32::try_from(n).ok(),
            _ => None,
        }
        .ok_or_else(|| self.wrong(i, "a 32-bit integer"))
    }

    fn wrong(&self, i: usize, what: &str) -> CallError {
        CallError::BadArgs(format!("argument {} of {} must be {what}", i + 1, self.call))
    }
}

/// True for the calls that open a session (allowed as a connection's first frame only).
pub(crate) fn is_login(name: &str) -> bool {
    matches!(name, "login" | "login2")
}

/// A connection's first call, `login` or `login2`, its arguments checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Login<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) account: &'a str,
    token: &'a str,
    uid: u32,
    device_id: &'a str,
    /// `login2`'s `retry_time_in_s` and `retry_count`.
    retry: Option<(i32, i32)>,
}

impl<'a> Login<'a> {
    /// Checks login call `name`'s arguments.
    pub(crate) fn parse(name: &str, a: &Args<'a>) -> Result<Self, CallError> {
        let retry = match name {
            "login" => {
                a.count(5)?;
                None
            }
            "login2" => {
                a.count(7)?;
                Some((a.i32(5)?, a.i32(6)?))
            }
            other => return Err(CallError::Unknown(other.to_owned())),
        };
        Ok(Self {
            app_id: a.str(0)?,
            account: a.str(1)?,
            token: a.str(2)?,
            uid: a.u32(3)?,
            device_id: a.str(4)?,
            retry,
        })
    }

    /// Makes the call on `sig`.
    pub(crate) fn call(&self, sig: &Signaling) {
        match self.retry {
            None => sig.login(self.app_id, self.account, self.token, self.uid, self.device_id),
            Some((time, count)) => {
                sig.login2(self.app_id, self.account, self.token, self.uid, self.device_id, time, count)
            }
        }
    }
}

/// Makes call `name` on `sig` (never a login: see [`login`]).
pub(crate) fn call(sig: &Signaling, name: &str, a: &Args<'_>) -> Result<Ret, CallError> {
    match name {
        "logout" | "destroy" => {
            a.count(0)?;
            sig.logout();
        }
        "getStatus" => return a.count(0).map(|()| Ret::Status),
        "isOnline" => return a.count(0).map(|()| Ret::Online),
        "getSdkVersion" => return a.count(0).map(|()| Ret::Version),
        "ping" | "start" | "stop" => a.count(0)?,
        "setBackground" | "setNetworkStatus" => {
            a.count(1)?;
            a.u32(0)?;
        }
        "dbg" => {
            a.count(2)?;
            sig.dbg(a.str(0)?, a.str(1)?);
        }
        "messageInstantSend" => {
            a.count(4)?;
            sig.message_instant_send(a.str(0)?, a.u32(1)?, a.str(2)?, a.str(3)?);
        }
        "messageInstantSend2" => {
            a.count(5)?;
            sig.message_instant_send2(a.str(0)?, a.u32(1)?, a.str(2)?, a.str(3)?, a.str(4)?);
        }
        "queryUserStatus" => {
            a.count(1)?;
            sig.query_user_status(a.str(0)?);
        }
        "setAttr" => {
            a.count(2)?;
            sig.set_attr(a.str(0)?, a.str(1)?);
        }
        "getAttr" => {
            a.count(1)?;
            sig.get_attr(a.str(0)?);
        }
        "getAttrAll" => {
            a.count(0)?;
            sig.get_attr_all();
        }
        "getUserAttr" => {
            a.count(2)?;
            sig.get_user_attr(a.str(0)?, a.str(1)?);
        }
        "getUserAttrAll" => {
            a.count(1)?;
            sig.get_user_attr_all(a.str(0)?);
        }
        "invoke" => {
            a.count(3)?;
            sig.invoke(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "bc_call" => {
            a.count(3)?;
            sig.bc_call(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        _ => return channel_call(sig, name, a),
    }
    Ok(Ret::Nothing)
}

/// The channel, invitation and message calls.
fn channel_call(sig: &Signaling, name: &str, a: &Args<'_>) -> Result<Ret, CallError> {
    match name {
        "channelJoin" => {
            a.count(1)?;
            sig.channel_join(a.str(0)?);
        }
        "channelLeave" => {
            a.count(1)?;
            sig.channel_leave(a.str(0)?);
        }
        "messageChannelSend" => {
            a.count(3)?;
            sig.message_channel_send(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "messageChannelSendForce" => {
            a.count(3)?;
            sig.message_channel_send_force(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "messageChannelSend2" => {
            a.count(4)?;
            sig.message_channel_send2(a.str(0)?, a.str(1)?, a.str(2)?, a.str(3)?);
        }
        "channelQueryUserNum" => {
            a.count(1)?;
            sig.channel_query_user_num(a.str(0)?);
        }
        "channelQueryUserIsIn" => {
            a.count(2)?;
            sig.channel_query_user_is_in(a.str(0)?, a.str(1)?);
        }
        "channelSetAttr" => {
            a.count(3)?;
            sig.channel_set_attr(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "channelDelAttr" => {
            a.count(2)?;
            sig.channel_del_attr(a.str(0)?, a.str(1)?);
        }
        "channelClearAttr" => {
            a.count(1)?;
            sig.channel_clear_attr(a.str(0)?);
        }
        "channelInviteUser" => {
            a.count(3)?;
            sig.channel_invite_user(a.str(0)?, a.str(1)?, a.u32(2)?);
        }
        "channelInviteUser2" => {
            a.count(3)?;
            sig.channel_invite_user2(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "channelInviteAccept" => {
            a.count(4)?;
            sig.channel_invite_accept(a.str(0)?, a.str(1)?, a.u32(2)?, a.str(3)?);
        }
        "channelInviteRefuse" => {
            a.count(4)?;
            sig.channel_invite_refuse(a.str(0)?, a.str(1)?, a.u32(2)?, a.str(3)?);
        }
        // The Web SDK's end carried an `extra`: a fourth argument.
        "channelInviteEnd" if a.values.len() == 4 => {
            sig.channel_invite_end_with_extra(a.str(0)?, a.str(1)?, a.u32(2)?, a.str(3)?);
        }
        "channelInviteEnd" => {
            a.count(3)?;
            sig.channel_invite_end(a.str(0)?, a.str(1)?, a.u32(2)?);
        }
        "channelInviteDTMF" => {
            a.count(3)?;
            sig.channel_invite_dtmf(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "channelInvitePhone" => {
            a.count(3)?;
            sig.channel_invite_phone(a.str(0)?, a.str(1)?, a.u32(2)?);
        }
        "channelInvitePhone2" => {
            a.count(3)?;
            sig.channel_invite_phone2(a.str(0)?, a.str(1)?, a.str(2)?);
        }
        "channelInvitePhone3" => {
            a.count(4)?;
            sig.channel_invite_phone3(a.str(0)?, a.str(1)?, a.str(2)?, a.str(3)?);
        }
        "messageAppSend" => {
            a.count(2)?;
            sig.message_app_send(a.str(0)?, a.str(1)?);
        }
        "messagePushSend" => {
            a.count(4)?;
            sig.message_push_send(a.str(0)?, a.u32(1)?, a.str(2)?, a.str(3)?);
        }
        "messageChatSend" => {
            a.count(4)?;
            sig.message_chat_send(a.str(0)?, a.u32(1)?, a.str(2)?, a.str(3)?);
        }
        "messageDTMFSend" => {
            a.count(3)?;
            sig.message_dtmf_send(a.u32(0)?, a.str(1)?, a.str(2)?);
        }
        other if is_login(other) => return Err(CallError::LoginAgain(other.to_owned())),
        other => return Err(CallError::Unknown(other.to_owned())),
    }
    Ok(Ret::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<Arg<'_>> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn arguments_are_checked_by_count_and_type() {
        let v = args(r#"["bob", 0, "hi", "m1"]"#);
        let a = Args::new("messageInstantSend", &v);
        assert!(a.count(4).is_ok());
        assert!(matches!(a.count(3), Err(CallError::BadArgs(_))));
        assert_eq!(a.str(0).unwrap(), "bob");
        assert_eq!(a.u32(1).unwrap(), 0);
        assert!(matches!(a.u32(0), Err(CallError::BadArgs(_))));
        assert!(matches!(a.str(1), Err(CallError::BadArgs(_))));
        let big = args("[4294967296, -1, 2147483648]");
        let a = Args::new("x", &big);
        assert!(a.u32(0).is_err());
        assert!(a.u32(1).is_err());
        assert_eq!(a.i32(1).unwrap(), -1);
        assert!(a.i32(2).is_err());
    }

    #[test]
    fn a_login_is_checked_whole_before_any_instance_exists() {
        let v = args(r#"["app", "alice", "_no_need_token", 0, ""]"#);
        let login = Login::parse("login", &Args::new("login", &v)).unwrap();
        assert_eq!((login.app_id, login.account, login.retry), ("app", "alice", None));
        assert!(Login::parse("login2", &Args::new("login2", &v)).is_err());
        let v2 = args(r#"["app", "alice", "t", 0, "", 30, 3]"#);
        assert_eq!(Login::parse("login2", &Args::new("login2", &v2)).unwrap().retry, Some((30, 3)));
        let bad = args(r#"["app", 7, "t", 0, ""]"#);
        assert!(matches!(Login::parse("login", &Args::new("login", &bad)), Err(CallError::BadArgs(_))));
        assert!(matches!(Login::parse("logout", &Args::new("logout", &[])), Err(CallError::Unknown(_))));
    }
}
