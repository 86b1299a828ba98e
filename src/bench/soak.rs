//! The soak: many logged-in users with mixed traffic at a steady rate for a long time, and the
//! server's resident memory sampled all along, so that a leak shows as a slope.
//!
//! The users are protocol-level users of the core protocol (the frames of docs/PROTOCOL.md
//! written straight onto one WebSocket each, replies matched by request ID, as
//! [`super::lean`]), because they can do everything the soak needs (peer and channel messages,
//! joins, leaves, logouts, logins) at a fraction of the generator CPU and memory of a core
//! client. One pacer thread hands out the run's slots (`--rate` per second); a dispatcher picks
//! what each slot does and which users do it, and hands that to the user's task:
//!
//! - 89%: a peer message between two random online users;
//! - 5%: a peer message to a user who is logged out for now, stored by the server's offline
//!   store (answered with code 4) and delivered at that user's next login; at most
//!   [`OFFLINE_CAP`] per user and absence, under the store's 200 per receiver;
//! - 3%: a channel message from a random member of one of the channels (one channel per 200
//!   users, about [`CHANNEL_SIZE`] members each);
//! - 3%: a join of a channel, or a leave, keeping the channels at about [`CHANNEL_SIZE`]
//!   members;
//! - beside the slots, session churn: `--churn` percent of the users per minute log out (after
//!   every request of theirs is answered) and log in again `--offline-for` later, so that a leak
//!   on session teardown shows.
//!
//! Every peer message is sent with offline messaging on. Every request must be answered within
//! 10 s: a timeout, a request never answered, a connection the server closed, or a peer message
//! the server accepted (or stored) and never delivered fails the run (after the report). Errors
//! are counted by operation and code. Users keep their links alive with a ping after 10 s
//! without a frame, and acknowledge every 64 numbered frames or every 5 s.
//!
//! Every `--sample-every` seconds from the first slot, the server's RSS (`VmRSS` of the child
//! process) is sampled and printed with the traffic so far; the report gives the samples, the
//! RSS at the start and end of the measured period (after the warm-up), its minimum and
//! maximum, and the least-squares slope over the measured period in KiB per minute.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::dialect::seq_of;
use super::pacer::{Pacer, Schedule};
use super::procfs::{self, CpuMeter};
use super::raw::{ACK_EVERY, Ws};
use super::stats::{Latencies, Report, now_ns, ns_of, user};
use super::target::{APP_ID, Target};

/// Channel members the soak keeps each channel at, about.
pub(crate) const CHANNEL_SIZE: usize = 30;
/// Users per channel: the soak has one channel per this many users (at least one).
const USERS_PER_CHANNEL: usize = 200;
/// Peer messages sent to one user during one absence, at most (the server stores 200).
pub(crate) const OFFLINE_CAP: u32 = 150;
/// Slots per thousand that send a peer message to a logged-out user.
const OFFLINE_PER_MILLE: u32 = 50;
/// Slots per thousand that send a channel message.
const CHANNEL_PER_MILLE: u32 = 30;
/// Slots per thousand that join or leave a channel.
const MEMBERSHIP_PER_MILLE: u32 = 30;
/// A request not answered within this is a timeout.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// Each user's housekeeping period: acknowledge what is unacknowledged, expire requests.
const TICK: Duration = Duration::from_secs(5);
/// A user that wrote nothing for this long pings (the server closes after 30 s of silence).
const KEEPALIVE: Duration = Duration::from_secs(10);

/// The size and pace of a soak.
#[derive(Debug, Clone)]
pub(crate) struct SoakShape {
    /// Logged-in users.
    pub(crate) connections: usize,
    /// Logins in flight at once while the users log in.
    pub(crate) concurrency: usize,
    /// Slots per second (each one message, join or leave).
    pub(crate) rate: u64,
    /// Traffic before the measured period.
    pub(crate) warmup: Duration,
    /// The measured period.
    pub(crate) duration: Duration,
    /// The period of the RSS samples.
    pub(crate) sample_every: Duration,
    /// Users that log out (and in again later) per minute, in percent of all users.
    pub(crate) churn_pct_per_min: f64,
    /// How long a user that logged out stays away.
    pub(crate) offline_for: Duration,
}

/// The requests a soak user makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Login,
    Peer,
    Channel,
    Join,
    Leave,
    Logout,
    Ping,
}

impl Op {
    const ALL: [Op; 7] = [Op::Login, Op::Peer, Op::Channel, Op::Join, Op::Leave, Op::Logout, Op::Ping];

    /// The request's `op` on the wire.
    fn name(self) -> &'static str {
        match self {
            Op::Login => "login",
            Op::Peer => "send_peer_message",
            Op::Channel => "send_channel_message",
            Op::Join => "join_channel",
            Op::Leave => "leave_channel",
            Op::Logout => "logout",
            Op::Ping => "ping",
        }
    }
}

/// What the dispatcher asks of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    /// Send peer message number `msg` to user `to`.
    Peer {
        to: u32,
        due: u64,
        msg: u64,
    },
    /// Send a message to channel `channel` (a member).
    Channel {
        channel: u32,
        due: u64,
    },
    Join {
        channel: u32,
        due: u64,
    },
    Leave {
        channel: u32,
        due: u64,
    },
    /// Log out once every request is answered, stay away, log in again, and say so.
    Logout,
}

/// A set of numbers (peer messages), one bit each.
#[derive(Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    /// Sets bit `i`; whether it was set already.
    fn set(&mut self, i: u64) -> bool {
        let (word, bit) = ((i / 64) as usize, 1u64 << (i % 64));
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        let was = self.0[word] & bit != 0;
        self.0[word] |= bit;
        was
    }

    /// The first `max` bits set here and not in `other`.
    fn first_missing_from(&self, other: &Bits, max: usize) -> Vec<u64> {
        let missing = self.0.iter().enumerate().flat_map(|(i, w)| {
            let w = w & !other.0.get(i).copied().unwrap_or(0);
            (0..64).filter(move |b| w & (1 << b) != 0).map(move |b| i as u64 * 64 + b)
        });
        missing.take(max).collect()
    }

    /// The bits set here and not in `other`.
    fn missing_from(&self, other: &Bits) -> u64 {
        self.0
            .iter()
            .enumerate()
            .map(|(i, w)| (w & !other.0.get(i).copied().unwrap_or(0)).count_ones() as u64)
            .sum()
    }
}

/// What happened over the run, shared by every user.
#[derive(Debug, Default)]
struct Tallies {
    /// Requests written, by [`Op`] (in `Op::ALL` order).
    requests: [AtomicU64; 7],
    answered: AtomicU64,
    timeouts: AtomicU64,
    /// Replies to requests that had timed out already.
    late: AtomicU64,
    /// Peer messages answered with code 4 (stored for an offline receiver).
    stored: AtomicU64,
    errors: AtomicU64,
    /// Errors by `op:code`.
    error_codes: Mutex<BTreeMap<String, u64>>,
    /// Peer messages delivered live, delivered from the offline store, channel messages
    /// delivered to a member.
    peer_delivered: AtomicU64,
    offline_delivered: AtomicU64,
    channel_delivered: AtomicU64,
    /// Peer messages delivered more than once.
    duplicates: AtomicU64,
    /// Connections closed other than by a logout, `kicked` events, users that could not log in
    /// again after a logout.
    disconnects: AtomicU64,
    kicked: AtomicU64,
    login_failures: AtomicU64,
    /// Peer messages the server accepted or stored, and those delivered.
    accepted: Mutex<Bits>,
    delivered: Mutex<Bits>,
    /// By peer message number: sender, receiver, the reply (0 sent, 4 stored) and when it came
    /// (to explain a lost message).
    accepted_info: Mutex<Vec<(u32, u32, u8, u64)>>,
    /// Each user's session changes: who, what, when (to explain a lost message).
    history: Mutex<Vec<(u32, &'static str, u64)>>,
    /// Delivery latency (from the due time), over the measured period and since the last sample.
    delivery: Mutex<Latencies>,
    recent_delivery: Mutex<Latencies>,
    /// Reply latency (from the due time), likewise.
    reply: Mutex<Latencies>,
    recent_reply: Mutex<Latencies>,
}

impl Tallies {
    fn requests(&self) -> u64 {
        self.requests.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// Requests neither answered nor timed out.
    fn outstanding(&self) -> u64 {
        self.requests().saturating_sub(get(&self.answered) + get(&self.timeouts))
    }

    /// Peer messages the server accepted that never arrived.
    fn lost(&self) -> u64 {
        self.accepted.lock().missing_from(&self.delivered.lock())
    }

    fn accept(&self, msg: u64, from: u32, to: u32, code: u8) {
        self.accepted.lock().set(msg);
        let mut info = self.accepted_info.lock();
        if info.len() <= msg as usize {
            info.resize(msg as usize + 1, (0, 0, 0, 0));
        }
        info[msg as usize] = (from, to, code, now_ns());
    }

    fn error(&self, op: Op, code: Option<u64>) {
        bump(&self.errors);
        let key = format!("{}:{}", op.name(), code.map_or("?".into(), |c| c.to_string()));
        *self.error_codes.lock().entry(key).or_default() += 1;
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// What every user task shares: names, the measured window, the tallies.
#[derive(Debug)]
struct Ctx {
    url: String,
    users: Vec<String>,
    channels: Vec<String>,
    offline_for: Duration,
    /// The measured window in the generator's clock (`from..until`); nothing is in it until the
    /// users are logged in.
    from: AtomicU64,
    until: AtomicU64,
    tallies: Tallies,
}

impl Ctx {
    fn measured(&self, t: u64) -> bool {
        (get(&self.from)..get(&self.until)).contains(&t)
    }

    /// Records a delivery or reply latency of something due at `due`.
    fn latency(&self, due: u64, all: &Mutex<Latencies>, recent: &Mutex<Latencies>) {
        if self.measured(due) {
            let ns = now_ns().saturating_sub(due);
            all.lock().record_ns(ns);
            recent.lock().record_ns(ns);
        }
    }
}

/// A message text: `t<due>|<number>|`, padded to 64 bytes (number 0: a channel message).
fn stamp(due: u64, msg: u64) -> String {
    let mut s = format!("t{due}|{msg}|");
    while s.len() < 64 {
        s.push('x');
    }
    s
}

/// The due time and number a delivered message's [`stamp`] carries.
fn stamp_of(frame: &str) -> Option<(u64, u64)> {
    let at = frame.find("\"text\":\"t")? + 9;
    let (due, rest) = digits(&frame[at..])?;
    let (msg, _) = digits(rest.strip_prefix('|')?)?;
    Some((due, msg))
}

/// The decimal number `s` starts with, and what follows it.
fn digits(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A reply frame: its request ID, its kind (`message_sent`, `ok`, `error`, …) and error code.
fn reply_of(frame: &str) -> Option<(Option<u64>, &str, Option<u64>)> {
    let at = frame.find("\"reply\":\"")? + 9;
    let kind = &frame[at..at + frame[at..].find('"')?];
    let id = frame.find("\"id\":").and_then(|i| digits(&frame[i + 5..])).map(|(id, _)| id);
    let code = frame.find("\"code\":").and_then(|i| digits(&frame[i + 7..])).map(|(c, _)| c);
    Some((id, kind, if kind == "error" { code } else { None }))
}

/// A request waiting for its reply.
#[derive(Debug, Clone, Copy)]
struct Pending {
    id: u64,
    op: Op,
    due: u64,
    msg: u64,
    /// The receiver of a peer message.
    to: u32,
    sent: Instant,
}

/// One simulated user: its link and what it waits for.
struct SoakUser {
    idx: u32,
    ws: Ws,
    ctx: Arc<Ctx>,
    next_id: u64,
    pending: Vec<Pending>,
    last_seq: u64,
    unacked: u64,
    last_write: Instant,
    logged_in: bool,
}

/// Connects a new link for `user`.
async fn connect(url: &str, user: &str) -> Result<Ws, String> {
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| format!("connecting {user}: {e}"))?;
    Ok(ws)
}

impl SoakUser {
    /// Connects and logs in user `idx`, and joins `channel`.
    async fn start(ctx: Arc<Ctx>, idx: u32, channel: Option<u32>) -> Result<Self, String> {
        let ws = connect(&ctx.url, &ctx.users[idx as usize]).await?;
        let mut user = Self {
            idx,
            ws,
            ctx,
            next_id: 0,
            pending: Vec::new(),
            last_seq: 0,
            unacked: 0,
            last_write: Instant::now(),
            logged_in: false,
        };
        user.log_in().await?;
        if let Some(c) = channel {
            user.command(Cmd::Join { channel: c, due: now_ns() }).await?;
            user.flush().await?;
            user.settle().await?;
        }
        Ok(user)
    }

    fn name(&self) -> &str {
        &self.ctx.users[self.idx as usize]
    }

    /// Logs in on the link just connected; what the server sends before the reply (stored
    /// messages) is read as usual.
    async fn log_in(&mut self) -> Result<(), String> {
        self.logged_in = false;
        self.last_seq = 0;
        self.unacked = 0;
        let frame = json!({"op": "login", "id": self.next_id + 1, "app_id": APP_ID, "user_id": self.name()});
        self.request(Op::Login, frame.to_string(), now_ns(), 0, 0).await?;
        self.flush().await?;
        self.settle().await?;
        if self.logged_in { Ok(()) } else { Err(format!("{}: the login was refused", self.name())) }
    }

    /// Queues a request (not yet flushed).
    async fn request(&mut self, op: Op, frame: String, due: u64, msg: u64, to: u32) -> Result<(), String> {
        self.next_id += 1;
        let sent = Instant::now();
        self.pending.push(Pending { id: self.next_id, op, due, msg, to, sent });
        bump(&self.ctx.tallies.requests[op as usize]);
        self.feed(frame).await
    }

    async fn feed(&mut self, frame: String) -> Result<(), String> {
        self.last_write = Instant::now();
        self.ws.feed(WsMessage::text(frame)).await.map_err(|e| format!("{}: sending: {e}", self.name()))
    }

    async fn flush(&mut self) -> Result<(), String> {
        self.ws.flush().await.map_err(|e| format!("{}: sending: {e}", self.name()))
    }

    /// Queues the request a command asks for (not a logout).
    async fn command(&mut self, cmd: Cmd) -> Result<(), String> {
        let id = self.next_id + 1;
        let ctx = self.ctx.clone();
        let (op, frame, due, msg, to) = match cmd {
            Cmd::Peer { to, due, msg } => (
                Op::Peer,
                format!(
                    r#"{{"op":"send_peer_message","id":{id},"peer_id":"{}","message":{{"type":"text","text":"{}"}},"options":{{"enable_offline_messaging":true}}}}"#,
                    ctx.users[to as usize],
                    stamp(due, msg)
                ),
                due,
                msg,
                to,
            ),
            Cmd::Channel { channel, due } => (
                Op::Channel,
                format!(
                    r#"{{"op":"send_channel_message","id":{id},"channel_id":"{}","message":{{"type":"text","text":"{}"}}}}"#,
                    ctx.channels[channel as usize],
                    stamp(due, 0)
                ),
                due,
                0,
                0,
            ),
            Cmd::Join { channel, due } => (
                Op::Join,
                format!(
                    r#"{{"op":"join_channel","id":{id},"channel_id":"{}"}}"#,
                    ctx.channels[channel as usize]
                ),
                due,
                0,
                0,
            ),
            Cmd::Leave { channel, due } => (
                Op::Leave,
                format!(
                    r#"{{"op":"leave_channel","id":{id},"channel_id":"{}"}}"#,
                    ctx.channels[channel as usize]
                ),
                due,
                0,
                0,
            ),
            Cmd::Logout => return Err("a logout is not a plain request".into()),
        };
        self.request(op, frame, due, msg, to).await
    }

    /// Notes a change of this user's session.
    fn note(&self, what: &'static str) {
        self.ctx.tallies.history.lock().push((self.idx, what, now_ns()));
    }

    /// Reads one frame the server sent.
    fn on_text(&mut self, text: &str) {
        let t = &self.ctx.tallies;
        if let Some((id, kind, code)) = reply_of(text) {
            let Some(at) = id.and_then(|id| self.pending.iter().position(|p| p.id == id)) else {
                bump(&t.late);
                return;
            };
            let p = self.pending.swap_remove(at);
            bump(&t.answered);
            self.ctx.latency(p.due, &t.reply, &t.recent_reply);
            match (p.op, kind, code) {
                (Op::Login, "logged_in", _) => {
                    self.logged_in = true;
                    self.note("logged in");
                }
                (Op::Logout, _, _) => self.note("logout answered"),
                (Op::Peer, "message_sent", _) => t.accept(p.msg, self.idx, p.to, 0),
                (Op::Peer, "error", Some(4)) => {
                    bump(&t.stored);
                    t.accept(p.msg, self.idx, p.to, 4);
                }
                (op, "error", code) => t.error(op, code),
                _ => {}
            }
            return;
        }
        if text.contains("\"event\":\"kicked\"") {
            bump(&t.kicked);
        }
        let Some(seq) = seq_of(text).filter(|&s| s > 0) else { return };
        self.last_seq = seq;
        self.unacked += 1;
        if text.contains("\"event\":\"peer_message\"") {
            let Some((due, msg)) = stamp_of(text) else { return };
            if text.contains("\"offline\":true") {
                bump(&t.offline_delivered);
            } else {
                bump(&t.peer_delivered);
                self.ctx.latency(due, &t.delivery, &t.recent_delivery);
            }
            if t.delivered.lock().set(msg) {
                bump(&t.duplicates);
            }
        } else if text.contains("\"event\":\"channel_message\"") {
            bump(&t.channel_delivered);
            if let Some((due, _)) = stamp_of(text) {
                self.ctx.latency(due, &t.delivery, &t.recent_delivery);
            }
        }
    }

    /// Queues an acknowledgement of everything received, if anything is unacknowledged.
    async fn feed_ack(&mut self) -> Result<bool, String> {
        if self.unacked == 0 {
            return Ok(false);
        }
        self.unacked = 0;
        self.feed(format!(r#"{{"op":"ack","seq":{}}}"#, self.last_seq)).await?;
        Ok(true)
    }

    /// Counts the requests unanswered for [`REPLY_TIMEOUT`] as timeouts and forgets them.
    fn expire(&mut self) {
        let now = Instant::now();
        let before = self.pending.len();
        self.pending.retain(|p| now < p.sent + REPLY_TIMEOUT);
        let expired = before - self.pending.len();
        if expired > 0 {
            self.ctx.tallies.timeouts.fetch_add(expired as u64, Ordering::Relaxed);
            eprintln!("soak: {} requests of {} unanswered after {REPLY_TIMEOUT:?}", expired, self.name());
        }
    }

    /// Reads until every request is answered (or timed out).
    async fn settle(&mut self) -> Result<(), String> {
        while let Some(oldest) = self.pending.iter().map(|p| p.sent).min() {
            match tokio::time::timeout_at(oldest + REPLY_TIMEOUT, self.ws.next()).await {
                Err(_) => self.expire(),
                Ok(Some(Ok(WsMessage::Text(text)))) => self.on_text(&text),
                Ok(Some(Ok(_))) => {}
                Ok(None | Some(Err(_))) => {
                    return Err(format!("{}: the server closed the link", self.name()));
                }
            }
        }
        Ok(())
    }

    /// The churn: every request answered, everything acknowledged, a logout, an absence, a login.
    async fn churn(&mut self) -> Result<(), String> {
        self.flush().await?;
        self.settle().await?;
        self.feed_ack().await?;
        let frame = format!(r#"{{"op":"logout","id":{}}}"#, self.next_id + 1);
        self.request(Op::Logout, frame, now_ns(), 0, 0).await?;
        self.flush().await?;
        self.note("logout sent");
        // The reply, then the server closes the link.
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(WsMessage::Text(text)))) => self.on_text(&text),
                Ok(Some(Ok(_))) => {}
                Err(_) | Ok(None | Some(Err(_))) => break,
            }
        }
        self.note("link closed");
        if !self.pending.is_empty() {
            let n = self.pending.len() as u64;
            self.pending.clear();
            self.ctx.tallies.timeouts.fetch_add(n, Ordering::Relaxed);
            eprintln!("soak: the logout of {} was not answered", self.name());
        }
        tokio::time::sleep(self.ctx.offline_for).await;
        let mut last = String::new();
        for _ in 0..3 {
            match connect(&self.ctx.url, self.name()).await {
                Ok(ws) => {
                    self.ws = ws;
                    match self.log_in().await {
                        Ok(()) => return Ok(()),
                        Err(e) => last = e,
                    }
                }
                Err(e) => last = e,
            }
        }
        bump(&self.ctx.tallies.login_failures);
        Err(last)
    }

    /// Housekeeping: expire, acknowledge, keep the link alive.
    async fn tick(&mut self) -> Result<(), String> {
        self.expire();
        let wrote = if self.feed_ack().await? {
            true
        } else if self.last_write.elapsed() >= KEEPALIVE {
            let frame = format!(r#"{{"op":"ping","id":{}}}"#, self.next_id + 1);
            self.request(Op::Ping, frame, now_ns(), 0, 0).await?;
            true
        } else {
            false
        };
        if wrote { self.flush().await } else { Ok(()) }
    }

    /// Runs the user: commands from the dispatcher, frames from the server, housekeeping, until
    /// `stop`. After a churn, it says it is back on `back`.
    async fn run(
        mut self,
        mut cmds: mpsc::UnboundedReceiver<Cmd>,
        back: mpsc::UnboundedSender<u32>,
        mut stop: watch::Receiver<bool>,
    ) {
        // Spread the users' housekeeping over the period.
        let offset = TICK.mul_f64(f64::from(self.idx % 1000) / 1000.0);
        let mut tick = tokio::time::interval_at(Instant::now() + offset, TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let result: Result<(), String> = async {
            loop {
                tokio::select! {
                    cmd = cmds.recv() => {
                        let Some(mut cmd) = cmd else { return Ok(()) };
                        loop {
                            if cmd == Cmd::Logout {
                                self.churn().await?;
                                let _ = back.send(self.idx);
                                break;
                            }
                            self.command(cmd).await?;
                            match cmds.try_recv() {
                                Ok(next) => cmd = next,
                                Err(_) => break,
                            }
                        }
                        self.flush().await?;
                    }
                    frame = self.ws.next() => match frame {
                        Some(Ok(WsMessage::Text(text))) => {
                            self.on_text(&text);
                            if self.unacked >= ACK_EVERY && self.feed_ack().await? {
                                self.flush().await?;
                            }
                        }
                        Some(Ok(_)) => {}
                        None | Some(Err(_)) => return Err(format!("{}: the server closed the link", self.name())),
                    },
                    _ = tick.tick() => self.tick().await?,
                    _ = stop.changed() => {
                        // Every request answered, everything acknowledged.
                        self.flush().await?;
                        self.settle().await?;
                        if self.feed_ack().await? {
                            self.flush().await?;
                        }
                        return Ok(());
                    }
                }
            }
        }
        .await;
        if let Err(e) = result {
            bump(&self.ctx.tallies.disconnects);
            eprintln!("soak: {e}");
        }
    }
}

/// A small, fast pseudo-random generator (xorshift64*); the soak needs spread, not quality.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// A set of users with a random pick and removal in constant time.
#[derive(Debug, Default)]
struct Pool {
    items: Vec<u32>,
    /// `pos[u]`: the index of `u` in `items` plus one, 0 when absent.
    pos: Vec<u32>,
}

impl Pool {
    fn new(capacity: usize) -> Self {
        Self { items: Vec::with_capacity(capacity), pos: vec![0; capacity] }
    }

    fn insert(&mut self, u: u32) {
        if self.pos[u as usize] == 0 {
            self.items.push(u);
            self.pos[u as usize] = self.items.len() as u32;
        }
    }

    fn remove(&mut self, u: u32) -> bool {
        let at = self.pos[u as usize];
        if at == 0 {
            return false;
        }
        self.pos[u as usize] = 0;
        let last = self.items.pop().expect("not empty");
        if last != u {
            self.items[at as usize - 1] = last;
            self.pos[last as usize] = at;
        }
        true
    }

    fn pick(&self, rng: &mut Rng) -> Option<u32> {
        (!self.items.is_empty()).then(|| self.items[rng.below(self.items.len())])
    }

    fn len(&self) -> usize {
        self.items.len()
    }
}

/// The dispatcher's view of the users: who is online, who is away, who is in which channel.
struct World {
    rng: Rng,
    online: Pool,
    away: Pool,
    channel_of: Vec<Option<u32>>,
    members: Vec<Vec<u32>>,
    /// Peer messages sent to each away user during its absence.
    stored: Vec<u32>,
    next_msg: u64,
    cmds: Vec<mpsc::UnboundedSender<Cmd>>,
    /// Slots with nothing to do (fewer than two users online), messages sent to away users,
    /// users whose task had ended.
    skipped: u64,
    to_away: u64,
    dead: u64,
}

/// The channel user `i` joins at the start, if any: the first `channels × CHANNEL_SIZE` users
/// (at most half of them) are spread over the channels.
fn initial_channel(i: usize, users: usize, channels: usize) -> Option<u32> {
    (i < (channels * CHANNEL_SIZE).min(users / 2)).then(|| (i % channels) as u32)
}

impl World {
    fn new(users: usize, channels: usize, cmds: Vec<mpsc::UnboundedSender<Cmd>>, seed: u64) -> Self {
        let mut w = Self {
            rng: Rng::new(seed),
            online: Pool::new(users),
            away: Pool::new(users),
            channel_of: vec![None; users],
            members: vec![Vec::new(); channels],
            stored: vec![0; users],
            next_msg: 0,
            cmds,
            skipped: 0,
            to_away: 0,
            dead: 0,
        };
        for i in 0..users {
            w.online.insert(i as u32);
            if let Some(c) = initial_channel(i, users, channels) {
                w.channel_of[i] = Some(c);
                w.members[c as usize].push(i as u32);
            }
        }
        w
    }

    fn send(&mut self, u: u32, cmd: Cmd) {
        if self.cmds[u as usize].send(cmd).is_err() {
            // Its task ended (it counted why): it is out of the run.
            self.dead += 1;
            self.online.remove(u);
            self.away.remove(u);
            self.leave_channel(u);
        }
    }

    fn leave_channel(&mut self, u: u32) -> Option<u32> {
        let c = self.channel_of[u as usize].take()?;
        let members = &mut self.members[c as usize];
        if let Some(at) = members.iter().position(|&m| m == u) {
            members.swap_remove(at);
        }
        Some(c)
    }

    /// What slot `due` does.
    fn slot(&mut self, due: u64) {
        let r = self.rng.below(1000) as u32;
        let done = if r < OFFLINE_PER_MILLE {
            self.message_to_away(due)
        } else if r < OFFLINE_PER_MILLE + CHANNEL_PER_MILLE {
            self.channel_message(due)
        } else if r < OFFLINE_PER_MILLE + CHANNEL_PER_MILLE + MEMBERSHIP_PER_MILLE {
            self.membership(due)
        } else {
            false
        };
        if !done && !self.peer(due) {
            self.skipped += 1;
        }
    }

    fn message(&mut self, from: u32, to: u32, due: u64) {
        self.next_msg += 1;
        let msg = self.next_msg;
        self.send(from, Cmd::Peer { to, due, msg });
    }

    fn peer(&mut self, due: u64) -> bool {
        if self.online.len() < 2 {
            return false;
        }
        let from = self.online.pick(&mut self.rng).expect("two online");
        let to = loop {
            let to = self.online.pick(&mut self.rng).expect("two online");
            if to != from {
                break to;
            }
        };
        self.message(from, to, due);
        true
    }

    fn message_to_away(&mut self, due: u64) -> bool {
        let Some(from) = self.online.pick(&mut self.rng) else { return false };
        for _ in 0..8 {
            let Some(to) = self.away.pick(&mut self.rng) else { return false };
            if self.stored[to as usize] < OFFLINE_CAP {
                self.stored[to as usize] += 1;
                self.to_away += 1;
                self.message(from, to, due);
                return true;
            }
        }
        false
    }

    fn channel_message(&mut self, due: u64) -> bool {
        let c = self.rng.below(self.members.len());
        let members = &self.members[c];
        if members.is_empty() {
            return false;
        }
        let from = members[self.rng.below(members.len())];
        self.send(from, Cmd::Channel { channel: c as u32, due });
        true
    }

    /// A join or a leave of a random channel: a join more likely the fewer members it has.
    fn membership(&mut self, due: u64) -> bool {
        let c = self.rng.below(self.members.len());
        let size = self.members[c].len();
        if self.rng.below(2 * CHANNEL_SIZE) >= size {
            for _ in 0..16 {
                let Some(u) = self.online.pick(&mut self.rng) else { return false };
                if self.channel_of[u as usize].is_none() {
                    self.channel_of[u as usize] = Some(c as u32);
                    self.members[c].push(u);
                    self.send(u, Cmd::Join { channel: c as u32, due });
                    return true;
                }
            }
            false
        } else {
            let u = self.members[c][self.rng.below(size)];
            self.leave_channel(u);
            self.send(u, Cmd::Leave { channel: c as u32, due });
            true
        }
    }

    /// One user logs out, to come back later.
    fn churn(&mut self) {
        let Some(u) = self.online.pick(&mut self.rng) else { return };
        self.online.remove(u);
        self.away.insert(u);
        self.stored[u as usize] = 0;
        // The session's end takes it out of its channel.
        self.leave_channel(u);
        self.send(u, Cmd::Logout);
    }

    /// User `u` logged in again.
    fn back(&mut self, u: u32) {
        if self.away.remove(u) {
            self.online.insert(u);
        }
    }
}

/// Up to ten accepted peer messages that never arrived, each with its receiver's session
/// changes within a minute of the reply (times relative to the reply).
fn explain_lost(ctx: &Ctx) -> Vec<String> {
    let t = &ctx.tallies;
    let missing = t.accepted.lock().first_missing_from(&t.delivered.lock(), 10);
    let info = t.accepted_info.lock();
    let history = t.history.lock();
    missing
        .iter()
        .map(|&m| {
            let (from, to, code, at) = info.get(m as usize).copied().unwrap_or_default();
            let around: Vec<String> = history
                .iter()
                .filter(|(u, _, when)| *u == to && when.abs_diff(at) < 60_000_000_000)
                .map(|(_, what, when)| format!("{what} {:+.3} s", (*when as f64 - at as f64) / 1e9))
                .collect();
            format!(
                "message {m} from {} to {}, answered {}; the receiver's session around the reply: {}",
                ctx.users[from as usize],
                ctx.users[to as usize],
                if code == 4 { "stored (code 4)" } else { "message_sent" },
                if around.is_empty() { "no change".to_owned() } else { around.join(", ") }
            )
        })
        .collect()
}

/// One RSS sample: seconds since the first slot, and the server's `VmRSS`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    pub(crate) t_s: f64,
    pub(crate) rss_kib: u64,
}

/// The least-squares slope of RSS over time, in KiB per minute (`None` under two samples or
/// when they were all taken at one time).
pub(crate) fn slope_kib_per_min(samples: &[Sample]) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let mean_t = samples.iter().map(|s| s.t_s / 60.0).sum::<f64>() / n;
    let mean_r = samples.iter().map(|s| s.rss_kib as f64).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for s in samples {
        let dt = s.t_s / 60.0 - mean_t;
        num += dt * (s.rss_kib as f64 - mean_r);
        den += dt * dt;
    }
    (den > 0.0).then(|| num / den)
}

/// The server's own gauges (from `/metrics`): connections, online users, parked sessions,
/// stored offline messages.
#[derive(Debug, Default, Clone, Copy)]
struct Gauges {
    connections: Option<u64>,
    online: Option<u64>,
    parked: Option<u64>,
    offline_stored: Option<u64>,
}

/// Reads the server's gauges from `GET /metrics` (the URL's host and port), if it answers
/// within a second.
async fn gauges(url: &str) -> Gauges {
    let read = async {
        let host = url.strip_prefix("ws://")?.split('/').next()?;
        let mut s = tokio::net::TcpStream::connect(host).await.ok()?;
        let get = format!("GET /metrics HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        s.write_all(get.as_bytes()).await.ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).await.ok()?;
        Some(body)
    };
    let Ok(Some(body)) = tokio::time::timeout(Duration::from_secs(1), read).await else {
        return Gauges::default();
    };
    let gauge = |name: &str| {
        body.lines().find_map(|l| {
            let (k, v) = l.split_once(' ')?;
            (k == name).then(|| v.trim().parse::<f64>().ok().map(|v| v as u64)).flatten()
        })
    };
    Gauges {
        connections: gauge("sigshim_connections"),
        online: gauge("sigshim_online_users"),
        parked: gauge("sigshim_parked_sessions"),
        offline_stored: gauge("sigshim_offline_messages"),
    }
}

/// What the sampler hands back: the samples and the CPU over the measured period.
#[derive(Debug, Default)]
struct Sampled {
    samples: Vec<Sample>,
    /// The samples' server gauges, the last one of the measured period.
    last_gauges: Gauges,
    server_cpu_pct: Option<f64>,
    generator_cpu_pct: Option<f64>,
}

/// Users online and away now, for the progress lines.
#[derive(Debug, Default)]
struct Census {
    online: AtomicU64,
    away: AtomicU64,
}

/// Samples the server every `every` from `start` until `start + total`, printing a progress
/// line each time; the CPU is measured from the first sample at or after `warmup`.
async fn sample(
    ctx: Arc<Ctx>,
    census: Arc<Census>,
    pid: Option<u32>,
    start: Instant,
    every: Duration,
    warmup: Duration,
    total: Duration,
) -> Sampled {
    let mut out = Sampled::default();
    let mut interval_cpu = pid.and_then(CpuMeter::start);
    let mut measured_cpu: Option<(Option<CpuMeter>, Option<CpuMeter>)> = None;
    let t = &ctx.tallies;
    let mut k = 0u32;
    loop {
        let nominal = every * k;
        if nominal > total {
            break;
        }
        tokio::time::sleep_until(start + nominal).await;
        k += 1;
        let t_s = (Instant::now() - start).as_secs_f64();
        let rss = pid.and_then(procfs::rss_kib);
        let g = gauges(&ctx.url).await;
        let cpu = interval_cpu.and_then(|m| m.percent());
        interval_cpu = pid.and_then(CpuMeter::start);
        if nominal >= warmup && measured_cpu.is_none() {
            measured_cpu = Some((pid.and_then(CpuMeter::start), CpuMeter::start(std::process::id())));
        }
        if let Some(rss_kib) = rss {
            out.samples.push(Sample { t_s: (t_s * 10.0).round() / 10.0, rss_kib });
        }
        out.last_gauges = g;
        let opt = |v: Option<u64>| v.map_or("?".into(), |v| v.to_string());
        let delivery = std::mem::take(&mut *t.recent_delivery.lock());
        let reply = std::mem::take(&mut *t.recent_reply.lock());
        let ms = |us: u64| us as f64 / 1000.0;
        eprintln!(
            "[{t_s:>6.0}s{}] rss {} KiB | requests {} answered {} stored {} errors {} timeouts {} | \
             online {} away {} | delivered {} peer + {} offline + {} channel | p50/p99 delivery {:.2}/{:.2} \
             reply {:.2}/{:.2} ms | server cpu {} | server conns {} online {} parked {} offline-stored {}",
            if nominal < warmup { " warm-up" } else { "" },
            opt(rss),
            t.requests(),
            get(&t.answered),
            get(&t.stored),
            get(&t.errors),
            get(&t.timeouts),
            get(&census.online),
            get(&census.away),
            get(&t.peer_delivered),
            get(&t.offline_delivered),
            get(&t.channel_delivered),
            ms(delivery.at(0.5)),
            ms(delivery.at(0.99)),
            ms(reply.at(0.5)),
            ms(reply.at(0.99)),
            cpu.map_or("?".into(), |c| format!("{c:.0}%")),
            opt(g.connections),
            opt(g.online),
            opt(g.parked),
            opt(g.offline_stored),
        );
    }
    if let Some((server, own)) = measured_cpu {
        out.server_cpu_pct = server.and_then(|m| m.percent());
        out.generator_cpu_pct = own.and_then(|m| m.percent());
    }
    out
}

/// Runs the soak and reports it.
pub(crate) async fn run(target: &Target, shape: &SoakShape) -> Result<Report, String> {
    let url = target.url().ok_or("the soak needs a server: not with an in-process hub")?.to_owned();
    if shape.rate == 0 {
        return Err("the soak runs at a steady rate: give --rate above 0".into());
    }
    let n = shape.connections.max(2);
    if n > u32::MAX as usize {
        return Err("too many connections".into());
    }
    let channels = (n / USERS_PER_CHANNEL).max(1);
    let ctx = Arc::new(Ctx {
        url,
        users: (0..n).map(|i| user("k", i)).collect(),
        channels: (0..channels).map(|i| user("c", i)).collect(),
        offline_for: shape.offline_for,
        from: AtomicU64::new(u64::MAX),
        until: AtomicU64::new(u64::MAX),
        tallies: Tallies::default(),
    });
    let pid = target.pid();
    if pid.is_none() {
        eprintln!("soak: the server is not a child of this process: no RSS samples");
    }
    let rss_before = target.rss_kib();

    // Log every user in (and the first ones into their channels), `concurrency` at once.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (back_tx, mut back_rx) = mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let permits = Arc::new(Semaphore::new(shape.concurrency.max(1)));
    let mut cmds = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    let login_started = Instant::now();
    for i in 0..n {
        let (tx, rx) = mpsc::unbounded_channel();
        cmds.push(tx);
        let permit = permits.clone().acquire_owned().await.expect("never closed");
        let (ctx, back, stop, ready) = (ctx.clone(), back_tx.clone(), stop_rx.clone(), ready_tx.clone());
        tasks.push(tokio::spawn(async move {
            let started = SoakUser::start(ctx, i as u32, initial_channel(i, n, channels)).await;
            drop(permit);
            match started {
                Ok(user) => {
                    let _ = ready.send(Ok(()));
                    user.run(rx, back, stop).await;
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            }
        }));
    }
    drop(ready_tx);
    for done in 1..=n {
        ready_rx.recv().await.ok_or("a user task ended during the logins")??;
        if done % 2000 == 0 {
            eprintln!("[{:>4.0}s] {done} users logged in", login_started.elapsed().as_secs_f64());
        }
    }
    let login_s = login_started.elapsed().as_secs_f64();
    let rss_logged_in = target.rss_kib();
    eprintln!(
        "soak: {n} users logged in in {login_s:.1} s ({channels} channels); {} msgs/s for {:.0} s of \
         warm-up and {:.0} s measured, {}% of the users log out per minute for {:.0} s",
        shape.rate,
        shape.warmup.as_secs_f64(),
        shape.duration.as_secs_f64(),
        shape.churn_pct_per_min,
        shape.offline_for.as_secs_f64()
    );

    // The traffic.
    let start = Instant::now() + Duration::from_millis(100);
    let stop_at = start + shape.warmup + shape.duration;
    ctx.until.store(ns_of(stop_at), Ordering::Relaxed);
    ctx.from.store(ns_of(start + shape.warmup), Ordering::Relaxed);
    let census = Arc::new(Census::default());
    let sampler = tokio::spawn(sample(
        ctx.clone(),
        census.clone(),
        pid,
        start,
        shape.sample_every.max(Duration::from_millis(100)),
        shape.warmup,
        shape.warmup + shape.duration,
    ));
    let seed = now_ns() ^ u64::from(std::process::id()) << 32;
    let mut world = World::new(n, channels, cmds, seed);
    let mut pacer = Pacer::start(Schedule {
        start_ns: ns_of(start),
        stop_ns: ns_of(stop_at),
        rate: shape.rate,
        senders: 1,
    })?;
    let mut slots = pacer.slots.pop().ok_or("the pacer has no slots")?;
    let churn_per_s = shape.churn_pct_per_min / 100.0 * n as f64 / 60.0;
    let churn_every = (churn_per_s > 0.0).then(|| Duration::from_secs_f64(1.0 / churn_per_s));
    let churn_period = churn_every.unwrap_or(Duration::from_secs(3600));
    let mut churn = tokio::time::interval_at(start + churn_period, churn_period);
    let mut logouts = 0u64;
    loop {
        tokio::select! {
            due = slots.recv() => match due {
                Some(due) => world.slot(due),
                None => break,
            },
            _ = churn.tick(), if churn_every.is_some() => {
                world.churn();
                logouts += 1;
            }
            Some(u) = back_rx.recv() => world.back(u),
        }
        census.online.store(world.online.len() as u64, Ordering::Relaxed);
        census.away.store(world.away.len() as u64, Ordering::Relaxed);
    }
    let sampled = sampler.await.map_err(|e| e.to_string())?;

    // The end: the users away come back (their stored messages are delivered at the login),
    // every request is answered, every accepted peer message delivered.
    let t = &ctx.tallies;
    let deadline = Instant::now() + shape.offline_for + 3 * REPLY_TIMEOUT;
    while world.away.len() > 0 {
        match tokio::time::timeout_at(deadline, back_rx.recv()).await {
            Ok(Some(u)) => world.back(u),
            _ => break,
        }
    }
    let away_at_end = world.away.len();
    let deadline = Instant::now() + REPLY_TIMEOUT + Duration::from_secs(5);
    while (t.outstanding() > 0 || t.lost() > 0) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }

    let lost_examples = explain_lost(&ctx);
    for e in &lost_examples {
        eprintln!("soak: lost: {e}");
    }

    // The report.
    let mut r = Report::new("soak");
    r.set("api", "lean");
    r.set("target", target.describe());
    r.set("connections", n as u64);
    r.set("channels", channels as u64);
    r.set("rate", shape.rate);
    r.set_f("warmup_s", shape.warmup.as_secs_f64());
    r.set_f("duration_s", shape.duration.as_secs_f64());
    r.set_f("sample_every_s", shape.sample_every.as_secs_f64());
    r.set_f("churn_pct_per_min", shape.churn_pct_per_min);
    r.set_f("offline_for_s", shape.offline_for.as_secs_f64());
    r.set_f("login_s", login_s);
    let requests = t.requests();
    let unanswered = t.outstanding();
    r.set("requests", requests);
    r.set("answered", get(&t.answered));
    r.set("timeouts", get(&t.timeouts));
    r.set("unanswered", unanswered);
    r.set("late_replies", get(&t.late));
    r.set("errors", get(&t.errors));
    r.set("error_codes", json!(*t.error_codes.lock()));
    r.set(
        "requests_by_op",
        json!(
            Op::ALL.iter().map(|op| (op.name(), get(&t.requests[*op as usize]))).collect::<BTreeMap<_, _>>()
        ),
    );
    r.set("peer_to_away", world.to_away);
    r.set("stored", get(&t.stored));
    r.set("logouts", logouts);
    r.set("skipped_slots", world.skipped);
    let lost = t.lost();
    r.set("peer_delivered", get(&t.peer_delivered));
    r.set("offline_delivered", get(&t.offline_delivered));
    r.set("channel_delivered", get(&t.channel_delivered));
    r.set("peer_lost", lost);
    r.set("peer_duplicates", get(&t.duplicates));
    if !lost_examples.is_empty() {
        r.set("lost_examples", json!(lost_examples));
    }
    t.delivery.lock().fields(&mut r);
    let reply = t.reply.lock();
    r.set("reply_p50_us", reply.at(0.5));
    r.set("reply_p99_us", reply.at(0.99));
    r.set("reply_max_us", reply.max());
    drop(reply);
    pacer.fields(&mut r);
    if let Some(kib) = rss_before {
        r.set("rss_idle_kib", kib);
    }
    if let Some(kib) = rss_logged_in {
        r.set("rss_logged_in_kib", kib);
    }
    let warmup_s = shape.warmup.as_secs_f64();
    let measured: Vec<Sample> =
        sampled.samples.iter().copied().filter(|s| s.t_s >= warmup_s - 0.05).collect();
    if let (Some(first), Some(last)) = (measured.first(), measured.last()) {
        r.set("rss_start_kib", first.rss_kib);
        r.set("rss_end_kib", last.rss_kib);
        r.set("rss_min_kib", measured.iter().map(|s| s.rss_kib).min().unwrap_or(0));
        r.set("rss_max_kib", measured.iter().map(|s| s.rss_kib).max().unwrap_or(0));
    }
    let slope = slope_kib_per_min(&measured);
    match slope {
        Some(s) => r.set_f("rss_slope_kib_per_min", s),
        None => r.set("rss_slope_kib_per_min", serde_json::Value::Null),
    }
    if let (Some(s), Some(first)) = (slope, measured.first()) {
        r.set("rss_slope_pct_per_hour", json!((s * 60.0 / first.rss_kib as f64 * 10_000.0).round() / 100.0));
    }
    if let Some(kib) = target.rss_kib() {
        r.set("rss_after_drain_kib", kib);
    }
    let g = sampled.last_gauges;
    for (k, v) in [
        ("server_connections", g.connections),
        ("server_online_users", g.online),
        ("server_parked_sessions", g.parked),
        ("server_offline_stored", g.offline_stored),
    ] {
        if let Some(v) = v {
            r.set(k, v);
        }
    }
    if let Some(p) = sampled.server_cpu_pct {
        r.set_f("server_cpu_pct", p);
    }
    if let Some(p) = sampled.generator_cpu_pct {
        r.set_f("generator_cpu_pct", p);
    }
    if let Some(kib) = procfs::rss_kib(std::process::id()) {
        r.set("generator_rss_kib", kib);
    }
    r.set(
        "samples",
        json!(
            sampled.samples.iter().map(|s| json!({"t_s": s.t_s, "rss_kib": s.rss_kib})).collect::<Vec<_>>()
        ),
    );
    let mut failures = Vec::new();
    for (what, count) in [
        ("requests timed out", get(&t.timeouts)),
        ("requests never answered", unanswered),
        ("links closed by the server", get(&t.disconnects)),
        ("sessions kicked", get(&t.kicked)),
        ("logins after a logout failed", get(&t.login_failures)),
        ("users still away at the end", away_at_end as u64),
        ("users lost", world.dead),
        ("accepted peer messages never delivered", lost),
    ] {
        if count > 0 {
            failures.push(format!("{count} {what}"));
        }
    }
    r.set("failures", json!(failures));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_is_a_least_squares_fit_in_kib_per_minute() {
        let flat: Vec<Sample> = (0..10).map(|i| Sample { t_s: f64::from(i) * 10.0, rss_kib: 1000 }).collect();
        assert_eq!(slope_kib_per_min(&flat), Some(0.0));
        // 1 KiB per 10 s is 6 KiB per minute, whatever the noise around the line.
        let growing: Vec<Sample> = (0..10)
            .map(|i| Sample { t_s: f64::from(i) * 10.0, rss_kib: 1000 + i as u64 + u64::from(i % 2 == 0) })
            .collect();
        let s = slope_kib_per_min(&growing).unwrap();
        assert!((s - 6.0).abs() < 0.6, "{s}");
        assert_eq!(slope_kib_per_min(&flat[..1]), None);
        assert_eq!(slope_kib_per_min(&[flat[0], flat[0]]), None);
    }

    #[test]
    fn replies_and_stamped_messages_are_read() {
        assert_eq!(
            reply_of(r#"{"id":7,"reply":"message_sent","message_id":5,"server_ts":1}"#),
            Some((Some(7), "message_sent", None))
        );
        assert_eq!(reply_of(r#"{"id":12,"reply":"error","code":4}"#), Some((Some(12), "error", Some(4))));
        assert_eq!(reply_of(r#"{"id":3,"reply":"ok"}"#), Some((Some(3), "ok", None)));
        let event = format!(
            r#"{{"seq":9,"event":"peer_message","peer_id":"a","message":{{"id":6,"server_ts":2,"type":"text","text":"{}"}},"offline":true}}"#,
            stamp(123_456, 42)
        );
        assert_eq!(reply_of(&event), None);
        assert_eq!(stamp_of(&event), Some((123_456, 42)));
        assert_eq!(stamp(1, 2).len(), 64);
        let frame = format!(
            r#"{{"op":"send_peer_message","id":1,"peer_id":"b","message":{{"type":"text","text":"{}"}},"options":{{"enable_offline_messaging":true}}}}"#,
            stamp(5, 6)
        );
        let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(v["options"]["enable_offline_messaging"], true);
    }

    #[test]
    fn bits_count_what_is_missing() {
        let (mut a, mut b) = (Bits::default(), Bits::default());
        for i in [1, 2, 64, 200] {
            assert!(!a.set(i));
        }
        assert!(a.set(2), "set twice");
        b.set(2);
        b.set(200);
        b.set(300);
        assert_eq!(a.missing_from(&b), 2);
        assert_eq!(b.missing_from(&a), 1);
    }

    #[test]
    fn the_pool_picks_and_removes_in_place() {
        let mut p = Pool::new(5);
        for u in 0..5 {
            p.insert(u);
        }
        p.insert(3);
        assert_eq!(p.len(), 5);
        assert!(p.remove(1) && !p.remove(1));
        assert!(p.remove(4));
        let mut rng = Rng::new(7);
        for _ in 0..100 {
            let u = p.pick(&mut rng).unwrap();
            assert!([0, 2, 3].contains(&u));
        }
        for u in [0, 2, 3] {
            assert!(p.remove(u));
        }
        assert_eq!(p.pick(&mut rng), None);
    }

    #[test]
    fn the_dispatcher_keeps_its_view_consistent() {
        let users = 400;
        let channels = 2;
        let (txs, mut rxs): (Vec<_>, Vec<_>) = (0..users).map(|_| mpsc::unbounded_channel()).unzip();
        let mut w = World::new(users, channels, txs, 1);
        assert_eq!(w.members.iter().map(Vec::len).sum::<usize>(), 2 * CHANNEL_SIZE);
        for _ in 0..20 {
            w.churn();
        }
        assert_eq!((w.online.len(), w.away.len()), (users - 20, 20));
        for due in 0..20_000 {
            w.slot(due);
        }
        assert_eq!(w.skipped, 0);
        assert!(w.to_away > 0 && w.to_away <= 20 * u64::from(OFFLINE_CAP));
        // Members are exactly the users whose channel is set, and none is away.
        for (c, members) in w.members.iter().enumerate() {
            assert!(members.len() < 3 * CHANNEL_SIZE, "channel {c}: {}", members.len());
            for &m in members {
                assert_eq!(w.channel_of[m as usize], Some(c as u32));
                assert!(w.away.pos[m as usize] == 0);
            }
        }
        let mut kinds = [0u64; 5];
        for rx in &mut rxs {
            while let Ok(cmd) = rx.try_recv() {
                kinds[match cmd {
                    Cmd::Peer { .. } => 0,
                    Cmd::Channel { .. } => 1,
                    Cmd::Join { .. } => 2,
                    Cmd::Leave { .. } => 3,
                    Cmd::Logout => 4,
                }] += 1;
            }
        }
        assert_eq!(kinds[4], 20);
        assert!(kinds.iter().all(|&k| k > 0), "every kind of command: {kinds:?}");
        assert!(kinds[0] > 16_500, "mostly peer messages: {kinds:?}");
        w.back(3);
        w.back(3);
        assert_eq!(w.online.len() + w.away.len(), users);
    }
}
