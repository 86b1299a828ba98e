//! One connection of the legacy endpoint: the first frame (login or resume), then calls in,
//! callbacks out, acknowledgements, until the session ends or the link breaks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use sigshim::protocol::close;
use sigshim::resume::ResumeError;
use sigshim::server::Admission;
use sigshim::server::edge::{CLOSE_TIMEOUT, close_socket, first_text, refuse_frame};
use tracing::Instrument;

use super::calls::{self, Args, CallError, Login};
use super::forward::Out;
use super::frames::{self, ClientFrame, ErrorKind};
use super::{Endpoint, LegacyLink, LegacySession};

/// How a connection ended.
enum End {
    /// The link is gone (or handed over): keep the session for a resume.
    Park,
    /// The session is over.
    Done,
}

/// Frames handled between two flushes.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// Serves one upgraded socket, inside a `legacy` span naming the peer.
pub(super) async fn serve(
    socket: WebSocket,
    endpoint: Arc<Endpoint>,
    admission: Admission,
    peer: SocketAddr,
) {
    let span = tracing::info_span!("legacy", %peer, session = tracing::field::Empty);
    async move {
        let _admission = admission;
        let mut socket = socket;
        // In a future of its own: its state (a resume's replay) would otherwise stay in every
        // connection's task for the connection's life.
        let Some((session, link)) = Box::pin(first_frame(&mut socket, &endpoint)).await else { return };
        tracing::Span::current().record("session", session.signals.key());
        let mut conn = Conn { socket, endpoint: endpoint.clone(), session, link, bad_frames: 0 };
        let end = conn.run().await;
        let Conn { session, link, .. } = conn;
        match end {
            End::Park => endpoint.park(&session, link),
            End::Done => {
                endpoint.end(&session);
                drop(link);
            }
        }
    }
    .instrument(span)
    .await
}

/// Sends one text frame within `limit`; false if it failed.
async fn send_text(socket: &mut WebSocket, text: String, limit: Duration) -> bool {
    send_frame(socket, text.into(), limit).await
}

/// Sends one text frame within `limit`; false if it failed.
async fn send_frame(socket: &mut WebSocket, text: Utf8Bytes, limit: Duration) -> bool {
    matches!(tokio::time::timeout(limit, socket.send(WsMessage::Text(text))).await, Ok(Ok(())))
}

/// Answers a connection that cannot go on, then closes it with 1008.
async fn refuse(socket: &mut WebSocket, kind: ErrorKind, id: Option<u64>, detail: &str, reason: &str) {
    send_text(socket, frames::error_text(kind, id, detail), CLOSE_TIMEOUT).await;
    close_socket(socket, close::POLICY, reason).await;
}

/// Waits for the login or resume and answers it; returns the session and its link.
async fn first_frame(
    socket: &mut WebSocket,
    endpoint: &Arc<Endpoint>,
) -> Option<(Arc<LegacySession>, LegacyLink)> {
    let config = endpoint.edge.config();
    let deadline = tokio::time::Instant::now() + config.handshake_timeout;
    let text = first_text(socket, deadline, endpoint.edge.shutting_down()).await?;
    let limit = config.idle_timeout;
    let (window, max_frame) = (config.max_unacked, config.max_frame_bytes);
    match frames::parse(text.as_str()) {
        Ok(ClientFrame::Call { name, args, id }) if calls::is_login(&name) => {
            let login = match Login::parse(&name, &Args::new(&name, &args)) {
                Ok(login) => login,
                Err(e) => {
                    refuse(socket, ErrorKind::BadArgs, id, &e.to_string(), "login expected").await;
                    return None;
                }
            };
            let (session, link) = endpoint.open(login.app_id, login.account);
            let ticket = endpoint.parking.ticket(&session);
            if !send_text(socket, frames::session_text(&ticket, false, window, max_frame), limit).await {
                endpoint.end(&session);
                return None;
            }
            tracing::debug!(account = login.account, "legacy login");
            login.call(&session.instance);
            Some((session, link))
        }
        Ok(ClientFrame::Resume { ticket, last_seq, token }) => match resume(endpoint, &ticket, token).await {
            Ok((session, mut link)) => {
                // The ticket just used is void: the client resumes next time with this one.
                let ticket = endpoint.parking.ticket(&session);
                let reply = frames::session_text(&ticket, true, window, max_frame);
                if !send_text(socket, reply, limit).await {
                    endpoint.park(&session, link);
                    return None;
                }
                link.unacked.acked(last_seq);
                let mut replayed = true;
                for (_, text) in link.unacked.iter() {
                    if !send_frame(socket, text.clone(), limit).await {
                        replayed = false;
                        break;
                    }
                }
                if !replayed {
                    endpoint.park(&session, link);
                    return None;
                }
                tracing::debug!(replayed = link.unacked.len(), "legacy session resumed");
                Some((session, link))
            }
            Err(e) => {
                let kind = match e {
                    ResumeError::UnknownSession => ErrorKind::UnknownSession,
                    ResumeError::Busy => ErrorKind::SessionBusy,
                };
                refuse(socket, kind, None, &e.to_string(), "cannot resume").await;
                None
            }
        },
        Ok(ClientFrame::Call { id, .. }) => {
            refuse(socket, ErrorKind::LoginExpected, id, "log in (or resume) first", "login expected").await;
            None
        }
        Ok(ClientFrame::Ack(_)) => {
            refuse(socket, ErrorKind::LoginExpected, None, "log in (or resume) first", "login expected")
                .await;
            None
        }
        Err(bad) => {
            refuse(socket, ErrorKind::BadFrame, bad.id, &bad.detail, "login expected").await;
            None
        }
    }
}

/// Takes a session over for a resume with `ticket` and, when the hub checks tokens, a valid
/// `token` of the session's account.
async fn resume(
    endpoint: &Endpoint,
    ticket: &str,
    token: Option<String>,
) -> Result<(Arc<LegacySession>, LegacyLink), ResumeError> {
    let hub = endpoint.edge.hub();
    let admit = |session: &LegacySession| match hub.verify_token(&session.account, token.as_deref()) {
        Ok(()) => true,
        Err(error) => {
            tracing::debug!(account = session.account, %error, "legacy resume refused: token");
            false
        }
    };
    endpoint.parking.resume_with(ticket, admit).await
}

struct Conn {
    socket: WebSocket,
    endpoint: Arc<Endpoint>,
    session: Arc<LegacySession>,
    link: LegacyLink,
    bad_frames: u32,
}

impl Conn {
    async fn run(&mut self) -> End {
        let idle = self.endpoint.edge.config().idle_timeout;
        let edge = self.endpoint.edge.clone();
        let session = self.session.clone();
        let idle_timer = tokio::time::sleep(idle);
        tokio::pin!(idle_timer);
        // Armed while the window is full: a client that lets it stay full this long is cut off.
        let stall_timer = tokio::time::sleep(idle);
        tokio::pin!(stall_timer);
        let mut stall = sigshim::window::StallWatch::default();
        // What the instance produced while the session had no link goes out first.
        if let Some(end) = self.pump().await {
            return end;
        }
        loop {
            let room = self.has_room();
            let stalled = stall.update(room, stall_timer.as_mut(), edge.config().slow_consumer_timeout);
            tokio::select! {
                biased;
                () = edge.shutting_down() => {
                    self.flush_queued().await;
                    close_socket(&mut self.socket, close::GOING_AWAY, "server shutting down").await;
                    return End::Park;
                }
                () = session.signals.takeover_requested() => {
                    close_socket(&mut self.socket, close::DROPPED, "resumed on another connection").await;
                    return End::Park;
                }
                () = &mut idle_timer => {
                    close_socket(&mut self.socket, close::IDLE, "idle timeout").await;
                    return End::Park;
                }
                () = &mut stall_timer, if stalled => {
                    tracing::info!(unacked = self.link.unacked.len(), "slow consumer: the window stayed full");
                    close_socket(&mut self.socket, close::SLOW_CONSUMER, "slow consumer").await;
                    return End::Park;
                }
                frame = self.socket.recv() => {
                    idle_timer.as_mut().reset(tokio::time::Instant::now() + idle);
                    match frame {
                        None => return End::Park,
                        Some(Err(e)) => {
                            refuse_frame(&mut self.socket, e).await;
                            return End::Park;
                        }
                        Some(Ok(msg)) => {
                            if let Some(end) = self.on_frames(msg).await {
                                return end;
                            }
                        }
                    }
                }
                job = self.link.jobs.recv(), if room => match job {
                    Some(job) => {
                        job(&*session.collector);
                        if let Some(end) = self.pump().await {
                            return end;
                        }
                    }
                    // The instance is gone without a last callback.
                    None => {
                        close_socket(&mut self.socket, close::DROPPED, "session ended").await;
                        return End::Done;
                    }
                },
            }
        }
    }

    /// Sends what the instance has for the connection, up to the window: the bodies already
    /// made, then the callbacks queued meanwhile; then flushes.
    async fn pump(&mut self) -> Option<End> {
        let collector = self.session.collector.clone();
        while self.has_room() {
            match collector.pop() {
                Some(Out::Frame(seq, text)) => {
                    if !self.feed(seq, text).await {
                        return Some(End::Park);
                    }
                }
                Some(Out::End) => return Some(self.session_over().await),
                None => match self.link.jobs.try_recv() {
                    Ok(job) => job(&*collector),
                    Err(_) => break,
                },
            }
        }
        (!self.write(None).await).then_some(End::Park)
    }

    /// True while the client may be sent more: the window, by count and by bytes, has room.
    fn has_room(&self) -> bool {
        let config = self.endpoint.edge.config();
        !self.link.unacked.is_full(config.max_unacked, config.max_unacked_bytes)
    }

    /// Keeps a frame until acknowledged and queues it on the socket.
    async fn feed(&mut self, seq: u64, text: Utf8Bytes) -> bool {
        self.link.unacked.keep(seq, text.clone(), text.len());
        self.write(Some(WsMessage::Text(text))).await
    }

    /// Queues `text` (or, with `None`, flushes) within the idle timeout; false when the link
    /// failed, could not take it, or a resume asked for the session meanwhile.
    async fn write(&mut self, msg: Option<WsMessage>) -> bool {
        let limit = self.endpoint.edge.config().idle_timeout;
        let socket = &mut self.socket;
        let io = async move {
            match msg {
                Some(msg) => socket.feed(msg).await,
                None => socket.flush().await,
            }
        };
        tokio::select! {
            biased;
            done = tokio::time::timeout(limit, io) => matches!(done, Ok(Ok(()))),
            () = self.session.signals.takeover_requested() => false,
        }
    }

    /// The session's last callback went out: close with 1000.
    async fn session_over(&mut self) -> End {
        self.write(None).await;
        self.session.closed.store(true, std::sync::atomic::Ordering::Release);
        close_socket(&mut self.socket, close::NORMAL, "session ended").await;
        End::Done
    }

    /// Sends every frame the instance has now, past the window (the link ends anyway), and
    /// flushes.
    async fn flush_queued(&mut self) {
        let collector = self.session.collector.clone();
        loop {
            match collector.pop() {
                Some(Out::Frame(seq, text)) => {
                    if !self.feed(seq, text).await {
                        return;
                    }
                }
                // The session's end goes out with the next link: nothing is taken past it.
                Some(Out::End) => {
                    collector.push_front(Out::End);
                    break;
                }
                None => match self.link.jobs.try_recv() {
                    Ok(job) => job(&*collector),
                    Err(_) => break,
                },
            }
        }
        self.write(None).await;
    }

    /// Handles a frame and every further frame already received, then flushes once.
    async fn on_frames(&mut self, first: WsMessage) -> Option<End> {
        use futures_util::FutureExt;
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next.take() {
            if let Some(end) = self.on_frame(msg).await {
                return Some(end);
            }
            handled += 1;
            if handled == MAX_FRAMES_PER_FLUSH {
                break;
            }
            next = match self.socket.recv().now_or_never() {
                Some(Some(Ok(msg))) => Some(msg),
                Some(Some(Err(e))) => {
                    refuse_frame(&mut self.socket, e).await;
                    return Some(End::Park);
                }
                Some(None) => return Some(End::Park),
                None => None,
            };
        }
        // Acknowledgements make room: what waited for it goes out with the replies.
        self.pump().await
    }

    /// Handles one frame from the client.
    async fn on_frame(&mut self, msg: WsMessage) -> Option<End> {
        let text = match msg {
            WsMessage::Text(t) => t,
            WsMessage::Binary(_) => {
                close_socket(&mut self.socket, close::UNSUPPORTED_DATA, "text frames only").await;
                return Some(End::Park);
            }
            WsMessage::Close(_) => return Some(End::Park),
            WsMessage::Ping(_) | WsMessage::Pong(_) => return None,
        };
        if self.endpoint.metered {
            metrics::counter!("sigshim_legacy_frames_in_total").increment(1);
        }
        match frames::parse(text.as_str()) {
            Ok(ClientFrame::Call { name, args, id }) => {
                let sig = &self.session.instance;
                match calls::call(sig, &name, &Args::new(&name, &args)) {
                    Ok(ret) => {
                        if let Some(id) = id {
                            self.after_calls(id, ret);
                        }
                        None
                    }
                    Err(e) => {
                        let kind = match &e {
                            CallError::Unknown(_) => ErrorKind::UnknownCall,
                            CallError::BadArgs(_) => ErrorKind::BadArgs,
                            CallError::LoginAgain(_) => ErrorKind::AlreadyLoggedIn,
                        };
                        self.bad_frame(kind, id, &e.to_string()).await
                    }
                }
            }
            Ok(ClientFrame::Ack(seq)) => {
                self.link.unacked.acked(seq);
                None
            }
            Ok(ClientFrame::Resume { .. }) => {
                self.bad_frame(ErrorKind::AlreadyLoggedIn, None, "this connection has a session").await
            }
            Err(bad) => self.bad_frame(ErrorKind::BadFrame, bad.id, &bad.detail).await,
        }
    }

    /// Queues call `id`'s `done` frame behind the callbacks of the calls before it.
    fn after_calls(&self, id: u64, ret: calls::Ret) {
        let instance = Arc::downgrade(&self.session.instance);
        let collector = self.session.collector.clone();
        let job: crate::dispatcher::Job = Box::new(move |_| {
            let value = instance.upgrade().and_then(|sig| ret.value(&sig));
            collector.done(id, value);
        });
        if !self.session.instance.after_calls(job) {
            // The instance takes no more calls: answer at once.
            let value = ret.value(&self.session.instance);
            self.session.collector.done(id, value);
        }
    }

    /// Answers a frame it cannot use; too many of them close the connection.
    async fn bad_frame(&mut self, kind: ErrorKind, id: Option<u64>, detail: &str) -> Option<End> {
        tracing::debug!(?kind, detail, "legacy frame refused");
        if !self.write(Some(WsMessage::text(frames::error_text(kind, id, detail)))).await {
            return Some(End::Park);
        }
        self.bad_frames += 1;
        if self.bad_frames > self.endpoint.edge.config().max_bad_frames {
            self.write(None).await;
            close_socket(&mut self.socket, close::POLICY, "too many bad frames").await;
            return Some(End::Park);
        }
        None
    }
}
