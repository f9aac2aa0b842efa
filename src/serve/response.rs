//! Answers: a status, a type and a body of known length, from memory or
//! streamed from an open file a piece at a time, and single byte ranges
//! (`206`, `416`), which browsers need to play and seek in a video.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Files are sent in pieces of this size, so a request for a 300 MB video
/// holds 64 KiB of it in memory, not 300 MB.
const CHUNK: usize = 64 * 1024;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
