//! Inputs that cost more than they should or carry markup into the page
//! (issue 9): huge pages of one repeated shape build, settings that become
//! links are checked at their `site.yaml` line, and bibliography text is
//! escaped. Linearity itself is pinned by unit tests that count work
//! (src/markdown.rs, src/citations.rs) and timed by bench/pathological/run.

use std::collections::HashSet;

use crate::support::TestSite;

fn site_yaml(clinic: &str) -> String {
    format!(
        "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\nclinic:\n  name: Test\n{clinic}"
    )
}

/// Every HTML file the build wrote, concatenated, without its JSON-LD
/// (JSON in which `&` and `\"` are plain text; `<` is written `\u003c`).
fn all_html(site: &TestSite) -> String {
    let html: String =
        site.output_files().iter().filter(|f| f.ends_with(".html")).map(|f| site.read_output(f)).collect();
    let mut out = String::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<script type=\"application/ld+json\">") {
        out.push_str(&rest[..start]);
        let json = &rest[start..];
        assert!(!json[1..].split("</script>").next().unwrap().contains('<'), "{json}");
        rest = &json[json.find("</script>").unwrap()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_page_of_20000_identical_headings_builds_with_distinct_ids() {
    let body = "## Washing\n\nText.\n\n".repeat(20_000);
    let site = TestSite::with_pages(&[("index.md", &format!("---\ntitle: Home\n---\n{body}"))]);
    site.build();
    let html = site.read_output("index.html");
    let ids: Vec<&str> =
        html.split("<h2 id=\"").skip(1).map(|rest| rest.split('"').next().unwrap()).collect();
    assert_eq!(ids.len(), 20_000);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 20_000, "ids repeat");
    assert_eq!(ids[0], "washing");
    assert_eq!(ids[19_999], "washing-19999");
}

#[test]
fn a_javascript_booking_url_is_refused_once_at_its_line() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    site.write("site.yaml", &site_yaml("  booking_url: \"javascript:alert(document.cookie)\"\n"));
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "booking_url `javascript:alert(document.cookie)` is not an http:// or https:// address"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> site.yaml:6:3"), "{stderr}");
    assert!(stderr.contains("help: write the full address of the booking page"), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 2, "one error and the summary: {stderr}");
    assert!(!site.path("public").exists());
}

#[test]
fn a_phone_extension_becomes_an_rfc3966_tel_link() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    site.write("site.yaml", &site_yaml("  phone: \"020 7946 0999 (ext. 2)\"\n"));
    site.build();
    let html = site.read_output("index.html");
    assert!(html.contains("href=\"tel:02079460999;ext=2\""), "{html}");
    assert!(!html.contains("tel:020794609992"), "{html}");
}

#[test]
fn a_phone_number_with_letters_is_refused_at_its_line() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    site.write("site.yaml", &site_yaml("  phone: 0800 FLOWERS\n"));
    let stderr = site.build_fails();
    assert!(stderr.contains("phone `0800 FLOWERS` cannot be dialled from a link"), "{stderr}");
    assert!(stderr.contains("--> site.yaml:6:3"), "{stderr}");
    assert!(stderr.contains("ext. 2"), "{stderr}");
}

#[test]
fn control_characters_in_base_url_are_refused_at_its_line() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    site.write("site.yaml", "title: Test Clinic\nbase_url: \"https://example.org/\\r\\nx\"\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("base_url `https://example.org/\\r\\nx` contains an invisible character"),
        "{stderr}"
    );
    assert!(stderr.contains("--> site.yaml:2:"), "{stderr}");

    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    let run = site.run(&["build", "--base-url", "https://example.org/\"><script>"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("contains `\"`"), "{}", run.stderr);
}

#[test]
fn bibliography_text_is_escaped_and_only_web_links_become_links() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nSee [risks](risks.md).\n"),
        ("risks.md", "---\ntitle: Risks\ndescription: Risks\n---\nAs shown [@evil] and [@doi].\n"),
    ]);
    site.write(
        "content/references.yaml",
        concat!(
            "evil:\n  type: web\n  title: \"<script>alert(1)</script> Tom & Jerry's \\\"cure\\\"\"\n",
            "  author: [\"O'Brien, <img src=x onerror=alert(2)>\"]\n  url: \"javascript:alert(3)\"\n  date: 2020\n",
            "doi:\n  type: article\n  title: A & B\n  author: [\"Doe, J.\"]\n  date: 2021\n  serial-number:\n    doi: \"10.1000/x\\\"onmouseover=alert(4)\"\n",
        ),
    );
    site.build();
    let html = all_html(&site);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry"), "{html}");
    assert!(html.contains("<li id=\"ref-doi\">"), "{html}");
    for bad in ["<script>alert", "<img src=x", "href=\"javascript", "\"onmouseover", "Tom & Jerry"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
}

#[test]
fn a_page_citing_more_than_1000_works_is_refused() {
    let bib: String =
        (0..1001).map(|i| format!("k{i}:\n  type: article\n  title: T{i}\n  date: 2020\n")).collect();
    let body: String = (0..1001).map(|i| format!("Text [@k{i}].\n\n")).collect();
    let site = TestSite::with_pages(&[("index.md", &format!("---\ntitle: Home\n---\n{body}"))]);
    site.write("content/references.yaml", &bib);
    let stderr = site.build_fails();
    assert!(
        stderr.contains("this page cites 1001 different works, more than the 1000 a page may cite"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/index.md:4:6"), "{stderr}");
}

#[test]
fn a_page_over_the_size_limit_is_refused_and_one_just_under_builds() {
    let line = "Plain text about aftercare.\n";
    let under = format!("---\ntitle: Home\n---\n{}", line.repeat(((2 << 20) - 1024) / line.len()));
    let over = format!("---\ntitle: Long\n---\n{}", line.repeat(((2 << 20) + 1024) / line.len()));
    let site = TestSite::with_pages(&[("index.md", &under), ("long.md", &over)]);
    let stderr = site.build_fails();
    assert!(stderr.contains("this file is 2.0 MiB, more than the 2 MiB a page may be"), "{stderr}");
    assert!(stderr.contains("content/long.md"), "{stderr}");
    assert!(stderr.contains("split it into several pages"), "{stderr}");
    std::fs::remove_file(site.path("content/long.md")).unwrap();
    site.build();
    assert!(site.read_output("index.html").contains("Plain text about aftercare."));
}

#[test]
fn a_page_of_thousands_of_broken_links_reports_the_first_25_and_counts_the_rest() {
    let mut body = String::new();
    for i in 0..2_000 {
        body.push_str(&format!(
            "See [page {i}](missing-{i}.md), [part](#nowhere-{i}) and [old](/gone-{i}/).\n\n"
        ));
    }
    let site = TestSite::with_pages(&[("index.md", &format!("---\ntitle: Home\n---\n## Start\n\n{body}"))]);
    let stderr = site.build_fails();
    let shown =
        stderr.matches("\nerror: link to").count() + usize::from(stderr.starts_with("error: link to"));
    assert_eq!(shown, 25, "{stderr}");
    assert!(stderr.contains("5975 more broken links in this file are not shown, 6000 in all"), "{stderr}");
    assert!(stderr.contains("fix the first 25 and build again"), "{stderr}");
}

/// A page nested as deep as a path the system takes whole allows (Linux:
/// 4,096 bytes, its cache copy the longest) builds, rebuilds after an edit
/// and without the cache, is checked, and goes when it is deleted: every
/// walk of the site and of the output goes that deep without running out
/// of stack (the output's survey once called itself a folder at a time).
#[test]
#[cfg(target_os = "linux")]
fn a_page_nested_as_deep_as_paths_allow_builds_rebuilds_and_goes() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHi\n")]);
    let longest = "/.dotwork/cache/build/0123456789abcdef.spare/deep/index.html".len();
    let levels = (4000 - site.root().as_os_str().len() - longest) / 2;
    let folders = "a/".repeat(levels);
    let page = format!("content/{folders}deep.md");
    site.write(&page, "---\ntitle: Deep\n---\nAt the bottom.\n");
    site.build();
    assert!(site.read_output(&format!("{folders}deep/index.html")).contains("At the bottom."));
    site.write(&page, "---\ntitle: Deep\n---\nStill at the bottom.\n");
    site.build();
    assert!(site.read_output(&format!("{folders}deep/index.html")).contains("Still at the bottom."));
    let run = site.run(&["build", "--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = site.run(&["check"]);
    assert!(matches!(run.code, 0 | 1) && !run.stderr.contains("panicked"), "{}: {}", run.code, run.stderr);
    std::fs::remove_file(site.path(&page)).unwrap();
    site.build();
    assert_eq!(site.output_files().iter().filter(|f| f.starts_with("a/")).count(), 0);
}
