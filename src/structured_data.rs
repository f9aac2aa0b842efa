//! Render, part two: schema.org structured data (JSON-LD) for every page,
//! generated from site.yaml and front matter rather than written by hand.
//!
//! Each page carries one `@graph`: the `MedicalClinic` (stable `@id`
//! `BASE#clinic`, the site's `base_url` on every domain of a site whose
//! languages have their own), the `WebSite` (one per domain), the page as a `MedicalWebPage` (reviewer,
//! review date, audience, cited works as `ScholarlyArticle`s), a
//! `BreadcrumbList` below the home page, and a `TherapeuticProcedure` where
//! the front matter describes one. A profile page is a `ProfilePage` whose
//! `mainEntity` is the `Person` (`BASE/team/x/#person`), the node that pages
//! they wrote or reviewed name as `author` and `reviewedBy`. Only schema.org types and properties are
//! used; the tests check them against a list taken from the vocabulary.

use serde_json::{Map, Value, json};

use crate::config::{Person, SiteConfig};
use crate::content::{Body, Page};
use crate::site::Site;
use crate::url::permalink;

/// The page's JSON-LD, ready to sit inside `<script type="application/ld+json">`.
/// `site_nodes` is [`site_json_ld`] of the site.
pub(crate) fn page_json_ld(site: &Site, page: &Page, body: &Body, html: &str, site_nodes: &str) -> String {
    let config = &site.config;
    let base = site.domains.base_url(&page.path);
    let url = site.domains.permalink(&page.path);
    let mut graph = Vec::with_capacity(3);

    let mut webpage = json!({
        "@type": "MedicalWebPage",
        "@id": format!("{url}#webpage"),
        "url": url,
        "name": page.title,
        "inLanguage": config.languages.get(page.lang).map_or(&config.language, |l| &l.code),
        "isPartOf": {"@id": format!("{base}#website")},
        "publisher": {"@id": clinic_id(config)},
        "medicalAudience": {"@type": "Patient"},
    });
    let description = page.meta.description.as_deref().unwrap_or(&config.description);
    insert_text(&mut webpage, "description", description);
    if let Some(d) = page.meta.date {
        webpage["datePublished"] = json!(d.to_string());
    }
    if let Some(d) = page.meta.updated.or(page.meta.date) {
        webpage["dateModified"] = json!(d.to_string());
    }
    if let Some(d) = page.meta.reviewed {
        webpage["lastReviewed"] = json!(d.to_string());
    }
    if let Some(p) = page.meta.reviewed_by.as_deref().and_then(|id| config.people.get(id)) {
        webpage["reviewedBy"] = person(config, &site.domains, p);
    }
    if let Some(p) = page.meta.author.as_deref().and_then(|id| config.people.get(id)) {
        webpage["author"] = person(config, &site.domains, p);
    }
    // A profile page (issue 13) is about one person: Google reads a
    // `ProfilePage` whose `mainEntity` is them; it is no medical page.
    if let Some(p) = page.meta.person.as_deref().and_then(|id| config.people.get(id)) {
        webpage["@type"] = json!("ProfilePage");
        webpage["mainEntity"] = person(config, &site.domains, p);
        if let Some(map) = webpage.as_object_mut() {
            map.remove("medicalAudience");
        }
    }
    if let Some(bib) = &site.bibliography {
        let cited: Vec<Value> = page.cited.iter().filter_map(|k| bib.json_ld(k)).collect();
        if !cited.is_empty() {
            webpage["citation"] = json!(cited);
        }
    }
    if page.path != "/" {
        webpage["breadcrumb"] = json!({"@id": format!("{url}#breadcrumb")});
        graph.push(breadcrumbs(site, page, &url));
    }
    if let Some(procedure) = &page.meta.procedure {
        let mut node = json!({
            "@type": "TherapeuticProcedure",
            "@id": format!("{url}#procedure"),
            "name": procedure.name.as_deref().unwrap_or(&page.title),
            "url": url,
            "howPerformed": procedure.how_performed,
        });
        if !procedure.alternate_names.is_empty() {
            node["alternateName"] = json!(procedure.alternate_names);
        }
        insert_text(&mut node, "description", description);
        if let Some(p) = &procedure.preparation {
            insert_text(&mut node, "preparation", p);
        }
        let followup_url = followup_url(site, page);
        let followup = match (&procedure.followup, followup_url) {
            (Some(text), Some(link)) => Some(format!("{text} {link}")),
            (Some(text), None) => Some(text.clone()),
            (None, Some(link)) => Some(link),
            (None, None) => None,
        };
        if let Some(f) = followup {
            node["followup"] = json!(f);
        }
        if let Some(b) = &procedure.body_location {
            insert_text(&mut node, "bodyLocation", b);
        }
        let offers = offers(body, &config.currency);
        if !offers.is_empty() {
            node["offers"] = json!(offers);
        }
        webpage["about"] = json!({"@id": format!("{url}#procedure")});
        graph.push(node);
    }
    let questions = faq_questions(body, html);
    if !questions.is_empty() {
        graph.push(json!({
            "@type": "FAQPage",
            "@id": format!("{url}#faq"),
            "url": url,
            "isPartOf": {"@id": format!("{url}#webpage")},
            "mainEntity": questions,
        }));
    }
    graph.push(webpage);
    let mut out = String::with_capacity(site_nodes.len() + 2048);
    out.push_str("{\"@context\":\"https://schema.org\",\"@graph\":[");
    out.push_str(site_nodes);
    for node in graph {
        out.push(',');
        out.push_str(&script_safe(&node));
    }
    out.push_str("]}");
    out
}

/// The `Question`s of the `faq` blocks ([`crate::blocks`]) of a body, whose HTML is `html`.
fn faq_questions(body: &Body, html: &str) -> Vec<Value> {
    body.blocks
        .iter()
        .filter(|b| b.name == "faq" && b.container)
        .flat_map(|b| crate::blocks::faq_entries(&html[b.html.clone()]))
        .map(|(question, answer)| {
            json!({
                "@type": "Question",
                "name": question,
                "acceptedAnswer": {"@type": "Answer", "text": answer},
            })
        })
        .collect()
}

/// The page's `price` blocks as schema.org `Offer`s in `currency`: a price
/// written `from=true` is the least it costs (`minPrice`).
fn offers(body: &Body, currency: &str) -> Vec<Value> {
    use crate::blocks::ArgValue;
    body.blocks
        .iter()
        .filter(|b| b.name == "price")
        .filter_map(|b| {
            let amount = match b.arg("amount")? {
                ArgValue::Integer(n) => json!(n),
                ArgValue::Float(x) => json!(x),
                _ => return None,
            };
            let mut offer = json!({"@type": "Offer", "priceCurrency": currency});
            if let Some(ArgValue::Text(name)) = b.arg("name") {
                offer["name"] = json!(name);
            }
            if b.arg("from") == Some(&ArgValue::Bool(true)) {
                offer["priceSpecification"] =
                    json!({"@type": "PriceSpecification", "minPrice": amount, "priceCurrency": currency});
            } else {
                offer["price"] = amount;
            }
            Some(offer)
        })
        .collect()
}

/// The JSON-LD of a listing page (a section's or a category's) at `path`:
/// the site's nodes and a `CollectionPage`.
pub(crate) fn listing_json_ld(
    site: &Site,
    path: &str,
    title: &str,
    description: &str,
    language: &str,
    site_nodes: &str,
) -> String {
    let base = site.domains.base_url(path);
    let url = site.domains.permalink(path);
    let mut node = json!({
        "@type": "CollectionPage",
        "@id": format!("{url}#webpage"),
        "url": url,
        "name": title,
        "inLanguage": language,
        "isPartOf": {"@id": format!("{base}#website")},
        "publisher": {"@id": clinic_id(&site.config)},
    });
    insert_text(&mut node, "description", description);
    format!("{{\"@context\":\"https://schema.org\",\"@graph\":[{site_nodes},{}]}}", script_safe(&node))
}

/// The nodes every page shares (the clinic and the website), serialised
/// once per build and spliced into each page's graph.
/// `config` is the settings as a language's pages see them (its
/// `base_url` its domain's); `site` the site's own, whose address names
/// the clinic.
pub(crate) fn site_json_ld(config: &SiteConfig, site: &SiteConfig) -> String {
    format!("{},{}", script_safe(&clinic(config, site)), script_safe(&website(config, site)))
}

/// The clinic's `@id`: one node, at the site's own address, on every domain.
fn clinic_id(site: &SiteConfig) -> String {
    format!("{}#clinic", site.base_url)
}

/// JSON with `<` written as `\u003c`: the same JSON, and no `</script>` or
/// `<!--` in a title can end the script element early.
fn script_safe(v: &Value) -> String {
    let json = serde_json::to_string(v).unwrap_or_default();
    // Most pages have no `<` in their JSON: kept as it is, not copied.
    if memchr::memchr(b'<', json.as_bytes()).is_none() {
        return json;
    }
    json.replace('<', "\\u003c")
}

/// The absolute URL of the page `procedure.followup_page` names, resolved
/// (and checked) by the parse stage as any link to a page's file is.
fn followup_url(site: &Site, page: &Page) -> Option<String> {
    let (target, fragment) = page.facts.followup.as_ref()?;
    let mut url = site.domains.permalink(&site.pages.get(*target)?.path);
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    Some(url)
}

fn insert_text(node: &mut Value, key: &str, text: &str) {
    if !text.trim().is_empty() {
        node[key] = json!(text.trim());
    }
}

/// `p` as a schema.org `Person`. With a profile page they have one `@id`,
/// its URL and `#person`, so every page they wrote or reviewed names the
/// same node. `Person`, not `Physician`: schema.org's `Physician` and
/// `IndividualPhysician` are `MedicalOrganization`s (a practice as a
/// business, with an address and opening hours), not a person on a team.
fn person(config: &SiteConfig, domains: &crate::domains::Domains, p: &Person) -> Value {
    let profile = p.profile.as_ref().map(|path| domains.permalink(path));
    let mut v = json!({"@type": "Person"});
    if let Some(url) = &profile {
        v["@id"] = json!(format!("{url}#person"));
    }
    v["name"] = json!(p.name);
    insert_text(&mut v, "honorificSuffix", &p.credentials);
    insert_text(&mut v, "jobTitle", &p.job_title);
    match &profile {
        Some(url) => {
            v["url"] = json!(url);
            insert_text(&mut v, "sameAs", &p.url);
        }
        None => insert_text(&mut v, "url", &p.url),
    }
    if let Some(photo) = &p.photo {
        let url =
            if crate::url::has_scheme(photo) { photo.clone() } else { permalink(&config.base_url, photo) };
        v["image"] = json!(url);
    }
    if !p.languages.is_empty() {
        v["knowsLanguage"] = json!(p.languages);
    }
    let mut credentials: Vec<Value> = p
        .qualifications
        .iter()
        .filter(|q| !q.trim().is_empty())
        .map(|q| json!({"@type": "EducationalOccupationalCredential", "name": q.trim()}))
        .collect();
    if let Some(r) = &p.registration {
        let mut node = json!({
            "@type": "EducationalOccupationalCredential",
            "name": format!("Registration with the {}", r.body.trim().trim_start_matches("the ")),
            "credentialCategory": "registration",
            "identifier": r.number.trim(),
            "recognizedBy": {"@type": "Organization", "name": r.body.trim()},
        });
        insert_text(&mut node, "url", &r.url);
        credentials.push(node);
    }
    if !credentials.is_empty() {
        v["hasCredential"] = json!(credentials);
    }
    v
}

fn clinic(config: &SiteConfig, site: &SiteConfig) -> Value {
    let c = &config.clinic;
    let name = if c.name.is_empty() { &config.title } else { &c.name };
    let mut node = json!({
        "@type": "MedicalClinic",
        "@id": clinic_id(site),
        "name": name,
        "url": site.base_url,
    });
    let a = &c.address;
    let mut address = Map::new();
    address.insert("@type".into(), json!("PostalAddress"));
    for (key, value) in [
        ("streetAddress", &a.street),
        ("addressLocality", &a.locality),
        ("addressRegion", &a.region),
        ("postalCode", &a.postal_code),
        ("addressCountry", &a.country),
    ] {
        if !value.trim().is_empty() {
            address.insert(key.into(), json!(value));
        }
    }
    node["address"] = Value::Object(address);
    insert_text(&mut node, "telephone", &c.phone);
    insert_text(&mut node, "email", &c.email);
    if !c.opening_hours.is_empty() {
        let hours: Vec<Value> = c
            .opening_hours
            .iter()
            .map(|h| {
                let days: Vec<String> =
                    h.day_of_week.iter().map(|d| format!("https://schema.org/{d}")).collect();
                json!({"@type": "OpeningHoursSpecification", "dayOfWeek": days, "opens": h.opens, "closes": h.closes})
            })
            .collect();
        node["openingHoursSpecification"] = json!(hours);
    }
    if !c.booking_url.is_empty() {
        node["potentialAction"] = json!({
            "@type": "ReserveAction",
            "target": {"@type": "EntryPoint", "urlTemplate": c.booking_url},
        });
    }
    node
}

fn website(config: &SiteConfig, site: &SiteConfig) -> Value {
    let base = &config.base_url;
    json!({
        "@type": "WebSite",
        "@id": format!("{base}#website"),
        "url": base,
        "name": config.title,
        // A site in several languages is in all of them.
        "inLanguage": if config.languages.len() > 1 {
            json!(config.languages.iter().map(|l| &l.code).collect::<Vec<_>>())
        } else {
            json!(config.language)
        },
        "publisher": {"@id": clinic_id(site)},
    })
}

/// Home > each folder that has a page > this page.
fn breadcrumbs(site: &Site, page: &Page, url: &str) -> Value {
    let mut items = Vec::new();
    let mut path = String::from("/");
    let mut trail: Vec<(&str, String)> = Vec::new();
    // From the home page of the page's language (`/es/`).
    let home_path = crate::language::home(page.lang, &site.config.languages);
    let home = site.page_at(&home_path);
    trail.push((home.map_or("Home", |p| p.title.as_str()), site.domains.permalink(&home_path)));
    let below_home = page.path.strip_prefix(home_path.as_str()).unwrap_or(&page.path);
    path.push_str(&home_path[1..]);
    for segment in below_home.trim_matches('/').split('/') {
        path.push_str(segment);
        path.push('/');
        if path == page.path {
            break;
        }
        if let Some(section) = site.page_at(&path) {
            trail.push((&section.title, site.domains.permalink(&path)));
        }
    }
    trail.push((&page.title, url.to_string()));
    for (i, (name, item)) in trail.into_iter().enumerate() {
        items.push(json!({"@type": "ListItem", "position": i + 1, "name": name, "item": item}));
    }
    json!({"@type": "BreadcrumbList", "@id": format!("{url}#breadcrumb"), "itemListElement": items})
}
