//! # sigshim-legacy
//!
//! The legacy Agora Signaling API — its methods, callbacks, error codes and callback order —
//! running on the sigshim core. Existing Signaling code keeps its shape: create an instance,
//! register callbacks, call methods that return at once, and receive results as callbacks on one
//! dispatcher thread.
//!
//! ```
//! use std::sync::{Arc, mpsc};
//! use sigshim::{Hub, HubConfig};
//! use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
//!
//! struct App(mpsc::Sender<String>);
//! impl SignalingCallbacks for App {
//!     fn on_login_success(&self, uid: u32, _fd: u32) {
//!         self.0.send(format!("logged in as {uid}")).unwrap();
//!     }
//!     fn on_message_send_success(&self, id: &str) {
//!         self.0.send(format!("sent {id}")).unwrap();
//!     }
//! }
//!
//! let hub = Hub::new(HubConfig::new("app"));
//! let (tx, rx) = mpsc::channel();
//! let sig = Signaling::create_instance_with("app", SignalingOptions::default().hub(&hub));
//! sig.callback_set(Arc::new(App(tx)));
//! sig.login("app", "alice", "_no_need_token", 0, "");
//! assert!(rx.recv().unwrap().starts_with("logged in as"));
//! sig.message_instant_send("bob", 0, "hello", "m1"); // bob is offline: cached, still accepted
//! assert_eq!(rx.recv().unwrap(), "sent m1");
//! sig.destroy();
//! ```
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
mod gateway;
mod invite_api;
mod invoke;
mod messages;
mod options;
mod phone;
mod queries;
mod sends;
mod session;
mod signaling;
mod uid;

pub use callbacks::{NoCallbacks, SignalingCallbacks};
pub use gateway::{GatewayError, PHONE_REPORT_QUEUE, PhoneCall, PstnGateway};
pub use invoke::PREFIX as INVOKE_PREFIX;
pub use options::{Endpoint, INLINE_CALLBACKS_ENV, SignalingOptions, URL_ENV};
pub use signaling::{SDK_VERSION, Signaling};
pub use uid::uid_for;
