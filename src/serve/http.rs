//! Just enough HTTP/1.1 for a preview server on the owner's machine: `GET`
//! and `HEAD` requests with keep-alive, answers with a known length, and the
//! pure rules for turning a request path into a file of the built site.
//!
//! Hand-written on `std::net` rather than a crate: every HTTP server crate
//! either brings an async runtime or does not stream (which Server-Sent
//! Events need), and what a preview needs is a page of code. Requests with a
//! body, or any method but `GET`/`HEAD`, are refused and the connection is
//! closed, so a body is never read.

use crate::content::percent_decode;
use std::io::{self, BufRead, Write};

/// The longest request line and headers we read; browsers send ~1-2 KiB.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// A request's first line and the headers we act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// `GET`, `HEAD`, ...
    pub(crate) method: String,
    /// The request target as sent (`/about/?x=1`).
    pub(crate) target: String,
    /// Whether the client wants the connection kept open afterwards.
    pub(crate) keep_alive: bool,
    /// Whether a body follows (which we never read, so we close after answering).
    pub(crate) has_body: bool,
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection failed, or sat idle too long.
    Io,
    /// Not HTTP we understand (answer 400 and close).
    Malformed,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// Reads one request head; `Ok(None)` when the client closed the connection
/// between requests.
pub(crate) fn read_request(reader: &mut impl BufRead) -> Result<Option<Request>, ReadError> {
    let mut head = Vec::with_capacity(1024);
    loop {
        let before = head.len();
        let limit = (MAX_HEAD_BYTES + 1 - before) as u64;
        let n = io::Read::take(&mut *reader, limit).read_until(b'\n', &mut head)?;
        if n == 0 {
            return if head.is_empty() { Ok(None) } else { Err(ReadError::Malformed) };
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(ReadError::Malformed);
        }
        let line = &head[before..];
        // Ignore blank lines before the request line (RFC 9112 section 2.2).
        if before == 0 && (line == b"\r\n" || line == b"\n") {
            head.clear();
            continue;
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    parse_head(&head).map(Some).ok_or(ReadError::Malformed)
}

/// Parses a request head (request line and headers, ending in a blank line).
pub(crate) fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (first.next()?, first.next()?, first.next()?);
    if first.next().is_some() || method.is_empty() || target.is_empty() {
        return None;
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return None,
    };
    let mut keep_alive = http11;
    let mut has_body = false;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    Some(Request { method: method.to_string(), target: target.to_string(), keep_alive, has_body })
}

/// An answer with a body of known length.
#[derive(Debug)]
pub(crate) struct Response<'a> {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: std::borrow::Cow<'a, [u8]>,
    /// Extra headers, such as `Location` or `Allow`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl<'a> Response<'a> {
    /// A response with this status, type and body.
    pub(crate) fn new(
        status: u16,
        content_type: &'static str,
        body: impl Into<std::borrow::Cow<'a, [u8]>>,
    ) -> Self {
        Response { status, content_type, body: body.into(), headers: Vec::new() }
    }

    /// A short plain-text response.
    pub(crate) fn text(status: u16, text: &'static str) -> Response<'static> {
        Response::new(status, "text/plain; charset=utf-8", text.as_bytes())
    }

    /// Writes the response; no body for `HEAD`.
    pub(crate) fn write(&self, w: &mut impl Write, head_only: bool, keep_alive: bool) -> io::Result<()> {
        let mut out = Vec::with_capacity(256 + if head_only { 0 } else { self.body.len() });
        write!(
            out,
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
             X-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len(),
            if keep_alive { "keep-alive" } else { "close" },
        )?;
        for (name, value) in &self.headers {
            write!(out, "{name}: {value}\r\n")?;
        }
        out.extend_from_slice(b"\r\n");
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        w.write_all(&out)?;
        w.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The `Content-Type` of an output file, by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "bmp" => "image/bmp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Where a request path leads, before looking anything up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An output file, as a key of the in-memory site (`about/index.html`).
    File(String),
    /// A path without a trailing slash: the output `file` of that name if
    /// there is one, else a redirect to `location` (the slash form) if the
    /// folder has an `index` file.
    FileOrFolder { file: String, index: String, location: String },
    /// Not a path we could ever serve (`..`, NUL, a backslash, not UTF-8).
    Bad,
}

/// Turns a request target into keys of the in-memory site. Query and
/// fragment are dropped, `%xx` decoded, empty segments collapsed; anything
/// that could name a file outside the site (`.`/`..` segments, however
/// encoded, backslashes, NUL or other control characters, a target not
/// starting with `/`) is [`Target::Bad`]. Keys never start with `/`.
pub(crate) fn resolve(target: &str) -> Target {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Target::Bad;
    }
    let Some(decoded) = percent_decode(path) else { return Target::Bad };
    if decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return Target::Bad;
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Target::Bad;
    }
    let key = segments.join("/");
    if decoded.ends_with('/') {
        return Target::File(if key.is_empty() {
            "index.html".to_string()
        } else {
            format!("{key}/index.html")
        });
    }
    // Built from the decoded segments, never the raw target, so a request for
    // `//evil.example` cannot redirect to another host.
    let mut location = String::from("/");
    for s in &segments {
        location.push_str(&percent_encode(s));
        location.push('/');
    }
    let query = target.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default());
    if let Some(q) = query.filter(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_graphic())) {
        location.push('?');
        location.push_str(q);
    }
    Target::FileOrFolder { index: format!("{key}/index.html"), file: key, location }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str) -> Target {
        Target::File(key.to_string())
    }

    #[test]
    fn resolves_files_and_folders() {
        assert_eq!(resolve("/"), file("index.html"));
        assert_eq!(resolve("/about/"), file("about/index.html"));
        assert_eq!(resolve("/about/?utm=x#top"), file("about/index.html"));
        assert_eq!(resolve("/a%20b/"), file("a b/index.html"));
        assert_eq!(resolve("//about//"), file("about/index.html"));
        assert_eq!(resolve("/über/"), file("über/index.html"));
        assert_eq!(
            resolve("/style.css"),
            Target::FileOrFolder {
                file: "style.css".into(),
                index: "style.css/index.html".into(),
                location: "/style.css/".into()
            }
        );
        let Target::FileOrFolder { file, index, location } = resolve("/care/after%20care?x=1") else {
            panic!()
        };
        assert_eq!((file.as_str(), index.as_str()), ("care/after care", "care/after care/index.html"));
        assert_eq!(location, "/care/after%20care/?x=1");
    }

    #[test]
    fn redirects_stay_on_this_host() {
        let Target::FileOrFolder { location, .. } = resolve("//evil.example") else { panic!() };
        assert_eq!(location, "/evil.example/");
        let Target::FileOrFolder { location, .. } = resolve("/a?x\r\nSet-Cookie:1") else { panic!() };
        assert_eq!(location, "/a/");
    }

    #[test]
    fn refuses_paths_that_could_leave_the_site() {
        for evil in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/site.yaml",
            "/.%2e/x",
            "/./index.html",
            "/..\\..\\windows\\win.ini",
            "/a%5c..%5cb",
            "/index.html%00.css",
            "/a\0b",
            "/%zz",
            "/%c0%ae%c0%ae/",
            "../x",
            "http://example.org/",
            "*",
            "C:/windows",
            "",
        ] {
            assert_eq!(resolve(evil), Target::Bad, "{evil:?}");
        }
        // Dots inside names are fine.
        assert_eq!(resolve("/a..b/"), file("a..b/index.html"));
        assert_eq!(resolve("/.well-known/x/"), file(".well-known/x/index.html"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("x.png"), "image/png");
        assert_eq!(content_type("x.jpeg"), "image/jpeg");
        assert_eq!(content_type("x.webp"), "image/webp");
        assert_eq!(content_type("x.avif"), "image/avif");
        assert_eq!(content_type("favicon.ico"), "image/x-icon");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("leaflet.pdf"), "application/pdf");
        assert_eq!(content_type("data.json"), "application/json");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert_eq!(content_type("a.b/README"), "application/octet-stream");
    }

    #[test]
    fn parses_request_heads() {
        let r = parse_head(b"GET /about/ HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(
            r,
            Request { method: "GET".into(), target: "/about/".into(), keep_alive: true, has_body: false }
        );
        let r = parse_head(b"HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap();
        assert!(!r.keep_alive);
        let r = parse_head(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!r.keep_alive);
        let r = parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert!(r.has_body);
        assert!(parse_head(b"GET / HTTP/2\r\n\r\n").is_none());
        assert!(parse_head(b"GET  / HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nno colon\r\n\r\n").is_none());
    }

    #[test]
    fn reads_one_request_at_a_time() {
        let mut input: &[u8] = b"\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        assert_eq!(read_request(&mut input).unwrap().unwrap().target, "/a");
        assert_eq!(read_request(&mut input).unwrap().unwrap().target, "/b");
        assert!(read_request(&mut input).unwrap().is_none());
        let huge = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        assert!(matches!(read_request(&mut huge.as_bytes()), Err(ReadError::Malformed)));
        let mut cut: &[u8] = b"GET / HTTP/1.1\r\nHost";
        assert!(matches!(read_request(&mut cut), Err(ReadError::Malformed)));
    }
}
