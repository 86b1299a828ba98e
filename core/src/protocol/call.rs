//! The frames of call invitations: what one party of an invitation tells the other.
//!
//! An invitation is named by its caller and a number the caller chose. Every signal travels in
//! [`Request::Invitation`](super::Request::Invitation) to the hub, which forwards it to the other
//! party as [`Event::Invitation`](super::Event::Invitation) and remembers which invitations each
//! session has open, so that it can tell the other party when a session ends
//! ([`CallSignal::PeerGone`]).

use serde::{Deserialize, Serialize};

/// Which side of an invitation a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallRole {
    /// The user who sent the invitation.
    Caller,
    /// The user who was invited.
    Callee,
}

impl CallRole {
    /// The other side.
    pub fn other(self) -> Self {
        match self {
            CallRole::Caller => CallRole::Callee,
            CallRole::Callee => CallRole::Caller,
        }
    }
}

/// One step of an invitation, from the party that takes it to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallSignal {
    /// Caller → callee: the invitation (sent again while the callee is offline).
    Invite {
        /// The caller's content (at most 8 KB).
        #[serde(default)]
        content: String,
        /// The channel the call is about, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel_id: Option<String>,
    },
    /// Callee → caller: the callee's client received the invitation.
    Received,
    /// Callee → caller: the callee accepts.
    Accept {
        /// The callee's response (at most 8 KB).
        #[serde(default)]
        response: String,
    },
    /// Caller → callee: the caller saw the accept; the invitation is done.
    Confirm,
    /// Callee → caller: the callee refuses; the invitation is done.
    Refuse {
        /// The callee's response (at most 8 KB).
        #[serde(default)]
        response: String,
    },
    /// Caller → callee: the caller withdrew the invitation.
    Cancel,
    /// Either way: the sender's timer ended the invitation.
    Expire,
    /// Hub → either: the other party's session ended. Clients never send it.
    PeerGone,
}

impl CallSignal {
    /// Bytes of content the signal carries (the invitation's content or the response).
    pub fn content_len(&self) -> usize {
        match self {
            CallSignal::Invite { content, channel_id } => {
                content.len() + channel_id.as_ref().map_or(0, String::len)
            }
            CallSignal::Accept { response } | CallSignal::Refuse { response } => response.len(),
            _ => 0,
        }
    }

    /// The side that may send this signal (`None`: either side).
    pub fn sender(&self) -> Option<CallRole> {
        match self {
            CallSignal::Invite { .. } | CallSignal::Confirm | CallSignal::Cancel => Some(CallRole::Caller),
            CallSignal::Received | CallSignal::Accept { .. } | CallSignal::Refuse { .. } => {
                Some(CallRole::Callee)
            }
            CallSignal::Expire | CallSignal::PeerGone => None,
        }
    }

    /// True when the invitation is over once this signal has been sent.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            CallSignal::Confirm
                | CallSignal::Refuse { .. }
                | CallSignal::Cancel
                | CallSignal::Expire
                | CallSignal::PeerGone
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape() {
        let s = CallSignal::Invite { content: "hi".into(), channel_id: Some("room".into()) };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v, serde_json::json!({"kind":"invite","content":"hi","channel_id":"room"}));
        assert_eq!(serde_json::from_value::<CallSignal>(v).unwrap(), s);
        let bare: CallSignal = serde_json::from_str(r#"{"kind":"invite"}"#).unwrap();
        assert_eq!(bare, CallSignal::Invite { content: String::new(), channel_id: None });
        assert_eq!(serde_json::to_value(CallRole::Callee).unwrap(), "callee");
    }

    #[test]
    fn who_sends_what() {
        assert_eq!(CallSignal::Cancel.sender(), Some(CallRole::Caller));
        assert_eq!(CallSignal::Accept { response: String::new() }.sender(), Some(CallRole::Callee));
        assert_eq!(CallSignal::Expire.sender(), None);
        assert!(!CallSignal::Received.is_final());
        assert!(!CallSignal::Accept { response: String::new() }.is_final());
        assert!(CallSignal::Confirm.is_final());
    }
}
