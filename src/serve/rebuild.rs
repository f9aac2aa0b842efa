//! Rebuilding in memory: the same pipeline as `build` (`pipeline.rs`),
//! rendering only the units whose inputs changed, into a [`Snapshot`] of the
//! built site that connections read while the next rebuild runs.
//!
//! What is kept between rebuilds, and why that is enough:
//! - the loaded [`Sources`]: an edited page or template is read again
//!   alone; anything else (settings, a file added or removed) loads all;
//! - the [`ParseCache`]: only pages whose text changed are parsed again, and
//!   every page's markdown only when a URL changed (links follow URLs);
//! - the last good snapshot, with the fingerprint of every input its units
//!   declared ([`Fingerprints`]) and the files each unit wrote: a unit is
//!   rendered again only if one of its inputs has another fingerprint now
//!   (or it is new); every other unit's files are taken from that snapshot.
//!
//! Static files are not read into memory: the snapshot names them and they
//! are read from the site folder when requested, so editing a picture or a
//! PDF only needs a reload. A stylesheet or script is published under a
//! name that holds a hash of it (`host/assets.rs`), so editing one loads the
//! site again and renders the pages that link it. Nothing is written to disk.

use crate::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::error::Error;
use crate::host::csp::Inline;
use crate::pipeline::{Pipeline, Sink, load};
use crate::render::{Fingerprints, OutputContent, OutputFile, Unit, UnitKey};
use crate::serve::watch::Plan;
use crate::settings::Settings;
use crate::site::{ParseCache, Site, parse_site_cached};
use crate::source::{AssetSource, Sources, read_text};

/// A built site in memory: output path (`about/index.html`) -> contents.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) files: HashMap<String, Body>,
    /// The site's folder with every link resolved: static files are served
    /// only while their real path is inside it.
    pub(crate) root: PathBuf,
    /// In the snapshot published after the first phase of a fast render:
    /// the files not rendered yet, which a request waits for.
    pub(crate) pending: Option<Arc<Pending>>,
}

/// The files of a snapshot that are still the previous version while the
/// rest of the site renders (the second phase of a fast render). A request
/// for one of them asks for its unit to be rendered next and waits for it,
/// so a page is never served stale ("Hugo renders on request"); each file
/// is handed over as soon as its batch is rendered.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// The keys not rendered yet when the snapshot was published.
    stale: HashSet<String>,
    state: Mutex<PendingState>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct PendingState {
    /// Rendered since.
    done: HashMap<String, Body>,
    /// Asked for by requests, to render next; each a stale key, at most
    /// [`MOST_WANTED`] of them.
    wanted: Vec<String>,
    /// The whole site is rendered (or failed to): nothing more will come.
    finished: bool,
    /// The stale keys each batch rendered, in order.
    #[cfg(test)]
    batches: Vec<Vec<String>>,
}

/// At most this many requested files jump the queue at once; more requests
/// wait their turn in the normal order.
const MOST_WANTED: usize = 64;
/// How many units the second phase renders between looks at what requests want.
const BATCH: usize = 64;
/// Two phases only when an edit renders at least this many units: below it
/// the whole render takes about as long as the first phase would.
pub(crate) const FAST_RENDER_FROM: usize = 64;

impl Pending {
    /// Whether `key` is not rendered yet in this snapshot.
    pub(crate) fn is_stale(&self, key: &str) -> bool {
        self.stale.contains(key)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PendingState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, at most `timeout`, for the stale file `key` to be rendered,
    /// asking for it to be rendered next; `None` if the rest of the site
    /// failed to render (the previous version is all there is) or time ran out.
    pub(crate) fn wait(&self, key: &str, timeout: std::time::Duration) -> Option<Body> {
        let mut state = self.lock();
        if !state.done.contains_key(key)
            && state.wanted.len() < MOST_WANTED
            && self.stale.contains(key)
            && !state.wanted.iter().any(|k| k == key)
        {
            state.wanted.push(key.to_string());
        }
        let (state, _) = self
            .ready
            .wait_timeout_while(state, timeout, |s| !s.finished && !s.done.contains_key(key))
            .unwrap_or_else(PoisonError::into_inner);
        state.done.get(key).cloned()
    }

    fn take_wanted(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().wanted)
    }

    fn add(&self, files: &[(String, Body)]) {
        let mut state = self.lock();
        #[cfg(test)]
        state.batches.push(files.iter().map(|(k, _)| k.clone()).filter(|k| self.stale.contains(k)).collect());
        state.done.extend(files.iter().filter(|(k, _)| self.stale.contains(k)).cloned());
        drop(state);
        self.ready.notify_all();
    }

    fn finish(&self) {
        self.lock().finished = true;
        self.ready.notify_all();
    }
}

/// Finishes a [`Pending`] however the rebuild ends (an error, a panic), so
/// no request waits for files that will not come.
struct Finish(Arc<Pending>);

impl Drop for Finish {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Where the first phase of a fast render starts from, and where its
/// snapshot goes.
pub(crate) struct FastRender<'a> {
    /// Keys of the pages browsers show, to render first (`visits.rs`).
    pub(crate) pages: Vec<String>,
    /// Publishes the snapshot in which those pages are new; says whether it did.
    pub(crate) publish: &'a mut dyn FnMut(Arc<Snapshot>) -> bool,
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
        /// Whether a first snapshot with the open pages was published
        /// already (this one completes it: no reload is needed).
        first: bool,
        /// Units rendered this time.
        rendered: usize,
        /// Units in the site.
        units: usize,
    },
    /// Only files served as they are changed: same snapshot, reload pages.
    Assets,
}

/// Rebuilds the site after each change, keeping what it can.
#[derive(Debug)]
pub(crate) struct Builder {
    /// What to build, with `base_url` the address the site is served at.
    settings: Settings,
    /// The site's folder with every link resolved.
    real_root: PathBuf,
    /// As loaded and patched; `None` until loaded, or after reading failed.
    sources: Option<Sources>,
    cache: ParseCache,
    /// The site the last good build parsed: an edit of templates alone
    /// renders it again with the new templates instead of parsing 10,000
    /// pages again for nothing (parsing reads templates only for the words
    /// they ask for and the lookups they make, both worked out again).
    site: Option<Site>,
    last_good: Option<Good>,
    /// Image variants being made in the background, if any.
    images: Option<std::thread::JoinHandle<()>>,
    /// What tells the rebuild thread they are made.
    waker: Option<Arc<crate::serve::watch::Waker>>,
}

/// The last site that built, and what it was built from.
#[derive(Debug)]
struct Good {
    snapshot: Arc<Snapshot>,
    /// The fingerprint of every input its units read.
    prints: Fingerprints,
    /// The files (snapshot keys) each unit wrote.
    units: HashMap<UnitKey, Vec<String>>,
    /// The inline code of each unit's pages, for `_headers` (`host.rs`)
    /// when the unit is not rendered again.
    inline: HashMap<UnitKey, Inline>,
    /// The inline code of every page, which `_headers` was made with.
    all_inline: Inline,
}

/// The sink of a rebuild: the files of the units rendered this time.
#[derive(Default)]
struct Rendered(Mutex<Vec<(String, Body)>>);

impl Rendered {
    fn into_files(self) -> Vec<(String, Body)> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Sink for Rendered {
    fn take(&self, _unit: usize, files: Vec<OutputFile>) -> Result<(), Error> {
        let mut taken = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        taken.extend(files.into_iter().map(|f| (output_key(&f.path), body_of(f.content))));
        Ok(())
    }
}

impl Builder {
    /// A builder for the site `settings` describe (`base_url`: where it is served).
    pub(crate) fn new(settings: &Settings) -> Builder {
        Builder {
            real_root: std::fs::canonicalize(&settings.root).unwrap_or_else(|_| settings.root.clone()),
            settings: settings.clone(),
            sources: None,
            cache: ParseCache::default(),
            site: None,
            last_good: None,
            images: None,
            waker: None,
        }
    }

    /// Tells `waker` each time image variants made in the background are
    /// ready, so they are published (and open pages reload).
    pub(crate) fn wake_with(&mut self, waker: crate::serve::watch::Waker) {
        self.waker = Some(Arc::new(waker));
    }

    /// Waits for the image variants being made in the background, if any.
    #[cfg(test)]
    pub(crate) fn wait_for_images(&mut self) {
        if let Some(job) = self.images.take() {
            let _ = job.join();
        }
    }

    /// Makes the image variants the last render left for later in the
    /// background (one job at a time; the rebuild it wakes starts the next).
    /// The owner never waits for a decoder or an encoder after a save:
    /// until they are made, their addresses show the source photo itself.
    fn finish_images_later(&mut self, images: &crate::image::SiteImages) {
        if images.deferred() == 0 || self.images.as_ref().is_some_and(|job| !job.is_finished()) {
            return;
        }
        let work = images.deferred_work();
        let waker = self.waker.clone();
        let job = std::thread::Builder::new().name("images".into()).spawn(move || {
            match work.run() {
                Ok(made) => log::info!("{made} resized images made; reloading"),
                Err(d) => log::error!("{}", d.render(false)),
            }
            if let Some(wake) = waker {
                wake.wake();
            }
        });
        match job {
            Ok(job) => self.images = Some(job),
            Err(e) => log::warn!("cannot start making images in the background: {e}"),
        }
    }

    /// Drops everything kept from earlier rebuilds, so the next rebuild
    /// loads, parses and renders everything again.
    pub(crate) fn forget(&mut self) {
        self.sources = None;
        self.cache = ParseCache::default();
        self.site = None;
        self.last_good = None;
    }

    /// Rebuilds after the changes in `plan` (the first call loads everything).
    pub(crate) fn rebuild(&mut self, plan: &Plan) -> Result<Rebuilt, Error> {
        self.rebuild_fast(plan, None)
    }

    /// [`Builder::rebuild`], rendering the pages `fast` names first when the
    /// edit renders many units: those are rendered, a snapshot in which they
    /// are new (the other files the previous version, marked pending) goes
    /// to `fast.publish`, then the rest is rendered in batches, files that
    /// requests wait for first. The snapshot returned is the whole site, the
    /// same as [`Builder::rebuild`] makes.
    pub(crate) fn rebuild_fast(
        &mut self,
        plan: &Plan,
        fast: Option<FastRender<'_>>,
    ) -> Result<Rebuilt, Error> {
        let mut lap = Lap::start();
        let patched = match self.patch_sources(plan) {
            Some(Ok(true)) => true,
            Some(Ok(false)) => return Ok(Rebuilt::Assets),
            Some(Err(e)) => return Err(e),
            None => false,
        };
        // Templates edited, none added or removed, nothing else changed.
        let templates_only = patched
            && matches!(plan, Plan::Patch { pages, assets, .. } if pages.is_empty() && assets.is_empty());
        let kept = self.site.take();
        let mut site = match (kept, &self.sources) {
            (Some(site), Some(sources)) if templates_only => {
                // Neither the pages' texts copied nor the site parsed again.
                lap.log("load");
                with_templates(site, sources.templates.clone())?
            }
            (kept, _) => {
                // Freeing 10,000 pages takes ~10 ms: not on the way to the reload.
                crate::pipeline::drop_in_background(kept);
                let sources = if patched { self.sources.clone() } else { None };
                let sources = match sources {
                    Some(s) => s,
                    None => self.load()?,
                };
                lap.log("load");
                parse_site_cached(sources, &self.settings.parse_options(), &mut self.cache)?
            }
        };
        site.images.defer = true;
        lap.log("parse");

        let pipeline = Pipeline::new(&site)?;
        let units = pipeline.units();
        lap.log("templates and units");
        let prints = Fingerprints::of(&site);
        lap.log("fingerprints");
        let keys: Vec<UnitKey> = units.iter().map(|u| u.key(&site)).collect();
        let previous = self.last_good.as_ref();
        let reused: Vec<Option<&Vec<String>>> = units
            .iter()
            .zip(&keys)
            .map(|(&unit, key)| {
                let good = previous?;
                let files = good.units.get(key)?;
                prints.unchanged(unit, &site, &good.prints).then_some(files)
            })
            .collect();
        let outputs: Vec<Vec<String>> = (0..units.len())
            .map(|i| pipeline.unit_outputs(i).iter().map(|p| output_key(p)).collect())
            .collect();
        lap.log("compare");
        let sink = Rendered::default();
        let needs: Vec<bool> = reused.iter().map(Option::is_none).collect();
        // Units rendered before the last pass, with the inline code of their pages.
        let mut early: HashMap<usize, Inline> = HashMap::default();
        let mut done = vec![false; units.len()];
        let mut first = false;
        let mut finish = None;
        if let (Some(fast), Some(good)) = (fast, previous) {
            let order = first_units(&fast.pages, &outputs, &needs, units);
            if let Some((pending, published)) = render_first(
                &pipeline,
                &order,
                &outputs,
                &needs,
                good,
                &self.real_root,
                fast.publish,
                &sink,
                &mut early,
            ) {
                order.iter().for_each(|&i| done[i] = true);
                first = published;
                let finished = Finish(pending);
                let ok = render_rest(&pipeline, &outputs, &needs, &mut done, &finished.0, &sink, &mut early);
                if !ok {
                    // A template error: render everything in one pass, as
                    // without a first phase, so the errors are reported as always.
                    done.iter_mut().for_each(|d| *d = false);
                    early.clear();
                    sink.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
                }
                finish = Some(finished);
            }
        }
        let earlier = |i: usize| {
            early.get(&i).cloned().or_else(|| previous.and_then(|good| good.inline.get(&keys[i]).cloned()))
        };
        let before = previous.map(|good| &good.all_inline);
        let selected = |i: usize| needs[i] && !done[i];
        let rendered_before = sink.0.lock().unwrap_or_else(PoisonError::into_inner).len();
        let result = pipeline.render_reusing(&selected, &earlier, before, &sink)?;
        let rendered = result.rendered + done.iter().filter(|&&d| d).count();
        lap.start_again();
        let mut inline: HashMap<UnitKey, Inline> =
            HashMap::with_capacity_and_hasher(units.len(), Default::default());
        let mut fresh = vec![false; units.len()];
        for (i, found) in result.inline.into_iter().chain(early.iter().map(|(&i, found)| (i, found.clone())))
        {
            fresh[i] = true;
            inline.insert(keys[i].clone(), found);
        }
        for i in (0..units.len()).filter(|&i| !fresh[i]) {
            if let Some(found) = previous.and_then(|good| good.inline.get(&keys[i]).cloned()) {
                inline.insert(keys[i].clone(), found);
            }
        }

        let fresh = sink.into_files();
        if let Some(finish) = &finish {
            // `_headers`, rendered last: requests waiting for it get it now.
            finish.0.add(&fresh[rendered_before..]);
        }
        let mut files = HashMap::with_capacity_and_hasher(units.len(), Default::default());
        if let Some(good) = previous {
            for key in reused.iter().flatten().flat_map(|files| files.iter()) {
                if let Some(body) = good.snapshot.files.get(key) {
                    files.insert(key.clone(), body.clone());
                }
            }
        }
        files.extend(fresh);
        let unit_files = keys.into_iter().zip(outputs).collect();
        let snapshot = Arc::new(Snapshot { files, root: self.real_root.clone(), pending: None });
        let units = units.len();
        drop(pipeline);
        self.last_good = Some(Good {
            snapshot: snapshot.clone(),
            prints,
            units: unit_files,
            inline,
            all_inline: result.all,
        });
        lap.log("assemble");
        self.finish_images_later(&site.images);
        self.site = Some(site);
        Ok(Rebuilt::Site { snapshot, first, rendered, units })
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
        // An image is inspected again when loaded (its size, its variants' names).
        let image = |a: &PathBuf| {
            let name = a.to_string_lossy();
            crate::image::is_processed_extension(&name) || crate::image::is_heic_extension(&name)
        };
        // A stylesheet's or script's published name holds a hash of it: the
        // pages that link it are rendered again with the new name.
        let fingerprinted = |a: &PathBuf| crate::host::assets::is_fingerprinted(a);
        if !assets.iter().all(|a| known_assets.contains(a.as_path()) && !image(a) && !fingerprinted(a))
            || !pages.iter().all(|p| sources.pages.iter().any(|s| &s.path == p))
            || !templates.iter().all(|t| sources.templates.iter().any(|s| &s.path == t))
        {
            return None;
        }
        for rel in pages.iter().chain(templates) {
            let text = match read_text(&self.settings.root, rel) {
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
        let sources = load(&self.settings)?;
        self.sources = Some(sources.clone());
        Ok(sources)
    }
}

/// `site`, parsed before, with `templates` instead of its own (the same
/// files, some edited): what parsing reads of templates is worked out again,
/// the words they ask for (an error when the theme lacks one) and the
/// lookups they make; the rest of the site does not depend on them.
fn with_templates(mut site: Site, templates: Vec<crate::source::TemplateFile>) -> Result<Site, Error> {
    let mut problems = Vec::new();
    for (k, words) in site.words.iter().enumerate() {
        problems.extend(crate::theme::i18n::missing_words(words, &templates, &site.config.text, k == 0).0);
    }
    Error::from_diagnostics(problems)?;
    site.templates = templates;
    site.lookups = crate::render::Lookups::of(&site.templates, &site.pages, &site.sections);
    Ok(site)
}

/// The units to render first: those writing the pages in `pages` (in that
/// order, each once) that need rendering, when the edit renders at least
/// [`FAST_RENDER_FROM`] units and not only these; otherwise none.
fn first_units(pages: &[String], outputs: &[Vec<String>], needs: &[bool], units: &[Unit]) -> Vec<usize> {
    if pages.is_empty() || needs.iter().filter(|&&n| n).count() < FAST_RENDER_FROM {
        return Vec::new();
    }
    let unit_of: HashMap<&str, usize> =
        outputs.iter().enumerate().flat_map(|(i, keys)| keys.iter().map(move |k| (k.as_str(), i))).collect();
    let mut order: Vec<usize> = Vec::new();
    for page in pages {
        if let Some(&i) = unit_of.get(page.as_str())
            && needs[i]
            && !units[i].after_others()
            && !order.contains(&i)
        {
            order.push(i);
        }
    }
    order
}

/// The first phase: renders the units in `order`, and publishes a snapshot
/// in which their files are new and every other file is that of the last
/// good snapshot, those of the units still to render marked pending; with
/// whether `publish` published it. `None`
/// when there is nothing to render first, or it failed (the whole render
/// that follows reports the error).
#[allow(clippy::too_many_arguments)]
fn render_first(
    pipeline: &Pipeline<'_>,
    order: &[usize],
    outputs: &[Vec<String>],
    needs: &[bool],
    good: &Good,
    root: &Path,
    publish: &mut dyn FnMut(Arc<Snapshot>) -> bool,
    sink: &Rendered,
    early: &mut HashMap<usize, Inline>,
) -> Option<(Arc<Pending>, bool)> {
    if order.is_empty() {
        return None;
    }
    let part = Rendered::default();
    match pipeline.render_early(order, &part) {
        Ok(found) => early.extend(found),
        Err(e) => {
            log::debug!("the pages open in a browser did not render first: {e}");
            return None;
        }
    }
    let fresh = part.into_files();
    let mut first = vec![false; needs.len()];
    order.iter().for_each(|&i| first[i] = true);
    let stale: HashSet<String> = (0..needs.len())
        .filter(|&i| needs[i] && !first[i])
        .flat_map(|i| outputs[i].iter().cloned())
        .collect();
    let pending = Arc::new(Pending { stale, ..Pending::default() });
    let mut files: HashMap<String, Body> =
        HashMap::with_capacity_and_hasher(good.snapshot.files.len(), Default::default());
    for key in (0..needs.len()).filter(|&i| !first[i]).flat_map(|i| outputs[i].iter()) {
        if let Some(body) = good.snapshot.files.get(key) {
            files.insert(key.clone(), body.clone());
        }
    }
    files.extend(fresh.iter().cloned());
    sink.0.lock().unwrap_or_else(PoisonError::into_inner).extend(fresh);
    let published =
        publish(Arc::new(Snapshot { files, root: root.to_path_buf(), pending: Some(pending.clone()) }));
    Some((pending, published))
}

/// The second phase: renders the units that still need it but do not read
/// what others wrote, [`BATCH`] at a time, in the order of the units except
/// that those writing files requests wait for go first. Marks each in `done`
/// and hands its files to `pending`. `false` on a template error.
fn render_rest(
    pipeline: &Pipeline<'_>,
    outputs: &[Vec<String>],
    needs: &[bool],
    done: &mut [bool],
    pending: &Pending,
    sink: &Rendered,
    early: &mut HashMap<usize, Inline>,
) -> bool {
    let units = pipeline.units();
    let todo = |i: usize, done: &[bool]| needs[i] && !done[i] && !units[i].after_others();
    let unit_of: HashMap<&str, usize> = (0..needs.len())
        .filter(|&i| todo(i, done))
        .flat_map(|i| outputs[i].iter().map(move |k| (k.as_str(), i)))
        .collect();
    let mut next = 0;
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for key in pending.take_wanted() {
            if let Some(&i) = unit_of.get(key.as_str()).filter(|&&i| todo(i, done)) {
                done[i] = true;
                batch.push(i);
            }
        }
        while batch.len() < BATCH && next < needs.len() {
            if todo(next, done) {
                done[next] = true;
                batch.push(next);
            }
            next += 1;
        }
        if batch.is_empty() {
            return true;
        }
        let part = Rendered::default();
        match pipeline.render_early(&batch, &part) {
            Ok(found) => early.extend(found),
            Err(e) => {
                log::debug!("the rest of the site did not render: {e}");
                return false;
            }
        }
        let files = part.into_files();
        pending.add(&files);
        sink.0.lock().unwrap_or_else(PoisonError::into_inner).extend(files);
    }
}

/// Per-stage timings at debug level, as `build` logs them.
struct Lap(std::time::Instant);

impl Lap {
    fn start() -> Lap {
        Lap(std::time::Instant::now())
    }

    /// After a stage that logs its own time.
    fn start_again(&mut self) {
        self.0 = std::time::Instant::now();
    }

    fn log(&mut self, stage: &str) {
        crate::pipeline::log_stage(stage, self.0, "");
        self.0 = std::time::Instant::now();
    }
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
        OutputContent::Text(text) => Body::Bytes(Arc::new(text.into_bytes())),
        OutputContent::Asset(AssetSource::File(path)) | OutputContent::Cached(path) => Body::File(path),
        OutputContent::Asset(AssetSource::Builtin(bytes)) => Body::Builtin(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::fs;

    const URL: &str = "http://127.0.0.1:1111/";
    const CONFIG: &str = "title: T\nbase_url: https://example.org/\n";
    const NEWS: &str = "---\ntitle: News\npaginate_by: 2\nfeed: true\n---\nWhat is new.\n";

    fn builder(root: &Path) -> Builder {
        Builder::new(&Settings { base_url: Some(URL.to_string()), ..Settings::new(root) })
    }

    struct Site {
        dir: tempfile::TempDir,
        builder: Builder,
        /// The day the builder began on: pages depend on today's date (a
        /// feed's, a gallery's consent), so a day that turns between an
        /// incremental build and the full one it is compared with would
        /// make them differ for that reason alone.
        day: crate::date::Date,
    }

    impl Site {
        fn new(pages: &[(&str, &str)]) -> Site {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("site.yaml"), CONFIG).unwrap();
            fs::create_dir(dir.path().join("content")).unwrap();
            for (path, text) in pages {
                fs::write(dir.path().join("content").join(path), text).unwrap();
            }
            let builder = builder(dir.path());
            Site { dir, builder, day: crate::date::Date::today() }
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }

        /// Rebuilds as serve would; returns how many units were rendered.
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

        /// The incremental result must equal a build from scratch. When the
        /// day (UTC) has turned since the builder began, the two are not
        /// compared: the builder starts again from the full build, on the
        /// new day.
        fn assert_same_as_a_full_build(&mut self, step: &str) {
            let (fresh, snapshot, day) = loop {
                let day = crate::date::Date::today();
                let mut fresh = builder(self.dir.path());
                let Rebuilt::Site { snapshot, .. } = fresh.rebuild(&Plan::Full).unwrap() else { panic!() };
                if crate::date::Date::today() == day {
                    break (fresh, snapshot, day);
                }
            };
            if day != self.day {
                eprintln!("the day turned before {step}: the builder starts again");
                (self.builder, self.day) = (fresh, day);
                return;
            }
            let ours = &self.builder.last_good.as_ref().unwrap().snapshot;
            let keys = |s: &Snapshot| s.files.keys().cloned().collect::<BTreeSet<_>>();
            assert_eq!(keys(ours), keys(&snapshot), "after {step}");
            for (key, body) in &snapshot.files {
                match (body, ours.files.get(key)) {
                    (Body::Bytes(a), Some(Body::Bytes(b))) => assert!(a == b, "{key} differs after {step}"),
                    (Body::File(a), Some(Body::File(b))) => assert_eq!(a, b, "after {step}"),
                    (Body::Builtin(a), Some(Body::Builtin(b))) => assert_eq!(a, b, "after {step}"),
                    (a, b) => panic!("{key} after {step}: {a:?} vs {b:?}"),
                }
            }
        }
    }

    fn page(title: &str, menu: bool, body: &str) -> String {
        format!("---\ntitle: {title}\nmenu: {menu}\n---\n{body}\n")
    }

    #[test]
    fn what_an_unchanged_text_tells_is_still_told_after_another_page_is_edited() {
        let mut site = Site::new(&[
            ("index.md", "---\ntitle: Prices # 2026\n---\nCall [[REPLACE: the clinic's number]].\n"),
            ("notes.md", &page("Notes", false, "Notes.")),
        ]);
        site.rebuild(&Plan::Full).unwrap();
        let told = |site: &Site| {
            let parsed = site.builder.site.as_ref().unwrap();
            let home = parsed.pages.iter().find(|p| p.source == Path::new("content/index.md")).unwrap();
            let comment = parsed.warnings.iter().filter(|w| w.file == Path::new("content/index.md")).count();
            (comment, home.placeholders.len())
        };
        assert_eq!(told(&site), (1, 1));
        // Found once, with the front matter; kept while the text is unchanged.
        site.edit("content/notes.md", &page("Notes", false, "Edited notes.")).unwrap();
        assert_eq!(told(&site), (1, 1));
        site.edit("content/index.md", "---\ntitle: Prices\n---\nCall us.\n").unwrap();
        assert_eq!(told(&site), (0, 0));
    }

    #[test]
    fn an_edit_renders_only_the_units_that_read_what_changed() {
        let mut site = Site::new(&[
            ("index.md", &page("Home", true, "See [risks](risks.md).")),
            ("risks.md", &page("Risks", true, "Some risks.")),
            ("notes.md", &page("Notes", false, "Notes.")),
        ]);
        let all = site.rebuild(&Plan::Full).unwrap();
        assert!(all > 3, "pages, the 404 page, sitemap, robots.txt, the theme's files: {all}");
        assert_eq!(site.edit("content/notes.md", &page("Notes", false, "Edited notes.")).unwrap(), 1);
        assert!(site.page("notes/index.html").contains("Edited notes."));
        site.assert_same_as_a_full_build("a body edit");
        // The title of a page in the menu shows on every page and the 404 page.
        assert_eq!(site.edit("content/risks.md", &page("Possible risks", true, "Some risks.")).unwrap(), 4);
        assert!(site.page("notes/index.html").contains("Possible risks"));
        site.assert_same_as_a_full_build("a menu title");
        // The title of a page out of the menu shows only on that page.
        assert_eq!(site.edit("content/notes.md", &page("Jottings", false, "Edited notes.")).unwrap(), 1);
        site.assert_same_as_a_full_build("a title");
        // A new slug changes links to the page, the menu and the sitemap.
        let moved = "---\ntitle: Possible risks\nmenu: true\nslug: dangers\n---\nSome risks.\n";
        assert_eq!(site.edit("content/risks.md", moved).unwrap(), 5);
        assert!(site.page("index.html").contains("href=\"dangers/\""));
        site.assert_same_as_a_full_build("a slug");
        // A date is in the page and the sitemap only.
        let dated = "---\ntitle: Jottings\ndate: 2026-01-02\n---\nEdited notes.\n";
        assert_eq!(site.edit("content/notes.md", dated).unwrap(), 2);
        site.assert_same_as_a_full_build("a date");
    }

    #[test]
    fn a_template_edit_renders_every_page() {
        let mut site =
            Site::new(&[("index.md", &page("Home", true, "Hi.")), ("a.md", &page("A", false, "A."))]);
        site.write("templates/page.html", "<p>{{ page.title }}</p>");
        site.rebuild(&Plan::Full).unwrap();
        // Both pages and the 404 page (which reads the templates too).
        assert_eq!(site.edit("templates/page.html", "<h1>{{ page.title }}</h1>").unwrap(), 3);
        assert_eq!(site.page("a/index.html"), "<h1>A</h1>");
        site.assert_same_as_a_full_build("a template edit");
    }

    /// A site of `n` pages (`p000` ...) with a page template, built.
    fn many_pages(n: usize) -> Site {
        let pages: Vec<(String, String)> =
            (0..n).map(|i| (format!("p{i:03}.md"), page(&format!("P{i}"), false, "Text."))).collect();
        let borrowed: Vec<(&str, &str)> = pages.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let mut site = Site::new(&borrowed);
        site.write("templates/page.html", "<p>{{ page.title }}</p>");
        site.rebuild(&Plan::Full).unwrap();
        site
    }

    fn template_edit(site: &Site, text: &str) -> Plan {
        site.write("templates/page.html", text);
        Plan::Patch {
            pages: BTreeSet::new(),
            templates: [PathBuf::from("templates/page.html")].into(),
            assets: BTreeSet::new(),
        }
    }

    fn text_of(body: Option<&Body>) -> String {
        match body {
            Some(Body::Bytes(b)) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_template_edit_renders_the_open_pages_first_then_the_rest_as_a_full_build() {
        let mut site = many_pages(100);
        let plan = template_edit(&site, "<h1>{{ page.title }}</h1>");
        let mut first: Vec<Arc<Snapshot>> = Vec::new();
        let mut publish = |snapshot: Arc<Snapshot>| {
            first.push(snapshot);
            true
        };
        let pages =
            vec!["p090/index.html".to_string(), "missing/index.html".to_string(), "p007/index.html".into()];
        let fast = FastRender { pages, publish: &mut publish };
        let Rebuilt::Site { first: published, rendered, units, .. } =
            site.builder.rebuild_fast(&plan, Some(fast)).unwrap()
        else {
            panic!()
        };
        assert!(published);
        // Every page and the 404 page, however many phases.
        assert_eq!(rendered, 101, "of {units}");
        let [snapshot] = &first[..] else { panic!("one first snapshot: {}", first.len()) };
        // The open pages are new in it; every other page is the previous
        // version, marked pending, not yet rendered.
        assert_eq!(text_of(snapshot.files.get("p090/index.html")), "<h1>P90</h1>");
        assert_eq!(text_of(snapshot.files.get("p007/index.html")), "<h1>P7</h1>");
        assert_eq!(text_of(snapshot.files.get("p050/index.html")), "<p>P50</p>");
        let pending = snapshot.pending.as_ref().unwrap();
        assert!(pending.is_stale("p050/index.html") && pending.is_stale("404.html"));
        assert!(!pending.is_stale("p090/index.html") && !pending.is_stale("sitemap.xml"));
        // Each pending file was handed over as it was rendered.
        assert_eq!(
            text_of(pending.wait("p050/index.html", std::time::Duration::ZERO).as_ref()),
            "<h1>P50</h1>"
        );
        assert!(site.builder.last_good.as_ref().unwrap().snapshot.pending.is_none());
        assert_eq!(site.page("p050/index.html"), "<h1>P50</h1>");
        site.assert_same_as_a_full_build("a template edit rendered in two phases");
        // An edit of one page renders it alone, in one phase.
        let mut publish = |_: Arc<Snapshot>| -> bool { panic!("no first phase for one page") };
        let fast = FastRender { pages: vec!["p001/index.html".into()], publish: &mut publish };
        site.write("content/p001.md", &page("P1", false, "Edited."));
        let plan = Plan::Patch {
            pages: [PathBuf::from("content/p001.md")].into(),
            templates: BTreeSet::new(),
            assets: BTreeSet::new(),
        };
        let Rebuilt::Site { first, rendered, .. } = site.builder.rebuild_fast(&plan, Some(fast)).unwrap()
        else {
            panic!()
        };
        assert_eq!((first, rendered), (false, 1));
        site.assert_same_as_a_full_build("a page edit");
    }

    #[test]
    fn a_page_requested_while_the_rest_renders_is_rendered_in_the_next_batch() {
        let mut site = many_pages(3 * BATCH);
        let plan = template_edit(&site, "<h2>{{ page.title }}</h2>");
        let mut pending = None;
        let mut publish = |snapshot: Arc<Snapshot>| {
            let waiting = snapshot.pending.clone().unwrap();
            // A request for the last page arrives before the rest starts.
            assert!(waiting.wait("p191/index.html", std::time::Duration::ZERO).is_none());
            pending = Some(waiting);
            true
        };
        let fast = FastRender { pages: vec!["p000/index.html".into()], publish: &mut publish };
        site.builder.rebuild_fast(&plan, Some(fast)).unwrap();
        let pending = pending.unwrap();
        let batches = pending.lock().batches.clone();
        assert!(batches.len() >= 3, "{} batches", batches.len());
        assert!(batches.iter().all(|b| b.len() <= BATCH));
        assert!(batches[0].contains(&"p191/index.html".to_string()), "{:?}", batches[0]);
        assert!(batches[0].contains(&"p001/index.html".to_string()), "then in order: {:?}", batches[0]);
        assert!(!batches[0].contains(&"p100/index.html".to_string()));
        // Nothing rendered twice, nothing left out.
        let all: BTreeSet<&String> = batches.iter().flatten().collect();
        assert_eq!(all.len(), batches.iter().map(Vec::len).sum::<usize>());
        assert!(pending.lock().finished);
        site.assert_same_as_a_full_build("a request during the second phase");
    }

    #[test]
    fn a_template_error_is_reported_as_without_a_first_phase() {
        let mut site = many_pages(80);
        let plan = template_edit(&site, "<h1>{{ page.title </h1>");
        let mut published = 0;
        let mut publish = |_: Arc<Snapshot>| {
            published += 1;
            true
        };
        let fast = FastRender { pages: vec!["p001/index.html".into()], publish: &mut publish };
        let fast_error = site.builder.rebuild_fast(&plan, Some(fast)).unwrap_err().to_string();
        assert_eq!(published, 0);
        let error = site.builder.rebuild(&plan).unwrap_err().to_string();
        assert_eq!(fast_error, error);
        let plan = template_edit(&site, "<h1>{{ page.title }}</h1>");
        site.rebuild(&plan).unwrap();
        site.assert_same_as_a_full_build("a fixed template");
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
        assert_eq!(site.edit("content/a.md", &page("A", false, "A.")).unwrap(), 1);
        assert!(site.page("b/index.html").contains("B, edited."));
        site.assert_same_as_a_full_build("a fix");
        // Broken front matter takes the page out of the site.
        let Err(Error::Site(errors)) = site.edit("content/a.md", "---\ntitle: [A\n---\n") else { panic!() };
        assert_eq!(errors[0].file, Path::new("content/a.md"));
        assert_eq!(errors[0].location.map(|l| l.line), Some(2));
        assert_eq!(site.edit("content/a.md", &page("A", false, "A, again.")).unwrap(), 1);
        site.assert_same_as_a_full_build("a fix of front matter");
    }

    #[test]
    fn a_new_or_unreadable_file_loads_everything_again() {
        let mut site = Site::new(&[("index.md", &page("Home", true, "Hi."))]);
        site.rebuild(&Plan::Full).unwrap();
        // Named in a patch but not loaded before: a new page. Every page
        // reads the list of URLs (`page_url`), and the sitemap lists it.
        assert_eq!(site.edit("content/new.md", &page("New", false, "New.")).unwrap(), 4);
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
        site.write("static/notes.txt", "a");
        site.rebuild(&Plan::Full).unwrap();
        let plan = Plan::Patch {
            pages: BTreeSet::new(),
            templates: BTreeSet::new(),
            assets: [PathBuf::from("static/notes.txt")].into(),
        };
        assert!(matches!(site.builder.rebuild(&plan).unwrap(), Rebuilt::Assets));
        let files = &site.builder.last_good.as_ref().unwrap().snapshot.files;
        assert!(matches!(files.get("notes.txt"), Some(Body::File(_))));
    }

    #[test]
    fn headers_are_made_again_when_the_inline_code_of_the_pages_changes() {
        let script = |code: &str| page("A", false, &format!("<script>{code}</script>\n\nText."));
        let mut site = Site::new(&[("index.md", &page("Home", true, "Hi.")), ("a.md", &script("a()"))]);
        site.rebuild(&Plan::Full).unwrap();
        let before = site.page("_headers");
        // The page, and `_headers` with the script's new hash.
        assert_eq!(site.edit("content/a.md", &script("b()")).unwrap(), 2);
        assert_ne!(site.page("_headers"), before);
        site.assert_same_as_a_full_build("an inline script edit");
        // An edit that keeps the inline code: the page alone.
        assert_eq!(site.edit("content/a.md", &script("b()").replace("Text.", "More text.")).unwrap(), 1);
        site.assert_same_as_a_full_build("a body edit");
    }

    #[test]
    fn a_stylesheet_edit_renders_the_pages_again_with_its_new_name() {
        let mut site = Site::new(&[("index.md", &page("Home", true, "Hi."))]);
        site.write("static/style.css", "a{}");
        site.rebuild(&Plan::Full).unwrap();
        let linked = |site: &Site| {
            let html = site.page("index.html");
            let mark = "rel=\"stylesheet\" href=\"";
            let at = html.find(mark).expect("the page links a stylesheet") + mark.len();
            let href = html[at..].split('"').next().unwrap();
            let name = href.rsplit('/').next().unwrap().to_string();
            assert!(name.starts_with("style.") && name.len() == "style.css".len() + 11, "{name}");
            name
        };
        let before = linked(&site);
        site.write("static/style.css", "a{color:red}");
        let plan = Plan::Patch {
            pages: BTreeSet::new(),
            templates: BTreeSet::new(),
            assets: [PathBuf::from("static/style.css")].into(),
        };
        assert!(site.rebuild(&plan).unwrap() > 0);
        let after = linked(&site);
        assert_ne!(before, after);
        let files = &site.builder.last_good.as_ref().unwrap().snapshot.files;
        assert!(matches!(files.get(&after), Some(Body::File(_))), "{after} is served");
        assert!(!files.contains_key(&before), "{before} is gone");
        assert!(matches!(files.get("style.css"), Some(Body::File(_))), "the plain name stays");
        site.assert_same_as_a_full_build("a stylesheet edit");
    }

    impl Site {
        fn write_bytes_for_test(&self, rel: &str, bytes: &[u8]) {
            fs::write(self.dir.path().join(rel), bytes).unwrap();
        }
    }

    /// A tiny xorshift generator: the same edits on every run, no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const BILINGUAL: &str = "title: T\nbase_url: https://example.org/\nfeed: true\nlanguages: [en-GB, es]\n";

    impl Site {
        /// Edits `rel` as serve sees it; returns the output files rendered
        /// again (a file taken over from the last snapshot is the same `Arc`).
        fn rerendered(&mut self, rel: &str, text: &str) -> BTreeSet<String> {
            let before = self.builder.last_good.as_ref().unwrap().snapshot.clone();
            self.edit(rel, text).unwrap();
            let after = &self.builder.last_good.as_ref().unwrap().snapshot;
            after
                .files
                .iter()
                .filter(|(key, body)| match (body, before.files.get(*key)) {
                    (Body::Bytes(now), Some(Body::Bytes(then))) => !Arc::ptr_eq(now, then),
                    (_, then) => then.is_none(),
                })
                .map(|(key, _)| key.clone())
                .collect()
        }
    }

    /// A bilingual site: home and risks in English and Spanish, dated, so
    /// each language's feed lists its risks page.
    fn bilingual() -> Site {
        let dated = |title: &str, extra: &str, body: &str| {
            format!("---\ntitle: {title}\ndate: 2026-01-05\n{extra}---\n{body}\n")
        };
        let site = Site::new(&[
            ("index.md", &page("Home", true, "Welcome.")),
            ("index.es.md", &page("Inicio", true, "Bienvenidos.")),
            ("risks.md", &dated("Risks", "", "Some risks.")),
            ("risks.es.md", &dated("Riesgos", "translated_from: 2026-01-05\n", "Algunos riesgos.")),
            ("about.md", &page("About", false, "About us.")),
        ]);
        site.write("site.yaml", BILINGUAL);
        site
    }

    #[test]
    fn a_translations_text_renders_that_page_and_its_languages_feed_not_the_original() {
        let mut site = bilingual();
        site.rebuild(&Plan::Full).unwrap();
        let text =
            "---\ntitle: Riesgos\ndate: 2026-01-05\ntranslated_from: 2026-01-05\n---\nOtros riesgos.\n";
        let again = site.rerendered("content/risks.es.md", text);
        let expected: BTreeSet<String> = ["es/risks/index.html", "es/atom.xml"].map(String::from).into();
        assert_eq!(again, expected);
        assert!(site.page("es/risks/index.html").contains("Otros riesgos."));
        site.assert_same_as_a_full_build("a translation's text");
    }

    #[test]
    fn a_spanish_menu_edit_renders_the_spanish_pages_only() {
        let mut site = bilingual();
        site.rebuild(&Plan::Full).unwrap();
        let text = "---\ntitle: Riesgos\nmenu: true\ndate: 2026-01-05\ntranslated_from: 2026-01-05\n---\nAlgunos riesgos.\n";
        let again = site.rerendered("content/risks.es.md", text);
        assert!(again.contains("es/index.html") && again.contains("es/risks/index.html"), "{again:?}");
        assert!(again.iter().all(|f| f.starts_with("es/")), "{again:?}");
        assert!(site.page("es/index.html").contains("Riesgos"));
        site.assert_same_as_a_full_build("a Spanish menu edit");
    }

    #[test]
    fn a_translation_leaving_its_languages_feed_renders_that_feed_only() {
        let mut site = bilingual();
        site.rebuild(&Plan::Full).unwrap();
        // No date: out of the Spanish feed.
        let text = "---\ntitle: Riesgos\ntranslated_from: 2026-01-05\n---\nAlgunos riesgos.\n";
        let again = site.rerendered("content/risks.es.md", text);
        assert!(again.contains("es/atom.xml") && !again.contains("atom.xml"), "{again:?}");
        site.assert_same_as_a_full_build("a translation out of its feed");
    }

    #[test]
    fn removing_a_sections_translation_renders_the_sitemap_without_its_alternate() {
        let mut site = bilingual();
        site.write("content/news/_index.md", NEWS);
        site.write("content/news/_index.es.md", "---\ntitle: Noticias\n---\nLo nuevo.\n");
        site.rebuild(&Plan::Full).unwrap();
        assert!(site.page("sitemap.xml").contains("/es/news/"));
        fs::remove_file(site.dir.path().join("content/news/_index.es.md")).unwrap();
        site.rebuild(&Plan::Full).unwrap();
        assert!(!site.page("sitemap.xml").contains("/es/news/"), "{}", site.page("sitemap.xml"));
        site.assert_same_as_a_full_build("a section's translation removed");
    }

    #[test]
    fn get_page_on_a_spanish_page_follows_the_translation_it_shows() {
        let mut site = bilingual();
        site.write("templates/page.html", "{% set a = get_page(path=\"about.md\") %}<p>{{ a.title }}</p>");
        site.rebuild(&Plan::Full).unwrap();
        assert_eq!(site.page("es/risks/index.html"), "<p>About</p>");
        // The translation appears: the Spanish pages show it.
        site.edit("content/about.es.md", &page("Sobre", false, "Sobre nosotros.")).unwrap();
        assert_eq!(site.page("es/risks/index.html"), "<p>Sobre</p>");
        site.assert_same_as_a_full_build("a looked-up page's translation added");
        // Its title changes: only its own file was edited.
        site.edit("content/about.es.md", &page("Nosotros", false, "Sobre nosotros.")).unwrap();
        assert_eq!(site.page("es/risks/index.html"), "<p>Nosotros</p>");
        site.assert_same_as_a_full_build("a looked-up translation's title");
        // It goes: back to the English page.
        fs::remove_file(site.dir.path().join("content/about.es.md")).unwrap();
        site.rebuild(&Plan::Full).unwrap();
        assert_eq!(site.page("es/risks/index.html"), "<p>About</p>");
        site.assert_same_as_a_full_build("a looked-up page's translation removed");
    }

    #[test]
    fn a_new_default_language_code_reaches_the_kept_bodies_of_fall_back_links() {
        let mut site = bilingual();
        let linking = "---\ntitle: Riesgos\ndate: 2026-01-05\ntranslated_from: 2026-01-05\n---\nVer [about](about.md).\n";
        site.write("content/risks.es.md", linking);
        site.rebuild(&Plan::Full).unwrap();
        assert!(site.page("es/risks/index.html").contains("hreflang=\"en-GB\""));
        site.write("site.yaml", &BILINGUAL.replace("en-GB", "en-US"));
        site.rebuild(&Plan::Full).unwrap();
        let html = site.page("es/risks/index.html");
        assert!(html.contains("hreflang=\"en-US\"") && !html.contains("en-GB"), "{html}");
        site.assert_same_as_a_full_build("a new code for the default language");
    }

    /// What the sequence knows about one page, to write it out again.
    #[derive(Clone)]
    struct Spec {
        title: String,
        menu: bool,
        weight: i64,
        date: Option<u32>,
        draft: bool,
        body: String,
        aliases: Vec<String>,
    }

    impl Spec {
        fn text(&self) -> String {
            let mut t = format!("---\ntitle: {}\nmenu: {}\nweight: {}\n", self.title, self.menu, self.weight);
            if let Some(day) = self.date {
                t.push_str(&format!("date: 2026-01-{day:02}\n"));
            }
            if self.draft {
                t.push_str("draft: true\n");
            }
            if !self.aliases.is_empty() {
                t.push_str(&format!("aliases: [{}]\n", self.aliases.join(", ")));
            }
            t.push_str("---\n");
            t.push_str(&self.body);
            t.push('\n');
            t
        }
    }

    /// Random edits of every kind serve sees, each followed by a comparison
    /// with a build from scratch; a body edit must render exactly one unit.
    #[test]
    fn random_edits_build_the_same_site_as_a_full_build() {
        random_edits(Variant::Pages, 0x9E37_79B9_7F4A_7C15);
    }

    #[test]
    fn a_new_date_renders_its_section_not_the_whole_site() {
        let news =
            |title: &str, day: u32| format!("---\ntitle: {title}\ndate: 2026-01-{day:02}\n---\nText.\n");
        let mut site = Site::new(&[
            ("index.md", &page("Home", true, "Welcome.")),
            ("about.md", &page("About", true, "About us.")),
            ("risks.md", &page("Risks", false, "Risks.")),
        ]);
        site.write("content/news/_index.md", NEWS);
        for (i, day) in [3, 5, 7].into_iter().enumerate() {
            site.write(&format!("content/news/n{i}.md"), &news(&format!("Notice {i}"), day));
        }
        site.rebuild(&Plan::Full).unwrap();
        assert!(site.page("news/index.html").contains("Notice 2"));
        // The page itself, both listing pages, the feed, the sitemap and the
        // home page (its template shows the latest news); not about or risks.
        let rendered = site.edit("content/news/n0.md", &news("Notice 0", 9)).unwrap();
        assert_eq!(rendered, 6);
        assert!(
            site.page("news/index.html").find("Notice 0") < site.page("news/index.html").find("Notice 2")
        );
        site.assert_same_as_a_full_build("a new date");
    }

    /// The same over a site with a paginated news section with a feed, and
    /// the site's own feed: about half the pages are news (always dated, as a
    /// feed needs), and the section's `_index.md` is edited too.
    #[test]
    fn random_edits_of_a_section_build_the_same_site_as_a_full_build() {
        random_edits(Variant::Section, 0x2545_F491_4F6C_DD1D);
    }

    /// The same over a site in English and Spanish (issue 15): besides the
    /// edits of the section variant, Spanish translations come and go, their
    /// titles, slugs, dates, `translated_from` and menu change, the news
    /// section gets and loses its translation, and a Spanish page links to
    /// an English page with no translation (a fall-back) and stops. Eight
    /// sequences, each from its own seed.
    #[test]
    fn random_edits_of_a_bilingual_site_build_the_same_site_as_a_full_build() {
        let mut seed = 0x51_7CC1_B727_220A_u64;
        for _ in 0..8 {
            random_edits(Variant::Languages, seed);
            seed = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
        }
    }

    /// Which site a sequence of random edits runs over.
    #[derive(Clone, Copy, PartialEq)]
    enum Variant {
        /// Pages at the top.
        Pages,
        /// And a paginated news section with a feed, and the site's feed.
        Section,
        /// The same in two languages, `en-GB` and `es`.
        Languages,
    }

    /// What the sequence knows about a page's Spanish translation.
    #[derive(Clone)]
    struct Translation {
        title: String,
        slug: Option<String>,
        date: Option<u32>,
        translated_from: Option<u32>,
        menu: bool,
        body: String,
        /// The English page (a name in `pages`) its body links to, if any.
        link: Option<String>,
    }

    impl Translation {
        /// Its text, for the translation of `name` (links are relative to its folder).
        fn text(&self, name: &str) -> String {
            let mut t = format!("---\ntitle: {}\nmenu: {}\n", self.title, self.menu);
            if let Some(slug) = &self.slug {
                t.push_str(&format!("slug: {slug}\n"));
            }
            if let Some(day) = self.date {
                t.push_str(&format!("date: 2026-01-{day:02}\n"));
            }
            if let Some(day) = self.translated_from {
                t.push_str(&format!("translated_from: 2026-01-{day:02}\n"));
            }
            t.push_str("---\n");
            t.push_str(&self.body);
            if let Some(target) = &self.link {
                let up = if name.starts_with("news/") { "../" } else { "" };
                t.push_str(&format!(" Ver [la otra]({up}{target}.md)."));
            }
            t.push('\n');
            t
        }
    }

    /// Leads the Spanish links to the page `name` to `new` instead, or
    /// drops them (a link to a missing page or a draft fails the build).
    fn unlink(site: &Site, es: &mut BTreeMap<String, Translation>, name: &str, new: Option<&str>) {
        for (of, t) in es.iter_mut() {
            if t.link.as_deref() == Some(name) {
                t.link = new.map(str::to_string);
                site.write(&format!("content/{of}.es.md"), &t.text(of));
            }
        }
    }

    /// One random edit of the Spanish side (kinds 11 to 17 of
    /// [`random_edits`]), made as serve sees it; returns what it was and how
    /// many units were rendered.
    fn edit_translation(
        site: &mut Site,
        kind: usize,
        rng: &mut Rng,
        pages: &BTreeMap<String, Spec>,
        es: &mut BTreeMap<String, Translation>,
        news_es: &mut bool,
    ) -> (&'static str, usize) {
        let untranslated: Vec<&String> = pages.keys().filter(|n| !es.contains_key(*n)).collect();
        let translated: Vec<String> = es.keys().cloned().collect();
        // Without a translation to edit, add one.
        let kind = if translated.is_empty() && kind != 15 { 11 } else { kind };
        if kind == 11 && untranslated.is_empty() {
            return ("nothing left to translate", 0);
        }
        let edit = |site: &mut Site, name: &str, t: &Translation| {
            site.edit(&format!("content/{name}.es.md"), &t.text(name)).unwrap()
        };
        match kind {
            11 => {
                let name = untranslated[rng.below(untranslated.len())].clone();
                let original = &pages[&name];
                let t = Translation {
                    title: format!("{} (es)", original.title),
                    slug: (rng.below(3) == 0).then(|| format!("{}-es", name.rsplit('/').next().unwrap())),
                    // A news page's translation is dated too: a feed needs it.
                    date: original.date.filter(|_| name.starts_with("news/") || rng.below(4) != 0),
                    translated_from: (rng.below(2) == 0).then(|| 1 + rng.below(28) as u32),
                    menu: rng.below(3) == 0,
                    body: format!("Texto de {name}."),
                    link: None,
                };
                let rendered = edit(site, &name, &t);
                es.insert(name, t);
                ("add a translation", rendered)
            }
            12 => {
                let name = translated[rng.below(translated.len())].clone();
                es.remove(&name);
                fs::remove_file(site.dir.path().join(format!("content/{name}.es.md"))).unwrap();
                ("remove a translation", site.rebuild(&Plan::Full).unwrap())
            }
            13 => {
                let name = translated[rng.below(translated.len())].clone();
                let t = es.get_mut(&name).unwrap();
                if rng.below(2) == 0 {
                    t.title = format!("{} otra vez", t.title);
                } else if t.slug.take().is_none() {
                    t.slug = Some(format!("{}-es", name.rsplit('/').next().unwrap()));
                }
                let t = t.clone();
                ("change a translation's title or slug", edit(site, &name, &t))
            }
            14 => {
                let name = translated[rng.below(translated.len())].clone();
                let t = es.get_mut(&name).unwrap();
                let day = 1 + rng.below(28) as u32;
                match rng.below(3) {
                    0 => t.date = Some(day),
                    1 if !name.starts_with("news/") => t.date = None,
                    _ => t.translated_from = Some(day),
                }
                let t = t.clone();
                ("change a translation's date or translated_from", edit(site, &name, &t))
            }
            15 => {
                *news_es = !*news_es;
                let path = "content/news/_index.es.md";
                let rendered = if *news_es {
                    let text = "---\ntitle: Noticias\npaginate_by: 2\nfeed: true\n---\nLo nuevo.\n";
                    site.edit(path, text).unwrap()
                } else {
                    fs::remove_file(site.dir.path().join(path)).unwrap();
                    site.rebuild(&Plan::Full).unwrap()
                };
                ("add or remove news/_index.es.md", rendered)
            }
            16 => {
                let name = translated[rng.below(translated.len())].clone();
                // An English page with no translation, not a draft: the link falls back to it.
                let targets: Vec<&String> =
                    untranslated.iter().copied().filter(|n| !pages[*n].draft && **n != name).collect();
                let t = es.get_mut(&name).unwrap();
                t.link = match (&t.link, targets.is_empty()) {
                    (None, false) => Some(targets[rng.below(targets.len())].clone()),
                    _ => None,
                };
                let t = t.clone();
                ("link a translation to an English page or stop", edit(site, &name, &t))
            }
            _ => {
                let name = translated[rng.below(translated.len())].clone();
                let t = es.get_mut(&name).unwrap();
                t.menu = !t.menu;
                let t = t.clone();
                ("put a translation in the menu or take it out", edit(site, &name, &t))
            }
        }
    }

    fn random_edits(variant: Variant, seed: u64) {
        let sections = variant != Variant::Pages;
        let languages = variant == Variant::Languages;
        let mut site = Site::new(&[("index.md", &page("Home", true, "Welcome."))]);
        // With sections, the site has its own feed of every dated page too.
        let mut config = if sections { format!("{CONFIG}feed: true\n") } else { CONFIG.to_string() };
        if languages {
            config.push_str("languages: [en-GB, es]\n");
            site.write("content/index.es.md", &page("Inicio", true, "Bienvenidos."));
        }
        let config = config;
        site.write("site.yaml", &config);
        let mut news_in_menu = false;
        let mut menu_edits = 0;
        let mut fed = false;
        if sections {
            site.write("content/news/_index.md", NEWS);
        }
        site.rebuild(&Plan::Full).unwrap();
        let mut rng = Rng(seed);
        let mut pages: BTreeMap<String, Spec> = BTreeMap::new();
        // Spanish translations, by the name of the page they translate.
        let mut es: BTreeMap<String, Translation> = BTreeMap::new();
        let mut news_es = false;
        let mut kinds_seen = BTreeSet::new();
        let mut made = 0;
        let mut template = false;
        let mut body_edits = 0;
        for step in 0..60 {
            let names: Vec<String> = pages.keys().cloned().collect();
            let pick = |rng: &mut Rng| names[rng.below(names.len())].clone();
            let kinds = match variant {
                Variant::Pages => 10,
                Variant::Section => 11,
                Variant::Languages => 18,
            };
            let kind = if names.is_empty() { 0 } else { rng.below(kinds) };
            kinds_seen.insert(kind);
            let what = match kind {
                0 | 1 => {
                    made += 1;
                    let news = sections && rng.below(2) == 0;
                    let name = format!("{}p{made}", if news { "news/" } else { "" });
                    let spec = Spec {
                        title: format!("Page {made}"),
                        menu: rng.below(3) == 0,
                        weight: rng.below(5) as i64,
                        date: (news || rng.below(2) == 0).then(|| 1 + rng.below(28) as u32),
                        draft: false,
                        body: format!("Text of page {made}."),
                        aliases: Vec::new(),
                    };
                    site.edit(&format!("content/{name}.md"), &spec.text()).unwrap();
                    pages.insert(name, spec);
                    "add a page"
                }
                2 => {
                    let name = pick(&mut rng);
                    pages.remove(&name);
                    fs::remove_file(site.dir.path().join(format!("content/{name}.md"))).unwrap();
                    if es.remove(&name).is_some() {
                        fs::remove_file(site.dir.path().join(format!("content/{name}.es.md"))).unwrap();
                    }
                    unlink(&site, &mut es, &name, None);
                    site.rebuild(&Plan::Full).unwrap();
                    "delete a page"
                }
                3 => {
                    let name = pick(&mut rng);
                    let mut spec = pages.remove(&name).unwrap();
                    made += 1;
                    let folder = if name.starts_with("news/") { "news/" } else { "" };
                    let new = format!("{folder}p{made}");
                    fs::remove_file(site.dir.path().join(format!("content/{name}.md"))).unwrap();
                    // Half the time, keep the old URL working with an alias.
                    if rng.below(2) == 0 && !spec.draft {
                        spec.aliases.push(format!("/{name}/"));
                    }
                    site.write(&format!("content/{new}.md"), &spec.text());
                    // Its translation moves with it, and links follow.
                    if let Some(t) = es.remove(&name) {
                        fs::remove_file(site.dir.path().join(format!("content/{name}.es.md"))).unwrap();
                        site.write(&format!("content/{new}.es.md"), &t.text(&new));
                        es.insert(new.clone(), t);
                    }
                    unlink(&site, &mut es, &name, (!spec.draft).then_some(new.as_str()));
                    pages.insert(new, spec);
                    site.rebuild(&Plan::Full).unwrap();
                    "rename a page"
                }
                4..=7 => {
                    let name = pick(&mut rng);
                    let spec = pages.get_mut(&name).unwrap();
                    let what = match kind {
                        4 => {
                            spec.body = format!("{} More.", spec.body);
                            "edit a body"
                        }
                        5 => {
                            match rng.below(3) {
                                0 => spec.title = format!("{} again", spec.title),
                                1 => spec.menu = !spec.menu,
                                _ => spec.weight = rng.below(5) as i64,
                            }
                            "change title, menu or weight"
                        }
                        6 => {
                            spec.date = Some(1 + rng.below(28) as u32);
                            "change a date"
                        }
                        _ => {
                            spec.draft = !spec.draft;
                            spec.aliases.clear();
                            "draft or undraft"
                        }
                    };
                    if spec.draft {
                        // A link to a draft fails the build.
                        unlink(&site, &mut es, &name, None);
                    }
                    let spec = pages.get_mut(&name).unwrap();
                    let (text, draft, aliases) = (spec.text(), spec.draft, spec.aliases.len());
                    let spec_dated = spec.date.is_some();
                    let rendered = site.edit(&format!("content/{name}.md"), &text).unwrap();
                    if kind == 4 {
                        // The page, its alias redirects (their target's URL may have
                        // changed), the feed that holds a news page's body, and the
                        // site's feed, which holds every dated page's (fewer than
                        // its limit here, see below).
                        let site_feed = sections && spec_dated;
                        let units =
                            1 + aliases + usize::from(name.starts_with("news/")) + usize::from(site_feed);
                        assert_eq!(rendered, units * usize::from(!draft), "step {step}: {what} of {name}");
                        body_edits += usize::from(!draft);
                    }
                    what
                }
                8 => {
                    template = !template;
                    let text = if template {
                        "<main><h1>{{ page.title }}</h1>{{ page.content | safe }}</main>"
                    } else {
                        "<article><h1>{{ page.title }}</h1>{{ page.content | safe }}</article>"
                    };
                    site.edit("templates/page.html", text).unwrap();
                    "edit a template"
                }
                10 => {
                    news_in_menu = !news_in_menu;
                    menu_edits += 1;
                    let text = NEWS.replacen(
                        "---\n",
                        &format!("---\nmenu: {news_in_menu}\nweight: {}\n", rng.below(5)),
                        1,
                    );
                    site.edit("content/news/_index.md", &text).unwrap();
                    "put news in the menu or take it out"
                }
                11..=17 => {
                    // Adding or removing the section's translation edits the section too.
                    menu_edits += usize::from(kind == 15);
                    edit_translation(&mut site, kind, &mut rng, &pages, &mut es, &mut news_es).0
                }
                _ => {
                    let tagline = format!("{config}description: Step {step}\n");
                    site.write("site.yaml", &tagline);
                    site.rebuild(&Plan::Full).unwrap();
                    "edit site.yaml"
                }
            };
            site.assert_same_as_a_full_build(&format!("step {step}: {what}"));
            // Every dated page is in the site's feed, as the unit count of a body edit assumes.
            assert!(pages.len() < crate::feed::FEED_ENTRIES, "step {step}");
            fed |= sections && site.page("atom.xml").contains("<entry>");
        }
        assert!(body_edits > 0, "the sequence edits at least one body");
        if languages {
            assert!(kinds_seen.len() >= 15, "most kinds of edit are made: {kinds_seen:?}");
        }
        if sections {
            assert!(menu_edits > 0, "the sequence edits the section");
            assert!(fed, "the site's feed had entries");
        }
    }

    #[test]
    fn a_new_photo_is_served_at_once_as_it_is_and_its_variants_follow_in_the_background() {
        let mut site = Site::new(&[("index.md", &page("Home", true, "![A room](/images/room.jpg)"))]);
        let photo =
            ::image::RgbImage::from_fn(600, 400, |x, y| ::image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        fs::create_dir_all(site.dir.path().join("static/images")).unwrap();
        photo.save(site.dir.path().join("static/images/room.jpg")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        site.builder.wake_with(crate::serve::watch::Waker::new(move || tx.send(()).unwrap()));
        site.rebuild(&Plan::Full).unwrap();
        let files = site.builder.last_good.as_ref().unwrap().snapshot.files.clone();
        let file = |ext: &str, width: u32| {
            let key =
                files.keys().find(|k| k.starts_with("_img/room-") && k.ends_with(&format!("-{width}.{ext}")));
            match key.and_then(|k| files.get(k)) {
                Some(Body::File(path)) => path.clone(),
                other => panic!("{ext} {width}: {other:?} in {:?}", files.keys()),
            }
        };
        // Nothing is decoded before the page is served: until the variants
        // are made, every address shows the photo itself.
        let original = site.dir.path().join("static/images/room.jpg");
        for (ext, width) in [("avif", 480), ("avif", 600), ("jpg", 480), ("jpg", 600)] {
            assert_eq!(fs::canonicalize(file(ext, width)).unwrap(), fs::canonicalize(&original).unwrap());
        }
        assert!(site.page("index.html").contains("type=\"image/avif\""));
        site.builder.wait_for_images();
        rx.try_recv().expect("the rebuild thread is told the variants are made");
        // The rebuild it asks for renders the image's unit alone, now from the cache.
        assert_eq!(site.rebuild(&Plan::Full).unwrap(), 1);
        let files = site.builder.last_good.as_ref().unwrap().snapshot.files.clone();
        let avif = files.iter().find(|(k, _)| k.starts_with("_img/room-") && k.ends_with("-600.avif"));
        let Some((_, Body::File(path))) = avif else { panic!("{:?}", files.keys()) };
        assert_eq!(&fs::read(path).unwrap()[4..12], b"ftypavif");
        let jpg = files.iter().find(|(k, _)| k.starts_with("_img/room-") && k.ends_with("-480.jpg"));
        let Some((_, Body::File(path))) = jpg else { panic!("{:?}", files.keys()) };
        assert_eq!(::image::image_dimensions(path).unwrap(), (480, 320));
        site.assert_same_as_a_full_build("the variants made");
    }

    #[test]
    fn a_theme_yaml_edit_renders_the_pictures_again_with_its_widths_and_sizes() {
        let mut site = Site::new(&[
            ("index.md", &page("Home", true, "![A room](/images/room.jpg)")),
            ("about.md", &page("About", true, "No photo here.")),
        ]);
        site.write("site.yaml", &format!("{CONFIG}theme: plain\n"));
        site.write("themes/plain/templates/index.html", "{{ page.content | safe }}");
        site.write("themes/plain/templates/page.html", "{{ page.content | safe }}");
        site.write("themes/plain/theme.yaml", "images:\n  widths: [100, 200]\n  sizes: 50vw\n");
        let photo =
            ::image::RgbImage::from_fn(300, 200, |x, y| ::image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        fs::create_dir_all(site.dir.path().join("static/images")).unwrap();
        photo.save(site.dir.path().join("static/images/room.jpg")).unwrap();
        // Each step: rebuild as serve would for the edit, let the AVIF images be made, take them in.
        let step = |site: &mut Site, edit: Option<&str>| {
            if let Some(text) = edit {
                site.write("themes/plain/theme.yaml", text);
                let plan = crate::serve::watch::classify(Path::new("themes/plain/theme.yaml"));
                assert_eq!(plan, Some(crate::serve::watch::Kind::Config));
            }
            let rendered = site.rebuild(&Plan::Full).unwrap();
            site.builder.wait_for_images();
            site.rebuild(&Plan::Full).unwrap();
            rendered
        };
        step(&mut site, None);
        let home = site.page("index.html");
        assert!(home.contains("sizes=\"50vw\"") && home.contains("-200.jpg 200w"), "{home}");
        // Another `sizes`: the pages again (both read the images), the image's variants are the same.
        let rendered = step(&mut site, Some("images:\n  widths: [100, 200]\n  sizes: 80vw\n"));
        assert_eq!(rendered, 2, "the two pages, not the image");
        assert!(site.page("index.html").contains("sizes=\"80vw\""));
        site.assert_same_as_a_full_build("a new sizes");
        // Other widths: the image's unit too.
        let rendered = step(&mut site, Some("images:\n  widths: [120]\n  sizes: 80vw\n"));
        assert_eq!(rendered, 3, "the two pages and the image");
        let home = site.page("index.html");
        assert!(home.contains("-120.jpg 120w") && !home.contains("-200.jpg"), "{home}");
        site.assert_same_as_a_full_build("new widths");
    }
}
