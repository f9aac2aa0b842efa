//! The command line itself: usage errors, help, exit codes.

use crate::support::TestSite;

#[test]
fn bad_usage_exits_2() {
    let site = TestSite::empty();
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(site.run(&["frobnicate"]).code, 2);
}

#[test]
fn help_lists_the_build_options() {
    let run = TestSite::empty().run(&["build", "--help"]);
    assert_eq!(run.code, 0);
    for flag in ["--root", "--output", "--drafts", "--base-url"] {
        assert!(run.stdout.contains(flag), "{flag} missing:\n{}", run.stdout);
    }
}

#[test]
fn root_and_output_can_be_anywhere() {
    let site = TestSite::fixture("basic");
    let elsewhere = TestSite::empty();
    let out = elsewhere.path("site-out");
    let run =
        elsewhere.run(&["build", "--root", site.root().to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.join("index.html").is_file());
    assert!(!site.path("public").exists());
}

#[test]
fn a_folder_without_site_yaml_is_a_clear_error() {
    let stderr = TestSite::empty().build_fails();
    assert!(stderr.contains("no site.yaml in"), "{stderr}");
    assert!(stderr.contains("--root"), "{stderr}");
}

#[test]
fn refuses_to_replace_the_site_itself() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["build", "--output", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("holds the site itself"), "{}", run.stderr);
    assert!(site.path("site.yaml").is_file());
    for folder in ["content", "static/out", "./content/../static"] {
        let run = site.run(&["build", "--output", folder]);
        assert_eq!(run.code, 1, "{folder}: {}", run.stderr);
    }
    assert!(site.path("content/index.md").is_file());
    assert!(site.path("static/images/dot.png").is_file());
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["build", "-q"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr, "");
}
