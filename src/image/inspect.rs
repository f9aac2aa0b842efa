//! Load, for images: what each image file of the site is (format, size as
//! shown, transparency, a hash of its bytes), so that the parse stage can
//! write `<picture>` with `width` and `height` and the variants' names.
//!
//! Inspecting reads the whole file (its hash names the variants). What was
//! found is remembered in the cache (`sources.json`) by path, length and
//! modification time, so a warm build reads no image at all: that keeps a
//! second build of a site with 30 photos within a few milliseconds of the
//! same site without them (issue 11). A HEIC/HEIF file, whatever its name,
//! is an error: browsers cannot show it, it carries the phone's GPS
//! position, and dotwork does not decode it (the only Rust decoder is AGPL).

use crate::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::image::{ImageDecoder, ImageReader, metadata::Orientation};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

use super::{Cache, ImageIndex, Inspected, SourceFormat, SourceImage, heic_help, is_heic_extension};
use crate::error::Diagnostic;
use crate::source::{Asset, AssetSource};

/// What is remembered of one file between runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Memo {
    len: u64,
    modified_ns: u64,
    hash: String,
    width: u32,
    height: u32,
    alpha: bool,
    format: SourceFormat,
    metadata: bool,
}

/// What inspecting one file found, and what to remember of it.
type Found = (Inspected, Option<Memo>);

/// The memo file in the cache folder.
pub(crate) const MEMO_FILE: &str = "sources.json";

/// Inspects every image file among `assets` (JPEG, PNG, WebP; HEIC is an
/// error), reusing what the cache remembers. `root` is the site's folder.
pub(crate) fn inspect_assets(root: &Path, assets: &[Asset]) -> Result<ImageIndex, Vec<Diagnostic>> {
    let candidates: Vec<(&Asset, &Path)> = assets
        .iter()
        .filter_map(|a| match &a.source {
            AssetSource::File(real) => Some((a, real.as_path())),
            AssetSource::Builtin(_) => None,
        })
        .filter(|(a, _)| {
            let name = a.output.to_string_lossy();
            super::is_processed_extension(&name) || is_heic_extension(&name)
        })
        .collect();
    if candidates.is_empty() {
        return Ok(ImageIndex::default());
    }
    let cache = Cache::for_site(root);
    let memos: HashMap<String, Memo> = cache.read_json(MEMO_FILE).unwrap_or_default();
    let found: Vec<(String, Result<Found, Diagnostic>)> = candidates
        .par_iter()
        .map(|(asset, real)| {
            let origin = crate::url::slash_path(&asset.origin);
            let output = crate::url::slash_path(&asset.output);
            let result = inspect_one(asset, real, &output, memos.get(&origin));
            (origin, result)
        })
        .collect();
    let mut problems = Vec::new();
    let mut files = HashMap::with_capacity_and_hasher(found.len(), Default::default());
    let mut new_memos = HashMap::with_capacity_and_hasher(found.len(), Default::default());
    let mut print = std::hash::DefaultHasher::new();
    for ((origin, result), (asset, _)) in found.into_iter().zip(&candidates) {
        match result {
            Ok((inspected, memo)) => {
                if let Some(memo) = memo {
                    (&origin, &memo.hash, memo.width, memo.height, memo.alpha).hash(&mut print);
                    new_memos.insert(origin, memo);
                }
                files.insert(crate::url::slash_path(&asset.output), inspected);
            }
            Err(d) => problems.push(d),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if new_memos != memos
        && let Err(e) = cache.write_json(MEMO_FILE, &new_memos)
    {
        log::warn!("cannot remember the inspected images in {}: {e}", cache.dir().display());
    }
    Ok(ImageIndex {
        files,
        cache: Some(cache),
        print: print.finish(),
        settings: super::ImageSettings::default(),
    })
}

/// Inspects one file, or takes what `memo` remembers of it if its length
/// and time are the same. Returns what it is and what to remember.
fn inspect_one(asset: &Asset, real: &Path, output: &str, memo: Option<&Memo>) -> Result<Found, Diagnostic> {
    let origin = &asset.origin;
    let stat = std::fs::metadata(real)
        .map_err(|e| Diagnostic::error(origin, format!("cannot read: {}", crate::source::io_reason(&e))))?;
    let len = stat.len();
    let modified_ns = stat
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    if let Some(m) = memo.filter(|m| m.len == len && m.modified_ns == modified_ns && modified_ns != 0)
        && let Ok(hash) = u128::from_str_radix(&m.hash, 16)
    {
        let image = source_image(origin, real, output, hash, m);
        return Ok((Inspected::Image(Arc::new(image)), Some(m.clone())));
    }
    let bytes = crate::source::open_verified(real)
        .and_then(|mut f| {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
        })
        .map_err(|e| Diagnostic::error(origin, format!("cannot read: {}", crate::source::io_reason(&e))))?;
    if is_heic(&bytes) || is_heic_extension(output) {
        return Err(heic_error(origin));
    }
    let (width, height, alpha, format) = match read_header(&bytes) {
        Ok(found) => found,
        Err(reason) => {
            return Ok((Inspected::Unreadable { origin: origin.clone(), reason }, None));
        }
    };
    let memo = Memo {
        len,
        modified_ns,
        hash: format!("{:032x}", hash_bytes(&bytes)),
        width,
        height,
        alpha,
        format,
        metadata: super::metadata::has_metadata(&bytes),
    };
    let image = source_image(origin, real, output, hash_bytes(&bytes), &memo);
    Ok((Inspected::Image(Arc::new(image)), Some(memo)))
}

fn source_image(origin: &Path, real: &Path, output: &str, hash: u128, m: &Memo) -> SourceImage {
    SourceImage {
        origin: origin.to_path_buf(),
        real: real.to_path_buf(),
        output: output.to_string(),
        hash,
        width: m.width,
        height: m.height,
        alpha: m.alpha,
        format: m.format,
        metadata: m.metadata,
    }
}

/// The error for a HEIC or HEIF photo at `origin`.
pub(crate) fn heic_error(origin: &Path) -> Diagnostic {
    Diagnostic::error(
        origin,
        "this is a HEIC photo (the format phones save), which browsers cannot show and dotwork cannot convert",
    )
    .with_help(heic_help())
}

/// A stable hash of an image file's bytes (SipHash-1-3, 128 bits).
pub(crate) fn hash_bytes(bytes: &[u8]) -> u128 {
    let mut h = SipHasher13::new_with_keys(0x736f_7572_6365_2121, 0x6279_7465_7321_2121);
    h.write(bytes);
    h.finish128().as_u128()
}

/// An ISO base media file whose brand is HEIC or HEIF (`ftyp` box).
pub(crate) fn is_heic(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1"
        )
}

/// Width and height as shown (orientation applied), transparency and
/// format, from the file's header.
fn read_header(bytes: &[u8]) -> Result<(u32, u32, bool, SourceFormat), String> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let format = match reader.format() {
        Some(::image::ImageFormat::Jpeg) => SourceFormat::Jpeg,
        Some(::image::ImageFormat::Png) => SourceFormat::Png,
        Some(::image::ImageFormat::WebP) => SourceFormat::Webp,
        Some(other) => return Err(format!("it is {other:?}, not a JPEG, PNG or WebP image")),
        None => return Err("it is not a JPEG, PNG or WebP image".to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(|e| lower(&e.to_string()))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err("it has no pixels".to_string());
    }
    let alpha = decoder.color_type().has_alpha();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (w, h) = if swaps_sides(orientation) { (h, w) } else { (w, h) };
    Ok((w, h, alpha, format))
}

/// Whether `orientation` turns the image a quarter turn.
pub(crate) fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn lower(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// The real path of the site's folder, where its cache is.
pub(crate) fn real_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heic_is_told_by_its_brand() {
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic");
        assert!(is_heic(&heic));
        let mut avif = vec![0, 0, 0, 24];
        avif.extend_from_slice(b"ftypavif");
        assert!(!is_heic(&avif));
        assert!(!is_heic(b"\xff\xd8\xff"));
    }

    #[test]
    fn the_hash_is_stable() {
        // The cache outlives the binary: a new Rust must not rename every variant.
        assert_eq!(format!("{:032x}", hash_bytes(b"dotwork")), "d50816829ca702c7f5612b327e81eee9");
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
    }
}
