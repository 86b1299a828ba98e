//! The suite against a deployment: `sigshim conformance ws://host:port`.
//!
//! Each check logs in fresh users (unique names, so runs do not collide on a shared server),
//! drives them through the core API and the legacy facade over WebSocket, and reports pass or
//! fail without touching the server's internals.

use std::sync::Arc;
use std::time::Duration;

use sigshim::error::{LoginError, PeerMessageError};
use sigshim::token::access_token2;
use sigshim::transport::WsConnector;
use sigshim::{
    Attribute, Client, ClientEvent, ConnectionChangeReason, ConnectionState, Message, PeerOnlineState,
    SendMessageOptions,
};
use sigshim_legacy::SignalingOptions;

use crate::core_driver::CoreDriver;
use crate::driver::Driver;
use crate::legacy_driver::LegacyDriver;

/// Where and how to log in.
#[derive(Debug, Clone)]
pub struct Target {
    /// `ws://host:port/`.
    pub url: String,
    /// The server's app ID.
    pub app_id: String,
    /// Its App Certificate, when logins need tokens (tokens are then built here).
    pub app_certificate: Option<String>,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check's name.
    pub name: &'static str,
    /// `Err` with the reason when it failed.
    pub outcome: Result<(), String>,
}

type Check = fn(Arc<Target>, String) -> futures_core::future::BoxFuture<'static, ()>;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("login_logout_states", |t, p| Box::pin(login_logout_states(t, p))),
    ("peer_message_core_to_core", |t, p| Box::pin(peer_message_core_to_core(t, p))),
    ("peer_message_legacy_and_core", |t, p| Box::pin(peer_message_legacy_and_core(t, p))),
    ("offline_message_at_next_login", |t, p| Box::pin(offline_message_at_next_login(t, p))),
    ("unreachable_without_caching", |t, p| Box::pin(unreachable_without_caching(t, p))),
    ("presence_query_and_subscription", |t, p| Box::pin(presence_query_and_subscription(t, p))),
    ("user_attributes", |t, p| Box::pin(user_attributes(t, p))),
    ("remote_login_kicks_older_session", |t, p| Box::pin(remote_login(t, p))),
    ("bad_input_refused", |t, p| Box::pin(bad_input_refused(t, p))),
    ("call_legacy_to_core_and_end", |t, p| Box::pin(call_legacy_to_core_and_end(t, p))),
];

/// Runs every check (one at a time) and returns the results in order.
pub async fn run_all(target: Target) -> Vec<CheckResult> {
    let target = Arc::new(target);
    let run = format!("{:08x}", rand_suffix());
    let mut results = Vec::new();
    for (i, (name, check)) in CHECKS.iter().enumerate() {
        let prefix = format!("ck{run}-{i}");
        let task = tokio::spawn(check(target.clone(), prefix));
        let outcome = match tokio::time::timeout(Duration::from_secs(30), task).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(panic_text(e)),
            Err(_) => Err("did not finish within 30 s".into()),
        };
        results.push(CheckResult { name, outcome });
    }
    results
}

fn rand_suffix() -> u32 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    t.subsec_nanos() ^ std::process::id()
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "failed".into()),
        Err(e) => e.to_string(),
    }
}

impl Target {
    fn token(&self, user: &str) -> Option<String> {
        let cert = self.app_certificate.as_deref()?;
        access_token2::build_rtm_now(&self.app_id, cert, user, 3600).ok()
    }

    fn core(&self, user: &str) -> CoreDriver {
        let connector = Arc::new(WsConnector::new(self.url.clone()));
        let (client, events) = Client::builder(&self.app_id).connector(connector).build();
        CoreDriver::from_parts(client, events, user)
    }

    async fn core_online(&self, user: &str) -> CoreDriver {
        let mut d = self.core(user);
        d.login(self.token(user).as_deref()).await.unwrap_or_else(|e| panic!("login of {user}: {e:?}"));
        d
    }

    async fn legacy_online(&self, user: &str) -> LegacyDriver {
        let options = SignalingOptions::default().url(self.url.clone());
        let mut d = LegacyDriver::with_endpoint(&self.app_id, user, options);
        let token = self.token(user).unwrap_or_else(|| "_no_need_token".into());
        d.login(Some(&token)).await.unwrap_or_else(|e| panic!("legacy login of {user}: {e:?}"));
        d
    }
}

fn state_event(e: &ClientEvent) -> Option<(ConnectionState, ConnectionChangeReason)> {
    match e {
        ClientEvent::ConnectionStateChanged { state, reason } => Some((*state, *reason)),
        _ => None,
    }
}

async fn login_logout_states(t: Arc<Target>, p: String) {
    let mut a = t.core_online(&format!("{p}-a")).await;
    use ConnectionChangeReason as R;
    use ConnectionState as S;
    assert_eq!(a.wait_event("connecting", state_event).await, (S::Connecting, R::Login));
    assert_eq!(a.wait_event("connected", state_event).await, (S::Connected, R::LoginSuccess));
    a.logout().await.expect("logout");
    assert_eq!(a.wait_event("disconnected", state_event).await, (S::Disconnected, R::Logout));
}

async fn peer_message_core_to_core(t: Arc<Target>, p: String) {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let mut a = t.core_online(&an).await;
    let mut b = t.core_online(&bn).await;
    for i in 0..20 {
        a.send_peer(&bn, &format!("m{i}")).await.expect("received by the peer");
    }
    for i in 0..20 {
        assert_eq!(b.recv_peer().await, (an.clone(), format!("m{i}")), "in order, once each");
    }
    b.send_peer(&an, "back").await.expect("reply received");
    assert_eq!(a.recv_peer().await, (bn, "back".into()));
}

async fn peer_message_legacy_and_core(t: Arc<Target>, p: String) {
    let (ln, cn) = (format!("{p}-legacy"), format!("{p}-core"));
    let mut l = t.legacy_online(&ln).await;
    let mut c = t.core_online(&cn).await;
    l.send_peer(&cn, "from legacy").await.expect("on_message_send_success");
    assert_eq!(c.recv_peer().await, (ln.clone(), "from legacy".into()));
    c.send_peer(&ln, "from core").await.expect("received");
    assert_eq!(l.recv_peer().await, (cn, "from core".into()));
}

/// A legacy caller invites a core callee with `extra`, the callee accepts with a response, and
/// the caller ends the call: RTM's end-call message reaches the core callee.
async fn call_legacy_to_core_and_end(t: Arc<Target>, p: String) {
    use crate::driver::CallNote;
    let (ln, cn, channel) = (format!("{p}-caller"), format!("{p}-callee"), format!("{p}-room"));
    let mut l = t.legacy_online(&ln).await;
    let mut c = t.core_online(&cn).await;
    l.invite(&cn, &channel, r#"{"k":1}"#).await.expect("invite");
    let incoming =
        CallNote::Incoming { from: ln.clone(), channel: channel.clone(), extra: r#"{"k":1}"#.into() };
    assert_eq!(c.next_call().await, incoming);
    assert_eq!(l.next_call().await, CallNote::ReceivedByPeer { peer: cn.clone(), channel: channel.clone() });
    c.answer(&ln, &channel, true, "ok").await.expect("accept");
    let accepted = CallNote::Accepted { peer: cn.clone(), channel: channel.clone(), extra: "ok".into() };
    assert_eq!(l.next_call().await, accepted);
    l.end_call(&cn, &channel).await.expect("end");
    assert_eq!(c.next_call().await, CallNote::Ended { peer: ln, channel });
}

async fn offline_message_at_next_login(t: Arc<Target>, p: String) {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let a = t.core_online(&an).await;
    let r = a.client.send_message_to_peer(&bn, &Message::text("stored"), SendMessageOptions::offline()).await;
    assert_eq!(r.unwrap_err(), PeerMessageError::CachedByServer);
    let mut b = t.core_online(&bn).await;
    let got = b
        .wait_event("the stored message", |e| match e {
            ClientEvent::MessageFromPeer { peer_id, message, is_offline } => {
                Some((peer_id.clone(), message.text_or_description().to_owned(), *is_offline))
            }
            _ => None,
        })
        .await;
    assert_eq!(got, (an, "stored".into(), true));
}

async fn unreachable_without_caching(t: Arc<Target>, p: String) {
    let a = t.core_online(&format!("{p}-a")).await;
    let r =
        a.client.send_message_to_peer(&format!("{p}-nobody"), &Message::text("x"), Default::default()).await;
    assert_eq!(r.unwrap_err(), PeerMessageError::PeerUnreachable);
}

async fn presence_query_and_subscription(t: Arc<Target>, p: String) {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let mut a = t.core_online(&an).await;
    assert_eq!(a.query_online(&bn).await, Ok(false));
    a.client.subscribe_peers_online_status(&[&bn]).await.expect("subscribed");
    let states = |e: &ClientEvent| match e {
        ClientEvent::PeersOnlineStatusChanged { statuses } => Some(statuses[0].state),
        _ => None,
    };
    assert_eq!(a.wait_event("current state", states).await, PeerOnlineState::Offline);
    let mut b = t.core_online(&bn).await;
    assert_eq!(a.wait_event("online", states).await, PeerOnlineState::Online);
    assert_eq!(a.query_online(&bn).await, Ok(true));
    b.logout().await.expect("logout");
    assert_eq!(a.wait_event("offline", states).await, PeerOnlineState::Offline);
}

async fn user_attributes(t: Arc<Target>, p: String) {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let a = t.core_online(&an).await;
    let mut b = t.legacy_online(&bn).await;
    a.client.set_local_user_attributes(&[Attribute::new("mood", "busy")]).await.expect("set");
    assert_eq!(b.get_attr(&an, "mood").await, Ok("busy".into()));
    b.set_attr("room", "42").await.expect("legacy set_attr");
    let got = a.client.get_user_attributes(&bn).await.expect("read");
    assert_eq!(got, vec![Attribute::new("room", "42")]);
}

async fn remote_login(t: Arc<Target>, p: String) {
    let user = format!("{p}-a");
    let mut first = t.core_online(&user).await;
    let _second = t.core_online(&user).await;
    assert_eq!(first.expect_kicked().await, ConnectionChangeReason::RemoteLogin as i32);
}

async fn bad_input_refused(t: Arc<Target>, p: String) {
    let bad = t.core("null");
    assert_eq!(bad.client.login(None, "null").await.map_err(|e| e.kind()), Err(LoginError::InvalidArgument));
    let a = t.core_online(&format!("{p}-a")).await;
    let big = Message::text("x".repeat(32 * 1024 + 1));
    let r = a.client.send_message_to_peer(&format!("{p}-b"), &big, Default::default()).await;
    assert_eq!(r.unwrap_err(), PeerMessageError::InvalidMessage);
    let r = a.client.send_message_to_peer("bad/id", &Message::text("x"), Default::default()).await;
    assert_eq!(r.unwrap_err(), PeerMessageError::InvalidUserId);
}
