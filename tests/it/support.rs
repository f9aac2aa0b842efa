//! Test harness: copy a fixture site to a temporary folder, run the real
//! binary on it, read what it wrote. Tests never write into `tests/fixtures/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A site in a temporary folder.
pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), site.root());
        site
    }

    /// A copy of the shipped clinic site (site.yaml, content/, themes/).
    pub fn clinic() -> TestSite {
        let site = TestSite::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::copy(repo.join("site.yaml"), site.root().join("site.yaml")).unwrap();
        copy_dir(&repo.join("content"), &site.root().join("content"));
        copy_dir(&repo.join("themes"), &site.root().join("themes"));
        site
    }

    /// An empty folder.
    pub fn empty() -> TestSite {
        TestSite { dir: tempfile::tempdir().unwrap() }
    }

    /// A minimal valid site: settings and the given pages (path, text).
    pub fn with_pages(pages: &[(&str, &str)]) -> TestSite {
        let site = TestSite::empty();
        site.write("site.yaml", "title: Test Clinic\nbase_url: https://example.org/\nlanguage: en\n");
        for (path, text) in pages {
            site.write(&format!("content/{path}"), text);
        }
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file, creating folders.
    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }

    /// Reads an output file of `public/`.
    pub fn read_output(&self, rel: &str) -> String {
        let p = self.path("public").join(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// Every file under `public/`, sorted, with `/` separators.
    pub fn output_files(&self) -> Vec<String> {
        let base = self.path("public");
        let mut files: Vec<String> = walkdir::WalkDir::new(&base)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        files
    }

    /// Runs `dotwork ARGS` in the site's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs `dotwork ARGS` in the site's folder with extra environment.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_dotwork"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .env_remove("DOTWORK_LOG")
            .env_remove("SOURCE_DATE_EPOCH")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run::from(output)
    }

    /// `dotwork build`, which must succeed.
    pub fn build(&self) -> Run {
        let run = self.run(&["build"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    /// `dotwork build`, which must fail with exit code 1; returns stderr.
    pub fn build_fails(&self) -> String {
        let run = self.run(&["build"]);
        assert_eq!(run.code, 1, "expected exit 1, got {}:\n{}", run.code, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run.stderr
    }
}

/// What a run of the binary printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Every file under `dir` with its bytes, by path (`/` between folders).
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The first JSON-LD block of a page's `html`, parsed.
pub fn json_ld(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/ld+json\">").expect("a JSON-LD block") + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("valid JSON")
}

/// The node of type `kind` in a JSON-LD document's `@graph`.
pub fn node<'a>(doc: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// The titles a listing page (`<ul class="listing">`) shows, in order.
pub fn listed(html: &str) -> Vec<String> {
    let Some(list) = html.split("<ul class=\"listing\">").nth(1) else { return Vec::new() };
    let list = list.split("</ul>").next().unwrap();
    list.split("<h2><a href=\"")
        .skip(1)
        .map(|item| item.split('>').nth(1).unwrap().split('<').next().unwrap().to_string())
        .collect()
}
