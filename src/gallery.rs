//! Parse, the before-and-after gallery: a page's `gallery:` pairs and the
//! consent rules that decide which of them are published (issue 11).
//!
//! Before-and-after photos are testimonials in UK advertising rules (CAP
//! code: the clinic must hold proof that they are genuine and unretouched),
//! and identifiable patient photos need a signed authorisation in the US
//! (HIPAA, 45 CFR 164.508). So a pair is published only when its front
//! matter says which signed consent covers it (`consent_ref`), that consent
//! has not expired on the day of the build (`consent_expires`), and the
//! photos are as taken (`retouched: false`, written out: a pair that does
//! not say is not assumed to be untouched). Any other pair is left out of
//! the site with a warning that names it and says why, so `build` goes on
//! and `check --strict` fails. A photo without alt text is an error.
//!
//! The pairs are written in the front matter of the page that shows them
//! rather than in a YAML file beside it: the page and its photos are one
//! file to edit, its keys are checked like every other front matter key
//! (unknown keys are errors, lines counted from the top of the file), and
//! `serve` already re-renders a page when its text changes; a data file
//! would need its own loading, location and change tracking for no gain.
//!
//! The day is passed in ([`crate::site::ParseOptions::today`], from
//! [`Date::today`], which honours `SOURCE_DATE_EPOCH`), so tests can build
//! on any day they like.

use crate::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::content::Page;
use crate::date::Date;
use crate::error::{Diagnostic, Location};
use crate::front_matter::FrontFacts;
use crate::image::ImageRef;
use crate::source::Asset;

/// One before-and-after pair, as written under `gallery:`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The photo before treatment, a path relative to the page.
    pub before: String,
    /// What the before photo shows, for visitors who cannot see it (required).
    #[serde(default)]
    pub before_alt: Option<String>,
    /// The photo after treatment, a path relative to the page.
    pub after: String,
    /// What the after photo shows (required).
    #[serde(default)]
    pub after_alt: Option<String>,
    /// How many treatment sessions the patient had between the two photos.
    #[serde(default)]
    pub sessions: Option<u32>,
    /// How many weeks after the before photo the after photo was taken.
    #[serde(default)]
    pub weeks_between: Option<u32>,
    /// The clinic's own reference for the patient's signed consent to
    /// publish these photos (never published).
    #[serde(default)]
    pub consent_ref: Option<String>,
    /// The day the consent ends: from that day on the pair is left out.
    #[serde(default)]
    pub consent_expires: Option<Date>,
    /// Whether either photo was retouched; only `false` is published.
    #[serde(default)]
    pub retouched: Option<bool>,
    /// A line shown with the pair, such as "Illustration, not a patient".
    #[serde(default)]
    pub caption: Option<String>,
}

/// A published pair as templates see it (`page.gallery`); the consent
/// fields are the clinic's records and are not given to templates.
#[derive(Debug, Serialize)]
pub(crate) struct PairView<'a> {
    /// The pair's number in the gallery as published, from 1.
    number: usize,
    before: Photo<'a>,
    after: Photo<'a>,
    sessions: Option<u32>,
    weeks_between: Option<u32>,
    caption: Option<&'a str>,
}

/// One photo of a pair: its path as written (relative to the page) and its
/// alt text.
#[derive(Debug, Serialize)]
struct Photo<'a> {
    src: &'a str,
    alt: &'a str,
}

/// The published pairs of `page`, for its template.
pub(crate) fn views(page: &Page) -> Vec<PairView<'_>> {
    page.gallery
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let pair = &page.meta.gallery[i];
            PairView {
                number: n + 1,
                before: Photo { src: &pair.before, alt: pair.before_alt.as_deref().unwrap_or_default() },
                after: Photo { src: &pair.after, alt: pair.after_alt.as_deref().unwrap_or_default() },
                sessions: pair.sessions,
                weeks_between: pair.weeks_between,
                caption: pair.caption.as_deref(),
            }
        })
        .collect()
}

/// Applies the gallery rules to every page with a `gallery:`: records on
/// each page which pairs are published (`Page::gallery`), adds an error to
/// `problems` for each photo without alt text and a warning to `warnings`
/// for each pair left out, and why.
pub(crate) fn check_pages(
    pages: &mut [Page],
    today: Date,
    problems: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    for page in pages.iter_mut().filter(|p| !p.meta.gallery.is_empty()) {
        let text = page.text_for_message();
        let checked = check_gallery(&page.source, &text, &page.facts.front, &page.meta.gallery, today);
        drop(text);
        page.gallery = checked.shown;
        problems.extend(checked.errors);
        warnings.extend(checked.warnings);
    }
}

/// The photos of `page`'s published pairs, each at its `before:` or
/// `after:` line, for the image pipeline to make their variants (or report
/// a photo that is not there). Pairs left out are not registered: their
/// photos are never processed nor published.
pub(crate) fn image_refs(page: &Page) -> Vec<ImageRef> {
    if page.gallery.is_empty() {
        return Vec::new();
    }
    let text = page.text_for_message();
    let items = page.facts.front.list_items(&text, "gallery");
    let fallback = page.facts.front.key_location(&text, "gallery");
    let mut refs = Vec::with_capacity(page.gallery.len() * 2);
    for &i in &page.gallery {
        let pair = &page.meta.gallery[i];
        let place = Place { text: &text, lines: items.get(i).cloned(), fallback };
        for (key, written) in [("before", &pair.before), ("after", &pair.after)] {
            let at = place.at(Diagnostic::error(&page.source, ""), key);
            refs.push(ImageRef {
                written: written.clone(),
                from: page.path.clone(),
                file: page.source.clone(),
                location: at.location,
                line_text: at.line_text,
            });
        }
    }
    refs
}

/// Takes out of `assets` the photos of every pair left out, so that a photo
/// without consent is not published at all, not even as a file beside its
/// page that a visitor could guess the address of. A photo that a
/// published pair shows too stays.
pub(crate) fn withhold_photos(pages: &[Page], assets: &mut Vec<Asset>) {
    let mut withheld = HashSet::default();
    let mut shown = HashSet::default();
    for page in pages.iter().filter(|p| !p.meta.gallery.is_empty()) {
        for (i, pair) in page.meta.gallery.iter().enumerate() {
            let into = if page.gallery.contains(&i) { &mut shown } else { &mut withheld };
            into.extend(
                [&pair.before, &pair.after].into_iter().filter_map(|src| photo_output(&page.path, src)),
            );
        }
    }
    withheld.retain(|p| !shown.contains(p));
    if !withheld.is_empty() {
        assets.retain(|a| !withheld.contains(&crate::url::slash_path(&a.output)));
    }
}

/// The output path of the file a gallery photo names: its address is
/// written as an image's in markdown is, from the site's top
/// (`/images/a.jpg`) or relative to the page's address (`crown-before.jpg`
/// on the page at `/results/` is `results/crown-before.jpg`, the file
/// `content/results/crown-before.jpg`). None for another site's photo.
fn photo_output(page: &str, src: &str) -> Option<String> {
    if crate::url::has_scheme(src) || src.starts_with("//") {
        return None;
    }
    crate::url::site_path(page, src).and_then(|p| crate::url::output_path(&p))
}

/// What the rules made of one page's gallery.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The pairs to publish, by their number in the list.
    pub(crate) shown: Vec<usize>,
    /// Photos without alt text.
    pub(crate) errors: Vec<Diagnostic>,
    /// Pairs left out, and why.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Why a pair may not be published, and the key of the pair that says so.
struct Refusal {
    key: &'static str,
    why: String,
    help: &'static str,
}

/// The rules for the `pairs` of the page `file` (whose whole text is `text`,
/// its front matter located by `front`) on the day `today`.
pub(crate) fn check_gallery(
    file: &Path,
    text: &str,
    front: &FrontFacts,
    pairs: &[Pair],
    today: Date,
) -> Checked {
    let items = front.list_items(text, "gallery");
    let mut checked = Checked::default();
    for (i, pair) in pairs.iter().enumerate() {
        let place =
            Place { text, lines: items.get(i).cloned(), fallback: front.key_location(text, "gallery") };
        let name = format!("pair {} of the gallery (`{}`, `{}`)", i + 1, pair.before, pair.after);
        let mut alt_missing = false;
        for (photo, src, alt, alt_key) in [
            ("before", &pair.before, &pair.before_alt, "before_alt"),
            ("after", &pair.after, &pair.after_alt, "after_alt"),
        ] {
            if alt.as_deref().is_some_and(|a| !a.trim().is_empty()) {
                continue;
            }
            alt_missing = true;
            let d = Diagnostic::error(file, format!("the {photo} photo `{src}` of {name} has no alt text"))
                .with_help(format!(
                    "add `{alt_key}:` to the pair, with what the photo shows for visitors who cannot see it, e.g. {alt_key}: \"Crown of the head {}\"",
                    if photo == "before" { "before treatment, thinning hair" } else { "after three sessions" }
                ));
            let key = if alt.is_some() { alt_key } else { photo };
            checked.errors.push(place.at(d, key));
        }
        let refusals = refusals(pair, today);
        for r in &refusals {
            let d = Diagnostic::warning(file, format!("{name} is left out of the site: {}", r.why))
                .with_help(r.help);
            checked.warnings.push(place.at(d, r.key));
        }
        if refusals.is_empty() && !alt_missing {
            checked.shown.push(i);
        }
    }
    checked
}

/// Why `pair` may not be published on `today` (nothing when it may).
fn refusals(pair: &Pair, today: Date) -> Vec<Refusal> {
    let mut found = Vec::new();
    if pair.consent_ref.as_deref().is_none_or(|r| r.trim().is_empty()) {
        found.push(Refusal {
            key: "consent_ref",
            why: "it has no `consent_ref`, the reference of the patient's signed consent".to_string(),
            help: "add `consent_ref:` with your reference for the signed consent to publish these photos (your own number, never the patient's name)",
        });
    }
    if let Some(expires) = pair.consent_expires.filter(|&e| e <= today) {
        found.push(Refusal {
            key: "consent_expires",
            why: format!("its consent expired on {expires} (today is {today})"),
            help: "ask the patient to renew the consent and change `consent_expires`, or remove the pair",
        });
    }
    match pair.retouched {
        Some(false) => {}
        Some(true) => found.push(Refusal {
            key: "retouched",
            why: "it says `retouched: true`".to_string(),
            help: "before-and-after photos must show the result as it is: use photos that are not retouched, and write `retouched: false`",
        }),
        None => found.push(Refusal {
            key: "before",
            why: "it does not say whether the photos were retouched".to_string(),
            help: "add `retouched: false` to the pair if both photos are as taken",
        }),
    }
    found
}

/// Where a pair is written, for pointing diagnostics at its keys.
struct Place<'a> {
    text: &'a str,
    /// The lines of the file the pair's list item spans, when found.
    lines: Option<Range<usize>>,
    /// The `gallery:` key, when the pair itself cannot be found.
    fallback: Option<Location>,
}

impl Place<'_> {
    /// `d` pointed at `key:` in the pair, else at the pair's first line,
    /// else at `gallery:`.
    fn at(&self, d: Diagnostic, key: &str) -> Diagnostic {
        let location = self.lines.clone().and_then(|lines| {
            key_in_lines(self.text, lines.clone(), key).or_else(|| {
                Some(Location { line: lines.start, column: first_column(self.text, lines.start) })
            })
        });
        match location.or(self.fallback) {
            Some(loc) => d.at(self.text, loc),
            None => d,
        }
    }
}

/// Where `key:` is written on lines `lines` (of the file, from 1) of `text`,
/// including right after an item's `- `.
fn key_in_lines(text: &str, lines: Range<usize>, key: &str) -> Option<Location> {
    text.lines().enumerate().skip(lines.start - 1).take(lines.len()).find_map(|(i, line)| {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let rest = trimmed.strip_prefix(key)?;
        rest.trim_start()
            .starts_with(':')
            .then(|| Location { line: i + 1, column: line[..line.len() - trimmed.len()].chars().count() + 1 })
    })
}

/// The column of the first character that is not a space or an item's `-`
/// on line `line` of `text`.
fn first_column(text: &str, line: usize) -> usize {
    let l = text.lines().nth(line - 1).unwrap_or_default();
    let trimmed = l.trim_start().trim_start_matches('-').trim_start();
    l[..l.len() - trimmed.len()].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front_matter::parse_front_matter;

    fn check(text: &str, today: &str) -> Checked {
        let file = Path::new("content/results.md");
        let (front, facts) = parse_front_matter(file, text).unwrap();
        check_gallery(file, text, &facts, &front.gallery, Date::parse(today).unwrap())
    }

    const GOOD: &str = "    before: b.jpg
    before_alt: Crown before
    after: a.jpg
    after_alt: Crown after
    consent_ref: EX-1
    consent_expires: 2027-01-01
    retouched: false
";

    fn page(pairs: &[&str]) -> String {
        let items: Vec<String> = pairs.iter().map(|p| format!("  -{}", &p[3..])).collect();
        format!("---\ntitle: Results\ngallery:\n{}---\n\nText.\n", items.concat())
    }

    #[test]
    fn a_pair_with_consent_and_alt_text_is_shown() {
        let c = check(&page(&[GOOD, GOOD]), "2026-06-01");
        assert_eq!(c.shown, vec![0, 1]);
        assert!(c.errors.is_empty() && c.warnings.is_empty());
    }

    #[test]
    fn consent_expires_at_the_start_of_its_day() {
        let text = page(&[GOOD]);
        assert_eq!(check(&text, "2026-12-31").shown, vec![0]);
        let c = check(&text, "2027-01-01");
        assert!(c.shown.is_empty());
        assert_eq!(c.warnings.len(), 1);
        let w = &c.warnings[0];
        assert_eq!(w.severity, crate::error::Severity::Warning);
        assert_eq!(
            w.message,
            "pair 1 of the gallery (`b.jpg`, `a.jpg`) is left out of the site: its consent expired on 2027-01-01 (today is 2027-01-01)"
        );
        assert_eq!(w.location, Some(Location { line: 9, column: 5 }));
        assert_eq!(w.line_text.as_deref(), Some("    consent_expires: 2027-01-01"));
    }

    #[test]
    fn no_consent_ref_or_an_empty_one_leaves_the_pair_out() {
        let none = GOOD.replace("    consent_ref: EX-1\n", "");
        let empty = GOOD.replace("EX-1", "\"  \"");
        let c = check(&page(&[GOOD, &none, &empty]), "2026-06-01");
        assert_eq!(c.shown, vec![0]);
        let messages: Vec<&str> = c.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].starts_with(
            "pair 2 of the gallery (`b.jpg`, `a.jpg`) is left out of the site: it has no `consent_ref`"
        ));
        assert!(messages[1].starts_with("pair 3 "));
        // Pair 2 has no consent_ref line: the warning points at the pair.
        assert_eq!(c.warnings[0].location, Some(Location { line: 11, column: 5 }));
        assert_eq!(c.warnings[1].location.map(|l| l.line), Some(21));
    }

    #[test]
    fn retouched_or_unsaid_leaves_the_pair_out() {
        let retouched = GOOD.replace("retouched: false", "retouched: true");
        let unsaid = GOOD.replace("    retouched: false\n", "");
        let c = check(&page(&[&retouched, &unsaid]), "2026-06-01");
        assert!(c.shown.is_empty());
        assert!(c.warnings[0].message.ends_with("it says `retouched: true`"));
        assert_eq!(c.warnings[0].location.map(|l| l.line), Some(10));
        assert!(c.warnings[1].message.ends_with("it does not say whether the photos were retouched"));
        assert_eq!(c.warnings[1].location, Some(Location { line: 11, column: 5 }));
    }

    #[test]
    fn every_reason_is_given() {
        let bad = GOOD.replace("    consent_ref: EX-1\n", "").replace("retouched: false", "retouched: true");
        let c = check(&page(&[&bad]), "2030-01-01");
        assert_eq!(c.warnings.len(), 3);
    }

    #[test]
    fn missing_alt_text_is_an_error_naming_the_line() {
        let no_before = GOOD.replace("    before_alt: Crown before\n", "");
        let empty_after = GOOD.replace("after_alt: Crown after", "after_alt: \"\"");
        let c = check(&page(&[&no_before, &empty_after]), "2026-06-01");
        assert!(c.shown.is_empty());
        assert!(c.warnings.is_empty());
        assert_eq!(c.errors.len(), 2);
        assert_eq!(c.errors[0].severity, crate::error::Severity::Error);
        assert_eq!(
            c.errors[0].message,
            "the before photo `b.jpg` of pair 1 of the gallery (`b.jpg`, `a.jpg`) has no alt text"
        );
        assert_eq!(c.errors[0].location, Some(Location { line: 4, column: 5 }));
        assert_eq!(c.errors[1].message.split(" of pair").next(), Some("the after photo `a.jpg`"));
        assert_eq!(c.errors[1].line_text.as_deref(), Some("    after_alt: \"\""));
    }

    #[test]
    fn a_flow_list_is_pointed_at_by_its_key() {
        let text = "---\ntitle: R\ngallery: [{before: b.jpg, after: a.jpg, retouched: false, consent_ref: X}]\n---\n";
        let c = check(text, "2026-06-01");
        assert_eq!(c.errors.len(), 2);
        assert_eq!(c.errors[0].location, Some(Location { line: 3, column: 1 }));
    }
}
