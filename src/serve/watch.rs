//! Watching the site: file events in, one rebuild [`Plan`] per burst of them out.
//!
//! Editors save in a dance (write a temporary file, rename the old one away,
//! rename the new one in, delete the old one), so events are collected into a
//! [`Burst`] until the folder has been quiet for a moment, and judged by what
//! is on disk at the end: a file that appeared and vanished within the burst
//! never happened. The moment is [`QUIET`] after the last event, or only
//! [`QUIET_CLOSED`] when every file written has been closed (Linux says so;
//! the quiet time is most of the edit-to-reload time on a small site). Each
//! path is reduced to one [`Kind`] by pure functions ([`classify`], [`plan`]),
//! tested below, so which edit rebuilds what can be read in one place.
//!
//! A file still open for writing when the folder goes quiet (a save that
//! pauses half-way) is not built: it is held back until it is closed (or
//! has been quiet for [`WRITE_PATIENCE`]) while the rest of the burst is
//! built, unless the rest needs the whole site loaded, which would read it
//! too. And a file that changes while a rebuild reads it makes that rebuild
//! unpublished ([`Watcher::changed_while_read`]); issue 9.

use crate::collections::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RenameMode};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::source::{is_markdown, is_page_asset, is_skipped};

/// How long the site must be quiet before a burst of events counts as one
/// change, while a file may still be being written. Editors finish their
/// save dance within a few milliseconds.
pub(crate) const QUIET: Duration = Duration::from_millis(25);
/// The same once every file written in the burst has been closed.
pub(crate) const QUIET_CLOSED: Duration = Duration::from_millis(8);
/// Rebuild at least this often while events keep coming (a `git checkout`).
const LONGEST_BURST: Duration = Duration::from_secs(1);
/// How long a file may stay open for writing, without a write, before it is
/// built as it is (a program that keeps it open).
pub(crate) const WRITE_PATIENCE: Duration = Duration::from_secs(5);
/// Whether the watcher says when a written file is closed (inotify does);
/// elsewhere nothing is held back for being open.
const CLOSES_REPORTED: bool = cfg!(target_os = "linux");
/// The folders whose contents make the site.
const FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];

/// What a changed path is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `site.yaml`, or a theme's `theme.yaml`.
    Config,
    /// A markdown page under `content/`.
    Page,
    /// A data file beside the pages that features read (`references.bib`).
    Data,
    /// A template of the site or of a theme.
    Template,
    /// A file served as it is: under `static/`, a theme's `static/`, or beside a page.
    Static,
    /// One of the site's folders itself, or a theme's (appeared, vanished, renamed).
    Folder,
    /// Image variants made in the background are in the cache (never an
    /// edit: the rebuild thread says so itself, see [`Watcher::waker`]).
    Images,
}

/// What a path, relative to the site root, is to the site; `None` when the
/// site does not read it (`public/`, `.git/`, editor backups, swap files).
pub(crate) fn classify(rel: &Path) -> Option<Kind> {
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if rel == Path::new(crate::image::CACHE_DIR) {
        return Some(Kind::Images);
    }
    if is_skipped(rel) {
        return None;
    }
    match parts.as_slice() {
        [file] if *file == CONFIG_FILE => Some(Kind::Config),
        // A theme's settings (image widths) reach every page and image.
        ["themes", _, file] if *file == crate::theme::THEME_FILE => Some(Kind::Config),
        // A theme's words (issue 13) reach every page, as its settings do.
        ["themes", _, folder, ..] if *folder == crate::theme::i18n::I18N_DIR => Some(Kind::Config),
        ["content" | "templates" | "static" | "themes"] => Some(Kind::Folder),
        ["content", ..] if is_markdown(rel) => Some(Kind::Page),
        ["content", ..] if !is_page_asset(rel) => Some(Kind::Data),
        ["content", ..] | ["static", ..] => Some(Kind::Static),
        ["templates", ..] => Some(Kind::Template),
        ["themes", _] | ["themes", _, "templates" | "static"] => Some(Kind::Folder),
        ["themes", _, "templates", ..] => Some(Kind::Template),
        ["themes", _, "static", ..] => Some(Kind::Static),
        _ => None,
    }
}

/// A path some event named during a burst, and how it stands at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Touched {
    /// Relative to the site root.
    pub(crate) rel: PathBuf,
    /// An event said it was created (or renamed to) during the burst.
    pub(crate) created: bool,
    /// It is a file now, at the end of the burst.
    pub(crate) is_file: bool,
    /// It exists now, as a file or folder.
    pub(crate) exists: bool,
}

/// What to rebuild after a burst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing the site reads changed.
    Ignore,
    /// Files changed in place: read these again (the rebuild still loads
    /// everything when one of them turns out to be new).
    Patch {
        /// Markdown pages, relative to the root.
        pages: BTreeSet<PathBuf>,
        /// Templates.
        templates: BTreeSet<PathBuf>,
        /// Files served as they are (read when requested, so only a reload is needed).
        assets: BTreeSet<PathBuf>,
    },
    /// Load the whole site again: settings or data changed, or files
    /// appeared or vanished.
    Full,
}

/// Reduces a burst to one plan; the most thorough change wins.
pub(crate) fn plan(touched: &[Touched]) -> Plan {
    let (mut pages, mut templates, mut assets) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for t in touched {
        let Some(kind) = classify(&t.rel) else { continue };
        if t.created && !t.exists {
            continue; // an editor's temporary file, gone already
        }
        let set = match kind {
            Kind::Config | Kind::Data | Kind::Folder | Kind::Images => return Plan::Full,
            _ if !t.is_file => return Plan::Full, // deleted, or a folder moved
            Kind::Page => &mut pages,
            Kind::Template => &mut templates,
            Kind::Static => &mut assets,
        };
        set.insert(t.rel.clone());
    }
    if pages.is_empty() && templates.is_empty() && assets.is_empty() {
        Plan::Ignore
    } else {
        Plan::Patch { pages, templates, assets }
    }
}

/// Whether an event kind can mean a change. Reads are left out: the
/// rebuild itself reads every file it watches.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Watches the site's folders and `site.yaml`.
pub(crate) struct Watcher {
    inner: RecommendedWatcher,
    /// The site root, absolute, as events name it.
    root: PathBuf,
    watched: HashSet<PathBuf>,
    /// Events not built yet: files held back while open for writing, and
    /// changes seen while a rebuild read the site.
    pending: Burst,
    /// Where events go, to add our own.
    sender: Sender<notify::Result<Event>>,
}

/// What the watcher reports.
pub(crate) type Events = Receiver<notify::Result<Event>>;

/// Queues an event that makes the rebuild thread build again.
pub(crate) struct Waker(Box<dyn Fn() + Send + Sync>);

impl Waker {
    /// A waker that calls `wake`.
    pub(crate) fn new(wake: impl Fn() + Send + Sync + 'static) -> Waker {
        Waker(Box::new(wake))
    }

    /// Makes the rebuild thread build again.
    pub(crate) fn wake(&self) {
        (self.0)();
    }
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waker")
    }
}

impl Watcher {
    /// Starts watching the site at `root`.
    pub(crate) fn start(root: &Path) -> Result<(Watcher, Events), Error> {
        let root = std::fs::canonicalize(root).map_err(Error::io("read", root))?;
        let (tx, rx) = channel();
        let sender = tx.clone();
        let inner = notify::recommended_watcher(tx).map_err(|e| watch_error(&root, &e))?;
        let mut watcher =
            Watcher { inner, root, watched: HashSet::default(), pending: Burst::default(), sender };
        // The root itself, not recursively: site.yaml, and folders appearing.
        let root = watcher.root.clone();
        watcher.inner.watch(&root, RecursiveMode::NonRecursive).map_err(|e| watch_error(&root, &e))?;
        watcher.watch_new_folders()?;
        Ok((watcher, rx))
    }

    /// What tells the rebuild thread that image variants made in the
    /// background are ready: calling it queues an event as an edit would.
    pub(crate) fn waker(&self) -> Waker {
        let sender = self.sender.clone();
        let path = self.root.join(crate::image::CACHE_DIR);
        Waker::new(move || {
            let event = Event::new(EventKind::Modify(ModifyKind::Any)).add_path(path.clone());
            let _ = sender.send(Ok(event));
        })
    }

    /// Watches site folders created since the last call (a first template).
    pub(crate) fn watch_new_folders(&mut self) -> Result<(), Error> {
        for name in FOLDERS {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.inner.watch(&dir, RecursiveMode::Recursive).map_err(|e| watch_error(&dir, &e))?;
                self.watched.insert(dir);
            } else if !dir.is_dir() {
                // Gone: the OS dropped its watch; watch it again if it comes back.
                self.watched.remove(&dir);
            }
        }
        Ok(())
    }

    /// Blocks until the next burst of events ends and what it touched can
    /// be built; `None` once the watcher is gone.
    pub(crate) fn next_burst(&mut self, events: &Events) -> Option<Vec<Touched>> {
        loop {
            if self.pending.paths.is_empty() && !self.pending.rescan {
                self.pending.add(events.recv().ok()?);
            }
            let started = Instant::now();
            while started.elapsed() < LONGEST_BURST {
                match events.recv_timeout(self.pending.quiet()) {
                    Ok(event) => self.pending.add(event),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            let burst = std::mem::take(&mut self.pending);
            let (ready, held) = burst.settle(&self.root, Instant::now());
            self.pending = held;
            if let Some(touched) = ready {
                return Some(touched);
            }
            // Only files still being written: wait for them to be closed.
            let wait = self.pending.patience_left(Instant::now());
            match events.recv_timeout(wait) {
                Ok(event) => self.pending.add(event),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Whether a file the rebuild just made from `plan` read changed while
    /// it did (so may have been read half-written); those events are kept
    /// for the next burst, which builds it again.
    pub(crate) fn changed_while_read(&mut self, events: &Events, plan: &Plan) -> bool {
        while let Ok(event) = events.try_recv() {
            self.pending.add(event);
        }
        if self.pending.rescan {
            return true;
        }
        self.pending.paths.keys().filter_map(|path| path.strip_prefix(&self.root).ok()).any(|rel| {
            match plan {
                Plan::Ignore => false,
                Plan::Patch { pages, templates, .. } => pages.contains(rel) || templates.contains(rel),
                // A full load reads every page, template and setting.
                Plan::Full => classify(rel).is_some_and(|kind| kind != Kind::Static),
            }
        })
    }
}

/// The events of one burst, folded per path.
#[derive(Debug, Default)]
pub(crate) struct Burst {
    /// Every path named, and whether an event said it was created.
    paths: BTreeMap<PathBuf, bool>,
    /// Files written to and not closed yet, with when they were last written.
    writing: HashMap<PathBuf, Instant>,
    /// Events were lost (the OS queue overflowed).
    rescan: bool,
}

impl Burst {
    /// Takes in one event.
    pub(crate) fn add(&mut self, event: notify::Result<Event>) {
        let event = match event {
            Ok(event) if event.need_rescan() => return self.rescan = true,
            Ok(event) if is_change(&event.kind) => event,
            Ok(_) => return,
            Err(e) => {
                log::warn!("watching the site: {e}");
                return self.rescan = true;
            }
        };
        let renamed_both = matches!(event.kind, EventKind::Modify(ModifyKind::Name(RenameMode::Both)));
        for (i, path) in event.paths.iter().enumerate() {
            let created = matches!(event.kind, EventKind::Create(_))
                || matches!(event.kind, EventKind::Modify(ModifyKind::Name(RenameMode::To)))
                || (renamed_both && i == 1);
            *self.paths.entry(path.clone()).or_default() |= created;
            match event.kind {
                EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_)) => {
                    self.writing.insert(path.clone(), Instant::now());
                }
                EventKind::Access(AccessKind::Close(AccessMode::Write)) | EventKind::Remove(_) => {
                    self.writing.remove(path);
                }
                _ => {}
            }
        }
    }

    /// How long to wait for the next event before the burst counts as over.
    pub(crate) fn quiet(&self) -> Duration {
        if self.writing.is_empty() { QUIET_CLOSED } else { QUIET }
    }

    /// Splits the burst, at `now`, into what can be built (`None` when
    /// nothing can) and the files held back while still open for writing.
    /// Everything is held when what remains would load the whole site.
    pub(crate) fn settle(mut self, root: &Path, now: Instant) -> (Option<Vec<Touched>>, Burst) {
        let open: HashSet<PathBuf> = self
            .writing
            .iter()
            .filter(|(_, last)| CLOSES_REPORTED && now.saturating_duration_since(**last) < WRITE_PATIENCE)
            .map(|(path, _)| path.clone())
            .collect();
        if open.is_empty() {
            return (Some(self.touched(root)), Burst::default());
        }
        let mut held = Burst { writing: std::mem::take(&mut self.writing), ..Burst::default() };
        held.writing.retain(|path, _| open.contains(path));
        let (open_paths, rest): (BTreeMap<_, _>, BTreeMap<_, _>) =
            std::mem::take(&mut self.paths).into_iter().partition(|(path, _)| open.contains(path));
        held.paths = open_paths;
        let rest = Burst { paths: rest, writing: HashMap::default(), rescan: self.rescan };
        let touched = rest.touched(root);
        if touched.is_empty() || plan(&touched) == Plan::Full {
            // Put it all back: nothing to build without the open files.
            held.paths.extend(touched.into_iter().map(|t| (root.join(t.rel), t.created)));
            held.rescan |= self.rescan;
            return (None, held);
        }
        (Some(touched), held)
    }

    /// How long until a file held open for writing is built anyway.
    pub(crate) fn patience_left(&self, now: Instant) -> Duration {
        let oldest = self.writing.values().min().copied().unwrap_or(now);
        (oldest + WRITE_PATIENCE).saturating_duration_since(now).max(QUIET)
    }

    /// Each path relative to `root`, as it stands on disk now.
    pub(crate) fn touched(self, root: &Path) -> Vec<Touched> {
        let mut touched: Vec<Touched> = self
            .paths
            .into_iter()
            .filter_map(|(path, created)| {
                let rel = path.strip_prefix(root).ok()?.to_path_buf();
                let meta = std::fs::metadata(&path).ok();
                Some(Touched {
                    rel,
                    created,
                    is_file: meta.as_ref().is_some_and(std::fs::Metadata::is_file),
                    exists: meta.is_some(),
                })
            })
            .collect();
        if self.rescan {
            // Assume anything changed: load everything again.
            touched.push(Touched { rel: CONFIG_FILE.into(), created: false, is_file: true, exists: true });
        }
        touched
    }
}

fn watch_error(path: &Path, e: &notify::Error) -> Error {
    Error::Serve(format!(
        "cannot watch {} for changes: {e} (on Linux, raising fs.inotify.max_user_watches may help)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, MetadataKind, RemoveKind};

    fn kind(p: &str) -> Option<Kind> {
        classify(Path::new(p))
    }

    #[test]
    fn classifies_each_path_by_what_the_site_does_with_it() {
        assert_eq!(kind("site.yaml"), Some(Kind::Config));
        assert_eq!(kind("content/about.md"), Some(Kind::Page));
        assert_eq!(kind("content/care/After Care.markdown"), Some(Kind::Page));
        assert_eq!(kind("content/references.bib"), Some(Kind::Data));
        assert_eq!(kind("content/refs.yaml"), Some(Kind::Data));
        assert_eq!(kind("content/images/scalp.jpg"), Some(Kind::Static));
        assert_eq!(kind("templates/page.html"), Some(Kind::Template));
        assert_eq!(kind("themes/clinic/i18n/de.yaml"), Some(Kind::Config));
        assert_eq!(kind("templates/partials/header.html"), Some(Kind::Template));
        assert_eq!(kind("static/style.css"), Some(Kind::Static));
        // Hidden files the site copies are watched too (issue 9: they were ignored).
        assert_eq!(kind("static/.well-known/security.txt"), Some(Kind::Static));
        assert_eq!(kind("static/.nojekyll"), Some(Kind::Static));
        assert_eq!(kind("themes/clinic/templates/base.html"), Some(Kind::Template));
        assert_eq!(kind("themes/clinic/static/fonts/a.woff2"), Some(Kind::Static));
        assert_eq!(kind("themes/clinic/theme.yaml"), Some(Kind::Config));
        for folder in ["content", "templates", "static", "themes", "themes/clinic", "themes/clinic/templates"]
        {
            assert_eq!(kind(folder), Some(Kind::Folder), "{folder}");
        }
    }

    #[test]
    fn ignores_what_the_site_does_not_read() {
        for p in [
            "public/index.html",
            ".git/index",
            "target/debug/x",
            "README.md",
            "site.yaml~",
            "content/.about.md.swp",
            "content/about.md~",
            "content/#about.md#",
            "content/.#about.md",
            "content/.hidden/page.md",
            "themes/clinic/README.md",
            "../elsewhere/site.yaml",
        ] {
            assert_eq!(kind(p), None, "{p}");
        }
    }

    fn touched(rel: &str, created: bool, is_file: bool) -> Touched {
        Touched { rel: rel.into(), created, is_file, exists: is_file }
    }

    fn patch(pages: &[&str], templates: &[&str], assets: &[&str]) -> Plan {
        let set = |v: &[&str]| v.iter().map(PathBuf::from).collect();
        Plan::Patch { pages: set(pages), templates: set(templates), assets: set(assets) }
    }

    #[test]
    fn an_editors_save_dance_is_one_page_edit() {
        // vim: probe file 4913 created and deleted, the page renamed to a
        // backup, a new page written, the backup deleted.
        let burst = [
            touched("content/4913", true, false),
            touched("content/about.md", true, true),
            touched("content/about.md~", true, false),
        ];
        assert_eq!(plan(&burst), patch(&["content/about.md"], &[], &[]));
        // JetBrains' safe write, with its temporary names.
        let burst = [
            touched("content/about.md___jb_tmp___", true, false),
            touched("content/about.md___jb_old___", true, false),
            touched("content/about.md", true, true),
        ];
        assert_eq!(plan(&burst), patch(&["content/about.md"], &[], &[]));
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Result<Event> {
        Ok(paths.iter().fold(Event::new(kind), |e, p| e.add_path(PathBuf::from(p))))
    }

    #[test]
    fn a_burst_waits_longer_while_a_file_is_open_for_writing() {
        let mut burst = Burst::default();
        burst.add(event(EventKind::Create(CreateKind::File), &["/s/content/a.md"]));
        burst.add(event(EventKind::Modify(ModifyKind::Data(DataChange::Any)), &["/s/content/a.md"]));
        assert_eq!(burst.quiet(), QUIET);
        burst.add(event(EventKind::Access(AccessKind::Close(AccessMode::Write)), &["/s/content/a.md"]));
        assert_eq!(burst.quiet(), QUIET_CLOSED);
        // The rebuild reads files: reads neither count as changes nor extend the wait.
        burst.add(event(EventKind::Access(AccessKind::Open(AccessMode::Any)), &["/s/site.yaml"]));
        assert_eq!(burst.quiet(), QUIET_CLOSED);
        let touched = burst.touched(Path::new("/s"));
        assert_eq!(touched.len(), 1);
        assert_eq!((touched[0].rel.as_path(), touched[0].created), (Path::new("content/a.md"), true));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_still_open_for_writing_is_held_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        for name in ["a.md", "b.md"] {
            std::fs::write(root.join("content").join(name), "x").unwrap();
        }
        let path = |rel: &str| root.join(rel).display().to_string();
        let (a, b) = (path("content/a.md"), path("content/b.md"));
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        // Taken before the events, so no slowness of this test can make them old.
        let now = Instant::now();
        let mut burst = Burst::default();
        burst.add(event(data, &[&a]));
        burst.add(event(data, &[&b]));
        burst.add(event(closed, &[&b]));
        // b is built, a (written half-way, still open) waits.
        let (ready, mut held) = burst.settle(root, now);
        let ready: Vec<PathBuf> = ready.unwrap().into_iter().map(|t| t.rel).collect();
        assert_eq!(ready, [PathBuf::from("content/b.md")]);
        assert_eq!(held.paths.keys().collect::<Vec<_>>(), [&root.join("content/a.md")]);
        assert!(held.patience_left(now) >= WRITE_PATIENCE);
        // Alone it is not built at all; once closed, it is.
        let (ready, mut held) = std::mem::take(&mut held).settle(root, now);
        assert!(ready.is_none());
        held.add(event(closed, &[&a]));
        let (ready, held) = held.settle(root, now);
        assert_eq!(ready.unwrap().len(), 1);
        assert!(held.paths.is_empty());
        // A change that needs a full load waits for the open file too, as the load would read it.
        let mut burst = Burst::default();
        burst.add(event(data, &[&a]));
        burst.add(event(data, &[&path("site.yaml")]));
        burst.add(event(closed, &[&path("site.yaml")]));
        let (ready, held) = burst.settle(root, now);
        assert!(ready.is_none());
        assert_eq!(held.paths.len(), 2);
        // A writer that keeps it open without writing gets it built after a while.
        let (ready, _) = held.settle(root, Instant::now() + WRITE_PATIENCE);
        assert_eq!(ready.unwrap().len(), 2);
    }

    #[test]
    fn a_burst_remembers_which_paths_were_created() {
        let mut burst = Burst::default();
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        burst.add(event(rename, &["/s/content/a.md", "/s/content/a.md~"]));
        burst.add(event(EventKind::Remove(RemoveKind::File), &["/s/content/a.md~"]));
        burst.add(event(EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)), &["/s/x"]));
        let created: Vec<(String, bool)> =
            burst.paths.iter().map(|(p, c)| (p.display().to_string(), *c)).collect();
        assert_eq!(
            created,
            [("/s/content/a.md".into(), false), ("/s/content/a.md~".into(), true), ("/s/x".into(), false)]
        );
        let mut lost = Burst::default();
        lost.add(Err(notify::Error::generic("queue overflow")));
        assert_eq!(plan(&lost.touched(Path::new("/s"))), Plan::Full);
    }

    #[test]
    fn plans_the_least_work_each_change_needs() {
        assert_eq!(plan(&[]), Plan::Ignore);
        assert_eq!(plan(&[touched("public/index.html", false, true)]), Plan::Ignore);
        assert_eq!(
            plan(&[touched("content/a.md", false, true), touched("content/b.md", false, true)]),
            patch(&["content/a.md", "content/b.md"], &[], &[])
        );
        assert_eq!(
            plan(&[touched("templates/page.html", false, true), touched("static/style.css", false, true)]),
            patch(&[], &["templates/page.html"], &["static/style.css"])
        );
        assert_eq!(plan(&[touched("site.yaml", false, true)]), Plan::Full);
        assert_eq!(plan(&[touched("content/references.bib", false, true)]), Plan::Full);
        // A page deleted or a folder moved changes which pages exist.
        assert_eq!(plan(&[touched("content/a.md", false, false)]), Plan::Full);
        assert_eq!(plan(&[touched("static/style.css", false, false)]), Plan::Full);
        let moved = Touched { rel: "content/care".into(), created: true, is_file: false, exists: true };
        assert_eq!(plan(&[moved]), Plan::Full);
        assert_eq!(
            plan(&[touched("content/a.md", false, true), touched("site.yaml", false, true)]),
            Plan::Full
        );
    }
}
