//! The shipped clinic site, in English and Spanish, crawled as a search
//! engine and a visitor would after publishing it under a sub-path (issue
//! 15): every page's `hreflang` alternates are reciprocal and match the
//! sitemap's, every language switcher link answers, and no link is broken.
//! Then again with Spanish on a domain of its own.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::TestSite;

const BASE: &str = "https://clinic.test/sub/";

/// Where the site is published: each address with the folder of the output
/// that holds what is published there (empty: the output itself).
type Published<'a> = &'a [(&'a str, &'a str)];

/// The values of `attribute` in each tag of `html` that starts with `tag`.
fn attributes<'h>(html: &'h str, tag: &str, attribute: &str) -> Vec<&'h str> {
    html.split(tag)
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.split('>').next()?;
            // ` href="`, also right after the tag's name (split off with it).
            let value = format!(" {tag}");
            let at = value.find(&format!(" {attribute}=\""))? + attribute.len() + 3;
            let value = &tag[at - 1..];
            value.split('"').next()
        })
        .collect()
}

/// The `(hreflang, href)` of each `<link rel="alternate" hreflang>` in `html`.
fn alternates(html: &str) -> BTreeSet<(String, String)> {
    html.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .map(|rest| {
            let (lang, rest) = rest.split_once('"').unwrap();
            let href = rest.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
            (lang.to_string(), href.to_string())
        })
        .collect()
}

/// The output file (`es/riesgos/index.html`) a link `href` on the page in
/// output file `from` leads to; `None` for another site's address.
fn target(from: &str, href: &str, published: Published<'_>) -> Option<String> {
    let href = href.split(['#', '?']).next().unwrap();
    let own =
        published.iter().find_map(|(base, folder)| Some(format!("{folder}{}", href.strip_prefix(base)?)));
    let path = if let Some(own) = own {
        own
    } else if href.contains(':') || href.starts_with("//") {
        return None;
    } else {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for part in href.split('/') {
            match part {
                ".." => {
                    parts.pop();
                }
                "." | "" => {}
                _ => parts.push(part),
            }
        }
        let joined = parts.join("/");
        if href.ends_with('/') || href.is_empty() { format!("{joined}/") } else { joined }
    };
    let path = path.trim_start_matches('/');
    Some(if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() })
}

/// Crawls the site built into `site`'s output, published at `published`:
/// `spanish` says which output files are Spanish pages.
fn crawl(site: &TestSite, published: Published<'_>, spanish: impl Fn(&str) -> bool) {
    let files: BTreeSet<String> = site.output_files().into_iter().collect();
    let pages: Vec<&String> =
        files.iter().filter(|f| f.ends_with(".html") && !f.ends_with("404.html")).collect();

    // Each page's alternates, by its own address.
    let mut by_address: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let (mut translated, mut followed) = (0, 0);
    for file in &pages {
        let html = site.read_output(file);
        if html.contains("http-equiv=\"refresh\"") {
            continue;
        }
        let canonical = attributes(&html, "<link rel=\"canonical\"", "href")[0].to_string();
        let lang = attributes(&html, "<html", "lang")[0];
        assert!(lang == "en-GB" || lang == "es", "{file}: lang {lang}");
        assert_eq!(lang == "es", spanish(file), "{file}: lang {lang}");
        assert_eq!(target("", &canonical, published).as_ref(), Some(*file), "{file}: canonical {canonical}");
        let found = alternates(&html);
        if !found.is_empty() {
            translated += 1;
            assert!(
                found.contains(&(lang.to_string(), canonical.clone())),
                "{file} does not name itself: {found:?}"
            );
            assert!(found.iter().any(|(l, _)| l == "x-default"), "{file}: no x-default in {found:?}");
        }
        // The switcher: each link leads to a page that is there.
        let switcher =
            html.split("<nav class=\"languages\"").nth(1).unwrap_or_else(|| panic!("{file}: no switcher"));
        let switcher = switcher.split("</nav>").next().unwrap();
        let links = attributes(switcher, "<a ", "href");
        assert_eq!(links.len(), 1, "{file}: one other language to switch to: {switcher}");
        for href in links {
            let to = target(file, href, published).unwrap();
            assert!(files.contains(&to), "{file}: the switcher leads to {href}, which is not there");
        }
        // Every link on the page is relative or the site's own address, and answers.
        let hrefs = attributes(&html, "<a ", "href").into_iter().chain(attributes(&html, "<link ", "href"));
        for href in hrefs.chain(attributes(&html, "<img ", "src")) {
            assert!(!href.starts_with('/'), "{file}: {href} is absolute from the domain");
            if let Some(to) = target(file, href, published) {
                assert!(files.contains(&to), "{file}: {href} leads to {to}, which is not there");
                followed += 1;
            }
        }
        by_address.insert(canonical, found);
    }
    assert!(translated >= 28, "every page of the clinic site is translated: {translated}");
    assert!(followed > 30 * 20, "the crawl followed the menus' links too: {followed}");

    // Reciprocal: every page an alternate names lists the same alternates.
    for (address, found) in &by_address {
        for (lang, href) in found {
            let there = by_address
                .get(href)
                .unwrap_or_else(|| panic!("{address}: {lang} alternate {href} is no page"));
            assert_eq!(there, found, "{address} and {href} list different alternates");
        }
    }

    // Each address's sitemap says the same as its pages, and lists them all.
    for (base, folder) in published {
        let sitemap = site.read_output(&format!("{folder}sitemap.xml"));
        for entry in sitemap.split("<url>").skip(1) {
            let loc = entry.split("<loc>").nth(1).unwrap().split("</loc>").next().unwrap();
            assert!(loc.starts_with(base), "{folder}sitemap.xml lists {loc}");
            let links: BTreeSet<(String, String)> = entry
                .split("<xhtml:link rel=\"alternate\" hreflang=\"")
                .skip(1)
                .map(|rest| {
                    let (lang, rest) = rest.split_once('"').unwrap();
                    (
                        lang.to_string(),
                        rest.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_string(),
                    )
                })
                .collect();
            if let Some(in_page) = by_address.get(loc) {
                assert_eq!(&links, in_page, "the sitemap's alternates of {loc} are not the page's");
            }
        }
        let robots = site.read_output(&format!("{folder}robots.txt"));
        assert!(robots.contains(&format!("Sitemap: {base}sitemap.xml")), "{robots}");
        let mine: Vec<&String> = by_address.keys().filter(|a| a.starts_with(base)).collect();
        assert!(mine.len() > 10, "{base}: {mine:?}");
        assert!(mine.iter().all(|a| sitemap.contains(&format!("<loc>{a}</loc>"))), "{sitemap}");
    }
}

#[test]
fn the_bilingual_site_crawled_under_a_sub_path_has_reciprocal_alternates_and_no_dead_end() {
    let site = TestSite::clinic();
    let run = site.run(&["build", "--base-url", BASE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    crawl(&site, &[(BASE, "")], |file| file.starts_with("es/"));

    // And `check`, run on the site as published there, finds nothing.
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &settings.replace("base_url: \"https://example.org/\"", &format!("base_url: \"{BASE}\"")),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("check: no problems in 30 pages"), "{}", run.stderr);
}

#[test]
fn the_bilingual_site_with_spanish_on_its_own_domain_is_two_sites_that_lead_to_each_other() {
    const SPANISH: &str = "https://clinica.test/";
    let site = TestSite::clinic();
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    let settings = settings
        .replace("base_url: \"https://example.org/\"", &format!("base_url: \"{BASE}\""))
        .replacen("  - code: es\n", &format!("  - code: es\n    base_url: \"{SPANISH}\"\n"), 1);
    site.write("site.yaml", &settings);
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = site.output_files();
    // One folder for each address, and nothing else but dotwork's mark.
    let tops: BTreeSet<&str> =
        files.iter().map(|f| f.split('/').next().unwrap()).filter(|top| !top.starts_with('.')).collect();
    assert_eq!(tops, BTreeSet::from(["clinic.test", "clinica.test"]), "{files:#?}");
    crawl(&site, &[(BASE, "clinic.test/"), (SPANISH, "clinica.test/")], |file| {
        file.starts_with("clinica.test/")
    });
    // The theme's files are on both; no Spanish page is left under /es/.
    for file in ["clinic.test/favicon.svg", "clinica.test/favicon.svg", "clinica.test/index.html"] {
        assert!(files.contains(&file.to_string()), "{file}: {files:#?}");
    }
    assert!(!files.iter().any(|f| f.contains("/es/")), "{files:#?}");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("check: no problems in 30 pages"), "{}", run.stderr);
}
