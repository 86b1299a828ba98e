//! A connector whose links refuse chosen requests with an error reply, as the hub would refuse
//! them (a rate limit, say), on either backend: a fault at one exact step of an operation.
//!
//! ```
//! use sigshim::error::{GetMembersError, RtmCode};
//! use sigshim::protocol::Request;
//! use sigshim_conformance::request_fault::RequestFault;
//! use sigshim_conformance::{Backend, hub};
//!
//! let hub = hub();
//! // Every member list asked for through this connector is refused as "too often".
//! let fault = RequestFault::new(Backend::Memory, &hub, |r| {
//!     matches!(r, Request::GetMembers { .. }).then_some(GetMembersError::TooOften.code())
//! });
//! assert_eq!(fault.refused(), 0);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use sigshim::Hub;
use sigshim::error::{Error, LoginError};
use sigshim::protocol::{LoginRequest, Reply, Request};
use sigshim::transport::{Connector, Link, Transport, TransportError};

use crate::backend::Backend;

/// Which requests to refuse, and with which error code.
type Rule = dyn Fn(&Request) -> Option<i32> + Send + Sync;

/// A connector (through a [`Backend`]) whose links answer the requests its rule picks with
/// `Reply::Error { code }` instead of sending them; every other request passes. Counts the
/// refused ones.
pub struct RequestFault {
    inner: Arc<dyn Connector>,
    shared: Arc<Shared>,
}

struct Shared {
    rule: Box<Rule>,
    refused: AtomicUsize,
}

impl std::fmt::Debug for RequestFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestFault").field("refused", &self.refused()).finish_non_exhaustive()
    }
}

impl RequestFault {
    /// A connector to `hub` through `be` refusing each request for which `rule` gives a code.
    pub fn new(
        be: Backend,
        hub: &Hub,
        rule: impl Fn(&Request) -> Option<i32> + Send + Sync + 'static,
    ) -> Arc<Self> {
        let shared = Arc::new(Shared { rule: Box::new(rule), refused: AtomicUsize::new(0) });
        Arc::new(Self { inner: be.connector(hub), shared })
    }

    /// Requests refused so far.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Connector for RequestFault {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        let link = self.inner.connect(login).await?;
        let transport = Arc::new(FaultyTransport { inner: link.transport, shared: self.shared.clone() });
        Ok(Link { transport, ..link })
    }

    fn forget_session(&self) {
        self.inner.forget_session();
    }
}

struct FaultyTransport {
    inner: Arc<dyn Transport>,
    shared: Arc<Shared>,
}

#[async_trait]
impl Transport for FaultyTransport {
    async fn request(&self, request: Request) -> Result<Reply, TransportError> {
        if let Some(code) = (self.shared.rule)(&request) {
            self.shared.refused.fetch_add(1, Ordering::SeqCst);
            return Ok(Reply::Error { code });
        }
        self.inner.request(request).await
    }

    fn close(&self) {
        self.inner.close();
    }
}
