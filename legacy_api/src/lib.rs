//! # sigshim-legacy
//!
//! The legacy Agora Signaling API — its methods, callbacks, error codes and callback order —
//! running on the sigshim core. Existing Signaling code keeps its shape: create an instance,
//! register callbacks, call methods that return at once, and receive results as callbacks on one
//! dispatcher thread.
//!
//! ```
//! use std::sync::{Arc, mpsc};
//! use std::time::Duration;
//!
//! use sigshim::{Hub, HubConfig};
//! use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
//!
//! /// Forwards what the example waits for to a channel.
//! struct App(mpsc::Sender<String>);
//!
//! impl SignalingCallbacks for App {
//!     fn on_login_success(&self, _uid: u32, _fd: u32) {
//!         self.0.send("logged in".into()).unwrap();
//!     }
//!     fn on_message_send_success(&self, id: &str) {
//!         self.0.send(format!("sent {id}")).unwrap();
//!     }
//!     fn on_message_instant_receive(&self, account: &str, _uid: u32, msg: &str) {
//!         self.0.send(format!("{account} says {msg}")).unwrap();
//!     }
//! }
//!
//! // Two instances on a fresh in-process hub, as two applications would be.
//! let hub = Hub::new(HubConfig::new("app"));
//! let next = |rx: &mpsc::Receiver<String>| rx.recv_timeout(Duration::from_secs(10)).unwrap();
//! let (alice_tx, alice_rx) = mpsc::channel();
//! let (bob_tx, bob_rx) = mpsc::channel();
//! let alice = Signaling::create_instance_with("app", SignalingOptions::default().hub(&hub));
//! let bob = Signaling::create_instance_with("app", SignalingOptions::default().hub(&hub));
//! alice.callback_set(Arc::new(App(alice_tx)));
//! bob.callback_set(Arc::new(App(bob_tx)));
//!
//! alice.login("app", "alice", "_no_need_token", 0, "");
//! bob.login("app", "bob", "_no_need_token", 0, "");
//! assert_eq!(next(&alice_rx), "logged in");
//! assert_eq!(next(&bob_rx), "logged in");
//!
//! alice.message_instant_send("bob", 0, "hello", "m1");
//! assert_eq!(next(&alice_rx), "sent m1");
//! assert_eq!(next(&bob_rx), "alice says hello");
//!
//! alice.destroy();
//! bob.destroy();
//! ```
//!
//! An instance lives until [`Signaling::destroy`], as the legacy SDK's did: the process keeps
//! every instance it created, so one whose handles were all dropped keeps its session and its
//! callbacks. `destroy` is how an instance ends: it logs out and lets the instance go.
//!
//! What each legacy call maps to, and how emulated behaviour differs, is catalogued in the
//! `sigshim-mapping` crate and described in MIGRATION.md.

mod actor;
mod callbacks;
mod calls;
mod channel_attrs;
mod channels;
mod command;
mod dispatcher;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod endpoint;
mod gateway;
mod hold;
mod instances;
mod invite_api;
mod invoke;
mod messages;
mod options;
mod phone;
mod queries;
mod sends;
mod session;
mod signaling;
mod status;
mod uid;

pub use callbacks::{NoCallbacks, SignalingCallbacks};
pub use gateway::{GatewayError, PHONE_REPORT_QUEUE, PhoneCall, PstnGateway};
pub use invoke::PREFIX as INVOKE_PREFIX;
pub use options::{Endpoint, INLINE_CALLBACKS_ENV, SignalingOptions, URL_ENV, legacy_call_timers};
pub use signaling::{SDK_VERSION, Signaling};
pub use uid::uid_for;
