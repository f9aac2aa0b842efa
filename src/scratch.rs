//! Where a one-shot run (`build`, `check`) puts the pages' texts as the
//! load stage reads them, and the HTML of the bodies the parse stage
//! renders, until a later stage asks for them (issue 16): the parse stage
//! renders every page's markdown before any page is rendered, and holding
//! all of that HTML was most of a build's peak memory (75 MB of 240 MB of
//! heap at 10,000 pages); the texts were 45 MB more.
//!
//! It is an unnamed file in the system's temporary folder (`TMPDIR`), which
//! the system removes when dotwork exits, however it exits. A body that
//! cannot be written there is simply held in memory.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::error::Diagnostic;
use crate::source::Unread;

/// The scratch file of one run.
#[derive(Debug)]
pub(crate) struct Scratch {
    file: File,
    state: Mutex<State>,
}

/// What a [`Scratch`] has been given: pieces are gathered and written
/// [`BATCH`] bytes at a time (a build puts 20,000 pieces of a few KB; one
/// write each was 20,000 system calls). A batch is written by the thread
/// whose piece filled it, without holding the lock: written under it, the
/// other cores waited for each write to put or read their own pieces, 250
/// times in a cold build of 10,000 pages (issue 16).
#[derive(Debug, Default)]
struct State {
    /// Where the next piece goes.
    end: u64,
    /// Pieces put and not yet written, end to end from `pending_at`.
    pending: Vec<u8>,
    pending_at: u64,
    /// Batches being written, by place: read from here until they are in
    /// the file.
    writing: Vec<(u64, Arc<Vec<u8>>)>,
    /// A batch written, kept to gather the next in.
    spare: Vec<u8>,
    /// Batches the file refused (a full disk), held here instead, by
    /// place; once there is one, nothing more is put.
    refused: Vec<(u64, Vec<u8>)>,
}

/// How many bytes a [`Scratch`] gathers before it writes them.
const BATCH: usize = 256 << 10;

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

/// A text (or, for the build cache's kept bodies, bytes: `T = Vec<u8>`)
/// held in memory, or waiting in a run's [`Scratch`] file.
#[derive(Debug, Clone)]
pub(crate) enum Spilled<T = String> {
    Held(T),
    Stored(Stored),
}

impl<T: Default> Default for Spilled<T> {
    fn default() -> Spilled<T> {
        Spilled::Held(T::default())
    }
}

impl Spilled {
    /// The text, read back from `scratch` if it waits there.
    pub(crate) fn read<'a>(&'a self, scratch: Option<&Scratch>) -> io::Result<Cow<'a, str>> {
        match (self, scratch) {
            (Spilled::Held(text), _) => Ok(Cow::Borrowed(text)),
            (Spilled::Stored(at), Some(scratch)) => scratch.get(*at).map(Cow::Owned),
            (Spilled::Stored(_), None) => Err(no_scratch()),
        }
    }
}

impl<T: AsRef<[u8]>> Spilled<T> {
    /// `piece`, put in `scratch` if there is one and it takes it, else held.
    pub(crate) fn put(piece: T, scratch: Option<&Scratch>) -> Spilled<T> {
        match scratch.map(|scratch| scratch.put(piece.as_ref())) {
            Some(Ok(at)) => Spilled::Stored(at),
            Some(Err(e)) => {
                log::debug!("held in memory: the scratch file refused a text ({e})");
                Spilled::Held(piece)
            }
            None => Spilled::Held(piece),
        }
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Spilled::Held(piece) => piece.as_ref().len(),
            Spilled::Stored(at) => at.len(),
        }
    }

    /// Writes each of `texts` to `w`, each followed by `end`, in an order
    /// of its own: the held ones, then those in `scratch` in the file's
    /// order, each run of them that lies end to end there read at once (up
    /// to [`RUN`] bytes). A rebuild keeps 10,000 short texts; read one by
    /// one they took it 10-20 ms.
    pub(crate) fn write_all(
        texts: &[Spilled<T>],
        scratch: Option<&Scratch>,
        end: &[u8],
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        let mut stored = Vec::new();
        for text in texts {
            match text {
                Spilled::Held(text) => {
                    w.write_all(text.as_ref())?;
                    w.write_all(end)?;
                }
                Spilled::Stored(at) => stored.push(*at),
            }
        }
        if stored.is_empty() {
            return Ok(());
        }
        let scratch = scratch.ok_or_else(no_scratch)?;
        if !scratch.written() {
            // Some are held (the file refused them): one by one.
            for at in stored {
                w.write_all(&scratch.get_bytes(at)?)?;
                w.write_all(end)?;
            }
            return Ok(());
        }
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

/// A page's text: held in memory, or, in a one-shot run, put in the run's
/// scratch file as the load stage read it (issue 16: the pages' text was a
/// quarter of a build's peak memory, held only for the checks of the
/// render stage and for quoting lines in messages), or left in its own
/// file by a build whose cache knew it ([`Unread`]). It reads itself back.
#[derive(Debug, Clone, Default)]
pub struct PageText {
    text: String,
    unread: Option<Box<Unread>>,
}

impl PageText {
    /// `text`, held in memory.
    pub fn held(text: String) -> PageText {
        PageText { text, unread: None }
    }

    /// A page's text as the load stage gave it ([`crate::source::SourceFile`]):
    /// held, or waiting where `unread` says.
    pub(crate) fn of(text: String, unread: Option<Unread>) -> PageText {
        PageText { text, unread: unread.map(Box::new) }
    }

    /// The text of the page `file`, read back from the scratch file or from
    /// its own if it waits there; an error that names the page when it
    /// cannot be.
    pub(crate) fn read(&self, file: &Path) -> Result<Cow<'_, str>, Diagnostic> {
        match &self.unread {
            Some(unread) => unread.read(file).map(Cow::Owned),
            None => Ok(Cow::Borrowed(&self.text)),
        }
    }
}

/// The error for `what` of the page `file` that could not be read back
/// from the scratch file.
pub(crate) fn unreadable(file: &Path, what: &str, e: &io::Error) -> Diagnostic {
    Diagnostic::error(file, format!("could not read {what} back from dotwork's scratch file: {e}"))
        .with_help("build again; if this keeps happening, point TMPDIR at another folder")
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
            Ok(file) => Some(Scratch { file, state: Mutex::default() }),
            Err(e) => {
                log::debug!("no scratch file ({e}): the rendered bodies are held in memory");
                None
            }
        }
    }

    /// Puts `text` at the end of the file: gathered with the pieces put
    /// before it, and written with them once there are [`BATCH`] bytes (or
    /// when all are read back in order, [`Spilled::write_all`]). An error
    /// when the file refused an earlier batch: the caller then holds the
    /// text itself.
    pub(crate) fn put(&self, text: &[u8]) -> io::Result<Stored> {
        let mut state = self.state();
        if !state.refused.is_empty() {
            return Err(io::Error::other("it refused an earlier write"));
        }
        let at = state.end;
        state.end += text.len() as u64;
        if state.pending.is_empty() {
            state.pending_at = at;
        }
        state.pending.extend_from_slice(text);
        if state.pending.len() >= BATCH {
            self.write_pending(state);
        }
        Ok(Stored { at, len: text.len() })
    }

    /// The text `stored` names, read back.
    pub(crate) fn get(&self, stored: Stored) -> io::Result<String> {
        String::from_utf8(self.get_bytes(stored)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// The bytes `stored` names, read back.
    fn get_bytes(&self, stored: Stored) -> io::Result<Vec<u8>> {
        // A piece is written whole with its batch: it is in the batch not
        // yet written, in one being written, in one the file refused, or
        // in the file. Taken from the batch, it does not make the batch be
        // written short (the markdown stage reads each page's text between
        // putting bodies).
        let held = {
            let state = self.state();
            let within = |at: u64, batch: &[u8]| {
                let from = usize::try_from(stored.at.checked_sub(at)?).ok()?;
                batch.get(from..from + stored.len).map(<[u8]>::to_vec)
            };
            within(state.pending_at, &state.pending)
                .or_else(|| state.writing.iter().find_map(|(at, batch)| within(*at, batch)))
                .or_else(|| state.refused.iter().find_map(|(at, batch)| within(*at, batch)))
        };
        let bytes = match held {
            Some(held) => held,
            None => read_back(&self.file, stored.len, stored.at)?,
        };
        Ok(bytes)
    }

    /// Writes what waits to be written; whether everything put is in the
    /// file (not while another thread still writes a batch).
    fn written(&self) -> bool {
        self.write_pending(self.state());
        let state = self.state();
        state.refused.is_empty() && state.writing.is_empty()
    }

    /// Writes the pending batch without holding the lock (`state`, which it
    /// lets go), or holds it among the refused ones.
    fn write_pending(&self, mut state: std::sync::MutexGuard<'_, State>) {
        if state.pending.is_empty() {
            return;
        }
        let next = std::mem::take(&mut state.spare);
        let batch = Arc::new(std::mem::replace(&mut state.pending, next));
        let batch_at = state.pending_at;
        state.writing.push((batch_at, Arc::clone(&batch)));
        drop(state);
        let written = write_at(&self.file, &batch, batch_at);
        let mut state = self.state();
        state.writing.retain(|(at, _)| *at != batch_at);
        let batch = Arc::try_unwrap(batch).unwrap_or_else(|shared| shared.to_vec());
        match written {
            Ok(()) => {
                state.spare = batch;
                state.spare.clear();
            }
            Err(e) => {
                log::debug!("held in memory: the scratch file refused {} bytes ({e})", batch.len());
                state.refused.push((batch_at, batch));
            }
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// The `len` bytes of `file` from `at`, read into memory not cleared first
/// (a build reads each page's text and body back; clearing the room for
/// them was 1.4% of a cold build's instructions, issue 16).
#[cfg(target_os = "linux")]
fn read_back(file: &File, len: usize, at: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len {
        let from = at + bytes.len() as u64;
        // Into the room after what was read: exactly what is still wanted.
        match rustix::io::pread(file, rustix::buffer::spare_capacity(&mut bytes), from) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(bytes)
}

#[cfg(not(target_os = "linux"))]
fn read_back(file: &File, len: usize, at: u64) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    read_at(file, &mut bytes, at)?;
    Ok(bytes)
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
        scratch.put(b"not one of them").unwrap();
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

    /// Pieces written a batch at a time, read back one by one and in runs.
    fn put_and_read_back(scratch: &Scratch) {
        let pieces: Vec<String> = (0..2_000).map(|i| format!("<p>{i}</p>{}", "z".repeat(i % 700))).collect();
        let mut texts = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            texts.push(Spilled::put(piece.clone(), Some(scratch)));
            // Read in between, as the markdown stage reads texts among the bodies it puts.
            if i == 500 {
                assert_eq!(texts[3].read(Some(scratch)).unwrap(), pieces[3]);
            }
        }
        for (text, piece) in texts.iter().zip(&pieces).rev() {
            assert_eq!(text.read(Some(scratch)).unwrap(), *piece);
        }
        let mut out = Vec::new();
        Spilled::write_all(&texts, Some(scratch), b"\n", &mut out).unwrap();
        let mut lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        lines.sort_unstable();
        let mut expected: Vec<&str> = pieces.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(lines, expected);
    }

    #[test]
    fn pieces_gathered_into_batches_read_back_whole() {
        let scratch = Scratch::new().expect("a temporary folder");
        put_and_read_back(&scratch);
        assert!(scratch.state().refused.is_empty());
    }

    #[test]
    fn a_piece_not_yet_written_is_read_from_its_batch_which_stays_unwritten() {
        let scratch = Scratch::new().expect("a temporary folder");
        let first = scratch.put("---\ntitle: A\n---\n".as_bytes()).unwrap();
        let second = scratch.put(b"<p>B</p>").unwrap();
        assert_eq!(scratch.get(first).unwrap(), "---\ntitle: A\n---\n");
        assert_eq!(scratch.get(second).unwrap(), "<p>B</p>");
        assert_eq!(scratch.file.metadata().unwrap().len(), 0, "reading wrote nothing");
        assert!(scratch.written());
        assert_eq!(scratch.get(second).unwrap(), "<p>B</p>");
    }

    #[test]
    fn a_batch_the_file_refuses_is_held_and_nothing_more_is_put() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("read-only"), "").unwrap();
        // Opened for reading only: every write fails.
        let file = File::open(dir.path().join("read-only")).unwrap();
        let scratch = Scratch { file, state: Mutex::default() };
        put_and_read_back(&scratch);
        assert!(!scratch.state().refused.is_empty());
        assert!(scratch.put(b"more").is_err(), "the caller holds it");
        assert!(matches!(Spilled::put("more".to_string(), Some(&scratch)), Spilled::Held(_)));
    }

    /// Threads put and read back at once: a batch another thread is
    /// writing is read from memory, and every piece comes back whole.
    #[test]
    fn pieces_put_by_threads_at_once_read_back_whole() {
        let scratch = Scratch::new().expect("a temporary folder");
        let piece = |t: usize, i: usize| format!("{t}:{i}:{}", "w".repeat((t * 7919 + i * 104_729) % 3_000));
        std::thread::scope(|s| {
            for t in 0..4 {
                let scratch = &scratch;
                s.spawn(move || {
                    let mut stored = Vec::new();
                    for i in 0..1_500 {
                        stored.push(scratch.put(piece(t, i).as_bytes()).unwrap());
                        let back = i / 2;
                        assert_eq!(scratch.get(stored[back]).unwrap(), piece(t, back));
                    }
                    for (i, at) in stored.iter().enumerate() {
                        assert_eq!(scratch.get(*at).unwrap(), piece(t, i));
                    }
                });
            }
        });
        let state = scratch.state();
        assert!(state.writing.is_empty() && state.refused.is_empty());
        assert!(scratch.file.metadata().unwrap().len() >= BATCH as u64 * 4, "batches were written");
    }

    #[test]
    fn what_is_put_is_read_back_whole_in_any_order() {
        let scratch = Scratch::new().expect("a temporary folder");
        let pieces = ["<p>One</p>", "", "<h2 id=\"é\">Déjà vu</h2>\n", &"x".repeat(100_000)];
        let stored: Vec<Stored> = pieces.iter().map(|p| scratch.put(p.as_bytes()).unwrap()).collect();
        for (piece, at) in pieces.iter().zip(&stored).rev() {
            assert_eq!(scratch.get(*at).unwrap(), *piece);
            assert_eq!(at.len(), piece.len());
        }
    }
}
