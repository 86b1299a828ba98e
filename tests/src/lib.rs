//! # sigshim conformance suite
//!
//! One set of scenarios, run through the core API and through the legacy facade, against the
//! embedded hub. A scenario takes `&mut dyn Driver`s, so the same steps prove both sides.
//!
//! Every driver reaches the hub through a [`Backend`] given to it explicitly: in-process
//! ([`Backend::Memory`]), through a real WebSocket server ([`Backend::Ws`]), or on two nodes of
//! one service on Redis, the users taking the nodes in turn ([`Backend::TwoNodes`]). A scenario
//! that holds for all is an `async fn name(be: Backend)`, and [`per_backend!`] turns it into the
//! tests `memory::name`, `ws::name` and `two_nodes::name` of the same test binary. Scenarios that need paused time
//! or an in-process fault are plain tests on [`Backend::Memory`]; tests that start their own
//! servers or speak to the hub directly use no backend.
//!
//! ```
//! use sigshim::{Hub, HubConfig};
//! use sigshim_conformance::{Backend, Driver};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! for be in [Backend::Memory, Backend::Ws] {
//!     let hub = Hub::new(HubConfig::new("app"));
//!     let mut alice = be.legacy(&hub, "alice");
//!     let mut bob = be.core(&hub, "bob");
//!     alice.login(None).await.unwrap();
//!     bob.login(None).await.unwrap();
//!     alice.send_peer("bob", "hi").await.unwrap();
//!     assert_eq!(bob.recv_peer().await, ("alice".to_string(), "hi".to_string()));
//! }
//! # }
//! ```

pub mod backend;
pub mod call_fixtures;
pub mod channel_fixtures;
pub mod connect_gate;
mod core_calls;
mod core_driver;
mod driver;
pub mod fixtures;
mod legacy_driver;
pub mod legacy_wire;
pub mod logs;
pub mod proxy;
pub mod pstn;
pub mod raw;
mod recorder;
pub mod redis_server;
pub mod request_fault;
pub mod scenario;
pub mod two_nodes;

pub use backend::Backend;
pub use core_calls::CoreCalls;
pub use core_driver::CoreDriver;
pub use driver::{Api, CallNote, Driver, Fail, FailKind, Outcome};
pub use legacy_driver::{LegacyDriver, kind_of};
pub use recorder::{Callbacks, Cb, Recorder, WAIT, recorder};

use sigshim::{Hub, HubConfig};

/// The app ID the suite's hubs serve.
pub const APP_ID: &str = "sigshim-conformance";

/// A fresh hub for one test.
pub fn hub() -> Hub {
    Hub::new(HubConfig::new(APP_ID))
}

/// Both APIs, for scenarios that run through each.
pub const APIS: [Api; 2] = [Api::Core, Api::Legacy];
