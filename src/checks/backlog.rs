//! Waiting for one item of a stream (client events, legacy callbacks) while keeping the others,
//! in order, for later waits.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use super::assertion::CheckError;

/// A stream of items the checks wait on.
pub(crate) trait Source<T> {
    /// The next item; `None` once the stream has ended.
    fn next_item(&mut self) -> impl Future<Output = Option<T>> + Send;
}

impl Source<sigshim::ClientEvent> for sigshim::Events {
    fn next_item(&mut self) -> impl Future<Output = Option<sigshim::ClientEvent>> + Send {
        self.recv()
    }
}

impl<T: Send> Source<T> for tokio::sync::mpsc::UnboundedReceiver<T> {
    fn next_item(&mut self) -> impl Future<Output = Option<T>> + Send {
        self.recv()
    }
}

/// The items of one stream read so far but not yet waited for.
#[derive(Debug)]
pub(crate) struct Backlog<T> {
    items: VecDeque<T>,
    /// The stream's name in errors ("client's events", "legacy callbacks").
    stream: &'static str,
}

impl<T> Backlog<T> {
    /// An empty backlog of the stream called `stream`.
    pub(crate) fn new(stream: &'static str) -> Self {
        Self { items: VecDeque::new(), stream }
    }

    /// The first item, kept ones first, that `pick` maps to a value; items read meanwhile are
    /// kept. Fails when `source` ends, or after `within`.
    pub(crate) async fn wait<V>(
        &mut self,
        what: &str,
        within: Duration,
        source: &mut impl Source<T>,
        pick: impl Fn(&T) -> Option<V>,
    ) -> Result<V, CheckError> {
        if let Some(v) = self.take(&pick) {
            return Ok(v);
        }
        let deadline = Instant::now() + within;
        loop {
            match timeout_at(deadline, source.next_item()).await {
                Ok(Some(item)) => match pick(&item) {
                    Some(v) => return Ok(v),
                    None => self.items.push_back(item),
                },
                Ok(None) => return Err(CheckError::Closed { stream: self.stream, what: what.into() }),
                Err(_) => return Err(CheckError::Timeout { what: what.into(), after: within }),
            }
        }
    }

    /// Keeps `item` for a later wait.
    pub(crate) fn keep(&mut self, item: T) {
        self.items.push_back(item);
    }

    /// Removes and maps the first kept item that `pick` maps, if any.
    pub(crate) fn take<V>(&mut self, pick: impl Fn(&T) -> Option<V>) -> Option<V> {
        let i = self.items.iter().position(|item| pick(item).is_some())?;
        self.items.remove(i).as_ref().and_then(pick)
    }
}
