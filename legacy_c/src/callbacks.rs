//! The program's callbacks, called through its own table: a C++ `ICallBack` object's first word
//! points to its table of virtual functions, a C `ICallBackC` struct is such a table itself.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::tables::CallbackTable;

/// The program's callback object, registered with `callbackSet`, as the facade's callbacks.
pub(crate) struct Foreign {
    /// The object's address (kept as a number: the program owns it and its thread safety).
    this: usize,
    /// A C++ `ICallBack` (table behind the first word) rather than a C `ICallBackC`.
    cpp: bool,
}

impl Foreign {
    /// The callbacks of the program's object at `this`.
    pub(crate) fn new(this: *mut c_void, cpp: bool) -> Foreign {
        Foreign { this: this as usize, cpp }
    }

    /// The object, passed first to every callback.
    pub(crate) fn this(&self) -> *mut c_void {
        self.this as *mut c_void
    }

    /// Runs `f` with the object's table; a panic inside is reported on stderr and goes no
    /// further.
    pub(crate) fn call(&self, name: &str, f: impl FnOnce(&CallbackTable)) {
        let table: &CallbackTable = if self.cpp {
            // SAFETY: the program registered a live `ICallBack` (it must outlive its
            // registration, as with the legacy SDK); under the Itanium C++ ABI its first word
            // points to its virtual functions in declaration order, which `CallbackTable`
            // mirrors.
            unsafe { &**(self.this as *const *const CallbackTable) }
        } else {
            // SAFETY: the program registered a live `ICallBackC`, whose fields are exactly
            // `CallbackTable`'s.
            unsafe { &*(self.this as *const CallbackTable) }
        };
        if catch_unwind(AssertUnwindSafe(|| f(table))).is_err() {
            eprintln!("libagorasig: a panic while calling {name} was stopped at the boundary");
        }
    }
}

/// A string handed to a callback: NUL-terminated, alive until the callback returns.
pub(crate) struct Text(Vec<u8>);

impl Text {
    /// `s` with a NUL after it.
    pub(crate) fn new(s: &str) -> Text {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        Text(bytes)
    }

    /// The first byte.
    pub(crate) fn ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }

    /// The length without the NUL.
    pub(crate) fn size(&self) -> usize {
        self.0.len() - 1
    }
}

/// The arrays of `onChannelUserList(int n, char **accounts, uint32_t *uids)`.
pub(crate) struct UserList {
    _texts: Vec<Text>,
    accounts: Vec<*mut c_char>,
    uids: Vec<u32>,
}

impl UserList {
    /// The members `accounts` with their `uids` (0 where a uid is missing).
    pub(crate) fn new(accounts: &[String], uids: &[u32]) -> UserList {
        let texts: Vec<Text> = accounts.iter().map(|a| Text::new(a)).collect();
        let pointers = texts.iter().map(|t| t.ptr().cast_mut()).collect();
        let uids = (0..accounts.len()).map(|i| uids.get(i).copied().unwrap_or(0)).collect();
        UserList { _texts: texts, accounts: pointers, uids }
    }

    /// The number of members.
    pub(crate) fn n(&self) -> c_int {
        c_int::try_from(self.accounts.len()).unwrap_or(c_int::MAX)
    }

    /// The accounts array.
    pub(crate) fn accounts(&mut self) -> *mut *mut c_char {
        self.accounts.as_mut_ptr()
    }

    /// The uids array.
    pub(crate) fn uids(&mut self) -> *mut u32 {
        self.uids.as_mut_ptr()
    }
}
