//! Sections, listing pages, categories and feeds (issue 10), with the real
//! binary. The fixture `sections-news` has a news section of three dated
//! notices and a draft, two to a listing page, with a feed, and two
//! categories (one empty).

use crate::support::{TestSite, listed};

/// The `href`s of every `<a>` and `<link>` in `html`.
fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

/// A site whose `content/news/` has `n` dated pages and an `_index.md` with
/// the given front matter lines.
fn news_site(n: usize, index: &str) -> TestSite {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHello.\n")]);
    site.write("content/news/_index.md", &format!("---\ntitle: News\n{index}---\n"));
    for i in 1..=n {
        site.write(
            &format!("content/news/n{i:02}.md"),
            &format!("---\ntitle: Notice {i}\ndate: 2025-01-{i:02}\nweight: {}\n---\nText {i}.\n", 100 - i),
        );
    }
    site
}

#[test]
fn listing_pages_show_the_newest_first_two_to_a_page() {
    let site = TestSite::fixture("sections-news");
    site.build();
    assert_eq!(listed(&site.read_output("news/index.html")), ["Notice 3", "Notice 2"]);
    let second = site.read_output("news/page/2/index.html");
    assert_eq!(listed(&second), ["Notice 1"]);
    assert!(second.contains("<a href=\"../../\" rel=\"prev\">Previous page</a>"), "{second}");
    assert!(second.contains("<span aria-current=\"page\">Page 2 of 2</span>"), "{second}");
    // /news/page/1/ sends visitors to /news/.
    let redirect = site.read_output("news/page/1/index.html");
    assert!(redirect.contains("content=\"0; url=../../\""), "{redirect}");
    // The sitemap lists the listing pages.
    let sitemap = site.read_output("sitemap.xml");
    for url in ["https://clinic.test/news/", "https://clinic.test/news/page/2/"] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url} missing:\n{sitemap}");
    }
    assert!(!sitemap.contains("page/1/"), "{sitemap}");
}

#[test]
fn sort_by_title_and_weight() {
    let site = news_site(3, "sort_by: title\n");
    site.write("content/news/n02.md", "---\ntitle: a first notice\n---\nText.\n");
    site.build();
    assert_eq!(listed(&site.read_output("news/index.html")), ["a first notice", "Notice 1", "Notice 3"]);
    let site = news_site(3, "sort_by: weight\n");
    site.build();
    assert_eq!(listed(&site.read_output("news/index.html")), ["Notice 3", "Notice 2", "Notice 1"]);
}

#[test]
fn pagination_edges() {
    // (pages, listing pages)
    for (n, pagers) in [(0, 1), (1, 1), (3, 1), (4, 2)] {
        let site = news_site(n, "paginate_by: 3\n");
        site.build();
        let files = site.output_files();
        let listing_pages =
            files.iter().filter(|f| f.starts_with("news/page/") && f != &"news/page/1/index.html");
        assert_eq!(listing_pages.count() + 1, pagers, "{n} pages: {files:#?}");
        let first = site.read_output("news/index.html");
        assert_eq!(listed(&first).len(), n.min(3), "{n} pages");
        if n == 0 {
            assert!(first.contains("Nothing has been published here yet."), "{first}");
        }
        assert_eq!(first.contains("class=\"pagination\""), pagers > 1, "{n} pages:\n{first}");
        assert!(files.contains(&"news/page/1/index.html".to_string()), "{n} pages");
    }
    // Without paginate_by, everything is on one page and there is no page/1/.
    let site = news_site(12, "");
    site.build();
    assert_eq!(listed(&site.read_output("news/index.html")).len(), 12);
    assert!(!site.output_files().iter().any(|f| f.starts_with("news/page/")));
}

#[test]
fn drafts_are_left_out_of_listings_and_feeds_unless_asked() {
    let site = TestSite::fixture("sections-news");
    site.build();
    for file in
        ["news/index.html", "news/page/2/index.html", "news/atom.xml", "categories/opening-hours/index.html"]
    {
        assert!(!site.read_output(file).contains("Draft notice"), "{file}");
    }
    let run = site.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(listed(&site.read_output("news/index.html")), ["Draft notice", "Notice 3"]);
    assert!(site.read_output("news/atom.xml").contains("Draft notice"));
}

#[test]
fn category_pages_list_their_pages() {
    let site = TestSite::fixture("sections-news");
    site.build();
    let hours = site.read_output("categories/opening-hours/index.html");
    assert_eq!(listed(&hours), ["Notice 3", "Notice 2", "Notice 1"]);
    assert!(hours.contains("<h1>Opening hours</h1>"), "{hours}");
    let bookings = site.read_output("categories/bookings/index.html");
    assert!(listed(&bookings).is_empty() && bookings.contains("Nothing has been published"), "{bookings}");
    // A listed page links to its categories.
    assert!(
        site.read_output("news/index.html")
            .contains("<a href=\"../categories/opening-hours/\">Opening hours</a>")
    );
}

#[test]
fn the_feed_has_absolute_links_and_parses() {
    let site = TestSite::fixture("sections-news");
    site.build();
    let xml = site.read_output("news/atom.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.unwrap().content, "News");
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert_eq!(titles, ["Notice 3", "Notice 2", "Notice 1"]);
    let entry = &feed.entries[0];
    assert_eq!(entry.links[0].href, "https://clinic.test/news/notice-3/");
    let html = entry.content.as_ref().unwrap().body.clone().unwrap();
    assert!(html.contains("href=\"https://clinic.test/\""), "{html}");
    assert!(html.contains("src=\"https://clinic.test/favicon.svg\""), "{html}");
    // Listing pages and the section's pages point feed readers at it.
    for file in ["news/index.html", "news/page/2/index.html", "news/first/index.html"] {
        let html = site.read_output(file);
        assert!(html.contains("<link rel=\"alternate\" type=\"application/atom+xml\""), "{file}:\n{html}");
    }
    assert!(!site.read_output("index.html").contains("application/atom+xml"));
}

#[test]
fn an_example_base_url_gets_no_feed_and_a_warning() {
    let site = news_site(2, "feed: true\n");
    let run = site.build();
    assert!(
        run.stderr.contains("no feed is made: base_url `https://example.org/` is an example address"),
        "{}",
        run.stderr
    );
    assert!(!site.output_files().contains(&"news/atom.xml".to_string()));
    assert!(!site.read_output("news/index.html").contains("atom"));
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
    let run = site.run(&["build", "--base-url", "https://clinic.test/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output_files().contains(&"news/atom.xml".to_string()));
}

#[test]
fn a_missing_date_in_a_date_sorted_section_names_the_page() {
    let site = news_site(2, "");
    site.write("content/news/undated.md", "---\ntitle: Undated\n---\nText.\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("--> content/news/undated.md:1:1"), "{stderr}");
    assert!(stderr.contains("this page has no `date`"), "{stderr}");
    assert!(stderr.contains("content/news/_index.md lists its pages by date"), "{stderr}");
}

#[test]
fn a_section_without_a_title_is_an_error_at_its_file() {
    let site = news_site(1, "");
    site.write("content/news/_index.md", "---\nsort_by: date\n---\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("--> content/news/_index.md:1:1") && stderr.contains("this section has no title"),
        "{stderr}"
    );
    site.write("content/news/_index.md", "---\ntitle: News\nsort_by: newest\n---\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("content/news/_index.md:3"), "{stderr}");
}

#[test]
fn a_page_where_a_listing_page_goes_is_an_error() {
    let site = news_site(3, "paginate_by: 2\n");
    site.write("content/news/page/2.md", "---\ntitle: In the way\n---\nText.\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("news/page/2/index.html"), "{stderr}");
    assert!(
        stderr.contains("content/news/_index.md") && stderr.contains("content/news/page/2.md"),
        "{stderr}"
    );
}

#[test]
fn every_link_stays_relative_under_a_sub_path() {
    let site = TestSite::fixture("sections-news");
    let run = site.run(&["build", "--base-url", "https://clinic.test/sub/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in site.output_files().iter().filter(|f| f.ends_with(".html") && !f.starts_with("404")) {
        let html = site.read_output(file);
        for href in hrefs(&html) {
            // The canonical link is absolute by design, and the booking link is site.yaml's.
            let canonical = html.contains(&format!("<link rel=\"canonical\" href=\"{href}\""));
            let own = href.starts_with("https://clinic.test/") && href != "https://clinic.test/book";
            assert!(!href.starts_with('/') && (!own || canonical), "{file}: {href}");
        }
    }
    let xml = site.read_output("news/atom.xml");
    assert!(xml.contains("https://clinic.test/sub/news/notice-3/"), "{xml}");
    // And check finds no broken link there.
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &settings.replace("base_url: https://clinic.test/", "base_url: https://clinic.test/sub/"),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("check: no problems"), "{}", run.stderr);
}

#[test]
fn listing_pages_are_rendered_as_snapshotted() {
    let site = TestSite::fixture("sections-minimal");
    site.build();
    insta::assert_snapshot!("minimal_listing", site.read_output("news/index.html"));
    insta::assert_snapshot!("minimal_listing_2", site.read_output("news/page/2/index.html"));
    insta::assert_snapshot!("minimal_subsection", site.read_output("news/2025/index.html"));
    let site = TestSite::fixture("sections-news");
    site.build();
    insta::assert_snapshot!("clinic_listing", site.read_output("news/index.html"));
    insta::assert_snapshot!("clinic_feed", site.read_output("news/atom.xml"));
}

#[test]
fn an_index_page_beside_a_section_file_is_an_error_even_as_a_draft() {
    let site = news_site(1, "");
    site.write("content/news/index.md", "---\ntitle: In the way\ndraft: true\n---\nText.\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("content/news/index.md"), "{stderr}");
    assert!(stderr.contains("both make the address of this folder"), "{stderr}");
}

#[test]
fn an_undated_page_in_a_weight_sorted_section_keeps_its_categories_in_the_listing() {
    let site = TestSite::fixture("sections-news");
    site.write("content/news/_index.md", "---\ntitle: News\nsort_by: weight\n---\n");
    site.write(
        "content/news/undated.md",
        "---\ntitle: Undated notice\nweight: -1\ncategories: [Bookings]\n---\nText.\n",
    );
    site.build();
    let html = site.read_output("news/index.html");
    let item = html.split("<h2><a href=\"undated/\">Undated notice</a></h2>").nth(1).unwrap();
    let item = item.split("</li>").next().unwrap();
    assert_eq!(item, "\n<p class=\"meta\"><a href=\"../categories/bookings/\">Bookings</a></p>\n", "{html}");
    // A dated page shows its date and then its categories, as before.
    assert!(
        html.contains(
            "<p class=\"meta\"><time datetime=\"2025-01-10\">10 January 2025</time> · <a href=\"../categories/opening-hours/\">Opening hours</a></p>"
        ),
        "{html}"
    );
}

#[test]
fn links_to_a_section_file_lead_to_its_listing_and_check_accepts_them() {
    let site = TestSite::fixture("sections-news");
    site.write(
        "content/news/_index.md",
        "---\ntitle: News\npaginate_by: 2\nfeed: true\n---\nWhat is new at the clinic.\n\n## Older notices\n\nSee [the care section](../care/_index.md).\n",
    );
    site.write(
        "content/care/_index.md",
        "---\ntitle: Care\nsort_by: title\n---\nBack to [news](/news/_index.md).\n",
    );
    site.write(
        "content/care/guide.md",
        "---\ntitle: Guide\ndescription: A guide of the test clinic, linking to its sections and their listing pages.\n---\nRead the [news](../news/_index.md), the [older notices](/news/_index.md#older-notices), [page 2](/news/page/2/) and [opening hours](/categories/opening-hours/).\n",
    );
    site.write(
        "content/index.md",
        "---\ntitle: Home\ndescription: The home page of the test clinic, a fixture for sections, listings and feeds.\n---\nWelcome. Read the [news](news/_index.md) and the [guide](care/guide.md).\n",
    );
    site.build();
    assert!(site.read_output("index.html").contains("<a href=\"news/\">news</a>"));
    let guide = site.read_output("care/guide/index.html");
    for link in
        ["../../news/", "../../news/#older-notices", "../../news/page/2/", "../../categories/opening-hours/"]
    {
        assert!(guide.contains(&format!("<a href=\"{link}\">")), "{link}:\n{guide}");
    }
    // A section's own text links to sections too.
    assert!(site.read_output("news/index.html").contains("<a href=\"../care/\">the care section</a>"));
    assert!(site.read_output("care/index.html").contains("<a href=\"../news/\">news</a>"));
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("check: no problems"), "{}", run.stderr);

    // A missing section or heading is the same error as for a page.
    site.write("content/care/guide.md", "---\ntitle: Guide\n---\nSee [events](../events/_index.md).\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("link to `../events/_index.md`, but there is no page content/events/_index.md"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/care/guide.md:4:"), "{stderr}");
    site.write("content/care/guide.md", "---\ntitle: Guide\n---\nSee [old](../news/_index.md#older).\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("link to `#older`, but content/news/_index.md has no heading with that id"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `#older-notices`?"), "{stderr}");
    // And a section's own text is checked as a page's is.
    site.write("content/care/guide.md", "---\ntitle: Guide\n---\nA guide.\n");
    site.write(
        "content/care/_index.md",
        "---\ntitle: Care\nsort_by: title\n---\nSee [x](/news/_index.md#nope) and [y](/kontakt/).\n",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("--> content/care/_index.md:5:"), "{stderr}");
    assert!(stderr.contains("link to `/kontakt/`, but no page has the address /kontakt/"), "{stderr}");
    assert!(stderr.contains("content/news/_index.md has no heading with that id"), "{stderr}");
}

#[test]
fn page_url_gives_a_section_s_listing() {
    let site = TestSite::fixture("sections-news");
    site.write("templates/page.html", "{% extends \"base.html\" %}{% block main %}<a href=\"{{ root }}{{ page_url(path='news/_index.md') }}\">all news</a>{% endblock main %}");
    site.write("content/about.md", "---\ntitle: About\n---\nAbout.\n");
    site.build();
    assert!(site.read_output("about/index.html").contains("<a href=\"../news/\">all news</a>"));
}

/// The menu's items as (title, `aria-current` value) in order.
fn menu(html: &str) -> Vec<(String, Option<String>)> {
    let nav = html.split("<nav class=\"site-nav\" aria-label=\"Main\">").nth(1).unwrap();
    let nav = nav.split("</nav>").next().unwrap();
    // The menu is written twice, folded for phones and as a row for wide
    // screens (issue 13); both list the same items.
    let (narrow, wide) = nav.split_once("<ul class=\"wrap menu-wide\">").unwrap();
    let items = |list: &str| -> Vec<(String, Option<String>)> {
        list.split("<li><a ")
            .skip(1)
            .map(|item| {
                let (attrs, rest) = item.split_once('>').unwrap();
                let current =
                    attrs.split("aria-current=\"").nth(1).map(|v| v.split('"').next().unwrap().to_string());
                (rest.split('<').next().unwrap().to_string(), current)
            })
            .collect()
    };
    assert_eq!(items(narrow), items(wide));
    items(wide)
}

#[test]
fn a_section_in_the_menu_is_marked_current_on_its_listing_pages_and_articles() {
    let site = TestSite::fixture("sections-news");
    site.write(
        "content/news/_index.md",
        "---\ntitle: News\npaginate_by: 2\nfeed: true\nmenu: true\nweight: 2\n---\nWhat is new.\n",
    );
    site.write(
        "content/index.md",
        "---\ntitle: Home\nmenu: true\nweight: 1\n---\nWelcome to the [news](news/_index.md).\n",
    );
    site.write("content/contact.md", "---\ntitle: Contact\nmenu: true\nweight: 3\n---\nCall us.\n");
    site.build();
    let item = |title: &str, current: Option<&str>| (title.to_string(), current.map(str::to_string));
    assert_eq!(
        menu(&site.read_output("news/index.html")),
        [item("Home", None), item("News", Some("page")), item("Contact", None)]
    );
    for file in ["news/page/2/index.html", "news/first/index.html"] {
        assert_eq!(
            menu(&site.read_output(file)),
            [item("Home", None), item("News", Some("true")), item("Contact", None)],
            "{file}"
        );
    }
    assert_eq!(
        menu(&site.read_output("index.html")),
        [item("Home", Some("page")), item("News", None), item("Contact", None)]
    );
    assert!(site.read_output("contact/index.html").contains("<li><a href=\"../news/\">News</a></li>"));
    // `menu` and `weight` are keys of _index.md like any other: a typo is an error.
    site.write("content/news/_index.md", "---\ntitle: News\nmenu: true\nwieght: 2\n---\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("unknown key `wieght`") && stderr.contains("did you mean `weight`?"), "{stderr}");
}

#[test]
fn the_site_feed_holds_the_newest_dated_pages_of_every_section_and_parses() {
    let site = TestSite::fixture("sections-news");
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}feed: true\n"));
    site.write("content/articles/_index.md", "---\ntitle: Articles\nsort_by: title\n---\n");
    site.write(
        "content/articles/washing.md",
        "---\ntitle: Washing\ndate: 2025-02-20\n---\nSee the [news](../news/_index.md).\n",
    );
    site.write("content/articles/undated.md", "---\ntitle: Undated\n---\nNo date, so in no feed.\n");
    site.write("content/about.md", "---\ntitle: About\ndate: 2025-04-01\n---\nIn no section.\n");
    site.build();
    let xml = site.read_output("atom.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.unwrap().content, "Basic Test Clinic");
    assert_eq!(feed.id, "https://clinic.test/atom.xml");
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    // Newest first across sections and outside them; no draft, nothing undated.
    assert_eq!(titles, ["About", "Notice 3", "Washing", "Notice 2", "Notice 1"]);
    let washing = &feed.entries[2];
    assert_eq!(washing.links[0].href, "https://clinic.test/articles/washing/");
    let html = washing.content.as_ref().unwrap().body.clone().unwrap();
    assert!(html.contains("href=\"https://clinic.test/news/\""), "{html}");
    // Every page points feed readers at it; a section's pages at their section's feed first.
    let link = |href: &str| {
        format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{href}\" title=\"Basic Test Clinic\">"
        )
    };
    for (file, href) in [
        ("index.html", "atom.xml"),
        ("about/index.html", "../atom.xml"),
        ("articles/index.html", "../atom.xml"),
        ("news/page/2/index.html", "../../../atom.xml"),
        ("categories/bookings/index.html", "../../atom.xml"),
        ("404.html", "/atom.xml"),
    ] {
        assert!(site.read_output(file).contains(&link(href)), "{file}:\n{}", site.read_output(file));
    }
    let article = site.read_output("news/first/index.html");
    let section_feed =
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../atom.xml\" title=\"News\">";
    let at = |s: &str| article.find(s).unwrap_or_else(|| panic!("{s} in {article}"));
    assert!(at(section_feed) < at(&link("../../atom.xml")));
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Drafts go in with --drafts, as in a section's feed.
    let run = site.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read_output("atom.xml").contains("<title>Draft notice</title>"));
}

#[test]
fn the_site_feed_holds_the_newest_twenty() {
    let site = news_site(25, "");
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}feed: true\n"));
    let run = site.run(&["build", "--base-url", "https://clinic.test/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = site.read_output("atom.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    let newest: Vec<String> = (6..=25).rev().map(|i| format!("Notice {i}")).collect();
    assert_eq!(titles, newest);
    assert_eq!(feed.updated.unwrap().to_rfc3339(), "2025-01-25T00:00:00+00:00");
}

#[test]
fn a_section_feed_holds_its_newest_twenty_whatever_the_listing_order() {
    // Sorted by weight, the listing starts with the oldest notice; the feed
    // takes the newest twenty, newest first, and the listing keeps all 25.
    let site = news_site(25, "sort_by: weight\nfeed: true\n");
    site.write("content/news/n01.md", "---\ntitle: Notice 1\ndate: 2025-01-01\nweight: 1\n---\nText 1.\n");
    let run = site.run(&["build", "--base-url", "https://clinic.test/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = site.read_output("news/atom.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    let newest: Vec<String> = (6..=25).rev().map(|i| format!("Notice {i}")).collect();
    assert_eq!(titles, newest);
    let listing = listed(&site.read_output("news/index.html"));
    assert_eq!(listing.len(), 25);
    assert_eq!(listing[0], "Notice 1");
}

#[test]
fn the_site_feed_is_refused_for_an_example_base_url_and_checked_like_any_setting() {
    let site = news_site(2, "");
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{settings}feed: true\n"));
    let run = site.build();
    assert!(
        run.stderr.contains("no feed is made: base_url `https://example.org/` is an example address"),
        "{}",
        run.stderr
    );
    assert!(!site.output_files().contains(&"atom.xml".to_string()));
    assert!(!site.read_output("index.html").contains("atom"));
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
    // A misspelt setting is an error, as everywhere in site.yaml.
    site.write("site.yaml", &format!("{settings}feeds: true\n"));
    let stderr = site.build_fails();
    assert!(stderr.contains("unknown key `feeds`") && stderr.contains("did you mean `feed`?"), "{stderr}");
    // A section at the top with its own feed would write the same file.
    site.write("site.yaml", &format!("{settings}feed: true\n"));
    site.write("content/_index.md", "---\ntitle: Everything\nfeed: true\n---\n");
    std::fs::remove_file(site.path("content/index.md")).unwrap();
    let run = site.run(&["build", "--base-url", "https://clinic.test/"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the feed of content/_index.md and the site's feed (`feed: true` in site.yaml) would both be written to atom.xml"
        ),
        "{}",
        run.stderr
    );
}
