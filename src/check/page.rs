//! Checks on a page as a whole: the title and description search results
//! show, whether its medical review is due, and its reading level. Each
//! points at the front matter key to change, or at the sentence to simplify.

use std::borrow::Cow;
use std::path::Path;

use super::readability::{MIN_WORDS, formula_for, readability};
use crate::config::{CONFIG_FILE, SiteConfig};
use crate::content::Page;
use crate::date::Date;
use crate::error::Diagnostic;
use crate::front_matter::FrontMatter;
use crate::markdown::{BodyFacts, PageFacts};
use crate::site::Site;

/// The parts of a page these checks read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageFile<'a> {
    /// The file, relative to the site root.
    pub(crate) source: &'a Path,
    /// Its whole text: read it with [`PageFile::text`].
    text_of: TextOf<'a>,
    /// Its front matter.
    pub(crate) meta: &'a FrontMatter,
    /// What the parse stage recorded about it.
    pub(crate) facts: &'a PageFacts,
    /// What its markdown body holds.
    body_of: BodyOf<'a>,
}

/// Where a [`PageFile`]'s text comes from.
#[derive(Debug, Clone, Copy)]
enum TextOf<'a> {
    /// This, read already.
    Given(&'a str),
    /// The page's, read back when asked for ([`Page::text_for_message`]):
    /// most checks quote it only in a message.
    Page(&'a Page),
}

/// Where a [`PageFile`]'s body facts come from.
#[derive(Debug, Clone, Copy)]
enum BodyOf<'a> {
    /// These (in tests).
    #[cfg(test)]
    Given(&'a BodyFacts),
    /// Page number `.1` of the site, its body rendered when first asked
    /// for ([`Site::body`]): most checks read only the front matter.
    Site(&'a Site, usize),
}

impl<'a> PageFile<'a> {
    /// Page number `i` of `site`.
    pub(crate) fn of(site: &'a Site, i: usize) -> PageFile<'a> {
        let page = &site.pages[i];
        let body_of = BodyOf::Site(site, i);
        let text_of = TextOf::Page(page);
        PageFile { source: &page.source, text_of, meta: &page.meta, facts: &page.facts, body_of }
    }

    /// Page number `i` of `site`, whose `text` the caller read.
    pub(crate) fn with_text(site: &'a Site, i: usize, text: &'a str) -> PageFile<'a> {
        PageFile { text_of: TextOf::Given(text), ..PageFile::of(site, i) }
    }

    /// Its whole text.
    pub(crate) fn text(self) -> Cow<'a, str> {
        match self.text_of {
            TextOf::Given(text) => Cow::Borrowed(text),
            TextOf::Page(page) => page.text_for_message(),
        }
    }

    /// The page at `source` with `text`, its front matter parsed and its
    /// body empty, leaked: tests only.
    #[cfg(test)]
    pub(crate) fn leaked(source: &'static str, text: &str) -> PageFile<'static> {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        let (meta, front) = crate::front_matter::parse_front_matter(Path::new(source), text).unwrap();
        let facts = Box::leak(Box::new(PageFacts { front, ..PageFacts::default() }));
        let body_of = BodyOf::Given(Box::leak(Box::default()));
        let text_of = TextOf::Given(text);
        PageFile { source: Path::new(source), text_of, meta: Box::leak(Box::new(meta)), facts, body_of }
    }

    /// `self` with `body` as its body's facts.
    #[cfg(test)]
    pub(crate) fn with_body(self, body: &'a BodyFacts) -> PageFile<'a> {
        PageFile { body_of: BodyOf::Given(body), ..self }
    }

    /// What its markdown body holds.
    pub(crate) fn body(self) -> &'a BodyFacts {
        match self.body_of {
            #[cfg(test)]
            BodyOf::Given(body) => body,
            BodyOf::Site(site, i) => &site.body(i).facts,
        }
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
    let text = page.text();
    let key_in = |key| page.facts.front.key_location(&text, key);
    match key_in(key).or_else(|| key_in("title")) {
        Some(loc) => d.at(&text, loc),
        // A title taken from the page's `# Title` is fixed there.
        None => match &page.body().title_heading {
            Some(h) if key == "title" => d.at_offset(&text, h.offset()),
            _ => d,
        },
    }
}

/// A page with both a `title` and a leading `# Heading` that say different
/// things: the heading is not shown (the page has one `<h1>`, its title),
/// so its words are lost unless the owner moves them into the title.
pub(crate) fn check_title_heading(page: PageFile<'_>) -> Option<Diagnostic> {
    let heading = page.body().title_heading.as_ref()?;
    let title = page.meta.title.as_deref()?;
    // Smart punctuation curls the heading's quotes and dashes, not the title's.
    let plain = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201c}' | '\u{201d}' => '"',
                '\u{2013}' | '\u{2014}' => '-',
                c => c,
            })
            .collect::<String>()
            .replace("...", "\u{2026}")
    };
    (plain(title) != plain(heading.text())).then(|| {
        Diagnostic::warning(
            page.source,
            format!("the page's first heading `{}` is not its title `{title}`; the heading is not shown", heading.text()),
        )
        .at_offset(&page.text(), heading.offset())
        .with_help("the title is the page's heading and its name in menus and search results: put the words you want in `title` and delete this line")
    })
}

/// The `<title>` search results show: present, 10 to 60 characters.
///
/// What is judged is the part of the `<title>` its owner can change where
/// they would look: the page's own `title` when the `<title>` contains it
/// (the theme adds ` · ` and the site's name, the same on every page, so
/// that suffix is not counted against the page's length); site.yaml's
/// `title` when the `<title>` is that (the home page's is); else the whole
/// `<title>` the templates wrote. Too short is judged on the whole
/// `<title>`, which is what a search result shows.
pub(crate) fn check_title(page: PageFile<'_>, title: Option<&str>, site: &SiteConfig) -> Option<Diagnostic> {
    let own = html_text(page.meta.title.as_deref().unwrap_or_default());
    let site_title = html_text(&site.title);
    let Some(title) = title.filter(|t| !t.is_empty()) else {
        let message = match title {
            None => "the page has no <title>; search results and browser tabs show one",
            Some(_) => "the page's <title> is empty; search results and browser tabs show it",
        };
        return Some(
            warn_at_key(page, "title", message.to_string())
                .with_help("the <title> comes from the page's `title` and the templates"),
        );
    };
    let n = title.chars().count();
    if n < TITLE_MIN {
        let message = format!(
            "title `{title}` is only {}; use at least {TITLE_MIN} that say what the page is about",
            chars(n)
        );
        return Some(
            warn_at_key(page, "title", message)
                .with_help("the <title> comes from the page's `title` and the templates"),
        );
    }
    if !own.is_empty() && title.contains(own.as_str()) && title != site_title {
        let n = own.chars().count();
        let added = title.len() > own.len();
        return (n > TITLE_MAX).then(|| {
            let not_counted = if added { " (not counting what the theme adds, such as the site's name)" } else { "" };
            warn_at_key(
                page,
                "title",
                format!("the page's title `{own}` is {n} characters long{not_counted}; search results cut titles off after about {TITLE_MAX}"),
            )
            .with_help("shorten the page's `title`: put the words people search for first")
        });
    }
    if !site_title.is_empty() && title.contains(site_title.as_str()) {
        // The home page's <title> is the site's title: its own `title:` is
        // its name in the menu. The fix is in site.yaml.
        let n = site_title.chars().count();
        return (n > TITLE_MAX).then(|| {
            let d = Diagnostic::warning(
                CONFIG_FILE,
                format!(
                    "the site's title `{site_title}` is {n} characters long; it is the <title> of {}, and search results cut titles off after about {TITLE_MAX}",
                    page.source.display()
                ),
            )
            .with_help("shorten `title` in site.yaml");
            match crate::yaml::key_path_location(&site.text, "title") {
                Some(loc) => d.at(&site.text, loc),
                None => d,
            }
        });
    }
    (n > TITLE_MAX).then(|| {
        warn_at_key(
            page,
            "title",
            format!("title `{title}` is {n} characters long; search results cut titles off after about {TITLE_MAX}"),
        )
        .with_help("the <title> is written by the templates; it does not contain the page's `title`")
    })
}

/// A setting's text as it reads once rendered: runs of whitespace as one space.
fn html_text(s: &str) -> String {
    crate::html::collapse_whitespace(s)
}

/// The meta description search results show: the page's own (a page without
/// one shows the site's, the same on every such page), 50 to 160 characters.
pub(crate) fn check_description(page: PageFile<'_>, description: Option<&str>) -> Option<Diagnostic> {
    let add = format!(
        "add `description:` to the front matter: a sentence of {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters about this page"
    );
    if page.meta.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
        let message = match description {
            Some(d) if !d.is_empty() => {
                "the page has no `description`, so it shows the site's description from site.yaml, the same as every other page without one"
            }
            _ => "the page has no `description`: search engines will make up a summary from the page",
        };
        return Some(warn_at_key(page, "description", message.to_string()).with_help(add));
    }
    let n = description.map_or(0, |d| d.chars().count());
    let message = match description {
        None | Some("") => {
            "no meta description: the templates do not show the page's `description`".to_string()
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
    Some(warn_at_key(page, "description", message))
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

/// Whether the page's prose, in `language` (a BCP 47 tag), is harder to
/// read than site.yaml's `reading_grade` (`target`), by the language's
/// formula ([`formula_for`]). English keeps the Flesch-Kincaid grade; Spanish,
/// German and French are scored in reading ease against the ease that
/// `target` stands for in Flesch's table ([`Formula::target`]). A page in a
/// language without a formula is not scored (`None`): the caller says so
/// once with [`not_scored_note`](super::readability::not_scored_note).
pub(crate) fn check_reading(page: PageFile<'_>, target: f64, language: &str) -> Option<Diagnostic> {
    let formula = formula_for(language)?;
    let text = page.text();
    let r = readability(&text, &page.body().prose, formula);
    if r.words < MIN_WORDS {
        return None;
    }
    let counts = format!("{}, {} words in {} sentences", formula.name(), r.words, r.sentences);
    let (message, hardest, note) = if formula.is_grade() {
        if r.score <= target {
            return None;
        }
        (
            format!("reading grade {:.1} is above the target of {target} ({counts})", r.score),
            r.hardest.map(|(at, grade)| (at, format!("grade {grade:.1}"))),
            String::new(),
        )
    } else {
        // Reading ease is shown, as Flesch gave it, in whole points; the
        // page is judged on the figure shown.
        let (score, ease) = (whole(r.score), whole(formula.target(target)));
        if score >= ease {
            return None;
        }
        (
            format!("reading ease {score} is below the target of {ease} ({counts})"),
            r.hardest.map(|(at, s)| (at, format!("ease {}", whole(s)))),
            format!(" (`reading_grade: {target}` in site.yaml asks for a reading ease of {ease} or more)"),
        )
    };
    let better = if formula.is_grade() { "lower the grade" } else { "raise the ease" };
    let help = format!("shorter sentences and shorter words {better}");
    Some(match hardest {
        Some((at, score)) => Diagnostic::warning(page.source, message)
            .at_offset(&text, at)
            .with_help(format!("{help}; the hardest sentence, {score}, starts here{note}")),
        None => warn_at_key(page, "title", message).with_help(format!("{help}{note}")),
    })
}

/// A reading ease in whole points, as Flesch's scale is read.
fn whole(score: f64) -> i64 {
    score.round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::readability::Formula;

    /// A page's text and its parsed front matter, leaked: tests only.
    fn page(text: &str) -> PageFile<'static> {
        PageFile::leaked("content/a.md", text)
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
    fn a_leading_heading_unlike_the_title_is_reported_at_the_heading() {
        let with = |text: &str| {
            let p = page(text);
            let heading = text.find("# ").map(|at| {
                let title = crate::markdown::leading_title(&text[p.facts.front.body_offset..]).unwrap();
                crate::markdown::HeadingFact::new(1, at, "", &title)
            });
            let mut body = p.body().clone();
            body.title_heading = heading;
            check_title_heading(p.with_body(Box::leak(Box::new(body))))
        };
        assert!(with("---\ntitle: Don't panic\n---\n# Don't panic\n").is_none());
        assert!(with("# From the heading\n").is_none());
        let d = with("---\ntitle: Aftercare\n---\n\n# After your treatment\n").unwrap();
        assert_eq!(
            d.message,
            "the page's first heading `After your treatment` is not its title `Aftercare`; the heading is not shown"
        );
        assert_eq!(d.location.map(|l| l.line), Some(5));
    }

    #[test]
    fn title_and_description_lengths() {
        let site = crate::config::parse_config(
            "title: Example Scalp Clinic (example)\nbase_url: https://example.org/\n",
        )
        .unwrap();
        let p = page("---\ntitle: A\ndescription: d\n---\n");
        assert!(check_title(p, Some("A · Clinic"), &site).is_none());
        assert!(check_title(p, Some("A"), &site).unwrap().message.contains("only 1 character;"));
        assert!(check_title(p, None, &site).is_some());
        // The site's name the theme adds is not counted against the page.
        let long = format!("{} · Example Scalp Clinic (example)", "x".repeat(50));
        let p = page(&format!("---\ntitle: {}\ndescription: d\n---\n", "x".repeat(50)));
        assert!(check_title(p, Some(&long), &site).is_none());
        let p = page(&format!("---\ntitle: {}\ndescription: d\n---\n", "x".repeat(61)));
        let d = check_title(p, Some(&format!("{} · Example Scalp Clinic (example)", "x".repeat(61))), &site)
            .unwrap();
        assert!(d.message.contains("61 characters long (not counting"), "{}", d.message);
        // A <title> that is the site's title is site.yaml's to fix.
        let site = crate::config::parse_config(&format!(
            "title: {}\nbase_url: https://example.org/\n",
            "y".repeat(70)
        ))
        .unwrap();
        let home = page("---\ntitle: Home\ndescription: d\n---\n");
        let d = check_title(home, Some(&"y".repeat(70)), &site).unwrap();
        assert_eq!(d.file, Path::new("site.yaml"));
        assert_eq!(d.location.map(|l| l.line), Some(1));

        let p = page("---\ntitle: A\ndescription: d\n---\n");
        assert!(check_description(p, Some(&"x".repeat(50))).is_none());
        assert!(check_description(p, Some(&"x".repeat(160))).is_none());
        assert!(check_description(p, Some(&"x".repeat(49))).is_some());
        assert!(check_description(p, Some(&"x".repeat(161))).is_some());
        let none = page("---\ntitle: A\n---\n");
        let d = check_description(none, Some(&"the site's own description, long enough to pass".repeat(2)))
            .unwrap();
        assert!(d.message.contains("no `description`"), "{}", d.message);
        assert_eq!(d.location.map(|l| l.line), Some(2), "points into the front matter");
    }

    /// A page whose body's prose is recorded as the parse stage does.
    fn prose_page(text: &str) -> PageFile<'static> {
        let p = page(text);
        let body = crate::markdown::tests::facts_of(&p.text(), p.facts.front.body_offset);
        p.with_body(Box::leak(Box::new(body)))
    }

    /// Spanish with long words and one very long sentence, on line 6:
    /// 51 words in 4 sentences.
    const HARD_SPANISH: &str = "---\ntitle: Riesgos\n---\nLa micropigmentación capilar es un procedimiento dermatológico. \
        Conviene consultarlo previamente.\n\n\
        La micropigmentación capilar constituye un procedimiento dermopigmentario mínimamente invasivo, \
        indicado fundamentalmente en alopecias androgenéticas avanzadas, cicatrices quirúrgicas, \
        situaciones de densidad capilar insuficiente y determinadas alteraciones cutáneas \
        características de pacientes sometidos previamente a intervenciones quirúrgicas complicadas. \
        Generalmente, las complicaciones postoperatorias resultan excepcionales.\n";

    #[test]
    fn spanish_prose_is_scored_with_fernandez_huerta_in_reading_ease() {
        let p = prose_page(HARD_SPANISH);
        let d = check_reading(p, 8.0, "es").unwrap();
        assert!(
            d.message.starts_with("reading ease ")
                && d.message.contains(" is below the target of 60 (Fernández-Huerta, "),
            "{}",
            d.message
        );
        let r = readability(&p.text(), &p.body().prose, Formula::FernandezHuerta);
        assert_eq!(
            d.message,
            format!(
                "reading ease {} is below the target of 60 (Fernández-Huerta, {} words in {} sentences)",
                r.score.round(),
                r.words,
                r.sentences
            )
        );
        assert_eq!(r.sentences, 4);
        // The hardest sentence is the long one, on line 6.
        assert_eq!(d.location.map(|l| l.line), Some(6));
        let help = d.help.unwrap();
        assert!(help.contains("raise the ease; the hardest sentence, ease "), "{help}");
        assert!(
            help.ends_with("(`reading_grade: 8` in site.yaml asks for a reading ease of 60 or more)"),
            "{help}"
        );
        // Region subtags do not matter; a lenient target (grade 16: ease 30) still catches it.
        let lenient = check_reading(p, 16.0, "es-MX").unwrap();
        assert!(
            lenient.message.contains(" is below the target of 30 (Fernández-Huerta, "),
            "{}",
            lenient.message
        );
    }

    #[test]
    fn plain_prose_in_each_language_passes_at_grade_8() {
        let pages = [
            (
                "es",
                "Vamos a ver su piel. La cita dura una hora. Puede venir solo o con alguien. Traiga una lista de sus medicinas. No use crema el día de la cita. Si tiene dudas, llame a la clínica. Le damos una hoja con todo. La puede leer en casa. También está en la web.",
            ),
            (
                "de",
                "Wir sehen uns Ihre Haut an. Der Termin dauert eine Stunde. Sie können allein oder mit einer Person kommen. Bringen Sie eine Liste Ihrer Mittel mit. Nehmen Sie am Tag des Termins keine Creme. Bei Fragen rufen Sie uns an. Sie bekommen ein Blatt mit allem. Sie können es zu Hause lesen.",
            ),
            (
                "fr",
                "Nous allons voir votre peau. Le rendez-vous dure une heure. Vous pouvez venir seul ou avec un proche. Apportez la liste de vos médicaments. Ne mettez pas de crème le jour du rendez-vous. Si vous avez une question, appelez-nous. Nous vous donnons une feuille avec tout cela. Vous pouvez la lire chez vous.",
            ),
        ];
        for (language, prose) in pages {
            let p = prose_page(&format!("---\ntitle: A\n---\n{prose}\n"));
            let formula = formula_for(language).unwrap();
            let r = readability(&p.text(), &p.body().prose, formula);
            assert!(r.words >= MIN_WORDS, "{language}: {r:?}");
            assert!(r.score >= 60.0, "{language}: {r:?}");
            assert_eq!(check_reading(p, 8.0, language), None, "{language}: {r:?}");
        }
    }

    #[test]
    fn english_prose_keeps_flesch_kincaid_and_other_languages_never_get_it() {
        let english = "---\ntitle: A\n---\nExtraordinary complications necessitate immediate consultation with an appropriately qualified dermatological practitioner, particularly whenever inflammation, discoloration or unexpected sensitivity persists considerably beyond the anticipated recovery interval following micropigmentation procedures. Comprehensive documentation facilitates subsequent evaluation. Additional information concerning postoperative management is available electronically. Consequently, practitioners recommend systematic photographic documentation throughout the entire rehabilitation period, particularly following complicated interventions.\n";
        let p = prose_page(english);
        let d = check_reading(p, 8.0, "en-GB").unwrap();
        assert!(
            d.message.starts_with("reading grade ") && d.message.contains("(Flesch-Kincaid, "),
            "{}",
            d.message
        );
        assert!(d.help.unwrap().contains("lower the grade; the hardest sentence, grade "));
        // The same words on a page marked Spanish: Fernández-Huerta, never Flesch-Kincaid.
        let d = check_reading(p, 8.0, "es").unwrap();
        assert!(!d.message.contains("Flesch-Kincaid") && !d.message.contains("grade"), "{}", d.message);
        assert!(d.message.contains("(Fernández-Huerta, "), "{}", d.message);
        // Languages without a formula are not scored at all.
        for language in ["nl", "pl-PL", "it"] {
            assert_eq!(check_reading(p, 8.0, language), None, "{language}");
        }
        // Too few words to score.
        let short = prose_page("---\ntitle: A\n---\nExtraordinary complications necessitate consultation.\n");
        assert_eq!(check_reading(short, 8.0, "de"), None);
    }
}
