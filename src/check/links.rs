//! Internal links on rendered output: resolve a URL the way a browser does,
//! against the address of the page it is on, and check that the built site
//! has the file it names and, for `#fragment`, an element with that id.
//!
//! Input: the [`OutputFile`]s of a render, in memory. A URL ending in `/`
//! names that folder's `index.html`; one without the slash is accepted when
//! the folder exists, since every host redirects it. Fragments are checked
//! only in pages rendered here (a static HTML file's ids are not read: that
//! would be disk I/O in a stage that has none). `#top` and a bare `#` always
//! work: browsers scroll to the top for them.

use crate::collections::{HashMap, HashSet};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::domains::Domains;
use crate::error::NearNames;
use crate::html::{Node, Tag, scan, start_tags_keeping};
use crate::markdown::closest_id;
use crate::render::{OutputContent, OutputFile};
use crate::url::{decode_lossy, has_scheme, is_html, output_path, output_path_relative};

/// What URLs starting with `/` are measured against: the path of the
/// site's `base_url` (`/`, or `/clinic/` for `https://example.org/clinic/`).
///
/// Absolute URLs (`https://…`) are never checked, not even on the site's own
/// domain: a booking system or a shop may live there, outside what dotwork
/// builds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Base<'a> {
    pub(crate) path: &'a str,
}

/// Where a URL written on a page points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Another site, or not a file (`mailto:`, `tel:`): not checked.
    External,
    /// A file of the built site (`care/index.html`, `images/a.png`), and the
    /// fragment after `#` (empty when none).
    Internal { file: String, fragment: String },
    /// Nowhere in the site.
    Outside(Outside),
}

/// Why a URL leaves the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outside {
    /// `../` climbs above the site's top folder.
    AboveRoot,
    /// Starts with `/` but not with the base URL's path (`/clinic/`).
    NotUnderBase,
}

/// Resolves `href`, written on the page whose address is `from` (a path
/// from the site's top: `/care/aftercare/`, `/404.html`).
pub(crate) fn resolve(from: &str, href: &str, base: Base<'_>) -> Target {
    let href = href.trim();
    let (rest, fragment) = href.split_once('#').unwrap_or((href, ""));
    let path = rest.split('?').next().unwrap_or(rest);
    let file = if path.starts_with("//") || has_scheme(path) {
        return Target::External;
    } else if path.starts_with('/') {
        match path.strip_prefix(base.path) {
            Some(inside) => output_path(&format!("/{inside}")),
            // `/clinic` without the slash is the site's top too.
            None if path == base.path.trim_end_matches('/') => output_path("/"),
            None => return Target::Outside(Outside::NotUnderBase),
        }
    } else if path.is_empty() {
        output_path(from)
    } else {
        output_path_relative(from, path)
    };
    match file {
        Some(mut file) => {
            if file.is_empty() || file.ends_with('/') {
                file.push_str("index.html");
            }
            Target::Internal { file, fragment: decode_lossy(fragment) }
        }
        None => Target::Outside(Outside::AboveRoot),
    }
}

/// A rendered HTML file, scanned once.
pub(crate) struct Doc<'a> {
    /// Its text.
    pub(crate) html: &'a str,
    /// Its tags and text.
    pub(crate) nodes: Vec<Node<'a>>,
}

impl<'a> Doc<'a> {
    /// Scans `html`.
    pub(crate) fn new(html: &'a str) -> Doc<'a> {
        Doc { html, nodes: scan(html) }
    }

    /// Only the start tags of `html`, each with only the attributes `keep`
    /// accepts (by lower-case name).
    pub(crate) fn start_tags(html: &'a str, keep: fn(&str) -> bool) -> Doc<'a> {
        Doc { html, nodes: crate::html::start_tags_keeping(html, keep).map(Node::Start).collect() }
    }
}

/// Every `id` (and `<a name>`) a rendered page defines, read as its tags
/// are scanned (not from a list of the page's tags), and kept in one
/// string, NUL between them: the index holds every page's ids until the
/// check, and a set of strings per page took six times the room (issue 16).
/// Shared: the check and the build cache's record each hold a page's ids.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageIds(std::sync::Arc<str>);

impl serde::Serialize for PageIds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PageIds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PageIds, D::Error> {
        String::deserialize(deserializer).map(|ids| PageIds(ids.into()))
    }
}

impl PageIds {
    /// The ids in `html`.
    pub(crate) fn of(html: &str) -> PageIds {
        let mut ids = PageIdsBuilder::default();
        for tag in start_tags_keeping(html, PageIds::reads) {
            ids.observe(&tag);
        }
        ids.finish()
    }

    /// Whether an attribute (lower-case name) can define an id.
    pub(crate) fn reads(name: &str) -> bool {
        name == "id" || name == "name"
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.iter().any(|known| known == id)
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split_terminator('\0')
    }
}

/// [`PageIds`] gathered one start tag at a time, for a reader that scans a
/// page for other things too (`render` reads a page's inline code in the
/// same pass).
#[derive(Default)]
pub(crate) struct PageIdsBuilder(String);

impl PageIdsBuilder {
    /// Notes the id `tag` defines, if any; `tag` holds at least the
    /// attributes [`PageIds::reads`] accepts.
    pub(crate) fn observe(&mut self, tag: &Tag<'_>) {
        let id = tag.attr("id").or(if tag.name == "a" { tag.attr("name") } else { None });
        if let Some(id) = id.filter(|id| !id.contains('\0')) {
            self.0.push_str(id);
            self.0.push('\0');
        }
    }

    /// Notes the ids `known` (each followed by `\0`), defined by tags that
    /// were not read.
    pub(crate) fn known(&mut self, known: &str) {
        self.0.push_str(known);
    }

    pub(crate) fn finish(self) -> PageIds {
        PageIds(self.0.into())
    }
}

/// An output key ([`output_key`]) shared by the maps that hold it: the
/// build's check has five maps by output key, and a string of its own in
/// each was 7 MB of the heap at 10,000 pages (issue 16).
/// [`OutputIndex::key`] gives the index's copy.
pub(crate) type Key = std::sync::Arc<str>;

/// Every file of the built site, and the ids of the HTML rendered here.
pub(crate) struct OutputIndex {
    /// Looked up by hash for every link of every page (a sorted set was
    /// a dozen comparisons of paths a link; issue 16); sorted only for
    /// suggestions ([`Self::near_miss`]), which must not depend on hashing.
    files: HashSet<Key>,
    /// The ids of the rendered HTML files, by output key.
    ids: HashMap<Key, PageIds>,
    /// Suggestions already worked out: a broken link in a template is seen
    /// on every page.
    near_misses: Mutex<HashMap<String, Option<String>>>,
    /// The files by extension (lower case), pages by their folder
    /// (`risks/`), indexed for suggestions when first needed.
    near: std::sync::OnceLock<HashMap<Option<String>, NearNames>>,
}

/// What is wrong with an internal URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkProblem {
    /// No such file; maybe a near miss (filled in by [`OutputIndex::suggest`]).
    Missing { file: String, suggestion: Option<String> },
    /// The URL leaves the site.
    Outside(Outside),
    /// The file exists but has no element with that id.
    NoFragment { file: String, fragment: String, suggestion: Option<String> },
}

impl OutputIndex {
    /// The index of a site whose files are `files` and whose rendered HTML
    /// files have the ids `ids`, both by output key ([`output_key`]) as inside
    /// dotwork: a site on several domains is read as on one ([`Domains::unplace`]).
    pub(crate) fn new(files: impl IntoIterator<Item = Key>, ids: HashMap<Key, PageIds>) -> OutputIndex {
        let files = files.into_iter().collect();
        OutputIndex { files, ids, near_misses: Mutex::default(), near: Default::default() }
    }

    /// The index of the same files, whose rendered HTML files have the ids `ids`.
    pub(crate) fn with_ids(self, ids: HashMap<Key, PageIds>) -> OutputIndex {
        OutputIndex { files: self.files, ids, near_misses: Mutex::default(), near: Default::default() }
    }

    /// The output key `key`: the index's own copy when it is one of its
    /// files, for another map to share, or else a new one.
    pub(crate) fn key(&self, key: String) -> Key {
        self.files.get(key.as_str()).cloned().unwrap_or_else(|| key.into())
    }

    /// A hash of every file's name and every page's ids, which does not
    /// depend on the order the ids' map is kept in.
    pub(crate) fn print(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::render::print();
        let files = crate::render::unordered_print(self.files.iter());
        (files, crate::render::unordered_print(self.ids.iter())).hash(&mut h);
        h.finish()
    }

    /// Indexes `outputs`, scanning every rendered HTML file (in parallel).
    pub(crate) fn of_outputs(outputs: &[OutputFile], domains: &Domains) -> OutputIndex {
        let files = outputs.iter().map(|o| Key::from(output_key(&domains.unplace(&o.path))));
        let ids = outputs
            .par_iter()
            .filter_map(|o| Some((Key::from(output_key(&domains.unplace(&o.path))), page_ids(o)?)))
            .collect();
        OutputIndex::new(files, ids)
    }

    /// Checks `href` written on the page at address `from`: `Ok(Some(file))`
    /// for a file of the site, `Ok(None)` for an external URL. Problems come
    /// without suggestions, which cost more to find: see [`Self::suggest`].
    pub(crate) fn check(
        &self,
        from: &str,
        href: &str,
        base: Base<'_>,
    ) -> Result<Option<String>, LinkProblem> {
        let Some((file, fragment)) = self.target(from, href, base)? else { return Ok(None) };
        if !names_anchor(&fragment) {
            return Ok(Some(file));
        }
        match self.ids.get(file.as_str()) {
            Some(ids) if !ids.contains(&fragment) => {
                Err(LinkProblem::NoFragment { file, fragment, suggestion: None })
            }
            _ => Ok(Some(file)),
        }
    }

    /// The file of the site `href` (written on the page at `from`) names,
    /// with its fragment, its anchor not looked for; `Ok(None)` for an
    /// external URL.
    fn target(
        &self,
        from: &str,
        href: &str,
        base: Base<'_>,
    ) -> Result<Option<(String, String)>, LinkProblem> {
        let (file, fragment) = match resolve(from, href, base) {
            Target::External => return Ok(None),
            Target::Outside(why) => return Err(LinkProblem::Outside(why)),
            Target::Internal { file, fragment } => (file, fragment),
        };
        if self.files.contains(file.as_str()) {
            Ok(Some((file, fragment)))
        } else if self.files.contains(format!("{file}/index.html").as_str()) {
            Ok(Some((format!("{file}/index.html"), fragment)))
        } else {
            Err(LinkProblem::Missing { file, suggestion: None })
        }
    }

    /// The file of the site and the anchor in it that `href` (written on
    /// the page at `from`) links to, if it names an anchor of a file there:
    /// what [`Self::check`] needs that file's ids for.
    pub(crate) fn anchor(&self, from: &str, href: &str, base: Base<'_>) -> Option<(String, String)> {
        self.target(from, href, base).ok().flatten().filter(|(_, fragment)| names_anchor(fragment))
    }

    /// Whether the site's files are just `files` (by output key).
    pub(crate) fn has_files(&self, files: &HashSet<Key>) -> bool {
        self.files.len() == files.len() && files.iter().all(|f| self.files.contains(f))
    }

    /// `problem` with a near miss for the file or id it names, if there is one.
    pub(crate) fn suggest(&self, problem: LinkProblem) -> LinkProblem {
        match problem {
            LinkProblem::Missing { file, .. } => {
                // A poisoned lock only means another thread panicked; the cache is still sound.
                let cached = self.near_misses.lock().ok().and_then(|m| m.get(&file).cloned());
                let suggestion = cached.unwrap_or_else(|| {
                    let found = self.near_miss(&file);
                    if let Ok(mut m) = self.near_misses.lock() {
                        m.insert(file.clone(), found.clone());
                    }
                    found
                });
                LinkProblem::Missing { file, suggestion }
            }
            LinkProblem::NoFragment { file, fragment, .. } => {
                let known = self.ids.get(file.as_str()).map(PageIds::iter);
                let suggestion = known.and_then(|ids| closest_id(&fragment, ids)).map(str::to_string);
                LinkProblem::NoFragment { file, fragment, suggestion }
            }
            other => other,
        }
    }

    /// A file whose path is a typo away from `file`, among those of the same
    /// kind (extension), comparing pages by their folder (`risks/`, not
    /// `risks/index.html`). Bounded ([`NearNames`]) so a big site with many
    /// broken links stays fast, and the same on every run.
    fn near_miss(&self, file: &str) -> Option<String> {
        let near = self.near.get_or_init(|| {
            let mut files: Vec<&str> = self.files.iter().map(|f| &**f).collect();
            files.sort_unstable();
            let mut by_ext: HashMap<Option<String>, Vec<&str>> = HashMap::default();
            for f in files {
                by_ext.entry(extension(f)).or_default().push(short(f));
            }
            by_ext.into_iter().map(|(ext, names)| (ext, NearNames::new(names))).collect()
        });
        let best = near.get(&extension(file))?.best(short(file))?;
        [best.to_string(), format!("{best}index.html")].into_iter().find(|f| self.files.contains(f.as_str()))
    }
}

/// Whether a link's fragment names an anchor: `#top` and an empty one
/// are the top of any page.
fn names_anchor(fragment: &str) -> bool {
    !fragment.is_empty() && !fragment.eq_ignore_ascii_case("top")
}

/// A file's extension, lower case.
fn extension(file: &str) -> Option<String> {
    file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// A page by its folder (`risks/`), other files as they are.
fn short(file: &str) -> &str {
    file.strip_suffix("index.html").unwrap_or(file)
}

/// The text of `file` if it is an HTML page rendered here (a static HTML
/// file is copied, not read).
pub(crate) fn rendered_html(file: &OutputFile) -> Option<&str> {
    match &file.content {
        OutputContent::Text(text) if is_html(&file.path) => Some(text),
        OutputContent::Bytes(bytes) if is_html(&file.path) => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}

/// The ids of a rendered HTML file: as its render read them, or read now.
pub(crate) fn page_ids(file: &OutputFile) -> Option<PageIds> {
    match &file.ids {
        Some(ids) => Some(ids.clone()),
        None => rendered_html(file).map(PageIds::of),
    }
}

/// An output path as URLs name it: `care/index.html`, with `/` separators.
pub(crate) fn output_key(path: &std::path::Path) -> String {
    // A UTF-8 path without a backslash (all of them, but on Windows) as it is: a
    // build asks for 70,000 keys at 10,000 pages, and the lossy reading and
    // the replacing each cost more than the rest.
    match path.to_str() {
        Some(text) if !text.contains('\\') => text.to_string(),
        _ => crate::url::slash_path(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const ROOT: Base<'static> = Base { path: "/" };
    const SUB: Base<'static> = Base { path: "/clinic/" };

    fn internal(file: &str, fragment: &str) -> Target {
        Target::Internal { file: file.to_string(), fragment: fragment.to_string() }
    }

    #[test]
    fn resolves_relative_urls_against_the_page_address() {
        let from = "/care/aftercare/";
        assert_eq!(resolve(from, "../../risks/", ROOT), internal("risks/index.html", ""));
        assert_eq!(resolve(from, "./#washing", ROOT), internal("care/aftercare/index.html", "washing"));
        assert_eq!(resolve(from, "#washing", ROOT), internal("care/aftercare/index.html", "washing"));
        assert_eq!(resolve(from, "", ROOT), internal("care/aftercare/index.html", ""));
        assert_eq!(resolve(from, "photo.jpg", ROOT), internal("care/aftercare/photo.jpg", ""));
        assert_eq!(resolve(from, "../..", ROOT), internal("index.html", ""));
        assert_eq!(resolve(from, "../../my%20scan.png?v=2", ROOT), internal("my scan.png", ""));
        assert_eq!(resolve("/", "./", ROOT), internal("index.html", ""));
        assert_eq!(resolve("/404.html", "style.css", ROOT), internal("style.css", ""));
        assert_eq!(resolve("/", "../x", ROOT), Target::Outside(Outside::AboveRoot));
    }

    #[test]
    fn site_absolute_urls_must_stay_under_the_base_path() {
        assert_eq!(resolve("/a/", "/style.css", ROOT), internal("style.css", ""));
        assert_eq!(resolve("/a/", "/clinic/style.css", SUB), internal("style.css", ""));
        assert_eq!(resolve("/a/", "/clinic", SUB), internal("index.html", ""));
        assert_eq!(resolve("/a/", "/style.css", SUB), Target::Outside(Outside::NotUnderBase));
    }

    #[test]
    fn other_sites_and_schemes_are_external() {
        for href in [
            "https://example.org/book",
            "https://example.com/x",
            "//cdn.example.com/a.js",
            "mailto:a@b.c",
            "tel:+44",
            "data:x",
        ] {
            assert_eq!(resolve("/", href, ROOT), Target::External, "{href}");
        }
    }

    fn page(path: &str, html: &str) -> OutputFile {
        OutputFile::new(PathBuf::from(path), OutputContent::Bytes(html.as_bytes().to_vec()))
    }

    #[test]
    fn checks_files_folders_and_fragments() {
        let outputs = vec![
            page("index.html", "<h2 id=\"intro\">x</h2>"),
            page("risks/index.html", "<main id=\"main\"><a name=\"old\"></a></main>"),
            page("images/dot.png", ""),
        ];
        let index = OutputIndex::of_outputs(&outputs, &Domains::default());
        assert_eq!(index.check("/", "risks/#main", ROOT), Ok(Some("risks/index.html".into())));
        assert_eq!(index.check("/", "risks#old", ROOT), Ok(Some("risks/index.html".into())));
        assert_eq!(index.check("/risks/", "../#top", ROOT), Ok(Some("index.html".into())));
        assert_eq!(index.check("/", "https://x.org/", ROOT), Ok(None));
        assert_eq!(
            index.check("/", "#intor", ROOT).map_err(|p| index.suggest(p)),
            Err(LinkProblem::NoFragment {
                file: "index.html".into(),
                fragment: "intor".into(),
                suggestion: Some("intro".into())
            })
        );
        assert_eq!(
            index.check("/risks/", "../images/dots.png", ROOT).map_err(|p| index.suggest(p)),
            Err(LinkProblem::Missing {
                file: "images/dots.png".into(),
                suggestion: Some("images/dot.png".into())
            })
        );
        assert_eq!(index.check("/", "../x/", ROOT), Err(LinkProblem::Outside(Outside::AboveRoot)));
    }
}
