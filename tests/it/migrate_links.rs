//! Links and files as authors of other sites write them (issue 14):
//! relative images and files beside the page's file, a page's files kept
//! beside it when its folder is renamed, addresses kept as written
//! (`urls: as-written`), links without `.md`, and aliases. Each fixture
//! builds, its pages are read verbatim, and `check` finds nothing.

use crate::support::TestSite;

/// The text of `public/<rel>` between `<main id="main">` and `</main>`.
fn main_of(site: &TestSite, rel: &str) -> String {
    let html = site.read_output(rel);
    let start = html.find("<main id=\"main\">").map(|i| i + "<main id=\"main\">".len()).unwrap();
    let end = html.find("</main>").unwrap();
    html[start..end].to_string()
}

/// `dotwork check` on `site` finds nothing.
fn check_is_clean(site: &TestSite) {
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("check: no problems in "), "{}", run.stderr);
}

#[test]
fn relative_files_renamed_folders_links_without_md_and_aliases_resolve() {
    let site = TestSite::fixture("migrate-links");
    site.build();
    let files: Vec<String> = site
        .output_files()
        .into_iter()
        .filter(|f| !f.starts_with("_img/") && [".svg", ".pdf", ".png"].iter().any(|e| f.ends_with(e)))
        .collect();
    // `3d_model/` is published as `3d-model/`, with its picture; a folder
    // with no page (`Shots/`) keeps its name.
    assert_eq!(
        files,
        [
            "3d-model/scan.svg",
            "care/consent.pdf",
            "care/images/flow.svg",
            "docs/setup-guide/Shots/terminal.svg",
            "images/sign.png",
        ]
    );
    // A leaf page: its files are one folder up from its address.
    assert_eq!(
        main_of(&site, "care/aftercare/index.html"),
        "\n<h1>Aftercare advice</h1>\n<p>Rest for a day. Keep the skin clean and dry.</p>\n\
<p><img src=\"../images/flow.svg\" alt=\"The steps of care after a visit\" /></p>\n\
<p>Sign <a href=\"../consent.pdf\">the consent form</a> before you come.\n\
Read <a href=\"../\">how we care</a> or <a href=\"./\">this page at its old address</a>.\n\
See <a href=\"../../3d-model/\">our model</a> and <a href=\"../../docs/setup-guide/linux/\">the Linux tools</a>.</p>\n\n"
    );
    // An index page sits in its folder: its links are right as written.
    assert_eq!(
        main_of(&site, "care/index.html"),
        "\n<h1>Care at the clinic</h1>\n<p>We care for you after each visit. The steps are drawn here.</p>\n\
<p><img src=\"images/flow.svg\" alt=\"The steps of care after a visit\" /></p>\n\
<p>Read the <a href=\"aftercare/\">aftercare advice</a> next.</p>\n\n"
    );
    assert_eq!(
        main_of(&site, "3d-model/index.html"),
        "\n<h1>Our scalp model</h1>\n<p>We show you the treatment on a model first.</p>\n\
<p><img src=\"scan.svg\" alt=\"A model of the scalp from above\" /></p>\n\
<p>Then read the <a href=\"../care/aftercare/\">aftercare advice</a>.</p>\n\n"
    );
    // A picture from a leaf page, named from its file, is a `<picture>`.
    assert_eq!(
        main_of(&site, "docs/setup-guide/linux/index.html"),
        "\n<h1>Linux tools</h1>\n<p>Open a terminal and run the tool.</p>\n\
<p><img src=\"../Shots/terminal.svg\" alt=\"A terminal with the tool running\" /></p>\n\
<p><picture><source type=\"image/avif\" srcset=\"../../../_img/sign-eb59fe1033-1.avif 1w\" sizes=\"(min-width: 43rem) 40rem, calc(100vw - 2.5rem)\">\
<img src=\"../../../_img/sign-eb59fe1033-1.jpg\" srcset=\"../../../_img/sign-eb59fe1033-1.jpg 1w\" sizes=\"(min-width: 43rem) 40rem, calc(100vw - 2.5rem)\" \
width=\"1\" height=\"1\" alt=\"The sign on our front door\" fetchpriority=\"high\" decoding=\"async\"></picture></p>\n\
<p>Go back to the <a href=\"../../../care/aftercare/\">aftercare advice</a> or the <a href=\"../../../care\">care page</a>.</p>\n\n"
    );
    // The home page: a picture beside `index.md`, links without `.md`
    // (one a browser already reads right, from the page's address, is kept).
    let home = main_of(&site, "index.html");
    assert!(home.contains("<img src=\"_img/sign-"), "{home}");
    assert!(
        home.contains(
            "<p>Read the <a href=\"care/aftercare\">aftercare advice</a>, see <a href=\"3d-model/\">our model</a> or\n\
set up the <a href=\"docs/setup-guide/linux/\">Linux tools</a>.</p>"
        ),
        "{home}"
    );
    check_is_clean(&site);
}

#[test]
fn addresses_as_written_keep_case_underscores_and_dots() {
    let site = TestSite::fixture("migrate-links-as-written");
    site.build();
    let mut pages: Vec<String> = site.output_files().into_iter().filter(|f| f.ends_with(".html")).collect();
    pages.sort();
    assert_eq!(
        pages,
        ["Guides/Read-Me/index.html", "docs/Web/API/Foo_Bar/index.html", "docs/Web/index.html", "index.html"]
    );
    assert!(site.path("public/docs/Web/API/Chart_1.svg").is_file());
    assert_eq!(
        main_of(&site, "docs/Web/API/Foo_Bar/index.html"),
        format!(
            "\n<h1>Foo_Bar</h1>\n<p>Foo_Bar books your visit. It shows a chart.</p>\n\
<h2 id=\"what-it-does\">What it does <a class=\"anchor\" href=\"#what-it-does\" aria-labelledby=\"what-it-does\"></a></h2>\n\
<p><img src=\"../Chart_1.svg\" alt=\"A chart of the visits in a week\" /></p>\n\
<p>Go back to <a href=\"../../\">the web guide</a>.</p>\n\n"
        )
    );
    assert_eq!(
        main_of(&site, "docs/Web/index.html"),
        "\n<h1>The web guide</h1>\n<p>This guide lists our web tools. Start with the first one.</p>\n\
<p>See <a href=\"API/Foo_Bar\">Foo_Bar</a> and <a href=\"API/Foo_Bar/#what-it-does\">the same page</a>.</p>\n\n"
    );
    assert!(
        main_of(&site, "index.html").contains(
            "<p>Read about <a href=\"docs/Web/API/Foo_Bar/\">Foo_Bar</a>, the <a href=\"docs/Web\">web guide</a> and\n\
the <a href=\"Guides/Read-Me/\">read me</a>.</p>"
        ),
        "{}",
        main_of(&site, "index.html")
    );
    check_is_clean(&site);
}

#[test]
fn source_shaped_addresses_lead_to_slugged_pages() {
    // The same links under the default `urls: slugs`: the addresses the
    // files give (`/docs/Web/API/Foo_Bar/`) still lead to the pages.
    let site = TestSite::fixture("migrate-links-as-written");
    let yaml = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &yaml.replace("urls: as-written\n", ""));
    site.build();
    assert!(
        main_of(&site, "index.html").contains(
            "<p>Read about <a href=\"docs/web/api/foo-bar/\">Foo_Bar</a>, the <a href=\"docs/web/\">web guide</a> and\n\
the <a href=\"guides/read-me/\">read me</a>.</p>"
        ),
        "{}",
        main_of(&site, "index.html")
    );
    assert!(site.path("public/docs/web/api/Chart_1.svg").is_file());
    check_is_clean(&site);
}

#[test]
fn lowercase_addresses_keep_underscores_as_hugo_writes_them() {
    // `urls: lowercase`: as written, in lower case; links to the Hugo-style
    // address (`/docs/web/api/foo_bar/`) and to the files' shapes resolve.
    let site = TestSite::fixture("migrate-links-as-written");
    let yaml = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &yaml.replace("urls: as-written\n", "urls: lowercase\n"));
    site.write(
        "content/hugo.md",
        "---\ntitle: Hugo\ndescription: A page whose slug is written as Hugo sites write them, with capitals.\nmenu: true\nslug: Hugo_Page\n---\nSee [Foo_Bar](/docs/web/api/foo_bar/).\n",
    );
    site.build();
    assert!(site.path("public/docs/web/api/foo_bar/index.html").is_file());
    assert!(site.path("public/hugo_page/index.html").is_file());
    // A file keeps its own name; its folder is named as the pages' addresses.
    assert!(site.path("public/docs/web/api/Chart_1.svg").is_file());
    assert!(
        main_of(&site, "hugo_page/index.html").contains("<a href=\"../docs/web/api/foo_bar/\">Foo_Bar</a>"),
        "{}",
        main_of(&site, "hugo_page/index.html")
    );
    check_is_clean(&site);
}

#[test]
fn a_missing_file_beside_the_page_is_reported_where_it_is_linked() {
    let site = TestSite::fixture("migrate-links");
    site.write(
        "content/care/aftercare.md",
        "---\ntitle: Aftercare advice\ndescription: \"What to do in the days after a treatment, with a drawing and the consent form to sign.\"\n---\nRest for a day.\n\n![The steps of care](images/flows.svg)\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: image `images/flows.svg`, but there is no file content/care/images/flows.svg\n --> content/care/aftercare.md:7:22"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: did you mean /care/images/flow.svg?"), "{}", run.stderr);
}

#[test]
fn two_files_that_land_on_one_output_are_an_error_naming_both() {
    let site = TestSite::fixture("migrate-links");
    site.write("content/3d-model/scan.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: content/3d-model/scan.svg and content/3d_model/scan.svg would both be written to 3d-model/scan.svg\n--> content/3d_model/scan.svg\n = help: rename or remove one of the two"
        ),
        "{stderr}"
    );
}

#[test]
fn a_name_an_address_cannot_hold_as_written_is_an_error_at_the_page() {
    let site = TestSite::fixture("migrate-links-as-written");
    site.write("content/Guides/C#.md", "---\ntitle: C sharp\n---\nText.\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: `C#` holds `#`, which an address cannot hold as written (urls: as-written); rename it or give the page a `slug`\n --> content/Guides/C#.md:1:1"
        ),
        "{stderr}"
    );
}
