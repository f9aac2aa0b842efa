//! Parse, part two: a page's markdown body to HTML.
//!
//! Beyond CommonMark (with tables, footnotes, strikethrough, smart
//! punctuation and `{#id}` heading attributes) this stage:
//! - gives every heading a unique `id` and a visible anchor link, and collects
//!   a table of contents;
//! - rewrites links written as paths to markdown files (`[risks](risks.md)`,
//!   `[washing](care/aftercare.md#washing)`) into relative URLs of those
//!   pages, and site-absolute links (`/images/a.png`) into relative ones, so
//!   the output works under any sub-path;
//! - reads links as their authors meant them (issue 14): files beside the
//!   page's file (`images/flow.png`, `../consent.pdf`) and pages named
//!   without `.md` (`setup/linux`, `/docs/Web/API/Foo_Bar/`) or by an alias
//!   are found from the page's file and written as URLs from its address
//!   ([`find_written`]); the address then shown is recorded with the link
//!   for `check`;
//! - reports links to pages that do not exist, and returns the `#anchor`s it
//!   saw so they can be checked once every page's headings are known;
//! - records what later stages need, with places ([`PageFacts`], see
//!   `facts.rs`): this is the only parse of a page's markdown.

use crate::collections::{HashMap, HashSet};
use std::cell::Cell;
use std::collections::VecDeque;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::content::TocEntry;
use crate::error::{Diagnostic, MAX_REPORTED_PER_FILE, NearNames};
use crate::url::{content_dir, has_scheme, resolve_source, site_path};

mod address;
mod facts;
mod heading_id;
mod title;
use address::names_a_page;
pub(crate) use address::{AddressLink, address_known, closest_id, unknown_address};
pub(crate) use facts::{BodyFacts, HeadingFact, LinkKind, PageFacts, Prose, ProseBlock};
use facts::{FactsCollector, dest_offset};
use heading_id::{HeadingIds, raw_html_ids};
pub use heading_id::{HeadingRule, Ids};
pub(crate) use title::leading_title;

/// What every page's links may point at: pages by their source path relative
/// to `content/` (`care/aftercare.md`), sections by their `_index.md`
/// (`news/_index.md`), and the URL path of each.
#[derive(Debug, Default)]
pub(crate) struct PageIndex {
    /// Source path relative to `content/`, with `/` -> page number.
    pub(crate) by_source: HashMap<String, usize>,
    /// A section's `_index.md` relative to `content/` -> its number in
    /// `paths`, which is after every page's (a link to it leads to its
    /// first listing page; a `#fragment` names a heading of its own text).
    pub(crate) sections: HashMap<String, usize>,
    /// Page number (then section, see `sections`) -> URL path.
    pub(crate) paths: Vec<String>,
    /// Page (then section) number -> its language's number.
    pub(crate) langs: Vec<usize>,
    /// Page number -> the file of the page it translates, relative to
    /// `content/` (its own in the default language).
    pub(crate) originals: Vec<String>,
    /// (The file a page or section translates, language number) -> the
    /// page's (or section's) number: where a link written to the original
    /// (`risks.md`) leads from a page in that language.
    pub(crate) translations: HashMap<(String, usize), usize>,
    /// The site's languages, the default first.
    pub(crate) languages: Vec<crate::language::Language>,
    /// Draft pages left out of this build, by source path relative to `content/`.
    pub(crate) drafts: HashSet<String>,
    /// Page (then section) number by address (`/care/aftercare/`).
    pub(crate) by_path: HashMap<String, usize>,
    /// Page (then section) number by the address its file gives, as links
    /// without `.md` name it (`care/aftercare` for `care/aftercare.md` and
    /// `care/aftercare/index.md`, see [`crate::url::source_address`]);
    /// `None` when two files give it.
    pub(crate) by_source_address: HashMap<String, Option<usize>>,
    /// Page number by the address of each of its `aliases` (`/old/`, `/old.html`).
    pub(crate) aliases: HashMap<String, usize>,
    /// The files beside the pages, by their path relative to `content/`
    /// (`care/images/flow.png`) -> their path in the output
    /// ([`crate::url::asset_output`]): what relative links to files name.
    pub(crate) files: std::sync::Arc<HashMap<String, String>>,
    /// The site's image files, for `<picture>`.
    pub(crate) images: std::sync::Arc<crate::image::ImageIndex>,
    /// The visible words of the callouts in each of the site's languages,
    /// in the order of [`CALLOUTS`] (English when unset).
    pub(crate) callout_words: std::sync::Arc<Vec<Vec<String>>>,
    /// How headings get their ids (`heading_ids:`).
    pub(crate) heading_ids: HeadingRule,
    /// Whether each body's prose ([`facts::Prose`]) and every link are
    /// recorded: only `check`'s advice reads them ([`crate::site::ParseOptions::advice`]).
    pub(crate) advice: bool,
    /// What a broken link is (`broken_links:`, `--broken-links`).
    pub(crate) broken_links: crate::config::BrokenLinks,
    /// Where the pages are published: links to another domain are absolute.
    pub(crate) domains: crate::domains::Domains,
    /// The pages' and sections' files, for suggestions, made when first needed.
    pub(crate) near_sources: std::sync::OnceLock<NearNames>,
    /// The addresses in `paths`, for suggestions, made when first needed.
    pub(crate) near_paths: std::sync::OnceLock<NearNames>,
}

/// A link to `#fragment` of page `page`, at byte `offset` of the linking file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct AnchorLink {
    pub(crate) page: usize,
    pub(crate) fragment: String,
    pub(crate) offset: usize,
}

/// The page being rendered.
pub(crate) struct PageRef<'a> {
    /// The file, relative to the site root.
    pub(crate) file: &'a Path,
    /// The whole file's text.
    pub(crate) text: &'a str,
    /// Where the body starts in `text`.
    pub(crate) body_offset: usize,
    /// This page's number in the index.
    pub(crate) number: usize,
}

/// A rendered body.
#[derive(Debug, Default, Clone)]
pub(crate) struct Rendered {
    pub(crate) html: String,
    pub(crate) ids: Ids,
    pub(crate) anchors: Vec<AnchorLink>,
    /// Each `[@key; ...]` group's keys, in order.
    pub(crate) citations: Vec<Vec<String>>,
    /// Links written as a site address instead of a page's file, checked
    /// once every output of the site is known ([`unknown_address`]).
    pub(crate) addresses: Vec<AddressLink>,
    /// Where in `html` each group's formatted form goes (byte offsets, in
    /// order): citations are formatted later, once the bibliography is read.
    pub(crate) cite_at: Vec<usize>,
    pub(crate) problems: Vec<Diagnostic>,
    /// Broken links past the first [`MAX_REPORTED_PER_FILE`], only counted.
    pub(crate) unreported: usize,
    /// What later stages need to know about the body, with places.
    pub(crate) facts: BodyFacts,
    /// The images shown as `<picture>`, by output path (`images/room.jpg`).
    pub(crate) images: Vec<String>,
    /// The building blocks placed in the body, in order of their opening
    /// lines ([`crate::blocks`]), with their bodies' places in `html`.
    pub(crate) blocks: Vec<crate::blocks::BlockUse>,
    /// Links that lead to a page in another language, the page having no
    /// translation into this page's (issue 15).
    pub(crate) fallbacks: Vec<Fallback>,
    /// Whether the body places building blocks.
    pub(crate) has_blocks: bool,
    /// What a rendered page's readers need of the tags of `html`, when it
    /// holds only what dotwork writes (`None` otherwise).
    pub(crate) tags: Option<BodyTags>,
    /// Not rendered: what other pages need of the body, as the last build
    /// rendered it, kept by the build cache (`cache/bodies.rs`). `html`,
    /// `toc`, `blocks`, `cite_at` and `facts` are empty.
    pub(crate) kept: bool,
    /// Where `html` was put in a one-shot run's scratch file (`html` is
    /// then empty), by the parse stage.
    pub(crate) stored: Option<crate::scratch::Stored>,
}

/// A link to a page of another language, written at byte `offset` of the
/// linking file: the page it names has no version in the linking page's
/// language, so it leads to `target` (a page or section number).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fallback {
    pub(crate) target: usize,
    pub(crate) offset: usize,
}

/// What the readers of a rendered page need of the tags of a body that
/// holds only what dotwork writes: no HTML of the author's, no image left as
/// written or shown from another site, no citation, and no id but its
/// headings' ([`heading_ids`]). Of inline code it holds only the `style`
/// attributes of its tables' cells, which pulldown-cmark writes for their
/// alignment. A page's readers pass over such a body instead of reading its
/// tags again (`render.rs`; issue 16: bodies hold three in five of a
/// page's tags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BodyTags {
    /// Which of [`ALIGNED`] its table cells have, a bit each.
    aligned: u8,
}

/// The `style` attributes pulldown-cmark writes on a table's cells.
const ALIGNED: [&str; 3] = ["text-align: left", "text-align: center", "text-align: right"];

impl BodyTags {
    /// The `style` attributes of its table cells, each once.
    pub(crate) fn styles(self) -> impl Iterator<Item = &'static str> {
        ALIGNED
            .into_iter()
            .enumerate()
            .filter(move |&(k, _)| self.aligned & (1 << k) != 0)
            .map(|(_, style)| style)
    }
}

/// The ids of a body's headings, in order, as the rendered page defines
/// them (the title's, not shown, first): each followed by `\0`, as
/// [`crate::check::links::PageIds`] holds them.
pub(crate) fn heading_ids(facts: &BodyFacts) -> String {
    let mut ids = String::new();
    for heading in facts.title_heading.iter().chain(&facts.headings) {
        push_id(&mut ids, heading.id());
    }
    ids
}

/// Adds `id` to `ids` ([`heading_ids`]), unless it holds a `\0`.
fn push_id(ids: &mut String, id: &str) {
    if !id.contains('\0') {
        ids.push_str(id);
        ids.push('\0');
    }
}

/// [`BodyTags`] as a body is written, with every id it defines.
#[derive(Debug, Default)]
struct TagsWritten {
    ids: String,
    aligned: u8,
}

impl TagsWritten {
    /// Notes the alignments of a table's columns.
    fn aligned(&mut self, columns: &[pulldown_cmark::Alignment]) {
        use pulldown_cmark::Alignment;
        for column in columns {
            self.aligned |= match column {
                Alignment::None => 0,
                Alignment::Left => 1,
                Alignment::Center => 2,
                Alignment::Right => 4,
            };
        }
    }

    /// What is known, if the ids written are those of the headings in
    /// `facts`, in their order.
    fn finish(self, facts: &BodyFacts) -> Option<BodyTags> {
        (self.ids == heading_ids(facts)).then_some(BodyTags { aligned: self.aligned })
    }
}

/// The kinds of GitHub alert: their class (and the key of their word in the
/// theme's translation files, `callout.note`) and their English word.
pub(crate) const CALLOUTS: [(&str, &str); 5] = [
    ("note", "Note"),
    ("tip", "Tip"),
    ("important", "Important"),
    ("warning", "Warning"),
    ("caution", "Caution"),
];

/// The class and visible label of a GitHub alert's callout.
fn callout(kind: pulldown_cmark::BlockQuoteKind, index: &PageIndex, lang: usize) -> (&'static str, &str) {
    use pulldown_cmark::BlockQuoteKind as K;
    let n = match kind {
        K::Note => 0,
        K::Tip => 1,
        K::Important => 2,
        K::Warning => 3,
        K::Caution => 4,
    };
    let (class, english) = CALLOUTS[n];
    (class, index.callout_words.get(lang).and_then(|w| w.get(n)).map_or(english, String::as_str))
}

/// Tags inside which a block's fence cannot be (fences are at column 0).
fn holds_fences_not(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::List(_)
            | Tag::Item
            | Tag::BlockQuote(_)
            | Tag::FootnoteDefinition(_)
            | Tag::HtmlBlock
            | Tag::DefinitionList
    )
}

/// The markdown extensions dotwork enables.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

/// Renders the body of `page` to HTML.
pub(crate) fn render_markdown(page: &PageRef<'_>, index: &PageIndex) -> Rendered {
    let original = &page.text[page.body_offset..];
    let from = index.paths[page.number].as_str();
    let mut out = Rendered::default();
    // Blocks: the fence lines are found first and blanked (the same number
    // of bytes, so every offset stays the file's), then marked in the
    // events where they were. A body with no line starting `::` skips this.
    let (fences, blanked) = if crate::blocks::may_hold_blocks(original) {
        let (fences, mut problems) = crate::blocks::scan(page.file, page.text, original, page.body_offset);
        out.problems.append(&mut problems);
        let blanked =
            (!fences.is_empty()).then(|| blank_lines(original, fences.iter().map(|f| f.line.clone())));
        (fences, blanked)
    } else {
        (Vec::new(), None)
    };
    let body = blanked.as_deref().unwrap_or(original);
    let (of_fence, mut blocks) =
        crate::blocks::pair(page.file, page.text, page.body_offset, &fences, &mut out.problems);
    let written = Cell::new(0);
    let mut html = String::with_capacity(body.len() + body.len() / 2);
    let mut events = BodyEvents {
        merged: MergedText::new(body, page.body_offset, index.advice),
        page,
        index,
        from,
        page_dir: content_dir(page.file),
        body,
        fences: &fences,
        next_fence: 0,
        depth: 0,
        ids: HeadingIds::new(index.heading_ids),
        footnotes: Vec::new(),
        held: None,
        headings: 0,
        lead: title::Lead::default(),
        shown: title::Shown::default(),
        ready: VecDeque::new(),
        in_code: false,
        in_image: 0,
        written: &written,
        cite_at: Vec::new(),
        marks: Vec::new(),
        tags: Some(TagsWritten::default()),
        out: &mut out,
    };
    // Writing to a String cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(Tracked { html: &mut html, written: &written }, &mut events);
    let BodyEvents { merged, ids, footnotes, shown, cite_at, marks, tags, .. } = events;
    shown.shift_html(&mut html);
    // Every page's body is held until it is rendered: no spare room (issue 16).
    html.shrink_to_fit();
    out.html = html;
    out.cite_at = cite_at;
    for ((fence, block), at) in fences.iter().zip(&of_fence).zip(marks) {
        let Some(b) = *block else { continue };
        match fence.fence {
            crate::blocks::Fence::Open { .. } => blocks[b].html = at..at,
            crate::blocks::Fence::Close { .. } => blocks[b].html.end = at,
        }
    }
    out.has_blocks = !blocks.is_empty();
    out.blocks = blocks;
    out.facts = merged.facts.finish();
    out.facts.title_heading = shown.shift_facts(&mut out.facts.headings);
    // Citations are placed in the HTML later.
    out.tags = tags.filter(|_| out.cite_at.is_empty()).and_then(|tags| tags.finish(&out.facts));
    // The heading ids, beside the footnotes' names collected above, and the
    // ids raw HTML sets (`<h3 id="x">`, `<a name="y">`): links may name any.
    let raw = if out.facts.raw_html.is_empty() {
        Vec::new()
    } else {
        raw_html_ids(out.facts.raw_html.iter().map(|r| r.html.as_str()))
    };
    out.ids = footnotes.into_iter().chain(ids.used).chain(raw).collect();
    out
}

/// The writer of a body's HTML, which tells [`BodyEvents`] how much it has
/// written.
struct Tracked<'h> {
    html: &'h mut String,
    written: &'h Cell<usize>,
}

impl std::fmt::Write for Tracked<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.html.push_str(s);
        self.written.set(self.html.len());
        Ok(())
    }
}

/// What a body's HTML is written from: the parser's events, each given to
/// pulldown-cmark's writer as it comes, or in place of it the HTML dotwork
/// writes itself (headings with their ids and anchors, pictures, callouts,
/// code blocks, the places of citations and blocks). No list of the page's
/// events is made: moving every event into one and out again, and taking
/// each apart and making it again on the way, was 2% of a cold build's CPU
/// time at 10,000 pages (issue 16).
///
/// Where an event is written is known when the writer asks for the next
/// one: pulldown-cmark's writer reads ahead only inside an image's
/// description, where nothing is noted.
struct BodyEvents<'a, 'r> {
    merged: MergedText<'a>,
    page: &'r PageRef<'a>,
    index: &'r PageIndex,
    /// The page's address.
    from: &'r str,
    /// The folder of the page's file, under `content/`.
    page_dir: String,
    body: &'a str,
    out: &'r mut Rendered,
    /// The blocks' fence lines, blanked in `body`, and how many are marked.
    fences: &'r [crate::blocks::FenceLine],
    next_fence: usize,
    /// How deep in lists, quotes and HTML blocks, where no fence may be.
    depth: usize,
    ids: HeadingIds,
    footnotes: Vec<String>,
    /// The heading or definition list term being read, and its events,
    /// held until its end: its id is made from its text.
    held: Option<(Held, Vec<(Event<'a>, Note)>)>,
    /// How many headings were read.
    headings: usize,
    /// The body's own `# Title`, not shown; later h1s shift (`title.rs`).
    lead: title::Lead,
    shown: title::Shown,
    /// Events made and not yet given to the writer.
    ready: VecDeque<(Event<'a>, Note)>,
    /// Inside a code block, and how deep in images' descriptions: no
    /// citation is there.
    in_code: bool,
    in_image: usize,
    /// How many bytes are written: where the next event given goes.
    written: &'r Cell<usize>,
    /// Where each citation group is to be placed (in order), and where each
    /// fence was.
    cite_at: Vec<usize>,
    marks: Vec<usize>,
    /// What is known of the tags written, while the body holds only what
    /// dotwork writes.
    tags: Option<TagsWritten>,
}

/// What [`BodyEvents`] holds the events of until its end.
enum Held {
    Heading { level: HeadingLevel, id: Option<String>, class: String },
    Term,
}

/// What to note of where an event is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Note {
    Nothing,
    /// Where a block's fence was (the event is empty).
    Fence,
    /// Where a citation group goes (the event is empty).
    Cite,
    /// A heading's level, the digit this many bytes into the event's HTML,
    /// shifted once the whole body is read if an h1 is left (`title.rs`).
    Level(usize),
}

impl<'a> Iterator for BodyEvents<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some((event, note)) = self.ready.pop_front() {
                let at = self.written.get();
                match note {
                    Note::Nothing => {}
                    Note::Fence => self.marks.push(at),
                    Note::Cite => self.cite_at.push(at),
                    Note::Level(k) => self.shown.level_at(at + k),
                }
                return Some(event);
            }
            match self.merged.next_event() {
                Some((event, range)) => {
                    if let Some(event) = self.read(event, range) {
                        return Some(event);
                    }
                }
                None if self.next_fence < self.fences.len() => {
                    for _ in self.next_fence..self.fences.len() {
                        self.put(Event::Html(CowStr::Borrowed("")), Note::Fence);
                    }
                    self.next_fence = self.fences.len();
                }
                None => return None,
            }
        }
    }
}

impl<'a> BodyEvents<'a, '_> {
    /// Reads the parser's next event, found at `range` of the body: gives
    /// it back if it is to be written now, as it is (most are).
    fn read(&mut self, event: Event<'a>, range: Range<usize>) -> Option<Event<'a>> {
        let (page, index) = (self.page, self.index);
        if self.next_fence < self.fences.len() && !matches!(event, Event::End(_)) {
            while let Some(f) = self.fences.get(self.next_fence).filter(|f| f.line.start < range.start) {
                if self.depth > 0 {
                    self.out.problems.push(
                        Diagnostic::error(page.file, "a block's fence inside a list, quote or HTML block")
                            .at_offset(page.text, page.body_offset + f.line.start)
                            .with_help("leave a blank line before it and write blocks outside lists and quotes, at the start of the line"),
                    );
                }
                self.emit(Event::Html(CowStr::Borrowed("")), Note::Fence);
                self.next_fence += 1;
            }
        }
        match &event {
            Event::Start(tag) if holds_fences_not(tag) => self.depth += 1,
            Event::End(
                TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock
                | TagEnd::DefinitionList,
            ) => self.depth = self.depth.saturating_sub(1),
            // The author's own HTML.
            Event::Html(_) | Event::InlineHtml(_) => self.tags = None,
            Event::Start(Tag::Table(columns)) => {
                if let Some(tags) = &mut self.tags {
                    tags.aligned(columns);
                }
            }
            _ => {}
        }
        // A block's fence (blanked above) comes before anything inside it.
        if self.next_fence == 0 && self.lead.opens_title(&event) {
            self.shown.dropped = Some(self.headings);
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                let class = if classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", escape_html(&classes.join(" ")))
                };
                let id = id.map(|s| s.to_string());
                self.held = Some((Held::Heading { level, id, class }, Vec::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((Held::Heading { level, id: given_id, class }, inside)) = self.held.take() else {
                    return None;
                };
                let title = plain_text(inside.iter().map(|(e, _)| e));
                let base = given_id.unwrap_or_else(|| index.heading_ids.slug(&title));
                let id = self.ids.unique_id(if base.is_empty() { "section".into() } else { base });
                let number = self.headings;
                self.headings += 1;
                if self.shown.dropped == Some(number) {
                    // The title heading is the theme's `<h1>`; its id stays
                    // a target where it stood (links written for the source
                    // platform name it: `aftercare.md#aftercare`).
                    let target = format!("<a id=\"{}\"></a>\n", escape_html(&id));
                    self.put(Event::Html(target.into()), Note::Nothing);
                    self.id_written(&id);
                    self.merged.facts.name_heading(number, &id, &title);
                    return None;
                }
                let n = level as u8;
                let id_html = escape_html(&id);
                self.put(Event::Html(format!("<h{n} id=\"{id_html}\"{class}>").into()), Note::Level(2));
                self.id_written(&id);
                for (event, note) in inside {
                    self.put(event, note);
                }
                // A link named by its heading, so it needs no words of any
                // language, and no `#` (issue 13: it showed as a stray
                // character on phones, in feeds and in reader views). Its
                // icon is the theme's to draw (the clinic theme's CSS):
                // written into every heading, its SVG was 3-4% of a cold
                // build's instructions (issue 16).
                let level_digit = char::from(b'0' + n);
                let anchor = [
                    " <a class=\"anchor\" href=\"#",
                    &id_html,
                    "\" aria-labelledby=\"",
                    &id_html,
                    "\"></a></h",
                    level_digit.encode_utf8(&mut [0; 4]),
                    ">\n",
                ]
                .concat();
                // The digit of `</hN>\n`.
                let digit = anchor.len() - 3;
                self.put(Event::Html(anchor.into()), Note::Level(digit));
                self.shown.wrote(n);
                self.merged.facts.name_heading(number, &id, &title);
            }
            // A definition list's term is a link target, as a heading is
            // (documentation sets link to `#term`), by the same id rule.
            Event::Start(Tag::DefinitionListTitle) => self.held = Some((Held::Term, Vec::new())),
            Event::End(TagEnd::DefinitionListTitle) => {
                let Some((Held::Term, inside)) = self.held.take() else { return None };
                let base = index.heading_ids.slug(&plain_text(inside.iter().map(|(e, _)| e)));
                let id = self.ids.unique_id(if base.is_empty() { "term".into() } else { base });
                self.put(Event::Html(format!("<dt id=\"{}\">", escape_html(&id)).into()), Note::Nothing);
                self.id_written(&id);
                for (event, note) in inside {
                    self.put(event, note);
                }
                self.put(Event::Html(CowStr::Borrowed("</dt>\n")), Note::Nothing);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let offset = || page.body_offset + dest_offset(self.body, &range, &dest_url);
                let fallbacks = self.out.fallbacks.len();
                let rewritten =
                    rewrite_link(&dest_url, offset, self.from, &self.page_dir, page, index, self.out);
                if rewritten != dest_url {
                    self.merged.facts.rewrote_last_link(&rewritten);
                }
                // A link to a page in another language says which (issue 15).
                if let Some(fallback) = self.out.fallbacks.get(fallbacks) {
                    let lang = &index.languages[index.lang_of(fallback.target)].code;
                    let mut a = format!("<a href=\"{}\"", escape_html(&rewritten));
                    if !title.is_empty() {
                        a.push_str(&format!(" title=\"{}\"", escape_html(&title)));
                    }
                    a.push_str(&format!(" hreflang=\"{}\">", escape_html(lang)));
                    self.emit(Event::InlineHtml(a.into()), Note::Nothing);
                    return None;
                }
                self.emit(
                    Event::Start(Tag::Link { link_type, dest_url: rewritten, title, id }),
                    Note::Nothing,
                );
            }
            Event::Start(Tag::Image { link_type, dest_url: written, title, id }) => {
                let offset = || page.body_offset + dest_offset(self.body, &range, &written);
                // Resolved as a link is (against the page's file first), so
                // that `<picture>` and a plain image follow the same rule.
                let dest_url =
                    rewrite_link(&written, offset, self.from, &self.page_dir, page, index, self.out);
                if dest_url != written {
                    self.merged.facts.rewrote_last_link(&dest_url);
                }
                match crate::image::resolve(&index.images, self.from, &dest_url) {
                    crate::image::Named::Image(image) => {
                        let alt = image_alt(&mut self.merged);
                        let first = self.out.images.is_empty();
                        let (picture, elsewhere) =
                            picture_markup(index, image, &alt, &title, self.from, first);
                        if elsewhere {
                            self.tags = None;
                        }
                        self.emit(Event::Html(picture.into()), Note::Nothing);
                        self.out.images.push(image.output.clone());
                        return None;
                    }
                    crate::image::Named::Unreadable(why) => {
                        self.out
                            .problems
                            .push(Diagnostic::error(page.file, why).at_offset(page.text, offset()));
                    }
                    crate::image::Named::PassThrough | crate::image::Named::Missing(_) => {}
                }
                // An image as written may come from another site, which the
                // check of the page's origins must see.
                self.tags = None;
                self.emit(Event::Start(Tag::Image { link_type, dest_url, title, id }), Note::Nothing);
            }
            // GitHub alerts (`> [!WARNING]`): a callout with its word shown.
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout(kind, index, index.lang_of(page.number));
                let open = format!(
                    "<blockquote class=\"callout callout-{class}\">\n<p class=\"callout-label\">{}</p>\n",
                    escape_html(label)
                );
                self.emit(Event::Html(open.into()), Note::Nothing);
            }
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                self.footnotes.push(name.to_string());
                self.id_written(name);
                self.emit(event, Note::Nothing);
            }
            other => return self.pass(other),
        }
        None
    }

    /// Notes an id written, in the order of the HTML: the heading's comes
    /// before what is inside it, which defines none.
    fn id_written(&mut self, id: &str) {
        if let Some(tags) = &mut self.tags {
            push_id(&mut tags.ids, id);
        }
    }

    /// Passes on `event`, one of the parser's as it is: given back to be
    /// written now if nothing comes before it and [`Self::put`] neither
    /// changes nor counts it, else [`Self::emit`]ted.
    #[inline]
    fn pass(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        let own = match &event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. })
            | Event::End(TagEnd::CodeBlock | TagEnd::Image) => true,
            Event::Text(text) => self.may_cite(text),
            _ => false,
        };
        if own || self.held.is_some() || !self.ready.is_empty() {
            self.emit(event, Note::Nothing);
            return None;
        }
        Some(event)
    }

    /// Passes on `event`: held with the heading or term being read, if one
    /// is, else made ready for the writer.
    fn emit(&mut self, event: Event<'a>, note: Note) {
        match &mut self.held {
            Some((_, inside)) => inside.push((event, note)),
            None => self.put(event, note),
        }
    }

    /// Makes `event` ready for the writer, in the HTML dotwork writes for
    /// it: a code block focusable, and `[@key]` groups taken out of text
    /// (outside code and image descriptions) for their places to be noted.
    fn put(&mut self, event: Event<'a>, note: Note) {
        match event {
            // A code block scrolls sideways on a phone (theme); `tabindex`
            // lets a keyboard scroll it too (WCAG 2.1.1, axe's
            // scrollable-region-focusable).
            Event::Start(Tag::CodeBlock(kind)) => {
                self.in_code = true;
                self.ready.push_back((Event::Html(code_block_start(&kind).into()), note));
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.ready.push_back((Event::Html(CowStr::Borrowed("</code></pre>\n")), note));
            }
            Event::Text(text) if self.may_cite(&text) => {
                let found = crate::citations::find_citations(&text);
                let mut last = 0;
                for (range, keys) in found {
                    if range.start > last {
                        self.ready.push_back((
                            Event::Text(text[last..range.start].to_string().into()),
                            Note::Nothing,
                        ));
                    }
                    self.ready.push_back((Event::Html(CowStr::Borrowed("")), Note::Cite));
                    self.out.citations.push(keys);
                    last = range.end;
                }
                let rest = if last == 0 { text } else { text[last..].to_string().into() };
                if !rest.is_empty() {
                    self.ready.push_back((Event::Text(rest), note));
                }
            }
            event => {
                match event {
                    Event::Start(Tag::Image { .. }) => self.in_image += 1,
                    Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
                    _ => {}
                }
                self.ready.push_back((event, note));
            }
        }
    }

    /// Whether `text`, written next, may hold a citation: outside code and
    /// image descriptions, by its `[@`, whose `@` is rare in prose
    /// (`str::contains` prepares a search for each of a page's hundred
    /// texts; issue 16).
    fn may_cite(&self, text: &str) -> bool {
        let b = text.as_bytes();
        !self.in_code && self.in_image == 0 && memchr::memchr_iter(b'@', b).any(|i| i > 0 && b[i - 1] == b'[')
    }
}

/// The parser's events with adjacent text joined where a citation may have
/// been split: the parser ends text at every `[`, and `[@key]` must be found
/// whole. Text inside code blocks is left apart (it is never a citation).
///
/// Every event, as the parser gives it, is shown to a [`FactsCollector`]:
/// this is the one parse of the page's markdown.
struct MergedText<'a> {
    inner: pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>,
    stashed: Option<(Event<'a>, Range<usize>)>,
    in_code: bool,
    facts: FactsCollector<'a>,
}

impl<'a> MergedText<'a> {
    fn new(body: &'a str, body_offset: usize, advice: bool) -> Self {
        MergedText {
            inner: Parser::new_ext(body, options()).into_offset_iter(),
            stashed: None,
            in_code: false,
            facts: FactsCollector::new(body, body_offset, advice),
        }
    }

    /// The parser's next event, recorded.
    fn pull(&mut self) -> Option<(Event<'a>, Range<usize>)> {
        let next = self.inner.next()?;
        self.facts.observe(&next.0, &next.1);
        Some(next)
    }

    fn next_event(&mut self) -> Option<(Event<'a>, Range<usize>)> {
        // Asked before it is taken: taking moves the whole event out and
        // writes `None` back even when there is none, on every event. The
        // event is looked at in place, and moved on whole (issue 16: taking
        // it apart and making it again was most of this function's time).
        let next = if self.stashed.is_some() { self.stashed.take()? } else { self.pull()? };
        match &next.0 {
            // The parser ends a text piece at each `[`; only then can a
            // citation be split, so only then are the pieces joined.
            Event::Text(first) if !self.in_code && first.ends_with('[') => return Some(self.joined(next)),
            Event::Start(Tag::CodeBlock(_)) => self.in_code = true,
            Event::End(TagEnd::CodeBlock) => self.in_code = false,
            _ => {}
        }
        Some(next)
    }

    /// The text `first` joined with the texts right after it.
    #[cold]
    fn joined(&mut self, first: (Event<'a>, Range<usize>)) -> (Event<'a>, Range<usize>) {
        let (Event::Text(first), range) = first else { return first };
        let mut joined: Option<String> = None;
        let mut end = range.end;
        while let Some((next, next_range)) = self.pull() {
            match next {
                Event::Text(more) => {
                    joined.get_or_insert_with(|| first.to_string()).push_str(&more);
                    end = next_range.end;
                }
                other => {
                    self.stashed = Some((other, next_range));
                    break;
                }
            }
        }
        let text = joined.map_or(first, CowStr::from);
        (Event::Text(text), range.start..end)
    }
}

/// The alt text of the image whose start was just read: its description's
/// text, without markup, up to its end (which is consumed).
fn image_alt(merged: &mut MergedText<'_>) -> String {
    let mut depth = 1;
    let mut described = Vec::new();
    while let Some((event, _)) = merged.next_event() {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            other => described.push(other),
        }
    }
    plain_text(&described)
}

/// The `<picture>` of `image`, shown on the page at `from`: the first of
/// the page's pictures (`first`) loads at once. True beside it when it
/// names a file by an address with a scheme or a host (on another domain
/// of the site), not relative to the page.
fn picture_markup(
    index: &PageIndex,
    image: &std::sync::Arc<crate::image::SourceImage>,
    alt: &str,
    title: &str,
    from: &str,
    first: bool,
) -> (String, bool) {
    let images = &index.images;
    let planned = images.plan(image);
    let loading = if first { crate::image::Loading::Eager } else { crate::image::Loading::Lazy };
    let title = (!title.is_empty()).then_some(title);
    let elsewhere = Cell::new(false);
    let html = crate::image::picture_html(&planned, alt, title, loading, &images.settings.sizes, &|to| {
        let url = index.domains.file_link(from, to);
        if has_scheme(&url) || url.starts_with("//") {
            elsewhere.set(true);
        }
        url
    });
    (html, elsewhere.get())
}

/// The opening tags of a code block: as pulldown-cmark writes them (the
/// info string's first word as `language-` class), focusable.
fn code_block_start(kind: &pulldown_cmark::CodeBlockKind<'_>) -> String {
    let lang = match kind {
        pulldown_cmark::CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or_default(),
        pulldown_cmark::CodeBlockKind::Indented => "",
    };
    if lang.is_empty() {
        "<pre tabindex=\"0\"><code>".to_string()
    } else {
        format!("<pre tabindex=\"0\"><code class=\"language-{}\">", escape_html(lang))
    }
}

/// `text` with the bytes of each of `lines` (ranges of it) made spaces.
fn blank_lines(text: &str, lines: impl Iterator<Item = Range<usize>>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for line in lines {
        out.push_str(&text[last..line.start]);
        out.extend(std::iter::repeat_n(' ', line.len()));
        last = line.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `offset` gives where the link is written, for diagnostics and anchors
/// (found only when needed: most links need neither).
fn rewrite_link<'a>(
    dest: &CowStr<'a>,
    offset: impl Fn() -> usize,
    from: &str,
    page_dir: &str,
    page: &PageRef<'_>,
    index: &PageIndex,
    out: &mut Rendered,
) -> CowStr<'a> {
    let kind = classify(dest);
    let found = matches!(kind, Dest::Keep | Dest::SiteAbsolute(_))
        .then(|| find_written(dest, from, page_dir, index))
        .flatten();
    if let Some(found) = found {
        let (path, rest) = dest.split_at(dest.find(['?', '#']).unwrap_or(dest.len()));
        let mut url = match found {
            Found::File(output) => index.domains.file_link(from, &format!("/{}", encode_file_path(output))),
            Found::Page(target) => {
                let (target, fell_back) = index.in_language(target, index.lang_of(page.number));
                if fell_back {
                    out.fallbacks.push(Fallback { target, offset: offset() });
                }
                let fragment = rest.split_once('#').map_or("", |(_, f)| f);
                if !fragment.is_empty() {
                    out.anchors.push(AnchorLink {
                        page: target,
                        fragment: fragment.to_string(),
                        offset: offset(),
                    });
                }
                index.domains.link(from, &index.paths[target])
            }
        };
        // Already what it names from the page's address: as written.
        if url == path {
            return dest.clone();
        }
        url.push_str(rest);
        return url.into();
    }
    match kind {
        Dest::Keep => {
            let relative = !dest.starts_with("//") && !has_scheme(dest) && !dest.is_empty();
            if relative && names_a_page(dest) {
                let path = site_path(from, dest);
                out.addresses.push(AddressLink::new(dest, path, offset()));
            }
            dest.clone()
        }
        Dest::Fragment(fragment) => {
            if !fragment.is_empty() {
                out.anchors.push(AnchorLink {
                    page: page.number,
                    fragment: fragment.to_string(),
                    offset: offset(),
                });
            }
            dest.clone()
        }
        Dest::SiteAbsolute(path) => {
            if names_a_page(path) {
                let site = site_path(from, path);
                out.addresses.push(AddressLink::new(path, site, offset()));
            }
            if names_a_page(path) {
                index.domains.link(from, path)
            } else {
                index.domains.file_link(from, path)
            }
            .into()
        }
        Dest::Markdown { path, fragment } => {
            // `Read%20Me.md` names `Read Me.md`, as on GitHub.
            let key = resolve_source(page_dir, &crate::url::decode_lossy(path));
            match key.as_deref().and_then(|k| index.target(k)) {
                Some(target) => {
                    let (target, fell_back) = index.in_language(target, index.lang_of(page.number));
                    if fell_back {
                        out.fallbacks.push(Fallback { target, offset: offset() });
                    }
                    if !fragment.is_empty() {
                        out.anchors.push(AnchorLink {
                            page: target,
                            fragment: fragment.to_string(),
                            offset: offset(),
                        });
                    }
                    let mut url = index.domains.link(from, &index.paths[target]);
                    if !fragment.is_empty() {
                        url.push('#');
                        url.push_str(fragment);
                    }
                    url.into()
                }
                None if out.problems.len() >= MAX_REPORTED_PER_FILE => {
                    out.unreported += 1;
                    dest.clone()
                }
                None => {
                    let d = missing_page(page.file, path, key.as_deref(), index);
                    let d = d.with_severity(index.broken_links.severity());
                    out.problems.push(d.at_offset(page.text, offset()));
                    dest.clone()
                }
            }
        }
    }
}

/// What a link written without `.md`, or to a file, names once read as its
/// author meant it (issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found<'i> {
    /// A file beside the pages, by its output path.
    File(&'i str),
    /// A page or section, by number.
    Page(usize),
}

/// The file or page the relative or site-absolute `dest`, written on the
/// page at `from` whose file is in `page_dir`, names when that is not what
/// a browser would read from it: `None` to leave it as it is.
///
/// - A file (`images/flow.png`, `../consent.pdf`, `/3d_model/a.png`) is
///   looked for beside the page's file, as `.md` links are (from `content/`
///   for `/...`): every page is published as a folder, so the same address
///   read from the page's own address would be one level too deep.
/// - An address that is a page's (or an alias's) as the browser reads it
///   is left alone. Otherwise it may name a page by its file without `.md`
///   (`setup/linux`, `/docs/Web/API/Foo_Bar/`, `../guide/`): against the
///   page's file first, then against its address as a browser reads it,
///   then as an alias. Two different pages found: left as written, for
///   `check` to judge.
fn find_written<'i>(dest: &str, from: &str, page_dir: &str, index: &'i PageIndex) -> Option<Found<'i>> {
    if dest.starts_with("//") || has_scheme(dest) {
        return None;
    }
    let path = dest.split(['?', '#']).next().unwrap_or(dest);
    if path.is_empty() {
        return None;
    }
    let from_file = || resolve_source(page_dir, &crate::url::decode_lossy(path));
    if !names_a_page(path) {
        let key = from_file()?;
        return index.files.get(&key).map(|output| Found::File(output.as_str()));
    }
    // Most links written as addresses are a page's: found without a copy.
    let browser = site_path(from, path);
    if let Some(b) = &browser {
        let known = |p: &str| index.by_path.contains_key(p);
        if known(b) || (!b.ends_with('/') && known(&format!("{b}/"))) {
            return None;
        }
    }
    let by_file = from_file().as_deref().and_then(|k| index.page_by_source_address(k));
    let by_address = browser
        .as_deref()
        .and_then(|b| index.page_by_source_address(b.trim_start_matches('/')).or_else(|| index.alias(b)));
    match (by_file, by_address) {
        (Some(a), Some(b)) if a != b => None,
        (Some(found), _) | (None, Some(found)) => Some(Found::Page(found)),
        (None, None) => None,
    }
}

/// An output path as a link writes it: `#`, `?` and `%` in a file's name
/// escaped, so that they are read as part of it.
fn encode_file_path(output: &str) -> std::borrow::Cow<'_, str> {
    if output.contains(['#', '?', '%']) {
        output.replace('%', "%25").replace('#', "%23").replace('?', "%3F").into()
    } else {
        output.into()
    }
}

/// A link to the page `written` (`risk.md`) in `file` names no page: `key`
/// being the content path it names, `None` when it points outside content/.
/// The caller gives it a place.
fn missing_page(file: &Path, written: &str, key: Option<&str>, index: &PageIndex) -> Diagnostic {
    let message = match key {
        Some(k) if index.drafts.contains(k) => {
            format!("link to `{written}`, which is a draft (drafts are built only with --drafts)")
        }
        Some(k) => format!("link to `{written}`, but there is no page content/{k}"),
        None => format!("link to `{written}`, which points outside content/"),
    };
    let mut d = Diagnostic::error(file, message);
    if let Some(best) = key.and_then(|k| index.near_sources().best(k)) {
        d = d.with_help(format!("did you mean `{}`?", relative_to(best, &content_dir(file))));
    }
    d
}

/// The page a link to a markdown file written outside the body (a front
/// matter value such as `followup_page: aftercare.md#washing`) names, with
/// its fragment: resolved as a link in the body is. The problem comes
/// without a place, for the caller to give it one.
pub(crate) fn page_link<'a>(
    file: &Path,
    written: &'a str,
    index: &PageIndex,
) -> Result<(usize, &'a str), Diagnostic> {
    let Dest::Markdown { path, fragment } = classify(written) else {
        return Err(Diagnostic::error(file, format!("`{written}` is not a link to a page's markdown file"))
            .with_help("name the page's file, as a link in the text would: aftercare.md"));
    };
    let key = resolve_source(&content_dir(file), path);
    match key.as_deref().and_then(|k| index.by_source.get(k)) {
        Some(&target) => {
            let from = index.by_source.get(&crate::url::content_key(file)).map_or(0, |&n| index.lang_of(n));
            Ok((index.in_language(target, from).0, fragment))
        }
        None if key.as_deref().is_some_and(|k| index.sections.contains_key(k)) => {
            Err(Diagnostic::error(file, format!("`{written}` is a section's listing, not a page"))
                .with_help("name the page's file, as a link in the text would: aftercare.md"))
        }
        None => Err(missing_page(file, path, key.as_deref(), index)),
    }
}

impl PageIndex {
    /// The language of page or section number `n` (0 when unknown).
    pub(crate) fn lang_of(&self, n: usize) -> usize {
        self.langs.get(n).copied().unwrap_or(0)
    }

    /// Where a link to page or section `target`, written on a page in
    /// language `lang`, leads: to `target`'s version in `lang` when the
    /// link names a default-language file that has one; to `target` itself
    /// otherwise, with `true` when that is a fall-back to another
    /// language's page (issue 15). A link written to a translation's own
    /// file (`risks.es.md`) leads to it.
    pub(crate) fn in_language(&self, target: usize, lang: usize) -> (usize, bool) {
        let own = self.lang_of(target);
        if own == lang || own != 0 {
            return (target, false);
        }
        let original = match self.originals.get(target) {
            Some(original) => original.as_str(),
            // A section: its number follows the pages'.
            None => match self.sections.iter().find(|&(_, &n)| n == target) {
                Some((key, _)) => key.as_str(),
                None => return (target, false),
            },
        };
        match self.translations.get(&(original.to_string(), lang)) {
            Some(&found) => (found, false),
            None => (target, true),
        }
    }

    /// The pages' and sections' files, indexed for suggestions.
    pub(crate) fn near_sources(&self) -> &NearNames {
        self.near_sources.get_or_init(|| {
            NearNames::new(self.by_source.keys().chain(self.sections.keys()).map(String::as_str))
        })
    }

    /// The addresses of the pages and sections, indexed for suggestions.
    pub(crate) fn near_paths(&self) -> &NearNames {
        self.near_paths.get_or_init(|| NearNames::new(self.paths.iter().map(String::as_str)))
    }

    /// The number in `paths` of the page or section whose file is `key`
    /// (relative to `content/`).
    pub(crate) fn target(&self, key: &str) -> Option<usize> {
        self.by_source.get(key).or_else(|| self.sections.get(key)).copied()
    }

    /// The page or section a link without `.md` names by its file
    /// (`care/aftercare`, `docs/setup/linux.html`, `guide/`, `guide/index.html`;
    /// relative to `content/`), when exactly one file gives that address.
    pub(crate) fn page_by_source_address(&self, link: &str) -> Option<usize> {
        let link = link.trim_matches('/');
        let link = link.strip_suffix(".html").or_else(|| link.strip_suffix(".htm")).unwrap_or(link);
        self.by_source_address.get(crate::url::without_index(link)).copied().flatten()
    }

    /// The page with the alias `address` (`/old/`, `/old`, `/old.html`).
    pub(crate) fn alias(&self, address: &str) -> Option<usize> {
        let found = self.aliases.get(address).copied();
        found.or_else(|| {
            if address.ends_with('/') { None } else { self.aliases.get(&format!("{address}/")).copied() }
        })
    }

    /// Adds what is known of every page and section once all are numbered:
    /// the lookups by address ([`Self::by_path`], [`Self::by_source_address`]).
    pub(crate) fn index_addresses(&mut self) {
        // Each on a core of its own.
        let (by_path, by_source_address) = rayon::join(
            || self.paths.iter().enumerate().map(|(n, p)| (p.clone(), n)).collect(),
            || {
                let mut by_source_address: HashMap<String, Option<usize>> = HashMap::default();
                let mut sources: Vec<(&String, &usize)> =
                    self.by_source.iter().chain(&self.sections).collect();
                // In file order, so what is ambiguous does not depend on hashing.
                sources.sort_unstable();
                for (key, &n) in sources {
                    let address = crate::url::source_address(key).to_string();
                    by_source_address
                        .entry(address)
                        .and_modify(|found| {
                            if *found != Some(n) {
                                *found = None;
                            }
                        })
                        .or_insert(Some(n));
                }
                by_source_address
            },
        );
        self.by_path = by_path;
        self.by_source_address = by_source_address;
    }

    /// The file (relative to `content/`) of the page or section with number `n` in `paths`.
    pub(crate) fn source_of(&self, n: usize) -> Option<&str> {
        self.by_source.iter().chain(&self.sections).find(|&(_, &i)| i == n).map(|(source, _)| source.as_str())
    }
}

/// `best` (relative to `content/`) as the page at `dir` would write it.
fn relative_to(best: &str, dir: &str) -> String {
    if dir.is_empty() { best.to_string() } else { format!("/{best}") }
}

/// What a link destination is, for rewriting.
#[derive(Debug, PartialEq, Eq)]
enum Dest<'a> {
    /// External, `mailto:`, relative URL to a non-markdown file: left alone.
    Keep,
    /// `#section` on the same page.
    Fragment(&'a str),
    /// `/images/a.png`: made relative.
    SiteAbsolute(&'a str),
    /// `risks.md#x`: becomes that page's URL.
    Markdown { path: &'a str, fragment: &'a str },
}

fn classify(dest: &str) -> Dest<'_> {
    if let Some(fragment) = dest.strip_prefix('#') {
        return Dest::Fragment(fragment);
    }
    if dest.starts_with("//") || has_scheme(dest) || dest.is_empty() {
        return Dest::Keep;
    }
    let (path, fragment) = dest.split_once('#').unwrap_or((dest, ""));
    let bare = path.split('?').next().unwrap_or(path);
    if bare.ends_with(".md") || bare.ends_with(".markdown") {
        Dest::Markdown { path: bare, fragment }
    } else if dest.starts_with('/') {
        Dest::SiteAbsolute(dest)
    } else {
        Dest::Keep
    }
}

/// The text of a heading's events, without markup.
fn plain_text<'e, 'x: 'e>(events: impl IntoIterator<Item = &'e Event<'x>>) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

/// Nests h2s and h3s into a table of contents; other levels are left out.
pub(crate) fn build_toc(headings: &[HeadingFact]) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for h in headings {
        let entry = TocEntry {
            level: h.level,
            id: h.id().to_string(),
            title: h.text().to_string(),
            children: Vec::new(),
        };
        match (h.level, toc.last_mut()) {
            (2, _) => toc.push(entry),
            (3, Some(parent)) => parent.children.push(entry),
            (3, None) => toc.push(entry),
            _ => {}
        }
    }
    toc
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html_into(&mut out, s);
    out
}

/// [`escape_html`], appended to `out`: runs without `&<>"'` are copied whole.
pub(crate) fn escape_html_into(out: &mut String, s: &str) {
    let mut copied = 0;
    for (i, escaped) in html_specials(s) {
        out.push_str(&s[copied..i]);
        out.push_str(escaped);
        copied = i + 1;
    }
    out.push_str(&s[copied..]);
}

/// [`escape_html`] as the templates' escape (`{{ value }}`): Tera's own
/// writes every byte on its own, which made feeds, whose entries are whole
/// pages of HTML, cost more to render than their pages.
pub(crate) fn escape_html_io(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if html_specials(s).next().is_none() {
        return out.write_all(s.as_bytes());
    }
    // Escaped here and written once: a write through `dyn Write` for each
    // piece cost more than the escaping (a feed entry is a page of HTML).
    let mut escaped = String::with_capacity(s.len() + s.len() / 4);
    escape_html_into(&mut escaped, s);
    out.write_all(escaped.as_bytes())
}

/// The bytes of `s` that HTML escapes (`&<>"'`), with what they become.
fn html_specials(s: &str) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    /// Which bytes are escaped: a table lookup per byte keeps the scan tight.
    const SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        table[b'&' as usize] = true;
        table[b'<' as usize] = true;
        table[b'>' as usize] = true;
        table[b'"' as usize] = true;
        table[b'\'' as usize] = true;
        table
    };
    let bytes = s.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        let i = from + bytes[from..].iter().position(|&b| SPECIAL[b as usize])?;
        from = i + 1;
        let escaped = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        };
        Some((i, escaped))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    pub(crate) fn site(files: &[(&str, &str)]) -> PageIndex {
        let mut index = PageIndex { advice: true, ..PageIndex::default() };
        for (i, (src, path)) in files.iter().enumerate() {
            index.by_source.insert(src.to_string(), i);
            index.paths.push(path.to_string());
        }
        index
    }

    pub(crate) fn render(file: &str, number: usize, body: &str, index: &PageIndex) -> Rendered {
        let file = PathBuf::from(file);
        render_markdown(&PageRef { file: &file, text: body, body_offset: 0, number }, index)
    }

    /// The facts the parse stage records for `text`, whose body starts at `body_offset`.
    pub(crate) fn facts_of(text: &str, body_offset: usize) -> BodyFacts {
        let file = PathBuf::from("content/a.md");
        let index = site(&[("a.md", "/a/")]);
        render_markdown(&PageRef { file: &file, text, body_offset, number: 0 }, &index).facts
    }

    #[test]
    fn the_leading_h1_is_not_shown_and_later_h1s_shift_down() {
        let index = site(&[("a.md", "/a/")]);
        let r = render("content/a.md", 0, "<!-- x -->\n# Title\n\nText.\n\n# Part\n\n## Step\n", &index);
        assert!(!r.html.contains(">Title"), "{}", r.html);
        // Its id stays a target, where the heading stood.
        assert!(
            r.html.starts_with("<!-- x -->\n<a id=\"title\"></a>\n<p>Text.</p>\n<h2 id=\"part\">Part "),
            "{}",
            r.html
        );
        assert!(r.ids.contains("title"));
        assert!(r.html.contains("<h3 id=\"step\">Step "), "{}", r.html);
        assert_eq!(
            build_toc(&r.facts.headings)
                .iter()
                .map(|e| (e.level, e.title.as_str(), e.children.len()))
                .collect::<Vec<_>>(),
            [(2, "Part", 1)]
        );
        // Inside a block at the top of the page, a heading is the block's, not the title.
        let r = render("content/a.md", 0, ":::faq\n# Question\n:::\n", &index);
        assert_eq!(r.facts.title_heading, None);
    }

    #[test]
    fn definition_list_terms_are_link_targets_by_the_heading_rule() {
        let index = site(&[("a.md", "/a/")]);
        let r = render("content/a.md", 0, "## Dose\n\nDose\n: How much.\n\n`max_age`\n: In days.\n", &index);
        assert_eq!(
            r.html.split("</h2>\n").nth(1),
            Some(
                "<dl>\n<dt id=\"dose-1\">Dose</dt>\n<dd>How much.</dd>\n<dt id=\"max_age\"><code>max_age</code></dt>\n<dd>In days.</dd>\n</dl>\n"
            )
        );
        assert!(r.ids.contains("max_age") && r.ids.contains("dose-1"));
    }

    #[test]
    fn code_blocks_are_focusable_so_a_keyboard_can_scroll_them() {
        let index = site(&[("a.md", "/a/")]);
        let r = render("content/a.md", 0, "```sh extra\na < b [@key]\n```\n\n    indented\n", &index);
        assert_eq!(
            r.html,
            "<pre tabindex=\"0\"><code class=\"language-sh\">a &lt; b [@key]\n</code></pre>\n<pre tabindex=\"0\"><code>indented\n</code></pre>\n"
        );
        assert!(r.citations.is_empty());
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_a_toc() {
        let index = site(&[("a.md", "/a/")]);
        let r = render(
            "content/a.md",
            0,
            "## Washing\n### Shampoo\n## Washing\n## Main\n## Custom {#mine}\n",
            &index,
        );
        assert!(
            r.html.contains(
                "<h2 id=\"washing\">Washing <a class=\"anchor\" href=\"#washing\" aria-labelledby=\"washing\"></a></h2>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"washing-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"main-1\">"), "reserved id: {}", r.html);
        assert!(r.html.contains("<h2 id=\"mine\">"), "{}", r.html);
        let toc = build_toc(&r.facts.headings);
        assert_eq!(toc.len(), 4);
        assert_eq!(toc[0].children[0].id, "shampoo");
    }

    fn ids_of(bases: &[String]) -> (Vec<String>, usize) {
        let mut ids = HeadingIds::default();
        let given = bases.iter().map(|b| ids.unique_id(b.clone())).collect();
        (given, ids.probes)
    }

    #[test]
    fn identical_headings_get_the_expected_ids_in_linear_work() {
        let n = 20_000;
        let (ids, probes) = ids_of(&vec!["a".to_string(); n]);
        let expected: Vec<String> =
            std::iter::once("a".to_string()).chain((1..n).map(|i| format!("a-{i}"))).collect();
        assert_eq!(ids, expected);
        // Probing from `-1` for every repeat would try n²/2 = 200,000,000 candidates.
        assert!(probes <= 2 * n, "{probes} probes for {n} headings");
    }

    #[test]
    fn headings_that_collide_with_suffixed_ids_stay_distinct_in_linear_work() {
        // `## a-1` ... `## a-10000` first, then `## a` 10,000 times, then the
        // same interleaved: every repeat of `a` must step over taken ids.
        let n = 10_000;
        let mut bases: Vec<String> = (1..=n).map(|i| format!("a-{i}")).collect();
        bases.extend(std::iter::repeat_n("a".to_string(), n));
        for i in 0..n {
            bases.push(format!("b-{}", i + 1));
            bases.push("b".to_string());
        }
        bases.extend(["main".to_string(), "main".to_string(), "main-1".to_string()]);
        let (ids, probes) = ids_of(&bases);
        let distinct: HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "ids repeat");
        assert_eq!(ids[n], "a");
        assert_eq!(ids[n + 1], format!("a-{}", n + 1));
        assert_eq!(ids[2 * n + 1], "b");
        assert_eq!(ids[2 * n + 3], "b-3");
        assert_eq!(ids[4 * n..], ["main-1", "main-2", "main-1-1"]);
        assert!(probes <= 3 * bases.len(), "{probes} probes for {} headings", bases.len());
    }

    #[test]
    fn links_to_a_section_file_lead_to_its_first_listing_page() {
        let mut index = site(&[("care/aftercare.md", "/care/aftercare/"), ("risks.md", "/risks/")]);
        index.sections.insert("news/_index.md".into(), 2);
        index.paths.push("/news/".into());
        let r = render(
            "content/care/aftercare.md",
            0,
            "[a](../news/_index.md) [b](/news/_index.md#older) [c](../news/index.md)",
            &index,
        );
        assert!(r.html.contains("<a href=\"../../news/\">a</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"../../news/#older\">b</a>"), "{}", r.html);
        assert_eq!(r.anchors, vec![AnchorLink { page: 2, fragment: "older".into(), offset: 27 }]);
        // `index.md` is not `_index.md`: the nearest file is suggested.
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].help.as_deref(), Some("did you mean `/news/_index.md`?"));
        // A front matter value that must name a page says it names a section.
        let d = page_link(Path::new("content/risks.md"), "news/_index.md", &index).unwrap_err();
        assert_eq!(d.message, "`news/_index.md` is a section's listing, not a page");
    }

    #[test]
    fn markdown_links_become_relative_page_urls() {
        let index =
            site(&[("care/aftercare.md", "/care/aftercare/"), ("risks.md", "/risks/"), ("index.md", "/")]);
        let r = render(
            "content/care/aftercare.md",
            0,
            "[r](../risks.md) [h](/index.md) [w](aftercare.md#washing) [img](/images/a.png) [e](https://x.org/a.md) [m](mailto:a@b.c)",
            &index,
        );
        assert!(r.html.contains("href=\"../../risks/\""), "{}", r.html);
        assert!(r.html.contains("href=\"../../\""), "{}", r.html);
        assert!(r.html.contains("href=\"./#washing\""), "{}", r.html);
        assert!(r.html.contains("href=\"../../images/a.png\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://x.org/a.md\""), "{}", r.html);
        assert!(r.html.contains("href=\"mailto:a@b.c\""), "{}", r.html);
        assert_eq!(r.anchors, vec![AnchorLink { page: 0, fragment: "washing".into(), offset: 36 }]);
        assert!(r.problems.is_empty());
    }

    #[test]
    fn files_and_pages_without_md_are_found_from_the_page_s_file() {
        let mut index = site(&[
            ("care/aftercare.md", "/care/aftercare/"),
            ("care/index.md", "/care/"),
            ("docs/Setup_Guide/Linux.md", "/docs/setup-guide/linux/"),
            ("care/risks.md", "/care/risks/"),
            ("risks.md", "/risks/"),
        ]);
        index.aliases.insert("/old/".into(), 1);
        index.index_addresses();
        index.files = std::sync::Arc::new(HashMap::from_iter([
            ("care/images/flow.svg".to_string(), "care/images/flow.svg".to_string()),
            ("3d_model/a#1.png".to_string(), "3d-model/a#1.png".to_string()),
        ]));
        let body = "![f](images/flow.svg) [g](../3d_model/a%231.png?x) [l](/docs/Setup_Guide/Linux#top) \
                    [o](/old) [r](../risks/) [s](risks) [k](/nowhere/)";
        let r = render("content/care/aftercare.md", 0, body, &index);
        for href in [
            "src=\"../images/flow.svg\"",
            "href=\"../../3d-model/a%231.png?x\"",
            "href=\"../../docs/setup-guide/linux/#top\"",
            "href=\"../\"",
            // `../risks/` is a page as a browser reads it: left as written.
            "href=\"../risks/\"",
            // `risks` from the file is care/risks.md, from the address
            // /care/aftercare/risks is nothing: the file's reading wins.
            "href=\"../risks/\"",
            "href=\"../../nowhere/\"",
        ] {
            assert!(r.html.contains(href), "{href} in {}", r.html);
        }
        assert_eq!(r.anchors, vec![AnchorLink { page: 2, fragment: "top".into(), offset: 55 }]);
        // What was found is not checked again as an address.
        let left: Vec<&str> = r.addresses.iter().map(AddressLink::written).collect();
        assert_eq!(left, ["../risks/", "/nowhere/"]);
        // The file's reading comes first.
        let index = {
            let mut i = site(&[("a/b.md", "/a/b/"), ("a/c.md", "/a/c/"), ("c/x.md", "/c/x/")]);
            i.index_addresses();
            i
        };
        let r = render("content/a/b.md", 0, "[x](../c/x)", &index);
        assert!(r.html.contains("href=\"../../c/x/\""), "{}", r.html);
        let index = {
            let mut i =
                site(&[("a/b.md", "/a/b/"), ("a/x.md", "/a/x/"), ("b/x.md", "/b/x/"), ("x.md", "/x/")]);
            i.aliases.insert("/a/b/x/".into(), 3);
            i.index_addresses();
            i
        };
        // Two pages by the two readings: left as written, for `check`.
        let r = render("content/a/b.md", 0, "[x](x)", &index);
        assert!(r.html.contains("href=\"x\""), "{}", r.html);
    }

    #[test]
    fn missing_pages_are_reported_where_the_link_is() {
        let index = site(&[("risks.md", "/risks/"), ("about.md", "/about/")]);
        let r = render("content/about.md", 1, "Intro\n\nSee [the risks](risk.md).\n", &index);
        assert_eq!(r.problems.len(), 1);
        let d = &r.problems[0];
        assert_eq!(d.message, "link to `risk.md`, but there is no page content/risk.md");
        assert_eq!(d.location.map(|l| (l.line, l.column)), Some((3, 17)));
        assert_eq!(d.help.as_deref(), Some("did you mean `risks.md`?"));
    }

    #[test]
    fn classifies_destinations() {
        assert_eq!(classify("#x"), Dest::Fragment("x"));
        assert_eq!(classify("https://a.b/c.md"), Dest::Keep);
        assert_eq!(classify("//cdn/x"), Dest::Keep);
        assert_eq!(classify("tel:+44"), Dest::Keep);
        assert_eq!(classify("a.md#b"), Dest::Markdown { path: "a.md", fragment: "b" });
        assert_eq!(classify("/x/"), Dest::SiteAbsolute("/x/"));
        assert_eq!(classify("photo.jpg"), Dest::Keep);
    }

    #[test]
    fn citations_are_placed_outside_code_and_image_descriptions() {
        let index = site(&[("a.md", "/a/")]);
        let r = render(
            "content/a.md",
            0,
            "Shown [@a; @b] and [@c].\n\n```\n[@not]\n```\n\n`[@nor]` ![x [@img]](a.png)\n",
            &index,
        );
        assert_eq!(r.citations, vec![vec!["a".to_string(), "b".to_string()], vec!["c".to_string()]]);
        let at: Vec<&str> = r.cite_at.iter().map(|&i| &r.html[..i]).collect();
        assert_eq!(at, ["<p>Shown ", "<p>Shown  and "], "{}", r.html);
        assert!(r.html.starts_with("<p>Shown  and .</p>"), "{}", r.html);
        assert!(r.html.contains("[@not]"), "{}", r.html);
        assert!(r.html.contains("<code>[@nor]</code>"), "{}", r.html);
        assert!(r.html.contains("alt=\"x [@img]\""), "{}", r.html);
    }

    #[test]
    fn citations_in_footnotes_tables_and_lists_are_placed_where_written() {
        let index = site(&[("a.md", "/a/")]);
        let body = "Text[^1].\n\n| a | b |\n|---|---|\n| x [@t] | y |\n\n- item [@l]\n\n[^1]: Note [@f].\n";
        let r = render("content/a.md", 0, body, &index);
        let keys: Vec<&str> = r.citations.iter().map(|g| g[0].as_str()).collect();
        assert_eq!(keys, ["t", "l", "f"]);
        for (&at, before) in r.cite_at.iter().zip(["<td>x ", "<li>item ", "Note "]) {
            assert!(r.html[..at].ends_with(before), "{before:?} in {}", r.html);
        }
    }

    #[test]
    fn a_heading_s_anchor_is_named_by_the_heading_not_by_words_in_an_attribute() {
        let index = site(&[("a.md", "/a/")]);
        let r = render("content/a.md", 0, "## Fish & \"chips\" <b>\n", &index);
        let id = r.html.split("id=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
        assert!(r.html.contains(&format!("href=\"#{id}\" aria-labelledby=\"{id}\">")), "{}", r.html);
        assert!(!r.html.contains("aria-label="), "{}", r.html);
    }
}
