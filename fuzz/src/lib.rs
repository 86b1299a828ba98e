//! The fuzz targets' checks (`fuzz_targets/` only calls them), the mutations they share with the
//! proptest cases of the workspace, and the seed inputs. See README.md.
//!
//! Every target reads its input in one of two ways:
//! - **raw**: the bytes as text (invalid UTF-8 replaced), whatever libFuzzer makes of the corpus;
//! - **structured**: a first byte `0xFF` (which no UTF-8 text starts with), then a byte that
//!   picks one of the target's valid seeds ([`seeds`]), then choice bytes for [`mutate`], which
//!   changes the seed the way the proptest cases do.

pub mod mutate;
pub mod seeds;
pub mod token_checks;

mod legacy;

use sigshim::test_support::wire::{
    ClientFrame, Control, ErrorFrame, EventFrame, FrameError, Hello, ReplyFrame, RequestFrame, ServerFrame,
    event_frame_text, frame_text, parse_client, parse_server,
};

pub use legacy::check_legacy_frame;

/// The first byte of a structured input.
pub const STRUCTURED: u8 = 0xFF;

/// The text a raw input stands for, or the seed and choices of a structured one.
enum Input<'a> {
    Raw(String),
    Structured { seed: usize, choices: &'a [u8] },
}

fn input(data: &[u8]) -> Input<'_> {
    match data {
        [STRUCTURED, seed, choices @ ..] => Input::Structured { seed: usize::from(*seed), choices },
        _ => Input::Raw(String::from_utf8_lossy(data).into_owned()),
    }
}

/// The text of `data`: raw, or a seed from `seeds` changed by [`mutate::mutate_json`].
fn json_input(data: &[u8], seeds: impl FnOnce() -> Vec<String>) -> String {
    match input(data) {
        Input::Raw(text) => text,
        Input::Structured { seed, choices } => {
            let seeds = seeds();
            mutate::mutate_json(&seeds[seed % seeds.len()], choices)
        }
    }
}

/// What `parse_client` must return: the derived readers alone, requests first.
pub fn derived_client(text: &str) -> Result<ClientFrame, FrameError> {
    match serde_json::from_str::<RequestFrame>(text) {
        Ok(r) => Ok(ClientFrame::Request(r)),
        Err(request_error) => serde_json::from_str::<Control>(text)
            .map(ClientFrame::Control)
            .or_else(|_| serde_json::from_str::<Hello>(text).map(ClientFrame::Hello))
            .map_err(|_| FrameError(request_error.to_string())),
    }
}

/// What `parse_server` must return: the derived readers alone, events first.
pub fn derived_server(text: &str) -> Result<ServerFrame, FrameError> {
    serde_json::from_str::<EventFrame>(text)
        .map(ServerFrame::Event)
        .or_else(|_| serde_json::from_str::<ReplyFrame>(text).map(ServerFrame::Reply))
        .or_else(|_| serde_json::from_str::<ErrorFrame>(text).map(ServerFrame::Error))
        .map_err(|e| FrameError(e.to_string()))
}

/// `parse_client` (the one-pass readers first) gives what the derived readers give, and a frame
/// it reads, written again by sigshim, reads back the same.
pub fn check_client_text(text: &str) {
    let parsed = parse_client(text);
    assert_eq!(parsed, derived_client(text), "{text:?}");
    if let Ok(frame) = parsed {
        let written = match &frame {
            ClientFrame::Request(r) => frame_text(r),
            ClientFrame::Hello(h) => frame_text(h),
            ClientFrame::Control(c) => frame_text(c),
        }
        .expect("a frame that was read can be written");
        assert_eq!(parse_client(&written), Ok(frame), "{text:?} written as {written:?}");
    }
}

/// `parse_server` gives what the derived readers give, and a frame it reads, written again by
/// sigshim, reads back the same.
pub fn check_server_text(text: &str) {
    let parsed = parse_server(text);
    assert_eq!(parsed, derived_server(text), "{text:?}");
    if let Ok(frame) = parsed {
        let written = match &frame {
            ServerFrame::Reply(r) => frame_text(r),
            ServerFrame::Event(e) => event_frame_text(e.seq, &e.event),
            ServerFrame::Error(e) => frame_text(e),
        }
        .expect("a frame that was read can be written");
        assert_eq!(parse_server(&written), Ok(frame), "{text:?} written as {written:?}");
    }
}

/// A fuzz target's check of one input.
pub type Target = fn(&[u8]);

/// Every target by name (its `fuzz_targets/` file and its `corpus/` directory).
pub const TARGETS: &[(&str, Target)] = &[
    ("client_frame", client_frame),
    ("server_frame", server_frame),
    ("tokens", tokens),
    ("legacy_frame", legacy_frame),
];

/// The `client_frame` target.
pub fn client_frame(data: &[u8]) {
    check_client_text(&json_input(data, seeds::client_frames));
}

/// The `server_frame` target.
pub fn server_frame(data: &[u8]) {
    check_server_text(&json_input(data, seeds::server_frames));
}

/// The `legacy_frame` target.
pub fn legacy_frame(data: &[u8]) {
    check_legacy_frame(&json_input(data, seeds::legacy_frames));
}

/// The `tokens` target: raw text through every parser and verifier, or a valid token changed
/// by [`token_checks::mutate_token`].
pub fn tokens(data: &[u8]) {
    match input(data) {
        Input::Raw(text) => token_checks::check_any(&text),
        Input::Structured { seed, choices } => {
            let valid = token_checks::valid_tokens();
            let original = &valid[seed % valid.len()];
            token_checks::check_mutated(original, token_checks::mutate_token(original, choices));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mutate::{Json, mutate_bytes, mutate_json, mutate_text};
    use super::*;

    #[test]
    fn no_choices_leave_the_seed_and_members_keep_their_order() {
        let seed = r#"{"b":1,"a":[true,null,"x"],"b":{"c":-1}}"#;
        assert_eq!(mutate_json(seed, &[]), seed);
        let tree: Json = serde_json::from_str(seed).unwrap();
        assert_eq!(tree.text(), seed);
        assert_eq!(mutate_text("abc", &[]), "abc");
        assert_eq!(mutate_bytes(b"abc", &[]), b"abc");
    }

    #[test]
    fn the_same_choices_make_the_same_input_and_most_change_it() {
        let seed = &seeds::client_frames()[0];
        let mut changed = 0;
        for i in 0..=255u8 {
            let choices = [i, i.wrapping_mul(7), 3, i ^ 0x5a, 200, 1, 9];
            let a = mutate_json(seed, &choices);
            assert_eq!(a, mutate_json(seed, &choices));
            changed += usize::from(a != *seed);
        }
        assert!(changed > 200, "{changed}");
    }

    /// The seeds are valid: each reads back as sigshim wrote it.
    #[test]
    fn every_seed_is_read() {
        for text in seeds::client_frames() {
            assert!(parse_client(&text).is_ok(), "{text}");
            check_client_text(&text);
        }
        for text in seeds::server_frames() {
            assert!(parse_server(&text).is_ok(), "{text}");
            check_server_text(&text);
        }
        for text in seeds::legacy_frames() {
            check_legacy_frame(&text);
        }
        token_checks::check_signing_helpers();
        for token in token_checks::valid_tokens() {
            assert!(
                sigshim::token::verify_login_token(
                    &token,
                    token_checks::APP_ID,
                    token_checks::CERT,
                    "alice",
                    token_checks::NOW
                )
                .is_ok()
            );
        }
    }

    /// Every committed corpus file passes its target (what `cargo fuzz run <target> -runs=0`
    /// replays, without a nightly toolchain).
    #[test]
    fn the_corpus_passes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for &(name, target) in TARGETS {
            let dir = std::fs::read_dir(root.join(name)).expect("each target has its corpus");
            let mut inputs = 0;
            for entry in dir {
                target(&std::fs::read(entry.unwrap().path()).unwrap());
                inputs += 1;
            }
            assert!(inputs > 0, "{name}: an empty corpus");
        }
    }
}
