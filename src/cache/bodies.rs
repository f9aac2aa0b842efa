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
//! are at most warnings. It is JSON lines (a header, then a page a line),
//! about 1 KB a page, and read only by the binary that wrote it (the hashes
//! are `std`'s `Hash` fed to SipHash, and foldhash for the pages' texts).

use crate::collections::{HashSet, PathMap};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::FileStamp;
use crate::error::Diagnostic;
use crate::front_matter::{FrontFacts, FrontMatter};
use crate::markdown::{AddressLink, AnchorLink, Fallback, Rendered};
use crate::site::{Scratch, Spilled};

/// What a page's body holds that builds need of every page, as the last
/// build rendered it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptBody {
    /// A hash of the page's text ([`text_print`]).
    pub(crate) text: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    anchors: Vec<AnchorLink>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    citations: Vec<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<AddressLink>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "is_zero")]
    unreported: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    images: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fallbacks: Vec<Fallback>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    has_blocks: bool,
    /// The page's front matter, as read from the same text: a rebuild
    /// takes it instead of reading the YAML again (its JSON is read in
    /// about a fifth of the instructions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) front: Option<Box<KeptFront>>,
    /// The stamp of the page's file when it was read, if it was settled
    /// then ([`crate::cache::Inputs::settled_files`]): while the file's
    /// stamp is the same, so is its text, and a build need not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stamp: Option<FileStamp>,
    /// What the parse stage found in the text besides its body.
    #[serde(default, skip_serializing_if = "TextNotes::is_empty")]
    pub(crate) notes: TextNotes,
    /// The line of the file it was read from, kept again as it is.
    #[serde(skip)]
    line: Option<Box<str>>,
}

/// What the parse stage finds in a page's whole text: the warnings of its
/// front matter (YAML comments) and its placeholders.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct TextNotes {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) front_warnings: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) placeholders: Vec<Diagnostic>,
}

impl TextNotes {
    fn is_empty(&self) -> bool {
        self.front_warnings.is_empty() && self.placeholders.is_empty()
    }
}

/// A page's front matter and where its parts are in its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptFront {
    pub(crate) meta: FrontMatter,
    pub(crate) facts: FrontFacts,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
        let mut ids: Vec<String> = body.ids.iter().cloned().collect();
        ids.sort_unstable();
        KeptBody {
            text,
            ids,
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
            line: None,
        }
    }

    /// This body as kept for a file of the same text, whose front matter
    /// is `front` (the parse stage took it from this one), that now has
    /// `stamp`.
    pub(crate) fn restamped(&self, front: KeptFront, stamp: Option<FileStamp>) -> KeptBody {
        KeptBody { stamp, front: Some(Box::new(front)), line: None, ..self.clone() }
    }

    /// The body as the parse stage takes it in place of rendering it:
    /// marked [`Rendered::kept`], its HTML and facts empty.
    pub(crate) fn rendered(&self) -> Rendered {
        Rendered {
            ids: self.ids.iter().cloned().collect::<HashSet<String>>(),
            anchors: self.anchors.clone(),
            citations: self.citations.clone(),
            addresses: self.addresses.clone(),
            problems: self.problems.clone(),
            unreported: self.unreported,
            images: self.images.clone(),
            fallbacks: self.fallbacks.clone(),
            has_blocks: self.has_blocks,
            kept: true,
            ..Rendered::default()
        }
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
    pub(crate) pages: PathMap<KeptBody>,
}

/// The file's first line; each line after it is one page, `[path, body]`
/// (lines, so that they are read on every core: 10,000 pages are 8 MB).
#[derive(Deserialize)]
struct Header {
    /// The binary and settings the bodies were rendered by (see
    /// `cache.rs`, `bodies_key`).
    made_by: String,
    key: u64,
}

/// The bodies kept beside the build record `record`, if `made_by` made them.
pub(super) fn read(record: &Path, made_by: &str) -> Option<KeptBodies> {
    let file = bodies_file(record);
    let bytes = fs::read(&file).ok()?;
    // Split where memchr finds the line ends: a closure over every byte of
    // 15 MB was 58 M instructions (issue 16).
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', &bytes).chain(std::iter::once(bytes.len()));
    let mut lines = ends
        .map(|end| {
            let line = &bytes[start..end];
            start = end + 1;
            line
        })
        .filter(|l| !l.is_empty());
    let header = match lines.next().map(serde_json::from_slice::<Header>) {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            log::debug!("build cache: ignoring {}: {e}", file.display());
            return None;
        }
        None => {
            log::debug!("build cache: ignoring {}: it is empty", file.display());
            return None;
        }
    };
    if header.made_by != made_by {
        log::debug!("build cache: not using {}: made by another dotwork or settings", file.display());
        return None;
    }
    let lines: Vec<&[u8]> = lines.collect();
    let page = |line: &&[u8]| -> Result<(std::ffi::OsString, KeptBody), String> {
        let line = std::str::from_utf8(line).map_err(|e| e.to_string())?;
        let (path, body) = serde_json::from_str::<(PathBuf, KeptBody)>(line).map_err(|e| e.to_string())?;
        Ok((path.into_os_string(), KeptBody { line: Some(line.into()), ..body }))
    };
    match lines.par_iter().map(page).collect() {
        Ok(pages) => Some(KeptBodies { key: header.key, pages }),
        Err(e) => {
            log::debug!("build cache: ignoring {}: {e}", file.display());
            None
        }
    }
}

/// What a build keeps of its pages' bodies for the next: each page as the
/// JSON it is kept as, made as the page is parsed and put in the run's
/// scratch file until the build is done (held, they were 10 MB of a
/// build's memory at 10,000 pages).
#[derive(Debug, Default)]
pub struct Keeping {
    /// [`KeptBodies::key`].
    pub(crate) key: u64,
    /// `[path, body]` of each page, as JSON.
    pub(crate) pages: Vec<Spilled>,
}

impl Keeping {
    /// The JSON of `body`, of the page `path`: the line it was read from,
    /// if it was.
    pub(crate) fn entry(path: &Path, body: &KeptBody) -> Option<String> {
        if let Some(line) = &body.line {
            return Some(line.to_string());
        }
        serde_json::to_string(&(path, body)).ok()
    }
}

/// Keeps `bodies`, made by `made_by`, beside the build record `record`, in
/// the form [`read`] reads, reading back from `scratch` what waits there.
pub(super) fn keep(record: &Path, made_by: &str, bodies: Keeping, scratch: Option<&Scratch>) {
    let Ok(made_by) = serde_json::to_string(made_by) else { return };
    super::keep_with(&bodies_file(record), |w| {
        writeln!(w, "{{\"made_by\":{made_by},\"key\":{}}}", bodies.key)?;
        Spilled::write_all(&bodies.pages, scratch, b"\n", w)
    });
}

/// Removes the bodies kept beside `record`.
pub(super) fn forget(record: &Path) {
    let _ = fs::remove_file(bodies_file(record));
}

fn bodies_file(record: &Path) -> PathBuf {
    record.with_extension("bodies.json")
}
