//! What the build cache keeps of each page's markdown so that a rebuild
//! need not render the bodies of the pages that did not change (issue 16:
//! rendering every page's markdown was 0.95 s of a one-page rebuild at
//! 10,000 pages).
//!
//! Of a body, later stages need the HTML, headings, blocks and prose only
//! where the page is rendered, checked, or shown in a feed; every build
//! needs of every page what other pages and site-wide steps read: the ids
//! its anchors may name, its links to other pages' anchors and addresses,
//! its citations, the images it shows, its links that fall back to another
//! language, and the problems found in it. Those are kept here, beside the
//! build's record, for each page with a hash of its text ([`KeptBody`]),
//! and with its front matter as read, which a rebuild takes for every page
//! whose text is the same, whatever else changed (reading 10,000 pages'
//! YAML was a fifth of the instructions of a one-page rebuild).
//! The parse stage takes them for every page whose text is the same, if
//! every link was resolved against the same site ([`KeptBodies::key`]: the
//! pages' URLs, files, images and aliases, the settings); the body itself is
//! then rendered only when something asks for it ([`crate::site::Site::body`]).
//!
//! Each kept body also carries the stamp of its page's file as the build
//! that kept it found it (size, times, file number; only if the file was
//! settled then, `up_to_date.rs`) and what the parse stage found in its text
//! besides the body ([`TextNotes`]). A build whose stamp of that file is the
//! same does not read the page at all: the load stage leaves it
//! [`crate::source::Unread`], and its text is read from its own file only
//! if something asks for it (issue 16: a one-page rebuild at 10,000 pages
//! read 45 MB of pages it knew).
//!
//! The file is kept only by a build that succeeded, so the problems in it
//! are at most warnings. It is MessagePack, as the build's record (read in
//! about two thirds of the instructions of the JSON it was: 17.8 against
//! 24 M at 1,000 pages): a header, then a page, each after its length (4
//! bytes, little end first), so that the pages are read on every core;
//! about 1 KB a page, and read only by the binary that wrote it (the hashes
//! are `std`'s `Hash` fed to foldhash with a fixed seed).

use crate::collections::PathMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::FileStamp;
use crate::error::Diagnostic;
use crate::front_matter::{FrontFacts, FrontMatter};
use crate::markdown::{AddressLink, AnchorLink, Fallback, Ids, Rendered};
use crate::scratch::{Scratch, Spilled};

/// What a page's body holds that builds need of every page, as the last
/// build rendered it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptBody {
    /// A hash of the page's text ([`text_print`]).
    pub(crate) text: u64,
    #[serde(default, with = "ids")]
    ids: Ids,
    #[serde(default)]
    anchors: Vec<AnchorLink>,
    #[serde(default)]
    citations: Vec<Vec<String>>,
    #[serde(default, with = "links")]
    addresses: Vec<AddressLink>,
    #[serde(default)]
    problems: Vec<Diagnostic>,
    #[serde(default)]
    unreported: usize,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    fallbacks: Vec<Fallback>,
    #[serde(default)]
    has_blocks: bool,
    /// The page's front matter, as read from the same text: a rebuild
    /// takes it instead of reading the YAML again (read back from here in
    /// about a fifth of the instructions).
    #[serde(default)]
    pub(crate) front: Option<Box<KeptFront>>,
    /// The stamp of the page's file when it was read, if it was settled
    /// then ([`crate::cache::Inputs::settled_files`]): while the file's
    /// stamp is the same, so is its text, and a build need not read it.
    #[serde(default)]
    pub(crate) stamp: Option<FileStamp>,
    /// What the parse stage found in the text besides its body.
    #[serde(default)]
    pub(crate) notes: TextNotes,
    /// Where its piece (with its length) is in the file it was read from:
    /// kept again as it is.
    #[serde(skip)]
    piece: Option<Range<usize>>,
}

/// What the parse stage finds in a page's whole text: the warnings of its
/// front matter (YAML comments) and its placeholders.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct TextNotes {
    #[serde(default)]
    pub(crate) front_warnings: Vec<Diagnostic>,
    #[serde(default)]
    pub(crate) placeholders: Vec<Diagnostic>,
}

/// A page's front matter and where its parts are in its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptFront {
    pub(crate) meta: FrontMatter,
    pub(crate) facts: FrontFacts,
}

impl KeptBody {
    /// What to keep of `body`, rendered from a text with hash `text` whose
    /// front matter is `front`, in which the parse stage found `notes`,
    /// read from a file with `stamp`.
    pub(crate) fn of(
        text: u64,
        body: &Rendered,
        front: KeptFront,
        stamp: Option<FileStamp>,
        notes: TextNotes,
    ) -> KeptBody {
        KeptBody {
            text,
            ids: body.ids.clone(),
            anchors: body.anchors.clone(),
            citations: body.citations.clone(),
            addresses: body.addresses.clone(),
            problems: body.problems.clone(),
            unreported: body.unreported,
            images: body.images.clone(),
            fallbacks: body.fallbacks.clone(),
            has_blocks: body.has_blocks,
            front: Some(Box::new(front)),
            stamp,
            notes,
            piece: None,
        }
    }

    /// Gives this body, as kept for a file of the same text, the front
    /// matter the parse stage took from it (`front`) and the stamp the
    /// file now has: it is then kept anew, not as read.
    pub(crate) fn restamp(&mut self, front: KeptFront, stamp: Option<FileStamp>) {
        self.front = Some(Box::new(front));
        self.stamp = stamp;
        self.piece = None;
    }

    /// The body as the parse stage takes it in place of rendering it:
    /// marked [`Rendered::kept`], its HTML and facts empty. Moved, not
    /// copied: at 10,000 pages the copies were a fifth of the markdown
    /// stage of a one-page rebuild.
    pub(crate) fn into_rendered(self) -> Rendered {
        Rendered {
            ids: self.ids,
            anchors: self.anchors,
            citations: self.citations,
            addresses: self.addresses,
            problems: self.problems,
            unreported: self.unreported,
            images: self.images,
            fallbacks: self.fallbacks,
            has_blocks: self.has_blocks,
            kept: true,
            ..Rendered::default()
        }
    }
}

/// A page's ids as a kept body holds them: one string of bytes
/// (`packed.rs`), the ids one after the other, then where each ends (4
/// bytes each). Read as a list of strings they took a one-page rebuild at
/// 10,000 pages 13 M instructions more (issue 16).
mod ids {
    use super::super::packed::{from_bytes, put_text};
    use crate::markdown::Ids;

    pub(super) fn serialize<S: serde::Serializer>(ids: &Ids, serializer: S) -> Result<S::Ok, S::Error> {
        let (text, ends) = ids.parts();
        let mut bytes = Vec::with_capacity(4 + text.len() + 4 * ends.len());
        put_text(&mut bytes, Some(text)).map_err(serde::ser::Error::custom)?;
        ends.iter().for_each(|end| bytes.extend_from_slice(&end.to_le_bytes()));
        serializer.serialize_bytes(&bytes)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ids, D::Error> {
        from_bytes(deserializer, "ids as bytes", |read| {
            let text = read.text()?.unwrap_or_default();
            let mut ends = Vec::with_capacity(read.0.len() / 4);
            while !read.is_done() {
                ends.push(read.u32()?);
            }
            Ids::from_parts(text, ends).ok_or("ids that do not fit their text")
        })
    }
}

/// A page's links written as addresses, as a kept body holds them: one
/// string of bytes (`packed.rs`), each link its address (none when it climbs
/// above the site's top), how it was written if that is not the address,
/// and its offset (8 bytes). They were most of a kept body's bytes, and
/// read as MessagePack records they took a one-page rebuild at 10,000 pages
/// 10 M instructions more (issue 16).
mod links {
    use super::super::packed::{from_bytes, put_text};
    use crate::markdown::AddressLink;

    pub(super) fn serialize<S: serde::Serializer>(
        links: &[AddressLink],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        for link in links {
            put_text(&mut bytes, link.path.as_deref()).map_err(serde::ser::Error::custom)?;
            put_text(&mut bytes, link.written_apart()).map_err(serde::ser::Error::custom)?;
            bytes.extend_from_slice(&(link.offset as u64).to_le_bytes());
        }
        serializer.serialize_bytes(&bytes)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<AddressLink>, D::Error> {
        from_bytes(deserializer, "links as bytes", |read| {
            let mut links = Vec::new();
            while !read.is_done() {
                let path = read.text()?;
                let written = read.text()?.or(path).unwrap_or_default();
                let offset = usize::try_from(read.u64()?).map_err(|_| "an offset too large")?;
                links.push(AddressLink::new(written, path.map(str::to_string), offset));
            }
            Ok(links)
        })
    }
}

/// A hash of a page's text, the same in every run of one binary (whose
/// records no other binary reads: `cache.rs`, `binary`). foldhash, with a
/// fixed seed: SipHash over every page's text was 4% of the instructions
/// of a one-page rebuild.
pub(crate) fn text_print(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6b65_7074_2074_6578).hash_one(text)
}

/// The bodies one build kept, by page file.
#[derive(Debug, Default)]
pub struct KeptBodies {
    /// A hash of everything the bodies were rendered against besides their
    /// own text (the site's pages, URLs, files and settings).
    pub(crate) key: u64,
    pub(crate) pages: PathMap<Box<KeptBody>>,
    /// The file they were read from, open: a build that takes a body as it
    /// was copies its piece from here into the file it keeps
    /// ([`KeptPiece::Old`]). The open file is the one read even if a build
    /// has since put another in its place (the cache's files are replaced
    /// whole, never written into), so its pieces are where they were read;
    /// holding its bytes instead was 10.7 MB of a one-page rebuild's peak
    /// at 10,000 pages.
    pub(crate) file: Option<Arc<fs::File>>,
}

/// The file's first piece; each piece after it is one page, `[path, body]`.
#[derive(Serialize, Deserialize)]
struct Header {
    /// The binary and settings the bodies were rendered by (see
    /// `cache.rs`, `bodies_key`).
    made_by: String,
    key: u64,
}

/// Where the pieces of a kept bodies file are, each with the 4 bytes of
/// its length before it; `None` if the last one is cut short.
fn pieces(bytes: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let end = at.checked_add(4 + len).filter(|&end| end <= bytes.len())?;
        pieces.push(at..end);
        at = end;
    }
    Some(pieces)
}

/// `value` as MessagePack, after its length: a piece of a kept bodies file.
/// Without field names: each struct is the list of its fields in order
/// (each name was read back as a string, checked as UTF-8 and matched:
/// reading 10,000 pages' bodies took 188 M instructions with them, 161 M
/// without). So every type in a piece writes every field, empty or not: a
/// field left out (`skip_serializing_if`) would put the ones after it in
/// the wrong places.
fn piece(value: &impl Serialize) -> Option<Vec<u8>> {
    let mut piece = vec![0; 4];
    rmp_serde::encode::write(&mut piece, value).ok()?;
    let len = u32::try_from(piece.len() - 4).ok()?;
    piece[..4].copy_from_slice(&len.to_le_bytes());
    Some(piece)
}

/// The page and body in `piece` (with its length), as [`piece`] wrote them.
fn from_piece(piece: &[u8]) -> Result<(PathBuf, KeptBody), rmp_serde::decode::Error> {
    rmp_serde::from_slice(piece.get(4..).unwrap_or_default())
}

/// The bodies kept beside the build record `record`, if `made_by` made them.
pub(super) fn read(record: &Path, made_by: &str) -> Option<KeptBodies> {
    let file = bodies_file(record);
    let mut open = fs::File::open(&file).ok()?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut open, &mut bytes).ok()?;
    let ignore = |why: &dyn std::fmt::Display| log::debug!("build cache: ignoring {}: {why}", file.display());
    let Some(pieces) = pieces(&bytes) else {
        ignore(&"it is cut short");
        return None;
    };
    let Some((header, pages)) = pieces.split_first() else {
        ignore(&"it is empty");
        return None;
    };
    let header: Header = match rmp_serde::from_slice(&bytes[header.start + 4..header.end]) {
        Ok(header) => header,
        Err(e) => {
            ignore(&e);
            return None;
        }
    };
    if header.made_by != made_by {
        log::debug!("build cache: not using {}: made by another dotwork or settings", file.display());
        return None;
    }
    // Each boxed where it is read: moved into the map, a body was 350 bytes
    // (3.5 MB at 10,000 pages, moved again at each doubling of the map).
    let page = |at: &Range<usize>| -> Result<(std::ffi::OsString, Box<KeptBody>), rmp_serde::decode::Error> {
        let (path, body) = from_piece(&bytes[at.clone()])?;
        Ok((path.into_os_string(), Box::new(KeptBody { piece: Some(at.clone()), ..body })))
    };
    // Gathered in a list first, so that the map is made at its size.
    let decoded: Result<Vec<_>, _> = pages.par_iter().map(page).collect();
    match decoded {
        Ok(decoded) => Some(KeptBodies {
            key: header.key,
            pages: decoded.into_iter().collect(),
            file: Some(Arc::new(open)),
        }),
        Err(e) => {
            ignore(&e);
            None
        }
    }
}

/// A page's piece of a kept bodies file: as the last build kept it, or
/// made now, held or in the run's scratch file.
#[derive(Debug)]
pub(crate) enum KeptPiece {
    /// The piece at this place in the file the last build kept
    /// ([`Keeping::old`]).
    Old(Range<usize>),
    New(Spilled<Vec<u8>>),
}

/// What a build keeps of its pages' bodies for the next: each page as the
/// piece of the file it is kept as. A piece made now waits in the run's
/// scratch file until the build is done (held, they were 10 MB of a
/// build's memory at 10,000 pages); one the last build kept stays where it
/// is in that file's bytes, read once (copying each was about 20 MB of
/// fresh memory in a one-page rebuild at 10,000 pages, and 10,000 pieces
/// more for the scratch file).
#[derive(Debug, Default)]
pub struct Keeping {
    /// [`KeptBodies::key`].
    pub(crate) key: u64,
    /// `[path, body]` of each page, as a piece of the file.
    pub(crate) pages: Vec<KeptPiece>,
    /// The file the last build kept ([`KeptBodies::file`]), if a piece is
    /// taken from it.
    pub(crate) old: Option<Arc<fs::File>>,
}

impl Keeping {
    /// The piece of the file that keeps `body`, of the page `path`: the one
    /// it was read from, if it was; else a new one, put in `scratch`.
    pub(crate) fn entry(path: &Path, body: &KeptBody, scratch: Option<&Scratch>) -> Option<KeptPiece> {
        match &body.piece {
            Some(at) => Some(KeptPiece::Old(at.clone())),
            None => Some(KeptPiece::New(Spilled::put(piece(&(path, body))?, scratch))),
        }
    }
}

/// Keeps `bodies`, made by `made_by`, beside the build record `record`, in
/// the form [`read`] reads, reading back from `scratch` what waits there.
pub(super) fn keep(record: &Path, made_by: &str, bodies: Keeping, scratch: Option<&Scratch>) {
    let header = Header { made_by: made_by.to_string(), key: bodies.key };
    let Some(header) = piece(&header) else { return };
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for page in bodies.pages {
        match page {
            KeptPiece::Old(at) => old.push(at),
            KeptPiece::New(piece) => new.push(piece),
        }
    }
    // The old pieces lie end to end, most of them, in the order they are
    // taken: each run of them is one write.
    old.sort_unstable_by_key(|at| at.start);
    let mut runs: Vec<Range<usize>> = Vec::new();
    for at in old {
        match runs.last_mut() {
            Some(run) if run.end == at.start => run.end = at.end,
            _ => runs.push(at),
        }
    }
    super::keep_with(&bodies_file(record), |w| {
        use std::io::{Read, Seek, SeekFrom, Write};
        w.write_all(&header)?;
        if !runs.is_empty() {
            let mut from: &fs::File = bodies
                .old
                .as_deref()
                .ok_or_else(|| std::io::Error::other("kept pieces without their file"))?;
            for run in runs {
                // Copied file to file (by the kernel, where it can).
                let len = (run.end - run.start) as u64;
                from.seek(SeekFrom::Start(run.start as u64))?;
                if std::io::copy(&mut from.take(len), w)? != len {
                    return Err(std::io::Error::other("a kept piece is not in the old file"));
                }
            }
        }
        Spilled::write_all(&new, scratch, b"", w)
    });
    // The JSON lines that builds kept them as before (cache format 4).
    let _ = fs::remove_file(record.with_extension("bodies.json"));
}

/// Removes the bodies kept beside `record`.
pub(super) fn forget(record: &Path) {
    let _ = fs::remove_file(bodies_file(record));
}

fn bodies_file(record: &Path) -> PathBuf {
    record.with_extension("bodies")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body with nothing in it, and one with something in every field,
    /// read back as they were written: every field is written, even empty
    /// (a field left out would shift the ones after it, `piece`).
    #[test]
    fn a_kept_body_reads_back_as_it_was_written() {
        let file = Path::new("content/a.md");
        let text = "---\ntitle: T\ndate: 2024-01-02\nextra: {k: [1, x]}\n---\nBody.\n";
        let (meta, facts) = crate::front_matter::parse_front_matter(file, text).unwrap();
        let warning = Diagnostic::new(crate::error::Severity::Warning, file, "w");
        let full = Rendered {
            ids: ["b", "a"].map(String::from).into_iter().collect(),
            anchors: vec![AnchorLink { page: 3, fragment: "f".into(), offset: 9 }],
            citations: vec![vec!["smith2020".into()]],
            addresses: vec![
                AddressLink::new("../c/", Some("/c/".into()), 4),
                AddressLink::new("/c/", Some("/c/".into()), 40),
                AddressLink::new("../../../", None, 400),
                AddressLink::new("", None, 0),
                AddressLink::new("/é/#x", Some("/é/".into()), usize::MAX),
            ],
            problems: vec![warning.clone()],
            unreported: 2,
            images: vec!["i.png".into()],
            fallbacks: vec![Fallback { target: 1, offset: 2 }],
            has_blocks: true,
            ..Rendered::default()
        };
        let stamp: FileStamp = rmp_serde::from_slice(&rmp_serde::to_vec(&(1, 2, 3, 4)).unwrap()).unwrap();
        let notes = TextNotes { front_warnings: vec![warning.clone()], placeholders: vec![warning] };
        let bodies = [
            KeptBody::of(
                1,
                &Rendered::default(),
                KeptFront { meta: FrontMatter::default(), facts: facts.clone() },
                None,
                TextNotes::default(),
            ),
            KeptBody::of(2, &full, KeptFront { meta, facts }, Some(stamp), notes),
        ];
        for body in bodies {
            let written = piece(&(file, &body)).unwrap();
            let (path, back) = from_piece(&written).unwrap();
            assert_eq!(path, file);
            assert_eq!(piece(&(file, &back)).unwrap(), written, "{body:?}");
            assert_eq!(format!("{back:?}"), format!("{body:?}"));
        }
    }
}
