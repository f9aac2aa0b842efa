//! The pipeline that `build`, `check` and `serve` share: load and parse a
//! site ([`load_and_parse`]), list its render units and check their outputs
//! for collisions ([`Pipeline::new`]), then render the units in parallel
//! into a [`Sink`] ([`Pipeline::render`]). Only the sink differs between the
//! commands: `build` writes each unit's files into the new output folder as
//! soon as they are made (`output::FolderSink`, inside the atomic folder
//! swap), `check` keeps them in a [`Collector`] to inspect, and `serve` puts
//! them in the in-memory snapshot it answers from, rendering only the units
//! whose declared inputs changed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::override_base_url;
use crate::error::{Diagnostic, Error};
use crate::render::{OutputFile, Renderer, Unit, list_units, merge_page_errors};
use crate::settings::Settings;
use crate::site::{Site, parse_site};
use crate::source::{Sources, load_site};

/// Where rendered files go. Called from several threads at once, once per
/// rendered unit, with the unit's number in [`Pipeline::units`].
pub trait Sink: Sync {
    /// Takes the files unit number `unit` rendered.
    fn take(&self, unit: usize, files: Vec<OutputFile>) -> Result<(), Error>;
}

/// Loads the site as `settings` say: the load stage, with `base_url`
/// replaced if asked.
pub fn load(settings: &Settings) -> Result<Sources, Error> {
    let mut sources = load_site(&settings.root)?;
    if let Some(url) = &settings.base_url {
        override_base_url(&mut sources.config, url).map_err(|d| Error::Site(vec![d]))?;
    }
    Ok(sources)
}

/// Loads and parses the site.
pub fn load_and_parse(settings: &Settings) -> Result<Site, Error> {
    let started = Instant::now();
    let sources = load(settings)?;
    log::debug!("load: {:?}", started.elapsed());
    let started = Instant::now();
    let site = parse_site(sources, &settings.parse_options())?;
    log::debug!("parse: {:?}", started.elapsed());
    Ok(site)
}

/// A parsed site ready to render: its templates and its units.
pub struct Pipeline<'a> {
    site: &'a Site,
    renderer: Renderer<'a>,
    units: Vec<Unit>,
}

impl<'a> Pipeline<'a> {
    /// Parses the templates and lists the site's units; two units writing
    /// one path are an error here, before anything is rendered.
    pub fn new(site: &'a Site) -> Result<Pipeline<'a>, Error> {
        let renderer = Renderer::new(site)?;
        let units = list_units(site, renderer.has_404_template())
            .map_err(|problems| Error::Site(merge_page_errors(site, problems)))?;
        Ok(Pipeline { site, renderer, units })
    }

    /// The site's units, pages first.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Every path the units write, for the output folder to claim first.
    pub fn output_paths(&self) -> BTreeSet<PathBuf> {
        self.units.iter().flat_map(|u| u.outputs(self.site)).collect()
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
        let started = Instant::now();
        let problems = (0..self.units.len())
            .into_par_iter()
            .filter(|&i| selected(i))
            .map(|i| match self.renderer.render_unit(self.units[i]) {
                Ok(files) => sink.take(i, files).map(|()| None),
                Err(d) => Ok(Some(d)),
            })
            .collect::<Result<Vec<Option<Diagnostic>>, Error>>()?;
        let rendered = problems.len();
        log::debug!("render: {:?} ({rendered} of {} units)", started.elapsed(), self.units.len());
        Error::from_diagnostics(merge_page_errors(self.site, problems.into_iter().flatten().collect()))?;
        Ok(rendered)
    }
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
