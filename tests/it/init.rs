//! `dotwork init` and `dotwork new`: a new site that builds and checks
//! clean but for its placeholders; the deploy file of each host; the
//! questions on a terminal; folders that are not empty; new pages.

use std::fs;
use std::path::Path;

use crate::support::{Run, TestSite};

const FLAGS: &[&str] = &[
    "--yes",
    "--name",
    "Smith: \"Scalp\" # Clinic",
    "--phone",
    "+44 20 7946 0000",
    "--street",
    "1 High Street",
    "--town",
    "Exampleton",
    "--postcode",
    "XX1 1XX",
    "--booking-url",
    "https://book.example.org/smith",
    "--language",
    "en-GB",
    "--host",
    "netlify",
    "--base-url",
    "https://www.example.org/",
];

/// `dotwork init site ARGS` in a new temporary folder.
fn init(args: &[&str]) -> (TestSite, Run) {
    let tmp = TestSite::empty();
    let mut all = vec!["init", "site"];
    all.extend_from_slice(args);
    let run = tmp.run(&all);
    (tmp, run)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir`, sorted, with `/` separators.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    files.sort();
    files
}

/// Runs `dotwork ARGS` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dotwork"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DOTWORK_LOG")
        .output()
        .unwrap();
    Run::from(output)
}

/// The error lines (`error: ...`) of a check's report.
fn errors(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("error: ")).collect()
}

/// Fills in every placeholder as an owner would: each note line above a
/// setting is deleted, each placeholder in text becomes words (in the
/// site's files, not in dotwork's cache).
fn fill_in(dir: &Path) {
    for file in files_under(dir).into_iter().filter(|f| !f.starts_with(".dotwork/")) {
        let path = dir.join(&file);
        let text = read(&path);
        if !text.contains("[[REPLACE") {
            continue;
        }
        let mut out = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("# [[REPLACE") {
                continue;
            }
            let mut line = line.to_string();
            while let Some(at) = line.find("[[REPLACE") {
                let end = line[at..].find("]]").unwrap() + at + 2;
                line.replace_range(at..end, "We are a small clinic in the town centre");
            }
            out.push_str(&line);
            out.push('\n');
        }
        fs::write(&path, out).unwrap();
    }
}

#[test]
fn a_flag_only_site_builds_and_checks_clean_but_for_its_placeholders() {
    let (tmp, run) = init(FLAGS);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = tmp.path("site");
    assert!(run.stdout.contains("Made a new clinic website in site: 13 files."), "{}", run.stdout);
    assert!(run.stdout.contains("To publish on Netlify"), "{}", run.stdout);

    // The name with a colon, quotes and a hash reads back as it was given.
    let config = dotwork::config::parse_config(&read(&site.join("site.yaml"))).unwrap();
    assert_eq!(config.title, "Smith: \"Scalp\" # Clinic");
    assert_eq!(config.clinic.name, "Smith: \"Scalp\" # Clinic");
    assert_eq!(config.clinic.address.country, "United Kingdom");
    assert_eq!(config.hosts, [dotwork::config::Host::Netlify]);
    assert_eq!(
        read(&site.join(".gitignore")),
        "# The built site: made again by \"dotwork build\".\n/public/\n# dotwork's caches (processed photos, the last builds): made again when missing.\n/.dotwork/\n"
    );

    // The build is the preview: it succeeds and lists the placeholders as warnings.
    let build = run_in(&site, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.stderr.contains("warning: placeholder to replace: a few sentences about your clinic"),
        "{}",
        build.stderr
    );
    let home = read(&site.join("public/index.html"));
    assert!(home.contains("Smith: &quot;Scalp&quot; # Clinic"), "the name, escaped");
    assert!(
        home.contains("[[REPLACE: a few sentences about your clinic"),
        "placeholders show in the preview"
    );

    // check fails on the placeholders and on nothing else.
    let check = run_in(&site, &["check", "--strict"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let found = errors(&check.stderr);
    assert!(!found.is_empty());
    for line in &found {
        assert!(
            line.starts_with("error: placeholder to replace: ")
                || line.starts_with("error: setting to confirm: "),
            "not a placeholder: {line}\n{}",
            check.stderr
        );
    }
    assert!(!check.stderr.contains("warning:"), "{}", check.stderr);

    // Filled in, the site passes the strict check.
    fill_in(&site);
    let check = run_in(&site, &["check", "--strict"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn each_host_gets_its_deploy_file() {
    let installer = format!(
        "https://github.com/dotwork-ssg/dotwork/releases/download/v{}/dotwork-installer.sh",
        env!("CARGO_PKG_VERSION")
    );
    let tmp = TestSite::empty();
    for host in ["github-pages", "netlify", "cloudflare-pages", "other"] {
        let run = tmp.run(&["init", host, "--yes", "--host", host]);
        assert_eq!(run.code, 0, "{host}: {}", run.stderr);
        let dir = tmp.path(host);
        let yaml = read(&dir.join("site.yaml"));
        assert!(yaml.contains(&format!("\nhosts: [{host}]\n")), "{host}");
        let files = files_under(&dir);
        let deploy: Vec<&String> = files
            .iter()
            .filter(|f| !f.starts_with("content/") && *f != "site.yaml" && *f != ".gitignore")
            .collect();
        match host {
            "github-pages" => {
                assert_eq!(deploy, [".github/workflows/pages.yml"]);
                let text = read(&dir.join(".github/workflows/pages.yml"));
                let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
                assert_eq!(workflow["permissions"]["contents"], "read");
                assert_eq!(workflow["permissions"]["pages"], "write");
                assert_eq!(workflow["permissions"]["id-token"], "write");
                assert_eq!(workflow["concurrency"]["group"], "pages");
                let steps = workflow["jobs"]["build"]["steps"].as_sequence().unwrap();
                let upload = steps
                    .iter()
                    // v5 is the first version that has include-hidden-files.
                    .find(|s| s["uses"] == "actions/upload-pages-artifact@v5")
                    .unwrap();
                assert_eq!(upload["with"]["path"], "public");
                assert_eq!(upload["with"]["include-hidden-files"], true);
                let install = steps.iter().find(|s| s["name"] == "Install dotwork").unwrap();
                assert!(install["run"].as_str().unwrap().contains(&installer), "{text}");
                let deploy_steps = workflow["jobs"]["deploy"]["steps"].as_sequence().unwrap();
                assert!(deploy_steps[0]["uses"].as_str().unwrap().starts_with("actions/deploy-pages@"));
                assert!(run.stdout.contains("Settings > Pages"), "{}", run.stdout);
            }
            "netlify" => {
                assert_eq!(deploy, ["netlify.toml"]);
                let text = read(&dir.join("netlify.toml"));
                assert!(text.contains("\n  publish = \"public\"\n"), "{text}");
                let command = text.lines().find(|l| l.trim_start().starts_with("command = ")).unwrap();
                assert!(
                    command.contains(&installer) && command.ends_with("/dotwork\\\" build\""),
                    "{command}"
                );
            }
            "cloudflare-pages" => {
                assert_eq!(deploy, ["cloudflare-build.sh"]);
                let text = read(&dir.join("cloudflare-build.sh"));
                assert!(text.contains(&installer) && text.ends_with("/dotwork\" build\n"), "{text}");
                assert!(run.stdout.contains("`sh cloudflare-build.sh`"), "{}", run.stdout);
            }
            _ => {
                assert!(deploy.is_empty(), "{deploy:?}");
                assert!(run.stdout.contains("upload everything in the public folder"), "{}", run.stdout);
            }
        }
    }
}

#[test]
fn a_folder_that_is_not_empty_is_refused_and_left_as_it_was() {
    let tmp = TestSite::empty();
    tmp.write("site/notes.txt", "mine\n");
    let run = tmp.run(&["init", "site", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the folder site is not empty (it holds `notes.txt`)"), "{}", run.stderr);
    assert_eq!(files_under(&tmp.path("site")), ["notes.txt"]);
    assert_eq!(read(&tmp.path("site/notes.txt")), "mine\n");

    // A folder with only a repository in it takes a site.
    fs::create_dir_all(tmp.path("repo/.git")).unwrap();
    let run = tmp.run(&["init", "repo", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(tmp.path("repo/site.yaml").is_file());
}

#[test]
fn a_bad_flag_is_a_usage_error_naming_why() {
    let (tmp, run) = init(&["--yes", "--phone", "0800 FLOWERS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot be dialled from a link"), "{}", run.stderr);
    assert!(!tmp.path("site").exists());
}

/// The questions, answered through a pseudo-terminal: util-linux `script`
/// runs init on one, so it sees a terminal, and passes our input to it.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_it_asks_and_asks_again_after_a_wrong_answer() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let tmp = TestSite::empty();
    let command = format!("{} init site", env!("CARGO_BIN_EXE_dotwork"));
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(tmp.root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the questions on a pseudo-terminal");
    // Name, language, a phone number that cannot be dialled and then a good
    // one, street, town, postcode, country (the default), booking page, host.
    let answers = "Ng: \"Hair\" Clinic\nen-GB\n0800 FLOWERS\n+44 161 496 0000\n2 Low Road\nManchester\nM1 1AA\n\nhttps://book.example.org/ng\n3\n";
    child.stdin.take().unwrap().write_all(answers.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(shown.contains("Clinic name [Site]: "), "{shown}");
    assert!(shown.contains("That cannot be used: cannot be dialled from a link"), "{shown}");
    assert!(shown.contains("Address: country [United Kingdom]: "), "{shown}");
    let config = dotwork::config::parse_config(&read(&tmp.path("site/site.yaml"))).unwrap();
    assert_eq!(config.clinic.name, "Ng: \"Hair\" Clinic");
    assert_eq!(config.clinic.phone, "+44 161 496 0000");
    assert_eq!(config.clinic.address.locality, "Manchester");
    assert_eq!(config.clinic.address.country, "United Kingdom");
    assert_eq!(config.clinic.booking_url, "https://book.example.org/ng");
    assert_eq!(config.hosts, [dotwork::config::Host::CloudflarePages]);
    assert!(tmp.path("site/cloudflare-build.sh").is_file());
}

#[test]
fn new_page_writes_a_draft_that_builds_and_never_overwrites() {
    let (tmp, run) = init(&["--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = tmp.path("site");
    let run = run_in(&site, &["new", "page", "Hair loss FAQ", "--medical"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Wrote content/hair-loss-faq.md\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("dotwork serve --drafts\nand open http://127.0.0.1:1111/hair-loss-faq/\n"),
        "{}",
        run.stdout
    );
    let page = read(&site.join("content/hair-loss-faq.md"));
    assert!(page.starts_with("---\ntitle: \"Hair loss FAQ\"\n"), "{page}");
    assert!(page.contains("\ndraft: true\n") && page.contains("\nreviewed_by: reviewer\n"), "{page}");

    let build = run_in(&site, &["build", "--drafts"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(site.join("public/hair-loss-faq/index.html").is_file());
    assert!(build.stderr.contains("content/hair-loss-faq.md"), "its placeholders warn: {}", build.stderr);

    let again = run_in(&site, &["new", "page", "hair-loss-faq"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("content/hair-loss-faq.md already exists"), "{}", again.stderr);
    assert_eq!(read(&site.join("content/hair-loss-faq.md")), page);

    for bad in ["../x", "/tmp/x", "a/../../x"] {
        let run = run_in(&site, &["new", "page", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("cannot be a page's name"), "{bad}: {}", run.stderr);
    }
    assert!(!tmp.path("x.md").exists() && !tmp.path("site/x.md").exists());

    let article = run_in(&site, &["new", "article", "Open on Saturdays"]);
    assert_eq!(article.code, 0, "{}", article.stderr);
    assert!(site.join("content/news/open-on-saturdays.md").is_file());
    let build = run_in(&site, &["build", "--drafts"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(site.join("public/news/open-on-saturdays/index.html").is_file());
}

#[test]
fn new_needs_a_site() {
    let run = TestSite::empty().run(&["new", "page", "About us"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no site.yaml in ."), "{}", run.stderr);
    let run =
        TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\n")]).run(&["new", "article", "Hello"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the site has no news section"), "{}", run.stderr);
}

#[test]
fn check_reports_each_kind_of_placeholder_and_build_warns() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home of the clinic\n---\n\nWe are [[REPLACE: who you are]].\n"),
        (
            "about.md",
            "---\ntitle: About the clinic\n# [[REPLACE: the date of the review]]\ndate: 2026-01-01\n---\n\nCall [[REPLACE: phone\n",
        ),
        ("draft.md", "---\ntitle: A draft page\ndraft: true\n---\n\n[[REPLACE: text]]\n"),
    ]);
    site.write(
        "site.yaml",
        "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\nclinic:\n  name: \"[[REPLACE: the clinic's name]]\"\n",
    );
    let check = site.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    // Each error and the place below it.
    let lines: Vec<&str> = check.stderr.lines().collect();
    let found: Vec<&str> =
        lines.windows(2).filter(|w| w[0].starts_with("error: ")).flat_map(|w| [w[0], w[1].trim()]).collect();
    assert_eq!(
        found,
        [
            "error: setting to confirm: the date of the review",
            "--> content/about.md:3:3",
            "error: a placeholder [[REPLACE: ...]] with no ]] at its end",
            "--> content/about.md:7:6",
            "error: placeholder to replace: who you are",
            "--> content/index.md:5:8",
            "error: placeholder to replace: the clinic's name",
            "--> site.yaml:5:10",
        ],
        "{}",
        check.stderr
    );
    assert!(
        check
            .stderr
            .contains("help: write your own text in place of the whole [[REPLACE: ...]], brackets included"),
        "{}",
        check.stderr
    );
    // The draft is not published, so its placeholder does not count...
    assert!(!check.stderr.contains("draft.md"), "{}", check.stderr);
    // ...until drafts are checked too.
    assert!(site.run(&["check", "--drafts"]).stderr.contains("content/draft.md:6:1"));

    let build = site.build();
    assert_eq!(build.stderr.matches("warning: placeholder to replace").count(), 2, "{}", build.stderr);
    assert!(build.stderr.contains("warning: setting to confirm"), "{}", build.stderr);
}

#[test]
fn the_help_offers_init_and_new() {
    let run = TestSite::empty().run(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("init   Start a new clinic website in a folder"), "{}", run.stdout);
    assert!(run.stdout.contains("new    Add a page or a news article"), "{}", run.stdout);
    let run = TestSite::empty().run(&["init", "--help"]);
    for flag in
        ["--yes", "--name", "--phone", "--street", "--booking-url", "--language", "--host", "--base-url"]
    {
        assert!(run.stdout.contains(flag), "{flag}:\n{}", run.stdout);
    }
}

#[test]
fn quiet_init_and_new_print_nothing_but_do_their_work() {
    let tmp = TestSite::empty();
    let run = tmp.run(&["init", "site", "--yes", "-q"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    let run = tmp.run(&["new", "-q", "--root", "site", "page", "Opening times"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    assert!(tmp.path("site/content/opening-times.md").is_file());
}
