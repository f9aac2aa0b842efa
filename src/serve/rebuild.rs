//! Rebuilding in memory: the same load, parse and render stages as `build`,
//! redoing only what a [`Plan`] says changed, into a [`Snapshot`] of the
//! built site that connections read while the next rebuild runs.
//!
//! What is kept between rebuilds, and why that is enough:
//! - the loaded [`Sources`]: an edited page or template is read again
//!   alone; anything else (settings, a file added or removed) loads all;
//! - the [`ParseCache`]: only pages whose text changed are parsed again, and
//!   every page's markdown only when a URL changed (links follow URLs);
//! - the last good snapshot: a page is rendered again only if it was parsed
//!   afresh since then, unless the templates or [`shared_inputs`] (settings,
//!   menu, titles) changed, which renders every page.
//!
//! Static files are not read into memory: the snapshot names them and they
//! are read from the site folder when requested, so editing a stylesheet
//! only needs a reload. Nothing is written to disk.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::config::override_base_url;
use crate::content::Page;
use crate::error::Error;
use crate::render::{OutputContent, render_site_selected, shared_inputs};
use crate::serve::watch::Plan;
use crate::site::{ParseCache, ParseOptions, parse_site_cached};
use crate::source::{AssetSource, Sources, load_site, read_text};
use crate::url::page_output;

/// A built site in memory: output path (`about/index.html`) -> contents.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) files: HashMap<String, Body>,
    /// The site's folder with every link resolved: static files are served
    /// only while their real path is inside it.
    pub(crate) root: PathBuf,
}

/// The contents of one output file.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Rendered.
    Bytes(Arc<Vec<u8>>),
    /// A file of the site, read when requested.
    File(PathBuf),
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
}

/// What a successful rebuild produced.
#[derive(Debug)]
pub(crate) enum Rebuilt {
    /// A new site to serve.
    Site {
        /// The files.
        snapshot: Arc<Snapshot>,
        /// Pages rendered this time.
        rendered: usize,
        /// Pages in the site.
        pages: usize,
    },
    /// Only files served as they are changed: same snapshot, reload pages.
    Assets,
}

/// Rebuilds the site at `root` after each change, keeping what it can.
#[derive(Debug)]
pub(crate) struct Builder {
    root: PathBuf,
    /// `root` with every link resolved.
    real_root: PathBuf,
    parse: ParseOptions,
    /// The address the site is served at, for `base_url`.
    base_url: String,
    /// As loaded and patched; `None` until loaded, or after reading failed.
    sources: Option<Sources>,
    cache: ParseCache,
    /// Pages parsed afresh since the last good build, so not yet rendered.
    dirty: HashSet<PathBuf>,
    last_good: Option<Good>,
}

#[derive(Debug)]
struct Good {
    snapshot: Arc<Snapshot>,
    shared: String,
    templates: Vec<(String, String)>,
}

impl Builder {
    /// A builder for the site at `root`, served at `base_url`.
    pub(crate) fn new(root: &Path, drafts: bool, base_url: &str) -> Builder {
        Builder {
            root: root.to_path_buf(),
            real_root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            parse: ParseOptions { drafts },
            base_url: base_url.to_string(),
            sources: None,
            cache: ParseCache::default(),
            dirty: HashSet::new(),
            last_good: None,
        }
    }

    /// Drops everything kept from earlier rebuilds but the last good site,
    /// so the next rebuild loads and parses everything again.
    pub(crate) fn forget(&mut self) {
        self.sources = None;
        self.cache = ParseCache::default();
        self.last_good = None;
    }

    /// Rebuilds after the changes in `plan` (the first call loads everything).
    pub(crate) fn rebuild(&mut self, plan: &Plan) -> Result<Rebuilt, Error> {
        let mut lap = Lap::start();
        let sources = match self.patch_sources(plan) {
            Some(Ok(true)) => self.sources.clone(),
            Some(Ok(false)) => return Ok(Rebuilt::Assets),
            Some(Err(e)) => return Err(e),
            None => None,
        };
        let sources = match sources {
            Some(s) => s,
            None => self.load()?,
        };
        lap.log("load");
        let parsed = parse_site_cached(sources, &self.parse, &mut self.cache);
        self.dirty.extend(self.cache.fresh().iter().cloned());
        let site = parsed?;
        lap.log("parse");

        let shared = shared_inputs(&site);
        let templates: Vec<(String, String)> =
            site.templates.iter().map(|t| (t.name.clone(), t.text.clone())).collect();
        let previous = self.last_good.as_ref().filter(|g| g.shared == shared && g.templates == templates);
        let dirty = &self.dirty;
        let selected = |page: &Page| match previous {
            Some(good) => dirty.contains(&page.source) || !good.snapshot.files.contains_key(&page_key(page)),
            None => true,
        };
        let rendered = site.pages.iter().filter(|p| selected(p)).count();
        lap.log("compare");
        let outputs = render_site_selected(&site, &selected)?;
        lap.log("render");

        let mut files = HashMap::with_capacity(outputs.len() + site.pages.len());
        if let Some(good) = previous {
            for page in &site.pages {
                let key = page_key(page);
                if let Some(body) = good.snapshot.files.get(&key) {
                    files.insert(key, body.clone());
                }
            }
        }
        for output in outputs {
            files.insert(output_key(&output.path), body_of(output.content));
        }
        let snapshot = Arc::new(Snapshot { files, root: self.real_root.clone() });
        self.dirty.clear();
        self.last_good = Some(Good { snapshot: snapshot.clone(), shared, templates });
        lap.log("assemble");
        let pages = site.pages.len();
        // Freeing 10,000 pages takes ~10 ms: not on the way to the reload.
        std::thread::spawn(move || drop(site));
        Ok(Rebuilt::Site { snapshot, rendered, pages })
    }

    /// Reads the files `plan` names again into the loaded sources: `None`
    /// when everything must be loaded instead, `Some(Ok(false))` when only
    /// static files changed (nothing to rebuild).
    fn patch_sources(&mut self, plan: &Plan) -> Option<Result<bool, Error>> {
        let Plan::Patch { pages, templates, assets } = plan else { return None };
        let sources = self.sources.as_mut()?;
        let known_assets: HashSet<&Path> = sources
            .assets
            .iter()
            .filter(|a| matches!(a.source, AssetSource::File(_)))
            .map(|a| a.origin.as_path())
            .collect();
        // A new file may change which page or asset wins, or add a URL: load all.
        if !assets.iter().all(|a| known_assets.contains(a.as_path()))
            || !pages.iter().all(|p| sources.pages.iter().any(|s| &s.path == p))
            || !templates.iter().all(|t| sources.templates.iter().any(|s| &s.path == t))
        {
            return None;
        }
        for rel in pages.iter().chain(templates) {
            let text = match read_text(&self.root, rel) {
                Ok(file) => file.text,
                Err(d) => {
                    // Read everything next time, so this file is reported until it is fixed.
                    self.sources = None;
                    return Some(Err(Error::Site(vec![d])));
                }
            };
            if let Some(page) = sources.pages.iter_mut().find(|s| &s.path == rel) {
                page.text = text;
            } else if let Some(template) = sources.templates.iter_mut().find(|s| &s.path == rel) {
                template.text = text;
            }
        }
        Some(Ok(!pages.is_empty() || !templates.is_empty()))
    }

    /// Loads the whole site, served at our address.
    fn load(&mut self) -> Result<Sources, Error> {
        self.sources = None;
        let mut sources = load_site(&self.root)?;
        override_base_url(&mut sources.config, &self.base_url).map_err(|d| Error::Site(vec![d]))?;
        self.sources = Some(sources.clone());
        Ok(sources)
    }
}

/// Per-stage timings at debug level, as `build` logs them.
struct Lap(std::time::Instant);

impl Lap {
    fn start() -> Lap {
        Lap(std::time::Instant::now())
    }

    fn log(&mut self, stage: &str) {
        log::debug!("{stage}: {:?}", self.0.elapsed());
        self.0 = std::time::Instant::now();
    }
}

fn page_key(page: &Page) -> String {
    output_key(&page_output(&page.path))
}

/// An output path as the key requests are looked up by: `/`-separated.
fn output_key(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

fn body_of(content: OutputContent) -> Body {
    match content {
        OutputContent::Bytes(bytes) => Body::Bytes(Arc::new(bytes)),
        OutputContent::Asset(AssetSource::File(path)) => Body::File(path),
        OutputContent::Asset(AssetSource::Builtin(bytes)) => Body::Builtin(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::fs;

    const URL: &str = "http://127.0.0.1:1111/";

    struct Site {
        dir: tempfile::TempDir,
        builder: Builder,
    }

    impl Site {
        fn new(pages: &[(&str, &str)]) -> Site {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("site.yaml"), "title: T\nbase_url: https://example.org/\n").unwrap();
            fs::create_dir(dir.path().join("content")).unwrap();
            for (path, text) in pages {
                fs::write(dir.path().join("content").join(path), text).unwrap();
            }
            let builder = Builder::new(dir.path(), false, URL);
            Site { dir, builder }
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }

        /// Rebuilds as serve would; returns how many pages were rendered.
        fn rebuild(&mut self, plan: &Plan) -> Result<usize, Error> {
            match self.builder.rebuild(plan)? {
                Rebuilt::Site { rendered, .. } => Ok(rendered),
                Rebuilt::Assets => Ok(0),
            }
        }

        fn edit(&mut self, rel: &str, text: &str) -> Result<usize, Error> {
            self.write(rel, text);
            let mut pages = BTreeSet::new();
            let mut templates = BTreeSet::new();
            if rel.starts_with("content/") {
                pages.insert(PathBuf::from(rel));
            } else {
                templates.insert(PathBuf::from(rel));
            }
            self.rebuild(&Plan::Patch { pages, templates, assets: BTreeSet::new() })
        }

        fn page(&self, key: &str) -> String {
            let files = &self.builder.last_good.as_ref().unwrap().snapshot.files;
            match files.get(key) {
                Some(Body::Bytes(b)) => String::from_utf8(b.to_vec()).unwrap(),
                other => panic!("{key}: {other:?}"),
            }
        }

        /// The incremental result must equal a build from scratch.
        fn assert_same_as_a_full_build(&self) {
            let mut fresh = Builder::new(self.dir.path(), false, URL);
            let Rebuilt::Site { snapshot, .. } = fresh.rebuild(&Plan::Full).unwrap() else { panic!() };
            let ours = &self.builder.last_good.as_ref().unwrap().snapshot;
            let keys = |s: &Snapshot| s.files.keys().cloned().collect::<BTreeSet<_>>();
            assert_eq!(keys(ours), keys(&snapshot));
            for (key, body) in &snapshot.files {
                if let (Body::Bytes(a), Some(Body::Bytes(b))) = (body, ours.files.get(key)) {
                    assert!(a == b, "{key} differs from a full build");
                }
            }
        }
    }

    fn page(title: &str, menu: bool, body: &str) -> String {
        format!("---\ntitle: {title}\nmenu: {menu}\n---\n{body}\n")
    }

    #[test]
    fn an_edit_renders_only_that_page_and_a_menu_change_renders_all() {
        let mut site = Site::new(&[
            ("index.md", &page("Home", true, "See [risks](risks.md).")),
            ("risks.md", &page("Risks", true, "Some risks.")),
            ("notes.md", &page("Notes", false, "Notes.")),
        ]);
        assert_eq!(site.rebuild(&Plan::Full).unwrap(), 3);
        assert_eq!(site.edit("content/notes.md", &page("Notes", false, "Edited notes.")).unwrap(), 1);
        assert!(site.page("notes/index.html").contains("Edited notes."));
        site.assert_same_as_a_full_build();
        // A title shows in other pages (menu, breadcrumbs): every page again.
        assert_eq!(site.edit("content/risks.md", &page("Possible risks", true, "Some risks.")).unwrap(), 3);
        assert!(site.page("notes/index.html").contains("Possible risks"));
        site.assert_same_as_a_full_build();
        // A new slug changes links to the page.
        let moved = "---\ntitle: Possible risks\nmenu: true\nslug: dangers\n---\nSome risks.\n";
        assert_eq!(site.edit("content/risks.md", moved).unwrap(), 3);
        assert!(site.page("index.html").contains("href=\"dangers/\""));
        site.assert_same_as_a_full_build();
    }

    #[test]
    fn a_template_edit_renders_every_page() {
        let mut site =
            Site::new(&[("index.md", &page("Home", true, "Hi.")), ("a.md", &page("A", false, "A."))]);
        site.write("templates/page.html", "<p>{{ page.title }}</p>");
        site.rebuild(&Plan::Full).unwrap();
        assert_eq!(site.edit("templates/page.html", "<h1>{{ page.title }}</h1>").unwrap(), 2);
        assert_eq!(site.page("a/index.html"), "<h1>A</h1>");
        site.assert_same_as_a_full_build();
    }

    #[test]
    fn pages_edited_while_the_site_was_broken_are_rendered_once_it_builds() {
        let mut site = Site::new(&[
            ("index.md", &page("Home", true, "Hi.")),
            ("a.md", &page("A", false, "A.")),
            ("b.md", &page("B", false, "B.")),
        ]);
        site.rebuild(&Plan::Full).unwrap();
        let Err(Error::Site(errors)) = site.edit("content/a.md", &page("A", false, "[gone](gone.md)")) else {
            panic!()
        };
        assert_eq!(errors[0].file, Path::new("content/a.md"));
        assert_eq!(errors[0].location.map(|l| l.line), Some(5));
        assert!(site.edit("content/b.md", &page("B", false, "B, edited.")).is_err());
        assert_eq!(site.edit("content/a.md", &page("A", false, "A.")).unwrap(), 2);
        assert!(site.page("b/index.html").contains("B, edited."));
        site.assert_same_as_a_full_build();
        // Broken front matter takes the page out of the site: every page again.
        let Err(Error::Site(errors)) = site.edit("content/a.md", "---\ntitle: [A\n---\n") else { panic!() };
        assert_eq!(errors[0].file, Path::new("content/a.md"));
        assert_eq!(errors[0].location.map(|l| l.line), Some(2));
        assert_eq!(site.edit("content/a.md", &page("A", false, "A, again.")).unwrap(), 3);
        site.assert_same_as_a_full_build();
    }

    #[test]
    fn a_new_or_unreadable_file_loads_everything_again() {
        let mut site = Site::new(&[("index.md", &page("Home", true, "Hi."))]);
        site.rebuild(&Plan::Full).unwrap();
        // Named in a patch but not loaded before: a new page.
        assert_eq!(site.edit("content/new.md", &page("New", false, "New.")).unwrap(), 2);
        assert!(site.page("new/index.html").contains("New."));
        site.write_bytes_for_test("content/new.md", b"---\ntitle: caf\xe9\n---\n");
        let plan = Plan::Patch {
            pages: [PathBuf::from("content/new.md")].into(),
            templates: BTreeSet::new(),
            assets: BTreeSet::new(),
        };
        assert!(site.rebuild(&plan).is_err());
        // Another page edited: the unreadable one is still reported.
        let Err(Error::Site(errors)) = site.edit("content/index.md", &page("Home", true, "Hello.")) else {
            panic!()
        };
        assert!(errors[0].message.contains("not UTF-8"), "{errors:?}");
    }

    #[test]
    fn a_static_file_edit_needs_no_rebuild() {
        let mut site = Site::new(&[("index.md", &page("Home", true, "Hi."))]);
        site.write("static/style.css", "a{}");
        site.rebuild(&Plan::Full).unwrap();
        let plan = Plan::Patch {
            pages: BTreeSet::new(),
            templates: BTreeSet::new(),
            assets: [PathBuf::from("static/style.css")].into(),
        };
        assert!(matches!(site.builder.rebuild(&plan).unwrap(), Rebuilt::Assets));
        let files = &site.builder.last_good.as_ref().unwrap().snapshot.files;
        assert!(matches!(files.get("style.css"), Some(Body::File(_))));
    }

    impl Site {
        fn write_bytes_for_test(&self, rel: &str, bytes: &[u8]) {
            fs::write(self.dir.path().join(rel), bytes).unwrap();
        }
    }
}
