//! The `legacy_sends` scenarios again, with every client connected through a real WebSocket
//! server on 127.0.0.1:0 (see `sigshim_conformance::backend`).

#[path = "legacy_sends.rs"]
mod scenarios;
