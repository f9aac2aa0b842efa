//! Load: read the site folder into memory. The only stage that reads the disk
//! (static files are copied, not read, by the write stage).
//!
//! Input: the site root. Output: [`Sources`]: the parsed settings, every page's
//! text, every template's text, and the list of files to copy. Text is
//! normalised here, once: a UTF-8 byte-order mark is dropped and Windows line
//! endings become `\n`, so no later stage has to care which editor saved it.
//! Unreadable files, non-UTF-8 text and symbolic link loops are collected as
//! diagnostics; the build goes on reading the rest so all are reported.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, SiteConfig, parse_config};
use crate::error::{Diagnostic, Error, Location};
use crate::theme::{BUILTIN_THEME, builtin_files};

/// Pages larger than this are refused: no clinic page is 8 MiB of text, and a
/// file that size is a mistake (a video renamed `.md`).
const MAX_PAGE_BYTES: u64 = 8 << 20;

/// Where a site keeps its bibliography, in order of preference.
const BIBLIOGRAPHY_FILES: &[&str] =
    &["content/references.yaml", "content/references.yml", "content/references.bib"];

/// A text file of the site, read and normalised.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators (`content/about.md`).
    pub path: PathBuf,
    /// The text, without BOM, with `\n` line endings.
    pub text: String,
}

/// A template, by the name templates use for it (`partials/header.html`).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Name for `{% extends %}` and `template:`.
    pub name: String,
    /// Where it came from, for errors (`themes/clinic/templates/base.html`).
    pub path: PathBuf,
    /// The template's text.
    pub text: String,
}

/// Where a file to copy comes from.
#[derive(Debug, Clone)]
pub enum AssetSource {
    /// A file on disk.
    File(PathBuf),
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
}

/// A file copied as it is into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path inside the output folder.
    pub output: PathBuf,
    /// Its contents.
    pub source: AssetSource,
}

/// Everything the later stages need, in memory.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The settings from `site.yaml`.
    pub config: SiteConfig,
    /// Every markdown page under `content/`, sorted by path.
    pub pages: Vec<SourceFile>,
    /// The theme's templates overlaid by the site's own.
    pub templates: Vec<TemplateFile>,
    /// Static files (theme's, then the site's, then assets beside pages).
    pub assets: Vec<Asset>,
    /// The bibliography, `content/references.yaml` (or `.bib`), if any.
    pub bibliography: Option<SourceFile>,
}

/// Reads the site at `root`.
pub fn load_site(root: &Path) -> Result<Sources, Error> {
    let config_path = root.join(CONFIG_FILE);
    let config_text = match fs::read(&config_path) {
        Ok(bytes) => decode(Path::new(CONFIG_FILE), bytes).map_err(|d| Error::Site(vec![d]))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Site(vec![
                Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display()))
                    .with_help("run dotwork in your site's folder, or name it with --root DIR"),
            ]));
        }
        Err(e) => return Err(Error::io("read", config_path)(e)),
    };
    let config = parse_config(&config_text).map_err(Error::Site)?;

    let mut problems = Vec::new();
    let content = walk(root, Path::new("content"), &mut problems);
    let (md, other): (Vec<PathBuf>, Vec<PathBuf>) = content.into_iter().partition(|p| is_markdown(p));
    let read: Vec<Result<SourceFile, Diagnostic>> = md.par_iter().map(|rel| read_text(root, rel)).collect();
    let mut pages = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(page) => pages.push(page),
            Err(d) => problems.push(d),
        }
    }

    let theme_dir = Path::new("themes").join(&config.theme);
    let on_disk_theme = root.join(&theme_dir).is_dir();
    if !on_disk_theme && config.theme != BUILTIN_THEME {
        let d = Diagnostic::error(CONFIG_FILE, format!("theme `{}` not found", config.theme)).with_help(
            format!("create {} or use the built-in theme: theme: {BUILTIN_THEME}", theme_dir.display()),
        );
        problems.push(match crate::config::key_line(&config_text, "theme:") {
            Some(loc) => d.at(&config_text, loc),
            None => d,
        });
    }

    let mut templates = Vec::new();
    let mut assets = Vec::new();
    if on_disk_theme {
        templates.extend(read_templates(root, &theme_dir.join("templates"), &mut problems));
        assets.extend(disk_assets(root, &theme_dir.join("static"), &mut problems));
    } else {
        for (name, bytes) in builtin_files("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let path = PathBuf::from(format!("<built-in {BUILTIN_THEME} theme>/templates/{name}"));
            templates.push(TemplateFile { name: name.to_string(), path, text });
        }
        for (name, bytes) in builtin_files("static/") {
            assets.push(Asset { output: PathBuf::from(name), source: AssetSource::Builtin(bytes) });
        }
    }
    // The site's own files override the theme's files of the same name.
    overlay(&mut templates, read_templates(root, Path::new("templates"), &mut problems), |t| t.name.clone());
    overlay(&mut assets, disk_assets(root, Path::new("static"), &mut problems), |a| a.output.clone());
    let page_assets = other.into_iter().filter(|p| is_page_asset(p)).map(|rel| Asset {
        output: rel.strip_prefix("content").unwrap_or(&rel).to_path_buf(),
        source: AssetSource::File(root.join(&rel)),
    });
    overlay(&mut assets, page_assets.collect(), |a| a.output.clone());

    let bibliography = BIBLIOGRAPHY_FILES
        .iter()
        .map(Path::new)
        .find(|rel| root.join(rel).is_file())
        .and_then(|rel| read_text(root, rel).map_err(|d| problems.push(d)).ok());

    if problems.is_empty() {
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Sources { config, pages, templates, assets, bibliography })
    } else {
        Err(Error::Site(problems))
    }
}

fn overlay<T, K: PartialEq>(base: &mut Vec<T>, over: Vec<T>, key: impl Fn(&T) -> K) {
    for item in over {
        let k = key(&item);
        base.retain(|b| key(b) != k);
        base.push(item);
    }
}

/// Files under `root/dir`, relative to `root`, skipping hidden files and
/// editor backups. A missing folder is no files.
fn walk(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let start = root.join(dir);
    if !start.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    // follow_links: a linked folder of shared pages is legitimate; walkdir
    // detects loops and reports them as errors instead of recursing forever.
    let walker = WalkDir::new(&start).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name())) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if let Ok(rel) = e.path().strip_prefix(root) {
                    files.push(rel.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(err) => {
                let at = err
                    .path()
                    .map_or_else(|| dir.to_path_buf(), |p| p.strip_prefix(root).unwrap_or(p).to_path_buf());
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop: this link points back to a folder that contains it".to_string()
                } else {
                    match err.io_error() {
                        Some(io) => format!("cannot read: {}", io_reason(io)),
                        None => format!("cannot read: {err}"),
                    }
                };
                problems.push(Diagnostic::error(at, message));
            }
        }
    }
    files
}

pub(crate) fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
}

pub(crate) fn is_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Files beside pages that are copied to the output (images, PDFs): not the
/// data files other features read.
pub(crate) fn is_page_asset(path: &Path) -> bool {
    !path.extension().is_some_and(|e| {
        let e = e.to_string_lossy().to_ascii_lowercase();
        matches!(e.as_str(), "yaml" | "yml" | "bib" | "toml" | "json")
    })
}

pub(crate) fn read_text(root: &Path, rel: &Path) -> Result<SourceFile, Diagnostic> {
    let full = root.join(rel);
    let meta =
        fs::metadata(&full).map_err(|e| Diagnostic::error(rel, format!("cannot read: {}", io_reason(&e))))?;
    if meta.len() > MAX_PAGE_BYTES {
        return Err(Diagnostic::error(
            rel,
            format!("file is {} MiB, more than the 8 MiB a page may be", meta.len() >> 20),
        ));
    }
    let bytes =
        fs::read(&full).map_err(|e| Diagnostic::error(rel, format!("cannot read: {}", io_reason(&e))))?;
    let text = decode(rel, bytes)?;
    Ok(SourceFile { path: rel.to_path_buf(), text })
}

/// UTF-8 text without BOM and with `\n` line endings, or where it is not UTF-8.
pub(crate) fn decode(rel: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let good = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&bytes[..good]);
        let loc = crate::error::location_of(&before, before.len());
        let line_text = String::from_utf8_lossy(&bytes[good - (loc.column - 1).min(good)..])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        let mut d = Diagnostic::error(rel, "this file is not UTF-8 text")
            .with_help("open it in your editor and save it with the encoding \"UTF-8\"");
        d.location = Some(Location { line: loc.line, column: loc.column });
        d.line_text = Some(line_text);
        d
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    Ok(text)
}

fn read_templates(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<TemplateFile> {
    let mut out = Vec::new();
    for rel in walk(root, dir, problems) {
        let name = rel.strip_prefix(dir).unwrap_or(&rel).to_string_lossy().replace('\\', "/");
        match fs::read(root.join(&rel))
            .map_err(|e| Diagnostic::error(&rel, format!("cannot read: {}", io_reason(&e))))
        {
            Ok(bytes) => match decode(&rel, bytes) {
                Ok(text) => out.push(TemplateFile { name, path: rel, text }),
                Err(d) => problems.push(d),
            },
            Err(d) => problems.push(d),
        }
    }
    out
}

fn disk_assets(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<Asset> {
    walk(root, dir, problems)
        .into_iter()
        .map(|rel| Asset {
            output: rel.strip_prefix(dir).unwrap_or(&rel).to_path_buf(),
            source: AssetSource::File(root.join(&rel)),
        })
        .collect()
}

/// The OS's reason without Rust's "(os error 13)" suffix.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_drops_bom_and_crlf() {
        let text =
            decode(Path::new("a.md"), b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nhi\r\n".to_vec()).unwrap();
        assert_eq!(text, "---\ntitle: x\n---\nhi\n");
    }

    #[test]
    fn decode_points_at_the_first_bad_byte() {
        let d = decode(Path::new("a.md"), b"---\ntitle: caf\xe9\n".to_vec()).unwrap_err();
        assert_eq!(d.location, Some(Location { line: 2, column: 11 }));
        assert!(d.message.contains("not UTF-8"));
    }
}
