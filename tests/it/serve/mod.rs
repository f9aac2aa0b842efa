//! `dotwork serve`, run as the real binary on a free port of 127.0.0.1.
//!
//! Every wait is bounded (a deadline, never a sleep-and-hope) and nothing
//! asserts on timing. The browser test needs Chromium and is `#[ignore]`d:
//! `cargo test --test it serve::browser -- --ignored`.

mod abuse;
#[cfg(unix)]
mod browser;
mod harness;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::TestSite;
use harness::{PATIENCE, Server, first_url};

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

/// The stylesheet the home page links, by its fingerprinted name.
fn linked_stylesheet(server: &Server) -> String {
    let home = server.get("/").text();
    let mark = "rel=\"stylesheet\" href=\"";
    let at = home.find(mark).unwrap() + mark.len();
    let href = &home[at..at + home[at..].find('"').unwrap()];
    href.trim_start_matches("./").to_string()
}

#[test]
fn a_stylesheet_edit_reloads_the_pages_with_its_new_name() {
    let site = small_site();
    site.write("static/style.css", "body { color: black; }\n");
    let server = Server::start(&site, &[]);
    let before = linked_stylesheet(&server);
    assert!(before.starts_with("style.") && before != "style.css", "{before}");
    assert_eq!(server.get(&format!("/{before}")).text(), "body { color: black; }\n");
    let mut events = server.events();
    events.wait_for("hello");
    site.write("static/style.css", "body { color: navy; }\n");
    events.wait_for("reload");
    let after = linked_stylesheet(&server);
    assert_ne!(after, before);
    assert_eq!(server.get(&format!("/{after}")).text(), "body { color: navy; }\n");
    assert_eq!(server.get(&format!("/{before}")).status, 404);
    assert_eq!(server.get("/style.css").text(), "body { color: navy; }\n");
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
    server.wait_for_stderr("content/about.md:2:");

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
        let response =
            server.raw(&format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
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

    let head = server.raw("HEAD /about/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
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
    let post = server.raw("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
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

#[test]
fn a_site_broken_from_the_start_is_served_with_its_errors() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: [Home\n---\nHi.\n")]);
    let server = Server::start(&site, &[]);
    let home = server.get("/");
    assert_eq!(home.status, 404);
    assert!(home.text().contains("/__dotwork/livereload.js"), "{}", home.text());
    let mut events = server.events();
    events.wait_for("hello");
    assert!(events.wait_for("errors").contains("content/index.md:2:"));
    site.write("content/index.md", &page("Home", "Hi."));
    events.wait_for("reload");
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn drafts_are_served_only_when_asked() {
    let site = small_site();
    site.write("content/soon.md", "---\ntitle: Soon\ndraft: true\n---\nNot yet.\n");
    assert_eq!(Server::start(&site, &[]).get("/soon/").status, 404);
    assert_eq!(Server::start(&site, &["--drafts"]).get("/soon/").status, 200);
}

#[cfg(target_os = "linux")]
#[test]
fn open_hands_the_address_to_the_desktop() {
    use std::os::unix::fs::PermissionsExt as _;
    let site = small_site();
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened");
    let opener = bin.path().join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let mut child = Command::new(env!("CARGO_BIN_EXE_dotwork"))
        .args(["serve", "--port", "0", "--open"])
        .current_dir(site.root())
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = first_url(child.stdout.take().unwrap());
    let deadline = Instant::now() + PATIENCE;
    let mut seen = String::new();
    while Instant::now() < deadline {
        seen = std::fs::read_to_string(&opened).unwrap_or_default();
        if !seen.is_empty() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.trim(), url.unwrap());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_and_leaves_nothing_behind() {
    use std::os::unix::process::ExitStatusExt as _;
    let site = small_site();
    let listing = |dir: &std::path::Path| {
        let mut names: Vec<_> =
            walkdir::WalkDir::new(dir).into_iter().map(|e| e.unwrap().into_path()).collect();
        names.sort();
        names
    };
    let before = listing(site.root());
    let mut server = Server::start(&site, &[]);
    assert_eq!(server.get("/").status, 200);
    // A child of a runner that ignores Ctrl-C (a background job) ignores it too.
    let ignored = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("SigIgn:").map(|m| m.trim().to_string())))
        .and_then(|mask| u64::from_str_radix(&mask, 16).ok())
        .is_some_and(|mask| mask & 0b10 != 0);
    if ignored {
        eprintln!("SKIPPED: this test runs with Ctrl-C (SIGINT) ignored");
        return;
    }
    Command::new("kill").args(["-s", "INT", &server.child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.signal(), Some(2), "{status:?}");
    assert_eq!(listing(site.root()), before);
}

#[test]
fn a_language_on_its_own_domain_is_previewed_under_its_folder() {
    // serve has one address: Spanish, whose own domain is clinica.test, is
    // shown under /es/ as on a site with one domain, links and all.
    let site = crate::languages::spanish_on_its_own_domain();
    let server = Server::start(&site, &[]);
    let es = server.get("/es/riesgos/");
    assert_eq!(es.status, 200, "{}", server.stderr());
    let html = es.text();
    assert!(
        html.contains("<a href=\"../../risks/\" hreflang=\"en-GB\" lang=\"en-GB\">English</a>"),
        "{html}"
    );
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{}es/riesgos/\">", server.url)), "{html}");
    assert!(!html.contains("clinica.test"), "{html}");
    assert_eq!(server.get("/risks/").status, 200);
}

/// Issue 16: after a template edit, the pages open in a browser are rendered,
/// served and reloaded first, and the rest follows; every page served is
/// the new version, and once all is rendered the site is the one a fresh
/// server builds.
#[test]
fn a_template_edit_reloads_the_open_page_first_and_ends_as_a_full_build() {
    let mut pages: Vec<(String, String)> =
        (0..120).map(|i| (format!("p{i:03}.md"), format!("---\ntitle: P{i}\n---\nText {i}.\n"))).collect();
    pages.push(("index.md".to_string(), page("Home", "Hi.")));
    let borrowed: Vec<(&str, &str)> = pages.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let site = TestSite::with_pages(&borrowed);
    site.write("templates/page.html", "<p class=old>{{ page.title }}</p>");
    let server = Server::start(&site, &[]);
    let mut events = server.events_for("/p117/");
    let build = events.wait_for("hello");
    site.write("templates/page.html", "<p class=new>{{ page.title }}</p>");
    let reloaded = events.wait_for("reload");
    assert_ne!(reloaded, build);
    server.wait_for_stderr("open pages rendered first");
    let open = server.get("/p117/");
    assert!(open.text().starts_with("<p class=new>P117</p>"), "{}", open.text());
    assert_eq!(open.build(), reloaded);
    // Another page, asked for at once, whether rendered yet or not: new.
    assert!(server.get("/p003/").text().starts_with("<p class=new>P3</p>"));
    // The first build, then this one.
    let deadline = Instant::now() + PATIENCE;
    while server.stderr().matches("rebuilt in").count() < 2 {
        assert!(Instant::now() < deadline, "the rest never finished:\n{}", server.stderr());
        thread::sleep(Duration::from_millis(20));
    }
    // The whole site published under the same build: no second reload.
    let same = server.get("/p050/");
    assert!(same.text().starts_with("<p class=new>P50</p>"));
    assert_eq!(same.build(), reloaded);

    // Every page as a server started afresh on the edited site serves it.
    let fresh = Server::start(&site, &[]);
    let paths: Vec<String> = (0..120)
        .map(|i| format!("/p{i:03}/"))
        .chain(["/", "/sitemap.xml", "/404.html", "/robots.txt"].map(String::from))
        .collect();
    let normal = |server: &Server, response: &harness::Response| {
        let text = response.text().replace(&server.url, "URL");
        if text.contains("data-build=\"") { text.replace(&response.build(), "BUILD") } else { text }
    };
    for path in &paths {
        let (ours, theirs) = (server.get(path), fresh.get(path));
        assert_eq!(ours.status, theirs.status, "{path}");
        assert_eq!(normal(&server, &ours), normal(&fresh, &theirs), "{path}");
    }
    drop(events);
}
