//! Protocol-level users of the legacy session endpoint (docs/LEGACY-PROTOCOL.md): the login
//! (connect to `/legacy`, a `login` call, the `{"session":…}` answer, then `onLoginSuccess`),
//! and an idle session's keepalive. Sending and reading are the lean ones, in
//! [`Dialect::Legacy`](super::dialect::Dialect::Legacy).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::dialect::{Dialect, seq_of};
use super::raw::Ws;
use super::target::APP_ID;

/// How often an idle session acknowledges (its keepalive: the server closes a connection after
/// 30 s without a frame).
pub(crate) const KEEPALIVE: Duration = Duration::from_secs(10);

/// The legacy endpoint of the server whose core protocol is at `url` (`ws://host:port/`).
pub(crate) fn endpoint_url(url: &str) -> String {
    format!("{}/legacy", url.trim_end_matches('/'))
}

/// Reads the next text frame within 30 s.
async fn next_text(ws: &mut Ws, user: &str) -> Result<String, String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .map_err(|_| format!("{user}: no answer to the login"))?
            .ok_or(format!("{user}: closed during the login"))?
            .map_err(|e| format!("{user}: {e}"))?;
        if let WsMessage::Text(text) = msg {
            return Ok(text.as_str().to_owned());
        }
    }
}

/// Connects to the legacy endpoint of the server at `url` and logs in as `user`; returns once
/// `onLoginSuccess` arrived, acknowledged (so that the server keeps nothing for the session).
pub(crate) async fn login(url: &str, user: &str) -> Result<Ws, String> {
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(endpoint_url(url), Some(config), true)
        .await
        .map_err(|e| format!("connecting {user} to the legacy endpoint: {e}"))?;
    let login = serde_json::json!({"call": "login", "args": [APP_ID, user, "_no_need_token", 0, ""]});
    ws.send(WsMessage::text(login.to_string())).await.map_err(|e| format!("{user}: {e}"))?;
    let answer = next_text(&mut ws, user).await?;
    // `{"session":…,"resumed":false,"window":…,"max_frame":…}`, keys in any order.
    if !answer.contains("\"session\":") || answer.contains("\"error\":") {
        return Err(format!("{user}: the login was answered {answer}"));
    }
    loop {
        let text = next_text(&mut ws, user).await?;
        if text.contains("\"cb\":\"onLoginSuccess\"") {
            let seq = seq_of(&text).ok_or(format!("{user}: no seq in {text}"))?;
            let ack = Dialect::Legacy.ack_frame(seq);
            ws.send(WsMessage::text(ack)).await.map_err(|e| format!("{user}: {e}"))?;
            return Ok(ws);
        }
        if text.contains("\"cb\":\"onLoginFailed\"") || text.starts_with("{\"error\":") {
            return Err(format!("{user}: login refused: {text}"));
        }
    }
}

/// Holds a logged-in session until `stop`: reads whatever the server sends and acknowledges the
/// last numbered frame every [`KEEPALIVE`] (the acknowledgement is the keepalive).
pub(crate) async fn hold(mut ws: Ws, mut stop: watch::Receiver<bool>) {
    // The login's callback, acknowledged by `login`, is the session's first frame.
    let mut last = 1;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    loop {
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(WsMessage::Text(text))) => last = seq_of(&text).unwrap_or(last),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break,
            },
            _ = tick.tick() => {
                if ws.send(WsMessage::text(Dialect::Legacy.ack_frame(last))).await.is_err() {
                    break;
                }
            }
            _ = stop.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_beside_the_core_protocol() {
        assert_eq!(endpoint_url("ws://127.0.0.1:9000/"), "ws://127.0.0.1:9000/legacy");
        assert_eq!(endpoint_url("ws://127.0.0.1:9000"), "ws://127.0.0.1:9000/legacy");
    }
}
