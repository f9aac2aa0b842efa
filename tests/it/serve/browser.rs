//! A page open in headless Chromium follows edits by itself. Needs Chromium,
//! so `#[ignore]`d: `cargo test --test it serve::browser -- --ignored`.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::harness::{PATIENCE, Server};
use super::{page, small_site};

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
