//! Making a page's links absolute for a feed: feed readers show an entry
//! away from the site, where the relative links dotwork writes everywhere
//! else (`../risks/`, `images/a.png`) lead nowhere.
//!
//! Works on the rendered HTML, not on pulldown-cmark's events: raw HTML in
//! markdown, citations and anything a later stage adds are only complete in
//! the output, and links there are already rewritten from `risks.md` to the
//! page's address. The tags come from the scanner `check` reads pages with
//! ([`crate::html::start_tags`]), so text that only looks like an attribute
//! (`href="x"` in a paragraph, a `<script>`'s code, a comment) is never
//! touched, and `"`- or `'`-quoted, bare and entity-escaped values are read
//! alike. A tag with a link to change is written again with its attributes
//! double-quoted and escaped; every other byte is copied as it is.
//!
//! URLs are resolved as a browser resolves them on the page (RFC 3986, by
//! the `url` crate): relative, `./`, `../`, fragment-only (`#x`) and empty
//! ones against the page's address, root-relative ones (`/x`) against the
//! base URL's host. `mailto:`, `tel:`, `data:` and other absolute URLs, and
//! protocol-relative ones (`//cdn.example/x`), are left as written.

use memchr::{memchr, memmem, memrchr2};
use url::Url;

use crate::html::{Tag, start_tags};
use crate::markdown::escape_html_into;

/// `html` (the body of the page at site-absolute `page_path`, `/news/open/`)
/// with every `href`, `src`, `poster` and `srcset` URL made absolute against
/// `base_url` (the site's, `https://example.org/clinic/`). `own` says the
/// HTML is all dotwork's own writing (no raw HTML from the page's markdown),
/// which can be read faster: its URL attributes are found without reading every tag.
pub fn absolutize(html: &str, page_path: &str, base_url: &Url, own: bool) -> String {
    match base_url.join(page_path.trim_start_matches('/')) {
        Ok(page) if own => own_html(html, &page),
        Ok(page) => any_html(html, &page),
        Err(_) => html.to_string(),
    }
}

/// [`absolutize`] for any HTML, read tag by tag as `check` reads pages.
fn any_html(html: &str, page: &Url) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    for tag in start_tags(html) {
        let new: Vec<Option<String>> =
            tag.attrs.iter().map(|(name, value)| new_value(name, value, page)).collect();
        // Most tags hold no URL, or one that stays: copy those as they are.
        if new.iter().all(Option::is_none) {
            continue;
        }
        out.push_str(&html[copied..tag.start]);
        write_tag(&mut out, html, &tag, &new);
        copied = tag.end;
    }
    out.push_str(&html[copied..]);
    out
}

/// [`absolutize`] for HTML that dotwork wrote itself, with no raw HTML from
/// the page's markdown in it (the parse stage knows: its facts record every
/// piece). pulldown-cmark and dotwork escape `<` and `>` in text and in
/// attribute values, and write every attribute double-quoted with `"`
/// escaped in its value, so an attribute starts at each `="` that is inside
/// a tag: after a `<` with no `>` between. Those are all this reads (a page
/// has some forty, against some three hundred tags). Text may hold a `="`
/// of its own (`href="x"` in a paragraph); the nearest `>` before it tells.
/// Makes the same URLs absolute as [`any_html`] (which also writes every
/// changed tag again whole); a test compares the two.
fn own_html(html: &str, page: &Url) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    // Where the last value read ends: a `=` at the end of a value
    // (`href="?a="`) is followed by its closing quote, not by a value.
    let mut read_to = 0;
    let bytes = html.as_bytes();
    for eq in memmem::find_iter(bytes, b"=\"") {
        if eq < read_to || memrchr2(b'<', b'>', &bytes[..eq]).is_none_or(|i| bytes[i] != b'<') {
            continue;
        }
        let value_start = eq + 2;
        let Some(value_end) = memchr(b'"', &bytes[value_start..]).map(|i| value_start + i) else { break };
        read_to = value_end;
        let name_start =
            bytes[..eq].iter().rposition(|b| b.is_ascii_whitespace() || *b == b'<').map_or(0, |i| i + 1);
        let value = crate::html::decode_entities(&html[value_start..value_end]);
        if let Some(new) = new_value(&html[name_start..eq], &value, page) {
            out.push_str(&html[copied..value_start]);
            escape_html_into(&mut out, &new);
            copied = value_end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Writes `tag` again to `out`, each attribute's value replaced by its `new`
/// one where there is one, all double-quoted and escaped.
fn write_tag(out: &mut String, html: &str, tag: &Tag<'_>, new: &[Option<String>]) {
    out.push('<');
    out.push_str(&tag.name);
    for ((name, value), new) in tag.attrs.iter().zip(new) {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_html_into(out, new.as_deref().unwrap_or(value));
        out.push('"');
    }
    let self_closing = html[tag.start..tag.end].trim_end_matches('>').trim_end().ends_with('/');
    out.push_str(if self_closing { " />" } else { ">" });
}

/// The value of attribute `name` with its URLs made absolute, or `None` if
/// it holds none or they stay as written.
fn new_value(name: &str, value: &str, page: &Url) -> Option<String> {
    match name {
        "href" | "src" | "poster" => absolute(value, page),
        "srcset" => absolute_srcset(value, page),
        _ => None,
    }
}

/// `url` resolved against `page`, or `None` when it stays as written.
fn absolute(url: &str, page: &Url) -> Option<String> {
    // Browsers strip leading and trailing ASCII whitespace from URL attributes.
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.starts_with("//") || crate::url::has_scheme(url) {
        return None;
    }
    join_plain(page, url).or_else(|| page.join(url).ok().map(String::from))
}

/// `Url::join` for the links dotwork writes itself (`../risks/`, `a/b.png`,
/// `#top`, `/contact/`): a path of letters, digits and `-._~/`, perhaps a
/// `#` fragment of the same, which the `url` crate would not change but
/// only resolve. Resolved here as strings (RFC 3986, 5.2), at a tenth of
/// the cost; `None` for anything else, which `Url::join` resolves. A test
/// compares the two on every short reference of those characters.
fn join_plain(page: &Url, reference: &str) -> Option<String> {
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b));
    let (path, fragment) = match reference.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (reference, None),
    };
    if !plain(path) || !fragment.is_none_or(plain) || page.query().is_some() {
        return None;
    }
    let page_path = page.path();
    let mut out = String::with_capacity(page.as_str().len() + reference.len());
    out.push_str(&page[..url::Position::BeforePath]);
    // The reference's path merged with the page's (5.2.2-5.2.3), as segments.
    let folder = &page_path[1..page_path.rfind('/').map_or(1, |i| i + 1)];
    let segments: Box<dyn Iterator<Item = &str>> = if path.is_empty() {
        Box::new(page_path[1..].split('/'))
    } else if let Some(rooted) = path.strip_prefix('/') {
        Box::new(rooted.split('/'))
    } else {
        Box::new(folder.split_terminator('/').chain(path.split('/')))
    };
    push_without_dot_segments(&mut out, segments);
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    Some(out)
}

/// Appends a path of `segments` (those after its leading `/`) to `out`
/// without its `.` and `..` segments, as RFC 3986 (5.2.4) removes them:
/// `..` above the top stays there, and a path ending in one ends in `/`.
fn push_without_dot_segments<'s>(out: &mut String, segments: impl Iterator<Item = &'s str>) {
    // `out` holds each kept segment after a `/`, so `..` cuts at the last `/`.
    let top = out.len();
    let mut segments = segments.peekable();
    while let Some(segment) = segments.next() {
        match segment {
            "." => {}
            ".." => out.truncate(out[top..].rfind('/').map_or(top, |i| top + i)),
            s => {
                out.push('/');
                out.push_str(s);
                continue;
            }
        }
        if segments.peek().is_none() {
            out.push('/');
        }
    }
    if out.len() == top {
        out.push('/');
    }
}

/// A `srcset` (`a.png 1x, b.png 2x`) with each candidate's URL absolute.
/// Candidates are read as the HTML standard reads them: a URL is a run
/// without whitespace (which may hold commas), a comma ends the candidate.
fn absolute_srcset(srcset: &str, page: &Url) -> Option<String> {
    let mut out = Vec::new();
    let mut changed = false;
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let url_len = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
        let (mut url, after) = rest.split_at(url_len);
        let descriptor;
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
            descriptor = "";
            rest = after;
        } else {
            let end = after.find(',').unwrap_or(after.len());
            descriptor = after[..end].trim();
            rest = &after[end..];
        }
        let new = absolute(url, page);
        changed |= new.is_some();
        let url = new.unwrap_or_else(|| url.to_string());
        out.push(if descriptor.is_empty() { url } else { format!("{url} {descriptor}") });
    }
    changed.then(|| out.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abs(html: &str) -> String {
        absolutize(html, "/news/open/", &Url::parse("https://example.net/clinic/").unwrap(), false)
    }

    #[test]
    fn relative_links_become_absolute_from_the_page() {
        assert_eq!(
            abs(r#"<a href="../risks/">r</a>"#),
            r#"<a href="https://example.net/clinic/news/risks/">r</a>"#
        );
        assert_eq!(abs(r#"<a href="./">r</a>"#), r#"<a href="https://example.net/clinic/news/open/">r</a>"#);
        assert_eq!(
            abs(r#"<a href="a/b.pdf">r</a>"#),
            r#"<a href="https://example.net/clinic/news/open/a/b.pdf">r</a>"#
        );
        assert_eq!(abs(r#"<a href="../../">r</a>"#), r#"<a href="https://example.net/clinic/">r</a>"#);
        // Above the top of the host, as a browser does: it stays at `/`.
        assert_eq!(abs(r#"<a href="../../../../../x">r</a>"#), r#"<a href="https://example.net/x">r</a>"#);
    }

    #[test]
    fn fragments_and_empty_links_point_at_the_page() {
        assert_eq!(
            abs(r##"<a href="#washing">w</a>"##),
            r#"<a href="https://example.net/clinic/news/open/#washing">w</a>"#
        );
        assert_eq!(abs(r#"<a href="">w</a>"#), r#"<a href="https://example.net/clinic/news/open/">w</a>"#);
        assert_eq!(
            abs(r#"<a href="?q=1">w</a>"#),
            r#"<a href="https://example.net/clinic/news/open/?q=1">w</a>"#
        );
    }

    #[test]
    fn root_relative_links_resolve_against_the_host() {
        assert_eq!(
            abs(r#"<img src="/images/a.png" alt="">"#),
            r#"<img src="https://example.net/images/a.png" alt="">"#
        );
        assert_eq!(
            abs(r#"<img src="/clinic/a.png" alt="">"#),
            r#"<img src="https://example.net/clinic/a.png" alt="">"#
        );
    }

    #[test]
    fn other_schemes_and_protocol_relative_urls_are_left_alone() {
        for kept in [
            r#"<a href="mailto:desk@example.net">m</a>"#,
            r#"<a href="tel:+442079460000">t</a>"#,
            r#"<a href="https://other.example/x">o</a>"#,
            r#"<a href="HTTP://OTHER.example/x">o</a>"#,
            r#"<img src="//cdn.example/x.png" alt="">"#,
            r#"<img src="data:image/png;base64,AAAA" alt="">"#,
            "<a name='x'>no link</a>",
        ] {
            assert_eq!(abs(kept), kept);
        }
    }

    #[test]
    fn any_quoting_is_read_and_written_back_escaped() {
        assert_eq!(
            abs("<a href='../x/' title=\"it's\">x</a>"),
            "<a href=\"https://example.net/clinic/news/x/\" title=\"it&#39;s\">x</a>"
        );
        assert_eq!(
            abs("<a href=../x/ class=k>x</a>"),
            r#"<a href="https://example.net/clinic/news/x/" class="k">x</a>"#
        );
        assert_eq!(
            abs(r#"<a href="a?x=1&amp;y=&quot;2&quot;">x</a>"#),
            r#"<a href="https://example.net/clinic/news/open/a?x=1&amp;y=%222%22">x</a>"#
        );
        assert_eq!(abs("<A HREF = \"x\">x</A>"), r#"<a href="https://example.net/clinic/news/open/x">x</A>"#);
        assert_eq!(
            abs(r#"<a href=" x ">x</a>"#),
            r#"<a href="https://example.net/clinic/news/open/x">x</a>"#
        );
    }

    #[test]
    fn text_that_looks_like_an_attribute_is_not_touched() {
        for kept in [
            r#"<p>Write href="x/" in the editor, or src='a.png'.</p>"#,
            r#"<p>1 &lt; 2 and <code>&lt;a href="x"&gt;</code></p>"#,
            r#"<!-- <a href="x"> --><p>x</p>"#,
            r#"<script>let s = '<a href="x">';</script>"#,
            r#"<p>a < b href="x"</p>"#,
        ] {
            assert_eq!(abs(kept), kept);
        }
    }

    #[test]
    fn srcset_and_poster_are_made_absolute() {
        assert_eq!(
            abs(r#"<img srcset="a.png 1x, /b.png 2x,c.png" src="a.png" alt="">"#),
            r#"<img srcset="https://example.net/clinic/news/open/a.png 1x, https://example.net/b.png 2x, https://example.net/clinic/news/open/c.png" src="https://example.net/clinic/news/open/a.png" alt="">"#
        );
        assert_eq!(
            abs(r#"<source srcset="https://cdn.example/a.png 480w, s,1.png 800w" />"#),
            r#"<source srcset="https://cdn.example/a.png 480w, https://example.net/clinic/news/open/s,1.png 800w" />"#
        );
        assert_eq!(
            abs(r#"<video poster="p.jpg" src="v.mp4"></video>"#),
            r#"<video poster="https://example.net/clinic/news/open/p.jpg" src="https://example.net/clinic/news/open/v.mp4"></video>"#
        );
    }

    #[test]
    fn absolute_html_stays_as_it_is() {
        let once = abs(r#"<p><a href="../x/#y">x</a> <img srcset="a.png 2x" src="b.png" alt="b"></p>"#);
        assert_eq!(abs(&once), once);
    }

    #[test]
    fn untouched_bytes_are_copied_exactly() {
        let html = "<h2 id=\"a\">Ünïcode ✓</h2>\n<p><a href=\"x\">x</a> &amp; <br/> <img src=\"y\"/></p>\n";
        assert_eq!(
            abs(html),
            "<h2 id=\"a\">Ünïcode ✓</h2>\n<p><a href=\"https://example.net/clinic/news/open/x\">x</a> &amp; <br/> <img src=\"https://example.net/clinic/news/open/y\" /></p>\n"
        );
    }

    /// The start tags of `html` with their attributes, decoded.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        crate::html::start_tags(html)
            .map(|t| {
                let attrs = t.attrs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
                (t.name.to_string(), attrs)
            })
            .collect()
    }

    #[test]
    fn plain_references_resolve_as_the_url_crate_resolves_them() {
        // Every reference of up to six of these characters (19,531),
        // against pages at the top, in a folder and under a sub-path.
        let alphabet = ['a', '.', '/', '#', '-'];
        let pages = ["https://example.net/", "https://example.net/news/open/", "https://example.net/c/d/e"];
        let pages: Vec<Url> = pages.iter().map(|p| Url::parse(p).unwrap()).collect();
        let mut references = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..6 {
            last = last.iter().flat_map(|r| alphabet.iter().map(move |c| format!("{r}{c}"))).collect();
            references.extend(last.iter().cloned());
        }
        let mut fast = 0;
        for page in &pages {
            for reference in references.iter().filter(|r| !r.starts_with("//")) {
                if let Some(joined) = join_plain(page, reference) {
                    fast += 1;
                    assert_eq!(joined, page.join(reference).unwrap().as_str(), "{reference} on {page}");
                }
            }
        }
        assert!(fast > 20_000, "only {fast} references were read as plain");
    }

    #[test]
    fn own_html_gets_the_same_urls_as_the_full_reading() {
        let markdown = "# Care {#care}\n\nSee [risks](../risks/ \"The 'risks' & \\\"more\\\"\") and \
            ![a map](img/map.png \"A title\").[^1]\n\n| a | b |\n|:--|--:|\n| [x](x/) | `href=\"no\"` |\n\n\
            ```\n<a href=\"not-a-link\">\n```\n\n> [mail](mailto:a@b.test) [top](#care) [q](?a=1&b=2) [e](?q= \"k=v\") plain href=\"x\" text\n\n\
            [^1]: A note with [a link](/contact/).\n";
        let mut html = String::new();
        let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::all());
        pulldown_cmark::html::push_html(&mut html, parser);
        let base = Url::parse("https://example.net/clinic/").unwrap();
        let own = absolutize(&html, "/news/open/", &base, true);
        assert_eq!(tags(&own), tags(&absolutize(&html, "/news/open/", &base, false)), "{html}");
        assert!(own.contains("href=\"https://example.net/clinic/news/risks/\""), "{own}");
        assert!(own.contains("src=\"https://example.net/clinic/news/open/img/map.png\""), "{own}");
        assert!(own.contains("href=\"https://example.net/clinic/news/open/?a=1&amp;b=2\""), "{own}");
        assert!(own.contains("&lt;a href=\"not-a-link\"&gt;"), "{own}");
    }
}
