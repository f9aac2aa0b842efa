//! Where a one-shot run (`build`, `check`) puts the HTML of the bodies it
//! renders until the render stage asks for them (issue 16): the parse stage
//! renders every page's markdown before any page is rendered, and holding
//! all of that HTML was most of a build's peak memory (75 MB of 240 MB of
//! heap at 10,000 pages).
//!
//! It is an unnamed file in the system's temporary folder (`TMPDIR`), which
//! the system removes when dotwork exits, however it exits. A body that
//! cannot be written there is simply held in memory.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::sync::Mutex;

/// The scratch file of one run.
#[derive(Debug)]
pub(crate) struct Scratch {
    file: File,
    /// Where the next piece goes.
    end: Mutex<u64>,
}

/// Where one piece of text is in a [`Scratch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stored {
    at: u64,
    len: usize,
}

impl Stored {
    /// The length of the text, in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// A text held in memory, or waiting in a run's [`Scratch`] file.
#[derive(Debug, Clone)]
pub(crate) enum Spilled {
    Held(String),
    Stored(Stored),
}

impl Default for Spilled {
    fn default() -> Spilled {
        Spilled::Held(String::new())
    }
}

impl Spilled {
    /// `text`, put in `scratch` if there is one and it takes it, else held.
    pub(crate) fn put(text: String, scratch: Option<&Scratch>) -> Spilled {
        match scratch.map(|scratch| scratch.put(&text)) {
            Some(Ok(at)) => Spilled::Stored(at),
            Some(Err(e)) => {
                log::debug!("held in memory: the scratch file refused a text ({e})");
                Spilled::Held(text)
            }
            None => Spilled::Held(text),
        }
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Spilled::Held(text) => text.len(),
            Spilled::Stored(at) => at.len(),
        }
    }

    /// The text, read back from `scratch` if it waits there.
    pub(crate) fn read<'a>(&'a self, scratch: Option<&Scratch>) -> io::Result<Cow<'a, str>> {
        match (self, scratch) {
            (Spilled::Held(text), _) => Ok(Cow::Borrowed(text)),
            (Spilled::Stored(at), Some(scratch)) => scratch.get(*at).map(Cow::Owned),
            (Spilled::Stored(_), None) => Err(no_scratch()),
        }
    }

    /// Writes each of `texts` to `w`, each followed by `end`, in an order
    /// of its own: the held ones, then those in `scratch` in the file's
    /// order, each run of them that lies end to end there read at once (up
    /// to [`RUN`] bytes). A rebuild keeps 10,000 short texts; read one by
    /// one they took it 10-20 ms.
    pub(crate) fn write_all(
        texts: &[Spilled],
        scratch: Option<&Scratch>,
        end: &[u8],
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        let mut stored = Vec::new();
        for text in texts {
            match text {
                Spilled::Held(text) => {
                    w.write_all(text.as_bytes())?;
                    w.write_all(end)?;
                }
                Spilled::Stored(at) => stored.push(*at),
            }
        }
        if stored.is_empty() {
            return Ok(());
        }
        let scratch = scratch.ok_or_else(no_scratch)?;
        stored.sort_unstable_by_key(|s| s.at);
        let mut bytes = Vec::new();
        let mut rest = &stored[..];
        while let Some(first) = rest.first() {
            let mut stop = first.at + first.len as u64;
            let mut n = 1;
            while let Some(next) =
                rest.get(n).filter(|s| s.at == stop && stop + s.len as u64 - first.at <= RUN)
            {
                stop += next.len as u64;
                n += 1;
            }
            bytes.resize((stop - first.at) as usize, 0);
            read_at(&scratch.file, &mut bytes, first.at)?;
            for s in &rest[..n] {
                let from = (s.at - first.at) as usize;
                w.write_all(&bytes[from..from + s.len])?;
                w.write_all(end)?;
            }
            rest = &rest[n..];
        }
        Ok(())
    }
}

/// The most [`Spilled::write_all`] reads at once, in bytes.
const RUN: u64 = 1 << 20;

fn no_scratch() -> io::Error {
    io::Error::other("internal error: there is no scratch file")
}

impl Scratch {
    /// A new scratch file, or `None` (the bodies are then held in memory)
    /// where the system has no temporary folder to write to or dotwork
    /// cannot read a file at a place.
    pub(crate) fn new() -> Option<Scratch> {
        if !cfg!(any(unix, windows)) {
            return None;
        }
        match tempfile::tempfile() {
            Ok(file) => Some(Scratch { file, end: Mutex::new(0) }),
            Err(e) => {
                log::debug!("no scratch file ({e}): the rendered bodies are held in memory");
                None
            }
        }
    }

    /// Writes `text` at the end of the file (its place is taken first, so
    /// threads write at once; a failed write leaves a hole no one reads).
    pub(crate) fn put(&self, text: &str) -> io::Result<Stored> {
        let at = {
            let mut end = self.end.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let at = *end;
            *end += text.len() as u64;
            at
        };
        write_at(&self.file, text.as_bytes(), at)?;
        Ok(Stored { at, len: text.len() })
    }

    /// The text `stored` names, read back.
    pub(crate) fn get(&self, stored: Stored) -> io::Result<String> {
        let mut bytes = vec![0; stored.len];
        read_at(&self.file, &mut bytes, stored.at)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

// Reads and writes name their place, so neither depends on the file's cursor.

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                bytes = &mut bytes[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, at) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = &bytes[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_texts_are_written_each_once_whether_held_stored_end_to_end_or_apart() {
        let scratch = Scratch::new().expect("a temporary folder");
        let big = "y".repeat(RUN as usize + 10);
        let mut texts = vec![Spilled::Held("held".to_string())];
        for text in ["a", "bb", "", &big, "ccc", "dd"] {
            texts.push(Spilled::put(text.to_string(), Some(&scratch)));
        }
        // A piece of another text between two: not end to end.
        scratch.put("not one of them").unwrap();
        texts.push(Spilled::put("e".to_string(), Some(&scratch)));
        texts.swap(1, 4);
        let mut out = Vec::new();
        Spilled::write_all(&texts, Some(&scratch), b"\n", &mut out).unwrap();
        let mut lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        lines.sort_unstable();
        let mut expected = vec!["held", "a", "bb", "", &big, "ccc", "dd", "e"];
        expected.sort_unstable();
        assert_eq!(lines, expected);
        assert!(Spilled::write_all(&texts, None, b"\n", &mut Vec::new()).is_err());
    }

    #[test]
    fn what_is_put_is_read_back_whole_in_any_order() {
        let scratch = Scratch::new().expect("a temporary folder");
        let pieces = ["<p>One</p>", "", "<h2 id=\"é\">Déjà vu</h2>\n", &"x".repeat(100_000)];
        let stored: Vec<Stored> = pieces.iter().map(|p| scratch.put(p).unwrap()).collect();
        for (piece, at) in pieces.iter().zip(&stored).rev() {
            assert_eq!(scratch.get(*at).unwrap(), *piece);
            assert_eq!(at.len(), piece.len());
        }
    }
}
