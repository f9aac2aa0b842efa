//! Render: one [`Unit`] of a [`Site`] + templates -> its [`OutputFile`]s,
//! in memory.
//!
//! Pure: nothing here touches the disk, so rendering can be tested without a
//! filesystem and `check` can render without writing. Which units a site has,
//! what each writes and reads, is in `render/unit.rs`; the pipeline
//! (`pipeline.rs`) renders them into a sink. Templates get typed, borrowed
//! context structs; `site` is put in Tera's global context once instead of
//! being serialised again for every page.

use crate::collections::HashMap;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::category::Category;
use crate::check::links::{Doc, PageIds, PageIdsBuilder};
use crate::check::{PublishCheck, looks_at as check_looks_at, reads as check_reads};
use crate::content::{Body, Page, TocEntry};
use crate::date::Date;
use crate::error::{Diagnostic, Error, Location};
use crate::feed::{EntrySource, FeedSource, make_entry, make_feed};
use crate::front_matter::Extra;
use crate::host::csp::Inline;
use crate::html::{Node, StartTags, Tag, body_range, start_tags_keeping};
use crate::markdown::{BodyTags, escape_html};
use crate::paginate::PaginatorContext;
use crate::people::{PersonView, view};
use crate::site::Site;
use crate::source::{AssetSource, TemplateFile};
use crate::structured_data::{listing_json_ld, page_json_ld, site_json_ld};
use crate::url::{base_path, page_output};

mod collisions;
mod partial;
mod unit;
pub(crate) use partial::page_address_read;
pub use unit::{
    CATEGORY_TEMPLATE, Fingerprints, Input, Listed, Lookups, SECTION_TEMPLATE, Unit, UnitKey, list_units,
};
pub(crate) use unit::{print, unordered_print};

/// A file of the built site.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Path inside the output folder.
    pub path: PathBuf,
    /// What goes in it.
    pub content: OutputContent,
    /// Of a page rendered here, the ids it defines: read in the same pass
    /// over its HTML as its inline code, for the publishing check, which
    /// needs every page's ids (a second pass over every page was a tenth of
    /// a build; issue 16). `None` where nobody read them.
    pub(crate) ids: Option<PageIds>,
    /// Of a page, where its markdown's HTML is in it (empty when it has
    /// none, or it is not found whole): what the check counts as the
    /// page's own rather than the templates'.
    pub(crate) body: std::ops::Range<usize>,
}

impl OutputFile {
    /// A file to write, its ids not read.
    pub fn new(path: PathBuf, content: OutputContent) -> OutputFile {
        OutputFile { path, content, ids: None, body: 0..0 }
    }
}

/// The contents of an output file.
#[derive(Debug, Clone)]
pub enum OutputContent {
    /// Rendered here: pages, listings, feeds and the host's files. Later
    /// stages read it as text without checking its UTF-8 again (issue 16:
    /// every page checked a second time was 0.6% of a cold build's
    /// instructions).
    Text(String),
    /// A file the build cache took from the previous output (`cache.rs`):
    /// its bytes read back only where a later stage needs them (a page
    /// whose ids were not kept, a photo's metadata), empty otherwise.
    Bytes(Vec<u8>),
    /// Copied from a static file.
    Asset(AssetSource),
    /// A file of the image cache (`image.rs`): never changed once written,
    /// so it may be linked into the output instead of copied.
    Cached(PathBuf),
}

#[derive(Serialize)]
struct PageContext<'a> {
    page: PageView<'a>,
    menu: Vec<MenuItem<'a>>,
    root: String,
    current_url: &'a str,
    /// The Atom feed of the section this page lists or is listed in,
    /// relative to the page.
    feed_url: Option<String>,
    /// The title of the feed at `feed_url`: its section's.
    feed_title: Option<&'a str>,
    /// The site's own feed (`feed: true` in site.yaml), relative to the page.
    site_feed_url: Option<String>,
    /// On a section's listing pages: the section.
    section: Option<SectionView<'a>>,
    /// On a category's listing page: the category.
    category: Option<&'a Category>,
    /// The page's language (BCP 47: `es`, `en-GB`), for `<html lang>`.
    lang: &'a str,
    /// Every language of the site, for a language switcher: each leads to
    /// this page's translation, or to its home page when there is none
    /// (never to a missing page). Empty when the site has one language.
    languages: Vec<LanguageLink<'a>>,
    /// This page in each language it is in, itself included, and
    /// `x-default` (the default language's), as absolute addresses for
    /// `<link rel="alternate" hreflang>`; empty without a translation.
    alternates: Vec<Alternate>,
}

/// A language as the switcher shows it.
#[derive(Serialize)]
struct LanguageLink<'a> {
    /// Its code (`es`), for `hreflang` and `lang`.
    code: &'a str,
    /// Its own name for itself (`Español`), from the theme's words.
    name: &'a str,
    /// This page in it, or its home page, relative to this page.
    url: String,
    /// Whether it is this page's language.
    current: bool,
    /// Whether this page has a version in it (`url` leads there).
    translated: bool,
}

/// One `<link rel="alternate" hreflang>`.
#[derive(Serialize, Clone)]
struct Alternate {
    hreflang: String,
    href: String,
}

/// A section as its listing pages see it.
#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: &'a str,
    url: String,
    path: &'a str,
    /// The sections directly below it.
    subsections: Vec<SectionLink<'a>>,
    extra: &'a Extra,
}

/// A link to a section.
#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    url: String,
}

/// What a listing shows of a page.
#[derive(Serialize, Clone)]
struct Summary<'a> {
    title: &'a str,
    url: String,
    path: &'a str,
    date: Option<Date>,
    updated: Option<Date>,
    description: Option<&'a str>,
    categories: Vec<CategoryLink<'a>>,
    /// On a profile page's summary, the person it is about.
    person: Option<PersonView<'a>>,
}

/// A category a page is in, with its listing page's URL.
#[derive(Serialize, Clone)]
struct CategoryLink<'a> {
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    content: &'a str,
    toc: Vec<TocEntry>,
    url: String,
    path: &'a str,
    permalink: String,
    date: Option<Date>,
    updated: Option<Date>,
    extra: &'a Extra,
    is_home: bool,
    author: Option<PersonView<'a>>,
    reviewed_by: Option<PersonView<'a>>,
    /// On a profile page (`person:`), the person it is about.
    person: Option<PersonView<'a>>,
    reviewed: Option<Date>,
    /// The page's reference list (HTML), empty when it cites nothing.
    references: &'a str,
    /// schema.org JSON-LD, already escaped for a `<script>` element.
    json_ld: String,
    /// The before-and-after pairs that may be published.
    gallery: Vec<crate::gallery::PairView<'a>>,
    /// The page's picture (front matter `image`, as written) and its alt text.
    image: Option<&'a str>,
    image_alt: Option<&'a str>,
}

#[derive(Serialize)]
struct MenuItem<'a> {
    title: &'a str,
    url: String,
    /// The item is the page being rendered (a section: its first listing page).
    current: bool,
    /// The page being rendered is inside the item, a section: one of its
    /// later listing pages, or a page whose address is below the section's;
    /// or one of the item's sub-items is the page.
    ancestor: bool,
    /// The pages listed under it (`menu_parent`), which have none.
    children: Vec<MenuItem<'a>>,
}

/// Templates parsed once, with what every page shares, ready to render
/// pages one at a time (so `build` can write each page as soon as it is made).
pub struct Renderer<'a> {
    site: &'a Site,
    /// The templates with each language's words and settings, by language
    /// number ([`load_templates`]).
    teras: Vec<std::sync::Arc<Tera>>,
    /// The JSON-LD nodes every page shares, serialised once per language.
    site_json_ld: Vec<String>,
    /// What building blocks' components may declare implicit (`@site`).
    block_implicits: Context,
    /// The Content-Security-Policy `<meta>` of each set of inline code met.
    meta_tags: crate::host::csp::MetaTags,
}

impl<'a> Renderer<'a> {
    /// Parses the site's templates.
    pub fn new(site: &'a Site) -> Result<Renderer<'a>, Error> {
        let teras = (0..site.config.languages.len())
            .map(|lang| load_templates(site, lang))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Error::Site)?;
        // A body the parse stage skipped is rendered here only if it has blocks.
        let page_problems = site.pages.iter().enumerate().filter(|(_, p)| p.has_blocks).flat_map(|(i, p)| {
            let blocks = &site.body(i).blocks;
            if blocks.is_empty() {
                return Vec::new();
            }
            match site.body_html(i) {
                Ok(html) => {
                    let text = p.text_for_message();
                    crate::blocks::check(&teras[p.lang], &site.config, &p.source, &text, &html, blocks)
                }
                Err(d) => vec![d],
            }
        });
        let section_problems = site.sections.iter().filter(|s| !s.blocks.is_empty()).flat_map(|s| {
            let source = &s.source;
            crate::blocks::check(
                &teras[source.lang],
                &site.config,
                &source.source,
                &source.text,
                &s.html,
                &s.blocks,
            )
        });
        let problems: Vec<Diagnostic> = page_problems.chain(section_problems).collect();
        if !problems.is_empty() {
            return Err(Error::Site(problems));
        }
        let mut block_implicits = Context::new();
        block_implicits.insert("site", &site.config);
        Ok(Renderer {
            site,
            teras,
            block_implicits,
            meta_tags: Default::default(),
            site_json_ld: site.configs.iter().map(|c| site_json_ld(c, &site.config)).collect(),
        })
    }

    /// The templates for pages in language `lang`.
    fn tera(&self, lang: usize) -> &Tera {
        &self.teras[lang]
    }

    /// The switcher's languages and the `hreflang` alternates of a page
    /// published at `path` in language `lang`, whose versions are at
    /// `versions` (an address by language number; `None` where it has no
    /// translation), its links made by `url` from a site-absolute address.
    fn language_links(
        &self,
        lang: usize,
        versions: &[Option<&str>],
        url: impl Fn(&str) -> String,
    ) -> (Vec<LanguageLink<'a>>, Vec<Alternate>) {
        let site = self.site;
        let languages = &site.config.languages;
        if languages.len() < 2 {
            return (Vec::new(), Vec::new());
        }
        let links = languages
            .iter()
            .enumerate()
            .map(|(k, language)| {
                let version = versions.get(k).copied().flatten();
                let home = crate::language::home(k, languages);
                LanguageLink {
                    code: &language.code,
                    name: site.words[k].get("language.name").unwrap_or(&language.code),
                    url: url(version.unwrap_or(&home)),
                    current: k == lang,
                    translated: version.is_some(),
                }
            })
            .collect();
        let mut alternates: Vec<Alternate> = Vec::new();
        if versions.iter().flatten().count() > 1 {
            for (language, version) in languages.iter().zip(versions) {
                if let Some(path) = version {
                    alternates.push(Alternate {
                        hreflang: language.code.clone(),
                        href: site.domains.permalink(path),
                    });
                }
            }
            if let Some(default) = versions.first().copied().flatten() {
                alternates.push(Alternate {
                    hreflang: "x-default".to_string(),
                    href: site.domains.permalink(default),
                });
            }
        }
        (links, alternates)
    }

    /// Renders one unit into its files, with the inline code of the pages
    /// among them (which, for hosts that cannot send headers, each carry
    /// the policy that allows their own in a `<meta>`). A unit rendered
    /// [`Unit::after_others`] is given `others`, the inline code of every
    /// other unit's pages.
    /// `check`, when given, reads each page in the same pass over its tags
    /// (the check before publishing, in `build`).
    pub fn render_unit(
        &self,
        unit: Unit,
        others: &Inline,
        check: Option<&PublishCheck<'_>>,
    ) -> Result<(Vec<OutputFile>, Inline), Diagnostic> {
        // What is known of the tags of a page's body: its readers pass over it.
        let known = match unit {
            Unit::Page(i) => Some(self.site.body(i)).filter(|body| body.tags.is_some()),
            _ => None,
        };
        let mut files = self.render_files(unit, others)?;
        let meta = crate::host::HostFiles::of(&self.site.config).meta_policy;
        let mut inline = Inline::default();
        for file in &mut files {
            // What is rendered here is text (`render_files`).
            let OutputContent::Text(html) = &file.content else { continue };
            if !crate::url::is_html(&file.path) {
                continue;
            }
            let body = known.filter(|_| !file.body.is_empty()).map(|known| (file.body.clone(), known));
            let (found, ids) = match check {
                Some(check) => {
                    let tags =
                        start_tags_keeping(html, |name| reads_inline_or_ids(name) || check_reads(name));
                    let mut nodes = Vec::new();
                    let (found, ids) = inline_and_ids(html, tags, body, |tag| {
                        if check_looks_at(&tag) {
                            nodes.push(Node::Start(tag));
                        }
                    });
                    check.read(&file.path, &Doc { html, nodes }, file.body.clone(), &ids);
                    (found, ids)
                }
                None => inline_and_ids(html, start_tags_keeping(html, reads_inline_or_ids), body, drop),
            };
            file.ids = Some(ids);
            if meta && let OutputContent::Text(html) = &mut file.content {
                self.meta_tags.insert(html, &self.site.config, &found);
            }
            inline.extend(&found);
        }
        Ok((files, inline))
    }

    /// The files of one unit.
    fn render_files(&self, unit: Unit, others: &Inline) -> Result<Vec<OutputFile>, Diagnostic> {
        let site = self.site;
        let text = |path: PathBuf, text: String| vec![OutputFile::new(path, OutputContent::Text(text))];
        // One file for each domain (`domains.rs`), made by `make`.
        let per_domain = |make: &dyn Fn(usize) -> Result<String, Diagnostic>| {
            unit.outputs(site)
                .into_iter()
                .enumerate()
                .map(|(d, path)| Ok(OutputFile::new(path, OutputContent::Text(make(d)?))))
                .collect::<Result<Vec<_>, Diagnostic>>()
        };
        Ok(match unit {
            Unit::Page(i) => self.page(i)?,
            Unit::NotFound => per_domain(&|d| self.not_found(d))?,
            Unit::Alias(i) => {
                let (out, target) = &site.aliases[i];
                text(out.clone(), redirect_page(site, out, *target))
            }
            Unit::Sitemap => per_domain(&|d| Ok(sitemap(site, d)))?,
            Unit::Robots => per_domain(&|d| Ok(robots(site, d)))?,
            Unit::Asset(i) => {
                let asset = &site.assets[i];
                // An image copied as it is goes out without its metadata (issue 11).
                let content = match site.images.stripped_copy(&asset.output)? {
                    Some(copy) => OutputContent::Cached(copy),
                    None => OutputContent::Asset(asset.source.clone()),
                };
                vec![OutputFile::new(asset.output.clone(), content)]
            }
            Unit::Image(i) => crate::image::render_image(&site.images, i)?
                .into_iter()
                .map(|(path, cached)| OutputFile::new(PathBuf::from(path), OutputContent::Cached(cached)))
                .collect(),
            Unit::Listing { section, pager } => {
                text(unit.outputs(site).remove(0), self.listing(section, pager)?)
            }
            Unit::ListingRedirect(i) => {
                let out = unit.outputs(site).remove(0);
                let s = &site.sections[i].source;
                text(out.clone(), redirect_html(site, &out, &s.path, &s.title, s.lang))
            }
            Unit::Feed(i) => text(unit.outputs(site).remove(0), self.feed(i)?),
            Unit::Category(i) => text(unit.outputs(site).remove(0), self.category(i)?),
            Unit::SiteFeed(lang) => text(unit.outputs(site).remove(0), self.site_feed(lang)?),
            Unit::Headers => per_domain(&|d| Ok(crate::host::render_headers(site, others, d)))?,
            Unit::Redirects => per_domain(&|d| Ok(crate::host::render_redirects(site, d)))?,
        })
    }

    /// What a listing at `from` shows of page `i`.
    fn summary(&self, i: usize, from: &str) -> Summary<'a> {
        let site = self.site;
        let page = &site.pages[i];
        Summary {
            title: &page.title,
            url: self.site.domains.link(from, &page.path),
            path: &page.path,
            date: page.meta.date,
            updated: page.meta.updated,
            description: page.meta.description.as_deref(),
            categories: site.categories_of[i]
                .iter()
                .map(|&c| &site.categories[c].0)
                .map(|c| CategoryLink { name: &c.name, url: self.site.domains.link(from, &c.path) })
                .collect(),
            person: view(&site.configs[page.lang], &site.domains, page.meta.person.as_deref(), from),
        }
    }

    /// The context of a page that is no page of the site (a listing), at
    /// `path`, titled `title`.
    fn listing_context(
        &self,
        path: &'a str,
        title: &'a str,
        description: Option<&'a str>,
        lang: usize,
        versions: &[Option<&str>],
    ) -> PageContext<'a> {
        let site = self.site;
        let (languages, alternates) =
            self.language_links(lang, versions, |to| self.site.domains.link(path, to));
        PageContext {
            lang: &site.config.languages[lang].code,
            languages,
            alternates,
            page: PageView {
                title,
                description: description.unwrap_or(&site.config.description),
                content: "",
                toc: Vec::new(),
                url: "./".to_string(),
                path,
                permalink: site.domains.permalink(path),
                date: None,
                updated: None,
                extra: &NO_EXTRA,
                is_home: false,
                author: None,
                reviewed_by: None,
                person: None,
                reviewed: None,
                references: "",
                gallery: Vec::new(),
                image: None,
                image_alt: None,
                json_ld: listing_json_ld(
                    site,
                    path,
                    title,
                    description.unwrap_or(&site.config.description),
                    &site.config.languages[lang].code,
                    &self.site_json_ld[lang],
                ),
            },
            menu: self.menu(|target| self.site.domains.link(path, target), path, lang),
            root: self.site.domains.root(path),
            current_url: path,
            feed_url: None,
            feed_title: None,
            site_feed_url: self.site_feed_url(|feed| self.site.domains.link(path, feed), lang),
            section: None,
            category: None,
        }
    }

    /// Listing page `pager` of section `k`.
    fn listing(&self, k: usize, pager_number: usize) -> Result<String, Diagnostic> {
        let site = self.site;
        let section = &site.sections[k];
        let pager = &section.pagers[pager_number];
        let source = &section.source;
        let path = pager.path.as_str();
        let shown: Vec<Summary<'a>> =
            section.pages[pager.items.clone()].iter().map(|&i| self.summary(i, path)).collect();
        let lang = source.lang;
        let content = self.with_blocks(&section.html, &section.blocks, &source.source, path, lang)?;
        // Listing page k of each version of the section, where it has one.
        let versions: Vec<Option<&str>> = site
            .section_versions_of(k)
            .into_iter()
            .map(|v| v.and_then(|s| site.sections[s].pagers.get(pager_number)).map(|p| p.path.as_str()))
            .collect();
        let mut ctx =
            self.listing_context(path, &source.title, source.meta.description.as_deref(), lang, &versions);
        ctx.page.content = &content;
        ctx.page.extra = &source.meta.extra;
        ctx.feed_url = self.feed_url(k, path);
        ctx.feed_title = ctx.feed_url.as_ref().map(|_| source.title.as_str());
        ctx.section = Some(SectionView {
            title: &source.title,
            description: source.meta.description.as_deref(),
            content: &content,
            url: self.site.domains.link(path, &source.path),
            path: &source.path,
            subsections: section
                .subsections
                .iter()
                .map(|&s| SectionLink {
                    title: &site.sections[s].source.title,
                    url: self.site.domains.link(path, &site.sections[s].source.path),
                })
                .collect(),
            extra: &source.meta.extra,
        });
        let template = source.meta.template.as_deref().unwrap_or(unit::SECTION_TEMPLATE);
        if !self.tera(lang).contains_template(template) {
            return Err(missing_listing_template(&source.source, &source.text, template));
        }
        let paginator = pager.context(&shown);
        let ctx = ListingContext { base: ctx, paginator };
        self.render_with(template, &ctx, Some(&source.source), 0, lang)
    }

    /// The feed of section `k`, relative to `from`, if it has one.
    fn feed_url(&self, k: usize, from: &str) -> Option<String> {
        let section = &self.site.sections[k].source;
        (section.meta.feed && self.site.feed_base.is_some())
            .then(|| self.site.domains.link(from, &crate::feed::feed_path(&section.path)))
    }

    /// The site's feed in language `lang`, its site-absolute path given to
    /// `url`, if it has one.
    fn site_feed_url(&self, url: impl Fn(&str) -> String, lang: usize) -> Option<String> {
        let home = crate::language::home(lang, &self.site.config.languages);
        self.site.has_site_feed().then(|| url(&crate::feed::feed_path(&home)))
    }

    /// The Atom feed of section `k`.
    fn feed(&self, k: usize) -> Result<String, Diagnostic> {
        let section = &self.site.sections[k];
        let source = FeedSource {
            title: &section.source.title,
            description: section.source.meta.description.as_deref(),
            path: &section.source.path,
            language: &self.site.config.languages[section.source.lang].code,
            author: self.feed_author(),
        };
        self.render_feed(&source, &section.feed, &section.source.source, section.source.lang)
    }

    /// The site's own feed of its newest dated pages in language `lang`.
    fn site_feed(&self, lang: usize) -> Result<String, Diagnostic> {
        let config = &self.site.configs[lang];
        let home = crate::language::home(lang, &config.languages);
        let source = FeedSource {
            title: &config.title,
            description: Some(config.description.as_str()).filter(|d| !d.trim().is_empty()),
            path: &home,
            language: &config.language,
            author: self.feed_author(),
        };
        self.render_feed(&source, &self.site.site_feed[lang], Path::new(crate::config::CONFIG_FILE), lang)
    }

    /// Who publishes the site's feeds: the clinic, or the site by its title.
    fn feed_author(&self) -> &'a str {
        let config = &self.site.config;
        if config.clinic.name.is_empty() { &config.title } else { &config.clinic.name }
    }

    /// A feed about `source` of `pages` (numbers in the site's, in order),
    /// rendered with `atom.xml`; `file` is what template errors name.
    fn render_feed(
        &self,
        source: &FeedSource<'_>,
        pages: &[usize],
        file: &Path,
        lang: usize,
    ) -> Result<String, Diagnostic> {
        let site = self.site;
        // A feed unit is listed only with a feed base; this says so should that change.
        let Some(base) = &site.feed_base else {
            return Err(Diagnostic::error(file, "no feed can be made without a base_url"));
        };
        // On a language's own domain, against its address and from its top.
        let domains = &site.domains;
        let base = &url::Url::parse(domains.base_url(source.path)).unwrap_or_else(|_| base.clone());
        let source = &FeedSource { path: domains.local(source.path), ..*source };
        let person = |id: &Option<Box<str>>| {
            id.as_deref().and_then(|id| site.config.people.get(id)).map(|p| p.name.as_str())
        };
        let mut entries = Vec::with_capacity(pages.len());
        for &i in pages {
            let page = &site.pages[i];
            let Some(date) = page.meta.date else { continue };
            let body = site.body(i);
            entries.push(make_entry(
                base,
                &EntrySource {
                    title: &page.title,
                    path: domains.local(&page.path),
                    html: &site.body_html(i)?,
                    own_html: body.facts.raw_html.is_empty(),
                    description: page.meta.description.as_deref(),
                    date,
                    updated: page.meta.updated,
                    author: person(&page.meta.author),
                },
            ));
        }
        let feed = make_feed(base, source, entries, Date::today());
        // The entries go out whole (a CDATA section in the clinic theme).
        let content = feed.entries.iter().map(|e| e.content_html.len()).sum::<usize>();
        let mut ctx = std::collections::BTreeMap::new();
        ctx.insert("feed", feed);
        self.render_with(crate::feed::FEED_TEMPLATE, &ctx, Some(file), content, lang)
    }

    /// The listing page of category `i`.
    fn category(&self, i: usize) -> Result<String, Diagnostic> {
        let site = self.site;
        let (category, pages) = &site.categories[i];
        let path = category.path.as_str();
        let shown: Vec<Summary<'a>> = pages.iter().map(|&p| self.summary(p, path)).collect();
        // The same category's page in each language.
        let versions = site.category_versions(category);
        let lang = category.lang;
        let mut ctx = self.listing_context(path, &category.name, None, lang, &versions);
        ctx.category = Some(category);
        if !self.tera(lang).contains_template(unit::CATEGORY_TEMPLATE) {
            return Err(Diagnostic::error(
                "templates",
                format!(
                    "the site has categories, but no template `{}` for their pages",
                    unit::CATEGORY_TEMPLATE
                ),
            )
            .with_help("add templates/category.html, or remove `categories:` from site.yaml"));
        }
        let pagers = crate::paginate::paginate(path, shown.len(), None);
        let ctx = ListingContext { base: ctx, paginator: pagers[0].context(&shown) };
        self.render_with(unit::CATEGORY_TEMPLATE, &ctx, Some(Path::new(crate::config::CONFIG_FILE)), 0, lang)
    }

    /// The parsed templates of each language, shared: whoever holds them
    /// frees them, not the renderer (freeing them was 1.5 ms of one core
    /// at the end of a one-page rebuild at 10,000 pages, issue 16).
    pub fn templates(&self) -> Vec<std::sync::Arc<Tera>> {
        self.teras.clone()
    }

    /// Whether the templates have a 404 page.
    pub fn has_404_template(&self) -> bool {
        self.tera(0).contains_template("404.html")
    }

    fn page(&self, i: usize) -> Result<Vec<OutputFile>, Diagnostic> {
        let (page, body) = (&self.site.pages[i], self.site.body(i));
        log::trace!("render {} with {}", page.source.display(), template_for(page));
        let template = template_for(page);
        if !self.tera(page.lang).contains_template(template) {
            return Err(missing_template(self.site, page, template));
        }
        let own = self.site.body_html(i)?;
        let html = self.with_blocks(&own, &body.blocks, &page.source, &page.path, page.lang)?;
        let mut ctx = self.page_context(i, &own);
        ctx.page.content = &html;
        let content = body.html.len() + page.references.len();
        self.render_with(template, &ctx, Some(&page.source), content, page.lang).map(|html| {
            let body = body_range(&html, &own);
            let file = OutputFile::new(page_output(&page.path), OutputContent::Text(html));
            vec![OutputFile { body, ..file }]
        })
    }

    /// `html` (of `file`, published at `path`) with its building blocks
    /// rendered by their components ([`crate::blocks`]), which may declare
    /// `@site` and `@root` (the site's top, relative to the page, as
    /// templates' `root`).
    fn with_blocks<'h>(
        &self,
        html: &'h str,
        blocks: &[crate::blocks::BlockUse],
        file: &Path,
        path: &str,
        lang: usize,
    ) -> Result<Cow<'h, str>, Diagnostic> {
        if blocks.is_empty() {
            return Ok(Cow::Borrowed(html));
        }
        let mut implicits = self.block_implicits.clone();
        implicits.insert("root", &self.site.domains.root(path));
        crate::blocks::apply(self.tera(lang), &implicits, html, blocks)
            .map(Cow::Owned)
            .map_err(|e| template_diagnostic(&e, &self.site.templates, Some(file)).0)
    }

    /// The context of page `i`, whose body is `html`, its links relative
    /// to the page; its `content` is left for [`Self::page`] to fill in.
    fn page_context(&self, i: usize, html: &str) -> PageContext<'a> {
        let site = self.site;
        let (page, body) = (&site.pages[i], site.body(i));
        let section = site.section_of(i);
        let feed_url = section.and_then(|k| self.feed_url(k, &page.path));
        let feed_title =
            section.filter(|_| feed_url.is_some()).map(|k| site.sections[k].source.title.as_str());
        let versions: Vec<Option<&str>> = if site.is_multilingual() {
            site.page_versions(i).into_iter().map(|v| v.map(|n| site.pages[n].path.as_str())).collect()
        } else {
            Vec::new()
        };
        let (languages, alternates) =
            self.language_links(page.lang, &versions, |to| self.site.domains.link(&page.path, to));
        // A person the front matter names, as seen from this page.
        let person = |id: &'a Option<Box<str>>| {
            view(&site.configs[page.lang], &site.domains, id.as_deref(), &page.path)
        };
        PageContext {
            lang: &site.config.languages[page.lang].code,
            languages,
            alternates,
            page: PageView {
                title: &page.title,
                description: page.meta.description.as_deref().unwrap_or(&site.config.description),
                content: "",
                toc: crate::markdown::build_toc(&body.facts.headings),
                url: "./".to_string(),
                path: &page.path,
                permalink: site.domains.permalink(&page.path),
                date: page.meta.date,
                updated: page.meta.updated,
                extra: &page.meta.extra,
                is_home: page.is_home(),
                author: person(&page.meta.author),
                reviewed_by: person(&page.meta.reviewed_by),
                person: person(&page.meta.person),
                reviewed: page.meta.reviewed,
                references: &page.references,
                json_ld: page_json_ld(site, page, body, html, &self.site_json_ld[page.lang]),
                gallery: crate::gallery::views(page),
                image: page.meta.image.as_deref(),
                image_alt: page.meta.image_alt.as_deref(),
            },
            menu: self.menu(|target| self.site.domains.link(&page.path, target), &page.path, page.lang),
            root: self.site.domains.root(&page.path),
            current_url: &page.path,
            feed_url,
            feed_title,
            site_feed_url: self.site_feed_url(|feed| self.site.domains.link(&page.path, feed), page.lang),
            section: None,
            category: None,
        }
    }

    /// The menu of language `lang` as seen from the page at `current`, each
    /// item's URL made by `url`.
    fn menu(&self, url: impl Fn(&str) -> String, current: &str, lang: usize) -> Vec<MenuItem<'a>> {
        let site = self.site;
        let item = |entry: crate::site::MenuEntry, children: Vec<MenuItem<'a>>| {
            let (title, path) = site.menu_item(entry);
            let current_here = path == current;
            // By address, so it holds for a page however its section is
            // nested, and serve needs no more than the page's own URL and the menu.
            let ancestor = (matches!(entry, crate::site::MenuEntry::Section(_))
                && path != "/"
                && !current_here
                && current.starts_with(path))
                || children.iter().any(|c| c.current || c.ancestor);
            MenuItem { title, url: url(path), current: current_here, ancestor, children }
        };
        site.menu
            .iter()
            .zip(&site.submenu)
            .filter(|&(&entry, _)| site.menu_lang(entry) == lang)
            .map(|(&entry, below)| {
                let children =
                    below.iter().map(|&i| item(crate::site::MenuEntry::Page(i), Vec::new())).collect();
                item(entry, children)
            })
            .collect()
    }

    fn render_with<T: Serialize>(
        &self,
        template: &str,
        ctx: &T,
        page: Option<&Path>,
        content: usize,
        lang: usize,
    ) -> Result<String, Diagnostic> {
        let file = page.unwrap_or(Path::new("templates"));
        let context = Context::from_serialize(ctx)
            .map_err(|e| Diagnostic::error(file, format!("cannot pass the page to templates: {e}")))?;
        // Room for the theme's markup and `content`, the bytes of HTML the
        // context brings (a page's body, a feed's entries escaped), so the
        // output is not copied again and again as it grows.
        let mut out = Vec::with_capacity(THEME_BYTES + content);
        self.tera(lang)
            .render_to(template, &context, &mut out)
            .map_err(|e| template_diagnostic(&e, &self.site.templates, page).0)?;
        String::from_utf8(out)
            .map_err(|e| Diagnostic::error(file, format!("the template wrote invalid UTF-8: {e}")))
    }

    /// `404.html` of domain `d`, served by hosts at any URL: its links
    /// start from the base URL's path instead of being relative, and it is
    /// no page of the site (no front matter, no body, no JSON-LD). A
    /// language on its own domain has its own, in that language.
    fn not_found(&self, d: usize) -> Result<String, Diagnostic> {
        let site = self.site;
        let domain = &site.domains.all()[d];
        let (lang, path) = (domain.lang, site.domains.inside(d, "/404.html"));
        let root = base_path(&domain.base_url).to_string();
        let url = |to: &str| site.domains.from_base(lang, to);
        // Every language's home page, from the site's top: a 404 page is
        // served at any address.
        let homes: Vec<String> = (0..site.config.languages.len())
            .map(|k| crate::language::home(k, &site.config.languages))
            .collect();
        let versions: Vec<Option<&str>> = homes.iter().map(|h| Some(h.as_str())).collect();
        let (languages, _) = self.language_links(lang, &versions, url);
        let ctx = PageContext {
            lang: &site.config.languages[lang].code,
            languages,
            alternates: Vec::new(),
            page: PageView {
                title: "Page not found",
                description: &site.config.description,
                content: "",
                toc: Vec::new(),
                url: format!("{root}404.html"),
                path: &path,
                permalink: format!("{}404.html", domain.base_url),
                date: None,
                updated: None,
                extra: &NO_EXTRA,
                is_home: false,
                author: None,
                reviewed_by: None,
                person: None,
                reviewed: None,
                references: "",
                gallery: Vec::new(),
                image: None,
                image_alt: None,
                json_ld: String::new(),
            },
            menu: self.menu(url, &path, lang),
            root: root.clone(),
            current_url: &path,
            feed_url: None,
            feed_title: None,
            site_feed_url: self.site_feed_url(url, lang),
            section: None,
            category: None,
        };
        self.render_with("404.html", &ctx, Some(Path::new("404.html")), 0, lang)
    }
}

/// Parses all templates, reporting every template with a syntax error.
///
/// Besides Tera's own, templates get `site` and `bibliography` (every cited
/// work, formatted) in their context, the filter `long_date`
/// (`2026-11-24` -> `24 November 2026`, in the site's language), the
/// filter `amount` (a price: `1200` -> `1,200`, `12.5` -> `12.50`), the
/// function `t(key="book")`: the theme's word for it in the site's language
/// (`theme/i18n.rs`), and the function
/// `page_url(path="contact.md")`: that page's URL from the site root
/// (`contact/`, to print after `{{ root }}`), or none if there is no such page
/// (a section's `_index.md` gives its first listing page, `news/`),
/// `asset_url(path="style.css")`: the fingerprinted name of a stylesheet or
/// script of a static folder, from the site root (`style.3f9a2c81d0.css`),
/// and `partial(name="partials/footer.html")`: that template as an include
/// gives it, rendered once for each set of values it reads (`partial.rs`).
///
/// Each of the site's languages has its own (`lang`, by number): `site` is
/// site.yaml as that language sees it ([`SiteConfig::in_language`]), `t`
/// and `long_date` use its words, and `page_url`, `get_page` and
/// `get_section` lead a page's file (`risks.md`) to its version in that
/// language when it has one.
pub(crate) fn load_templates(site: &Site, lang: usize) -> Result<std::sync::Arc<Tera>, Vec<Diagnostic>> {
    let templates = &site.templates;
    let config = &site.configs[lang];
    let bibliography = site.bibliography.as_ref().map(|b| b.format_all(lang)).unwrap_or_default();
    // Each file's own address, then each original's address in this language.
    let own = site
        .pages
        .iter()
        .map(|p| (crate::url::content_key(&p.source), &p.path))
        .chain(site.sections.iter().map(|s| (crate::url::content_key(&s.source.source), &s.source.path)));
    let translated = site
        .pages
        .iter()
        .filter(|p| lang > 0 && p.lang == lang)
        .map(|p| (p.original.clone(), &p.path))
        .chain(
            site.sections
                .iter()
                .filter(|s| lang > 0 && s.source.lang == lang)
                .map(|s| (s.source.original.clone(), &s.source.path)),
        );
    // On a language's own domain, only the pages there (`Domains::from_top`).
    let urls: std::sync::Arc<HashMap<String, String>> = std::sync::Arc::new(
        own.chain(translated)
            .filter_map(|(key, path)| Some((key, site.domains.from_top(lang, path)?.to_string())))
            .collect(),
    );
    let asset_names = std::sync::Arc::new(site.asset_names.clone());
    let calls = |function: &str| templates.iter().any(|t| t.text.contains(function));
    let (get_page, get_section) = (calls("get_page"), calls("get_section"));
    let lookups = (get_page || get_section)
        .then(|| std::sync::Arc::new(lookup_tables(site, get_page, get_section, lang)));
    let mut remaining: Vec<&TemplateFile> = templates.iter().collect();
    let mut problems = Vec::new();
    loop {
        let mut tera = Tera::new();
        tera.set_escape_fn(crate::markdown::escape_html_io);
        tera.global_context().insert("site", &config);
        tera.global_context().insert("bibliography", &bibliography);
        let partials = partial::Partials::new(templates, tera.global_context(), &["site", "bibliography"]);
        partials.register(&mut tera);
        let words = std::sync::Arc::new(site.words[lang].clone());
        let dates = words.clone();
        tera.register_filter("long_date", move |text: &str, _: tera::Kwargs, _: &tera::State| {
            Date::parse(text).map_or_else(|_| text.to_string(), |d| dates.long_date(d))
        });
        // Each word as the value `t` gives, made once: a page asks for about
        // sixteen, each looked up in up to three sorted maps and copied.
        let made: crate::collections::HashMap<String, tera::Value> =
            words.all().map(|(key, word)| (key.to_string(), tera::Value::from(word))).collect();
        tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| {
            let key: &str = kwargs.must_get("key")?;
            if let Some(word) =
                made.get(key).filter(|_| kwargs.iter().all(|(name, _)| name.as_str() == Some("key")))
            {
                return Ok(word.clone());
            }
            let args: Vec<(&str, String)> = kwargs
                .iter()
                .filter_map(|(name, value)| Some((name.as_str()?, value)))
                .filter(|(name, _)| *name != "key")
                .map(|(name, value)| (name, value.to_string()))
                .collect();
            words.fill(key, &args).map(tera::Value::from).ok_or_else(|| {
                tera::Error::message(format!(
                    "t: the theme has no words for `{key}` (in {}/{}.yaml)",
                    crate::theme::i18n::I18N_DIR,
                    crate::theme::i18n::FALLBACK
                ))
            })
        });
        tera.register_filter("cdata", crate::feed::cdata);
        tera.register_filter("amount", crate::blocks::amount);
        if let Some(found) = &lookups {
            let pages = found.clone();
            tera.register_function("get_page", move |kwargs: tera::Kwargs, _: &tera::State| {
                let path: &str = kwargs.must_get("path")?;
                Ok::<_, tera::Error>(pages.0.get(path.trim_start_matches('/')).cloned())
            });
            let sections = found.clone();
            tera.register_function("get_section", move |kwargs: tera::Kwargs, _: &tera::State| {
                let path: &str = kwargs.must_get("path")?;
                Ok::<_, tera::Error>(sections.1.get(path.trim_start_matches('/')).cloned())
            });
        }
        crate::image::register_functions(&mut tera, site);
        let names = asset_names.clone();
        tera.register_function("asset_url", move |kwargs: tera::Kwargs, _: &tera::State| {
            let path: &str = kwargs.must_get("path")?;
            match names.get(path) {
                Some(name) => Ok::<_, tera::Error>(name.to_string()),
                None => Err(tera::Error::message(format!(
                    "asset_url: `{path}` is no stylesheet or script of the theme's or the site's static folder"
                ))),
            }
        });
        let urls = urls.clone();
        tera.register_function("page_url", move |kwargs: tera::Kwargs, _: &tera::State| {
            let path: &str = kwargs.must_get("path")?;
            Ok::<_, tera::Error>(urls.get(path.trim_start_matches('/')).cloned())
        });
        match tera.add_raw_templates(remaining.iter().map(|t| (t.name.as_str(), t.text.as_str()))) {
            Ok(()) if problems.is_empty() => {
                let tera = std::sync::Arc::new(tera);
                partials.set_tera(&tera);
                return Ok(tera);
            }
            Ok(()) => return Err(problems),
            Err(e) => {
                let (d, culprit) = template_diagnostic(&e, templates, None);
                problems.push(d);
                // Drop the broken template and try again, so every broken one is reported.
                match culprit.and_then(|name| remaining.iter().position(|t| t.name == name)) {
                    Some(i) => {
                        remaining.remove(i);
                    }
                    None => return Err(problems),
                }
            }
        }
    }
}

/// What `get_page` and `get_section` return, by source path relative to
/// `content/` (`news/open.md`, `news/_index.md`): summaries whose URLs start
/// from the site root (`news/open/`, to print after `{{ root }}`), as
/// `page_url`'s do. Each table is made only when some template calls its
/// function (`with_pages`, `with_sections`); a page is made once either way.
#[allow(clippy::type_complexity)]
fn lookup_tables(
    site: &Site,
    with_pages: bool,
    with_sections: bool,
    lang: usize,
) -> (HashMap<String, tera::Value>, HashMap<String, tera::Value>) {
    // Addresses from the top of the domain of `lang`'s pages; what is on
    // another is left out (`Domains::from_top`).
    let from_top = |path: &str| site.domains.from_top(lang, path).map(str::to_string);
    let here = |path: &str| from_top(path).is_some();
    let summary = |i: usize| {
        let page = &site.pages[i];
        let categories: Vec<tera::Value> = site.categories_of[i]
            .iter()
            .map(|&c| &site.categories[c].0)
            .filter_map(|c| {
                let url = from_top(&c.path)?;
                Some(tera::Value::from_serializable(&CategoryLink { name: &c.name, url }))
            })
            .collect();
        tera::Value::from_serializable(&LookedUp {
            title: &page.title,
            url: from_top(&page.path).unwrap_or_default(),
            date: page.meta.date,
            updated: page.meta.updated,
            description: page.meta.description.as_deref(),
            categories,
        })
    };
    // A `Value`'s maps are shared, so a page listed in a section is made once.
    let mut made: Vec<Option<tera::Value>> = vec![None; site.pages.len()];
    let mut summary = |i: usize| made[i].get_or_insert_with(|| summary(i)).clone();
    // Each file by its own name, then each original by its version in `lang`.
    let in_lang: Vec<usize> =
        (0..site.pages.len()).filter(|&i| lang > 0 && site.pages[i].lang == lang).collect();
    let pages = if with_pages {
        let own = (0..site.pages.len()).map(|i| (crate::url::content_key(&site.pages[i].source), i));
        let translated = in_lang.iter().map(|&i| (site.pages[i].original.clone(), i));
        own.chain(translated)
            .filter(|&(_, i)| here(&site.pages[i].path))
            .map(|(key, i)| (key, summary(i)))
            .collect()
    } else {
        HashMap::default()
    };
    let sections = site
        .sections
        .iter()
        .filter(|s| with_sections && here(&s.source.path))
        .map(|s| {
            let feed_url = (s.source.meta.feed && site.feed_base.is_some())
                .then(|| from_top(&crate::feed::feed_path(&s.source.path)))
                .flatten();
            let value = tera::Value::from_serializable(&LookedUpSection {
                title: &s.source.title,
                description: s.source.meta.description.as_deref(),
                content: &s.html,
                url: from_top(&s.source.path).unwrap_or_default(),
                feed_url,
                pages: s.pages.iter().map(|&i| summary(i)).collect(),
            });
            (crate::url::content_key(&s.source.source), s.source.lang, s.source.original.clone(), value)
        })
        .collect::<Vec<_>>();
    let mut by_key: HashMap<String, tera::Value> =
        sections.iter().map(|(key, _, _, value)| (key.clone(), value.clone())).collect();
    for (_, own, original, value) in sections {
        if lang > 0 && own == lang {
            by_key.insert(original, value);
        }
    }
    (pages, by_key)
}

/// A page as `get_page` returns it.
#[derive(Serialize)]
struct LookedUp<'a> {
    title: &'a str,
    url: String,
    date: Option<Date>,
    updated: Option<Date>,
    description: Option<&'a str>,
    categories: Vec<tera::Value>,
}

/// A section as `get_section` returns it.
#[derive(Serialize)]
struct LookedUpSection<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: &'a str,
    url: String,
    feed_url: Option<String>,
    pages: Vec<tera::Value>,
}

/// A Tera error as a diagnostic on the template file, and the name of the
/// template at fault.
fn template_diagnostic(
    e: &tera::Error,
    templates: &[TemplateFile],
    page: Option<&Path>,
) -> (Diagnostic, Option<String>) {
    let file_of = |name: &str| {
        templates
            .iter()
            .find(|t| t.name == name)
            .map_or_else(|| PathBuf::from(format!("templates/{name}")), |t| t.path.clone())
    };
    let while_rendering = page.map(|p| format!(" (while rendering {})", p.display())).unwrap_or_default();
    // Where a partial failed, rather than where it was called.
    let inner = partial::failed_partial(e);
    match inner.as_ref().unwrap_or(e).kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let name = report.filename().to_string();
            let span = report.span();
            let text = templates.iter().find(|t| t.name == name).map(|t| t.text.as_str()).unwrap_or_default();
            let what = if matches!(e.kind(), ErrorKind::SyntaxError(_)) {
                "syntax error in template"
            } else {
                "template error"
            };
            let d = Diagnostic::error(
                file_of(&name),
                format!("{what}: {}{while_rendering}", lower_first(report.message())),
            )
            .at(text, Location { line: span.start_line, column: span.start_col + 1 });
            (d, Some(name))
        }
        ErrorKind::MissingParent { current, parent } => (
            Diagnostic::error(
                file_of(current),
                format!("template extends `{parent}`, which does not exist{while_rendering}"),
            ),
            Some(current.clone()),
        ),
        ErrorKind::CircularExtend { tpl, inheritance_chain } => (
            Diagnostic::error(
                file_of(tpl),
                format!("templates extend each other in a circle: {}", inheritance_chain.join(" -> ")),
            ),
            Some(tpl.clone()),
        ),
        ErrorKind::CircularInclude { tpl, include_chain } => (
            Diagnostic::error(
                file_of(tpl),
                format!("templates include each other in a circle: {}", include_chain.join(" -> ")),
            ),
            Some(tpl.clone()),
        ),
        ErrorKind::TemplateNotFound(name) => (
            Diagnostic::error(page.unwrap_or(Path::new("templates")), format!("template `{name}` not found")),
            None,
        ),
        other => {
            // Tera's checks across templates (unknown filter, unknown block) come as one text.
            let text = other.to_string();
            let culprit =
                templates.iter().find(|t| text.contains(&format!("{}:", t.name))).map(|t| t.name.clone());
            let file = culprit.as_deref().map_or_else(|| PathBuf::from("templates"), file_of);
            (Diagnostic::error(file, format!("template error{while_rendering}: {}", text.trim())), culprit)
        }
    }
}

/// Template errors from rendering pages, each reported once: the same error
/// on many pages (a template fails the same way for each) becomes one that
/// says on how many. An error in the theme's templates in an expression that
/// reads a setting (`site.clinic.phone`) is pointed at that setting's line
/// in site.yaml: the owner edits that file, not the theme.
pub(crate) fn merge_page_errors(site: &Site, problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    const MARK: &str = " (while rendering ";
    let mut merged: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    // Same file, place and message: the same error.
    type Key = (PathBuf, Option<(usize, usize)>, String);
    let mut seen: HashMap<Key, usize> = HashMap::default();
    for d in problems {
        let Some(at) = d.message.rfind(MARK) else {
            merged.push((d, Vec::new()));
            continue;
        };
        let page = d.message[at + MARK.len()..].trim_end_matches(')').to_string();
        let mut d = Diagnostic { message: d.message[..at].to_string(), ..d };
        let setting = setting_read(&d)
            .and_then(|path| crate::yaml::key_path_location(&site.config.text, &path).map(|loc| (path, loc)));
        if let Some((path, loc)) = &setting
            && d.file.starts_with("templates")
        {
            // The site's own template: the designer may have meant the expression.
            if d.help.is_none() {
                d = d.with_help(format!("it reads `{path}`, set in site.yaml on line {}", loc.line));
            }
        } else if let Some((path, loc)) = setting {
            let template = d
                .location
                .map_or_else(|| d.file.display().to_string(), |l| format!("{}:{}", d.file.display(), l.line));
            d = Diagnostic::error(
                crate::config::CONFIG_FILE,
                format!(
                    "the value of `{path}` breaks the theme's template: {}",
                    d.message.trim_start_matches("template error: ")
                ),
            )
            .at(&site.config.text, loc)
            .with_help(format!("the theme's template {template} uses this value; change it here"));
        }
        let key = (d.file.clone(), d.location.map(|l| (l.line, l.column)), d.message.clone());
        match seen.get(&key) {
            Some(&i) => merged[i].1.push(page),
            None => {
                seen.insert(key, merged.len());
                merged.push((d, vec![page]));
            }
        }
    }
    merged
        .into_iter()
        .map(|(d, pages)| match pages.as_slice() {
            [] => d,
            [one] => Diagnostic { message: format!("{}{MARK}{one})", d.message), ..d },
            [first, ..] => Diagnostic {
                message: format!("{} (on {} pages, such as {first})", d.message, pages.len()),
                ..d
            },
        })
        .collect()
}

/// The setting (`clinic.phone`) the failing template expression reads, from
/// `site.` or `config.` in the quoted line at the error's column.
fn setting_read(d: &Diagnostic) -> Option<String> {
    let line = d.line_text.as_deref()?;
    let from = line.char_indices().nth(d.location?.column.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    let expr = &line[from..];
    let expr = &expr[..expr.find("}}").or_else(|| expr.find("%}")).unwrap_or(expr.len())];
    let start = expr.find("site.").map(|i| i + 5).or_else(|| expr.find("config.").map(|i| i + 7))?;
    let path: String =
        expr[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.').collect();
    let path = path.trim_end_matches('.');
    (!path.is_empty()).then(|| path.to_string())
}

/// Tera's "Unknown filter ..." -> "unknown filter ...", in our message style;
/// an acronym ("HTML ...") is left as it is.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(s[first.len_utf8()..].chars()).collect()
        }
        _ => s.to_string(),
    }
}

/// The template of a profile page (`person:` in its front matter).
pub const PROFILE_TEMPLATE: &str = "person.html";

pub(crate) fn template_for(page: &Page) -> &str {
    match &page.meta.template {
        Some(t) => t,
        None if page.is_home() => "index.html",
        None if page.meta.person.is_some() => PROFILE_TEMPLATE,
        None => "page.html",
    }
}

/// Room for what a theme writes around a page's content, in bytes (the
/// clinic theme's pages are 6 to 9 KB without their body).
const THEME_BYTES: usize = 16 * 1024;

/// `extra` of a page that has no front matter.
static NO_EXTRA: std::sync::LazyLock<Extra> = std::sync::LazyLock::new(Extra::default);

/// A listing page's context: a page's, with the paginator.
#[derive(Serialize)]
struct ListingContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    paginator: PaginatorContext<'a, Summary<'a>>,
}

fn missing_listing_template(file: &Path, text: &str, template: &str) -> Diagnostic {
    let d = Diagnostic::error(file, format!("template `{template}` does not exist"))
        .with_help(format!("add templates/{template} to the site, or set `template:` to one it has"));
    // The `template:` key of the section's front matter (this runs only on
    // the error path, so splitting the file again costs nothing that matters).
    let at = crate::front_matter::split_front_matter(file, text)
        .ok()
        .and_then(|s| crate::front_matter::key_location(s.yaml, s.yaml_line, "template"));
    match at {
        Some(loc) => d.at(text, loc),
        None => d,
    }
}

fn missing_template(site: &Site, page: &Page, template: &str) -> Diagnostic {
    let d = page
        .at_key(Diagnostic::error(&page.source, format!("template `{template}` does not exist")), "template");
    let names: Vec<&str> = site.templates.iter().map(|t| t.name.as_str()).collect();
    match crate::error::did_you_mean(template, &names) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d.with_help(format!("the templates are: {}", names.join(", "))),
    }
}

/// A rendered page's inline code (for the Content-Security-Policy) and its
/// ids (for the publishing check), read in one pass over its tags: they
/// were two, each a tenth of a build's instructions (issue 16). `body`,
/// when given, is where the page's markdown is in it, holding only what
/// dotwork writes ([`BodyTags`]): it is passed over unread where the reading
/// comes to it between tags, and its ids and inline code are taken from
/// what the parse stage knows. Each tag read is given to `then`.
fn inline_and_ids<'a>(
    html: &'a str,
    tags: StartTags<'a>,
    body: Option<(std::ops::Range<usize>, &Body)>,
    mut then: impl FnMut(Tag<'a>),
) -> (Inline, PageIds) {
    let mut inline = Inline::default();
    let mut ids = PageIdsBuilder::default();
    let (mut tags, mut known) = match body {
        Some((range, known)) => (tags.passing_over(range), Some(known)),
        None => (tags, None),
    };
    let mut add_known = |inline: &mut Inline, ids: &mut PageIdsBuilder| {
        if let Some(known) = known.take() {
            ids.known(&crate::markdown::heading_ids(&known.facts));
            for style in known.tags.into_iter().flat_map(BodyTags::styles) {
                inline.style_attribute(style);
            }
        }
    };
    while let Some(tag) = tags.next() {
        if tags.passed_over() {
            add_known(&mut inline, &mut ids);
        }
        inline.observe(html, &tag);
        ids.observe(&tag);
        then(tag);
    }
    if tags.passed_over() {
        add_known(&mut inline, &mut ids);
    }
    (inline, ids.finish())
}

/// Whether [`inline_and_ids`] reads an attribute (lower-case name).
fn reads_inline_or_ids(name: &str) -> bool {
    Inline::reads(name) || PageIds::reads(name)
}

/// A small page that sends visitors of an old URL to the page's new one.
fn redirect_page(site: &Site, out: &Path, target: usize) -> String {
    let page = &site.pages[target];
    redirect_html(site, out, &page.path, &page.title, page.lang)
}

/// A page at output `out` that sends visitors to `path`, titled `title`.
fn redirect_html(site: &Site, out: &Path, path: &str, title: &str, lang: usize) -> String {
    let dir: String = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => format!("/{}/", crate::url::slash_path(p)),
        _ => "/".to_string(),
    };
    let rel = escape_html(&site.domains.link(&dir, path));
    let abs = escape_html(&site.domains.permalink(path));
    let title = escape_html(title);
    let lang = escape_html(&site.config.languages[lang].code);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{abs}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={rel}\">\n</head>\n<body>\n<main>\n\
         <h1>This page has moved</h1>\n<p>It is now at <a href=\"{rel}\">{title}</a>.</p>\n</main>\n</body>\n</html>\n"
    )
}

/// A page's address in the sitemap, its last change, and the addresses of
/// its versions by language number.
type SitemapUrl<'a> = (&'a str, Option<Date>, Vec<Option<&'a str>>);

/// `sitemap.xml`: every page and listing page, each in every language,
/// with its versions in the others as `xhtml:link` alternates, as in the
/// pages' `<head>` (issue 15).
fn sitemap(site: &Site, domain: usize) -> String {
    let multilingual = site.is_multilingual();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"",
    );
    if multilingual {
        xml.push_str(" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"");
    }
    xml.push_str(">\n");
    let languages = &site.config.languages;
    let mut urls: Vec<SitemapUrl<'_>> = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        let versions = if multilingual {
            site.page_versions(i).into_iter().map(|v| v.map(|n| site.pages[n].path.as_str())).collect()
        } else {
            Vec::new()
        };
        urls.push((&page.path, page.meta.updated.or(page.meta.date), versions));
    }
    for (k, section) in site.sections.iter().enumerate() {
        let versions = if multilingual { site.section_versions_of(k) } else { Vec::new() };
        for (n, pager) in section.pagers.iter().enumerate() {
            let paths = versions
                .iter()
                .map(|v| v.and_then(|s| site.sections[s].pagers.get(n)).map(|p| p.path.as_str()));
            urls.push((&pager.path, None, paths.collect()));
        }
    }
    for (c, _) in &site.categories {
        urls.push((&c.path, None, if multilingual { site.category_versions(c) } else { Vec::new() }));
    }
    // A language on its own domain is in that domain's sitemap.
    urls.retain(|(path, _, _)| site.domains.of(path) == domain);
    urls.sort_by(|a, b| a.0.cmp(b.0));
    urls.dedup_by(|a, b| a.0 == b.0);
    for (path, lastmod, versions) in urls {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&escape_html(&site.domains.permalink(path)));
        xml.push_str("</loc>\n");
        if let Some(date) = lastmod {
            xml.push_str(&format!("    <lastmod>{date}</lastmod>\n"));
        }
        if versions.iter().flatten().count() > 1 {
            let default = versions.first().copied().flatten();
            let links = languages.iter().map(|l| l.code.as_str()).zip(versions.iter().copied());
            for (code, version) in links.chain(std::iter::once(("x-default", default))) {
                if let Some(to) = version {
                    xml.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                        escape_html(code),
                        escape_html(&site.domains.permalink(to))
                    ));
                }
            }
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt` of domain `d`, which names its sitemap.
fn robots(site: &Site, d: usize) -> String {
    let base = &site.domains.all()[d].base_url;
    format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n")
}

#[cfg(test)]
mod tests {
    use super::{
        Inline, PageIds, check_reads, inline_and_ids, lower_first, reads_inline_or_ids, start_tags_keeping,
    };

    #[test]
    fn one_pass_finds_what_the_csp_scan_and_the_ids_scan_find_apart() {
        // Every kind of inline code and of id, with attributes each reader
        // skips and the other keeps, and markup that only looks like a tag.
        let html = concat!(
            "<!DOCTYPE html><html><head><style>p{color:red}</style>",
            "<script type=\"application/ld+json\" id=\"data\">{}</script>",
            "<script src=\"a.js\" id=\"external\"></script><script>run()</script></head>",
            "<body><h2 id=\"first\" style=\"text-align: left\">A</h2>",
            "<a name=\"old-anchor\" onclick=\"go()\" href=\"#first\">b</a>",
            "<IMG ID=\"Photo\" SRC=\"p.jpg\" ALT=\"x\"><!-- <p id=\"commented\"> -->",
            "<p>id=\"not-a-tag\" 1 < 2</p><input name=\"not-an-anchor\"></body></html>",
        );
        let streamed = inline_and_ids(html, start_tags_keeping(html, reads_inline_or_ids), None, drop);
        // As `build` reads a page, with the attributes the check reads too.
        let tags = start_tags_keeping(html, |name| reads_inline_or_ids(name) || check_reads(name));
        assert_eq!(inline_and_ids(html, tags, None, drop), streamed);
        let (inline, ids) = streamed;
        assert_eq!(inline, Inline::of_html(html));
        assert_eq!(ids, PageIds::of(html));
        assert_eq!(inline.scripts.len(), 1);
        assert_eq!((inline.styles.len(), inline.style_attrs.len(), inline.script_attrs.len()), (1, 1, 1));
        let expected = "<b id=data><b id=external><b id=first><a name=old-anchor><b id=Photo>";
        assert_eq!(ids, PageIds::of(expected));
    }

    #[test]
    fn a_body_passed_over_is_known_as_if_it_were_read() {
        use crate::markdown::tests::{render, site};
        let index = site(&[("a.md", "/a/"), ("b.md", "/b/")]);
        let bodies = [
            "# Title\n\nText, *emphasis*, a [link](b.md#x) and `code`.\n\n## Part {#given .wide}\n\n### Step\n\n# Later\n",
            "Text with 1 < 2 & \"quotes\", and [a link](https://example.org/?a=1&b=2 \"Its title\").\n",
            "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n\n|x|\n|-:|\n|y|\n",
            "- [ ] task\n- [x] done\n\n> [!WARNING]\n> Careful.\n\n```rust\nlet a = \"<script>\";\n```\n",
            "## \"Quotes\" & 'apostrophes' {#a&amp;b}\n\n## 1 < 2 & more\n\nPlain text only.\n",
            "No tag at all",
        ];
        // Around each, a template's markup with inline code and ids of its own;
        // the last puts the body inside a script, where it holds no tags.
        let templates: [(&str, &str); 3] = [
            (
                "<html><head><style>p{}</style><script>go()</script></head><body><h1 id=top style=\"x\">T</h1><main>",
                "</main><a id=after onclick=\"y()\">z</a></body></html>",
            ),
            ("", "<p id=\"after\">"),
            ("<p id=before><script>let body = `", "`;</script><p id=\"after\" style=\"z\">"),
        ];
        for body in bodies {
            let r = render("content/a.md", 0, body, &index);
            assert!(r.tags.is_some(), "only dotwork's HTML in {body:?}");
            let known = crate::content::Body { facts: r.facts.clone(), tags: r.tags, ..Default::default() };
            for (before, after) in templates {
                let page = format!("{before}{}{after}", r.html);
                let range = before.len()..before.len() + r.html.len();
                let read = inline_and_ids(&page, start_tags_keeping(&page, reads_inline_or_ids), None, drop);
                let mut given = Vec::new();
                let tags = start_tags_keeping(&page, reads_inline_or_ids);
                let passed =
                    inline_and_ids(&page, tags, Some((range.clone(), &known)), |t| given.push(t.start));
                assert_eq!(passed, read, "{body:?} in {before:?}");
                if !before.ends_with('`') {
                    assert!(!given.iter().any(|at| range.contains(at)), "{body:?}: {given:?}");
                }
            }
        }
        // Bodies with what dotwork did not write, or ids its headings do not
        // define, are read.
        let others = [
            "<div id=\"x\">The author's HTML</div>\n",
            "Term\n: Its meaning.\n",
            "Text[^note].\n\n[^note]: A note.\n",
            "Inline <span style=\"color: red\">HTML</span>.\n",
            "An ![image](https://example.org/a.png) from elsewhere.\n",
            "Cited [@key].\n",
        ];
        for body in others {
            assert_eq!(render("content/a.md", 0, body, &index).tags, None, "{body:?}");
        }
    }

    #[test]
    fn lowers_the_first_letter_of_messages_but_not_acronyms() {
        assert_eq!(lower_first("Unknown filter `x`"), "unknown filter `x`");
        assert_eq!(lower_first("HTML error"), "HTML error");
        assert_eq!(lower_first("É"), "é");
        assert_eq!(lower_first(""), "");
    }
}
