//! Identifier rules, size and count limits, and call-rate limits.
//!
//! Every number defaults to the RTM 1.x value and can be changed through [`Limits`]; the legacy
//! facade's sessions live under the legacy Signaling profile instead ([`Profile`],
//! [`Limits::legacy`]). The hub is the single place that enforces them, so an in-process client
//! and a network client see the same answers; clients check sizes before sending with the same
//! numbers.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

mod profile;

pub use profile::Profile;

/// Why an identifier was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The identifier is empty.
    #[error("identifier is empty")]
    Empty,
    /// The identifier is longer than the limit (in bytes).
    #[error("identifier is longer than {0} bytes")]
    TooLong(usize),
    /// The identifier contains a character outside the allowed set.
    #[error("identifier contains a character outside the allowed set")]
    BadCharacter,
    /// The identifier is the literal string `null`.
    #[error("identifier must not be \"null\"")]
    Null,
}

/// True for the characters RTM allows in user and channel IDs: ASCII letters and digits, space,
/// and `! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ,`.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " !#$%&()+-:;<=.>?@[]^_{}|~,".contains(c)
}

/// Checks a user or channel ID against the RTM rules, with `max_len` bytes at most.
pub fn validate_id(id: &str, max_len: usize) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if id.len() > max_len {
        return Err(IdError::TooLong(max_len));
    }
    if id == "null" {
        return Err(IdError::Null);
    }
    if !id.chars().all(is_id_char) {
        return Err(IdError::BadCharacter);
    }
    Ok(())
}

/// The longest App ID accepted, in bytes.
pub const MAX_APP_ID_BYTES: usize = 128;

/// True when `app_id` is a well-formed App ID: 1 to [`MAX_APP_ID_BYTES`] visible ASCII
/// characters (no spaces, none around it either). App IDs are compared exactly; one with
/// surrounding whitespace is refused rather than trimmed, in-process and over the network alike.
pub fn is_valid_app_id(app_id: &str) -> bool {
    !app_id.is_empty() && app_id.len() <= MAX_APP_ID_BYTES && app_id.bytes().all(|b| b.is_ascii_graphic())
}

/// A call-rate budget: at most `count` calls in any window of `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed per window.
    pub count: u32,
    /// Window length.
    pub per: Duration,
}

impl RateLimit {
    /// `count` calls per `per`.
    pub const fn new(count: u32, per: Duration) -> Self {
        Self { count, per }
    }

    /// A budget that never runs out.
    pub const fn unlimited() -> Self {
        Self { count: u32::MAX, per: Duration::ZERO }
    }
}

/// Sliding-window enforcement of a [`RateLimit`]. Remembers at most `count` instants.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    calls: VecDeque<Instant>,
}

impl RateLimiter {
    /// A limiter with no calls recorded yet.
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, calls: VecDeque::new() }
    }

    /// Records a call at `now` and returns true when it fits the budget; a refused call is not
    /// recorded.
    pub fn try_acquire_at(&mut self, now: Instant) -> bool {
        if self.limit.per.is_zero() {
            return true;
        }
        while let Some(&first) = self.calls.front() {
            if now.duration_since(first) >= self.limit.per {
                self.calls.pop_front();
            } else {
                break;
            }
        }
        if self.calls.len() as u64 >= u64::from(self.limit.count) {
            return false;
        }
        self.calls.push_back(now);
        true
    }

    /// [`try_acquire_at`](Self::try_acquire_at) with the current (tokio) time.
    pub fn try_acquire(&mut self) -> bool {
        self.try_acquire_at(Instant::now())
    }
}

/// The rate budgets of one logged-in client, RTM defaults.
///
/// Like every configuration struct, built from [`Default`] (or [`RateLimits::unlimited`]) with
/// a chainable setter per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimits {
    /// Logins per client (2 per second).
    pub login: RateLimit,
    /// Token renewals (2 per second).
    pub renew_token: RateLimit,
    /// Peer and channel messages together (180 per 3 s).
    pub messages: RateLimit,
    /// Channel messages one channel accepts from all the senders of this profile together
    /// (RTM states none: unlimited; legacy: 200 per second).
    pub channel_messages: RateLimit,
    /// Online-status queries (10 per 5 s).
    pub query_online: RateLimit,
    /// Subscribe, unsubscribe and subscription queries, each (10 per 5 s).
    pub subscription: RateLimit,
    /// Local user attribute updates (10 per 5 s).
    pub set_user_attributes: RateLimit,
    /// User attribute reads (40 per 5 s).
    pub get_user_attributes: RateLimit,
    /// Channel joins (50 per 3 s).
    pub join: RateLimit,
    /// Joins of the same channel (2 per 5 s).
    pub join_same_channel: RateLimit,
    /// Member lists (5 per 2 s).
    pub get_members: RateLimit,
    /// Member-count queries (1 per s).
    pub channel_member_count: RateLimit,
    /// Channel attribute updates (10 per 5 s).
    pub set_channel_attributes: RateLimit,
    /// Channel attribute reads (10 per 5 s).
    pub get_channel_attributes: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        let s = Duration::from_secs;
        Self {
            login: RateLimit::new(2, s(1)),
            renew_token: RateLimit::new(2, s(1)),
            messages: RateLimit::new(180, s(3)),
            channel_messages: RateLimit::unlimited(),
            query_online: RateLimit::new(10, s(5)),
            subscription: RateLimit::new(10, s(5)),
            set_user_attributes: RateLimit::new(10, s(5)),
            get_user_attributes: RateLimit::new(40, s(5)),
            join: RateLimit::new(50, s(3)),
            join_same_channel: RateLimit::new(2, s(5)),
            get_members: RateLimit::new(5, s(2)),
            channel_member_count: RateLimit::new(1, s(1)),
            set_channel_attributes: RateLimit::new(10, s(5)),
            get_channel_attributes: RateLimit::new(10, s(5)),
        }
    }
}

impl RateLimits {
    /// Budgets that never run out (benchmarks, trusted server-side clients).
    pub fn unlimited() -> Self {
        let u = RateLimit::unlimited();
        Self {
            login: u,
            renew_token: u,
            messages: u,
            channel_messages: u,
            query_online: u,
            subscription: u,
            set_user_attributes: u,
            get_user_attributes: u,
            join: u,
            join_same_channel: u,
            get_members: u,
            channel_member_count: u,
            set_channel_attributes: u,
            get_channel_attributes: u,
        }
    }
}

/// The default [`Limits::max_message_bytes`]: RTM's 32 KB. The network frame limit is derived
/// from it (`sigshim::server::ServerConfig::max_frame_bytes`), so that a message of this size
/// fits a frame however its text is escaped.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 32 * 1024;

/// Sizes and counts, RTM defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest user or channel ID, in bytes (64).
    pub max_id_bytes: usize,
    /// Largest message (text, or raw data plus description), in bytes (32 KB).
    pub max_message_bytes: usize,
    /// Most peers in one online-status query (256).
    pub max_query_peers: usize,
    /// Most subscribed peers per client (512).
    pub max_subscriptions: usize,
    /// Longest attribute key, in bytes (32).
    pub max_attribute_key_bytes: usize,
    /// Largest attribute value, in bytes (8 KB).
    pub max_attribute_value_bytes: usize,
    /// Largest total of a user's attributes, keys plus values (16 KB).
    pub max_user_attributes_bytes: usize,
    /// Most attributes per user or channel (32).
    pub max_attributes: usize,
    /// Offline messages kept per receiver (200).
    pub offline_messages_per_user: usize,
    /// How long an offline message is kept (7 days).
    pub offline_message_ttl: Duration,
    /// Channels one client may have joined at once (20).
    pub max_joined_channels: usize,
    /// Most members `get_members` returns (512).
    pub max_members_listed: usize,
    /// Above this many members, joins and leaves are not announced (512).
    pub member_events_max: usize,
    /// Most channel IDs in one member-count query (32).
    pub max_channel_ids: usize,
    /// Largest total of a channel's attributes, keys plus values (32 KB).
    pub max_channel_attributes_bytes: usize,
    /// How long the attributes of a channel without members are kept (2 minutes).
    pub channel_attributes_ttl: Duration,
    /// Largest invitation content or response, in bytes (8 KB).
    pub max_invitation_bytes: usize,
    /// Invitations one session may have open at once, as caller or callee (a sigshim bound;
    /// RTM states none).
    pub max_open_invitations: usize,
    /// Call-rate budgets.
    pub rates: RateLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_id_bytes: 64,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_query_peers: 256,
            max_subscriptions: 512,
            max_attribute_key_bytes: 32,
            max_attribute_value_bytes: 8 * 1024,
            max_user_attributes_bytes: 16 * 1024,
            max_attributes: 32,
            offline_messages_per_user: 200,
            offline_message_ttl: Duration::from_secs(7 * 24 * 3600),
            max_joined_channels: 20,
            max_members_listed: 512,
            member_events_max: 512,
            max_channel_ids: 32,
            max_channel_attributes_bytes: 32 * 1024,
            channel_attributes_ttl: Duration::from_secs(120),
            max_invitation_bytes: 8 * 1024,
            max_open_invitations: 256,
            rates: RateLimits::default(),
        }
    }
}

crate::config::config_setters!(RateLimits {
    login: RateLimit,
    renew_token: RateLimit,
    messages: RateLimit,
    channel_messages: RateLimit,
    query_online: RateLimit,
    subscription: RateLimit,
    set_user_attributes: RateLimit,
    get_user_attributes: RateLimit,
    join: RateLimit,
    join_same_channel: RateLimit,
    get_members: RateLimit,
    channel_member_count: RateLimit,
    set_channel_attributes: RateLimit,
    get_channel_attributes: RateLimit,
});

crate::config::config_setters!(Limits {
    max_id_bytes: usize,
    max_message_bytes: usize,
    max_query_peers: usize,
    max_subscriptions: usize,
    max_attribute_key_bytes: usize,
    max_attribute_value_bytes: usize,
    max_user_attributes_bytes: usize,
    max_attributes: usize,
    offline_messages_per_user: usize,
    offline_message_ttl: Duration,
    max_joined_channels: usize,
    max_members_listed: usize,
    member_events_max: usize,
    max_channel_ids: usize,
    max_channel_attributes_bytes: usize,
    channel_attributes_ttl: Duration,
    max_invitation_bytes: usize,
    max_open_invitations: usize,
    rates: RateLimits,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rules() {
        assert_eq!(validate_id("alice", 64), Ok(()));
        assert_eq!(validate_id("a b!#$%&()+-:;<=.>?@[]^_{}|~,", 64), Ok(()));
        assert_eq!(validate_id("", 64), Err(IdError::Empty));
        assert_eq!(validate_id("null", 64), Err(IdError::Null));
        assert_eq!(validate_id("NULL", 64), Ok(()));
        assert_eq!(validate_id(&"x".repeat(65), 64), Err(IdError::TooLong(64)));
        assert_eq!(validate_id(&"x".repeat(64), 64), Ok(()));
        assert_eq!(validate_id("tab\there", 64), Err(IdError::BadCharacter));
        assert_eq!(validate_id("quote\"", 64), Err(IdError::BadCharacter));
        assert_eq!(validate_id("é", 64), Err(IdError::BadCharacter));
        assert_eq!(validate_id("slash/", 64), Err(IdError::BadCharacter));
    }

    #[test]
    fn app_id_rules() {
        assert!(is_valid_app_id("0123456789abcdef0123456789abcdef"));
        assert!(is_valid_app_id("demo-app_1"));
        assert!(is_valid_app_id(&"a".repeat(MAX_APP_ID_BYTES)));
        assert!(!is_valid_app_id(""));
        assert!(!is_valid_app_id("app "), "trailing space");
        assert!(!is_valid_app_id(" app"), "leading space");
        assert!(!is_valid_app_id("my app"), "inner space");
        assert!(!is_valid_app_id("app\n"));
        assert!(!is_valid_app_id("appé"));
        assert!(!is_valid_app_id(&"a".repeat(MAX_APP_ID_BYTES + 1)));
    }

    #[tokio::test(start_paused = true)]
    async fn sliding_window() {
        let mut l = RateLimiter::new(RateLimit::new(2, Duration::from_secs(1)));
        assert!(l.try_acquire());
        assert!(l.try_acquire());
        assert!(!l.try_acquire());
        tokio::time::advance(Duration::from_millis(999)).await;
        assert!(!l.try_acquire());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(l.try_acquire());
        assert!(l.try_acquire());
        assert!(!l.try_acquire());
    }

    #[test]
    fn unlimited_never_refuses() {
        let mut l = RateLimiter::new(RateLimit::unlimited());
        for _ in 0..10_000 {
            assert!(l.try_acquire());
        }
    }
}
