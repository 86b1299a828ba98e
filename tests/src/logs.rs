//! A log that tests can read back: give [`Log::writer`] to a `tracing_subscriber::fmt()`
//! subscriber, then look for the lines a scenario should have produced.

use std::io;
use std::sync::Arc;

use parking_lot::Mutex;

/// The formatted log lines, shared between the subscriber's writers and the test.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    /// A writer factory for `with_writer`: every writer appends to this log.
    pub fn writer(&self) -> impl Fn() -> Log + Send + Sync + 'static {
        let log = self.clone();
        move || log.clone()
    }

    /// The lines that contain `needle`, in order.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock())
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

impl io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
