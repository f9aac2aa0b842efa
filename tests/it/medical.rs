//! A trustworthy medical site: citations, reviewers, disclaimer, JSON-LD.

use serde_json::Value;

use crate::support::{TestSite, json_ld, node};

const BIB: &str = "rassman2013:\n  type: article\n  title: \"Scalp micropigmentation: a useful treatment for hair loss\"\n  author: [\"Rassman, W.\", \"Pak, J.\", \"Kim, J.\"]\n  date: 2013-08\n  page-range: 497-503\n  parent:\n    type: periodical\n    title: Facial Plastic Surgery Clinics\n    volume: 21\n    issue: 3\nunused2020:\n  type: article\n  title: Never cited\n  author: Nobody, N.\n  date: 2020\n";

const SITE: &str = "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en-GB\ndisclaimer: General information only.\npeople:\n  rev:\n    name: Dr Example\n    credentials: MBBS\n  ed:\n    name: Editor Example\nclinic:\n  name: Test Clinic\n  address: {street: 1 A St, locality: Town, postal_code: AB1 2CD, country: GB}\n  phone: +44 20 7946 0001\n  booking_url: https://example.org/book\n  opening_hours:\n    - {days: Monday to Friday, opens: '09:00', closes: '17:00'}\n";

fn medical_site() -> TestSite {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nWelcome.\n"),
        (
            "care/about.md",
            "---\ntitle: About\nauthor: ed\nreviewed_by: rev\nreviewed: 2026-11-24\nprocedure:\n  how_performed: With needles.\n  followup_page: aftercare.md\n---\nIt looks like hair [@rassman2013]. Again [@rassman2013].\n",
        ),
        ("care/aftercare.md", "---\ntitle: Aftercare\n---\nNo citations here.\n"),
        ("care/index.md", "---\ntitle: Care\n---\nSection.\n"),
    ]);
    site.write("site.yaml", SITE);
    site.write("content/references.yaml", BIB);
    site
}

#[test]
fn citations_are_numbered_linked_and_listed_in_ama_style() {
    let site = medical_site();
    let run = site.build();
    let page = site.read_output("care/about/index.html");
    assert_eq!(
        page.matches(r##"<a class="citation" href="#ref-rassman2013"><sup>1</sup></a>"##).count(),
        2,
        "{page}"
    );
    assert!(
        page.contains(r#"<li id="ref-rassman2013">Rassman W, Pak J, Kim J. Scalp micropigmentation: a useful treatment for hair loss. <i>Facial Plastic Surgery Clinics</i>. 2013;21(3):497-503.</li>"#),
        "{page}"
    );
    assert!(!site.read_output("care/aftercare/index.html").contains("page-references"));
    // The entry no page cites is a warning, not an error.
    assert!(run.stderr.contains("`unused2020` is never cited"), "{}", run.stderr);
    assert!(run.stderr.contains("content/references.yaml:12:1"), "{}", run.stderr);
}

#[test]
fn apa_style_gives_author_date_citations() {
    let site = medical_site();
    site.write("site.yaml", &format!("{SITE}citation_style: apa\n"));
    site.build();
    let page = site.read_output("care/about/index.html");
    assert!(page.contains("Rassman et al., 2013"), "{page}");
}

#[test]
fn unknown_citation_key_names_file_and_line() {
    let site = medical_site();
    site.write("content/care/aftercare.md", "---\ntitle: Aftercare\n---\nText.\n\nSee [@rasman2013].\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("citation `@rasman2013` is not in content/references.yaml"), "{stderr}");
    assert!(stderr.contains("--> content/care/aftercare.md:6:6"), "{stderr}");
    assert!(stderr.contains("did you mean `@rassman2013`?"), "{stderr}");
}

#[test]
fn reviewer_must_be_a_known_person() {
    let site = medical_site();
    site.write("content/care/aftercare.md", "---\ntitle: Aftercare\nreviewed_by: revv\n---\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("`reviewed_by: revv` is not among the people in site.yaml"), "{stderr}");
    assert!(stderr.contains("--> content/care/aftercare.md:3:1"), "{stderr}");
}

#[test]
fn review_and_disclaimer_are_shown() {
    let site = medical_site();
    site.build();
    let page = site.read_output("care/about/index.html");
    assert!(
        page.contains(
            "Medically reviewed by Dr Example, MBBS on <time datetime=\"2026-11-24\">24 November 2026</time>"
        ),
        "{page}"
    );
    for file in ["index.html", "care/aftercare/index.html", "care/about/index.html"] {
        assert!(site.read_output(file).contains("General information only."), "{file}");
    }
}

#[test]
fn json_ld_describes_clinic_page_procedure_and_breadcrumbs() {
    let site = medical_site();
    site.build();
    let doc = json_ld(&site.read_output("care/about/index.html"));
    assert_eq!(doc["@context"], "https://schema.org");
    let clinic = node(&doc, "MedicalClinic");
    assert_eq!(clinic["@id"], "https://example.org/#clinic");
    assert_eq!(clinic["telephone"], "+44 20 7946 0001");
    assert_eq!(clinic["address"]["postalCode"], "AB1 2CD");
    assert_eq!(clinic["openingHoursSpecification"][0]["dayOfWeek"][4], "https://schema.org/Friday");
    let page = node(&doc, "MedicalWebPage");
    assert_eq!(page["lastReviewed"], "2026-11-24");
    assert_eq!(page["reviewedBy"]["name"], "Dr Example");
    assert_eq!(page["medicalAudience"]["@type"], "Patient");
    assert_eq!(page["isPartOf"]["@id"], "https://example.org/#website");
    assert_eq!(page["citation"][0]["@type"], "ScholarlyArticle");
    let procedure = node(&doc, "TherapeuticProcedure");
    assert_eq!(procedure["howPerformed"], "With needles.");
    assert_eq!(procedure["followup"], "https://example.org/care/aftercare/");
    let crumbs = node(&doc, "BreadcrumbList")["itemListElement"].as_array().unwrap();
    let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Home", "Care", "About"]);
    assert_eq!(crumbs[2]["position"], 3);
    assert_eq!(crumbs[1]["item"], "https://example.org/care/");
}

/// schema.org types and the properties we use on each, checked by hand
/// against the vocabulary (schema.org/<Type>, including inherited ones),
/// with the properties Google's documentation marks as required.
const VOCABULARY: &[(&str, &[&str], &[&str])] = &[
    // A section's listing page (issue 10).
    (
        "CollectionPage",
        &["@id", "url", "name", "description", "inLanguage", "isPartOf", "publisher"],
        &["name", "url"],
    ),
    (
        "MedicalClinic",
        &[
            "@id",
            "name",
            "url",
            "address",
            "telephone",
            "email",
            "openingHoursSpecification",
            "potentialAction",
        ],
        &["name", "address"],
    ),
    (
        "PostalAddress",
        &["streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry"],
        &[],
    ),
    ("OpeningHoursSpecification", &["dayOfWeek", "opens", "closes"], &["dayOfWeek", "opens", "closes"]),
    ("ReserveAction", &["target"], &[]),
    ("EntryPoint", &["urlTemplate"], &[]),
    ("WebSite", &["@id", "url", "name", "inLanguage", "publisher"], &["name", "url"]),
    (
        "MedicalWebPage",
        &[
            "@id",
            "url",
            "name",
            "description",
            "inLanguage",
            "isPartOf",
            "publisher",
            "medicalAudience",
            "datePublished",
            "dateModified",
            "lastReviewed",
            "reviewedBy",
            "author",
            "citation",
            "breadcrumb",
            "about",
        ],
        &["name", "url"],
    ),
    ("Patient", &[], &[]),
    // An FAQ block (issue 13): a node of its own, part of the page.
    ("FAQPage", &["@id", "url", "name", "isPartOf", "mainEntity"], &["mainEntity"]),
    ("Question", &["name", "acceptedAnswer"], &["name", "acceptedAnswer"]),
    ("Answer", &["text"], &["text"]),
    // A price list (issue 13): the procedure's offers.
    ("Offer", &["name", "price", "priceCurrency", "priceSpecification"], &["priceCurrency"]),
    ("PriceSpecification", &["minPrice", "priceCurrency"], &["priceCurrency"]),
    (
        "Person",
        &[
            "@id",
            "name",
            "honorificSuffix",
            "jobTitle",
            "url",
            "sameAs",
            "image",
            "knowsLanguage",
            "hasCredential",
        ],
        &["name"],
    ),
    // A person's qualifications and registration, and the regulator (issue 13).
    (
        "EducationalOccupationalCredential",
        &["name", "credentialCategory", "identifier", "url", "recognizedBy"],
        &["name"],
    ),
    ("Organization", &["name"], &["name"]),
    // A person's profile page (issue 13): a WebPage, about its mainEntity.
    (
        "ProfilePage",
        &[
            "@id",
            "url",
            "name",
            "description",
            "inLanguage",
            "isPartOf",
            "publisher",
            "datePublished",
            "dateModified",
            "lastReviewed",
            "reviewedBy",
            "author",
            "breadcrumb",
            "mainEntity",
        ],
        &["name", "url", "mainEntity"],
    ),
    (
        "ScholarlyArticle",
        &["headline", "name", "author", "datePublished", "pagination", "sameAs", "isPartOf"],
        &["headline"],
    ),
    ("PublicationIssue", &["issueNumber", "isPartOf"], &[]),
    ("PublicationVolume", &["volumeNumber", "isPartOf"], &[]),
    ("Periodical", &["name"], &["name"]),
    ("BreadcrumbList", &["@id", "itemListElement"], &["itemListElement"]),
    ("ListItem", &["position", "name", "item"], &["position", "name"]),
    (
        "TherapeuticProcedure",
        &[
            "@id",
            "name",
            "url",
            "howPerformed",
            "alternateName",
            "description",
            "preparation",
            "followup",
            "bodyLocation",
            "offers",
        ],
        &["name"],
    ),
];

fn check_vocabulary(v: &Value, path: &str) {
    match v {
        Value::Object(map) => {
            if let Some(kind) = map.get("@type").and_then(Value::as_str) {
                let (_, allowed, required) = VOCABULARY
                    .iter()
                    .find(|(t, _, _)| *t == kind)
                    .unwrap_or_else(|| panic!("{path}: type {kind} is not in the checked vocabulary"));
                for key in map.keys().filter(|k| *k != "@type" && *k != "@context" && *k != "@graph") {
                    assert!(allowed.contains(&key.as_str()), "{path}: {kind} has no property {key}");
                }
                for key in *required {
                    assert!(map.contains_key(*key), "{path}: {kind} lacks required {key}");
                }
            } else {
                for key in map.keys().filter(|k| *k != "@context" && *k != "@graph") {
                    assert_eq!(key, "@id", "{path}: an untyped object may only be a reference");
                }
            }
            for (k, child) in map {
                check_vocabulary(child, &format!("{path}.{k}"));
            }
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, c)| check_vocabulary(c, &format!("{path}[{i}]")))
        }
        _ => {}
    }
}

#[test]
fn every_json_ld_block_uses_only_schema_org_terms_and_required_properties() {
    for site in [medical_site(), TestSite::clinic(), TestSite::fixture("team")] {
        site.build();
        for file in site.output_files().iter().filter(|f| f.ends_with("index.html")) {
            let html = site.read_output(file);
            if html.contains("http-equiv=\"refresh\"") {
                continue;
            }
            check_vocabulary(&json_ld(&html), file);
        }
    }
}

#[test]
fn json_ld_cannot_be_broken_out_of_by_a_title() {
    let site =
        TestSite::with_pages(&[("index.md", "---\ntitle: \"</script><script>alert(1)</script>\"\n---\n")]);
    site.build();
    let html = site.read_output("index.html");
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert_eq!(node(&json_ld(&html), "MedicalWebPage")["name"], "</script><script>alert(1)</script>");
}

/// A citation on a page whose template shows no reference list links to
/// nothing: an error at the citation, in check and build alike.
#[test]
fn a_citation_where_the_template_shows_no_references_is_an_error() {
    let site = medical_site();
    site.write("content/index.md", "---\ntitle: Home\n---\nWelcome. It looks like hair [@rassman2013].\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("content/index.md:4:30"), "{stderr}");
    assert!(stderr.contains("its template (index.html) shows no reference list"), "{stderr}");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/index.md:4:30"), "{}", run.stderr);
}
