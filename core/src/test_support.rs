//! Internals that the workspace's own tests, benchmarks and load generator reach into.
//!
//! **Not part of the public API:** hidden from the documentation, and free to change in any
//! release. Applications use [`Client`](crate::Client), [`Hub`](crate::Hub) and, for the
//! network, [`transport`](crate::transport) and `server`.
//!
//! - [`Session`] and [`ParkedLink`]: a hub session and the link state it keeps across a broken
//!   connection, for driving the hub below the client (`Hub::login`, `Hub::handle`).
//! - [`wire`]: the JSON codec of `docs/PROTOCOL.md`, as the server and the WebSocket transport
//!   use it.

pub use crate::hub::park::ParkedLink;
pub use crate::hub::session::Session;

/// The JSON codec of the protocol (see the module docs).
pub mod wire {
    pub use crate::protocol::wire::*;
}
