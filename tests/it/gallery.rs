//! The before-and-after gallery: consent rules with the real binary (which
//! pairs are published, what build and check say, `--strict`), alt text,
//! the rendered markup and the pictures link previews show.

use crate::support::TestSite;

/// `SOURCE_DATE_EPOCH` for noon UTC on these days: the day consent is
/// judged on.
const FEB_2026: &str = "1769947200"; // 2026-02-01
const JUNE_2026: &str = "1780315200"; // 2026-06-01
const JAN_2027: &str = "1798804800"; // 2027-01-01

fn on(day: &str) -> [(&'static str, &str); 1] {
    [("SOURCE_DATE_EPOCH", day)]
}

/// The warnings of a run's stderr, one line each: `file:line:column: message`.
fn warnings(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .windows(2)
        .filter_map(|w| {
            let message = w[0].strip_prefix("warning: ")?;
            let place = w[1].trim_start().strip_prefix("--> ")?;
            Some(format!("{place}: {message}"))
        })
        .collect()
}

#[test]
fn pairs_without_consent_are_left_out_and_build_says_which_and_why() {
    let site = TestSite::fixture("gallery");
    let run = site.run_with_env(&["build"], &on(JUNE_2026));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        warnings(&run.stderr),
        [
            "content/results/index.md:15:5: pair 2 of the gallery (`unsigned-before.jpg`, `unsigned-after.jpg`) is left out of the site: it has no `consent_ref`, the reference of the patient's signed consent",
            "content/results/index.md:25:5: pair 3 of the gallery (`expired-before.jpg`, `expired-after.jpg`) is left out of the site: its consent expired on 2026-03-01 (today is 2026-06-01)",
            "content/results/index.md:32:5: pair 4 of the gallery (`retouched-before.jpg`, `retouched-after.jpg`) is left out of the site: it says `retouched: true`",
        ]
    );
    let html = site.read_output("results/index.html");
    assert!(html.contains("crown-before"), "{html}");
    // Neither shown nor published as files beside the page.
    for left_out in ["unsigned", "expired", "retouched"] {
        assert!(!html.contains(left_out), "{left_out} is on the page:\n{html}");
        let published: Vec<String> =
            site.output_files().into_iter().filter(|f| f.contains(left_out)).collect();
        assert!(published.is_empty(), "{left_out} is published: {published:?}");
    }
}

#[test]
fn consent_is_judged_on_the_day_of_the_build() {
    let site = TestSite::fixture("gallery");
    // Before pair 3's consent ran out it is shown; pairs 2 and 4 never are.
    let run = site.run_with_env(&["build"], &on(FEB_2026));
    let said = warnings(&run.stderr);
    assert_eq!(said.len(), 2, "{said:#?}");
    assert!(said.iter().all(|w| !w.contains("expired")), "{said:#?}");
    assert!(site.read_output("results/index.html").contains("expired-after"));
    // On the day pair 1's consent ends, it goes too: no pair is left.
    let run = site.run_with_env(&["build"], &on(JAN_2027));
    let said = warnings(&run.stderr);
    assert_eq!(said.len(), 4, "{said:#?}");
    assert!(said[0].starts_with("content/results/index.md:12:5: pair 1 "), "{said:#?}");
    assert!(said[0].ends_with("its consent expired on 2027-01-01 (today is 2027-01-01)"));
    let html = site.read_output("results/index.html");
    assert!(!html.contains("crown-"), "{html}");
}

#[test]
fn check_warns_about_pairs_left_out_and_fails_with_strict() {
    let site = TestSite::fixture("gallery");
    let run = site.run_with_env(&["check"], &on(JUNE_2026));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(warnings(&run.stderr).len(), 3, "{}", run.stderr);
    assert!(run.stderr.contains("check: 0 errors, 3 warnings in 1 file"), "{}", run.stderr);
    let strict = site.run_with_env(&["check", "--strict"], &on(JUNE_2026));
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    let quiet = site.run_with_env(&["-q", "check", "--strict"], &on(JUNE_2026));
    assert_eq!(quiet.code, 1);
    assert_eq!(warnings(&quiet.stderr).len(), 3, "{}", quiet.stderr);
}

/// A results page with one pair, `pair` being its keys below `- `.
fn one_pair(pair: &str) -> TestSite {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\n\n[Results](results.md)\n"),
        ("results.md", &format!("---\ntitle: Results\ngallery:\n  - {}\n---\n\nText.\n", pair.trim())),
    ]);
    // Photos are named as images are in markdown: relative to the page's address, /results/.
    site.write_bytes("content/results/b.jpg", &std::fs::read(fixture_photo()).unwrap());
    site.write_bytes("content/results/a.jpg", &std::fs::read(fixture_photo()).unwrap());
    site
}

fn fixture_photo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gallery/content/results/crown-before.jpg")
}

#[test]
fn a_photo_without_alt_text_is_an_error_naming_its_line() {
    let site = one_pair(
        "before: b.jpg
    after: a.jpg
    after_alt: Crown after three sessions
    consent_ref: EX-1
    retouched: false",
    );
    let stderr = site.build_fails();
    assert!(
        stderr.starts_with(
            "error: the before photo `b.jpg` of pair 1 of the gallery (`b.jpg`, `a.jpg`) has no alt text\n --> content/results.md:4:5\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("help: add `before_alt:` to the pair"), "{stderr}");
    // check reports it as an error too.
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/results.md:4:5"), "{}", run.stderr);
}

#[test]
fn unknown_gallery_keys_are_errors() {
    let site = one_pair(
        "before: b.jpg
    before_alt: Crown before
    after: a.jpg
    after_alt: Crown after
    consent: EX-1
    retouched: false",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("unknown key `consent`"), "{stderr}");
    assert!(stderr.contains("content/results.md:8:"), "{stderr}");
    assert!(stderr.contains("did you mean `consent_ref`?"), "{stderr}");
}

/// The part of `html` from the line holding `from` to the line holding `to`.
fn slice<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from} in:\n{html}"));
    let start = html[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = start + html[start..].find(to).unwrap_or_else(|| panic!("no {to} after {from}")) + to.len();
    &html[start..end]
}

#[test]
fn the_gallery_renders_each_pair_labelled_with_alt_text_and_links() {
    let site = TestSite::fixture("gallery");
    let run = site.run_with_env(&["build"], &on(JUNE_2026));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.read_output("results/index.html");
    insta::assert_snapshot!(
        "gallery_markup",
        slice(&html, "<section class=\"gallery-section\"", "</section>")
    );
    // What the markup links to is published, and check finds nothing wrong with it.
    let check = site.run_with_env(&["check"], &on(FEB_2026));
    assert!(check.stderr.contains("check: 0 errors"), "{}", check.stderr);
}

/// A site whose home page has a picture, with `extra` site.yaml lines.
fn pictured(extra: &str) -> TestSite {
    let site = TestSite::with_pages(&[
        (
            "index.md",
            "---\ntitle: Home\nimage: images/hero.jpg\nimage_alt: The treatment room\n---\n\n[About](about.md)\n",
        ),
        ("about.md", "---\ntitle: About\n---\n\nText.\n"),
    ]);
    let photo = std::fs::read(fixture_photo()).unwrap();
    site.write_bytes("content/images/hero.jpg", &photo);
    site.write_bytes("content/images/card.jpg", &photo);
    site.write(
        "site.yaml",
        &format!("title: Test Clinic\nbase_url: https://clinic.example.com/sub/\nlanguage: en\n{extra}"),
    );
    site
}

/// The `content` of `<meta property|name="key">` in `html`.
fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    let needle = format!("=\"{key}\" content=\"");
    let rest = &html[html.find(&needle)? + needle.len()..];
    Some(&rest[..rest.find('"')?])
}

#[test]
fn link_previews_show_the_pages_picture_or_the_sites_by_absolute_address() {
    let site = pictured("image: images/card.jpg\nimage_alt: The clinic's sign\n");
    site.build();
    let home = site.read_output("index.html");
    let about = site.read_output("about/index.html");
    let hero = meta(&home, "og:image").unwrap();
    let card = meta(&about, "og:image").unwrap();
    for (url, name) in [(hero, "hero"), (card, "card")] {
        let path = url.strip_prefix("https://clinic.example.com/sub/").unwrap_or_else(|| panic!("{url}"));
        assert!(path.contains(name), "{url}");
        assert!(site.output_files().contains(&path.to_string()), "{path} is not published");
    }
    assert_eq!(meta(&home, "twitter:image"), Some(hero));
    assert_eq!(meta(&about, "twitter:image"), Some(card));
    assert_eq!(meta(&home, "og:image:alt"), Some("The treatment room"));
    assert_eq!(meta(&about, "og:image:alt"), Some("The clinic&#39;s sign"));
    assert_eq!(meta(&about, "twitter:card"), Some("summary_large_image"));
    assert_eq!(meta(&about, "og:image:width"), Some("64"));
    // The home page shows its picture beside its title, loaded first.
    let hero_html = slice(&home, "<div class=\"hero-image\">", "</div>");
    assert!(hero_html.contains("alt=\"The treatment room\""), "{hero_html}");
    assert!(hero_html.contains("fetchpriority=\"high\""), "{hero_html}");
    assert!(!hero_html.contains("loading=\"lazy\""), "{hero_html}");
    // Without a site image, a page without its own has none.
    let site = pictured("");
    site.build();
    assert_eq!(meta(&site.read_output("about/index.html"), "og:image"), None);
}

#[test]
fn a_pages_picture_without_alt_text_is_an_error() {
    let site = pictured("");
    site.write("content/about.md", "---\ntitle: About\nimage: ../images/card.jpg\n---\n\nText.\n");
    let stderr = site.build_fails();
    assert!(
        stderr.starts_with("error: the page's `image` has no alt text\n --> content/about.md:3:1\n"),
        "{stderr}"
    );
}

#[test]
fn the_logo_replaces_the_themes_mark() {
    let site = pictured("logo: images/card.jpg\n");
    site.build();
    let about = site.read_output("about/index.html");
    let brand = slice(&about, "<a class=\"brand\"", "</a>");
    assert!(brand.contains("<picture>") && brand.contains("src=\"../_img/card-"), "{brand}");
    assert!(brand.contains("alt=\"Test Clinic\""), "{brand}");
    assert!(brand.contains("<span aria-hidden=\"true\">Test Clinic</span>"), "{brand}");
    assert!(!brand.contains("brand-mark"), "{brand}");
    // Without a logo, the theme's mark.
    let site = pictured("");
    site.build();
    assert!(site.read_output("about/index.html").contains("class=\"brand-mark\""));
}
