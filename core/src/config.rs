//! One construction style for every configuration struct: start from `new(…)` (or `Default`),
//! then chain a setter named after each field that differs. The structs are
//! `#[non_exhaustive]`, so a new field is not a breaking change; their fields stay public to read.

/// Generates, for each listed field, a chainable setter of the same name.
macro_rules! config_setters {
    ($ty:ident { $($field:ident : $t:ty),+ $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = value;
                    self
                }
            )+
        }
    };
}

pub(crate) use config_setters;
