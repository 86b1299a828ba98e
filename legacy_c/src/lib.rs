//! # sigshim-legacy-c
//!
//! `libagorasig` for programs written against the legacy Agora Signaling C and C++ SDK: the
//! header `include/agora_sig.h` and a library exporting its four factories. Every method is a
//! call of the [`sigshim_legacy`] facade and every facade callback a call of the program's own
//! callback; no legacy rule lives here.
//!
//! A C program calls the factories; from Rust they are plain functions returning the object's
//! address. The process's singleton stays the same object until it is destroyed, and each
//! `create…` call makes a new instance:
//!
//! ```
//! let first = agorasig::getAgoraSDKInstanceC();
//! assert!(!first.is_null());
//! assert_eq!(agorasig::getAgoraSDKInstanceC(), first);
//! assert_ne!(agorasig::createAgoraSDKInstanceC(), first);
//! assert_ne!(agorasig::getAgoraSDKInstanceCPP(), agorasig::createAgoraSDKInstanceCPP());
//! ```
//!
//! A C program reaches the same through `agora_sig.h` (see `examples/c_chat.c`).
//!
//! The C++ interface is served as objects whose first word points to a table of
//! `extern "C"` functions taking the object first, which is what the Itanium C++ ABI makes of a
//! class of pure virtual functions; the program's `ICallBack` is called through its own table the
//! same way. The C interface is the same tables laid out as structs of function pointers.
//!
//! Objects are never freed: after `destroy` (or `release`) their calls are ignored, as the
//! facade ignores calls on a destroyed instance.

mod callbacks;
mod instance;
mod macros;
mod methods;

use std::sync::Mutex;

use instance::{CObject, CppObject};

/// The singleton of the C++ interface, until destroyed.
static CPP_SINGLETON: Mutex<Option<&'static CppObject>> = Mutex::new(None);
/// The singleton of the C interface, until released.
static C_SINGLETON: Mutex<Option<&'static CObject>> = Mutex::new(None);

/// `IAgoraAPI *getAgoraSDKInstanceCPP(void)`: the process's instance of the C++ interface.
#[allow(unsafe_code, non_snake_case)]
#[unsafe(no_mangle)]
pub extern "C" fn getAgoraSDKInstanceCPP() -> *mut std::ffi::c_void {
    let made = std::panic::catch_unwind(|| {
        let mut slot = CPP_SINGLETON.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *slot {
            Some(object) if !object.instance().destroyed() => object,
            _ => *slot.insert(CppObject::leak()),
        }
    });
    made.map_or(std::ptr::null_mut(), |o| (o as *const CppObject).cast_mut().cast())
}

/// `IAgoraAPI *createAgoraSDKInstanceCPP(void)`: a new instance of the C++ interface.
#[allow(unsafe_code, non_snake_case)]
#[unsafe(no_mangle)]
pub extern "C" fn createAgoraSDKInstanceCPP() -> *mut std::ffi::c_void {
    std::panic::catch_unwind(CppObject::leak)
        .map_or(std::ptr::null_mut(), |o| (o as *const CppObject).cast_mut().cast())
}

/// `IAgoraAPIC *getAgoraSDKInstanceC(void)`: the process's instance of the C interface.
#[allow(unsafe_code, non_snake_case)]
#[unsafe(no_mangle)]
pub extern "C" fn getAgoraSDKInstanceC() -> *mut std::ffi::c_void {
    let made = std::panic::catch_unwind(|| {
        let mut slot = C_SINGLETON.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *slot {
            Some(object) if !object.instance().destroyed() => object,
            _ => *slot.insert(CObject::leak()),
        }
    });
    made.map_or(std::ptr::null_mut(), |o| (o as *const CObject).cast_mut().cast())
}

/// `IAgoraAPIC *createAgoraSDKInstanceC(void)`: a new instance of the C interface.
#[allow(unsafe_code, non_snake_case)]
#[unsafe(no_mangle)]
pub extern "C" fn createAgoraSDKInstanceC() -> *mut std::ffi::c_void {
    std::panic::catch_unwind(CObject::leak)
        .map_or(std::ptr::null_mut(), |o| (o as *const CObject).cast_mut().cast())
}
