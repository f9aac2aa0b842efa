//! Parse and render: the clinic's team (issue 13). A page whose front matter
//! names someone of site.yaml's `people` (`person: reviewer`) is their
//! profile page, rendered with `person.html`; pages they wrote or reviewed
//! (`author:`, `reviewed_by:`) link their name to it, and structured data
//! gives them one `@id` (the profile's URL and `#person`).
//!
//! Checked here, at the page's key: a person a page names must be in
//! site.yaml; one person has one profile page; a page is not "medically
//! reviewed" by someone site.yaml says is not a medical practitioner.

use crate::collections::HashMap;

use serde::Serialize;

use crate::config::{Person, SiteConfig};
use crate::content::Page;
use crate::error::{Diagnostic, did_you_mean};

/// A person as templates see them from one page: site.yaml's fields, their
/// `id`, and `link`, the URL of their profile page relative to that page
/// (else their `url` elsewhere, else empty).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PersonView<'a> {
    #[serde(flatten)]
    person: &'a Person,
    id: &'a str,
    link: String,
}

/// The person `id` as seen from the page at URL path `from`.
pub(crate) fn view<'a>(
    config: &'a SiteConfig,
    domains: &crate::domains::Domains,
    id: Option<&'a str>,
    from: &str,
) -> Option<PersonView<'a>> {
    let (id, person) = config.people.get_key_value(id?)?;
    let link = match &person.profile {
        Some(profile) => domains.link(from, profile),
        None => person.url.clone(),
    };
    Some(PersonView { person, id, link })
}

/// Checks the people pages name and records each person's profile page in
/// `config` (pages must have their URLs).
pub(crate) fn link_people(pages: &[Page], config: &mut SiteConfig, problems: &mut Vec<Diagnostic>) {
    let known: Vec<String> = config.people.keys().cloned().collect();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let unknown = |page: &Page, key: &str, id: &str| {
        let d =
            Diagnostic::error(&page.source, format!("`{key}: {id}` is not among the people in site.yaml"));
        let d = match did_you_mean(id, &known) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")),
            None => d.with_help(format!("add `{id}:` with a `name` under `people:` in site.yaml")),
        };
        page.at_key(d, key)
    };
    // One profile page per person in each language.
    let mut profiles: HashMap<(&str, usize), &Page> = HashMap::default();
    for page in pages {
        for (key, id) in [
            ("author", &page.meta.author),
            ("reviewed_by", &page.meta.reviewed_by),
            ("person", &page.meta.person),
        ] {
            let Some(id) = id else { continue };
            let Some(person) = config.people.get(&**id) else {
                problems.push(unknown(page, key, id));
                continue;
            };
            if key == "reviewed_by" && person.medical == Some(false) {
                let d = Diagnostic::error(
                    &page.source,
                    format!("the page says it is medically reviewed by `{id}`, but site.yaml says they are not a medical practitioner (`medical: false`)"),
                )
                .with_help("name a medical practitioner in `reviewed_by`, or put `author:` instead if they wrote the page");
                problems.push(page.at_key(d, key));
            }
            if key != "person" {
                continue;
            }
            if let Some(first) = profiles.get(&(&**id, page.lang)) {
                let d = Diagnostic::error(
                    &page.source,
                    format!("`{id}` already has a profile page, {}", first.source.display()),
                )
                .with_help("one page per person: remove `person:` from one of them");
                problems.push(page.at_key(d, key));
            } else {
                profiles.insert((id, page.lang), page);
            }
        }
    }
    for ((id, lang), page) in profiles {
        if let Some(person) = config.people.get_mut(id) {
            person.profiles.insert(lang, page.path.clone());
        }
    }
    // Where a profile is linked from: the default language's page, else the first.
    for person in config.people.values_mut() {
        person.profile = person.profiles.values().next().cloned();
    }
}
