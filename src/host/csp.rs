//! The Content-Security-Policy, computed from the built pages: what inline
//! code a page holds ([`Inline::of_html`]), and the one place the policy is
//! written ([`Policy`]), for the `_headers` file and for the
//! `<meta http-equiv>` of hosts that cannot set headers ([`MetaTags`]).
//!
//! No `'unsafe-inline'`: each inline executable `<script>` and each
//! `<style>` is allowed by its SHA-256 hash. A `<script>` whose `type` is
//! not JavaScript (`application/ld+json`: the JSON-LD every page carries) is
//! a data block that browsers never run, so CSP does not apply to it and it
//! is not hashed. `style="…"` attributes (pulldown-cmark writes
//! `style="text-align: …"` for aligned table columns) and event-handler
//! attributes (`onclick="…"`, from raw HTML) can only be allowed by hash
//! with `'unsafe-hashes'`, which is added only when a page has one: the
//! clinic theme writes none.

use std::collections::BTreeSet;

use super::sha256::{base64, sha256};
use crate::config::SiteConfig;
use crate::html::{Tag, start_tags, start_tags_keeping};

/// The hash sources of the inline code in one or more pages, as CSP writes
/// them (`'sha256-…'`), sorted so the policy is the same from run to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    /// Inline executable `<script>` elements.
    pub scripts: BTreeSet<String>,
    /// `<style>` elements.
    pub styles: BTreeSet<String>,
    /// Event-handler attributes (`onclick`).
    pub script_attrs: BTreeSet<String>,
    /// `style` attributes.
    pub style_attrs: BTreeSet<String>,
}

impl Inline {
    /// The inline code of one HTML document.
    pub fn of_html(html: &str) -> Inline {
        let mut inline = Inline::default();
        for tag in start_tags_keeping(html, Inline::reads) {
            inline.observe(html, &tag);
        }
        inline
    }

    /// Whether the document has no inline code.
    pub(crate) fn is_empty(&self) -> bool {
        self.scripts.is_empty()
            && self.styles.is_empty()
            && self.script_attrs.is_empty()
            && self.style_attrs.is_empty()
    }

    /// Whether an attribute (lower-case name) matters to [`Inline::observe`]:
    /// a scan need not decode or keep the others.
    pub(crate) fn reads(name: &str) -> bool {
        name == "style" || name.starts_with("on") || name == "src" || name == "type"
    }

    /// Adds the inline code of `tag`, a start tag of `html` that holds at
    /// least the attributes [`Inline::reads`] accepts.
    pub(crate) fn observe(&mut self, html: &str, tag: &Tag<'_>) {
        for (name, value) in &tag.attrs {
            if name == "style" {
                self.style_attrs.insert(hash_source(value));
            } else if name.starts_with("on") && name.len() > 2 {
                self.script_attrs.insert(hash_source(value));
            }
        }
        match tag.name.as_ref() {
            "script" if tag.attr("src").is_none() && runs(tag) => {
                self.scripts.insert(hash_source(element_text(html, tag)));
            }
            "style" => {
                self.styles.insert(hash_source(element_text(html, tag)));
            }
            _ => {}
        }
    }

    /// Adds the `style` attribute `value`, known to be on a tag of the
    /// document that was not read.
    pub(crate) fn style_attribute(&mut self, value: &str) {
        self.style_attrs.insert(hash_source(value));
    }

    /// Adds `other`'s hashes to these.
    pub fn extend(&mut self, other: &Inline) {
        self.scripts.extend(other.scripts.iter().cloned());
        self.styles.extend(other.styles.iter().cloned());
        self.script_attrs.extend(other.script_attrs.iter().cloned());
        self.style_attrs.extend(other.style_attrs.iter().cloned());
    }
}

/// `'sha256-…'` of `code` as the browser hashes it (its UTF-8 bytes).
fn hash_source(code: &str) -> String {
    format!("'sha256-{}'", base64(&sha256(code.as_bytes())))
}

/// The text of a `<script>` or `<style>` element: up to its end tag.
fn element_text<'h>(html: &'h str, tag: &Tag<'_>) -> &'h str {
    let rest = &html[tag.end..];
    let close = format!("</{}", tag.name);
    let end = rest
        .as_bytes()
        .windows(close.len())
        .position(|w| w.eq_ignore_ascii_case(close.as_bytes()))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether a `<script>` is run by browsers, so that CSP applies to it: no
/// `type`, an empty one, a JavaScript MIME type, `module`, or the two other
/// types browsers act on (`importmap`, `speculationrules`). Any other type
/// (`application/ld+json`) makes it a data block (HTML, "the script element").
fn runs(tag: &Tag<'_>) -> bool {
    let Some(kind) = tag.attr("type") else { return true };
    let kind = kind.trim().to_ascii_lowercase();
    let essence = kind.split(';').next().unwrap_or("").trim();
    essence.is_empty()
        || matches!(essence, "module" | "importmap" | "speculationrules")
        || JAVASCRIPT_TYPES.contains(&essence)
}

/// The JavaScript MIME type essences (WHATWG MIME Sniffing, 4.6).
const JAVASCRIPT_TYPES: [&str; 16] = [
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

/// Where a policy is delivered: in a header, or in a page's `<meta>`, which
/// cannot carry `frame-ancestors` (browsers ignore it there) and goes
/// without `upgrade-insecure-requests`: the page is the same in `dotwork
/// serve`, whose preview on a phone (`http://192.168.…`) would then ask for
/// its own stylesheet over `https` and get nothing. (Browsers do not upgrade
/// `127.0.0.1`.) Hosts without headers serve HTTPS themselves, and browsers
/// upgrade or block `http:` pictures and scripts on an HTTPS page anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The `Content-Security-Policy` header (`_headers`).
    Header,
    /// `<meta http-equiv="Content-Security-Policy">` first in `<head>`.
    Meta,
}

/// The site's Content-Security-Policy for pages holding `inline` code: the
/// one place it is written.
///
/// Everything comes from the site itself (`'self'`) unless `allow_origins`
/// in site.yaml names another origin (a booking widget: its script, its
/// stylesheet, its frame, its pictures and fonts, the requests it makes and
/// the form it sends), plus the hashes of the inline code. Plugins
/// (`object-src`), `<base>` and being framed by other sites are refused;
/// forms go to the site or the allowed origins; `http:` addresses are
/// fetched as `https:`.
pub struct Policy<'a> {
    config: &'a SiteConfig,
    inline: &'a Inline,
}

impl<'a> Policy<'a> {
    /// The policy of `config`'s site for pages holding `inline`.
    pub fn new(config: &'a SiteConfig, inline: &'a Inline) -> Policy<'a> {
        Policy { config, inline }
    }

    /// The policy as `delivery` carries it.
    pub fn text(&self, delivery: Delivery) -> String {
        let origins = || self.config.allow_origins.iter().cloned();
        let own = || std::iter::once("'self'".to_string()).chain(origins());
        let with_hashes = |blocks: &BTreeSet<String>, attrs: &BTreeSet<String>| {
            let unsafe_hashes = (!attrs.is_empty()).then(|| "'unsafe-hashes'".to_string());
            own().chain(blocks.iter().cloned()).chain(unsafe_hashes).chain(attrs.iter().cloned()).collect()
        };
        let mut directives: Vec<(&str, Vec<String>)> = vec![
            ("default-src", vec!["'self'".to_string()]),
            ("script-src", with_hashes(&self.inline.scripts, &self.inline.script_attrs)),
            ("style-src", with_hashes(&self.inline.styles, &self.inline.style_attrs)),
        ];
        if !self.config.allow_origins.is_empty() {
            for name in ["img-src", "font-src", "connect-src", "frame-src"] {
                directives.push((name, own().collect()));
            }
        }
        directives.extend([
            ("object-src", vec!["'none'".to_string()]),
            ("base-uri", vec!["'none'".to_string()]),
            ("form-action", own().collect()),
        ]);
        let mut text: Vec<String> =
            directives.into_iter().map(|(name, sources)| format!("{name} {}", sources.join(" "))).collect();
        if delivery == Delivery::Header {
            text.extend(["frame-ancestors 'none'".to_string(), "upgrade-insecure-requests".to_string()]);
        }
        text.join("; ")
    }
}

/// The `<meta http-equiv="Content-Security-Policy">` of the policy for
/// `inline`, as [`MetaTags::insert`] puts it in a page.
fn meta_tag(config: &SiteConfig, inline: &Inline) -> String {
    let policy = Policy::new(config, inline).text(Delivery::Meta);
    // Its sources are keywords in single quotes, base64 hashes and validated
    // origins; escaping `&` and `"` keeps the attribute whole whatever they hold.
    let content = policy.replace('&', "&amp;").replace('"', "&quot;");
    format!("\n<meta http-equiv=\"Content-Security-Policy\" content=\"{content}\">")
}

/// Puts `meta` first in the `<head>` of `html`, before anything the policy
/// governs; after `<meta charset>` if that comes first, so the encoding
/// stays within the first 1,024 bytes where browsers look for it. In place,
/// in the room the page was rendered with (issue 16: a copy of each page
/// was 1.2% of a cold build's instructions). False if the document has no
/// `<head>` tag.
fn insert_meta_tag(html: &mut String, meta: &str) -> bool {
    let mut tags = start_tags(html).skip_while(|t| t.name != "head");
    let Some(head) = tags.next() else { return false };
    let at = match tags.next() {
        Some(next) if next.name == "meta" && next.attr("charset").is_some() => next.end,
        _ => head.end,
    };
    drop(tags);
    html.insert_str(at, meta);
    true
}

/// Puts the policy for a page's own inline code in the page, as a `<meta>`
/// first in its `<head>` (after `<meta charset>`), for the pages of one build:
/// they mostly hold the same inline code (none, or the brand's `<style>`),
/// so each set's `<meta>` is written once (writing it was 9,000
/// instructions a page; issue 16).
#[derive(Debug, Default)]
pub struct MetaTags(std::sync::Mutex<Vec<(Inline, std::sync::Arc<str>)>>);

impl MetaTags {
    /// How many sets of inline code are remembered; a page whose set is
    /// not among them has its `<meta>` written for it alone.
    const KEPT: usize = 16;

    /// Puts the `<meta>` for the inline code `inline` in `html`, the
    /// `<meta>` written once for each set; false if it has no `<head>` tag.
    pub fn insert(&self, html: &mut String, config: &SiteConfig, inline: &Inline) -> bool {
        // A poisoned lock only means another thread panicked; the list is still sound.
        let mut known = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let meta = match known.iter().find(|(k, _)| k == inline) {
            Some((_, meta)) => meta.clone(),
            None => {
                let meta: std::sync::Arc<str> = meta_tag(config, inline).into();
                if known.len() < Self::KEPT {
                    known.push((inline.clone(), meta.clone()));
                }
                meta
            }
        };
        drop(known);
        insert_meta_tag(html, &meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(origins: &[&str]) -> SiteConfig {
        let mut text = "title: T\nbase_url: https://example.org/\n".to_string();
        if !origins.is_empty() {
            text.push_str(&format!("allow_origins: [{}]\n", origins.join(", ")));
        }
        crate::config::parse_config(&text).unwrap()
    }

    #[test]
    fn inline_scripts_and_styles_are_hashed_and_data_blocks_are_not() {
        let html = "<head><script type=\"application/ld+json\">{\"a\":1}</script>\
                    <script>alert('Hello, world.');</script><SCRIPT TYPE=module>x()</Script>\
                    <script src=\"a.js\"></script><style>p{color:red}</style></head>\
                    <body><td style=\"text-align: center\">1</td><p onclick=\"go()\">x</p>";
        let inline = Inline::of_html(html);
        assert_eq!(
            inline.scripts,
            BTreeSet::from([
                "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='".to_string(),
                hash_source("x()")
            ])
        );
        assert_eq!(inline.styles, BTreeSet::from([hash_source("p{color:red}")]));
        assert_eq!(inline.style_attrs, BTreeSet::from([hash_source("text-align: center")]));
        assert_eq!(inline.script_attrs, BTreeSet::from([hash_source("go()")]));
        assert_eq!(Inline::of_html("<script type=\"text/template\">x</script>"), Inline::default());
    }

    #[test]
    fn the_policy_allows_the_hashes_and_origins_and_the_meta_lacks_frame_ancestors() {
        let none = Inline::default();
        assert_eq!(
            Policy::new(&config(&[]), &none).text(Delivery::Header),
            "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
        );
        let inline = Inline::of_html("<script>a()</script><b style=\"color: red\">");
        let policy = Policy::new(&config(&["https://book.example"]), &inline).text(Delivery::Meta);
        assert!(!policy.contains("frame-ancestors") && !policy.contains("upgrade-insecure"), "{policy}");
        assert!(policy.contains(&format!("script-src 'self' https://book.example {}", hash_source("a()"))));
        assert!(policy.contains(&format!(
            "style-src 'self' https://book.example 'unsafe-hashes' {}",
            hash_source("color: red")
        )));
        assert!(policy.contains("frame-src 'self' https://book.example"), "{policy}");
        assert!(policy.contains("form-action 'self' https://book.example"), "{policy}");
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn the_meta_goes_first_in_head() {
        let html =
            "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\"><script>a()</script></head></html>";
        let inline = Inline::of_html(html);
        let tags = MetaTags::default();
        let mut out = html.to_string();
        assert!(tags.insert(&mut out, &config(&[]), &inline));
        let first = "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src";
        assert!(out.starts_with(first), "{out}");
        assert!(out.contains(&hash_source("a()")), "{out}");
        let mut out = "<html><head><title>T</title>".to_string();
        assert!(tags.insert(&mut out, &config(&[]), &Inline::default()));
        assert!(out.starts_with("<html><head>\n<meta http-equiv"), "{out}");
        let mut no_head = "<p>no head</p>".to_string();
        assert!(!tags.insert(&mut no_head, &config(&[]), &inline));
        assert_eq!(no_head, "<p>no head</p>");
    }

    #[test]
    fn a_remembered_meta_is_the_one_written_for_that_page_alone() {
        // More sets of inline code than are remembered, each met twice,
        // in a different order the second time.
        let config = config(&["https://maps.example.org"]);
        let pages: Vec<String> = (0..MetaTags::KEPT + 4)
            .map(|i| format!("<html><head><meta charset=\"utf-8\"><script>run({i})</script></head>"))
            .collect();
        let tags = MetaTags::default();
        // The page with the `<meta>` as `MetaTags` puts it, and written for it alone.
        let both = |html: &str, inline: &Inline| {
            let (mut remembered, mut alone) = (html.to_string(), html.to_string());
            let put = (
                tags.insert(&mut remembered, &config, inline),
                insert_meta_tag(&mut alone, &meta_tag(&config, inline)),
            );
            (put, remembered, alone)
        };
        for html in pages.iter().chain(pages.iter().rev()) {
            let (put, remembered, alone) = both(html, &Inline::of_html(html));
            assert_eq!(put, (true, true));
            assert_eq!(remembered, alone);
        }
        let (put, remembered, alone) = both("<html><head><title>T</title>", &Inline::default());
        assert_eq!((put, remembered), ((true, true), alone));
        assert_eq!(both("<p>no head</p>", &Inline::default()).0, (false, false));
    }
}
