//! # sigshim-mapping
//!
//! The dictionary between the legacy Agora Signaling API and the sigshim core: the legacy codes
//! and values ([`codes`]), pure functions from core results to those codes ([`translate`]), and
//! the catalog of every legacy method, callback and `invoke` function with the way the shim
//! provides it ([`catalog`]). No I/O happens here; the facade (`sigshim-legacy`) calls these
//! functions, and MIGRATION.md is written from the catalog.
//!
//! ```
//! use sigshim::error::LoginError;
//! use sigshim_mapping::catalog::{self, Strategy};
//! use sigshim_mapping::{LegacyCode, translate};
//!
//! // A wrong token is reported to legacy code as LOGIN_E_TOKENWRONG.
//! let code = translate::login_failure(LoginError::InvalidToken);
//! assert_eq!(code, LegacyCode::LoginTokenWrong);
//! assert_eq!((code.code(), code.name()), (206, "LOGIN_E_TOKENWRONG"));
//!
//! // How `login2` is provided, and what it maps to.
//! let row = catalog::lookup("login2").unwrap();
//! assert_eq!(row.strategy, Strategy::Emulated);
//! assert!(row.core.contains("Client::login"));
//! ```
//!
//! # Layout
//! - [`codes`]: [`LegacyCode`] (every legacy error code), [`LoginStatus`], [`AttrUpdateType`].
//! - [`translate`]: core error kinds and connection values to legacy codes and states.
//! - [`catalog`]: [`CATALOG`], [`lookup`], and the [`Strategy`] of each legacy item.
//! - [`reserved`]: the invitation `extra` keys the legacy service read, and how the shim treats
//!   each.

pub mod catalog;
pub mod codes;
pub mod invite;
pub mod reserved;
pub mod translate;

pub use catalog::{Area, CATALOG, CatalogEntry, ItemKind, Sdk, Spelling, Strategy, Summary, lookup};
pub use codes::{AttrUpdateType, LegacyCode, LoginStatus};
