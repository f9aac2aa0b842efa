//! Messages a clinic owner can act on (issue 9): each class of mistake is
//! named in words, at the line to change, with what to write instead; and
//! `-q` / `-v` change what is printed. Every test runs the real binary.

use crate::support::{Run, TestSite};

const SETTINGS: &str = "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\n";

/// A one-page site whose `content/index.md` is `text`.
fn site_with(text: &str) -> TestSite {
    TestSite::with_pages(&[("index.md", text)])
}

/// Asserts `text` contains each of `expected`.
fn assert_has(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
}

#[test]
fn a_tab_used_for_indentation_is_named_and_shown() {
    let site = site_with("---\ntitle: Home\nprocedure:\n\thow_performed: x\n---\n");
    let stderr = site.build_fails();
    assert_has(
        &stderr,
        &[
            "error: a tab is used for indentation; YAML needs spaces",
            "--> content/index.md:4:1",
            "4 | →how_performed: x",
        ],
    );
    assert!(!stderr.contains("cannot start any token") && !stderr.contains('@'), "{stderr}");

    let site = site_with("---\ntitle: Home\n---\n");
    site.write("site.yaml", &format!("{SETTINGS}clinic:\n  name: X\n\tphone: 1\n"));
    assert_has(&site.build_fails(), &["a tab is used for indentation", "--> site.yaml:6:1", "6 | →phone: 1"]);
}

#[test]
fn a_value_cut_short_by_a_comment_is_a_warning() {
    let site = site_with("---\ntitle: Prices # 2026\nweight: 3 # first in the menu\n---\n");
    site.write("site.yaml", &format!("{SETTINGS}clinic:\n  name: Smith & Co # since 1990\n"));
    let run = site.build();
    assert_has(
        &run.stderr,
        &[
            "warning: the value of `title` stops at ` #`: it is `Prices`, and the rest of the line is read as a comment",
            "--> content/index.md:2:15",
            "help: if the `#` is part of the value, put it in quotes: title: \"Prices # 2026\"",
            "warning: the value of `name` stops at ` #`",
            "--> site.yaml:5:",
        ],
    );
    // A number with a comment after it is not text cut short.
    assert!(!run.stderr.contains("`weight`"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("warning:").count(), 2, "{}", run.stderr);
}

#[test]
fn a_wrong_kind_of_value_says_what_to_write_in_words() {
    let stderr = site_with("---\ntitle: Home\nmenu: yes\nweight: first\n---\n").build_fails();
    // One error per page: the first value in the way is reported.
    assert_has(
        &stderr,
        &[
            "error: `menu` must be `true` or `false`, not `yes`",
            "--> content/index.md:3:7",
            "help: write `menu: true` or `menu: false`",
        ],
    );
    for (line, expected) in [
        ("weight: first", "`weight` must be a whole number, not `first`"),
        ("weight: 2.5", "`weight` must be a whole number, not `2.5`"),
        ("aliases: /old/", "`aliases` must be a list, not `/old/`"),
        ("procedure: yes", "`procedure` must be a group of settings, not `yes`"),
        ("title: [a, b]", "`title` must be text, not a list"),
    ] {
        let text = if line.starts_with("title") {
            format!("---\n{line}\n---\n")
        } else {
            format!("---\ntitle: Home\n{line}\n---\n")
        };
        let stderr = site_with(&text).build_fails();
        assert_has(&stderr, &[expected]);
        assert!(!stderr.contains("i64") && !stderr.contains("expected"), "{stderr}");
    }
    let site = site_with("---\ntitle: Home\n---\n");
    site.write("site.yaml", &format!("{SETTINGS}review_interval_months: -1\n"));
    assert_has(
        &site.build_fails(),
        &["`review_interval_months` must be a whole number of 0 or more, not `-1`", "--> site.yaml:4:25"],
    );
    site.write("site.yaml", &format!("{SETTINGS}reading_grade: hard\n"));
    assert_has(&site.build_fails(), &["`reading_grade` must be a number, not `hard`"]);
    site.write("site.yaml", &format!("{SETTINGS}citation_style: mla\n"));
    assert_has(&site.build_fails(), &["`citation_style` must be one of ama, apa, vancouver, not `mla`"]);
}

#[test]
fn an_unclosed_quote_is_pointed_at_where_it_opens() {
    let stderr = site_with("---\ntitle: \"Home\nmenu: true\ndescription: A page\n---\nText.\n").build_fails();
    assert_has(
        &stderr,
        &[
            "error: the quote `\"` that opens here is never closed",
            "--> content/index.md:2:8",
            "help: close the quote",
        ],
    );
    assert!(!stderr.contains("end of stream") && !stderr.contains("5 | ---"), "{stderr}");

    let site = site_with("---\ntitle: Home\n---\n");
    site.write("site.yaml", &format!("{SETTINGS}clinic:\n  name: 'Smith\n  phone: '0123'\n"));
    assert_has(&site.build_fails(), &["the quote `'` that opens here is never closed", "--> site.yaml:5:9"]);
}

#[test]
fn a_key_at_the_wrong_depth_is_told_where_it_belongs() {
    let site = site_with("---\ntitle: Home\n---\n");
    site.write(
        "site.yaml",
        &format!("{SETTINGS}clinic:\n  name: X\n  address:\n    street: 1 High St\nphone: 0123\n"),
    );
    let stderr = site.build_fails();
    assert_has(&stderr, &["error: `phone` belongs under `clinic:`; indent it", "--> site.yaml:8:1"]);
    assert!(!stderr.contains("people"), "{stderr}");

    let text = "---\ntitle: Home\nprocedure:\n  name: SMP\nhow_performed: With a needle.\n---\n";
    assert_has(
        &site_with(text).build_fails(),
        &["`how_performed` belongs under `procedure:`; indent it", "--> content/index.md:5:1"],
    );
    // A real typo is still a typo.
    site.write("site.yaml", &format!("{SETTINGS}clinic:\n  name: X\npeple: {{}}\n"));
    assert_has(&site.build_fails(), &["unknown key `peple`", "did you mean `people`?"]);
}

#[test]
fn an_anchor_typo_suggests_the_heading_that_starts_with_it() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nSee [lotions](care.md#lotions).\n"),
        ("care.md", "---\ntitle: Care\n---\n## Questions\n\n## Lotions and solutions\n"),
    ]);
    let stderr = site.build_fails();
    assert_has(&stderr, &["link to `#lotions`", "help: did you mean `#lotions-and-solutions`?"]);
}

#[test]
fn errors_found_after_the_markdown_quote_the_page_line_they_point_at() {
    // build and check put each page's text aside once its markdown is
    // rendered (issue 16): the line an error points at is read back.
    let site = TestSite::with_pages(&[
        (
            "index.md",
            "---\ntitle: Home\n---\nIntro.\n\nSee [lotions](care.md#lotions) and [us](/kontakt/).\n",
        ),
        ("care.md", "---\ntitle: Care\n---\n## Lotions and solutions\n"),
    ]);
    for run in [site.run(&["build"]), site.run(&["check"])] {
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_has(
            &run.stderr,
            &[
                "--> content/index.md:6:15",
                "--> content/index.md:6:41",
                "See [lotions](care.md#lotions) and [us](/kontakt/).",
            ],
        );
    }
}

#[test]
fn a_link_written_as_an_address_fails_build_and_check_alike() {
    let site = TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nCall [us](/kontakt/), or [write](../contact/).\n"),
        ("about.md", "---\ntitle: About\n---\nSee [contact](/contact/) and [the old page](/old/).\n"),
        ("contact.md", "---\ntitle: Contact\naliases: [\"/old/\"]\n---\nHello.\n"),
    ]);
    let built = site.run(&["build"]);
    let checked = site.run(&["check"]);
    assert_eq!((built.code, checked.code), (1, 1), "{}\n{}", built.stderr, checked.stderr);
    for stderr in [&built.stderr, &checked.stderr] {
        assert_has(
            stderr,
            &[
                "error: link to `/kontakt/`, but no page has the address /kontakt/",
                "--> content/index.md:4:11",
                "help: link to the page's file instead: [text](contact.md)",
                "link to `../contact/` climbs above the site's top folder",
            ],
        );
        assert!(!stderr.contains("index.html"), "names a markdown file, not an output file:\n{stderr}");
        // An address that a page (or an alias) has works, and is allowed.
        assert!(!stderr.contains("about.md"), "{stderr}");
    }
}

#[test]
fn an_error_from_a_site_yaml_value_is_reported_once_at_its_line() {
    let site = TestSite::clinic();
    let settings = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    let settings = settings.replace("\nextra: {}", "\nextra:\n  since: long ago\n  shop: shop.example.com");
    site.write("site.yaml", &settings);
    let line_of = |text: &str| settings.lines().position(|l| l.starts_with(text)).unwrap() + 1;
    let (since, shop) = (line_of("  since:"), line_of("  shop:"));
    let footer = site.path("themes/clinic/templates/partials/footer.html");
    let text = std::fs::read_to_string(&footer).unwrap();
    site.write(
        "themes/clinic/templates/partials/footer.html",
        &format!("{text}<p><a href=\"{{{{ site.extra.shop }}}}\">Our shop</a></p>\n"),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_has(
        &run.stderr,
        &[
            "error: `extra.shop` is `shop.example.com`, which is not a full web address",
            &format!("--> site.yaml:{shop}:3"),
            "help: write the full address, starting with https://, such as https://shop.example.com (seen on 35 pages",
        ],
    );
    assert_eq!(run.stderr.matches("error:").count(), 1, "once, not once per page:\n{}", run.stderr);

    site.write(
        "themes/clinic/templates/partials/footer.html",
        &format!("{text}<p>Since {{{{ site.extra.since + 1 }}}}</p>\n"),
    );
    let checked = site.run(&["check"]);
    assert_has(
        &checked.stderr,
        &[
            "error: the value of `extra.since` breaks the theme's template:",
            "(on 35 pages, such as content/about.es.md)",
            &format!("--> site.yaml:{since}:3"),
        ],
    );
    assert_eq!(checked.stderr.matches("error:").count(), 1, "once:\n{}", checked.stderr);
    let built = site.build_fails();
    assert_has(
        &built,
        &[
            "error: the value of `extra.since` breaks the theme's template:",
            &format!("--> site.yaml:{since}:3"),
        ],
    );
    assert_eq!(built.matches("error:").count(), 2, "one error and the summary:\n{built}");
}

/// Runs `dotwork ARGS` on `site` and returns what it printed.
fn run(site: &TestSite, args: &[&str]) -> Run {
    let run = site.run(args);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn quiet_and_verbose_change_what_is_printed() {
    // A page that builds with a warning (its title is cut by a comment).
    let site = site_with("---\ntitle: Prices # 2026\ndescription: x\n---\nText.\n");
    let default = run(&site, &["build"]);
    assert_has(&default.stderr, &["warning: the value of `title`", "built 1 pages"]);
    assert!(!default.stderr.contains("parse:"), "{}", default.stderr);
    let quiet = run(&site, &["-q", "build"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""), "-q prints only errors");
    let verbose = run(&site, &["-v", "build"]);
    assert_has(&verbose.stderr, &["load: ", "parse: ", "render and write: ", "built 1 pages"]);
    assert!(!verbose.stderr.contains("render content/index.md"), "{}", verbose.stderr);
    let very = run(&site, &["-vv", "build", "--no-cache"]); // rendered, not taken from the last build
    assert_has(&very.stderr, &["parse: ", "render content/index.md with index.html"]);

    // check -q: errors only, the same exit code.
    assert_eq!(run(&site, &["-q", "check"]).stderr, "");
    // With --strict a warning fails the check, so -q shows it.
    let strict = run(&site, &["check", "-q", "--strict"]);
    assert_eq!(strict.code, 1);
    assert_has(&strict.stderr, &["warning: the value of `title`"]);
    assert_has(&run(&site, &["-v", "check"]).stderr, &["check: ", "render: ", "warning:"]);
    site.write("content/index.md", "---\ntitle: Prices # 2026\n---\nSee [x](missing.md).\n");
    let quiet = run(&site, &["-q", "check"]);
    assert_eq!(quiet.code, 1);
    assert_has(&quiet.stderr, &["error: link to `missing.md`"]);
    assert!(!quiet.stderr.contains("warning"), "{}", quiet.stderr);
}

/// Starts `dotwork ARGS serve --port 0` on `site`, waits (at most 30 s) for
/// it to print its address, which it does once the first build is done,
/// stops it, and returns what it printed to stderr.
fn serve_stderr(site: &TestSite, args: &[&str]) -> String {
    use std::io::{BufRead, BufReader, Read};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dotwork"))
        .args(args)
        .args(["serve", "--port", "0"])
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .env_remove("DOTWORK_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("http://") {
                let _ = tx.send(());
            }
        }
    });
    let started = rx.recv_timeout(std::time::Duration::from_secs(30)).is_ok();
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(started, "serve printed no address:\n{stderr}");
    stderr
}

#[test]
fn quiet_and_verbose_change_what_serve_prints() {
    let site = site_with("---\ntitle: Home\ndescription: x\n---\nText.\n");
    assert_eq!(serve_stderr(&site, &["-q"]), "", "-q prints only errors");
    let default = serve_stderr(&site, &[]);
    assert_has(&default, &["rebuilt in"]);
    assert!(!default.contains("render:"), "{default}");
    assert_has(&serve_stderr(&site, &["-v"]), &["load: ", "render: ", "rebuilt in"]);
    assert_has(&serve_stderr(&site, &["-vv"]), &["render content/index.md with index.html"]);
}

#[test]
fn a_misspelt_category_is_an_error_at_its_line() {
    let site = site_with("---\ntitle: Home\ncategories:\n  - Opening hours\n  - Treatmnets\n---\n");
    site.write("site.yaml", &format!("{SETTINGS}categories:\n  - Opening hours\n  - Treatments\n"));
    assert_has(
        &site.build_fails(),
        &[
            "error: category `Treatmnets` is not among the categories in site.yaml",
            "--> content/index.md:5:5",
            "5 |   - Treatmnets",
            "help: did you mean `Treatments`?",
        ],
    );
    site.write("content/index.md", "---\ntitle: Home\ncategories: [treatments]\n---\n");
    site.build();
    site.write("site.yaml", &format!("{SETTINGS}categories:\n  - Treatments\n  - treatments\n"));
    assert_has(
        &site.build_fails(),
        &[
            "error: categories `Treatments` and `treatments` are the same category (both are `treatments`)",
            "--> site.yaml:6:5",
        ],
    );
}
