//! Check: translations that have fallen behind their original (issue 15).
//!
//! Input: each page of the site's default language with its translations
//! (`aftercare.md` with `aftercare.es.md`, ...), as [`PageFile`]s. Output:
//! warnings and errors at the `translated_from:` line of the page to fix.
//!
//! A translation records in `translated_from:` the version of the original
//! it translates: the original's newest `updated`, `reviewed` or `date` at
//! the time. When the original's newest date is later, the translation tells
//! patients something the original no longer says. dotwork cannot tell
//! whether the change mattered, so it asks the owner every time; on a page
//! with a medical review it says that the advice itself may be outdated.
//! `check --strict` fails on these warnings, as on any other.

use std::path::Path;

use super::page::{PageFile, warn_at_key};
use crate::date::Date;
use crate::error::Diagnostic;
use crate::front_matter::FrontMatter;

/// The key a translation records its original's version in.
const KEY: &str = "translated_from";

/// A page in the site's default language and its translations (none, one
/// or several). A translation whose original does not exist belongs to no
/// group: there is no version to compare it with.
#[derive(Debug, Clone)]
pub(crate) struct TranslationGroup<'a> {
    /// The page in the default language (`content/aftercare.md`).
    pub(crate) original: PageFile<'a>,
    /// Its translations (`content/aftercare.es.md`), in any order; problems
    /// are reported in this order.
    pub(crate) translations: Vec<PageFile<'a>>,
}

/// The problems of every group, group by group:
/// - an error where a page in the default language sets `translated_from`;
/// - a warning where a translation's `translated_from` is older than its
///   original's newest `updated`, `reviewed` or `date`;
/// - a warning where a translation has no `translated_from`, at its title.
///
/// A `translated_from` later than the original's dates is fine (the
/// original may be dated by its first publication only).
// Called by check once the languages of a site are known (issue 15).
pub(crate) fn stale_translations(groups: &[TranslationGroup<'_>]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for group in groups {
        let original = group.original;
        if original.meta.translated_from.is_some() {
            found.push(not_a_translation(group));
        }
        let version = version_of(original.meta);
        for &translation in &group.translations {
            let medical = has_review(original.meta) || has_review(translation.meta);
            match (translation.meta.translated_from, version) {
                (Some(from), Some((newest, how))) if from < newest => {
                    found.push(stale(original, translation, from, newest, how, medical));
                }
                (Some(_), _) => {}
                (None, version) => found.push(unrecorded(original, translation, version, medical)),
            }
        }
    }
    found
}

/// The warning for a translation of an older version of `original`.
fn stale(
    original: PageFile<'_>,
    translation: PageFile<'_>,
    from: Date,
    newest: Date,
    how: &str,
    medical: bool,
) -> Diagnostic {
    let message = format!("{} is older than {}", translation.source.display(), original.source.display());
    let name = content_name(original.source);
    let risk = if medical {
        "; this page has a medical review: patients reading the translation may get outdated advice"
    } else {
        ""
    };
    let help = format!(
        "{name} was {how} on {newest}; this translation is of its version of {from}{risk}: bring the translation up to date, then set `{KEY}: {newest}`"
    );
    let d = Diagnostic::warning(translation.source, message).with_help(help);
    translation.facts.front.at_key(d, &translation.text(), KEY)
}

/// The warning for a translation that does not say which version of
/// `original` it translates, at its title.
fn unrecorded(
    original: PageFile<'_>,
    translation: PageFile<'_>,
    version: Option<(Date, &str)>,
    medical: bool,
) -> Diagnostic {
    let message = format!(
        "{} does not say which version of {} it translates",
        translation.source.display(),
        original.source.display()
    );
    let name = content_name(original.source);
    let risk = if medical {
        "this page has a medical review: patients reading an outdated translation may get outdated advice; "
    } else {
        ""
    };
    let help = match version {
        Some((newest, how)) => format!(
            "{risk}{name} was last {how} on {newest}: once this translation says what that version says, add `{KEY}: {newest}` to its front matter, and check will tell you when {name} changes"
        ),
        None => format!(
            "{risk}{name} has no `updated`, `reviewed` or `date`: give it `updated:` with the date of its text, and add `{KEY}:` with that date to this translation's front matter"
        ),
    };
    warn_at_key(translation, "title", message).with_help(help)
}

/// The error for `translated_from` on the page in the default language.
fn not_a_translation(group: &TranslationGroup<'_>) -> Diagnostic {
    let page = group.original;
    let d = Diagnostic::error(
        page.source,
        format!("`{KEY}` is only for translations, and this page is in the site's default language"),
    );
    let help = match group.translations.first() {
        Some(t) => format!(
            "remove the line: a translation of this page ({}) records in its own `{KEY}` which version of this page it translates",
            content_name(t.source)
        ),
        None => format!(
            "remove the line: a translation of this page records in its own `{KEY}` which version of this page it translates"
        ),
    };
    page.facts.front.at_key(d.with_help(help), &page.text(), KEY)
}

/// The date of the version of a page: its newest `updated`, `reviewed` or
/// `date`, and what happened on it ("updated", "medically reviewed",
/// "published"); on a tie, the first of these.
fn version_of(meta: &FrontMatter) -> Option<(Date, &'static str)> {
    [(meta.updated, "updated"), (meta.reviewed, "medically reviewed"), (meta.date, "published")]
        .into_iter()
        .filter_map(|(date, how)| Some((date?, how)))
        .reduce(|newest, next| if next.0 > newest.0 { next } else { newest })
}

/// Whether a page has medical review fields.
fn has_review(meta: &FrontMatter) -> bool {
    meta.reviewed.is_some() || meta.reviewed_by.is_some()
}

/// A page's name as the owner knows it: its path inside `content/`.
fn content_name(source: &Path) -> String {
    source.strip_prefix("content").unwrap_or(source).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page at `source` with `text`, parsed and leaked: tests only.
    fn page(source: &'static str, text: &str) -> PageFile<'static> {
        PageFile::leaked(source, text)
    }

    fn aftercare(front: &str) -> PageFile<'static> {
        page("content/aftercare.md", &format!("---\ntitle: Aftercare\n{front}---\nText.\n"))
    }

    fn es(front: &str) -> PageFile<'static> {
        page("content/aftercare.es.md", &format!("---\ntitle: Cuidados\n{front}---\nTexto.\n"))
    }

    fn check(original: PageFile<'static>, translations: &[PageFile<'static>]) -> Vec<Diagnostic> {
        stale_translations(&[TranslationGroup { original, translations: translations.to_vec() }])
    }

    fn line(d: &Diagnostic) -> Option<usize> {
        d.location.map(|l| l.line)
    }

    #[test]
    fn a_translation_of_an_older_version_is_reported_at_translated_from() {
        let original = aftercare("date: 2025-06-01\nupdated: 2026-11-20\n");
        let found = check(original, &[es("description: D\ntranslated_from: 2026-03-01\n")]);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.severity, crate::error::Severity::Warning);
        assert_eq!(d.file, Path::new("content/aftercare.es.md"));
        assert_eq!(d.message, "content/aftercare.es.md is older than content/aftercare.md");
        assert_eq!(line(d), Some(4));
        assert_eq!(d.line_text.as_deref(), Some("translated_from: 2026-03-01"));
        assert_eq!(
            d.help.as_deref(),
            Some(
                "aftercare.md was updated on 2026-11-20; this translation is of its version of 2026-03-01: bring the translation up to date, then set `translated_from: 2026-11-20`"
            )
        );
    }

    #[test]
    fn the_newest_of_updated_reviewed_and_date_is_the_version() {
        let from = |date: &str| es(&format!("translated_from: {date}\n"));
        // A new review is a new version, though the text may be the same.
        let original = aftercare("date: 2025-01-10\nupdated: 2026-02-01\nreviewed: 2026-05-04\n");
        let found = check(original, &[from("2026-02-01")]);
        assert!(
            found[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("aftercare.md was medically reviewed on 2026-05-04;"),
            "{:?}",
            found[0].help
        );
        assert!(check(original, &[from("2026-05-04")]).is_empty());
        // Only a first publication date.
        let original = aftercare("date: 2025-01-10\n");
        let found = check(original, &[from("2024-12-31")]);
        assert!(found[0].help.as_deref().unwrap().starts_with("aftercare.md was published on 2025-01-10;"));
        assert!(check(original, &[from("2025-01-10")]).is_empty());
    }

    #[test]
    fn translated_from_after_the_original_or_without_original_dates_is_fine() {
        assert!(check(aftercare("updated: 2026-03-01\n"), &[es("translated_from: 2026-03-02\n")]).is_empty());
        assert!(check(aftercare(""), &[es("translated_from: 2026-03-02\n")]).is_empty());
        assert!(check(aftercare("updated: 2026-03-01\n"), &[]).is_empty());
    }

    #[test]
    fn a_medical_page_says_the_advice_may_be_outdated() {
        // The original's review fields, or the translation's own, make it one.
        let plain = aftercare("updated: 2026-11-20\n");
        let reviewed = aftercare("reviewed_by: jsmith\nupdated: 2026-11-20\n");
        let stale = es("translated_from: 2026-03-01\n");
        let reviewed_es = es("reviewed: 2026-03-02\ntranslated_from: 2026-03-01\n");
        let expected = "aftercare.md was updated on 2026-11-20; this translation is of its version of 2026-03-01; this page has a medical review: patients reading the translation may get outdated advice: bring the translation up to date, then set `translated_from: 2026-11-20`";
        for (original, translation) in [(reviewed, stale), (plain, reviewed_es)] {
            let found = check(original, &[translation]);
            assert_eq!(found[0].help.as_deref(), Some(expected));
            assert_eq!(found[0].severity, crate::error::Severity::Warning);
        }
        assert!(!check(plain, &[stale])[0].help.as_deref().unwrap().contains("medical"));
    }

    #[test]
    fn a_translation_without_translated_from_is_asked_for_it_at_its_title() {
        let original = aftercare("updated: 2026-11-20\n");
        let found = check(
            original,
            &[es(""), page("content/aftercare.de.md", "---\ndescription: D\ntitle: Pflege\n---\n")],
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            "content/aftercare.es.md does not say which version of content/aftercare.md it translates"
        );
        assert_eq!(line(&found[0]), Some(2));
        assert_eq!(
            found[0].help.as_deref(),
            Some(
                "aftercare.md was last updated on 2026-11-20: once this translation says what that version says, add `translated_from: 2026-11-20` to its front matter, and check will tell you when aftercare.md changes"
            )
        );
        assert_eq!(found[1].file, Path::new("content/aftercare.de.md"));
        assert_eq!(line(&found[1]), Some(3), "the title line, not the first");
        // An original without dates: it needs one first.
        let found = check(aftercare(""), &[es("")]);
        assert_eq!(
            found[0].help.as_deref(),
            Some(
                "aftercare.md has no `updated`, `reviewed` or `date`: give it `updated:` with the date of its text, and add `translated_from:` with that date to this translation's front matter"
            )
        );
        // A translation titled by its first heading: the warning is there.
        let headed = page("content/faq.es.md", "\n# Preguntas\n\nTexto.\n");
        let mut body = headed.body().clone();
        body.title_heading = Some(crate::markdown::HeadingFact::new(1, 1, "", "Preguntas"));
        let headed = headed.with_body(Box::leak(Box::new(body)));
        let found = check(page("content/faq.md", "---\ntitle: FAQ\n---\n"), &[headed]);
        assert_eq!(line(&found[0]), Some(2));
        assert_eq!(
            found[0].message,
            "content/faq.es.md does not say which version of content/faq.md it translates"
        );
    }

    #[test]
    fn translated_from_in_the_default_language_is_an_error_at_its_line() {
        let original = aftercare("updated: 2026-11-20\ntranslated_from: 2026-11-20\n");
        let found = check(original, &[]);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.severity, crate::error::Severity::Error);
        assert_eq!(d.file, Path::new("content/aftercare.md"));
        assert_eq!(
            d.message,
            "`translated_from` is only for translations, and this page is in the site's default language"
        );
        assert_eq!(line(d), Some(4));
        assert_eq!(
            d.help.as_deref(),
            Some(
                "remove the line: a translation of this page records in its own `translated_from` which version of this page it translates"
            )
        );
        let found = check(original, &[es("translated_from: 2026-11-20\n")]);
        assert_eq!(found.len(), 1, "the translation is in step: {found:?}");
        assert!(found[0].help.as_deref().unwrap().contains("(aftercare.es.md)"), "{:?}", found[0].help);
    }
}
