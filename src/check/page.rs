//! Checks on a page as a whole: the title and description search results
//! show, whether its medical review is due, and its reading level. Each
//! points at the front matter key to change, or at the sentence to simplify.

use std::path::Path;

use pulldown_cmark::Options;

use super::readability::{MIN_WORDS, readability};
use crate::content::Page;
use crate::date::Date;
use crate::error::{Diagnostic, Location};
use crate::front_matter::{FrontMatter, key_location, split_front_matter};

/// The parts of a page these checks read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageFile<'a> {
    /// The file, relative to the site root.
    pub(crate) source: &'a Path,
    /// Its whole text.
    pub(crate) text: &'a str,
    /// Its front matter.
    pub(crate) meta: &'a FrontMatter,
}

impl<'a> From<&'a Page> for PageFile<'a> {
    fn from(page: &'a Page) -> PageFile<'a> {
        PageFile { source: &page.source, text: &page.text, meta: &page.meta }
    }
}

/// Titles longer than this are cut off in search results.
const TITLE_MAX: usize = 60;
/// Titles shorter than this say too little.
const TITLE_MIN: usize = 10;
/// Descriptions longer than this are cut off in search results.
const DESCRIPTION_MAX: usize = 160;
/// Descriptions shorter than this say too little.
const DESCRIPTION_MIN: usize = 50;

/// A warning on `page`, at front matter `key` (or the first key there is:
/// the front matter is where to add a missing one).
pub(crate) fn warn_at_key(page: PageFile<'_>, key: &str, message: String) -> Diagnostic {
    let d = Diagnostic::warning(page.source, message);
    match key_in(page, key).or_else(|| key_in(page, "title")) {
        Some(loc) => d.at(page.text, loc),
        None => d,
    }
}

fn key_in(page: PageFile<'_>, key: &str) -> Option<Location> {
    let split = split_front_matter(page.source, page.text).ok()?;
    key_location(&split, key)
}

/// The `<title>` search results show: present, 10 to 60 characters.
pub(crate) fn check_title(page: PageFile<'_>, title: Option<&str>) -> Option<Diagnostic> {
    let n = title.map_or(0, |t| t.chars().count());
    let message = match title {
        None => "the page has no <title>; search results and browser tabs show one".to_string(),
        Some("") => "the page's <title> is empty; search results and browser tabs show it".to_string(),
        Some(t) if n > TITLE_MAX => {
            format!(
                "title `{t}` is {n} characters long; search results cut titles off after about {TITLE_MAX}"
            )
        }
        Some(t) if n < TITLE_MIN => {
            format!(
                "title `{t}` is only {}; use at least {TITLE_MIN} that say what the page is about",
                chars(n)
            )
        }
        Some(_) => return None,
    };
    let own = page.meta.title.as_deref().unwrap_or_default();
    let help = if title.is_some_and(|t| t != own && t.contains(own)) {
        "the <title> is the page's `title` with more the template adds (the site's name)"
    } else {
        "the <title> comes from the page's `title` and the templates"
    };
    Some(warn_at_key(page, "title", message).with_help(help))
}

/// The meta description search results show: present, 50 to 160 characters.
pub(crate) fn check_description(page: PageFile<'_>, description: Option<&str>) -> Option<Diagnostic> {
    let n = description.map_or(0, |d| d.chars().count());
    let message = match description {
        None | Some("") => {
            "no meta description: search engines will make up a summary from the page".to_string()
        }
        Some(_) if n > DESCRIPTION_MAX => format!(
            "description is {n} characters long; search results cut it off after about {DESCRIPTION_MAX}"
        ),
        Some(_) if n < DESCRIPTION_MIN => {
            format!(
                "description is only {}; {DESCRIPTION_MIN} to {DESCRIPTION_MAX} make a useful summary in search results",
                chars(n)
            )
        }
        Some(_) => return None,
    };
    let d = warn_at_key(page, "description", message);
    Some(if page.meta.description.is_some() {
        d
    } else {
        d.with_help(format!(
            "add `description:` to the front matter: a sentence of {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters about the page"
        ))
    })
}

fn chars(n: usize) -> String {
    if n == 1 { "1 character".to_string() } else { format!("{n} characters") }
}

/// Whether the medical review is due: `reviewed` plus the interval is past,
/// or a reviewer is named without a date.
pub(crate) fn check_review(page: PageFile<'_>, interval_months: u32, today: Date) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    match (page.meta.reviewed, &page.meta.reviewed_by) {
        (Some(reviewed), _) => {
            let due = reviewed.add_months(interval_months);
            if due < today {
                found.push(
                    warn_at_key(
                        page,
                        "reviewed",
                        format!(
                            "medical review was due on {due} (last reviewed {reviewed}, every {interval_months} months)"
                        ),
                    )
                    .with_help("have the page reviewed again, then set `reviewed:` to the date of the review"),
                );
            } else if reviewed > today {
                found.push(warn_at_key(
                    page,
                    "reviewed",
                    format!("review date {reviewed} is in the future (today is {today})"),
                ));
            }
        }
        (None, Some(who)) => found.push(
            warn_at_key(page, "reviewed_by", format!("reviewed by `{who}`, but there is no `reviewed` date"))
                .with_help("add `reviewed: YYYY-MM-DD` with the date of the review"),
        ),
        (None, None) => {}
    }
    found
}

/// Whether the page's prose is harder to read than `target`.
pub(crate) fn check_reading(
    page: PageFile<'_>,
    body_offset: usize,
    target: f64,
    options: Options,
) -> Option<Diagnostic> {
    let r = readability(page.text, body_offset, options);
    if r.words < MIN_WORDS || r.grade <= target {
        return None;
    }
    let message = format!(
        "reading grade {:.1} is above the target of {} (Flesch-Kincaid, {} words in {} sentences)",
        r.grade, target, r.words, r.sentences
    );
    let help = "shorter sentences and shorter words lower the grade";
    Some(match r.hardest {
        Some((at, grade)) => Diagnostic::warning(page.source, message)
            .at_offset(page.text, at)
            .with_help(format!("{help}; the hardest sentence, grade {grade:.1}, starts here")),
        None => warn_at_key(page, "title", message).with_help(help),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front_matter::parse_front_matter;

    /// A page's text and its parsed front matter, leaked: tests only.
    fn page(text: &str) -> PageFile<'static> {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        let (meta, _) = parse_front_matter(Path::new("content/a.md"), text).unwrap();
        PageFile { source: Path::new("content/a.md"), text, meta: Box::leak(Box::new(meta)) }
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn review_falls_due_after_the_interval() {
        let p = page("---\ntitle: A\nreviewed_by: jsmith\nreviewed: 2024-01-31\n---\n");
        assert!(check_review(p, 12, date("2025-01-31")).is_empty());
        let d = &check_review(p, 12, date("2025-02-01"))[0];
        assert_eq!(
            d.message,
            "medical review was due on 2025-01-31 (last reviewed 2024-01-31, every 12 months)"
        );
        assert_eq!(d.location.map(|l| l.line), Some(4));
        assert!(check_review(p, 1, date("2024-02-29")).is_empty());
        assert_eq!(check_review(p, 1, date("2024-03-01")).len(), 1);
    }

    #[test]
    fn a_reviewer_needs_a_date() {
        let p = page("---\ntitle: A\nreviewed_by: jsmith\n---\n");
        let d = &check_review(p, 12, date("2025-01-01"))[0];
        assert!(d.message.contains("no `reviewed` date"), "{}", d.message);
        assert_eq!(d.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn title_and_description_lengths() {
        let p = page("---\ntitle: A\n---\n");
        assert!(check_title(p, Some("A · Clinic")).is_none());
        assert!(check_title(p, Some("A")).unwrap().message.contains("only 1 character;"));
        assert!(check_title(p, Some(&"x".repeat(61))).unwrap().message.contains("61 characters long"));
        assert!(check_title(p, None).is_some());
        assert!(check_description(p, Some(&"x".repeat(50))).is_none());
        assert!(check_description(p, Some(&"x".repeat(160))).is_none());
        assert!(check_description(p, Some(&"x".repeat(49))).is_some());
        assert!(check_description(p, Some(&"x".repeat(161))).is_some());
        let d = check_description(p, None).unwrap();
        assert_eq!(d.location.map(|l| l.line), Some(2), "points into the front matter");
    }
}
