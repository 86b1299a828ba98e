//! Shared set-up for the message, presence, attribute, invoke and mixed-fleet scenarios: hubs
//! with adjusted limits, per-API expectations, core event waits, and the marker technique that
//! proves something did *not* arrive without sleeping.

use sigshim::SendMessageOptions;
use sigshim::error::PeerMessageError;
use sigshim::limits::RateLimits;
use sigshim::{ClientEvent, Hub, HubConfig, Limits, Message, MessageReceipt, PeerOnlineState, PeerStatus};

use crate::backend::Backend;
use crate::core_driver::CoreDriver;
use crate::driver::{Api, Driver, Fail, FailKind};
use crate::legacy_driver::LegacyDriver;
use crate::recorder::Cb;
use crate::{APIS, APP_ID};
use sigshim_legacy::SignalingOptions;

/// A hub whose limits are the RTM defaults changed by `adjust`, for both profiles: the
/// facade's sessions live under the same numbers as core clients ("core defaults"), so one
/// scenario checks RTM's limits through both APIs. The legacy profile's own numbers are
/// checked with [`crate::hub`] (see `legacy_profile.rs`).
pub fn hub_with(adjust: impl FnOnce(&mut Limits)) -> Hub {
    let mut limits = Limits::default();
    adjust(&mut limits);
    Hub::new(HubConfig::new(APP_ID).limits(limits).legacy_limits(limits))
}

/// A hub without call-rate limits (for scenarios that need many calls quickly).
pub fn relaxed_hub() -> Hub {
    hub_with(|l| l.rates = RateLimits::unlimited())
}

/// Every (first, second) API combination, e.g. (sender, receiver).
pub fn api_pairs() -> impl Iterator<Item = (Api, Api)> {
    APIS.into_iter().flat_map(|a| APIS.into_iter().map(move |b| (a, b)))
}

/// The failure each API must report for the same situation: `(kind, code)` for the core and for
/// the facade.
pub fn expected(api: Api, core: (FailKind, i32), legacy: (FailKind, i32)) -> Fail {
    let (kind, code) = match api {
        Api::Core => core,
        Api::Legacy => legacy,
    };
    Fail { kind, code }
}

/// A driver of `api` for `user` through `be`, already logged in.
pub async fn online(be: Backend, api: Api, hub: &Hub, user: &str) -> Box<dyn Driver> {
    let mut d = be.driver(api, hub, user);
    d.login(None).await.unwrap_or_else(|e| panic!("{api:?} login of {user} failed: {e:?}"));
    d
}

/// A legacy driver for `user` on `hub` through `be` with default options, already logged in.
pub async fn online_legacy(be: Backend, hub: &Hub, user: &str) -> LegacyDriver {
    online_legacy_with(be, hub, user, SignalingOptions::default()).await
}

/// A legacy driver for `user` on `hub` through `be` with `options`, already logged in.
pub async fn online_legacy_with(
    be: Backend,
    hub: &Hub,
    user: &str,
    options: SignalingOptions,
) -> LegacyDriver {
    let mut l = be.legacy_with(hub, user, options);
    l.login(None).await.unwrap_or_else(|e| panic!("legacy login of {user} failed: {e:?}"));
    l
}

/// Waits for the callback of `l` whose rendering is exactly `want`.
pub async fn expect_cb(l: &mut LegacyDriver, want: &str) -> Cb {
    l.cbs.wait_for(want, |c| c.to_string() == want).await
}

/// A core driver for `user` through `be`, already logged in.
pub async fn online_core(be: Backend, hub: &Hub, user: &str) -> CoreDriver {
    let mut d = be.core(hub, user);
    d.login(None).await.unwrap_or_else(|e| panic!("core login of {user} failed: {e:?}"));
    d
}

/// Sends `marker` from `from` to `to` and asserts it is the next message `to` receives: proof
/// that nothing else was queued for `to` before it.
pub async fn expect_only_marker(from: &mut dyn Driver, to: &mut dyn Driver, marker: &str) {
    from.send_peer(to.user(), marker).await.expect("the marker is delivered");
    let got = to.recv_peer().await;
    assert_eq!(
        got,
        (from.user().to_owned(), marker.to_owned()),
        "{} received something before the marker",
        to.user()
    );
}

/// The next peer message of a core client: (sender, message, is_offline).
pub async fn next_message(d: &mut CoreDriver) -> (String, Message, bool) {
    d.wait_event("a peer message", |e| match e {
        ClientEvent::MessageFromPeer { peer_id, message, is_offline } => {
            Some((peer_id.clone(), message.clone(), *is_offline))
        }
        _ => None,
    })
    .await
}

/// The next online-status event of a core client, as (peer, state) sorted by peer.
pub async fn next_statuses(d: &mut CoreDriver) -> Vec<(String, PeerOnlineState)> {
    let statuses = d
        .wait_event("an online status change", |e| match e {
            ClientEvent::PeersOnlineStatusChanged { statuses } => Some(statuses.clone()),
            _ => None,
        })
        .await;
    let mut v: Vec<_> = statuses.into_iter().map(|PeerStatus { peer_id, state }| (peer_id, state)).collect();
    v.sort_by(|x, y| x.0.cmp(&y.0));
    v
}

/// `(peer, state)` pairs for comparisons with [`next_statuses`].
pub fn states(pairs: &[(&str, PeerOnlineState)]) -> Vec<(String, PeerOnlineState)> {
    pairs.iter().map(|(p, s)| ((*p).to_owned(), *s)).collect()
}

/// Sends `message` from a core client with explicit options, returning the core's own result.
pub async fn core_send(
    d: &CoreDriver,
    to: &str,
    message: Message,
    options: SendMessageOptions,
) -> Result<MessageReceipt, PeerMessageError> {
    d.client.send_message_to_peer(to, &message, options).await
}

/// Asserts that nothing reached the logged-in core client `d` over its link before a marker: a
/// fresh client (through `be`) sends `d` a peer message, which must be the very next event of
/// `d`. Exact in real time: whatever the hub had queued for `d` before comes ahead of the marker.
pub async fn assert_quiet_until_marker(be: Backend, hub: &Hub, d: &mut CoreDriver) {
    let marker = online_core(be, hub, "quiet-marker").await;
    let to = d.user().to_owned();
    core_send(&marker, &to, Message::text("marker"), SendMessageOptions::default())
        .await
        .expect("the marker is delivered");
    let next = d.wait_event("the next event", |e| Some(e.clone())).await;
    match next {
        ClientEvent::MessageFromPeer { peer_id, message, .. }
            if peer_id == "quiet-marker" && message.text_or_description() == "marker" => {}
        other => panic!("{to} got {other:?} before the marker"),
    }
}
