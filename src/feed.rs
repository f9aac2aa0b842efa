//! Feeds: the Atom feed of a section with `feed: true`, and the site's own
//! feed of its newest dated pages when site.yaml says `feed: true` (issue
//! 10), as a template context ([`Feed`]) that the theme's `atom.xml`
//! template renders (a site may override it, as any template).
//!
//! A feed holds the newest [`FEED_ENTRIES`] pages with a `date` (of its
//! section, or of the whole site, whatever section they are in), newest
//! first: readers poll a feed again and again and only show what is new,
//! each entry carries the page's whole text, and a section of years of
//! articles would otherwise send all of them on every poll (and cost its
//! build as much as all its pages once more). The listing pages keep every
//! page.
//!
//! Everything in a feed is absolute: ids and links are permalinks, and each
//! entry's HTML has its links made absolute ([`absolutize`]), because a feed
//! reader shows the entry away from the site. Dates are RFC 3339 date-times
//! at midnight UTC (front matter dates have no time). Characters XML 1.0
//! cannot hold (most control characters) are dropped from every text, since
//! escaping cannot save them and one would make the whole feed unreadable.
//!
//! A site whose `base_url` is a reserved example address (`example.org`,
//! `example.com`, `example.net`, their subdomains, or any `.example` name,
//! RFC 2606) gets no feed: subscribers would follow links to a domain that
//! is not the clinic's. [`feed_base`] says so as a warning at `base_url` in
//! site.yaml (so `check --strict` fails and `build` goes on), and the caller
//! then writes neither the feed nor links to it. `serve` previews at the
//! local address it serves from, which is not reserved, so feeds work there.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use url::Url;

use crate::config::{CONFIG_FILE, SiteConfig, setting_line};
use crate::date::Date;
use crate::error::Diagnostic;
use crate::section::{ListedPage, SortBy, sort_pages};

mod absolute;
pub use absolute::absolutize;

/// The feed's file name in its section's folder (`news/atom.xml`), and of
/// the site's feed at the top.
pub const FEED_FILE: &str = "atom.xml";
/// How many pages a feed holds: the newest.
pub const FEED_ENTRIES: usize = 20;
/// The template feeds are rendered with.
pub const FEED_TEMPLATE: &str = "atom.xml";

/// An Atom feed: what the `atom.xml` template sees as `feed`.
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
    /// The feed's title: the section's.
    #[serde(serialize_with = "xml_text")]
    pub title: String,
    /// The section's description, if any.
    #[serde(serialize_with = "xml_opt")]
    pub subtitle: Option<String>,
    /// A permanent id: the feed's own absolute URL.
    #[serde(serialize_with = "xml_text")]
    pub id: String,
    /// The latest `updated` of its entries.
    #[serde(serialize_with = "rfc3339")]
    pub updated: Date,
    /// Who publishes it: the clinic.
    #[serde(serialize_with = "xml_text")]
    pub author: String,
    /// The section's listing page, absolute (`rel="alternate"`).
    #[serde(serialize_with = "xml_text")]
    pub link: String,
    /// The feed's absolute URL (`rel="self"`).
    #[serde(serialize_with = "xml_text")]
    pub self_link: String,
    /// The site's language, for `xml:lang`.
    #[serde(serialize_with = "xml_text")]
    pub language: String,
    /// The pages, in the section's order.
    pub entries: Vec<Entry>,
}

/// One page of a feed.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The page's title.
    #[serde(serialize_with = "xml_text")]
    pub title: String,
    /// A permanent id: the page's permalink.
    #[serde(serialize_with = "xml_text")]
    pub id: String,
    /// The page's permalink.
    #[serde(serialize_with = "xml_text")]
    pub link: String,
    /// The page's `date`.
    #[serde(serialize_with = "rfc3339")]
    pub published: Date,
    /// The page's `updated`, or its `date`.
    #[serde(serialize_with = "rfc3339")]
    pub updated: Date,
    /// The page's description.
    #[serde(serialize_with = "xml_opt")]
    pub summary: Option<String>,
    /// The page's HTML with absolute links.
    #[serde(serialize_with = "xml_text")]
    pub content_html: String,
    /// The author's name, if the page names one.
    #[serde(serialize_with = "xml_opt")]
    pub author: Option<String>,
}

/// What an entry is made from: a page's values.
#[derive(Debug, Clone, Copy)]
pub struct EntrySource<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its site-absolute URL path (`/news/open/`).
    pub path: &'a str,
    /// Its body as HTML, links relative as rendered.
    pub html: &'a str,
    /// The body holds only HTML that dotwork wrote (no raw HTML from the
    /// page's markdown), so [`absolutize`] can read it faster.
    pub own_html: bool,
    /// Its description.
    pub description: Option<&'a str>,
    /// Its `date` (a section with a feed requires one).
    pub date: Date,
    /// Its `updated`.
    pub updated: Option<Date>,
    /// Its author's name.
    pub author: Option<&'a str>,
}

/// What a feed is about: its section's values (or, for the site's feed,
/// the site's) and the site's.
#[derive(Debug, Clone, Copy)]
pub struct FeedSource<'a> {
    /// The section's title (the site's).
    pub title: &'a str,
    /// The section's description (the site's).
    pub description: Option<&'a str>,
    /// The section's site-absolute URL path (`/news/`; the site's is `/`).
    pub path: &'a str,
    /// The site's language.
    pub language: &'a str,
    /// Who publishes it (the clinic's name, or the site's title).
    pub author: &'a str,
}

/// The base URL feeds are made against, or a warning (at `base_url` in
/// site.yaml) that the site gets no feed because its address is a reserved
/// example one.
pub fn feed_base(config: &SiteConfig) -> Result<Url, Diagnostic> {
    let refuse = |why: String| {
        let d = Diagnostic::warning(CONFIG_FILE, why).with_help(
            "set base_url in site.yaml to the address the site will be published at, or build with --base-url https://www.your-clinic.org/",
        );
        match setting_line(&config.text, &["base_url"]) {
            Some(loc) => d.at(&config.text, loc),
            None => d,
        }
    };
    let url = Url::parse(&config.base_url).map_err(|e| {
        refuse(format!("no feed is made: base_url `{}` is not an address ({e})", config.base_url))
    })?;
    match url.host_str() {
        Some(host) if is_example_host(host) => Err(refuse(format!(
            "no feed is made: base_url `{}` is an example address, and feed readers would follow its links there",
            config.base_url
        ))),
        _ => Ok(url),
    }
}

/// `example.org`, `www.example.com`, `clinic.example`: names reserved for
/// examples (RFC 2606), which no real site has.
fn is_example_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |name: &str| host == name || host.ends_with(&format!(".{name}"));
    ["example.org", "example.com", "example.net", "example"].iter().any(|n| under(n))
}

/// The site-absolute path of the feed of the section at `section_path`.
pub fn feed_path(section_path: &str) -> String {
    format!("{section_path}{FEED_FILE}")
}

/// The pages of a feed: of `among` (positions in `pages`), the newest
/// [`FEED_ENTRIES`] with a `date`, newest first (ties in a section's order:
/// by title, then file).
pub fn feed_pages(pages: &[ListedPage<'_>], among: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut dated: Vec<usize> = among.into_iter().filter(|&i| pages[i].date.is_some()).collect();
    sort_pages(&mut dated, pages, SortBy::Date);
    dated.truncate(FEED_ENTRIES);
    dated
}

/// The absolute URL of the site-absolute `path`.
fn permalink(base: &Url, path: &str) -> String {
    base.join(path.trim_start_matches('/')).map_or_else(|_| base.to_string(), String::from)
}

/// An entry for a page, its links made absolute against `base`.
pub fn make_entry(base: &Url, page: &EntrySource<'_>) -> Entry {
    let link = permalink(base, page.path);
    Entry {
        title: page.title.to_string(),
        id: link.clone(),
        link,
        published: page.date,
        updated: page.updated.unwrap_or(page.date),
        summary: page.description.map(str::to_string),
        content_html: absolutize(page.html, page.path, base, page.own_html),
        author: page.author.map(str::to_string),
    }
}

/// The feed of a section, whose entries are `entries` in listing order.
/// `updated` is the latest entry's, or `today` for a section with no pages.
pub fn make_feed(base: &Url, source: &FeedSource<'_>, entries: Vec<Entry>, today: Date) -> Feed {
    let self_link = permalink(base, &feed_path(source.path));
    Feed {
        title: source.title.to_string(),
        subtitle: source.description.map(str::to_string),
        id: self_link.clone(),
        updated: entries.iter().map(|e| e.updated).max().unwrap_or(today),
        author: source.author.to_string(),
        link: permalink(base, source.path),
        self_link,
        language: source.language.to_string(),
        entries,
    }
}

fn rfc3339<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{date}T00:00:00Z"))
}

fn xml_text<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&xml_chars(text))
}

fn xml_opt<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => s.serialize_some(&xml_chars(text)),
        None => s.serialize_none(),
    }
}

/// The template filter `cdata`: `text` as an XML CDATA section, for a feed
/// entry's HTML (`{{ entry.content_html | cdata | safe }}`). Its bytes go out
/// as they are, where escaping made a page's every tag five to eight
/// characters longer and cost as much as rendering the page; a `]]>` in it
/// ends one section and starts the next, so it stays text.
pub fn cdata(text: &str, _: tera::Kwargs, _: &tera::State) -> String {
    let mut out = String::with_capacity(text.len() + 24);
    out.push_str("<![CDATA[");
    let mut rest = text;
    while let Some(i) = memchr::memmem::find(rest.as_bytes(), b"]]>") {
        out.push_str(&rest[..i + 2]);
        out.push_str("]]><![CDATA[");
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out.push_str("]]>");
    out
}

/// `text` without the characters XML 1.0 forbids even escaped: control
/// characters below U+0020 other than tab and line breaks, and U+FFFE, U+FFFF.
fn xml_chars(text: &str) -> Cow<'_, str> {
    let allowed =
        |c: char| (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && c != '\u{fffe}' && c != '\u{ffff}';
    // Control characters are bytes below 0x20; U+FFFE and U+FFFF start with
    // 0xEF. Only a text with such a byte is read again character by character.
    // The bytes are read a block at a time without stopping early, which the
    // compiler turns into vector instructions: an entry is a whole page.
    let suspect = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    let clean = text.as_bytes().chunks(64).all(|block| !block.iter().fold(false, |s, &b| s | suspect(b)));
    if clean || text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

#[cfg(test)]
mod tests;
