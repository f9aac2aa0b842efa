//! Host files (issue 12): `_headers` and `_redirects` parsed as Netlify and
//! Cloudflare Pages read them and checked against the built pages, the
//! policy in each page for GitHub Pages, fingerprinted stylesheets, and the
//! errors for `allow_origins` and for other websites the policy would block.

use std::collections::BTreeMap;

use crate::support::TestSite;

/// A rule of `_headers`: its path pattern and its headers.
#[derive(Debug)]
struct HeaderRule {
    path: String,
    headers: Vec<(String, String)>,
}

/// Parses `_headers` as the hosts do: a path line, then indented
/// `Name: value` lines; `#` starts a comment.
fn parse_headers(text: &str) -> Vec<HeaderRule> {
    let mut rules: Vec<HeaderRule> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
        if line.starts_with([' ', '\t']) {
            let (name, value) = line.trim().split_once(':').expect("a header line is `Name: value`");
            rules.last_mut().expect("a header under a path").headers.push((name.into(), value.trim().into()));
        } else {
            assert!(line.starts_with('/'), "a path line starts with /: {line}");
            rules.push(HeaderRule { path: line.trim().into(), headers: Vec::new() });
        }
    }
    rules
}

/// Whether rule path `pattern` (`*` matches anything) matches `address`.
fn matches(pattern: &str, address: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == address,
        Some((before, after)) => {
            address.len() >= before.len() + after.len()
                && address.starts_with(before)
                && address.ends_with(after)
        }
    }
}

/// The value of header `name` for `address`: every matching rule's, joined
/// with `, ` (Cloudflare Pages' merging).
fn header(rules: &[HeaderRule], address: &str, name: &str) -> Option<String> {
    let values: Vec<&str> = rules
        .iter()
        .filter(|r| matches(&r.path, address))
        .flat_map(|r| r.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// `_redirects`: (from, to, status), each line with its status written.
fn parse_redirects(text: &str) -> Vec<(String, String, u16)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "from, to and a status written out: {l}");
            (parts[0].to_string(), parts[1].to_string(), parts[2].parse().unwrap())
        })
        .collect()
}

/// The file a host answers `address` with.
fn file_of(address: &str) -> String {
    let rel = address.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() }
}

/// `'sha256-…'` of every inline executable script and style in `html`, found
/// here independently of dotwork's scanner (script elements without `src`
/// whose type is absent or JavaScript or module).
fn inline_hashes(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        let mut rest = html;
        while let Some(at) = rest.find(open) {
            let tag_end = at + rest[at..].find('>').unwrap() + 1;
            let tag = &rest[at..tag_end];
            let end = tag_end + rest[tag_end..].find(close).unwrap();
            let runs = !tag.contains(" src=")
                && (!tag.contains("type=") || tag.contains("type=\"module\"") || tag.contains("javascript"));
            if open == "<style" || runs {
                found.push(sha256_source(&rest[tag_end..end]));
            }
            rest = &rest[end..];
        }
    }
    found
}

/// `'sha256-…'` of `code`, the digest from the machine's `sha256sum`, so
/// the hashes are checked against another implementation than dotwork's.
fn sha256_source(code: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils)");
    child.stdin.take().unwrap().write_all(code.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hex = String::from_utf8(out.stdout).unwrap();
    let bytes: Vec<u8> =
        (0..64).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    format!("'sha256-{}'", base64(&bytes))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// A page whose markdown holds raw HTML with an inline script and style.
const RAW_SCRIPT: &str = "---\ntitle: Map\naliases: [/old-map/, /older/map/]\n---\nOur map.\n\n\
    <script>document.documentElement.dataset.map = \"on\";</script>\n\n\
    <style>.map { border: 1px solid; }</style>\n";

fn site_with_hosts(hosts: &str) -> TestSite {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nWelcome. See [the map](map.md).\n"),
        ("map.md", RAW_SCRIPT),
    ]);
    site.write(
        "site.yaml",
        &format!("title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\nhosts: [{hosts}]\n"),
    );
    site
}

#[test]
fn headers_and_redirects_match_the_built_pages() {
    let site = site_with_hosts("netlify, cloudflare-pages");
    site.build();
    let files = site.output_files();
    let rules = parse_headers(&site.read_output("_headers"));

    // Every fingerprinted stylesheet and script, and every image variant, is
    // kept for a year; no page is.
    let fingerprinted: Vec<&String> = files
        .iter()
        .filter(|f| {
            let parts: Vec<&str> = f.rsplitn(3, '.').collect();
            parts.len() == 3
                && matches!(parts[0], "css" | "js")
                && parts[1].len() == 10
                && parts[1].bytes().all(|b| b.is_ascii_hexdigit())
        })
        .collect();
    assert!(!fingerprinted.is_empty(), "{files:?}");
    for f in fingerprinted.iter().map(|f| format!("/{f}")).chain(["/_img/a-1234567890-480.avif".to_string()])
    {
        assert_eq!(
            header(&rules, &f, "Cache-Control").as_deref(),
            Some("public, max-age=31536000, immutable"),
            "{f}"
        );
    }
    let pages: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    for page in &pages {
        let address = format!("/{}", page.trim_end_matches("index.html"));
        assert_eq!(header(&rules, &address, "Cache-Control"), None, "{page}");
        // The security headers reach every page.
        for name in
            ["Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"]
        {
            assert!(header(&rules, &address, name).is_some(), "{name} for {address}");
        }
    }
    assert_eq!(header(&rules, "/", "Strict-Transport-Security").as_deref(), Some("max-age=31536000"));
    assert_eq!(
        header(&rules, "/", "Permissions-Policy").as_deref(),
        Some("camera=(), microphone=(), geolocation=(), payment=()")
    );

    // The policy allows every inline script and style of every page by hash,
    // and nothing inline otherwise.
    let csp = header(&rules, "/", "Content-Security-Policy").unwrap();
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "upgrade-insecure-requests",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let mut hashes = 0;
    for page in &pages {
        for hash in inline_hashes(&site.read_output(page)) {
            assert!(csp.contains(&hash), "{hash} of {page} in {csp}");
            hashes += 1;
        }
    }
    // The map page's raw-HTML script and style, and nothing for the JSON-LD.
    let map = site.read_output("map/index.html");
    assert!(map.contains("application/ld+json"));
    assert_eq!(inline_hashes(&map).len(), 2, "{map}");
    assert_eq!(hashes, 2);
    let script = sha256_source("document.documentElement.dataset.map = \"on\";");
    assert!(csp.contains(&format!("script-src 'self' {script}")), "{csp}");

    // Every alias is a 301 to a page that exists, with and without its
    // last slash; no alias page is written (Netlify would serve it instead).
    let redirects = parse_redirects(&site.read_output("_redirects"));
    let froms: Vec<&str> = redirects.iter().map(|(from, _, _)| from.as_str()).collect();
    assert_eq!(froms, ["/old-map", "/old-map/", "/older/map", "/older/map/"]);
    for (from, to, status) in &redirects {
        assert_eq!(*status, 301, "{from}");
        assert_eq!(to, "/map/");
        assert!(files.contains(&file_of(to)), "{to} exists");
    }
    assert!(!files.iter().any(|f| f.starts_with("old-map")), "{files:?}");
    // Header hosts need no policy in the pages.
    assert!(!map.contains("http-equiv=\"Content-Security-Policy\""));
}

#[test]
fn github_pages_gets_the_policy_in_each_page_and_no_host_files() {
    let site = site_with_hosts("github-pages");
    site.build();
    let files = site.output_files();
    assert!(!files.iter().any(|f| f == "_headers" || f == "_redirects"), "{files:?}");
    // The aliases stay pages that forward visitors.
    assert!(files.contains(&"old-map/index.html".to_string()), "{files:?}");
    for page in files.iter().filter(|f| f.ends_with(".html")) {
        let html = site.read_output(page);
        let head = &html[html.find("<head>").unwrap() + "<head>".len()..];
        // First in <head> after the encoding, before anything it governs.
        let first = head.trim_start().trim_start_matches("<meta charset=\"utf-8\">").trim_start();
        assert!(
            first.starts_with("<meta http-equiv=\"Content-Security-Policy\" content=\""),
            "{page}: {head}"
        );
        let policy = &first[first.find("content=\"").unwrap() + 9..];
        let policy = &policy[..policy.find('"').unwrap()];
        assert!(!policy.contains("frame-ancestors"), "a meta policy cannot carry it: {policy}");
        assert!(policy.contains("object-src 'none'"), "{policy}");
        // Each page's policy covers that page's own inline code.
        for hash in inline_hashes(&html) {
            assert!(policy.contains(&hash), "{page}: {hash} in {policy}");
        }
    }
    let map = site.read_output("map/index.html");
    assert_eq!(inline_hashes(&map).len(), 2);
}

#[test]
fn no_hosts_gets_every_host_file() {
    let site = site_with_hosts("");
    site.build();
    let files = site.output_files();
    for f in ["_headers", "_redirects", "old-map/index.html"] {
        assert!(files.contains(&f.to_string()), "{f} in {files:?}");
    }
    assert!(site.read_output("index.html").contains("http-equiv=\"Content-Security-Policy\""));
}

#[test]
fn the_theme_links_its_stylesheet_by_a_name_that_changes_with_it_and_the_plain_name_stays() {
    let site = site_with_hosts("netlify");
    site.build();
    let files = site.output_files();
    let css: Vec<&String> = files.iter().filter(|f| f.starts_with("style.") && f.ends_with(".css")).collect();
    assert_eq!(css.len(), 2, "style.css and its fingerprinted copy: {files:?}");
    let hashed = css.iter().find(|f| f.as_str() != "style.css").unwrap();
    assert_eq!(site.read_output(hashed), site.read_output("style.css"));
    assert!(site.read_output("index.html").contains(&format!("href=\"./{hashed}\"")));
    // A stylesheet of its own replaces the theme's, under its own hash.
    site.write("static/style.css", "body { color: black; }\n");
    site.build();
    let again = site.output_files();
    let hashed_again = again.iter().find(|f| f.starts_with("style.") && f.len() == hashed.len()).unwrap();
    assert_ne!(hashed_again, *hashed);
    assert!(site.read_output("index.html").contains(&format!("href=\"./{hashed_again}\"")));
}

#[test]
fn a_template_naming_a_stylesheet_that_does_not_exist_is_an_error_at_its_line() {
    let site = site_with_hosts("netlify");
    site.write(
        "templates/page.html",
        "<html><head>\n<link rel=\"stylesheet\" href=\"{{ asset_url(path='nope.css') }}\">\n</head></html>\n",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("templates/page.html:2:"), "{stderr}");
    assert!(stderr.contains("`nope.css` is no stylesheet or script"), "{stderr}");
}

#[test]
fn allow_origins_must_be_https_origins_without_a_path() {
    let cases: BTreeMap<&str, &str> = BTreeMap::from([
        ("http://book.example.com", "does not start with https://"),
        ("https://book.example.com/widget", "has a path after the site's name"),
        ("https://*.example.com", "has a wildcard"),
        ("book.example.com", "is not a web address"),
    ]);
    for (origin, problem) in cases {
        let site = site_with_hosts("netlify");
        site.write(
            "site.yaml",
            &format!(
                "title: Test Clinic\nbase_url: https://example.org/\nallow_origins:\n  - \"{origin}\"\n"
            ),
        );
        let stderr = site.build_fails();
        assert!(stderr.contains(&format!("error: allow_origins: `{origin}` {problem}")), "{stderr}");
        assert!(stderr.contains(" --> site.yaml:4:6"), "at the value: {stderr}");
        assert!(stderr.contains("https://booking.example.com"), "the help shows one: {stderr}");
    }
    // A good one, written with a last slash and capitals, is allowed as
    // browsers write it.
    let site = site_with_hosts("netlify");
    site.write(
        "site.yaml",
        "title: Test Clinic\nbase_url: https://example.org/\nhosts: [netlify]\nallow_origins: [\"https://Book.Example.com/\"]\n",
    );
    site.build();
    let csp = header(&parse_headers(&site.read_output("_headers")), "/", "Content-Security-Policy").unwrap();
    for directive in [
        "script-src 'self' https://book.example.com",
        "frame-src 'self' https://book.example.com",
        "form-action 'self' https://book.example.com",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
}

#[test]
fn a_page_loading_from_a_website_not_allowed_is_a_check_error_at_its_line() {
    let site = site_with_hosts("netlify");
    site.write(
        "content/map.md",
        "---\ntitle: Map\n---\nBook below.\n\n<iframe title=\"Booking\" src=\"https://book.example.com/embed\"></iframe>\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: the page shows a frame from https://book.example.com (`https://book.example.com/embed`), \
             which the site's Content-Security-Policy does not allow\n --> content/map.md:6:30"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("allow_origins: [\"https://book.example.com\"]"), "{}", run.stderr);
    // Allowed, it passes.
    site.write(
        "site.yaml",
        "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\nallow_origins: [\"https://book.example.com\"]\n",
    );
    let run = site.run(&["check"]);
    assert!(!run.stderr.contains("Content-Security-Policy does not allow"), "{}", run.stderr);
}
