//! A connector that lets connects through only while it is open: a link outage that lasts
//! exactly as long as a scenario wants, on either backend.
//!
//! Break a logged-in user's link with `Hub::disconnect_user` (in-process and over WebSocket
//! alike) while the gate is closed: the client's reconnect attempts fail as a network that
//! cannot reach the server would (a login timeout, which the client retries), so the client
//! stays reconnecting until [`ConnectGate::open`].
//!
//! ```
//! use sigshim_conformance::connect_gate::ConnectGate;
//! use sigshim_conformance::{Backend, hub};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let hub = hub();
//! let gate = ConnectGate::new(Backend::Memory, &hub);
//! let options = sigshim_legacy::SignalingOptions::default().connector(gate.clone());
//! let l = sigshim_conformance::LegacyDriver::with_endpoint(sigshim_conformance::APP_ID, "alice", options);
//! gate.close(); // from now on, logins and reconnects of `l` fail until `gate.open()`
//! # drop(l);
//! # }
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use sigshim::Hub;
use sigshim::error::{Error, LoginError};
use sigshim::protocol::LoginRequest;
use sigshim::transport::{Connector, Link};
use tokio::sync::watch;

use crate::backend::Backend;
use crate::scenario::Attempts;

/// A connector through a [`Backend`] that refuses connects while closed; counts every attempt.
pub struct ConnectGate {
    inner: Arc<dyn Connector>,
    open: watch::Sender<bool>,
    attempts: Attempts,
}

impl std::fmt::Debug for ConnectGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectGate")
            .field("open", &*self.open.borrow())
            .field("attempts", &self.attempts.count())
            .finish_non_exhaustive()
    }
}

impl ConnectGate {
    /// An open gate in front of `hub`, reached through `be`.
    pub fn new(be: Backend, hub: &Hub) -> Arc<Self> {
        Arc::new(Self {
            inner: be.connector(hub),
            open: watch::Sender::new(true),
            attempts: Attempts::default(),
        })
    }

    /// Refuses every connect from now on.
    pub fn close(&self) {
        self.open.send_replace(false);
    }

    /// Lets connects through again.
    pub fn open(&self) {
        self.open.send_replace(true);
    }

    /// Connect attempts so far (refused ones included).
    pub fn attempts(&self) -> usize {
        self.attempts.count()
    }

    /// Waits until `n` connect attempts were made, for at most [`WAIT`](crate::WAIT).
    pub async fn attempted(&self, n: usize) {
        self.attempts.reached(n).await;
    }
}

#[async_trait]
impl Connector for ConnectGate {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        self.attempts.bump();
        if !*self.open.borrow() {
            return Err(LoginError::Timeout.into());
        }
        self.inner.connect(login).await
    }

    fn forget_session(&self) {
        self.inner.forget_session();
    }
}
