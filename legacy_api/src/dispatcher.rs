//! Runs callbacks on one thread per instance, in the order they were queued.

use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::mpsc;

use crate::callbacks::{NoCallbacks, SignalingCallbacks};

/// One callback invocation.
pub(crate) type Job = Box<dyn FnOnce(&dyn SignalingCallbacks) + Send>;

/// The current callback sink, replaceable at any time.
pub(crate) type Sink = Arc<RwLock<Arc<dyn SignalingCallbacks>>>;

/// Queue capacity: a slow callback holds the instance's event processing back, not memory.
const CAPACITY: usize = 4096;

/// Starts the callback thread; returns the sender that feeds it and the shared sink. The thread
/// ends once every sender is gone and the queue is drained.
pub(crate) fn start() -> (mpsc::Sender<Job>, Sink) {
    let sink: Sink = Arc::new(RwLock::new(Arc::new(NoCallbacks)));
    let (tx, mut rx) = mpsc::channel::<Job>(CAPACITY);
    let thread_sink = sink.clone();
    std::thread::Builder::new()
        .name("sigshim-callbacks".into())
        .spawn(move || {
            while let Some(job) = rx.blocking_recv() {
                let cb = thread_sink.read().clone();
                job(&*cb);
            }
        })
        .expect("spawning the callback thread");
    (tx, sink)
}
