//! `dotwork check`: for each check, a site that trips it and one that
//! passes, run through the real binary; exit codes, messages and `file:line`.
//!
//! Sites start from the `check-clean` fixture (its own small theme, nothing
//! to find) with one page added or changed, so each test sees only its own
//! problem.

use crate::support::{Run, TestSite};

const DESCRIPTION: &str = "A page of the check fixture, with a description long enough to be useful.";

/// A page with a good title and description, in the menu; `body` starts on
/// line 6 of the file.
fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndescription: \"{DESCRIPTION}\"\nmenu: true\n---\n{body}")
}

/// The clean fixture with `content/<path>` written as `text`.
fn clean_with(path: &str, text: &str) -> TestSite {
    let site = TestSite::fixture("check-clean");
    site.write(&format!("content/{path}"), text);
    site
}

/// `dotwork check ARGS`, which must not panic nor write the site.
fn check(site: &TestSite, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let run = site.run(&all);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!site.path("public").exists(), "check wrote public/");
    run
}

/// Asserts a run exited with `code` and printed each of `expected`.
fn assert_reports(run: &Run, code: i32, expected: &[&str]) {
    assert_eq!(run.code, code, "expected exit {code}:\n{}", run.stderr);
    for e in expected {
        assert!(run.stderr.contains(e), "missing {e:?} in:\n{}", run.stderr);
    }
}

#[test]
fn a_clean_site_passes_even_strict_and_nothing_is_written() {
    let site = TestSite::fixture("check-clean");
    let run = check(&site, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "check: no problems in 2 pages\n");
}

#[test]
fn root_names_the_site_from_elsewhere() {
    let site = TestSite::fixture("check-clean");
    let elsewhere = TestSite::empty();
    let run = elsewhere.run(&["check", "--root", site.root().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no problems in 2 pages"), "{}", run.stderr);
}

#[test]
fn broken_links_and_missing_files_in_content_are_errors_at_their_line() {
    let site = clean_with(
        "prices.md",
        &page(
            "Our prices",
            "See the [price list](/files/prices.pdf).\n\n![Our sign](sign.png)\n\nOr <a href=\"../about/#team\">our team</a>.\n",
        ),
    );
    let run = check(&site, &[]);
    assert_reports(
        &run,
        1,
        &[
            "content/prices.md (3 errors)",
            "error: link to `/files/prices.pdf`, but the built site has no file files/prices.pdf",
            "--> content/prices.md:6:22",
            "error: image `sign.png`, but there is no file content/sign.png",
            "--> content/prices.md:8:13",
            "error: link to `../about/#team`, but about/index.html has no element with id `team`",
            "--> content/prices.md:10:7",
            "check: 3 errors, 0 warnings in 1 file",
        ],
    );

    // The same links, to files and ids that exist, pass.
    site.write_bytes("static/files/prices.pdf", b"%PDF");
    site.write(
        "content/prices.md",
        &page(
            "Our prices",
            "See the [price list](/files/prices.pdf).\n\n![Our sign](/images/dot.png)\n\nOr <a href=\"../about/#who-we-are\">who we are</a>.\n",
        ),
    );
    assert_eq!(check(&site, &["--strict"]).code, 0);
}

#[test]
fn a_file_beside_the_page_is_found_from_markdown_and_suggested_from_html() {
    // Markdown names files from the page's file, as it names pages (issue
    // 14); raw HTML is left as written, so there the hint still helps.
    let site = clean_with("care/aftercare.md", &page("Aftercare advice", "![A clean scalp](scalp.svg)\n"));
    site.write("content/care/scalp.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    assert_eq!(check(&site, &[]).code, 0);
    site.write(
        "content/care/aftercare.md",
        &page("Aftercare advice", "<img src=\"scalp.svg\" alt=\"A clean scalp\">\n"),
    );
    let run = check(&site, &[]);
    assert_reports(
        &run,
        1,
        &[
            "image `scalp.svg` not found: the built site has no file care/aftercare/scalp.svg",
            "help: addresses are relative to the page's address /care/aftercare/, not to its file; write /care/scalp.svg",
        ],
    );
}

#[test]
fn a_site_that_does_not_build_is_reported_the_same_way() {
    let site = clean_with("prices.md", &page("Our prices", "See [the team](about.md#team).\n"));
    let run = check(&site, &["--strict"]);
    assert_reports(
        &run,
        1,
        &[
            "error: link to `#team`, but content/about.md has no heading with that id",
            "--> content/prices.md:6:",
        ],
    );
    assert!(run.stderr.ends_with("check: 1 error, 0 warnings in 1 file\n"), "{}", run.stderr);
}

/// The errors in the templates of the `check-templates` fixture, each with
/// where it is reported (`build` refuses them too).
pub(crate) const BROKEN_THEME_ERRORS: [&str; 8] = [
    "error: link to `/styles.css`, but the built site has no file styles.css",
    "--> themes/broken/templates/base.html:7:24",
    "error: link to `#content`, but the page has no element with id `content`",
    "--> themes/broken/templates/base.html:10:4",
    "error: image `/images/dot.png` without alt text",
    "--> themes/broken/templates/base.html:11:1",
    "error: link to `/contact/`, but no page has the address /contact/",
    "--> themes/broken/templates/base.html:23:16",
];

#[test]
fn problems_in_templates_point_at_the_template_line_once() {
    let site = TestSite::fixture("check-templates");
    let run = check(&site, &[]);
    assert_reports(&run, 1, &BROKEN_THEME_ERRORS);
    assert_reports(
        &run,
        1,
        &[
            "themes/broken/templates/base.html (4 errors, 2 warnings)",
            "help: did you mean /style.css? (seen on 2 pages, such as content/about.md)",
            "warning: heading level jumps from h2 to h4",
            "--> themes/broken/templates/base.html:22:1",
            "warning: link text `click here` does not say where the link goes",
            "--> themes/broken/templates/base.html:23:13",
            "check: 4 errors, 2 warnings in 1 file",
        ],
    );
    assert_eq!(run.stderr.matches("--> ").count(), 6, "one report per template line:\n{}", run.stderr);
}

#[test]
fn images_need_alt_text() {
    let body = "![](/images/dot.png)\n\n<img src=\"../images/dot.png\">\n";
    let run = check(&clean_with("gallery.md", &page("Our gallery", body)), &[]);
    assert_reports(
        &run,
        1,
        &["error: image without alt text", "--> content/gallery.md:6:1", "--> content/gallery.md:8:1"],
    );
    assert_eq!(run.stderr.matches("image without alt text").count(), 2, "{}", run.stderr);

    let body = "![Our sign](/images/dot.png)\n\n<img src=\"../images/dot.png\" alt=\"Our sign\">\n";
    assert_eq!(check(&clean_with("gallery.md", &page("Our gallery", body)), &["--strict"]).code, 0);
}

#[test]
fn one_h1_and_no_skipped_heading_levels() {
    // A leading `# Heading` is the page's title and not shown (issue 14),
    // later ones are shown a level down: an h1 written as HTML is left.
    let body = "<h1>Our team</h1>\n\nWe are nurses.\n\n## Nurses\n\n#### Night shift\n\nWe work at night.\n";
    let site = clean_with("team.md", &page("Our team here", body));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: more than one h1 heading on this page",
            "--> content/team.md:6:1",
            "start the page's headings at ## (h2)",
            "warning: heading level jumps from h2 to h4",
            "--> content/team.md:12:1",
            "help: use ### here",
            "check: 0 errors, 2 warnings in 1 file",
        ],
    );
    assert_eq!(check(&site, &["--strict"]).code, 1, "warnings fail with --strict");

    let body = "## Our team\n\nWe are nurses.\n\n### Nurses\n\n#### Night shift\n\nWe work at night.\n";
    assert_eq!(check(&clean_with("team.md", &page("Our team here", body)), &["--strict"]).code, 0);
}

#[test]
fn link_text_must_say_where_it_goes() {
    let body = "To book, [click here](about.md). For prices, <a href=\"../about/\">read more</a>.\n";
    let run = check(&clean_with("book.md", &page("How to book", body)), &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: link text `click here` does not say where the link goes",
            "--> content/book.md:6:10",
            "warning: link text `read more` does not say where the link goes",
            "--> content/book.md:6:46",
        ],
    );

    let body = "Read [about the clinic](about.md) before you book.\n";
    assert_eq!(check(&clean_with("book.md", &page("How to book", body)), &["--strict"]).code, 0);
}

#[test]
fn titles_and_descriptions_fit_search_results() {
    let long_title = "Everything you could ever want to know about the clinic and more";
    let fits = "Everything about the clinic, its team and its prices here";
    let site = TestSite::fixture("check-clean");
    site.write("content/a.md", &format!("---\ntitle: {long_title}\nmenu: true\n---\nText.\n"));
    site.write("content/b.md", "---\ntitle: Prices\ndescription: Our prices.\nmenu: true\n---\nText.\n");
    site.write("content/c.md", &page(fits, "Text.\n"));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            // Judged without the site's name the theme adds, and said so.
            &format!(
                "warning: the page's title `{long_title}` is 64 characters long (not counting what the theme adds"
            ),
            "--> content/a.md:2:1",
            "warning: description is only 11 characters; 50 to 160 make a useful summary",
            "--> content/b.md:3:1",
            // A page without a description of its own shows the site's: the same on every such page.
            "warning: the page has no `description`, so it shows the site's description from site.yaml",
        ],
    );
    // 57 characters of its own, 77 with the site's name: the page cannot shorten the suffix.
    assert!(!run.stderr.contains("content/c.md"), "{}", run.stderr);

    let site = TestSite::fixture("check-clean");
    site.write(
        "site.yaml",
        &std::fs::read_to_string(site.path("site.yaml")).unwrap().replace("description:", "#"),
    );
    site.write("content/a.md", "---\ntitle: A page about us\nmenu: true\n---\nText.\n");
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: the page has no `description`: search engines will make up a summary from the page",
            "--> content/a.md:2:1",
            "help: add `description:` to the front matter",
        ],
    );
}

#[test]
fn the_home_page_title_warning_points_at_site_yaml() {
    // The home page's <title> and <h1> are the site's title; its own `title:` names it in the menu.
    let site = TestSite::clinic();
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    let long = "Example Scalp Clinic, scalp micropigmentation for thinning hair in London";
    let line = settings.lines().position(|l| l.starts_with("title:")).unwrap() + 1;
    let changed: String = settings
        .lines()
        .map(|l| if l.starts_with("title:") { format!("title: {long}\n") } else { format!("{l}\n") })
        .collect();
    site.write("site.yaml", &changed);
    let run = check(&site, &["--strict"]);
    assert_reports(
        &run,
        1,
        &[
            &format!(
                "warning: the site's title `{long}` is 73 characters long; it is the <title> of content/index.md"
            ),
            &format!("--> site.yaml:{line}:1"),
            "help: shorten `title` in site.yaml",
        ],
    );
    assert!(!run.stderr.contains("content/index.md ("), "nothing to fix in the home page:\n{}", run.stderr);
}

/// The clean fixture with a reviewer in site.yaml.
fn with_reviewer() -> TestSite {
    let site = TestSite::fixture("check-clean");
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}people:\n  drx:\n    name: Dr Example\n"));
    site
}

fn reviewed_page(front: &str) -> String {
    format!("---\ntitle: Possible risks\ndescription: \"{DESCRIPTION}\"\nmenu: true\n{front}---\nText.\n")
}

#[test]
fn pages_past_their_review_date_are_flagged() {
    let site = with_reviewer();
    site.write("content/risks.md", &reviewed_page("reviewed_by: drx\nreviewed: 2000-01-31\n"));
    site.write("content/aftercare.md", &reviewed_page("reviewed_by: drx\n"));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: medical review was due on 2001-01-31 (last reviewed 2000-01-31, every 12 months)",
            "--> content/risks.md:6:1",
            "warning: reviewed by `drx`, but there is no `reviewed` date",
            "--> content/aftercare.md:5:1",
        ],
    );

    let today = dotwork::date::Date::today();
    site.write("content/risks.md", &reviewed_page(&format!("reviewed_by: drx\nreviewed: {today}\n")));
    site.write("content/aftercare.md", &reviewed_page(&format!("reviewed_by: drx\nreviewed: {today}\n")));
    let run = check(&site, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn the_review_interval_comes_from_site_yaml() {
    let site = with_reviewer();
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}review_interval_months: 1200\n"));
    site.write("content/risks.md", &reviewed_page("reviewed_by: drx\nreviewed: 2000-01-31\n"));
    assert_eq!(check(&site, &["--strict"]).code, 0);
}

const HARD_PROSE: &str = "Scalp micropigmentation constitutes a non-surgical cosmetic intervention \
whereby specialised practitioners deposit biocompatible pigmentation into the superficial dermal \
layers, consequently simulating the appearance of individual follicles. Considerable deliberation \
regarding pigment selection, anatomical hairline configuration and appropriate density is \
necessary, particularly for individuals experiencing diffuse thinning or extensive androgenetic \
alopecia, because unsatisfactory outcomes necessitate laborious corrective procedures.\n";

#[test]
fn prose_above_the_reading_grade_is_flagged_with_its_hardest_sentence() {
    let site = clean_with("procedure.md", &page("The procedure", HARD_PROSE));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: reading grade 33.1 is above the target of 8 (Flesch-Kincaid, 55 words in 2 sentences)",
            "help: shorter sentences and shorter words lower the grade; the hardest sentence, grade 35.4, starts here",
        ],
    );
    // The second sentence (30 words) is the hardest; it starts at column 243 of the one-line paragraph.
    assert!(run.stderr.contains("--> content/procedure.md:6:243"), "{}", run.stderr);

    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}reading_grade: 40\n"));
    let run = check(&site, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn absolute_claims_are_flagged_with_their_sentence_and_honest_ones_pass() {
    let body =
        "Our treatment is quick.\nIt is painless and the results are guaranteed.\n\n## A risk-free choice\n";
    let site = clean_with("procedure.md", &page("The procedure", body));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: absolute claim \u{201c}painless\u{201d}: how much something hurts differs from person to person",
            "--> content/procedure.md:7:7",
            "help: in \u{201c}It is painless and the results are guaranteed.\u{201d}",
            "warning: absolute claim \u{201c}guaranteed\u{201d}: no treatment's result can be guaranteed",
            "--> content/procedure.md:7:36",
            "warning: absolute claim \u{201c}risk-free\u{201d}: every treatment has risks",
            "--> content/procedure.md:9:1",
        ],
    );
    // Warnings: a plain check passes, --strict does not.
    assert_eq!(check(&site, &["--strict"]).code, 1);

    let honest = "No treatment is risk-free, and we cannot guarantee a result.\nMost people find it uncomfortable rather than painful.\n";
    site.write("content/procedure.md", &page("The procedure", honest));
    let run = check(&site, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn prescription_only_medicines_are_flagged_only_for_the_uk() {
    let body = "Ask us about Botox at your consultation.\n";
    let site = clean_with("wrinkles.md", &page("Lines and wrinkles", body));
    // Elsewhere the UK's code does not apply.
    assert_eq!(check(&site, &["--strict"]).code, 0);

    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}region: UK\n"));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: \u{201c}botox\u{201d} names a prescription-only medicine (botulinum toxin), which the UK advertising code (CAP Code rule 12.12) forbids advertising to the public",
            "--> content/wrinkles.md:6:14",
            "describe the treatment or the consultation without naming the medicine",
        ],
    );
    site.write(
        "content/wrinkles.md",
        &page("Lines and wrinkles", "Ask us about anti-wrinkle treatment at your consultation.\n"),
    );
    assert_eq!(check(&site, &["--strict"]).code, 0);

    site.write("site.yaml", &format!("{settings}region: United Kingdom\n"));
    let run = check(&site, &[]);
    assert_reports(&run, 1, &["error: `united kingdom` is not a country code", "--> site.yaml:"]);
}

#[test]
fn before_and_after_photos_outside_the_gallery_are_flagged() {
    let site = clean_with("results.md", &page("Results", "![The crown of a patient](/crown-before.jpg)\n"));
    site.write_bytes("content/crown-before.jpg", include_bytes!("../fixtures/images/content/room.jpg"));
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: a before-and-after photo in the page's text, where no consent is recorded",
            "--> content/results.md:6:1",
            "help: publish patients' photos through the page's `gallery`",
        ],
    );
    site.write("content/results.md", &page("Results", "![The treatment room](/room.jpg)\n"));
    site.write_bytes("content/room.jpg", include_bytes!("../fixtures/images/content/room.jpg"));
    let run = check(&site, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn pages_nothing_links_to_are_flagged() {
    let orphan = "---\ntitle: Our old prices\ndescription: \"A page of the check fixture, with a description long enough to be useful.\"\n---\nText.\n";
    let site = clean_with("old-prices.md", orphan);
    let run = check(&site, &[]);
    assert_reports(
        &run,
        0,
        &[
            "warning: no other page links to this page",
            "--> content/old-prices.md:2:1",
            "help: link to it from another page, or add `menu: true`",
        ],
    );
    // The home page is the way in; nothing needs to link to it.
    assert!(!run.stderr.contains("content/index.md"), "{}", run.stderr);

    site.write("content/about.md", &page("About the clinic", "See [our old prices](old-prices.md).\n"));
    assert_eq!(check(&site, &["--strict"]).code, 0);
}

#[test]
fn drafts_are_checked_only_when_asked() {
    let draft = "---\ntitle: Coming soon\ndraft: true\nmenu: true\ndescription: \"A page of the check fixture, with a description long enough to be useful.\"\n---\n![](missing.png)\n";
    let site = clean_with("soon.md", draft);
    assert_eq!(check(&site, &[]).code, 0);
    let run = check(&site, &["--drafts"]);
    assert_reports(&run, 1, &["--> content/soon.md:7:1", "error: image without alt text"]);
}

#[test]
fn the_shipped_clinic_site_passes() {
    let site = TestSite::clinic();
    let run = check(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Strict too, on a fixed date (2026-12-02, after the last review): the
    // pages' reviews (2026-11-24) fall due after 12 months, and a test must
    // not start failing on that day.
    let strict = site.run_with_env(&["check", "--strict"], &[("SOURCE_DATE_EPOCH", "1796169600")]);
    assert_eq!(strict.code, 0, "{}", strict.stderr);
    assert!(strict.stderr.contains("check: no problems in 30 pages"), "{}", strict.stderr);
    let later = site.run_with_env(&["check", "--strict"], &[("SOURCE_DATE_EPOCH", "1827187200")]);
    assert_eq!(later.code, 1, "a review overdue on 2027-11-26 must fail --strict:\n{}", later.stderr);
    assert!(run.stderr.lines().last().is_some_and(|l| l.starts_with("check: ")), "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "no colour when NO_COLOR is set:\n{}", run.stderr);
}

#[test]
fn help_lists_the_check_options() {
    let run = TestSite::empty().run(&["check", "--help"]);
    assert_eq!(run.code, 0);
    for flag in ["--root", "--strict", "--drafts"] {
        assert!(run.stdout.contains(flag), "{flag} missing:\n{}", run.stdout);
    }
    assert_eq!(TestSite::empty().run(&["check", "--no-such-flag"]).code, 2);
}

#[test]
fn a_folder_without_a_site_is_a_clear_error() {
    let run = check(&TestSite::empty(), &[]);
    assert_reports(&run, 1, &["no site.yaml in", "check: 1 error, 0 warnings in 1 file"]);
}
