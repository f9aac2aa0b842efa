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
//! Nothing outside the site folder is read or copied, and no pipe or
//! device is opened (`source/site_root.rs`); what is skipped (clutter, hidden
//! notes) is decided in `source/skip.rs`.

use crate::collections::HashSet;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{CONFIG_FILE, SiteConfig, parse_config};
use crate::error::{Diagnostic, Error, Location};
use crate::scratch::{Scratch, Spilled, Stored};
use crate::theme::{
    BUILTIN_THEME, THEME_FILE, ThemeSettings, builtin_file, builtin_files, parse_theme_settings,
};

mod site_root;
mod skip;

/// The order folders are read in, by file name, for walkdir's `sort_by`:
/// builds do not depend on the order a disk lists a folder in. Entries of one
/// folder share its path up to their names, so their whole paths compare as
/// their names do, without working out each name again (walkdir's
/// `sort_by_file_name` parses both paths for each comparison: some 200
/// million instructions of a 10,000-page build whose folders a disk listed
/// out of order).
pub(crate) fn by_file_name(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    a.path().as_os_str().cmp(b.path().as_os_str())
}
pub(crate) use site_root::open_verified;
use site_root::{Found, SiteRoot, read_found, walk};
pub(crate) use skip::is_skipped;

/// Pages larger than this are refused: 2 MiB is some 300,000 words, far more
/// than any web page, and a page just under it still builds in about a
/// second (issue 9; `bench/pathological/run` measures the worst shapes).
const MAX_PAGE_BYTES: u64 = 2 << 20;
/// Other text files (site.yaml, templates, a bibliography exported from a
/// reference manager) may be larger; a file this size is a mistake (a video
/// renamed `.yaml`).
const MAX_FILE_BYTES: u64 = 8 << 20;

/// The folders of a site that the load stage reads, beside site.yaml.
pub(crate) const SITE_FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];

/// Where a site keeps its bibliography, in order of preference.
const BIBLIOGRAPHY_FILES: &[&str] =
    &["content/references.yaml", "content/references.yml", "content/references.bib"];

/// A text file of the site, read and normalised.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators (`content/about.md`).
    pub path: PathBuf,
    /// The text, without BOM, with `\n` line endings; empty for a page
    /// left `unread`.
    pub text: String,
    /// For a page whose text the build cache knows by its file's stamp, so
    /// the load stage did not read it: where to read it when it is needed.
    pub unread: Option<Unread>,
}

impl SourceFile {
    /// A file whose text is `text`.
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile { path, text, unread: None }
    }

    /// The file with its text moved into `scratch`, and only its hash
    /// held; as it was if the scratch file refuses the text (then held).
    fn put_in(self, scratch: &Arc<Scratch>) -> SourceFile {
        let print = crate::cache::text_print(&self.text);
        let (text, place) = match Spilled::put(self.text, Some(scratch)) {
            Spilled::Stored(at) => (String::new(), Some(Place::Scratch(Arc::clone(scratch), at))),
            Spilled::Held(text) => (text, None),
        };
        SourceFile { path: self.path, text, unread: place.map(|place| Unread { place, print }) }
    }

    /// A hash of its text ([`crate::cache::text_print`]), known without
    /// reading it for an unread page.
    pub(crate) fn text_print(&self) -> u64 {
        self.unread.as_ref().map_or_else(|| crate::cache::text_print(&self.text), Unread::print)
    }

    /// Its text: read now for an unread page ([`Unread::read`]).
    pub(crate) fn read_text(&self) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        match &self.unread {
            Some(unread) => unread.read(&self.path).map(std::borrow::Cow::Owned),
            None => Ok(std::borrow::Cow::Borrowed(&self.text)),
        }
    }
}

/// Shown each page's text (with the page's path from the site's root) as
/// soon as the load stage reads it, before the text goes into the run's
/// scratch file ([`ListedSite::read`]).
pub(crate) type FirstLook<'a> = &'a (dyn Fn(&Path, &str) + Sync);

/// A page's text the load stage does not hold, and its hash
/// (`cache::text_print`): where to read it when it is needed.
#[derive(Debug, Clone)]
pub struct Unread {
    place: Place,
    print: u64,
}

/// Where the text of an [`Unread`] page waits.
#[derive(Debug, Clone)]
enum Place {
    /// In its own file, not read: the build cache knows the text by the
    /// file's stamp (issue 16: a rebuild after one page changed read 45 MB
    /// of 10,000 pages it already knew).
    File(Found),
    /// In the run's scratch file, put there as soon as it was read (issue
    /// 16: every page's text, held from the load stage until its markdown
    /// was rendered, was 45 MB of a 10,000-page build's peak memory).
    Scratch(Arc<Scratch>, Stored),
}

impl Unread {
    /// The hash of the text.
    pub(crate) fn print(&self) -> u64 {
        self.print
    }

    /// Whether the text was left in the page's own file, not read.
    pub(crate) fn left_in_file(&self) -> bool {
        matches!(self.place, Place::File(_))
    }

    /// The text of the page `file`: read back from the scratch file, or
    /// read and normalised as the load stage does; an error that names the
    /// page if it cannot be read or is no longer the text the build cache
    /// knew (it changed after the build began).
    pub(crate) fn read(&self, file: &Path) -> Result<String, Diagnostic> {
        match &self.place {
            Place::Scratch(scratch, at) => {
                scratch.get(*at).map_err(|e| crate::scratch::unreadable(file, "the page", &e))
            }
            Place::File(found) => {
                let text = read_found(found)?.text;
                if crate::cache::text_print(&text) != self.print {
                    return Err(Diagnostic::error(file, "this page changed while the site was being built")
                        .with_help("build again: the next build reads it as it is now"));
                }
                Ok(text)
            }
        }
    }
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

/// The templates rendering the template `name` uses, by their place in
/// `all`: `name` first, then what it extends, includes, imports and
/// renders with `partial(name="…")`, recursively, each once.
pub(crate) fn templates_used(all: &[TemplateFile], name: &str) -> Vec<usize> {
    let mut seen = Vec::new();
    let mut todo = vec![name.to_string()];
    while let Some(next) = todo.pop() {
        let Some(i) = all.iter().position(|t| t.name == next) else { continue };
        if seen.contains(&i) {
            continue;
        }
        seen.push(i);
        // Reversed so the first-named dependency is searched first.
        todo.extend(templates_named(&all[i].text).into_iter().rev());
    }
    seen
}

/// The names of the templates `text` extends, includes or imports, and of
/// those it renders with `partial(name="…")`, in the order they appear.
fn templates_named(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{%").into_iter().chain(rest.find("{{")).min() {
        let statement = rest[open..].starts_with("{%");
        let after = &rest[open + 2..];
        let Some(close) = after.find(if statement { "%}" } else { "}}" }) else { break };
        let tag = after[..close].trim_matches('-').trim();
        let word_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        if statement && matches!(&tag[..word_end], "extends" | "include" | "import") {
            names.extend(literal(tag[word_end..].trim_start()).map(|(name, _)| name.to_string()));
        }
        for (at, call) in tag.match_indices("partial(") {
            let whole = !tag[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            if let Some((name, _)) = literal_argument(&tag[at + call.len()..], "name").filter(|_| whole) {
                names.push(name.to_string());
            }
        }
        rest = &after[close + 2..];
    }
    names
}

/// The argument `name` of a function call in a template, when it is
/// written out as a string first among the call's arguments, `args` (the
/// text after the `(`): `path = "news/_index.md"` gives `news/_index.md`
/// and the text after its closing quote.
pub(crate) fn literal_argument<'t>(args: &'t str, name: &str) -> Option<(&'t str, &'t str)> {
    let value = args.trim_start().strip_prefix(name)?.trim_start().strip_prefix('=')?;
    literal(value.trim_start())
}

/// The string written at the start of `s` (in `"`, `'` or `` ` ``, as Tera
/// writes strings), and the text after it.
fn literal(s: &str) -> Option<(&str, &str)> {
    let quote = s.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let end = s[1..].find(quote)? + 1;
    Some((&s[1..end], &s[end + 1..]))
}

/// Where a file to copy comes from.
#[derive(Debug, Clone)]
pub enum AssetSource {
    /// A regular file inside the site, by its real path (no symbolic links in
    /// it), checked when loaded; open it with `open_verified`.
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
    /// files beside pages (published where `url::asset_output`
    /// says). Two of the site's own files may claim the same output path;
    /// the render stage reports that.
    pub assets: Vec<Asset>,
    /// The bibliography, `content/references.yaml` (or `.bib`), if any.
    pub bibliography: Option<SourceFile>,
    /// The fingerprinted names of the stylesheets and scripts among the
    /// assets (`host/assets.rs`), whose copies under those names are assets too.
    pub asset_names: crate::host::assets::AssetNames,
    /// Every image file among the assets, inspected (`image.rs`), with the
    /// widths and `sizes` the theme declares in its `theme.yaml`.
    pub images: crate::image::ImageIndex,
    /// The theme's words in each of the site's languages, in the order of
    /// `config.languages` (`theme/i18n.rs`).
    pub words: Vec<crate::theme::i18n::Words>,
}

/// Refuses the site at `root` if its cache folder (`.dotwork`, or a folder
/// in it on the way to a cache) is a link out of it: `build` asks before it
/// reads its cache; the load stage asks again, for `check` and `serve`.
pub fn verify_cache_folder(root: &Path) -> Result<(), Error> {
    SiteRoot::new(root)?.verify_cache_folder().map_err(|d| Error::Site(vec![d]))
}

/// Reads the site at `root`.
pub fn load_site(root: &Path) -> Result<Sources, Error> {
    load_site_knowing(root, &|_| None)
}

/// Reads the site at `root`, but not the pages whose text `known` gives the
/// hash of (by their path from the root, `content/about.md`): those are left
/// [`Unread`] until something needs their text. Sections are always read.
pub fn load_site_knowing(
    root: &Path,
    known: &(dyn Fn(&Path) -> Option<u64> + Sync),
) -> Result<Sources, Error> {
    list_site(root)?.read(known, None, None)
}

/// A site listed but its pages not yet read: what [`list_site`] found
/// besides them, and the pages' files.
#[derive(Debug)]
pub struct ListedSite {
    /// The site as found, its `pages` still empty.
    sources: Sources,
    /// The markdown files under `content/`.
    md: Vec<Found>,
    /// What was wrong before the pages (the walk, the bibliography) and
    /// after them (the theme, templates and files), in that order.
    problems: (Vec<Diagnostic>, Vec<Diagnostic>),
}

impl ListedSite {
    /// Reads the pages listed, but not those whose text `known` gives the
    /// hash of ([`load_site_knowing`]); the site's problems, if any, are
    /// its error. With a `scratch` file (a one-shot run), each page's text
    /// is put there as soon as it is read, and read back when needed.
    /// Sections are always read and held. `look`, when given, is shown
    /// each page's text as soon as it is read, before it goes into the
    /// scratch file (the parse stage's first look: `site/cache.rs`).
    pub(crate) fn read(
        self,
        known: &(dyn Fn(&Path) -> Option<u64> + Sync),
        scratch: Option<&Arc<Scratch>>,
        look: Option<FirstLook<'_>>,
    ) -> Result<Sources, Error> {
        let ListedSite { mut sources, md, problems: (mut problems, late) } = self;
        let read: Vec<Result<SourceFile, Diagnostic>> = md
            .par_iter()
            .map(|found| {
                let page = !crate::section::is_section_file(&found.rel);
                match known(&found.rel).filter(|_| page) {
                    Some(print) => Ok(SourceFile {
                        path: found.rel.clone(),
                        text: String::new(),
                        unread: Some(Unread { place: Place::File(found.clone()), print }),
                    }),
                    None => {
                        let file = read_found(found)?;
                        if let Some(look) = look.filter(|_| page) {
                            look(&file.path, &file.text);
                        }
                        Ok(match scratch.filter(|_| page) {
                            Some(scratch) => file.put_in(scratch),
                            None => file,
                        })
                    }
                }
            })
            .collect();
        let mut pages = Vec::with_capacity(read.len());
        for r in read {
            match r {
                Ok(page) => pages.push(page),
                Err(d) => problems.push(d),
            }
        }
        problems.extend(late);
        if problems.is_empty() {
            crate::url::sort_by_path(&mut pages, |p| &p.path);
            sources.pages = pages;
            Ok(sources)
        } else {
            Err(Error::Site(problems))
        }
    }
}

/// Lists the site at `root` and reads all of it but its pages: the first
/// half of the load stage, which needs nothing from the build cache, so a
/// build does it while it reads the cache (`ListedSite::read` is the rest).
pub fn list_site(root: &Path) -> Result<ListedSite, Error> {
    list_site_walked(root, None)
}

/// The site's folders as a walk found them, so that the load stage need
/// not walk them again: a build has walked them already to stamp its
/// inputs (`cache/up_to_date.rs`; the second walk was 4% of a one-page
/// rebuild's instructions at 10,000 pages).
pub trait Walked: Sync {
    /// The files and folders under the folder `dir` (not `dir` itself), by
    /// their paths from the site's root, as a walk meets them: depth first,
    /// each folder's entries by name (`by_file_name`); each with whether
    /// it is a folder. `None` when this walk did not take in `dir`. Given
    /// only for a walk that met nothing but files and folders (no link,
    /// pipe or device, which the load stage's own walk follows or refuses).
    fn under(&self, dir: &Path) -> Option<Vec<(&Path, bool)>>;
}

/// [`list_site`], taking what it walks from `walked` where that holds it.
pub fn list_site_walked(root: &Path, walked: Option<&dyn Walked>) -> Result<ListedSite, Error> {
    let site = SiteRoot::new(root)?.walked(walked);
    let config_text = site.read_config()?;
    let config = parse_config(&config_text).map_err(Error::Site)?;
    site.verify_cache_folder().map_err(|d| Error::Site(vec![d]))?;

    let mut problems = Vec::new();
    let content = match walk(&site, Path::new("content"), &mut problems) {
        Some(files) => files,
        None => {
            problems.push(site.no_content_folder());
            Vec::new()
        }
    };
    // Paths of another length are not compared part by part (10,000 files, three names).
    let is =
        |found: &Found, rel: &str| found.rel.as_os_str().len() == rel.len() && found.rel == Path::new(rel);
    let bibliography = BIBLIOGRAPHY_FILES.iter().find_map(|rel| content.iter().find(|found| is(found, rel)));
    let bibliography = bibliography.and_then(|found| read_found(found).map_err(|d| problems.push(d)).ok());
    let (md, other): (Vec<Found>, Vec<Found>) = content.into_iter().partition(|f| is_markdown(&f.rel));
    let early = std::mem::take(&mut problems);

    let theme_dir = Path::new("themes").join(&config.theme);
    let on_disk_theme = root.join(&theme_dir).is_dir();
    if !on_disk_theme && config.theme != BUILTIN_THEME {
        let d = Diagnostic::error(CONFIG_FILE, format!("theme `{}` not found", config.theme)).with_help(
            format!("create {} or use the built-in theme: theme: {BUILTIN_THEME}", theme_dir.display()),
        );
        problems.push(match crate::config::setting_line(&config_text, &["theme"]) {
            Some(loc) => d.at(&config_text, loc),
            None => d,
        });
    }

    let theme = read_theme_settings(&site, &theme_dir, on_disk_theme, &mut problems);
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let words = read_words(&site, &theme_dir, on_disk_theme, &codes, &mut problems);
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
    // A page's own files stay beside it when its folder is renamed in the
    // address (`3d_model/` -> `3d-model/`, issue 14); two files that land
    // on one output path are reported by the render stage.
    let page_folders = crate::url::page_folders(md.iter().map(|f| f.rel.as_path()));
    own_assets.extend(other.into_iter().filter(|f| is_page_asset(&f.rel)).map(|f| Asset {
        output: PathBuf::from(crate::url::asset_output(
            &crate::url::content_key(&f.rel),
            &page_folders,
            config.urls,
        )),
        source: AssetSource::File(f.real),
        origin: f.rel,
    }));
    let mut assets = overlay(theme_assets, own_assets, |a| a.output.clone());
    let asset_names = crate::host::assets::fingerprint_assets(&mut assets).unwrap_or_else(|found| {
        problems.extend(found);
        crate::host::assets::AssetNames::default()
    });
    let images = crate::image::inspect_assets(root, &assets)
        .unwrap_or_else(|found| {
            problems.extend(found);
            crate::image::ImageIndex::default()
        })
        .with_settings(theme.images);
    problems.extend(crate::theme::brand::missing_font_files(&config_text, &config.brand, |path| {
        assets.iter().any(|a| a.output == Path::new(path))
    }));

    let sources =
        Sources { config, pages: Vec::new(), templates, assets, bibliography, asset_names, images, words };
    Ok(ListedSite { sources, md, problems: (early, problems) })
}

/// The settings of the theme in `theme_dir` (`themes/clinic`), from its
/// `theme.yaml` on disk or built in; the defaults when it has none, or
/// when the file has errors (added to `problems`).
fn read_theme_settings(
    site: &SiteRoot,
    theme_dir: &Path,
    on_disk: bool,
    problems: &mut Vec<Diagnostic>,
) -> ThemeSettings {
    let rel = theme_dir.join(THEME_FILE);
    let text = if on_disk {
        match site.read_optional_text(&rel) {
            Some(Ok(file)) => file.text,
            Some(Err(d)) => {
                problems.push(d);
                return ThemeSettings::default();
            }
            None => return ThemeSettings::default(),
        }
    } else {
        match builtin_file(THEME_FILE) {
            Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            None => return ThemeSettings::default(),
        }
    };
    parse_theme_settings(&rel, &text).unwrap_or_else(|found| {
        problems.extend(found);
        ThemeSettings::default()
    })
}

/// The theme's words for each of `languages` (the default first): its
/// `i18n/en.yaml` and each language's own file, on disk or built in, the
/// default language's file the first to fall back on; files with errors
/// are left out (the errors added to `problems`).
fn read_words(
    site: &SiteRoot,
    theme_dir: &Path,
    on_disk: bool,
    languages: &[&str],
    problems: &mut Vec<Diagnostic>,
) -> Vec<crate::theme::i18n::Words> {
    use crate::theme::i18n::{FALLBACK, I18N_DIR, WordFile, Words, candidates, parse_word_file};
    let mut read = |name: &str| {
        let (rel, text) = if on_disk {
            let rel = theme_dir.join(I18N_DIR).join(name);
            match site.read_optional_text(&rel)? {
                Ok(file) => (rel, file.text),
                Err(d) => {
                    problems.push(d);
                    return None;
                }
            }
        } else {
            let bytes = builtin_file(&format!("{I18N_DIR}/{name}"))?;
            let rel = PathBuf::from(format!("<built-in {BUILTIN_THEME} theme>/{I18N_DIR}/{name}"));
            (rel, String::from_utf8_lossy(bytes).into_owned())
        };
        parse_word_file(&rel, &text).map_err(|d| problems.push(d)).ok()
    };
    let english_file = format!("{FALLBACK}.yaml");
    let english = read(&english_file).unwrap_or_default();
    let mut chosen: Vec<Option<WordFile>> = languages
        .iter()
        .map(|language| {
            candidates(language).into_iter().filter(|name| *name != english_file).find_map(|name| read(&name))
        })
        .collect();
    let default = chosen.first().cloned().flatten().map(|file| (languages[0].to_string(), file));
    languages
        .iter()
        .zip(chosen.iter_mut())
        .enumerate()
        .map(|(k, (language, own))| {
            let words = Words::new(language, english.clone(), own.take());
            if k == 0 { words } else { words.falling_back_to(default.clone()) }
        })
        .collect()
}

/// `base` without the items `over` replaces (same key), then all of `over`.
fn overlay<T, K: Eq + Hash>(mut base: Vec<T>, over: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let replaced: HashSet<K> = over.iter().map(&key).collect();
    base.retain(|b| !replaced.contains(&key(b)));
    base.extend(over);
    base
}

pub(crate) fn is_markdown(path: &Path) -> bool {
    crate::url::has_extension(path, &["md", "markdown"])
}

/// Files beside pages that are copied to the output (images, PDFs): not the
/// data files other features read.
pub(crate) fn is_page_asset(path: &Path) -> bool {
    !crate::url::has_extension(path, &["yaml", "yml", "bib", "toml", "json"])
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
    // The memchr crate's search, not `str::contains`: a build reads every page.
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    Ok(text)
}

fn read_templates(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<TemplateFile> {
    let mut out = Vec::new();
    for found in walk(site, dir, problems).unwrap_or_default() {
        let name = crate::url::slash_path(found.rel.strip_prefix(dir).unwrap_or(&found.rel));
        match read_found(&found) {
            Ok(file) => out.push(TemplateFile { name, path: found.rel, text: file.text }),
            Err(d) => problems.push(d),
        }
    }
    out
}

fn disk_assets(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let files = walk(site, dir, problems).unwrap_or_default();
    files
        .into_iter()
        .map(|f| Asset {
            output: f.rel.strip_prefix(dir).unwrap_or(&f.rel).to_path_buf(),
            source: AssetSource::File(f.real),
            origin: f.rel,
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

/// A site on disk for unit tests: a site.yaml and `pages` (path from the
/// root, text).
#[cfg(test)]
pub(crate) fn test_site(pages: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), "title: T\nbase_url: https://example.org/\n").unwrap();
    for (page, text) in pages {
        let path = dir.path().join(page);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_a_template_uses_are_those_it_names_each_once() {
        let t =
            |name: &str, text: &str| TemplateFile { name: name.into(), path: name.into(), text: text.into() };
        let all = [
            t(
                "page.html",
                r#"{% extends "base.html" %}{%- include 'toc.html' -%}{{ my_partial(name="no.html") }}"#,
            ),
            t(
                "base.html",
                r#"{{- partial( name = "footer.html" ) -}}{% if x %}{{ partial(name="toc.html") }}{% endif %}"#,
            ),
            t("footer.html", r#"{% import "macros.html" as m %}{# {% include "comment.html" %} #}"#),
            t("toc.html", ""),
            t("macros.html", ""),
            t("no.html", ""),
        ];
        let names: Vec<&str> =
            templates_used(&all, "page.html").iter().map(|&i| all[i].name.as_str()).collect();
        assert_eq!(names, ["page.html", "base.html", "footer.html", "macros.html", "toc.html"]);
    }

    /// A build lists the site from the walk that stamped its inputs: the
    /// same files, skipped alike (notes, clutter, hidden templates), in the
    /// same order, as the load stage's own walk finds.
    #[test]
    fn a_site_listed_from_the_stamps_walk_is_the_site_walked() {
        let page = "---\ntitle: A\n---\nHello.\n";
        let dir = test_site(&[
            ("content/index.md", page),
            ("content/b.md", page),
            ("content/b/index.md", page),
            ("content/b/c/d.md", page),
            ("content/b/leaflet.pdf", "pdf"),
            ("content/a b/Über.md", page),
            ("content/.notes.md", page),
            ("content/.drafts/x.md", page),
            ("content/.DS_Store", ""),
            ("templates/page.html", "{{ page.title }}"),
            ("templates/.old/page.html", "x"),
            ("static/files/price-list.txt", "x"),
            ("static/.DS_Store", ""),
            ("themes/other/templates/base.html", "x"),
            ("themes/other/templates/partials/footer.html", "x"),
            ("themes/other/static/site.css", "x"),
            ("themes/unused/templates/base.html", "x"),
        ]);
        let root = dir.path();
        std::fs::write(root.join(CONFIG_FILE), "title: T\nbase_url: https://example.org/\ntheme: other\n")
            .unwrap();
        let walked = crate::cache::Inputs::stamp(root).expect("stamped");
        let own = list_site(root).unwrap();
        assert_eq!(own.md.len(), 5, "{:?}", own.md);
        assert_eq!(format!("{:?}", list_site_walked(root, Some(&walked)).unwrap()), format!("{own:?}"));
        // Taken from the stamps, not walked again: a page added since is not in it.
        std::fs::write(root.join("content/b/new.md"), page).unwrap();
        assert_eq!(list_site(root).unwrap().md.len(), 6);
        assert_eq!(list_site_walked(root, Some(&walked)).unwrap().md.len(), 5);
        #[cfg(unix)]
        {
            // A pipe, which the load stage refuses: no stamps, so its own walk.
            let fifo = root.join("content/b/pipe.md");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            assert!(crate::cache::Inputs::stamp(root).is_none());
        }
    }

    #[test]
    fn a_known_page_is_read_only_when_asked_and_only_as_it_was() {
        let text = "---\ntitle: A\n---\nHello.\n";
        let dir = test_site(&[("content/a.md", text), ("content/news/_index.md", text)]);
        let root = dir.path();
        let print = crate::cache::text_print(text);
        let sources = load_site_knowing(root, &|_| Some(print)).unwrap();
        let page = |rel: &str| sources.pages.iter().find(|p| p.path == Path::new(rel)).unwrap();
        let (known, section) = (page("content/a.md"), page("content/news/_index.md"));
        assert!(known.text.is_empty() && known.text_print() == print);
        assert!(section.unread.is_none() && section.text == text, "a section is always read");
        assert_eq!(known.read_text().unwrap(), text);
        // Changed since the build cache knew it: an error that names it, not another text.
        std::fs::write(root.join("content/a.md"), "---\ntitle: B\n---\n").unwrap();
        let e = known.read_text().unwrap_err();
        assert_eq!(e.file, Path::new("content/a.md"));
        assert!(e.message.contains("changed while the site was being built"), "{}", e.message);
    }

    #[test]
    fn a_one_shot_run_puts_each_page_s_text_in_its_scratch_file_as_it_reads_it() {
        let (page, section) = ("---\ntitle: Déjà vu\n---\r\nHello.\n", "---\ntitle: News\n---\n");
        let dir = test_site(&[("content/a.md", page), ("content/news/_index.md", section)]);
        let scratch = Arc::new(Scratch::new().expect("a temporary folder"));
        let sources = list_site(dir.path()).unwrap().read(&|_| None, Some(&scratch), None).unwrap();
        let file = |rel: &str| sources.pages.iter().find(|p| p.path == Path::new(rel)).unwrap();
        let (put, held) = (file("content/a.md"), file("content/news/_index.md"));
        let normalised = page.replace("\r\n", "\n");
        assert!(put.text.is_empty() && put.text_print() == crate::cache::text_print(&normalised));
        assert!(!put.unread.as_ref().unwrap().left_in_file(), "in the scratch file, not in its own");
        assert_eq!(put.read_text().unwrap(), normalised);
        assert!(held.unread.is_none() && held.text == section, "a section is always held");
        // Read back from the scratch file, not from the page's own file.
        std::fs::remove_file(dir.path().join("content/a.md")).unwrap();
        assert_eq!(put.read_text().unwrap(), normalised);
    }

    #[test]
    fn the_first_look_sees_each_page_read_as_it_is_read_and_not_sections_nor_known_pages() {
        let dir = test_site(&[
            ("content/a.md", "---\r\ntitle: A\r\n---\r\nHi.\r\n"),
            ("content/b.md", "---\ntitle: B\n---\n"),
            ("content/news/_index.md", "---\ntitle: News\n---\n"),
        ]);
        let scratch = Arc::new(Scratch::new().expect("a temporary folder"));
        let seen = std::sync::Mutex::new(Vec::new());
        let look =
            |path: &Path, text: &str| seen.lock().unwrap().push((path.to_path_buf(), text.to_string()));
        let known = |path: &Path| (path == Path::new("content/b.md")).then_some(1);
        list_site(dir.path()).unwrap().read(&known, Some(&scratch), Some(&look)).unwrap();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen, [(PathBuf::from("content/a.md"), "---\ntitle: A\n---\nHi.\n".to_string())]);
    }

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
