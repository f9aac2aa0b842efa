//! `dotwork new`: a new page's file name and its starting text.
//!
//! A name is what the owner calls the page: `"Hair loss FAQ"` or
//! `hair-loss-faq`, with folders before it (`care/washing`). Each part
//! becomes a slug ([`crate::url::slugify`]), so a name can only ever name
//! a file inside `content/`: `..`, an absolute path, a hidden or empty part
//! are refused. The title is the name as typed, or, when the name was
//! typed as a slug, the slug in words (`hair-loss-faq` -> `Hair loss faq`).
//!
//! The page starts as a draft (built only with `--drafts`), its
//! description and text are placeholders, and a medical page names its
//! author and reviewer and has a review date to confirm, as the shipped
//! pages do: so `check` will not pass it until it is written.

use std::path::PathBuf;

use crate::check::PLACEHOLDER;
use crate::date::Date;
use crate::scaffold::{ScaffoldFile, yaml_quote};

/// What kind of page `new` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A page of the site.
    Page,
    /// A page with medical information, medically reviewed.
    Medical,
    /// A dated article in the news section.
    Article,
}

/// The section articles go into.
pub const NEWS_SECTION: &str = "content/news";

/// The file of the page named `name` (relative to the site's folder) and
/// its title, or why the name cannot be used.
pub fn page_file(name: &str, kind: PageKind) -> Result<(PathBuf, String), String> {
    let refuse = |why: &str| Err(format!("`{name}` cannot be a page's name: {why}"));
    let trimmed = name.trim();
    let trimmed = trimmed.strip_suffix(".md").unwrap_or(trimmed);
    if trimmed.is_empty() {
        return refuse("it is empty");
    }
    if trimmed.starts_with(['/', '\\']) || trimmed.contains('\\') || trimmed.get(1..2) == Some(":") {
        return refuse("write a name, not a path on the computer, such as \"Hair loss FAQ\" or care/washing");
    }
    if trimmed.chars().any(char::is_control) {
        return refuse("it contains an invisible character");
    }
    let parts: Vec<&str> = trimmed.split('/').collect();
    if kind == PageKind::Article && parts.len() > 1 {
        return refuse("an article's name has no folders; it always goes into content/news");
    }
    let mut path = PathBuf::from(if kind == PageKind::Article { NEWS_SECTION } else { "content" });
    for part in &parts {
        let part = part.trim();
        if part.is_empty() || part.starts_with('.') {
            return refuse("each part must be a name: no `..`, no empty or hidden parts");
        }
        let slug = crate::url::slugify(part);
        if slug.is_empty() {
            return refuse("it has no letters or digits");
        }
        path.push(slug);
    }
    let last = parts.last().map(|p| p.trim()).unwrap_or_default();
    if path.file_name().is_some_and(|f| f == "index" || f == "_index") {
        return refuse("`index` and `_index` are the pages of folders; choose another name");
    }
    path.set_extension("md");
    let title = if crate::url::slugify(last) == last { words(last) } else { last.to_string() };
    Ok((path, title))
}

/// A page's name as `dotwork new page` takes it (for clap).
pub fn check_page_name(name: &str) -> Result<String, String> {
    page_file(name, PageKind::Page).map(|_| name.to_string())
}

/// An article's name as `dotwork new article` takes it (for clap).
pub fn check_article_name(name: &str) -> Result<String, String> {
    page_file(name, PageKind::Article).map(|_| name.to_string())
}

/// `hair-loss-faq` -> `Hair loss faq`.
fn words(slug: &str) -> String {
    let text = slug.replace(['-', '_'], " ");
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The new page named `name`, dated `today`.
pub fn new_page(name: &str, kind: PageKind, today: Date) -> Result<ScaffoldFile, String> {
    let (path, title) = page_file(name, kind)?;
    let mut text = String::from("---\n");
    text.push_str(&format!("title: {}\n", yaml_quote(&title)));
    text.push_str("# What search engines show under the title: one sentence of 50 to 160 characters.\n");
    text.push_str(&format!(
        "description: \"{PLACEHOLDER}one sentence that says what this page is about]]\"\n"
    ));
    text.push_str(&format!("date: {today}\n"));
    if kind != PageKind::Article {
        text.push_str(&format!("updated: {today}\n"));
    }
    text.push_str(
        "# A draft is shown by \"dotwork serve --drafts\" but not published.\n# Delete this line when the page is ready.\ndraft: true\n",
    );
    match kind {
        PageKind::Page => text.push_str(
            "# To put the page in the main menu, change this to menu: true\n# (and add weight: with its place in the menu, smaller first).\nmenu: false\n",
        ),
        PageKind::Medical => {
            text.push_str(
                "menu: false\n# Who wrote the page and who checked it for medical accuracy: the short\n# names of people in site.yaml.\nauthor: editor\nreviewed_by: reviewer\n",
            );
            text.push_str(&format!(
                "# {PLACEHOLDER}the date your reviewer checked this page, as year-month-day]]\nreviewed: {today}\n"
            ));
        }
        PageKind::Article => text.push_str("author: editor\n"),
    }
    text.push_str("---\n\n");
    text.push_str(&format!(
        "{PLACEHOLDER}the text of the page, in short sentences; start each part with a heading line such as: ## What to expect]]\n"
    ));
    Ok(ScaffoldFile { path, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_safe_files_and_titles() {
        let ok = |name: &str, kind| {
            let (path, title) = page_file(name, kind).unwrap();
            (crate::url::slash_path(&path), title)
        };
        assert_eq!(
            ok("Hair loss FAQ", PageKind::Page),
            ("content/hair-loss-faq.md".into(), "Hair loss FAQ".into())
        );
        assert_eq!(
            ok("hair-loss-faq.md", PageKind::Page),
            ("content/hair-loss-faq.md".into(), "Hair loss faq".into())
        );
        assert_eq!(
            ok("care/washing", PageKind::Medical),
            ("content/care/washing.md".into(), "Washing".into())
        );
        assert_eq!(
            ok("New: opening hours!", PageKind::Article),
            ("content/news/new-opening-hours.md".into(), "New: opening hours!".into())
        );
        for bad in
            ["../x", "a/../../x", "/etc/passwd", "C:\\x", "a\\b", ".hidden", "", "a//b", "index", "???"]
        {
            assert!(page_file(bad, PageKind::Page).is_err(), "{bad}");
        }
        assert!(page_file("a/b", PageKind::Article).is_err());
    }

    #[test]
    fn the_front_matter_loads() {
        let today = Date::new(2026, 11, 30).unwrap();
        for kind in [PageKind::Page, PageKind::Medical, PageKind::Article] {
            let page = new_page("A \"quoted\": title", kind, today).unwrap();
            let (meta, _) = crate::front_matter::parse_front_matter(&page.path, &page.text).unwrap();
            assert_eq!(meta.title.as_deref(), Some("A \"quoted\": title"));
            assert!(meta.draft);
            assert_eq!(meta.reviewed.is_some(), kind == PageKind::Medical);
        }
    }
}
