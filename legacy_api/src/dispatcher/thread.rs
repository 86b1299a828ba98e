//! The process's callback thread and its bounded queue.
//!
//! Producers (the instances' tasks) push jobs under a short lock; the thread takes everything
//! queued at once and runs it in order. The thread is woken only when it sleeps: a producer that
//! finds the `sleeping` flag set clears it and unparks the thread, every other push costs no
//! system call. It parks as soon as the queue is empty: waiting for the next job first, yielding
//! the CPU in a loop for some microseconds, saved wake-ups but kept the thread runnable beside
//! the runtime's workers, and on two cores that cost more latency than the wake-ups it saved
//! (BENCHMARKS.md, "The legacy paths against core clients").
//!
//! The queue holds at most a fixed number of jobs (the one running included), counted by a
//! semaphore: a producer waits for a place (or, with [`CallbackThread::try_push`], is refused),
//! and the thread gives each place back once its job has run, so a slow callback holds the
//! instances back, not memory.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::Thread;

use parking_lot::Mutex;
use tokio::sync::Semaphore;

/// State shared by the producers and the thread.
struct Shared<T> {
    queue: Mutex<VecDeque<T>>,
    /// Jobs queued and not yet taken, readable without the lock.
    queued: AtomicUsize,
    /// Set by the thread before it parks; the producer that clears it unparks the thread.
    sleeping: AtomicBool,
    /// Free places in the queue.
    places: Semaphore,
}

/// A queue drained by one thread of its own, which runs `run` on each item in push order.
pub(crate) struct CallbackThread<T> {
    shared: Arc<Shared<T>>,
    thread: Thread,
}

impl<T: Send + 'static> CallbackThread<T> {
    /// Starts the thread, named `name`, running `run` on each item; at most `capacity` items
    /// are queued or running.
    pub(crate) fn start(name: &str, capacity: usize, run: impl FnMut(T) + Send + 'static) -> Self {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::with_capacity(256)),
            queued: AtomicUsize::new(0),
            sleeping: AtomicBool::new(false),
            places: Semaphore::new(capacity),
        });
        let theirs = shared.clone();
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || drain(&theirs, run))
            .expect("spawning the callback thread");
        Self { shared, thread: handle.thread().clone() }
    }

    /// Queues `item`, waiting while the queue is full.
    pub(crate) async fn push(&self, item: T) {
        // The semaphore is never closed.
        if let Ok(place) = self.shared.places.acquire().await {
            place.forget();
            self.enqueue(item);
        }
    }

    /// Queues `item` without waiting; false (the item dropped) when the queue is full.
    pub(crate) fn try_push(&self, item: T) -> bool {
        let Ok(place) = self.shared.places.try_acquire() else { return false };
        place.forget();
        self.enqueue(item);
        true
    }

    /// Appends `item` (its place taken) and wakes the thread if it sleeps.
    fn enqueue(&self, item: T) {
        {
            let mut queue = self.shared.queue.lock();
            queue.push_back(item);
            self.shared.queued.store(queue.len(), Ordering::Release);
        }
        // Paired with the thread's swap before it parks: either it sees this item, or this sees
        // it asleep.
        if self.shared.sleeping.swap(false, Ordering::SeqCst) {
            self.thread.unpark();
        }
    }
}

/// The thread's loop: takes every queued item at once, runs them in order, gives their places
/// back; when nothing is queued, parks until a producer wakes it.
fn drain<T>(shared: &Shared<T>, mut run: impl FnMut(T)) {
    let mut batch = VecDeque::with_capacity(256);
    loop {
        {
            let mut queue = shared.queue.lock();
            std::mem::swap(&mut *queue, &mut batch);
            shared.queued.store(0, Ordering::Release);
        }
        if !batch.is_empty() {
            while let Some(item) = batch.pop_front() {
                run(item);
                shared.places.add_permits(1);
            }
            continue;
        }
        shared.sleeping.swap(true, Ordering::SeqCst);
        if shared.queued.load(Ordering::Acquire) != 0 {
            shared.sleeping.store(false, Ordering::SeqCst);
            continue;
        }
        // A stale unpark token only makes one more round; the flag says whether to sleep on.
        while shared.sleeping.load(Ordering::SeqCst) {
            std::thread::park();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// Waits (bounded) for the next item the thread ran.
    fn next<U>(rx: &mpsc::Receiver<U>) -> U {
        rx.recv_timeout(Duration::from_secs(10)).expect("the thread runs every item")
    }

    #[test]
    fn items_of_several_producers_all_run_each_producers_in_order() {
        let (tx, rx) = mpsc::channel();
        let thread = Arc::new(CallbackThread::start("test-callbacks", 64, move |item: (u32, u32)| {
            tx.send(item).unwrap();
        }));
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let thread = thread.clone();
                std::thread::spawn(move || {
                    for n in 0..2000 {
                        // Some pushes find the thread running, some find it asleep.
                        if n % 100 == 0 {
                            for _ in 0..10_000 {
                                if thread.shared.sleeping.load(Ordering::SeqCst) {
                                    break;
                                }
                                std::thread::yield_now();
                            }
                        }
                        while !thread.try_push((p, n)) {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        let mut last = [None::<u32>; 4];
        for _ in 0..4 * 2000 {
            let (p, n) = next(&rx);
            assert_eq!(last[p as usize].map_or(0, |l| l + 1), n, "producer {p} in order");
            last[p as usize] = Some(n);
        }
    }

    #[tokio::test]
    async fn a_running_item_keeps_its_place_until_it_ends() {
        let (release_tx, release) = mpsc::channel::<()>();
        let (ran_tx, ran) = mpsc::channel();
        let thread = CallbackThread::start("test-callbacks", 4, move |n: u32| {
            if n == 0 {
                release.recv().unwrap();
            }
            ran_tx.send(n).unwrap();
        });
        assert!(thread.try_push(0));
        assert!((1..4).all(|n| thread.try_push(n)), "three more places");
        assert!(!thread.try_push(4), "the queue is full while item 0 runs");
        release_tx.send(()).unwrap();
        thread.push(4).await;
        let ran: Vec<u32> = (0..5).map(|_| next(&ran)).collect();
        assert_eq!(ran, [0, 1, 2, 3, 4]);
    }
}
