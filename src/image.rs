//! Images (issue 11): photos published small, private and fast from plain
//! markdown, with no configuration.
//!
//! The stages, in pipeline order:
//! - load (`inspect_assets`, `image/inspect.rs`): every JPEG, PNG and WebP
//!   file the site copies is inspected: its format, its size with the EXIF
//!   orientation applied, whether it has transparency, a hash of its bytes.
//!   A HEIC/HEIF photo (what phones save) is an error saying to export it as
//!   JPEG. Results are remembered in the cache by file size and time, so a
//!   warm build reads no image.
//! - parse: a markdown image (`![alt](photo.jpg)`, `/images/x.jpg`) that
//!   names an inspected image becomes a `<picture>` (`picture_html`), and
//!   every image named elsewhere is registered as an [`ImageRef`] (front
//!   matter, site.yaml, galleries); `plan_images` resolves them all and
//!   plans each image's variants ([`SiteImages`]).
//! - render: each planned image is one render unit that writes its variants
//!   (`render_image`, `image/encode.rs`): oriented, converted to sRGB,
//!   resized with `fast_image_resize` to the widths the theme declares in
//!   its `theme.yaml` (`theme.rs`; [`ImageSettings`], with the `sizes`
//!   every `<picture>` is written with), never upscaled and no width within
//!   25% of the next (`image/recipe.rs`),
//!   encoded as AVIF and as JPEG (PNG for images with transparency). Every
//!   variant is kept in the cache (`image/cache.rs`, `.dotwork/cache/img/`
//!   in the site's folder, outside what the site reads and what it
//!   publishes) under a key made of the source's bytes, the recipe and
//!   [`PIPELINE_VERSION`], and published under a fingerprinted name
//!   (`_img/room-3f2a9c81d0-960.avif`) that hosts may cache forever.
//! - images copied as they are (from `static/`, or beside a page) are
//!   published without their metadata (`image/metadata.rs`: no GPS, no
//!   camera serial; never re-encoded), and `check` reports any published
//!   file that still holds a GPS position (`gps_findings`).
//!
//! An image is named by its address in the built site, as a link is:
//! `/images/room.jpg` (the file `static/images/room.jpg` or
//! `content/images/room.jpg`), or relative to the address of the page it is
//! written on. Remote images and SVG are left as they are.

use crate::collections::HashMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Diagnostic, Location};
use crate::url::{has_scheme, output_path, site_path};

mod cache;
mod encode;
mod inspect;
mod markup;
mod metadata;
mod recipe;
mod template;

pub use cache::CACHE_DIR;
pub(crate) use cache::Cache;
pub(crate) use inspect::inspect_assets;
pub(crate) use markup::{Loading, picture_html};
pub(crate) use metadata::gps_findings;
pub(crate) use recipe::MIN_STEP;
pub use recipe::{AVIF_QUALITY, AVIF_SPEED, DEFAULT_SIZES, DEFAULT_WIDTHS, ImageSettings, JPEG_QUALITY};
pub(crate) use template::register_functions;

/// Bumped whenever what an encoded variant holds changes (an encoder, its
/// settings, the resize filter, a crate update that changes output), so
/// that every cached variant is made again, as Hugo's `formatVersionNumbers`.
pub const PIPELINE_VERSION: u32 = 1;

/// The folder of the output every variant is published in, under a name
/// that holds its cache key (so `_headers` lets browsers keep them a year).
pub const VARIANT_FOLDER: &str = "_img";

/// The formats dotwork resizes, by file extension.
pub(crate) fn is_processed_extension(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png" | "webp"))
}

/// HEIC and HEIF photos, by file extension.
pub(crate) fn is_heic_extension(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("heic" | "heif" | "hif"))
}

/// A source image's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
}

/// An image file of the site that dotwork resizes: JPEG, PNG or WebP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceImage {
    /// Where the owner sees it, relative to the site root
    /// (`static/images/room.jpg`), for messages.
    pub origin: PathBuf,
    /// Its real path, to read it from.
    pub real: PathBuf,
    /// The path it is copied to in the output (`images/room.jpg`).
    pub output: String,
    /// A hash of its bytes.
    pub hash: u128,
    /// Width as shown, the EXIF orientation applied.
    pub width: u32,
    /// Height as shown, the EXIF orientation applied.
    pub height: u32,
    /// It has an alpha channel.
    pub alpha: bool,
    /// Its format.
    pub format: SourceFormat,
    /// It holds metadata (EXIF, XMP, IPTC, comments) to strip when it is
    /// published as it is.
    pub metadata: bool,
}

/// What inspecting one image file found.
#[derive(Debug, Clone)]
pub(crate) enum Inspected {
    /// An image dotwork can resize.
    Image(Arc<SourceImage>),
    /// A file named like an image that cannot be read as one.
    Unreadable {
        /// Where the owner sees it.
        origin: PathBuf,
        /// Why, lower case.
        reason: String,
    },
}

/// Every image file of the site, by output path (`images/room.jpg`).
#[derive(Debug, Clone, Default)]
pub struct ImageIndex {
    pub(crate) files: HashMap<String, Inspected>,
    /// Where variants are kept; `None` for a site with no image to resize.
    pub(crate) cache: Option<Cache>,
    /// A hash of everything inspected and of the theme's [`ImageSettings`],
    /// so a cached markdown body is made again when an image it shows, or
    /// the widths and `sizes` it is shown with, changed.
    pub(crate) print: u64,
    /// The theme's widths and `sizes`.
    pub(crate) settings: ImageSettings,
}

impl ImageIndex {
    /// The image published at `output` (`images/room.jpg`), if it is one
    /// dotwork resizes.
    pub(crate) fn image(&self, output: &str) -> Option<&Arc<SourceImage>> {
        match self.files.get(output) {
            Some(Inspected::Image(image)) => Some(image),
            _ => None,
        }
    }

    /// The index with the theme's `settings`, folded into its print.
    pub(crate) fn with_settings(mut self, settings: ImageSettings) -> ImageIndex {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (self.print, &settings).hash(&mut h);
        self.print = h.finish();
        self.settings = settings;
        self
    }

    /// The variants `image` is published in (what `plan_images` plans for it).
    pub(crate) fn plan(&self, image: &Arc<SourceImage>) -> PlannedImage {
        recipe::plan(image.clone(), &self.settings.widths)
    }
}

/// An image named somewhere other than a markdown image: front matter,
/// site.yaml, a gallery. The parse stage registers every one with
/// `plan_images`, which plans its variants or reports it, at its place,
/// if there is no such image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// As written: `/images/room.jpg`, `room.jpg`, `https://...`.
    pub written: String,
    /// The address it is relative to: the page's (`/care/aftercare/`), or
    /// `/` for site.yaml.
    pub from: String,
    /// The file it is written in, relative to the site root.
    pub file: PathBuf,
    /// Where in `file`, if known.
    pub location: Option<Location>,
    /// That line's text, for the caret under it.
    pub line_text: Option<String>,
}

impl ImageRef {
    /// A reference written at byte `offset` of `text`, the text of `file`.
    pub fn at_offset(written: &str, from: &str, file: &Path, text: &str, offset: usize) -> ImageRef {
        let d = Diagnostic::error(file, "").at_offset(text, offset);
        ImageRef {
            written: written.to_string(),
            from: from.to_string(),
            file: file.to_path_buf(),
            location: d.location,
            line_text: d.line_text,
        }
    }

    fn diagnostic(&self, message: String) -> Diagnostic {
        let mut d = Diagnostic::error(&self.file, message);
        d.location = self.location;
        d.line_text = self.line_text.clone();
        d
    }
}

/// What an address of an image names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Named<'i> {
    /// Another site's image, an SVG, a data: URL, or a file of a format
    /// dotwork does not resize (GIF, AVIF): left as written.
    PassThrough,
    /// An image dotwork resizes.
    Image(&'i Arc<SourceImage>),
    /// A file named like an image that cannot be read as one.
    Unreadable(String),
    /// No file at that address (its output path).
    Missing(String),
}

/// What `written`, on the page at address `from`, names in `index`.
pub(crate) fn resolve<'i>(index: &'i ImageIndex, from: &str, written: &str) -> Named<'i> {
    let bare = written.split(['#', '?']).next().unwrap_or(written);
    if written.is_empty() || written.starts_with("//") || has_scheme(written) || !is_processed_extension(bare)
    {
        return if is_heic_extension(bare) && !has_scheme(written) && !written.starts_with("//") {
            site_path(from, written).and_then(|p| output_path(&p)).map_or(Named::PassThrough, Named::Missing)
        } else {
            Named::PassThrough
        };
    }
    let Some(output) = site_path(from, written).and_then(|p| output_path(&p)) else {
        return Named::Missing(written.trim_start_matches('/').to_string());
    };
    match index.files.get(&output) {
        Some(Inspected::Image(image)) => Named::Image(image),
        Some(Inspected::Unreadable { origin, reason }) => {
            Named::Unreadable(format!("cannot read the image {}: {reason}", origin.display()))
        }
        None => Named::Missing(output),
    }
}

/// One file an image is published as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Its format.
    pub format: VariantFormat,
    /// Its path in the output (`_img/room-3f2a9c81d0-960.avif`).
    pub output: String,
}

/// The format of a published variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VariantFormat {
    /// AVIF, for every browser released since 2024.
    Avif,
    /// JPEG, the fallback for photos.
    Jpeg,
    /// PNG, the fallback for images with transparency.
    Png,
}

impl VariantFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            VariantFormat::Avif => "avif",
            VariantFormat::Jpeg => "jpg",
            VariantFormat::Png => "png",
        }
    }

    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            VariantFormat::Avif => "image/avif",
            VariantFormat::Jpeg => "image/jpeg",
            VariantFormat::Png => "image/png",
        }
    }
}

/// An image the site shows, with the variants it is published as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedImage {
    /// The source.
    pub image: Arc<SourceImage>,
    /// The cache key: the source's bytes, the recipe and [`PIPELINE_VERSION`].
    pub key: String,
    /// AVIF variants, narrowest first.
    pub avif: Vec<Variant>,
    /// JPEG or PNG variants, narrowest first, of the same widths.
    pub fallback: Vec<Variant>,
}

impl PlannedImage {
    /// Every variant's output path.
    pub fn outputs(&self) -> impl Iterator<Item = &str> {
        self.avif.iter().chain(&self.fallback).map(|v| v.output.as_str())
    }

    /// The widest fallback variant (for `og:image` and `width`/`height`).
    pub fn largest(&self) -> &Variant {
        // plan() makes at least one width for every image.
        &self.fallback[self.fallback.len() - 1]
    }
}

/// The images a site shows, planned, and where their variants are kept.
#[derive(Debug, Default)]
pub struct SiteImages {
    /// Each image, by the order of their output paths.
    pub planned: Vec<PlannedImage>,
    /// Number in `planned` by the source's output path (`images/room.jpg`).
    pub(crate) by_output: HashMap<String, usize>,
    /// Where variants are kept.
    pub(crate) cache: Option<Cache>,
    /// Every image file of the site, for template functions to resolve names.
    pub(crate) index: Arc<ImageIndex>,
    /// The `sizes` attribute: how wide the theme's content column is.
    pub sizes: String,
    /// Images copied as they are whose metadata is stripped, by output path.
    pub(crate) stripped: HashMap<String, Arc<SourceImage>>,
    /// `serve`: leave variants not in the cache for later
    /// ([`SiteImages::finish_deferred`]), showing the source photo meanwhile.
    pub defer: bool,
    /// Variants encoded (not taken from the cache) since the site was
    /// parsed: tests prove with it that a warm build encodes nothing.
    encoded: AtomicUsize,
    /// Variants left for later.
    deferred: AtomicUsize,
}

impl SiteImages {
    /// Variants encoded so far (not taken from the cache).
    pub fn encoded(&self) -> usize {
        self.encoded.load(Ordering::Relaxed)
    }

    /// AVIF variants left for later so far.
    pub fn deferred(&self) -> usize {
        self.deferred.load(Ordering::Relaxed)
    }

    /// Makes every variant not in the cache yet (after a render that left
    /// them for later). Returns how many it made.
    pub fn finish_deferred(&self) -> Result<usize, Diagnostic> {
        let made = self.deferred_work().run()?;
        self.encoded.fetch_add(made, Ordering::Relaxed);
        Ok(made)
    }

    /// What [`SiteImages::finish_deferred`] does, to do on another thread
    /// once the site is gone.
    pub(crate) fn deferred_work(&self) -> DeferredWork {
        let pending = self.cache.as_ref().map_or_else(Vec::new, |cache| {
            self.planned.iter().filter(|p| !encode::all_cached(cache, p)).cloned().collect()
        });
        DeferredWork { cache: self.cache.clone(), pending }
    }

    /// Whether every variant of planned image `i` is in the cache.
    pub(crate) fn cached(&self, i: usize) -> bool {
        self.cache.as_ref().is_some_and(|cache| encode::all_cached(cache, &self.planned[i]))
    }

    /// The file to publish for the image copied as it is to `output`: a
    /// copy without its metadata, kept in the cache; `None` to copy the
    /// file itself (it has none, or it is no image).
    pub(crate) fn stripped_copy(&self, output: &Path) -> Result<Option<PathBuf>, Diagnostic> {
        let key = crate::url::slash_path(output);
        let (Some(image), Some(cache)) = (self.stripped.get(&key), &self.cache) else { return Ok(None) };
        let ext = key.rsplit_once('.').map_or("img", |(_, e)| e);
        let name = format!("stripped-{:032x}.{}", image.hash, ext.to_ascii_lowercase());
        if cache.has(&name) {
            return Ok(Some(cache.path(&name)));
        }
        let fail = |why: String| {
            Diagnostic::error(&image.origin, format!("cannot publish without its metadata: {why}"))
        };
        let mut bytes = Vec::new();
        crate::source::open_verified(&image.real)
            .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
            .map_err(|e| fail(crate::source::io_reason(&e)))?;
        match metadata::strip(&bytes) {
            Some(clean) => {
                cache.store(&name, &clean).map(Some).map_err(|e| fail(crate::source::io_reason(&e)))
            }
            None => Ok(None),
        }
    }

    /// The names of every cache file this site uses.
    pub(crate) fn used_cache_files(&self) -> crate::collections::HashSet<String> {
        let mut used: crate::collections::HashSet<String> = self
            .planned
            .iter()
            .flat_map(|p| p.avif.iter().chain(&p.fallback).map(move |v| encode::cache_name(p, v)))
            .collect();
        for (output, image) in &self.stripped {
            let ext = output.rsplit_once('.').map_or("img", |(_, e)| e);
            used.insert(format!("stripped-{:032x}.{}", image.hash, ext.to_ascii_lowercase()));
        }
        used
    }

    /// Removes the cache files no image of this site uses; returns how many.
    pub fn prune_cache(&self) -> usize {
        self.cache.as_ref().map_or(0, |cache| cache.prune(&self.used_cache_files(), &[inspect::MEMO_FILE]))
    }
}

/// Variants left for later, with where to keep them.
#[derive(Debug)]
pub(crate) struct DeferredWork {
    cache: Option<Cache>,
    pending: Vec<PlannedImage>,
}

impl DeferredWork {
    /// Makes them; returns how many variants it encoded.
    pub(crate) fn run(self) -> Result<usize, Diagnostic> {
        let Some(cache) = &self.cache else { return Ok(0) };
        let mut made = 0;
        for planned in &self.pending {
            made += encode::make_variants(cache, planned, false)
                .map_err(|why| cannot_make(planned, &why))?
                .encoded;
        }
        Ok(made)
    }
}

fn cannot_make(planned: &PlannedImage, why: &str) -> Diagnostic {
    Diagnostic::error(&planned.image.origin, format!("cannot make the resized images: {why}"))
}

/// Plans the variants of every image in `used` (output paths of images
/// markdown showed) and in `refs` (registered elsewhere); a registered
/// image that does not exist, or cannot be read, is an error at its place.
pub(crate) fn plan_images(
    index: &Arc<ImageIndex>,
    used: impl IntoIterator<Item = String>,
    refs: &[ImageRef],
    problems: &mut Vec<Diagnostic>,
) -> SiteImages {
    let mut wanted: BTreeMap<String, Arc<SourceImage>> = BTreeMap::new();
    for output in used {
        if let Some(image) = index.image(&output) {
            wanted.insert(output, image.clone());
        }
    }
    for r in refs {
        match resolve(index, &r.from, &r.written) {
            Named::PassThrough => {}
            Named::Image(image) => {
                wanted.insert(image.output.clone(), image.clone());
            }
            Named::Unreadable(why) => problems.push(r.diagnostic(why)),
            Named::Missing(output) => problems.push(missing(r, &output)),
        }
    }
    // Two files with the same name and bytes (`a/room.jpg`, `b/room.jpg`)
    // make the same variants: they are planned once.
    let mut planned: Vec<PlannedImage> = Vec::with_capacity(wanted.len());
    let mut by_output = HashMap::with_capacity_and_hasher(wanted.len(), Default::default());
    let mut by_first_variant: HashMap<String, usize> = HashMap::default();
    for (output, image) in wanted {
        let plan = index.plan(&image);
        let first = plan.largest().output.clone();
        let i = *by_first_variant.entry(first).or_insert_with(|| {
            planned.push(plan);
            planned.len() - 1
        });
        by_output.insert(output, i);
    }
    let stripped = index
        .files
        .iter()
        .filter_map(|(output, found)| match found {
            Inspected::Image(image) if image.metadata => Some((output.clone(), image.clone())),
            _ => None,
        })
        .collect();
    SiteImages {
        planned,
        by_output,
        cache: index.cache.clone(),
        index: index.clone(),
        sizes: index.settings.sizes.clone(),
        stripped,
        defer: false,
        encoded: AtomicUsize::new(0),
        deferred: AtomicUsize::new(0),
    }
}

/// The error for a registered image that names no file.
fn missing(r: &ImageRef, output: &str) -> Diagnostic {
    let d = r.diagnostic(format!("image `{}` not found: the site has no file {output}", r.written));
    if is_heic_extension(output) {
        d.with_help(heic_help())
    } else {
        d.with_help(format!(
            "put the image in static/{output} (or content/{output}), or write its address from the site's top: /images/photo.jpg"
        ))
    }
}

/// What to do with a HEIC photo.
pub(crate) fn heic_help() -> &'static str {
    "export it as JPEG (on an iPhone: share it with \"Options > Most Compatible\", or set Settings > Camera > Formats to \"Most Compatible\"), and use the .jpg file instead"
}

/// Renders planned image `i`: its variants, from the cache, encoding the
/// ones not in it. Returns each variant's output path with the cached file
/// it is copied from.
pub(crate) fn render_image(images: &SiteImages, i: usize) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let planned = &images.planned[i];
    let Some(cache) = &images.cache else {
        // plan_images() plans no image without a cache: only inspected images have one.
        return Err(cannot_make(planned, "no image cache"));
    };
    let made =
        encode::make_variants(cache, planned, images.defer).map_err(|why| cannot_make(planned, &why))?;
    images.encoded.fetch_add(made.encoded, Ordering::Relaxed);
    images.deferred.fetch_add(made.deferred, Ordering::Relaxed);
    Ok(made.files)
}
