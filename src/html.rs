//! A small HTML scanner for reading rendered pages (`check` inspects them,
//! feeds rewrite their links): start tags with their attributes, end tags,
//! and the text between them, each with its byte offset.
//!
//! Not a full HTML parser, and not meant to be: the checks need tags,
//! attributes and text in order, and the HTML they read is what our templates
//! and pulldown-cmark write. It copes with comments, doctype, quoted and bare
//! attribute values, and `<script>`/`<style>` whose contents are not markup;
//! a `<` that does not open a tag is text. Written by hand because a real
//! parser (html5ever) would be the largest dependency we have, for a check
//! that only reads well-formed output.

use std::borrow::Cow;

/// A start tag: `<a href="x">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    /// Lower-case name (`a`, `img`, `h2`); borrowed from the document unless
    /// it was written with capitals.
    pub(crate) name: Cow<'a, str>,
    /// Attributes in order: lower-case name, value with entities decoded
    /// (borrowed from the document when nothing needed changing).
    pub(crate) attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Byte offset of the `<`.
    pub(crate) start: usize,
    /// Byte offset just after the `>`.
    pub(crate) end: usize,
}

impl Tag<'_> {
    /// The value of attribute `name` (lower-case), if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_ref())
    }

    /// 1 to 6 for `h1` to `h6`.
    pub(crate) fn heading_level(&self) -> Option<u8> {
        heading_level(&self.name)
    }
}

/// 1 to 6 for the tag names `h1` to `h6`.
pub(crate) fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// One piece of an HTML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node<'a> {
    /// A start tag.
    Start(Tag<'a>),
    /// An end tag: its lower-case name and the offset of its `<`.
    End(Cow<'a, str>, usize),
    /// Text between tags: the byte range, entities not yet decoded.
    Text(usize, usize),
}

/// Where `needle` first occurs in `haystack`, as `str::find` says, found by
/// its first bytes and then compared whole: `str::find` prepares a search
/// for the whole needle (a page's body, kilobytes long), which was a tenth
/// of a build's instructions (issue 16).
fn find_whole(haystack: &str, needle: &str) -> Option<usize> {
    const PREFIX: usize = 64;
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let prefix = &needle[..needle.len().min(PREFIX)];
    memchr::memmem::find_iter(hay, prefix).find(|&at| hay[at..].starts_with(needle))
}

/// Where a page's markdown, `body` (its HTML), is in the rendered `page`:
/// where it is first found whole, empty when it is empty or not found.
/// What the check counts as the page's own rather than the templates'.
pub(crate) fn body_range(page: &str, body: &str) -> std::ops::Range<usize> {
    match find_whole(page, body) {
        Some(at) if !body.is_empty() => at..at + body.len(),
        _ => 0..0,
    }
}

/// Splits `html` into tags and text, in document order.
pub(crate) fn scan(html: &str) -> Vec<Node<'_>> {
    // At most a tag and the text before it for each `<`, and the text after
    // the last: room for them all at once, instead of growing (and copying)
    // the list a dozen times for a page (issue 16).
    let mut nodes = Vec::with_capacity(2 * memchr::memchr_iter(b'<', html.as_bytes()).count() + 1);
    nodes.extend(Scanner::new(html));
    nodes
}

/// The start tags of `html`, in document order, read as [`scan`] reads them
/// but one at a time, with nothing kept.
pub(crate) fn start_tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    start_tags_keeping(html, |_| true)
}

/// [`start_tags`], each with only the attributes whose (lower-case) names
/// `keep` accepts. The tags are read the same way; the others' values are
/// neither decoded nor stored, which is most of the cost of reading a page
/// whose reader wants two attributes of a few tags (issue 16).
pub(crate) fn start_tags_keeping(html: &str, keep: fn(&str) -> bool) -> StartTags<'_> {
    StartTags { html, i: 0, keep, pass_over: 0..0, passed: false }
}

/// [`start_tags_keeping`]'s reader: markup read as [`Scanner`] reads it,
/// but each start tag given as it is found, and nothing else made (the
/// tags of 10,000 pages, passed from one wrapper to the next, were most of
/// a scan's instructions; issue 16).
pub(crate) struct StartTags<'a> {
    html: &'a str,
    /// Where to look for the next `<`.
    i: usize,
    keep: fn(&str) -> bool,
    /// Markup whose tags the reader knows already ([`Self::passing_over`]),
    /// and whether it was passed over.
    pass_over: std::ops::Range<usize>,
    passed: bool,
}

impl StartTags<'_> {
    /// The same reader, which passes over the bytes `range` of the markup,
    /// unread, if it comes to them between tags (not inside a tag, a
    /// comment, a script or a style). They must hold whole tags only, and
    /// no comment, script or style: then what comes after them is read as
    /// it would have been.
    pub(crate) fn passing_over(self, range: std::ops::Range<usize>) -> Self {
        StartTags { pass_over: range, ..self }
    }

    /// Whether the bytes given to [`Self::passing_over`] were passed over:
    /// once they were, before the first tag after them is given.
    pub(crate) fn passed_over(&self) -> bool {
        self.passed
    }
}

impl<'a> Iterator for StartTags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        let (html, bytes) = (self.html, self.html.as_bytes());
        while let Some(rel) = find_near(b'<', &bytes[self.i..]) {
            let lt = self.i + rel;
            // No `<` from here to where the bytes to pass over start: the
            // reader is between tags there.
            let over = &self.pass_over;
            if !self.passed && !over.is_empty() && self.i <= over.start && lt >= over.start {
                self.passed = true;
                self.i = over.end;
                continue;
            }
            match bytes.get(lt + 1) {
                // An end tag (its name not read), comment or doctype:
                // passed over whole.
                Some(b'/') => self.i = end_tag_end(bytes, lt).unwrap_or(lt + 1),
                Some(b'!' | b'?') => self.i = markup_at(html, lt).map_or(lt + 1, |(_, end)| end),
                _ => match start_tag_at(html, lt, self.keep) {
                    Some(tag) => {
                        self.i = after_start_tag(html, &tag);
                        return Some(tag);
                    }
                    None => self.i = lt + 1,
                },
            }
        }
        self.i = html.len();
        None
    }
}

/// Where reading goes on after the start tag `tag` of `html`: after it,
/// or for `<script>` and `<style>`, which hold code and not markup, at
/// their end tag.
fn after_start_tag(html: &str, tag: &Tag<'_>) -> usize {
    if tag.name == "script" || tag.name == "style" {
        let close = format!("</{}", tag.name);
        find_ascii_ci(html, tag.end, &close).unwrap_or(html.len())
    } else {
        tag.end
    }
}

/// [`scan`]'s reader: where it is in `html`, and the markup found after a
/// run of text (which is given first).
struct Scanner<'a> {
    html: &'a str,
    /// Where to look for the next `<`.
    i: usize,
    /// Where the current run of text began.
    text_start: usize,
    pending: Option<Node<'a>>,
}

impl<'a> Scanner<'a> {
    fn new(html: &'a str) -> Scanner<'a> {
        Scanner { html, i: 0, text_start: 0, pending: None }
    }
}

impl<'a> Iterator for Scanner<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if let Some(node) = self.pending.take() {
            return Some(node);
        }
        let html = self.html;
        while let Some(rel) = memchr::memchr(b'<', &html.as_bytes()[self.i..]) {
            let lt = self.i + rel;
            let Some((markup, end)) = markup_at(html, lt) else {
                self.i = lt + 1;
                continue;
            };
            self.i = end;
            let node = match markup {
                Markup::Skip => None,
                Markup::End(name) => Some(Node::End(name, lt)),
                Markup::Start(tag) => {
                    self.i = after_start_tag(html, &tag);
                    Some(Node::Start(tag))
                }
            };
            let text = (lt > self.text_start).then_some(Node::Text(self.text_start, lt));
            self.text_start = self.i;
            match (text, node) {
                (Some(text), node) => {
                    self.pending = node;
                    return Some(text);
                }
                (None, Some(node)) => return Some(node),
                (None, None) => {}
            }
        }
        if self.text_start < html.len() {
            let text = Node::Text(self.text_start, html.len());
            self.text_start = html.len();
            return Some(text);
        }
        None
    }
}

/// Where the first `byte` of `bytes` is: looked for one byte at a time
/// in the first few, where it mostly is in markup (after a short text or
/// at the end of an end tag), then by `memchr`, whose setup costs more
/// than such a short search (issue 16: reading a page's tags took 4% less
/// time, for more instructions).
#[inline]
fn find_near(byte: u8, bytes: &[u8]) -> Option<usize> {
    const NEAR: usize = 16;
    let near = &bytes[..bytes.len().min(NEAR)];
    match near.iter().position(|&b| b == byte) {
        Some(i) => Some(i),
        None if bytes.len() > NEAR => memchr::memchr(byte, &bytes[NEAR..]).map(|i| i + NEAR),
        None => None,
    }
}

/// Where the end tag whose `<` is at `lt` ends (`</`, a letter, and on to
/// the next `>`), without reading its name: for [`markup_at`], and for a
/// scan of start tags alone.
fn end_tag_end(html: &[u8], lt: usize) -> Option<usize> {
    match html.get(lt + 1..lt + 3)? {
        [b'/', first] if first.is_ascii_alphabetic() => Some(lt + find_near(b'>', &html[lt..])? + 1),
        _ => None,
    }
}

enum Markup<'a> {
    Start(Tag<'a>),
    End(Cow<'a, str>),
    /// A comment, doctype or processing instruction.
    Skip,
}

/// The markup starting at the `<` at `lt`, with every attribute of a start
/// tag, and where it ends; `None` when the `<` is just text.
fn markup_at(html: &str, lt: usize) -> Option<(Markup<'_>, usize)> {
    let rest = &html[lt..];
    if let Some(after) = rest.strip_prefix("<!--") {
        let end = memchr::memmem::find(after.as_bytes(), b"-->").map_or(html.len(), |i| lt + 4 + i + 3);
        return Some((Markup::Skip, end));
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        let end = memchr::memchr(b'>', rest.as_bytes()).map_or(html.len(), |i| lt + i + 1);
        return Some((Markup::Skip, end));
    }
    if let Some(after) = rest.strip_prefix("</") {
        let end = end_tag_end(html.as_bytes(), lt)?;
        return Some((Markup::End(tag_name(after)?), end));
    }
    start_tag_at(html, lt, |_| true).map(|tag| {
        let end = tag.end;
        (Markup::Start(tag), end)
    })
}

/// Whitespace: the first of the classes a start tag's reader looks each
/// byte up in ([`CLASS`]), once, instead of testing it against the
/// half-dozen characters that end a name or a value (most of the
/// instructions of reading a page's tags, a million tags in a 1,000-page
/// build; issue 16).
const SPACE: u8 = 1;
/// Ends an attribute's name: whitespace, `=`, `>`, `/`.
const NAME_END: u8 = 2;
/// Ends a value without quotes: whitespace, `>`.
const BARE_END: u8 = 4;
/// Lies between attributes: whitespace, `/`.
const BETWEEN: u8 = 8;
/// Goes on a tag's name: a letter, a digit, `-`, `:`.
const TAG_NAME: u8 = 16;
/// A capital letter.
const UPPER: u8 = 32;

/// [`SPACE`] and the other classes of each byte. Whitespace is
/// [`u8::is_ascii_whitespace`]'s: space, tab, line feed, form feed and
/// carriage return.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut k = 0;
        if c.is_ascii_whitespace() {
            k |= SPACE | NAME_END | BARE_END | BETWEEN;
        }
        match c {
            b'=' => k |= NAME_END,
            b'>' => k |= NAME_END | BARE_END,
            b'/' => k |= NAME_END | BETWEEN,
            _ => {}
        }
        if c.is_ascii_alphanumeric() || c == b'-' || c == b':' {
            k |= TAG_NAME;
        }
        if c.is_ascii_uppercase() {
            k |= UPPER;
        }
        class[b] = k;
        b += 1;
    }
    class
};

/// Where the first byte of `bytes` from `i` that is not of `class` is
/// (`bytes.len()` if none), and whether any byte before it is a capital.
fn span(bytes: &[u8], mut i: usize, class: u8) -> (usize, bool) {
    let mut upper = 0;
    while let Some(&b) = bytes.get(i) {
        let k = CLASS[usize::from(b)];
        if k & class == 0 {
            break;
        }
        upper |= k;
        i += 1;
    }
    (i, upper & UPPER != 0)
}

/// Where the first byte of `bytes` from `i` that is of `class` is
/// (`bytes.len()` if none), and whether any byte before it is a capital.
fn span_until(bytes: &[u8], mut i: usize, class: u8) -> (usize, bool) {
    let mut upper = 0;
    while let Some(&b) = bytes.get(i) {
        let k = CLASS[usize::from(b)];
        if k & class != 0 {
            break;
        }
        upper |= k;
        i += 1;
    }
    (i, upper & UPPER != 0)
}

/// `s` in ASCII lower case if `capitals`, borrowed as it is if not.
fn lowered(s: &str, capitals: bool) -> Cow<'_, str> {
    if capitals { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
}

/// The start tag whose `<` is at `lt` in `html`, with the attributes `keep`
/// accepts; `None` when the `<` opens none.
fn start_tag_at(html: &str, lt: usize, keep: fn(&str) -> bool) -> Option<Tag<'_>> {
    let name = tag_name(&html[lt + 1..])?;
    let bytes = html.as_bytes();
    let mut i = lt + 1 + name.len();
    let mut attrs = Vec::new();
    loop {
        i = span(bytes, i, BETWEEN).0;
        match bytes.get(i) {
            None => return None,
            Some(b'>') => break,
            Some(_) => {}
        }
        // At least one byte: a `=` that starts an attribute is its name.
        let (name_end, capitals) = span_until(bytes, i + 1, NAME_END);
        let capitals = capitals || CLASS[usize::from(bytes[i])] & UPPER != 0;
        let attr_name = lowered(&html[i..name_end], capitals);
        i = span(bytes, name_end, SPACE).0;
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i = span(bytes, i + 1, SPACE).0;
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = memchr::memchr(q, &bytes[i + 1..])? + i + 1;
                    value = &html[i + 1..close];
                    i = close + 1;
                }
                Some(_) => {
                    let end = span_until(bytes, i, BARE_END).0;
                    value = &html[i..end];
                    i = end;
                }
                None => return None,
            }
        }
        if keep(&attr_name) {
            attrs.push((attr_name, decode_entities(value)));
        }
    }
    Some(Tag { name, attrs, start: lt, end: i + 1 })
}

/// A tag name at the start of `s`: a letter, then letters, digits, `-` or `:`.
fn tag_name(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    // One pass over the name both measures it and sees capitals (a million
    // tags in a 1,000-page build).
    let (len, capitals) = span(bytes, 0, TAG_NAME);
    Some(lowered(&s[..len], capitals))
}

/// Offset of `needle` (ASCII, not empty) in `haystack` from `from`, ignoring
/// ASCII case: only where its first byte is (in either case) is the rest compared.
fn find_ascii_ci(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    let first = n[0];
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), h.get(from..)?)
        .map(|i| from + i)
        .find(|&i| h.get(i..i + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
}

/// Replaces character references (`&amp;`, `&#39;`, `&#x2019;`) with their
/// characters; unknown ones are left as written.
pub(crate) fn decode_entities(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'&', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..].find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..1 + semi];
            entity_char(entity).map(|c| (c, semi + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity_char(entity: &str) -> Option<char> {
    if let Some(num) = entity.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match entity {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "middot" => '·',
        "copy" => '©',
        _ => return None,
    })
}

/// The text of `nodes` (of the document `html`) without tags, entities
/// decoded and runs of whitespace made one space, with the `alt` of images
/// inside (as a screen reader reads them).
pub(crate) fn text_between(html: &str, nodes: &[Node<'_>]) -> String {
    let mut text = String::new();
    for node in nodes {
        match node {
            Node::Text(s, e) => text.push_str(&decode_entities(&html[*s..*e])),
            Node::Start(tag) if tag.name == "img" => {
                text.push(' ');
                text.push_str(tag.attr("alt").unwrap_or_default());
                text.push(' ');
            }
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

/// Trims and turns every run of whitespace into one space.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The nodes from just after the start tag at `open` up to its end tag (not
/// nested: for `<a>`, `<title>` and headings, which do not nest in themselves).
pub(crate) fn until_end<'n, 'a>(nodes: &'n [Node<'a>], open: usize, name: &str) -> &'n [Node<'a>] {
    let inner = &nodes[open + 1..];
    let len = inner.iter().position(|n| matches!(n, Node::End(e, _) if e == name)).unwrap_or(inner.len());
    &inner[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(html: &str) -> Vec<Tag<'_>> {
        scan(html)
            .into_iter()
            .filter_map(|n| match n {
                Node::Start(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn reads_tags_attributes_and_text() {
        let html =
            "<!DOCTYPE html><!-- <a href=x> --><p class=a>Hi &amp; <a href='x.html#y' data-x>bye</a></p>";
        let nodes = scan(html);
        let t = tags(html);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name, "p");
        assert_eq!(t[0].attr("class"), Some("a"));
        assert_eq!(t[1].attr("href"), Some("x.html#y"));
        assert_eq!(t[1].attr("data-x"), Some(""));
        assert_eq!(&html[t[1].start..t[1].end], "<a href='x.html#y' data-x>");
        assert_eq!(text_between(html, &nodes), "Hi & bye");
    }

    #[test]
    fn script_contents_are_not_markup_and_stray_lt_is_text() {
        let html = "<script>if (a<b) { x = '<a href=\"no\">'; }</SCRIPT><p>1 < 2</p><img src=a.png alt=\"A &quot;b&quot;\"/>";
        let t = tags(html);
        let names: Vec<&str> = t.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, ["script", "p", "img"]);
        assert_eq!(t[2].attr("alt"), Some("A \"b\""));
        assert_eq!(t[2].attr("src"), Some("a.png"));
        assert_eq!(text_between(html, &scan(html)), "1 < 2 A \"b\"");
    }

    #[test]
    fn script_and_style_end_at_their_end_tag_in_any_case_or_at_the_end() {
        let html = "<style>a<b{}</sTyLe><p>x</p><script>let s = '</scrip';";
        let names: Vec<String> = tags(html).iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, ["style", "p", "script"]);
        assert!(matches!(scan(html).last(), Some(Node::Start(t)) if t.name == "script"));
        assert_eq!(find_ascii_ci(html, 0, "</style"), Some(12));
        assert_eq!(find_ascii_ci(html, 13, "</style"), None);
        assert_eq!(find_ascii_ci(html, html.len() + 1, "</style"), None);
    }

    #[test]
    fn reads_tag_names_in_lower_case() {
        assert_eq!(tag_name("DiV class=x>").as_deref(), Some("div"));
        assert_eq!(tag_name("my-el:x>"), Some(Cow::Borrowed("my-el:x")));
        assert_eq!(tag_name("1p>"), None);
    }

    #[test]
    fn each_byte_is_of_the_classes_the_reader_once_tested_it_for() {
        for b in 0..=u8::MAX {
            let k = CLASS[usize::from(b)];
            let ws = b.is_ascii_whitespace();
            assert_eq!(k & SPACE != 0, ws, "{b}");
            assert_eq!(k & NAME_END != 0, ws || matches!(b, b'=' | b'>' | b'/'), "{b}");
            assert_eq!(k & BARE_END != 0, ws || b == b'>', "{b}");
            assert_eq!(k & BETWEEN != 0, ws || b == b'/', "{b}");
            assert_eq!(k & TAG_NAME != 0, b.is_ascii_alphanumeric() || b == b'-' || b == b':', "{b}");
            assert_eq!(k & UPPER != 0, b.is_ascii_uppercase(), "{b}");
        }
        let tag = start_tags("<IMG SRC=A.png\tAlt = 'x'/ data-Y=\"\" =>").next().unwrap();
        assert_eq!(tag.name, "img");
        let attrs: Vec<(&str, &str)> = tag.attrs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).collect();
        assert_eq!(attrs, [("src", "A.png"), ("alt", "x"), ("data-y", ""), ("=", "")]);
    }

    #[test]
    fn start_tags_alone_are_the_start_tags_of_a_whole_scan() {
        for html in [
            "<p>a</p></ p></1><b>x</b",
            "</p x='>'><i>t</i><!-- </a> <a href=no> --><a href=y>",
            "<script>if (a </b) { x = '</p><p id=no>' }</SCRIPT><p id=yes></P\n><em>",
            "text < 3 and </ and <//a> then <hr/><br>",
            "</a",
        ] {
            let whole: Vec<Tag<'_>> = scan(html)
                .into_iter()
                .filter_map(|n| match n {
                    Node::Start(tag) => Some(tag),
                    _ => None,
                })
                .collect();
            assert_eq!(start_tags(html).collect::<Vec<_>>(), whole, "{html}");
        }
    }

    #[test]
    fn start_tags_keeping_some_attributes_are_read_as_all_are() {
        let html = "<!-- <p id=no> --><p class=a ID='x' data-y>t</p><script src=a.js>let b = '<b id=no>';</script><a NAME=n href=#x>";
        let all: Vec<Tag<'_>> = start_tags(html).collect();
        let some: Vec<Tag<'_>> = start_tags_keeping(html, |n| n == "id" || n == "name").collect();
        assert_eq!(some.len(), all.len());
        for (s, a) in some.iter().zip(&all) {
            assert_eq!((&s.name, s.start, s.end), (&a.name, a.start, a.end));
            let kept: Vec<_> = a.attrs.iter().filter(|(n, _)| n == "id" || n == "name").cloned().collect();
            assert_eq!(s.attrs, kept);
        }
        assert_eq!(some[0].attr("id"), Some("x"));
        assert_eq!(some[2].attr("name"), Some("n"));
    }

    #[test]
    fn decodes_character_references() {
        assert_eq!(decode_entities("a &amp; b &#39;c&#x2019; &unknown; & d"), "a & b 'c’ &unknown; & d");
        assert_eq!(heading_level("h3"), Some(3));
        assert_eq!(heading_level("hr"), None);
    }

    #[test]
    fn a_body_is_found_where_str_find_finds_it() {
        // The body's first 64 bytes occur twice before the body itself does.
        let body = format!("<p>{}</p>\n<p>end</p>", "é".repeat(40));
        let near = format!("<p>{}</p>\n<p>other</p>", "é".repeat(40));
        let page = format!("<html>{near}<main>{near}{body}</main>{body}</html>");
        for (hay, needle) in
            [(page.as_str(), body.as_str()), (&page, "<main>"), (&page, "</html>"), (&page, "x"), (&page, "")]
        {
            assert_eq!(find_whole(hay, needle), hay.find(needle), "{needle}");
        }
        assert_eq!(find_whole(&page, &body), Some(6 + 2 * near.len() + 6));
        let at = 6 + 2 * near.len() + 6;
        assert_eq!(body_range(&page, &body), at..at + body.len());
        assert_eq!((body_range(&page, ""), body_range(&page, "absent")), (0..0, 0..0));
    }
}
