//! The macros that write the two tables: [`methods!`] and [`callbacks!`] take each method or
//! callback once, as a line of its field, its legacy name and its arguments, and write the
//! `#[repr(C)]` table in that order with the code behind each entry.
//!
//! An argument is one of
//! - `name: Str`, a string, which C passes as a pointer and a size (two parameters);
//! - `name: T`, a value C passes as the type `T`;
//! - `name: T as U` (callbacks), the facade's `T` passed to C as a `U`;
//! - `(accounts, uids): UserList` (callbacks), the members of `onChannelUserList`, which C gets
//!   as a count, an array of accounts and an array of uids.
//!
//! The munchers below read the arguments one at a time. A `size` or `list` a step declares is
//! that step's own (macro hygiene), so each string gets its own size parameter.

/// `c_fn!([R] [] args)`: the C type of a function taking the object, then `args`, and returning
/// `R` (nothing when the brackets are empty).
macro_rules! c_fn {
    ([$($ret:ty)?] [$($c:tt)*]) => {
        unsafe extern "C" fn(*mut ::std::ffi::c_void, $($c)*) $(-> $ret)?
    };
    ($ret:tt [$($c:tt)*] $arg:ident: Str $(, $($rest:tt)*)?) => {
        $crate::macros::c_fn!($ret [$($c)* *const ::std::ffi::c_char, usize,] $($($rest)*)?)
    };
    ($ret:tt [$($c:tt)*] ($accounts:ident, $uids:ident): UserList $(, $($rest:tt)*)?) => {
        $crate::macros::c_fn!(
            $ret [$($c)* ::std::ffi::c_int, *mut *mut ::std::ffi::c_char, *mut u32,] $($($rest)*)?
        )
    };
    ($ret:tt [$($c:tt)*] $arg:ident: $t:ty as $to:ty $(, $($rest:tt)*)?) => {
        $crate::macros::c_fn!($ret [$($c)* $to,] $($($rest)*)?)
    };
    ($ret:tt [$($c:tt)*] $arg:ident: $t:ty $(, $($rest:tt)*)?) => {
        $crate::macros::c_fn!($ret [$($c)* $t,] $($($rest)*)?)
    };
}

/// `methods! { field: "legacyName" (args) [-> R = default] [=> |instance| body]; … }`: the
/// `ApiTable` of these methods in this order, its constructor, and a function for each method.
///
/// A method runs its body in [`guard`](crate::instance::guard) under its legacy name and returns
/// `default` if the body panics. Without a body it calls the facade's method of the same name with
/// the same arguments, strings as `&str`; a body gets the `Instance` (and may use `K`, the
/// interface).
macro_rules! methods {
    ($(
        $field:ident: $legacy:literal ($($args:tt)*)
            $(-> $ret:ty = $default:expr)? $(=> |$instance:ident| $body:expr)?;
    )*) => {
        /// The legacy `IAgoraAPI` table: the methods in the legacy order, each taking the object
        /// first.
        #[repr(C)]
        pub(crate) struct ApiTable {
            $(
                #[doc = concat!("`", $legacy, "`.")]
                pub(crate) $field: $crate::macros::c_fn!([$($ret)?] [] $($args)*),
            )*
        }

        impl ApiTable {
            /// The table whose methods find their instance through `K`.
            pub(crate) const fn new<K: $crate::instance::Receiver>() -> ApiTable {
                ApiTable { $($field: $field::<K>,)* }
            }
        }

        $(
            $crate::macros::method! {
                [$field $legacy [$($ret = $default)?] [$(|$instance| $body)?]] [] [] [] $($args)*
            }
        )*
    };
}

/// `method!([field "legacyName" [R = default] [|instance| body]] [] [] [] args)`: the function
/// behind a table entry (see [`methods!`]). It gathers the parameters, the reading of each string
/// and the arguments of the facade's method, one argument at a time.
macro_rules! method {
    // Every argument read: the function.
    ([$field:ident $legacy:literal [$($ret:ty = $default:expr)?] $body:tt]
        [$($param:tt)*] [$($read:tt)*] [$($arg:tt)*]) => {
        #[doc = concat!("`", $legacy, "`.")]
        unsafe extern "C" fn $field<K: $crate::instance::Receiver>(
            this: *mut ::std::ffi::c_void,
            $($param)*
        ) $(-> $ret)? {
            // SAFETY: `this` is an object this library handed out (the interface's contract).
            let instance = unsafe { K::instance(this) };
            $($read)*
            $crate::instance::guard(
                instance,
                $legacy,
                $crate::macros::method!(@or_unit $($default)?),
                || $crate::macros::method!(@body instance $field [$($arg)*] $body),
            )
        }
    };
    // What the method returns if its body panics: `default`, else nothing.
    (@or_unit) => { () };
    (@or_unit $default:expr) => { $default };
    // The body: the facade's method of the same name, or the one given.
    (@body $instance:ident $field:ident [$($arg:tt)*] []) => {
        $instance.signaling().$field($($arg)*)
    };
    (@body $instance:ident $field:ident $facade_args:tt [|$i:ident| $body:expr]) => {{
        let $i = $instance;
        $body
    }};
    // A string: its pointer and its size, read as text.
    ($head:tt [$($param:tt)*] [$($read:tt)*] [$($arg:tt)*] $name:ident: Str $(, $($rest:tt)*)?) => {
        $crate::macros::method! {
            $head
            [$($param)* $name: *const ::std::ffi::c_char, size: usize,]
            [$($read)*
                // SAFETY: the string is NULL or points to `size` readable bytes (the interface's
                // contract).
                let $name = unsafe { $crate::instance::text($name, size) };
            ]
            [$($arg)* &$name,]
            $($($rest)*)?
        }
    };
    // A value, passed on as it is.
    ($head:tt [$($param:tt)*] $read:tt [$($arg:tt)*] $name:ident: $t:ty $(, $($rest:tt)*)?) => {
        $crate::macros::method! { $head [$($param)* $name: $t,] $read [$($arg)* $name,] $($($rest)*)? }
    };
}

/// `callbacks! { field: "legacyName" (args); … }`: the `CallbackTable` of these callbacks in this
/// order, and the facade's callbacks as calls of the program's through it.
///
/// Each facade callback of the same name converts its arguments (a string to a NUL-terminated
/// [`Text`](crate::callbacks::Text)) and calls the program's function, if set, through
/// [`Foreign::call`](crate::callbacks::Foreign::call) under the legacy name.
macro_rules! callbacks {
    ($($field:ident: $legacy:literal ($($args:tt)*);)*) => {
        /// The legacy `ICallBack` table (and `ICallBackC` struct): the callbacks in the legacy
        /// order, each taking the callback object first. A C program may leave any of them NULL.
        #[repr(C)]
        pub(crate) struct CallbackTable {
            $(
                #[doc = concat!("`", $legacy, "`.")]
                pub(crate) $field: Option<$crate::macros::c_fn!([] [] $($args)*)>,
            )*
        }

        impl ::sigshim_legacy::SignalingCallbacks for $crate::callbacks::Foreign {
            $($crate::macros::callback! { [$field $legacy] [] [] [] $($args)* })*
        }
    };
}

/// `callback!([field "legacyName"] [] [] [] args)`: the facade callback behind a table entry (see
/// [`callbacks!`]). It gathers the parameters, the conversions and the program's arguments, one
/// argument at a time.
macro_rules! callback {
    // Every argument converted: the method.
    ([$field:ident $legacy:literal] [$($param:tt)*] [$($convert:tt)*] [$($arg:tt)*]) => {
        fn $field(&self, $($param)*) {
            self.call($legacy, |table| {
                let Some(f) = table.$field else { return };
                $($convert)*
                // SAFETY: `f` is the program's own callback, called with its object and arguments
                // of the declared types; the strings live until it returns.
                unsafe { f(self.this(), $($arg)*) }
            })
        }
    };
    // A string: NUL-terminated, passed as its pointer and its size.
    ($head:tt [$($param:tt)*] [$($convert:tt)*] [$($arg:tt)*] $name:ident: Str $(, $($rest:tt)*)?) => {
        $crate::macros::callback! {
            $head
            [$($param)* $name: &str,]
            [$($convert)* let $name = $crate::callbacks::Text::new($name);]
            [$($arg)* $name.ptr(), $name.size(),]
            $($($rest)*)?
        }
    };
    // The members of a channel: their number, accounts and uids.
    ($head:tt [$($param:tt)*] [$($convert:tt)*] [$($arg:tt)*]
        ($accounts:ident, $uids:ident): UserList $(, $($rest:tt)*)?) => {
        $crate::macros::callback! {
            $head
            [$($param)* $accounts: &[String], $uids: &[u32],]
            [$($convert)* let mut list = $crate::callbacks::UserList::new($accounts, $uids);]
            [$($arg)* list.n(), list.accounts(), list.uids(),]
            $($($rest)*)?
        }
    };
    // A value converted to its C type.
    ($head:tt [$($param:tt)*] $convert:tt [$($arg:tt)*]
        $name:ident: $t:ty as $to:ty $(, $($rest:tt)*)?) => {
        $crate::macros::callback! {
            $head [$($param)* $name: $t,] $convert [$($arg)* $name as $to,] $($($rest)*)?
        }
    };
    // A value, passed on as it is.
    ($head:tt [$($param:tt)*] $convert:tt [$($arg:tt)*] $name:ident: $t:ty $(, $($rest:tt)*)?) => {
        $crate::macros::callback! { $head [$($param)* $name: $t,] $convert [$($arg)* $name,] $($($rest)*)? }
    };
}

pub(crate) use {c_fn, callback, callbacks, method, methods};
