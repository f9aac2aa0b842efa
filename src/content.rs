//! The content model: what a page is once parsed, and the rules that turn
//! file names into URLs.
//!
//! URLs inside the site are kept as site-absolute paths (`/care/aftercare/`)
//! and turned into *relative* links only when written out
//! ([`relative_url`]), so the built site works at a domain root and under any
//! sub-path (a GitHub Pages project site) without being rebuilt.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::error::Diagnostic;
use crate::front_matter::FrontMatter;
use crate::markdown::PageFacts;

/// A page, parsed and with its markdown rendered.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The file, relative to the site root (`content/care/aftercare.md`).
    pub source: PathBuf,
    /// The page's text (for quoting lines in later diagnostics).
    pub text: String,
    /// Its front matter.
    pub meta: FrontMatter,
    /// Its title (front matter's, required).
    pub title: String,
    /// Site-absolute URL path, `/` or `/care/aftercare/`.
    pub path: String,
    /// The body as HTML.
    pub html: String,
    /// Headings for a table of contents.
    pub toc: Vec<TocEntry>,
    /// Every `id` the body defines (headings, footnotes), for anchor checks.
    pub ids: HashSet<String>,
    /// The works this page cites, in order of first citation.
    pub cited: Vec<String>,
    /// The page's own reference list (HTML), empty if it cites nothing.
    pub references: String,
    /// What the parse stage recorded for later stages: where the front
    /// matter's keys are, the body's links, headings and prose, with places.
    pub(crate) facts: PageFacts,
}

impl Page {
    /// `d` pointed at the line of this page's front matter where `key:` is
    /// written, when it is there.
    pub(crate) fn at_key(&self, d: Diagnostic, key: &str) -> Diagnostic {
        self.facts.front.at_key(d, &self.text, key)
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

/// Turns text into a URL- and id-safe slug: lowercase letters and digits
/// (any script), other runs of characters become one `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            // An apostrophe joins ("patient's" -> "patients"), anything else splits.
            dash = true;
        }
    }
    out
}

/// The URL path of the page at `source` (`content/care/aftercare.md`), with
/// `slug` replacing the last part. `index.md` is its folder's page.
pub fn page_path(source: &Path, slug: Option<&str>) -> Result<String, String> {
    let rel = source.strip_prefix("content").unwrap_or(source);
    let mut parts: Vec<String> = rel
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(s) => Some(slugify(&s.to_string_lossy())),
            _ => None,
        })
        .collect();
    let stem = rel.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    let is_index = stem.eq_ignore_ascii_case("index") || stem == "_index";
    if !is_index {
        parts.push(slugify(&stem));
    }
    if let Some(slug) = slug {
        if slugify(slug) != slug {
            return Err(format!(
                "slug `{slug}` may only hold lowercase letters, digits and single hyphens (try `{}`)",
                slugify(slug)
            ));
        }
        match parts.last_mut() {
            Some(last) => *last = slug.to_string(),
            None => return Err("the home page cannot have a slug".to_string()),
        }
    }
    if parts.iter().any(String::is_empty) {
        return Err("this file name gives an empty part in the URL; give it a `slug`".to_string());
    }
    Ok(if parts.is_empty() { "/".to_string() } else { format!("/{}/", parts.join("/")) })
}

/// The link from the page at `from` (a folder path ending in `/`) to the
/// site-absolute `to`, as a relative URL: `../risks/`, `./`, `../../style.css`.
pub fn relative_url(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    // `to` = "/a/b/" splits to ["", "a", "b", ""]; its folders are all but the last.
    let to_dirs = &to_parts[1..to_parts.len() - 1];
    let last = to_parts[to_parts.len() - 1];
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from_dirs.len() - common);
    for d in &to_dirs[common..] {
        out.push_str(d);
        out.push('/');
    }
    out.push_str(last);
    if out.is_empty() || out.starts_with('#') || out.starts_with('?') {
        out.insert_str(0, "./");
    }
    out
}

/// Where an alias (an old URL) is written in the output: `/old/` ->
/// `old/index.html`, `/old.html` -> `old.html`. Refuses anything that could
/// land outside the output folder, including percent-encoded tricks.
pub fn alias_output(alias: &str) -> Result<PathBuf, String> {
    let decoded = percent_decode(alias).ok_or_else(|| format!("alias `{alias}` has a broken %-escape"))?;
    let bad = |why: &str| Err(format!("alias `{alias}` {why}"));
    if decoded.contains(['\\', '\0', ':', '?', '#']) {
        return bad("may not contain `\\`, `:`, `?`, `#` or control characters");
    }
    let mut out = PathBuf::new();
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    for s in &segments {
        if *s == "." || *s == ".." || s.chars().any(char::is_control) {
            return bad("may not contain `.` or `..` parts");
        }
        out.push(s);
    }
    if segments.is_empty() {
        return bad("is the home page itself");
    }
    let is_file = !decoded.ends_with('/')
        && segments.last().is_some_and(|s| s.ends_with(".html") || s.ends_with(".htm"));
    if !is_file {
        out.push("index.html");
    }
    Ok(out)
}

/// The output file of a page at URL path `path`.
pub fn page_output(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for s in path.split('/').filter(|s| !s.is_empty()) {
        out.push(s);
    }
    out.push("index.html");
    out
}

/// `%2e` -> `.`; `None` for a broken escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Washing your hair"), "washing-your-hair");
        assert_eq!(slugify("  Risks & side-effects!  "), "risks-side-effects");
        assert_eq!(slugify("The patient's guide"), "the-patients-guide");
        assert_eq!(slugify("Über uns"), "über-uns");
        assert_eq!(slugify("???"), "");
    }

    #[test]
    fn paths_mirror_files() {
        let p = |s: &str, slug: Option<&str>| page_path(Path::new(s), slug);
        assert_eq!(p("content/index.md", None).unwrap(), "/");
        assert_eq!(p("content/about.md", None).unwrap(), "/about/");
        assert_eq!(p("content/care/index.md", None).unwrap(), "/care/");
        assert_eq!(p("content/care/After Care.md", None).unwrap(), "/care/after-care/");
        assert_eq!(p("content/care/aftercare.md", Some("post-care")).unwrap(), "/care/post-care/");
        assert!(p("content/a.md", Some("../evil")).is_err());
        assert!(p("content/index.md", Some("home")).is_err());
        assert!(p("content/!!!.md", None).is_err());
    }

    #[test]
    fn relative_urls_work_from_any_depth() {
        assert_eq!(relative_url("/", "/"), "./");
        assert_eq!(relative_url("/", "/about/"), "about/");
        assert_eq!(relative_url("/about/", "/"), "../");
        assert_eq!(relative_url("/care/aftercare/", "/risks/"), "../../risks/");
        assert_eq!(relative_url("/care/aftercare/", "/care/other/"), "../other/");
        assert_eq!(relative_url("/care/", "/care/aftercare/#washing"), "aftercare/#washing");
        assert_eq!(relative_url("/about/", "/about/#x"), "./#x");
        assert_eq!(relative_url("/a/b/", "/style.css"), "../../style.css");
        assert_eq!(relative_url("/a/", "/images/x.png"), "../images/x.png");
    }

    #[test]
    fn aliases_cannot_escape() {
        assert_eq!(alias_output("/old/").unwrap(), Path::new("old/index.html"));
        assert_eq!(alias_output("old-page").unwrap(), Path::new("old-page/index.html"));
        assert_eq!(alias_output("/old.html").unwrap(), Path::new("old.html"));
        for evil in ["/../x/", "/a/../../x", "%2e%2e/x", "/%2E%2E/%2e%2e/etc", "..\\x", "C:/x", "/", "%zz"] {
            assert!(alias_output(evil).is_err(), "{evil}");
        }
    }
}
