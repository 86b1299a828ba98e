//! The task behind one legacy instance: runs its calls in order against a core [`Client`] and
//! turns core results and events into legacy callbacks. Message sends overlap (see
//! [`crate::sends`]); everything else runs one call at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use sigshim::client::ReconnectPolicy;
use sigshim::error::LoginError;
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, ConnectionChangeReason as Why, ConnectionState as State, Events, Hub};
use sigshim_mapping::translate::LeaveCause;
use sigshim_mapping::{LegacyCode, LoginStatus, translate};
use tokio::sync::mpsc;

use crate::callbacks::SignalingCallbacks;
use crate::channels::{ChanItem, Joined};
use crate::command::Command;
use crate::dispatcher::Dispatch;
use crate::options::{Endpoint, SignalingOptions};
use crate::uid::uid_for;

/// The logged-in (or logging-in) core session of the instance.
pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) account: String,
    fd: u32,
    reconnects: u32,
}

pub(crate) struct Actor {
    app_id: String,
    pub(crate) options: SignalingOptions,
    status: Arc<AtomicI32>,
    /// The instance's callbacks, run on the dispatcher thread or (inline) on this task.
    dispatch: Dispatch,
    pub(crate) session: Option<Session>,
    events: Option<Events>,
    next_fd: u32,
    next_msg_id: u64,
    /// The instance's network connector, when its endpoint is a URL.
    ws: Option<Arc<WsConnector>>,
    /// The joined channels, by ID.
    pub(crate) channels: std::collections::HashMap<String, Joined>,
    /// Every joined channel's events (and `_member_num` timers) in one queue.
    pub(crate) chan_tx: mpsc::Sender<ChanItem>,
    chan_rx: mpsc::Receiver<ChanItem>,
    pub(crate) next_channel_gen: u64,
    /// Invitations and calls.
    pub(crate) calls: crate::calls::Calls,
    /// Peer and channel messages on the link whose results are not reported yet.
    pub(crate) sends: crate::sends::Sends,
}

impl Actor {
    pub(crate) fn new(
        app_id: String,
        options: SignalingOptions,
        status: Arc<AtomicI32>,
        dispatch: Dispatch,
    ) -> Self {
        let (chan_tx, chan_rx) = mpsc::channel(1024);
        Self {
            app_id,
            options,
            status,
            dispatch,
            session: None,
            events: None,
            next_fd: 1,
            next_msg_id: 1,
            ws: None,
            channels: std::collections::HashMap::new(),
            chan_tx,
            chan_rx,
            next_channel_gen: 0,
            calls: crate::calls::Calls::new(),
            sends: crate::sends::Sends::default(),
        }
    }

    /// Runs a callback: queued for the dispatcher thread, or here and now with
    /// [`SignalingOptions::inline_callbacks`].
    pub(crate) async fn cb(&self, f: impl FnOnce(&dyn SignalingCallbacks) + Send + 'static) {
        if self.options.inline_callbacks {
            self.dispatch.run_inline(f);
        } else {
            self.dispatch.queue(Box::new(f)).await;
        }
    }

    fn set_status(&self, s: LoginStatus) {
        self.status.store(s as i32, Ordering::Release);
    }

    pub(crate) async fn run(mut self, mut cmds: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                biased;
                // A send's own result before any event the server produced after it.
                result = self.sends.next_done() => self.report_send(result).await,
                ev = next_event(&mut self.events) => self.on_event(ev).await,
                Some(item) = self.chan_rx.recv() => self.on_channel_item(item).await,
                ev = next_call_event(&mut self.calls.events) => match ev {
                    Some(ev) => self.on_call_event(ev).await,
                    None => self.calls.events = None,
                },
                Some(report) = self.calls.phone_rx.recv() => self.on_phone_event(report).await,
                cmd = cmds.recv() => match cmd {
                    Some(Command::Destroy) | None => break,
                    Some(cmd) => self.handle(cmd).await,
                },
            }
        }
        self.drain_sends().await;
        if self.session.is_some() {
            self.logout().await;
        }
    }

    fn connector_builder(&mut self, app_id: &str) -> sigshim::ClientBuilder {
        let b = Client::builder(app_id)
            .login_timeout(self.options.login_timeout)
            .call_timers(self.options.call_timers);
        match &self.options.endpoint {
            Endpoint::Embedded => b.hub(&Hub::shared(app_id)),
            Endpoint::Hub(h) => b.hub(h),
            Endpoint::Connector(c) => b.connector(c.clone()),
            Endpoint::Url(url) => {
                // One connector per instance, kept across logins, so a reconnect resumes.
                let c = self.ws.get_or_insert_with(|| Arc::new(WsConnector::new(url.clone()))).clone();
                b.connector(c)
            }
        }
    }

    pub(crate) async fn login(
        &mut self,
        app_id: String,
        account: String,
        token: String,
        retry_time: Duration,
        retry_count: u32,
    ) {
        if self.session.is_some() {
            tracing::debug!(%account, "login while logged in ignored");
            return;
        }
        let app_id = if app_id.is_empty() { self.app_id.clone() } else { app_id };
        let policy = ReconnectPolicy {
            max_attempts: Some(retry_count),
            max_duration: Some(retry_time),
            ..ReconnectPolicy::default()
        };
        let (client, events) = self.connector_builder(&app_id).reconnect_policy(policy).build();
        // Listening for invitations from the start, so that none arriving at login is missed.
        let (call_kit, call_events) = client.call_kit();
        self.set_status(LoginStatus::Logining);
        let token = (!token.is_empty()).then_some(token);
        let started = tokio::time::Instant::now();
        let mut attempt = 0u32;
        let result = loop {
            attempt += 1;
            match client.login(token.as_deref(), &account).await {
                Err(e @ (LoginError::Timeout | LoginError::Unknown | LoginError::TooOften))
                    if attempt <= retry_count && started.elapsed() < retry_time =>
                {
                    tracing::debug!(%account, attempt, error = %e, "login attempt failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                other => break other,
            }
        };
        match result {
            Ok(()) => {
                let mut events = events;
                skip_login_events(&mut events);
                let fd = self.next_fd;
                self.next_fd += 1;
                let uid = uid_for(&account);
                self.session = Some(Session { client, account, fd, reconnects: 0 });
                self.events = Some(events);
                self.calls.attach(call_kit, call_events);
                self.set_status(LoginStatus::Logined);
                self.cb(move |c| c.on_login_success(uid, fd)).await;
            }
            Err(e) => {
                self.set_status(LoginStatus::NotLogin);
                let code = translate::login_failure(e).code();
                self.cb(move |c| c.on_login_failed(code)).await;
            }
        }
    }

    pub(crate) async fn logout(&mut self) {
        let Some(session) = self.session.take() else {
            let code = LegacyCode::LogoutAlreadyLogout.code();
            self.cb(move |c| c.on_logout(code)).await;
            return;
        };
        self.events = None;
        self.calls.lost();
        self.channels_lost(LeaveCause::Logout).await;
        let _ = session.client.logout().await;
        self.set_status(LoginStatus::NotLogin);
        let code = LegacyCode::LogoutUser.code();
        self.cb(move |c| c.on_logout(code)).await;
    }

    /// The session's client, or reports "not logged in" through `on_error(name, …)`.
    pub(crate) async fn require_login(&self, name: &'static str) -> Option<(Client, String)> {
        let found = self.logged_in();
        if found.is_none() {
            let code = translate::not_logged_in().code();
            self.cb(move |c| c.on_error(name, code, "not logged in")).await;
        }
        found
    }

    /// The session's client and account while logged in, reporting nothing otherwise.
    pub(crate) fn logged_in(&self) -> Option<(Client, String)> {
        match &self.session {
            Some(s) if self.status.load(Ordering::Acquire) == LoginStatus::Logined as i32 => {
                Some((s.client.clone(), s.account.clone()))
            }
            _ => None,
        }
    }

    pub(crate) fn fresh_msg_id(&mut self) -> String {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        format!("sigshim-{id}")
    }

    async fn on_event(&mut self, ev: Option<ClientEvent>) {
        let Some(ev) = ev else {
            self.events = None;
            return;
        };
        match ev {
            ClientEvent::MessageFromPeer { peer_id, message, .. } => {
                let text = crate::messages::legacy_text(message);
                if self.on_call_message(&peer_id, &text).await {
                    return;
                }
                let uid = uid_for(&peer_id);
                self.cb(move |c| c.on_message_instant_receive(&peer_id, uid, &text)).await;
            }
            ClientEvent::ConnectionStateChanged { state, reason } => self.on_state(state, reason).await,
            _ => {}
        }
    }

    async fn on_state(&mut self, state: State, reason: Why) {
        let Some(session) = self.session.as_mut() else { return };
        match (state, reason) {
            (State::Reconnecting, _) => {
                session.reconnects += 1;
                let n = session.reconnects;
                self.set_status(LoginStatus::Reconnecting);
                self.cb(move |c| c.on_reconnecting(n)).await;
            }
            (State::Connected, _)
                if self.status.load(Ordering::Acquire) == LoginStatus::Reconnecting as i32 =>
            {
                let fd = session.fd;
                self.set_status(LoginStatus::Logined);
                self.cb(move |c| c.on_reconnected(fd)).await;
            }
            (State::Aborted | State::Disconnected, why) => {
                self.set_status(LoginStatus::NotLogin);
                // The sends in flight end first (with whatever the core answers), then the session.
                self.drain_sends().await;
                self.session = None;
                self.events = None;
                self.calls.lost();
                self.channels_lost(LeaveCause::from_connection(why)).await;
                let code = translate::logout_reason(why).code();
                self.cb(move |c| c.on_logout(code)).await;
            }
            _ => {}
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

async fn next_call_event(events: &mut Option<sigshim::call::CallEvents>) -> Option<sigshim::call::CallEvent> {
    match events {
        Some(e) => e.recv().await,
        None => std::future::pending().await,
    }
}

async fn next_event(events: &mut Option<Events>) -> Option<ClientEvent> {
    match events {
        Some(e) => e.recv().await,
        None => std::future::pending().await,
    }
}
