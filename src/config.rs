//! `sigshim serve` configuration: an optional TOML file, overridden by flags and environment.
//!
//! `[cluster]` is resolved on its own ([`ClusterSection::resolve`]): the engine that makes the
//! server one node of several.
//!
//! Durations are written in milliseconds (`*_ms`) or seconds (`*_secs`); every key is optional
//! and defaults to the RTM value. `sigshim serve --print-config` shows the effective settings.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sigshim::HubConfig;
use sigshim::hub::engine::RedisEngineConfig;
use sigshim::limits::{RateLimit, RateLimits};
use sigshim::server::ServerConfig;

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    /// Address to listen on.
    pub(crate) listen: Option<SocketAddr>,
    /// The app ID clients log in with.
    pub(crate) app_id: Option<String>,
    /// The App Certificate; when set, every login needs a token.
    pub(crate) app_certificate: Option<String>,
    /// Network limits.
    #[serde(default)]
    pub(crate) server: ServerSection,
    /// Hub policies.
    #[serde(default)]
    pub(crate) hub: HubSection,
    /// Call-rate budgets per client, as `{ count, per_ms }`.
    #[serde(default)]
    pub(crate) rates: RatesSection,
    /// The legacy profile (the sessions of legacy Signaling instances).
    #[serde(default)]
    pub(crate) legacy: LegacySection,
    /// Several nodes serving one app through Redis.
    #[serde(default)]
    pub(crate) cluster: ClusterSection,
}

/// `[cluster]`: the engine that makes this server one node of several. Without `engine` the
/// hub keeps everything in memory, and the other keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClusterSection {
    /// `redis://host:port[/db]`.
    pub(crate) engine: Option<String>,
    /// This node's name, unique among the nodes (default: random at each start).
    pub(crate) node_id: Option<String>,
    /// The first part of the engine's key names (default `sigshim`): deployments that share one
    /// Redis each take their own.
    pub(crate) namespace: Option<String>,
    /// How long a call to Redis may take before its request fails.
    pub(crate) call_timeout_ms: Option<u64>,
    /// How long this node's users stay online in Redis after the node stops renewing its lease.
    pub(crate) lease_ms: Option<u64>,
}

/// `[legacy]`: the numbers of the legacy limits profile; unset keys keep the legacy defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LegacySection {
    pub(crate) max_id_bytes: Option<usize>,
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) max_attribute_key_bytes: Option<usize>,
    pub(crate) max_attribute_value_bytes: Option<usize>,
    /// Messages per user.
    pub(crate) messages: Option<Rate>,
    /// Messages per channel, all legacy senders together.
    pub(crate) channel_messages: Option<Rate>,
}

/// `[server]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerSection {
    pub(crate) max_frame_bytes: Option<usize>,
    pub(crate) http_timeout_ms: Option<u64>,
    pub(crate) max_pending_connections: Option<usize>,
    pub(crate) handshake_timeout_ms: Option<u64>,
    pub(crate) idle_timeout_ms: Option<u64>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) max_unacked: Option<usize>,
    pub(crate) max_unacked_bytes: Option<usize>,
    pub(crate) slow_consumer_timeout_ms: Option<u64>,
    pub(crate) max_bad_frames: Option<u32>,
}

/// `[hub]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HubSection {
    pub(crate) inbox_capacity: Option<usize>,
    pub(crate) inbox_bytes: Option<usize>,
    pub(crate) session_grace_ms: Option<u64>,
    pub(crate) token_expiry_warning_ms: Option<u64>,
    pub(crate) max_offline_messages: Option<usize>,
    pub(crate) offline_messages_per_user: Option<usize>,
    pub(crate) offline_message_ttl_secs: Option<u64>,
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) max_query_peers: Option<usize>,
    pub(crate) max_subscriptions: Option<usize>,
    pub(crate) max_attribute_value_bytes: Option<usize>,
    pub(crate) max_user_attributes_bytes: Option<usize>,
    pub(crate) max_attributes: Option<usize>,
    pub(crate) allow_publish_without_join: Option<bool>,
    pub(crate) max_joined_channels: Option<usize>,
    pub(crate) member_events_max: Option<usize>,
    pub(crate) channel_attributes_ttl_secs: Option<u64>,
}

/// One budget in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rate {
    count: u32,
    per_ms: u64,
}

impl From<Rate> for RateLimit {
    fn from(r: Rate) -> Self {
        RateLimit::new(r.count, Duration::from_millis(r.per_ms))
    }
}

/// `[rates]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatesSection {
    /// Lift every budget of both profiles (trusted clients, benchmarks).
    #[serde(default)]
    pub(crate) unlimited: bool,
    pub(crate) renew_token: Option<Rate>,
    pub(crate) messages: Option<Rate>,
    pub(crate) query_online: Option<Rate>,
    pub(crate) subscription: Option<Rate>,
    pub(crate) set_user_attributes: Option<Rate>,
    pub(crate) get_user_attributes: Option<Rate>,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("no app ID: pass --app-id, set SIGSHIM_APP_ID, or put app_id in the file")]
    NoAppId,
    #[error(
        "server.max_frame_bytes = {frame} cannot carry a {message}-byte message at its worst JSON \
         escaping: set it to at least {needed}, or leave it out to have it derived"
    )]
    FrameTooSmall { frame: usize, message: usize, needed: usize },
    #[error("engine {url:?} is not a Redis URL: write it as redis://host:port (or redis://host:port/db)")]
    EngineScheme { url: String },
    #[error("the node ID is empty: leave it out for a random one, or name the node")]
    EmptyNodeId,
    #[error("node ID {node_id:?} contains '|', which the engine uses as a separator")]
    NodeIdSeparator { node_id: String },
    #[error("cluster.namespace = {namespace:?}: write it without spaces, ':', '{{' or '}}', and not empty")]
    BadNamespace { namespace: String },
    #[error("cluster.{key} = 0: the engine needs a positive duration")]
    ZeroDuration { key: &'static str },
    #[error(
        "cluster.{key} is set but there is no engine: pass --engine, set SIGSHIM_ENGINE, or put engine in [cluster]"
    )]
    ClusterWithoutEngine { key: &'static str },
}

impl FileConfig {
    /// Reads and checks a TOML file.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse { path: shown, message: e.to_string() })
    }

    /// The hub and server settings, with the defaults filled in.
    pub(crate) fn resolve(
        &self,
        default_listen: SocketAddr,
    ) -> Result<(HubConfig, ServerConfig), ConfigError> {
        let app_id = self.app_id.clone().filter(|a| !a.is_empty()).ok_or(ConfigError::NoAppId)?;
        let mut hub = HubConfig::new(app_id);
        hub.app_certificate = self.app_certificate.clone().filter(|c| !c.is_empty());
        let h = &self.hub;
        let ms = Duration::from_millis;
        set(&mut hub.inbox_capacity, h.inbox_capacity);
        set(&mut hub.inbox_bytes, h.inbox_bytes);
        set(&mut hub.session_grace, h.session_grace_ms.map(ms));
        set(&mut hub.token_expiry_warning, h.token_expiry_warning_ms.map(ms));
        set(&mut hub.max_offline_messages, h.max_offline_messages);
        set(&mut hub.allow_publish_without_join, h.allow_publish_without_join);
        // Counts and hub-wide settings hold for both profiles; the sizes the legacy profile has
        // its own keys for (`[legacy]`) are the RTM profile's only.
        for l in [&mut hub.limits, &mut hub.legacy_limits] {
            set(&mut l.offline_messages_per_user, h.offline_messages_per_user);
            set(&mut l.offline_message_ttl, h.offline_message_ttl_secs.map(Duration::from_secs));
            set(&mut l.max_query_peers, h.max_query_peers);
            set(&mut l.max_subscriptions, h.max_subscriptions);
            set(&mut l.max_user_attributes_bytes, h.max_user_attributes_bytes);
            set(&mut l.max_attributes, h.max_attributes);
            set(&mut l.max_joined_channels, h.max_joined_channels);
            set(&mut l.member_events_max, h.member_events_max);
            set(&mut l.channel_attributes_ttl, h.channel_attributes_ttl_secs.map(Duration::from_secs));
        }
        let l = &mut hub.limits;
        set(&mut l.max_message_bytes, h.max_message_bytes);
        set(&mut l.max_attribute_value_bytes, h.max_attribute_value_bytes);
        let r = &self.rates;
        if r.unlimited {
            l.rates = RateLimits::unlimited();
            hub.legacy_limits.rates = RateLimits::unlimited();
        }
        let rates = &mut l.rates;
        set(&mut rates.renew_token, r.renew_token.map(Into::into));
        set(&mut rates.messages, r.messages.map(Into::into));
        set(&mut rates.query_online, r.query_online.map(Into::into));
        set(&mut rates.subscription, r.subscription.map(Into::into));
        set(&mut rates.set_user_attributes, r.set_user_attributes.map(Into::into));
        set(&mut rates.get_user_attributes, r.get_user_attributes.map(Into::into));
        let g = &self.legacy;
        let legacy = &mut hub.legacy_limits;
        set(&mut legacy.max_id_bytes, g.max_id_bytes);
        set(&mut legacy.max_message_bytes, g.max_message_bytes);
        set(&mut legacy.max_attribute_key_bytes, g.max_attribute_key_bytes);
        set(&mut legacy.max_attribute_value_bytes, g.max_attribute_value_bytes);
        set(&mut legacy.rates.messages, g.messages.map(Into::into));
        set(&mut legacy.rates.channel_messages, g.channel_messages.map(Into::into));

        let mut server = ServerConfig::new(self.listen.unwrap_or(default_listen));
        let s = &self.server;
        // The frame limit follows the message limit unless set; set, it must still carry the
        // largest message at its worst escaping.
        let message = hub.limits.max_message_bytes.max(hub.legacy_limits.max_message_bytes);
        let needed = sigshim::protocol::frame_bytes_for(message);
        server.max_frame_bytes = match s.max_frame_bytes {
            Some(frame) if frame < needed => {
                return Err(ConfigError::FrameTooSmall { frame, message, needed });
            }
            Some(frame) => frame,
            None => needed.max(server.max_frame_bytes),
        };
        set(&mut server.http_timeout, s.http_timeout_ms.map(ms));
        set(&mut server.max_pending_connections, s.max_pending_connections);
        set(&mut server.handshake_timeout, s.handshake_timeout_ms.map(ms));
        set(&mut server.idle_timeout, s.idle_timeout_ms.map(ms));
        set(&mut server.max_connections, s.max_connections);
        set(&mut server.max_unacked, s.max_unacked);
        set(&mut server.max_unacked_bytes, s.max_unacked_bytes);
        set(&mut server.slow_consumer_timeout, s.slow_consumer_timeout_ms.map(ms));
        set(&mut server.max_bad_frames, s.max_bad_frames);
        Ok((hub, server))
    }
}

impl ClusterSection {
    /// The engine's settings, or `None` when the server runs alone (no `engine`).
    pub(crate) fn resolve(&self) -> Result<Option<RedisEngineConfig>, ConfigError> {
        let Some(url) = self.engine.as_deref().filter(|u| !u.is_empty()) else {
            let set = [
                ("node_id", self.node_id.is_some()),
                ("namespace", self.namespace.is_some()),
                ("call_timeout_ms", self.call_timeout_ms.is_some()),
                ("lease_ms", self.lease_ms.is_some()),
            ];
            return match set.into_iter().find(|(_, is_set)| *is_set) {
                Some((key, _)) => Err(ConfigError::ClusterWithoutEngine { key }),
                None => Ok(None),
            };
        };
        let authority = url.strip_prefix("redis://").unwrap_or_default();
        if authority.is_empty() || authority.starts_with('/') {
            return Err(ConfigError::EngineScheme { url: redact(url) });
        }
        let mut engine = RedisEngineConfig::new(url);
        if let Some(node_id) = &self.node_id {
            if node_id.is_empty() {
                return Err(ConfigError::EmptyNodeId);
            }
            if node_id.contains('|') {
                return Err(ConfigError::NodeIdSeparator { node_id: node_id.clone() });
            }
            engine = engine.node_id(node_id.clone());
        }
        if let Some(namespace) = &self.namespace {
            engine = engine.namespace(namespace.clone());
            if engine.check().is_err() {
                return Err(ConfigError::BadNamespace { namespace: namespace.clone() });
            }
        }
        for (key, value) in [("call_timeout_ms", self.call_timeout_ms), ("lease_ms", self.lease_ms)] {
            if value == Some(0) {
                return Err(ConfigError::ZeroDuration { key });
            }
        }
        if let Some(ms) = self.call_timeout_ms {
            engine = engine.call_timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = self.lease_ms {
            engine = engine.lease(Duration::from_millis(ms));
        }
        Ok(Some(engine))
    }
}

/// `url` with its password, if any, replaced by `***`, fit for logs and messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_override_defaults() {
        let text = r#"
            app_id = "app"
            listen = "127.0.0.1:7000"
            [server]
            idle_timeout_ms = 5000
            [hub]
            session_grace_ms = 1000
            offline_messages_per_user = 10
            allow_publish_without_join = false
            channel_attributes_ttl_secs = 60
            [rates]
            messages = { count = 1500, per_ms = 3000 }
            [legacy]
            max_message_bytes = 4096
            channel_messages = { count = 50, per_ms = 1000 }
        "#;
        let f: FileConfig = toml::from_str(text).unwrap();
        let (hub, server) = f.resolve("0.0.0.0:1".parse().unwrap()).unwrap();
        assert_eq!(hub.app_id, "app");
        assert_eq!(hub.session_grace, Duration::from_millis(1000));
        assert_eq!(hub.limits.offline_messages_per_user, 10);
        assert!(!hub.allow_publish_without_join);
        assert_eq!(hub.limits.channel_attributes_ttl, Duration::from_secs(60));
        assert_eq!(hub.limits.rates.messages, RateLimit::new(1500, Duration::from_secs(3)));
        assert_eq!(hub.limits.rates.query_online, RateLimits::default().query_online);
        assert_eq!(hub.legacy_limits.max_message_bytes, 4096);
        assert_eq!(hub.legacy_limits.rates.channel_messages, RateLimit::new(50, Duration::from_secs(1)));
        assert_eq!(hub.legacy_limits.max_id_bytes, 128, "unset keys keep the legacy profile's");
        assert_eq!(hub.legacy_limits.rates.messages, RateLimit::new(60, Duration::from_secs(1)));
        assert_eq!(hub.legacy_limits.offline_messages_per_user, 10, "[hub] counts hold for both profiles");
        assert_eq!(hub.legacy_limits.channel_attributes_ttl, Duration::from_secs(60));
        assert_eq!(server.listen, "127.0.0.1:7000".parse().unwrap());
        assert_eq!(server.idle_timeout, Duration::from_secs(5));
    }

    #[test]
    fn unknown_keys_and_missing_app_id_are_errors() {
        assert!(toml::from_str::<FileConfig>("app_idd = \"x\"").is_err());
        assert!(toml::from_str::<FileConfig>("[hub]\nsession_grace = 3").is_err());
        let empty = FileConfig::default();
        assert!(matches!(empty.resolve("127.0.0.1:1".parse().unwrap()), Err(ConfigError::NoAppId)));
    }

    #[test]
    fn the_frame_limit_follows_the_message_limit_and_must_carry_it() {
        let resolve = |text: &str| {
            let file: FileConfig = toml::from_str(&format!("app_id = \"a\"\n{text}")).unwrap();
            file.resolve("127.0.0.1:1".parse().unwrap())
        };
        let (_, server) = resolve("").unwrap();
        assert_eq!(server.max_frame_bytes, sigshim::protocol::DEFAULT_MAX_FRAME_BYTES);
        let (_, server) = resolve("[hub]\nmax_message_bytes = 65536").unwrap();
        assert_eq!(server.max_frame_bytes, sigshim::protocol::frame_bytes_for(65_536));
        let too_small = resolve("[hub]\nmax_message_bytes = 65536\n[server]\nmax_frame_bytes = 131072");
        assert!(matches!(too_small, Err(ConfigError::FrameTooSmall { frame: 131_072, message: 65_536, .. })));
        let (_, server) = resolve("[server]\nmax_frame_bytes = 1048576").unwrap();
        assert_eq!(server.max_frame_bytes, 1 << 20);
    }

    fn cluster(text: &str) -> Result<Option<RedisEngineConfig>, ConfigError> {
        toml::from_str::<FileConfig>(text).unwrap().cluster.resolve()
    }

    #[test]
    fn the_cluster_section_makes_the_engine_settings() {
        assert_eq!(cluster("").unwrap(), None, "no engine: the hub stays alone");
        let text = r#"
            [cluster]
            engine = "redis://10.0.0.5:6380/2"
            node_id = "eu-1"
            namespace = "shop"
            call_timeout_ms = 750
            lease_ms = 4000
        "#;
        let engine = cluster(text).unwrap().expect("an engine");
        assert_eq!(engine.url, "redis://10.0.0.5:6380/2");
        assert_eq!(engine.node_id, "eu-1");
        assert_eq!(engine.namespace, "shop");
        assert_eq!(engine.call_timeout, Duration::from_millis(750));
        assert_eq!(engine.lease, Duration::from_secs(4));
        assert!(engine.check_durability, "durability is always checked");
        let defaults = cluster("[cluster]\nengine = \"redis://127.0.0.1:6379\"").unwrap().expect("an engine");
        let reference = RedisEngineConfig::new("redis://127.0.0.1:6379");
        assert_eq!((defaults.call_timeout, defaults.lease), (reference.call_timeout, reference.lease));
        assert_eq!(defaults.namespace, "sigshim");
        assert!(!defaults.node_id.is_empty(), "a node ID is made up when none is given");
    }

    #[test]
    fn bad_cluster_settings_are_typed_errors() {
        for url in ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis://", "redis:///0", "rediss://h:1"] {
            let e = cluster(&format!("[cluster]\nengine = {url:?}")).unwrap_err();
            assert!(matches!(&e, ConfigError::EngineScheme { url: u } if u == url), "{url}: {e:?}");
            assert!(e.to_string().contains("redis://host:port"), "{e}");
        }
        let engine = "[cluster]\nengine = \"redis://127.0.0.1:6379\"\n";
        assert!(matches!(cluster(&format!("{engine}node_id = \"\"")), Err(ConfigError::EmptyNodeId)));
        let e = cluster(&format!("{engine}node_id = \"a|b\"")).unwrap_err();
        assert!(matches!(&e, ConfigError::NodeIdSeparator { node_id } if node_id == "a|b"), "{e:?}");
        assert!(e.to_string().contains("'|'"), "{e}");
        let e = cluster(&format!("{engine}namespace = \"a:b\"")).unwrap_err();
        assert!(matches!(&e, ConfigError::BadNamespace { namespace } if namespace == "a:b"), "{e:?}");
        let e = cluster(&format!("{engine}lease_ms = 0")).unwrap_err();
        assert!(matches!(e, ConfigError::ZeroDuration { key: "lease_ms" }), "{e:?}");
        let e = cluster(&format!("{engine}call_timeout_ms = 0")).unwrap_err();
        assert!(matches!(e, ConfigError::ZeroDuration { key: "call_timeout_ms" }), "{e:?}");
        let e = cluster("[cluster]\nnode_id = \"n1\"").unwrap_err();
        assert!(matches!(e, ConfigError::ClusterWithoutEngine { key: "node_id" }), "{e:?}");
        assert!(toml::from_str::<FileConfig>("[cluster]\nnode = \"n1\"").is_err(), "unknown keys");
    }

    #[test]
    fn passwords_are_hidden_from_shown_urls() {
        assert_eq!(redact("redis://:s3cret@db:6379/1"), "redis://:***@db:6379/1");
        assert_eq!(redact("redis://app:s3cret@db:6379"), "redis://app:***@db:6379");
        assert_eq!(redact("redis://app@db:6379"), "redis://app@db:6379");
        assert_eq!(redact("redis://db:6379"), "redis://db:6379");
        assert_eq!(redact("redis://db/a@b"), "redis://db/a@b", "an @ after the host is not a password");
        let e = cluster("[cluster]\nengine = \"http://u:pw@h:1\"").unwrap_err();
        assert!(!e.to_string().contains("pw"), "{e}");
    }
}
