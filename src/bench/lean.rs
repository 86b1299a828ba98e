//! Lean peer-message senders: `send_peer_message` frames written straight onto one WebSocket,
//! replies matched by request ID. With [`super::raw::read`] on the receiving side they make a
//! generator that spends little CPU per message, so that the figures are the server's.

use std::sync::Arc;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::raw::Ws;
use super::stats::{Counters, Window, now_ns, payload};

/// One sender's connection, its peer and the run's accounting.
pub(crate) struct LeanSender {
    ws: Ws,
    to: String,
    window: Window,
    counters: Arc<Counters>,
    next: u64,
    unanswered: u64,
}

impl LeanSender {
    /// A sender on `ws` (logged in) that writes to `to`.
    pub(crate) fn new(ws: Ws, to: String, window: Window, counters: Arc<Counters>) -> Self {
        Self { ws, to, window, counters, next: 0, unanswered: 0 }
    }

    /// Queues one message due at `due` (not yet flushed). Messages due inside the measured window
    /// get odd request IDs, so that their replies are counted.
    async fn feed(&mut self, due: u64) -> Result<(), String> {
        let counted = self.window.contains(due);
        self.next += 1;
        let id = 2 * self.next + u64::from(counted);
        if counted {
            Counters::bump(&self.counters.sent);
        }
        let frame = format!(
            r#"{{"op":"send_peer_message","id":{id},"peer_id":"{}","message":{{"type":"text","text":"{}"}}}}"#,
            self.to,
            payload(due)
        );
        self.unanswered += 1;
        self.ws.feed(WsMessage::text(frame)).await.map_err(|e| format!("sending: {e}"))
    }

    async fn flush(&mut self) -> Result<(), String> {
        self.ws.flush().await.map_err(|e| format!("sending: {e}"))
    }

    /// Reads one frame; counts it when it answers a counted request. `Ok(false)` when the link
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
        if let Some((id, ok)) = reply_of(&text) {
            self.unanswered = self.unanswered.saturating_sub(1);
            if id % 2 == 1 {
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
                frame = self.ws.next() => if !self.read_reply(frame).await? { break },
                _ = stop.changed() => break,
            }
        }
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
                    if answered > 0 && now_ns() < stop_ns {
                        for _ in 0..answered {
                            self.feed(now_ns()).await?;
                        }
                        self.flush().await?;
                    }
                    if !open {
                        break;
                    }
                }
                _ = stop.changed() => break,
            }
        }
        Ok(())
    }
}

/// The request ID of a reply frame and whether it is a success; `None` for other frames.
fn reply_of(text: &str) -> Option<(u64, bool)> {
    let reply = text.find("\"reply\":\"")?;
    let at = text.find("\"id\":")? + 5;
    let digits = &text[at..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    let id = digits[..end].parse().ok()?;
    Some((id, !text[reply + 9..].starts_with("error\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_matched_by_id_and_outcome() {
        assert_eq!(
            reply_of(r#"{"id":7,"reply":"message_sent","message_id":5,"server_ts":1}"#),
            Some((7, true))
        );
        assert_eq!(reply_of(r#"{"id":12,"reply":"error","code":1}"#), Some((12, false)));
        assert_eq!(
            reply_of(
                r#"{"seq":1,"event":"peer_message","peer_id":"b","message":{"id":6,"type":"text","text":"x"}}"#
            ),
            None
        );
    }
}
