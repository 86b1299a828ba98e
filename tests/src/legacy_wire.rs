//! A raw client of the legacy session endpoint (`/legacy`, docs/LEGACY-PROTOCOL.md): frames by
//! hand, so tests see exactly what the server answers, every wait bounded by [`crate::WAIT`].

use serde_json::{Value, json};
use sigshim::Hub;
use sigshim::server::{Server, ServerConfig};

use crate::raw::{Incoming, RawClient};

/// Starts a server over `hub` with the legacy endpoint mounted.
pub async fn start_with_legacy(hub: &Hub, config: ServerConfig) -> Server {
    Server::builder(hub.clone(), config)
        .mount(sigshim_legacy::endpoint::routes)
        .bind()
        .await
        .expect("the server starts")
}

/// The legacy endpoint's URL on `server`.
pub fn legacy_url(server: &Server) -> String {
    format!("ws://{}{}", server.local_addr(), sigshim_legacy::endpoint::PATH)
}

/// A frame from the instance: its `seq`, and the callback's name and arguments (or, for a
/// `done` frame, `"done"` and `[id, ret]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    /// The frame's `seq`.
    pub seq: u64,
    /// The callback's name, or `done`.
    pub name: String,
    /// The callback's arguments, or `[id, ret]`.
    pub args: Value,
}

/// One connection to the legacy endpoint.
#[derive(Debug)]
pub struct LegacyWire {
    /// The raw connection, for frames a well-behaved client never sends.
    pub raw: RawClient,
}

impl LegacyWire {
    /// Connects to the endpoint of `server`.
    pub async fn connect(server: &Server) -> LegacyWire {
        LegacyWire { raw: RawClient::connect(&legacy_url(server)).await }
    }

    /// Sends `login` for `account` of `app_id` and returns the ticket from the server's answer
    /// (the login's callback follows).
    pub async fn send_login(&mut self, app_id: &str, account: &str) -> String {
        self.call("login", json!([app_id, account, "_no_need_token", 0, ""])).await;
        let answer = self.raw.json().await;
        assert_eq!(answer["resumed"], false, "{answer}");
        answer["session"].as_str().expect("a ticket").to_owned()
    }

    /// Logs in and waits for `onLoginSuccess`; returns the ticket and the uid.
    pub async fn login(&mut self, app_id: &str, account: &str) -> (String, u64) {
        let ticket = self.send_login(app_id, account).await;
        let args = self.expect("onLoginSuccess").await;
        (ticket, args[0].as_u64().expect("a uid"))
    }

    /// Sends a call without an `id`.
    pub async fn call(&mut self, name: &str, args: Value) {
        self.raw.send_json(&json!({"call": name, "args": args})).await;
    }

    /// Sends a call with `id`.
    pub async fn call_id(&mut self, name: &str, args: Value, id: u64) {
        self.raw.send_json(&json!({"call": name, "args": args, "id": id})).await;
    }

    /// Acknowledges every frame up to `seq`.
    pub async fn ack(&mut self, seq: u64) {
        self.raw.send_json(&json!({"ack": seq})).await;
    }

    /// The next frame, which must be a numbered one (a callback or `done`).
    pub async fn next(&mut self) -> Numbered {
        let v = self.raw.json().await;
        let seq = v["seq"].as_u64().unwrap_or_else(|| panic!("expected a numbered frame, got {v}"));
        if let Some(id) = v.get("done") {
            return Numbered { seq, name: "done".into(), args: json!([id, v["ret"]]) };
        }
        let name = v["cb"].as_str().unwrap_or_else(|| panic!("a callback frame: {v}")).to_owned();
        Numbered { seq, name, args: v["args"].clone() }
    }

    /// The next frame, which must be callback `name`; returns its arguments.
    pub async fn expect(&mut self, name: &str) -> Value {
        let f = self.next().await;
        assert_eq!(f.name, name, "expected {name}, got {f:?}");
        f.args
    }

    /// The next frame, which must be an error frame; returns its kind and `id`.
    pub async fn error(&mut self) -> (String, Option<u64>) {
        let v = self.raw.json().await;
        let kind = v["error"].as_str().unwrap_or_else(|| panic!("expected an error frame, got {v}"));
        assert!(v.get("seq").is_none(), "errors are not numbered: {v}");
        (kind.to_owned(), v["id"].as_u64())
    }

    /// The next frame, which must be a close frame; returns its code.
    pub async fn close_code(&mut self) -> u16 {
        self.raw.close_code().await
    }

    /// Waits until the connection ends (a close frame or a dropped link).
    pub async fn ended(&mut self) {
        loop {
            match self.raw.next().await {
                Incoming::Close(_) | Incoming::Dropped(_) => return,
                _ => continue,
            }
        }
    }
}
