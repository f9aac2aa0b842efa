//! Running `dotwork serve` in tests: start the real binary on a free port,
//! talk HTTP and Server-Sent Events to it, stop it when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::TestSite;

/// How long anything may take before the test fails.
pub(super) const PATIENCE: Duration = Duration::from_secs(10);

/// A running `dotwork serve`, stopped when dropped.
pub(super) struct Server {
    pub(super) child: Child,
    addr: SocketAddr,
    pub(super) url: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub(super) fn start(site: &TestSite, args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dotwork"));
        command.args(["serve", "--port", "0"]).args(args);
        Server::spawn(site, command)
    }

    /// Starts it with at most `limit` open files (soft and hard), as a
    /// system with a low limit would.
    #[cfg(unix)]
    pub(super) fn start_with_fd_limit(site: &TestSite, limit: u32) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" serve --port 0"))
            .arg(env!("CARGO_BIN_EXE_dotwork"));
        Server::spawn(site, command)
    }

    fn spawn(site: &TestSite, mut command: Command) -> Server {
        let mut child = command
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
        let authority = authority.replace("localhost:", "127.0.0.1:");
        let addr = authority.parse().unwrap();
        Server { child, addr, url, stderr }
    }

    pub(super) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path`, on a connection of its own.
    pub(super) fn get(&self, path: &str) -> Response {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
    }

    /// The address it listens at.
    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `request` as it is and reads the whole answer.
    pub(super) fn raw(&self, request: &str) -> Response {
        raw_to(self.addr, request)
    }

    /// A new connection to it.
    pub(super) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect_timeout(&self.addr, PATIENCE).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// A line of its `/proc/<pid>/status` in kB (`VmHWM`: the most memory it has held).
    #[cfg(target_os = "linux")]
    pub(super) fn status_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix(field)).unwrap();
        line.trim_start_matches(':').trim().trim_end_matches(" kB").parse().unwrap()
    }
}

/// Sends `request` to `addr` as it is and reads the whole answer.
pub(super) fn raw_to(addr: SocketAddr, request: &str) -> Response {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    Response::parse(&bytes)
}

impl Server {
    /// Listens to the reload events, as an open page does.
    pub(super) fn events(&self) -> Events {
        self.events_at("/__dotwork/events")
    }

    /// Listens to the reload events as the page at `path` does (`/about/`).
    pub(super) fn events_for(&self, path: &str) -> Events {
        let encoded: String = path
            .bytes()
            .map(|b| if b == b'/' { "%2F".to_string() } else { (b as char).to_string() })
            .collect();
        self.events_at(&format!("/__dotwork/events?page={encoded}"))
    }

    fn events_at(&self, target: &str) -> Events {
        let mut stream = TcpStream::connect_timeout(&self.addr, PATIENCE).unwrap();
        stream.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes()).unwrap();
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

    /// Waits until the server's stderr contains `text`, for at most PATIENCE:
    /// the thread that collects it may lag behind what the server has sent.
    pub(super) fn wait_for_stderr(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stderr().contains(text) {
            assert!(Instant::now() < deadline, "stderr never showed {text:?}:\n{}", self.stderr());
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls `path` until its body contains `text`, for at most PATIENCE.
    pub(super) fn wait_for_content(&self, path: &str, text: &str) -> Response {
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
pub(super) fn first_url(stdout: ChildStdout) -> Option<String> {
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

pub(super) struct Response {
    pub(super) status: u16,
    headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
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

    pub(super) fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The build id the page's reload script carries.
    pub(super) fn build(&self) -> String {
        let text = self.text();
        let at = text.find("data-build=\"").expect("the reload script") + "data-build=\"".len();
        text[at..].split('"').next().unwrap().to_string()
    }
}

/// A stream of Server-Sent Events.
pub(super) struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next event named `name` (others are skipped), within PATIENCE.
    pub(super) fn wait_for(&mut self, name: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let (event, data) = self.next(deadline).unwrap_or_else(|| panic!("no `{name}` event in time"));
            if event == name {
                return data;
            }
        }
    }

    /// The next event, read as a browser reads it (a lone CR ends a line
    /// too), its data decoded from JSON as the page script does.
    fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
        let (mut event, mut data) = (String::new(), Vec::new());
        let mut raw = String::new();
        loop {
            stream_timeout(&self.reader, deadline.checked_duration_since(Instant::now())?);
            raw.clear();
            if self.reader.read_line(&mut raw).ok()? == 0 {
                return None;
            }
            let raw = raw.strip_suffix('\n').unwrap_or(&raw);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            for line in raw.split('\r') {
                if line.is_empty() && !event.is_empty() {
                    let data = data.join("\n");
                    let decoded = serde_json::from_str::<String>(&data).unwrap_or_else(|e| {
                        panic!("event {event} has data that is not one JSON string ({e}): {data:?}")
                    });
                    return Some((event, decoded));
                } else if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push(d.to_string());
                }
            }
        }
    }
}
