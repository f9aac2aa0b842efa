//! The starter site `dotwork init` writes, and the pages `dotwork new` adds.
//!
//! Input: the clinic's answers ([`Answers`], from flags or questions) and
//! today's date. Output: the files of a complete site as
//! [`ScaffoldFile`]s in memory; only [`write::write_new_site`] touches the
//! disk, so a site that cannot be made is never half written.
//!
//! The pages are embedded with `include_str!` from `src/scaffold/site/`,
//! where they can be read and edited as the files they become; `@@key@@`
//! marks where an answer goes. Every answer is written into YAML as a
//! double-quoted scalar ([`yaml_quote`]), never spliced into markdown, so
//! no clinic name can break a file. What the clinic must still supply is
//! marked with the placeholder [`crate::check::PLACEHOLDER`], which `check`
//! reports until it is gone.

pub mod ask;
pub mod deploy;
pub mod page;
pub mod write;

use std::path::PathBuf;

use crate::config::Host;
use crate::date::Date;

/// What `init` knows about the clinic; `None` is not answered (the site
/// then gets a placeholder, or a default where one is safe).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// The clinic's name, also the site's title.
    pub name: Option<String>,
    /// The phone number, as it is shown.
    pub phone: Option<String>,
    /// Street and number.
    pub street: Option<String>,
    /// Town or city.
    pub town: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// The online booking page.
    pub booking_url: Option<String>,
    /// The pages' language (BCP 47).
    pub language: Option<String>,
    /// Where the site is published.
    pub host: Option<Host>,
    /// The site's address.
    pub base_url: Option<String>,
}

/// The language when none is given.
pub const DEFAULT_LANGUAGE: &str = "en-GB";

/// The host when none is given: free, and needs no account but GitHub's.
pub const DEFAULT_HOST: Host = Host::GithubPages;

/// One file of the starter site, relative to its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// Where it goes, relative to the site's folder (`content/about.md`).
    pub path: PathBuf,
    /// What it holds.
    pub text: String,
}

/// The starter site's files that do not depend on the host: `(path, text)`.
const SITE_FILES: &[(&str, &str)] = &[
    ("content/index.md", include_str!("site/content/index.md")),
    ("content/about.md", include_str!("site/content/about.md")),
    ("content/risks.md", include_str!("site/content/risks.md")),
    ("content/aftercare.md", include_str!("site/content/aftercare.md")),
    ("content/contact.md", include_str!("site/content/contact.md")),
    ("content/references.md", include_str!("site/content/references.md")),
    ("content/references.yaml", include_str!("site/content/references.yaml")),
    ("content/privacy.md", include_str!("site/content/privacy.md")),
    ("content/news/_index.md", include_str!("site/content/news/_index.md")),
    ("content/news/new-website.md", include_str!("site/content/news/new-website.md")),
];

const SITE_YAML: &str = include_str!("site/site.yaml");

/// What the site's folder keeps out of version control: the built site and
/// the image cache.
const GITIGNORE: &str = "# The built site: made again by \"dotwork build\".\n/public/\n# dotwork's caches (processed photos, the last builds): made again when missing.\n/.dotwork/\n";

/// The files of a new site for `answers`, dated `today`.
pub fn starter_site(answers: &Answers, today: Date) -> Vec<ScaffoldFile> {
    let today = today.to_string();
    let mut files: Vec<ScaffoldFile> = SITE_FILES
        .iter()
        .map(|(path, text)| ScaffoldFile { path: path.into(), text: fill(text, &[("today", today.clone())]) })
        .collect();
    files.push(ScaffoldFile { path: crate::config::CONFIG_FILE.into(), text: site_yaml(answers) });
    files.push(ScaffoldFile { path: ".gitignore".into(), text: GITIGNORE.to_string() });
    let host = answers.host.unwrap_or(DEFAULT_HOST);
    files.extend(deploy::deploy_files(host));
    files
}

/// The clinic's name the question offers: the folder's name in words
/// (`smith-clinic` -> `Smith Clinic`), or "Our Clinic". Without
/// questions an unanswered name is a placeholder: a folder's name is too
/// rough a guess to publish unasked.
pub fn default_name(folder_name: &str) -> String {
    let words: Vec<String> = folder_name
        .split(|c: char| c == '-' || c == '_' || c == '.' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect();
    if words.is_empty() { "Our Clinic".to_string() } else { words.join(" ") }
}

/// The country a language's region names, for the ones a clinic using
/// this theme is likely to write (`en-GB` -> United Kingdom); `None` when
/// the tag names no region we know.
pub fn country_of(language: &str) -> Option<&'static str> {
    let region = language.split('-').skip(1).find(|p| p.len() == 2)?.to_ascii_uppercase();
    let country = match region.as_str() {
        "GB" => "United Kingdom",
        "IE" => "Ireland",
        "US" => "United States",
        "CA" => "Canada",
        "AU" => "Australia",
        "NZ" => "New Zealand",
        "ZA" => "South Africa",
        "IN" => "India",
        "DE" => "Germany",
        "AT" => "Austria",
        "CH" => "Switzerland",
        "FR" => "France",
        "BE" => "Belgium",
        "NL" => "Netherlands",
        "ES" => "Spain",
        "IT" => "Italy",
        "PT" => "Portugal",
        _ => return None,
    };
    Some(country)
}

/// site.yaml with the answers in place; what is not answered becomes a
/// placeholder (text the theme shows) or, for a setting that must be a
/// working address, an example value with a placeholder note above it.
fn site_yaml(answers: &Answers) -> String {
    let marker = |what: &str| format!("{}{what}]]", crate::check::PLACEHOLDER);
    let text_or_marker = |value: &Option<String>, what: &str| match value {
        Some(v) => yaml_quote(v),
        None => yaml_quote(&marker(what)),
    };
    // A note line above a setting, at its indentation.
    let note = |answered: bool, indent: &str, what: &str| {
        if answered { String::new() } else { format!("{indent}# {}\n", marker(what)) }
    };
    let name = text_or_marker(&answers.name, "the clinic's name");
    let language = answers.language.clone().unwrap_or_else(|| DEFAULT_LANGUAGE.to_string());
    let country = answers.country.clone().or_else(|| country_of(&language).map(str::to_string));
    let host = answers.host.unwrap_or(DEFAULT_HOST);
    let description = "General information about scalp micropigmentation, a treatment for hair loss: the procedure, its possible risks and aftercare.";
    fill(
        SITE_YAML,
        &[
            ("name", name),
            ("description", yaml_quote(description)),
            (
                "base_url_note",
                note(
                    answers.base_url.is_some(),
                    "",
                    "the site's address, once you know it, such as https://www.yourclinic.com/",
                ),
            ),
            ("base_url", yaml_quote(answers.base_url.as_deref().unwrap_or("https://example.org/"))),
            ("language", yaml_quote(&language)),
            ("host", host.name().to_string()),
            ("street", text_or_marker(&answers.street, "house number and street")),
            ("locality", text_or_marker(&answers.town, "town or city")),
            ("postal_code", text_or_marker(&answers.postcode, "postcode")),
            ("country", text_or_marker(&country, "country")),
            ("phone_note", note(answers.phone.is_some(), "  ", "the clinic's phone number")),
            ("phone", yaml_quote(answers.phone.as_deref().unwrap_or(""))),
            (
                "booking_note",
                note(
                    answers.booking_url.is_some(),
                    "  ",
                    "the address of your online booking page, or of your contact page",
                ),
            ),
            ("booking_url", yaml_quote(answers.booking_url.as_deref().unwrap_or("https://example.org/book"))),
        ],
    )
}

/// `template` with each `@@key@@` replaced by its value.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("@@{key}@@"), value);
    }
    out
}

/// `text` as a YAML double-quoted scalar that reads back as exactly `text`:
/// `"` and `\` escaped, and every character YAML would not keep as it is
/// (control characters, the line and paragraph separators, a byte-order
/// mark) written as an escape.
pub fn yaml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Answers {
        Answers {
            name: Some("Smith: \"Scalp\" # Clinic \\ 1".into()),
            phone: Some("+44 20 7946 0000".into()),
            street: Some("1 High Street".into()),
            town: Some("Exampleton".into()),
            postcode: Some("XX1 1XX".into()),
            country: None,
            booking_url: Some("https://book.example.org/smith".into()),
            language: Some("en-GB".into()),
            host: Some(Host::Netlify),
            base_url: Some("https://www.example.org/".into()),
        }
    }

    #[test]
    fn yaml_quote_round_trips_any_text() {
        for text in [
            "plain",
            "a: b",
            "\"quoted\" 'single'",
            "# not a comment",
            "back\\slash",
            "new\nline",
            "tab\there",
            "bell\u{7}",
            "nel\u{85}",
            "sep\u{2028}",
            "bom\u{feff}",
            "ünïcödé ✓",
            "- [x]",
            "&a *b",
            "",
        ] {
            let yaml = format!("v: {}\n", yaml_quote(text));
            let back: std::collections::BTreeMap<String, String> = serde_yaml::from_str(&yaml).unwrap();
            assert_eq!(back["v"], text, "{yaml}");
        }
    }

    #[test]
    fn every_slot_is_filled_and_the_settings_load() {
        let files = starter_site(&answers(), Date::new(2026, 11, 30).unwrap());
        for f in &files {
            assert!(!f.text.contains("@@"), "{} has an unfilled slot", f.path.display());
        }
        let yaml = &files.iter().find(|f| f.path == std::path::Path::new("site.yaml")).unwrap().text;
        let config = crate::config::parse_config(yaml).unwrap();
        assert_eq!(config.title, answers().name.unwrap());
        assert_eq!(config.clinic.address.country, "United Kingdom");
        assert_eq!(config.hosts, [Host::Netlify]);
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        let about = &files.iter().find(|f| f.path == std::path::Path::new("content/about.md")).unwrap().text;
        assert!(about.contains("reviewed: 2026-11-30\n"));
    }

    #[test]
    fn unanswered_settings_get_placeholders_and_still_load() {
        let files = starter_site(&Answers::default(), Date::new(2026, 11, 30).unwrap());
        let yaml = &files.iter().find(|f| f.path == std::path::Path::new("site.yaml")).unwrap().text;
        let config = crate::config::parse_config(yaml).unwrap();
        assert_eq!(config.clinic.name, "[[REPLACE: the clinic's name]]");
        assert_eq!(config.language, "en-GB");
        assert_eq!(config.hosts, [Host::GithubPages]);
        assert_eq!(config.clinic.phone, "");
        assert!(config.clinic.address.street.starts_with(crate::check::PLACEHOLDER));
        assert!(yaml.contains("# [[REPLACE: the site's address"));
        assert!(files.iter().any(|f| f.path == std::path::Path::new(".github/workflows/pages.yml")));
    }

    #[test]
    fn default_names_come_from_the_folder() {
        assert_eq!(default_name("smith-clinic"), "Smith Clinic");
        assert_eq!(default_name("dr_ng.skin"), "Dr Ng Skin");
        assert_eq!(default_name("."), "Our Clinic");
        assert_eq!(country_of("en-GB"), Some("United Kingdom"));
        assert_eq!(country_of("de"), None);
        assert_eq!(country_of("zh-Hant-TW"), None);
    }
}
