//! `dotwork build`: load, parse, render, write.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::override_base_url;
use crate::error::{Diagnostic, Error};
use rayon::prelude::*;

use crate::output::{OutputFolder, create_folders, real_path, replace_output, write_file};
use crate::render::Renderer;
use crate::site::{ParseOptions, Site, parse_site};
use crate::source::load_site;
use crate::url::page_output;

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
    /// Replace an output folder that holds files dotwork did not write
    /// (all but `.git` and `CNAME` are deleted).
    pub force: bool,
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
/// the whole build succeeds, and only if it is dotwork's (or `force`).
pub fn build(options: &BuildOptions) -> Result<BuildSummary, Error> {
    let started = Instant::now();
    let output = OutputFolder::resolve(&options.output)?;
    check_output_folder(&options.root, &output)?;
    let site = load_and_parse(options)?;
    let t = Instant::now();
    let renderer = Renderer::new(&site)?;
    let others =
        renderer.site_files().map_err(|d| Error::Site(crate::render::merge_page_errors(&site, d)))?;
    let pages: Vec<PathBuf> = site.pages.iter().map(|p| page_output(&p.path)).collect();
    let paths: BTreeSet<PathBuf> = pages.iter().chain(others.iter().map(|o| &o.path)).cloned().collect();
    // Each page is written as soon as it is rendered, so the whole site is
    // never held in memory at once.
    replace_output(&output, &paths, options.force, |dir| {
        create_folders(paths.iter().map(PathBuf::as_path), dir)?;
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

/// The folders of a site that a build reads.
const SITE_FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];

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
    for name in SITE_FOLDERS {
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
