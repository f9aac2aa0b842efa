//! Pages as authors write them for other generators (issue 14): the title
//! from the page's first `# ` heading, one `<h1>` on every page, and a site
//! without a home page told so. Every test runs the real binary.

use crate::support::TestSite;

/// The `<h1>`...`<h6>` tags of `html` with their text, in order, up to the
/// page's footer (whose headings are the theme's).
fn headings(html: &str) -> Vec<String> {
    let main = html.split("<footer").next().unwrap();
    let mut out = Vec::new();
    for (at, _) in main.match_indices("<h") {
        let rest = &main[at..];
        let Some(level) = rest.as_bytes().get(2).filter(|b| b.is_ascii_digit()) else { continue };
        let end = rest.find(&format!("</h{}>", *level as char)).unwrap();
        let inner = &rest[..end];
        let tag_end = inner.find('>').unwrap();
        let text = inner[tag_end + 1..].split('<').next().unwrap().trim();
        out.push(format!("{} {text}", &inner[..tag_end + 1]));
    }
    out
}

#[test]
fn a_leading_heading_is_the_title_with_or_without_front_matter() {
    let site = TestSite::fixture("migrate-pages");
    site.build();
    // No front matter at all, a comment before the heading, markup in it.
    let html = site.read_output("guide/install/index.html");
    assert!(html.contains("<title>Installing the booking app · Migrated Test Clinic</title>"), "{html}");
    assert_eq!(headings(&html), ["<h1> Installing the booking app", "<h2 id=\"on-a-phone\"> On a phone",]);
    // Front matter without `title`.
    let html = site.read_output("notes/index.html");
    assert!(html.contains("<title>Notes for new patients · Migrated Test Clinic</title>"), "{html}");
    assert_eq!(headings(&html), ["<h1> Notes for new patients"]);
    // Link previews and structured data read the same title.
    let html = site.read_output("guide/install/index.html");
    assert!(html.contains("<meta property=\"og:title\" content=\"Installing the booking app\">"), "{html}");
    assert!(html.contains("\"name\":\"Installing the booking app\""), "{html}");
}

#[test]
fn both_titles_give_one_h1_and_later_h1s_shift_with_the_table_of_contents() {
    let site = TestSite::fixture("migrate-pages");
    site.build();
    let html = site.read_output("parts/index.html");
    assert_eq!(
        headings(&html),
        [
            "<h1> The treatment in two parts",
            "<h2> On this page",
            "<h2 id=\"part-one\"> Part one",
            "<h3 id=\"preparing\"> Preparing",
            "<h2 id=\"part-two\"> Part two",
            "<h2 id=\"aftercare\"> Aftercare",
        ]
    );
    let toc = html.split("<nav class=\"toc\"").nth(1).unwrap().split("</nav>").next().unwrap();
    assert_eq!(
        toc,
        " aria-label=\"On this page\">\n<h2>On this page</h2>\n<ol>\n<li><a href=\"#part-one\">Part one</a>\n<ol>\n\
         <li><a href=\"#preparing\">Preparing</a></li>\n</ol></li>\n<li><a href=\"#part-two\">Part two</a></li>\n\
         <li><a href=\"#aftercare\">Aftercare</a></li>\n</ol>\n"
    );
    // The same title twice is not worth a warning; `check` finds no h1 twice.
    let run = site.run(&["check"]);
    assert!(!run.stderr.contains("parts.md"), "{}", run.stderr);
}

#[test]
fn a_heading_unlike_the_title_is_a_check_warning() {
    let site = TestSite::fixture("migrate-pages");
    site.write(
        "content/notes.md",
        "---\ntitle: Notes for new patients\ndescription: Notes written with a title and a different first heading.\n---\n\n# Before your first visit\n\nBring your letter.\n",
    );
    let html = {
        site.build();
        site.read_output("notes/index.html")
    };
    assert_eq!(headings(&html), ["<h1> Notes for new patients"]);
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: the page's first heading `Before your first visit` is not its title `Notes for new patients`; the heading is not shown\n --> content/notes.md:6:1"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_page_without_title_or_leading_heading_is_an_error_naming_both_ways() {
    let site = TestSite::fixture("migrate-pages");
    site.write("content/notes.md", "Bring your letter.\n\n# Too late to be the title\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: this page has no title\n --> content/notes.md:1:1\n  |\n1 | Bring your letter.\n  | ^^^^^\n  |\n  = help: start the page with its title as a heading, `# The page title`, or with front matter:"
        ),
        "{stderr}"
    );
    site.write("content/notes.md", "---\ndescription: No title here.\n---\n\nBring your letter.\n");
    assert!(
        site.build_fails().contains(
            "= help: add a line `title: The page title` to the front matter, or start the page's text with its title as a heading: `# The page title`"
        )
    );
}

#[test]
fn a_site_without_a_home_page_is_told_at_build_time() {
    let site = TestSite::fixture("migrate-pages");
    std::fs::remove_file(site.path("content/index.md")).unwrap();
    // The theme links every page to the home page: those links fail, naming the file.
    let stderr = site.build_fails();
    assert!(
        stderr.contains("error: link to `/`, but the site has no home page: there is no content/index.md"),
        "{stderr}"
    );
    // `check` says it once, as a warning on the missing file, beside those links.
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: the site has no home page: there is no content/index.md\n--> content/index.md\n = help: add content/index.md with the home page's title and text; every page links to it (/)"
        ),
        "{}",
        run.stderr
    );
    // A site whose own templates do not link to `/` builds, with the warning.
    site.write("templates/base.html", "<title>{{ page.title }}</title>{% block title %}{% endblock %}{% block main %}{% endblock %}{% block footer %}{% endblock %}");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{{ page.content | safe }}{% endblock %}",
    );
    site.write("templates/404.html", "{% extends \"base.html\" %}{% block main %}Not found{% endblock %}");
    let run = site.run(&["build"]);
    assert!(
        run.stderr.contains("warning: the site has no home page: there is no content/index.md"),
        "{}",
        run.stderr
    );
}
