//! Categories: a small fixed vocabulary in `site.yaml` (`categories:`) that
//! pages pick from in their front matter (issue 10).
//!
//! The vocabulary is fixed so that a typo in a page (`Opening hour`) is an
//! error pointing at that line with the closest name, rather than a new
//! category holding one page. A page's entry matches a name when their slugs
//! are equal, so `opening hours` and `Opening Hours` are the same category;
//! two names with the same slug in site.yaml are an error. Each category's
//! listing page lives at `/categories/<slug>/`.

use std::path::Path;

use serde::Serialize;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::content::Page;
use crate::error::{Diagnostic, Location, did_you_mean};
use crate::front_matter::FrontFacts;
use crate::section::{ListedPage, SortBy, sort_pages};
use crate::url::slugify;

/// The folder of the category listing pages, below the site's top.
pub const CATEGORIES_PATH: &str = "categories";

/// One category of the site's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Category {
    /// Its name as site.yaml writes it (`Opening hours`).
    pub name: String,
    /// Its slug (`opening-hours`).
    pub slug: String,
    /// The site-absolute path of its listing page: `/categories/opening-hours/`
    /// (`/es/categories/opening-hours/` for the site's pages in Spanish).
    pub path: String,
    /// The language whose pages it lists, by number in the site's languages.
    #[serde(skip)]
    pub lang: usize,
}

/// The vocabulary as [`Category`]s, in the order site.yaml lists them.
pub fn categories(names: &[String]) -> Vec<Category> {
    names
        .iter()
        .map(|name| {
            let slug = slugify(name);
            let path = format!("/{CATEGORIES_PATH}/{slug}/");
            Category { name: name.clone(), slug, path, lang: 0 }
        })
        .collect()
}

/// Problems with the vocabulary in `site.yaml` (whose text is `text`): a
/// name that gives no slug (`???`), two names with one slug.
pub(crate) fn vocabulary_problems(text: &str, names: &[String]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let list = categories(names);
    for (i, c) in list.iter().enumerate() {
        let at = |d: Diagnostic| match list_item_line(text, 1, "categories", &c.name) {
            Some(loc) => d.at(text, loc),
            None => d,
        };
        if c.slug.is_empty() {
            problems.push(at(Diagnostic::error(
                CONFIG_FILE,
                format!("category `{}` has no letters or digits to make an address from", c.name),
            )
            .with_help("name the category with words, e.g. Opening hours")));
        } else if let Some(first) = list[..i].iter().find(|f| f.slug == c.slug) {
            problems.push(at(Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "categories `{}` and `{}` are the same category (both are `{}`)",
                    first.name, c.name, c.slug
                ),
            )
            .with_help("remove one of them, or name them differently")));
        }
    }
    problems
}

/// Checks the `categories:` of a page (its file `file`, whole text `text`)
/// against the vocabulary; returns positions in `vocabulary` of the ones it
/// names, without repeats, in the order it names them, and an error for each
/// it does not know.
pub fn page_categories(
    file: &Path,
    text: &str,
    front: &FrontFacts,
    named: &[String],
    vocabulary: &[Category],
) -> (Vec<usize>, Vec<Diagnostic>) {
    let mut found = Vec::with_capacity(named.len());
    let mut problems = Vec::new();
    for name in named {
        let slug = slugify(name);
        match vocabulary.iter().position(|c| !slug.is_empty() && c.slug == slug) {
            Some(i) if !found.contains(&i) => found.push(i),
            Some(_) => {}
            None => problems.push(unknown_category(file, text, front, name, vocabulary)),
        }
    }
    (found, problems)
}

/// The pages of each category, newest `date` first (undated pages last),
/// ties by title and then source path, as [`sort_pages`] orders a section.
/// `named[n]` holds the categories of `pages[n]` (from [`page_categories`]);
/// the result has one list per category of a vocabulary of `n_categories`.
/// Drafts are left out unless `drafts` is set.
pub fn category_pages(
    n_categories: usize,
    named: &[Vec<usize>],
    pages: &[ListedPage<'_>],
    drafts: bool,
) -> Vec<Vec<usize>> {
    let mut lists = vec![Vec::new(); n_categories];
    for (n, (categories, page)) in named.iter().zip(pages).enumerate() {
        if page.draft && !drafts {
            continue;
        }
        for &c in categories {
            if let Some(list) = lists.get_mut(c) {
                list.push(n);
            }
        }
    }
    for list in &mut lists {
        sort_pages(list, pages, SortBy::Date);
    }
    lists
}

/// The errors of every page that names a category site.yaml does not list.
pub(crate) fn check_pages(pages: &[Page], config: &SiteConfig) -> Vec<Diagnostic> {
    let vocabulary = categories(&config.categories);
    pages
        .iter()
        .filter(|p| !p.meta.categories.is_empty())
        .flat_map(|p| {
            page_categories(&p.source, &p.text_for_message(), &p.facts.front, &p.meta.categories, &vocabulary)
                .1
        })
        .collect()
}

fn unknown_category(
    file: &Path,
    text: &str,
    front: &FrontFacts,
    name: &str,
    vocabulary: &[Category],
) -> Diagnostic {
    let d = if vocabulary.is_empty() {
        Diagnostic::error(file, format!("category `{name}` is not in site.yaml, which lists no categories"))
            .with_help(format!("add it to site.yaml:\ncategories:\n  - {name}"))
    } else {
        let names: Vec<&str> = vocabulary.iter().map(|c| c.name.as_str()).collect();
        let d =
            Diagnostic::error(file, format!("category `{name}` is not among the categories in site.yaml"));
        match did_you_mean(name, &names).or_else(|| did_you_mean(&name.to_lowercase(), &names)) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")),
            None => d.with_help(format!(
                "use one of {}, or add `{name}` under `categories:` in site.yaml",
                names.join(", ")
            )),
        }
    };
    let first_line = front.key_location(text, "categories").map(|key| key.line);
    match first_line.and_then(|line| list_item_line(text, line, "categories", name)) {
        Some(loc) => d.at(text, loc),
        None => d,
    }
}

/// Where the item `item` of the list `key:` is written in `text`, looking
/// from line `from` (1-based): on the key's own line (flow style, `[a, b]`)
/// or on a `- item` line below it. Items are compared whole, quotes aside,
/// so `News` is not found in `Newsletter`.
fn list_item_line(text: &str, from: usize, key: &str, item: &str) -> Option<Location> {
    let is_item = |piece: &str| piece.trim().trim_matches(['"', '\'']) == item;
    // The column (1-based, in characters) of the item in `piece`, which starts at byte `at` of `line`.
    let column = |line: &str, at: usize, piece: &str| {
        let lead = piece.len() - piece.trim_start().len();
        let quote = usize::from(piece.trim_start().starts_with(['"', '\'']));
        line[..at + lead + quote].chars().count() + 1
    };
    let mut lines = text.lines().enumerate().skip(from.saturating_sub(1));
    let (key_line, key_indent, value_at) = lines.by_ref().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let rest = trimmed.strip_prefix(key)?;
        let colon = rest.len() - rest.trim_start().len();
        rest.trim_start().starts_with(':').then_some((i, indent, indent + key.len() + colon + 1))
    })?;
    let key_text = text.lines().nth(key_line)?;
    // Flow style: `categories: [a, b]`.
    let mut at = value_at;
    for piece in key_text[value_at..].split(',') {
        let bare = piece.trim_start().trim_start_matches('[');
        let bare_at = at + piece.len() - bare.len();
        if is_item(bare.trim_end().trim_end_matches(']')) {
            return Some(Location { line: key_line + 1, column: column(key_text, bare_at, bare) });
        }
        at += piece.len() + 1;
    }
    for (i, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent < key_indent || (indent == key_indent && !trimmed.starts_with('-')) {
            break;
        }
        if let Some(value) = trimmed.strip_prefix('-').filter(|v| is_item(v)) {
            return Some(Location { line: i + 1, column: column(line, line.len() - value.len(), value) });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(names: &[&str]) -> Vec<Category> {
        categories(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn check(text: &str, vocabulary: &[Category]) -> (Vec<usize>, Vec<Diagnostic>) {
        let (meta, front) = crate::front_matter::parse_front_matter(Path::new("p.md"), text).unwrap();
        page_categories(Path::new("content/news/a.md"), text, &front, &meta.categories, vocabulary)
    }

    #[test]
    fn each_category_gets_a_slug_and_a_listing_path() {
        let v = vocab(&["Opening hours", "Treatments"]);
        assert_eq!(
            v[0],
            Category {
                name: "Opening hours".into(),
                slug: "opening-hours".into(),
                path: "/categories/opening-hours/".into(),
                lang: 0
            }
        );
        assert_eq!(v[1].path, "/categories/treatments/");
    }

    #[test]
    fn pages_name_categories_by_name_whatever_the_case() {
        let v = vocab(&["Opening hours", "Treatments", "News"]);
        let (found, problems) =
            check("---\ntitle: A\ncategories:\n  - treatments\n  - Opening Hours\n  - Treatments\n---\n", &v);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found, [1, 0]);
    }

    #[test]
    fn a_typo_is_an_error_at_its_line_with_the_closest_name() {
        let v = vocab(&["Opening hours", "Treatments"]);
        let (found, problems) =
            check("---\ntitle: A\ncategories:\n  - Treatments\n  - Opening hour\n---\n", &v);
        assert_eq!(found, [1]);
        assert_eq!(problems.len(), 1);
        let d = &problems[0];
        assert_eq!(d.message, "category `Opening hour` is not among the categories in site.yaml");
        assert_eq!(d.help.as_deref(), Some("did you mean `Opening hours`?"));
        assert_eq!(d.location, Some(Location { line: 5, column: 5 }));
        assert_eq!(d.file, Path::new("content/news/a.md"));

        let (_, problems) = check("---\ntitle: A\ncategories: [Treatments, Parking]\n---\n", &v);
        assert_eq!(problems[0].location, Some(Location { line: 3, column: 26 }));
        assert_eq!(
            problems[0].help.as_deref(),
            Some("use one of Opening hours, Treatments, or add `Parking` under `categories:` in site.yaml")
        );
    }

    #[test]
    fn quoted_items_are_found_at_their_text() {
        let v = vocab(&["News"]);
        let (_, problems) = check("---\ntitle: A\ncategories:\n  -  \"Nwes\"\n---\n", &v);
        assert_eq!(problems[0].location, Some(Location { line: 4, column: 7 }));
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `News`?"));
    }

    #[test]
    fn a_site_without_categories_says_so() {
        let (_, problems) = check("---\ntitle: A\ncategories: [News]\n---\n", &[]);
        assert_eq!(problems[0].message, "category `News` is not in site.yaml, which lists no categories");
    }

    #[test]
    fn category_listings_are_newest_first_with_undated_pages_last() {
        let page = |source: &'static str, title: &'static str, date: Option<&str>, draft: bool| ListedPage {
            source: Path::new(source),
            title,
            date: date.map(|d| crate::date::Date::parse(d).unwrap()),
            updated: None,
            weight: 0,
            draft,
            lang: 0,
        };
        let pages = [
            page("content/b.md", "Undated B", None, false),
            page("content/old.md", "Old", Some("2024-01-01"), false),
            page("content/a.md", "Undated A", None, false),
            page("content/new.md", "New", Some("2025-01-01"), false),
            page("content/draft.md", "Draft", Some("2026-01-01"), true),
        ];
        let named = [vec![0], vec![0, 1], vec![0], vec![0], vec![0, 1]];
        assert_eq!(category_pages(3, &named, &pages, false), [vec![3, 1, 2, 0], vec![1], vec![]]);
        assert_eq!(category_pages(3, &named, &pages, true)[1], [4, 1]);
    }

    #[test]
    fn the_vocabulary_needs_distinct_slugs() {
        let text =
            "title: T\nabout: Newsletter\ncategories:\n  - Newsletter\n  - News\n  - '???'\n  - news\n";
        let names: Vec<String> =
            ["Newsletter", "News", "???", "news"].iter().map(|s| s.to_string()).collect();
        let problems = vocabulary_problems(text, &names);
        let got: Vec<(usize, &str)> =
            problems.iter().map(|d| (d.location.map_or(0, |l| l.line), d.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (6, "category `???` has no letters or digits to make an address from"),
                (7, "categories `News` and `news` are the same category (both are `news`)"),
            ]
        );
        assert!(vocabulary_problems(text, &names[..2]).is_empty());
    }
}
