//! Parse, reusing earlier work: what [`super::parse_site_cached`] keeps from
//! one run to the next, so `serve` parses again only what an edit touched.
//!
//! A page's front matter depends on its text alone, so it is reused while the
//! text is unchanged. Its markdown also depends on every page's URL (links to
//! `risks.md` become `../risks/`), so it is reused only while, in addition,
//! the set of pages and sections, their URLs and the drafts are unchanged;
//! when any of those change (a page added, removed, renamed, given a slug,
//! made a draft; a section added or removed)
//! every page's markdown is rendered again. Problems are cached with what
//! they came from, so a broken page keeps being reported until it is fixed.

use crate::collections::{HashSet, PathMap};
use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use super::Parsed;
use crate::cache::{FileStamp, Keeping, KeptBodies, KeptBody, KeptFront, KeptPiece, TextNotes};
use crate::citations::{Bibliography, parse_bibliography};
use crate::config::CitationStyle;
use crate::error::Diagnostic;
use crate::front_matter::{FrontFacts, FrontMatter, parse_front_matter};
use crate::markdown::{PageIndex, PageRef, Rendered, render_markdown};
use crate::render::{print, unordered_print};
use crate::scratch::{Scratch, Spilled};
use crate::source::SourceFile;

/// Pages parsed by earlier runs of [`super::parse_site_cached`].
#[derive(Debug, Default)]
pub struct ParseCache {
    pages: PathMap<CachedPage>,
    /// Every page's source key and URL, the drafts, and the sections
    /// (`_index.md` files, their URLs among the pages'), that the cached
    /// markdown was rendered against.
    links: Option<LinkKey>,
    /// The last bibliography parsed, with the file and style it came from.
    bibliography: Option<(BibliographyKey, Result<Option<Bibliography>, Diagnostic>)>,
    /// For a single build: nothing is kept for a next run, so page texts are
    /// not copied and rendered bodies are moved out instead of cloned.
    one_shot: bool,
    /// For a build: what the last build kept of its pages' bodies, taken
    /// instead of rendering a page whose text and links are unchanged.
    kept: Option<KeptBodies>,
    /// For a build: what this one keeps of them for the next.
    keeping: Option<Keeping>,
    /// For a build: the stamps of the site's files, as it began, that were
    /// settled then ([`crate::cache::Inputs::settled_files`]).
    stamps: PathMap<FileStamp>,
    /// For a single run: where the rendered bodies' HTML and the pages'
    /// texts wait for the render stage instead of memory (`scratch.rs`).
    scratch: Option<Arc<Scratch>>,
    /// For a run that puts the pages' texts in its scratch file and keeps
    /// no front matter from a last build: what [`Self::first_look`] found
    /// in each page's text as it was read, by its path.
    looked: Mutex<PathMap<(Front, TextNotes)>>,
}

/// A page's front matter and where it is, or why it has none. Boxed: it is
/// moved from the cache into the page (592 bytes, copied twice a page before).
pub(super) type Front = Result<(Box<FrontMatter>, FrontFacts), Diagnostic>;

/// What the parse stage needs of a page besides its text, as
/// [`ParseCache::front_matters`] hands it on: its front matter (or why it
/// has none), what else was found in its text, and the hash of its text.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) front: Front,
    pub(super) notes: TextNotes,
    pub(super) print: u64,
}

/// The front matter of the page `file` whose text is `text`, and what
/// else its text tells (nothing when it has no front matter).
fn front_and_notes(file: &Path, text: &str) -> (Front, TextNotes) {
    let front = parse_front_matter(file, text).map(|(m, f)| (Box::new(m), f));
    let notes = front.as_ref().ok().map(|(_, facts)| TextNotes {
        front_warnings: facts.warnings(file, text),
        placeholders: crate::check::placeholders_in(file, text, false),
    });
    (front, notes.unwrap_or_default())
}

/// Where [`ParseCache::front_matters`] found a page's front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FoundIn {
    /// As the last build kept it, for the same text.
    Taken,
    /// In the text, parsed.
    Parsed,
    /// Nowhere: the page could not be read.
    Unreadable,
}

type BibliographyKey = (Option<(PathBuf, String)>, CitationStyle, Vec<String>);

/// Every page's source key and URL, the drafts, the sections, the images
/// (a picture names its variants by the image's bytes), the files beside
/// the pages with the aliases (links to them are resolved), and the heading
/// rule and severity of broken links the bodies were rendered with, and
/// the languages with their callout words.
type LinkKey = (
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    u64,
    u64,
    (crate::config::HeadingRule, crate::config::BrokenLinks),
    u64,
);

#[derive(Debug)]
struct CachedPage {
    text: String,
    /// Its front matter, notes and text's hash (made once per version of
    /// the text: the fingerprints take it instead of hashing it again).
    /// Boxed, as the body: the map holds a slot for every page, and unboxed
    /// they made a slot 1,184 bytes (19 MB for 10,000 pages, held to the end).
    found: Box<Found>,
    body: Option<Box<Rendered>>,
}

impl ParseCache {
    /// A cache for one run only (`build`, `check`): it holds each page just
    /// long enough to hand it on, without copies.
    pub(crate) fn one_shot() -> ParseCache {
        ParseCache { one_shot: true, scratch: Scratch::new().map(Arc::new), ..ParseCache::default() }
    }

    /// A cache for one build that takes what the last build `kept` of the
    /// bodies of unchanged pages instead of rendering them, and keeps what
    /// the next build needs ([`Self::take_kept`], `cache/bodies.rs`). A
    /// page whose file has the `stamps` it had when the last build read it
    /// is not read again ([`Self::known_print`]).
    pub(crate) fn for_build(kept: Option<KeptBodies>, stamps: PathMap<FileStamp>) -> ParseCache {
        ParseCache { kept, keeping: Some(Keeping::default()), stamps, ..ParseCache::one_shot() }
    }

    /// The stamp of the site's file `file` (its path from the site's root)
    /// as this build began, if it was settled then: while it is the same,
    /// so are the file's bytes (the build cache reuses a static file's
    /// copy on it, `cache.rs`).
    pub(crate) fn settled_stamp(&self, file: &Path) -> Option<FileStamp> {
        self.stamps.get(file.as_os_str()).copied()
    }

    /// The hash of the text of the page `file` (its path from the site's
    /// root) if the last build read the same text: its file has the stamp
    /// it had then, settled both times. The load stage need not read it.
    pub(crate) fn known_print(&self, file: &Path) -> Option<u64> {
        let kept = self.kept.as_ref()?.pages.get(file.as_os_str())?;
        let now = self.stamps.get(file.as_os_str())?;
        (kept.stamp.as_ref() == Some(now) && kept.front.is_some()).then_some(kept.text)
    }

    /// Whether the load stage is to show each page's text to
    /// [`Self::first_look`] as it reads it: when the texts go into the
    /// scratch file and no build cache kept front matter to take instead.
    pub(crate) fn looks_first(&self) -> bool {
        self.scratch.is_some() && self.kept.is_none()
    }

    /// Parses the front matter of the page `file`, whose text the load
    /// stage just read, and notes what else its text tells, for
    /// [`Self::front_matters`] to take: that would otherwise read the text
    /// back from the scratch file (issue 16: one read of every page's text
    /// fewer).
    pub(crate) fn first_look(&self, file: &Path, text: &str) {
        let found = front_and_notes(file, text);
        self.looked.lock().unwrap_or_else(PoisonError::into_inner).insert(file.as_os_str().to_owned(), found);
    }

    /// The scratch file of a one-shot run, where the load stage puts the
    /// pages' texts as it reads them.
    pub(crate) fn scratch(&self) -> Option<&Arc<Scratch>> {
        self.scratch.as_ref()
    }

    /// The scratch file the bodies' HTML was put in, for the site to read them from.
    pub(super) fn take_scratch(&mut self) -> Option<Arc<Scratch>> {
        self.scratch.take()
    }

    /// What this build keeps of the pages' bodies for the next.
    pub(crate) fn take_kept(&mut self) -> Option<Keeping> {
        self.keeping.take()
    }

    /// The front matter of each of `pages`, with what else its text tells
    /// ([`TextNotes`]) and the hash of its text, in their order; and whether
    /// a page could not be read (a page the load stage left unread; its
    /// error is its front matter's). Only the pages whose text is new are
    /// read (or taken as the last build kept them); `serve`'s cache keeps
    /// the others, and forgets the pages that are gone. A one-shot run
    /// hands each page on as it is found, without keeping it.
    pub(super) fn front_matters(&mut self, pages: &[SourceFile]) -> (Vec<Found>, bool) {
        if !self.pages.is_empty() {
            let present: HashSet<&OsStr> = pages.iter().map(|p| p.path.as_os_str()).collect();
            self.pages.retain(|path, _| present.contains(path.as_os_str()));
        }
        let changed: Vec<(&SourceFile, u64)> = pages
            .par_iter()
            .filter(|p| {
                self.pages.get(p.path.as_os_str()).is_none_or(|c| c.text != p.text || p.unread.is_some())
            })
            .map(|p| (p, p.text_print()))
            .collect();
        // A page whose text the last build read takes the front matter it
        // kept, and what else it found in the text (a build's cache, not
        // serve's, which holds its own).
        let kept_fronts: Vec<Option<(Box<KeptFront>, TextNotes)>> = changed
            .iter()
            .map(|&(p, print)| {
                let kept =
                    self.kept.as_mut()?.pages.get_mut(p.path.as_os_str()).filter(|k| k.text == print)?;
                Some((kept.front.take()?, kept.notes.clone()))
            })
            .collect();
        let mut looked = std::mem::take(self.looked.get_mut().unwrap_or_else(PoisonError::into_inner));
        let looked: Vec<Option<(Front, TextNotes)>> =
            changed.iter().map(|(p, _)| looked.remove(p.path.as_os_str())).collect();
        let parsed: Vec<(&SourceFile, Found, FoundIn)> = changed
            .into_par_iter()
            .zip(kept_fronts)
            .zip(looked)
            .map(|(((p, print), kept), looked)| {
                let (front, notes, how) = match (kept, looked) {
                    (Some((kept, notes)), _) => {
                        (Ok((Box::new(kept.meta), kept.facts)), notes, FoundIn::Taken)
                    }
                    (None, Some((front, notes))) => (front, notes, FoundIn::Parsed),
                    (None, None) => match p.read_text() {
                        Ok(text) => {
                            let (front, notes) = front_and_notes(&p.path, &text);
                            (front, notes, FoundIn::Parsed)
                        }
                        Err(d) => (Err(d), TextNotes::default(), FoundIn::Unreadable),
                    },
                };
                (p, Found { front, notes, print }, how)
            })
            .collect();
        if self.kept.is_some() {
            let taken = parsed.iter().filter(|(_, _, how)| *how == FoundIn::Taken).count();
            log::debug!(
                "parse: {taken} front matters taken from the build cache, {} read",
                parsed.len() - taken
            );
        }
        let unreadable = parsed.iter().any(|(_, _, how)| *how == FoundIn::Unreadable);
        // Every page is new to a one-shot run: `parsed` is in the pages' order.
        if self.one_shot {
            return (parsed.into_iter().map(|(_, found, _)| found).collect(), unreadable);
        }
        self.pages.extend(parsed.into_iter().map(|(p, found, _)| {
            let page = CachedPage { text: p.text.clone(), found: Box::new(found), body: None };
            (p.path.as_os_str().to_owned(), page)
        }));
        // Not reached: every page was just parsed or kept.
        let missing = |p: &SourceFile| Found {
            front: Err(Diagnostic::error(&p.path, "internal error: page not parsed")),
            notes: TextNotes::default(),
            print: 0,
        };
        let copy = |p: &SourceFile| {
            self.pages.get(p.path.as_os_str()).map_or_else(|| missing(p), |c| (*c.found).clone())
        };
        (pages.par_iter().map(copy).collect(), unreadable)
    }

    /// The rendered markdown of every kept page, in their order: cached
    /// for its text and this `index` (`serve`), taken from the build cache,
    /// or rendered now; `settings` is a hash of what else the bodies depend
    /// on (site.yaml), for the bodies a build keeps. A one-shot run puts
    /// each body's HTML in its scratch file.
    pub(super) fn render_markdown(
        &mut self,
        kept: &mut [Parsed],
        index: &PageIndex,
        settings: u64,
    ) -> Vec<Rendered> {
        let key: LinkKey = (
            kept.iter().map(|p| crate::url::content_key(&p.path)).collect(),
            index.paths.clone(),
            sorted(&index.drafts),
            sorted(index.sections.keys()),
            index.images.print,
            // Links to files beside the pages and to aliases are resolved
            // when a page is rendered (issue 14): adding a file or an alias
            // changes other pages' bodies.
            unordered_print(index.files.iter()) ^ unordered_print(index.aliases.iter()),
            (index.heading_ids, index.broken_links),
            // The languages' codes (a link that falls back to a page in
            // the default language carries its `hreflang`) and the callouts'
            // words in each (issue 15).
            languages_print(index),
        );
        // The key of the bodies a build keeps and takes: this key and the settings.
        let keeping_key = self.keeping.as_ref().map(|_| {
            let mut h = print();
            (&key, settings).hash(&mut h);
            h.finish()
        });
        if self.links.as_ref() != Some(&key) {
            for page in self.pages.values_mut() {
                page.body = None;
            }
            self.links = Some(key);
        }
        // Each page's kept body, moved out: taken if its text is the same.
        let mut takeable = self.kept.take().filter(|k| Some(k.key) == keeping_key);
        let mut kept_bodies: Vec<Option<Box<KeptBody>>> =
            kept.iter().map(|p| takeable.as_mut().and_then(|k| k.pages.remove(p.path.as_os_str()))).collect();
        let scratch = self.scratch.as_deref();
        // Bodies are cached between runs only by serve's cache.
        let cached = (!self.one_shot).then_some(&self.pages);
        let mut made: Vec<(Rendered, Option<KeptPiece>, bool)> = kept
            .par_iter_mut()
            .zip(&mut kept_bodies)
            .enumerate()
            .map(|(number, (p, kept_body))| {
                if let Some(body) = cached.and_then(|c| c.get(p.path.as_os_str())?.body.as_deref()) {
                    return (body.clone(), None, false);
                }
                let print = keeping_key.map(|_| p.print);
                let taken = kept_body.take().filter(|k| Some(k.text) == print);
                let path = &p.path;
                let stamp = self.stamps.get(path.as_os_str()).copied();
                let front = || KeptFront { meta: (*p.meta).clone(), facts: p.front.clone() };
                match taken {
                    Some(mut kept) => {
                        let keep = print.and_then(|_| {
                            if kept.stamp != stamp {
                                // As read but for its stamp: kept anew, with the front matter the parse stage took from it.
                                kept.restamp(front(), stamp);
                            }
                            Keeping::entry(path, &kept, scratch)
                        });
                        ((*kept).into_rendered(), keep, false)
                    }
                    None => {
                        let body = match p.text.read(&p.path) {
                            Ok(text) => {
                                let page = PageRef {
                                    file: &p.path,
                                    text: &text,
                                    body_offset: p.front.body_offset,
                                    number,
                                };
                                let mut body = render_markdown(&page, index);
                                if let Some(scratch) = scratch {
                                    store_html(&mut body, scratch);
                                }
                                body
                            }
                            Err(d) => Rendered { problems: vec![d], ..Rendered::default() },
                        };
                        let keep = print.and_then(|print| {
                            let kept = KeptBody::of(print, &body, front(), stamp, p.notes.clone());
                            Keeping::entry(path, &kept, scratch)
                        });
                        (body, keep, true)
                    }
                }
            })
            .collect();
        log::debug!(
            "parse: {} bodies rendered, {} kept by the build cache",
            made.iter().filter(|(_, _, now)| *now).count(),
            made.iter().filter(|(b, _, _)| b.kept).count()
        );
        if let (Some(keeping), Some(key)) = (&mut self.keeping, keeping_key) {
            keeping.key = key;
            keeping.pages = made.iter_mut().filter_map(|(_, k, _)| k.take()).collect();
            keeping.old = takeable.and_then(|k| k.file);
        }
        if !self.one_shot {
            for (p, (body, _, now)) in kept.iter().zip(&made) {
                if let Some(page) = self.pages.get_mut(p.path.as_os_str()).filter(|_| *now) {
                    page.body = Some(Box::new(body.clone()));
                }
            }
        }
        made.into_iter().map(|(body, _, _)| body).collect()
    }

    /// The bibliography in `file`, in `style`, for the site's `languages`
    /// (the default first), reused while they are unchanged: loading a
    /// style and its locales takes tens of milliseconds.
    pub(super) fn bibliography(
        &mut self,
        file: Option<SourceFile>,
        style: CitationStyle,
        languages: &[impl AsRef<str>],
    ) -> Result<Option<Bibliography>, Diagnostic> {
        let codes = languages.iter().map(|l| l.as_ref().to_string()).collect();
        let key = (file.as_ref().map(|f| (f.path.clone(), f.text.clone())), style, codes);
        if let Some((cached, result)) = &self.bibliography
            && *cached == key
        {
            return result.clone();
        }
        let result = parse_bibliography(file, style, languages);
        self.bibliography = Some((key, result.clone()));
        result
    }
}

/// Moves the HTML of `body` to `scratch`, if it can be written there.
fn store_html(body: &mut Rendered, scratch: &Scratch) {
    match Spilled::put(std::mem::take(&mut body.html), Some(scratch)) {
        Spilled::Stored(at) => body.stored = Some(at),
        Spilled::Held(html) => body.html = html,
    }
}

/// A hash of the site's language codes, in order, and the callouts' words in
/// each, which bodies are rendered with.
fn languages_print(index: &PageIndex) -> u64 {
    let mut h = print();
    index.languages.iter().for_each(|l| l.code.hash(&mut h));
    index.callout_words.hash(&mut h);
    h.finish()
}

fn sorted<'a>(set: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = set.into_iter().cloned().collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::text_print;
    use crate::error::Error;

    #[test]
    fn a_page_left_unread_that_is_gone_is_the_one_error() {
        let prices = "---\ntitle: Prices\n---\nFrom 300 euros.\n";
        let dir = crate::source::test_site(&[
            ("content/index.md", "---\ntitle: Home\n---\nSee [the prices](prices.md).\n"),
            ("content/prices.md", prices),
        ]);
        let root = dir.path();
        // Known by its stamp, so not read by the load stage; then removed.
        let known = |file: &Path| (file == Path::new("content/prices.md")).then(|| text_print(prices));
        let sources = crate::source::load_site_knowing(root, &known).unwrap();
        std::fs::remove_file(root.join("content/prices.md")).unwrap();
        let Err(Error::Site(problems)) = crate::site::parse_site(sources, &Default::default()) else {
            panic!("a page that cannot be read must fail the build")
        };
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].file, Path::new("content/prices.md"));
        assert!(problems[0].message.starts_with("cannot read"), "{}", problems[0].message);
    }
}
