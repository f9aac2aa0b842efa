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

mod people;
pub use people::{Person, Registration};

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
    /// The pages' language (BCP 47), for `<html lang>`; with `languages`,
    /// the first of them (the default language) once loaded.
    #[serde(default = "default_language")]
    pub language: String,
    /// The site's languages, the default first ([`crate::language`]): its
    /// pages at the top, each other's under its folder (`/es/`). Once
    /// loaded it holds at least `language`.
    #[serde(default)]
    pub languages: Vec<crate::language::Language>,
    /// Where the clinic practises, as an ISO 3166-1 country code (`de`,
    /// `fr`) or `uk`: `check` then applies that country's rules for health
    /// advertising where dotwork knows them (`uk`: no prescription-only
    /// medicine named to the public). Lower case once loaded.
    #[serde(default)]
    pub region: Option<String>,
    /// The theme under `themes/`, or the built-in one.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// How a page's file and folder names become its address (`urls:`):
    /// `slugs` (lower case, `_` and spaces become `-`), `as-written`
    /// (each name kept as the file is named, for a site moved from
    /// elsewhere whose old addresses must keep working; issue 14) or
    /// `lowercase` (as written, in lower case, as Hugo writes addresses).
    #[serde(default)]
    pub urls: crate::url::UrlStyle,
    /// How a heading's text becomes its id, as the platform the pages were
    /// written for made it (`github`, the default; `gitlab`, `pandoc`,
    /// `python-markdown`, `kramdown`, `mediawiki`; `dotwork` for dotwork's
    /// rule before issue 14). A heading's `{#id}` always wins.
    #[serde(default)]
    pub heading_ids: HeadingRule,
    /// What a broken link (to a missing page, file or `#anchor`, or an
    /// address no page has) is: an `error` (the default: the site does not
    /// build) or a `warn`ing, so that a site moved from elsewhere builds
    /// while its links are fixed. `--broken-links` overrides it.
    #[serde(default)]
    pub broken_links: BrokenLinks,
    /// The clinic's contact details, shown on every page.
    #[serde(default)]
    pub clinic: Clinic,
    /// The currency of the `price` blocks, as an ISO 4217 code (`GBP`).
    #[serde(default)]
    pub currency: String,
    /// The clinic's team and the people who write and review pages, by the
    /// id pages use (`author: jsmith`, `reviewed_by: jsmith`, `person: jsmith`).
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
    /// The categories pages may list (`categories:` in their front matter):
    /// a fixed vocabulary, so a misspelt category is an error.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The medical disclaimer shown on every page.
    #[serde(default)]
    pub disclaimer: String,
    /// Whether the site has an Atom feed of its newest dated pages, across
    /// sections (`atom.xml`, [`crate::feed::FEED_ENTRIES`] of them).
    #[serde(default)]
    pub feed: bool,
    /// The clinic's colours and font (`brand:`, checked in `theme/brand.rs`).
    #[serde(default)]
    pub brand: crate::theme::brand::Brand,
    /// The clinic's logo, shown in the header instead of the theme's mark:
    /// its address in the built site, from the top (`images/logo.png` is
    /// `static/images/logo.png` or `content/images/logo.png`); once loaded
    /// it starts with `/`, so templates on any page name the same file.
    #[serde(default)]
    pub logo: Option<String>,
    /// The picture link previews show for pages without an `image` of
    /// their own (Open Graph, Twitter): an address from the top, as `logo`.
    #[serde(default)]
    pub image: Option<String>,
    /// What `image` shows, for visitors who cannot see it (required with it).
    #[serde(default)]
    pub image_alt: Option<String>,
    /// Where the site is published: which host files `build` writes
    /// (`_headers` and `_redirects` for Netlify and Cloudflare Pages, the
    /// Content-Security-Policy in each page for GitHub Pages) and which
    /// deploy file `init` made.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// Other websites the pages may load from or send forms to (a booking
    /// widget: `https://booking.example.com`), allowed by the site's
    /// Content-Security-Policy.
    #[serde(default)]
    pub allow_origins: Vec<String>,
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

/// A static host dotwork writes host files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Host {
    /// Netlify: `_headers`, `_redirects`.
    Netlify,
    /// Cloudflare Pages: `_headers`, `_redirects` (same syntax as Netlify's).
    CloudflarePages,
    /// GitHub Pages: no headers can be set, so the policy goes in each page.
    GithubPages,
    /// Any other static host (Amazon S3, a web server): as GitHub Pages.
    Other,
}

impl Host {
    /// Every host, in the order `init` offers them.
    pub const ALL: [Host; 4] = [Host::GithubPages, Host::Netlify, Host::CloudflarePages, Host::Other];

    /// How site.yaml and `--host` name it (`github-pages`): serde's name.
    pub fn name(self) -> &'static str {
        match self {
            Host::GithubPages => "github-pages",
            Host::Netlify => "netlify",
            Host::CloudflarePages => "cloudflare-pages",
            Host::Other => "other",
        }
    }

    /// The host named `name` as site.yaml and `--host` write it.
    pub fn from_name(name: &str) -> Option<Host> {
        Host::ALL.into_iter().find(|h| h.name() == name.trim().to_lowercase())
    }

    /// Its name for people.
    pub fn title(self) -> &'static str {
        match self {
            Host::GithubPages => "GitHub Pages",
            Host::Netlify => "Netlify",
            Host::CloudflarePages => "Cloudflare Pages",
            Host::Other => "another host",
        }
    }
}

pub use crate::markdown::HeadingRule;

/// What a broken link is: `broken_links:` in site.yaml, or `--broken-links`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum BrokenLinks {
    /// An error: the site does not build, `check` fails.
    #[default]
    Error,
    /// A warning: the site builds; `check` fails only with `--strict`.
    Warn,
}

impl BrokenLinks {
    /// The severity of a broken link's diagnostic.
    pub fn severity(self) -> crate::error::Severity {
        match self {
            BrokenLinks::Error => crate::error::Severity::Error,
            BrokenLinks::Warn => crate::error::Severity::Warning,
        }
    }
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
    /// Where the `location` block's directions link goes, an absolute URL;
    /// without it, OpenStreetMap's search for the address.
    #[serde(default)]
    pub map_url: String,
    /// Where the `location` block's directions link goes: `map_url`, or
    /// OpenStreetMap's search for the address (derived, never written).
    #[serde(skip_deserializing)]
    pub directions_url: String,
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
/// `clinic.map_url`, or else OpenStreetMap's search for the clinic's
/// address (no tracking, no key); empty without an address.
fn directions_url(clinic: &Clinic) -> String {
    if !clinic.map_url.is_empty() {
        return clinic.map_url.clone();
    }
    let a = &clinic.address;
    let parts = [&a.street, &a.locality, &a.postal_code, &a.country];
    let query: Vec<&str> = parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    if query.is_empty() {
        return String::new();
    }
    let query: String = url::form_urlencoded::byte_serialize(query.join(", ").as_bytes()).collect();
    format!("https://www.openstreetmap.org/search?query={query}")
}

/// Whether `code` is empty (no currency) or has the shape of an ISO 4217
/// code: three capital letters (`GBP`, `EUR`).
fn is_currency_code(code: &str) -> bool {
    code.is_empty() || (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
}

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
    let at_value = |value: &str, message: String| {
        let d = Diagnostic::error(file, message);
        match key_line(text, value) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    let at_setting = |key: &str, message: String| {
        let d = Diagnostic::error(file, message);
        match setting_line(text, &[key]) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    if let Some(url) = base_url_problem(&config.base_url) {
        problems.push(
            at_setting("base_url", url)
                .with_help("write the full address, e.g. base_url: \"https://www.example.org/\""),
        );
    }
    if config.title.trim().is_empty() {
        problems.push(at_setting("title", "the site title is empty".to_string()));
    }
    problems.extend(check_link_values(text, &mut config));
    if let Some(region) = &mut config.region {
        *region = region.trim().to_ascii_lowercase();
        if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.push(
                at_setting("region", format!("`{region}` is not a country code"))
                    .with_help("write the country's two-letter code: uk, ie, de, fr, es, ..."),
            );
        }
    }
    problems.extend(check_origins(text, &mut config.allow_origins));
    if config.image.is_some() && config.image_alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
        problems.push(
            at_setting("image", "the site's `image` has no alt text".to_string())
                .with_help("add `image_alt:` with what the picture shows, for visitors who cannot see it"),
        );
    }
    problems.extend(crate::category::vocabulary_problems(text, &config.categories));
    problems.extend(crate::theme::brand::check_brand(text, &mut config.brand));
    if !is_currency_code(&config.currency) {
        problems.push(
            at_setting("currency", format!("currency `{}` is not an ISO 4217 code", config.currency))
                .with_help("write the three capital letters of the currency, e.g. currency: GBP, EUR or USD"),
        );
    }
    for hours in &mut config.clinic.opening_hours {
        match parse_days(&hours.days) {
            Some(days) => hours.day_of_week = days,
            None => problems.push(
                at_value(&hours.days, format!("`{}` are not days of the week", hours.days))
                    .with_help("write days like \"Monday to Friday\", \"Saturday\" or \"Mon, Wed and Fri\""),
            ),
        }
        for time in [&hours.opens, &hours.closes] {
            if !is_clock_time(time) {
                problems.push(
                    at_value(time, format!("`{time}` is not a time of day"))
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
    config.clinic.directions_url = directions_url(&config.clinic);
    for address in [&mut config.logo, &mut config.image].into_iter().flatten() {
        *address = from_the_top(address);
    }
    Ok(config)
}

/// Checks the settings that become links, attributes or file paths (issue
/// 9: a `javascript:` booking_url went onto every page, and a phone number
/// with an extension made a wrong `tel:` link); derives `phone_href`.
fn check_link_values(text: &str, config: &mut SiteConfig) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let at = |path: &[&str], value: &str, message: String, help: &str| {
        let d = Diagnostic::error(CONFIG_FILE, message).with_help(help);
        match setting_line(text, path).or_else(|| key_line(text, value)) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    let clinic = &mut config.clinic;
    if let Some(problem) = web_address_problem(&clinic.booking_url) {
        problems.push(at(
            &["clinic", "booking_url"],
            &clinic.booking_url,
            format!("booking_url `{}` {problem}", shown(&clinic.booking_url)),
            "write the full address of the booking page, e.g. booking_url: \"https://book.example.org/clinic\"",
        ));
    }
    if let Some(problem) = web_address_problem(&clinic.map_url) {
        problems.push(at(
            &["clinic", "map_url"],
            &clinic.map_url,
            format!("map_url `{}` {problem}", shown(&clinic.map_url)),
            "write the full address of the directions page, e.g. map_url: \"https://www.openstreetmap.org/...\"",
        ));
    }
    match phone_href(&clinic.phone) {
        Ok(href) => clinic.phone_href = href,
        Err(problem) => problems.push(at(
            &["clinic", "phone"],
            &clinic.phone,
            format!("phone `{}` {problem}", shown(&clinic.phone)),
            "write the number with digits, spaces and a leading +, e.g. phone: \"+44 20 7946 0000\", and an extension as \"+44 20 7946 0000 ext. 2\"",
        )),
    }
    if let Some(problem) = email_problem(&clinic.email) {
        problems.push(at(
            &["clinic", "email"],
            &clinic.email,
            format!("email `{}` {problem}", shown(&clinic.email)),
            "write one address, e.g. email: reception@example.org",
        ));
    }
    problems.extend(people::check_people(text, &mut config.people));
    problems.extend(check_languages(text, config));
    if !is_language_tag(&config.language) {
        problems.push(at(
            &["language"],
            &config.language,
            format!("language `{}` is not a language code", shown(&config.language)),
            "write a language code such as en, en-GB or de",
        ));
    }
    if !is_folder_name(&config.theme) {
        problems.push(at(
            &["theme"],
            &config.theme,
            format!("theme `{}` is not the name of a folder in themes/", shown(&config.theme)),
            "write the name of a folder inside themes/, e.g. theme: clinic",
        ));
    }
    problems
}

/// A value as it may be shown in a message: control characters escaped.
fn shown(value: &str) -> String {
    value.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

/// Why `url` cannot be written into a link or a file such as sitemap.xml:
/// control characters, spaces, quotes and `<>\` end or break the attribute.
fn unsafe_char(url: &str) -> Option<String> {
    let c = url.chars().find(|&c| c.is_control() || c.is_whitespace() || "\"'<>\\`{}|^".contains(c))?;
    Some(match c {
        ' ' => "contains a space".to_string(),
        c if c.is_control() || c.is_whitespace() => {
            format!("contains an invisible character ({})", c.escape_unicode())
        }
        c => format!("contains `{c}`"),
    })
}

/// Why `url`, when set, is not an `http(s)` address of a page.
pub(crate) fn web_address_problem(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with(['/', '?', '#']) => unsafe_char(url),
        _ => Some("is not an http:// or https:// address".to_string()),
    }
}

/// Why `email`, when set, cannot make a `mailto:` link to one address.
fn email_problem(email: &str) -> Option<String> {
    if email.is_empty() {
        return None;
    }
    if let Some(problem) = unsafe_char(email) {
        return Some(problem);
    }
    // `?`, `&`, `,` and `;` would add recipients or headers to the link.
    if let Some(c) = email.chars().find(|c| "?&,;:/#%".contains(*c)) {
        return Some(format!("contains `{c}`"));
    }
    match email.split_once('@') {
        Some((name, domain))
            if !name.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.ends_with('.') =>
        {
            None
        }
        _ => Some("is not an email address".to_string()),
    }
}

/// Checks `languages:` and makes `language` its first: each a language
/// code, none twice, and `language`, if written too, the first.
fn check_languages(text: &str, config: &mut SiteConfig) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if config.languages.is_empty() {
        config
            .languages
            .push(crate::language::Language { code: config.language.clone(), ..Default::default() });
        return problems;
    }
    // `nth`: which of the places `code` is written to point at (0: the
    // first), so that a language listed twice is shown at its second.
    let at = |code: &str, nth: usize, message: String, help: &str| {
        let d = Diagnostic::error(CONFIG_FILE, message).with_help(help);
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        let loc = setting_line(text, &["languages"]).and_then(|start| {
            text.lines()
                .enumerate()
                .skip(start.line - 1)
                .filter(|(_, line)| !line.trim_start().starts_with('#'))
                .flat_map(|(n, line)| {
                    line.match_indices(code)
                        .filter(move |&(column, _)| {
                            !word(line[..column].chars().next_back())
                                && !word(line[column + code.len()..].chars().next())
                        })
                        .map(move |(column, _)| Location { line: n + 1, column: column + 1 })
                })
                .nth(nth)
        });
        match loc {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for (k, language) in config.languages.iter().enumerate() {
        let code = &language.code;
        if !is_language_tag(code) {
            problems.push(at(
                code,
                0,
                format!("language `{}` is not a language code", shown(code)),
                "write a BCP 47 language code such as en, en-GB, es or pt-BR",
            ));
        } else if seen.contains(&code.to_ascii_lowercase()) {
            let nth = config.languages[..k].iter().filter(|l| &l.code == code).count();
            problems.push(at(
                code,
                nth,
                format!("language `{code}` is listed twice"),
                "list each language once",
            ));
        }
        seen.push(code.to_ascii_lowercase());
    }
    problems.extend(check_language_domains(text, config));
    let first = config.languages[0].code.clone();
    if setting_line(text, &["language"]).is_some() && !config.language.eq_ignore_ascii_case(&first) {
        let d = Diagnostic::error(
            CONFIG_FILE,
            format!("language `{}` is not the first of `languages` (`{first}`)", shown(&config.language)),
        )
        .with_help("the first of `languages` is the site's main language: remove the line `language:`");
        problems.push(match setting_line(text, &["language"]) {
            Some(loc) => d.at(text, loc),
            None => d,
        });
    }
    config.language = first;
    problems
}

/// Checks the `base_url` of each language that has its own domain, and
/// writes it as the site's is written (ending in `/`): an address, not the
/// first language's (which is the site's), and on a host of its own.
fn check_language_domains(text: &str, config: &mut SiteConfig) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // The `base_url:` lines under `languages:`, in order: the nth is the
    // nth language that has one.
    let lines: Vec<Location> = setting_line(text, &["languages"])
        .map(|start| {
            text.lines()
                .enumerate()
                .skip(start.line)
                .take_while(|(_, line)| line.trim().is_empty() || line.starts_with([' ', '-', '#']))
                .filter_map(|(n, line)| {
                    let column = line.find("base_url:")?;
                    Some(Location { line: n + 1, column: column + 1 })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut hosts = vec![host_of(&config.base_url)];
    let mut nth = 0;
    for k in 0..config.languages.len() {
        let Some(url) = config.languages[k].base_url.clone() else { continue };
        let line = lines.get(nth).copied();
        nth += 1;
        let at = |d: Diagnostic| match line {
            Some(loc) => d.at(text, loc),
            None => d,
        };
        let code = config.languages[k].code.clone();
        if k == 0 {
            problems.push(at(Diagnostic::error(
                CONFIG_FILE,
                format!("`{code}` is the site's main language: its address is the site's `base_url`"),
            )
            .with_help("move this base_url to the top of site.yaml, or leave it out")));
            continue;
        }
        if let Some(problem) = base_url_problem(&url) {
            problems.push(at(Diagnostic::error(CONFIG_FILE, problem)
                .with_help("write the full address of the language's own domain, e.g. base_url: \"https://www.example.es/\"")));
            continue;
        }
        let url = normalize_base_url(&url);
        let host = host_of(&url);
        if hosts.contains(&host) {
            problems.push(at(Diagnostic::error(
                CONFIG_FILE,
                format!("`{code}` is on the host `{host}`, which another of the site's addresses has"),
            )
            .with_help(format!(
                "a language's own base_url is a domain of its own; leave it out and `{code}` lives under /{}/",
                config.languages[k].folder()
            ))));
            continue;
        }
        hosts.push(host);
        config.languages[k].base_url = Some(url);
    }
    problems
}

/// The host of a base URL, as a folder of the output and for comparing:
/// `www.example.org` for `https://www.example.org/clinic/`.
pub(crate) fn host_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| base_url.to_string())
}

impl SiteConfig {
    /// The settings as pages in language `lang` see them: its code as
    /// `language`, and its title, description, disclaimer and image's alt
    /// text where site.yaml gives them in that language.
    pub fn in_language(&self, lang: usize) -> SiteConfig {
        let mut config = self.clone();
        let Some(l) = self.languages.get(lang) else { return config };
        config.language = l.code.clone();
        for (own, setting) in [
            (&l.title, &mut config.title),
            (&l.description, &mut config.description),
            (&l.disclaimer, &mut config.disclaimer),
        ] {
            if let Some(own) = own {
                *setting = own.clone();
            }
        }
        if l.image_alt.is_some() {
            config.image_alt = l.image_alt.clone();
        }
        if let Some(url) = &l.base_url {
            config.base_url = url.clone();
        }
        for person in config.people.values_mut() {
            if let Some(profile) = person.profiles.get(&lang) {
                person.profile = Some(profile.clone());
            }
        }
        config
    }
}

/// A BCP 47 tag as `<html lang>` needs: `en`, `en-GB`, `zh-Hant-TW`.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A plain folder name: no path separators, no `..`, not hidden.
fn is_folder_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.chars().any(|c| c.is_control() || "/\\:".contains(c))
}

/// Checks each of `allow_origins` is an origin, `https://` and a host with
/// no path, which is what a Content-Security-Policy source must be to allow
/// a site and no more; writes each as browsers compare it (lower case, the
/// host in ASCII, no `/` at the end).
fn check_origins(text: &str, origins: &mut [String]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for origin in origins.iter_mut() {
        match origin_problem(origin) {
            Ok(normal) => *origin = normal,
            Err(problem) => {
                let d =
                    Diagnostic::error(CONFIG_FILE, format!("allow_origins: `{}` {problem}", shown(origin)))
                        .with_help(
                            "write the address of the other website alone, starting with https://, \
                         e.g. https://booking.example.com",
                        );
                problems.push(
                    match key_line(text, origin).or_else(|| setting_line(text, &["allow_origins"])) {
                        Some(loc) => d.at(text, loc),
                        None => d,
                    },
                );
            }
        }
    }
    problems
}

/// The origin `value` names, as browsers write it, or what is wrong with it.
fn origin_problem(value: &str) -> Result<String, &'static str> {
    if value.contains('*') {
        return Err("has a wildcard (*), which would allow every site under it");
    }
    let url = url::Url::parse(value.trim()).map_err(|_| "is not a web address")?;
    if url.scheme() != "https" {
        return Err("does not start with https://");
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err("is not a web address");
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("has a path after the site's name: only the site itself can be allowed");
    }
    Ok(url.origin().ascii_serialization())
}

/// Replaces the base URL (from `--base-url`), with the same checks.
pub fn override_base_url(config: &mut SiteConfig, url: &str) -> Result<(), Diagnostic> {
    if let Some(problem) = base_url_problem(url) {
        return Err(Diagnostic::error("--base-url", problem));
    }
    config.base_url = normalize_base_url(url);
    Ok(())
}

pub(crate) fn base_url_problem(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.contains(['?', '#']) => {
            unsafe_char(url).map(|problem| format!("base_url `{}` {problem}", shown(url)))
        }
        _ => Some(format!("base_url `{}` is not an http:// or https:// address", shown(url))),
    }
}

/// An image's address in site.yaml, which is always from the site's top
/// (`images/logo.png`), written so that it names the same file from every
/// page (`/images/logo.png`); another site's address stays as it is.
fn from_the_top(address: &str) -> String {
    let address = address.trim();
    if address.starts_with('/') || crate::url::has_scheme(address) {
        address.to_string()
    } else {
        format!("/{address}")
    }
}

fn normalize_base_url(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

fn is_clock_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// `+44 20 7946 0000` -> `tel:+442079460000`; `020 7946 0999 (ext. 2)`
/// -> `tel:02079460999;ext=2` (RFC 3966). Empty stays empty. Letters other
/// than an extension's `ext`/`x` are refused: a vanity number (`0800 FLOWERS`)
/// cannot be dialled from a link.
pub(crate) fn phone_href(phone: &str) -> Result<String, String> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Ok(String::new());
    }
    let lower = phone.to_lowercase();
    // The extension starts at its marker: `ext`, `extension`, `x` or `#`.
    let marker = lower.find(|c: char| c.is_alphabetic() || c == '#');
    let (number, extension) = match marker {
        Some(i) => (&lower[..i], Some(&lower[i..])),
        None => (lower.as_str(), None),
    };
    let number = number.trim_end().trim_end_matches(['(', ',', ';']).trim_end();
    if let Some(c) = number.chars().find(|c| !c.is_ascii_digit() && !" +-.()/".contains(*c)) {
        return Err(format!("cannot be dialled from a link: it contains `{}`", shown(&c.to_string())));
    }
    if number.rfind('+').is_some_and(|i| i > 0) {
        return Err("cannot be dialled from a link: `+` may only start the number".to_string());
    }
    // `+44 (0)20 ...`: the `(0)` is dialled only from inside the country.
    let number = if number.starts_with('+') { number.replace("(0)", "") } else { number.to_string() };
    let digits: String = number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    if digits.trim_start_matches('+').len() < 3 {
        return Err("is not a phone number".to_string());
    }
    let mut href = format!("tel:{digits}");
    if let Some(ext) = extension {
        let rest = ["extension", "ext", "x", "#"]
            .iter()
            .find_map(|m| ext.strip_prefix(m))
            .map(|r| r.trim_matches(|c: char| c == '.' || c == ':' || c == ')' || c.is_whitespace()));
        match rest {
            Some(ext) if !ext.is_empty() && ext.chars().all(|c| c.is_ascii_digit()) => {
                href.push_str(";ext=");
                href.push_str(ext);
            }
            _ => {
                return Err(
                    "cannot be dialled from a link: only digits, spaces, `+` and an extension such as `ext. 2` can be"
                        .to_string(),
                );
            }
        }
    }
    Ok(href)
}

/// Where the setting `path` (`clinic`, `phone`) is written as nested `key:`
/// lines of site.yaml's `text`, for pointing at its value: each key is looked
/// for inside the block of the one before it, so a comment or another value
/// that mentions the name is not taken for it. `None` for flow style
/// (`clinic: {phone: 1}`).
pub(crate) fn setting_line(text: &str, path: &[&str]) -> Option<Location> {
    let mut depth = 0;
    let mut parent_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if depth == 0 && indent > 0 {
            continue;
        }
        if parent_indent.is_some_and(|p| indent <= p) {
            // Left the parent's block without finding the key.
            return None;
        }
        let key = trimmed.trim_start_matches("- ").split(':').next().unwrap_or_default();
        let key = key.trim().trim_matches(['"', '\'']);
        if key == path[depth] && trimmed.contains(':') {
            depth += 1;
            if depth == path.len() {
                return Some(Location { line: i + 1, column: line[..indent].chars().count() + 1 });
            }
            parent_indent = Some(indent);
        }
    }
    None
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
        assert_eq!(crate::url::base_path(&c.base_url), "/clinic/");
        assert_eq!(crate::url::base_path("https://example.org/"), "/");
        assert_eq!(c.clinic.phone_href, "tel:+442079460000");
        assert_eq!(c.language, "en");
        assert_eq!(c.theme, "clinic");
    }

    #[test]
    fn urls_are_slugs_or_as_written() {
        assert_eq!(parse_config(GOOD).unwrap().urls, crate::url::UrlStyle::Slugs);
        let kept = format!("{GOOD}urls: as-written\n");
        assert_eq!(parse_config(&kept).unwrap().urls, crate::url::UrlStyle::AsWritten);
        let lower = format!("{GOOD}urls: lowercase\n");
        assert_eq!(parse_config(&lower).unwrap().urls, crate::url::UrlStyle::Lowercase);
        let d = &parse_config(&format!("{GOOD}urls: lower\n")).unwrap_err()[0];
        assert_eq!(d.message, "`urls` must be one of slugs, as-written, lowercase, not `lower`");
        assert!(d.location.is_some());
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
    fn image_addresses_are_from_the_top_and_need_alt_text() {
        let text = format!("{GOOD}logo: images/logo.png\nimage: /images/card.jpg\nimage_alt: The clinic\n");
        let c = parse_config(&text).unwrap();
        assert_eq!(c.logo.as_deref(), Some("/images/logo.png"));
        assert_eq!(c.image.as_deref(), Some("/images/card.jpg"));
        let remote = format!("{GOOD}logo: https://cdn.example.org/logo.svg\n");
        assert_eq!(parse_config(&remote).unwrap().logo.as_deref(), Some("https://cdn.example.org/logo.svg"));
        let no_alt = format!("{GOOD}image: card.jpg\n");
        let d = &parse_config(&no_alt).unwrap_err()[0];
        assert_eq!(d.message, "the site's `image` has no alt text");
        assert_eq!(d.location.map(|l| l.line), Some(9));
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

    #[test]
    fn a_setting_is_found_at_its_key_not_in_a_comment_that_names_it() {
        let text = "# base_url: the address of the site\ntitle: T\nbase_url: example.org\n";
        let ds = parse_config(text).unwrap_err();
        assert_eq!(ds[0].location.map(|l| l.line), Some(3), "{ds:?}");
        assert_eq!(
            setting_line("clinic:\n  # phone: below\n  phone: 1\n", &["clinic", "phone"]).map(|l| l.line),
            Some(3)
        );
    }

    #[test]
    fn phone_numbers_make_tel_links() {
        let ok = |p: &str| phone_href(p).unwrap();
        assert_eq!(ok("+44 20 7946 0000"), "tel:+442079460000");
        assert_eq!(ok("020 7946 0999 (ext. 2)"), "tel:02079460999;ext=2");
        assert_eq!(ok("+1 (555) 010-0199 x123"), "tel:+15550100199;ext=123");
        assert_eq!(ok("+44 (0)20 7946 0000"), "tel:+442079460000");
        assert_eq!(ok("0123.456.789 Extension: 45"), "tel:0123456789;ext=45");
        assert_eq!(ok(""), "");
        for bad in ["0800 FLOWERS", "+44 20 7946 0000 ext.", "020 +7946", "12", "020 7946 <b>", "ext. 2"] {
            assert!(phone_href(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_that_become_links_are_checked_at_their_line() {
        let text = "title: T\nbase_url: https://example.org/\nclinic:\n  name: url\n  phone: \"0800 FLOWERS\"\n  email: \"a@b.org?bcc=x@y.org\"\n  booking_url: \"javascript:alert(1)\"\npeople:\n  jsmith:\n    name: J\n    url: \"https://x.org/\\\"onmouseover\"\nlanguage: \"en\\\" x\"\ntheme: ../../etc\n";
        let ds = parse_config(text).unwrap_err();
        let got: Vec<(usize, &str)> =
            ds.iter().map(|d| (d.location.map_or(0, |l| l.line), d.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (7, "booking_url `javascript:alert(1)` is not an http:// or https:// address"),
                (
                    5,
                    "phone `0800 FLOWERS` cannot be dialled from a link: only digits, spaces, `+` and an extension such as `ext. 2` can be"
                ),
                (6, "email `a@b.org?bcc=x@y.org` contains `?`"),
                (11, "url `https://x.org/\"onmouseover` of `jsmith` contains `\"`"),
                (12, "language `en\" x` is not a language code"),
                (13, "theme `../../etc` is not the name of a folder in themes/"),
            ]
        );
        assert!(ds.iter().all(|d| d.help.is_some()));
    }

    #[test]
    fn base_url_refuses_characters_that_break_links_and_sitemaps() {
        // As written in YAML's double quotes: a bell, a tab, a space, a quote, `<`.
        for bad in [
            r"https://example.org/\x07",
            r"https://e.org/\t",
            "https://exa mple.org/",
            r#"https://e.org/\"x"#,
            "https://e.org/<a>",
        ] {
            let text = format!("title: T\nbase_url: \"{bad}\"\n");
            let ds = parse_config(&text).unwrap_err();
            assert_eq!(ds[0].location.map(|l| l.line), Some(2), "{bad}");
        }
        let mut c = parse_config(GOOD).unwrap();
        assert!(override_base_url(&mut c, "https://example.org/\n").is_err());
        assert!(override_base_url(&mut c, "https://münchen.example/").is_ok());
    }
}
