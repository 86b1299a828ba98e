//! Opens N logged-in WebSocket clients to a server and holds them, to measure what an idle
//! connection costs the server.
//!
//! ```sh
//! sigshim serve --listen 127.0.0.1:9000 --app-id load &
//! cargo run --release --example idle_connections -- ws://127.0.0.1:9000/ load 10000
//! ```
//! It prints when all are logged in, then waits for Enter (or `--hold-secs N`) before logging out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sigshim::Client;
use sigshim::transport::{WsConnector, WsOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| "ws://127.0.0.1:9000/".into());
    let app_id = args.get(2).cloned().unwrap_or_else(|| "load".into());
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let hold: Option<u64> =
        args.iter().position(|a| a == "--hold-secs").and_then(|i| args.get(i + 1)?.parse().ok());
    // Idle clients ping rarely, like a real fleet of mostly silent apps.
    let options =
        WsOptions::default().heartbeat(Duration::from_secs(10)).link_timeout(Duration::from_secs(30));
    let started = Instant::now();
    let mut clients = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let logins: Vec<_> = chunk
            .iter()
            .map(|i| {
                let connector = Arc::new(WsConnector::with_options(url.clone(), options));
                let (client, events) = Client::builder(&app_id).connector(connector).build();
                let user = format!("idle-{i}");
                tokio::spawn(async move { client.login(None, &user).await.map(|()| (client, events)) })
            })
            .collect();
        for login in logins {
            clients.push(login.await??);
        }
    }
    println!("{n} clients logged in after {:?}", started.elapsed());
    match hold {
        Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
        None => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
        }
    }
    for (c, _) in &clients {
        let _ = c.logout().await;
    }
    Ok(())
}
