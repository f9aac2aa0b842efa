//! Bad input: every mistake is reported with its file and line, the build
//! exits 1, never panics, and never damages the existing `public/`.

use std::fs;
use std::path::Path;

use crate::support::TestSite;

fn page(title_line: &str, body: &str) -> String {
    format!("---\n{title_line}\n---\n{body}")
}

/// Builds a one-page site whose `content/index.md` is `text`; returns stderr.
fn fails_with(text: &str) -> String {
    TestSite::with_pages(&[("index.md", text)]).build_fails()
}

#[test]
fn yaml_syntax_error_in_front_matter_names_the_file_line() {
    let stderr = fails_with("---\ntitle: Home\ndescription: Risks: what to know\n---\nbody\n");
    assert!(stderr.contains("--> content/index.md:3:"), "{stderr}");
    assert!(stderr.contains("3 | description: Risks: what to know"), "{stderr}");
    assert!(stderr.contains("must be put in quotes"), "{stderr}");
}

#[test]
fn yaml_syntax_error_in_site_yaml_names_the_line() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", ""))]);
    site.write("site.yaml", "title: Clinic\nbase_url: https://example.org/\nclinic:\n  name: [unclosed\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("--> site.yaml:"), "{stderr}");
    assert!(!stderr.contains("site.yaml:1:"), "points into the file: {stderr}");
}

#[test]
fn front_matter_never_closed() {
    let stderr = fails_with("---\ntitle: Home\n\nSome text\n");
    assert!(stderr.contains("never closed"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:1:1"), "{stderr}");
}

#[test]
fn page_without_title() {
    let stderr = fails_with("---\ndescription: x\n---\nbody");
    assert!(stderr.contains("error: this page has no title"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:1:1"), "{stderr}");
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let stderr = fails_with("---\ntitle: Home\ntitel: Home\n---\n");
    assert!(stderr.contains("error: unknown key `titel` in front matter"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:3:1"), "{stderr}");
    assert!(stderr.contains("help: did you mean `title`?"), "{stderr}");
}

#[test]
fn unknown_site_yaml_key_suggests_the_nearest() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", ""))]);
    site.write("site.yaml", "title: Clinic\nbase_ulr: https://example.org/\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("unknown key `base_ulr` in site.yaml"), "{stderr}");
    assert!(stderr.contains("--> site.yaml:2:1"), "{stderr}");
    assert!(stderr.contains("did you mean `base_url`?"), "{stderr}");
}

#[test]
fn wrong_type() {
    let stderr = fails_with("---\ntitle: Home\nweight: heavy\n---\n");
    assert!(stderr.contains("--> content/index.md:3:9"), "points at the value: {stderr}");
    assert!(stderr.contains("`weight` must be a whole number, not `heavy`"), "{stderr}");
}

#[test]
fn impossible_date() {
    let stderr = fails_with("---\ntitle: Home\ndate: 2024-13-45\n---\n");
    assert!(stderr.contains("`2024-13-45` is not a real date: month 13 does not exist"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:3:7"), "{stderr}");
}

#[test]
fn two_pages_with_the_same_url_name_both_files() {
    let site = TestSite::with_pages(&[
        ("index.md", &page("title: Home", "")),
        ("care.md", &page("title: Care", "")),
        ("care/index.md", &page("title: Care again", "")),
    ]);
    let stderr = site.build_fails();
    assert!(stderr.contains("content/care.md"), "{stderr}");
    assert!(stderr.contains("content/care/index.md"), "{stderr}");
    assert!(stderr.contains("would both be written to /care/"), "{stderr}");
}

#[test]
fn template_that_does_not_exist() {
    let stderr = fails_with("---\ntitle: Home\ntemplate: contcat.html\n---\n");
    assert!(stderr.contains("template `contcat.html` does not exist"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:3:1"), "{stderr}");
    assert!(stderr.contains("did you mean `contact.html`?"), "{stderr}");
}

#[test]
fn template_syntax_errors_name_the_template_and_line_all_of_them() {
    let site =
        TestSite::with_pages(&[("index.md", &page("title: Home", "")), ("a.md", &page("title: A", ""))]);
    site.write("templates/page.html", "line one\n{% if page.title %}\nno endif\n");
    site.write("templates/index.html", "ok\n{{ page.title | }}\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("syntax error in template"), "{stderr}");
    assert!(stderr.contains("--> templates/page.html:"), "{stderr}");
    assert!(stderr.contains("--> templates/index.html:2:"), "{stderr}");
}

#[test]
fn template_runtime_error_names_template_line_and_page() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", ""))]);
    site.write("templates/index.html", "<p>\n{{ page.extra.missing.deeper }}\n</p>\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("--> templates/index.html:2:"), "{stderr}");
    assert!(stderr.contains("while rendering content/index.md"), "{stderr}");
}

#[test]
fn template_runtime_error_in_a_partial_names_the_partial_line_and_page() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", ""))]);
    site.write("templates/index.html", "<p>{{ partial(name=\"partials/box.html\") }}</p>\n");
    site.write("templates/partials/box.html", "<div>\n{{ page.extra.missing.deeper }}\n</div>\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("--> templates/partials/box.html:2:"), "{stderr}");
    assert!(stderr.contains("while rendering content/index.md"), "{stderr}");
}

#[test]
fn link_to_a_missing_page_or_anchor() {
    let site = TestSite::with_pages(&[
        ("index.md", &page("title: Home", "Intro.\n\nSee [risks](risk.md) and [washing](care.md#washin).\n")),
        ("care.md", &page("title: Care", "## Washing\n")),
    ]);
    let stderr = site.build_fails();
    assert!(stderr.contains("link to `risk.md`, but there is no page content/risk.md"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:6:13"), "{stderr}");
    assert!(
        stderr.contains("link to `#washin`, but content/care.md has no heading with that id"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `#washing`?"), "{stderr}");
    assert!(stderr.contains("error: 2 errors in the site"), "{stderr}");
}

#[test]
fn followup_page_is_checked_like_a_link_at_its_front_matter_line() {
    // Issue 10: a typo in `procedure.followup_page` was silently dropped
    // from the structured data; it is now resolved as a link in the text is.
    let about = "---\ntitle: About\nprocedure:\n  how_performed: With needles.\n  followup_page: aftercre.md\n---\nText.\n";
    let site = TestSite::with_pages(&[
        ("care/about.md", about),
        ("care/aftercare.md", &page("title: Aftercare", "## Washing\n")),
        ("index.md", &page("title: Home", "")),
    ]);
    let stderr = site.build_fails();
    assert!(
        stderr.contains("error: link to `aftercre.md`, but there is no page content/care/aftercre.md"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/care/about.md:5:3"), "{stderr}");
    assert!(stderr.contains("5 |   followup_page: aftercre.md"), "{stderr}");
    assert!(stderr.contains("help: did you mean `/care/aftercare.md`?"), "{stderr}");

    // Its `#fragment` is checked as any link's, and the right page builds.
    site.write("content/care/about.md", &about.replace("aftercre.md", "aftercare.md#washin"));
    let stderr = site.build_fails();
    assert!(
        stderr.contains("link to `#washin`, but content/care/aftercare.md has no heading with that id"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/care/about.md:5:3"), "{stderr}");
    assert!(stderr.contains("did you mean `#washing`?"), "{stderr}");
    site.write("content/care/about.md", &about.replace("aftercre.md", "aftercare.md#washing"));
    site.build();
    let html = site.read_output("care/about/index.html");
    assert!(html.contains(r#""followup":"https://example.org/care/aftercare/#washing""#), "{html}");

    // An address instead of a file is refused with what to write.
    site.write("content/care/about.md", &about.replace("aftercre.md", "/care/aftercare/"));
    let stderr = site.build_fails();
    assert!(stderr.contains("`/care/aftercare/` is not a link to a page's markdown file"), "{stderr}");
    assert!(stderr.contains("--> content/care/about.md:5:3"), "{stderr}");
}

#[test]
fn link_to_a_draft_says_so() {
    let site = TestSite::with_pages(&[
        ("index.md", &page("title: Home", "[x](next.md)")),
        ("next.md", "---\ntitle: N\ndraft: true\n---\n"),
    ]);
    let stderr = site.build_fails();
    assert!(stderr.contains("which is a draft"), "{stderr}");
}

#[test]
fn content_that_is_not_utf8() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", "See [the café](latin1.md)."))]);
    site.write_bytes("content/latin1.md", b"---\ntitle: Caf\xe9\n---\n");
    for command in ["build", "check"] {
        let out = site.run(&[command]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains("this file is not UTF-8 text"), "{}", out.stderr);
        assert!(out.stderr.contains("--> content/latin1.md:2:11"), "{}", out.stderr);
        // The page that could not be read is the error, not the links to it.
        assert!(!out.stderr.contains("link to"), "{}", out.stderr);
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_symlink_loop_do_not_hang_or_crash() {
    let site = TestSite::with_pages(&[("index.md", &page("title: Home", ""))]);
    std::os::unix::fs::symlink("nowhere.md", site.path("content/gone.md")).unwrap();
    fs::create_dir_all(site.path("content/loop")).unwrap();
    std::os::unix::fs::symlink("..", site.path("content/loop/back")).unwrap();
    let stderr = site.build_fails();
    assert!(stderr.contains("content/gone.md"), "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert!(stderr.contains("symbolic link loop"), "{stderr}");
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitel: x\n---\n"),
        ("a.md", "---\ntitle: A\nweight: heavy\n---\n"),
        ("b.md", "---\ntitle: B\n"),
    ]);
    let stderr = site.build_fails();
    for file in ["content/index.md:2", "content/a.md:3", "content/b.md:1"] {
        assert!(stderr.contains(file), "{file} missing:\n{stderr}");
    }
    assert!(stderr.contains("3 errors in the site"), "{stderr}");
    // Sorted by file.
    assert!(stderr.find("content/a.md").unwrap() < stderr.find("content/b.md").unwrap());
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_failed_build_leaves_public_byte_for_byte_unchanged() {
    let site = TestSite::fixture("basic");
    site.build();
    let before = snapshot(&site.path("public"));
    site.write("content/risks.md", "---\ntitle: Risks\nweight: heavy\n---\n");
    site.build_fails();
    assert_eq!(snapshot(&site.path("public")), before);
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // `.dotwork/` is the image cache (issue 11), kept on purpose.
        .filter(|n| n.contains("dotwork") && n != ".dotwork")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn nothing_is_written_outside_the_output_folder() {
    for alias in [
        "../../escaped/",
        "/%2e%2e/%2e%2e/escaped/",
        "..\\escaped",
        "/a/../../escaped.html",
        "/%2E%2E%2Fescaped",
    ] {
        let site = TestSite::with_pages(&[
            ("index.md", &page("title: Home", "")),
            ("a.md", &format!("---\ntitle: A\naliases: ['{alias}']\n---\n")),
        ]);
        let stderr = site.build_fails();
        assert!(stderr.contains("--> content/a.md:3:"), "{alias}: {stderr}");
        assert!(!site.path("escaped").exists() && !site.path("escaped.html").exists());
        assert!(!site.root().parent().unwrap().join("escaped").exists());
    }
    let stderr = fails_with("---\ntitle: Home\nslug: ../../up\n---\n");
    assert!(stderr.contains("slug"), "{stderr}");
}

#[test]
fn hostile_yaml_fails_fast() {
    let mut bomb = String::from("---\ntitle: Home\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        bomb.push_str(&format!("  {next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    bomb.push_str("---\n");
    let stderr = fails_with(&bomb);
    assert!(stderr.contains("content/index.md"), "{stderr}");
    let deep = format!("---\ntitle: Home\nextra:\n  a: {}{}\n---\n", "[".repeat(5000), "]".repeat(5000));
    assert!(fails_with(&deep).contains("too deeply nested"));
}

#[test]
fn no_colour_codes_when_not_a_terminal() {
    let stderr = fails_with("---\ntitel: x\n---\n");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
