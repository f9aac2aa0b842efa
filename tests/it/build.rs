//! `dotwork build` on fixture sites: what lands in `public/`.

use std::fs;

use crate::support::{TestSite, files};

#[test]
fn minimal_theme_pages_are_rendered_as_snapshotted() {
    let site = TestSite::fixture("minimal-theme");
    site.build();
    insta::assert_snapshot!("minimal_files", site.output_files().join("\n"));
    insta::assert_snapshot!("minimal_home", site.read_output("index.html"));
    insta::assert_snapshot!("minimal_guide", site.read_output("care/guide/index.html"));
}

#[test]
fn urls_mirror_the_content_folder_and_slugs() {
    let site = TestSite::fixture("basic");
    site.build();
    let files = site.output_files();
    for expected in [
        "index.html",
        "risks/index.html",
        "care/after-care/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "images/dot.png",
        "style.css",
        "old-risks/index.html",
        "legacy/risks.html",
    ] {
        assert!(files.contains(&expected.to_string()), "{expected} missing from {files:#?}");
    }
    assert!(!files.iter().any(|f| f.contains("draft") || f.contains("not-ready")), "{files:#?}");
}

#[test]
fn links_to_markdown_files_become_relative_urls() {
    let site = TestSite::fixture("basic");
    site.build();
    let home = site.read_output("index.html");
    assert!(home.contains(r#"href="care/after-care/""#), "{home}");
    assert!(home.contains(r#"href="care/after-care/#washing-your-hair""#), "{home}");
    assert!(home.contains(r#"href="risks/""#), "{home}");
    // A markdown image is published resized, from the site's top (issue 11).
    assert!(home.contains(r#"<img src="_img/dot-"#), "{home}");
    let risks = site.read_output("risks/index.html");
    assert!(risks.contains(r#"href="../""#), "{risks}");
    assert!(risks.contains(r#"href="../care/after-care/#washing-your-hair""#), "{risks}");
    let care = site.read_output("care/after-care/index.html");
    assert!(care.contains(r#"href="../../risks/""#), "{care}");
    assert!(care.contains(r#"<h2 id="washing-your-hair-1">"#), "duplicate headings get unique ids: {care}");
}

#[test]
fn no_page_links_to_an_absolute_path_so_any_sub_path_works() {
    let site = TestSite::fixture("basic");
    site.build();
    for file in site.output_files().iter().filter(|f| f.ends_with(".html") && *f != "404.html") {
        let html = site.read_output(file);
        for attr in ["href=\"/", "src=\"/", "href='/", "src='/"] {
            assert!(!html.contains(attr), "{file} has a root-absolute link ({attr}):\n{html}");
        }
    }
}

#[test]
fn not_found_page_links_from_the_base_url_path() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["build", "--base-url", "https://example.github.io/clinic"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read_output("404.html");
    // The theme's stylesheet by its fingerprinted name (issue 12).
    assert!(page.contains("rel=\"stylesheet\" href=\"/clinic/style."), "{page}");
    assert!(!page.contains("href=\"../"), "{page}");
    let sitemap = site.read_output("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.github.io/clinic/care/after-care/</loc>"), "{sitemap}");
}

#[test]
fn drafts_are_built_only_when_asked() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read_output("draft/index.html").contains("Not ready"));
    assert!(site.read_output("sitemap.xml").contains("/draft/"));
}

#[test]
fn sitemap_robots_and_redirects() {
    let site = TestSite::fixture("basic");
    site.build();
    let sitemap = site.read_output("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/</loc>\n    <lastmod>2026-01-02</lastmod>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://example.org/risks/</loc>\n    <lastmod>2025-05-01</lastmod>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("draft"), "{sitemap}");
    assert_eq!(
        site.read_output("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
    );
    let old = site.read_output("old-risks/index.html");
    assert!(old.contains(r#"<meta http-equiv="refresh" content="0; url=../risks/">"#), "{old}");
    assert!(old.contains(r#"<link rel="canonical" href="https://example.org/risks/">"#), "{old}");
    let legacy = site.read_output("legacy/risks.html");
    assert!(legacy.contains("url=../risks/"), "{legacy}");
}

#[test]
fn front_matter_text_is_escaped_wherever_templates_print_it() {
    let site = TestSite::fixture("basic");
    site.build();
    let risks = site.read_output("risks/index.html");
    assert!(!risks.contains("<b>"), "raw title leaked:\n{risks}");
    assert!(risks.contains("Risks &amp; &quot;side effects&quot; &lt;b&gt;"), "{risks}");
}

#[test]
fn built_in_theme_is_used_without_a_themes_folder() {
    let site = TestSite::fixture("basic");
    assert!(!site.path("themes").exists());
    site.build();
    let home = site.read_output("index.html");
    for needle in
        ["<html lang=\"en-GB\"", "<main", "tel:+442079460001", "https://example.org/book", "href=\"./style."]
    {
        assert!(home.contains(needle), "{needle} missing:\n{home}");
    }
    let canonical = r#"<link rel="canonical" href="https://example.org/care/after-care/">"#;
    assert!(site.read_output("care/after-care/index.html").contains(canonical));
}

#[test]
fn site_templates_and_static_files_override_the_themes() {
    let site = TestSite::fixture("basic");
    // With the page's text: a template without it would break the links to its headings.
    site.write("templates/page.html", "OVERRIDDEN {{ page.title }}\n{{ page.content | safe }}");
    site.write("static/style.css", "body{color:red}");
    site.build();
    let risks = site.read_output("risks/index.html");
    assert!(risks.starts_with("OVERRIDDEN Risks &amp; &quot;side effects&quot; &lt;b&gt;\n<"), "{risks}");
    assert_eq!(site.read_output("style.css"), "body{color:red}");
}

#[test]
fn windows_files_with_bom_and_crlf_build() {
    let site = TestSite::with_pages(&[]);
    site.write_bytes(
        "content/index.md",
        b"\xef\xbb\xbf---\r\ntitle: Windows page\r\n---\r\n## A heading\r\n\r\nText.\r\n",
    );
    site.build();
    let home = site.read_output("index.html");
    assert!(home.contains("<p>Text.</p>"), "{home}");
    assert!(home.contains(r#"<h2 id="a-heading">"#), "{home}");
}

#[test]
fn the_shipped_clinic_site_builds() {
    let site = TestSite::clinic();
    site.build();
    let files = site.output_files();
    for page in [
        "index.html",
        "about/index.html",
        "risks/index.html",
        "aftercare/index.html",
        "references/index.html",
        "contact/index.html",
        "news/index.html",
        "news/page/1/index.html",
        "news/bring-photos/index.html",
    ] {
        assert!(files.contains(&page.to_string()), "{page} missing: {files:#?}");
    }
    // The example base_url gets no feed (see content/news/_index.md).
    assert!(!files.contains(&"news/atom.xml".to_string()));
    let home = site.read_output("index.html");
    assert!(home.contains("Opening hours over the holidays") && home.contains("A new way to book online"));
    assert!(!home.contains("Bring photos to your consultation"), "the home page shows the latest two");
}

/// A build keeps the bodies' HTML in a scratch file in the temporary
/// folder until the pages are rendered (issue 16: it was most of a build's
/// memory); with no temporary folder to write to, it holds them in memory
/// and makes the same site, citations, FAQ blocks and feeds included.
#[cfg(unix)]
#[test]
fn a_build_without_a_temporary_folder_makes_the_same_site() {
    let site = TestSite::clinic();
    let news = fs::read_to_string(site.path("content/news/_index.md")).unwrap();
    site.write("content/news/_index.md", &news.replace("feed: false", "feed: true"));
    let build = |output: &str, env: &[(&str, &str)]| {
        let args = [
            "-v",
            "build",
            "--no-cache",
            "--base-url",
            "https://www.northside-scalp.org/",
            "--output",
            output,
        ];
        let run = site.run_with_env(&args, env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stderr
    };
    let scratch = build("scratch", &[]);
    assert!(!scratch.contains("no scratch file"), "{scratch}");
    let missing = site.path("no-such-folder");
    let held = build("held", &[("TMPDIR", missing.to_str().unwrap())]);
    assert!(held.contains("no scratch file"), "{held}");
    let (scratch, held) = (files(&site.path("scratch")), files(&site.path("held")));
    assert!(scratch.contains_key("news/atom.xml") && scratch.contains_key("references/index.html"));
    assert_eq!(scratch.keys().collect::<Vec<_>>(), held.keys().collect::<Vec<_>>());
    for (file, bytes) in &scratch {
        assert!(held[file] == *bytes, "{file} differs");
    }
}

#[test]
fn summary_line_names_pages_and_time() {
    let site = TestSite::fixture("basic");
    let run = site.build();
    assert!(run.stderr.contains("built 3 pages"), "{}", run.stderr);
    assert!(run.stderr.contains(" ms"), "{}", run.stderr);
}

#[test]
fn built_in_theme_leaves_out_what_the_clinic_has_not_set() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nHello.\n"),
        ("a.md", "---\ntitle: A page title\n---\nText.\n"),
    ]);
    site.build();
    for file in ["index.html", "a/index.html", "404.html"] {
        let html = site.read_output(file);
        assert!(!html.contains("href=\"\""), "{file} has an empty link:\n{html}");
        assert!(!html.contains("contact/"), "{file} links to a contact page that does not exist:\n{html}");
    }
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// What `check` reports as errors is not published (issue 12): each class
/// stops the build with the file and line, and the old `public/` stays.
#[test]
fn a_site_with_check_errors_is_not_published() {
    let cases: [(&str, &str, &str); 5] = [
        ("a URL-style link", "See [contact](/kontakt/).\n", "content/index.md:5:15"),
        ("a missing image", "![The room](images/room.jpg)\n", "content/index.md:5:"),
        ("an image without alt text", "<img src=\"images/dot.png\">\n", "content/index.md:5:"),
        // A build records no link to another site, but the image in one.
        (
            "an image without alt text linking out",
            "[![](images/dot.png)](https://example.org/)\n",
            "content/index.md:5:2",
        ),
        ("a link to a missing file", "Our [form](forms/consent.pdf).\n", "content/index.md:5:"),
    ];
    for (what, body, place) in cases {
        let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\n\nWelcome.\n")]);
        site.write_bytes("content/images/dot.png", include_bytes!("../fixtures/basic/static/images/dot.png"));
        site.build();
        let before = site.read_output("index.html");
        site.write("content/index.md", &format!("---\ntitle: Home\n---\n\n{body}"));
        let stderr = site.build_fails();
        assert!(stderr.contains(place), "{what}: expected {place} in:\n{stderr}");
        assert_eq!(site.read_output("index.html"), before, "{what}: public/ changed");
    }
}

/// The errors templates make stop a build too, each at its template line,
/// as `check` reports them (the build first reads each page for a few
/// attributes, and reads a page whole only to place what it found).
#[test]
fn a_template_with_check_errors_is_not_published() {
    let site = TestSite::fixture("check-templates");
    let stderr = site.build_fails();
    for expected in crate::check::BROKEN_THEME_ERRORS {
        assert!(stderr.contains(expected), "expected {expected} in:\n{stderr}");
    }
    assert!(!stderr.contains("warning: heading level"), "advice is for `check`:\n{stderr}");
    // Each way a template can load from another website, alone.
    let fixed = mended_base(&site);
    site.write("themes/broken/templates/base.html", &fixed);
    site.build();
    for (what, tag) in [
        ("loads a script", "<script src=\"https://cdn.example.net/a.js\"></script>"),
        ("loads a stylesheet", "<link rel=\"stylesheet\" href=\"https://cdn.example.net/a.css\">"),
        ("sends a form", "<form action=\"https://forms.example.net/send\"></form>"),
        ("shows a frame", "<iframe title=\"Map\" src=\"https://maps.example.net/x\"></iframe>"),
        ("loads a picture or media", "<video src=\"https://media.example.net/a.mp4\"></video>"),
    ] {
        site.write(
            "themes/broken/templates/base.html",
            &fixed.replace("<footer>", &format!("<footer>\n{tag}")),
        );
        let stderr = site.build_fails();
        assert!(stderr.contains(&format!("error: the page {what} from https://")), "{tag}:\n{stderr}");
        assert!(stderr.contains("--> themes/broken/templates/base.html:21:"), "{tag}:\n{stderr}");
    }
}

/// The base template of the `check-templates` fixture with its mistakes mended.
fn mended_base(site: &TestSite) -> String {
    fs::read_to_string(site.path("themes/broken/templates/base.html"))
        .unwrap()
        .replace("{{ root }}styles.css", "{{ root }}style.css")
        .replace("<a href=\"#content\">", "<a href=\"#main\">")
        .replace("images/dot.png\">", "images/dot.png\" alt=\"\" role=\"presentation\">")
        .replace("{{ root }}contact/", "{{ root }}")
}

/// A build checks each page as it renders it, before the other pages' ids
/// are known: a template's link to an anchor of another page is checked
/// once they are, whichever page was rendered first, and a page is read
/// back from the new folder only to say where a problem is.
#[test]
fn a_template_link_to_another_pages_anchor_is_checked_once_every_page_is_rendered() {
    let site = TestSite::fixture("check-templates");
    let with_link = |anchor: &str| {
        let link = format!("<footer>\n<a href=\"{{{{ root }}}}about/#{anchor}\">Who we are</a>");
        mended_base(&site).replace("<footer>", &link)
    };
    site.write("themes/broken/templates/base.html", &with_link("who-we-are"));
    let run = site.run(&["-v", "build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("check for errors: 2 pages found clean as they were rendered"),
        "{}",
        run.stderr
    );
    site.write("themes/broken/templates/base.html", &with_link("who-we-were"));
    let stderr = site.build_fails();
    assert!(stderr.contains("`who-we-were`"), "{stderr}");
    assert!(stderr.contains("--> themes/broken/templates/base.html:21:"), "{stderr}");
}

/// Warnings (advice) do not stop a build.
#[test]
fn warnings_do_not_stop_a_build() {
    let site = TestSite::with_pages(&[(
        "index.md",
        "---\ntitle: Home\n---\n\n#### Deep\n\n[click here](https://example.org/)\n",
    )]);
    let run = site.build();
    assert!(site.read_output("index.html").contains("Deep"), "{}", run.stderr);
}
