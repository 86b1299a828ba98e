//! Conformance drivers and scenarios.
