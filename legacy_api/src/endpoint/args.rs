//! A call's arguments as read from its frame: strings borrowed from the frame where they have no
//! escapes, numbers as numbers, anything else kept only as "not a string or a number".

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg<'a> {
    /// A JSON string.
    Str(Cow<'a, str>),
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Anything else (a fraction, `true`, `null`, an array, an object): no call takes it.
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Arg<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ArgVisitor(std::marker::PhantomData))
    }
}

struct ArgVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ArgVisitor<'a> {
    type Value = Arg<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a call argument")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Arg<'a>, E> {
        Ok(Arg::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Arg<'a>, E> {
        Ok(Arg::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Arg<'a>, E> {
        Ok(Arg::Str(Cow::Owned(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Arg<'a>, E> {
        Ok(Arg::Unsigned(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Arg<'a>, E> {
        Ok(if v >= 0 { Arg::Unsigned(v as u64) } else { Arg::Signed(v) })
    }

    fn visit_f64<E>(self, _: f64) -> Result<Arg<'a>, E> {
        Ok(Arg::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Arg<'a>, E> {
        Ok(Arg::Other)
    }

    fn visit_unit<E>(self) -> Result<Arg<'a>, E> {
        Ok(Arg::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Arg<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Arg::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Arg<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Arg::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<Arg<'_>> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn strings_are_borrowed_unless_escaped_and_numbers_kept() {
        let a = args(r#"["plain", "with \"quotes\"", 7, -3, 1.5, true, null, [1], {"a":1}]"#);
        assert!(matches!(&a[0], Arg::Str(Cow::Borrowed("plain"))));
        assert!(matches!(&a[1], Arg::Str(Cow::Owned(s)) if s == "with \"quotes\""));
        assert_eq!(a[2], Arg::Unsigned(7));
        assert_eq!(a[3], Arg::Signed(-3));
        assert!(a[4..].iter().all(|x| *x == Arg::Other), "{a:?}");
    }
}
