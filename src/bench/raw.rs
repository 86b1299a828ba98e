//! Lean users: the wire protocol spoken directly over one WebSocket (login, join,
//! acknowledgements), reading only the send time out of each delivered message, in either
//! [`Dialect`] for the reader. They cost the generator far less CPU than full clients, so the
//! figures are the server's.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::dialect::Dialect;
use super::stats::Tally;
use super::target::APP_ID;

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Acknowledge after this many numbered frames.
pub(crate) const ACK_EVERY: u64 = 64;

/// Connects and logs in as `user`.
pub(crate) async fn login(url: &str, user: &str) -> Result<Ws, String> {
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| format!("connecting {user}: {e}"))?;
    let login = serde_json::json!({"op": "login", "id": 1, "app_id": APP_ID, "user_id": user});
    request(&mut ws, login, user).await?;
    Ok(ws)
}

/// Connects, logs in as `user` and joins `channel`.
pub(crate) async fn member(url: &str, user: &str, channel: &str) -> Result<Ws, String> {
    let mut ws = login(url, user).await?;
    let join = serde_json::json!({"op": "join_channel", "id": 2, "channel_id": channel});
    request(&mut ws, join, user).await?;
    Ok(ws)
}

/// Sends one request and waits for its reply (events before it are skipped: none are counted
/// yet).
async fn request(ws: &mut Ws, frame: serde_json::Value, user: &str) -> Result<(), String> {
    let id = frame["id"].clone();
    ws.send(WsMessage::text(frame.to_string())).await.map_err(|e| format!("{user}: {e}"))?;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .map_err(|_| format!("{user}: no reply"))?
            .ok_or(format!("{user}: closed"))?
            .map_err(|e| format!("{user}: {e}"))?;
        let WsMessage::Text(text) = msg else { continue };
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{user}: {e}"))?;
        if v["id"] == id {
            return match v["reply"].as_str() {
                Some("error") => Err(format!("{user}: refused with code {}", v["code"])),
                _ => Ok(()),
            };
        }
    }
}

/// Reads messages in `dialect` until `stop`, counting them in `tally`; acknowledges what it read
/// before it returns, so that the server keeps nothing of the run for a later session.
pub(crate) async fn read(
    mut ws: Ws,
    dialect: Dialect,
    mut tally: Tally,
    mut stop: watch::Receiver<bool>,
) -> Tally {
    let mut unacked = 0u64;
    let mut last = 0u64;
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = stop.changed() => {
                if unacked > 0 {
                    let ack = ws.send(WsMessage::text(dialect.ack_frame(last)));
                    let _ = tokio::time::timeout(Duration::from_secs(1), ack).await;
                }
                break;
            }
        };
        let Some(Ok(WsMessage::Text(text))) = msg else {
            if matches!(msg, None | Some(Err(_))) {
                break;
            }
            continue;
        };
        let Some((seq, sent)) = dialect.seq_and_sent(&text) else { continue };
        last = seq;
        if let Some(t) = sent {
            tally.sent_at(t);
        }
        unacked += 1;
        if unacked >= ACK_EVERY {
            unacked = 0;
            if ws.send(WsMessage::text(dialect.ack_frame(seq))).await.is_err() {
                break;
            }
        }
    }
    tally
}
