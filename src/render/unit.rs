//! Render units: whatever produces output is a [`Unit`] (a page, the 404
//! page, an alias redirect, the sitemap, robots.txt, a static file). A unit
//! names the files it writes before it is rendered ([`Unit::outputs`]), so
//! collisions are found and the output folder is claimed before anything
//! is made, and it declares what it reads as data ([`Unit::inputs`]), so
//! `serve` renders again exactly the units whose inputs changed instead of
//! keeping a list of shared inputs by hand.
//!
//! A new kind of output (a section's listing page, a feed) is one new
//! [`Unit`] variant with its outputs, inputs and renderer, and, if it reads
//! something no unit read before (the pages of one section), one new
//! [`Input`] variant with its fingerprint; the other variants stay as they are.

use crate::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::collisions::{Claim, collisions};
use crate::error::Diagnostic;
use crate::feed::feed_path;
use crate::site::Site;
use crate::url::page_output;

/// One thing the render stage makes; numbers index the site's `pages`,
/// `aliases` and `assets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A page: `care/aftercare/index.html`.
    Page(usize),
    /// `404.html`, served by hosts at any URL that has no file.
    NotFound,
    /// A redirect from an old URL (`aliases:`) to its page.
    Alias(usize),
    /// `sitemap.xml`.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// A static file, or a file beside a page, copied as it is.
    Asset(usize),
    /// Listing page `pager` (from 0) of section `section`: `news/index.html`,
    /// `news/page/2/index.html`.
    Listing {
        /// The section's number in the site's `sections`.
        section: usize,
        /// The listing page's number in the section's `pagers`, from 0.
        pager: usize,
    },
    /// The redirect from a paginated section's `page/1/` to its address.
    ListingRedirect(usize),
    /// The Atom feed of a section with `feed: true`: `news/atom.xml`.
    Feed(usize),
    /// The listing page of category number `n`: `categories/<slug>/index.html`.
    Category(usize),
    /// The site's feed of its newest dated pages in language `n` (`feed:
    /// true` in site.yaml): `atom.xml`, `es/atom.xml`.
    SiteFeed(usize),
    /// The variants of planned image number `n` (`site.images.planned`):
    /// `_img/room-3f2a9c81d0-480.avif`, ...
    Image(usize),
    /// `_headers`, for hosts that read it (`host.rs`): its policy allows
    /// the inline code of every other unit's pages, so it is rendered after them.
    Headers,
    /// `_redirects`, for hosts that read it: the aliases as `301`s.
    Redirects,
}

/// What a unit reads, as data that can be compared between two runs through
/// its fingerprint ([`Fingerprints`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// One page (by source path): its text, title, URL, reference list and
    /// rendered body. The body is made from the text, the other pages' URLs
    /// (links), the settings and the bibliography (citations), so its
    /// fingerprint folds in theirs instead of hashing the HTML again.
    Page(PathBuf),
    /// Every page's and section's source path and URL (links to them, and
    /// the `page_url` template function).
    Urls,
    /// The menu in language `n` (a page shows its own language's): its
    /// pages' and sections' titles and URLs, in order.
    Menu(usize),
    /// Every page's URL with its `date` and `updated` (the sitemap).
    Dates,
    /// site.yaml, and the `base_url` it is built for.
    Config,
    /// Every template.
    Templates,
    /// The bibliography file.
    Bibliography,
    /// One static file (by output path): where it is copied from.
    Asset(PathBuf),
    /// One section (by its `_index.md`): its own text and settings, and its
    /// listed pages' titles, URLs, dates, descriptions and categories, in
    /// order. A page's other changes do not change it.
    Section(PathBuf),
    /// What a page shows of its section (by its `_index.md`): its title,
    /// URL and whether it has a feed.
    SectionHead(PathBuf),
    /// One category (by the address of its page, `/es/categories/x/`): its
    /// pages' titles, URLs, dates, descriptions.
    Category(String),
    /// What `get_page` shows of one page (by source path): title, URL,
    /// dates, description, categories.
    Summary(PathBuf),
    /// Every page's and section's summary: read by units whose templates
    /// call `get_page` or `get_section` with a path that is not written out.
    Lookups,
    /// Which pages the site's feed in language `n` holds, in order (their
    /// contents are each one's [`Input::Page`]).
    SiteFeed(usize),
    /// Every image the site shows, with its variants' names (markdown
    /// pictures and the `picture()` and `image_meta()` functions), and the
    /// theme's `sizes` they are written with. (The theme's widths are in
    /// the variants' names and cache keys.)
    Images,
    /// One image (by its source's output path): its bytes and recipe, and
    /// where variants may be left for later, whether they are all in the
    /// cache (so `serve` publishes the AVIF variants once they are made in
    /// the background). A build makes every variant it writes, whatever
    /// the cache held.
    Image(String),
    /// The fingerprinted names of the stylesheets and scripts (the
    /// `asset_url` template function, `_headers`), which change with their contents.
    AssetNames,
    /// Every alias and paginated section's first page, with the address it
    /// forwards to (`_redirects`).
    Aliases,
}

/// A unit's name that stays the same from one run to the next (the numbers
/// in [`Unit`] do not): its kind and the source or output path that tells
/// it apart from others of its kind.
pub type UnitKey = (&'static str, PathBuf);

impl Unit {
    /// The unit's name across runs.
    pub fn key(self, site: &Site) -> UnitKey {
        match self {
            Unit::Page(i) => ("page", site.pages[i].source.clone()),
            Unit::NotFound => ("404", PathBuf::new()),
            Unit::Alias(i) => ("alias", site.aliases[i].0.clone()),
            Unit::Sitemap => ("sitemap", PathBuf::new()),
            Unit::Robots => ("robots", PathBuf::new()),
            Unit::Asset(i) => ("asset", site.assets[i].output.clone()),
            Unit::Listing { section, pager } => {
                ("listing", site.sections[section].source.source.join(pager.to_string()))
            }
            Unit::ListingRedirect(i) => ("listing redirect", site.sections[i].source.source.clone()),
            Unit::Feed(i) => ("feed", site.sections[i].source.source.clone()),
            Unit::Category(i) => ("category", PathBuf::from(&site.categories[i].0.path)),
            Unit::SiteFeed(lang) => ("site feed", PathBuf::from(lang.to_string())),
            Unit::Image(i) => ("image", PathBuf::from(&site.images.planned[i].image.output)),
            Unit::Headers => ("headers", PathBuf::new()),
            Unit::Redirects => ("redirects", PathBuf::new()),
        }
    }

    /// The files the unit writes, as paths inside the output folder.
    pub fn outputs(self, site: &Site) -> Vec<PathBuf> {
        // A file each domain has of its own: `sitemap.xml`, `es/sitemap.xml`
        // for a language on its own domain (`domains.rs`), in domain order.
        let per_domain = |name: &str| {
            (0..site.domains.all().len())
                .map(|d| PathBuf::from(&site.domains.inside(d, &format!("/{name}"))[1..]))
                .collect()
        };
        let one = |path: PathBuf| vec![path];
        match self {
            Unit::Image(i) => site.images.planned[i].outputs().map(PathBuf::from).collect(),
            Unit::NotFound => per_domain(NOT_FOUND),
            Unit::Sitemap => per_domain(SITEMAP),
            Unit::Robots => per_domain(ROBOTS),
            Unit::Headers => per_domain(crate::host::HEADERS),
            Unit::Redirects => per_domain(crate::host::REDIRECTS),
            Unit::Page(i) => one(page_output(&site.pages[i].path)),
            Unit::Alias(i) => one(site.aliases[i].0.clone()),
            Unit::Asset(i) => one(site.assets[i].output.clone()),
            Unit::Listing { section, pager } => one(page_output(&site.sections[section].pagers[pager].path)),
            Unit::ListingRedirect(i) => one(page_output(&site.sections[i].pagers[0].redirect_from[0])),
            Unit::Feed(i) => one(feed_output(&site.sections[i].source.path)),
            Unit::Category(i) => one(page_output(&site.categories[i].0.path)),
            Unit::SiteFeed(lang) => one(feed_output(&crate::language::home(lang, &site.config.languages))),
        }
    }

    /// Whether its files are the same on every domain of a site whose
    /// languages have their own (`domains.rs`): a static file, an image's
    /// variants. Everything else is rendered for one domain.
    pub fn is_shared(self) -> bool {
        matches!(self, Unit::Asset(_) | Unit::Image(_))
    }

    /// What rendering the unit reads; its outputs are the same as long as
    /// each of these has the same fingerprint.
    pub fn inputs(self, site: &Site) -> Vec<Input> {
        use Input::{AssetNames, Bibliography, Config, Dates, Images, Templates, Urls};
        // A unit shows the menu of its language.
        let menu = Input::Menu(self.lang(site));
        let section = |i: usize| Input::Section(site.sections[i].source.source.clone());
        let mut inputs = match self {
            // The context has the menu; templates get `site`, `bibliography`
            // and `page_url`; the JSON-LD reads settings and the bibliography.
            Unit::Page(i) => {
                let mut inputs = vec![
                    Input::Page(site.pages[i].source.clone()),
                    menu,
                    Urls,
                    Config,
                    Templates,
                    Bibliography,
                    Images,
                    AssetNames,
                ];
                if let Some(s) = site.section_of(i) {
                    inputs.push(Input::SectionHead(site.sections[s].source.source.clone()));
                }
                inputs
            }
            // One 404 page per domain, each in its language (`domains.rs`).
            Unit::NotFound => {
                let menus = site.domains.all().iter().skip(1).map(|d| Input::Menu(d.lang));
                [menu, Urls, Config, Templates, Bibliography, Images, AssetNames]
                    .into_iter()
                    .chain(menus)
                    .collect()
            }
            Unit::Listing { section: s, .. } => {
                vec![section(s), menu, Urls, Config, Templates, Bibliography, Images, AssetNames]
            }
            Unit::ListingRedirect(s) => {
                vec![Input::SectionHead(site.sections[s].source.source.clone()), Config]
            }
            // A feed holds its pages' whole text.
            Unit::Feed(s) => {
                let pages = site.sections[s].feed.iter().map(|&p| Input::Page(site.pages[p].source.clone()));
                [section(s), Config, Templates].into_iter().chain(pages).collect()
            }
            Unit::Category(i) => {
                vec![
                    Input::Category(site.categories[i].0.path.clone()),
                    menu,
                    Urls,
                    Config,
                    Templates,
                    Bibliography,
                    Images,
                    AssetNames,
                ]
            }
            Unit::SiteFeed(lang) => {
                let pages = site.site_feed[lang].iter().map(|&p| Input::Page(site.pages[p].source.clone()));
                [Input::SiteFeed(lang), Config, Templates].into_iter().chain(pages).collect()
            }
            Unit::Alias(i) => vec![Input::Page(site.pages[site.aliases[i].1].source.clone()), Config],
            // The sitemap lists every listing page too, and each page's
            // and section's versions in the other languages (which files
            // translate which, at what address: `Urls`).
            Unit::Sitemap => [Dates, Urls, Config]
                .into_iter()
                .chain((0..site.sections.len()).map(section))
                .chain(site.categories.iter().map(|(c, _)| Input::Category(c.path.clone())))
                .collect(),
            Unit::Robots => vec![Config],
            Unit::Asset(i) => vec![Input::Asset(site.assets[i].output.clone())],
            Unit::Image(i) => vec![Input::Image(site.images.planned[i].image.output.clone())],
            // And the inline code of every page: rendered after the others,
            // whenever any of them is (`Unit::after_others`).
            Unit::Headers => vec![Config, AssetNames],
            Unit::Redirects => vec![Config, Input::Aliases],
        };
        if let Some(template) = self.template(site) {
            let lang = self.lang(site);
            for read in site.lookups.reads(template) {
                // `get_page(path="about.md")` on a Spanish page shows
                // `about.es.md` when there is one: it reads both files.
                inputs.extend(read.in_language(lang, &site.config.languages));
                inputs.push(read.clone());
            }
        }
        inputs
    }

    /// The language the unit is rendered in, by number (0: the default).
    fn lang(self, site: &Site) -> usize {
        match self {
            Unit::Page(i) => site.pages[i].lang,
            Unit::Listing { section: s, .. } | Unit::ListingRedirect(s) | Unit::Feed(s) => {
                site.sections[s].source.lang
            }
            Unit::Category(i) => site.categories[i].0.lang,
            Unit::SiteFeed(lang) => lang,
            _ => 0,
        }
    }

    /// The template the unit is rendered with, if it is rendered with one.
    pub fn template(self, site: &Site) -> Option<&str> {
        match self {
            Unit::Page(i) => Some(super::template_for(&site.pages[i])),
            Unit::NotFound => Some(NOT_FOUND),
            Unit::Listing { section, .. } => {
                Some(site.sections[section].source.meta.template.as_deref().unwrap_or(SECTION_TEMPLATE))
            }
            Unit::Feed(_) | Unit::SiteFeed(_) => Some(crate::feed::FEED_TEMPLATE),
            Unit::Category(_) => Some(CATEGORY_TEMPLATE),
            Unit::Alias(_)
            | Unit::Sitemap
            | Unit::Robots
            | Unit::Asset(_)
            | Unit::ListingRedirect(_)
            | Unit::Image(_)
            | Unit::Headers
            | Unit::Redirects => None,
        }
    }

    /// Who claims the unit's outputs, for collision messages.
    fn claim(self, site: &Site) -> Claim<'_> {
        match self {
            Unit::Page(i) => Claim::Page(&site.pages[i]),
            Unit::NotFound => Claim::Generated("the 404 page"),
            Unit::Alias(i) => Claim::Alias(&site.pages[site.aliases[i].1]),
            Unit::Sitemap => Claim::Generated("the sitemap"),
            Unit::Robots => Claim::Generated("robots.txt"),
            Unit::Asset(i) => Claim::Asset(&site.assets[i]),
            Unit::Listing { section, pager } => {
                Claim::Section(&site.sections[section].source.source, LISTING_NAMES[pager.min(1)])
            }
            Unit::ListingRedirect(i) => {
                Claim::Section(&site.sections[i].source.source, "redirect from page 1")
            }
            Unit::Feed(i) => Claim::Section(&site.sections[i].source.source, "feed"),
            Unit::Category(i) => Claim::Category(&site.categories[i].0.name),
            Unit::SiteFeed(_) => Claim::SiteFeed,
            Unit::Image(i) => Claim::Image(&site.images.planned[i].image.origin),
            Unit::Headers => Claim::Generated("the _headers file"),
            Unit::Redirects => Claim::Generated("the _redirects file"),
        }
    }

    /// Whether the unit reads what the other units wrote, and so is
    /// rendered after them, each time any of them is.
    pub fn after_others(self) -> bool {
        matches!(self, Unit::Headers)
    }
}

/// What the templates that call `get_page` or `get_section` read, by
/// template name. A call whose `path` is written out as a string
/// (`get_section(path="news/_index.md")`) reads that section or that page's
/// summary; any other call reads every page's and section's summary. A
/// template that units are not rendered with directly (`base.html`, a
/// partial) makes every unit read what it reads.
#[derive(Debug, Default)]
pub struct Lookups {
    everywhere: Vec<Input>,
    templates: HashMap<String, Vec<Input>>,
}

impl Lookups {
    /// What each of `templates` reads through the lookup functions.
    pub(crate) fn of(
        templates: &[crate::source::TemplateFile],
        pages: &[crate::content::Page],
        sections: &[crate::site::SiteSection],
    ) -> Lookups {
        let mut lookups = Lookups::default();
        let calling: Vec<(&str, Vec<Input>)> = templates
            .iter()
            .filter_map(|t| {
                let reads = template_reads(&t.text);
                (!reads.is_empty()).then_some((t.name.as_str(), reads))
            })
            .collect();
        if calling.is_empty() {
            return lookups;
        }
        let mut direct: HashSet<&str> = pages.iter().map(super::template_for).collect();
        direct.extend(sections.iter().filter_map(|s| s.source.meta.template.as_deref()));
        direct.extend([SECTION_TEMPLATE, CATEGORY_TEMPLATE, NOT_FOUND, crate::feed::FEED_TEMPLATE]);
        for (name, reads) in calling {
            if direct.contains(name) {
                lookups.templates.insert(name.to_string(), reads);
            } else {
                lookups.everywhere.extend(reads);
            }
        }
        lookups
    }

    /// What a unit rendered with `template` reads through lookups.
    pub(crate) fn reads(&self, template: &str) -> Vec<&Input> {
        self.everywhere.iter().chain(self.templates.get(template).into_iter().flatten()).collect()
    }

    /// Everything read through lookups, with the translations in each of
    /// `languages` they may lead to, to fingerprint (a section or a
    /// translation that does not exist yet has a fingerprint too, so
    /// creating it is a change).
    fn inputs(&self, languages: &[crate::language::Language]) -> HashSet<Input> {
        let read: Vec<&Input> = self.everywhere.iter().chain(self.templates.values().flatten()).collect();
        let translated = (1..languages.len())
            .flat_map(|lang| read.iter().flat_map(move |i| i.in_language(lang, languages)));
        read.iter().map(|&i| i.clone()).chain(translated).collect()
    }
}

/// What the `get_page` and `get_section` calls in a template's `text` read.
fn template_reads(text: &str) -> Vec<Input> {
    let mut reads = Vec::new();
    for (function, is_section) in [("get_page(", false), ("get_section(", true)] {
        for (at, _) in text.match_indices(function) {
            let args = &text[at + function.len()..];
            let args = &args[..args.find(')').unwrap_or(args.len())];
            // Only `path`, written out, and nothing after it.
            let written = crate::source::literal_argument(args, "path")
                .filter(|(_, after)| after.trim().is_empty())
                .map(|(path, _)| path);
            reads.push(match written {
                Some(path) => {
                    let source = Path::new("content").join(path.trim_start_matches('/'));
                    if is_section { Input::Section(source) } else { Input::Summary(source) }
                }
                None => Input::Lookups,
            });
        }
    }
    reads.sort_by_key(|i| format!("{i:?}"));
    reads.dedup();
    reads
}

/// How collision messages name a listing page: the first, or a later one.
const LISTING_NAMES: [&str; 2] = ["listing page", "later listing pages"];
/// The template of a section's listing pages, unless it names another.
pub const SECTION_TEMPLATE: &str = "section.html";
/// The template of a category's listing page.
pub const CATEGORY_TEMPLATE: &str = "category.html";

/// The output file of the feed of the section at `section_path`.
fn feed_output(section_path: &str) -> PathBuf {
    PathBuf::from(feed_path(section_path).trim_start_matches('/'))
}

const NOT_FOUND: &str = "404.html";
const SITEMAP: &str = "sitemap.xml";
const ROBOTS: &str = "robots.txt";

/// Every unit of the site, pages first: the 404 page only if there is a
/// `404.html` template (`has_404_template`). A static file named
/// `robots.txt`, `sitemap.xml` or `404.html` is the owner's own and replaces
/// the one dotwork would make. Any other two outputs at one path, or a file
/// where another output needs a folder, are errors (`collisions.rs`).
/// Returns the units with the files each writes, in the same order.
pub fn list_units(site: &Site, has_404_template: bool) -> Result<Listed, Vec<Diagnostic>> {
    let owned: HashSet<&Path> = site.assets.iter().map(|a| a.output.as_path()).collect();
    let makes = |name: &str| !owned.contains(Path::new(name));
    let hosts = crate::host::HostFiles::of(&site.config);
    let mut units = Vec::with_capacity(site.pages.len() + site.aliases.len() + site.assets.len() + 3);
    units.extend((0..site.pages.len()).map(Unit::Page));
    if has_404_template && makes(NOT_FOUND) {
        units.push(Unit::NotFound);
    }
    if hosts.alias_pages {
        units.extend((0..site.aliases.len()).map(Unit::Alias));
    }
    for (i, section) in site.sections.iter().enumerate() {
        units.extend((0..section.pagers.len()).map(|pager| Unit::Listing { section: i, pager }));
        if hosts.alias_pages && !section.pagers[0].redirect_from.is_empty() {
            units.push(Unit::ListingRedirect(i));
        }
        if section.source.meta.feed && site.feed_base.is_some() {
            units.push(Unit::Feed(i));
        }
    }
    units.extend((0..site.categories.len()).map(Unit::Category));
    if site.has_site_feed() {
        units.extend((0..site.config.languages.len()).map(Unit::SiteFeed));
    }
    if makes(SITEMAP) {
        units.push(Unit::Sitemap);
    }
    if makes(ROBOTS) {
        units.push(Unit::Robots);
    }
    // A site's own `static/_headers` or `_redirects` replaces dotwork's.
    if hosts.rule_files && makes(crate::host::HEADERS) {
        units.push(Unit::Headers);
    }
    if hosts.rule_files && makes(crate::host::REDIRECTS) {
        units.push(Unit::Redirects);
    }
    units.extend((0..site.assets.len()).map(Unit::Asset));
    units.extend((0..site.images.planned.len()).map(Unit::Image));
    let outputs: Vec<Vec<PathBuf>> = units.iter().map(|u| u.outputs(site)).collect();
    let claims: Vec<(&Path, Claim<'_>)> = units
        .iter()
        .zip(&outputs)
        .flat_map(|(u, paths)| {
            let claim = u.claim(site);
            paths.iter().map(move |p| (p.as_path(), claim))
        })
        .collect();
    let problems = collisions(&claims);
    if problems.is_empty() { Ok(Listed { units, outputs }) } else { Err(problems) }
}

/// The units of a site and the files each writes (`outputs[i]` of
/// `units[i]`), worked out once for the collision check and kept for the
/// sinks.
#[derive(Debug)]
pub struct Listed {
    /// Every unit, pages first.
    pub units: Vec<Unit>,
    /// The files of each unit.
    pub outputs: Vec<Vec<PathBuf>>,
}

/// The fingerprint of every input of a site: each page, each static file
/// and the site-wide inputs. A new [`Input`] variant is fingerprinted here.
#[derive(Debug, Default)]
pub struct Fingerprints(HashMap<Input, u64>);

impl Fingerprints {
    /// Fingerprints every input of `site`, in parallel. A page's text is
    /// known by the hash the parse stage made of it
    /// ([`crate::content::Page::print`]), so the text of 10,000 unchanged
    /// pages is not hashed again after every edit.
    pub fn of(site: &Site) -> Fingerprints {
        let mut inputs: Vec<Input> = site.pages.iter().map(|p| Input::Page(p.source.clone())).collect();
        inputs.extend(site.assets.iter().map(|a| Input::Asset(a.output.clone())));
        inputs.extend(site.sections.iter().flat_map(|s| {
            [Input::Section(s.source.source.clone()), Input::SectionHead(s.source.source.clone())]
        }));
        inputs.extend(site.categories.iter().map(|(c, _)| Input::Category(c.path.clone())));
        inputs.extend((0..site.config.languages.len()).flat_map(|l| [Input::SiteFeed(l), Input::Menu(l)]));
        inputs.extend(site.images.planned.iter().map(|p| Input::Image(p.image.output.clone())));
        let mut looked_up = site.lookups.inputs(&site.config.languages);
        for section in &site.sections {
            looked_up.remove(&Input::Section(section.source.source.clone()));
        }
        inputs.extend(looked_up);
        inputs.extend([
            Input::Lookups,
            Input::Urls,
            Input::Dates,
            Input::Config,
            Input::Templates,
            Input::Bibliography,
            Input::Images,
            Input::AssetNames,
            Input::Aliases,
        ]);
        let mut lookup = Lookup {
            pages: site.pages.iter().enumerate().map(|(i, p)| (p.source.as_os_str(), i)).collect(),
            assets: site.assets.iter().enumerate().map(|(i, a)| (a.output.as_os_str(), i)).collect(),
            sections: site
                .sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.source.source.as_os_str(), i))
                .collect(),
            made_from: [0; 3],
        };
        // What a body is made from besides its text: site-wide inputs, which look nothing up.
        let made_from =
            [Input::Urls, Input::Config, Input::Bibliography].map(|i| i.fingerprint(site, &lookup));
        lookup.made_from = made_from;
        Fingerprints(
            inputs
                .into_par_iter()
                .map(|input| {
                    let print = input.fingerprint(site, &lookup);
                    (input, print)
                })
                .collect(),
        )
    }

    /// One fingerprint of everything `unit` reads: each of its inputs' in
    /// order. `None` if one of them was not fingerprinted.
    pub fn of_unit(&self, unit: Unit, site: &Site) -> Option<u64> {
        let mut h = print();
        for input in unit.inputs(site) {
            self.0.get(&input)?.hash(&mut h);
        }
        Some(h.finish())
    }

    /// Whether every input of `unit` has the same fingerprint in `earlier`.
    pub fn unchanged(&self, unit: Unit, site: &Site, earlier: &Fingerprints) -> bool {
        unit.inputs(site).iter().all(|input| {
            let now = self.0.get(input);
            now.is_some() && now == earlier.0.get(input)
        })
    }
}

/// What fingerprinting one input may look up: a page by source path, a
/// static file by output path, and the fingerprints of what a page's body
/// is made from besides its text.
struct Lookup<'s> {
    /// By their paths' bytes (`collections::PathMap`).
    pages: HashMap<&'s OsStr, usize>,
    assets: HashMap<&'s OsStr, usize>,
    sections: HashMap<&'s OsStr, usize>,
    made_from: [u64; 3],
}

/// The hasher of fingerprints: foldhash (its `quality` variant, which
/// mixes the result once more) with a fixed seed, so a fingerprint is the
/// same in every run of one binary (std's `DefaultHasher` promises that
/// only within one process). What std's `Hash` feeds it may change between
/// Rust releases, so a fingerprint kept on disk is trusted only by the
/// binary that made it (`cache.rs`). The pages' texts are hashed with it
/// already ([`crate::cache::text_print`]); with SipHash, the fingerprints
/// and keys of a one-page rebuild at 10,000 pages took 32 M instructions
/// more, 3.5% of it (issue 16). A fingerprint guards against change, not against someone
/// who would forge one: what it hashes is the site's own files.
pub(crate) type Print = foldhash::quality::FoldHasher<'static>;

/// A fresh [`Print`] hasher.
pub(crate) fn print() -> Print {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x646f_7477_6f72_6b20).build_hasher()
}

/// A [`Print`] of `entries` that does not depend on their order (the
/// entries of a map), without sorting them.
pub(crate) fn unordered_print<T: Hash>(entries: impl Iterator<Item = T>) -> u64 {
    entries.fold(0u64, |sum, entry| {
        let mut h = print();
        entry.hash(&mut h);
        sum.wrapping_add(h.finish())
    })
}

/// Hashes what a listing shows of each of `pages`, in order.
fn hash_summaries(site: &Site, pages: &[usize], h: &mut Print) {
    for &i in pages {
        let p = &site.pages[i];
        (&p.path, &p.title, p.meta.date, p.meta.updated, &p.meta.description, &p.meta.categories).hash(h);
    }
}

/// Hashes a section's own settings and text.
fn hash_section(section: &crate::site::SiteSection, h: &mut Print) {
    (&section.source.text, &section.source.path).hash(h);
}

impl Input {
    /// What a lookup of a default-language file (`Summary` or `Section`
    /// of `content/about.md`) also reads on a unit in language `lang`: the
    /// file's translation in it (`content/about.es.md`), which the lookup
    /// shows instead when it exists. `None` in the default language, so a
    /// site in one language reads nothing more.
    fn in_language(&self, lang: usize, languages: &[crate::language::Language]) -> Option<Input> {
        let code = languages.get(lang).filter(|_| lang > 0)?.code.as_str();
        let translation = |path: &Path| -> Option<PathBuf> {
            let name = path.file_name()?.to_str()?;
            let stem = name.strip_suffix(".md")?;
            (crate::language::file_language(path, languages).lang == 0)
                .then(|| path.with_file_name(format!("{stem}.{code}.md")))
        };
        match self {
            Input::Summary(path) => translation(path).map(Input::Summary),
            Input::Section(path) => translation(path).map(Input::Section),
            _ => None,
        }
    }

    /// A hash of everything this input holds: the same in every run of one
    /// dotwork binary (`serve` compares two runs, `build` keeps them on disk
    /// with the binary's name, `cache.rs`).
    fn fingerprint(&self, site: &Site, lookup: &Lookup<'_>) -> u64 {
        let mut h = print();
        match self {
            Input::Page(source) => match lookup.pages.get(source.as_os_str()) {
                Some(&i) => {
                    let p = &site.pages[i];
                    // The body is a function of the text, every page's URL
                    // (`site.rs`: a link to a draft or a missing page fails
                    // the build), the settings and the bibliography, so
                    // hashing the HTML, twice as long as the text, would add
                    // nothing.
                    (p.print, &p.path, &p.title, &p.references, lookup.made_from).hash(&mut h);
                }
                None => 0u8.hash(&mut h),
            },
            Input::Urls => {
                site.pages.iter().for_each(|p| (p.source.as_os_str(), &p.path).hash(&mut h));
                site.sections.iter().for_each(|s| (s.source.source.as_os_str(), &s.source.path).hash(&mut h));
            }
            Input::Menu(lang) => {
                for (&entry, below) in site.menu.iter().zip(&site.submenu) {
                    if site.menu_lang(entry) == *lang {
                        site.menu_item(entry).hash(&mut h);
                        below
                            .iter()
                            .for_each(|&i| site.menu_item(crate::site::MenuEntry::Page(i)).hash(&mut h));
                    }
                }
            }
            Input::Dates => {
                site.pages.iter().for_each(|p| (&p.path, p.meta.date, p.meta.updated).hash(&mut h))
            }
            Input::Config => {
                (&site.config.text, &site.config.base_url).hash(&mut h);
                // Which page is whose profile comes from the pages, and every
                // page that names the person links to it.
                site.config.people.values().for_each(|p| p.profile.hash(&mut h));
            }
            Input::Templates => site.templates.iter().for_each(|t| (&t.name, &t.text).hash(&mut h)),
            Input::Bibliography => {
                site.bibliography.as_ref().map(|b| (&b.file.path, &b.file.text)).hash(&mut h)
            }
            Input::Section(source) => match lookup.sections.get(source.as_os_str()) {
                Some(&i) => {
                    let section = &site.sections[i];
                    hash_section(section, &mut h);
                    hash_summaries(site, &section.pages, &mut h);
                    for &sub in &section.subsections {
                        hash_section(&site.sections[sub], &mut h);
                    }
                    site.feed_base.is_some().hash(&mut h);
                }
                None => 0u8.hash(&mut h),
            },
            Input::SectionHead(source) => match lookup.sections.get(source.as_os_str()) {
                Some(&i) => {
                    let s = &site.sections[i].source;
                    (&s.title, &s.path, s.meta.feed, site.feed_base.is_some()).hash(&mut h);
                }
                None => 0u8.hash(&mut h),
            },
            Input::Category(path) => match site.categories.iter().find(|(c, _)| &c.path == path) {
                Some((c, pages)) => {
                    c.hash(&mut h);
                    hash_summaries(site, pages, &mut h);
                }
                None => 0u8.hash(&mut h),
            },
            Input::Summary(source) => match lookup.pages.get(source.as_os_str()) {
                Some(&i) => hash_summaries(site, &[i], &mut h),
                None => 0u8.hash(&mut h),
            },
            Input::Lookups => {
                hash_summaries(site, &(0..site.pages.len()).collect::<Vec<_>>(), &mut h);
                for section in &site.sections {
                    hash_section(section, &mut h);
                    section.pages.hash(&mut h);
                }
            }
            Input::SiteFeed(lang) => site
                .site_feed
                .get(*lang)
                .into_iter()
                .flatten()
                .for_each(|&i| site.pages[i].source.hash(&mut h)),
            Input::Images => {
                site.images.sizes.hash(&mut h);
                site.images.planned.iter().for_each(|p| (&p.image.output, &p.key).hash(&mut h));
            }
            Input::Image(output) => match site.images.by_output.get(output) {
                Some(&i) => {
                    let images = &site.images;
                    (&images.planned[i].key, images.defer && images.cached(i)).hash(&mut h)
                }
                None => 0u8.hash(&mut h),
            },
            Input::AssetNames => site.asset_names.hash(&mut h),
            Input::Aliases => {
                for (out, page) in &site.aliases {
                    (out, &site.pages[*page].path).hash(&mut h);
                }
                for section in &site.sections {
                    (&section.pagers[0].redirect_from, &section.pagers[0].path).hash(&mut h);
                }
            }
            Input::Asset(output) => {
                match lookup.assets.get(output.as_os_str()).map(|&i| &site.assets[i].source) {
                    Some(crate::source::AssetSource::File(path)) => (1u8, path).hash(&mut h),
                    Some(crate::source::AssetSource::Builtin(bytes)) => (2u8, bytes).hash(&mut h),
                    None => 0u8.hash(&mut h),
                }
            }
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_on_a_translated_unit_reads_the_file_in_its_language_too() {
        let languages: Vec<crate::language::Language> = ["en-GB", "es"]
            .map(|code| crate::language::Language { code: code.into(), ..Default::default() })
            .into();
        let summary = Input::Summary("content/care/about.md".into());
        assert_eq!(
            summary.in_language(1, &languages),
            Some(Input::Summary("content/care/about.es.md".into()))
        );
        let section = Input::Section("content/news/_index.md".into());
        assert_eq!(
            section.in_language(1, &languages),
            Some(Input::Section("content/news/_index.es.md".into()))
        );
        // The default language, a file that is a translation already, other inputs: nothing more.
        assert_eq!(summary.in_language(0, &languages), None);
        assert_eq!(Input::Summary("content/about.es.md".into()).in_language(1, &languages), None);
        assert_eq!(Input::Lookups.in_language(1, &languages), None);
        let lookups = Lookups { everywhere: vec![summary.clone()], templates: HashMap::default() };
        assert_eq!(lookups.inputs(&languages[..1]), HashSet::from_iter([summary.clone()]));
        assert_eq!(lookups.inputs(&languages).len(), 2);
    }

    #[test]
    fn a_lookup_with_a_written_path_reads_that_section_or_page_only() {
        let text = r#"{% set n = get_section(path="news/_index.md") %}{{ get_page( path = 'about.md' ) }}"#;
        assert_eq!(
            template_reads(text),
            [Input::Section("content/news/_index.md".into()), Input::Summary("content/about.md".into())]
        );
        assert_eq!(template_reads("{{ get_page(path=p) }}"), [Input::Lookups]);
        assert!(template_reads("{{ page_url(path='a.md') }}").is_empty());
    }
}
