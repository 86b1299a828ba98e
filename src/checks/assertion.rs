//! What a check reports: assertions as values, and the errors that stop a check early.

use std::error::Error;
use std::fmt::{self, Debug};
use std::time::Duration;

/// The verdict of one assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The deployment behaved as expected.
    Passed,
    /// The deployment behaved otherwise.
    Failed {
        /// What was expected (`Debug` form).
        expected: String,
        /// What the deployment did (`Debug` form).
        actual: String,
    },
    /// The check could not go on; the error's message and its sources, joined by `": "`.
    Error(String),
}

/// One row of the conformance table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// What was checked, in a few words.
    pub what: String,
    /// How it went.
    pub verdict: Verdict,
}

impl Assertion {
    /// A passed assertion.
    pub fn passed(what: impl Into<String>) -> Self {
        Self { what: what.into(), verdict: Verdict::Passed }
    }

    /// A row for an error that ended a check, with the error's whole source chain.
    pub fn error(what: impl Into<String>, error: &(dyn Error + 'static)) -> Self {
        Self { what: what.into(), verdict: Verdict::Error(chain(error)) }
    }

    /// True unless the assertion failed or stands for an error.
    pub fn is_pass(&self) -> bool {
        self.verdict == Verdict::Passed
    }
}

impl fmt::Display for Assertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Passed => write!(f, "pass  {}", self.what),
            Verdict::Failed { expected, actual } => {
                write!(f, "FAIL  {}: expected {expected}, got {actual}", self.what)
            }
            Verdict::Error(e) if self.what.is_empty() => write!(f, "FAIL  {e}"),
            Verdict::Error(e) => write!(f, "FAIL  {}: {e}", self.what),
        }
    }
}

/// An error's message followed by those of its sources, joined by `": "`.
pub(crate) fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        // Many errors repeat their source's message in their own; it is shown once.
        let own = e.to_string();
        if !text.ends_with(&own) {
            text.push_str(": ");
            text.push_str(&own);
        }
        next = e.source();
    }
    text
}

/// The assertions of one check, in the order they were made.
#[derive(Debug, Default)]
pub struct Assertions(Vec<Assertion>);

impl Assertions {
    /// Records whether `actual == expected`; returns whether it held.
    pub fn eq<T: PartialEq + Debug>(&mut self, what: impl Into<String>, actual: T, expected: T) -> bool {
        let holds = actual == expected;
        let verdict = if holds {
            Verdict::Passed
        } else {
            Verdict::Failed { expected: format!("{expected:?}"), actual: format!("{actual:?}") }
        };
        self.0.push(Assertion { what: what.into(), verdict });
        holds
    }

    /// Records a row that stands for an error that ended the check.
    pub fn error(&mut self, error: &(dyn Error + 'static)) {
        self.0.push(Assertion::error("", error));
    }

    /// Records a finished row.
    pub fn push(&mut self, assertion: Assertion) {
        self.0.push(assertion);
    }

    /// The rows so far.
    pub fn into_vec(self) -> Vec<Assertion> {
        self.0
    }
}

/// Why a check stopped before its end. Each becomes one failed row.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A call the check needed failed (a login, a send whose result later steps rely on, …).
    #[error("{what} failed")]
    Call {
        /// The call, e.g. `login of ck1-0-a`.
        what: String,
        /// Why.
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
    /// An expected event or callback did not arrive in time.
    #[error("no {what} within {after:?}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        after: Duration,
    },
    /// The stream of events or callbacks ended while the check waited on it.
    #[error("the {stream} ended while waiting for {what}")]
    Closed {
        /// Which stream.
        stream: &'static str,
        /// What was awaited.
        what: String,
    },
}

impl CheckError {
    /// A failed call.
    pub fn call(what: impl Into<String>, source: impl Error + Send + Sync + 'static) -> Self {
        Self::Call { what: what.into(), source: Box::new(source) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn an_unequal_pair_is_a_failed_row_with_both_values() {
        let mut out = Assertions::default();
        assert!(out.eq("same", 1, 1));
        assert!(!out.eq("differs", Some("a"), None));
        let rows = out.into_vec();
        assert_eq!(rows[0], Assertion::passed("same"));
        let failed = Verdict::Failed { expected: "None".into(), actual: "Some(\"a\")".into() };
        assert_eq!(rows[1], Assertion { what: "differs".into(), verdict: failed });
        assert_eq!(rows[1].to_string(), "FAIL  differs: expected None, got Some(\"a\")");
        assert!(rows[0].is_pass() && !rows[1].is_pass());
    }

    #[test]
    fn an_error_row_carries_the_source_chain() {
        let e = CheckError::call("login of u", Outer(std::io::Error::other("refused")));
        let row = Assertion::error("", &e);
        assert_eq!(row.verdict, Verdict::Error("login of u failed: outer: refused".into()));
        assert_eq!(row.to_string(), "FAIL  login of u failed: outer: refused");
        let t = CheckError::Timeout { what: "a peer message".into(), after: Duration::from_secs(5) };
        assert_eq!(Assertion::error("step", &t).to_string(), "FAIL  step: no a peer message within 5s");
    }
}
