//! Checks on a page's markdown, so each problem points at the line the owner
//! wrote: images without alt text and links whose text says nothing. Also
//! collects what later checks need with its place in the file: every link and
//! image address, and every heading.
//!
//! The markdown is not parsed here: the parse stage recorded its links,
//! images, headings and raw HTML with their places ([`BodyFacts`]). Raw HTML
//! is read with the same tag scanner as rendered pages.

use std::borrow::Cow;
use std::path::Path;

use crate::error::Diagnostic;
use crate::html::{self, Node};
use crate::markdown::{BodyFacts, LinkKind};

/// A link or image address written in the markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLink<'a> {
    /// As written (`../images/a.png`, `/static.pdf`, `risks.md#x`).
    pub(crate) href: Cow<'a, str>,
    /// As the built page shows it, relative to the page's address: `href`
    /// unless the renderer resolved it against the page's file.
    pub(crate) rendered: Cow<'a, str>,
    /// Byte offset in the page's text.
    pub(crate) offset: usize,
    /// An image (`![]()` or `<img src>`), not a link.
    pub(crate) image: bool,
    /// Written in raw HTML, so not rewritten when rendered: `/x` is then
    /// measured from the domain, not from the site's top.
    pub(crate) raw: bool,
    /// What a markdown link names (`None` for raw HTML).
    pub(crate) kind: Option<LinkKind>,
}

/// What the markdown holds, with places.
#[derive(Debug, Default)]
pub(crate) struct ContentScan<'a> {
    pub(crate) links: Vec<ContentLink<'a>>,
    /// Headings in order: level and byte offset.
    pub(crate) headings: Vec<(u8, usize)>,
    pub(crate) problems: Vec<Diagnostic>,
}

/// A link whose text is being collected.
struct OpenLink {
    offset: usize,
    text: String,
    /// `aria-label` of a raw `<a>`, which replaces its text for screen readers.
    label: Option<String>,
}

/// Checks the facts recorded for the body of the page `file` (whose whole
/// text is `text`): for errors only, or also for `advice` (warnings about
/// links' texts, which the check before publishing does not report:
/// looking at every link's text for them was half of this, issue 16).
pub(crate) fn scan_content<'a>(
    file: &Path,
    text: &'a str,
    facts: &'a BodyFacts,
    advice: bool,
) -> ContentScan<'a> {
    let mut out = ContentScan::default();
    let warn = |message: String, offset: usize| Diagnostic::warning(file, message).at_offset(text, offset);
    for link in &facts.links {
        let kind = Some(link.kind(text));
        out.links.push(ContentLink {
            href: Cow::Borrowed(link.href(text)),
            rendered: Cow::Borrowed(link.rendered_href(text)),
            offset: link.offset(text),
            image: link.image,
            raw: false,
            kind,
        });
        if !link.image {
            if advice {
                out.problems.extend(link_name_problem(link.text(text)).map(|m| warn(m, link.range().start)));
            }
        } else if link.text(text).trim().is_empty() {
            out.problems.push(
                Diagnostic::error(file, "image without alt text").at_offset(text, link.range().start).with_help(
                    "describe the image between the brackets, for people who cannot see it: ![The scalp two weeks after treatment](photo.jpg)",
                ),
            );
        }
    }
    let mut raw_link: Option<OpenLink> = None;
    let mut raw_headings = Vec::new();
    for raw in &facts.raw_html {
        let raw_at = (raw.html.as_str(), raw.offset);
        scan_raw_html(file, text, raw_at, &mut raw_link, &mut raw_headings, advice, &mut out);
        if let Some(l) = raw_link.as_mut() {
            l.text.push_str(&raw.text_after);
        }
    }
    // Markdown and HTML headings in the order they are written.
    let mut markdown = facts.headings.iter().map(|h| (h.level, h.offset())).peekable();
    let mut html = raw_headings.into_iter().peekable();
    while let Some(next) = match (markdown.peek(), html.peek()) {
        (Some(m), Some(h)) if h.1 < m.1 => html.next(),
        (Some(_), _) => markdown.next(),
        (None, _) => html.next(),
    } {
        out.headings.push(next);
    }
    out
}

/// Checks tags in raw HTML written in markdown.
fn scan_raw_html(
    file: &Path,
    text: &str,
    (h, base): (&str, usize),
    raw_link: &mut Option<OpenLink>,
    headings: &mut Vec<(u8, usize)>,
    advice: bool,
    out: &mut ContentScan<'_>,
) {
    let nodes = html::scan(h);
    for node in &nodes {
        match node {
            Node::Start(tag) => {
                let raw_tag = &h[tag.start..tag.end];
                let attr_offset =
                    |attr: &str| base + tag.start + raw_tag.find(&format!("{attr}=")).unwrap_or(0);
                if let Some(level) = tag.heading_level() {
                    headings.push((level, base + tag.start));
                }
                for attr in link_attributes(&tag.name) {
                    if let Some(href) = tag.attr(attr) {
                        let image = tag.name == "img";
                        let offset = attr_offset(attr);
                        let href: Cow<'_, str> = Cow::Owned(href.to_string());
                        let rendered = href.clone();
                        out.links.push(ContentLink { href, rendered, offset, image, raw: true, kind: None });
                    }
                }
                if tag.name == "img" && !has_alt(tag) {
                    out.problems.push(
                        Diagnostic::error(file, "image without alt text")
                            .at_offset(text, base + tag.start)
                            .with_help("add alt=\"a description of the image\" to the <img> tag"),
                    );
                }
                if tag.name == "a" && tag.attr("href").is_some() {
                    let label = tag.attr("aria-label").map(str::to_string);
                    *raw_link = Some(OpenLink { offset: base + tag.start, text: String::new(), label });
                } else if tag.name == "img"
                    && let Some(l) = raw_link.as_mut()
                {
                    l.text.push_str(tag.attr("alt").unwrap_or_default());
                }
            }
            Node::Text(s, e) => {
                if let Some(l) = raw_link.as_mut() {
                    l.text.push_str(&html::decode_entities(&h[*s..*e]));
                }
            }
            Node::End(name, _) if name == "a" => {
                if let Some(l) = raw_link.take().filter(|_| advice) {
                    out.problems.extend(
                        link_text_problem(&l).map(|m| Diagnostic::warning(file, m).at_offset(text, l.offset)),
                    );
                }
            }
            Node::End(..) => {}
        }
    }
}

/// The attributes of tag `name` that hold an address to check.
pub(crate) fn link_attributes(name: &str) -> &'static [&'static str] {
    match name {
        "a" | "area" | "link" => &["href"],
        "img" | "script" | "iframe" | "source" | "track" | "embed" | "audio" => &["src"],
        "video" => &["src", "poster"],
        _ => &[],
    }
}

/// The attributes the check before publishing reads of the tags the
/// templates wrote ([`link_attributes`], [`has_alt`], and the origins a
/// page loads from: `origins.rs`); a page is read for only these first.
pub(crate) const ERROR_ATTRIBUTES: [&str; 8] =
    ["href", "src", "poster", "alt", "role", "aria-hidden", "rel", "action"];

/// Whether the check before publishing reads attribute `name` ([`ERROR_ATTRIBUTES`]).
pub(crate) fn is_error_attribute(name: &str) -> bool {
    ERROR_ATTRIBUTES.contains(&name)
}

/// An `<img>` has alt text, or is marked as decoration for screen readers.
pub(crate) fn has_alt(tag: &html::Tag<'_>) -> bool {
    tag.attr("alt").is_some_and(|a| !a.trim().is_empty())
        || matches!(tag.attr("role"), Some("presentation" | "none"))
        || tag.attr("aria-hidden") == Some("true")
}

fn link_text_problem(l: &OpenLink) -> Option<String> {
    link_name_problem(l.label.as_deref().unwrap_or(&l.text))
}

/// What is wrong with a link's accessible name (its text, or its
/// `aria-label`), if anything.
pub(crate) fn link_name_problem(name: &str) -> Option<String> {
    if name.chars().all(char::is_whitespace) {
        Some("link without text: screen readers can only read out its address".to_string())
    } else if is_vague(name) {
        Some(format!("link text `{}` does not say where the link goes", html::collapse_whitespace(name)))
    } else {
        None
    }
}

/// Link texts that mean nothing out of context (screen reader users often
/// jump from link to link, hearing only these).
const VAGUE: &[&str] = &[
    "click",
    "click here",
    "click this",
    "click this link",
    "continue",
    "continue reading",
    "details",
    "find out more",
    "go",
    "go here",
    "here",
    "info",
    "learn more",
    "link",
    "more",
    "more details",
    "more info",
    "more information",
    "more here",
    "page",
    "read more",
    "read this",
    "see here",
    "see more",
    "tap here",
    "this",
    "this link",
    "this page",
    "website",
];

/// The most letters and digits of a [`VAGUE`] text ("more information").
const MOST_VAGUE_LETTERS: usize = 15;

/// Whether `text` is a link text that says nothing ("click here", "Read
/// more »"): compared in lower case, without punctuation.
pub(crate) fn is_vague(text: &str) -> bool {
    // Each letter or digit stays one; a text with more than the longest
    // vague text has is not one (most, and not worth the copy below).
    if text.chars().filter(|c| c.is_alphanumeric()).nth(MOST_VAGUE_LETTERS).is_some() {
        return false;
    }
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect();
    let normal = words.split_whitespace().collect::<Vec<_>>().join(" ");
    VAGUE.contains(&normal.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(body: &str) -> ContentScan<'static> {
        scan_for(body, true)
    }

    /// `body` scanned for errors only, or also for `advice`.
    fn scan_for(body: &str, advice: bool) -> ContentScan<'static> {
        let text: &'static str = Box::leak(format!("---\ntitle: T\n---\n{body}").into_boxed_str());
        let facts = Box::leak(Box::new(crate::markdown::tests::facts_of(text, 17)));
        scan_content(Path::new("content/a.md"), text, facts, advice)
    }

    /// The check before publishing asks for errors only: the texts of
    /// links, markdown or HTML, are not looked at; images without alt
    /// text are still errors.
    #[test]
    fn errors_only_leaves_out_the_advice_on_link_texts() {
        let body = "[here](a.md) and <a href=\"b.md\">click here</a>\n\n![](x.png)\n";
        let messages = |advice| -> Vec<String> {
            scan_for(body, advice).problems.into_iter().map(|d| d.message).collect()
        };
        assert_eq!(messages(false), ["image without alt text"]);
        let all = messages(true);
        let vague = all.iter().filter(|m| m.contains("does not say where the link goes")).count();
        assert_eq!((all.len(), vague), (3, 2), "{all:?}");
        assert_eq!(scan_for(body, false).links.len(), 3, "every address is still checked");
    }

    fn lines(s: &ContentScan) -> Vec<(usize, String)> {
        s.problems.iter().map(|d| (d.location.map_or(0, |l| l.line), d.message.clone())).collect()
    }

    #[test]
    fn no_vague_text_has_more_letters_than_the_most_counted() {
        let most = VAGUE.iter().map(|v| v.chars().filter(|c| c.is_alphanumeric()).count()).max();
        assert_eq!(most, Some(MOST_VAGUE_LETTERS));
        assert!(is_vague("  more   information!  "));
        assert!(!is_vague("more informations"));
    }

    #[test]
    fn vague_link_texts() {
        for vague in ["here", "Click here", "click here!", "Read more »", "MORE", "this page", "Link"] {
            assert!(is_vague(vague), "{vague}");
        }
        for clear in ["aftercare advice", "Read about the risks", "Contact us", "more about the risks"] {
            assert!(!is_vague(clear), "{clear}");
        }
    }

    #[test]
    fn finds_images_without_alt_and_vague_links_with_lines() {
        let s = scan(
            "Intro.\n\n![](a.png) ![A scalp](b.png)\n\nSee [here](risks.md) or [the risks](risks.md).\n\n<img src=\"c.png\"> <img src=\"d.png\" alt=\"\" role=\"presentation\">\n\n<a href=\"x.pdf\">read more</a>\n",
        );
        assert_eq!(
            lines(&s),
            [
                (6, "image without alt text".to_string()),
                (8, "link text `here` does not say where the link goes".to_string()),
                (10, "image without alt text".to_string()),
                (12, "link text `read more` does not say where the link goes".to_string()),
            ]
        );
        let hrefs: Vec<(&str, bool, bool)> =
            s.links.iter().map(|l| (l.href.as_ref(), l.image, l.raw)).collect();
        assert_eq!(
            hrefs,
            [
                ("a.png", true, false),
                ("b.png", true, false),
                ("risks.md", false, false),
                ("risks.md", false, false),
                ("c.png", true, true),
                ("d.png", true, true),
                ("x.pdf", false, true)
            ]
        );
    }

    #[test]
    fn an_image_in_a_link_names_it_and_aria_label_replaces_text() {
        let s = scan(
            "[![Our clinic](c.png)](contact.md) [](x.md)\n\n<a href=\"y\" aria-label=\"Aftercare advice\">here</a>\n",
        );
        assert_eq!(
            lines(&s),
            [(4, "link without text: screen readers can only read out its address".to_string())]
        );
    }

    #[test]
    fn headings_from_markdown_and_html_in_order() {
        let s = scan("## One\n\ntext\n\n<h3>Three</h3>\n\n## Two\n");
        assert_eq!(s.headings.iter().map(|h| h.0).collect::<Vec<_>>(), [2, 3, 2]);
        assert_eq!(s.headings[1].1, 17 + "## One\n\ntext\n\n".len());
    }
}
