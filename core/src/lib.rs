//! # sigshim core
//!
//! An RTM-style real-time messaging core: a [`Client`] with RTM 1.x semantics (login with tokens,
//! connection states, peer messages with delivery acknowledgements and offline caching, presence,
//! user attributes), and the [`Hub`] that serves it in-process.
//!
//! ```
//! use sigshim::{Client, ClientEvent, Hub, HubConfig, Message, SendMessageOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let hub = Hub::new(HubConfig::new("demo-app"));
//! let (alice, _alice_events) = Client::builder("demo-app").hub(&hub).build();
//! let (bob, mut bob_events) = Client::builder("demo-app").hub(&hub).build();
//! alice.login(None, "alice").await.unwrap();
//! bob.login(None, "bob").await.unwrap();
//!
//! alice.send_message_to_peer("bob", &Message::text("hi"), SendMessageOptions::default()).await.unwrap();
//! loop {
//!     if let Some(ClientEvent::MessageFromPeer { peer_id, message, .. }) = bob_events.recv().await {
//!         assert_eq!(peer_id, "alice");
//!         assert_eq!(message.text_or_description(), "hi");
//!         break;
//!     }
//! }
//! # }
//! ```
//!
//! # Layout
//! - [`client`]: the [`Client`] handle, its options, connection states and events.
//! - [`call`]: call invitations ([`CallKit`], [`LocalInvitation`], [`RemoteInvitation`]).
//! - [`hub`]: the embedded engine (sessions, routing, presence, attributes, offline store).
//! - [`transport`]: how a client reaches a hub ([`transport::MemoryConnector`] in-process).
//! - [`protocol`]: the frames both sides exchange.
//! - [`resume`]: parking a session whose link broke, and resuming it with a ticket.
//! - [`token`]: Signaling, AccessToken 006 and AccessToken2 007 tokens.
//! - [`channel`]: channels ([`Channel`], [`ChannelEvents`]).
//! - `server` (feature `server`): the hub over WebSocket, with `/healthz` and `/metrics`.
//! - [`error`], [`limits`], [`message`], [`attributes`]: the vocabulary.
//!
//! # Features
//! All off by default: an application that embeds the hub compiles no network stack.
//! - `ws`: `transport::WsConnector`, a client reaching a `sigshim serve` deployment.
//! - `server`: `server::Server` (implies `ws`).
//! - `zlib`: AccessToken2 (007) tokens built with the system zlib, byte for byte what Agora's
//!   builders produce; without it they are built with a pure-Rust deflate and verify the same.

pub mod attributes;
pub mod call;
pub mod channel;
pub mod client;
mod config;
pub mod error;
pub mod hub;
pub mod limits;
pub mod message;
pub mod protocol;
pub mod resume;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;
pub mod token;
pub mod transport;
pub mod window;

#[doc(hidden)]
pub mod test_support;

pub use attributes::{Attribute, AttributeUpdate, ChannelAttribute};
pub use call::{CallEvent, CallEvents, CallKit, LocalInvitation, RemoteInvitation};
pub use channel::{Channel, ChannelAttributeOptions, ChannelEvent, ChannelEvents};
pub use client::{Client, ClientBuilder, ClientEvent, ConnectionChangeReason, ConnectionState, Events};
pub use error::RtmCode;
pub use hub::{Hub, HubConfig};
pub use limits::Limits;
pub use message::{Message, MessageBody, MessageReceipt, SendMessageOptions};
pub use protocol::{PeerOnlineState, PeerStatus};
