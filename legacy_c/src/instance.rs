//! One instance as the program sees it: a facade `Signaling`, the program's callback object,
//! and the `start`/`stop` gate; and the two object layouts that reach it.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError};

use sigshim_legacy::{Endpoint, NoCallbacks, Signaling, SignalingCallbacks};

use crate::callbacks::Foreign;
use crate::methods::ApiTable;

/// The legacy code of `onError` when the library itself failed (`GENERAL_E_FAILED`).
const GENERAL_FAILED: i32 = 1001;

/// One legacy instance.
pub(crate) struct Instance {
    signaling: Arc<Signaling>,
    /// The program's callback object (its address), as `callbackGet` returns it.
    callbacks: Mutex<usize>,
    gate: Mutex<Gate>,
    changed: Condvar,
}

/// What `start` waits for.
#[derive(Default)]
struct Gate {
    /// `stop` was called and no `start` has returned for it yet.
    stop: bool,
    destroyed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Instance {
    /// A new instance on the facade, reaching `SIGSHIM_URL` or the process's embedded hub.
    pub(crate) fn new() -> Instance {
        static NOTE: Once = Once::new();
        if matches!(Endpoint::from_env(), Endpoint::Embedded) {
            NOTE.call_once(|| {
                eprintln!(
                    "libagorasig: SIGSHIM_URL is not set; the instances of this process meet on a hub inside it"
                );
            });
        }
        // The app ID comes with `login`.
        Instance {
            signaling: Signaling::create_instance(""),
            callbacks: Mutex::new(0),
            gate: Mutex::new(Gate::default()),
            changed: Condvar::new(),
        }
    }

    /// The facade instance.
    pub(crate) fn signaling(&self) -> &Signaling {
        &self.signaling
    }

    /// Whether `destroy` (or `release`) was called.
    pub(crate) fn destroyed(&self) -> bool {
        lock(&self.gate).destroyed
    }

    /// `callbackSet`: a NULL handler silences the instance.
    pub(crate) fn callback_set(&self, handler: *mut c_void, cpp: bool) {
        let mut current = lock(&self.callbacks);
        *current = handler as usize;
        let sink: Arc<dyn SignalingCallbacks> =
            if handler.is_null() { Arc::new(NoCallbacks) } else { Arc::new(Foreign::new(handler, cpp)) };
        self.signaling.callback_set(sink);
    }

    /// `callbackGet`.
    pub(crate) fn callback_get(&self) -> *mut c_void {
        *lock(&self.callbacks) as *mut c_void
    }

    /// `start`: returns after `stop` or `destroy` (at once when a `stop` came first).
    pub(crate) fn start(&self) {
        let mut gate = lock(&self.gate);
        while !gate.stop && !gate.destroyed {
            gate = self.changed.wait(gate).unwrap_or_else(PoisonError::into_inner);
        }
        gate.stop = false;
    }

    /// `stop`: lets `start` return.
    pub(crate) fn stop(&self) {
        lock(&self.gate).stop = true;
        self.changed.notify_all();
    }

    /// `destroy`: ends the facade instance and lets every `start` return.
    pub(crate) fn destroy(&self) {
        self.signaling.destroy();
        lock(&self.gate).destroyed = true;
        self.changed.notify_all();
    }

    /// `isOnline`.
    pub(crate) fn is_online(&self) -> bool {
        self.signaling.is_online() == 1
    }

    /// `getStatus`.
    pub(crate) fn get_status(&self) -> i32 {
        self.signaling.get_status()
    }

    /// `getSdkVersion`.
    pub(crate) fn get_sdk_version(&self) -> i32 {
        self.signaling.get_sdk_version()
    }
}

/// Runs the body of the method `name`; a panic is stopped here and reported as
/// `onError(name, 1001, …)` on another thread, and the method returns `default`.
pub(crate) fn guard<T>(instance: &Instance, name: &'static str, default: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => {
            let callbacks = instance.signaling.callback_get();
            let _ = std::thread::Builder::new().name("agorasig-error".into()).spawn(move || {
                callbacks.on_error(name, GENERAL_FAILED, "internal error in libagorasig");
            });
            default
        }
    }
}

/// The string `(p, size)`: empty when `p` is NULL or `size` 0; invalid UTF-8 replaced.
///
/// # Safety
/// When `p` is not NULL it points to `size` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, size: usize) -> Cow<'a, str> {
    if p.is_null() || size == 0 {
        return Cow::Borrowed("");
    }
    // SAFETY: the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), size) };
    String::from_utf8_lossy(bytes)
}

/// How a method finds its instance from the object it was called on.
pub(crate) trait Receiver {
    /// The callback objects of this interface are C++ `ICallBack`s (else C `ICallBackC`s).
    const CPP: bool;

    /// The instance behind `this`.
    ///
    /// # Safety
    /// `this` is an object of this interface that the library handed out.
    unsafe fn instance(this: *mut c_void) -> &'static Instance;
}

/// A C++ `IAgoraAPI` object: its first word points to the table of its virtual functions.
#[repr(C)]
pub(crate) struct CppObject {
    vtable: &'static ApiTable,
    instance: Instance,
}

/// The C++ interface.
pub(crate) enum Cpp {}

/// The table every C++ object points to.
static CPP_TABLE: ApiTable = ApiTable::new::<Cpp>();

impl Receiver for Cpp {
    const CPP: bool = true;

    unsafe fn instance(this: *mut c_void) -> &'static Instance {
        // SAFETY: `this` came from `CppObject::leak`, which never frees it.
        unsafe { &(*(this as *const CppObject)).instance }
    }
}

impl CppObject {
    /// A new object for a new instance, never freed: a program may call it after `destroy`
    /// (the calls are then ignored).
    pub(crate) fn leak() -> &'static CppObject {
        Box::leak(Box::new(CppObject { vtable: &CPP_TABLE, instance: Instance::new() }))
    }

    /// The instance.
    pub(crate) fn instance(&self) -> &Instance {
        &self.instance
    }
}

/// A C `IAgoraAPIC` struct: the 48 methods, `release`, then the `api` and `cb` words.
#[repr(C)]
pub(crate) struct CObject {
    table: ApiTable,
    release: unsafe extern "C" fn(*mut c_void),
    api: *const Instance,
    cb: *mut c_void,
}

// SAFETY: `api` points to a leaked `Instance`, which is `Sync`; `cb` is never used.
unsafe impl Sync for CObject {}
// SAFETY: as above.
unsafe impl Send for CObject {}

/// The C interface.
pub(crate) enum C {}

impl Receiver for C {
    const CPP: bool = false;

    unsafe fn instance(this: *mut c_void) -> &'static Instance {
        // SAFETY: `this` came from `CObject::leak`, whose `api` is a leaked instance.
        unsafe { &*(*(this as *const CObject)).api }
    }
}

/// `release`: destroys the instance (the struct stays valid, as after `destroy`).
unsafe extern "C" fn release(this: *mut c_void) {
    // SAFETY: `this` is an `IAgoraAPIC` the library handed out.
    let instance = unsafe { C::instance(this) };
    guard(instance, "release", (), || instance.destroy());
}

impl CObject {
    /// A new struct for a new instance, never freed (see [`CppObject::leak`]).
    pub(crate) fn leak() -> &'static CObject {
        let instance: &'static Instance = Box::leak(Box::new(Instance::new()));
        Box::leak(Box::new(CObject {
            table: ApiTable::new::<C>(),
            release,
            api: instance,
            cb: std::ptr::null_mut(),
        }))
    }

    /// The instance.
    pub(crate) fn instance(&self) -> &Instance {
        // SAFETY: `api` is the leaked instance `leak` made.
        unsafe { &*self.api }
    }
}

// The tables are exactly their function pointers, as the header's structs are.
const _: () = assert!(size_of::<ApiTable>() == 48 * size_of::<usize>());
const _: () = assert!(size_of::<crate::callbacks::CallbackTable>() == 37 * size_of::<usize>());
const _: () = assert!(size_of::<CObject>() == 51 * size_of::<usize>());

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, c_int, c_void};
    use std::sync::{Mutex, mpsc};
    use std::time::Duration;

    use super::{GENERAL_FAILED, Instance, guard};
    use crate::callbacks::{CallbackTable, Foreign};

    /// A C `ICallBackC` written in Rust: only `onError`, which reports to the test.
    #[repr(C)]
    struct Probe {
        table: CallbackTable,
        errors: Mutex<mpsc::Sender<(String, i32)>>,
    }

    unsafe extern "C" fn on_error(
        this: *mut c_void,
        name: *const c_char,
        name_size: usize,
        ecode: c_int,
        _desc: *const c_char,
        _desc_size: usize,
    ) {
        // SAFETY: `this` is the `Probe` the test registered; `name` points to `name_size` bytes.
        let (probe, name) =
            unsafe { (&*(this as *const Probe), std::slice::from_raw_parts(name.cast::<u8>(), name_size)) };
        let name = String::from_utf8_lossy(name).into_owned();
        let _ = probe.errors.lock().expect("the sender").send((name, ecode));
    }

    #[test]
    fn a_panic_in_a_method_becomes_on_error_and_the_instance_goes_on() {
        let (tx, errors) = mpsc::channel();
        // SAFETY: every field of the table is an `Option` of a function pointer, for which all
        // zero bits are `None`.
        let mut table: CallbackTable = unsafe { std::mem::zeroed() };
        table.on_error = Some(on_error);
        let probe = Box::new(Probe { table, errors: Mutex::new(tx) });
        let instance = Instance::new();
        instance.callback_set((&*probe as *const Probe).cast_mut().cast(), false);

        let got = guard(&instance, "channelJoin", 7, || -> i32 { panic!("a fault inside the library") });
        assert_eq!(got, 7, "the method returns its default");
        let report = errors.recv_timeout(Duration::from_secs(10)).expect("onError reaches the program");
        assert_eq!(report, ("channelJoin".to_owned(), GENERAL_FAILED));

        // The instance still answers.
        assert_eq!(guard(&instance, "getStatus", -1, || instance.get_status()), 0);
        assert!(!instance.is_online());
        instance.destroy();
    }

    #[test]
    fn a_panic_while_calling_a_callback_stops_at_the_boundary() {
        // SAFETY: as above.
        let table: CallbackTable = unsafe { std::mem::zeroed() };
        let foreign = Foreign::new((&table as *const CallbackTable).cast_mut().cast(), false);
        let mut ran = false;
        foreign.call("onLog", |_| {
            ran = true;
            panic!("a fault while calling back");
        });
        assert!(ran, "the call was made, and its panic did not come out");
    }
}
