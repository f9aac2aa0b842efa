//! Parse, part two and a half: what later stages need to know about a
//! page's markdown, each with its place in the file, recorded while the body
//! is parsed for rendering so that nothing parses it again (issue 10).
//!
//! [`FactsCollector`] sees every event of the one markdown parse, as the
//! parser gives them (before citations are taken out of the text), and
//! records:
//! - links and images as written, with their place (the offset of the
//!   address and what it names are worked out when `check` asks), the text
//!   of a link (its accessible name) and the alt text of an image;
//! - headings with their level and offset (their ids and text are filled in
//!   by the renderer, which gives the ids);
//! - raw HTML, with the text that follows each piece, for `check` to read
//!   with its tag scanner (links, images and headings written as HTML);
//! - prose for the reading level: paragraphs, list items and block quotes,
//!   without headings, code, tables, image descriptions and footnotes.
//!
//! Prose, link addresses and link texts are kept as ranges of the file where
//! the parser's text is the file's own (almost always), so recording them
//! copies little. What it costs a build that never reads them (issue 10,
//! 1,000 generated pages, callgrind): 3% more instructions and about 4 KB of
//! memory a page; `check` does 10% fewer instructions.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::front_matter::FrontFacts;

/// What the parse stage knows about a page beyond its HTML, with places
/// (byte offsets in the page's whole text).
#[derive(Debug, Clone, Default)]
pub(crate) struct PageFacts {
    /// Where the front matter and its keys are.
    pub(crate) front: FrontFacts,
    /// The page `procedure.followup_page` names (its number) and the
    /// fragment, resolved as a link in the body is.
    pub(crate) followup: Option<(usize, String)>,
}

/// What a page's markdown body holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct BodyFacts {
    /// Markdown links and images, in order.
    pub(crate) links: Vec<LinkFact>,
    /// Markdown headings shown, in order, at the level shown (`title.rs`).
    pub(crate) headings: Vec<HeadingFact>,
    /// The level-1 heading that led the body, not shown: the page's own
    /// title (`title.rs`).
    pub(crate) title_heading: Option<HeadingFact>,
    /// Raw HTML pieces, in order.
    pub(crate) raw_html: Vec<RawHtml>,
    /// Prose for the reading level.
    pub(crate) prose: Prose,
}

/// What a link's address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// A page's markdown file (`risks.md#x`), rewritten to its URL.
    Page,
    /// `#fragment` on the same page.
    Anchor,
    /// An address of a page of the built site (`/contact/`, `../contact/`).
    Address,
    /// Another site or scheme (`https://`, `//cdn`, `mailto:`).
    External,
    /// A file of the built site (`/images/a.png`, `photo.jpg`), or empty.
    File,
}

/// A markdown link or image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkFact {
    /// The address as written (`../images/a.png`, `risks.md#x`).
    href: Span,
    /// Where the link or image is in the file, from its `[` or `![`
    /// ([`Self::range`]; a page is at most 2 MiB).
    start: u32,
    end: u32,
    /// An image, not a link.
    pub(crate) image: bool,
    /// A link's text (with the alt text of images in it), or an image's alt text.
    text: Span,
    /// The address as the page shows it, when the renderer changed it to
    /// what the author meant (`images/flow.png` beside the page's file,
    /// read from the page's address: `../images/flow.png`; issue 14). Most
    /// links written as addresses are: one allocation each, of its length.
    rendered: Option<Box<str>>,
}

impl LinkFact {
    /// Where the link or image is in the file, from its `[` or `![`.
    pub(crate) fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The address as written, in `file` (the page's text).
    pub(crate) fn href<'a>(&'a self, file: &'a str) -> &'a str {
        self.href.as_str(file)
    }

    /// The address as the built page shows it, relative to the page's
    /// address: [`Self::href`] unless the renderer resolved it against
    /// the page's file.
    pub(crate) fn rendered_href<'a>(&'a self, file: &'a str) -> &'a str {
        self.rendered.as_deref().unwrap_or_else(|| self.href(file))
    }

    /// A link's text (with the alt text of images in it), or an image's
    /// alt text, in `file` (the page's text).
    pub(crate) fn text<'a>(&'a self, file: &'a str) -> &'a str {
        self.text.as_str(file)
    }

    /// Offset of the address in `file` (the page's text), or of the link
    /// when it cannot be found there. Worked out when asked: a build never
    /// needs it, and searching every link for it costs.
    pub(crate) fn offset(&self, file: &str) -> usize {
        dest_offset(file, &self.range(), self.href(file))
    }

    /// What the address names (`file` being the page's text).
    pub(crate) fn kind(&self, file: &str) -> LinkKind {
        link_kind(self.href(file))
    }
}

/// Text of a page: where it is in the file when the parser's text is the
/// file's own (almost always), else a copy. Most links then cost no copy.
/// 16 bytes: offsets as `u32` (a page is at most 2 MiB), a copy behind a
/// thin pointer (a link holds two spans; issue 16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Span {
    #[default]
    Empty,
    /// This range of the file: start and end.
    At(u32, u32),
    #[allow(clippy::box_collection, reason = "a thin pointer keeps the span at 16 bytes")]
    Owned(Box<String>),
}

impl Span {
    /// The text, in `file` (the page's text).
    fn as_str<'a>(&'a self, file: &'a str) -> &'a str {
        match self {
            Span::Empty => "",
            Span::At(start, end) => file.get(*start as usize..*end as usize).unwrap_or_default(),
            Span::Owned(s) => s,
        }
    }

    /// The text, in `body` (which starts at `body_offset` of the file).
    fn in_body<'a>(&'a self, body: &'a str, body_offset: usize) -> &'a str {
        match self {
            Span::At(start, end) => body
                .get(
                    (*start as usize).saturating_sub(body_offset)
                        ..(*end as usize).saturating_sub(body_offset),
                )
                .unwrap_or_default(),
            other => other.as_str(""),
        }
    }

    /// Adds `t`, which the parser gave for `body` (at `body_offset` of its file).
    fn push(&mut self, t: &str, body: &str, body_offset: usize) {
        let at = range_in(body, t)
            .and_then(|r| Some((offset(body_offset + r.start)?, offset(body_offset + r.end)?)));
        *self = match (std::mem::take(self), at) {
            (Span::Empty, Some((start, end))) => Span::At(start, end),
            (Span::Empty, None) => Span::Owned(Box::new(t.to_string())),
            (Span::At(start, end), Some((from, to))) if end == from => Span::At(start, to),
            (at @ Span::At(..), _) => {
                let mut s = at.in_body(body, body_offset).to_string();
                s.push_str(t);
                Span::Owned(Box::new(s))
            }
            (Span::Owned(mut s), _) => {
                s.push_str(t);
                Span::Owned(s)
            }
        };
    }
}

/// An offset in a page's file as a [`Span`] holds it.
fn offset(at: usize) -> Option<u32> {
    u32::try_from(at).ok()
}

/// Where `t` lies in `body`, if it is a slice of it (told by address).
fn range_in(body: &str, t: &str) -> Option<Range<usize>> {
    let start = (t.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    (start + t.len() <= body.len() && body.is_char_boundary(start)).then_some(start..start + t.len())
}

/// A markdown heading.
///
/// Its id and text are one string, the id first: a cold build holds every
/// page's headings until its pages are rendered, and two strings and a
/// `usize` a heading were 5.8 MB of the 62 MB heap at 10,000 pages (issue 16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeadingFact {
    /// 1 for `#`, 2 for `##`, ...
    pub(crate) level: u8,
    /// Offset of the heading's first character (a page is at most 2 MiB).
    offset: u32,
    /// Where the id ends in `id_text`.
    id_len: u32,
    /// The `id` it was given, then its text without markup.
    id_text: Box<str>,
}

impl HeadingFact {
    /// A heading at `level` whose first character is at `offset`, with the
    /// id `id` and the text `text`.
    pub(crate) fn new(level: u8, offset: usize, id: &str, text: &str) -> HeadingFact {
        HeadingFact {
            level,
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            id_len: u32::try_from(id.len()).unwrap_or(u32::MAX),
            id_text: [id, text].concat().into_boxed_str(),
        }
    }

    /// Offset of the heading's first character.
    pub(crate) fn offset(&self) -> usize {
        self.offset as usize
    }

    /// The `id` it was given.
    pub(crate) fn id(&self) -> &str {
        &self.id_text[..self.id_len as usize]
    }

    /// Its text, without markup.
    pub(crate) fn text(&self) -> &str {
        &self.id_text[self.id_len as usize..]
    }
}

/// A piece of raw HTML written in the markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHtml {
    /// Where `html` starts in the file.
    pub(crate) offset: usize,
    pub(crate) html: String,
    /// The markdown text (and inline code) after it, up to the next piece:
    /// the text of an `<a>` it opens. Kept only once a piece may have
    /// opened one (holds `<a`), empty before.
    pub(crate) text_after: String,
}

/// The prose of a page for the reading level: its paragraphs, list items
/// and block quotes, as pieces of the file where the parser's text is the
/// file's own. Kept small (12 bytes a piece), since every page has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prose {
    pieces: Vec<Piece>,
    /// Text the parser changed (smart quotes, entities), by number.
    changed: Vec<String>,
    /// Where the block being recorded starts in `pieces`.
    open: usize,
}

/// A piece of prose. Offsets fit in `u32`: pages are at most 8 MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Text that is the file's own, at this range of the file.
    Verbatim(u32, u32),
    /// Text the parser changed, starting at this offset: `changed[n]`.
    Changed(u32, u32),
    /// A line break.
    Break,
    /// The end of a block (a paragraph, list item, ...).
    End,
}

impl Prose {
    /// Each block's text, and where its pieces came from: (offset in the
    /// text, offset in `file`, whether the piece is the file's text verbatim).
    pub(crate) fn blocks<'a>(&'a self, file: &'a str) -> impl Iterator<Item = ProseBlock> + 'a {
        self.pieces.split(|p| *p == Piece::End).filter(|b| !b.is_empty()).map(move |block| {
            let mut text = String::new();
            let mut pieces = Vec::with_capacity(block.len());
            for piece in block {
                match *piece {
                    Piece::Verbatim(start, end) => {
                        pieces.push((text.len(), start as usize, true));
                        text.push_str(file.get(start as usize..end as usize).unwrap_or_default());
                    }
                    Piece::Changed(at, n) => {
                        pieces.push((text.len(), at as usize, false));
                        text.push_str(self.changed.get(n as usize).map_or("", String::as_str));
                    }
                    Piece::Break => text.push(' '),
                    Piece::End => {}
                }
            }
            ProseBlock { text, pieces }
        })
    }

    /// Adds `t`, the parser's text at `range` of the file (whose text is `file`).
    fn push_text(&mut self, file_range: Range<usize>, verbatim: bool, t: &str) {
        let start = offset32(file_range.start);
        if verbatim {
            self.pieces.push(Piece::Verbatim(start, offset32(file_range.end)));
        } else {
            self.pieces.push(Piece::Changed(start, offset32(self.changed.len())));
            self.changed.push(t.to_string());
        }
    }

    /// Ends the current block; a block without text is dropped.
    fn end_block(&mut self) {
        let block = self.pieces.get(self.open..).unwrap_or_default();
        if block.iter().any(|p| matches!(p, Piece::Verbatim(..) | Piece::Changed(..))) {
            self.pieces.push(Piece::End);
        } else {
            self.pieces.truncate(self.open);
        }
        self.open = self.pieces.len();
    }
}

fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// The text of one block of prose, and where its pieces came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProseBlock {
    pub(crate) text: String,
    /// (offset in `text`, offset in the file, whether the piece is verbatim)
    pub(crate) pieces: Vec<(usize, usize, bool)>,
}

/// A link whose text is being collected.
struct OpenLink {
    /// Its number in `links`.
    number: usize,
}

/// Records [`BodyFacts`] from the events of one parse of a body.
pub(crate) struct FactsCollector<'b> {
    body: &'b str,
    body_offset: usize,
    facts: BodyFacts,
    link: Option<OpenLink>,
    image: Option<usize>,
    /// Depth inside something that is not prose.
    skip: usize,
    /// Whether raw HTML so far may have opened an `<a>`: only then is the
    /// text after it kept (it names the link).
    raw_a: bool,
    /// Whether what only `check`'s advice reads is recorded: the prose
    /// (at 10,000 pages it held 16 MB to the end of a build, which does not
    /// read it) and every link. Without it, only the links the check before
    /// publishing reads are: images, and links to addresses and files of
    /// the built site (a link to a page's file or to an anchor is checked
    /// by the parse stage, an external one not at all; at 10,000 pages of
    /// the bench's corpus, the links held to the end of a build went from
    /// 9.3 to 6.2 MB).
    advice: bool,
    /// Whether the last link or image seen was recorded.
    recorded: bool,
}

impl<'b> FactsCollector<'b> {
    /// A collector for `body`, which starts at `body_offset` of its file,
    /// recording what only advice reads if `advice` is true.
    pub(crate) fn new(body: &'b str, body_offset: usize, advice: bool) -> Self {
        FactsCollector {
            body,
            body_offset,
            facts: BodyFacts::default(),
            link: None,
            image: None,
            skip: 0,
            raw_a: false,
            advice,
            recorded: false,
        }
    }

    /// Records what `event`, at `range` of the body, tells.
    pub(crate) fn observe(&mut self, event: &Event<'_>, range: &Range<usize>) {
        let start = self.body_offset + range.start;
        match event {
            Event::Start(tag) => {
                if is_block(tag) {
                    self.end_block();
                }
                if excluded(tag) {
                    self.skip += 1;
                }
                match tag {
                    Tag::Heading { level, .. } => {
                        self.facts.headings.push(HeadingFact::new(*level as u8, start, "", ""))
                    }
                    Tag::Link { dest_url, .. } => {
                        let checked = matches!(link_kind(dest_url), LinkKind::Address | LinkKind::File);
                        self.link =
                            (self.advice || checked).then_some(OpenLink { number: self.facts.links.len() });
                        self.recorded = self.link.is_some();
                        if self.recorded {
                            self.push_link(dest_url, range, false);
                        }
                    }
                    Tag::Image { dest_url, .. } => {
                        self.image = Some(self.facts.links.len());
                        self.recorded = true;
                        self.push_link(dest_url, range, true);
                    }
                    _ => {}
                }
            }
            Event::End(tag) => {
                if is_block_end(*tag) {
                    self.end_block();
                }
                if excluded_end(*tag) {
                    self.skip = self.skip.saturating_sub(1);
                }
                match tag {
                    TagEnd::Link => self.link = None,
                    TagEnd::Image => {
                        if let Some(i) = self.image.take()
                            && let Some(l) = &self.link
                        {
                            let alt = self.facts.links[i].text.clone();
                            let alt = alt.in_body(self.body, self.body_offset);
                            self.facts.links[l.number].text.push(alt, self.body, self.body_offset);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(i) = self.image {
                    self.facts.links[i].text.push(t, self.body, self.body_offset);
                } else if let Some(l) = &self.link {
                    self.facts.links[l.number].text.push(t, self.body, self.body_offset);
                }
                if self.raw_a
                    && let Some(raw) = self.facts.raw_html.last_mut()
                {
                    raw.text_after.push_str(t);
                }
                if matches!(event, Event::Text(_)) && self.skip == 0 && self.advice {
                    let verbatim = is_verbatim(self.body, range, t);
                    self.facts.prose.push_text(start..self.body_offset + range.end, verbatim, t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Where the event's text sits in the file (a block's lines
                // may be indented inside a list item).
                let offset =
                    self.body.get(range.clone()).and_then(|s| s.find(&**h)).map_or(start, |k| start + k);
                self.raw_a |= h.contains("<a") || h.contains("<A");
                self.facts.raw_html.push(RawHtml { offset, html: h.to_string(), text_after: String::new() });
            }
            Event::SoftBreak | Event::HardBreak if self.skip == 0 && self.advice => {
                self.facts.prose.pieces.push(Piece::Break)
            }
            _ => {}
        }
    }

    /// Gives each heading, in order, the id and text the renderer gave it.
    pub(crate) fn name_heading(&mut self, number: usize, id: &str, text: &str) {
        if let Some(h) = self.facts.headings.get_mut(number) {
            *h = HeadingFact::new(h.level, h.offset(), id, text);
        }
    }

    /// The facts recorded.
    pub(crate) fn finish(mut self) -> BodyFacts {
        self.end_block();
        // Kept with the page for the whole run: no spare capacity.
        self.facts.prose.pieces.shrink_to_fit();
        self.facts.links.shrink_to_fit();
        self.facts.headings.shrink_to_fit();
        self.facts.raw_html.shrink_to_fit();
        self.facts
    }

    /// The last link or image seen is shown as `href` rather than as written.
    pub(crate) fn rewrote_last_link(&mut self, href: &str) {
        if let Some(link) = self.facts.links.last_mut().filter(|_| self.recorded) {
            link.rendered = Some(href.into());
        }
    }

    fn push_link(&mut self, dest: &str, range: &Range<usize>, image: bool) {
        let place = |at: usize| offset(self.body_offset + at).unwrap_or(u32::MAX);
        let (start, end) = (place(range.start), place(range.end));
        let mut href = Span::Empty;
        href.push(dest, self.body, self.body_offset);
        self.facts.links.push(LinkFact { href, start, end, image, text: Span::Empty, rendered: None });
    }

    fn end_block(&mut self) {
        if self.advice {
            self.facts.prose.end_block();
        }
    }
}

/// Whether the parser's text `t` is `body[range]` as it stands: most text
/// is borrowed from the body, which a pointer comparison shows without
/// comparing the bytes.
fn is_verbatim(body: &str, range: &Range<usize>, t: &str) -> bool {
    match body.get(range.clone()) {
        Some(s) => (s.as_ptr() == t.as_ptr() && s.len() == t.len()) || s == t,
        None => false,
    }
}

/// What the address `dest` names (as the renderer rewrites it).
fn link_kind(dest: &str) -> LinkKind {
    match super::classify(dest) {
        super::Dest::Markdown { .. } => LinkKind::Page,
        super::Dest::Fragment(_) => LinkKind::Anchor,
        super::Dest::SiteAbsolute(path) if super::names_a_page(path) => LinkKind::Address,
        super::Dest::SiteAbsolute(_) => LinkKind::File,
        super::Dest::Keep if dest.starts_with("//") || crate::url::has_scheme(dest) => LinkKind::External,
        super::Dest::Keep if !dest.is_empty() && super::names_a_page(dest) => LinkKind::Address,
        super::Dest::Keep => LinkKind::File,
    }
}

/// Where in `body` the destination of the link at `range` is written, so the
/// caret points at the address rather than the link text.
pub(super) fn dest_offset(body: &str, range: &Range<usize>, dest: &str) -> usize {
    let written = body.get(range.clone()).filter(|_| !dest.is_empty());
    // A link is written in a few dozen bytes: compared place by place from
    // the end, not with a searcher made for it (`memmem` prepares one for
    // each call, 2,000 instructions; issue 16).
    let last = |s: &str| {
        let (s, d) = (s.as_bytes(), dest.as_bytes());
        (0..=s.len().checked_sub(d.len())?).rev().find(|&i| s[i..].starts_with(d))
    };
    written.and_then(last).map_or(range.start, |i| range.start + i)
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Item
            | Tag::List(_)
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::Table(_)
            | Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::List(_)
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::Table
            | TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

fn excluded(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Heading { .. }
            | Tag::CodeBlock(_)
            | Tag::Table(_)
            | Tag::Image { .. }
            | Tag::FootnoteDefinition(_)
            | Tag::MetadataBlock(_)
    )
}

fn excluded_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::Table
            | TagEnd::Image
            | TagEnd::FootnoteDefinition
            | TagEnd::MetadataBlock(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::PageIndex;
    use crate::markdown::tests::{render, site};

    /// Every link of every page is held for the whole build (issue 16):
    /// 88 bytes each before spans held `u32` offsets and copies behind a
    /// thin pointer.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_link_takes_64_bytes() {
        assert_eq!(std::mem::size_of::<Span>(), 16);
        assert_eq!(std::mem::size_of::<LinkFact>(), 64);
    }

    fn facts(body: &str) -> BodyFacts {
        render("content/a.md", 0, body, &site(&[("a.md", "/a/"), ("b.md", "/b/")])).facts
    }

    #[test]
    fn links_images_and_headings_with_places_and_kinds() {
        let body = "# One\n\n[the b page](b.md#x) [![Our clinic](c.png)](/b/) [x](#one) [m](mailto:a@b.c) [f](/doc.pdf)\n\n## Two {#second}\n";
        let f = facts(body);
        let links: Vec<(&str, usize, &str, LinkKind, bool)> = f
            .links
            .iter()
            .map(|l| (l.href(body), l.offset(body), l.text(body), l.kind(body), l.image))
            .collect();
        assert_eq!(
            links,
            [
                ("b.md#x", 20, "the b page", LinkKind::Page, false),
                ("/b/", 51, "Our clinic", LinkKind::Address, false),
                ("c.png", 43, "Our clinic", LinkKind::File, true),
                ("#one", 60, "x", LinkKind::Anchor, false),
                ("mailto:a@b.c", 70, "m", LinkKind::External, false),
                ("/doc.pdf", 88, "f", LinkKind::File, false),
            ]
        );
        let headings: Vec<(u8, usize, &str, &str)> =
            f.headings.iter().map(|h| (h.level, h.offset(), h.id(), h.text())).collect();
        // The leading `# One` is the page's own title, not shown (`title.rs`).
        assert_eq!(headings, [(2, 99, "second", "Two")]);
        let title = f.title_heading.as_ref().map(|h| (h.level, h.offset(), h.text()));
        assert_eq!(title, Some((1, 0, "One")));
    }

    #[test]
    fn prose_leaves_out_headings_code_tables_images_and_footnotes() {
        let body = "# Title\n\nSome \"quoted\" text\nover two lines ![alt](a.png).\n\n```\ncode\n```\n\n| a |\n|---|\n| b |\n\n- item\n\nNote[^1].\n\n[^1]: Footnote.\n";
        let f = facts(body);
        let blocks: Vec<ProseBlock> = f.prose.blocks(body).collect();
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Some “quoted” text over two lines .", "item", "Note."]);
        assert_eq!(blocks[0].pieces[0], (0, 9, true));
        assert!(
            blocks[0].pieces.iter().any(|p| !p.2),
            "the smart quotes change the text: {:?}",
            blocks[0].pieces
        );
    }

    #[test]
    fn without_advice_only_the_links_a_build_checks_are_recorded_and_no_prose() {
        let body = "# Title\n\nSome text with [a link](b.md), [an anchor](#part), [a site](https://x.org) \
                    [![a logo](logo.png)](https://y.org), [a form](/contact/), [a file](doc.pdf), \
                    ![a photo](../photo.jpg) and <b>html</b>.\n\n## Part\n\n- item\n";
        let index = site(&[("a.md", "/a/"), ("b.md", "/b/")]);
        let with = render("content/a.md", 0, body, &index).facts;
        let without = render("content/a.md", 0, body, &PageIndex { advice: false, ..index }).facts;
        assert_eq!(with.prose.blocks(body).count(), 2);
        assert_eq!(without.prose, Prose::default());
        assert_eq!(with.links.len(), 8);
        // Images, and links to addresses and files, as with advice (their
        // place, text and address as shown); not links to pages, anchors
        // or other sites, nor a logo's alt text as its link's name.
        let checked: Vec<&LinkFact> = with
            .links
            .iter()
            .filter(|l| l.image || matches!(l.kind(body), LinkKind::Address | LinkKind::File))
            .collect();
        assert_eq!(without.links.iter().collect::<Vec<_>>(), checked);
        let shown: Vec<(&str, &str)> =
            without.links.iter().map(|l| (l.href(body), l.rendered_href(body))).collect();
        assert_eq!(
            shown,
            [
                ("logo.png", "logo.png"),
                ("/contact/", "../contact/"),
                ("doc.pdf", "doc.pdf"),
                ("../photo.jpg", "../photo.jpg")
            ]
        );
        assert_eq!(without.headings, with.headings);
        assert_eq!(without.title_heading, with.title_heading);
        assert_eq!(without.raw_html, with.raw_html);
    }

    #[test]
    fn raw_html_keeps_its_place_and_the_text_after_it() {
        let body = "Intro\n\n- <a href=\"x.pdf\">read `more`</a>\n";
        let f = facts(body);
        let raw: Vec<(usize, &str, &str)> =
            f.raw_html.iter().map(|r| (r.offset, r.html.as_str(), r.text_after.as_str())).collect();
        assert_eq!(raw, [(9, "<a href=\"x.pdf\">", "read more"), (36, "</a>", "")]);
    }

    #[test]
    fn a_link_s_address_is_found_where_it_is_last_written() {
        let body = "See [a.md](a.md) and [x](a.md \"a.md\") here.";
        let second = body.find("[x]").unwrap();
        let range = second..body.len() - " here.".len();
        assert_eq!(dest_offset(body, &range, "a.md"), body.rfind("a.md").unwrap());
        assert_eq!(dest_offset(body, &(0..16), "a.md"), 11);
        // Not written there (an escaped address), empty, or longer than the link: the link's start.
        assert_eq!(dest_offset(body, &(0..16), "b.md"), 0);
        assert_eq!(dest_offset(body, &(4..16), ""), 4);
        assert_eq!(dest_offset(body, &(4..6), "a.md"), 4);
        assert_eq!(dest_offset(body, &(40..90), "a.md"), 40);
    }
}
