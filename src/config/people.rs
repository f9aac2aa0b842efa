//! `people:` in site.yaml: the clinic's team (issue 13), as a practitioner
//! profile needs them: role, qualifications, professional registration,
//! photo with alt text, languages spoken, and whether they are a medical
//! practitioner.
//!
//! Languages are written as BCP 47 codes (`en`, `pl`, `pt-BR`, `bfi` for
//! British Sign Language), not names: a code is what `knowsLanguage` in
//! structured data and `lang` in HTML take, and it can be checked. The name
//! shown to visitors comes from `languages.tsv` (every ISO 639-1 code and
//! every living language of ISO 639-3, in English); a code not in it is an
//! error, with the code suggested when a language's name was written.
//!
//! The address of each person's profile page is not a setting: the page
//! that names them (`person: reviewer` in its front matter) is their
//! profile, found by the parse stage (`crate::people`), which fills in
//! [`Person::profile`].

use serde::{Deserialize, Serialize};

use super::{CONFIG_FILE, key_line, setting_line, shown, web_address_problem};
use crate::error::Diagnostic;

/// Someone who writes or reviews pages, or is on the clinic's team.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name, as shown on pages.
    pub name: String,
    /// Letters after the name (`MBBS, MRCP`), shown after it.
    #[serde(default)]
    pub credentials: String,
    /// Job title or role (`Consultant dermatologist`).
    #[serde(default)]
    pub job_title: String,
    /// Qualifications, each in full (`MBBS, University of London, 2009`).
    #[serde(default)]
    pub qualifications: Vec<String>,
    /// Their registration with a professional regulator, if any.
    #[serde(default)]
    pub registration: Option<Registration>,
    /// A photo of them: an address from the site's top, as `logo`.
    #[serde(default)]
    pub photo: Option<String>,
    /// What the photo shows (required with it).
    #[serde(default)]
    pub photo_alt: Option<String>,
    /// The languages they speak with patients, as BCP 47 codes (`en`, `pl`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Whether they are a medical practitioner (a doctor). Only someone
    /// who is not (`medical: false`) is refused as a page's `reviewed_by`;
    /// unset, nothing is claimed either way.
    #[serde(default)]
    pub medical: Option<bool>,
    /// A page about them elsewhere (an absolute URL): their address when
    /// they have no profile page here, `sameAs` in structured data when they do.
    #[serde(default)]
    pub url: String,
    /// The English names of `languages`, in the same order.
    #[serde(skip_deserializing)]
    pub language_names: Vec<String>,
    /// The URL path of their profile page (`/team/reviewer/`), if a page
    /// names them with `person:`.
    #[serde(skip_deserializing)]
    pub profile: Option<String>,
    /// Their profile page in each language that has one, by language
    /// number (`SiteConfig::in_language` makes it `profile`).
    #[serde(skip)]
    pub profiles: std::collections::BTreeMap<usize, String>,
}

/// A registration with a professional regulator.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The regulator (`General Medical Council`).
    pub body: String,
    /// The registration number, as the regulator writes it.
    pub number: String,
    /// The entry in the regulator's public register (an absolute URL).
    #[serde(default)]
    pub url: String,
}

/// The English name of the language whose BCP 47 tag is `tag` (`pt-BR`:
/// Portuguese), if its first part is a known code.
pub(crate) fn language_name(tag: &str) -> Option<&'static str> {
    let primary = tag.split('-').next()?.to_ascii_lowercase();
    LANGUAGES.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (code, name) = line.split_once('\t')?;
        (code == primary).then_some(name)
    })
}

/// The code of the language named `name` (`Polish`: `pl`), for suggesting it.
fn language_code(name: &str) -> Option<&'static str> {
    let name = name.trim();
    LANGUAGES.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (code, known) = line.split_once('\t')?;
        known.eq_ignore_ascii_case(name).then_some(code)
    })
}

const LANGUAGES: &str = include_str!("languages.tsv");

/// Checks each person of site.yaml (whose text is `text`) and fills in the
/// names of their languages; problems point at the setting's line.
pub(super) fn check_people(
    text: &str,
    people: &mut std::collections::BTreeMap<String, Person>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (id, person) in people.iter_mut() {
        let at = |path: &[&str], value: &str, message: String, help: &str| {
            let d = Diagnostic::error(CONFIG_FILE, message).with_help(help);
            let mut full = vec!["people", id.as_str()];
            full.extend_from_slice(path);
            match setting_line(text, &full).or_else(|| key_line(text, value)) {
                Some(loc) => d.at(text, loc),
                None => d,
            }
        };
        if let Some(problem) = web_address_problem(&person.url) {
            problems.push(at(
                &["url"],
                &person.url,
                format!("url `{}` of `{id}` {problem}", shown(&person.url)),
                "write the full address of a page about them, e.g. url: \"https://www.example.org/team/jsmith/\"",
            ));
        }
        if let Some(r) = &person.registration {
            if let Some(problem) = web_address_problem(&r.url) {
                problems.push(at(
                    &["registration", "url"],
                    &r.url,
                    format!("the registration url `{}` of `{id}` {problem}", shown(&r.url)),
                    "write the full address of their entry in the regulator's register, e.g. url: \"https://www.gmc-uk.org/doctors/1234567\"",
                ));
            }
            for (key, value) in [("body", &r.body), ("number", &r.number)] {
                if value.trim().is_empty() {
                    problems.push(at(
                        &["registration", key],
                        "registration:",
                        format!("the registration of `{id}` has an empty `{key}`"),
                        "a registration names the regulator (body: General Medical Council) and the number it gives (number: \"1234567\")",
                    ));
                }
            }
        }
        if person.photo.is_some() && person.photo_alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
            problems.push(at(
                &["photo"],
                "photo:",
                format!("the photo of `{id}` has no alt text"),
                "add `photo_alt:` with what the photo shows, e.g. photo_alt: \"Dr Jane Smith smiling, in a blue shirt\"",
            ));
        }
        person.language_names.clear();
        for tag in &person.languages {
            match language_name(tag).filter(|_| super::is_language_tag(tag)) {
                Some(name) => person.language_names.push(name.to_string()),
                None => {
                    let help = match language_code(tag) {
                        Some(code) => format!("did you mean `{code}`? Languages are written as codes"),
                        None => "write each language as a code (BCP 47), e.g. en, pl, pt-BR, or bfi for British Sign Language".to_string(),
                    };
                    let d = Diagnostic::error(
                        CONFIG_FILE,
                        format!("`{}` in the languages of `{id}` is not a language code", shown(tag)),
                    )
                    .with_help(help);
                    let loc = setting_line(text, &["people", id, "languages"])
                        .and_then(|from| value_line_after(text, from.line, tag))
                        .or_else(|| setting_line(text, &["people", id, "languages"]));
                    problems.push(match loc {
                        Some(loc) => d.at(text, loc),
                        None => d,
                    });
                }
            }
        }
        if let Some(photo) = &mut person.photo {
            *photo = super::from_the_top(photo);
        }
    }
    problems
}

/// Where `value` is written on line `line` (1-based) of `text` or below it.
fn value_line_after(text: &str, line: usize, value: &str) -> Option<crate::error::Location> {
    text.lines().enumerate().skip(line - 1).find_map(|(i, l)| {
        let col = l.find(value)?;
        Some(crate::error::Location { line: i + 1, column: l[..col].chars().count() + 1 })
    })
}

#[cfg(test)]
mod tests {
    use crate::config::parse_config;

    const HEAD: &str = "title: T\nbase_url: https://example.org/\npeople:\n";

    fn problems(people: &str) -> Vec<(usize, String, String)> {
        parse_config(&format!("{HEAD}{people}"))
            .unwrap_err()
            .into_iter()
            .map(|d| (d.location.map_or(0, |l| l.line), d.message, d.help.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_full_profile_is_read_and_languages_get_names() {
        let c = parse_config(&format!(
            "{HEAD}  dr:\n    name: Dr A\n    qualifications: [MBBS, MRCP]\n    registration:\n      body: General Medical Council\n      number: \"1234567\"\n      url: https://www.gmc-uk.org/doctors/1234567\n    photo: images/a.jpg\n    photo_alt: Dr A\n    languages: [en, pt-BR, bfi]\n    medical: true\n"
        ))
        .unwrap();
        let p = &c.people["dr"];
        assert_eq!(p.language_names, ["English", "Portuguese", "British Sign Language"]);
        assert_eq!(p.photo.as_deref(), Some("/images/a.jpg"));
        assert_eq!(p.registration.as_ref().unwrap().number, "1234567");
        assert_eq!(p.medical, Some(true));
    }

    #[test]
    fn a_photo_needs_alt_text_at_its_line() {
        let got = problems("  dr:\n    name: Dr A\n    photo: a.jpg\n");
        assert_eq!(got[0].0, 6);
        assert_eq!(got[0].1, "the photo of `dr` has no alt text");
    }

    #[test]
    fn languages_are_codes_and_a_name_suggests_its_code() {
        let got =
            problems("  dr:\n    name: Dr A\n    languages:\n      - en\n      - Polish\n      - xx-\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            (got[0].0, got[0].1.as_str()),
            (8, "`Polish` in the languages of `dr` is not a language code")
        );
        assert!(got[0].2.starts_with("did you mean `pl`?"), "{got:?}");
        assert_eq!(got[1].0, 9);
    }

    #[test]
    fn a_registration_link_must_be_a_web_address() {
        let got = problems(
            "  dr:\n    name: Dr A\n    registration:\n      body: GMC\n      number: \"1\"\n      url: \"javascript:alert(1)\"\n",
        );
        assert_eq!(got[0].0, 9);
        assert_eq!(
            got[0].1,
            "the registration url `javascript:alert(1)` of `dr` is not an http:// or https:// address"
        );
        let got = problems("  dr:\n    name: Dr A\n    registration:\n      body: GMC\n      number: \"\"\n");
        assert_eq!((got[0].0, got[0].1.as_str()), (8, "the registration of `dr` has an empty `number`"));
    }
}
