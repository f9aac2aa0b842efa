//! What the load stage reads and copies (issue 9): nothing outside the site
//! folder, never a pipe or device, hidden files of the owner's but not
//! clutter; and every output path claimed once, the same in build and check.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, TestSite};

/// A string that appears only in files outside the site.
const SECRET: &str = "SECRET-4f1c9a-never-publish";

fn page(title: &str) -> String {
    format!("---\ntitle: {title}\n---\nSome text.\n")
}

fn home() -> TestSite {
    TestSite::with_pages(&[("index.md", &page("Home"))])
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, site: &TestSite, rel: &str) {
    let at = site.path(rel);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// The `error:` lines and `-->` pointers of a run, sorted.
fn errors(run: &Run) -> Vec<String> {
    let mut lines: Vec<String> = run
        .stderr
        .lines()
        .map(str::trim)
        .filter(|l| (l.starts_with("error:") || l.starts_with("-->")) && !l.ends_with("in the site"))
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

/// `build` and `check` both fail, with the same errors; returns build's stderr.
fn build_and_check_fail(site: &TestSite) -> String {
    let stderr = site.build_fails();
    let check = site.run(&["check"]);
    assert_eq!(check.code, 1, "check should fail too:\n{}", check.stderr);
    let build = Run { code: 1, stdout: String::new(), stderr: stderr.clone() };
    assert_eq!(errors(&build), errors(&check), "build:\n{stderr}\ncheck:\n{}", check.stderr);
    stderr
}

/// Runs `dotwork ARGS` in the site, killing it and failing after 20 s.
fn run_bounded(site: &TestSite, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dotwork"))
        .args(args)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("dotwork {args:?} hung (killed after 20 s)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Run::from(child.wait_with_output().unwrap())
}

/// Every byte under `dir` (which may not exist).
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            bytes.extend(fs::read(entry.path()).unwrap());
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[cfg(unix)]
#[test]
fn links_that_leave_the_site_are_errors_and_nothing_outside_is_published() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    fs::write(&secret, SECRET).unwrap();
    fs::create_dir(outside.path().join("folder")).unwrap();
    fs::write(outside.path().join("folder/notes.md"), format!("---\ntitle: {SECRET}\n---\n{SECRET}"))
        .unwrap();
    fs::create_dir_all(outside.path().join("theme/templates")).unwrap();
    fs::write(outside.path().join("theme/templates/page.html"), SECRET).unwrap();

    let site = home();
    link(&secret, &site, "static/passwd");
    link(outside.path().join("folder"), &site, "static/shared");
    link(outside.path().join("folder"), &site, "content/shared");
    link(&secret, &site, "content/leak.md");
    link(&secret, &site, "content/photo.jpg");
    link(&secret, &site, "content/references.yaml");
    link(&secret, &site, "templates/page.html");
    // A relative link that climbs out.
    let up = "../".repeat(site.root().components().count());
    let climb = Path::new(&up).join(secret.strip_prefix("/").unwrap());
    link(&climb, &site, "static/climb.txt");

    let stderr = build_and_check_fail(&site);
    for (link, target) in [
        ("static/passwd", secret.display().to_string()),
        ("static/shared", outside.path().join("folder").display().to_string()),
        ("content/shared", outside.path().join("folder").display().to_string()),
        ("content/leak.md", secret.display().to_string()),
        ("content/photo.jpg", secret.display().to_string()),
        ("content/references.yaml", secret.display().to_string()),
        ("templates/page.html", secret.display().to_string()),
        ("static/climb.txt", climb.display().to_string()),
    ] {
        assert!(stderr.contains(&format!("--> {link}\n")), "{link} not named:\n{stderr}");
        assert!(
            stderr.contains(&format!("this link points outside the site folder, to {target}")),
            "{link} -> {target} not named:\n{stderr}"
        );
    }
    assert!(!stderr.contains(SECRET), "{stderr}");
    assert!(!contains(&all_bytes(&site.path("public")), SECRET));

    // A theme folder that is a link out, and site.yaml itself.
    let site = home();
    site.write("site.yaml", "title: Test Clinic\nbase_url: https://example.org/\ntheme: shared\n");
    link(outside.path().join("theme"), &site, "themes/shared");
    let stderr = build_and_check_fail(&site);
    assert!(stderr.contains("--> themes/shared\n"), "{stderr}");
    let site = home();
    fs::write(outside.path().join("site.yaml"), format!("title: {SECRET}\nbase_url: https://example.org/\n"))
        .unwrap();
    fs::remove_file(site.path("site.yaml")).unwrap();
    link(outside.path().join("site.yaml"), &site, "site.yaml");
    let stderr = site.build_fails();
    assert!(stderr.contains("--> site.yaml\n"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_environment_of_the_process_is_never_published() {
    let site = home();
    link("/proc/self/environ", &site, "static/env.txt");
    link("/proc/self", &site, "static/proc");
    let run = site.run_with_env(&["build"], &[("DOTWORK_TEST_SECRET", SECRET)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--> static/env.txt\n"), "{}", run.stderr);
    assert!(run.stderr.contains("to /proc/self/environ"), "{}", run.stderr);
    assert!(run.stderr.contains("--> static/proc\n"), "{}", run.stderr);
    assert!(!run.stderr.contains(SECRET));
    assert!(!contains(&all_bytes(&site.path("public")), SECRET));
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_are_never_opened_and_do_not_hang() {
    let outside = tempfile::tempdir().unwrap();
    let site = home();
    let mkfifo = |path: &Path| {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
    };
    // A pipe in the site, a page linked to a pipe in the site, a pipe outside.
    mkfifo(&site.path("static/feed"));
    mkfifo(&site.path("pipes/page"));
    link("../pipes/page", &site, "content/piped.md");
    link("../pipes/page", &site, "templates/base.html");
    mkfifo(&outside.path().join("pipe"));
    link(outside.path().join("pipe"), &site, "static/outside-pipe");
    link("/dev/zero", &site, "static/zero.bin");
    if Path::new("/proc/kmsg").exists() {
        link("/proc/kmsg", &site, "static/kmsg.txt");
    }
    for command in ["build", "check"] {
        let run = run_bounded(&site, &[command]);
        assert_eq!(run.code, 1, "{command}:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        for (at, why) in [
            ("static/feed", "this is a named pipe, not a file dotwork can read"),
            ("content/piped.md", "this is a named pipe"),
            ("templates/base.html", "this is a named pipe"),
            ("static/outside-pipe", "this link points outside the site folder"),
            ("static/zero.bin", "this link points outside the site folder, to /dev/zero"),
        ] {
            let expected = format!("error: {why}");
            let named = run.stderr.contains(&format!("--> {at}\n"));
            assert!(named && run.stderr.contains(&expected), "{command}: {at}: {why}:\n{}", run.stderr);
        }
    }
}

#[cfg(unix)]
#[test]
fn links_inside_the_site_are_followed() {
    let site = home();
    site.write("assets/logo.svg", "<svg/>");
    site.write("shared/team.md", &page("Team"));
    site.write("shared/team.jpg", "jpeg");
    site.write("layouts/page.html", "linked template {{ page.title }}");
    link("../assets/logo.svg", &site, "static/logo.svg");
    link("../shared", &site, "content/people");
    link("../layouts/page.html", &site, "templates/page.html");
    site.build();
    assert_eq!(site.read_output("logo.svg"), "<svg/>");
    assert_eq!(site.read_output("people/team.jpg"), "jpeg");
    assert_eq!(site.read_output("people/team/index.html"), "linked template Team");
    assert!(fs::symlink_metadata(site.path("public/logo.svg")).unwrap().file_type().is_file());
}

#[test]
fn hidden_files_are_copied_and_clutter_is_not() {
    let site = home();
    for owned in
        ["static/.well-known/security.txt", "static/.nojekyll", "static/_headers", "static/.htaccess"]
    {
        site.write(owned, "mine");
    }
    site.write("content/care/.well-known/x.txt", "beside a page");
    for clutter in [
        "static/.DS_Store",
        "static/Thumbs.db",
        "static/desktop.ini",
        "static/.git/config",
        "static/.gitignore",
        "static/.svn/entries",
        "static/style.css~",
        "static/#style.css#",
        "static/.#style.css",
        "static/.style.css.swp",
        "static/._logo.png",
        "content/.DS_Store",
        "content/.about.md.swp",
    ] {
        site.write(clutter, "clutter");
    }
    // Hidden markdown files are the owner's notes: not pages, not copied.
    site.write("content/.notes.md", "no front matter at all");
    site.write("content/.drafts/plan.md", "no front matter at all");
    site.write("templates/.page.html.bak", "{% broken");
    site.build();
    let files = site.output_files();
    let style = files.iter().find(|f| f.starts_with("style.") && *f != "style.css").expect("fingerprinted");
    assert!(style.len() == "style.css".len() + 11 && style.ends_with(".css"), "{style}");
    let mut expected = [
        ".dotwork-output",
        ".htaccess",
        ".nojekyll",
        ".well-known/security.txt",
        "404.html",
        // The site's own `_headers` replaces dotwork's (issue 12); `_redirects` is dotwork's.
        "_headers",
        "_redirects",
        // The clinic theme's heading-anchor icon, drawn by its stylesheet.
        "anchor.svg",
        "care/.well-known/x.txt",
        "favicon.svg",
        "index.html",
        "robots.txt",
        "sitemap.xml",
        // The theme's stylesheet, also under its fingerprinted name.
        style.as_str(),
        "style.css",
    ];
    // Where the fingerprinted name sorts depends on the stylesheet's hash.
    expected.sort_unstable();
    assert_eq!(files, expected);
}

#[test]
fn the_owners_robots_txt_sitemap_and_404_win() {
    let site = home();
    site.write("static/robots.txt", "User-agent: *\nDisallow: /private/\n");
    site.write("static/sitemap.xml", "<urlset>mine</urlset>");
    site.write("static/404.html", "my own 404");
    site.build();
    assert_eq!(site.read_output("robots.txt"), "User-agent: *\nDisallow: /private/\n");
    assert_eq!(site.read_output("sitemap.xml"), "<urlset>mine</urlset>");
    assert_eq!(site.read_output("404.html"), "my own 404");
    let check = site.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn two_outputs_at_one_path_are_errors_in_build_and_check() {
    // An alias onto a static file; the old build said "Is a directory" for
    // an alias onto a static file's folder.
    let site = TestSite::with_pages(&[
        ("index.md", &page("Home")),
        ("care.md", "---\ntitle: Care\naliases: [\"/old.html\", \"/files/\"]\n---\n"),
    ]);
    site.write("static/old.html", "mine");
    site.write("static/files", "a file, not a folder");
    let stderr = build_and_check_fail(&site);
    assert!(
        stderr.contains("error: alias `/old.html` and static/old.html would both be written to old.html"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: alias `/files/` needs a folder files/, but static/files is a file of that name"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/care.md:3:"), "points at the aliases line: {stderr}");

    // A page and a static file; a file beside a page and a static file;
    // a static file where a page needs a folder.
    let site = TestSite::with_pages(&[("index.md", &page("Home")), ("about.md", &page("About"))]);
    site.write("static/index.html", "mine");
    site.write("static/photo.jpg", "one");
    site.write("content/photo.jpg", "two");
    site.write("static/about", "a file");
    let stderr = build_and_check_fail(&site);
    for expected in [
        "error: the page content/index.md and static/index.html would both be written to index.html",
        "error: static/photo.jpg and content/photo.jpg would both be written to photo.jpg",
        "error: the page content/about.md needs a folder about/, but static/about is a file of that name",
    ] {
        assert!(stderr.contains(expected), "{expected}:\n{stderr}");
    }
    assert!(!site.path("public").exists());
}

#[test]
fn a_missing_content_folder_is_an_error_and_keeps_the_old_site() {
    let site = home();
    site.build();
    let before = site.read_output("index.html");
    fs::rename(site.path("content"), site.path("pages")).unwrap();
    let stderr = build_and_check_fail(&site);
    assert!(stderr.contains("error: there is no content folder in"), "{stderr}");
    assert!(stderr.contains("--> content\n"), "{stderr}");
    assert!(stderr.contains("help: the pages go in a folder named content"), "{stderr}");
    assert_eq!(site.read_output("index.html"), before);

    site.write("content", "a file");
    let stderr = site.build_fails();
    assert!(stderr.contains("is not a folder"), "{stderr}");
}

/// Kills the child when dropped, so a failed assertion leaves no server.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn serve_answers_nothing_from_outside_the_site() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;

    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), SECRET).unwrap();
    let site = home();
    link(outside.path().join("secret.txt"), &site, "static/passwd");
    link(outside.path(), &site, "static/outside");
    let mut server = Killed(
        Command::new(env!("CARGO_BIN_EXE_dotwork"))
            .args(["serve", "--port", "0"])
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = server.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = server.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(30)).expect("serve printed no address");
    let authority = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut answers = Vec::new();
    for path in ["/", "/passwd", "/outside/secret.txt", "/static/passwd", "/%2e%2e/secret.txt"] {
        let mut stream = TcpStream::connect(&authority).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        assert!(!answer.is_empty(), "no answer to {path}");
        answers.push((path, answer));
    }
    for (path, answer) in &answers {
        assert!(!contains(answer, SECRET), "{path} answered with the secret");
    }
    // The site is reported with its error, which names the link.
    drop(server);
    let mut errors = String::new();
    stderr.read_to_string(&mut errors).unwrap();
    assert!(errors.contains("--> static/passwd\n"), "{errors}");
    assert!(!errors.contains(SECRET), "{errors}");
}

/// The cache folder is dotwork's own: it writes and removes files there. A
/// `.dotwork` (or a folder in it) that links out of the site is refused by
/// `build` and `check` before anything is read or removed there; one that
/// links inside the site is followed.
#[cfg(unix)]
#[test]
fn a_cache_folder_that_links_out_of_the_site_is_an_error_and_left_alone() {
    for rel in [".dotwork", ".dotwork/cache", ".dotwork/cache/img"] {
        let outside = tempfile::tempdir().unwrap();
        let theirs = [Path::new("cache/build/old.spare/index.html"), Path::new("cache/img/holiday.jpg")];
        // The same files, wherever in them the link lands.
        let depth = rel.matches('/').count();
        let mut files: Vec<PathBuf> = theirs
            .iter()
            .map(|f| f.components().skip(depth).collect::<PathBuf>())
            .filter(|f| !f.as_os_str().is_empty())
            .collect();
        files.sort();
        for f in &files {
            fs::create_dir_all(outside.path().join(f).parent().unwrap()).unwrap();
            fs::write(outside.path().join(f), SECRET).unwrap();
        }
        let site = home();
        site.write("static/photo.jpg", "not really a photo");
        link(outside.path(), &site, rel);
        let stderr = build_and_check_fail(&site);
        assert!(stderr.contains(&format!("--> {rel}")), "{rel}:\n{stderr}");
        assert!(stderr.contains("points outside the site folder"), "{rel}:\n{stderr}");
        let mut left: Vec<PathBuf> = walkdir::WalkDir::new(outside.path())
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(outside.path()).unwrap().to_path_buf())
            .collect();
        left.sort();
        assert_eq!(left, files, "{rel}: files outside the site were added or removed");
    }
    // Inside the site, a link is followed.
    let site = home();
    fs::create_dir(site.path("kept")).unwrap();
    link("kept", &site, ".dotwork");
    site.build();
    assert!(site.path("kept/cache/build").is_dir());
}
