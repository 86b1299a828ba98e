//! Set-up shared by the `ws_faults*` tests: a server over a hub with short real-time timeouts,
//! core clients over `ws://` (directly or through a [`Proxy`](sigshim_conformance::proxy::Proxy)),
//! and waits that are all bounded by a deadline.
#![allow(dead_code, unreachable_pub)] // each test binary uses a part

use std::sync::Arc;
use std::time::Duration;

use sigshim::client::ReconnectPolicy;
use sigshim::limits::RateLimits;
use sigshim::server::{Server, ServerConfig};
use sigshim::transport::{WsConnector, WsOptions};
use sigshim::{
    Client, ClientEvent, ConnectionChangeReason as R, ConnectionState as S, Hub, HubConfig, Limits, Message,
    SendMessageOptions,
};
use sigshim_conformance::fixtures::next_message;
use sigshim_conformance::{APP_ID, CoreDriver, Driver, WAIT};

/// Milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Client link settings: ping every 100 ms, the link is lost after 500 ms of silence.
pub fn ws_options() -> WsOptions {
    WsOptions::default().heartbeat(ms(100)).link_timeout(ms(500))
}

/// Reconnects quickly: 50 ms, doubling up to 200 ms, forever.
pub fn fast_reconnect() -> ReconnectPolicy {
    ReconnectPolicy::default().initial_backoff(ms(50)).max_backoff(ms(200))
}

/// A server on `127.0.0.1:0` that drops a silent connection after 1 s.
pub fn server_config() -> ServerConfig {
    ServerConfig::new(([127, 0, 0, 1], 0).into())
        .idle_timeout(Duration::from_secs(1))
        .prometheus(sigshim_conformance::raw::prometheus())
}

/// A hub without rate limits whose parked sessions last `grace`.
pub fn hub_with_grace(grace: Duration) -> Hub {
    Hub::new(hub_config(grace))
}

/// The configuration of [`hub_with_grace`], to adjust further.
pub fn hub_config(grace: Duration) -> HubConfig {
    let limits = Limits::default().rates(RateLimits::unlimited());
    let mut config = HubConfig::new(APP_ID).limits(limits);
    config.session_grace = grace;
    config
}

/// Starts a server over `hub` on a fresh port.
pub async fn serve(hub: &Hub, config: ServerConfig) -> Server {
    Server::bind(hub.clone(), config).await.expect("the server starts")
}

/// A core client of `url` (its own connector) for `user`, not logged in yet.
pub fn client(url: &str, user: &str) -> CoreDriver {
    client_with(url, user, ws_options())
}

/// [`client`] with explicit link settings.
pub fn client_with(url: &str, user: &str, options: WsOptions) -> CoreDriver {
    let connector = Arc::new(WsConnector::with_options(url, options));
    let (client, events) =
        Client::builder(APP_ID).connector(connector).reconnect_policy(fast_reconnect()).build();
    CoreDriver::from_parts(client, events, user)
}

/// A core client of `url`, logged in as `user`, its login events consumed.
pub async fn online(url: &str, user: &str) -> CoreDriver {
    login(client(url, user)).await
}

/// A core client of `hub` in-process (no network), logged in as `user`.
pub async fn in_process(hub: &Hub, user: &str) -> CoreDriver {
    let (client, events) = Client::builder(APP_ID).hub(hub).build();
    login(CoreDriver::from_parts(client, events, user)).await
}

/// Logs `d` in and consumes its two login events.
pub async fn login(mut d: CoreDriver) -> CoreDriver {
    let user = d.user().to_owned();
    d.login(None).await.unwrap_or_else(|e| panic!("login of {user} over ws failed: {e:?}"));
    expect_state(&mut d, S::Connecting, R::Login).await;
    expect_state(&mut d, S::Connected, R::LoginSuccess).await;
    d
}

/// The next connection state change of `d` (other events stay queued) must be this one.
pub async fn expect_state(d: &mut CoreDriver, state: S, reason: R) {
    let got = d
        .wait_event("a connection state change", |e| match e {
            ClientEvent::ConnectionStateChanged { state, reason } => Some((*state, *reason)),
            _ => None,
        })
        .await;
    assert_eq!(got, (state, reason), "{}: connection state change", d.user());
}

/// Sends a text message and returns the RTM code of a failure (`Ok` only for 0).
pub async fn send(from: &CoreDriver, to: &str, text: &str, cache: bool) -> Result<(), i32> {
    let options = if cache { SendMessageOptions::offline() } else { SendMessageOptions::default() };
    let sent = from.client.send_message_to_peer(to, &Message::text(text), options).await;
    sent.map(drop).map_err(|e| sigshim::RtmCode::code(&e))
}

/// `prefix 0` … `prefix n-1`.
pub fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

/// The next peer messages of `d` must be exactly `texts`, in order, from `from`, with this
/// offline flag.
pub async fn expect_messages(d: &mut CoreDriver, from: &str, texts: &[String], offline: bool) {
    for (i, text) in texts.iter().enumerate() {
        let (peer, message, is_offline) = next_message(d).await;
        let got = (peer.as_str(), message.text_or_description(), is_offline);
        assert_eq!(got, (from, text.as_str(), offline), "{}: message #{i} of {texts:?}", d.user());
    }
}

/// Waits (at most [`WAIT`]) until the hub holds `n` parked sessions: parking happens on the
/// server's connection task when it notices the broken socket, which no client event reports.
pub async fn until_parked(hub: &Hub, n: usize) {
    let done = tokio::time::timeout(WAIT, hub.parked_sessions_reach(n)).await;
    let now = hub.stats().parked_sessions;
    assert!(done.is_ok(), "{now} parked sessions, not {n}, after {WAIT:?}");
}

/// How many times the server closed a connection with `code` (process-wide metrics).
pub fn closes(hub: &Hub, code: u16) -> u64 {
    let metrics = sigshim::server::render_metrics(hub, Some(&sigshim_conformance::raw::prometheus()));
    let prefix = format!("sigshim_closes_total{{code=\"{code}\"}} ");
    metrics.lines().find_map(|l| l.strip_prefix(&prefix)).map_or(0, |v| v.trim().parse().expect("a count"))
}
