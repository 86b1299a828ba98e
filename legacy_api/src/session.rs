//! The instance's core session: login with the legacy retry limits, logout, reconnects, the
//! connection number `fd`, the account, and the login status the application reads through
//! `Signaling::get_status`.
//!
//! The session knows nothing of channels, calls or sends: when it ends, it tells the caller
//! (the actor), which lets the other parts of the instance wind down in callback order.

use std::sync::Arc;
use std::time::Duration;

use sigshim::call::{CallEvents, CallKit, CallTimers};
use sigshim::client::ReconnectPolicy;
use sigshim::error::LoginError;
use sigshim::limits::{Profile, is_valid_app_id};
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, ConnectionChangeReason as Why, ConnectionState as State, Events};
use sigshim_mapping::{LegacyCode, LoginStatus, translate};

use crate::dispatcher::Dispatch;
use crate::options::{Endpoint, SignalingOptions};
use crate::status::StatusCell;
use crate::uid::uid_for;

/// What `login` / `login2` asked for.
#[derive(Debug)]
pub(crate) struct LegacyLogin {
    /// The app ID of the call; empty means the instance's own.
    pub(crate) app_id: String,
    pub(crate) account: String,
    /// Empty for no token.
    pub(crate) token: String,
    /// How long the login (and later reconnects) may keep retrying.
    pub(crate) retry_time: Duration,
    /// How many retries the login (and later reconnects) may make.
    pub(crate) retry_count: u32,
}

/// The logged-in (or reconnecting) core session.
struct Live {
    client: Client,
    account: String,
    /// The connection number reported by `on_login_success` and `on_reconnected`.
    fd: u32,
    /// Reconnect attempts so far, as `on_reconnecting` counts them.
    reconnects: u32,
    /// The core client's events; `None` once the stream ended.
    events: Option<Events>,
}

/// The instance's session and everything needed to open one.
pub(crate) struct Session {
    /// The instance's app ID, used when a login names none.
    app_id: String,
    endpoint: Endpoint,
    login_timeout: Duration,
    call_timers: CallTimers,
    profile: Profile,
    /// The [`LoginStatus`] shared with the `Signaling` handle.
    status: Arc<StatusCell>,
    /// The instance's network connector, when its endpoint is a URL: one per instance, kept
    /// across logins, so that a reconnect resumes.
    ws: Option<Arc<WsConnector>>,
    next_fd: u32,
    live: Option<Live>,
}

impl Session {
    /// No session yet; `status` is the cell the `Signaling` handle reads.
    pub(crate) fn new(app_id: String, options: &SignalingOptions, status: Arc<StatusCell>) -> Self {
        Self {
            app_id,
            endpoint: options.endpoint.clone(),
            login_timeout: options.login_timeout,
            call_timers: options.effective_call_timers(),
            profile: options.profile,
            status,
            ws: None,
            next_fd: 1,
            live: None,
        }
    }

    fn set_status(&self, s: LoginStatus) {
        match s {
            LoginStatus::NotLogin => self.status.set_not_login(),
            s => self.status.set(s),
        }
    }

    fn status_is(&self, s: LoginStatus) -> bool {
        self.status.is(s)
    }

    /// The actor took a queued login (see [`StatusCell::login_taken`]).
    pub(crate) fn login_taken(&self) {
        self.status.login_taken();
    }

    /// The actor took a queued login and ignores it (see [`StatusCell::login_ignored`]).
    pub(crate) fn login_ignored(&self) {
        self.status.login_ignored();
    }

    fn client_builder(&mut self, app_id: &str) -> sigshim::ClientBuilder {
        let b = Client::builder(app_id)
            .login_timeout(self.login_timeout)
            .call_timers(self.call_timers)
            .profile(self.profile);
        match &self.endpoint {
            Endpoint::Embedded => b.hub(&Endpoint::embedded_hub(app_id)),
            Endpoint::Hub(h) => b.hub(h),
            Endpoint::Connector(c) => b.connector(c.clone()),
            Endpoint::Url(url) => {
                let c = self.ws.get_or_insert_with(|| Arc::new(WsConnector::new(url.clone()))).clone();
                b.connector(c)
            }
        }
    }

    /// Logs in, retrying timeouts and transient failures within the request's limits, and
    /// reports `on_login_success(uid, fd)` or `on_login_failed(code)`. A login while a session
    /// exists is ignored. On success, returns the session's call manager, listening since before
    /// the login so that no invitation arriving with it is missed.
    pub(crate) async fn login(&mut self, out: &Dispatch, req: LegacyLogin) -> Option<(CallKit, CallEvents)> {
        let LegacyLogin { app_id, account, token, retry_time, retry_count } = req;
        if self.live.is_some() {
            tracing::debug!(%account, "login while logged in ignored");
            return None;
        }
        let app_id = if app_id.is_empty() { self.app_id.clone() } else { app_id };
        if !is_valid_app_id(&app_id) {
            // Refused before an endpoint is chosen: an embedded hub is never made for it, and
            // the answer is the one a deployment gives.
            self.set_status(LoginStatus::NotLogin);
            tracing::info!(%account, app_id = app_id.escape_debug().to_string(), "login failed: invalid app ID");
            let code = translate::login_failure(LoginError::InvalidAppId).code();
            out.emit(move |c| c.on_login_failed(code)).await;
            return None;
        }
        let policy =
            ReconnectPolicy::default().max_attempts(Some(retry_count)).max_duration(Some(retry_time));
        let (client, mut events) = self.client_builder(&app_id).reconnect_policy(policy).build();
        let calls = client.call_kit();
        self.set_status(LoginStatus::Logining);
        let token = (!token.is_empty()).then_some(token);
        let started = tokio::time::Instant::now();
        let mut attempt = 0u32;
        let result = loop {
            attempt += 1;
            match client.login(token.as_deref(), &account).await {
                Err(e)
                    if matches!(
                        e.kind(),
                        LoginError::Timeout | LoginError::Unknown | LoginError::TooOften
                    ) && attempt <= retry_count
                        && started.elapsed() < retry_time =>
                {
                    let cause = std::error::Error::source(&e).map(ToString::to_string);
                    tracing::debug!(%account, attempt, error = %e, cause, "login attempt failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                other => break other,
            }
        };
        if let Err(e) = result {
            self.set_status(LoginStatus::NotLogin);
            let cause = std::error::Error::source(&e).map(ToString::to_string);
            tracing::info!(%account, error = %e, cause, "login failed");
            let code = translate::login_failure(e.kind()).code();
            out.emit(move |c| c.on_login_failed(code)).await;
            return None;
        }
        skip_login_events(&mut events);
        let fd = self.next_fd;
        self.next_fd += 1;
        let uid = uid_for(&account);
        tracing::Span::current().record("account", tracing::field::display(&account));
        self.live = Some(Live { client, account, fd, reconnects: 0, events: Some(events) });
        self.set_status(LoginStatus::Logined);
        out.emit(move |c| c.on_login_success(uid, fd)).await;
        Some(calls)
    }

    /// Ends the session here (its events are no longer read) and hands back its client, or
    /// `None` when there was no session.
    pub(crate) fn end(&mut self) -> Option<Client> {
        self.live.take().map(|live| live.client)
    }

    /// The rest of a `logout` once the session was [`end`](Self::end)ed: logs the client out and
    /// reports `on_logout(101)`.
    pub(crate) async fn finish_logout(&self, out: &Dispatch, client: Client) {
        let _ = client.logout().await;
        self.set_status(LoginStatus::NotLogin);
        let code = LegacyCode::LogoutUser.code();
        out.emit(move |c| c.on_logout(code)).await;
    }

    /// Shows "not logged in" now, before [`finish_logout`](Self::finish_logout): a logout
    /// during a reconnect answers the calls held for the link as calls without a session, and
    /// `get_status` no longer says 3 while it does.
    pub(crate) fn show_logged_out(&self) {
        self.set_status(LoginStatus::NotLogin);
    }

    /// Whether the session is reconnecting: the status says so (3), or the core client already
    /// lost its link and the actor has yet to read that event.
    pub(crate) fn reconnecting(&self) -> bool {
        self.live.as_ref().is_some_and(|l| {
            self.status_is(LoginStatus::Reconnecting) || l.client.connection_state() == State::Reconnecting
        })
    }

    /// The session's client whatever its status (logged in or reconnecting).
    pub(crate) fn client(&self) -> Option<&Client> {
        self.live.as_ref().map(|l| &l.client)
    }

    /// The session's client and account while logged in (not while reconnecting).
    pub(crate) fn logged_in(&self) -> Option<(&Client, &str)> {
        match &self.live {
            Some(l) if self.status_is(LoginStatus::Logined) => Some((&l.client, &l.account)),
            _ => None,
        }
    }

    /// As [`logged_in`](Self::logged_in), else reports `on_error(name, 1003, "not logged in")`.
    pub(crate) async fn require_login(&self, out: &Dispatch, name: &'static str) -> Option<(&Client, &str)> {
        let found = self.logged_in();
        if found.is_none() {
            let code = translate::not_logged_in().code();
            out.emit(move |c| c.on_error(name, code, "not logged in")).await;
        }
        found
    }

    /// Whether the core still holds the session (connected or reconnecting), so that a failure
    /// of its invitations is theirs and not the session's end.
    pub(crate) fn is_live(&self) -> bool {
        self.logged_in()
            .is_some_and(|(c, _)| matches!(c.connection_state(), State::Connected | State::Reconnecting))
    }

    /// The next event of the core session; never ready without one.
    pub(crate) async fn next_event(&mut self) -> ClientEvent {
        if let Some(events) = self.live.as_mut().and_then(|l| l.events.as_mut()) {
            if let Some(ev) = events.recv().await {
                return ev;
            }
            if let Some(live) = self.live.as_mut() {
                live.events = None;
            }
        }
        std::future::pending().await
    }

    /// A connection state change of the core session: reports `on_reconnecting(n)` and
    /// `on_reconnected(fd)`. When the session is lost, sets the status to "not logged in" and
    /// returns why; the caller then ends it (see [`end`](Self::end)) and reports `on_logout`.
    pub(crate) async fn on_state(&mut self, out: &Dispatch, state: State, reason: Why) -> Option<Why> {
        let reconnecting = self.status_is(LoginStatus::Reconnecting);
        let live = self.live.as_mut()?;
        match (state, reason) {
            (State::Reconnecting, _) => {
                live.reconnects += 1;
                let n = live.reconnects;
                self.status.set(LoginStatus::Reconnecting);
                out.emit(move |c| c.on_reconnecting(n)).await;
                None
            }
            (State::Connected, _) if reconnecting => {
                let fd = live.fd;
                self.status.set(LoginStatus::Logined);
                out.emit(move |c| c.on_reconnected(fd)).await;
                None
            }
            (State::Aborted | State::Disconnected, why) => {
                self.status.set_not_login();
                Some(why)
            }
            _ => None,
        }
    }
}

/// Drops the connection events `login` queued, up to the success of its last attempt: they are
/// reported by `on_login_success` already, and those of failed earlier attempts (a disconnect
/// after a timeout) would otherwise end the new session. Later events (offline messages) stay.
fn skip_login_events(events: &mut Events) {
    let success = ClientEvent::ConnectionStateChanged { state: State::Connected, reason: Why::LoginSuccess };
    while let Some(ev) = events.try_recv() {
        if ev == success {
            break;
        }
    }
}
