//! `site.yaml`: the clinic's settings, loaded and checked.
//!
//! Unknown keys are errors (with the nearest known key suggested) because a
//! misspelt setting that is silently ignored is the hardest mistake for a
//! non-developer to find. Values a theme needs in another form (the phone
//! number as a `tel:` link, the base URL with one trailing slash) are derived
//! here, once.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Location};
use crate::yaml::parse_yaml;

/// The settings file's name, at the site root.
pub const CONFIG_FILE: &str = "site.yaml";

/// Everything in `site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's title, shown in the header and every `<title>`.
    pub title: String,
    /// Default meta description for pages that have none.
    #[serde(default)]
    pub description: String,
    /// Where the site will live, e.g. `https://example.org/` or
    /// `https://example.github.io/clinic/`; always ends in `/` once loaded.
    pub base_url: String,
    /// The pages' language (BCP 47), for `<html lang>`.
    #[serde(default = "default_language")]
    pub language: String,
    /// The theme under `themes/`, or the built-in one.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The clinic's contact details, shown on every page.
    #[serde(default)]
    pub clinic: Clinic,
    /// People who write and review pages, by the id pages use
    /// (`author: jsmith`, `reviewed_by: jsmith`).
    #[serde(default)]
    pub people: std::collections::BTreeMap<String, Person>,
    /// How often medical pages must be reviewed, in months.
    #[serde(default = "default_review_interval")]
    pub review_interval_months: u32,
    /// The highest Flesch-Kincaid grade `check` accepts for a page's prose.
    #[serde(default = "default_reading_grade")]
    pub reading_grade: f64,
    /// Citation style: `ama` (default), `apa` or `vancouver`.
    #[serde(default)]
    pub citation_style: CitationStyle,
    /// The medical disclaimer shown on every page.
    #[serde(default)]
    pub disclaimer: String,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Problems in the file that do not stop a build (a value cut short by a `#`).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// The file's text, to point at the line of a value that causes a
    /// problem later (in a template).
    #[serde(skip)]
    pub text: String,
}

/// Someone who writes or reviews pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name, as shown on pages.
    pub name: String,
    /// Qualifications (`MBBS, MRCP`), shown after the name.
    #[serde(default)]
    pub credentials: String,
    /// Job title or role (`Consultant dermatologist`).
    #[serde(default)]
    pub job_title: String,
    /// A page about them, an absolute URL.
    #[serde(default)]
    pub url: String,
}

/// The citation styles dotwork ships.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CitationStyle {
    /// American Medical Association, medicine's usual style.
    #[default]
    Ama,
    /// American Psychological Association (author-date).
    Apa,
    /// NLM/Vancouver (Citing Medicine).
    Vancouver,
}

fn default_review_interval() -> u32 {
    12
}

fn default_reading_grade() -> f64 {
    8.0
}

/// The clinic's profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Clinic {
    /// The clinic's name.
    #[serde(default)]
    pub name: String,
    /// The postal address.
    #[serde(default)]
    pub address: Address,
    /// Phone number as the clinic writes it.
    #[serde(default)]
    pub phone: String,
    /// `tel:` link derived from `phone`.
    #[serde(skip_deserializing)]
    pub phone_href: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Where patients book, an absolute URL.
    #[serde(default)]
    pub booking_url: String,
    /// When the clinic is open.
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
}

/// A postal address.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    #[serde(default)]
    pub street: String,
    /// Town or city.
    #[serde(default)]
    pub locality: String,
    /// County, state or region; may be empty.
    #[serde(default)]
    pub region: String,
    /// Postcode.
    #[serde(default)]
    pub postal_code: String,
    /// Country.
    #[serde(default)]
    pub country: String,
}

/// One line of opening hours.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// The days, as the clinic writes them ("Monday to Friday").
    pub days: String,
    /// Opening time, `HH:MM`.
    pub opens: String,
    /// Closing time, `HH:MM`.
    pub closes: String,
    /// schema.org day names derived from `days` (`Monday`, ...).
    #[serde(skip_deserializing)]
    pub day_of_week: Vec<&'static str>,
}

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Reads "Monday to Friday", "Mon-Wed, Sat", "Saturday and Sunday" into day
/// names; `None` if a part is not a day.
pub(crate) fn parse_days(text: &str) -> Option<Vec<&'static str>> {
    let day = |word: &str| {
        let w = word.trim().trim_end_matches('.').to_lowercase();
        (w.len() >= 3).then(|| DAYS.iter().position(|d| d.to_lowercase().starts_with(&w))).flatten()
    };
    let mut out = Vec::new();
    let normalized =
        text.replace(" and ", ",").replace('&', ",").replace(" to ", "-").replace(['–', '—'], "-");
    for part in normalized.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (a, b) = (day(from)?, day(to)?);
                let mut i = a;
                loop {
                    out.push(DAYS[i]);
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => out.push(DAYS[day(part)?]),
        }
    }
    (!out.is_empty()).then_some(out)
}

fn default_language() -> String {
    "en".to_string()
}

fn default_theme() -> String {
    "clinic".to_string()
}

/// Parses and checks the text of `site.yaml` (the string twin of loading it).
pub fn parse_config(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
    let file = Path::new(CONFIG_FILE);
    let mut config: SiteConfig = parse_yaml(file, text, text, 1, CONFIG_FILE).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let at_key = |key: &str, message: String| {
        let d = Diagnostic::error(file, message);
        match key_line(text, key) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    if let Some(url) = base_url_problem(&config.base_url) {
        problems.push(
            at_key("base_url", url)
                .with_help("write the full address, e.g. base_url: \"https://www.example.org/\""),
        );
    }
    if config.title.trim().is_empty() {
        problems.push(at_key("title", "the site title is empty".to_string()));
    }
    for hours in &mut config.clinic.opening_hours {
        match parse_days(&hours.days) {
            Some(days) => hours.day_of_week = days,
            None => problems.push(
                at_key(&hours.days, format!("`{}` are not days of the week", hours.days))
                    .with_help("write days like \"Monday to Friday\", \"Saturday\" or \"Mon, Wed and Fri\""),
            ),
        }
        for time in [&hours.opens, &hours.closes] {
            if !is_clock_time(time) {
                problems.push(
                    at_key(time, format!("`{time}` is not a time of day"))
                        .with_help("write times as HH:MM on a 24-hour clock, e.g. 09:00 or 17:30"),
                );
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    config.warnings = crate::yaml::comment_warnings(file, text, text, 1);
    config.text = text.to_string();
    config.base_url = normalize_base_url(&config.base_url);
    config.clinic.phone_href = phone_href(&config.clinic.phone);
    Ok(config)
}

/// Replaces the base URL (from `--base-url`), with the same checks.
pub fn override_base_url(config: &mut SiteConfig, url: &str) -> Result<(), Diagnostic> {
    if let Some(problem) = base_url_problem(url) {
        return Err(Diagnostic::error("--base-url", problem));
    }
    config.base_url = normalize_base_url(url);
    Ok(())
}

fn base_url_problem(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.contains(['?', '#', ' ']) => None,
        _ => Some(format!("base_url `{url}` is not an http:// or https:// address")),
    }
}

fn normalize_base_url(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

/// The path part of a base URL: `/` or `/clinic/`.
pub fn base_path(base_url: &str) -> &str {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

fn is_clock_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// `+44 20 7946 0000` -> `tel:+442079460000`.
fn phone_href(phone: &str) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    if digits.is_empty() { String::new() } else { format!("tel:{digits}") }
}

/// Where `key:` (or a value) first appears in `text`, for pointing at it.
pub(crate) fn key_line(text: &str, needle: &str) -> Option<Location> {
    text.lines().enumerate().find_map(|(i, line)| {
        let col = line.find(needle)?;
        Some(Location { line: i + 1, column: line[..col].chars().count() + 1 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "title: T\nbase_url: https://example.org/clinic\nclinic:\n  phone: +44 20 7946 0000\n  opening_hours:\n    - days: Mon\n      opens: '09:00'\n      closes: '17:30'\n";

    #[test]
    fn derives_values_templates_need() {
        let c = parse_config(GOOD).unwrap();
        assert_eq!(c.base_url, "https://example.org/clinic/");
        assert_eq!(base_path(&c.base_url), "/clinic/");
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(c.clinic.phone_href, "tel:+442079460000");
        assert_eq!(c.language, "en");
        assert_eq!(c.theme, "clinic");
    }

    #[test]
    fn unknown_nested_key_is_an_error_with_a_suggestion() {
        let text = "title: T\nbase_url: https://example.org/\nclinic:\n  phnoe: 1\n";
        let d = &parse_config(text).unwrap_err()[0];
        assert_eq!(d.message, "unknown key `phnoe` in site.yaml (under `clinic`)");
        assert_eq!(d.help.as_deref(), Some("did you mean `phone`?"));
        assert_eq!(d.location.map(|l| l.line), Some(4));
    }

    #[test]
    fn reads_day_ranges() {
        assert_eq!(parse_days("Monday to Friday").unwrap().len(), 5);
        assert_eq!(parse_days("Sat").unwrap(), vec!["Saturday"]);
        assert_eq!(
            parse_days("Mon-Wed, Sat and Sunday").unwrap(),
            vec!["Monday", "Tuesday", "Wednesday", "Saturday", "Sunday"]
        );
        assert_eq!(parse_days("Friday – Monday").unwrap(), vec!["Friday", "Saturday", "Sunday", "Monday"]);
        assert_eq!(parse_days("weekdays"), None);
        assert_eq!(parse_days("Mo"), None);
    }

    #[test]
    fn checks_urls_and_times() {
        let text = "title: T\nbase_url: example.org\nclinic:\n  opening_hours:\n    - {days: Mon, opens: '9am', closes: '25:00'}\n";
        let ds = parse_config(text).unwrap_err();
        assert_eq!(ds.len(), 3, "{ds:?}");
        assert_eq!(ds[0].location.map(|l| l.line), Some(2));
        assert!(ds[1].message.contains("`9am` is not a time"));
    }
}
