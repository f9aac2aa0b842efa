//! The content model: what a page is once parsed. The rules that turn its
//! file name into its URL are in [`crate::url`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Serialize;

use crate::error::Diagnostic;
use crate::front_matter::FrontMatter;
use crate::markdown::{BodyFacts, PageFacts};
use crate::scratch::PageText;

/// A page, parsed and with its markdown rendered.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The file, relative to the site root (`content/care/aftercare.md`).
    pub source: PathBuf,
    /// The page's text: for the checks of the render stage and for quoting
    /// lines in messages; it waits in the scratch file of a one-shot run
    /// once its markdown is rendered. Read it with `Page::read_text`.
    pub text: PageText,
    /// Its front matter: boxed, as the body, so that the list of a site's
    /// pages is small (issue 16: pages of 1,200 bytes, at 10,000 pages 12 MB
    /// in one piece at the build's peak, beside the lists they were made from).
    pub meta: Box<FrontMatter>,
    /// A hash of its text (`cache::text_print`): what its body is made
    /// from, for the build cache and the fingerprints of its units.
    pub print: u64,
    /// Its title (front matter's, required).
    pub title: String,
    /// Site-absolute URL path, `/` or `/care/aftercare/`.
    pub path: String,
    /// Its language, by number in the site's languages (0: the default).
    pub lang: usize,
    /// The file of the page it translates, relative to `content/`
    /// (`care/aftercare.md` for `care/aftercare.es.md`; its own for a page
    /// in the default language): what its versions share.
    pub original: String,
    /// Every `id` the body defines (headings, footnotes), for anchor checks.
    pub ids: crate::markdown::Ids,
    /// The works this page cites, in order of first citation.
    pub cited: Vec<String>,
    /// The page's own reference list (HTML), empty if it cites nothing.
    pub references: String,
    /// The pairs of its before-and-after gallery that may be published
    /// (numbers in `meta.gallery`), in order ([`crate::gallery`]).
    pub gallery: Vec<usize>,
    /// Its body, rendered: by the parse stage, or when first needed for a
    /// page the build cache knows unchanged ([`crate::site::Site::body`]).
    pub(crate) body: OnceLock<Box<Body>>,
    /// Whether its body places building blocks, known without rendering it.
    pub has_blocks: bool,
    /// The placeholders left in its text (`[[REPLACE: ...]]`, issue 12),
    /// found while the text was at hand.
    pub(crate) placeholders: Vec<Diagnostic>,
    /// What the parse stage recorded for later stages: where the front
    /// matter's keys are, and the page its follow-up names.
    pub(crate) facts: PageFacts,
}

/// A page's markdown body, rendered.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// As HTML, citations placed: read it with [`crate::site::Site::body_html`].
    pub(crate) html: crate::scratch::Spilled,
    /// The building blocks in it, with their places in `html`.
    pub blocks: Vec<crate::blocks::BlockUse>,
    /// Its links, headings and prose, with their places in the file; its
    /// table of contents is made from the headings when the page is
    /// rendered ([`crate::markdown::build_toc`]), not held with it.
    pub(crate) facts: BodyFacts,
    /// What a rendered page's readers need of the tags of `html` beside
    /// the ids of its headings in `facts`, when it holds only what dotwork
    /// writes (`markdown.rs`).
    pub(crate) tags: Option<crate::markdown::BodyTags>,
    /// Why it could not be rendered: its page's text could not be read
    /// when it was asked for (an unread page changed during the build). The
    /// page's HTML is then this error, so the build stops.
    pub(crate) failed: Option<Box<crate::error::Diagnostic>>,
}

impl Page {
    /// Whether this is a home page: `index.md` or its translation
    /// (`index.es.md`, at `/es/`), rendered with the home template.
    pub fn is_home(&self) -> bool {
        self.path == "/" || self.original == "index.md"
    }

    /// Its text, read back if it waits in the scratch file; an error that
    /// names the page when it cannot be.
    pub(crate) fn read_text(&self) -> Result<Cow<'_, str>, Diagnostic> {
        self.text.read(&self.source)
    }

    /// Its text, to place a message at a line of it: as [`Self::read_text`],
    /// or empty when it cannot be read back (logged), and the message then
    /// quotes no line.
    pub(crate) fn text_for_message(&self) -> Cow<'_, str> {
        self.read_text().unwrap_or_else(|d| {
            log::error!("{}", d.message);
            Cow::Borrowed("")
        })
    }

    /// `d` pointed at the line of this page's front matter where `key:` is
    /// written, when it is there.
    pub(crate) fn at_key(&self, d: Diagnostic, key: &str) -> Diagnostic {
        self.facts.front.at_key(d, &self.text_for_message(), key)
    }
}

/// One heading in a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// The heading's `id`.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Headings one level deeper under this one.
    pub children: Vec<TocEntry>,
}
