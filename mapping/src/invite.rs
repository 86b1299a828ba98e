//! What the legacy invitation calls carry beyond RTM's invitation: the reserved keys of
//! `extra`, and the in-call message (DTMF) between two facades.

use std::time::Duration;

use serde_json::Value;

/// The reserved keys of an invitation's `extra` that change how it is sent.
///
/// `extra` itself always travels unchanged as the invitation content; these keys only set
/// options on the core invitation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InviteExtra {
    /// `_require_peer_online: 1`: fail at once (703) when the callee is offline.
    pub require_peer_online: bool,
    /// `_timeout: <seconds>` (at least 1): fail with 704 when the call is not answered in time;
    /// a callee that has not received it by then never will.
    pub timeout: Option<Duration>,
}

impl InviteExtra {
    /// Reads the reserved keys of `extra` (a JSON object, or anything else, which sets none).
    /// Numbers, numeric strings and booleans are accepted for both keys.
    pub fn parse(extra: &str) -> Self {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(extra) else { return Self::default() };
        let number = |key: &str| match map.get(key) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
            _ => None,
        };
        Self {
            require_peer_online: number("_require_peer_online").is_some_and(|v| v == 1.0),
            timeout: number("_timeout")
                .filter(|s| s.is_finite() && *s >= 1.0)
                .map(|s| Duration::from_secs_f64(s.min(86_400.0))),
        }
    }
}

/// The prefix of an in-call message between two facades (a peer message).
pub const INVITE_MSG_PREFIX: &str = "SigshimLegacyInviteMsg:";

/// An in-call message (`channel_invite_dtmf` into a call between two applications): sent as a
/// peer message, reported to a receiving facade as `on_invite_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteMsg {
    /// The call's channel.
    pub channel_id: String,
    /// The kind (`dtmf`).
    pub msg_type: String,
    /// The payload (the digits).
    pub msg_data: String,
    /// The legacy extra: `{"msgtype":…,"msgdata":…}`.
    pub extra: String,
}

impl InviteMsg {
    /// DTMF `digits` into the call on `channel_id`.
    pub fn dtmf(channel_id: &str, digits: &str) -> Self {
        let extra = serde_json::json!({ "msgtype": "dtmf", "msgdata": digits }).to_string();
        Self {
            channel_id: channel_id.to_owned(),
            msg_type: "dtmf".into(),
            msg_data: digits.to_owned(),
            extra,
        }
    }

    /// The peer message text.
    pub fn to_text(&self) -> String {
        let body = serde_json::json!({
            "channel": self.channel_id,
            "type": self.msg_type,
            "data": self.msg_data,
            "extra": self.extra,
        });
        format!("{INVITE_MSG_PREFIX}{body}")
    }

    /// Reads a peer message text; `None` when it is not an in-call message.
    pub fn parse(text: &str) -> Option<Self> {
        let body: Value = serde_json::from_str(text.strip_prefix(INVITE_MSG_PREFIX)?).ok()?;
        let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            channel_id: field("channel")?,
            msg_type: field("type")?,
            msg_data: field("data")?,
            extra: field("extra").unwrap_or_default(),
        })
    }
}

/// True when `digits` are valid DTMF: one or more of `0-9`, `*`, `#`.
pub fn is_dtmf(digits: &str) -> bool {
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_keys() {
        assert_eq!(InviteExtra::parse(""), InviteExtra::default());
        assert_eq!(InviteExtra::parse("not json"), InviteExtra::default());
        assert_eq!(InviteExtra::parse("[1]"), InviteExtra::default());
        let e = InviteExtra::parse(r#"{"_require_peer_online":1,"_timeout":5,"srcNum":"+1"}"#);
        assert_eq!(e, InviteExtra { require_peer_online: true, timeout: Some(Duration::from_secs(5)) });
        let e = InviteExtra::parse(r#"{"_require_peer_online":"1","_timeout":"2.5"}"#);
        assert_eq!(e, InviteExtra { require_peer_online: true, timeout: Some(Duration::from_millis(2500)) });
        let e = InviteExtra::parse(r#"{"_require_peer_online":0,"_timeout":0}"#);
        assert_eq!(e, InviteExtra::default(), "0 turns both off");
        assert_eq!(InviteExtra::parse(r#"{"_timeout":-3}"#).timeout, None);
    }

    #[test]
    fn invite_msg_round_trip() {
        let m = InviteMsg::dtmf("room_1", "12#*");
        assert_eq!(m.extra, r#"{"msgdata":"12#*","msgtype":"dtmf"}"#);
        let text = m.to_text();
        assert!(text.starts_with(INVITE_MSG_PREFIX));
        assert_eq!(InviteMsg::parse(&text), Some(m));
        assert_eq!(InviteMsg::parse("hello"), None);
        assert_eq!(InviteMsg::parse("SigshimLegacyInviteMsg:{}"), None);
    }

    #[test]
    fn dtmf_digits() {
        assert!(is_dtmf("0123456789*#"));
        assert!(!is_dtmf(""));
        assert!(!is_dtmf("12a"));
        assert!(!is_dtmf("1 2"));
    }
}
