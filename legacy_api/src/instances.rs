//! The process's legacy instances: every instance not yet destroyed, the one `get_instance`
//! hands out, and the runtime instances run on when they are created outside of one.
//!
//! The process holds each instance from its creation until `destroy`, as the legacy SDK did:
//! what the application does with its handles does not end an instance.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::signaling::Signaling;

/// Every instance not yet destroyed, by its number in the process.
static LIVE: Mutex<BTreeMap<u64, Arc<Signaling>>> = Mutex::new(BTreeMap::new());

/// The instance `get_instance` hands out.
static SINGLETON: Mutex<Option<Arc<Signaling>>> = Mutex::new(None);

/// Holds `sig`, instance number `instance`, until [`release`].
pub(crate) fn keep(instance: u64, sig: Arc<Signaling>) {
    LIVE.lock().insert(instance, sig);
}

/// Lets instance number `instance` (`sig`) go: it is no longer held, nor handed out by
/// `get_instance`. Called by `destroy`, from a handle of the caller's, so these are never the
/// last handles; they are dropped after the locks are released all the same.
pub(crate) fn release(instance: u64, sig: &Signaling) {
    let live = LIVE.lock().remove(&instance);
    let singleton = {
        let mut slot = SINGLETON.lock();
        if slot.as_ref().is_some_and(|s| std::ptr::eq(&**s, sig)) { slot.take() } else { None }
    };
    drop((live, singleton));
}

/// Runs `f` on the `get_instance` slot, under its lock.
pub(crate) fn with_singleton<R>(f: impl FnOnce(&mut Option<Arc<Signaling>>) -> R) -> R {
    f(&mut SINGLETON.lock())
}

/// The runtime legacy instances use: the caller's when there is one, else a small shared one.
pub(crate) fn runtime() -> tokio::runtime::Handle {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Ok(h) = tokio::runtime::Handle::try_current() {
        return h;
    }
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sigshim-legacy")
            .enable_all()
            .build()
            .expect("building the legacy runtime")
    })
    .handle()
    .clone()
}
