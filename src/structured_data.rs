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
    // The page's own nodes are written field by field ([`Obj`]), not made
    // as `Value`s: they were most of the instructions of this function,
    // which is run for every page (issue 16).
    let person = |id: &Option<Box<str>>| id.as_deref().and_then(|id| config.people.get(id));
    let profile = person(&page.meta.person);
    let mut webpage = Obj::of_type(if profile.is_some() { "ProfilePage" } else { "MedicalWebPage" });
    webpage.text("@id", &format!("{url}#webpage"));
    webpage.text("url", &url);
    webpage.text("name", &page.title);
    webpage.text("inLanguage", config.languages.get(page.lang).map_or(&config.language, |l| &l.code));
    webpage.id("isPartOf", &format!("{base}#website"));
    webpage.id("publisher", &clinic_id(config));
    let description = page.meta.description.as_deref().unwrap_or(&config.description);
    webpage.trimmed("description", description);
    if let Some(d) = page.meta.date {
        webpage.text("datePublished", &d.to_string());
    }
    if let Some(d) = page.meta.updated.or(page.meta.date) {
        webpage.text("dateModified", &d.to_string());
    }
    if let Some(d) = page.meta.reviewed {
        webpage.text("lastReviewed", &d.to_string());
    }
    if let Some(p) = person(&page.meta.reviewed_by) {
        webpage.value("reviewedBy", &person_node(config, &site.domains, p));
    }
    if let Some(p) = person(&page.meta.author) {
        webpage.value("author", &person_node(config, &site.domains, p));
    }
    // A profile page (issue 13) is about one person: Google reads a
    // `ProfilePage` whose `mainEntity` is them; it is no medical page.
    match profile {
        Some(p) => webpage.value("mainEntity", &person_node(config, &site.domains, p)),
        None => webpage.json("medicalAudience", Obj::of_type("Patient").finish()),
    }
    if let Some(bib) = &site.bibliography {
        let cited: Vec<Value> = page.cited.iter().filter_map(|k| bib.json_ld(k)).collect();
        if !cited.is_empty() {
            webpage.value("citation", &json!(cited));
        }
    }
    let mut graph = Vec::with_capacity(3);
    if page.path != "/" {
        webpage.id("breadcrumb", &format!("{url}#breadcrumb"));
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
        webpage.id("about", &format!("{url}#procedure"));
        graph.push(script_safe(&node));
    }
    let questions = faq_questions(body, html);
    if !questions.is_empty() {
        graph.push(script_safe(&json!({
            "@type": "FAQPage",
            "@id": format!("{url}#faq"),
            "url": url,
            "isPartOf": {"@id": format!("{url}#webpage")},
            "mainEntity": questions,
        })));
    }
    graph.push(webpage.finish());
    let mut out = String::with_capacity(site_nodes.len() + 2048);
    out.push_str("{\"@context\":\"https://schema.org\",\"@graph\":[");
    out.push_str(site_nodes);
    for node in graph {
        out.push(',');
        out.push_str(&node);
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
    let mut node = Obj::of_type("CollectionPage");
    node.text("@id", &format!("{url}#webpage"));
    node.text("url", &url);
    node.text("name", title);
    node.text("inLanguage", language);
    node.id("isPartOf", &format!("{base}#website"));
    node.id("publisher", &clinic_id(&site.config));
    node.trimmed("description", description);
    format!("{{\"@context\":\"https://schema.org\",\"@graph\":[{site_nodes},{}]}}", node.finish())
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

/// A JSON object written field by field, its keys in the order a
/// `serde_json` map writes them (by their bytes), so that the JSON is the
/// same as that of the `Value` it stands for, and script-safe as
/// [`script_safe`] makes it. Each key is given once.
struct Obj(Vec<(&'static str, String)>);

impl Obj {
    /// An object with `"@type": type_`.
    fn of_type(type_: &str) -> Obj {
        let mut obj = Obj(Vec::with_capacity(12));
        obj.text("@type", type_);
        obj
    }

    /// `key` with the string `value`.
    fn text(&mut self, key: &'static str, value: &str) {
        self.0.push((key, json_text(value)));
    }

    /// `key` with `text` trimmed, unless that is empty ([`shown`]).
    fn trimmed(&mut self, key: &'static str, text: &str) {
        if let Some(text) = shown(text) {
            self.text(key, text);
        }
    }

    /// `key` naming the node `id`: `{"@id": id}`.
    fn id(&mut self, key: &'static str, id: &str) {
        self.json(key, format!("{{\"@id\":{}}}", json_text(id)));
    }

    /// `key` with `v`.
    fn value(&mut self, key: &'static str, v: &Value) {
        self.json(key, script_safe(v));
    }

    /// `key` with `json`, script-safe JSON already.
    fn json(&mut self, key: &'static str, json: String) {
        debug_assert!(self.0.iter().all(|(k, _)| *k != key), "{key} given twice");
        self.0.push((key, json));
    }

    /// The object's JSON.
    fn finish(mut self) -> String {
        self.0.sort_unstable_by_key(|&(key, _)| key);
        let mut out =
            String::with_capacity(self.0.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 2);
        out.push('{');
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
            out.push_str(value);
        }
        out.push('}');
        out
    }
}

/// `s` as a JSON string, escaped as `serde_json` escapes it, and with `<`
/// written `\u003c` ([`script_safe`]).
fn json_text(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most texts need no escape: passed over a byte at a time, each
        // looked up once.
        if !ESCAPED[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        out.push_str(&s[plain..i]);
        match bytes[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b => out.push_str(&format!("\\u{b:04x}")),
        }
        i += 1;
        plain = i;
    }
    out.push_str(&s[plain..]);
    out.push('"');
    out
}

/// The bytes [`json_text`] writes escaped: control characters, `"`, `\`
/// and `<`.
static ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut b = 0;
    while b < 256 {
        escaped[b] = b < 0x20 || b == b'"' as usize || b == b'\\' as usize || b == b'<' as usize;
        b += 1;
    }
    escaped
};

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
    if let Some(text) = shown(text) {
        node[key] = json!(text);
    }
}

/// `text` trimmed, unless nothing is left: a node has no field for it then.
fn shown(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// `p` as a schema.org `Person`. With a profile page they have one `@id`,
/// its URL and `#person`, so every page they wrote or reviewed names the
/// same node. `Person`, not `Physician`: schema.org's `Physician` and
/// `IndividualPhysician` are `MedicalOrganization`s (a practice as a
/// business, with an address and opening hours), not a person on a team.
fn person_node(config: &SiteConfig, domains: &crate::domains::Domains, p: &Person) -> Value {
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
fn breadcrumbs(site: &Site, page: &Page, url: &str) -> String {
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
    let mut items = String::from("[");
    for (i, (name, item)) in trail.into_iter().enumerate() {
        if i > 0 {
            items.push(',');
        }
        let mut node = Obj::of_type("ListItem");
        node.json("position", (i + 1).to_string());
        node.text("name", name);
        node.text("item", &item);
        items.push_str(&node.finish());
    }
    items.push(']');
    let mut node = Obj::of_type("BreadcrumbList");
    node.text("@id", &format!("{url}#breadcrumb"));
    node.json("itemListElement", items);
    node.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_escaped_as_serde_json_escapes_it_and_script_safe() {
        let tricky = "a \"b\" \\ c\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} </script> <!-- é ☃";
        assert_eq!(json_text(tricky), script_safe(&json!(tricky)));
        for c in (0u8..0x80).map(char::from).chain(['é', '\u{2028}', '😀']) {
            let s = format!("x{c}y");
            assert_eq!(json_text(&s), script_safe(&json!(s)), "{c:?}");
        }
    }

    #[test]
    fn an_object_is_written_as_the_value_it_stands_for() {
        let mut obj = Obj::of_type("MedicalWebPage");
        obj.text("url", "https://example.org/a/");
        obj.id("isPartOf", "https://example.org/#website");
        obj.trimmed("description", "  About <this>.  ");
        obj.trimmed("name", " \n ");
        obj.value("author", &json!({"@type": "Person", "name": "A </script>"}));
        obj.json("position", "2".to_string());
        obj.text("dateModified", "2026-01-02");
        obj.text("datePublished", "2025-01-02");
        let value = json!({
            "@type": "MedicalWebPage",
            "url": "https://example.org/a/",
            "isPartOf": {"@id": "https://example.org/#website"},
            "description": "About <this>.",
            "author": {"@type": "Person", "name": "A </script>"},
            "position": 2,
            "dateModified": "2026-01-02",
            "datePublished": "2025-01-02",
        });
        assert_eq!(obj.finish(), script_safe(&value));
    }
}
