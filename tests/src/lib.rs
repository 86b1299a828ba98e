//! # sigshim conformance suite
//!
//! One set of scenarios, run through the core API and through the legacy facade, against the
//! embedded hub. A scenario takes `&mut dyn Driver`s, so the same steps prove both sides.
//!
//! ```
//! use sigshim::{Hub, HubConfig};
//! use sigshim_conformance::{CoreDriver, Driver, LegacyDriver};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let hub = Hub::new(HubConfig::new("app"));
//! let mut alice = LegacyDriver::new(&hub, "alice");
//! let mut bob = CoreDriver::new(&hub, "bob");
//! alice.login(None).await.unwrap();
//! bob.login(None).await.unwrap();
//! alice.send_peer("bob", "hi").await.unwrap();
//! assert_eq!(bob.recv_peer().await, ("alice".to_string(), "hi".to_string()));
//! # }
//! ```

pub mod backend;
pub mod call_fixtures;
pub mod channel_fixtures;
mod core_calls;
mod core_driver;
mod driver;
pub mod fixtures;
mod legacy_driver;
pub mod proxy;
pub mod pstn;
pub mod raw;
mod recorder;
pub mod scenario;

pub use backend::{Backend, backend, memory_only, over_ws};
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

/// A driver of the given API for `user` on `hub`.
pub fn driver(api: Api, hub: &Hub, user: &str) -> Box<dyn Driver> {
    match api {
        Api::Core => Box::new(CoreDriver::new(hub, user)),
        Api::Legacy => Box::new(LegacyDriver::new(hub, user)),
    }
}

/// Both APIs, for scenarios that run through each.
pub const APIS: [Api; 2] = [Api::Core, Api::Legacy];
