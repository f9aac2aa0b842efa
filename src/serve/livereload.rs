//! Live reload: the script added to served pages, the Server-Sent Events it
//! listens to, and the [`Hub`] through which a rebuild reaches every open page.
//!
//! The script is added when a page is *served*, never to the built files, so
//! `build` output cannot contain it. It carries the id of the build the page
//! came from; on connecting, the server says which build is current, so a
//! page that missed a reload (a background tab, a restarted server) catches
//! up. Errors travel as an `errors` event, shown by the script as an overlay
//! on the last good page; the next good build sends `reload`.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::serve::rebuild::Snapshot;
use crate::serve::visits::Visits;

/// Where pages fetch the script.
pub(crate) const SCRIPT_PATH: &str = "/__dotwork/livereload.js";
/// Where the script listens for events.
pub(crate) const EVENTS_PATH: &str = "/__dotwork/events";
/// The script itself.
pub(crate) const SCRIPT: &str = include_str!("livereload.js");

/// The tag added to every served HTML page.
pub(crate) fn script_tag(build: &str) -> String {
    format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\"></script>\n")
}

/// `html` with `snippet` inserted before the last `</body>` (in any case),
/// or at the end when there is none.
pub(crate) fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = rfind_ignore_case(html, b"</body").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// One Server-Sent Event, its data a JSON string on one line. A CR, LF or
/// CRLF ends a line in an event stream, so any of them left in the data (a
/// file name with a carriage return, issue 9) would split the event and let
/// the rest of the line be read as another field; every control character
/// (and U+2028/U+2029, which some JSON readers take for line ends) is
/// written as a `\uXXXX` escape instead. The script decodes it with `JSON.parse`.
pub(crate) fn sse_event(name: &str, data: &str) -> String {
    let mut out = format!("event: {name}\ndata: \"");
    for c in data.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push_str("\"\n\n");
    out
}

/// What is being served now.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    /// Counts every change sent to pages.
    pub(crate) generation: u64,
    /// The last good build's files.
    pub(crate) site: Arc<Snapshot>,
    /// The id pages compare with the one they were served with.
    pub(crate) build: String,
    /// Why the latest rebuild failed, as shown in the overlay; `None` when it succeeded.
    pub(crate) errors: Option<Arc<str>>,
}

/// Shared by the rebuild thread (which publishes) and every connection
/// (which reads the current site, or waits for the next change).
#[derive(Debug)]
pub(crate) struct Hub {
    live: Mutex<Live>,
    changed: Condvar,
    /// Makes build ids differ between runs of the server, so pages left open
    /// across a restart reload.
    epoch: String,
    /// The pages browsers show, which a rebuild renders first.
    pub(crate) visits: Arc<Visits>,
}

impl Hub {
    /// A hub serving `site`, with no build yet.
    pub(crate) fn new(site: Snapshot) -> Hub {
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000_000);
        let live = Live { generation: 0, site: Arc::new(site), build: String::new(), errors: None };
        let visits = Arc::new(Visits::default());
        Hub { live: Mutex::new(live), changed: Condvar::new(), epoch: format!("{epoch:x}"), visits }
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        // A panic elsewhere while holding the lock leaves `Live` whole (every
        // write is a single assignment), so carry on with it.
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What is served now.
    pub(crate) fn current(&self) -> Live {
        self.lock().clone()
    }

    /// A new good build: serve it and tell pages to reload.
    pub(crate) fn publish_site(&self, site: Arc<Snapshot>) {
        let mut old = site;
        self.publish(|live| {
            std::mem::swap(&mut live.site, &mut old);
            live.errors = None;
        });
        // The old snapshot is freed here, outside the lock requests wait on.
        drop(old);
    }

    /// The whole site after a first snapshot with the open pages new
    /// ([`Hub::publish_site`]): served from now on, under the same build id
    /// and without telling pages anything, since the open ones reloaded
    /// already and any other was fixed up when it was served.
    pub(crate) fn complete_site(&self, site: Arc<Snapshot>) {
        let mut old = site;
        std::mem::swap(&mut self.lock().site, &mut old);
        drop(old);
    }

    /// Files served as they are changed: tell pages to reload.
    pub(crate) fn publish_reload(&self) {
        self.publish(|_| {});
    }

    /// A failed rebuild: keep the last good site, show `errors` on it.
    pub(crate) fn publish_errors(&self, errors: String) {
        self.publish(|live| live.errors = Some(errors.into()));
    }

    fn publish(&self, change: impl FnOnce(&mut Live)) {
        let mut live = self.lock();
        change(&mut live);
        live.generation += 1;
        if live.errors.is_none() {
            live.build = format!("{}-{}", self.epoch, live.generation);
        }
        drop(live);
        self.changed.notify_all();
    }

    /// Waits until something newer than generation `seen` is published, at
    /// most `timeout`; `None` when nothing was.
    pub(crate) fn wait(&self, seen: u64, timeout: Duration) -> Option<Live> {
        let guard = self.lock();
        let (live, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |live| live.generation == seen)
            .unwrap_or_else(PoisonError::into_inner);
        (live.generation != seen).then(|| live.clone())
    }
}

/// The events telling a page what `live` means for it.
pub(crate) fn events_for(live: &Live) -> String {
    match &live.errors {
        Some(errors) => sse_event("errors", errors),
        None => sse_event("reload", &live.build),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_closing_body() {
        let tag = "<script></script>";
        assert_eq!(
            inject(b"<body><p>x</p></body></html>", tag),
            b"<body><p>x</p><script></script></body></html>"
        );
        assert_eq!(inject(b"<BODY>x</BODY>", tag), b"<BODY>x<script></script></BODY>");
        assert_eq!(
            inject(b"<body><pre>&lt;/body&gt; </body></pre></body>", tag),
            b"<body><pre>&lt;/body&gt; </body></pre><script></script></body>"
        );
    }

    #[test]
    fn injects_at_the_end_without_a_body_tag() {
        assert_eq!(inject(b"<p>fragment", "<s>"), b"<p>fragment<s>");
        assert_eq!(inject(b"", "<s>"), b"<s>");
        assert_eq!(inject(b"</bod", "<s>"), b"</bod<s>");
    }

    #[test]
    fn event_data_is_one_json_line_whatever_it_holds() {
        assert_eq!(sse_event("reload", "a-1"), "event: reload\ndata: \"a-1\"\n\n");
        assert_eq!(
            sse_event("errors", "one\r\ntwo\n\"q\" \\ \u{0}\u{7f}\u{85}\u{2028}é"),
            "event: errors\ndata: \"one\\u000d\\u000atwo\\u000a\\\"q\\\" \\\\ \\u0000\\u007f\\u0085\\u2028é\"\n\n"
        );
        // Whatever the text, the event is two lines and decodes to the text.
        for text in ["a\rb", "a\nevent: reload\n\nb", "\r\r\n\n", "x\u{2029}y\u{1b}[31m"] {
            let event = sse_event("errors", text);
            let lines: Vec<&str> = event.split(['\r', '\n']).collect();
            assert_eq!(lines.len(), 4, "{event:?}");
            let data = lines[1].strip_prefix("data: ").unwrap();
            assert_eq!(serde_json::from_str::<String>(data).unwrap(), text);
        }
    }

    #[test]
    fn build_ids_change_with_good_builds_only() {
        let hub = Hub::new(Snapshot::default());
        hub.publish_site(Arc::new(Snapshot::default()));
        let first = hub.current();
        hub.publish_errors("content/a.md:2:1: bad".to_string());
        let broken = hub.current();
        assert_eq!(broken.build, first.build);
        assert!(events_for(&broken).starts_with("event: errors\ndata: \"content/a.md:2:1"));
        assert!(hub.wait(broken.generation, Duration::from_millis(1)).is_none());
        hub.publish_site(Arc::new(Snapshot::default()));
        let fixed = hub.wait(broken.generation, Duration::from_secs(5)).unwrap();
        assert_ne!(fixed.build, first.build);
        assert_eq!(events_for(&fixed), sse_event("reload", &fixed.build));
    }
}
