//! Just enough HTTP/1.1 for a preview server on the owner's machine: `GET`
//! and `HEAD` requests with keep-alive, answers streamed with a known length
//! (single byte ranges included), the `Host` check, and the pure rules for
//! turning a request path into a file of the built site.
//!
//! Hand-written on `std::net` rather than a crate: the crates that stream
//! without an async runtime (tiny_http, rouille) have neither `Range` nor a
//! deadline for the request head, and hyper has both only with tokio, which
//! costs more to build than this whole server (figures in docs/serve.md).
//! Requests with a body, or any method but `GET`/`HEAD`, are refused and the
//! connection is closed, so a body is never read.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Instant;

use crate::content::percent_decode;

/// The longest request line and headers we read; browsers send ~1-2 KiB.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Files are sent in pieces of this size, so a request for a 300 MB video
/// holds 64 KiB of it in memory, not 300 MB.
const CHUNK: usize = 64 * 1024;

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

/// Which bytes of a body of `len` bytes a `Range` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// All of it: no range, or one we do not answer (several ranges, another
    /// unit, a malformed one), which RFC 9110 lets us ignore.
    Whole,
    /// `start..=end`, both within the body.
    Part { start: u64, end: u64 },
    /// Starts past the end (answer 416).
    Unsatisfiable,
}

/// Reads a `Range` header (`bytes=0-99`, `bytes=100-`, `bytes=-100`) against
/// a body of `len` bytes; only single ranges are answered.
pub(crate) fn parse_range(header: Option<&str>, len: u64) -> Span {
    let Some(header) = header else { return Span::Whole };
    let Some((unit, spec)) = header.split_once('=') else { return Span::Whole };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return Span::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return Span::Whole };
    let (first, last) = (number(first.trim()), number(last.trim()));
    match (first, last) {
        // `-N`: the last N bytes.
        (Some(None), Some(Some(n))) => {
            if n == 0 || len == 0 {
                Span::Unsatisfiable
            } else {
                Span::Part { start: len.saturating_sub(n), end: len - 1 }
            }
        }
        (Some(Some(start)), Some(last)) if last.is_none_or(|last| start <= last) => {
            if start >= len {
                Span::Unsatisfiable
            } else {
                Span::Part { start, end: last.map_or(len - 1, |last| last.min(len - 1)) }
            }
        }
        _ => Span::Whole,
    }
}

/// `None`: not a number; `Some(None)`: empty; `Some(Some(n))`, saturating at
/// `u64::MAX` (a start too large to count is past any end).
fn number(s: &str) -> Option<Option<u64>> {
    if s.is_empty() {
        return Some(None);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Some(s.parse().unwrap_or(u64::MAX)))
}

/// What a response carries.
#[derive(Debug)]
pub(crate) enum Payload<'a> {
    /// Bytes in memory.
    Bytes(Cow<'a, [u8]>),
    /// An open file of this length, sent from disk piece by piece.
    File(File, u64),
}

impl Payload<'_> {
    fn len(&self) -> u64 {
        match self {
            Payload::Bytes(bytes) => bytes.len() as u64,
            Payload::File(_, len) => *len,
        }
    }
}

/// An answer with a body of known length.
#[derive(Debug)]
pub(crate) struct Response<'a> {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Payload<'a>,
    /// The part of `body` sent: offset and length.
    span: (u64, u64),
    /// Extra headers, such as `Location` or `Allow`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl<'a> Response<'a> {
    /// A response with this status, type and body.
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<Cow<'a, [u8]>>) -> Self {
        Response::with_payload(status, content_type, Payload::Bytes(body.into()))
    }

    /// A response with this status, type and payload.
    pub(crate) fn with_payload(status: u16, content_type: &'static str, body: Payload<'a>) -> Self {
        let span = (0, body.len());
        Response { status, content_type, body, span, headers: Vec::new() }
    }

    /// A short plain-text response.
    pub(crate) fn text(status: u16, text: &'static str) -> Response<'static> {
        Response::new(status, "text/plain; charset=utf-8", text.as_bytes())
    }

    /// A `200` answer to a request with this `Range` header: `206` with the
    /// part asked for, `416` when it starts past the end, else unchanged;
    /// each says that ranges are answered.
    pub(crate) fn ranged(mut self, range: Option<&str>) -> Self {
        if self.status != 200 {
            return self;
        }
        let len = self.body.len();
        self.headers.push(("Accept-Ranges", "bytes".to_string()));
        match parse_range(range, len) {
            Span::Whole => self,
            Span::Part { start, end } => {
                self.status = 206;
                self.span = (start, end - start + 1);
                self.headers.push(("Content-Range", format!("bytes {start}-{end}/{len}")));
                self
            }
            Span::Unsatisfiable => {
                let mut response = Response::text(416, "range not satisfiable\n");
                response.headers.push(("Content-Range", format!("bytes */{len}")));
                response
            }
        }
    }

    /// Writes the response; no body for `HEAD`. An error means the
    /// connection can no longer be used (a file that shrank meanwhile included).
    pub(crate) fn write(self, w: &mut impl Write, head_only: bool, keep_alive: bool) -> io::Result<()> {
        let (offset, len) = self.span;
        let mut out = Vec::with_capacity(256);
        write!(
            out,
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {len}\r\nCache-Control: no-store\r\n\
             X-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            if keep_alive { "keep-alive" } else { "close" },
        )?;
        for (name, value) in &self.headers {
            write!(out, "{name}: {value}\r\n")?;
        }
        out.extend_from_slice(b"\r\n");
        match self.body {
            _ if head_only => w.write_all(&out)?,
            Payload::Bytes(bytes) => {
                // Both parts in one write: one packet for a small page.
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
                let end = usize::try_from(offset + len).unwrap_or(usize::MAX).min(bytes.len());
                out.extend_from_slice(&bytes[start..end]);
                w.write_all(&out)?;
            }
            Payload::File(mut file, _) => {
                w.write_all(&out)?;
                file.seek(SeekFrom::Start(offset))?;
                copy_exactly(&mut file, w, len)?;
            }
        }
        w.flush()
    }
}

/// Copies `len` bytes through a buffer of [`CHUNK`] bytes; fewer (the file
/// shrank since its length was taken) is an error, as the promised
/// `Content-Length` can no longer be kept.
fn copy_exactly(from: &mut impl Read, to: &mut impl Write, len: u64) -> io::Result<()> {
    let mut buf = vec![0; CHUNK.min(usize::try_from(len).unwrap_or(CHUNK)).max(1)];
    let mut left = len;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match from.read(&mut buf[..want]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        left -= n as u64;
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
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
    fn single_byte_ranges() {
        let range = |h: &str, len| parse_range(Some(h), len);
        let part = |start, end| Span::Part { start, end };
        assert_eq!(parse_range(None, 10), Span::Whole);
        assert_eq!(range("bytes=0-4", 10), part(0, 4));
        assert_eq!(range("bytes=5-", 10), part(5, 9));
        assert_eq!(range("bytes=-3", 10), part(7, 9));
        assert_eq!(range("bytes=-30", 10), part(0, 9));
        assert_eq!(range("bytes=8-100", 10), part(8, 9));
        assert_eq!(range("Bytes = 1-1", 10), part(1, 1));
        assert_eq!(range("bytes=0-99999999999999999999999", 10), part(0, 9));
        assert_eq!(range("bytes=10-", 10), Span::Unsatisfiable);
        assert_eq!(range("bytes=99999999999999999999999-", 10), Span::Unsatisfiable);
        assert_eq!(range("bytes=-0", 10), Span::Unsatisfiable);
        assert_eq!(range("bytes=0-", 0), Span::Unsatisfiable);
        assert_eq!(range("bytes=-5", 0), Span::Unsatisfiable);
        // Ignored: several ranges, other units, nonsense.
        for whole in
            ["bytes=0-1,3-4", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=-", "bytes", "bytes=1-2-3"]
        {
            assert_eq!(range(whole, 10), Span::Whole, "{whole}");
        }
    }

    #[test]
    fn responses_send_the_range_asked_for() {
        let send = |response: Response<'_>, head_only| {
            let mut out = Vec::new();
            response.write(&mut out, head_only, true).unwrap();
            String::from_utf8(out).unwrap()
        };
        let body = || Response::new(200, "text/plain", b"0123456789".as_slice());
        let out = send(body().ranged(Some("bytes=2-4")), false);
        assert!(out.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{out}");
        assert!(
            out.contains("\r\nContent-Length: 3\r\n") && out.contains("\r\nContent-Range: bytes 2-4/10\r\n")
        );
        assert!(out.ends_with("\r\n\r\n234"), "{out}");
        let out = send(body().ranged(Some("bytes=10-")), false);
        assert!(out.starts_with("HTTP/1.1 416 ") && out.contains("Content-Range: bytes */10\r\n"), "{out}");
        let out = send(body().ranged(None), true);
        assert!(out.contains("Accept-Ranges: bytes\r\n") && out.contains("Content-Length: 10\r\n"));
        assert!(out.ends_with("\r\n\r\n"), "HEAD sends no body: {out}");
        // Not found stays not found, whatever the range.
        assert!(send(Response::text(404, "no\n").ranged(Some("bytes=0-0")), false).ends_with("\r\n\r\nno\n"));
    }

    #[test]
    fn files_are_sent_in_pieces_and_a_shrunk_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let data: Vec<u8> = (0..CHUNK * 3 + 7).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let open = || Payload::File(File::open(&path).unwrap(), data.len() as u64);
        let mut out = Vec::new();
        let start = CHUNK as u64 - 3;
        let header = format!("bytes={start}-");
        Response::with_payload(200, "application/octet-stream", open())
            .ranged(Some(&header))
            .write(&mut out, false, true)
            .unwrap();
        assert!(out.ends_with(&data[start as usize..]));
        // A file that shrank after its length was taken cannot keep the promised length.
        let short = Payload::File(File::open(&path).unwrap(), data.len() as u64 + 1);
        let result = Response::with_payload(200, "application/octet-stream", short).write(
            &mut Vec::new(),
            false,
            true,
        );
        assert!(result.is_err());
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
