//! The output folder is dotwork's own (issue 9): a build replaces only what
//! dotwork wrote, keeps a deploy checkout's `.git` and `CNAME`, never reaches
//! the site's own folders through links, builds into a linked web root, and
//! replaces a mount point's files in place.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::{Run, TestSite};

const MARK: &str = ".dotwork-output";

fn site() -> TestSite {
    TestSite::with_pages(&[
        ("index.md", "---\ntitle: Home\n---\nWelcome.\n"),
        ("care.md", "---\ntitle: Care\n---\nWash gently.\n"),
    ])
}

/// Every file, link and folder under `dir`, with its bytes (a link's target).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let bytes = if e.path_is_symlink() {
                fs::read_link(e.path()).unwrap().into_os_string().into_encoded_bytes()
            } else if e.file_type().is_dir() {
                b"<dir>".to_vec()
            } else {
                fs::read(e.path()).unwrap()
            };
            (rel, bytes)
        })
        .collect()
}

fn build_into(site: &TestSite, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.run(&args)
}

fn refused(run: &Run, words: &str) {
    assert_eq!(run.code, 1, "expected exit 1:\n{}", run.stderr);
    assert!(run.stderr.contains(words), "expected {words:?} in:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_folder_of_unrelated_files_survives_byte_for_byte() {
    let site = site();
    let docs = site.path("Documents");
    site.write("Documents/letter.txt", "Dear patient,\n");
    site.write_bytes("Documents/scans/x-ray.png", &[0x89, b'P', b'N', b'G', 0, 1, 2, 255]);
    site.write("Documents/.hidden", "secret");
    fs::create_dir(site.path("Documents/empty")).unwrap();
    let before = tree(&docs);
    let run = build_into(&site, &docs, &[]);
    refused(&run, "the output folder is not empty and was not made by dotwork");
    assert!(run.stderr.contains("Documents"), "names the folder: {}", run.stderr);
    assert!(run.stderr.contains("letter.txt"), "names what it holds: {}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(tree(&docs), before);
    let names: Vec<_> = fs::read_dir(site.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("dotwork")), "nothing left beside: {names:?}");
}

#[test]
fn a_home_folder_is_refused_even_with_force() {
    let site = site();
    let home = site.path("home");
    site.write("home/.bashrc", "export PATH\n");
    site.write("home/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    site.write("home/Pictures/cat.jpg", "jpeg");
    for i in 0..20 {
        site.write(&format!("home/Documents/note-{i}.txt"), "note");
    }
    let before = tree(&home);
    let run = build_into(&site, &home, &[]);
    refused(&run, "not made by dotwork");
    assert!(run.stderr.contains("and more"), "{}", run.stderr);
    let run =
        site.run_with_env(&["build", "--force", "--output", "home"], &[("HOME", home.to_str().unwrap())]);
    refused(&run, "your home folder");
    assert_eq!(tree(&home), before);
}

#[test]
fn a_deploy_checkout_keeps_git_and_cname() {
    let site = site();
    let public = site.path("public");
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    site.write("public/.git/objects/ab/cdef", "object");
    site.write("public/CNAME", "clinic.example.org\n");
    // A fresh checkout of an empty gh-pages branch: only .git and CNAME.
    site.build();
    let git = tree(&site.path("public/.git"));
    assert_eq!(site.read_output("CNAME"), "clinic.example.org\n");
    assert!(site.read_output("index.html").contains("Welcome."));
    // Built again, and again after the page changed.
    site.build();
    site.write("content/index.md", "---\ntitle: Home\n---\nWelcome back.\n");
    site.build();
    assert!(site.read_output("index.html").contains("Welcome back."));
    assert_eq!(tree(&public.join(".git")), git);
    assert_eq!(site.read_output("CNAME"), "clinic.example.org\n");
}

#[test]
fn force_replaces_foreign_files_but_never_git_or_cname() {
    let site = site();
    // A checkout of a gh-pages branch made by another tool.
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    site.write("public/CNAME", "clinic.example.org\n");
    site.write("public/index.html", "<p>made by another tool</p>");
    site.write("public/old-page/index.html", "<p>old</p>");
    let run = site.run(&["build"]);
    refused(&run, "not made by dotwork");
    assert!(run.stderr.contains("old-page"), "names what would be lost: {}", run.stderr);
    assert_eq!(site.read_output("old-page/index.html"), "<p>old</p>");
    let run = site.run(&["build", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!site.path("public/old-page").exists());
    assert!(site.read_output("index.html").contains("Welcome."));
    assert_eq!(site.read_output(".git/HEAD"), "ref: refs/heads/gh-pages\n");
    assert_eq!(site.read_output("CNAME"), "clinic.example.org\n");
    // A file put into a built folder by hand is foreign too.
    site.write("public/google1234.html", "verify");
    refused(&site.run(&["build"]), "files dotwork did not write: google1234.html");
    assert_eq!(site.read_output("google1234.html"), "verify");
    let help = site.run(&["build", "--help"]).stdout;
    assert!(help.contains("--force") && help.contains(".git and CNAME"), "{help}");
}

#[test]
fn a_site_cname_that_differs_from_the_checkout_is_an_error_even_with_force() {
    let site = site();
    site.write("public/CNAME", "clinic.example.org\n");
    site.write("static/CNAME", "other.example.org\n");
    refused(&site.run(&["build", "--force"]), "makes a different one");
    assert_eq!(site.read_output("CNAME"), "clinic.example.org\n");
    site.write("static/CNAME", "clinic.example.org\n");
    site.build();
    assert_eq!(site.read_output("CNAME"), "clinic.example.org\n");
}

#[test]
fn repeated_builds_replace_only_their_own_files() {
    let site = site();
    site.build();
    let mark = site.read_output(MARK);
    assert!(mark.lines().any(|l| l == "care/index.html"), "{mark}");
    assert!(mark.lines().any(|l| l == "sitemap.xml"), "{mark}");
    fs::remove_file(site.path("content/care.md")).unwrap();
    site.build();
    site.build();
    assert!(!site.path("public/care").exists(), "a removed page's file goes");
    assert!(!site.read_output(MARK).contains("care/index.html"));
    let beside: Vec<_> = fs::read_dir(site.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    // `.dotwork` is the site's caches (build and images), not a leftover.
    assert!(!beside.iter().any(|n| n != ".dotwork" && n.to_string_lossy().contains("dotwork")), "{beside:?}");
}

#[test]
fn a_public_folder_of_an_earlier_version_is_taken_over() {
    let site = site();
    site.build();
    // The earlier dotwork left no mark.
    fs::remove_file(site.path(&format!("public/{MARK}"))).unwrap();
    site.build();
    assert!(site.path(&format!("public/{MARK}")).is_file());
    // Without a mark, a page removed since would be lost: ask once.
    fs::remove_file(site.path(&format!("public/{MARK}"))).unwrap();
    fs::remove_file(site.path("content/care.md")).unwrap();
    refused(&site.run(&["build"]), "care/index.html");
    assert_eq!(site.run(&["build", "--force"]).code, 0);
    assert!(!site.path("public/care").exists());
}

#[test]
fn a_failed_build_leaves_everything_intact() {
    let site = site();
    site.write("public/.git/HEAD", "ref\n");
    site.build();
    let before = tree(&site.path("public"));
    site.write("content/care.md", "---\ntitle: Care\nweight: heavy\n---\n");
    site.build_fails();
    assert_eq!(tree(&site.path("public")), before);
    let beside: Vec<_> = fs::read_dir(site.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    // `.dotwork` is the site's caches (build and images), not a leftover.
    assert!(!beside.iter().any(|n| n != ".dotwork" && n.to_string_lossy().contains("dotwork")), "{beside:?}");
}

#[cfg(unix)]
#[test]
fn a_linked_root_cannot_reach_the_sites_own_folders() {
    use std::os::unix::fs::symlink;
    let site = site();
    site.write("static/logo.svg", "<svg/>");
    site.write("templates/page.html", "{{ page.title }}");
    let real = site.root();
    let holder = TestSite::empty();
    symlink(real, holder.path("link")).unwrap();
    let before = tree(real);
    for folder in ["content", "static", "templates", "content/sub", "themes"] {
        let out = real.join(folder);
        let run = holder.run(&["build", "--root", "link", "--output", out.to_str().unwrap()]);
        refused(&run, &format!("the site's {} folder", folder.split('/').next().unwrap()));
    }
    // The output through the link, and the site's folder itself.
    for out in ["link/content", "link/./static/../content"] {
        refused(
            &holder.run(&["build", "--root", real.to_str().unwrap(), "--output", out]),
            "the site's content",
        );
    }
    refused(&holder.run(&["build", "--root", "link", "--output", real.to_str().unwrap()]), "holds the site");
    // A link that leads into content/.
    symlink(real.join("content"), holder.path("into-content")).unwrap();
    refused(
        &holder.run(&["build", "--root", "link", "--output", "into-content/public"]),
        "the site's content",
    );
    assert_eq!(tree(real), before);
}

#[cfg(unix)]
#[test]
fn an_output_that_holds_a_linked_content_folder_is_refused() {
    let site = site();
    let elsewhere = TestSite::empty();
    let pages = elsewhere.path("data/pages");
    fs::create_dir_all(&pages).unwrap();
    fs::rename(site.path("content"), pages.join("content")).unwrap();
    std::os::unix::fs::symlink(pages.join("content"), site.path("content")).unwrap();
    let before = tree(&elsewhere.path("data"));
    refused(&build_into(&site, &elsewhere.path("data"), &["--force"]), "the site's content folder");
    assert_eq!(tree(&elsewhere.path("data")), before);
}

#[cfg(unix)]
#[test]
fn public_as_a_link_builds_into_its_target_and_stays_a_link() {
    let site = site();
    let host = TestSite::empty();
    let www = host.path("www");
    fs::create_dir(&www).unwrap();
    std::os::unix::fs::symlink(&www, site.path("public")).unwrap();
    site.build();
    site.build();
    assert!(fs::symlink_metadata(site.path("public")).unwrap().file_type().is_symlink());
    assert!(fs::read_to_string(www.join("index.html")).unwrap().contains("Welcome."));
    assert!(www.join(MARK).is_file());
    let beside: Vec<_> = fs::read_dir(host.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, ["www"], "swapped beside the target, nothing left");
    // A link to nowhere is an error, not a new folder in its place.
    fs::remove_dir_all(&www).unwrap();
    refused(&site.run(&["build"]), "is a link to");
    assert!(fs::symlink_metadata(site.path("public")).unwrap().file_type().is_symlink());
    assert!(!www.exists());
}

/// Runs `script` with `sh` in a private mount namespace (root only); `None`
/// where that is not possible.
fn in_mount_namespace(script: &str) -> Option<std::process::Output> {
    let probe =
        std::process::Command::new("unshare").args(["-m", "--propagation", "private", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    Some(
        std::process::Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", script])
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    )
}

#[test]
fn a_mount_point_has_its_files_replaced_in_place() {
    let site = site();
    let volume = TestSite::empty();
    fs::create_dir(volume.path("vol")).unwrap();
    fs::create_dir(site.path("public")).unwrap();
    // A bind mount, as a container volume is: the same disk, so only the
    // kernel's list of mounts tells it apart. What is written lands in `vol`.
    let script = format!(
        r#"
        cd '{root}'
        mount --bind '{vol}' public || exit 9
        mkdir -p public/.git && echo ref > public/.git/HEAD
        '{bin}' build -vv 2>>'{log}'; echo "one: $?" >> '{log}'
        rm content/care.md
        '{bin}' build 2>>'{log}'; echo "two: $?" >> '{log}'
        printf -- '---\ntitle: Home\nweight: heavy\n---\n' > content/index.md
        '{bin}' build 2>>'{log}'; echo "three: $?" >> '{log}'
        "#,
        root = site.root().display(),
        bin = env!("CARGO_BIN_EXE_dotwork"),
        vol = volume.path("vol").display(),
        log = volume.path("log").display(),
    );
    let Some(out) = in_mount_namespace(&script) else {
        eprintln!("skipped: cannot make a mount namespace here (needs root and unshare)");
        return;
    };
    let log = fs::read_to_string(volume.path("log")).unwrap_or_default();
    assert!(out.status.success(), "{}\n{log}", String::from_utf8_lossy(&out.stderr));
    assert!(log.contains("one: 0") && log.contains("two: 0") && log.contains("three: 1"), "{log}");
    assert!(log.contains("is a mount point"), "seen before writing, not by a failed swap: {log}");
    assert!(!log.contains("busy"), "{log}");
    let vol = volume.path("vol");
    assert!(
        fs::read_to_string(vol.join("index.html")).unwrap().contains("Welcome."),
        "the failed build left it"
    );
    assert!(!vol.join("care").exists(), "the removed page's file went");
    assert_eq!(fs::read_to_string(vol.join(".git/HEAD")).unwrap(), "ref\n");
    assert!(vol.join(MARK).is_file());
    let names: Vec<String> =
        fs::read_dir(&vol).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".dotwork-tmp")), "{names:?}");
    assert_eq!(
        fs::read_dir(site.path("public")).unwrap().count(),
        0,
        "the folder under the mount is untouched"
    );
    let beside: Vec<_> = fs::read_dir(site.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    // `.dotwork` is the site's caches (build and images), not a leftover.
    assert!(!beside.iter().any(|n| n != ".dotwork" && n.to_string_lossy().contains("dotwork")), "{beside:?}");
}
