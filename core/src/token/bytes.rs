//! Little-endian packing shared by the 006 and 007 token formats.
//!
//! Both formats use the same primitives: fixed-width little-endian integers,
//! a "str" (a `u16` byte length followed by the raw bytes, also used for
//! binary blobs such as signatures) and a "map" (a `u16` entry count followed
//! by `u16` key / `u32` value pairs in ascending key order).
//!
//! The [`Writer`] refuses lengths that do not fit in a `u16` instead of
//! truncating them; the [`Reader`] never panics and reports any short or
//! inconsistent input as [`TokenError::Malformed`].

use std::collections::BTreeMap;

use super::TokenError;

/// Append-only little-endian encoder.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Creates an empty writer.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends a `u16`.
    pub(crate) fn u16(&mut self, value: u16) -> &mut Self {
        self.buf.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// Appends a `u32`.
    pub(crate) fn u32(&mut self, value: u32) -> &mut Self {
        self.buf.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// Appends an `i16`.
    pub(crate) fn i16(&mut self, value: i16) -> &mut Self {
        self.buf.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// Appends a length-prefixed byte string.
    ///
    /// Fails with [`TokenError::InvalidInput`] when longer than `u16::MAX`.
    pub(crate) fn str(&mut self, bytes: impl AsRef<[u8]>) -> Result<&mut Self, TokenError> {
        let bytes = bytes.as_ref();
        let len = u16::try_from(bytes.len()).map_err(|_| TokenError::InvalidInput)?;
        self.u16(len);
        self.buf.extend_from_slice(bytes);
        Ok(self)
    }

    /// Appends a counted map; `BTreeMap` iteration yields keys in ascending order.
    pub(crate) fn map(&mut self, map: &BTreeMap<u16, u32>) -> Result<&mut Self, TokenError> {
        let count = u16::try_from(map.len()).map_err(|_| TokenError::InvalidInput)?;
        self.u16(count);
        for (&key, &value) in map {
            self.u16(key).u32(value);
        }
        Ok(self)
    }

    /// Returns the encoded bytes.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

/// Bounds-checked little-endian decoder over a borrowed buffer.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { rest: buf }
    }

    /// Takes exactly `n` bytes.
    fn take(&mut self, n: usize) -> Result<&'a [u8], TokenError> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(TokenError::Malformed)?;
        self.rest = tail;
        Ok(head)
    }

    /// Takes exactly `N` bytes as an array.
    fn array<const N: usize>(&mut self) -> Result<[u8; N], TokenError> {
        self.take(N)?.try_into().map_err(|_| TokenError::Malformed)
    }

    /// Reads a `u16`.
    pub(crate) fn u16(&mut self) -> Result<u16, TokenError> {
        self.array().map(u16::from_le_bytes)
    }

    /// Reads a `u32`.
    pub(crate) fn u32(&mut self) -> Result<u32, TokenError> {
        self.array().map(u32::from_le_bytes)
    }

    /// Reads an `i16`.
    pub(crate) fn i16(&mut self) -> Result<i16, TokenError> {
        self.array().map(i16::from_le_bytes)
    }

    /// Reads a length-prefixed byte string.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], TokenError> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    /// Reads a length-prefixed string that must be valid UTF-8.
    pub(crate) fn string(&mut self) -> Result<String, TokenError> {
        let raw = self.bytes()?;
        std::str::from_utf8(raw).map(str::to_owned).map_err(|_| TokenError::Malformed)
    }

    /// Reads a counted `u16 -> u32` map. A repeated key keeps its last value.
    pub(crate) fn map(&mut self) -> Result<BTreeMap<u16, u32>, TokenError> {
        let count = self.u16()?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            let key = self.u16()?;
            let value = self.u32()?;
            map.insert(key, value);
        }
        Ok(map)
    }

    /// Reads a length-prefixed 32-byte blob (an HMAC-SHA256 signature).
    pub(crate) fn signature(&mut self) -> Result<[u8; 32], TokenError> {
        self.bytes()?.try_into().map_err(|_| TokenError::Malformed)
    }

    /// Returns the unread bytes without consuming them.
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Succeeds only if every byte has been consumed.
    pub(crate) fn finish(&self) -> Result<(), TokenError> {
        if self.rest.is_empty() { Ok(()) } else { Err(TokenError::Malformed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let map = BTreeMap::from([(1000, 7), (1, 9)]);
        let mut w = Writer::new();
        w.u16(0xBEEF).u32(0xDEAD_BEEF).i16(-1);
        w.str("héllo").unwrap().map(&map).unwrap();
        let buf = w.into_vec();

        let mut r = Reader::new(&buf);
        assert_eq!(r.u16().unwrap(), 0xBEEF);
        assert_eq!(r.u32().unwrap(), 0xDEAD_BEEF);
        assert_eq!(r.i16().unwrap(), -1);
        assert_eq!(r.string().unwrap(), "héllo");
        assert_eq!(r.map().unwrap(), map);
        r.finish().unwrap();
    }

    #[test]
    fn map_is_sorted_on_the_wire() {
        let mut w = Writer::new();
        w.map(&BTreeMap::from([(3, 0), (1, 0)])).unwrap();
        assert_eq!(w.into_vec(), [2, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn oversized_string_is_rejected() {
        let long = vec![0u8; usize::from(u16::MAX) + 1];
        assert_eq!(Writer::new().str(long).err(), Some(TokenError::InvalidInput));
    }

    #[test]
    fn short_input_is_malformed() {
        assert_eq!(Reader::new(&[1]).u16(), Err(TokenError::Malformed));
        assert_eq!(Reader::new(&[5, 0, b'a']).bytes(), Err(TokenError::Malformed));
        assert_eq!(Reader::new(&[1, 0, 1, 0]).map(), Err(TokenError::Malformed));
        assert_eq!(Reader::new(&[2, 0, 0xff, 0xfe]).string(), Err(TokenError::Malformed));
        assert_eq!(Reader::new(&[1, 0, 0]).signature(), Err(TokenError::Malformed));
        assert_eq!(Reader::new(&[0]).finish(), Err(TokenError::Malformed));
    }
}
