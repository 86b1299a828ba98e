//! Limit profiles: the RTM defaults every core client gets, and the legacy Signaling profile
//! the legacy facade logs in with.
//!
//! A client names its profile at login ([`LoginRequest::profile`](crate::protocol::LoginRequest));
//! the hub then enforces that profile's [`Limits`] for the whole session, in-process and over
//! the network alike. The numbers of both profiles are the hub's to configure
//! ([`HubConfig::limits`](crate::HubConfig) and [`HubConfig::legacy_limits`](crate::HubConfig)).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Limits, RateLimit, RateLimits};

/// Which set of limits a session lives under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Profile {
    /// RTM 1.x: the sizes, counts and call-rate quotas of Agora's RTM service (the default).
    #[default]
    Rtm,
    /// The legacy Signaling SDK's: 128-character accounts, channel names and attribute names,
    /// 8 KB messages, 60 messages a second per user and 200 per channel, and no quotas on the
    /// queries and joins the legacy API made freely.
    Legacy,
}

impl Profile {
    /// True for [`Profile::Rtm`] (lets the wire format omit the default).
    pub fn is_rtm(&self) -> bool {
        *self == Profile::Rtm
    }

    /// The profile's built-in limits: [`Limits::default`] or [`Limits::legacy`].
    pub fn default_limits(self) -> Limits {
        match self {
            Profile::Rtm => Limits::default(),
            Profile::Legacy => Limits::legacy(),
        }
    }
}

impl Limits {
    /// The legacy Signaling profile. What the legacy SDK documented replaces RTM's numbers:
    ///
    /// | limit | legacy | RTM default |
    /// |---|---|---|
    /// | account and channel name | 128 bytes | 64 |
    /// | attribute name | 128 bytes | 32 |
    /// | peer and channel message | 8 KB | 32 KB |
    /// | messages per user | 60 per second | 180 per 3 s |
    /// | messages per channel | 200 per second | none |
    /// | online queries, joins (also of one channel), member lists, member counts, attribute reads and writes, subscriptions | no quota | RTM's quotas |
    ///
    /// Everything else (attribute values, counts, offline store, invitations) stays at the RTM
    /// default, which is at least what the legacy SDK allowed.
    pub fn legacy() -> Self {
        Self {
            max_id_bytes: 128,
            max_message_bytes: 8 * 1024,
            max_attribute_key_bytes: 128,
            rates: RateLimits::legacy(),
            ..Self::default()
        }
    }
}

impl RateLimits {
    /// The legacy profile's budgets: 60 messages a second per user and 200 a second per
    /// channel, logins and token renewals as RTM's, and no quota on anything else.
    pub fn legacy() -> Self {
        let rtm = Self::default();
        Self {
            login: rtm.login,
            renew_token: rtm.renew_token,
            messages: RateLimit::new(60, Duration::from_secs(1)),
            channel_messages: RateLimit::new(200, Duration::from_secs(1)),
            ..Self::unlimited()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_lifts_the_quotas_and_keeps_the_legacy_ones() {
        let l = Limits::legacy();
        assert_eq!((l.max_id_bytes, l.max_message_bytes, l.max_attribute_key_bytes), (128, 8192, 128));
        assert_eq!(l.rates.messages, RateLimit::new(60, Duration::from_secs(1)));
        assert_eq!(l.rates.channel_messages, RateLimit::new(200, Duration::from_secs(1)));
        assert_eq!(l.rates.query_online, RateLimit::unlimited());
        assert_eq!(l.rates.join_same_channel, RateLimit::unlimited());
        assert_eq!(l.rates.channel_member_count, RateLimit::unlimited());
        assert_eq!(l.rates.login, RateLimits::default().login);
        assert_eq!(l.max_attribute_value_bytes, Limits::default().max_attribute_value_bytes);
        assert_eq!(Profile::Legacy.default_limits(), l);
        assert_eq!(Profile::default(), Profile::Rtm);
    }
}
