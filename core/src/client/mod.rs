//! The client handle: login, peer messages, presence and user attributes.
//!
//! A [`Client`] is a cheap handle; requests run on the caller's task through the link's
//! [`Transport`], and a driver task owns the inbound side, turning
//! pushed frames into [`ClientEvent`]s and handling kicks and reconnects.

pub(crate) mod call;
mod driver;
mod events;
mod options;
mod state;

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::attributes::{Attribute, AttributeUpdate};
use crate::error::*;
use crate::limits::{Limits, Profile, RateLimiter, RateLimits, is_valid_app_id, validate_id};
use crate::message::{Message, MessageReceipt, SendMessageOptions};
use crate::protocol::LoginRequest;
use crate::protocol::{PeerStatus, Reply, Request};
use crate::transport::{Connector, Transport, TransportError};

pub(crate) use call::OpError;
use call::{check, unexpected};
pub use events::{ClientEvent, Events};
pub use options::{ClientBuilder, Linked, ReconnectPolicy, Unlinked};
pub use state::{ConnectionChangeReason, ConnectionState};

/// Connection bookkeeping, guarded by one short-lived lock.
pub(crate) struct Conn {
    state: ConnectionState,
    /// Bumped on every login and logout so that stale tasks can tell they are stale.
    epoch: u64,
    login: Option<LoginRequest>,
    link: Option<Arc<dyn Transport>>,
    driver: Option<AbortHandle>,
    /// What the session set up, restored on the new session after an automatic reconnect.
    pub(crate) restore: Restore,
}

/// Session state that lives on the hub and is lost with the link: RTM re-syncs it after an
/// automatic reconnect (rtm-api §5.2). Reset by every login.
#[derive(Debug, Clone, Default)]
pub(crate) struct Restore {
    /// The local user's attributes, as the hub last accepted them.
    pub(crate) attributes: Vec<Attribute>,
    /// Peers whose online status is subscribed.
    pub(crate) subscriptions: std::collections::BTreeSet<String>,
    /// Channels joined.
    pub(crate) channels: std::collections::BTreeSet<String>,
}

impl Restore {
    /// Mirrors an attribute update the hub accepted.
    fn apply(&mut self, update: &AttributeUpdate) {
        let merge = |items: &mut Vec<Attribute>, attrs: &[Attribute]| {
            for a in attrs {
                match items.iter_mut().find(|x| x.key == a.key) {
                    Some(x) => x.value.clone_from(&a.value),
                    None => items.push(a.clone()),
                }
            }
        };
        match update {
            AttributeUpdate::Set { attributes } => {
                self.attributes.clear();
                merge(&mut self.attributes, attributes);
            }
            AttributeUpdate::AddOrUpdate { attributes } => merge(&mut self.attributes, attributes),
            AttributeUpdate::DeleteKeys { keys } => self.attributes.retain(|a| !keys.contains(&a.key)),
            AttributeUpdate::Clear => self.attributes.clear(),
        }
    }
}

/// State shared by the handles and the driver task.
pub(crate) struct Shared {
    app_id: String,
    connector: Arc<dyn Connector>,
    login_timeout: std::time::Duration,
    pub(crate) request_timeout: std::time::Duration,
    reconnect: ReconnectPolicy,
    pub(crate) conn: Mutex<Conn>,
    events: mpsc::Sender<ClientEvent>,
    login_limiter: Mutex<RateLimiter>,
    /// The profile the client logs in with.
    profile: Profile,
    /// The sizes it checks before sending: its profile's, then those the hub stated at login.
    limits: parking_lot::RwLock<Limits>,
    /// Woken on every connection state change (requests made while reconnecting wait on it).
    state_changed: tokio::sync::Notify,
    /// Where each channel's events go (the stream returned by `create_channel`).
    pub(crate) channel_events:
        Mutex<std::collections::HashMap<String, mpsc::Sender<crate::channel::ChannelEvent>>>,
    /// Call invitations and their state machines.
    pub(crate) calls: crate::call::book::CallBook,
    /// Capacity of each `CallEvents` stream.
    pub(crate) call_event_capacity: usize,
}

type Permit<'a> = Option<mpsc::Permit<'a, ClientEvent>>;

impl Shared {
    /// The link, while connected.
    pub(crate) fn connected_link(&self) -> Option<Arc<dyn Transport>> {
        let c = self.conn.lock();
        match (&c.link, c.state) {
            (Some(link), ConnectionState::Connected) => Some(link.clone()),
            _ => None,
        }
    }

    /// The link once connected: at once when connected, after the reconnect when reconnecting
    /// (until `deadline`); an error when there is no login or the deadline passed first.
    async fn link_by(&self, deadline: tokio::time::Instant) -> Result<Arc<dyn Transport>, LinkWait> {
        loop {
            let changed = self.state_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let c = self.conn.lock();
                match (&c.link, c.state) {
                    (Some(link), ConnectionState::Connected) => return Ok(link.clone()),
                    (_, ConnectionState::Reconnecting | ConnectionState::Connected) => {}
                    _ => return Err(LinkWait::NotLoggedIn),
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(LinkWait::TimedOut);
            }
        }
    }

    /// The limits the client checks requests against before sending (a read guard: hold it
    /// only for the check).
    pub(crate) fn limits(&self) -> parking_lot::RwLockReadGuard<'_, Limits> {
        self.limits.read()
    }

    /// Takes the sizes a new link's hub stated for the session.
    pub(crate) fn adopt_sizes(&self, sizes: Option<crate::protocol::SessionSizes>) {
        if let Some(sizes) = sizes {
            sizes.apply_to(&mut self.limits.write());
        }
    }

    /// True while a login holds: connected, or reconnecting after a broken link.
    pub(crate) fn is_logged_in(&self) -> bool {
        matches!(self.conn.lock().state, ConnectionState::Connected | ConnectionState::Reconnecting)
    }

    /// Reserves room for one event (waiting while the stream is full); `None` when the
    /// application dropped its stream. Reserve before taking the `conn` lock, send under it, so
    /// that events come out in the order of the state changes they report.
    async fn permit(&self) -> Permit<'_> {
        self.events.reserve().await.ok()
    }

    /// Sets the state and emits the change through `permit`.
    fn set_state(
        &self,
        conn: &mut Conn,
        permit: Permit<'_>,
        state: ConnectionState,
        reason: ConnectionChangeReason,
    ) {
        conn.state = state;
        self.state_changed.notify_waiters();
        if let Some(p) = permit {
            p.send(ClientEvent::ConnectionStateChanged { state, reason });
        }
    }
}

/// Why a request found no link.
enum LinkWait {
    NotLoggedIn,
    TimedOut,
}

/// Ends the session when the last handle goes away.
struct Owner(Arc<Shared>);

impl Drop for Owner {
    fn drop(&mut self) {
        let mut c = self.0.conn.lock();
        if let Some(d) = c.driver.take() {
            d.abort();
        }
        if let Some(link) = c.link.take() {
            link.close();
        }
    }
}

/// An RTM-style client. Clone it freely; the session ends when the last clone is dropped.
///
/// # Examples
///
/// Two clients on the embedded hub: a peer message, its receipt, and the online-status query.
///
/// ```
/// use sigshim::{Client, ClientEvent, Hub, HubConfig, Message, PeerOnlineState, SendMessageOptions};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hub = Hub::new(HubConfig::new("my-app"));
/// let (alice, _) = Client::builder("my-app").hub(&hub).build();
/// let (bob, mut bob_events) = Client::builder("my-app").hub(&hub).build();
/// alice.login(None, "alice").await.unwrap();
/// bob.login(None, "bob").await.unwrap();
///
/// // Ok means bob received it (RTM's peer-received semantics).
/// alice.send_message_to_peer("bob", &Message::text("hi"), SendMessageOptions::default()).await.unwrap();
/// let from = loop {
///     if let Some(ClientEvent::MessageFromPeer { peer_id, .. }) = bob_events.recv().await {
///         break peer_id;
///     }
/// };
/// assert_eq!(from, "alice");
///
/// let status = alice.query_peers_online_status(&["bob", "carol"]).await.unwrap();
/// let states: Vec<_> = status.iter().map(|s| (s.peer_id.as_str(), s.state)).collect();
/// assert_eq!(states, [("bob", PeerOnlineState::Online), ("carol", PeerOnlineState::Offline)]);
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    owner: Arc<Owner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("app_id", &self.shared().app_id)
            .field("state", &self.connection_state())
            .finish()
    }
}

impl Client {
    /// Starts building a client for `app_id`; say where its hub is next
    /// ([`ClientBuilder::hub`] or [`ClientBuilder::connector`]).
    pub fn builder(app_id: impl Into<String>) -> ClientBuilder<Unlinked> {
        ClientBuilder::new(app_id)
    }

    fn from_builder(b: ClientBuilder) -> (Client, Events) {
        let connector = b.take_connector();
        let (tx, rx) = mpsc::channel(b.event_capacity);
        let shared = Arc::new(Shared {
            app_id: b.app_id,
            connector,
            login_timeout: b.login_timeout,
            request_timeout: b.request_timeout,
            reconnect: b.reconnect,
            conn: Mutex::new(Conn {
                state: ConnectionState::Disconnected,
                epoch: 0,
                login: None,
                link: None,
                driver: None,
                restore: Restore::default(),
            }),
            events: tx,
            login_limiter: Mutex::new(RateLimiter::new(RateLimits::default().login)),
            profile: b.profile,
            limits: parking_lot::RwLock::new(b.limits.unwrap_or_else(|| b.profile.default_limits())),
            state_changed: tokio::sync::Notify::new(),
            channel_events: Mutex::new(std::collections::HashMap::new()),
            calls: crate::call::book::CallBook::new(b.call_timers),
            call_event_capacity: b.call_event_capacity,
        });
        (Client { owner: Arc::new(Owner(shared)) }, Events { rx })
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.owner.0
    }

    /// The current connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.shared().conn.lock().state
    }

    /// The user ID of the current or last login.
    pub fn user_id(&self) -> Option<String> {
        self.shared().conn.lock().login.as_ref().map(|l| l.user_id.clone())
    }

    /// Logs in as `user_id`. `token` may be `None` when the hub has no App Certificate.
    ///
    /// The error's [`kind`](Error::kind) is the [`LoginError`] with its RTM code; when the
    /// login failed beneath the protocol (the server cannot be reached, the WebSocket handshake
    /// fails), the cause is the error's [`source`](std::error::Error::source).
    pub async fn login(&self, token: Option<&str>, user_id: &str) -> Result<(), Error<LoginError>> {
        let s = self.shared();
        if !is_valid_app_id(&s.app_id) {
            return Err(LoginError::InvalidAppId.into());
        }
        if validate_id(user_id, s.limits().max_id_bytes).is_err() {
            return Err(LoginError::InvalidArgument.into());
        }
        let login = LoginRequest {
            app_id: s.app_id.clone(),
            user_id: user_id.to_owned(),
            token: token.map(str::to_owned),
            profile: s.profile,
        };
        let permit = s.permit().await;
        let epoch = {
            let mut c = s.conn.lock();
            if c.state != ConnectionState::Disconnected {
                return Err(LoginError::AlreadyLoggedIn.into());
            }
            if !s.login_limiter.lock().try_acquire() {
                return Err(LoginError::TooOften.into());
            }
            c.epoch += 1;
            c.login = Some(login.clone());
            c.restore = Restore::default();
            s.set_state(&mut c, permit, ConnectionState::Connecting, ConnectionChangeReason::Login);
            c.epoch
        };
        let result = tokio::time::timeout(s.login_timeout, s.connector.connect(login)).await;
        let permit = s.permit().await;
        let mut c = s.conn.lock();
        let stale = c.epoch != epoch;
        match result {
            Ok(Ok(link)) if !stale => {
                s.adopt_sizes(link.sizes);
                c.link = Some(link.transport);
                s.set_state(&mut c, permit, ConnectionState::Connected, ConnectionChangeReason::LoginSuccess);
                let task = tokio::spawn(driver::run(s.clone(), link.inbox, epoch));
                c.driver = Some(task.abort_handle());
                Ok(())
            }
            Ok(Ok(link)) => {
                link.transport.close();
                Err(LoginError::Unknown.into())
            }
            Ok(Err(e)) => {
                if !stale {
                    s.set_state(
                        &mut c,
                        permit,
                        ConnectionState::Disconnected,
                        ConnectionChangeReason::LoginFailure,
                    );
                }
                Err(e)
            }
            Err(_elapsed) => {
                if !stale {
                    s.set_state(
                        &mut c,
                        permit,
                        ConnectionState::Disconnected,
                        ConnectionChangeReason::LoginTimeout,
                    );
                }
                Err(LoginError::Timeout.into())
            }
        }
    }

    /// Logs out. Also the way out of [`ConnectionState::Aborted`].
    pub async fn logout(&self) -> Result<(), LogoutError> {
        let s = self.shared();
        let permit = s.permit().await;
        let link = {
            let mut c = s.conn.lock();
            match c.state {
                ConnectionState::Disconnected | ConnectionState::Connecting => {
                    return Err(LogoutError::NotLoggedIn);
                }
                ConnectionState::Connected | ConnectionState::Reconnecting | ConnectionState::Aborted => {}
            }
            c.epoch += 1;
            if let Some(d) = c.driver.take() {
                d.abort();
            }
            let link = c.link.take();
            s.set_state(&mut c, permit, ConnectionState::Disconnected, ConnectionChangeReason::Logout);
            link
        };
        s.calls.session_ended(false);
        // Whatever happens below, the next login starts a new session.
        s.connector.forget_session();
        if let Some(link) = link {
            // The session ends either way; a lost reply only means the hub learns it from the link.
            let _ = tokio::time::timeout(s.request_timeout, link.request(Request::Logout)).await;
            link.close();
        }
        Ok(())
    }

    /// Sends a request on the current link and maps failures to `E`. While the client is
    /// reconnecting, the request waits for the link (it counts against its timeout, as RTM's
    /// SDKs time out requests made while reconnecting).
    pub(crate) async fn call<E: OpError>(&self, request: Request) -> Result<Reply, E> {
        self.call_with(|link| async move { link.request(request).await }).await
    }

    /// [`call`](Self::call) with the exchange given by `send`, run on the link.
    async fn call_with<E, F, Fut>(&self, send: F) -> Result<Reply, E>
    where
        E: OpError,
        F: FnOnce(Arc<dyn Transport>) -> Fut,
        Fut: std::future::Future<Output = Result<Reply, TransportError>>,
    {
        let s = self.shared();
        let deadline = tokio::time::Instant::now() + s.request_timeout;
        // The connected case first: one short lock, no waiter registered (the hot path).
        let link = match s.connected_link() {
            Some(link) => link,
            None => match s.link_by(deadline).await {
                Ok(link) => link,
                Err(LinkWait::NotLoggedIn) => return Err(E::NOT_LOGGED_IN),
                Err(LinkWait::TimedOut) => return Err(E::TIMEOUT),
            },
        };
        match tokio::time::timeout_at(deadline, send(link)).await {
            Ok(Ok(reply)) => check(reply),
            Ok(Err(TransportError::Closed | TransportError::Timeout)) | Err(_) => Err(E::TIMEOUT),
            Ok(Err(e @ TransportError::TooLarge { .. })) => {
                tracing::warn!(error = %e, "request not sent");
                Err(E::FAILURE)
            }
            Ok(Err(e @ TransportError::Refused)) => {
                tracing::warn!(error = %e, "request refused by the server");
                Err(E::FAILURE)
            }
        }
    }

    /// Replaces the session's token.
    pub async fn renew_token(&self, token: &str) -> Result<(), RenewTokenError> {
        self.call::<RenewTokenError>(Request::RenewToken { token: token.to_owned() }).await?;
        if let Some(l) = self.shared().conn.lock().login.as_mut() {
            l.token = Some(token.to_owned());
        }
        Ok(())
    }

    /// Sends a message to a peer. `Ok` means the peer received it; see [`PeerMessageError`] for
    /// the unreachable and cached outcomes.
    pub async fn send_message_to_peer(
        &self,
        peer_id: &str,
        message: &Message,
        options: SendMessageOptions,
    ) -> Result<MessageReceipt, PeerMessageError> {
        // The size only: the hub checks the rest, and every check here is paid on each send.
        if !message.fits(&self.shared().limits()) {
            return Err(PeerMessageError::InvalidMessage);
        }
        // Borrowed down to the transport, which writes the frame from them (no copies).
        let send =
            |link: Arc<dyn Transport>| async move { link.send_peer_message(peer_id, message, options).await };
        match self.call_with::<PeerMessageError, _, _>(send).await? {
            Reply::MessageSent { message_id, server_ts } => Ok(MessageReceipt { id: message_id, server_ts }),
            other => Err(unexpected(&other)),
        }
    }

    /// Whether each peer is online (at most 256 peers by default).
    pub async fn query_peers_online_status(
        &self,
        peer_ids: &[&str],
    ) -> Result<Vec<PeerStatus>, QueryPeersOnlineStatusError> {
        let peer_ids = peer_ids.iter().map(|p| p.to_string()).collect();
        match self.call::<QueryPeersOnlineStatusError>(Request::QueryPeersOnlineStatus { peer_ids }).await? {
            Reply::PeerStatuses { statuses } => Ok(statuses),
            other => Err(unexpected(&other)),
        }
    }

    /// Subscribes to peers' online states; the current states arrive at once as an event.
    pub async fn subscribe_peers_online_status(&self, peer_ids: &[&str]) -> Result<(), SubscriptionError> {
        let ids: Vec<String> = peer_ids.iter().map(|p| p.to_string()).collect();
        let request = Request::SubscribePeersOnlineStatus { peer_ids: ids.clone() };
        self.call::<SubscriptionError>(request).await?;
        self.shared().conn.lock().restore.subscriptions.extend(ids);
        Ok(())
    }

    /// Stops watching peers' online states.
    pub async fn unsubscribe_peers_online_status(&self, peer_ids: &[&str]) -> Result<(), SubscriptionError> {
        let ids: Vec<String> = peer_ids.iter().map(|p| p.to_string()).collect();
        let request = Request::UnsubscribePeersOnlineStatus { peer_ids: ids.clone() };
        self.call::<SubscriptionError>(request).await?;
        let mut c = self.shared().conn.lock();
        for p in &ids {
            c.restore.subscriptions.remove(p);
        }
        Ok(())
    }

    /// The peers whose online state this client is subscribed to.
    pub async fn query_peers_by_subscription_option(&self) -> Result<Vec<String>, QuerySubscriptionError> {
        match self.call::<QuerySubscriptionError>(Request::QueryPeersBySubscriptionOption).await? {
            Reply::PeerIds { peer_ids } => Ok(peer_ids),
            other => Err(unexpected(&other)),
        }
    }

    async fn update_attributes(&self, update: AttributeUpdate) -> Result<(), AttributeError> {
        update.check(&self.shared().limits())?;
        self.call::<AttributeError>(Request::UpdateLocalUserAttributes { update: update.clone() }).await?;
        self.shared().conn.lock().restore.apply(&update);
        Ok(())
    }

    /// Replaces all of the local user's attributes.
    pub async fn set_local_user_attributes(&self, attributes: &[Attribute]) -> Result<(), AttributeError> {
        self.update_attributes(AttributeUpdate::Set { attributes: attributes.to_vec() }).await
    }

    /// Adds or overwrites the local user's attributes by key.
    pub async fn add_or_update_local_user_attributes(
        &self,
        attributes: &[Attribute],
    ) -> Result<(), AttributeError> {
        self.update_attributes(AttributeUpdate::AddOrUpdate { attributes: attributes.to_vec() }).await
    }

    /// Removes the local user's attributes with these keys.
    pub async fn delete_local_user_attributes_by_keys(&self, keys: &[&str]) -> Result<(), AttributeError> {
        let keys = keys.iter().map(|k| k.to_string()).collect();
        self.update_attributes(AttributeUpdate::DeleteKeys { keys }).await
    }

    /// Removes all of the local user's attributes.
    pub async fn clear_local_user_attributes(&self) -> Result<(), AttributeError> {
        self.update_attributes(AttributeUpdate::Clear).await
    }

    async fn get_attributes(
        &self,
        user_id: &str,
        keys: Option<Vec<String>>,
    ) -> Result<Vec<Attribute>, AttributeError> {
        match self
            .call::<AttributeError>(Request::GetUserAttributes { user_id: user_id.to_owned(), keys })
            .await?
        {
            Reply::Attributes { attributes } => Ok(attributes),
            other => Err(unexpected(&other)),
        }
    }

    /// All attributes of a logged-in user.
    pub async fn get_user_attributes(&self, user_id: &str) -> Result<Vec<Attribute>, AttributeError> {
        self.get_attributes(user_id, None).await
    }

    /// The attributes of a logged-in user with these keys.
    pub async fn get_user_attributes_by_keys(
        &self,
        user_id: &str,
        keys: &[&str],
    ) -> Result<Vec<Attribute>, AttributeError> {
        self.get_attributes(user_id, Some(keys.iter().map(|k| k.to_string()).collect())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_mirrors_attribute_updates() {
        let a = |k: &str, v: &str| Attribute::new(k, v);
        let mut r = Restore::default();
        r.apply(&AttributeUpdate::AddOrUpdate { attributes: vec![a("x", "1"), a("y", "2")] });
        r.apply(&AttributeUpdate::AddOrUpdate { attributes: vec![a("x", "3")] });
        assert_eq!(r.attributes, [a("x", "3"), a("y", "2")]);
        r.apply(&AttributeUpdate::DeleteKeys { keys: vec!["x".into()] });
        assert_eq!(r.attributes, [a("y", "2")]);
        r.apply(&AttributeUpdate::Set { attributes: vec![a("z", "4")] });
        assert_eq!(r.attributes, [a("z", "4")]);
        r.apply(&AttributeUpdate::Clear);
        assert!(r.attributes.is_empty());
    }
}
