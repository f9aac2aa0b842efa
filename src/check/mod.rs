//! Check: what `dotwork check` finds in a site that builds, without writing
//! anything.
//!
//! Input: the parsed [`Site`] and its rendered [`OutputFile`]s, in memory.
//! Output: [`Diagnostic`]s, errors and warnings, each at a file and line.
//!
//! - errors: broken internal links, anchors and images (in the markdown and
//!   in what templates write), images without alt text, published files
//!   that hold a GPS position, placeholders (`[[REPLACE: ...]]`) left to
//!   fill in;
//! - warnings: more than one h1 or a skipped heading level, link text that
//!   says nothing, titles and descriptions search results cannot use, pages
//!   whose medical review is due, prose above the reading grade, pages no
//!   other page links to, and what health advertising rules forbid
//!   (`advertising.rs`: absolute claims, prescription-only medicines named
//!   in the UK, before-and-after photos outside the consent-keeping gallery).
//!
//! Problems in a page's markdown point at its line: the parse stage records
//! its links, headings and prose with their places, and `content.rs` and
//! `readability.rs` read those rather than parsing it again. Problems in what
//! templates wrote point at the template line (found by matching, see
//! `templates.rs`), reported once for all the pages that show them. Links to markdown files
//! (`[x](risks.md#y)`) are checked by the parse stage already, which fails
//! the build, so they are not checked again here.

mod advertising;
mod content;
pub(crate) mod links;
mod origins;
mod page;
mod placeholders;
mod readability;
mod rendered;
mod report;
mod templates;
mod translations;

use crate::collections::{HashMap, HashSet, PathMap};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

pub(crate) use placeholders::find_placeholders as placeholders_in;
pub use placeholders::{PLACEHOLDER, placeholder_warnings, site_placeholders};
pub use report::CheckReport;

use crate::content::Page;
use crate::date::Date;
use crate::error::{Diagnostic, Severity, sort_diagnostics};
use crate::html::body_range;
use crate::render::OutputFile;
use crate::site::Site;
use crate::url::{base_path, page_output};
use links::{Base, Doc, Key, OutputIndex, PageIds, output_key, page_ids, rendered_html};
use page::PageFile;
use rendered::{Rendered, link_message};
use templates::{Locate, Templates};

/// How much to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Everything `dotwork check` reports.
    Everything,
    /// Only what makes a site broken to publish (the errors): what `build`
    /// refuses. The advice (reading level, titles, reviews, headings,
    /// orphans) is not worked out.
    Errors,
}

/// The rendered HTML pages of a site, by output key: in memory (`check`),
/// or read back from the new output folder (`build`).
trait Pages: Sync {
    /// The text of the page `key`, if it is one.
    fn html(&self, key: &str) -> Option<Cow<'_, str>>;

    /// Of a page found clean as it was rendered ([`PublishCheck::read`]),
    /// the links to other pages' anchors that verdict waits on.
    fn early(&self, _key: &str) -> Option<&[Box<str>]> {
        None
    }
}

/// No pages: what the check has while the site is still being rendered.
struct NoPages;

impl Pages for NoPages {
    fn html(&self, _key: &str) -> Option<Cow<'_, str>> {
        None
    }
}

impl Pages for HashMap<String, &str> {
    fn html(&self, key: &str) -> Option<Cow<'_, str>> {
        self.get(key).map(|h| Cow::Borrowed(*h))
    }
}

/// The pages `build` wrote into `dir`, each at its path there, and those
/// found clean as they were rendered.
struct Written<'d> {
    dir: &'d Path,
    paths: HashMap<Key, WrittenAt>,
    early: HashMap<Key, Vec<Box<str>>>,
}

/// Where a page was written in the output folder: `None` at its output key,
/// as a page is unless the site is split over domains (or on Windows).
type WrittenAt = Option<PathBuf>;

impl Written<'_> {
    /// Where the page of output key `key` was written, if it was.
    fn path(&self, key: &str) -> Option<&Path> {
        let (key, at) = self.paths.get_key_value(key)?;
        Some(at.as_deref().unwrap_or(Path::new(&**key)))
    }
}

impl Pages for Written<'_> {
    fn html(&self, key: &str) -> Option<Cow<'_, str>> {
        std::fs::read_to_string(self.dir.join(self.path(key)?)).ok().map(Cow::Owned)
    }

    fn early(&self, key: &str) -> Option<&[Box<str>]> {
        self.early.get(key).map(Vec::as_slice)
    }
}

/// Everything the per-page checks share.
struct Ctx<'a> {
    scope: Scope,
    site: &'a Site,
    index: OutputIndex,
    pages: &'a dyn Pages,
    templates: Box<dyn Locate + 'a>,
    base: Base<'a>,
    today: Date,
}

/// The errors the publishing check found on one page, kept by the build
/// cache: a page taken unchanged from the old output is not checked again
/// while nothing it is checked against changed ([`Earlier`], issue 16).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Findings {
    /// Problems in the page's own file.
    #[serde(default)]
    own: Vec<Diagnostic>,
    /// Problems in templates, seen on this page.
    #[serde(default)]
    shared: Vec<Diagnostic>,
}

/// What the publishing check of the last build found on the pages this
/// build takes from the old output, by output path, with the key of what
/// they were checked against ([`Checked::key`]).
#[derive(Debug, Default)]
pub struct Earlier {
    /// The key they were checked with.
    pub key: u64,
    /// Each page's findings, with its path in the output.
    pub pages: Vec<(PathBuf, Findings)>,
}

/// The outcome of the publishing check.
#[derive(Debug, Default)]
pub struct Checked {
    /// The errors (and the broken links `broken_links: warn` lets through).
    pub errors: Vec<Diagnostic>,
    /// A hash of everything a page's findings depend on besides the page's
    /// own file: every output file's name and every page's ids, site.yaml,
    /// the templates and today's date.
    pub key: u64,
    /// Every page's findings, by its path in the output (as bytes).
    pub pages: PathMap<Findings>,
}

/// What checking one page found.
#[derive(Default)]
struct PageFindings {
    /// Problems in the page's own file and in templates, seen on it.
    found: Findings,
    /// Pages this page links to (by number).
    links_to: Vec<usize>,
}

/// Checks the site; `today` decides which reviews are due.
pub fn check_site(site: &Site, outputs: &[OutputFile], today: Date) -> Vec<Diagnostic> {
    let index = OutputIndex::of_outputs(outputs, &site.domains);
    let pages: HashMap<String, &str> = outputs
        .iter()
        .filter_map(|o| Some((output_key(&site.domains.unplace(&o.path)), rendered_html(o)?)))
        .collect();
    let gps = Origins::of(site).gps(outputs);
    let keys = page_keys(site);
    check_with(Scope::Everything, site, index, &pages, gps, today, &keys, &HashMap::default()).0
}

/// The errors `check` would report: links, anchors and images that do not
/// resolve, images without alt text, files with a GPS position. `build`
/// refuses to publish a site that has any (issue 12). With `broken_links:
/// warn` the broken links come as warnings, for `build` to show (issue 14);
/// no other warning is looked for.
///
/// Made as `build` writes. Each page is checked as it is rendered, in the
/// pass over its tags that reads its ids (`PublishCheck::read`), against
/// the names of every file the site will have, known before any is
/// rendered; only its links to other pages' anchors wait for their ids.
/// [`PublishCheck::take`] keeps, of each unit's files, only what the check
/// needs of the whole site (every file's name, each rendered page's ids and
/// where it was written, the GPS positions of images), and
/// [`PublishCheck::errors`] then checks each page's markdown links, and
/// reads back from the new folder, to check it whole, only a page found to
/// have a problem (to say where) or not checked as it was rendered. The
/// site's HTML is never held whole: at 10,000 pages it was 140 MB, and
/// reading every page back a fifth of a build (issue 16).
pub struct PublishCheck<'s> {
    site: &'s Site,
    origins: Origins<'s>,
    kept: Mutex<Kept>,
    /// What checking each page as it is rendered needs.
    as_rendered: Ctx<'s>,
    /// The HTML files checked, by output key, and what each is.
    checked: HashMap<Key, Checkable<'s>>,
}

/// What [`PublishCheck`] keeps of the files written, each output key the
/// index's ([`OutputIndex::key`]).
///
/// Made at the size of the site: filled under a lock by every core as
/// units are written or taken from the old output, its sets grew and
/// were hashed again there (a tree of the files, kept in order for
/// nothing, was a third of taking 10,000 pages from the old output; issue
/// 16).
#[derive(Default)]
struct Kept {
    files: HashSet<Key>,
    /// Each rendered page by output key: where it was written,
    paths: HashMap<Key, WrittenAt>,
    /// and its ids.
    ids: HashMap<Key, PageIds>,
    gps: Vec<Diagnostic>,
    /// The pages found clean as they were rendered, by output key: the
    /// links to other pages' anchors that waits on, as written.
    early: HashMap<Key, Vec<Box<str>>>,
}

/// A rendered HTML file the check looks at.
#[derive(Clone, Copy)]
enum Checkable<'s> {
    /// A page, by its number in the site's pages.
    Page(usize),
    /// A listing page: its address, the file it comes from, its template.
    Listing(&'s str, &'s Path, &'s str),
    /// The 404 page, from its template's file.
    NotFound(&'s Path),
}

/// Whether the check before publishing reads an attribute (lower-case
/// name) of a rendered page's tags.
pub(crate) fn reads(name: &str) -> bool {
    content::is_error_attribute(name)
}

/// Whether the check before publishing looks at a start tag of a rendered
/// page (read with at least the attributes [`reads`] accepts): one with any
/// of those, or an image, which must have alt text.
pub(crate) fn looks_at(tag: &crate::html::Tag<'_>) -> bool {
    tag.name == "img" || tag.attrs.iter().any(|(name, _)| content::is_error_attribute(name))
}

impl<'s> PublishCheck<'s> {
    /// A check of `site`'s output, which will be the files `paths` (as
    /// placed in the domains' folders), with nothing taken yet.
    pub fn new(site: &'s Site, paths: &BTreeSet<PathBuf>) -> PublishCheck<'s> {
        let files = paths.iter().map(|p| Key::from(output_key(&site.domains.unplace(p))));
        let index = OutputIndex::new(files, HashMap::default());
        let pages = site.pages.iter().enumerate().map(|(i, p)| (page_output(&p.path), Checkable::Page(i)));
        let listings = listings(site).into_iter().map(|(address, file, template)| {
            (page_output(address), Checkable::Listing(address, file, template))
        });
        let not_found =
            std::iter::once((PathBuf::from("404.html"), Checkable::NotFound(not_found_file(site))));
        let checked: HashMap<Key, Checkable<'s>> =
            pages.chain(listings).chain(not_found).map(|(out, c)| (index.key(output_key(&out)), c)).collect();
        let as_rendered = Ctx {
            scope: Scope::Errors,
            site,
            index,
            pages: &NoPages,
            templates: Box::new(Templates::new(&site.templates)),
            base: Base { path: base_path(&site.config.base_url) },
            today: Date::today(),
        };
        let kept = Kept {
            files: HashSet::with_capacity_and_hasher(paths.len(), Default::default()),
            paths: HashMap::with_capacity_and_hasher(checked.len(), Default::default()),
            ids: HashMap::with_capacity_and_hasher(checked.len(), Default::default()),
            ..Kept::default()
        };
        PublishCheck { site, origins: Origins::of(site), kept: Mutex::new(kept), as_rendered, checked }
    }

    /// Checks the page rendered at output `path` (as in one domain),
    /// scanned into `doc` for its start tags with at least the attributes
    /// [`reads`] accepts, its markdown at `body`, its ids `ids`, against
    /// the names of every file of the site. A page with no problem but for
    /// what waits on other pages' ids is noted, with those links, for
    /// [`Self::errors`] to take as checked; any other is checked again
    /// there, read back whole.
    pub(crate) fn read(&self, path: &Path, doc: &Doc<'_>, body: std::ops::Range<usize>, ids: &PageIds) {
        let Some((key, &checkable)) = self.checked.get_key_value(output_key(path).as_str()) else { return };
        let ctx = &self.as_rendered;
        let (address, page_file, template, page) = match checkable {
            Checkable::Page(i) => {
                let page = &self.site.pages[i];
                (page.path.as_str(), page.source.as_path(), template_name(page), Some(page))
            }
            Checkable::Listing(address, file, template) => (address, file, template, None),
            Checkable::NotFound(file) => ("/404.html", file, "404.html", None),
        };
        let made = Made { address, body, template, page_file };
        let view = made.view(ctx, doc);
        if !check_output(ctx, &view, page, &[]).is_empty()
            || page.is_some_and(|p| unlisted_citations(p, doc.html).is_some())
        {
            return;
        }
        let Some(anchors) = view.anchors_elsewhere(&ctx.index, ctx.base, key, ids) else { return };
        // A poisoned lock means a renderer thread panicked; what was kept is still whole.
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.early.insert(key.clone(), anchors);
    }

    /// Takes what the check needs of one unit's `files`, as written.
    pub fn take(&self, files: &[OutputFile]) {
        let domains = &self.site.domains;
        let index = &self.as_rendered.index;
        let keys: Vec<Key> = files.iter().map(|o| index.key(output_key(&domains.unplace(&o.path)))).collect();
        let (mut paths, mut ids) = (Vec::new(), Vec::new());
        for (o, key) in files.iter().zip(&keys) {
            if let Some(page_ids) = page_ids(o) {
                let at = (o.path.as_os_str() != &**key).then(|| o.path.clone());
                paths.push((key.clone(), at));
                ids.push((key.clone(), page_ids));
            }
        }
        let gps = self.origins.gps(files);
        // A poisoned lock means a renderer thread panicked; what was kept is still whole.
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.files.extend(keys);
        kept.paths.extend(paths);
        kept.ids.extend(ids);
        kept.gps.extend(gps);
    }

    /// The errors in what was taken, each page read back from `dir`, the
    /// folder the files were written into; the pages in `earlier`, taken
    /// unchanged from the old output, are not read nor checked again if
    /// they were checked with the key this check has.
    pub fn errors(self, dir: &Path, earlier: Earlier) -> Checked {
        let Kept { files, paths, ids, gps, mut early } =
            self.kept.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Pages were checked as they were rendered against the files the
        // site was to have: those verdicts hold if it has just those.
        let as_listed = self.as_rendered.index.has_files(&files);
        if !as_listed {
            log::debug!("check for errors: the files written are not those listed; every page is read back");
            early.clear();
        }
        log::debug!("check for errors: {} pages found clean as they were rendered", early.len());
        let today = Date::today();
        let domains = &self.site.domains;
        // The earlier findings are looked up by output key while the index
        // is made, on another core; they are dropped if the key differs.
        let ((index, key), (earlier_key, by_key)) = rayon::join(
            || {
                // The files listed, if they are those written: not indexed again.
                let index = if as_listed {
                    self.as_rendered.index.with_ids(ids)
                } else {
                    OutputIndex::new(files, ids)
                };
                let key = check_key(self.site, &index, today);
                (index, key)
            },
            || -> (u64, HashMap<String, Findings>) {
                let keyed =
                    earlier.pages.into_par_iter().map(|(path, f)| (output_key(&domains.unplace(&path)), f));
                (earlier.key, keyed.collect())
            },
        );
        let by_key = if earlier_key == key { by_key } else { HashMap::default() };
        let written = Written { dir, paths, early };
        let keys = page_keys(self.site);
        let (errors, found) =
            check_with(Scope::Errors, self.site, index, &written, gps, today, &keys, &by_key);
        let pages = keys
            .par_iter()
            .zip(found)
            .filter_map(|(key, f)| Some((written.path(key)?.as_os_str().to_owned(), f)))
            .collect();
        crate::pipeline::drop_in_background((by_key, written.paths));
        Checked { errors, key, pages }
    }
}

/// Where the owner sees each copied file: its source, by output path.
struct Origins<'s>(HashMap<&'s Path, &'s Path>);

impl<'s> Origins<'s> {
    fn of(site: &'s Site) -> Origins<'s> {
        Origins(site.assets.iter().map(|a| (a.output.as_path(), a.origin.as_path())).collect())
    }

    /// A published file among `outputs` with a GPS position in it names the
    /// clinic's (or a patient's) whereabouts: an error naming the file
    /// (issue 11), where the owner sees it.
    fn gps(&self, outputs: &[OutputFile]) -> Vec<Diagnostic> {
        crate::image::gps_findings(outputs, &|output| self.0.get(output).map(|o| crate::url::slash_path(o)))
    }
}

/// A hash of what a page's findings depend on besides its own file (see
/// [`Checked::key`]).
fn check_key(site: &Site, index: &OutputIndex, today: Date) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::render::print();
    index.print().hash(&mut h);
    site.config.text.hash(&mut h);
    for t in &site.templates {
        (&t.name, &t.text).hash(&mut h);
    }
    format!("{today:?}").hash(&mut h);
    h.finish()
}

/// Each page's output key, in the order of `site.pages`: worked out once
/// for the check, which looks pages up by it three ways.
fn page_keys(site: &Site) -> Vec<String> {
    site.pages.par_iter().map(|p| output_key(&page_output(&p.path))).collect()
}

/// Checks the site's pages, whose output keys are `keys` (taking the
/// findings of those in `earlier`, by output key, as they are), its listing
/// pages and 404 page. Returns what was found, merged, and each page's
/// findings, in the order of `site.pages`.
#[allow(clippy::too_many_arguments)]
fn check_with(
    scope: Scope,
    site: &Site,
    index: OutputIndex,
    pages: &dyn Pages,
    gps: Vec<Diagnostic>,
    today: Date,
    keys: &[String],
    earlier: &HashMap<String, Findings>,
) -> (Vec<Diagnostic>, Vec<Findings>) {
    let ctx = Ctx {
        scope,
        site,
        index,
        pages,
        templates: Box::new(Templates::new(&site.templates)),
        base: Base { path: base_path(&site.config.base_url) },
        today,
    };
    let by_output: ByOutput<'_> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let findings: Vec<PageFindings> = keys
        .par_iter()
        .enumerate()
        .map(|(i, key)| match earlier.get(key) {
            Some(f) => PageFindings { found: f.clone(), links_to: Vec::new() },
            None => check_page(&ctx, i, key, &by_output),
        })
        .collect();
    let each: Vec<Findings> = findings.iter().map(|f| f.found.clone()).collect();

    let mut found = Vec::new();
    let mut shared: Vec<(Diagnostic, &Path)> = Vec::new();
    let mut linked = vec![false; site.pages.len()];
    for (i, f) in findings.into_iter().enumerate() {
        found.extend(f.found.own);
        shared.extend(f.found.shared.into_iter().map(|d| (d, site.pages[i].source.as_path())));
        for target in f.links_to.into_iter().filter(|&t| t != i) {
            linked[target] = true;
        }
    }
    if !clean_early(&ctx, "404.html", "/404.html")
        && let Some(html) = ctx.pages.html("404.html")
    {
        let made =
            Made { address: "/404.html", body: 0..0, template: "404.html", page_file: not_found_file(site) };
        let (found, _) = check_html(&ctx, &html, None, &[], &made);
        shared.extend(found.into_iter().map(|d| (d, Path::new("404.html"))));
    }
    // Listing pages are checked as the 404 page is, and their links count;
    // in parallel, as pages are (a site of 10,000 pages has 1,100).
    let listings = listings(site);
    let listed: Vec<(Vec<Diagnostic>, Vec<usize>)> = listings
        .par_iter()
        .map(|&(address, file, template)| {
            let key = output_key(&page_output(address));
            if clean_early(&ctx, &key, address) {
                return Default::default();
            }
            let Some(html) = ctx.pages.html(&key) else {
                return Default::default();
            };
            let made = Made { address, body: 0..0, template, page_file: file };
            let (found, whole) = check_html(&ctx, &html, None, &[], &made);
            let targets = match whole.filter(|_| scope == Scope::Everything) {
                Some(doc) => linked_pages(&ctx, &made.view(&ctx, &doc), &by_output),
                None => Vec::new(),
            };
            (found, targets)
        })
        .collect();
    for ((_, file, _), (found, targets)) in listings.iter().zip(listed) {
        shared.extend(found.into_iter().map(|d| (d, *file)));
        for target in targets {
            linked[target] = true;
        }
    }
    for (i, page) in site.pages.iter().enumerate().filter(|_| scope == Scope::Everything) {
        if !linked[i] && !page.is_home() {
            found.push(
                page::warn_at_key(
                    PageFile::of(site, i),
                    "title",
                    "no other page links to this page".to_string(),
                )
                .with_help("link to it from another page, or add `menu: true` to put it in the menu"),
            );
        }
    }
    found.extend(merge_shared(shared));
    // Translations behind their original (issue 15): in a build, only the
    // errors (`translated_from` on a page that translates nothing).
    let translations = translations::stale_translations(&translation_groups(site));
    found.extend(
        translations.into_iter().filter(|d| scope == Scope::Everything || d.severity == Severity::Error),
    );
    if scope == Scope::Everything {
        found.extend(unscored_languages(site));
    }
    // Text the clinic must still supply (`dotwork init`, issue 12). Not in a
    // build's errors: a build is also the preview they are filled in with,
    // so it shows them as warnings (`placeholder_warnings`).
    if scope == Scope::Everything {
        found.extend(placeholders::site_placeholders(site));
    }
    found.extend(gps);
    sort_diagnostics(&mut found);
    // A page-level check can find the same problem in site.yaml for several pages.
    found.dedup();
    (found, each)
}

/// The listing pages (a section's pages of its list, a category's page):
/// the address, the file each comes from and its template.
fn listings(site: &Site) -> Vec<(&str, &Path, &str)> {
    site.sections
        .iter()
        .flat_map(|s| {
            let template = s.source.meta.template.as_deref().unwrap_or(crate::render::SECTION_TEMPLATE);
            s.pagers.iter().map(move |p| (p.path.as_str(), s.source.source.as_path(), template))
        })
        .chain(site.categories.iter().map(|(c, _)| {
            (c.path.as_str(), Path::new(crate::config::CONFIG_FILE), crate::render::CATEGORY_TEMPLATE)
        }))
        .collect()
}

/// The file the 404 page comes from: its template's.
fn not_found_file(site: &Site) -> &Path {
    site.templates.iter().find(|t| t.name == "404.html").map_or(Path::new("404.html"), |t| &t.path)
}

/// Whether the HTML file `key`, at `address`, was found clean as it was
/// rendered (before publishing only), its links to other pages' anchors
/// holding now that every page's ids are known.
fn clean_early(ctx: &Ctx<'_>, key: &str, address: &str) -> bool {
    ctx.scope == Scope::Errors
        && ctx.pages.early(key).is_some_and(|anchors| {
            anchors.iter().all(|href| ctx.index.check(address, href, ctx.base).is_ok())
        })
}

/// Each page of the site's default language that has translations, or
/// says it is one, with its translations: [`translations::stale_translations`]
/// finds nothing in the others' groups, and making a group for each of
/// 10,000 pages of a site in one language was 2 ms of one core in a
/// one-page rebuild (issue 16). Looked for on every core, in order.
fn translation_groups(site: &Site) -> Vec<translations::TranslationGroup<'_>> {
    site.pages
        .par_iter()
        .enumerate()
        .filter(|(_, p)| p.lang == 0)
        .filter_map(|(i, p)| {
            let translations: Vec<PageFile<'_>> = site
                .page_versions(i)
                .into_iter()
                .flatten()
                .filter(|&t| t != i)
                .map(|t| PageFile::of(site, t))
                .collect();
            (!translations.is_empty() || p.meta.translated_from.is_some())
                .then(|| translations::TranslationGroup { original: PageFile::of(site, i), translations })
        })
        .collect()
}

/// A note for each language of the site whose pages' reading level cannot
/// be scored (no established formula), at its line in site.yaml.
fn unscored_languages(site: &Site) -> Vec<Diagnostic> {
    let text = &site.config.text;
    site.config
        .languages
        .iter()
        .filter(|l| site.pages.iter().any(|p| site.config.languages[p.lang].code == l.code))
        .filter_map(|l| {
            let note = readability::not_scored_note(&l.code)?;
            let d = Diagnostic::note(crate::config::CONFIG_FILE, note);
            Some(match crate::config::key_line(text, &l.code) {
                Some(loc) => d.at(text, loc),
                None => d,
            })
        })
        .collect()
}

/// The site's pages by output key.
type ByOutput<'k> = HashMap<&'k str, usize>;

/// Checks page `i`, whose output key is `output`.
fn check_page(ctx: &Ctx<'_>, i: usize, output: &str, by_output: &ByOutput<'_>) -> PageFindings {
    let mut out = PageFindings::default();
    let (page, body) = (&ctx.site.pages[i], ctx.site.body(i));
    let text = match page.read_text() {
        Ok(text) => text,
        Err(d) => {
            out.found.own.push(d);
            return out;
        }
    };
    let file = PageFile::with_text(ctx.site, i, &text);
    // Only errors when checking for publishing: the advice is for `check`.
    let advice = ctx.scope == Scope::Everything;
    let scan = content::scan_content(&page.source, &text, &body.facts, advice);
    out.found.own.extend(scan.problems.into_iter().filter(|d| advice || d.severity == Severity::Error));
    for link in &scan.links {
        if let Some(d) = check_content_link(ctx, page, link) {
            out.found.own.push(d);
        }
    }

    if !clean_early(ctx, output, &page.path)
        && let Some(html) = ctx.pages.html(output)
    {
        let body = match ctx.site.body_html(i) {
            Ok(own) => body_range(&html, &own),
            Err(d) => {
                out.found.own.push(d);
                0..0
            }
        };
        let made = Made { address: &page.path, body, template: template_name(page), page_file: &page.source };
        let (found, whole) = check_html(ctx, &html, Some(page), &scan.headings, &made);
        for d in found {
            if d.file == page.source { out.found.own.push(d) } else { out.found.shared.push(d) }
        }
        out.found.own.extend(unlisted_citations(page, &html));
        let Some(doc) = whole.filter(|_| ctx.scope == Scope::Everything) else { return out };
        let view = made.view(ctx, &doc);
        out.found.own.extend(page::check_title(file, view.title().as_deref(), &ctx.site.config));
        out.found.own.extend(page::check_description(file, view.description().as_deref()));
        out.links_to = linked_pages(ctx, &view, by_output);
    }
    if ctx.scope == Scope::Errors {
        return out;
    }
    let config = &ctx.site.config;
    out.found.own.extend(page::check_title_heading(file));
    out.found.own.extend(page::check_review(file, config.review_interval_months, ctx.today));
    let language = &config.languages[page.lang].code;
    out.found.own.extend(page::check_reading(file, config.reading_grade, language));
    out.found.own.extend(advertising::check_words(file, config.region.as_deref()));
    out.found.own.extend(advertising::check_photos(&page.source, &text, &body.facts));
    out
}

/// Where a rendered page came from, for a [`Rendered`] view of it.
struct Made<'a> {
    /// The page's address from the site's top.
    address: &'a str,
    /// Where its markdown HTML is (empty when none).
    body: std::ops::Range<usize>,
    /// The template it was rendered with.
    template: &'a str,
    /// Its source, for problems no template line can be found for.
    page_file: &'a Path,
}

impl Made<'_> {
    /// The page as `doc` shows it.
    fn view<'v>(&'v self, ctx: &'v Ctx<'_>, doc: &'v Doc<'v>) -> Rendered<'v> {
        Rendered {
            doc,
            address: self.address,
            body: self.body.clone(),
            templates: &*ctx.templates,
            template: self.template,
            page_file: self.page_file,
            config: &ctx.site.config,
        }
    }
}

/// What [`check_output`] finds in the page `html`, made as `made` says,
/// and the page scanned whole, if it was. Before publishing (errors only),
/// the page is first read for its start tags, with only the attributes
/// those checks read ([`content::ERROR_ATTRIBUTES`]); a page where they
/// find something is then scanned whole and checked again, to say where
/// each problem comes from. Scanning every page whole was a third of the
/// check before publishing (issue 16).
fn check_html<'h>(
    ctx: &Ctx<'_>,
    html: &'h str,
    page: Option<&Page>,
    headings: &[(u8, usize)],
    made: &Made<'_>,
) -> (Vec<Diagnostic>, Option<Doc<'h>>) {
    if ctx.scope == Scope::Errors {
        let tags = Doc::start_tags(html, content::is_error_attribute);
        let found = check_output(ctx, &made.view(ctx, &tags), page, headings);
        if found.is_empty() {
            return (found, None);
        }
    }
    let doc = Doc::new(html);
    let found = check_output(ctx, &made.view(ctx, &doc), page, headings);
    (found, Some(doc))
}

/// A page that cites works in a template that does not show its reference
/// list: each citation links to `#ref-KEY` on the page, which is not there.
/// (The citation links are made by the parse stage, so neither the markdown
/// link check nor the check of what templates wrote sees them.)
fn unlisted_citations(page: &Page, html: &str) -> Option<Diagnostic> {
    let first = page.cited.first()?;
    if html.contains(&format!("id=\"ref-{}\"", crate::markdown::escape_html(first))) {
        return None;
    }
    let text = page.text_for_message();
    let at = text.find(&format!("@{first}")).unwrap_or(0);
    let d = Diagnostic::error(
        &page.source,
        format!(
            "this page cites works, but its template ({}) shows no reference list, so its citations link to nothing",
            template_name(page)
        ),
    )
    .with_help("cite on a page whose template shows the list (page.html), or add {{ page.references | safe }} to the template");
    Some(d.at_offset(&text, at))
}

/// The template a page is rendered with (as the render stage picks it).
fn template_name(page: &Page) -> &str {
    match &page.meta.template {
        Some(t) => t,
        None if page.is_home() => "index.html",
        None => "page.html",
    }
}

/// A link or image written in the markdown: the file it names must be in the
/// built site.
fn check_content_link(ctx: &Ctx<'_>, page: &Page, link: &content::ContentLink<'_>) -> Option<Diagnostic> {
    if matches!(link.kind, Some(crate::markdown::LinkKind::Page | crate::markdown::LinkKind::Anchor)) {
        // Checked by the parse stage (against the page's heading, raw HTML
        // and footnote ids, fewer than the built page has): with
        // `broken_links: warn` it is reported there, and only there.
        return None;
    }
    let path = link.href.split(['#', '?']).next().unwrap_or_default();
    // Markdown `/x` is made relative to the site's top when rendered; raw HTML is left as written.
    let base = if link.raw { ctx.base } else { Base { path: "/" } };
    // Checked as the page shows it (resolved against the page's file when
    // that is what its author meant), reported as written.
    let problem = ctx.index.suggest(ctx.index.check(&page.path, &link.rendered, base).err()?);
    let (mut message, mut help) = link_message(link.image, &link.href, &problem);
    let file_beside =
        !link.raw && link.kind == Some(crate::markdown::LinkKind::File) && !path.starts_with('/');
    if file_beside && let links::LinkProblem::Missing { .. } = problem {
        // Markdown names files from the page's file, as it names pages
        // (issue 14): say where the file was looked for.
        let dir = crate::url::content_dir(&page.source);
        if let Some(key) = crate::url::resolve_source(&dir, &crate::url::decode_lossy(path)) {
            let what = if link.image { "image" } else { "link to" };
            message = format!("{what} `{}`, but there is no file content/{key}", link.href);
            let beside = format!("/{dir}/").replace("//", "/");
            help = ctx.index.check(&beside, path, Base { path: "/" }).err().and_then(|p| {
                match ctx.index.suggest(p) {
                    links::LinkProblem::Missing { suggestion: Some(s), .. } => {
                        Some(format!("did you mean {}?", rendered::site_form(&s, "")))
                    }
                    _ => None,
                }
            });
            help = help.or_else(|| {
                Some("put the file beside the page's file in content/, or in static/".to_string())
            });
        }
    } else if link.raw && (path.ends_with(".md") || path.ends_with(".markdown")) {
        help = Some(
            "HTML links are not rewritten: write a markdown link, [text](page.md), to link to a page".into(),
        );
    } else if let links::LinkProblem::Missing { .. } = problem {
        // `photo.jpg` beside `care/aftercare.md` is at /care/photo.jpg, but the
        // page is at /care/aftercare/: relative links start from the page's address.
        let beside = format!("/{}/", crate::url::content_dir(&page.source)).replace("//", "/");
        if !path.starts_with('/')
            && ctx.index.check(&beside, path, Base { path: "/" }).is_ok()
            && let links::Target::Internal { file, .. } = links::resolve(&beside, path, ctx.base)
        {
            help = Some(format!(
                "addresses are relative to the page's address {}, not to its file; write /{file}",
                page.path
            ));
        }
    }
    let d = Diagnostic::new(ctx.site.config.broken_links.severity(), &page.source, message)
        .at_offset(&page.text_for_message(), link.offset);
    Some(match help {
        Some(h) => d.with_help(h),
        None => d,
    })
}

/// Checks what the templates wrote on a page, and the order of all its
/// headings (`content_headings` being those of its markdown, if a page).
fn check_output(
    ctx: &Ctx<'_>,
    view: &Rendered<'_>,
    page: Option<&Page>,
    content_headings: &[(u8, usize)],
) -> Vec<Diagnostic> {
    let mut found = view.check_links(&ctx.index, ctx.base, ctx.scope == Scope::Everything);
    found.extend(origins::unallowed_origins(view, page));
    if ctx.scope == Scope::Errors {
        return found;
    }
    let (before, after) = view.template_headings();
    // (level, true when in the markdown, offset in its file)
    let mut seq: Vec<(u8, bool, usize)> = before.iter().map(|&(l, at)| (l, false, at)).collect();
    seq.extend(content_headings.iter().filter(|_| !view.body.is_empty()).map(|&(l, at)| (l, true, at)));
    seq.extend(after.iter().map(|&(l, at)| (l, false, at)));

    let mut h1_in_template = false;
    let mut seen_h1 = false;
    for (k, &(level, in_markdown, at)) in seq.iter().enumerate() {
        let mut problem = None;
        if level == 1 {
            if seen_h1 {
                let help = if h1_in_template && in_markdown {
                    "the template shows the page's title as its h1; start the page's headings at ## (h2)"
                } else {
                    "a page should have one h1, its main title"
                };
                problem = Some(("more than one h1 heading on this page".to_string(), help.to_string()));
            }
            seen_h1 = true;
            h1_in_template |= !in_markdown;
        } else if let Some(&(prev, _, _)) = seq[..k].last()
            && level > prev + 1
        {
            let fix = if in_markdown { "#".repeat(prev as usize + 1) } else { format!("<h{}>", prev + 1) };
            problem = Some((
                format!("heading level jumps from h{prev} to h{level}"),
                format!("use {fix} here, or add the missing level above it, so the outline has no gaps"),
            ));
        }
        let Some((message, help)) = problem else { continue };
        let d = match (in_markdown, page) {
            (true, Some(p)) => Diagnostic::warning(&p.source, message).at_offset(&p.text_for_message(), at),
            _ => view.place_at(Severity::Warning, message, at),
        };
        found.push(if d.help.is_none() { d.with_help(help) } else { d });
    }
    found
}

/// The pages `view` links to with `<a href>`, content and templates alike
/// (a menu link counts).
fn linked_pages(ctx: &Ctx<'_>, view: &Rendered<'_>, by_output: &ByOutput<'_>) -> Vec<usize> {
    view.doc
        .nodes
        .iter()
        .filter_map(|n| match n {
            crate::html::Node::Start(t) if t.name == "a" || t.name == "area" => t.attr("href"),
            _ => None,
        })
        .filter_map(|href| ctx.index.check(view.address, href, ctx.base).ok().flatten())
        .filter_map(|file| by_output.get(file.as_str()).copied())
        .collect()
}

/// One diagnostic per template problem, saying on which pages it shows.
fn merge_shared(shared: Vec<(Diagnostic, &Path)>) -> Vec<Diagnostic> {
    let mut merged: Vec<(Diagnostic, Vec<&Path>)> = Vec::new();
    type Key = (std::path::PathBuf, Option<(usize, usize)>, String);
    let mut at: crate::collections::HashMap<Key, usize> = Default::default();
    for (d, page) in shared {
        let key = (d.file.clone(), d.location.map(|l| (l.line, l.column)), d.message.clone());
        match at.get(&key) {
            // A page's findings arrive together, so a repeat from the same page is the last one.
            Some(&i) if merged[i].1.last() != Some(&page) => merged[i].1.push(page),
            Some(_) => {}
            None => {
                at.insert(key, merged.len());
                merged.push((d, vec![page]));
            }
        }
    }
    merged
        .into_iter()
        .map(|(d, pages)| {
            let seen = match pages.as_slice() {
                [one] => format!("seen on {}", one.display()),
                [first, ..] => format!("seen on {} pages, such as {}", pages.len(), first.display()),
                [] => String::new(),
            };
            let help = match &d.help {
                Some(h) => format!("{h} ({seen})"),
                None => seen,
            };
            Diagnostic { help: Some(help), ..d }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::rendered::site_form;

    #[test]
    fn site_form_reads_like_an_address() {
        assert_eq!(site_form("risks/index.html", "x"), "/risks/#x");
        assert_eq!(site_form("index.html", ""), "/");
        assert_eq!(site_form("images/a.png", ""), "/images/a.png");
    }
}
