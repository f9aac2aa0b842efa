//! `dotwork serve`, run as the real binary on a free port of 127.0.0.1.
//!
//! Every wait is bounded (a deadline, never a sleep-and-hope) and nothing
//! asserts on timing. The browser test needs Chromium and is `#[ignore]`d:
//! `cargo test --test it serve::browser -- --ignored`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::TestSite;

/// How long anything may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// A running `dotwork serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &TestSite, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dotwork"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .env_remove("DOTWORK_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let url = first_url(child.stdout.take().unwrap());
        let Some(url) = url else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve printed no URL within {PATIENCE:?}; stderr:\n{}", stderr.lock().unwrap());
        };
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        let addr = authority.parse().unwrap();
        Server { child, addr, url, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path`, on a connection of its own.
    fn get(&self, path: &str) -> Response {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    }

    /// Sends `request` as it is and reads the whole answer.
    fn raw(&self, request: &str) -> Response {
        let mut stream = TcpStream::connect_timeout(&self.addr, PATIENCE).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        Response::parse(&bytes)
    }

    /// Listens to the reload events, as an open page does.
    fn events(&self) -> Events {
        let mut stream = TcpStream::connect_timeout(&self.addr, PATIENCE).unwrap();
        stream.write_all(b"GET /__dotwork/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        stream_timeout(&reader, PATIENCE);
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        Events { reader }
    }

    /// Polls `path` until its body contains `text`, for at most PATIENCE.
    fn wait_for_content(&self, path: &str, text: &str) -> Response {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let response = self.get(path);
            if response.text().contains(text) {
                return response;
            }
            assert!(Instant::now() < deadline, "{path} never showed {text:?}; stderr:\n{}", self.stderr());
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL from serve's first lines of output, if it prints one in time.
fn first_url(stdout: ChildStdout) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                let _ = tx.send(url.to_string());
            }
        }
    });
    rx.recv_timeout(PATIENCE * 3).ok()
}

fn stream_timeout(reader: &BufReader<TcpStream>, timeout: Duration) {
    reader.get_ref().set_read_timeout(Some(timeout.max(Duration::from_millis(1)))).unwrap();
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
        let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        Response { status, headers, body: bytes[split + 4..].to_vec() }
    }

    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The build id the page's reload script carries.
    fn build(&self) -> String {
        let text = self.text();
        let at = text.find("data-build=\"").expect("the reload script") + "data-build=\"".len();
        text[at..].split('"').next().unwrap().to_string()
    }
}

/// A stream of Server-Sent Events.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next event named `name` (others are skipped), within PATIENCE.
    fn wait_for(&mut self, name: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let (event, data) = self.next(deadline).unwrap_or_else(|| panic!("no `{name}` event in time"));
            if event == name {
                return data;
            }
        }
    }

    fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
        let (mut event, mut data) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            stream_timeout(&self.reader, deadline.checked_duration_since(Instant::now())?);
            line.clear();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end_matches('\n');
            if line.is_empty() && !event.is_empty() {
                return Some((event, data.join("\n")));
            } else if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push(d.to_string());
            }
        }
    }
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nmenu: true\n---\n{body}\n")
}

fn small_site() -> TestSite {
    TestSite::with_pages(&[
        ("index.md", &page("Home", "Read [about us](about.md).")),
        ("about.md", &page("About", "We are a clinic.")),
    ])
}

#[test]
fn serves_pages_and_reloads_them_after_an_edit() {
    let site = small_site();
    let server = Server::start(&site, &[]);
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert!(home.text().contains("<script src=\"/__dotwork/livereload.js\""), "{}", home.text());
    let script = server.get("/__dotwork/livereload.js");
    assert_eq!((script.status, script.header("content-type")), (200, "text/javascript; charset=utf-8"));
    assert!(script.text().contains("EventSource"));

    let mut events = server.events();
    assert_eq!(events.wait_for("hello"), home.build());
    site.write("content/about.md", &page("About", "We are a friendly clinic."));
    let build = events.wait_for("reload");
    let about = server.get("/about/");
    assert!(about.text().contains("We are a friendly clinic."), "{}", about.text());
    assert_eq!(about.build(), build);
    assert_ne!(build, home.build());
    // Nothing was written into the site folder.
    assert!(!site.path("public").exists());
}

#[test]
fn a_broken_edit_shows_its_error_until_it_is_fixed() {
    let site = small_site();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    events.wait_for("hello");

    site.write("content/about.md", "---\ntitle: [About\n---\nWe are a clinic.\n");
    let errors = events.wait_for("errors");
    assert!(errors.contains("content/about.md:2:"), "{errors}");
    assert!(errors.contains("2 | title: [About"), "{errors}");
    // The last good pages are still served, and a page opened now sees the error at once.
    let about = server.get("/about/");
    assert_eq!(about.status, 200);
    assert!(about.text().contains("We are a clinic."));
    let mut late = server.events();
    late.wait_for("hello");
    assert!(late.wait_for("errors").contains("content/about.md:2:"));
    assert!(server.stderr().contains("content/about.md:2:"), "{}", server.stderr());

    site.write("content/about.md", &page("About us", "We are a clinic."));
    events.wait_for("reload");
    server.wait_for_content("/about/", "About us");

    // A broken template, then a link to a missing page.
    site.write("templates/page.html", "<main>\n{{ page.content | safe }\n</main>\n");
    let errors = events.wait_for("errors");
    assert!(errors.contains("templates/page.html:2:"), "{errors}");
    std::fs::remove_file(site.path("templates/page.html")).unwrap();
    events.wait_for("reload");
    site.write("content/index.md", &page("Home", "Read [about us](abuot.md)."));
    let errors = events.wait_for("errors");
    assert!(errors.contains("content/index.md:5:"), "{errors}");
    assert!(errors.contains("did you mean"), "{errors}");
    site.write("content/index.md", &page("Home", "Read [about us](about.md)."));
    events.wait_for("reload");
}

#[test]
fn never_serves_a_file_outside_the_built_site() {
    let site = small_site();
    site.write("secret.txt", "secret-7f3a\n");
    site.write("content/notes.txt", "beside-the-pages\n");
    let server = Server::start(&site, &[]);
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/secret.txt",
        "/site.yaml",
        "/content/about.md",
        "//etc/passwd",
        "/etc/passwd",
        "/../../../../../../etc/passwd",
        "/index.html%00.txt",
        "/%00",
        "http://127.0.0.1/../secret.txt",
        "../secret.txt",
    ] {
        let response = server.raw(&format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assert!(matches!(response.status, 400 | 404), "{target}: {}", response.status);
        let text = response.text();
        assert!(!text.contains("secret-7f3a") && !text.contains("root:"), "{target} leaked:\n{text}");
    }
    // Files beside the pages are part of the site.
    assert_eq!(server.get("/notes.txt").text(), "beside-the-pages\n");
}

#[test]
fn serves_the_404_page_redirects_folders_and_names_content_types() {
    let site = small_site();
    site.write("static/img/logo.png", "png");
    site.write("static/fonts/a.woff2", "woff2");
    site.write("static/leaflet.pdf", "pdf");
    let server = Server::start(&site, &[]);

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"), "{}", missing.text());
    assert!(missing.text().contains("/__dotwork/livereload.js"));

    let folder = server.get("/about?x=1");
    assert_eq!((folder.status, folder.header("location")), (301, "/about/?x=1"));

    let head = server.raw("HEAD /about/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_ne!(head.header("content-length"), "0");

    for (path, content_type) in [
        ("/about/", "text/html; charset=utf-8"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/img/logo.png", "image/png"),
        ("/fonts/a.woff2", "font/woff2"),
        ("/leaflet.pdf", "application/pdf"),
    ] {
        let response = server.get(path);
        assert_eq!((response.status, response.header("content-type")), (200, content_type), "{path}");
        assert_eq!(response.header("cache-control"), "no-store");
    }
    let post = server.raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(post.status, 405);
}

#[test]
fn fifty_clients_get_no_errors_while_the_site_rebuilds() {
    let pages: Vec<(String, String)> =
        (0..40).map(|i| (format!("p{i}.md"), page(&format!("Page {i}"), "Text."))).collect();
    let pages: Vec<(&str, &str)> = pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let site = TestSite::with_pages(&pages);
    site.write("content/index.md", &page("Home", "Hi."));
    let server = Arc::new(Server::start(&site, &[]));
    let clients: Vec<_> = (0..50)
        .map(|c| {
            let server = server.clone();
            thread::spawn(move || {
                let mut failures = Vec::new();
                for n in 0..20 {
                    let path = format!("/p{}/", (c + n) % 40);
                    let response = server.get(&path);
                    if response.status != 200 || !response.text().contains("</html>") {
                        failures.push(format!("{path}: {}", response.status));
                    }
                }
                failures
            })
        })
        .collect();
    for i in 0..5 {
        site.write("content/p0.md", &page("Page 0", &format!("Edit {i}.")));
        thread::sleep(Duration::from_millis(30));
    }
    let failures: Vec<String> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    server.wait_for_content("/p0/", "Edit 4.");
}

#[test]
fn a_taken_port_is_an_error_that_suggests_another() {
    let site = small_site();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = site.run(&["serve", "--port", &port]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{}", run.stderr);
    assert!(run.stderr.contains("already in use") && run.stderr.contains("--port"), "{}", run.stderr);
}

#[test]
fn a_folder_without_site_yaml_is_an_error() {
    let site = TestSite::empty();
    let run = site.run(&["serve", "--port", "0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no site.yaml"), "{}", run.stderr);
}

#[test]
fn build_output_never_has_the_reload_script() {
    let site = small_site();
    site.build();
    for file in site.output_files() {
        let bytes = std::fs::read(site.path("public").join(&file)).unwrap();
        assert!(!bytes.windows(9).any(|w| w == b"__dotwork"), "{file}");
    }
}

#[cfg(unix)]
mod browser {
    use std::io::{BufRead, Read, Write};
    use std::net::TcpStream;
    use std::os::unix::process::CommandExt as _;
    use std::process::{Command, Stdio};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{PATIENCE, Server, page, small_site};

    /// A page open in headless Chromium changes after a file edit, shows an
    /// error overlay after a broken edit and recovers, without anyone touching it.
    /// Reads the page's title through Chromium's DevTools HTTP endpoint.
    #[test]
    #[ignore = "needs Chromium; run with --ignored"]
    fn browser_page_follows_edits_by_itself() {
        let named = std::env::var("CHROME_PATH").ok();
        let Some(chromium) = named
            .into_iter()
            .chain(["chromium", "chromium-browser", "google-chrome"].map(String::from))
            .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        else {
            eprintln!("SKIPPED: no Chromium found (Debian: apt-get install chromium, or set CHROME_PATH)");
            return;
        };
        let site = small_site();
        let server = Server::start(&site, &[]);
        let profile = tempfile::tempdir().unwrap();
        let browser = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("{}about/", server.url))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let _browser = Browser(browser);
        let devtools = wait_until(|| {
            let text = std::fs::read_to_string(profile.path().join("DevToolsActivePort")).ok()?;
            text.lines().next()?.trim().parse::<u16>().ok()
        });
        let title = |want: &str| {
            wait_until(|| {
                let body = http_get_body(devtools, "/json/list")?;
                body.contains(&format!("\"title\": \"{want}")).then_some(())
            })
        };
        title("About · Test Clinic");
        site.write("content/about.md", &page("About the clinic", "We are a clinic."));
        title("About the clinic · Test Clinic");
        site.write("content/about.md", "---\ntitle: [About\n---\n");
        title("⚠ build error · About the clinic");
        site.write("content/about.md", &page("About us", "We are a clinic."));
        title("About us · Test Clinic");
    }

    /// Chromium, started in a process group of its own, stopped when dropped
    /// (whatever happens to the test): asked first, so it ends its helper
    /// processes itself, then the whole group killed.
    struct Browser(std::process::Child);

    impl Drop for Browser {
        fn drop(&mut self) {
            let group = format!("-{}", self.0.id());
            // `kill -KILL -PGID` would read the group as a signal number; `--` keeps it a process group.
            let signal = |name: &str| Command::new("kill").args(["-s", name, "--", &group]).status();
            let _ = signal("TERM");
            let deadline = Instant::now() + PATIENCE;
            while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
                thread::sleep(Duration::from_millis(50));
            }
            let _ = signal("KILL");
            let _ = self.0.wait();
        }
    }

    fn wait_until<T>(mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE * 3;
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(Instant::now() < deadline, "gave up waiting");
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The body of `GET path` from Chromium's DevTools HTTP endpoint, which
    /// keeps connections open: read by Content-Length.
    fn http_get_body(port: u16, path: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream.set_read_timeout(Some(PATIENCE)).ok()?;
        stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).ok()?;
        let mut reader = std::io::BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        String::from_utf8(body).ok()
    }
}
