//! Issue 14: heading ids by the rule of the platform a site was written for,
//! ids from raw HTML and footnotes as link targets, and broken links as
//! warnings (`broken_links: warn`, `--broken-links warn`).

use crate::support::TestSite;

/// The fixture's settings with `extra` lines added.
fn with_settings(site: &TestSite, extra: &str) {
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}{extra}"));
}

/// The ids of the `<h2>`s of a built page, in order, as written (entities decoded).
fn h2_ids(html: &str) -> Vec<String> {
    html.split("<h2 id=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&").replace("&#39;", "'"))
        .collect()
}

#[test]
fn github_s_rule_is_the_default_and_links_written_for_it_resolve() {
    let site = TestSite::fixture("migrate-ids");
    site.build();
    assert_eq!(
        h2_ids(&site.read_output("guide/index.html")),
        [
            "fish--chips",
            "the-foo_bar-option",
            "v12-release-notes",
            "café-au-lait",
            "-emoji",
            "whats-new",
            "a----b",
            "2024",
            "fish--chips-1",
            "kept-as-written",
        ]
    );
    // Raw HTML, a definition list's term and a footnote are targets too, for
    // build and check alike.
    let check = site.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(!check.stderr.contains("heading with that id"), "{}", check.stderr);
    assert!(!check.stderr.contains("has no element"), "{}", check.stderr);
    let html = site.read_output("guide/index.html");
    assert!(html.contains("<div class=\"footnote-definition\" id=\"side-effects\">"), "{html}");
    // A markdown definition list's term has an id by the heading rule.
    assert!(
        html.contains("<dt id=\"max-age\">Max age</dt>\n<dd>How long a session lasts, in days.</dd>"),
        "{html}"
    );
}

#[test]
fn each_heading_rule_gives_its_platform_s_ids() {
    let rules: [(&str, [&str; 10]); 7] = [
        (
            "gitlab",
            [
                "fish-chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "café-au-lait",
                "-emoji",
                "whats-new",
                "a-b",
                "anchor-2024",
                "fish-chips-1",
                "kept-as-written",
            ],
        ),
        (
            "pandoc",
            [
                "fish-chips",
                "the-foo_bar-option",
                "v1.2-release-notes",
                "café-au-lait",
                "emoji",
                "whats-new",
                "a----b",
                "section",
                "fish-chips-1",
                "kept-as-written",
            ],
        ),
        (
            "python-markdown",
            [
                "fish-chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "cafe-au-lait",
                "emoji",
                "whats-new",
                "a-b",
                "2024",
                "fish-chips_1",
                "kept-as-written",
            ],
        ),
        (
            "kramdown",
            [
                "fish--chips",
                "the-foobar-option",
                "v12-release-notes",
                "caf-au-lait",
                "emoji",
                "whats-new",
                "a----b",
                "section",
                "fish--chips-1",
                "kept-as-written",
            ],
        ),
        (
            "mediawiki",
            [
                "Fish_&_Chips",
                "The_foo_bar_option",
                "v1.2_release_notes",
                "Café_au_lait",
                "😄_emoji",
                "What's_new?",
                "A_--_B",
                "2024",
                "Fish_&_Chips_2",
                "kept-as-written",
            ],
        ),
        (
            "dotwork",
            [
                "fish-chips",
                "the-foo-bar-option",
                "v1-2-release-notes",
                "café-au-lait",
                "emoji",
                "whats-new",
                "a-b",
                "2024",
                "fish-chips-1",
                "kept-as-written",
            ],
        ),
        (
            "github",
            [
                "fish--chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "café-au-lait",
                "-emoji",
                "whats-new",
                "a----b",
                "2024",
                "fish--chips-1",
                "kept-as-written",
            ],
        ),
    ];
    for (rule, expected) in rules {
        let site = TestSite::fixture("migrate-ids");
        with_settings(&site, &format!("heading_ids: {rule}\n"));
        // The fixture's links are written for GitHub's ids: warnings elsewhere.
        let run = site.run(&["build", "--broken-links", "warn"]);
        assert_eq!(run.code, 0, "{rule}: {}", run.stderr);
        assert_eq!(h2_ids(&site.read_output("guide/index.html")), expected, "{rule}");
    }
}

#[test]
fn a_link_to_a_heading_by_another_rule_s_id_is_a_broken_anchor() {
    let site = TestSite::fixture("migrate-ids");
    with_settings(&site, "heading_ids: dotwork\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("error: link to `#fish--chips`, but this page has no heading with that id"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/guide.md:43:21"), "{stderr}");
    assert!(stderr.contains("help: did you mean `#fish-chips`?"), "{stderr}");
    // The HTML, definition-list and footnote ids are still found.
    for id in
        ["raw-heading", "raw-div", "old-anchor", "term-dose", "max-age", "side-effects", "kept-as-written"]
    {
        assert!(!stderr.contains(&format!("`#{id}`")), "{id}: {stderr}");
    }
}

#[test]
fn an_unknown_heading_rule_is_an_error_at_its_line() {
    let site = TestSite::fixture("migrate-ids");
    with_settings(&site, "heading_ids: jekyll\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: `heading_ids` must be one of github, gitlab, pandoc, python-markdown, kramdown, mediawiki, dotwork, not `jekyll`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> site.yaml:7:14"), "{stderr}");
}

/// The four broken links of `migrate-ids-broken`, as `build` and `check` report them.
const BROKEN: [(&str, &str); 4] = [
    ("link to `risks.md`, but there is no page content/risks.md", "--> content/index.md:7:35"),
    (
        "link to `#washng`, but content/care/aftercare.md has no heading with that id",
        "--> content/index.md:9:40",
    ),
    ("link to `/contact-us/`, but no page has the address /contact-us/", "--> content/index.md:11:39"),
    (
        "link to `files/leaflet.pdf`, but there is no file content/files/leaflet.pdf",
        "--> content/index.md:13:41",
    ),
];

#[test]
fn broken_links_fail_the_build_by_default() {
    let site = TestSite::fixture("migrate-ids-broken");
    let stderr = site.build_fails();
    for (message, at) in &BROKEN[..3] {
        assert!(stderr.contains(&format!("error: {message}")), "{message}: {stderr}");
        assert!(stderr.contains(at), "{at}: {stderr}");
    }
    assert!(!site.path("public").exists());
}

#[test]
fn with_broken_links_warn_the_site_builds_and_every_broken_link_is_a_warning() {
    for (how, args) in [("flag", &["build", "--broken-links", "warn"][..]), ("setting", &["build"][..])] {
        let site = TestSite::fixture("migrate-ids-broken");
        if how == "setting" {
            with_settings(&site, "broken_links: warn\n");
        }
        let run = site.run(args);
        assert_eq!(run.code, 0, "{how}: {}", run.stderr);
        for (message, at) in BROKEN {
            assert!(
                run.stderr.contains(&format!("warning: {message}")) || run.stderr.contains(message),
                "{how}, {message}: {}",
                run.stderr
            );
            assert!(run.stderr.contains(at), "{how}, {at}: {}", run.stderr);
        }
        assert!(!run.stderr.contains("error:"), "{how}: {}", run.stderr);
        assert_eq!(run.stderr.matches("no page has the address /contact-us/").count(), 1, "{}", run.stderr);
        assert!(site.read_output("index.html").contains("aftercare"));
        assert!(site.output_files().contains(&"files/consent.pdf".to_string()), "{:?}", site.output_files());
    }
}

#[test]
fn the_flag_overrides_the_setting() {
    let site = TestSite::fixture("migrate-ids-broken");
    with_settings(&site, "broken_links: warn\n");
    assert!(site.run(&["build", "--broken-links", "error"]).stderr.contains("error: link to `risks.md`"));
    let check = site.run(&["check", "--broken-links", "error"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
}

#[test]
fn check_with_broken_links_warn_reports_every_problem_in_one_pass() {
    let site = TestSite::fixture("migrate-ids-broken");
    let run = site.run(&["check", "--broken-links", "warn"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (message, at) in BROKEN {
        assert!(
            run.stderr.contains(&format!("warning: {message}")) || run.stderr.contains(message),
            "{message}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(at), "{at}: {}", run.stderr);
    }
    // Found by the parse stage and again in the built page: shown once.
    assert_eq!(run.stderr.matches("no page has the address /contact-us/").count(), 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("`#intro`").count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: link to `#intro`, but this page has no heading with that id"),
        "{}",
        run.stderr
    );
    // The missing file is found by the check of the built pages, which a
    // build error would have stopped before: every class in one pass.
    assert!(run.stderr.contains("leaflet.pdf"), "{}", run.stderr);
    let strict = site.run(&["check", "--broken-links", "warn", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    let default = site.run(&["check"]);
    assert_eq!(default.code, 1, "{}", default.stderr);
}

#[test]
fn with_many_broken_links_in_a_file_the_count_is_reported_as_a_warning() {
    let links: String = (0..40).map(|i| format!("[x{i}](missing-{i}.md)\n\n")).collect();
    let site = TestSite::fixture("migrate-ids-broken");
    site.write("content/many.md", &format!("---\ntitle: Many\n---\n{links}"));
    let run = site.run(&["build", "--broken-links", "warn"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: 15 more broken links in this file are not shown, 40 in all"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_broken_links_value_is_a_usage_error() {
    let site = TestSite::fixture("migrate-ids-broken");
    let run = site.run(&["build", "--broken-links", "ignore"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: invalid value 'ignore' for '--broken-links <WHAT>'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[possible values: error, warn]"), "{}", run.stderr);
    let site = TestSite::fixture("migrate-ids-broken");
    with_settings(&site, "broken_links: ignore\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("error: `broken_links` must be one of error, warn, not `ignore`"), "{stderr}");
    assert!(stderr.contains("--> site.yaml:5:15"), "{stderr}");
}
