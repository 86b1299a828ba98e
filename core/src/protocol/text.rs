//! Writing frames as the text of WebSocket messages with one allocation each.
//!
//! `serde_json::to_string` starts from a small buffer and grows it as the frame is written, and
//! the WebSocket layer then allocates once more to share a string whose capacity exceeds its
//! length. Here a frame is written into a buffer reused on each thread, then copied into a
//! string of exactly its size, which the WebSocket layer takes as it is.

use std::cell::RefCell;
use std::io::Write;

use serde::Serialize;

/// A buffer kept after a frame larger than this is dropped, so that one big frame does not pin
/// its size on the thread.
const KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` into this thread's scratch buffer and returns what it wrote as a string of
/// exactly that size; `None` when `write` fails.
fn exact(write: impl Fn(&mut Vec<u8>) -> Option<()>) -> Option<String> {
    let into_text = |buf: &mut Vec<u8>| {
        buf.clear();
        let text = write(buf).and_then(|()| String::from_utf8(buf.to_vec()).ok());
        if buf.capacity() > KEEP_BYTES {
            *buf = Vec::new();
        }
        text
    };
    // Writers never nest, and frames are not written while a thread ends; if either ever
    // happened, a buffer of its own would serve.
    SCRATCH
        .try_with(|scratch| scratch.try_borrow_mut().ok().map(|mut buf| into_text(&mut buf)))
        .ok()
        .flatten()
        .unwrap_or_else(|| into_text(&mut Vec::new()))
}

/// `frame` as JSON text.
pub(crate) fn json<T: Serialize + ?Sized>(frame: &T) -> Option<String> {
    exact(|buf| serde_json::to_writer(buf, frame).ok())
}

/// `{"seq":<seq>,` followed by `body` without its opening brace: an event frame made from an
/// event's shared encoding `{"event":…}`.
pub(crate) fn with_seq(seq: u64, body: &str) -> Option<String> {
    let rest = body.strip_prefix('{')?;
    exact(|buf| {
        write!(buf, "{{\"seq\":{seq},").ok()?;
        buf.extend_from_slice(rest.as_bytes());
        Some(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_the_json_with_no_spare_capacity() {
        let text = json(&serde_json::json!({"a": [1, 2, 3], "b": "x".repeat(300)})).unwrap();
        assert_eq!(
            text,
            serde_json::to_string(&serde_json::json!({"a": [1, 2, 3], "b": "x".repeat(300)})).unwrap()
        );
        assert_eq!(text.capacity(), text.len());
        let framed = with_seq(7, r#"{"event":"x"}"#).unwrap();
        assert_eq!(framed, r#"{"seq":7,"event":"x"}"#);
        assert_eq!(framed.capacity(), framed.len());
        assert_eq!(with_seq(7, "not an object"), None);
    }

    /// Serializes as the text another frame writer produced meanwhile.
    struct Nested;

    impl Serialize for Nested {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&json("inner").unwrap_or_default())
        }
    }

    #[test]
    fn a_writer_inside_a_writer_gets_a_buffer_of_its_own() {
        assert_eq!(json(&[Nested, Nested]).as_deref(), Some(r#"["\"inner\"","\"inner\""]"#));
    }

    #[test]
    fn a_big_frame_does_not_stay_on_the_thread() {
        let big = "y".repeat(2 * KEEP_BYTES);
        assert_eq!(json(&big).map(|t| t.len()), Some(big.len() + 2));
        assert_eq!(SCRATCH.with(|s| s.borrow().capacity()), 0);
        json("small").unwrap();
        assert!(SCRATCH.with(|s| s.borrow().capacity()) > 0, "a small frame's buffer is kept");
    }
}
