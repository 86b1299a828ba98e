//! Lean peer-message senders: send frames written straight onto one WebSocket, answers matched
//! by ID, in either [`Dialect`] (core `send_peer_message` requests, or legacy
//! `messageInstantSend` calls). With [`super::raw::read`] on the receiving side they make a
//! generator that spends little CPU per message, so that the figures are the server's.

use std::sync::Arc;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::dialect::{Dialect, Reply, seq_of};
use super::raw::{ACK_EVERY, Ws};
use super::stats::{Counters, Window, now_ns, payload};

/// One sender's connection, its peer and the run's accounting.
pub(crate) struct LeanSender {
    ws: Ws,
    dialect: Dialect,
    to: String,
    window: Window,
    counters: Arc<Counters>,
    next: u64,
    unanswered: u64,
    /// The last numbered frame received (legacy answers are numbered callbacks), and how many
    /// arrived since the last acknowledgement.
    last_seq: u64,
    unacked: u64,
}

impl LeanSender {
    /// A sender on `ws` (logged in, speaking `dialect`) that writes to `to`.
    pub(crate) fn new(ws: Ws, dialect: Dialect, to: String, window: Window, counters: Arc<Counters>) -> Self {
        Self { ws, dialect, to, window, counters, next: 0, unanswered: 0, last_seq: 0, unacked: 0 }
    }

    /// Queues one message due at `due` (not yet flushed). Messages due inside the measured window
    /// get odd IDs (request IDs, or legacy message IDs), so that their answers are counted.
    async fn feed(&mut self, due: u64) -> Result<(), String> {
        let counted = self.window.contains(due);
        self.next += 1;
        let id = 2 * self.next + u64::from(counted);
        if counted {
            Counters::bump(&self.counters.sent);
        }
        let frame = self.dialect.send_frame(id, &self.to, &payload(due));
        self.unanswered += 1;
        self.ws.feed(WsMessage::text(frame)).await.map_err(|e| format!("sending: {e}"))
    }

    async fn flush(&mut self) -> Result<(), String> {
        self.ws.flush().await.map_err(|e| format!("sending: {e}"))
    }

    /// Queues an acknowledgement of the numbered frames received (not yet flushed) once
    /// [`ACK_EVERY`] of them are unacknowledged, or (`all`) once any is; true if it did. Legacy
    /// answers are numbered, and the server stops at its window of unacknowledged frames.
    async fn feed_ack(&mut self, all: bool) -> Result<bool, String> {
        if self.unacked == 0 || (!all && self.unacked < ACK_EVERY) {
            return Ok(false);
        }
        self.unacked = 0;
        let ack = self.dialect.ack_frame(self.last_seq);
        self.ws.feed(WsMessage::text(ack)).await.map_err(|e| format!("sending: {e}"))?;
        Ok(true)
    }

    /// Acknowledges what is left to acknowledge, so that the server keeps nothing of the run.
    async fn ack_all(&mut self) {
        let last = async {
            if self.feed_ack(true).await? {
                self.flush().await?;
            }
            Ok::<_, String>(())
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), last).await;
    }

    /// Reads one frame; counts it when it answers a counted message. `Ok(false)` when the link
    /// is closed.
    async fn read_reply(
        &mut self,
        frame: Option<Result<WsMessage, impl std::fmt::Display>>,
    ) -> Result<bool, String> {
        let text = match frame {
            None => return Ok(false),
            Some(Err(e)) => return Err(format!("reading: {e}")),
            Some(Ok(WsMessage::Text(text))) => text,
            Some(Ok(_)) => return Ok(true),
        };
        if let Some(seq) = seq_of(&text) {
            self.last_seq = seq;
            self.unacked += 1;
        }
        if let Some(Reply { id, ok }) = self.dialect.reply_of(&text) {
            self.unanswered = self.unanswered.saturating_sub(1);
            // An answer without an ID (a refused legacy call) counts as a failure: the run then
            // shows it.
            if id.is_none_or(|id| id % 2 == 1) {
                Counters::bump(if ok { &self.counters.acked } else { &self.counters.failed });
            }
        }
        Ok(true)
    }

    /// Sends at the due times `slots` hands over (several due at once go out in one write), until
    /// the slots end and every request is answered, or `stop`.
    pub(crate) async fn paced(
        mut self,
        mut slots: mpsc::UnboundedReceiver<u64>,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let mut slots_open = true;
        while slots_open || self.unanswered > 0 {
            tokio::select! {
                due = slots.recv(), if slots_open => match due {
                    Some(due) => {
                        self.feed(due).await?;
                        while let Ok(due) = slots.try_recv() {
                            self.feed(due).await?;
                        }
                        self.flush().await?;
                    }
                    None => slots_open = false,
                },
                frame = self.ws.next() => {
                    if !self.read_reply(frame).await? {
                        break;
                    }
                    if self.feed_ack(false).await? {
                        self.flush().await?;
                    }
                }
                _ = stop.changed() => break,
            }
        }
        self.ack_all().await;
        Ok(())
    }

    /// Keeps `window` requests in flight, each answered one replaced at once, until `stop_ns`;
    /// then waits for the last replies (or `stop`).
    pub(crate) async fn saturate(
        mut self,
        window: usize,
        stop_ns: u64,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), String> {
        for _ in 0..window {
            self.feed(now_ns()).await?;
        }
        self.flush().await?;
        while self.unanswered > 0 {
            tokio::select! {
                frame = self.ws.next() => {
                    // Every reply already here is read before the replacements go out, in one
                    // write.
                    let before = self.unanswered;
                    let mut frame = frame;
                    let mut open = true;
                    loop {
                        if !self.read_reply(frame).await? {
                            open = false;
                            break;
                        }
                        match self.ws.next().now_or_never() {
                            Some(next) => frame = next,
                            None => break,
                        }
                    }
                    let answered = before - self.unanswered;
                    let mut fed = self.feed_ack(false).await?;
                    if answered > 0 && now_ns() < stop_ns {
                        for _ in 0..answered {
                            self.feed(now_ns()).await?;
                        }
                        fed = true;
                    }
                    if fed {
                        self.flush().await?;
                    }
                    if !open {
                        break;
                    }
                }
                _ = stop.changed() => break,
            }
        }
        self.ack_all().await;
        Ok(())
    }
}
