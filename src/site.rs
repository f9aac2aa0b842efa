//! Parse: turn [`Sources`] into a [`Site`], the parsed, immutable whole.
//!
//! Pages are parsed in parallel in two passes: front matter first (which
//! fixes every page's URL, so links can be resolved), then markdown. Anchors
//! (`aftercare.md#washing`) are checked last, once every page's headings are
//! known. Every problem is collected; the site is returned only if there are
//! none.

use crate::collections::{HashMap, HashSet};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::cache::TextNotes;
use crate::category::{Category, categories, category_pages, page_categories};
use crate::citations::{Bibliography, InText, citation_limit, unknown_keys};
use crate::config::SiteConfig;
use crate::content::{Body, Page};
use crate::error::{Diagnostic, Error, PerFile};
use crate::front_matter::{FrontFacts, FrontMatter};
use crate::markdown::{
    AddressLink, AnchorLink, Ids, PageFacts, PageIndex, PageRef, Rendered, address_known, closest_id,
    page_link, render_markdown, unknown_address,
};
use crate::paginate::{Pager, paginate};
use crate::section::{ListedPage, SectionSource, build_sections, is_section_file, parse_section};
use crate::source::{Asset, SourceFile, Sources, TemplateFile};
use crate::url::{alias_output, content_key, page_path_as};

mod cache;
pub use crate::scratch::PageText;
use crate::scratch::{Scratch, Spilled, unreadable};
use cache::Found;
pub use cache::ParseCache;

/// A site without `content/index.md` (nor a top `_index.md`) has no home
/// page, which the theme's header links every page to (issue 14: `check`
/// then blamed the theme's links). A warning, not an error: a site whose own
/// templates never link to `/` builds; the theme's links fail as broken links
/// that name the missing file.
///
/// Another language's home page (`/es/`) must be there: the language
/// switcher leads to it from every page that has no translation, so
/// without it the switcher would lead nowhere (issue 15).
fn no_home_page(config: &SiteConfig, pages: &[Page], sections: &[SiteSection]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (lang, language) in config.languages.iter().enumerate() {
        let home = crate::language::home(lang, &config.languages);
        let has = pages.iter().any(|p| p.path == home) || sections.iter().any(|s| s.source.path == home);
        if has {
            continue;
        }
        found.push(if lang == 0 {
            Diagnostic::warning("content/index.md", "the site has no home page: there is no content/index.md")
                .with_help("add content/index.md with the home page's title and text; every page links to it (/)")
        } else {
            let file = crate::language::translation_file(Path::new("content/index.md"), &language.code);
            Diagnostic::error(
                file.as_str(),
                format!("the site has no home page in `{}`: there is no {file}", language.code),
            )
            .with_help(format!(
                "translate content/index.md into {file}: the language switcher leads to {home} from every page not yet translated"
            ))
        });
    }
    found
}

/// What changes how a site is parsed.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Include `draft: true` pages.
    pub drafts: bool,
    /// The day of the build, for the consent of gallery photos
    /// ([`crate::gallery`]): today, or the day of `SOURCE_DATE_EPOCH`.
    pub today: crate::date::Date,
    /// Record what only `check`'s advice reads: each page's prose (the
    /// reading level, the claims) and every link (link texts, orphans).
    pub advice: bool,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions { drafts: false, today: crate::date::Date::today(), advice: true }
    }
}

/// The parsed site, ready to render.
#[derive(Debug)]
pub struct Site {
    /// Settings from `site.yaml`.
    pub config: SiteConfig,
    /// Every page to build, sorted by source path.
    pub pages: Vec<Page>,
    /// Templates (theme's overlaid by the site's).
    pub templates: Vec<TemplateFile>,
    /// Files copied as they are.
    pub assets: Vec<Asset>,
    /// The fingerprinted names of the stylesheets and scripts among `assets`.
    pub asset_names: crate::host::assets::AssetNames,
    /// Redirect pages: output file -> page number.
    pub aliases: Vec<(PathBuf, usize)>,
    /// Pages and sections in the main navigation, in order, of every
    /// language (a page's menu shows its language's: [`Site::menu_lang`]).
    pub menu: Vec<MenuEntry>,
    /// The pages under each item of `menu` (front matter `menu_parent`),
    /// in order: page numbers, by the item's place in `menu`.
    pub submenu: Vec<Vec<usize>>,
    /// The bibliography, if the site has one.
    pub bibliography: Option<Bibliography>,
    /// Problems that do not stop a build (shown by `build`, counted by `check`).
    pub warnings: Vec<Diagnostic>,
    /// Page number by URL path, so lookups never scan every page.
    pub by_path: HashMap<String, usize>,
    /// Sections (folders with an `_index.md`), sorted by source path.
    pub sections: Vec<SiteSection>,
    /// The categories of site.yaml, each with its pages (newest first).
    pub categories: Vec<(Category, Vec<usize>)>,
    /// The categories of each page (numbers in `categories`), by page number.
    pub categories_of: Vec<Vec<usize>>,
    /// The address feeds are made against; none for an example `base_url`
    /// (a warning says so), and then no feed is written.
    pub feed_base: Option<url::Url>,
    /// The pages of the site's feed in each language (`feed: true` in
    /// site.yaml), newest first; empty when it has none.
    pub site_feed: Vec<Vec<usize>>,
    /// The versions of each page in every language, by the file of the
    /// page they translate (`risks.md`): page numbers by language number.
    pub versions: HashMap<String, Vec<Option<usize>>>,
    /// The versions of each section in every language, by the file of the
    /// section they translate (`news/_index.md`): section numbers by language.
    pub section_versions: HashMap<String, Vec<Option<usize>>>,
    /// The section each page is listed in, by page number.
    in_section: Vec<Option<usize>>,
    /// What the templates that call `get_page` or `get_section` read.
    pub(crate) lookups: crate::render::Lookups,
    /// The images the site shows, with their variants (`image.rs`).
    pub images: crate::image::SiteImages,
    /// The theme's words in each of the site's languages.
    pub words: Vec<crate::theme::i18n::Words>,
    /// Every page's and section's URL, what links in markdown are resolved
    /// against: kept to render the bodies the parse stage skipped, if it
    /// skipped any.
    pub(crate) index: Option<PageIndex>,
    /// Where the bodies' HTML and the pages' texts wait in a one-shot run
    /// (`scratch.rs`).
    pub(crate) scratch: Option<std::sync::Arc<Scratch>>,
    /// site.yaml as each language's pages see it, by language number
    /// ([`SiteConfig::in_language`]).
    pub configs: Vec<SiteConfig>,
    /// Where the site is published: one domain, or a language on its own.
    pub domains: crate::domains::Domains,
}

/// A section of the site: its `_index.md`, what it lists and its listing pages.
#[derive(Debug)]
pub struct SiteSection {
    /// Its `_index.md`, parsed.
    pub source: SectionSource,
    /// Its own text as HTML, shown above the listing.
    pub html: String,
    /// The heading ids of its own text, for links to `_index.md#id`.
    pub ids: Ids,
    /// The building blocks in its own text, with their places in `html`.
    pub blocks: Vec<crate::blocks::BlockUse>,
    /// Its pages (numbers in the site's `pages`), in listing order; drafts
    /// only when built with drafts.
    pub pages: Vec<usize>,
    /// Sections directly below it (numbers in the site's `sections`).
    pub subsections: Vec<usize>,
    /// The nearest section above it.
    pub parent: Option<usize>,
    /// Its listing pages, at least one.
    pub pagers: Vec<Pager>,
    /// The pages of its feed, newest first ([`crate::feed::feed_pages`]);
    /// empty without `feed: true`.
    pub feed: Vec<usize>,
}

/// An item of the main navigation: a page or a section with `menu: true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuEntry {
    /// A page, by number in the site's `pages`.
    Page(usize),
    /// A section, by number in the site's `sections`; it leads to its first listing page.
    Section(usize),
}

impl Site {
    /// The name in the menu (`menu_title`, else the title) and the
    /// site-absolute URL path of a menu entry.
    pub fn menu_item(&self, entry: MenuEntry) -> (&str, &str) {
        match entry {
            MenuEntry::Page(i) => {
                let page = &self.pages[i];
                (page.meta.menu_title.as_deref().unwrap_or(&page.title), &page.path)
            }
            MenuEntry::Section(k) => {
                let source = &self.sections[k].source;
                (source.meta.menu_title.as_deref().unwrap_or(&source.title), &source.path)
            }
        }
    }

    /// The page at URL path `path` (`/care/`), if any.
    pub fn page_at(&self, path: &str) -> Option<&Page> {
        self.by_path.get(path).map(|&i| &self.pages[i])
    }

    /// Whether the site has its own feed: asked for in site.yaml, with a
    /// `base_url` feeds can be made against.
    pub fn has_site_feed(&self) -> bool {
        self.config.feed && self.feed_base.is_some()
    }

    /// The section page number `page` is listed in, if any.
    pub fn section_of(&self, page: usize) -> Option<usize> {
        self.in_section.get(page).copied().flatten()
    }

    /// Whether the site is in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.config.languages.len() > 1
    }

    /// The language of a menu entry.
    pub fn menu_lang(&self, entry: MenuEntry) -> usize {
        match entry {
            MenuEntry::Page(i) => self.pages[i].lang,
            MenuEntry::Section(k) => self.sections[k].source.lang,
        }
    }

    /// Page `i` in each of the site's languages (itself among them), by
    /// language number; `None` where it has no translation.
    pub fn page_versions(&self, i: usize) -> Vec<Option<usize>> {
        let page = &self.pages[i];
        self.versions.get(&page.original).cloned().unwrap_or_else(|| self.only(page.lang, i))
    }

    /// Section `k` in each of the site's languages, as [`Site::page_versions`].
    pub fn section_versions_of(&self, k: usize) -> Vec<Option<usize>> {
        let source = &self.sections[k].source;
        self.section_versions.get(&source.original).cloned().unwrap_or_else(|| self.only(source.lang, k))
    }

    /// The address of `category`'s page in each of the site's languages,
    /// by language number.
    pub fn category_versions(&self, category: &Category) -> Vec<Option<&str>> {
        (0..self.config.languages.len())
            .map(|lang| {
                self.categories
                    .iter()
                    .find(|(c, _)| c.lang == lang && c.slug == category.slug)
                    .map(|(c, _)| c.path.as_str())
            })
            .collect()
    }

    /// `n` alone, in language `lang`.
    fn only(&self, lang: usize, n: usize) -> Vec<Option<usize>> {
        let mut one = vec![None; self.config.languages.len()];
        one[lang] = Some(n);
        one
    }
}

struct Parsed {
    path: PathBuf,
    text: PageText,
    meta: Box<FrontMatter>,
    front: FrontFacts,
    /// What else was found in its text: warnings of its front matter, placeholders.
    notes: TextNotes,
    /// A hash of its text ([`crate::cache::text_print`]).
    print: u64,
}

impl Parsed {
    /// Its text, to place a message at a line of it (held, or read back
    /// from where the load stage left it); empty when it cannot be read
    /// (logged).
    fn text_for_message(&self) -> Cow<'_, str> {
        self.text.read(&self.path).unwrap_or_else(|d| {
            log::error!("{}", d.message);
            Cow::Borrowed("")
        })
    }
}

/// Parses every page and assembles the site.
pub fn parse_site(sources: Sources, options: &ParseOptions) -> Result<Site, Error> {
    parse_site_cached(sources, options, &mut ParseCache::one_shot())
}

/// [`parse_site`], reusing the pages `cache` holds from earlier runs where
/// their text (and for the markdown, every page's URL) is unchanged; `serve`
/// keeps one cache across rebuilds.
pub fn parse_site_cached(
    sources: Sources,
    options: &ParseOptions,
    cache: &mut ParseCache,
) -> Result<Site, Error> {
    let Sources { mut config, pages, templates, assets, bibliography, asset_names, images, words } = sources;
    let mut problems = Vec::new();
    let (section_files, pages): (Vec<SourceFile>, Vec<SourceFile>) =
        pages.into_iter().partition(|f| is_section_file(&f.path));
    let section_sources: Vec<SectionSource> = section_files
        .iter()
        .filter_map(|f| {
            parse_section(&f.path, &f.text, config.urls, &config.languages).map_err(|d| problems.push(d)).ok()
        })
        .collect();
    let bibliography = cache
        .bibliography(bibliography, config.citation_style, &language_codes(&config))
        .unwrap_or_else(|d| {
            problems.push(d);
            None
        });

    let started = std::time::Instant::now();
    let (fronts, unreadable) = cache.front_matters(&pages);
    crate::pipeline::log_stage("parse: front matter", started, "");
    let parsed: Vec<Result<Parsed, Diagnostic>> = pages
        .into_iter()
        .zip(fronts)
        .map(|(SourceFile { path, text, unread }, Found { front, notes, print })| {
            front.map(|(meta, front)| Parsed {
                path,
                text: PageText::of(text, unread),
                meta,
                front,
                notes,
                print,
            })
        })
        .collect();
    let mut drafts = HashSet::default();
    let mut left_out = Vec::new();
    let mut kept = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(p) if p.meta.draft && !options.drafts => {
                drafts.insert(content_key(&p.path));
                left_out.push(p.path);
            }
            Ok(p) => kept.push(p),
            Err(d) => problems.push(d),
        }
    }
    // A page left unread whose file cannot be read now (gone, or changed
    // since the build began) stops the build here, as the load stage would
    // have, before links to it are reported as broken.
    if unreadable {
        return Err(Error::Site(problems));
    }

    let mut index = index_pages(&kept, drafts, &config, &mut problems);
    // Sections can be linked to (`news/_index.md`); their numbers follow the pages'.
    for s in &section_sources {
        index.translations.insert((s.original.clone(), s.lang), index.paths.len());
        index.sections.insert(content_key(&s.source), index.paths.len());
        index.langs.push(s.lang);
        index.paths.push(s.path.clone());
    }
    index.index_addresses();
    index.files = std::sync::Arc::new(content_files(&assets));
    index.images = std::sync::Arc::new(images);
    index.heading_ids = config.heading_ids;
    index.advice = options.advice;
    index.broken_links = config.broken_links;
    index.callout_words = std::sync::Arc::new(
        words
            .iter()
            .map(|words| {
                crate::markdown::CALLOUTS
                    .iter()
                    .map(|(class, english)| {
                        words.fill(&format!("callout.{class}"), &[]).unwrap_or_else(|| english.to_string())
                    })
                    .collect()
            })
            .collect(),
    );
    let started = std::time::Instant::now();
    let bodies = cache.render_markdown(&mut kept, &index, crate::cache::text_print(&config.text));
    crate::pipeline::log_stage("parse: markdown", started, "");

    // Each page is made on every core; what the site gathers of them is
    // then taken in the pages' order.
    let (mut pages, gathered): (Vec<Page>, Vec<(Vec<Diagnostic>, Rendered)>) = kept
        .into_par_iter()
        .zip(bodies)
        .enumerate()
        .map(|(number, (p, mut r))| {
            let body = OnceLock::new();
            if !r.kept {
                let html = match r.stored {
                    Some(at) => Spilled::Stored(at),
                    None => Spilled::Held(std::mem::take(&mut r.html)),
                };
                let blocks = std::mem::take(&mut r.blocks);
                let facts = std::mem::take(&mut r.facts);
                let tags = r.tags;
                let _ = body.set(Box::new(Body { html, blocks, facts, tags, failed: None }));
            }
            let page = Page {
                print: p.print,
                title: p.meta.title.as_deref().unwrap_or_default().to_string(),
                lang: index.langs[number],
                original: index.originals[number].clone(),
                path: index.paths[number].clone(),
                source: p.path,
                text: p.text,
                meta: p.meta,
                ids: std::mem::take(&mut r.ids),
                cited: Vec::new(),
                references: String::new(),
                gallery: Vec::new(),
                body,
                has_blocks: r.has_blocks,
                placeholders: p.notes.placeholders,
                facts: PageFacts { front: p.front, followup: None },
            };
            (page, (p.notes.front_warnings, r))
        })
        .unzip();
    let mut anchors = Vec::new();
    let mut addresses = Vec::new();
    let mut citations = Vec::with_capacity(pages.len());
    let mut per_file = PerFile::default();
    let mut shown_images = Vec::new();
    let mut fallbacks = Vec::new();
    let mut front_warnings = Vec::new();
    for (number, (page, (mut warned, mut r))) in pages.iter().zip(gathered).enumerate() {
        front_warnings.append(&mut warned);
        fallbacks.extend(r.fallbacks.into_iter().map(|f| (number, f)));
        shown_images.append(&mut r.images);
        per_file.count(&page.source, r.problems.len() + r.unreported);
        problems.append(&mut r.problems);
        citations.push((r.citations, r.cite_at));
        anchors.extend(r.anchors.into_iter().map(|a| (number, a)));
        if !r.addresses.is_empty() {
            addresses.push((number, r.addresses));
        }
    }
    resolve_followups(&mut pages, &index, &mut anchors, &mut problems);
    let scratch = cache.take_scratch();
    let mut warnings = cite(&mut pages, &citations, bibliography.as_ref(), scratch.as_deref(), &mut problems);
    warnings.extend(fallback_warnings(&pages, &fallbacks, &config));
    warnings.extend(unknown_language_warnings(&pages, &config));
    warnings.extend(config.warnings.iter().cloned());
    warnings.extend(front_warnings);
    crate::people::link_people(&pages, &mut config, &mut problems);
    for (k, words) in words.iter().enumerate() {
        let (missing, untranslated) =
            crate::theme::i18n::missing_words(words, &templates, &config.text, k == 0);
        problems.extend(missing);
        warnings.extend(untranslated);
    }
    images_as_their_originals(&mut pages, &config);
    check_image_alt(&pages, &mut problems);
    crate::gallery::check_pages(&mut pages, options.today, &mut problems, &mut warnings);
    let mut assets = assets;
    crate::gallery::withhold_photos(&pages, &mut assets);
    problems.extend(crate::category::check_pages(&pages, &config));
    let aliases = collect_aliases(&pages, &mut problems);
    let sections = assemble_sections(
        section_sources,
        &pages,
        &left_out,
        &index,
        options,
        (&mut anchors, &mut addresses),
        (&mut problems, &mut shown_images),
    );
    // Images named outside markdown (front matter, site.yaml, galleries) are
    // registered here as `ImageRef`s, each at its place, so that their
    // variants are planned and a missing one is reported where it is written.
    let image_refs = image_refs(&pages, &config);
    let images = crate::image::plan_images(&index.images, shown_images, &image_refs, &mut problems);
    let (categories, categories_of) = site_categories(&config, &pages, options);
    let linked = Linked { pages: &pages, sections: &sections };
    let broken = config.broken_links.severity();
    check_anchors(&linked, &anchors, broken, &mut per_file, &mut problems);
    // Links written as addresses (`/contact/`) fail the build as `check` fails them.
    if !addresses.is_empty() {
        let mut known: HashSet<&str> = index.paths.iter().map(String::as_str).collect();
        known.extend(sections.iter().flat_map(|s| s.pagers.iter().map(|p| p.path.as_str())));
        known.extend(categories.iter().map(|(c, _)| c.path.as_str()));
        let mut outputs: HashSet<String> = aliases
            .iter()
            .map(|(out, _)| out)
            .chain(assets.iter().map(|a| &a.output))
            .map(|p| crate::url::slash_path(p))
            .collect();
        if templates.iter().any(|t| t.name == "404.html") {
            outputs.insert("404.html".to_string());
        }
        let is_page = |p: &str| known.contains(p);
        let exists = |f: &str| outputs.contains(f);
        // Looked up on every core, each page's links where they are; the
        // few not found are then reported in order.
        let unknown: Vec<(usize, &AddressLink)> = addresses
            .par_iter()
            .flat_map_iter(|(from, links)| {
                links.iter().filter(|link| !address_known(link, &is_page, &exists)).map(|link| (*from, link))
            })
            .collect();
        for (from, link) in unknown {
            let file = linked.file(from);
            problems.extend(
                unknown_address(file, &|| linked.text(from), link, &index, &is_page, &exists, &mut || {
                    per_file.admit(file)
                })
                .map(|d| d.with_severity(broken)),
            );
        }
        crate::pipeline::drop_in_background(addresses);
    }
    for d in no_home_page(&config, &pages, &sections) {
        if d.severity == crate::error::Severity::Error { problems.push(d) } else { warnings.push(d) }
    }
    let menu = site_menu(&pages, &sections);
    let submenu = site_submenu(&pages, &menu, &index, &mut problems);

    let mut feed_base = None;
    if config.feed || sections.iter().any(|s| s.source.meta.feed) {
        match crate::feed::feed_base(&config) {
            Ok(base) => feed_base = Some(base),
            Err(warning) => warnings.push(warning),
        }
    }
    let site_feed = if config.feed && feed_base.is_some() {
        let listed: Vec<_> = pages.iter().map(listed_page).collect();
        (0..config.languages.len())
            .map(|lang| {
                crate::feed::feed_pages(&listed, (0..listed.len()).filter(|&i| pages[i].lang == lang))
            })
            .collect()
    } else {
        vec![Vec::new(); config.languages.len()]
    };
    let n_languages = config.languages.len();
    let versions = group_versions(pages.iter().map(|p| (p.original.as_str(), p.lang)), n_languages);
    let section_versions =
        group_versions(sections.iter().map(|s| (s.source.original.as_str(), s.source.lang)), n_languages);
    let mut in_section = vec![None; pages.len()];
    for (k, section) in sections.iter().enumerate() {
        section.pages.iter().for_each(|&p| in_section[p] = Some(k));
    }
    let lookups = crate::render::Lookups::of(&templates, &pages, &sections);
    problems.extend(per_file.summaries(broken));
    // Broken links are only warnings with `broken_links: warn`: they go with the others.
    if !problems.iter().any(|d| d.severity == crate::error::Severity::Error) {
        warnings.append(&mut problems);
    }
    Error::from_diagnostics(problems)?;
    crate::error::sort_diagnostics(&mut warnings);
    let by_path = pages.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect();
    let configs = (0..config.languages.len()).map(|lang| config.in_language(lang)).collect();
    let index = pages.iter().any(|p| p.body.get().is_none()).then_some(index);
    Ok(Site {
        domains: crate::domains::Domains::new(&config),
        configs,
        config,
        pages,
        templates,
        assets,
        asset_names,
        aliases,
        menu,
        submenu,
        bibliography,
        warnings,
        by_path,
        sections,
        categories,
        categories_of,
        feed_base,
        site_feed,
        versions,
        section_versions,
        in_section,
        lookups,
        images,
        words,
        index,
        scratch,
    })
}

impl Site {
    /// The rendered body of page number `i`: as the parse stage made it,
    /// or, for a page whose markdown it skipped because the build cache
    /// knew the page unchanged (`cache/bodies.rs`), rendered now, once, as
    /// the parse stage would have rendered it.
    pub fn body(&self, i: usize) -> &Body {
        let page = &self.pages[i];
        page.body.get_or_init(|| {
            // Every body is set when the parse stage kept no index (a cold build).
            let Some(index) = &self.index else {
                log::error!("internal error: the body of {} was not rendered", page.source.display());
                return Box::default();
            };
            // Read back from where the load stage left it: the page's own
            // file (the build cache knew it), or the scratch file.
            let text = match page.read_text() {
                Ok(text) => text,
                Err(d) => return Box::new(Body { failed: Some(Box::new(d)), ..Body::default() }),
            };
            let at = PageRef {
                file: &page.source,
                text: &text,
                body_offset: page.facts.front.body_offset,
                number: i,
            };
            let mut r = render_markdown(&at, index);
            let citing = citation_limit(&page.source, &text, &r.citations).is_none();
            if let Some(bib) = self.bibliography.as_ref().filter(|_| citing && !r.citations.is_empty()) {
                let formatted = bib.format_page(&r.citations, page.lang);
                r.html = place_citations(&r.html, &r.cite_at, &formatted.in_text, &mut r.blocks);
            }
            // Into the scratch file too, when the run has one: a build whose
            // old output is gone makes every body here (issue 16).
            Box::new(Body {
                html: Spilled::put(r.html, self.scratch.as_deref()),
                blocks: r.blocks,
                facts: r.facts,
                tags: r.tags,
                failed: None,
            })
        })
    }

    /// The HTML of the body of page number `i` ([`Self::body`]), read back
    /// from the scratch file if it waits there.
    pub fn body_html(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        let body = self.body(i);
        if let Some(failed) = &body.failed {
            return Err(failed.as_ref().clone());
        }
        read_body_html(&body.html, self.scratch.as_deref(), &self.pages[i].source)
    }
}

/// Links, each with the number of the page or section it is in (see [`Linked`]).
type Numbered<T> = Vec<(usize, T)>;

/// The files links start from and lead to, by their number in the page
/// index: the pages, then the sections.
struct Linked<'a> {
    pages: &'a [Page],
    sections: &'a [SiteSection],
}

impl Linked<'_> {
    /// The file of page or section number `n`.
    fn file(&self, n: usize) -> &Path {
        match n.checked_sub(self.pages.len()) {
            None => &self.pages[n].source,
            Some(k) => &self.sections[k].source.source,
        }
    }

    /// The text of page or section number `n`, to place a message in it.
    fn text(&self, n: usize) -> Cow<'_, str> {
        match n.checked_sub(self.pages.len()) {
            None => self.pages[n].text_for_message(),
            Some(k) => Cow::Borrowed(&self.sections[k].source.text),
        }
    }

    /// The heading ids of page or section number `n`; `None` for a section
    /// when the sections could not be assembled (an error says why).
    fn ids(&self, n: usize) -> Option<&Ids> {
        match n.checked_sub(self.pages.len()) {
            None => Some(&self.pages[n].ids),
            Some(k) => self.sections.get(k).map(|s| &s.ids),
        }
    }
}

/// Every `#fragment` of a link (`aftercare.md#washing`, `news/_index.md#x`,
/// `#x`) must be a heading id of the page or section it leads to.
///
/// Ids from raw HTML and footnotes count; a fragment written
/// percent-encoded (`#caf%C3%A9`) names the id it decodes to, as in a browser.
fn check_anchors(
    linked: &Linked<'_>,
    anchors: &[(usize, AnchorLink)],
    severity: crate::error::Severity,
    per_file: &mut PerFile,
    problems: &mut Vec<Diagnostic>,
) {
    for (from, a) in anchors {
        // Links from a section come only with its section assembled.
        let Some(ids) = linked.ids(a.page) else { continue };
        let file = linked.file(*from);
        let found = || {
            ids.contains(&a.fragment)
                || (a.fragment.contains('%') && ids.contains(&crate::url::decode_lossy(&a.fragment)))
        };
        if found() || !per_file.admit(file) {
            continue;
        }
        let whose =
            if a.page == *from { "this page".to_string() } else { linked.file(a.page).display().to_string() };
        let mut d = Diagnostic::error(
            file,
            format!("link to `#{}`, but {whose} has no heading with that id", a.fragment),
        )
        .with_severity(severity)
        .at_offset(&linked.text(*from), a.offset);
        if let Some(best) = closest_id(&a.fragment, ids.iter()) {
            d = d.with_help(format!("did you mean `#{best}`?"));
        }
        problems.push(d);
    }
}

/// Sorts the pages into `sources`' sections, renders each section's own
/// text (its links resolved as a page's are; its anchors and addresses
/// added to `links`, numbered after the pages as in `index`) and splits its
/// listing into listing pages.
fn assemble_sections(
    sources: Vec<SectionSource>,
    pages: &[Page],
    drafts: &[PathBuf],
    index: &PageIndex,
    options: &ParseOptions,
    links: (&mut Numbered<AnchorLink>, &mut Numbered<Vec<AddressLink>>),
    (problems, shown_images): (&mut Vec<Diagnostic>, &mut Vec<String>),
) -> Vec<SiteSection> {
    if sources.is_empty() {
        return Vec::new();
    }
    // Drafts left out of this build are given too, so that a draft index.md
    // beside an _index.md is reported all the same; they are never listed.
    let listed: Vec<ListedPage<'_>> = pages
        .iter()
        .map(listed_page)
        .chain(drafts.iter().map(|source| ListedPage {
            source,
            title: "",
            date: None,
            updated: None,
            weight: 0,
            draft: true,
            lang: crate::language::file_language(source, &index.languages).lang,
        }))
        .collect();
    let built = match build_sections(&sources, &listed, options.drafts) {
        Ok(built) => built,
        Err(found) => {
            // Quote the page's first line, where its front matter starts.
            let page_of: HashMap<&std::path::Path, &Page> =
                pages.iter().map(|p| (p.source.as_path(), p)).collect();
            problems.extend(found.into_iter().map(|mut d| match page_of.get(d.file.as_path()) {
                Some(page) if d.line_text.is_none() => {
                    d.location = None;
                    d.at(&page.text_for_message(), crate::error::Location { line: 1, column: 1 })
                }
                _ => d,
            }));
            return Vec::new();
        }
    };
    let (anchors, addresses) = links;
    sources
        .into_iter()
        .zip(built)
        .enumerate()
        .map(|(k, (source, built))| {
            let page = PageRef {
                file: &source.source,
                text: &source.text,
                body_offset: source.body_offset,
                number: pages.len() + k,
            };
            let mut rendered = render_markdown(&page, index);
            problems.append(&mut rendered.problems);
            anchors.extend(rendered.anchors.into_iter().map(|a| (page.number, a)));
            if !rendered.addresses.is_empty() {
                addresses.push((page.number, rendered.addresses));
            }
            shown_images.append(&mut rendered.images);
            let pagers = paginate(&source.path, built.pages.len(), source.meta.paginate_by);
            let feed = if source.meta.feed {
                crate::feed::feed_pages(&listed, built.pages.iter().copied())
            } else {
                Vec::new()
            };
            SiteSection {
                feed,
                html: rendered.html,
                ids: rendered.ids,
                blocks: rendered.blocks,
                pages: built.pages,
                subsections: built.subsections,
                parent: built.parent,
                pagers,
                source,
            }
        })
        .collect()
}

/// The pages and sections with `menu: true`, by `weight` then title (a
/// stable sort: pages before sections, each in source order, on a tie).
fn site_menu(pages: &[Page], sections: &[SiteSection]) -> Vec<MenuEntry> {
    let mut menu: Vec<(i64, &str, MenuEntry)> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.meta.menu && p.meta.menu_parent.is_none())
        .map(|(i, p)| (p.meta.weight, p.title.as_str(), MenuEntry::Page(i)))
        .chain(
            sections
                .iter()
                .enumerate()
                .filter(|(_, s)| s.source.meta.menu)
                .map(|(k, s)| (s.source.meta.weight, s.source.title.as_str(), MenuEntry::Section(k))),
        )
        .collect();
    menu.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    menu.into_iter().map(|(_, _, entry)| entry).collect()
}

/// The pages under each item of `menu`: those whose `menu_parent` links
/// to it, by `weight` then title. A parent that is not a page of the menu's
/// top row is an error at the page's `menu_parent`.
fn site_submenu(
    pages: &[Page],
    menu: &[MenuEntry],
    index: &PageIndex,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Vec<usize>> {
    let mut submenu: Vec<Vec<(i64, &str, usize)>> = vec![Vec::new(); menu.len()];
    for (i, page) in pages.iter().enumerate() {
        let Some(written) = &page.meta.menu_parent else { continue };
        let parent = match page_link(&page.source, written, index) {
            Ok((target, _)) => target,
            Err(d) => {
                problems.push(page.at_key(d, "menu_parent"));
                continue;
            }
        };
        match menu.iter().position(|e| *e == MenuEntry::Page(parent)) {
            Some(at) => submenu[at].push((page.meta.weight, page.title.as_str(), i)),
            None => problems.push(
                page.at_key(
                    Diagnostic::error(
                        &page.source,
                        format!("menu_parent `{written}` is not a page of the menu's top row"),
                    ),
                    "menu_parent",
                )
                .with_help(
                    "give that page `menu: true` (and no menu_parent of its own): the menu has one level of sub-items",
                ),
            ),
        }
    }
    submenu
        .into_iter()
        .map(|mut items| {
            items.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            items.into_iter().map(|(_, _, i)| i).collect()
        })
        .collect()
}

/// Each category of site.yaml in each language with its pages (a page is
/// listed on its own language's: `/categories/x/`, `/es/categories/x/`),
/// and each page's categories (unknown names are reported by
/// `category::check_pages`).
#[allow(clippy::type_complexity)]
fn site_categories(
    config: &SiteConfig,
    pages: &[Page],
    options: &ParseOptions,
) -> (Vec<(Category, Vec<usize>)>, Vec<Vec<usize>>) {
    let vocabulary = categories(&config.categories);
    if vocabulary.is_empty() {
        return (Vec::new(), vec![Vec::new(); pages.len()]);
    }
    let size = vocabulary.len();
    // Numbered language by language: category `c` of language `k` is `k * size + c`.
    let named: Vec<Vec<usize>> = pages
        .iter()
        .map(|p| {
            if p.meta.categories.is_empty() {
                return Vec::new();
            }
            let text = p.text_for_message();
            let (found, _) =
                page_categories(&p.source, &text, &p.facts.front, &p.meta.categories, &vocabulary);
            found.into_iter().map(|c| p.lang * size + c).collect()
        })
        .collect();
    let listed: Vec<ListedPage<'_>> = pages.iter().map(listed_page).collect();
    let lists = category_pages(size * config.languages.len(), &named, &listed, options.drafts);
    let all = (0..config.languages.len()).flat_map(|lang| {
        vocabulary.iter().map(move |c| Category {
            path: crate::language::localize(&c.path, lang, &config.languages),
            lang,
            ..c.clone()
        })
    });
    (all.zip(lists).collect(), named)
}

/// What a listing needs to know of `page`.
pub(crate) fn listed_page(page: &Page) -> ListedPage<'_> {
    ListedPage {
        source: &page.source,
        title: &page.title,
        date: page.meta.date,
        updated: page.meta.updated,
        weight: page.meta.weight,
        draft: page.meta.draft,
        lang: page.lang,
    }
}

/// Formats every page's citations in place; returns warnings for entries no
/// page cites. `groups` holds each page's citation groups and where in its
/// HTML each goes.
fn cite(
    pages: &mut [Page],
    groups: &[(Vec<Vec<String>>, Vec<usize>)],
    bibliography: Option<&Bibliography>,
    scratch: Option<&Scratch>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut format = vec![true; pages.len()];
    for ((page, (groups, _)), format) in pages.iter().zip(groups).zip(&mut format) {
        if groups.is_empty() {
            continue;
        }
        let text = page.text_for_message();
        if let Some(d) = citation_limit(&page.source, &text, groups) {
            problems.push(d);
            *format = false;
            continue;
        }
        problems.extend(unknown_keys(bibliography, &page.source, &text, groups));
    }
    let Some(bib) = bibliography else { return Vec::new() };
    let to_format =
        pages.par_iter_mut().zip(groups).zip(format).filter(|((_, (g, _)), format)| *format && !g.is_empty());
    let unreadable: Vec<Diagnostic> = to_format
        .filter_map(|((page, (groups, at)), _)| {
            let formatted = bib.format_page(groups, page.lang);
            page.cited = formatted.keys;
            page.references = formatted.list;
            // A body the build cache let the parse stage skip has its citations
            // placed when it is rendered ([`Site::body`]).
            let body = page.body.get_mut()?;
            let html = match read_body_html(&body.html, scratch, &page.source) {
                Ok(html) => html,
                Err(d) => return Some(d),
            };
            let html = place_citations(&html, at, &formatted.in_text, &mut body.blocks);
            body.html = Spilled::put(html, scratch);
            None
        })
        .collect();
    problems.extend(unreadable);
    let cited: HashSet<&str> = pages.iter().flat_map(|p| p.cited.iter().map(String::as_str)).collect();
    bib.never_cited(&cited)
}

/// `html`, of the page `file`, as text: read back from `scratch` if it waits there.
fn read_body_html<'h>(
    html: &'h Spilled,
    scratch: Option<&Scratch>,
    file: &Path,
) -> Result<std::borrow::Cow<'h, str>, Diagnostic> {
    html.read(scratch).map_err(|e| unreadable(file, "the page's rendered body", &e))
}

/// `html` with each citation inserted at its offset in `at` (sorted), in one
/// pass: inserting them one by one copied the page once per citation (issue
/// 9: 30,000 citations took 9.4 s). The places of `blocks` in it move with
/// the text (a citation at a block's start or end is inside the block).
fn place_citations(
    html: &str,
    at: &[usize],
    citations: &[InText],
    blocks: &mut [crate::blocks::BlockUse],
) -> String {
    let mut out = String::with_capacity(html.len() + citations.iter().map(|c| c.html.len()).sum::<usize>());
    let mut last = 0;
    // Each citation's offset in `html` and in `out`, after it is placed.
    let mut moved: Vec<(usize, usize)> = Vec::with_capacity(if blocks.is_empty() { 0 } else { at.len() });
    for (&at, citation) in at.iter().zip(citations) {
        let before = &html[last..at];
        // A superscript sits right after the word: "skin¹", not "skin ¹".
        out.push_str(if citation.superscript { before.trim_end_matches([' ', '\n']) } else { before });
        out.push_str(&citation.html);
        if !blocks.is_empty() {
            moved.push((at, out.len()));
        }
        last = at;
    }
    out.push_str(&html[last..]);
    // An offset moves as the last citation before it (at it, for an end) did.
    let shift = |offset: usize, end: bool| {
        let n = moved.partition_point(|&(a, _)| a < offset || (end && a == offset));
        match n {
            0 => offset,
            n => moved[n - 1].1 + (offset - moved[n - 1].0),
        }
    };
    for block in blocks {
        let start = shift(block.html.start, false);
        block.html = start..if block.container { shift(block.html.end, true) } else { start };
    }
    out
}

/// Resolves `procedure.followup_page` as a link in the text is resolved,
/// and checks it the same way (issue 10: a typo there was silently dropped).
fn resolve_followups(
    pages: &mut [Page],
    index: &PageIndex,
    anchors: &mut Vec<(usize, AnchorLink)>,
    problems: &mut Vec<Diagnostic>,
) {
    for (number, page) in pages.iter_mut().enumerate() {
        let Some(written) = page.meta.procedure.as_ref().and_then(|p| p.followup_page.clone()) else {
            continue;
        };
        match page_link(&page.source, &written, index) {
            Ok((target, fragment)) => {
                if !fragment.is_empty() {
                    let offset =
                        page.facts.front.key_offset(&page.text_for_message(), "followup_page").unwrap_or(0);
                    anchors
                        .push((number, AnchorLink { page: target, fragment: fragment.to_string(), offset }));
                }
                page.facts.followup = Some((target, fragment.to_string()));
            }
            Err(d) => problems.push(page.at_key(d, "followup_page")),
        }
    }
}

/// The images named outside markdown, each where it is written: a page's
/// `image` (relative to the page's address, as in its markdown), its
/// gallery's published photos, and site.yaml's `logo`, `image` and people's
/// `photo` (from the site's top).
fn image_refs(pages: &[Page], config: &SiteConfig) -> Vec<crate::image::ImageRef> {
    use crate::image::ImageRef;
    let mut refs = Vec::new();
    for page in pages {
        if let Some(image) = &page.meta.image {
            let at = page.at_key(Diagnostic::error(&page.source, ""), "image");
            refs.push(ImageRef {
                written: image.to_string(),
                from: page.path.clone(),
                file: page.source.clone(),
                location: at.location,
                line_text: at.line_text,
            });
        }
        refs.extend(crate::gallery::image_refs(page));
    }
    let settings = [(vec!["logo"], &config.logo), (vec!["image"], &config.image)];
    let photos = config.people.iter().map(|(id, p)| (vec!["people", id.as_str(), "photo"], &p.photo));
    for (key, written) in settings.into_iter().chain(photos) {
        let Some(written) = written else { continue };
        let mut at = Diagnostic::error(crate::config::CONFIG_FILE, "");
        if let Some(loc) = crate::config::setting_line(&config.text, &key) {
            at = at.at(&config.text, loc);
        }
        refs.push(ImageRef {
            written: written.clone(),
            from: "/".to_string(),
            file: crate::config::CONFIG_FILE.into(),
            location: at.location,
            line_text: at.line_text,
        });
    }
    refs
}

/// The images a translation's front matter names (`image:`, the gallery's
/// photos) written relative to the page, made site-absolute as its
/// original reads them: a translation copies its original's front matter,
/// and its own address (`/es/riesgos/`) is not where the files are.
fn images_as_their_originals(pages: &mut [Page], config: &SiteConfig) {
    if config.languages.len() < 2 {
        return;
    }
    let originals: HashMap<String, String> =
        pages.iter().filter(|p| p.lang == 0).map(|p| (p.original.clone(), p.path.clone())).collect();
    let prefix_len = |lang: usize| crate::language::home(lang, &config.languages).len() - 1;
    for page in pages.iter_mut().filter(|p| p.lang > 0) {
        let from = originals
            .get(&page.original)
            .cloned()
            .unwrap_or_else(|| page.path[prefix_len(page.lang)..].to_string());
        // Where the file `written` is from the site's top, if it was relative.
        let absolute = |written: &str| {
            let relative = !written.starts_with('/') && !crate::url::has_scheme(written);
            relative.then(|| crate::url::site_path(&from, written)).flatten()
        };
        if let Some(image) = &mut page.meta.image
            && let Some(path) = absolute(image)
        {
            *image = path.into();
        }
        for pair in &mut page.meta.gallery {
            for written in [&mut pair.before, &mut pair.after] {
                if let Some(path) = absolute(written) {
                    *written = path;
                }
            }
        }
    }
}

/// A page's `image` needs `image_alt`, as every image dotwork shows needs
/// alt text: the home page shows it, and link previews read it.
fn check_image_alt(pages: &[Page], problems: &mut Vec<Diagnostic>) {
    for page in pages {
        if page.meta.image.is_some() && page.meta.image_alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
            let d = Diagnostic::error(&page.source, "the page's `image` has no alt text")
                .with_help("add `image_alt:` with what the picture shows, for visitors who cannot see it");
            problems.push(page.at_key(d, "image"));
        }
    }
}

/// Gives every page its URL and finds pages that would write the same one.
fn index_pages(
    pages: &[Parsed],
    drafts: HashSet<String>,
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) -> PageIndex {
    let style = config.urls;
    let languages = &config.languages;
    let mut index = PageIndex {
        drafts,
        languages: languages.clone(),
        domains: crate::domains::Domains::new(config),
        ..PageIndex::default()
    };
    // What each page's addresses are, worked out on every core; indexed
    // below in the pages' order.
    // Its aliases, its key and its original's (`content_key`) with its
    // language, and its address.
    type Worked = (Vec<String>, (String, String, usize), Result<String, String>);
    let worked: Vec<Worked> = pages
        .par_iter()
        .map(|p| {
            // An alias is an address links may use: they lead to the page
            // (issue 14). Unsafe ones are reported by `collect_aliases`.
            let aliases = p
                .meta
                .aliases
                .iter()
                .filter_map(|alias| {
                    let out = crate::url::slash_path(&alias_output(alias).ok()?);
                    Some(format!("/{}", out.strip_suffix("index.html").unwrap_or(&out)))
                })
                .collect();
            let language = crate::language::file_language(&p.path, languages);
            let path = page_path_as(&language.original, p.meta.slug.as_deref(), style)
                .map(|path| crate::language::localize(&path, language.lang, languages));
            let keys = (content_key(&p.path), content_key(&language.original), language.lang);
            (aliases, keys, path)
        })
        .collect();
    // The maps by source file and by translation are made on one core,
    // the addresses checked on the other (each was half of a serial pass).
    let n = pages.len();
    let (mut keys, mut worked_paths) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut aliases = Vec::with_capacity(n);
    for (a, (key, original, lang), path) in worked {
        aliases.push(a);
        keys.push(key);
        index.originals.push(original);
        index.langs.push(lang);
        worked_paths.push(path);
    }
    let (originals, langs) = (&index.originals, &index.langs);
    let ((by_source, translations), (paths, by_alias)) = rayon::join(
        || {
            let by_source: HashMap<String, usize> = keys.into_iter().zip(0..).collect();
            let translations = originals.iter().cloned().zip(langs.iter().copied()).zip(0..).collect();
            (by_source, translations)
        },
        || {
            let mut by_alias: HashMap<String, usize> = HashMap::default();
            for (i, addresses) in aliases.into_iter().enumerate() {
                for address in addresses {
                    by_alias.entry(address).or_insert(i);
                }
            }
            let mut owner: HashMap<String, usize> = HashMap::with_capacity_and_hasher(n, Default::default());
            let mut paths = Vec::with_capacity(n);
            for (i, (p, path)) in pages.iter().zip(worked_paths).enumerate() {
                let path = match path {
                    Ok(path) => path,
                    Err(why) => {
                        let d = Diagnostic::error(&p.path, why);
                        // A name the `urls:` rule cannot keep: point at the page's top.
                        problems.push(if p.meta.slug.is_none() && style.keeps_names() {
                            d.at(&p.text_for_message(), crate::error::Location { line: 1, column: 1 })
                        } else {
                            p.front.at_key(d, &p.text_for_message(), "slug")
                        });
                        format!("/.invalid/{i}/")
                    }
                };
                if let Some(&first) = owner.get(&path) {
                    let other = &pages[first].path;
                    problems.push(
                        Diagnostic::error(
                            &p.path,
                            format!("this page and {} would both be written to {path}", other.display()),
                        )
                        .with_help("rename one of the files, or give one of them a different `slug`"),
                    );
                } else {
                    owner.insert(path.clone(), i);
                }
                paths.push(path);
            }
            (paths, by_alias)
        },
    );
    index.by_source = by_source;
    index.translations = translations;
    index.paths = paths;
    index.aliases = by_alias;
    index
}

/// A warning for each link that leads to a page in another language,
/// the page it names having no translation into the linking page's
/// (issue 15): the link works, and carries `hreflang`, but the owner
/// should know which pages still wait for a translation.
fn fallback_warnings(
    pages: &[Page],
    fallbacks: &[(usize, crate::markdown::Fallback)],
    config: &SiteConfig,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut seen = HashSet::default();
    for (from, fallback) in fallbacks {
        // A section's number follows the pages': its links are not listed.
        let (Some(page), Some(target)) = (pages.get(*from), pages.get(fallback.target)) else { continue };
        // Once per page and page linked to.
        if !seen.insert((*from, fallback.target)) {
            continue;
        }
        let language = &config.languages[page.lang];
        let translation = crate::language::translation_file(&target.source, &language.code);
        found.push(
            Diagnostic::note(
                &page.source,
                format!(
                    "this link leads to the {} page {}: it has no translation into `{}` yet",
                    config.languages[target.lang].code,
                    target.source.display(),
                    language.code
                ),
            )
            .at_offset(&page.text_for_message(), fallback.offset)
            .with_help(format!(
                "translate it as {translation}; until then the link says the page is in another language (hreflang)"
            )),
        );
    }
    found
}

/// The codes of the site's languages, the default first.
fn language_codes(config: &SiteConfig) -> Vec<&str> {
    config.languages.iter().map(|l| l.code.as_str()).collect()
}

/// On a site in several languages, a page named as a translation into a
/// language the site does not have (`risks.fr.md` beside `es`): it is built
/// as a page of the main language, at an address with the code in it,
/// which is rarely what its author meant.
fn unknown_language_warnings(pages: &[Page], config: &SiteConfig) -> Vec<Diagnostic> {
    if config.languages.len() < 2 {
        return Vec::new();
    }
    let known = |code: &str| config.languages.iter().any(|l| l.code.eq_ignore_ascii_case(code));
    pages
        .iter()
        .filter(|p| p.lang == 0)
        .filter_map(|page| {
            let code = crate::language::written_code(&page.source)?;
            // Two or three letters: a language's code, not a version (`v1.2`).
            let plain = (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphabetic());
            (plain && !known(code)).then(|| {
                let listed: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                page.at_key(
                    Diagnostic::warning(
                        &page.source,
                        format!(
                            "this file is named as a translation into `{code}`, which is not one of the site's languages ({}): it is published as a page of its own at {}",
                            listed.join(", "),
                            page.path
                        ),
                    ),
                    "title",
                )
                .with_help(format!("add `{code}` to `languages:` in site.yaml, or rename the file"))
            })
        })
        .collect()
}

/// Each original's versions by language number, from the (original's
/// file, language) of every page or section, in order of their numbers.
fn group_versions<'a>(
    items: impl Iterator<Item = (&'a str, usize)>,
    languages: usize,
) -> HashMap<String, Vec<Option<usize>>> {
    let mut groups: HashMap<String, Vec<Option<usize>>> = HashMap::default();
    for (n, (original, lang)) in items.enumerate() {
        groups.entry(original.to_string()).or_insert_with(|| vec![None; languages])[lang] = Some(n);
    }
    groups.retain(|_, versions| versions.iter().flatten().count() > 1);
    groups
}

/// The files beside the pages among `assets`, by their path relative to
/// `content/` -> their output path, for links to them.
fn content_files(assets: &[Asset]) -> HashMap<String, String> {
    assets
        .iter()
        .filter_map(|a| {
            let key = a.origin.strip_prefix("content").ok()?;
            Some((content_key(key), crate::url::slash_path(&a.output)))
        })
        .collect()
}

/// Redirect pages for every alias, refusing unsafe paths. Collisions with
/// other outputs are found with all outputs, when they are assembled
/// (`render::list_units`).
fn collect_aliases(pages: &[Page], problems: &mut Vec<Diagnostic>) -> Vec<(PathBuf, usize)> {
    let mut aliases = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for alias in &page.meta.aliases {
            match alias_output(alias) {
                Ok(out) => aliases.push((out, i)),
                Err(why) => problems.push(page.at_key(Diagnostic::error(&page.source, why), "aliases")),
            }
        }
    }
    aliases
}
