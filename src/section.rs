//! Sections: a folder of `content/` with an `_index.md` lists the pages in
//! it (issue 10). This module is the data model and its pure rules: reading
//! `_index.md` ([`parse_section`]), deciding which pages and subsections
//! each section holds and in which order ([`build_sections`]).
//!
//! Membership follows Zola:
//! - a section holds the pages of its own folder, and the `index.md` page of
//!   each folder directly inside it that is not a section itself (a page kept
//!   in a folder with its pictures);
//! - a folder without `_index.md` is not a section and its pages belong to no
//!   section (they are built as before, just not listed): a listing shows what
//!   the owner put in that folder, never pages that happen to sit deeper;
//! - a section's parent is the nearest folder above it that is a section, so
//!   `news/2025/_index.md` is a subsection of `news/_index.md` even with a plain
//!   folder in between.
//!
//! Order never depends on the file system: every sort ends on the source
//! path, which is unique. A page without `date` in a date-sorted section is
//! an error naming the page (likewise `updated`), never quietly put last.

use crate::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Diagnostic, Location};
use crate::front_matter::split_front_matter;
use crate::yaml::parse_front_matter_yaml;

/// The file that makes a folder a section.
pub const SECTION_FILE: &str = "_index.md";

/// The keys `_index.md` may set, as written in its front matter.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectionFrontMatter {
    /// The section's title (required), shown on its listing pages.
    #[serde(default)]
    pub title: Option<String>,
    /// Meta description of the listing pages, and the feed's subtitle.
    #[serde(default)]
    pub description: Option<String>,
    /// The order of the listed pages; when absent, by date if any listed
    /// page has one, else by weight (see [`SectionFrontMatter::order`]).
    #[serde(default)]
    pub sort_by: Option<SortBy>,
    /// Pages per listing page; all on one page when absent.
    #[serde(default)]
    pub paginate_by: Option<NonZeroUsize>,
    /// Whether the section has an Atom feed.
    #[serde(default)]
    pub feed: bool,
    /// Template to render the listing pages with, instead of `section.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Whether the section is in the main navigation, as a page with
    /// `menu: true` is.
    #[serde(default)]
    pub menu: bool,
    /// A shorter name for the menu than the title, as a page's.
    #[serde(default)]
    pub menu_title: Option<String>,
    /// Position in the menu, smaller first (as a page's `weight`).
    #[serde(default)]
    pub weight: i64,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: crate::front_matter::Extra,
}

impl SectionFrontMatter {
    /// The order of the listed pages: `sort_by`, or by default newest
    /// first when any of them has a `date` (a news section), else by
    /// `weight` then title (documentation written for another generator,
    /// whose pages have no dates: issue 14). A section whose pages are
    /// partly dated is still sorted by date, and the undated ones are
    /// reported (an undated news item is a mistake).
    pub fn order(&self, listed: &[usize], pages: &[ListedPage<'_>]) -> SortBy {
        self.sort_by.unwrap_or_else(|| {
            if self.feed || listed.iter().any(|&n| pages[n].date.is_some()) {
                SortBy::Date
            } else {
                SortBy::Weight
            }
        })
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest `date` first; the default when a page of the section has a
    /// date, since a section is most often news.
    #[default]
    Date,
    /// Most recently `updated` first.
    Updated,
    /// Smallest `weight` first.
    Weight,
    /// By title, A to Z, ignoring case.
    Title,
}

impl SortBy {
    /// The front matter key this order reads, as written.
    pub fn key(self) -> &'static str {
        match self {
            SortBy::Date => "date",
            SortBy::Updated => "updated",
            SortBy::Weight => "weight",
            SortBy::Title => "title",
        }
    }
}

/// A parsed `_index.md`.
#[derive(Debug, Clone)]
pub struct SectionSource {
    /// The file, relative to the site root (`content/news/_index.md`).
    pub source: PathBuf,
    /// Its whole text (for quoting lines in later diagnostics).
    pub text: String,
    /// Its front matter.
    pub meta: SectionFrontMatter,
    /// Its title (front matter's, required).
    pub title: String,
    /// Site-absolute URL path of its first listing page, `/news/`.
    pub path: String,
    /// Byte offset of the section's own text (markdown) in `text`.
    pub body_offset: usize,
    /// Its language, by number in the site's languages (`_index.es.md`).
    pub lang: usize,
    /// The file of the section it translates, relative to `content/`
    /// (`news/_index.md`; its own for the default language).
    pub original: String,
}

impl SectionSource {
    /// The folder the section is (`content/news`).
    pub fn folder(&self) -> &Path {
        self.source.parent().unwrap_or(Path::new(""))
    }

    /// The section's own markdown text, shown above its listing.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
}

/// Whether the file at `path` makes its folder a section: `_index.md`, or
/// its translation into a language (`_index.es.md`; a language the site
/// does not have is an error in [`parse_section`]).
pub fn is_section_file(path: &Path) -> bool {
    crate::url::file_name(path).and_then(|n| n.to_str()).is_some_and(|n| {
        n == SECTION_FILE
            || n.strip_prefix("_index.")
                .and_then(|rest| rest.strip_suffix(".md"))
                .is_some_and(crate::config::is_language_tag)
    })
}

/// Reads an `_index.md`: the string twin of loading one. `path` is relative
/// to the site root (`content/news/_index.md`).
pub fn parse_section(
    path: &Path,
    text: &str,
    style: crate::url::UrlStyle,
    languages: &[crate::language::Language],
) -> Result<SectionSource, Diagnostic> {
    let language = crate::language::file_language(path, languages);
    if language.lang == 0 && path.file_name().is_some_and(|n| n != SECTION_FILE) {
        let code = crate::language::written_code(path).unwrap_or_default();
        let listed: Vec<&str> = languages.iter().skip(1).map(|l| l.code.as_str()).collect();
        return Err(Diagnostic::error(path, format!("`{code}` is not one of the site's other languages"))
            .with_help(if listed.is_empty() {
                format!("add it to site.yaml's languages, after the main one: languages: [en-GB, {code}]")
            } else {
                format!("add it to site.yaml's languages (now {}), or rename the file", listed.join(", "))
            }));
    }
    let split = split_front_matter(path, text)?;
    let meta: SectionFrontMatter = if split.yaml.trim().is_empty() {
        SectionFrontMatter::default()
    } else {
        parse_front_matter_yaml(path, text, split.yaml, split.yaml_line)?
    };
    // As a page's: the front matter's, or the text's leading `# News`.
    let title = match &meta.title {
        Some(t) if !t.trim().is_empty() => t.clone(),
        _ => match crate::markdown::leading_title(split.body) {
            Some(t) => t,
            None => {
                return Err(Diagnostic::error(path, "this section has no title")
                    .at(text, Location { line: 1, column: 1 })
                    .with_help(if split.yaml.is_empty() && !text.starts_with("---") {
                        "start the file with its title as a heading, `# News`, or with front matter:\n---\ntitle: News\n---"
                    } else {
                        "add a line `title: News` to the front matter, or start its text with its title as a heading: `# News`"
                    }));
            }
        },
    };
    // A section has no `slug`: its address is its folder's.
    let url = crate::url::page_path_as(&language.original, None, style).map_err(|why| {
        if style.keeps_names() {
            Diagnostic::error(path, why).at(text, Location { line: 1, column: 1 })
        } else {
            Diagnostic::error(path, "this folder's name gives an empty part in the address")
                .with_help("rename the folder with letters or digits, e.g. news")
        }
    })?;
    Ok(SectionSource {
        source: path.to_path_buf(),
        text: text.to_string(),
        meta,
        title,
        path: crate::language::localize(&url, language.lang, languages),
        body_offset: split.body_offset,
        lang: language.lang,
        original: crate::url::content_key(&language.original),
    })
}

/// What a section needs to know of a page to list it: the few front matter
/// values that decide membership and order.
#[derive(Debug, Clone, Copy)]
pub struct ListedPage<'a> {
    /// The page's file, relative to the site root (`content/news/open.md`).
    pub source: &'a Path,
    /// Its title.
    pub title: &'a str,
    /// Its `date`.
    pub date: Option<Date>,
    /// Its `updated`.
    pub updated: Option<Date>,
    /// Its `weight`.
    pub weight: i64,
    /// Whether it is a draft.
    pub draft: bool,
    /// Its language, by number in the site's languages: it is listed only
    /// in a section of the same language.
    pub lang: usize,
}

/// A section with what it holds, by position in the slices given to
/// [`build_sections`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Position of its `_index.md` in the sections given.
    pub source: usize,
    /// Its pages, in listing order (positions in the pages given).
    pub pages: Vec<usize>,
    /// Sections directly below it, by URL path.
    pub subsections: Vec<usize>,
    /// The nearest section above it, if any.
    pub parent: Option<usize>,
}

/// Sorts pages into sections: the result has one [`Section`] per entry of
/// `sections`, in the same order. Drafts are left out unless `drafts` is
/// set. Every problem is returned, not just the first.
pub fn build_sections(
    sections: &[SectionSource],
    pages: &[ListedPage<'_>],
    drafts: bool,
) -> Result<Vec<Section>, Vec<Diagnostic>> {
    let by_folder: HashMap<(&Path, usize), usize> =
        sections.iter().enumerate().map(|(i, s)| ((s.folder(), s.lang), i)).collect();
    let mut built: Vec<Section> = (0..sections.len())
        .map(|i| Section { source: i, pages: Vec::new(), subsections: Vec::new(), parent: None })
        .collect();
    let mut problems = Vec::new();

    for (i, s) in sections.iter().enumerate() {
        let parent = s.folder().ancestors().skip(1).find_map(|dir| by_folder.get(&(dir, s.lang)).copied());
        built[i].parent = parent;
        if let Some(p) = parent {
            built[p].subsections.push(i);
        }
    }
    for (n, page) in pages.iter().enumerate() {
        let Some(dir) = page.source.parent() else { continue };
        let is_index = page.source.file_stem().and_then(|s| s.to_str()).is_some_and(|s| {
            // `index.es.md`: the name without its language's code.
            let s = if page.lang > 0 { s.rsplit_once('.').map_or(s, |(name, _)| name) } else { s };
            s.eq_ignore_ascii_case("index")
        });
        if is_index && let Some(&clash) = by_folder.get(&(dir, page.lang)) {
            problems.push(
                Diagnostic::error(
                    page.source,
                    format!("this page and {} both make the address of this folder", sections[clash].source.display()),
                )
                .with_help(format!(
                    "a folder is either a page (index.md) or a section (_index.md): put this text in {}, or rename one",
                    sections[clash].source.display()
                )),
            );
            continue;
        }
        if page.draft && !drafts {
            continue;
        }
        // A folder's `index.md` is listed where that folder sits.
        let owner = if is_index { dir.parent() } else { Some(dir) };
        if let Some(&s) = owner.and_then(|d| by_folder.get(&(d, page.lang))) {
            built[s].pages.push(n);
        }
    }
    for section in &mut built {
        let source = &sections[section.source];
        let order = source.meta.order(&section.pages, pages);
        problems.extend(missing_dates(source, order, &section.pages, pages));
        sort_pages(&mut section.pages, pages, order);
        section.subsections.sort_by(|&a, &b| sections[a].path.cmp(&sections[b].path));
    }
    if problems.is_empty() { Ok(built) } else { Err(problems) }
}

/// The pages of a section that lack a date it needs: the one it sorts by
/// (`date` or `updated`), and `date` in a section with a feed (a feed entry
/// must say when it was published, and a made-up date would change on every
/// build).
fn missing_dates(
    section: &SectionSource,
    order: SortBy,
    listed: &[usize],
    pages: &[ListedPage<'_>],
) -> Vec<Diagnostic> {
    let shown = section.source.display();
    let by = match section.meta.sort_by {
        Some(_) => format!("`sort_by: {}`", order.key()),
        None => format!("{} (the default when `sort_by` is not set)", order.key()),
    };
    let other_order = "or set `sort_by: weight` or `sort_by: title`";
    // (the date it needs, why, what else would do)
    let mut needs: Vec<(SortBy, String, &str)> = Vec::new();
    let sorted = format!("{shown} lists its pages by {by}");
    match order {
        SortBy::Date if section.meta.feed => {
            let why = format!("{sorted} and makes a feed of them");
            needs.push((SortBy::Date, why, "or set `sort_by: weight` or `sort_by: title` and `feed: false`"));
        }
        SortBy::Date => needs.push((SortBy::Date, sorted, other_order)),
        SortBy::Updated => needs.push((SortBy::Updated, sorted, other_order)),
        SortBy::Weight | SortBy::Title => {}
    }
    if section.meta.feed && order != SortBy::Date {
        let why = format!("{shown} makes a feed of its pages (`feed: true`)");
        needs.push((SortBy::Date, why, "or set `feed: false`"));
    }
    let mut problems = Vec::new();
    for page in listed.iter().map(|&n| &pages[n]) {
        for (date, why, alternative) in &needs {
            let has = if *date == SortBy::Updated { page.updated.is_some() } else { page.date.is_some() };
            if has {
                continue;
            }
            let key = date.key();
            let mut d = Diagnostic::error(page.source, format!("this page has no `{key}`, and {why}"))
                .with_help(format!(
                    "add a line `{key}: {}` to its front matter, {alternative} in {shown}",
                    Date::today()
                ));
            d.location = Some(Location { line: 1, column: 1 });
            problems.push(d);
        }
    }
    problems
}

/// Puts `listed` in the order `sort_by` gives; ties go by title, then by
/// source path, so the order is total and never the file system's. Pages
/// without the date an order reads come after those with one (for listings
/// that allow them, such as a category's).
pub fn sort_pages(listed: &mut [usize], pages: &[ListedPage<'_>], sort_by: SortBy) {
    let title = |p: &ListedPage<'_>| p.title.to_lowercase();
    listed.sort_by_cached_key(|&n| {
        let p = &pages[n];
        // Newest first: the reversed date sorts ascending.
        let first: (std::cmp::Reverse<Option<Date>>, i64) = match sort_by {
            SortBy::Date => (std::cmp::Reverse(p.date), 0),
            SortBy::Updated => (std::cmp::Reverse(p.updated), 0),
            SortBy::Weight => (std::cmp::Reverse(None), p.weight),
            SortBy::Title => (std::cmp::Reverse(None), 0),
        };
        (first, title(p), p.source.to_path_buf())
    });
}

#[cfg(test)]
mod tests;
