//! The pipeline that `build`, `check` and `serve` share: load and parse a
//! site ([`load_and_parse`]), list its render units and check their outputs
//! for collisions ([`Pipeline::new`]), then render the units in parallel
//! into a [`Sink`] ([`Pipeline::render`]). Only the sink differs between the
//! commands: `build` writes each unit's files into the new output folder as
//! soon as they are made (inside the atomic folder swap) and keeps what the
//! check for publishing errors needs of the whole site (names and ids, not
//! the pages), `check` keeps them in a [`Collector`]
//! to inspect, and `serve` puts
//! them in the in-memory snapshot it answers from, rendering only the units
//! whose declared inputs changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::check::PublishCheck;
use crate::config::override_base_url;
use crate::error::{Diagnostic, Error};
use crate::host::csp::Inline;
use crate::render::{Listed, OutputFile, Renderer, Unit, list_units, merge_page_errors};
use crate::scratch::Scratch;
use crate::settings::Settings;
use crate::site::{ParseCache, ParseOptions, Site, parse_site_cached};
use crate::source::{FirstLook, ListedSite, Sources, Unread, list_site};

/// Where rendered files go. Called from several threads at once, once per
/// rendered unit, with the unit's number in [`Pipeline::units`].
pub trait Sink: Sync {
    /// Takes the files unit number `unit` rendered.
    fn take(&self, unit: usize, files: Vec<OutputFile>) -> Result<(), Error>;

    /// The check before publishing, if it reads each page as it is
    /// rendered, in the pass that reads its ids (`build`).
    fn publish_check(&self) -> Option<&PublishCheck<'_>> {
        None
    }
}

/// Loads the site as `settings` say: the load stage, with `base_url`
/// replaced if asked.
pub fn load(settings: &Settings) -> Result<Sources, Error> {
    read_listed(settings, list_site(&settings.root)?, &|_| None, None, None)
}

/// Reads the pages of the site `listed` ([`crate::source::ListedSite::read`]),
/// leaving unread those whose text `known` gives the hash of and putting
/// the others' in `scratch` if given, and applies what `settings` override.
fn read_listed(
    settings: &Settings,
    listed: ListedSite,
    known: &(dyn Fn(&Path) -> Option<u64> + Sync),
    scratch: Option<&Arc<Scratch>>,
    look: Option<FirstLook<'_>>,
) -> Result<Sources, Error> {
    let mut sources = listed.read(known, scratch, look)?;
    if let Some(url) = &settings.base_url {
        override_base_url(&mut sources.config, url).map_err(|d| Error::Site(vec![d]))?;
    }
    if let Some(broken_links) = settings.broken_links {
        sources.config.broken_links = broken_links;
    }
    if settings.one_domain {
        sources.config.languages.iter_mut().for_each(|l| l.base_url = None);
    }
    Ok(sources)
}

/// Loads and parses the site for `check`: with what its advice reads of
/// each page ([`ParseOptions::advice`]).
pub fn load_and_parse(settings: &Settings) -> Result<Site, Error> {
    let options = ParseOptions { advice: true, ..settings.parse_options() };
    load_and_parse_with(settings, &mut ParseCache::one_shot(), &options)
}

/// Loads and parses the site as `options` say, taking from `cache` what it
/// holds.
pub fn load_and_parse_with(
    settings: &Settings,
    cache: &mut ParseCache,
    options: &ParseOptions,
) -> Result<Site, Error> {
    let started = Instant::now();
    let listed = list_site(&settings.root)?;
    log_stage("load: listed", started, "");
    parse_listed(settings, listed, cache, options)
}

/// Reads the pages of the site `listed` and parses it as `options` say,
/// taking from `cache` what it holds (`build` lists the site while it
/// reads what the last build kept of the pages' bodies, then passes that).
pub fn parse_listed(
    settings: &Settings,
    listed: ListedSite,
    cache: &mut ParseCache,
    options: &ParseOptions,
) -> Result<Site, Error> {
    let started = Instant::now();
    // A build leaves unread the pages the last build read as they are now.
    // A one-shot run parses each page's front matter as the page is read,
    // before its text goes into the scratch file (`ParseCache::first_look`).
    let look = |file: &Path, text: &str| cache.first_look(file, text);
    let look = cache.looks_first().then_some(&look as FirstLook<'_>);
    let sources = read_listed(settings, listed, &|file| cache.known_print(file), cache.scratch(), look)?;
    let unread = sources.pages.iter().filter(|p| p.unread.as_ref().is_some_and(Unread::left_in_file)).count();
    log_stage("load: read", started, &format!(" ({unread} pages known by their stamps, not read)"));
    let started = Instant::now();
    let site = parse_site_cached(sources, options, cache)?;
    log_stage("parse", started, "");
    Ok(site)
}

/// Logs (at debug level, `-v`) how long a stage took since `started`, with
/// `note`, and on Linux the process's memory then and at its peak so far,
/// so `-v` shows which stage holds what (issue 16).
pub fn log_stage(stage: &str, started: Instant, note: &str) {
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_so_far().map(|ms| format!(", CPU {ms} ms so far")).unwrap_or_default();
    match memory() {
        Some((now, peak)) => {
            log::debug!("{stage}: {elapsed:?}{note} (memory {now} MiB, peak {peak} MiB{cpu})")
        }
        None => log::debug!("{stage}: {elapsed:?}{note}"),
    }
}

/// The CPU time this process has run so far on all its threads, in
/// milliseconds, as Linux tells it (`/proc/self/task/*/schedstat`, in
/// nanoseconds; a thread that ended is not counted).
fn cpu_so_far() -> Option<u64> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let nanos = tasks.flatten().filter_map(|task| {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        stat.split_whitespace().next()?.parse::<u64>().ok()
    });
    Some(nanos.sum::<u64>() / 1_000_000)
}

/// The resident memory of this process now and at its peak, in MiB, as
/// Linux tells it (`VmRSS`, `VmHWM`).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kib / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// A parsed site ready to render: its templates and its units.
pub struct Pipeline<'a> {
    site: &'a Site,
    renderer: Renderer<'a>,
    units: Vec<Unit>,
    outputs: Vec<Vec<PathBuf>>,
}

impl<'a> Pipeline<'a> {
    /// Parses the templates and lists the site's units; two units writing
    /// one path are an error here, before anything is rendered.
    pub fn new(site: &'a Site) -> Result<Pipeline<'a>, Error> {
        // The templates are read while the units are listed: whether there
        // is a 404 page is whether the site has that template (it is read
        // whole, or the renderer is not made).
        let has_404 = site.templates.iter().any(|t| t.name == "404.html");
        let (renderer, listed) = rayon::join(|| Renderer::new(site), || list_units(site, has_404));
        let renderer = renderer?;
        debug_assert_eq!(has_404, renderer.has_404_template());
        let Listed { units, outputs } =
            listed.map_err(|problems| Error::Site(merge_page_errors(site, problems)))?;
        // As published: in the folder of each domain (`domains.rs`).
        let outputs = if site.domains.is_split() {
            let placed = |(unit, paths): (&Unit, Vec<PathBuf>)| {
                paths.iter().flat_map(|p| site.domains.place_path(p, unit.is_shared())).collect()
            };
            units.iter().zip(outputs).map(placed).collect()
        } else {
            outputs
        };
        Ok(Pipeline { site, renderer, units, outputs })
    }

    /// The parsed templates ([`Renderer::templates`]).
    pub fn templates(&self) -> Vec<Arc<tera::Tera>> {
        self.renderer.templates()
    }

    /// The site's units, pages first.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The files unit `i` writes.
    pub fn unit_outputs(&self, i: usize) -> &[PathBuf] {
        &self.outputs[i]
    }

    /// Every path the units write, for the output folder to claim first.
    pub fn output_paths(&self) -> BTreeSet<PathBuf> {
        crate::output::path_set(self.outputs.iter().flatten().cloned().collect())
    }

    /// Renders every unit for which `selected` (given its number) is true
    /// into `sink`, each unit's files handed on as soon as they are made, so
    /// the whole site is never held here. Every unit is tried; template
    /// errors are reported together, the same error on many pages once.
    /// Returns how many units were rendered.
    pub fn render(
        &self,
        selected: &(dyn Fn(usize) -> bool + Sync),
        sink: &impl Sink,
    ) -> Result<usize, Error> {
        self.render_reusing(selected, &|_| None, None, sink).map(|r| r.rendered)
    }

    /// Renders the units numbered in `units`, in parallel, into `sink`,
    /// leaving out those that read what others wrote ([`Unit::after_others`]),
    /// and returns the inline code of each one's pages: `serve` renders the
    /// pages open in a browser this way first, then the rest in batches,
    /// then finishes with [`Pipeline::render_reusing`] (which renders
    /// `_headers` with everything). Template errors are merged as there.
    pub fn render_early(&self, units: &[usize], sink: &impl Sink) -> Result<Vec<(usize, Inline)>, Error> {
        let (done, problems) = self.render_in_parallel(units.par_iter().copied(), sink)?;
        Error::from_diagnostics(merge_page_errors(self.site, problems))?;
        Ok(done)
    }

    /// Renders `units`, in parallel, leaving out those that read what others
    /// wrote: the inline code of each one's pages, and the template errors.
    fn render_in_parallel(
        &self,
        units: impl ParallelIterator<Item = usize>,
        sink: &impl Sink,
    ) -> Result<(Vec<(usize, Inline)>, Problems), Error> {
        let none = Inline::default();
        // Sorted into the two lists as rendered: every unit's result held in
        // one list, then split into two, was three lists of 10,000 at the
        // end of the render, the build's peak (issue 16).
        units
            .filter(|&i| !self.units[i].after_others())
            .map(|i| self.render_one(i, &none, sink))
            .try_fold(
                || (Vec::new(), Vec::new()),
                |(mut done, mut problems), result| {
                    match result? {
                        Ok(found) => done.push(found),
                        Err(d) => problems.push(d),
                    }
                    Ok((done, problems))
                },
            )
            .try_reduce(
                || (Vec::new(), Vec::new()),
                |(mut done, mut problems), (more, also)| {
                    done.extend(more);
                    problems.extend(also);
                    Ok((done, problems))
                },
            )
    }

    /// Renders unit `i` into `sink`, each file in the folder of its domain,
    /// `others` being the inline code of the other units' pages: the inline
    /// code of its own, or its template error. An `Err` (from the sink)
    /// stops the render.
    fn render_one(
        &self,
        i: usize,
        others: &Inline,
        sink: &impl Sink,
    ) -> Result<Result<(usize, Inline), Diagnostic>, Error> {
        match self.renderer.render_unit(self.units[i], others, sink.publish_check()) {
            Ok((files, inline)) => {
                let files = self.site.domains.place(files, self.units[i].is_shared());
                sink.take(i, files).map(|()| Ok((i, inline)))
            }
            Err(d) => Ok(Err(d)),
        }
    }

    /// [`Pipeline::render`] for a caller that keeps the files of the units
    /// it does not select (`serve`) and so can tell, through `earlier`, the
    /// inline code of their pages. The units that read what others wrote
    /// ([`Unit::after_others`]: `_headers`) are rendered after the others,
    /// when selected or when the inline code of all pages is no longer
    /// `before`, what they were last rendered with.
    pub fn render_reusing(
        &self,
        selected: &(dyn Fn(usize) -> bool + Sync),
        earlier: &(dyn Fn(usize) -> Option<Inline> + Sync),
        before: Option<&Inline>,
        sink: &impl Sink,
    ) -> Result<Rendered, Error> {
        let started = Instant::now();
        let late = |i: usize| self.units[i].after_others();
        // The selected units listed first, then split evenly between the
        // cores: a filtered range is split by its length, not by the units
        // it keeps, and a page at the start with the static files at the
        // end left one core to do every static file alone (issue 16: 8 ms
        // of a one-page rebuild at 10,000 pages when that page was the
        // first).
        let chosen: Vec<usize> = (0..self.units.len()).filter(|&i| selected(i)).collect();
        let (mut inline, mut problems) = self.render_in_parallel(chosen.into_par_iter(), sink)?;
        let mut rendered = inline.len() + problems.len();
        let mut all = Inline::default();
        let mut fresh = vec![false; self.units.len()];
        for (i, found) in &inline {
            fresh[*i] = true;
            all.extend(found);
        }
        for i in (0..self.units.len()).filter(|&i| !fresh[i] && !late(i)) {
            if let Some(found) = earlier(i) {
                all.extend(&found);
            }
        }
        let changed = before != Some(&all);
        let then: Vec<usize> =
            (0..self.units.len()).filter(|&i| late(i) && (changed || selected(i))).collect();
        if problems.is_empty() {
            for i in then {
                rendered += 1;
                match self.render_one(i, &all, sink)? {
                    Ok(found) => inline.push(found),
                    Err(d) => problems.push(d),
                }
            }
        }
        log_stage("render", started, &format!(" ({rendered} of {} units)", self.units.len()));
        Error::from_diagnostics(merge_page_errors(self.site, problems))?;
        Ok(Rendered { rendered, inline, all })
    }
}

/// Template errors of the units rendered, before they are merged.
type Problems = Vec<Diagnostic>;

/// What [`Pipeline::render_reusing`] did.
#[derive(Debug)]
pub struct Rendered {
    /// How many units were rendered.
    pub rendered: usize,
    /// The inline code of the pages of each unit rendered, by unit number.
    pub inline: Vec<(usize, Inline)>,
    /// The inline code of every page, rendered now or earlier: what
    /// `_headers` is rendered with.
    pub all: Inline,
}

/// A sink that keeps every file, in the order of the units (`check`).
#[derive(Debug, Default)]
pub struct Collector(Mutex<Vec<(usize, Vec<OutputFile>)>>);

impl Sink for Collector {
    fn take(&self, unit: usize, files: Vec<OutputFile>) -> Result<(), Error> {
        // A poisoned lock means a renderer thread panicked; its files are still whole.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((unit, files));
        Ok(())
    }
}

impl Collector {
    /// The files taken, in the order of the units that made them.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut taken = self.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        taken.sort_unstable_by_key(|(unit, _)| *unit);
        taken.into_iter().flat_map(|(_, files)| files).collect()
    }
}

/// Renders every output file of the site into memory.
pub fn render_site(site: &Site) -> Result<Vec<OutputFile>, Error> {
    let collector = Collector::default();
    Pipeline::new(site)?.render(&|_| true, &collector)?;
    Ok(collector.into_files())
}

/// Drops `value` on a thread of its own, so that the caller need not wait:
/// a parsed site of 10,000 pages is millions of allocations, and freeing
/// them took 10-30 ms (issue 16) after a build's work was done, or before
/// `serve` could parse the site again. A process may end first; its memory
/// is returned either way. Where no thread can be started, it is freed here.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    if let Err(e) = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value)) {
        log::debug!("could not start a thread to free memory ({e}); freed here");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    fn site_at(dir: &Path, files: &[(&str, &str)]) -> Site {
        fs::write(dir.join("site.yaml"), "title: T\nbase_url: https://example.org/\n").unwrap();
        for (rel, text) in files {
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        load_and_parse(&Settings::new(dir)).unwrap()
    }

    fn paths(files: &[OutputFile]) -> Vec<String> {
        files.iter().map(|f| crate::url::slash_path(&f.path)).collect()
    }

    #[test]
    fn every_unit_is_rendered_once_pages_first_and_each_names_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let site = site_at(
            dir.path(),
            &[
                ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
                ("content/b.md", "---\ntitle: B\naliases: [/old/]\n---\nB.\n"),
            ],
        );
        let pipeline = Pipeline::new(&site).unwrap();
        assert_eq!(pipeline.units()[..2], [Unit::Page(0), Unit::Page(1)]);
        let collector = Collector::default();
        assert_eq!(pipeline.render(&|_| true, &collector).unwrap(), pipeline.units().len());
        let files = collector.into_files();
        let written = paths(&files);
        assert_eq!(written[..2], ["b/index.html", "index.html"]);
        for name in ["404.html", "old/index.html", "sitemap.xml", "robots.txt"] {
            assert!(written.iter().any(|w| w == name), "{name} in {written:?}");
        }
        // Every file a unit names is the file it writes, and no other.
        let declared: Vec<String> =
            pipeline.output_paths().iter().map(|p| crate::url::slash_path(p)).collect();
        let mut sorted = written.clone();
        sorted.sort();
        assert_eq!(declared, sorted);
    }

    #[test]
    fn listing_pages_feeds_and_category_pages_write_exactly_the_files_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = vec![
            ("content/index.md", "---\ntitle: Home\n---\nHi.\n".to_string()),
            ("content/news/_index.md", "---\ntitle: News\npaginate_by: 2\nfeed: true\n---\n".to_string()),
        ];
        for i in 1..=3 {
            let text = format!("---\ntitle: N{i}\ndate: 2025-01-0{i}\ncategories: [Hours]\n---\nText.\n");
            files.push((["content/news/a.md", "content/news/b.md", "content/news/c.md"][i - 1], text));
        }
        for (rel, text) in &files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let config = "title: T\nbase_url: https://clinic.test/\ncategories: [Hours]\n";
        fs::write(dir.path().join("site.yaml"), config).unwrap();
        let site = load_and_parse(&Settings::new(dir.path())).unwrap();
        let pipeline = Pipeline::new(&site).unwrap();
        let collector = Collector::default();
        assert_eq!(pipeline.render(&|_| true, &collector).unwrap(), pipeline.units().len());
        let mut written = paths(&collector.into_files());
        written.sort();
        for name in ["news/index.html", "news/page/2/index.html", "news/page/1/index.html", "news/atom.xml"] {
            assert!(written.iter().any(|w| w == name), "{name} in {written:?}");
        }
        assert!(written.iter().any(|w| w == "categories/hours/index.html"), "{written:?}");
        let declared: Vec<String> =
            pipeline.output_paths().iter().map(|p| crate::url::slash_path(p)).collect();
        assert_eq!(declared, written);
    }

    #[test]
    fn a_static_file_replaces_the_unit_that_would_make_it_and_a_clash_renders_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let site = site_at(
            dir.path(),
            &[("content/index.md", "---\ntitle: Home\n---\nHi.\n"), ("static/robots.txt", "User-agent: *\n")],
        );
        let pipeline = Pipeline::new(&site).unwrap();
        assert!(!pipeline.units().contains(&Unit::Robots));
        assert_eq!(
            pipeline.units().iter().filter(|u| matches!(u, Unit::Asset(_))).count(),
            site.assets.len()
        );

        let dir = tempfile::tempdir().unwrap();
        let site = site_at(
            dir.path(),
            &[
                ("content/index.md", "---\ntitle: Home\naliases: [/sitemap.xml]\n---\nHi.\n"),
                ("static/sitemap.xml", "<urlset/>"),
            ],
        );
        let Err(Error::Site(problems)) = Pipeline::new(&site) else { panic!("a clash must be an error") };
        assert!(problems.iter().any(|d| d.message.contains("sitemap.xml")), "{problems:?}");
    }
}
