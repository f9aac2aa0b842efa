//! `dotwork build`: load, parse, render, write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::override_base_url;
use crate::error::{Diagnostic, Error};
use rayon::prelude::*;

use crate::content::page_output;
use crate::output::{create_folders, replace_output, write_file};
use crate::render::Renderer;
use crate::site::{ParseOptions, Site, parse_site};
use crate::source::load_site;

/// Settings of one build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// Where the built site goes.
    pub output: PathBuf,
    /// Include drafts.
    pub drafts: bool,
    /// Replaces `base_url` from site.yaml.
    pub base_url: Option<String>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// Pages written (not counting redirects and static files).
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// Loads and parses the site: the part `build`, `check` and `serve` share.
pub fn load_and_parse(options: &BuildOptions) -> Result<Site, Error> {
    let started = Instant::now();
    let mut sources = load_site(&options.root)?;
    if let Some(url) = &options.base_url {
        override_base_url(&mut sources.config, url).map_err(|d| Error::Site(vec![d]))?;
    }
    log::debug!("load: {:?}", started.elapsed());
    let started = Instant::now();
    let site = parse_site(sources, &ParseOptions { drafts: options.drafts })?;
    log::debug!("parse: {:?}", started.elapsed());
    Ok(site)
}

/// Builds the site into `options.output`, replacing what was there only if
/// the whole build succeeds.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, Error> {
    let started = Instant::now();
    check_output_folder(&options.root, &options.output)?;
    let site = load_and_parse(options)?;
    let t = Instant::now();
    let renderer = Renderer::new(&site)?;
    let others =
        renderer.site_files().map_err(|d| Error::Site(crate::render::merge_page_errors(&site, d)))?;
    // Each page is written as soon as it is rendered, so the whole site is
    // never held in memory at once.
    replace_output(&options.output, |dir| {
        let pages: Vec<PathBuf> = site.pages.iter().map(|p| page_output(&p.path)).collect();
        create_folders(pages.iter().chain(others.iter().map(|o| &o.path)).map(PathBuf::as_path), dir)?;
        others.par_iter().try_for_each(|o| write_file(dir, o))?;
        let problems = site
            .pages
            .par_iter()
            .map(|page| match renderer.page(page) {
                Ok(file) => write_file(dir, &file).map(|()| None),
                Err(d) => Ok(Some(d)),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Error::from_diagnostics(crate::render::merge_page_errors(
            &site,
            problems.into_iter().flatten().collect(),
        ))
    })?;
    log::debug!("render and write: {:?}", t.elapsed());
    Ok(BuildSummary {
        pages: site.pages.len(),
        files: site.pages.len() + others.len(),
        elapsed: started.elapsed(),
        warnings: site.warnings,
    })
}

/// The output folder is replaced whole, so it must not be (or hold) the site.
fn check_output_folder(root: &Path, output: &Path) -> Result<(), Error> {
    let (root_abs, out_abs) = (absolute(root), absolute(output));
    // Nor may it be one of the site's own folders, or inside one.
    let in_sources =
        ["content", "templates", "static", "themes"].iter().any(|d| out_abs.starts_with(root_abs.join(d)));
    if root_abs.starts_with(&out_abs) || in_sources || output.join(crate::config::CONFIG_FILE).exists() {
        return Err(Error::Site(vec![
            Diagnostic::error(
                output,
                "the output folder holds the site itself, and it is replaced on every build",
            )
            .with_help("choose a folder of its own, such as public"),
        ]));
    }
    Ok(())
}

/// `p` as an absolute path with `.` and `..` resolved by name (the folder
/// may not exist yet, so the file system is not asked).
fn absolute(p: &Path) -> PathBuf {
    let full = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
