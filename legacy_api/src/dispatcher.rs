//! Runs the callbacks of every instance in the process on one thread, as the legacy SDK did:
//! each instance's in the order they were queued, and never two at the same time.
//!
//! One thread for the process, rather than one per instance, because a callback costs a thread
//! wake-up when the thread sleeps: with many instances (a server-side bridge, a test fleet)
//! their threads would each wake for every callback, where one shared thread drains whatever
//! all instances queued in one wake-up. The thread is woken only when it sleeps (see [`thread`]).

mod thread;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;
use tokio::sync::mpsc;

use self::thread::CallbackThread;
use crate::callbacks::{NoCallbacks, SignalingCallbacks};

/// One callback invocation.
pub(crate) type Job = Box<dyn FnOnce(&dyn SignalingCallbacks) + Send>;

/// An instance's current callbacks, replaceable at any time.
type Sink = Arc<RwLock<Arc<dyn SignalingCallbacks>>>;

/// Capacity of the process-wide queue, the running callback included: a slow callback holds
/// the instances' event processing back, not memory.
const CAPACITY: usize = 16 * 1024;

/// The dispatcher thread and its queue, started on first use.
fn thread() -> &'static CallbackThread<(Sink, Job)> {
    static THREAD: OnceLock<CallbackThread<(Sink, Job)>> = OnceLock::new();
    THREAD.get_or_init(|| {
        CallbackThread::start("sigshim-callbacks", CAPACITY, |(sink, job)| run_guarded(&sink, job))
    })
}

/// Runs `job` with the callbacks in `sink`. A panic in the callback (or in dropping a callbacks
/// object) is logged and ends only that callback, on the dispatcher thread and inline alike.
fn run_guarded(sink: &Sink, job: impl FnOnce(&dyn SignalingCallbacks)) {
    let callbacks = sink.read().clone();
    let outcome = catch_unwind(AssertUnwindSafe(move || {
        job(&*callbacks);
        drop(callbacks);
    }));
    if outcome.is_err() {
        tracing::error!("a legacy callback panicked; callbacks go on");
    }
}

/// One instance's callbacks and its way onto the dispatcher thread (or, with inline callbacks,
/// straight into them). Every part of the instance that reports something gets a `&Dispatch`
/// and calls [`emit`](Self::emit); the order of `emit` calls is the order of the callbacks.
#[derive(Clone)]
pub(crate) struct Dispatch {
    sink: Sink,
    route: Route,
}

/// Where an instance's callbacks run.
#[derive(Clone)]
enum Route {
    /// On the process's dispatcher thread.
    Thread,
    /// On the emitting task (inline callbacks).
    Inline,
    /// On whichever task drains this queue (the instance's owner, with callbacks of its own):
    /// emitting waits while the queue is full, so a slow owner holds the instance back.
    Owner(mpsc::Sender<Job>),
}

impl Default for Dispatch {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Dispatch {
    /// An instance's dispatch, with no callbacks registered yet; `inline` runs them on the
    /// emitting task (see `SignalingOptions::inline_callbacks`).
    pub(crate) fn new(inline: bool) -> Self {
        let route = if inline { Route::Inline } else { Route::Thread };
        Self { sink: Arc::new(RwLock::new(Arc::new(NoCallbacks))), route }
    }

    /// A dispatch whose jobs go to `queue`, for its owner to run with callbacks of its own.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn to_owner(queue: mpsc::Sender<Job>) -> Self {
        Self { sink: Arc::new(RwLock::new(Arc::new(NoCallbacks))), route: Route::Owner(queue) }
    }

    /// Runs one callback: queued for the dispatcher thread or the owner (waiting while the
    /// queue is full), or here and now with inline callbacks.
    pub(crate) async fn emit(&self, f: impl FnOnce(&dyn SignalingCallbacks) + Send + 'static) {
        match &self.route {
            Route::Inline => self.run_inline(f),
            Route::Thread => self.queue(Box::new(f)).await,
            // An owner that is gone takes no more callbacks.
            Route::Owner(queue) => {
                let _ = queue.send(Box::new(f)).await;
            }
        }
    }

    /// Replaces the instance's callbacks; jobs not yet run see the new ones.
    pub(crate) fn set(&self, callbacks: Arc<dyn SignalingCallbacks>) {
        *self.sink.write() = callbacks;
    }

    /// The instance's current callbacks.
    pub(crate) fn get(&self) -> Arc<dyn SignalingCallbacks> {
        self.sink.read().clone()
    }

    /// Runs a job here and now (inline callbacks), guarded like the dispatcher thread's.
    fn run_inline(&self, job: impl FnOnce(&dyn SignalingCallbacks)) {
        run_guarded(&self.sink, job);
    }

    /// Queues a job for the dispatcher thread, waiting while the queue is full.
    async fn queue(&self, job: Job) {
        thread().push((self.sink.clone(), job)).await;
    }

    /// Queues a job without waiting; false when the queue is full.
    pub(crate) fn try_queue(&self, job: Job) -> bool {
        match &self.route {
            Route::Owner(queue) => queue.try_send(job).is_ok(),
            Route::Thread | Route::Inline => thread().try_push((self.sink.clone(), job)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use parking_lot::Mutex;

    use super::*;

    /// Records `(instance, n)` of each callback and fails if two ever overlap.
    struct Log {
        id: u32,
        seen: Arc<Mutex<Vec<(u32, i32)>>>,
        busy: Arc<AtomicBool>,
        done: std::sync::mpsc::Sender<()>,
    }

    impl SignalingCallbacks for Log {
        fn on_logout(&self, n: i32) {
            assert!(!self.busy.swap(true, Ordering::SeqCst), "two callbacks at once");
            self.seen.lock().push((self.id, n));
            if n == 7 {
                self.busy.store(false, Ordering::SeqCst);
                panic!("a callback that panics");
            }
            self.busy.store(false, Ordering::SeqCst);
            let _ = self.done.send(());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn instances_share_one_thread_in_order_and_a_panic_ends_only_its_callback() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let busy = Arc::new(AtomicBool::new(false));
        let (done_tx, done) = std::sync::mpsc::channel();
        let instances: Vec<Dispatch> = (0..2)
            .map(|id| {
                let d = Dispatch::default();
                let (seen, busy, done) = (seen.clone(), busy.clone(), done_tx.clone());
                d.set(Arc::new(Log { id, seen, busy, done }));
                d
            })
            .collect();
        let tasks: Vec<_> = instances
            .into_iter()
            .map(|d| {
                tokio::spawn(async move {
                    for n in 0..100 {
                        d.queue(Box::new(move |c| c.on_logout(n))).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        // 200 callbacks, two of which (n == 7) panic before they report.
        for _ in 0..198 {
            done.recv_timeout(Duration::from_secs(10)).expect("every callback runs");
        }
        let seen = seen.lock().clone();
        assert_eq!(seen.len(), 200);
        for id in 0..2 {
            let mine: Vec<i32> = seen.iter().filter(|(i, _)| *i == id).map(|(_, n)| *n).collect();
            assert_eq!(mine, (0..100).collect::<Vec<_>>(), "instance {id} in order");
        }
    }

    /// Panics on login, reports logouts.
    struct PanicsOnLogin(tokio::sync::mpsc::Sender<i32>);

    impl SignalingCallbacks for PanicsOnLogin {
        fn on_login_success(&self, _uid: u32, _fd: u32) {
            panic!("a callback that panics");
        }
        fn on_logout(&self, ecode: i32) {
            let _ = self.0.try_send(ecode);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_inline_callback_that_panics_ends_only_itself() {
        let hub = sigshim::Hub::new(sigshim::HubConfig::new("app"));
        let options = crate::SignalingOptions::default().hub(&hub).inline_callbacks(true);
        let sig = crate::Signaling::create_instance_with("app", options);
        let (tx, mut logouts) = tokio::sync::mpsc::channel(4);
        sig.callback_set(Arc::new(PanicsOnLogin(tx)));
        sig.login("app", "alice", "", 0, "");
        sig.logout();
        let code = tokio::time::timeout(Duration::from_secs(10), logouts.recv()).await;
        let logged_out = sigshim_mapping::LegacyCode::LogoutUser.code();
        assert_eq!(code, Ok(Some(logged_out)), "the instance goes on after the panic");
        sig.destroy();
    }
}
