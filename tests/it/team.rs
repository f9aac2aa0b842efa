//! The clinic's team (issue 13): people in site.yaml, their profile pages
//! and cards, the links from pages they wrote or reviewed, and their
//! structured data. The fixture `team` has two people: `reviewer` with
//! every setting and `nurse` with a name only, each with a profile page
//! under `content/team/`, and a page written by one and reviewed by the other.

use crate::support::{TestSite, json_ld, node};

/// The `<main>` element of `html`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap();
    &html[start..html.find("</main>").unwrap() + 7]
}

#[test]
fn profile_page_and_team_listing_show_the_people() {
    let site = TestSite::fixture("team");
    site.build();
    insta::assert_snapshot!("team_profile", main_of(&site.read_output("team/alex-example/index.html")));
    insta::assert_snapshot!(
        "team_profile_minimal",
        main_of(&site.read_output("team/sam-example/index.html"))
    );
    insta::assert_snapshot!("team_listing", main_of(&site.read_output("team/index.html")));
}

#[test]
fn pages_link_their_author_and_reviewer_to_their_profiles() {
    let site = TestSite::fixture("team");
    site.build();
    let html = site.read_output("aftercare/index.html");
    assert!(html.contains("Written by <a href=\"../team/sam-example/\">Sam Example</a>."), "{html}");
    assert!(
        html.contains(
            "Medically reviewed by <a href=\"../team/alex-example/\">Dr Alex Example</a>, MBBS, MRCP"
        ),
        "{html}"
    );
}

#[test]
fn people_are_persons_with_credentials_referenced_by_one_id() {
    let site = TestSite::fixture("team");
    site.build();
    let doc = json_ld(&site.read_output("team/alex-example/index.html"));
    let profile = node(&doc, "ProfilePage");
    assert!(profile.get("medicalAudience").is_none(), "{profile}");
    let alex = &profile["mainEntity"];
    assert_eq!(alex["@type"], "Person");
    assert_eq!(alex["@id"], "https://example.org/team/alex-example/#person");
    assert_eq!(alex["url"], "https://example.org/team/alex-example/");
    assert_eq!(alex["sameAs"], "https://hospital.example.org/staff/alex-example");
    assert_eq!(alex["jobTitle"], "Consultant dermatologist");
    assert_eq!(alex["image"], "https://example.org/images/reviewer.jpg");
    assert_eq!(alex["knowsLanguage"], serde_json::json!(["en", "pl", "bfi"]));
    let credentials = alex["hasCredential"].as_array().unwrap();
    assert_eq!(credentials.len(), 3, "{alex}");
    assert_eq!(credentials[0]["@type"], "EducationalOccupationalCredential");
    assert_eq!(credentials[0]["name"], "MBBS, University of Exampleton, 2009");
    let registration = &credentials[2];
    assert_eq!(registration["identifier"], "7654321");
    assert_eq!(registration["url"], "https://www.gmc-uk.org/doctors/7654321");
    assert_eq!(registration["recognizedBy"]["@type"], "Organization");
    assert_eq!(registration["recognizedBy"]["name"], "General Medical Council");

    let doc = json_ld(&site.read_output("aftercare/index.html"));
    let page = node(&doc, "MedicalWebPage");
    assert_eq!(page["reviewedBy"]["@id"], "https://example.org/team/alex-example/#person");
    assert_eq!(page["author"]["@id"], "https://example.org/team/sam-example/#person");
    assert!(page["author"].get("hasCredential").is_none());
}

/// A copy of the fixture with `from` replaced by `to` in the file `file`.
fn team_with(file: &str, from: &str, to: &str) -> TestSite {
    let site = TestSite::fixture("team");
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    site.write(file, &text.replacen(from, to, 1));
    site
}

#[test]
fn a_profile_page_of_someone_unknown_is_an_error_with_a_suggestion() {
    let site = team_with("content/team/sam-example.md", "person: nurse", "person: nures");
    let stderr = site.build_fails();
    assert!(stderr.contains("content/team/sam-example.md:3:"), "{stderr}");
    assert!(stderr.contains("`person: nures` is not among the people in site.yaml"), "{stderr}");
    assert!(stderr.contains("did you mean `nurse`?"), "{stderr}");
}

#[test]
fn two_profile_pages_for_one_person_are_an_error() {
    let site = team_with("content/team/sam-example.md", "person: nurse", "person: reviewer");
    let stderr = site.build_fails();
    assert!(stderr.contains("content/team/sam-example.md:3:"), "{stderr}");
    assert!(
        stderr.contains("`reviewer` already has a profile page, content/team/alex-example.md"),
        "{stderr}"
    );
}

#[test]
fn a_photo_without_alt_text_is_an_error_at_its_line() {
    let site = team_with("site.yaml", "    photo_alt: Dr Alex Example, smiling, in a blue shirt\n", "");
    let stderr = site.build_fails();
    assert!(stderr.contains("site.yaml:19:"), "{stderr}");
    assert!(stderr.contains("the photo of `reviewer` has no alt text"), "{stderr}");
}

#[test]
fn a_language_must_be_a_code() {
    let site = team_with("site.yaml", "languages: [en, pl, bfi]", "languages: [en, Polish]");
    let stderr = site.build_fails();
    assert!(stderr.contains("site.yaml:21:"), "{stderr}");
    assert!(stderr.contains("`Polish` in the languages of `reviewer` is not a language code"), "{stderr}");
    assert!(stderr.contains("did you mean `pl`?"), "{stderr}");
}

#[test]
fn a_registration_link_must_be_a_web_address() {
    let site = team_with(
        "site.yaml",
        "url: https://www.gmc-uk.org/doctors/7654321",
        "url: www.gmc-uk.org/doctors/7654321",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("site.yaml:18:"), "{stderr}");
    assert!(
        stderr.contains("the registration url `www.gmc-uk.org/doctors/7654321` of `reviewer` is not an http:// or https:// address"),
        "{stderr}"
    );
}

#[test]
fn a_page_is_not_medically_reviewed_by_someone_who_is_not_medical() {
    let site =
        team_with("site.yaml", "    name: Sam Example\n", "    name: Sam Example\n    medical: false\n");
    site.write(
        "content/aftercare.md",
        "---\ntitle: Aftercare\nreviewed_by: nurse\nreviewed: 2026-11-01\n---\nText.\n",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("content/aftercare.md:3:"), "{stderr}");
    assert!(stderr.contains("site.yaml says they are not a medical practitioner"), "{stderr}");
}
