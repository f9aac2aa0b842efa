//! The build cache (issue 16): a build that takes unchanged units from the
//! previous output makes the same files, byte for byte, as a cold build,
//! after any sequence of edits; and it takes nothing it did not write.

use std::fs;
use std::path::Path;

use crate::support::{TestSite, copy_dir, files as tree};

/// A small, seeded generator (xorshift64*): the same steps on every run,
/// and a failure names the seed and step that made it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The rebuild fixture with the clinic theme as a folder of the site, so
/// its files can be edited.
fn site() -> TestSite {
    let site = TestSite::fixture("rebuilds");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/clinic"), &site.path("themes/clinic"));
    site
}

/// How many units a build run with `-v` took from the previous output
/// (`None` when it found nothing changed and left the output as it was).
fn taken(stderr: &str) -> Option<usize> {
    (!stderr.contains("nothing changed since the last build")).then(|| reused(stderr))
}

/// How many units a build run with `-v` took from the previous output.
fn reused(stderr: &str) -> usize {
    logged_count(stderr, "units taken from the old output", "reuse: ")
}

/// The number after `before` on the line of a build's log (`-v`) that
/// holds `line`.
fn logged_count(stderr: &str, line: &str, before: &str) -> usize {
    let line = stderr.lines().find(|l| l.contains(line)).expect(stderr);
    line.split(before).nth(1).and_then(|l| l.split(' ').next()).unwrap().parse().unwrap()
}

/// What a build showed of the site's problems: its output without the log.
fn shown(stderr: &str) -> String {
    stderr.lines().filter(|l| !l.starts_with('[')).collect::<Vec<_>>().join("\n")
}

/// Marks `site.yaml` as changed just now, without changing it: the next
/// build looks at every page (a site changed less than a second before a
/// build is never taken as unchanged by the build after it), so what a
/// test means to look at is not skipped whole.
fn touch(site: &TestSite) {
    let file = fs::File::options().append(true).open(site.path("site.yaml")).unwrap();
    file.set_modified(std::time::SystemTime::now()).unwrap();
}

/// Replaces `from` with `to` in the site's file `rel` (which must hold it).
fn edit(site: &TestSite, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(site.path(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    site.write(rel, &text.replacen(from, to, 1));
}

/// The value of `key:` in the front matter of the site's file `rel`.
fn field(site: &TestSite, rel: &str, key: &str) -> String {
    let text = fs::read_to_string(site.path(rel)).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{key}: "))).expect(key);
    line[key.len() + 2..].to_string()
}

/// Adds ` n` to the title of the site's file `rel`.
fn retitle(site: &TestSite, rel: &str, n: usize) -> String {
    let old = field(site, rel, "title");
    edit(site, rel, &format!("title: {old}"), &format!("title: {old} {n}"));
    format!("retitle {rel}")
}

/// One random edit of the site; returns what it did, and the arguments and
/// environment both builds of this step get.
fn random_edit(site: &TestSite, rng: &mut Rng, added: &mut Vec<String>, n: usize) -> String {
    // Pages whose title and date may change (each has both).
    const DATED: [&str; 4] = [
        "content/news/notice-1.md",
        "content/news/notice-2.md",
        "content/news/notice-3.md",
        "content/news/aviso.es.md",
    ];
    const TITLED: [&str; 4] =
        ["content/about.md", "content/risks.md", "content/risks.es.md", "content/index.es.md"];
    match rng.below(16) {
        0 | 1 => {
            // Added pages are linked from nowhere, so deleting or renaming one breaks no link.
            let lang = if rng.below(3) == 0 { ".es" } else { "" };
            let rel = format!("content/news/added-{n}{lang}.md");
            let category = ["Opening hours", "Bookings"][rng.below(2)];
            let cite = if rng.below(2) == 0 { " As found [@rassman2013]." } else { "" };
            site.write(
                &rel,
                &format!(
                    "---\ntitle: Added {n}\ndescription: Page {n}, added by the rebuild test.\ndate: 2025-03-{:02}\ncategories: [{category}]\naliases: [/old-{n}/]\n---\nAdded text {n}.{cite}\n",
                    1 + rng.below(28)
                ),
            );
            added.push(rel.clone());
            format!("add {rel}")
        }
        2 if !added.is_empty() => {
            let rel = added.remove(rng.below(added.len()));
            fs::remove_file(site.path(&rel)).unwrap();
            format!("delete {rel}")
        }
        3 if !added.is_empty() => {
            let i = rng.below(added.len());
            let to = added[i].replace("added-", "renamed-");
            fs::rename(site.path(&added[i]), site.path(&to)).unwrap();
            let from = std::mem::replace(&mut added[i], to.clone());
            format!("rename {from} to {to}")
        }
        4 => retitle(site, TITLED[rng.below(TITLED.len())], n),
        5 => {
            let rel = DATED[rng.below(DATED.len())];
            let old = field(site, rel, "date");
            edit(site, rel, &format!("date: {old}"), &format!("date: 2025-02-{:02}", 1 + rng.below(28)));
            format!("redate {rel}")
        }
        6 => retitle(site, DATED[rng.below(DATED.len())], n),
        7 => {
            edit(site, "site.yaml", "description: ", &format!("description: {n} "));
            "site.yaml: description".to_string()
        }
        8 => {
            edit(site, "content/references.yaml", "volume: ", &format!("volume: {n}"));
            "bibliography".to_string()
        }
        9 => {
            let rel =
                ["themes/clinic/templates/page.html", "themes/clinic/templates/section.html"][rng.below(2)];
            let text = fs::read_to_string(site.path(rel)).unwrap();
            let at = text.rfind("{%- endblock main").unwrap();
            site.write(rel, &format!("{}<!-- edit {n} -->{}", &text[..at], &text[at..]));
            format!("template {rel}")
        }
        10 => {
            let text = fs::read_to_string(site.path("themes/clinic/static/style.css")).unwrap();
            site.write("themes/clinic/static/style.css", &format!("{text}/* {n} */\n"));
            "stylesheet of the theme".to_string()
        }
        11 => {
            site.write("static/notes.txt", &format!("Notes, version {n}.\n"));
            "static file".to_string()
        }
        12 => {
            edit(site, "content/risks.md", "Some risks", &format!("Some risks {n}"));
            "body of content/risks.md".to_string()
        }
        13 => {
            edit(site, "themes/clinic/i18n/es.yaml", "skip_link: ", &format!("skip_link: {n} "));
            "words of the theme".to_string()
        }
        // Settings and the day: both builds of each step get the same (`settings`).
        14 => "settings: --base-url".to_string(),
        15 => "settings: another day".to_string(),
        _ => "nothing".to_string(),
    }
}

#[test]
fn a_cached_build_makes_the_same_files_as_a_cold_build_after_any_edits() {
    let site = site();
    let cold = TestSite::empty();
    let cold_out = cold.path("public");
    let cold_out = cold_out.to_str().unwrap();
    let mut rng = Rng(0x5eed_2026_1201_001a);
    let mut added = Vec::new();
    let mut reused_in_all = 0;
    let mut done: Vec<String> = Vec::new();
    // 2025-12-01 and 2026-01-01.
    const DAYS: [&str; 2] = ["1764547200", "1767225600"];
    let (mut other_base, mut day) = (false, DAYS[0]);
    for step in 0..40 {
        let did = if step == 0 {
            "first build".to_string()
        } else {
            random_edit(&site, &mut rng, &mut added, step)
        };
        done.push(did.split(' ').next().unwrap().to_string());
        match did.as_str() {
            "settings: --base-url" => other_base = !other_base,
            "settings: another day" => day = if day == DAYS[0] { DAYS[1] } else { DAYS[0] },
            _ => {}
        }
        let mut args = vec!["build", "-v"];
        if other_base {
            args.extend(["--base-url", "https://other.test/"]);
        }
        let env = [("SOURCE_DATE_EPOCH", day)];
        let cached = site.run_with_env(&args, &env);
        assert_eq!(cached.code, 0, "step {step} ({did}): cached build failed:\n{}", cached.stderr);
        // After a change of settings alone, "nothing" may find nothing changed.
        reused_in_all += taken(&cached.stderr).unwrap_or(0);
        let cold_args: Vec<&str> = args.iter().copied().chain(["--no-cache", "--output", cold_out]).collect();
        let run = site.run_with_env(&cold_args, &env);
        assert_eq!(run.code, 0, "step {step} ({did}): cold build failed:\n{}", run.stderr);
        assert_eq!(reused(&run.stderr), 0, "a build with --no-cache takes nothing");
        // The same problems, though the cached build checked only the pages it rendered.
        assert_eq!(shown(&cached.stderr), shown(&run.stderr), "step {step} ({did}): other problems shown");
        let (cached, cold) = (tree(&site.path("public")), tree(Path::new(cold_out)));
        assert_eq!(
            cached.keys().collect::<Vec<_>>(),
            cold.keys().collect::<Vec<_>>(),
            "step {step} ({did}): other files"
        );
        for (path, bytes) in &cached {
            assert!(
                *bytes == cold[path],
                "step {step} ({did}): {path} differs:\n--- cached\n{}\n--- cold\n{}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&cold[path])
            );
        }
    }
    assert!(reused_in_all > 100, "the cached builds took only {reused_in_all} units from earlier ones");
    // The seed makes every kind of edit at least once.
    for kind in [
        "add",
        "delete",
        "rename",
        "retitle",
        "redate",
        "site.yaml:",
        "bibliography",
        "template",
        "words",
        "stylesheet",
        "static",
        "body",
        "settings:",
        "nothing",
    ] {
        assert!(done.iter().any(|d| d == kind), "no {kind} among {done:?}");
    }
}

#[test]
fn an_unchanged_site_is_taken_whole_from_the_previous_output_and_an_edit_renders_its_page() {
    let site = site();
    let first = site.run(&["build", "-v"]);
    assert_eq!((first.code, reused(&first.stderr)), (0, 0), "{}", first.stderr);
    touch(&site);
    let again = site.run(&["build", "-v"]);
    // Every unit but the static files, the image variants and `_headers`.
    assert!(reused(&again.stderr) > 20, "{}", again.stderr);
    assert!(again.stderr.contains(&format!("build cache: {} units may be reused", reused(&again.stderr))));
    edit(&site, "content/news/notice-3.md", "Notice 3 text.", "Notice 3 text, edited.");
    let edited = site.run(&["build", "-v"]);
    assert_eq!(
        reused(&edited.stderr),
        reused(&again.stderr) - 3,
        "the page, its feed entry and the site's feed:\n{}",
        edited.stderr
    );
    assert!(site.read_output("news/notice-3/index.html").contains("Notice 3 text, edited."));
    // Only the edited page's markdown was rendered; the others' bodies were
    // taken from what the last build kept of them.
    let pages = first
        .stderr
        .lines()
        .find_map(|l| l.split("parse: ").nth(1)?.strip_suffix(" bodies rendered, 0 kept by the build cache"));
    let pages: usize = pages.expect(&first.stderr).parse().unwrap();
    let expected = format!("parse: 1 bodies rendered, {} kept by the build cache", pages - 1);
    assert!(edited.stderr.contains(&expected), "{expected} in {}", edited.stderr);
    // Only its front matter was read; the others' were taken as kept.
    let expected = format!("parse: {} front matters taken from the build cache, 1 read", pages - 1);
    assert!(edited.stderr.contains(&expected), "{expected} in {}", edited.stderr);
}

#[test]
fn a_file_changed_in_the_output_is_rendered_again_not_taken() {
    let site = site();
    site.build();
    let page = site.path("public/about/index.html");
    let original = fs::read_to_string(&page).unwrap();
    // Edited in place (same file, other bytes), and replaced by another file.
    fs::write(&page, "changed by hand").unwrap();
    fs::remove_file(site.path("public/risks/index.html")).unwrap();
    fs::write(site.path("public/risks/index.html"), "a file of someone else's").unwrap();
    let run = site.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(&page).unwrap(), original);
    assert!(site.read_output("risks/index.html").contains("<html"), "rendered again");
    assert!(run.stderr.contains("is not the file dotwork wrote"), "{}", run.stderr);
}

/// The units a build run with `-v` rendered, and all its units
/// (`render: 1ms (2 of 19 units)`).
fn rendered(stderr: &str) -> (usize, usize) {
    (logged_count(stderr, "render: ", " ("), logged_count(stderr, "render: ", " of "))
}

/// A static file is taken from the last output (the same file, not a new
/// copy) while its source's stamp is the one of the build that copied it;
/// changed, it is copied again, even at the same size with its old
/// modification time put back (its change time tells); a copy changed in
/// the output is not taken over.
#[test]
#[cfg(unix)]
fn a_static_file_is_taken_while_its_source_is_unchanged_and_copied_again_when_it_changes() {
    let site = site();
    settle();
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let copy = site.path("public/notes.txt");
    let copied = number(&copy);
    touch(&site);
    let again = site.run(&["build", "-v"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(number(&copy), copied, "taken from the last output");
    // Only `_headers`, which reads every page, is rendered again.
    assert_eq!(rendered(&again.stderr).0, 1, "{}", again.stderr);

    let source = site.path("static/notes.txt");
    let modified = fs::metadata(&source).unwrap().modified().unwrap();
    fs::write(&source, "Notes for the rebuild tests!").unwrap();
    fs::File::options().append(true).open(&source).unwrap().set_modified(modified).unwrap();
    settle();
    let changed = site.run(&["build", "-v"]);
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    assert_eq!(site.read_output("notes.txt"), "Notes for the rebuild tests!");
    assert_eq!(rendered(&changed.stderr).0, 2, "the static file and `_headers`: {}", changed.stderr);

    fs::write(&copy, "changed by hand").unwrap();
    touch(&site);
    let run = site.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(site.read_output("notes.txt"), "Notes for the rebuild tests!");
    assert!(run.stderr.contains("notes.txt is not the file dotwork wrote"), "{}", run.stderr);
}

/// An image's variants and a photo copied without its metadata are taken
/// from the last output too: a rebuild with no image changed renders none.
#[test]
fn image_variants_and_stripped_copies_are_taken_from_the_last_output() {
    let site = TestSite::fixture("images");
    settle();
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let built = tree(&site.path("public"));
    touch(&site);
    let again = site.run(&["build", "-v"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let (done, all) = rendered(&again.stderr);
    assert_eq!((done, reused(&again.stderr)), (1, all - 1), "all but `_headers`: {}", again.stderr);
    assert!(tree(&site.path("public")) == built, "the same files");
}

#[test]
fn a_corrupt_or_missing_cache_is_a_cold_build_not_an_error() {
    let site = site();
    site.build();
    let cache = site.path(".dotwork/cache/build");
    let files: Vec<_> = fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    let named = |end: &str| files.iter().filter(|p| p.to_string_lossy().ends_with(end)).count();
    // The stamps may be missing: the fixture was written just now (`settle`).
    assert_eq!((files.len() - named(".stamps"), named(".bodies")), (2, 1), "{files:?}");
    let records: Vec<_> = files
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".stamps") && !p.to_string_lossy().ends_with(".bodies"))
        .collect();
    let bodies = files.iter().find(|p| p.to_string_lossy().ends_with(".bodies")).unwrap();
    let expected = tree(&site.path("public"));
    // Cut short (a length past the end), not MessagePack (a whole piece,
    // 0xc1 is no value), empty.
    let garbage: [&[u8]; 4] =
        [b"{\"format\": 1, \"units\": [tru", b"\xff\xfe not json", b"\x03\x00\x00\x00\xc1\xc1\xc1", b""];
    for garbage in garbage {
        fs::write(records[0], garbage).unwrap();
        fs::write(bodies, garbage).unwrap();
        touch(&site);
        let run = site.run(&["build", "-v"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(reused(&run.stderr), 0, "{}", run.stderr);
        assert!(run.stderr.contains("build cache: ignoring"), "{}", run.stderr);
        assert!(run.stderr.contains(".bodies: "), "{}", run.stderr);
        assert!(run.stderr.contains("0 kept by the build cache"), "{}", run.stderr);
        assert!(tree(&site.path("public")) == expected);
    }
    // A record for another output folder, or a folder where the record should be.
    fs::remove_file(records[0]).unwrap();
    fs::create_dir(records[0]).unwrap();
    touch(&site);
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, reused(&run.stderr)), (0, 0), "{}", run.stderr);
    assert!(tree(&site.path("public")) == expected);
}

/// With its output folder gone, a build takes nothing from the old output
/// but still the kept bodies: every page's HTML is made when its page is
/// rendered, into the scratch file as in a cold build, or held when there
/// is no temporary folder, and the files are a cold build's.
#[test]
fn a_build_whose_output_is_gone_makes_the_same_files_from_the_kept_bodies() {
    let site = site();
    site.build();
    let expected = tree(&site.path("public"));
    let missing = site.path("no-such-folder");
    for env in [vec![], vec![("TMPDIR", missing.to_str().unwrap())]] {
        fs::remove_dir_all(site.path("public")).unwrap();
        touch(&site);
        let run = site.run_with_env(&["build", "-v"], &env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(reused(&run.stderr), 0, "{}", run.stderr);
        assert!(!run.stderr.contains(" 0 kept by the build cache"), "{}", run.stderr);
        assert_eq!(run.stderr.contains("no scratch file"), !env.is_empty(), "{}", run.stderr);
        assert!(tree(&site.path("public")) == expected);
    }
}

/// Waits until what was just written to the site is old enough for a build
/// to trust its stamps (a second, `cache/up_to_date.rs`).
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// The file number of `path`, to tell a file left in place from a new one.
#[cfg(unix)]
fn number(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).unwrap())
}

#[test]
#[cfg(unix)]
fn a_build_with_nothing_changed_leaves_the_output_and_shows_the_same_problems() {
    let site = site();
    settle();
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("build cache: stamps kept"), "{}", first.stderr);
    assert!(shown(&first.stderr).contains("no translation into `es` yet"), "the fixture shows a note");
    let expected = tree(&site.path("public"));
    let home = site.path("public/index.html");
    let home_number = number(&home);
    let again = site.run(&["build", "-v"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(taken(&again.stderr), None, "{}", again.stderr);
    assert!(again.stderr.contains("./public is up to date"), "{}", again.stderr);
    assert_eq!(shown(&again.stderr), shown(&first.stderr));
    assert_eq!(number(&home), home_number, "the output was not replaced");
    assert!(tree(&site.path("public")) == expected);
}

#[test]
#[cfg(unix)]
fn a_build_looks_again_after_any_change_the_stamps_can_see() {
    let site = site();
    // Each change, made after a build that kept its stamps; then what the
    // next build must show.
    type Change = fn(&TestSite);
    let changes: [(&str, Change, &str); 6] = [
        // Same size, and its modification time set back: its change time tells.
        (
            "a page rewritten in place",
            |site| {
                let path = site.path("content/about.md");
                let modified = fs::metadata(&path).unwrap().modified().unwrap();
                let text = fs::read_to_string(&path).unwrap();
                let at = text.find("About").unwrap();
                let mut bytes = text.into_bytes();
                bytes[at] = b'a';
                fs::write(&path, bytes).unwrap();
                fs::File::options().append(true).open(&path).unwrap().set_modified(modified).unwrap();
            },
            "about/index.html",
        ),
        (
            "a page added in a folder",
            |site| {
                site.write(
                    "content/news/notice-9.md",
                    "---\ntitle: Notice nine\ndate: 2025-03-09\n---\n\nNine.\n",
                );
            },
            "news/notice-9/index.html",
        ),
        (
            "a templates folder made",
            |site| {
                let theirs = fs::read_to_string(site.path("themes/clinic/templates/404.html")).unwrap();
                site.write(
                    "templates/404.html",
                    &theirs.replace("{% block main %}", "{% block main %}<p>Ours.</p>"),
                );
            },
            "404.html",
        ),
        (
            "a file of the output edited",
            |site| {
                site.write("public/risks/index.html", "edited by hand");
            },
            "risks/index.html",
        ),
        (
            "a file added to the output",
            |site| {
                site.write("public/stray.html", "not dotwork's");
            },
            "index.html",
        ),
        // A folder the last build left as it was is only looked at when
        // stamped, not set back: a file added later still moves its time.
        (
            "a file added to a folder of the output",
            |site| {
                site.write("public/news/stray.html", "not dotwork's");
            },
            "news/index.html",
        ),
    ];
    for (what, change, output) in changes {
        settle();
        // A build that keeps its stamps, or finds the last one's still true.
        let before = site.run(&["build", "-v"]);
        let stamped = before.stderr.contains("build cache: stamps kept") || taken(&before.stderr).is_none();
        assert!(stamped, "{what}: {}", before.stderr);
        change(&site);
        let after = site.run(&["build", "-v", "--force"]);
        assert_eq!(after.code, 0, "{what}: {}", after.stderr);
        assert!(taken(&after.stderr).is_some(), "{what}: the build took nothing changed:\n{}", after.stderr);
        let cold = TestSite::empty();
        let cold_out = cold.path("public");
        let run = site.run(&["build", "--no-cache", "--output", cold_out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        assert!(tree(&site.path("public")) == tree(&cold_out), "{what}: the output is not a cold build's");
        assert!(cold_out.join(output).is_file(), "{what}: no {output}");
    }
    assert!(site.read_output("about/index.html").contains("about us"));
    assert!(site.read_output("404.html").contains("<p>Ours.</p>"));
}

#[test]
#[cfg(unix)]
fn a_file_put_into_the_output_is_refused_although_the_last_build_stamped_it() {
    const NOT_LISTED: &str = "not listed";
    let site = site();
    let mut n = 0;
    let mut rebuild = |site: &TestSite| {
        n += 1;
        edit_and_build(site, n)
    };
    let first = rebuild(&site);
    assert!(first.stderr.contains("build cache: stamps kept"), "{}", first.stderr);
    // The output as the build left it: its folders' stamps stand for a listing.
    let second = rebuild(&site);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains(NOT_LISTED), "{}", second.stderr);
    // A file added anywhere moves its folder's time: the output is listed, and the file named.
    for stray in ["stray.html", "news/stray.html", "news/notice-3/new/stray.html"] {
        let _ = rebuild(&site);
        site.write(&format!("public/{stray}"), "not dotwork's");
        let refused = rebuild(&site);
        assert_eq!(refused.code, 1, "{stray}: {}", refused.stderr);
        assert!(!refused.stderr.contains(NOT_LISTED), "{stray}: {}", refused.stderr);
        assert!(
            refused.stderr.contains(&format!("files dotwork did not write: {stray}")),
            "{}",
            refused.stderr
        );
        assert_eq!(site.read_output(stray), "not dotwork's");
        fs::remove_file(site.path(&format!("public/{stray}"))).unwrap();
    }
}

/// How many folders of the output a build run with `-v` stamped as they
/// were when the output before last was kept, without looking at them.
fn folders_as_kept(stderr: &str) -> usize {
    logged_count(stderr, "build cache: outputs stamped", "stamped, ")
}

/// Edits the about page for the `n`th time, waits until the build can
/// trust the stamps, and builds with `-v`.
fn edit_and_build(site: &TestSite, n: usize) -> crate::support::Run {
    edit(site, "content/about.md", "About", &format!("About {n}"));
    settle();
    site.run(&["build", "-v"])
}

/// A rebuild that writes into the output before last stamps the folders it
/// did not touch as the build that kept that output found them. Those
/// stamps are true: the next build still finds the output as stamped, or
/// nothing changed at all, and a file added to such a folder is seen.
#[test]
#[cfg(unix)]
fn a_rebuild_stamps_the_folders_it_did_not_touch_as_they_were_kept() {
    let site = site();
    let mut n = 0;
    let mut rebuild = |site: &TestSite| {
        n += 1;
        edit_and_build(site, n)
    };
    // The first build keeps no stamps (the site was just written); the
    // second's vouch for its output, which the third keeps as its spare
    // with them: the fourth writes into it and is the first to use them.
    let _ = (site.run(&["build"]), rebuild(&site), rebuild(&site));
    let fourth = rebuild(&site);
    assert_eq!(fourth.code, 0, "{}", fourth.stderr);
    assert!(fourth.stderr.contains("writing into the previous output kept in"), "{}", fourth.stderr);
    assert!(folders_as_kept(&fourth.stderr) > 5, "{}", fourth.stderr);
    let fifth = rebuild(&site);
    assert!(fifth.stderr.contains("(its folders as stamped): not listed"), "{}", fifth.stderr);
    settle();
    let unchanged = site.run(&["build", "-v"]);
    assert_eq!(taken(&unchanged.stderr), None, "{}", unchanged.stderr);
    // Only the about page changes, so the news folder's stamp is the one
    // kept; a file put into the folder after that build is still seen.
    let last = rebuild(&site);
    assert!(folders_as_kept(&last.stderr) > 5, "{}", last.stderr);
    site.write("public/news/stray.html", "not dotwork's");
    let refused = rebuild(&site);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("files dotwork did not write: news/stray.html"), "{}", refused.stderr);
    fs::remove_file(site.path("public/news/stray.html")).unwrap();
    assert_eq!(rebuild(&site).code, 0);
    let cold = TestSite::empty();
    let run = site.run(&["build", "--no-cache", "--output", cold.path("public").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(tree(&site.path("public")) == tree(&cold.path("public")));
}

/// A build whose inputs changed as it began keeps the stamps of its output
/// but not of its inputs: the next build need not list the output, and
/// never takes the site as unchanged.
#[test]
#[cfg(unix)]
fn a_build_just_after_an_edit_vouches_for_its_output_but_not_its_inputs() {
    let site = site();
    settle();
    assert_eq!(site.run(&["build"]).code, 0);
    edit(&site, "content/about.md", "About", "About us, edited");
    let edited = site.run(&["build", "-v"]);
    assert_eq!(edited.code, 0, "{}", edited.stderr);
    assert!(edited.stderr.contains("inputs changed as the build began"), "{}", edited.stderr);
    let next = site.run(&["build", "-v"]);
    assert_eq!(next.code, 0, "{}", next.stderr);
    assert!(next.stderr.contains("(its folders as stamped): not listed"), "{}", next.stderr);
    assert!(taken(&next.stderr).is_some(), "taken as unchanged: {}", next.stderr);
    assert!(site.read_output("about/index.html").contains("About us, edited"));
}

/// The kept outputs of the site's builds into `public/` (`output/spare.rs`).
fn spares(site: &TestSite) -> Vec<std::path::PathBuf> {
    let cache = site.path(".dotwork/cache/build");
    let entries = fs::read_dir(cache).unwrap().map(|e| e.unwrap().path());
    entries.filter(|p| p.extension().is_some_and(|e| e == "spare")).collect()
}

#[test]
#[cfg(unix)]
fn the_replaced_output_is_kept_and_the_next_build_replaces_in_it_only_what_changed() {
    let site = site();
    // Long enough apart that no folder of an output changes as the next
    // build looks at it (which would leave it unkept).
    let pause = || std::thread::sleep(std::time::Duration::from_millis(100));
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(spares(&site).is_empty(), "nothing was replaced yet");
    let about = site.path("public/about/index.html");
    let about_number = number(&about);
    pause();
    touch(&site);
    let second = site.run(&["build", "-v"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(!second.stderr.contains("writing into the previous output"), "{}", second.stderr);
    let [spare] = &spares(&site)[..] else { panic!("one kept output: {:?}", spares(&site)) };
    assert_eq!(number(&spare.join("about/index.html")), about_number, "the first output, kept");
    pause();
    edit(&site, "content/news/notice-3.md", "Notice 3 text.", "Notice 3 text, edited.");
    let third = site.run(&["build", "-v"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(third.stderr.contains("writing into the previous output kept in"), "{}", third.stderr);
    assert_eq!(number(&about), about_number, "a page that did not change is the file the first build wrote");
    assert!(site.read_output("news/notice-3/index.html").contains("Notice 3 text, edited."));
    // The edited page was replaced, not written through: the second
    // output, kept now, still has the page as it was.
    let [spare] = &spares(&site)[..] else { panic!("one kept output: {:?}", spares(&site)) };
    let kept = fs::read_to_string(spare.join("news/notice-3/index.html")).unwrap();
    assert!(kept.contains("Notice 3 text.") && !kept.contains("edited"), "{kept}");
    pause();
    fs::remove_file(site.path("content/news/notice-2.md")).unwrap();
    let fourth = site.run(&["build", "-v"]);
    assert_eq!(fourth.code, 0, "{}", fourth.stderr);
    assert!(fourth.stderr.contains("writing into the previous output kept in"), "{}", fourth.stderr);
    let removed =
        fourth.stderr.lines().find_map(|l| l.split("folders: ").nth(1)?.split(' ').next()?.parse().ok());
    assert!(removed.is_some_and(|n: usize| n > 0), "the deleted page's files: {}", fourth.stderr);
    assert!(!site.path("public/news/notice-2").exists(), "a deleted page is gone");
    // And the output is what a cold build makes.
    let cold = TestSite::empty();
    let run = site.run(&["build", "--no-cache", "--output", cold.path("public").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(tree(&site.path("public")) == tree(&cold.path("public")));
    // `--no-cache` into the same output keeps nothing.
    assert_eq!(site.run(&["build", "--no-cache"]).code, 0);
    assert!(spares(&site).is_empty(), "{:?}", spares(&site));
}

#[test]
fn the_kept_output_of_an_output_folder_that_is_gone_is_removed() {
    let site = site();
    let elsewhere = TestSite::empty();
    let other = elsewhere.path("site");
    // Two builds into each folder, so the first output of each is kept.
    for output in [other.to_str().unwrap(), "public", "public"] {
        std::thread::sleep(std::time::Duration::from_millis(100));
        touch(&site);
        let run = site.run(&["build", "--output", output]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        if output != "public" {
            std::thread::sleep(std::time::Duration::from_millis(100));
            touch(&site);
            assert_eq!(site.run(&["build", "--output", output]).code, 0);
        }
    }
    assert_eq!(spares(&site).len(), 2, "{:?}", spares(&site));
    fs::remove_dir_all(&other).unwrap();
    // As between the builds above: an output whose folders changed just
    // before the next build looked at it is not kept (`spare::SLACK`).
    std::thread::sleep(std::time::Duration::from_millis(100));
    touch(&site);
    let run = site.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("kept for an output folder that is gone"), "{}", run.stderr);
    let [kept] = &spares(&site)[..] else { panic!("one kept output: {:?}", spares(&site)) };
    assert!(kept.join("about/index.html").exists(), "public's is kept");
}

/// How many pages a build run with `-v` left unread, knowing them by their
/// files' stamps.
fn unread(stderr: &str) -> usize {
    logged_count(stderr, "pages known by their stamps", " (")
}

/// A rebuild reads only the pages whose files changed since the last build
/// read them: the others' front matter, body facts, front-matter warnings
/// and placeholders are the ones the last build found in the same text.
/// It shows the same problems and makes the same files as a cold build; a
/// file touched but not changed is read once more, then known again.
#[test]
#[cfg(unix)]
fn a_rebuild_reads_only_the_pages_whose_files_changed() {
    let site = site();
    // A front-matter warning and a placeholder, in pages the rebuilds do not read.
    edit(&site, "content/only-english.md", "title: Only English", "title: Only English #1");
    edit(&site, "content/risks.md", "\n---\n", "\n---\n\n[[REPLACE: the clinic's own words]]\n");
    let pages = 11;
    settle();
    let first = site.run(&["build", "-v"]);
    assert_eq!((first.code, unread(&first.stderr)), (0, 0), "{}", first.stderr);
    assert!(shown(&first.stderr).contains("stops at ` #`"), "{}", first.stderr);
    assert!(shown(&first.stderr).contains("placeholder"), "{}", first.stderr);
    let cold = TestSite::empty();
    let cold_out = cold.path("public");
    let expect_as_cold = |run: &crate::support::Run, step: &str| {
        let again = site.run(&["build", "-v", "--no-cache", "--output", cold_out.to_str().unwrap()]);
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert_eq!(shown(&run.stderr), shown(&again.stderr), "{step}: other problems shown");
        assert!(tree(&site.path("public")) == tree(&cold_out), "{step}: other files than a cold build's");
    };

    edit(&site, "content/about.md", "About", "About us");
    settle();
    let edited = site.run(&["build", "-v"]);
    assert_eq!((edited.code, unread(&edited.stderr)), (0, pages - 1), "{}", edited.stderr);
    expect_as_cold(&edited, "one page edited");

    // Touched, not changed: its new stamp is kept, so the build after knows it.
    let touched = fs::File::options().append(true).open(site.path("content/risks.md")).unwrap();
    touched.set_modified(std::time::SystemTime::now()).unwrap();
    settle();
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, unread(&run.stderr)), (0, pages - 1), "{}", run.stderr);
    edit(&site, "content/about.md", "About us", "About");
    settle();
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, unread(&run.stderr)), (0, pages - 1), "{}", run.stderr);
    expect_as_cold(&run, "the touched page known again");

    // A page changed less than a second before the build is read, and not
    // known by the next build either, until a build reads it settled.
    edit(&site, "content/risks.es.md", "---\n", "---\n\n");
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, unread(&run.stderr)), (0, pages - 1), "{}", run.stderr);
    touch(&site);
    settle();
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, unread(&run.stderr)), (0, pages - 1), "{}", run.stderr);
    touch(&site);
    settle();
    let run = site.run(&["build", "-v"]);
    assert_eq!((run.code, unread(&run.stderr)), (0, pages), "{}", run.stderr);
    expect_as_cold(&run, "every page known");
}
