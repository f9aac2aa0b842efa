//! Checks on the part of a rendered page that the templates wrote (all of it
//! but the page's own markdown HTML): links and images, alt text, link text,
//! and the `<title>` and meta description search results show.
//!
//! A problem found here is pointed at the template tag that wrote it when
//! [`Templates::locate`] finds exactly one, else at the page being rendered.

use std::ops::Range;
use std::path::Path;

use super::content::{has_alt, link_attributes, link_name_problem};
use super::links::{Base, Doc, LinkProblem, OutputIndex, PageIds, Target, resolve};
use super::templates::{Locate, Wanted};
use crate::config::{CONFIG_FILE, SiteConfig};
use crate::error::{Diagnostic, Severity};
use crate::html::{self, Node};

/// A heading: its level (1 for h1) and its byte offset (in the file it was
/// found in).
pub(crate) type Heading = (u8, usize);

/// A page's rendered output and what is needed to trace it to templates.
pub(crate) struct Rendered<'a> {
    pub(crate) doc: &'a Doc<'a>,
    /// The page's address from the site's top: `/care/aftercare/`, `/404.html`.
    pub(crate) address: &'a str,
    /// Where the page's markdown HTML is in `doc` (empty when none).
    pub(crate) body: Range<usize>,
    /// The site's templates.
    pub(crate) templates: &'a (dyn Locate + 'a),
    /// The template the page was rendered with.
    pub(crate) template: &'a str,
    /// The page's source, for problems no template line can be found for.
    pub(crate) page_file: &'a Path,
    /// The site's settings, for problems in a value a template prints.
    pub(crate) config: &'a SiteConfig,
}

impl Rendered<'_> {
    /// Whether the node at output offset `at` came from the templates.
    pub(crate) fn by_templates(&self, at: usize) -> bool {
        !self.body.contains(&at)
    }

    /// A diagnostic at the template tag that wrote `wanted`, else on the page.
    pub(crate) fn place(&self, severity: Severity, message: String, wanted: &Wanted<'_>) -> Diagnostic {
        match self.templates.locate(self.template, wanted) {
            Some(found) => Diagnostic { severity, ..Diagnostic::error(&found.template.path, message) }
                .at_offset(&found.template.text, found.offset),
            None => Diagnostic { severity, ..Diagnostic::error(self.page_file, message) }.with_help(format!(
                "this is in what the templates wrote for the page ({}), not in its markdown",
                self.templates.names(self.template).join(", ")
            )),
        }
    }

    /// A diagnostic at the template tag that wrote the element at output
    /// offset `at`, else on the page.
    pub(crate) fn place_at(&self, severity: Severity, message: String, at: usize) -> Diagnostic {
        let nodes = &self.doc.nodes;
        let tag = nodes.iter().enumerate().find_map(|(i, n)| match n {
            Node::Start(t) if t.start == at => Some((i, t)),
            _ => None,
        });
        match tag {
            Some((i, tag)) => {
                let text = self.text_of(i);
                self.place(severity, message, &Wanted { tag, text: text.as_deref(), attr: None })
            }
            None => Diagnostic { severity, ..Diagnostic::error(self.page_file, message) },
        }
    }

    /// The text inside the element opened by node `i`, for elements that
    /// have an end tag.
    fn text_of(&self, i: usize) -> Option<String> {
        let Node::Start(tag) = &self.doc.nodes[i] else { return None };
        if matches!(tag.name.as_ref(), "img" | "link" | "source" | "track" | "embed" | "area" | "meta") {
            return None;
        }
        Some(html::text_between(self.doc.html, html::until_end(&self.doc.nodes, i, &tag.name)))
    }

    /// Links, images and link text in the templates' part of the page.
    pub(crate) fn check_links(&self, index: &OutputIndex, base: Base<'_>, advice: bool) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let broken = self.config.broken_links.severity();
        for (i, node) in self.doc.nodes.iter().enumerate() {
            let Node::Start(tag) = node else { continue };
            if !self.by_templates(tag.start) {
                continue;
            }
            for attr in link_attributes(&tag.name) {
                let Some(value) = tag.attr(attr) else { continue };
                if let Err(problem) = index.check(self.address, value, base).map_err(|p| index.suggest(p)) {
                    let text = self.text_of(i);
                    let wanted = Wanted { tag, text: text.as_deref(), attr: Some(attr) };
                    // A link a template prints straight from site.yaml is that value's problem.
                    let setting = self
                        .templates
                        .locate(self.template, &wanted)
                        .and_then(|found| setting_in(&found.template.text, found.offset, attr));
                    if let Some(path) = setting {
                        found.push(
                            setting_link_problem(self.config, &path, value, &problem).with_severity(broken),
                        );
                        continue;
                    }
                    let shown = self.shown(value, base);
                    let (message, help) = link_message(tag.name == "img", &shown, &problem);
                    let d = self.place(broken, message, &wanted);
                    found.push(match help {
                        Some(h) if d.help.is_none() => d.with_help(h),
                        _ => d,
                    });
                }
            }
            if tag.name == "img" && !has_alt(tag) {
                let src = self.shown(tag.attr("src").unwrap_or_default(), base);
                let message = format!("image `{src}` without alt text");
                found.push(self.place(Severity::Error, message, &Wanted { tag, text: None, attr: None }));
            }
            if advice && tag.name == "a" && tag.attr("href").is_some() {
                let text = self.text_of(i).unwrap_or_default();
                let name = tag.attr("aria-label").unwrap_or(&text);
                let labelled = tag.attr("aria-labelledby").is_some() || tag.attr("title").is_some();
                if let Some(message) = link_name_problem(name).filter(|_| !labelled) {
                    let wanted = Wanted { tag, text: Some(&text), attr: None };
                    found.push(self.place(Severity::Warning, message, &wanted));
                }
            }
        }
        found
    }

    /// The links to anchors of other files in the templates' part of the
    /// page, as written, which [`Self::check_links`] can check only once
    /// those files' ids are known. `None` when one names an anchor of this
    /// page (the file `own`, by output key, whose ids are `ids`) that it
    /// does not have.
    pub(crate) fn anchors_elsewhere(
        &self,
        index: &OutputIndex,
        base: Base<'_>,
        own: &str,
        ids: &PageIds,
    ) -> Option<Vec<Box<str>>> {
        let mut elsewhere = Vec::new();
        for node in &self.doc.nodes {
            let Node::Start(tag) = node else { continue };
            if !self.by_templates(tag.start) {
                continue;
            }
            for attr in link_attributes(&tag.name) {
                let Some(value) = tag.attr(attr).filter(|v| v.contains('#')) else { continue };
                match index.anchor(self.address, value, base) {
                    Some((file, fragment)) if file == own => ids.contains(&fragment).then_some(())?,
                    Some(_) => elsewhere.push(value.into()),
                    None => {}
                }
            }
        }
        Some(elsewhere)
    }

    /// An address written by a template, as the same on every page: `#x`
    /// as written, a file of the site from the top (`/images/a.png`, not
    /// `../images/a.png`).
    fn shown(&self, value: &str, base: Base<'_>) -> String {
        match resolve(self.address, value, base) {
            Target::Internal { file, fragment } if !value.starts_with('#') => site_form(&file, &fragment),
            _ => value.to_string(),
        }
    }

    /// Headings the templates wrote before and after the page's markdown:
    /// level and output offset.
    pub(crate) fn template_headings(&self) -> (Vec<Heading>, Vec<Heading>) {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for node in &self.doc.nodes {
            if let Node::Start(tag) = node
                && let Some(level) = tag.heading_level()
                && self.by_templates(tag.start)
            {
                if tag.start < self.body.start || self.body.is_empty() {
                    before.push((level, tag.start));
                } else {
                    after.push((level, tag.start));
                }
            }
        }
        (before, after)
    }

    /// The text of `<title>`, if the page has one.
    pub(crate) fn title(&self) -> Option<String> {
        let nodes = &self.doc.nodes;
        let i = nodes.iter().position(|n| matches!(n, Node::Start(t) if t.name == "title"))?;
        Some(html::text_between(self.doc.html, html::until_end(nodes, i, "title")))
    }

    /// The meta description's content, if the page has the tag.
    pub(crate) fn description(&self) -> Option<String> {
        self.doc.nodes.iter().find_map(|n| match n {
            Node::Start(t)
                if t.name == "meta"
                    && t.attr("name").is_some_and(|v| v.eq_ignore_ascii_case("description")) =>
            {
                Some(html::collapse_whitespace(t.attr("content").unwrap_or_default()))
            }
            _ => None,
        })
    }
}

/// The setting a template attribute prints whole, `href="{{ site.clinic.booking_url }}"`,
/// as its key path in site.yaml (`clinic.booking_url`); `offset` is where
/// the attribute starts in the template's `text`.
fn setting_in(text: &str, offset: usize, attr: &str) -> Option<String> {
    let rest = text.get(offset..)?.strip_prefix(attr)?.strip_prefix('=')?;
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..][..rest[1..].find(quote)?];
    let inner = value.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim_matches('-').trim();
    let expr = inner.split('|').next()?.trim();
    let path = expr.strip_prefix("site.").or_else(|| expr.strip_prefix("config."))?;
    path.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.').then(|| path.to_string())
}

/// A broken link whose whole address is the site.yaml setting at `path`:
/// one error at that setting's line, the same on every page that shows it.
fn setting_link_problem(config: &SiteConfig, path: &str, value: &str, problem: &LinkProblem) -> Diagnostic {
    let written = value.split(['/', '?', '#']).next().unwrap_or_default();
    let (message, help) = match problem {
        LinkProblem::Missing { .. } if !value.starts_with('/') => (
            format!(
                "`{path}` is `{value}`, which is not a full web address: on each page it links to a file beside that page, and there is none"
            ),
            Some(if written.contains('.') {
                format!("write the full address, starting with https://, such as https://{value}")
            } else {
                "write the full address, starting with https://, or an address on the site starting with /"
                    .to_string()
            }),
        ),
        other => {
            let (message, help) = link_message(false, value, other);
            (format!("{message} (the value of `{path}`)"), help)
        }
    };
    let d = Diagnostic::error(CONFIG_FILE, message);
    let d = match crate::yaml::key_path_location(&config.text, path) {
        Some(loc) => d.at(&config.text, loc),
        None => d,
    };
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// `risks/index.html` + `x` -> `/risks/#x`: how a page's address reads.
pub(crate) fn site_form(file: &str, fragment: &str) -> String {
    let path = file.strip_suffix("index.html").unwrap_or(file);
    if fragment.is_empty() { format!("/{path}") } else { format!("/{path}#{fragment}") }
}

/// The message and help for a broken link or image written as `shown`.
pub(crate) fn link_message(image: bool, shown: &str, problem: &LinkProblem) -> (String, Option<String>) {
    let what = if image { "image" } else { "link to" };
    match problem {
        LinkProblem::Missing { file, suggestion } => {
            let message = if image {
                format!("image `{shown}` not found: the built site has no file {file}")
            } else if file == "index.html" {
                // Issue 14: the theme links every page to the home page.
                let help = "add content/index.md with the home page's title and text";
                return (
                    format!("link to `{shown}`, but the site has no home page: there is no content/index.md"),
                    Some(help.to_string()),
                );
            } else if file.ends_with("index.html") || !file.contains('.') {
                // An address, not a file: say it as one (`/contact/`, not `contact/index.html`).
                format!("link to `{shown}`, but no page has the address {}", site_form(file, ""))
            } else {
                format!("link to `{shown}`, but the built site has no file {file}")
            };
            // An address as a browser shows it (`/contact/`), not an output file path.
            let help =
                suggestion.as_ref().map(|s| format!("did you mean {}?", site_form(s, ""))).or_else(|| {
                    (!file.ends_with(".html"))
                        .then(|| "put the file in static/, or beside the page in content/".to_string())
                });
            (message, help)
        }
        LinkProblem::Outside(super::links::Outside::AboveRoot) => {
            (format!("{what} `{shown}` climbs above the site's top folder"), None)
        }
        LinkProblem::Outside(super::links::Outside::NotUnderBase) => (
            format!("{what} `{shown}` points outside the site's base URL"),
            Some("the site lives under the base_url in site.yaml; use a relative address".to_string()),
        ),
        LinkProblem::NoFragment { file, fragment, suggestion } => (
            if shown.starts_with('#') {
                format!("{what} `{shown}`, but the page has no element with id `{fragment}`")
            } else {
                format!("{what} `{shown}`, but {file} has no element with id `{fragment}`")
            },
            suggestion.as_ref().map(|s| format!("did you mean `#{s}`?")),
        ),
    }
}
