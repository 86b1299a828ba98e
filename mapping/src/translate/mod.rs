//! From core results to legacy codes and states: pure functions, one per core error kind.
//!
//! Every translation is total over the core's current vocabulary and has no catch-all. The core's
//! error enums are `#[non_exhaustive]`, so a `match` here could not be exhaustive; instead each
//! error translation reads a const table with exactly one row per variant, sized by the enum's
//! `ALL` and checked at compile time (see `table.rs`). The connection enums are exhaustive, and
//! the plain matches over them are too. Either way, a state, reason or error kind the core adds
//! stops the build here until someone decides its legacy meaning.

mod call;
mod channel;
mod general;
mod message;
mod session;
mod table;

pub use call::{invitation_api_failure, local_invitation_failure, remote_invitation_end_extra};
pub use channel::{LeaveCause, join_failure, leave_failure, leave_reason, member_count_failure};
pub use general::{attribute_failure, not_logged_in, query_status_failure, unsupported};
pub use message::{channel_send_failure, peer_send_failure};
pub use session::{login_failure, login_status, logout_failure, logout_reason};
