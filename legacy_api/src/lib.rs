//! The legacy Signaling facade.
