//! `dotwork build`: the pipeline into the output folder, swapped in whole.

use crate::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::cache::{BuildCache, Inputs, Outcome, Written};
use crate::check::{Checked, PublishCheck};
use crate::error::{Diagnostic, Error, Severity};
use crate::look::Within;
use crate::output::in_place::remove_listed;
use crate::output::{
    LastBuild, OutputFolder, create_folders, real_path, replace_output_unsettled, write_file,
};
use crate::pipeline::{Pipeline, Sink, drop_in_background, log_stage, parse_listed};
use crate::render::{OutputFile, Unit};
use crate::settings::Settings;
use crate::site::ParseCache;

/// What a build did.
#[derive(Debug)]
pub struct BuildSummary {
    /// Pages written (not counting redirects and static files).
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Image variants encoded (the others were taken from the cache or
    /// from the last output).
    pub images_encoded: usize,
    /// Image variants written in all.
    pub image_variants: usize,
    /// Nothing the build reads or wrote had changed since the last build
    /// into the same folder, so the output was left as it was.
    pub unchanged: bool,
    /// What the build held to its end.
    held: Held,
}

impl BuildSummary {
    /// Leaves what the build held unfreed, for a process that ends next:
    /// the system takes its memory back whole. Freeing the parsed site and
    /// its findings on another thread than made them was 5% of a one-page
    /// rebuild's instructions at 10,000 pages (632,000 frees).
    pub fn leave_held(&mut self) {
        std::mem::forget(self.held.0.take());
    }
}

/// What a build held to its end (the parsed site and templates, the
/// publishing check's findings, the build cache's stamps), freed on a
/// thread of its own when dropped ([`drop_in_background`]), or left
/// unfreed ([`BuildSummary::leave_held`]).
#[derive(Default)]
struct Held(Option<Box<dyn Send>>);

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Held")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(held) = self.0.take() {
            drop_in_background(held);
        }
    }
}

/// Builds the site into `settings.output`, replacing what was there only if
/// the whole build succeeds, and only if it is dotwork's (or `force`).
///
/// A site with errors `check` would report (a link or image that does not
/// resolve, an image without alt text) is not published either: the new
/// folder is dropped and the old one stays (issue 12).
pub fn build(settings: &Settings) -> Result<BuildSummary, Error> {
    let started = Instant::now();
    let output = OutputFolder::resolve(&settings.output)?;
    check_output_folder(&settings.root, &output)?;
    crate::source::verify_cache_folder(&settings.root)?;
    // Stamped before anything of the site is read, so an edit during the
    // build is seen by the next; the last build's stamps are read meanwhile.
    let (inputs, stamps) = if settings.no_cache {
        (None, None)
    } else {
        rayon::join(|| Inputs::stamp(&settings.root), || BuildCache::last_stamps(settings, &output.real))
    };
    log::debug!("build cache: inputs stamped ({:?})", started.elapsed());
    let stamps = stamps.filter(|_| inputs.is_some());
    let unchanged =
        stamps.as_ref().zip(inputs.as_ref()).and_then(|(s, i)| s.outcome_if_unchanged(i, &output.real));
    if let Some(last) = unchanged {
        log::debug!("build cache: nothing changed since the last build ({:?})", started.elapsed());
        return Ok(BuildSummary {
            pages: last.pages,
            files: last.files,
            elapsed: started.elapsed(),
            warnings: last.warnings,
            images_encoded: 0,
            image_variants: last.image_variants,
            unchanged: true,
            held: Held::default(),
        });
    }
    // The bodies of the pages the last build rendered from the same text and
    // links are not rendered again; they and the record of the units are
    // read each on a core of its own.
    // The site is listed meanwhile, and the stamps of its settled files
    // put in a map: neither needs anything from the cache.
    let read = Instant::now();
    let ((kept, record), (listed, settled)) = rayon::join(
        || {
            rayon::join(
                || BuildCache::kept_bodies(settings, &output.real),
                || BuildCache::read_last(settings, &output.real),
            )
        },
        || {
            // From the inputs' stamps, which walked the site already.
            let walked = inputs.as_ref().map(|i| i as &dyn crate::source::Walked);
            let listed = crate::source::list_site_walked(&settings.root, walked);
            log_stage("load: listed", read, "");
            (listed, inputs.as_ref().map(Inputs::settled_files).unwrap_or_default())
        },
    );
    let mut parse_cache = if settings.no_cache {
        ParseCache::one_shot()
    } else {
        log::debug!(
            "build cache: {} bodies and the record read ({:?})",
            kept.as_ref().map_or(0, |k| k.pages.len()),
            read.elapsed()
        );
        ParseCache::for_build(kept, settled)
    };
    // Whether the output holds only what the last build wrote is asked on
    // the other core while the site is parsed (that is mostly one core's
    // work); its top folder is asked again when the output is replaced.
    let looked = std::time::SystemTime::now();
    let (site, early) = rayon::join(
        || parse_listed(settings, listed?, &mut parse_cache, &settings.parse_options()),
        || {
            let files = stamps.as_ref().and_then(|s| s.output_files(&output.real));
            log::debug!(
                "build cache: the output's folders looked at ({:?})",
                looked.elapsed().unwrap_or_default()
            );
            files
        },
    );
    let mut site = site?;
    let early = Mutex::new(early);
    // A build is also the preview placeholders are filled in with: they warn here, `check` fails on them.
    let placeholders = crate::check::placeholder_warnings(&site);
    let t = Instant::now();
    let pipeline = Pipeline::new(&site)?;
    let pages = pipeline.units().iter().filter(|u| matches!(u, Unit::Page(_))).count();
    log_stage("units", t, "");
    // Units whose inputs are unchanged are taken from the old output
    // (`cache.rs`); the output's paths and what the publishing check knows
    // of them are made meanwhile, on the other core (each was a part of a
    // one-page rebuild that used one).
    let planned = Instant::now();
    let mut cache = BuildCache::open(settings, &output.real, &site, record);
    let ((paths, check), mut plan) = rayon::join(
        || {
            let paths = pipeline.output_paths();
            let check = PublishCheck::new(&site, &paths);
            (paths, check)
        },
        || cache.plan(&pipeline, &site, &|file| parse_cache.settled_stamp(file)),
    );
    cache.forget();
    log::debug!("build cache: {} units may be reused ({:?})", plan.candidates(), planned.elapsed());
    let mut link_warnings = Vec::new();
    let written = Written::for_cache(&cache);
    let mut inline = Vec::new();
    let mut checked = Checked::default();
    let spare = cache.spare();
    // Whether the output's folders were found as the last build stamped them.
    let vouched = AtomicBool::new(false);
    // Asked once, of the output: what the early look found, if the output
    // folder itself is still as stamped.
    let known = |dir: &Path| {
        let early = early.lock().unwrap_or_else(PoisonError::into_inner).take();
        let as_left = |_: &Vec<PathBuf>| {
            dir == output.real && stamps.as_ref().is_some_and(|s| s.output_top_as_left(dir))
        };
        let files = early.filter(as_left);
        vouched.store(files.is_some(), Ordering::Relaxed);
        files
    };
    let last = LastBuild { spare: spare.as_deref(), files: Some(&known), since: Some(looked) };
    // The files this build put into the output before last, kept as its
    // spare, or removed from it: the folders that hold them are no longer
    // as that was kept. `None` when it writes into a new folder.
    let mut touched: Option<Vec<PathBuf>> = None;
    let replaced = replace_output_unsettled(&output, &paths, settings.force, last, |dir, held| {
        // `dir` is empty, or holds the output before last (`held`): what
        // the site no longer makes goes, and only new folders are made.
        let folders = Instant::now();
        // The same files as before are seen at once: a path equals another
        // of the same bytes quickly, where ordering two compares them part
        // by part (21,500 comparisons at 10,000 pages, 1% of a rebuild).
        let same = held.len() == paths.len() && held.iter().eq(&paths);
        let stale: Vec<&Path> =
            if same { Vec::new() } else { held.difference(&paths).map(PathBuf::as_path).collect() };
        remove_listed(dir, &stale)?;
        let new: Vec<&Path> =
            if same { Vec::new() } else { paths.difference(held).map(PathBuf::as_path).collect() };
        create_folders(new.iter().copied(), dir)?;
        if !held.is_empty() {
            touched = Some(stale.iter().chain(&new).map(|p| p.to_path_buf()).collect());
        }
        log::debug!("folders: {} files removed ({:?})", stale.len(), folders.elapsed());
        // Looked up by hash of their bytes: paths compare part by part (they
        // are all plain relative paths, so the same path is the same bytes).
        let held: HashSet<&OsStr> = held.iter().map(|p| p.as_os_str()).collect();
        let placed = touched.as_ref().map(|_| Mutex::default());
        let sink = WriteAndKeep { dir: &Within::open(dir), kept: check, written: &written, placed };
        let taken = Instant::now();
        let mut placed = plan.take_from(&output.real, sink.dir, &held, &|files| sink.kept.take(files));
        log::debug!("reuse: {} units taken from the old output ({:?})", plan.candidates(), taken.elapsed());
        let rendered = pipeline.render_reusing(&|i| !plan.is_reused(i), &|i| plan.inline(i), None, &sink)?;
        if let (Some(touched), Some(written)) = (&mut touched, sink.placed) {
            touched.append(&mut placed);
            touched.append(&mut written.into_inner().unwrap_or_else(PoisonError::into_inner));
        }
        // The record keeps no inline code for a unit without any, which
        // is most of them: they need not be held until it is written.
        inline = rendered.inline;
        inline.retain(|(_, found)| !found.is_empty());
        inline.shrink_to_fit();
        let started = Instant::now();
        checked = sink.kept.errors(dir, plan.earlier());
        log_stage("check for errors", started, "");
        if checked.errors.iter().any(|d| d.severity == Severity::Error) {
            return Err(Error::Site(std::mem::take(&mut checked.errors)));
        }
        // Broken links with `broken_links: warn`.
        link_warnings.append(&mut checked.errors);
        Ok(())
    })?;
    log_stage("render and write", t, "");
    let images = &site.images;
    let image_variants: usize = images.planned.iter().map(|p| p.outputs().count()).sum();
    if image_variants > 0 {
        let units = pipeline.units().iter().enumerate();
        let taken: usize = units
            .filter(|&(i, _)| plan.is_reused(i))
            .filter_map(|(_, u)| match u {
                Unit::Image(n) => Some(images.planned[*n].outputs().count()),
                _ => None,
            })
            .sum();
        log::debug!(
            "images: {} variants encoded, {} from the cache, {taken} taken from the last output",
            images.encoded(),
            (image_variants - images.encoded()).saturating_sub(taken)
        );
    }
    // Only a build that succeeded knows what the site uses.
    let pruned = images.prune_cache();
    if pruned > 0 {
        log::debug!("images: {pruned} unused files removed from the cache");
    }
    // Its templates are held to the end with the site, not freed here.
    let templates = pipeline.templates();
    drop(pipeline);
    let mut warnings: Vec<Diagnostic> =
        std::mem::take(&mut site.warnings).into_iter().chain(placeholders).collect();
    if !link_warnings.is_empty() {
        // Broken links found by the parse stage and again in the built pages are shown once.
        warnings.append(&mut link_warnings);
        crate::error::sort_and_dedup(&mut warnings);
    }
    // The old output is kept as the spare (or removed), then the output's
    // files are looked at for the stamps, while the records are written;
    // the stamps are kept after the records they vouch for.
    let bodies = parse_cache.take_kept();
    let scratch = site.scratch.as_deref();
    let placed = plan.placed(&written);
    let vouched = vouched.into_inner();
    let ((), stamped) = rayon::join(
        || {
            // The record and the bodies are two files: each is written on
            // whichever core is free (one after the other, they kept a core
            // busy at the end of a one-page rebuild while the other idled).
            let kept = Instant::now();
            rayon::join(
                || plan.save(&cache, &output.real, written, inline, &checked),
                || {
                    if let Some(bodies) = bodies {
                        cache.keep_bodies(settings, bodies, scratch);
                    }
                },
            );
            log_stage("build cache: records kept", kept, "");
        },
        || {
            // The stamps' folders are moved out of them on the other core
            // while the old output is kept as the spare.
            let ((), folders) = rayon::join(
                || replaced.settle(),
                || stamps.map(|s| s.into_folders(vouched)).unwrap_or_default(),
            );
            let outcome = Outcome { pages, files: paths.len(), image_variants, warnings: warnings.clone() };
            // The output's folders as the survey found them, if the output
            // is now the spare; and the folders of the spare just written
            // into as its build kept them, with those this build touched.
            let (kept, spare_folders) = folders;
            let kept = spare.as_deref().map(|spare| kept.kept_at(spare)).unwrap_or_default();
            let spare = touched.as_ref().map(|touched| {
                let folders = touched.iter().flat_map(|f| f.ancestors().skip(1)).map(Path::as_os_str);
                (spare_folders, folders.collect())
            });
            cache.stamp(inputs?, &output.real, (&paths, &placed), spare.unwrap_or_default(), kept, outcome)
        },
    );
    if let Some(stamped) = &stamped {
        cache.keep_stamps(stamped);
    }
    Ok(BuildSummary {
        pages,
        files: paths.len(),
        elapsed: started.elapsed(),
        warnings,
        images_encoded: images.encoded(),
        image_variants,
        unchanged: false,
        held: Held(Some(Box::new((
            site,
            parse_cache,
            cache,
            paths,
            (checked, placed, stamped, touched, templates),
        )))),
    })
}

/// Writes each file into the new folder, notes it for the build cache, and
/// keeps what the check for publishing errors needs of it.
struct WriteAndKeep<'d, 's> {
    /// The new folder, open, to look at the files written.
    dir: &'d Within,
    kept: PublishCheck<'s>,
    written: &'d Written,
    /// The files written, when the build writes into the output before last.
    placed: Option<Mutex<Vec<PathBuf>>>,
}

impl Sink for WriteAndKeep<'_, '_> {
    fn take(&self, unit: usize, files: Vec<OutputFile>) -> Result<(), Error> {
        files.iter().try_for_each(|o| write_file(self.dir.path(), o))?;
        if let Some(placed) = &self.placed {
            placed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(files.iter().map(|o| o.path.clone()));
        }
        self.written.wrote(unit, self.dir, &files);
        self.kept.take(&files);
        Ok(())
    }

    fn publish_check(&self) -> Option<&PublishCheck<'_>> {
        Some(&self.kept)
    }
}

/// The output folder is replaced, so it must not be, hold or lie inside the
/// site or one of its folders, nor be (or hold) the home folder; compared by
/// real paths, so a link to the site is seen through (issue 9: `--root LINK
/// --output REALPATH/content` replaced the site's own pages).
fn check_output_folder(root: &Path, output: &OutputFolder) -> Result<(), Error> {
    let out = &output.real;
    let root = real_path(root).map_err(Error::io("find", root))?;
    let refuse = |message: String| {
        Err(Error::Site(vec![
            Diagnostic::error(&output.shown, message)
                .with_help("choose a folder of its own for the built site, such as public (the default)"),
        ]))
    };
    if root.starts_with(out) {
        return refuse(format!("the output folder holds the site itself ({})", root.display()));
    }
    for name in crate::source::SITE_FOLDERS {
        let folder = real_path(&root.join(name)).map_err(Error::io("find", root.join(name)))?;
        if out.starts_with(&folder) || folder.starts_with(out) {
            return refuse(format!(
                "the output folder would replace the site's {name} folder ({})",
                folder.display()
            ));
        }
    }
    if out.join(crate::config::CONFIG_FILE).exists() {
        return refuse(format!(
            "the output folder holds a site ({})",
            out.join(crate::config::CONFIG_FILE).display()
        ));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).and_then(|h| real_path(Path::new(&h)).ok());
    if home.is_some_and(|home| home.starts_with(out)) {
        return refuse("the output folder is (or holds) your home folder".to_string());
    }
    Ok(())
}
