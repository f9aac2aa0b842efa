//! Lists the build cache keeps as one string of bytes rather than as
//! MessagePack lists of records: texts each after their length (4 bytes),
//! numbers as 4 or 8 bytes, all little end first. MessagePack reads each
//! field of each record as a value of its own (its kind, then it), which
//! for lists of small records (the stamps, each page's links and ids) cost
//! more than the bytes they hold (issue 16). What reads one of these
//! strings reads it in the order it was written; one that is cut short or
//! holds a text that is not UTF-8 is an error, and the cache's file is
//! then ignored.

use std::marker::PhantomData;

/// The length written for a text that is not there.
const NONE: u32 = u32::MAX;

/// Appends a text (or its absence) after its length.
pub(super) fn put_text(out: &mut Vec<u8>, text: Option<&str>) -> Result<(), &'static str> {
    match text {
        None => out.extend_from_slice(&NONE.to_le_bytes()),
        Some(text) => {
            let len =
                u32::try_from(text.len()).ok().filter(|&len| len != NONE).ok_or("a text is too long")?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
    Ok(())
}

/// Deserializes a string of bytes that `read` takes apart, saying it
/// expected `what` if the value is not bytes.
pub(super) fn from_bytes<'de, D, T, F>(deserializer: D, what: &'static str, read: F) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    F: FnOnce(&mut Reader<'_>) -> Result<T, &'static str>,
{
    deserializer.deserialize_bytes(Bytes { what, read, made: PhantomData })
}

struct Bytes<F, T> {
    what: &'static str,
    read: F,
    made: PhantomData<T>,
}

impl<T, F: FnOnce(&mut Reader<'_>) -> Result<T, &'static str>> serde::de::Visitor<'_> for Bytes<F, T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.what)
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<T, E> {
        (self.read)(&mut Reader(bytes)).map_err(E::custom)
    }
}

/// Reads a string of bytes from its start.
pub(super) struct Reader<'b>(pub(super) &'b [u8]);

impl<'b> Reader<'b> {
    /// Whether everything was read.
    pub(super) fn is_done(&self) -> bool {
        self.0.is_empty()
    }

    /// The next `n` bytes.
    fn bytes(&mut self, n: usize) -> Result<&'b [u8], &'static str> {
        let (taken, rest) = self.0.split_at_checked(n).ok_or("cut short")?;
        self.0 = rest;
        Ok(taken)
    }

    /// The next `N` bytes.
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        self.bytes(N)?.try_into().map_err(|_| "cut short")
    }

    pub(super) fn u32(&mut self) -> Result<u32, &'static str> {
        self.array().map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64, &'static str> {
        self.array().map(u64::from_le_bytes)
    }

    /// Passes over the next `n` bytes.
    pub(super) fn skip(&mut self, n: usize) -> Result<(), &'static str> {
        self.bytes(n).map(drop)
    }

    /// Passes over the next text, as [`put_text`] wrote it, unread.
    pub(super) fn skip_text(&mut self) -> Result<(), &'static str> {
        match u32::from_le_bytes(self.array()?) {
            NONE => Ok(()),
            len => self.skip(len as usize),
        }
    }

    /// The next text, as [`put_text`] wrote it.
    pub(super) fn text(&mut self) -> Result<Option<&'b str>, &'static str> {
        match u32::from_le_bytes(self.array()?) {
            NONE => Ok(None),
            len => {
                std::str::from_utf8(self.bytes(len as usize)?).map(Some).map_err(|_| "a text is not UTF-8")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_numbers_read_back_as_written_and_a_short_string_is_an_error() {
        let mut out = Vec::new();
        for text in [Some("/contact/"), None, Some(""), Some("é")] {
            put_text(&mut out, text).unwrap();
        }
        out.extend_from_slice(&7u64.to_le_bytes());
        let mut read = Reader(&out);
        assert_eq!(read.text(), Ok(Some("/contact/")));
        assert_eq!(read.text(), Ok(None));
        assert_eq!(read.text(), Ok(Some("")));
        assert_eq!(read.text(), Ok(Some("é")));
        assert_eq!(read.u64(), Ok(7));
        assert!(read.is_done());
        // What comes before a cut is read as it was.
        assert!(Reader(&out[..out.len() - 1]).text().is_ok());
        let mut short = Reader(&out[..5]);
        assert_eq!(short.text(), Err("cut short"));
        let not_utf8 = [1, 0, 0, 0, 0xff];
        assert_eq!(Reader(&not_utf8).text(), Err("a text is not UTF-8"));
    }
}
