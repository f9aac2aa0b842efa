//! Links written as addresses of the built site (`/contact/`) rather than
//! as a page's file (`contact.md`): what they name, and the error when no
//! page has that address, so `build` fails on them as `check` does. Also
//! the suggestion for a mistyped `#anchor`.
//!
//! An address that a page, an alias or a static file has is allowed: it
//! works in the built site, and `check` verifies its `#fragment`. The file
//! form is still better (it follows the page when its address changes),
//! which is what the error's hint says to write.

use std::borrow::Cow;
use std::path::Path;

use super::{PageIndex, relative_to};
use crate::error::{Diagnostic, Near};
use crate::url::content_dir;

/// A link written as an address of the built site (`/contact/`,
/// `../contact/`) rather than as a page's file (`contact.md`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct AddressLink {
    /// The address it names, from the site's top (`/contact/`); `None`
    /// when it climbs above the top.
    pub(crate) path: Option<String>,
    /// As written, if that is not `path` (`../contact/`). Most links are
    /// written as the address they name, and kept once: half the build
    /// cache's kept bodies were these links, each text twice (issue 16).
    written: Option<String>,
    /// Byte offset in the linking file.
    pub(crate) offset: usize,
}

impl AddressLink {
    /// The link written as `written`, naming the address `path`, at byte
    /// `offset` of its file.
    pub(crate) fn new(written: &str, path: Option<String>, offset: usize) -> AddressLink {
        let written = (path.as_deref() != Some(written)).then(|| written.to_string());
        AddressLink { path, written, offset }
    }

    /// The link as written.
    pub(crate) fn written(&self) -> &str {
        self.written.as_deref().or(self.path.as_deref()).unwrap_or_default()
    }

    /// The link as written if that is not its address: what it keeps
    /// besides the address ([`Self::new`] takes them apart).
    pub(crate) fn written_apart(&self) -> Option<&str> {
        self.written.as_deref()
    }
}

/// Whether a URL written in markdown names a page rather than a file: its
/// last part ends in `/`, has no extension, or is `.html`. Files (images,
/// PDFs) are checked by `check`, against every file of the built site.
pub(super) fn names_a_page(url: &str) -> bool {
    // By bytes (all the marks are ASCII): the pattern searchers of `split`
    // and `rsplit_once` cost more than the search (issue 16).
    let path = &url.as_bytes()[..memchr::memchr2(b'#', b'?', url.as_bytes()).unwrap_or(url.len())];
    let last = &path[memchr::memrchr(b'/', path).map_or(0, |i| i + 1)..];
    match memchr::memrchr(b'.', last) {
        None => !path.is_empty(),
        Some(dot) => {
            let ext = &last[dot + 1..];
            dot > 0 && (ext.eq_ignore_ascii_case(b"html") || ext.eq_ignore_ascii_case(b"htm"))
        }
    }
}

/// Whether the address `link` names is a page's (`is_page` tells by
/// address, `/contact/`) or another file's of the site (`exists` tells by
/// output path, `old/index.html`); a link above the site's top is not.
pub(crate) fn address_known(
    link: &AddressLink,
    is_page: &dyn Fn(&str) -> bool,
    exists: &dyn Fn(&str) -> bool,
) -> bool {
    let Some(path) = &link.path else { return false };
    let bare = path.trim_start_matches('/');
    if path.ends_with('/') {
        is_page(path) || exists(&format!("{bare}index.html"))
    } else {
        is_page(&format!("{path}/")) || is_page(path) || exists(bare) || exists(&format!("{bare}/index.html"))
    }
}

/// An error for a link written as an address that no page has (`is_page`
/// tells by address, `/contact/`) nor any other file of the site (`exists`
/// tells by output path, `old/index.html`), with a hint that names the
/// markdown file to link to instead. `admit` is asked before the error is
/// made (quoting the line and finding the nearest page cost time), so that
/// the caller can stop after enough errors in one file. `text` gives the
/// file's text, asked for only to place an error.
pub(crate) fn unknown_address<'t>(
    file: &Path,
    text: &dyn Fn() -> Cow<'t, str>,
    link: &AddressLink,
    index: &PageIndex,
    is_page: &dyn Fn(&str) -> bool,
    exists: &dyn Fn(&str) -> bool,
    admit: &mut dyn FnMut() -> bool,
) -> Option<Diagnostic> {
    let Some(path) = &link.path else {
        if !admit() {
            return None;
        }
        let d = Diagnostic::error(
            file,
            format!("link to `{}` climbs above the site's top folder", link.written()),
        );
        return Some(
            d.at_offset(&text(), link.offset)
                .with_help("link to a page by its file, such as [text](page.md)"),
        );
    };
    if address_known(link, is_page, exists) || !admit() {
        return None;
    }
    let d =
        Diagnostic::error(file, format!("link to `{}`, but no page has the address {path}", link.written()))
            .at_offset(&text(), link.offset);
    let wanted = if path.ends_with('/') || path.contains('.') { path.clone() } else { format!("{path}/") };
    let best = index
        .near_paths()
        .best(&wanted)
        .and_then(|p| index.paths.iter().position(|known| known == p))
        .and_then(|n| index.source_of(n))
        .map(|source| relative_to(source, &content_dir(file)));
    Some(d.with_help(match best {
        Some(source) => format!("link to the page's file instead: [text]({source})"),
        None => "link to a page by its file, such as [text](page.md): the link then follows the page if its address changes".to_string(),
    }))
}

/// Of a page's heading ids, the one a mistyped `#typed` most likely meant:
/// one that starts with what was typed (`#lotions` -> `#lotions-and-solutions`),
/// else one that contains it, else the nearest by edit distance; shorter and
/// then alphabetically first on a tie. One pass over the ids, comparing
/// ASCII letters without regard to case (ids are slugs), so that reporting
/// a broken anchor costs time in the number of ids, not more (issue 9).
pub(crate) fn closest_id<'a>(typed: &str, ids: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let usable = typed.chars().count() >= 2;
    let shorter = |a: &&'a str, b: &&'a str| (a.len(), *a) < (b.len(), *b);
    let keep = |best: &mut Option<&'a str>, id: &'a str| {
        if best.is_none_or(|b| shorter(&id, &b)) {
            *best = Some(id);
        }
    };
    let (mut starts, mut contains) = (None, None);
    let mut nearest: Option<(usize, &'a str)> = None;
    let mut near = Near::new(typed);
    for id in ids {
        if usable && starts_with_ignore_case(id, typed) {
            keep(&mut starts, id);
        } else if usable && starts.is_none() && contains_ignore_case(id, typed) {
            keep(&mut contains, id);
        } else if starts.is_none()
            && contains.is_none()
            && let Some(d) = near.distance(id)
            && nearest.is_none_or(|(best, b)| (d, id.len(), id) < (best, b.len(), b))
        {
            nearest = Some((d, id));
        }
    }
    starts.or(contains).or(nearest.map(|(_, id)| id))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn contains_ignore_case(text: &str, part: &str) -> bool {
    text.len() >= part.len()
        && text.as_bytes().windows(part.len()).any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::{render, site};

    #[test]
    fn names_a_page_by_its_last_part_as_the_string_methods_did() {
        let by_str = |url: &str| {
            let path = url.split(['#', '?']).next().unwrap_or(url);
            let last = path.rsplit('/').next().unwrap_or(path);
            match last.rsplit_once('.') {
                None => !path.is_empty(),
                Some((stem, ext)) => {
                    !stem.is_empty() && (ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"))
                }
            }
        };
        for url in [
            "",
            "/",
            "a",
            "/a/",
            "a.html",
            "a.HTM",
            ".html",
            "a.png",
            "a.png#x",
            "a?x.png",
            "a#b.png",
            "dir.d/file",
            "/x/.hidden",
            "über/ß.html",
            "a.b.html",
            "#x",
            "?q",
            "a.",
            "../care.md",
            "x.htmlx",
        ] {
            assert_eq!(names_a_page(url), by_str(url), "{url}");
        }
    }

    #[test]
    fn addresses_are_checked_against_pages_and_hint_at_the_file() {
        let index = site(&[("contact.md", "/contact/"), ("care/aftercare.md", "/care/aftercare/")]);
        let r = render(
            "content/care/aftercare.md",
            1,
            "[a](/kontakt/) [b](../../contact/) [c](../contact/) [d](/images/a.png) [e](../contact)",
            &index,
        );
        let paths: Vec<_> = r.addresses.iter().map(|a| a.path.as_deref()).collect();
        assert_eq!(
            paths,
            [Some("/kontakt/"), Some("/contact/"), Some("/care/contact/"), Some("/care/contact")]
        );
        let file = Path::new("content/care/aftercare.md");
        let text = "[a](/kontakt/) [b](../../contact/) [c](../contact/) [d](/images/a.png) [e](../contact)";
        let is_page = |p: &str| index.paths.iter().any(|known| known == p);
        let problems: Vec<Diagnostic> = r
            .addresses
            .iter()
            .filter_map(|a| {
                unknown_address(file, &|| Cow::Borrowed(text), a, &index, &is_page, &|_| false, &mut || true)
            })
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].message, "link to `/kontakt/`, but no page has the address /kontakt/");
        assert_eq!(problems[0].help.as_deref(), Some("link to the page's file instead: [text](/contact.md)"));
        assert!(problems.iter().all(|d| !d.help.as_deref().unwrap_or_default().contains("index.html")));
        // An alias or a static folder with an index.html is an address too.
        let alias = AddressLink::new("/old/", Some("/old/".into()), 0);
        assert!(
            unknown_address(
                file,
                &|| Cow::Borrowed(text),
                &alias,
                &index,
                &is_page,
                &|f| f == "old/index.html",
                &mut || true
            )
            .is_none()
        );
    }

    #[test]
    fn anchor_suggestions_prefer_what_was_typed() {
        let ids = ["questions", "lotions-and-solutions", "washing", "washing-your-hair"];
        assert_eq!(closest_id("lotions", ids), Some("lotions-and-solutions"));
        assert_eq!(closest_id("solutions", ids), Some("lotions-and-solutions"));
        assert_eq!(closest_id("washing-hair", ids), Some("washing"));
        assert_eq!(closest_id("questons", ids), Some("questions"));
        assert_eq!(closest_id("wash", ids), Some("washing"));
        assert_eq!(closest_id("zzz", ids), None);
    }
}
