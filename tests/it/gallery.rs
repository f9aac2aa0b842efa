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
    assert!(said[0].starts_with("content/results/index.md:11:5: pair 1 "), "{said:#?}");
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
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gallery/content/results/crown-before.jpg")
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
