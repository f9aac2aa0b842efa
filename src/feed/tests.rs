use quick_xml::Reader;
use quick_xml::events::Event;

use super::*;
use crate::config::parse_config;

fn config(base_url: &str) -> SiteConfig {
    parse_config(&format!("title: T\nbase_url: {base_url}\n")).unwrap()
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn example_addresses_get_no_feed_and_a_warning_at_base_url() {
    for reserved in [
        "https://example.org/",
        "https://www.example.com/clinic/",
        "http://EXAMPLE.NET",
        "https://clinic.example/",
        "https://example.org./",
    ] {
        let d = feed_base(&config(reserved)).unwrap_err();
        assert_eq!(d.severity, crate::Severity::Warning, "{reserved}");
        assert!(d.message.starts_with("no feed is made: base_url `"), "{}", d.message);
        assert!(d.message.ends_with("is an example address, and feed readers would follow its links there"));
        assert_eq!(d.location.map(|l| l.line), Some(2), "{reserved}");
        assert_eq!(d.file, std::path::Path::new("site.yaml"));
    }
    for real in [
        "https://www.clinic.co.uk/",
        "https://example.github.io/clinic/",
        "http://127.0.0.1:1111/",
        "https://myexample.org/",
    ] {
        assert_eq!(
            feed_base(&config(real)).unwrap().as_str().trim_end_matches('/'),
            real.trim_end_matches('/')
        );
    }
}

fn sample() -> Feed {
    let base = Url::parse("https://clinic.test/sub/").unwrap();
    let entries = vec![
        make_entry(
            &base,
            &EntrySource {
                title: "Opening <hours> & \"holidays\" \u{1}]]>",
                path: "/news/holidays/",
                html: "<p>See <a href=\"../../care/#after\">aftercare</a> &amp; <img src=\"map.png\" alt=\"Map\"></p>\n",
                own_html: true,
                description: Some("Closed on 25 & 26 December"),
                date: date("2025-12-01"),
                updated: Some(date("2025-12-03")),
                author: Some("Dr A. O'Neil"),
            },
        ),
        make_entry(
            &base,
            &EntrySource {
                title: "New booking system",
                path: "/news/booking/",
                html: "<p>Book at <a href=\"mailto:desk@clinic.test\">the desk</a>. A]]>B ]]]>C</p>",
                own_html: false,
                description: None,
                date: date("2025-11-02"),
                updated: None,
                author: None,
            },
        ),
    ];
    make_feed(
        &base,
        &FeedSource {
            title: "News & notices",
            description: Some("What changes at the clinic"),
            path: "/news/",
            language: "en-GB",
            author: "Fictional Clinic",
        },
        entries,
        date("2030-01-01"),
    )
}

fn render(feed: &Feed) -> String {
    let mut tera = tera::Tera::new();
    tera.register_filter("cdata", super::cdata);
    tera.add_raw_template(FEED_TEMPLATE, include_str!("../../themes/clinic/templates/atom.xml")).unwrap();
    let mut context = tera::Context::new();
    context.insert("feed", feed);
    tera.render(FEED_TEMPLATE, &context).unwrap()
}

/// An element: its path from the root (`feed/entry/title`), its attributes, its text.
type Element = (String, Vec<(String, String)>, String);

/// Every element of a well-formed XML document, or the reason it is not
/// well-formed.
fn read_xml(xml: &str) -> Result<Vec<Element>, String> {
    let mut reader = Reader::from_str(xml);
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut out: Vec<Element> = Vec::new();
    let mut roots = 0;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let mut element = |e: &quick_xml::events::BytesStart<'_>, open: &[(String, usize)]| {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let path =
                open.iter().map(|(n, _)| n.as_str()).chain([name.as_str()]).collect::<Vec<_>>().join("/");
            let mut attrs = Vec::new();
            for a in e.attributes() {
                let a = a.map_err(|e| e.to_string())?;
                let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
                attrs.push((String::from_utf8_lossy(a.key.as_ref()).into_owned(), value));
            }
            out.push((path, attrs, String::new()));
            Ok::<_, String>((name, out.len() - 1))
        };
        match event {
            Event::Start(e) => {
                roots += usize::from(open.is_empty());
                let entry = element(&e, &open)?;
                open.push(entry);
            }
            Event::Empty(e) => {
                roots += usize::from(open.is_empty());
                element(&e, &open)?;
            }
            Event::End(_) => {
                open.pop().ok_or("an end tag closes nothing")?;
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| e.to_string())?;
                match open.last() {
                    Some(&(_, i)) => out[i].2.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(format!("text outside the root element: {text:?}")),
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(|e| e.to_string())?.ok_or("empty character reference")?
                } else {
                    match r.decode().map_err(|e| e.to_string())?.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("undefined entity &{other};")),
                    }
                };
                let &(_, i) = open.last().ok_or("a reference outside the root element")?;
                out[i].2.push(c);
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| e.to_string())?;
                let &(_, i) = open.last().ok_or("CDATA outside the root element")?;
                out[i].2.push_str(&text);
            }
            Event::DocType(_) => return Err("unexpected DOCTYPE".to_string()),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !open.is_empty() || roots != 1 {
        return Err(format!("{} elements left open, {roots} root elements", open.len()));
    }
    Ok(out)
}

#[test]
fn the_xml_reader_refuses_what_is_not_well_formed() {
    for bad in ["<a><b></a></b>", "<a>&nbsp;</a>", "<a></a><b/>", "<a>", "<a x=\"1\" x=\"2\"/>", "x<a/>"] {
        assert!(read_xml(bad).is_err(), "{bad}");
    }
    assert!(read_xml("<?xml version=\"1.0\"?>\n<a x='&amp;'>&#233;<b/></a>\n").is_ok());
}

#[test]
fn the_theme_feed_is_well_formed_and_has_every_required_element() {
    let xml = render(&sample());
    let elements = read_xml(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let one = |path: &str| {
        let found: Vec<_> = elements.iter().filter(|(p, _, _)| p == path).collect();
        assert_eq!(found.len(), 1, "{path} in:\n{xml}");
        found[0].clone()
    };
    let (_, attrs, _) = one("feed");
    assert!(attrs.contains(&("xmlns".into(), "http://www.w3.org/2005/Atom".into())), "{attrs:?}");
    assert!(attrs.contains(&("xml:lang".into(), "en-GB".into())), "{attrs:?}");
    assert_eq!(one("feed/title").2, "News & notices");
    assert_eq!(one("feed/subtitle").2, "What changes at the clinic");
    assert_eq!(one("feed/id").2, "https://clinic.test/sub/news/atom.xml");
    assert_eq!(one("feed/updated").2, "2025-12-03T00:00:00Z");
    assert_eq!(one("feed/author/name").2, "Fictional Clinic");
    let links: Vec<&Vec<(String, String)>> =
        elements.iter().filter(|(p, _, _)| p == "feed/link").map(|(_, a, _)| a).collect();
    let rel = |r: &str| {
        links
            .iter()
            .find(|a| a.contains(&("rel".into(), r.into())))
            .map(|a| a.iter().find(|(k, _)| k == "href").map(|(_, v)| v.clone()).unwrap_or_default())
    };
    assert_eq!(rel("self").as_deref(), Some("https://clinic.test/sub/news/atom.xml"));
    assert_eq!(rel("alternate").as_deref(), Some("https://clinic.test/sub/news/"));
    for required in [
        "feed/entry/id",
        "feed/entry/title",
        "feed/entry/updated",
        "feed/entry/published",
        "feed/entry/content",
    ] {
        assert_eq!(elements.iter().filter(|(p, _, _)| p == required).count(), 2, "{required}");
    }
    let content = elements.iter().find(|(p, _, _)| p == "feed/entry/content").unwrap();
    assert!(content.1.contains(&("type".into(), "html".into())));
    assert_eq!(
        content.2,
        "<p>See <a href=\"https://clinic.test/sub/care/#after\">aftercare</a> &amp; <img src=\"https://clinic.test/sub/news/holidays/map.png\" alt=\"Map\"></p>\n"
    );
    // The control character is dropped, everything else is escaped and read back as written.
    assert_eq!(
        elements.iter().find(|(p, _, _)| p == "feed/entry/title").unwrap().2,
        "Opening <hours> & \"holidays\" ]]>"
    );
}

#[test]
fn a_feed_reader_reads_the_feed_back() {
    let feed = sample();
    let xml = render(&feed);
    let read = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert_eq!(read.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(read.id, "https://clinic.test/sub/news/atom.xml");
    assert_eq!(read.title.as_ref().map(|t| t.content.as_str()), Some("News & notices"));
    assert_eq!(read.updated.map(|d| d.to_rfc3339()), Some("2025-12-03T00:00:00+00:00".to_string()));
    assert_eq!(read.authors[0].name.as_deref(), Some("Fictional Clinic"));
    assert_eq!(read.language.as_deref(), Some("en-GB"));
    let hrefs: Vec<(Option<&str>, &str)> =
        read.links.iter().map(|l| (l.rel.as_deref(), l.href.as_str())).collect();
    assert!(hrefs.contains(&(Some("self"), "https://clinic.test/sub/news/atom.xml")), "{hrefs:?}");
    assert!(hrefs.contains(&(Some("alternate"), "https://clinic.test/sub/news/")), "{hrefs:?}");

    assert_eq!(read.entries.len(), 2);
    let (first, second) = (&read.entries[0], &read.entries[1]);
    assert_eq!(first.id, "https://clinic.test/sub/news/holidays/");
    assert_eq!(first.links[0].href, "https://clinic.test/sub/news/holidays/");
    assert_eq!(first.title.as_ref().map(|t| t.content.as_str()), Some("Opening <hours> & \"holidays\" ]]>"));
    assert_eq!(first.published.map(|d| d.date_naive().to_string()).as_deref(), Some("2025-12-01"));
    assert_eq!(first.updated.map(|d| d.date_naive().to_string()).as_deref(), Some("2025-12-03"));
    assert_eq!(first.authors[0].name.as_deref(), Some("Dr A. O'Neil"));
    assert_eq!(first.summary.as_ref().map(|t| t.content.as_str()), Some("Closed on 25 & 26 December"));
    let body = first.content.as_ref().and_then(|c| c.body.as_deref()).unwrap_or_default();
    assert!(body.contains("href=\"https://clinic.test/sub/care/#after\""), "{body}");
    // feed-rs trims the text it reads.
    assert_eq!(feed.entries[0].content_html.trim_end(), body);
    // No `updated`: the entry's is its date; no author or summary: none written.
    assert_eq!(second.updated.map(|d| d.date_naive().to_string()).as_deref(), Some("2025-11-02"));
    assert!(second.authors.is_empty() && second.summary.is_none());
    let body = second.content.as_ref().and_then(|c| c.body.as_deref()).unwrap_or_default();
    assert!(body.contains("href=\"mailto:desk@clinic.test\""), "{body}");
    // The HTML is written in CDATA sections; a `]]>` in it stays text.
    assert!(body.contains("A]]>B ]]]>C"), "{body}");
}

#[test]
fn an_empty_feed_is_dated_by_the_caller_and_still_valid() {
    let base = Url::parse("https://clinic.test/").unwrap();
    let source = FeedSource { title: "News", description: None, path: "/", language: "en", author: "Clinic" };
    let feed = make_feed(&base, &source, Vec::new(), date("2026-01-02"));
    assert_eq!(feed.self_link, "https://clinic.test/atom.xml");
    assert_eq!(feed.link, "https://clinic.test/");
    let xml = render(&feed);
    let elements = read_xml(&xml).unwrap();
    assert!(elements.iter().any(|(p, _, t)| p == "feed/updated" && t == "2026-01-02T00:00:00Z"));
    assert!(!elements.iter().any(|(p, _, _)| p == "feed/subtitle" || p.starts_with("feed/entry")));
    assert_eq!(feed_rs::parser::parse(xml.as_bytes()).unwrap().entries.len(), 0);
}

#[test]
fn characters_xml_cannot_hold_are_dropped() {
    assert_eq!(xml_chars("a\u{0}b\u{8}c\td\ne\u{fffe}f\u{7f}\u{85}"), "abc\td\nef\u{7f}\u{85}");
    assert!(matches!(xml_chars("plain ✓"), Cow::Borrowed(_)));
}

#[test]
fn feeds_sit_in_their_sections_folder() {
    assert_eq!(feed_path("/news/"), "/news/atom.xml");
    assert_eq!(feed_path("/"), "/atom.xml");
}
