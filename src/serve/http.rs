//! Just enough HTTP/1.1 for a preview server on the owner's machine: reading
//! `GET` and `HEAD` requests (keep-alive, a deadline for the whole head), the
//! `Host` check, and the pure rules for turning a request path into a file of
//! the built site. Answers are in `response`.
//!
//! Hand-written on `std::net` rather than a crate: the crates that stream
//! without an async runtime (tiny_http, rouille) have neither `Range` nor a
//! deadline for the request head, and hyper has both only with tokio, which
//! costs more to build than this whole server (figures in docs/serve.md).
//! Requests with a body, or any method but `GET`/`HEAD`, are refused and the
//! connection is closed, so a body is never read.

use std::io::{self, BufRead, Read};
use std::net::{IpAddr, TcpStream};
use std::time::Instant;

use crate::serve::response::{Span, parse_range};
use crate::url::{decode, encode_segment};

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
    /// The `Host` header; HTTP/1.1 requires exactly one, HTTP/1.0 may leave it out.
    pub(crate) host: Option<String>,
    /// The `Range` header, unless an `If-Range` makes it conditional: we send
    /// no validators (`ETag`, `Last-Modified`), so such a range is never met.
    pub(crate) range: Option<String>,
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection failed, or the head did not arrive in time.
    Io,
    /// Not HTTP we understand (answer 400 and close).
    Malformed,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// A connection read under a deadline for the whole request head, not for
/// each read: a client sending one byte every few seconds is cut off when
/// its time is up, however steadily it trickles (issue 9, slowloris).
#[derive(Debug)]
pub(crate) struct Deadline<'a> {
    stream: &'a TcpStream,
    /// When the head being read must be complete.
    pub(crate) until: Instant,
}

impl<'a> Deadline<'a> {
    /// Reads `stream`, allowing until `until`.
    pub(crate) fn new(stream: &'a TcpStream, until: Instant) -> Self {
        Deadline { stream, until }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        (&mut &*self.stream).read(buf)
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
    let (mut host, mut range, mut if_range) = (None, None, false);
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        // No space before the colon (RFC 9112 section 5.1): a proxy might read such a header differently.
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return None;
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("host") {
            // Two hosts: which one did the client mean? (RFC 9112 section 3.2)
            if host.replace(value.to_string()).is_some() {
                return None;
            }
        } else if name.eq_ignore_ascii_case("range") {
            range = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("if-range") {
            if_range = true;
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    if http11 && host.is_none() {
        return None;
    }
    let range = range.filter(|_| !if_range);
    Some(Request {
        method: method.to_string(),
        target: target.to_string(),
        keep_alive,
        has_body,
        host,
        range,
    })
}

/// Whether a `Host` header names the server being talked to, which is what
/// keeps a web page elsewhere from reading the preview through DNS
/// rebinding (issue 9): `localhost` and its subdomains (browsers resolve
/// them to this machine themselves), a loopback address, or one of the
/// addresses in `served` (the bound one, the one this connection reached).
/// A name the attacker controls is refused. The port is not compared: a
/// forwarded port (`docker run -p 8080:1111`) keeps the name.
pub(crate) fn host_allowed(host: &str, served: &[IpAddr]) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, port)) = rest.split_once(']') else { return false };
        if !(port.is_empty() || port.strip_prefix(':').is_some_and(is_port)) {
            return false;
        }
        return ip.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| allowed_ip(IpAddr::V6(ip), served));
    } else {
        match host.split_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if let Ok(ip) = name.parse::<std::net::Ipv4Addr>() {
        return allowed_ip(IpAddr::V4(ip), served);
    }
    name == "localhost" || name.strip_suffix(".localhost").is_some_and(|sub| !sub.is_empty())
}

fn is_port(port: &str) -> bool {
    port.is_empty() || (port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
}

fn allowed_ip(ip: IpAddr, served: &[IpAddr]) -> bool {
    ip.is_loopback() || served.contains(&ip)
}

/// Runs the request reader and the header rules on arbitrary bytes, as a
/// connection would feed them, for `fuzz/fuzz_targets/http_request.rs`:
/// the first byte sets how many bytes each read returns (a slow client), the
/// rest is the stream. Panics when an invariant breaks.
pub fn fuzz_request_reader(data: &[u8]) {
    let Some((&step, stream)) = data.split_first() else { return };
    let mut reader =
        io::BufReader::with_capacity(64, Trickle { data: stream, step: usize::from(step % 17) + 1 });
    let served = [IpAddr::from([192, 168, 1, 5])];
    // A head is at least a few bytes, so this bounds the loop.
    for _ in 0..=stream.len() {
        match read_request(&mut reader) {
            Ok(Some(request)) => {
                assert!(!request.method.is_empty() && !request.target.is_empty());
                if let Some(host) = &request.host {
                    std::hint::black_box(host_allowed(host, &served));
                }
                let _ = std::hint::black_box(resolve(&request.target));
                for len in [0, 1, 100, u64::MAX] {
                    if let Span::Part { start, end } = parse_range(request.range.as_deref(), len) {
                        assert!(start <= end && end < len, "{:?} of {len}: {start}-{end}", request.range);
                    }
                }
            }
            Ok(None) | Err(ReadError::Malformed | ReadError::Io) => return,
        }
    }
}

/// A reader returning at most `step` bytes per read.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
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
    let Some(decoded) = decode(path) else { return Target::Bad };
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
        location.push_str(&encode_segment(s));
        location.push('/');
    }
    let query = target.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default());
    if let Some(q) = query.filter(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_graphic())) {
        location.push('?');
        location.push_str(q);
    }
    Target::FileOrFolder { index: format!("{key}/index.html"), file: key, location }
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
            Request {
                method: "GET".into(),
                target: "/about/".into(),
                keep_alive: true,
                has_body: false,
                host: Some("x".into()),
                range: None
            }
        );
        let r = parse_head(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        assert!(!r.keep_alive);
        let r = parse_head(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!r.keep_alive && r.host.is_none());
        let r = parse_head(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert!(r.has_body);
        let r = parse_head(b"GET /v.mp4 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n").unwrap();
        assert_eq!(r.range.as_deref(), Some("bytes=0-1"));
        let r =
            parse_head(b"GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: \"e\"\r\n\r\n").unwrap();
        assert_eq!(r.range, None, "a conditional range is never met: we send no validators");
        assert!(parse_head(b"GET / HTTP/2\r\n\r\n").is_none());
        assert!(parse_head(b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n").is_none());
        // HTTP/1.1 needs exactly one Host, and no space before a colon.
        assert!(parse_head(b"GET / HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n").is_none());
    }

    #[test]
    fn reads_one_request_at_a_time() {
        let mut input: &[u8] = b"\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
        assert_eq!(read_request(&mut input).unwrap().unwrap().target, "/a");
        assert_eq!(read_request(&mut input).unwrap().unwrap().target, "/b");
        assert!(read_request(&mut input).unwrap().is_none());
        let huge = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        assert!(matches!(read_request(&mut huge.as_bytes()), Err(ReadError::Malformed)));
        let mut cut: &[u8] = b"GET / HTTP/1.1\r\nHost";
        assert!(matches!(read_request(&mut cut), Err(ReadError::Malformed)));
    }

    #[test]
    fn host_must_name_this_server() {
        let served = [IpAddr::from([192, 168, 1, 5])];
        for ok in [
            "localhost",
            "localhost:1111",
            "LocalHost.",
            "clinic.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.1.2.3",
            "[::1]",
            "[::1]:1111",
            "192.168.1.5:1111",
            "localhost:",
        ] {
            assert!(host_allowed(ok, &served), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "evilocalhost",
            ".localhost",
            "192.168.1.6",
            "10.0.0.1:1111",
            "[2001:db8::1]",
            "[::1",
            "[::1]x",
            "::1",
            "127.0.0.1:x",
            "127.0.0.1:111111",
            "localhost:1:2",
            "0.0.0.0",
            "",
        ] {
            assert!(!host_allowed(refused, &served), "{refused}");
        }
    }

    #[test]
    fn the_fuzz_entry_reads_pipelined_requests() {
        fuzz_request_reader(
            b"\x00GET / HTTP/1.1\r\nHost: localhost\r\nRange: bytes=-5\r\n\r\nGET /x HTTP/1.0\r\n\r\n",
        );
        fuzz_request_reader(
            b"\x05GET / HTTP/1.1\r\nHost: [::1\r\nRange: bytes=18446744073709551615-\r\n\r\n",
        );
        fuzz_request_reader(b"");
    }
}
