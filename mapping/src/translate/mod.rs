//! From core results to legacy codes and states: pure functions, one per core error kind.
//!
//! Each function lists every variant the core defines today. The core's error enums are
//! `#[non_exhaustive]`, so each match also ends in a catch-all arm giving the operation's generic
//! legacy code; the unit tests walk each enum's `ALL` so that a new variant is at least exercised.
//! The connection enums are exhaustive, and so are the matches over them: a new state or reason
//! stops the build here until someone decides its legacy meaning.

mod call;
mod channel;
mod general;
mod message;
mod session;

pub use call::{invitation_api_failure, local_invitation_failure, remote_invitation_end_extra};
pub use channel::{LeaveCause, join_failure, leave_failure, leave_reason, member_count_failure};
pub use general::{attribute_failure, not_logged_in, query_status_failure, unsupported};
pub use message::{channel_send_failure, peer_send_failure};
pub use session::{login_failure, login_status, logout_failure, logout_reason};
