//! An operation's error kind together with the failure beneath it.

use std::fmt;
use std::sync::Arc;

use super::RtmCode;

/// The cause of an [`Error`]: any error from below (a socket, TLS, the HTTP upgrade, a frame).
pub type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An operation's failure: its kind `K` (one of this module's enums, which carries the RTM code)
/// and, when the failure came from below, the cause.
///
/// The kind is what programs branch on; the cause is for people: "connection refused" or a TLS
/// failure instead of a bare "login timed out". [`Display`](fmt::Display) shows the kind's
/// message and [`source`](std::error::Error::source) returns the cause, so error reporters that
/// walk the chain print both.
///
/// ```
/// use std::error::Error as _;
/// use sigshim::error::{Error, LoginError, RtmCode};
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let e = Error::with_source(LoginError::Timeout, refused);
/// assert_eq!(e.kind(), LoginError::Timeout);
/// assert_eq!(e.code(), 9);
/// assert_eq!(e.to_string(), "login timed out");
/// assert_eq!(e.source().unwrap().to_string(), "connection refused");
/// assert!(e == LoginError::Timeout);
/// ```
#[derive(Clone)]
pub struct Error<K> {
    kind: K,
    source: Option<Source>,
}

impl<K: Copy> Error<K> {
    /// A failure of `kind` with no cause beneath it.
    pub fn new(kind: K) -> Self {
        Self { kind, source: None }
    }

    /// A failure of `kind` caused by `source`.
    pub fn with_source(
        kind: K,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self { kind, source: Some(Arc::from(source.into())) }
    }

    /// The kind, with its RTM code.
    pub fn kind(&self) -> K {
        self.kind
    }
}

impl<K: Copy> From<K> for Error<K> {
    fn from(kind: K) -> Self {
        Self::new(kind)
    }
}

impl<K: RtmCode> RtmCode for Error<K> {
    fn code(&self) -> i32 {
        self.kind.code()
    }
}

impl<K: PartialEq> PartialEq<K> for Error<K> {
    fn eq(&self, kind: &K) -> bool {
        self.kind == *kind
    }
}

impl<K: fmt::Debug> fmt::Debug for Error<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl<K: fmt::Display> fmt::Display for Error<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl<K: fmt::Debug + fmt::Display> std::error::Error for Error<K> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}
