//! Load: read the site folder into memory. The only stage that reads the disk
//! (static files are copied, not read, by the write stage).
//!
//! Input: the site root. Output: [`Sources`]: the parsed settings, every page's
//! text, every template's text, and the list of files to copy. Text is
//! normalised here, once: a UTF-8 byte-order mark is dropped and Windows line
//! endings become `\n`, so no later stage has to care which editor saved it.
//! Unreadable files, non-UTF-8 text and symbolic link loops are collected as
//! diagnostics; the build goes on reading the rest so all are reported.
//!
//! Nothing outside the site folder is read or copied (issue 9: links to
//! `/etc/passwd` and `/proc/self/environ` were published, a link to
//! `/proc/kmsg` hung the build). Every file is resolved to its real path,
//! which must lie inside the site's real root: a symbolic link may point
//! anywhere inside the site, and a link that leaves it is an error naming the
//! link and its target. Only regular files are opened, by [`open_verified`],
//! which cannot block on a pipe or device; the write stage and `serve` open
//! static files through it again when they copy or send them.
//!
//! What is skipped: version-control and operating-system clutter and editor
//! backups ([`is_clutter`]) everywhere; hidden markdown files are not pages
//! and hidden templates are not read. Other hidden files (`.well-known/`,
//! `.nojekyll`, `_headers`, `.htaccess`) are copied like any static file.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::hash::Hash;
use std::io::{self, Read};
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
    /// A regular file inside the site, by its real path (no symbolic links in
    /// it), checked when loaded; open it with [`open_verified`].
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
    /// Where the owner sees it, for messages and for `serve` to match edits:
    /// relative to the site root (`static/logo.png`, `content/care/photo.jpg`),
    /// or `<built-in clinic theme>/static/style.css`.
    pub origin: PathBuf,
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
    /// Static files: the theme's, overlaid by the site's `static/` and the
    /// files beside pages. Two of the site's own files may claim the same
    /// output path; the render stage reports that.
    pub assets: Vec<Asset>,
    /// The bibliography, `content/references.yaml` (or `.bib`), if any.
    pub bibliography: Option<SourceFile>,
}

/// Reads the site at `root`.
pub fn load_site(root: &Path) -> Result<Sources, Error> {
    let site = SiteRoot::new(root)?;
    let config_text = site.read_config()?;
    let config = parse_config(&config_text).map_err(Error::Site)?;

    let mut problems = Vec::new();
    let content = match walk(&site, Path::new("content"), &mut problems) {
        Some(files) => files,
        None => {
            problems.push(site.no_content_folder());
            Vec::new()
        }
    };
    let bibliography = BIBLIOGRAPHY_FILES.iter().map(Path::new).find(|rel| content.iter().any(|c| c == rel));
    let bibliography = bibliography.and_then(|rel| site.read_text(rel).map_err(|d| problems.push(d)).ok());
    let (md, other): (Vec<PathBuf>, Vec<PathBuf>) = content.into_iter().partition(|p| is_markdown(p));
    let read: Vec<Result<SourceFile, Diagnostic>> = md.par_iter().map(|rel| site.read_text(rel)).collect();
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
    let mut theme_assets = Vec::new();
    if on_disk_theme {
        templates.extend(read_templates(&site, &theme_dir.join("templates"), &mut problems));
        theme_assets.extend(disk_assets(&site, &theme_dir.join("static"), &mut problems));
    } else {
        for (name, bytes) in builtin_files("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let path = PathBuf::from(format!("<built-in {BUILTIN_THEME} theme>/templates/{name}"));
            templates.push(TemplateFile { name: name.to_string(), path, text });
        }
        for (name, bytes) in builtin_files("static/") {
            theme_assets.push(Asset {
                output: PathBuf::from(name),
                source: AssetSource::Builtin(bytes),
                origin: PathBuf::from(format!("<built-in {BUILTIN_THEME} theme>/static/{name}")),
            });
        }
    }
    // The site's own files override the theme's files of the same name.
    let own_templates = read_templates(&site, Path::new("templates"), &mut problems);
    let templates = overlay(templates, own_templates, |t| t.name.clone());
    let mut own_assets = disk_assets(&site, Path::new("static"), &mut problems);
    for rel in other.into_iter().filter(|p| is_page_asset(p)) {
        match site.verify(&rel) {
            Ok(real) => own_assets.push(Asset {
                output: rel.strip_prefix("content").unwrap_or(&rel).to_path_buf(),
                source: AssetSource::File(real),
                origin: rel,
            }),
            Err(d) => problems.push(d),
        }
    }
    let assets = overlay(theme_assets, own_assets, |a| a.output.clone());

    if problems.is_empty() {
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Sources { config, pages, templates, assets, bibliography })
    } else {
        Err(Error::Site(problems))
    }
}

/// `base` without the items `over` replaces (same key), then all of `over`.
fn overlay<T, K: Eq + Hash>(mut base: Vec<T>, over: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let replaced: HashSet<K> = over.iter().map(&key).collect();
    base.retain(|b| !replaced.contains(&key(b)));
    base.extend(over);
    base
}

/// The site folder, as given and as the file system resolves it.
struct SiteRoot {
    /// As given (`.`, `../clinic`): messages name paths relative to it.
    given: PathBuf,
    /// With every symbolic link resolved: nothing outside it is read.
    real: PathBuf,
}

impl SiteRoot {
    fn new(root: &Path) -> Result<SiteRoot, Error> {
        match fs::canonicalize(root) {
            Ok(real) => Ok(SiteRoot { given: root.to_path_buf(), real }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(no_config(root)),
            Err(e) => Err(Error::io("read", root)(e)),
        }
    }

    /// The text of `site.yaml`.
    fn read_config(&self) -> Result<String, Error> {
        let rel = Path::new(CONFIG_FILE);
        if self.given.join(rel).symlink_metadata().is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            return Err(no_config(&self.given));
        }
        self.read_text(rel).map(|f| f.text).map_err(|d| Error::Site(vec![d]))
    }

    /// The real path of `rel`, checked to be a regular file inside the site.
    fn verify(&self, rel: &Path) -> Result<PathBuf, Diagnostic> {
        let real = fs::canonicalize(self.given.join(rel)).map_err(|e| cannot_read(rel, &e))?;
        if !real.starts_with(&self.real) {
            return Err(self.leaves(rel, &real));
        }
        let meta = fs::metadata(&real).map_err(|e| cannot_read(rel, &e))?;
        if !meta.is_file() || is_system_path(&real) {
            return Err(not_a_file(rel, &meta.file_type()));
        }
        Ok(real)
    }

    /// The text of the file at `rel`, checked and normalised.
    fn read_text(&self, rel: &Path) -> Result<SourceFile, Diagnostic> {
        let real = self.verify(rel)?;
        let file = open_verified(&real).map_err(|e| cannot_read(rel, &e))?;
        let len = file.metadata().map_err(|e| cannot_read(rel, &e))?.len();
        if len > MAX_PAGE_BYTES {
            return Err(Diagnostic::error(
                rel,
                format!("file is {} MiB, more than the 8 MiB a page may be", len >> 20),
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // `take`: a file that grows while it is read still stops at the limit.
        file.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| cannot_read(rel, &e))?;
        let text = decode(rel, bytes)?;
        Ok(SourceFile { path: rel.to_path_buf(), text })
    }

    /// The error for `rel`, whose real path `real` is outside the site:
    /// names the first link on the way that leaves it, and where it points.
    fn leaves(&self, rel: &Path, real: &Path) -> Diagnostic {
        let mut prefix = PathBuf::new();
        for part in rel.components() {
            prefix.push(part);
            let here = self.given.join(&prefix);
            let is_link = here.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
            if is_link
                && let Ok(resolved) = fs::canonicalize(&here)
                && !resolved.starts_with(&self.real)
            {
                let written = fs::read_link(&here).unwrap_or_else(|_| resolved.clone());
                return link_leaves(&prefix, &written, &resolved);
            }
        }
        link_leaves(rel, real, real)
    }

    fn no_content_folder(&self) -> Diagnostic {
        let at = self.real.display();
        let d = if self.given.join("content").exists() {
            Diagnostic::error("content", format!("content in {at} is not a folder"))
        } else {
            Diagnostic::error("content", format!("there is no content folder in {at}"))
        };
        d.with_help(
            "the pages go in a folder named content beside site.yaml (content/index.md is the home page); \
             if your site is in another folder, name it with --root DIR",
        )
    }
}

fn no_config(root: &Path) -> Error {
    Error::Site(vec![
        Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display()))
            .with_help("run dotwork in your site's folder, or name it with --root DIR"),
    ])
}

fn cannot_read(rel: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::error(rel, format!("cannot read: {}", io_reason(e)))
}

fn link_leaves(link: &Path, written: &Path, resolved: &Path) -> Diagnostic {
    let target = if written == resolved {
        written.display().to_string()
    } else {
        format!("{} ({})", written.display(), resolved.display())
    };
    Diagnostic::error(link, format!("this link points outside the site folder, to {target}")).with_help(
        "dotwork reads only files inside the site folder: copy the file into the site instead of linking to it",
    )
}

fn not_a_file(rel: &Path, kind: &fs::FileType) -> Diagnostic {
    Diagnostic::error(rel, format!("this is {}, not a file dotwork can read", describe_type(kind)))
        .with_help("remove it, or put an ordinary file (or a link to one inside the site) in its place")
}

/// What a file that is not a regular file is, in words.
fn describe_type(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file of the operating system"
    }
}

/// Files of the kernel's pseudo file systems look like regular files (with
/// size 0) but are not data; never read them, wherever the site is.
fn is_system_path(real: &Path) -> bool {
    cfg!(target_os = "linux") && (real.starts_with("/proc") || real.starts_with("/sys"))
}

/// Opens the regular file at `real`, a path without symbolic links (as
/// [`AssetSource::File`] holds), for reading, and only if it still is one.
///
/// It never blocks and never opens a device or pipe, even if the file was
/// replaced by one since it was checked. On Linux the file is first opened
/// as a bare handle (`O_PATH`, which reads nothing), its type and real path
/// are checked on that handle, and the same file is then opened for reading
/// through `/proc/self/fd`, so nothing swapped in between is opened. Other
/// Unix systems open with `O_NONBLOCK | O_NOFOLLOW | O_NOCTTY` and check the
/// opened file's type; a folder on the way swapped for a link remains a race
/// there. The copy itself may see the file's contents change, never another file.
pub(crate) fn open_verified(real: &Path) -> io::Result<fs::File> {
    #[cfg(target_os = "linux")]
    {
        if let Some(file) = open_through_handle(real)? {
            return Ok(file);
        }
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let file = options.open(real)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::other(format!("it is {} now, not a file", describe_type(&kind))));
    }
    Ok(file)
}

/// [`open_verified`] on Linux; `None` when `/proc` is not mounted.
#[cfg(target_os = "linux")]
fn open_through_handle(real: &Path) -> io::Result<Option<fs::File>> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let handle =
        fs::OpenOptions::new().read(true).custom_flags(libc::O_PATH | libc::O_NOFOLLOW).open(real)?;
    let kind = handle.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::other(format!("it is {} now, not a file", describe_type(&kind))));
    }
    let fd = PathBuf::from(format!("/proc/self/fd/{}", handle.as_raw_fd()));
    match fs::read_link(&fd) {
        Ok(opened) if opened == real => {}
        Ok(_) => return Err(io::Error::other("a folder on its way was replaced while it was read")),
        Err(_) => return Ok(None),
    }
    let file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(&fd)?;
    Ok(Some(file))
}

/// Files under `root/dir`, relative to the root, without what
/// [`is_skipped`] says is not read; `None` when there is no such folder. Links are followed only while they stay inside the site; links
/// that leave it, pipes, sockets and devices are reported in `problems`.
fn walk(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Option<Vec<PathBuf>> {
    let start = site.given.join(dir);
    start.symlink_metadata().ok()?;
    match fs::canonicalize(&start) {
        Ok(real) if !real.starts_with(&site.real) => {
            problems.push(site.leaves(dir, &real));
            return Some(Vec::new());
        }
        Ok(real) if !real.is_dir() => return None,
        Ok(_) => {}
        Err(e) => {
            problems.push(cannot_read(dir, &e));
            return Some(Vec::new());
        }
    }
    let rel_of = |p: &Path| p.strip_prefix(&site.given).unwrap_or(p).to_path_buf();
    let mut files = Vec::new();
    let mut refused = Vec::new();
    // follow_links: a linked folder of shared pages is legitimate; walkdir
    // detects loops and reports them as errors instead of recursing forever.
    // A link's target is only looked at (`stat`), never opened, before the
    // filter below has checked that it stays inside the site.
    let walker = WalkDir::new(&start).follow_links(true).sort_by_file_name().into_iter();
    let walker = walker.filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        if is_skipped(&rel_of(e.path())) {
            return false;
        }
        if e.path_is_symlink() {
            match fs::canonicalize(e.path()) {
                Ok(real) if !real.starts_with(&site.real) => {
                    refused.push(site.leaves(&rel_of(e.path()), &real));
                    return false;
                }
                Ok(real) if is_system_path(&real) => {
                    refused.push(not_a_file(&rel_of(e.path()), &e.file_type()));
                    return false;
                }
                _ => {}
            }
        }
        true
    });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(rel_of(e.path())),
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => problems.push(not_a_file(&rel_of(e.path()), &e.file_type())),
            Err(err) => {
                let at = err.path().map_or_else(|| dir.to_path_buf(), rel_of);
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
    problems.append(&mut refused);
    Some(files)
}

/// Version-control and operating-system clutter and editor backups: never
/// read, copied or watched, wherever they are. Everything else is the
/// owner's, hidden or not (`.well-known/`, `.nojekyll`, `.htaccess`).
pub(crate) fn is_clutter(name: &OsStr) -> bool {
    const NAMES: &[&str] = &[
        ".svn",
        ".hg",
        ".hgignore",
        ".bzr",
        "_darcs",
        "CVS",
        ".DS_Store",
        ".AppleDouble",
        ".Spotlight-V100",
        ".Trashes",
        ".fseventsd",
        ".TemporaryItems",
        "Thumbs.db",
        "ehthumbs.db",
        "desktop.ini",
        "$RECYCLE.BIN",
    ];
    let name = name.to_string_lossy();
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
        // .git, .gitignore, .gitkeep, .gitattributes, .github
        || name.starts_with(".git")
        // macOS resource forks on shared drives
        || name.starts_with("._")
        // Emacs lock files and auto-saves
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        // backups: `page.md~`, JetBrains' safe-write copies
        || name.ends_with('~')
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || is_swap_file(&name)
}

/// Vim's `.page.md.swp` (`.swo`, `.swn`, ... `.swa`) and Kate's `.kate-swp`.
fn is_swap_file(name: &str) -> bool {
    if !name.starts_with('.') {
        return false;
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    ext == "kate-swp" || (ext.len() == 3 && ext.starts_with("sw") && ext.as_bytes()[2].is_ascii_lowercase())
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// A markdown file with a hidden name or in a hidden folder: the owner's
/// notes (`.notes.md`, `.drafts/x.md`), neither a page nor copied.
fn is_hidden_page(rel: &Path) -> bool {
    is_markdown(rel) && rel.components().any(|c| is_hidden(c.as_os_str()))
}

/// True when the load stage never reads `rel` (relative to the site root):
/// clutter anywhere, hidden markdown under `content/`, hidden templates.
/// The walk asks this of every entry; the watcher of `serve` can ask it too,
/// so it reacts to exactly what is read.
pub(crate) fn is_skipped(rel: &Path) -> bool {
    let parts: Vec<&OsStr> = rel.components().map(|c| c.as_os_str()).collect();
    if parts.iter().any(|p| is_clutter(p)) {
        return true;
    }
    let templates = match parts.as_slice() {
        [first, rest @ ..] if *first == "templates" => rest,
        [first, _, second, rest @ ..] if *first == "themes" && *second == "templates" => rest,
        _ => &[],
    };
    templates.iter().any(|p| is_hidden(p))
        || (parts.first().is_some_and(|p| *p == "content") && is_hidden_page(rel))
}

/// The watcher's test before [`is_skipped`]: hidden names and editor
/// backups. Kept, unchanged, until `src/serve/watch.rs` calls `is_skipped`.
pub(crate) fn is_ignored(name: &OsStr) -> bool {
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

/// Reads the text file at `rel` in the site at `root`, as [`load_site`]
/// does: only a regular file inside the site.
pub(crate) fn read_text(root: &Path, rel: &Path) -> Result<SourceFile, Diagnostic> {
    let site =
        SiteRoot::new(root).map_err(|_| Diagnostic::error(rel, "cannot read: the site folder is gone"))?;
    site.read_text(rel)
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

fn read_templates(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<TemplateFile> {
    let mut out = Vec::new();
    for rel in walk(site, dir, problems).unwrap_or_default() {
        let name = rel.strip_prefix(dir).unwrap_or(&rel).to_string_lossy().replace('\\', "/");
        match site.read_text(&rel) {
            Ok(file) => out.push(TemplateFile { name, path: rel, text: file.text }),
            Err(d) => problems.push(d),
        }
    }
    out
}

fn disk_assets(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let mut out = Vec::new();
    for rel in walk(site, dir, problems).unwrap_or_default() {
        match site.verify(&rel) {
            Ok(real) => out.push(Asset {
                output: rel.strip_prefix(dir).unwrap_or(&rel).to_path_buf(),
                source: AssetSource::File(real),
                origin: rel,
            }),
            Err(d) => problems.push(d),
        }
    }
    out
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
