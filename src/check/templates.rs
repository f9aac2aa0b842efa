//! Finding the template tag that wrote a piece of rendered output, so a
//! problem in a theme points at the template line instead of at every page
//! that shows it.
//!
//! Rendering does not record where output came from, so this matches: among
//! the templates a page is rendered with (its own, then what it includes and
//! extends, recursively), a tag of the same name whose attributes and text
//! match the rendered ones, with every `{{ … }}` and `{% … %}` in the
//! template standing for any text (`href="{{ root }}contact/"` matches
//! `href="../contact/"`). Only a single match counts: when two template tags
//! could have written it, the caller points at the page instead.

use std::sync::OnceLock;

use crate::collections::HashMap;

use crate::html::{self, Node, Tag};
use crate::source::TemplateFile;

/// The site's templates, by name, each scanned once, when a problem first
/// asks where it was written: a page that has none never needs it, and
/// scanning every template and working out its chain was 1.8% of a
/// one-page rebuild's instructions at 10,000 pages (issue 16).
pub(crate) struct Templates<'a> {
    all: &'a [TemplateFile],
    scanned: OnceLock<Scanned<'a>>,
}

/// Each template's HTML nodes, and the chain of each ([`Templates::chain`]).
struct Scanned<'a> {
    nodes: Vec<Vec<Node<'a>>>,
    chains: HashMap<&'a str, Vec<usize>>,
}

/// A place in a template: which one, and a byte offset in its text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found<'a> {
    pub(crate) template: &'a TemplateFile,
    pub(crate) offset: usize,
}

/// A rendered tag to look for, with its text (for tags that have an end).
pub(crate) struct Wanted<'r> {
    pub(crate) tag: &'r Tag<'r>,
    pub(crate) text: Option<&'r str>,
    /// Point at this attribute's value rather than at the tag.
    pub(crate) attr: Option<&'r str>,
}

/// Where a problem in rendered output was written ([`Templates`]), behind
/// a trait object so that what holds it keeps its lifetimes variant (the
/// lazy cell inside `Templates` is not).
pub(crate) trait Locate: Send + Sync {
    /// The tag that most likely wrote `wanted`, in the templates rendering
    /// `name` uses.
    fn locate(&self, name: &str, wanted: &Wanted<'_>) -> Option<Found<'_>>;
    /// The names of the templates rendering `name` uses, `name` first.
    fn names(&self, name: &str) -> Vec<&str>;
}

impl<'a> Templates<'a> {
    pub(crate) fn new(all: &'a [TemplateFile]) -> Templates<'a> {
        Templates { all, scanned: OnceLock::new() }
    }

    fn scanned(&self) -> &Scanned<'a> {
        self.scanned.get_or_init(|| Scanned {
            nodes: self.all.iter().map(|t| html::scan(&t.text)).collect(),
            chains: self
                .all
                .iter()
                .map(|t| (t.name.as_str(), crate::source::templates_used(self.all, &t.name)))
                .collect(),
        })
    }

    /// The templates rendering `name` uses (by index), `name` first, each once.
    fn chain(&self, name: &str) -> std::borrow::Cow<'_, [usize]> {
        match self.scanned().chains.get(name) {
            Some(chain) => std::borrow::Cow::Borrowed(chain),
            None => std::borrow::Cow::Owned(crate::source::templates_used(self.all, name)),
        }
    }
}

impl Locate for Templates<'_> {
    fn names(&self, name: &str) -> Vec<&str> {
        self.chain(name).iter().map(|&i| self.all[i].name.as_str()).collect()
    }

    /// Of the tags that could have written `wanted`, the one with the most
    /// literal text in common with it (`href="{{ root }}contact/"` over
    /// `href="{{ item.url }}"`). `None` when none could, or two tie.
    fn locate(&self, name: &str, wanted: &Wanted<'_>) -> Option<Found<'_>> {
        let mut best: Option<(usize, Found<'_>)> = None;
        let mut tie = false;
        for &i in self.chain(name).iter() {
            let (template, nodes) = (&self.all[i], &self.scanned().nodes[i]);
            for (k, node) in nodes.iter().enumerate() {
                let Node::Start(tag) = node else { continue };
                let Some(mut score) = tag_matches(tag, wanted.tag) else { continue };
                if let Some(text) = wanted.text {
                    let written = html::text_between(&template.text, html::until_end(nodes, k, &tag.name));
                    if !glob_matches(&written, text) {
                        continue;
                    }
                    score += literal_len(&written);
                }
                let raw = &template.text[tag.start..tag.end];
                let at = wanted.attr.and_then(|a| raw.find(&format!("{a}="))).unwrap_or(0);
                let found = Found { template, offset: tag.start + at };
                match &best {
                    Some((b, _)) if *b > score => {}
                    Some((b, _)) if *b == score => tie = true,
                    _ => {
                        best = Some((score, found));
                        tie = false;
                    }
                }
            }
        }
        if tie { None } else { best.map(|(_, found)| found) }
    }
}

/// Whether the template tag `t` could have rendered as `r` (same name,
/// attribute values that match; attributes inside `{% if %}` may be absent),
/// and if so how specific the match is: literal characters in common, plus
/// one when both have exactly the same attributes.
fn tag_matches(t: &Tag<'_>, r: &Tag<'_>) -> Option<usize> {
    if t.name != r.name {
        return None;
    }
    let conditional = t.attrs.iter().any(|(n, _)| n.starts_with("{%"));
    let mut score = 0;
    for (name, value) in &r.attrs {
        match t.attr(name) {
            Some(pattern) if glob_matches(pattern, value) => score += literal_len(pattern),
            Some(_) => return None,
            None if conditional => {}
            None => return None,
        }
    }
    let is_attr = |n: &str| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':');
    if conditional {
        return Some(score);
    }
    if t.attrs.iter().any(|(n, _)| is_attr(n) && r.attr(n).is_none()) {
        return None;
    }
    Some(score + 1)
}

/// Characters of literal text (not template expressions) in `pattern`.
fn literal_len(pattern: &str) -> usize {
    literal_parts(&html::collapse_whitespace(pattern)).iter().map(String::len).sum()
}

/// Whether `text` could be what `pattern` (template text) rendered as: the
/// template's `{{ }}`/`{% %}`/`{# #}` parts match anything; runs of
/// whitespace compare as one space.
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern = html::collapse_whitespace(pattern);
    let text = html::collapse_whitespace(text);
    let literals = literal_parts(&pattern);
    let (first, rest) = match literals.split_first() {
        Some(split) => split,
        None => return true,
    };
    let Some(mut at) = text.strip_prefix(first.as_str()).map(|_| first.len()) else { return false };
    if rest.is_empty() {
        return at == text.len();
    }
    let (last, middle) = rest.split_last().unwrap_or((first, &[]));
    for part in middle {
        match text[at..].find(part.as_str()) {
            Some(k) => at += k + part.len(),
            None => return false,
        }
    }
    text.len() >= at + last.len() && text.ends_with(last.as_str())
}

/// The literal text of a template between its expressions. Always starts
/// and ends with a literal (empty when the pattern starts or ends with an
/// expression); an expression-free pattern is one literal.
fn literal_parts(pattern: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut rest = pattern;
    while let Some((i, close)) = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")]
        .iter()
        .filter_map(|&(o, c)| rest.find(o).map(|i| (i, c)))
        .min()
    {
        let Some(j) = rest[i + 2..].find(close) else { break };
        current.push_str(&rest[..i]);
        parts.push(std::mem::take(&mut current));
        rest = &rest[i + 2 + j + 2..];
    }
    current.push_str(rest);
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn t(name: &str, text: &str) -> TemplateFile {
        TemplateFile {
            name: name.into(),
            path: PathBuf::from(format!("templates/{name}")),
            text: text.into(),
        }
    }

    fn first_tag<'a>(html: &'a str, name: &str) -> Tag<'a> {
        html::scan(html)
            .into_iter()
            .find_map(|n| match n {
                Node::Start(t) if t.name == name => Some(t),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn template_expressions_match_any_text() {
        assert!(glob_matches("{{ root }}contact/", "../contact/"));
        assert!(glob_matches("{{ root }}contact/", "contact/"));
        assert!(!glob_matches("{{ root }}contact/", "../about/"));
        assert!(glob_matches("mailto:{{ site.clinic.email }}", "mailto:"));
        assert!(glob_matches("{{ x }}", ""));
        assert!(glob_matches("Call {{ phone }} {% if a %}now{% endif %}", "Call 0123 now"));
        assert!(glob_matches("Book\n  a {{ what }}", "Book a consultation"));
        assert!(!glob_matches("Book online", "Book a consultation online"));
        assert!(glob_matches("a{{x}}b{{y}}c", "a1b2c"));
        assert!(!glob_matches("a{{x}}b{{y}}c", "a1c"));
    }

    #[test]
    fn finds_the_one_tag_that_could_have_written_it() {
        let all = vec![
            t("base.html", "<h2>Footer</h2>{% include \"partials/footer.html\" %}"),
            t(
                "page.html",
                "{% extends \"base.html\" %}{%- include 'partials/toc.html' -%}\n<h1>{{ page.title }}</h1>",
            ),
            t("partials/toc.html", "<a href=\"#toc\">x</a>"),
            t(
                "partials/footer.html",
                "<a href=\"{{ root }}contact/\">Contact</a>\n<a href=\"{{ email }}\">{{ email }}</a>\n<a href=\"{{ booking }}\">Book</a>",
            ),
            t("unused.html", "<h1>"),
        ];
        let templates = Templates::new(&all);
        assert!(templates.scanned.get().is_none(), "nothing is scanned before a problem asks");
        assert_eq!(
            templates.names("page.html"),
            ["page.html", "base.html", "partials/footer.html", "partials/toc.html"]
        );
        assert_eq!(templates.names("base.html")[0], "base.html");
        assert!(templates.names("missing.html").is_empty());

        let link = first_tag("<a href=\"../contact/\">Contact</a>", "a");
        let found = templates
            .locate("page.html", &Wanted { tag: &link, text: Some("Contact"), attr: Some("href") })
            .unwrap();
        assert_eq!(found.template.name, "partials/footer.html");
        assert!(found.template.text[found.offset..].starts_with("href=\"{{ root }}contact/\""));

        // Two links could render as `<a href="">`; their text tells them apart.
        let empty = first_tag("<a href=\"\"></a>", "a");
        assert!(templates.locate("page.html", &Wanted { tag: &empty, text: None, attr: None }).is_none());
        let nav = t(
            "nav.html",
            "<a href=\"{{ item.url }}\"{% if item.current %} aria-current=\"page\"{% endif %}>{{ item.title }}</a>",
        );
        let page = t(
            "page.html",
            "{% extends \"base.html\" %}{%- include 'partials/toc.html' -%}{% include 'nav.html' %}\n<h1>{{ page.title }}</h1>",
        );
        let all = [vec![all[0].clone(), page], all[2..].to_vec(), vec![nav]].concat();
        let templates = Templates::new(&all);
        let found = templates
            .locate("page.html", &Wanted { tag: &link, text: Some("Contact"), attr: Some("href") })
            .unwrap();
        assert_eq!(found.template.name, "partials/footer.html", "the more specific match wins");
        let found =
            templates.locate("page.html", &Wanted { tag: &empty, text: Some(""), attr: None }).unwrap();
        assert!(found.template.text[found.offset..].starts_with("<a href=\"{{ email }}\">"));

        let h1 = first_tag("<h1>Risks</h1>", "h1");
        let found =
            templates.locate("page.html", &Wanted { tag: &h1, text: Some("Risks"), attr: None }).unwrap();
        assert_eq!(found.template.name, "page.html");
        let h6 = first_tag("<h6>x</h6>", "h6");
        assert!(templates.locate("page.html", &Wanted { tag: &h6, text: None, attr: None }).is_none());
    }

    #[test]
    fn conditional_attributes_may_be_missing() {
        let t = first_tag(
            "<a href=\"{{ item.url }}\"{% if item.current %} aria-current=\"page\"{% endif %}>",
            "a",
        );
        assert!(tag_matches(&t, &first_tag("<a href=\"../risks/\">", "a")).is_some());
        assert!(tag_matches(&t, &first_tag("<a href=\"./\" aria-current=\"page\">", "a")).is_some());
        let plain = first_tag("<a class=\"button\" href=\"{{ url }}\">", "a");
        assert!(tag_matches(&plain, &first_tag("<a href=\"x\">", "a")).is_none());
        assert_eq!(tag_matches(&plain, &first_tag("<a class=\"button\" href=\"x\">", "a")), Some(7));
    }
}
