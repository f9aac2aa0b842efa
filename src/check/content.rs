//! Checks on a page's markdown, so each problem points at the line the owner
//! wrote: images without alt text and links whose text says nothing. Also
//! collects what later checks need with its place in the file: every link and
//! image address, and every heading.
//!
//! The body is parsed again with pulldown-cmark's offset iterator (the parse
//! stage keeps HTML, not positions). Raw HTML in the markdown is read with
//! the same tag scanner as rendered pages.

use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::html::{self, Node};
use crate::error::Diagnostic;

/// A link or image address written in the markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLink {
    /// As written (`../images/a.png`, `/static.pdf`, `risks.md#x`).
    pub(crate) href: String,
    /// Byte offset in the page's text.
    pub(crate) offset: usize,
    /// An image (`![]()` or `<img src>`), not a link.
    pub(crate) image: bool,
    /// Written in raw HTML, so not rewritten when rendered: `/x` is then
    /// measured from the domain, not from the site's top.
    pub(crate) raw: bool,
}

/// What the markdown holds, with places.
#[derive(Debug, Default)]
pub(crate) struct ContentScan {
    pub(crate) links: Vec<ContentLink>,
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

/// Scans the body of the page `file` (whose whole text is `text`).
pub(crate) fn scan_content(file: &Path, text: &str, body_offset: usize, options: Options) -> ContentScan {
    let body = &text[body_offset..];
    let mut out = ContentScan::default();
    let mut link: Option<OpenLink> = None;
    let mut raw_link: Option<OpenLink> = None;
    let mut image: Option<(usize, String)> = None;
    let warn = |message: String, offset: usize| Diagnostic::warning(file, message).at_offset(text, offset);

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let start = body_offset + range.start;
        match event {
            Event::Start(Tag::Heading { level, .. }) => out.headings.push((level as u8, start)),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let offset = body_offset + dest_offset(body, &range, &dest_url);
                out.links.push(ContentLink { href: dest_url.to_string(), offset, image: false, raw: false });
                link = Some(OpenLink { offset: start, text: String::new(), label: None });
            }
            Event::End(TagEnd::Link) => {
                if let Some(l) = link.take() {
                    out.problems.extend(link_text_problem(&l).map(|m| warn(m, l.offset)));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let offset = body_offset + dest_offset(body, &range, &dest_url);
                out.links.push(ContentLink { href: dest_url.to_string(), offset, image: true, raw: false });
                image = Some((start, String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((offset, alt)) = image.take() {
                    if alt.trim().is_empty() {
                        out.problems.push(
                            Diagnostic::error(file, "image without alt text")
                                .at_offset(text, offset)
                                .with_help(
                                    "describe the image between the brackets, for people who cannot see it: ![The scalp two weeks after treatment](photo.jpg)",
                                ),
                        );
                    }
                    if let Some(l) = link.as_mut() {
                        l.text.push_str(&alt);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&t);
                } else if let Some(l) = link.as_mut() {
                    l.text.push_str(&t);
                }
                if let Some(l) = raw_link.as_mut() {
                    l.text.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Where the event's text sits in the file (a block's lines
                // may be indented inside a list item).
                let base = body.get(range.clone()).and_then(|s| s.find(&*h)).map_or(start, |k| start + k);
                scan_raw_html(file, text, &h, base, &mut raw_link, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// Checks tags in raw HTML written in markdown.
fn scan_raw_html(
    file: &Path,
    text: &str,
    h: &str,
    base: usize,
    raw_link: &mut Option<OpenLink>,
    out: &mut ContentScan,
) {
    let nodes = html::scan(h);
    for node in &nodes {
        match node {
            Node::Start(tag) => {
                let raw_tag = &h[tag.start..tag.end];
                let attr_offset =
                    |attr: &str| base + tag.start + raw_tag.find(&format!("{attr}=")).unwrap_or(0);
                if let Some(level) = tag.heading_level() {
                    out.headings.push((level, base + tag.start));
                }
                for attr in link_attributes(&tag.name) {
                    if let Some(href) = tag.attr(attr) {
                        let image = tag.name == "img";
                        let offset = attr_offset(attr);
                        out.links.push(ContentLink { href: href.to_string(), offset, image, raw: true });
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
                if let Some(l) = raw_link.take() {
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

/// An `<img>` has alt text, or is marked as decoration for screen readers.
pub(crate) fn has_alt(tag: &html::Tag) -> bool {
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
    let name = html::collapse_whitespace(name);
    if name.is_empty() {
        Some("link without text: screen readers can only read out its address".to_string())
    } else if is_vague(&name) {
        Some(format!("link text `{name}` does not say where the link goes"))
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

/// Whether `text` is a link text that says nothing ("click here", "Read
/// more »"): compared in lower case, without punctuation.
pub(crate) fn is_vague(text: &str) -> bool {
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect();
    let normal = words.split_whitespace().collect::<Vec<_>>().join(" ");
    VAGUE.contains(&normal.as_str())
}

/// Where in `body` the destination of the link at `range` is written, so the
/// caret points at the address rather than the link text.
fn dest_offset(body: &str, range: &std::ops::Range<usize>, dest: &str) -> usize {
    body.get(range.clone())
        .and_then(|s| if dest.is_empty() { None } else { s.rfind(dest) })
        .map_or(range.start, |i| range.start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(body: &str) -> ContentScan {
        let text = format!("---\ntitle: T\n---\n{body}");
        scan_content(Path::new("content/a.md"), &text, 17, Options::empty())
    }

    fn lines(s: &ContentScan) -> Vec<(usize, String)> {
        s.problems.iter().map(|d| (d.location.map_or(0, |l| l.line), d.message.clone())).collect()
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
            s.links.iter().map(|l| (l.href.as_str(), l.image, l.raw)).collect();
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
        let s = scan("# One\n\ntext\n\n<h3>Three</h3>\n\n## Two\n");
        assert_eq!(s.headings.iter().map(|h| h.0).collect::<Vec<_>>(), [1, 3, 2]);
        assert_eq!(s.headings[1].1, 17 + "# One\n\ntext\n\n".len());
    }
}
