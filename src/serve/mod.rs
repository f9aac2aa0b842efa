//! `dotwork serve`: build the site in memory, serve it over HTTP, rebuild on
//! every edit and reload the pages open in the browser.
//!
//! Three kinds of threads share one `Hub`: the accepting thread (one
//! thread per connection, each reading the hub's current snapshot), the
//! rebuild thread (watch, plan, rebuild, publish), and event streams (one per
//! open page, waiting on the hub). A rebuild never blocks a request: it
//! builds a new snapshot beside the one being served and swaps it in.
//!
//! Nothing is written to disk, so stopping the server (Ctrl-C) leaves
//! nothing behind and needs no handler. Modules: `http` (requests, the
//! `Host` check and the path rules), `response` (answers, streamed, and
//! byte ranges), `files` (opening a static file safely), `limits`
//! (descriptors and connection slots), `network` (the addresses a
//! `--bind 0.0.0.0` server answers at), `watch` (events to plans),
//! `rebuild` (plans to snapshots), `livereload` (the page script, its
//! events and the overlay).

mod files;
mod http;
mod limits;
mod livereload;
mod network;
mod rebuild;
mod response;
mod visits;
mod watch;

use std::collections::HashMap;
use std::io::{BufReader, ErrorKind, Read as _, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::settings::Settings;
use files::open_static;
use http::{Deadline, ReadError, Target, content_type, host_allowed, read_request, resolve};
use limits::{Slot, Slots, connection_cap, raise_fd_limit};
use livereload::{EVENTS_PATH, Hub, Live, SCRIPT, SCRIPT_PATH, events_for, inject, script_tag, sse_event};
use rebuild::{Body, Builder, FastRender, Rebuilt, Snapshot};
use response::{Payload, Response};
use watch::{Events, Plan, Watcher};

pub use http::fuzz_request_reader;

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 1111;
/// How long a request head may take to arrive in full, counted from the
/// connection opening or the previous answer (so it bounds keep-alive idling
/// too). Browsers send a head in one packet.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to accept each piece of what we send.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Static HTML files up to this size get the reload script; larger ones are
/// streamed as they are, so none is read whole into memory.
const MOST_HTML_TO_INJECT: u64 = 8 * 1024 * 1024;
/// Connection threads need little stack: no stage of the build runs on them.
const CONNECTION_STACK: usize = 256 * 1024;
/// How often an idle event stream is checked with a comment line, so the
/// threads of closed pages end.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// How often an event stream checks whether its slot was taken from it.
const EVICTION_CHECK: Duration = Duration::from_millis(250);
/// How long a request for a page not rendered yet (while the rest of the
/// site renders after the open pages) waits for it before it gets the
/// previous version; the whole of a 10,000-page site renders in ~3 s.
const PENDING_WAIT: Duration = Duration::from_secs(20);

/// A server that has built the site and is listening, not yet answering.
pub struct Server {
    listener: TcpListener,
    /// The address listened on, which `Host` headers may name.
    bound: IpAddr,
    slots: Arc<Slots>,
    url: String,
    hub: Arc<Hub>,
    builder: Builder,
    watcher: Watcher,
    events: Events,
}

impl Server {
    /// Listens where `settings.listen` says (port 0: any free port), starts
    /// watching the site at `settings.root` and builds it, served at its own
    /// address (which replaces `base_url`). A site that does not build is served
    /// anyway, showing its errors; a folder without `site.yaml` is an error.
    pub fn start(settings: &Settings) -> Result<Server, Error> {
        let (root, bind) = (settings.root.as_path(), settings.listen.bind);
        let fd_limit = raise_fd_limit();
        let slots = Slots::new(connection_cap(fd_limit));
        log::debug!("open-file limit {fd_limit}: at most {} connections", connection_cap(fd_limit));
        let listener = listen(bind, settings.listen.port)?;
        let local = listener.local_addr().map_err(|e| Error::Serve(format!("cannot listen: {e}")))?;
        let url = url_of(local);
        network::warn_if_shown_to_the_network(local);
        // Watch first: an edit made during the first build is not lost.
        let (watcher, events) = Watcher::start(root)?;
        let mut builder =
            Builder::new(&Settings { base_url: Some(url.clone()), one_domain: true, ..settings.clone() });
        builder.wake_with(watcher.waker());
        let hub = Arc::new(Hub::new(Snapshot::default()));
        let started = Instant::now();
        match builder.rebuild(&Plan::Full) {
            Err(e) if !root.join(CONFIG_FILE).is_file() => return Err(e),
            result => publish(result, &hub, started),
        }
        Ok(Server { listener, bound: bind, slots, url, hub, builder, watcher, events })
    }

    /// The address to open in a browser (`http://127.0.0.1:1111/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers requests and rebuilds on edits until the process is stopped.
    pub fn run(self) -> Result<(), Error> {
        let Server { listener, bound, slots, hub, builder, watcher, events, .. } = self;
        let rebuild_hub = hub.clone();
        thread::Builder::new()
            .name("rebuild".into())
            .spawn(move || rebuild_loop(builder, watcher, &events, &rebuild_hub))
            .map_err(|e| Error::Serve(format!("cannot start the rebuild thread: {e}")))?;
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => spawn_connection(stream, &hub, &slots, bound),
                Err(e) => {
                    // Out of file descriptors, or a connection reset before accept: go on.
                    log::debug!("accept: {e}");
                    thread::sleep(Duration::from_millis(10));
                }
            }
        }
        Ok(())
    }
}

/// Opens `url` in the default browser, best effort.
pub fn open_in_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command.arg(url).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    command.stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            // Reap it, so it does not linger as a zombie.
            thread::spawn(move || child.wait());
        }
        Err(e) => log::warn!("cannot open a browser ({e}); open {url} yourself"),
    }
}

fn listen(bind: IpAddr, port: u16) -> Result<TcpListener, Error> {
    TcpListener::bind((bind, port)).map_err(|e| {
        let addr = SocketAddr::new(bind, port);
        let why = match e.kind() {
            ErrorKind::AddrInUse => format!(
                "port {port} is already in use (is another `dotwork serve` running?); \
                 choose another with --port, e.g. dotwork serve --port {}",
                if port == u16::MAX { 1024 } else { port + 1 }
            ),
            ErrorKind::AddrNotAvailable => "this machine has no such address; leave out --bind".to_string(),
            ErrorKind::PermissionDenied => {
                "permission denied (ports below 1024 need special rights); choose another with --port"
                    .to_string()
            }
            _ => e.to_string(),
        };
        Error::Serve(format!("cannot listen on {addr}: {why}"))
    })
}

fn url_of(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "localhost".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}/", addr.port())
}

/// Watch, plan, rebuild, publish, for as long as the watcher runs.
fn rebuild_loop(mut builder: Builder, mut watcher: Watcher, events: &Events, hub: &Hub) {
    while let Some(burst) = watcher.next_burst(events) {
        if let Err(e) = watcher.watch_new_folders() {
            log::warn!("{e}");
        }
        let plan = watch::plan(&burst);
        log::debug!("changed: {:?} -> {plan:?}", burst.iter().map(|t| &t.rel).collect::<Vec<_>>());
        if plan == Plan::Ignore {
            continue;
        }
        let started = Instant::now();
        // The pages open in a browser are rendered, published and reloaded
        // first when the edit renders many units; the rest follows.
        let mut first = |snapshot: Arc<Snapshot>| {
            // As for the whole site below: nothing read half-written is published.
            if watcher.changed_while_read(events, &plan) {
                return false;
            }
            hub.publish_site(snapshot);
            log::info!(
                "open pages rendered first in {} ms; rendering the rest",
                started.elapsed().as_millis()
            );
            true
        };
        let fast = FastRender { pages: hub.visits.first(), publish: &mut first };
        // A bug in a stage must not end live reload: report it like a site
        // error, and start again from scratch with the next edit.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            builder.rebuild_fast(&plan, Some(fast))
        }))
        .unwrap_or_else(|_| {
            builder.forget();
            Err(Error::Serve(
                "internal error: dotwork crashed while rebuilding (a bug, please report it \
                     with the message above); the next edit rebuilds from scratch"
                    .to_string(),
            ))
        });
        // A save that landed while the files were read may have been read
        // half-written: publish nothing, and build again once it settles
        // (issue 9: a blank page was sent to every open browser).
        if watcher.changed_while_read(events, &plan) {
            log::debug!("a file changed while it was read; building again once it settles");
            continue;
        }
        publish(result, hub, started);
    }
    log::warn!("stopped watching the site; restart `dotwork serve` to see further edits");
}

/// Sends the outcome of a rebuild to every open page, and logs it.
fn publish(result: Result<Rebuilt, Error>, hub: &Hub, started: Instant) {
    let ms = started.elapsed().as_millis();
    match result {
        Ok(Rebuilt::Site { snapshot, first, rendered, units }) => {
            if first {
                hub.complete_site(snapshot);
            } else {
                hub.publish_site(snapshot);
            }
            log::info!("rebuilt in {ms} ms ({rendered} of {units} outputs rendered)");
        }
        Ok(Rebuilt::Assets) => {
            hub.publish_reload();
            log::info!("static files changed; reloading");
        }
        Err(e) => {
            let text = describe(&e);
            log::error!("{text}");
            log::warn!("still serving the last version that built; fix the error and save");
            hub.publish_errors(text);
        }
    }
}

/// An error as the terminal and the overlay show it: every diagnostic with
/// its `file:line:column` and quoted line, then the summary and its causes.
fn describe(e: &Error) -> String {
    let mut text = String::new();
    if let Error::Site(diagnostics) = e {
        for d in diagnostics {
            text.push_str(&d.render(false));
            text.push_str("\n\n");
        }
    }
    text.push_str(&format!("error: {e}"));
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

fn spawn_connection(stream: TcpStream, hub: &Arc<Hub>, slots: &Arc<Slots>, bound: IpAddr) {
    let Some(slot) = slots.admit() else {
        return refuse_busy(&stream);
    };
    let hub = hub.clone();
    let stream = Arc::new(stream);
    let spawned = thread::Builder::new()
        .name("http".into())
        .stack_size(CONNECTION_STACK)
        .spawn(move || handle(&stream, slot, &hub, bound));
    if let Err(e) = spawned {
        log::debug!("cannot start a thread for a connection: {e}");
    }
}

/// Answers 503 on the accepting thread, without waiting for anything.
fn refuse_busy(stream: &TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = Response::text(503, "too many connections\n").write(&mut &*stream, false, false);
    // Closing with the request unread would send a reset, which may reach
    // the client before the answer does: read what has arrived first.
    if stream.set_nonblocking(true).is_ok() {
        let mut buf = [0; 4096];
        for _ in 0..4 {
            if !matches!((&mut &*stream).read(&mut buf), Ok(n) if n > 0) {
                break;
            }
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Answers the requests of one connection, in order, until it closes. The
/// one descriptor of the connection serves for reading and writing.
fn handle(stream: &Arc<TcpStream>, mut slot: Slot, hub: &Hub, bound: IpAddr) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    // `Host` may name the address listened on, or the one this connection
    // reached (a phone on the LAN uses the computer's IP).
    let served = [bound, stream.local_addr().map_or(bound, |a| a.ip())];
    let mut reader = BufReader::new(Deadline::new(stream, Instant::now() + HEAD_TIMEOUT));
    let mut writer: &TcpStream = stream;
    loop {
        slot.waiting(stream);
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Io) => return,
            Err(ReadError::Malformed) => {
                let _ = Response::text(400, "bad request\n").write(&mut writer, false, false);
                return;
            }
        };
        slot.busy();
        if let Some(host) = request.host.as_deref().filter(|h| !host_allowed(h, &served)) {
            log::debug!("refused a request for host {host:?}");
            let text = format!(
                "this preview answers only at localhost and this computer's own addresses, \
                 not at {host:?}\n"
            );
            let _ = Response::new(403, "text/plain; charset=utf-8", text.into_bytes()).write(
                &mut writer,
                false,
                false,
            );
            return;
        }
        let head_only = request.method == "HEAD";
        if request.method != "GET" && !head_only {
            let mut response = Response::text(405, "only GET and HEAD are supported\n");
            response.headers.push(("Allow", "GET, HEAD".to_string()));
            let _ = response.write(&mut writer, false, false);
            return;
        }
        if request.target.split('?').next() == Some(EVENTS_PATH) && !head_only {
            let Ok(page) = visits::page_hint(&request.target) else {
                let _ = Response::text(400, "bad request: the page named cannot be served\n").write(
                    &mut writer,
                    false,
                    false,
                );
                return;
            };
            slot.streaming(stream);
            let _open = hub.visits.open(page);
            return stream_events(writer, hub, &slot);
        }
        // A body we will not read would be taken for the next request: close after answering.
        let keep_alive = request.keep_alive && !request.has_body;
        let (live, fixed) = fix_up(&request.target, hub);
        let response = respond(&request.target, &live, &fixed).ranged(request.range.as_deref());
        if response.status == 200
            && response.content_type.starts_with("text/html")
            && let Target::File(key) | Target::FileOrFolder { file: key, .. } = resolve(&request.target)
        {
            hub.visits.visited(&key);
        }
        if response.write(&mut writer, head_only, keep_alive).is_err() || !keep_alive {
            return;
        }
        reader.get_mut().until = Instant::now() + HEAD_TIMEOUT;
    }
}

/// What is served now, with the files `target` may name that are not
/// rendered yet (the rest of the site is rendering after the open pages):
/// each is asked for, waited for and returned, so no page is served stale.
fn fix_up(target: &str, hub: &Hub) -> (Live, HashMap<String, Body>) {
    let live = hub.current();
    let mut fixed = HashMap::new();
    let Some(pending) = live.site.pending.clone() else { return (live, fixed) };
    let mut keys = match resolve(target) {
        Target::Bad => return (live, fixed),
        Target::File(key) => vec![key],
        Target::FileOrFolder { file, index, .. } => vec![file, index],
    };
    if !keys.iter().any(|k| live.site.files.contains_key(k) || pending.is_stale(k)) {
        keys.push("404.html".to_string());
    }
    for key in keys.into_iter().filter(|k| pending.is_stale(k)) {
        if let Some(body) = pending.wait(&key, PENDING_WAIT) {
            fixed.insert(key, body);
        }
    }
    (live, fixed)
}

/// The answer to `GET target` from the site being served, `fixed` taking
/// the place of its files of the same name.
fn respond<'a>(target: &str, live: &'a Live, fixed: &'a HashMap<String, Body>) -> Response<'a> {
    if target.split('?').next() == Some(SCRIPT_PATH) {
        return Response::new(200, "text/javascript; charset=utf-8", SCRIPT.as_bytes());
    }
    let files = &live.site.files;
    let get = |key: &str| fixed.get_key_value(key).or_else(|| files.get_key_value(key));
    let found = match resolve(target) {
        Target::Bad => return Response::text(400, "bad request: this path cannot name a file of the site\n"),
        Target::File(key) => get(key.as_str()),
        Target::FileOrFolder { file, index, location } => match get(file.as_str()) {
            Some(found) => Some(found),
            None if get(&index).is_some() => {
                let mut response = Response::text(301, "moved to the folder's address, with a slash\n");
                response.headers.push(("Location", location));
                return response;
            }
            None => None,
        },
    };
    match found.and_then(|(key, body)| file_response(200, key, body, live)) {
        Some(response) => response,
        None => not_found(live, fixed),
    }
}

/// An output file as a response, with the reload script in HTML; `None` when
/// a static file has vanished (or become something we do not serve) since
/// the last rebuild. Static files are sent from disk as they are read.
fn file_response<'a>(status: u16, key: &str, body: &'a Body, live: &Live) -> Option<Response<'a>> {
    let content_type = content_type(key);
    let html = content_type.starts_with("text/html");
    let bytes: &[u8] = match body {
        Body::Bytes(bytes) => bytes.as_slice(),
        Body::Builtin(bytes) => bytes,
        Body::File(path) => {
            let (file, len) = open_static(path, &live.site.root)?;
            if !html || len > MOST_HTML_TO_INJECT {
                return Some(Response::with_payload(status, content_type, Payload::File(file, len)));
            }
            let mut bytes = Vec::new();
            file.take(len).read_to_end(&mut bytes).ok()?;
            return Some(Response::new(status, content_type, inject(&bytes, &script_tag(&live.build))));
        }
    };
    Some(if html {
        Response::new(status, content_type, inject(bytes, &script_tag(&live.build)))
    } else {
        Response::new(status, content_type, bytes)
    })
}

/// The site's `404.html` with status 404, or a plain page when it has none
/// (or has not built yet), both with the script so errors show there too.
fn not_found<'a>(live: &'a Live, fixed: &'a HashMap<String, Body>) -> Response<'a> {
    if let Some(response) = fixed
        .get("404.html")
        .or_else(|| live.site.files.get("404.html"))
        .and_then(|b| file_response(404, "404.html", b, live))
    {
        return response;
    }
    let page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n\
                </head>\n<body>\n<h1>Not found</h1>\n<p>There is no page at this address.</p>\n</body>\n</html>\n";
    Response::new(404, "text/html; charset=utf-8", inject(page.as_bytes(), &script_tag(&live.build)))
}

/// Streams reload and error events to one open page until it goes away.
fn stream_events(mut writer: &TcpStream, hub: &Hub, slot: &Slot) {
    let live = hub.current();
    let mut out = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n",
    );
    out.push_str(&sse_event("hello", &live.build));
    if let Some(errors) = &live.errors {
        out.push_str(&sse_event("errors", errors));
    }
    let mut seen = live.generation;
    let mut written = Instant::now();
    loop {
        if !out.is_empty() {
            if writer.write_all(out.as_bytes()).and_then(|()| writer.flush()).is_err() {
                return;
            }
            written = Instant::now();
        }
        // Woken at least every EVICTION_CHECK, so a stream whose slot was
        // given to a new connection ends (and frees its descriptor) at once.
        out = match hub.wait(seen, EVICTION_CHECK) {
            _ if slot.evicted() => return,
            Some(live) => {
                seen = live.generation;
                events_for(&live)
            }
            None if written.elapsed() >= KEEPALIVE => ": still here\n\n".to_string(),
            None => String::new(),
        };
    }
}
