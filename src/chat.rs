//! `sigshim chat`: one user of a server sends a message to a peer and waits for the reply — the
//! smallest check that two processes talk through a deployment.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sigshim::error::PeerMessageError;
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, Message, SendMessageOptions};

/// Arguments of `sigshim chat`.
#[derive(clap::Args, Debug)]
pub(crate) struct ChatArgs {
    /// The server (`ws://host:port/`).
    #[arg(long, env = "SIGSHIM_URL")]
    server: String,
    /// The app ID.
    #[arg(long, env = "SIGSHIM_APP_ID")]
    app_id: String,
    /// Log in as this user.
    #[arg(long)]
    user: String,
    /// Send to this user and wait for one message from it.
    #[arg(long)]
    peer: String,
    /// The text to send.
    #[arg(long, default_value = "hello")]
    message: String,
    /// Login token, when the server requires one.
    #[arg(long)]
    token: Option<String>,
    /// How long to wait for the peer's message, in seconds.
    #[arg(long, default_value_t = 30)]
    wait: u64,
}

/// Exit 0 once the peer's message arrived; 1 on any failure.
pub(crate) fn run(args: ChatArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(chat(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chat failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn chat(a: ChatArgs) -> Result<(), String> {
    let connector = Arc::new(WsConnector::new(a.server.clone()));
    let (client, mut events) = Client::builder(&a.app_id).connector(connector).build();
    client.login(a.token.as_deref(), &a.user).await.map_err(|e| format!("login: {e}"))?;
    println!("{} logged in at {}", a.user, a.server);
    let sent =
        client.send_message_to_peer(&a.peer, &Message::text(&a.message), SendMessageOptions::offline()).await;
    match sent {
        Ok(r) => println!("sent to {}: received (message {})", a.peer, r.id),
        Err(PeerMessageError::CachedByServer) => println!("sent to {}: stored until {0} logs in", a.peer),
        Err(e) => return Err(format!("send: {e}")),
    }
    let wait = Duration::from_secs(a.wait);
    let reply = tokio::time::timeout(wait, async {
        while let Some(ev) = events.recv().await {
            if let ClientEvent::MessageFromPeer { peer_id, message, is_offline } = ev
                && peer_id == a.peer
            {
                return Some((message, is_offline));
            }
        }
        None
    })
    .await
    .map_err(|_| format!("no message from {} within {wait:?}", a.peer))?
    .ok_or("the client stopped")?;
    let stored = if reply.1 { " (stored while offline)" } else { "" };
    println!("{}: {}{stored}", a.peer, reply.0.text_or_description());
    client.logout().await.map_err(|e| format!("logout: {e}"))?;
    Ok(())
}
