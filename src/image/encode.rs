//! Render, for images: a planned image's variants, from the cache or made.
//!
//! Making them: the source is decoded once (`image`: zune-jpeg, png,
//! image-webp), turned as its EXIF orientation says, resized to each width
//! with `fast_image_resize` (Lanczos3, 5-8x faster than `image`'s own),
//! converted from its ICC profile (a phone's Display P3) to sRGB with
//! `moxcms`, so that no variant needs a profile, and encoded: AVIF at speed
//! 10 (`ravif`, with rav1e's assembly when built with nasm) and JPEG at
//! quality 75, or PNG for an image with transparency. Encoders write no
//! metadata unless asked, so no variant carries GPS or a camera serial.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use ::image::codecs::avif::AvifEncoder;
use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use ::image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader};
use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::recipe::{AVIF_QUALITY, AVIF_SPEED, JPEG_QUALITY};
use super::{Cache, PlannedImage, Variant, VariantFormat};

/// What making one image's variants did.
#[derive(Debug, Default)]
pub(crate) struct Made {
    /// Each variant's output path, with the cached file it is copied from,
    /// in the order of [`PlannedImage::outputs`] (the build cache compares
    /// a unit's files in its outputs' order).
    pub(crate) files: Vec<(String, PathBuf)>,
    /// Variants encoded now (the rest came from the cache).
    pub(crate) encoded: usize,
    /// Variants left for later (`serve`): their output paths show the
    /// source photo itself meanwhile.
    pub(crate) deferred: usize,
}

/// The name of `variant` of `planned` in the cache.
pub(crate) fn cache_name(planned: &PlannedImage, variant: &Variant) -> String {
    format!("{}-{}.{}", planned.key, variant.width, variant.format.extension())
}

/// Whether every variant of `planned` is in `cache`.
pub(crate) fn all_cached(cache: &Cache, planned: &PlannedImage) -> bool {
    planned.avif.iter().chain(&planned.fallback).all(|v| cache.has(&cache_name(planned, v)))
}

/// The variants of `planned`: each from `cache`, or encoded and kept there.
/// With `defer`, variants not in the cache are not made: their paths show
/// the source photo itself until they are (`serve`, on the owner's own
/// computer: the browser turns it upright and scales it to the markup's
/// `width` and `height`, and no decoder or encoder runs before the page
/// reloads).
pub(crate) fn make_variants(cache: &Cache, planned: &PlannedImage, defer: bool) -> Result<Made, String> {
    let mut made = Made::default();
    // The variants to encode, each with its place among the outputs.
    let mut missing: Vec<(usize, &Variant)> = Vec::new();
    let mut files: Vec<Option<PathBuf>> = Vec::new();
    for (at, variant) in planned.avif.iter().chain(&planned.fallback).enumerate() {
        let name = cache_name(planned, variant);
        files.push(if cache.has(&name) {
            Some(cache.path(&name))
        } else if defer {
            made.deferred += 1;
            Some(planned.image.real.clone())
        } else {
            missing.push((at, variant));
            None
        });
    }
    if !missing.is_empty() {
        let source = Decoded::read(planned)?;
        let mut resizer = Resizer::new();
        // Both formats of one width share the resize.
        let mut widths: Vec<u32> = missing.iter().map(|(_, v)| v.width).collect();
        widths.sort_unstable();
        widths.dedup();
        for width in widths {
            let pixels = source.resized(&mut resizer, width, missing[0].1.height_for(width, planned))?;
            for &(at, variant) in missing.iter().filter(|(_, v)| v.width == width) {
                let bytes = encode(&pixels, variant)?;
                let path = cache.store(&cache_name(planned, variant), &bytes).map_err(|e| {
                    format!(
                        "cannot write to the image cache {}: {}",
                        cache.dir().display(),
                        crate::source::io_reason(&e)
                    )
                })?;
                files[at] = Some(path);
                made.encoded += 1;
            }
        }
    }
    made.files =
        planned.outputs().map(str::to_string).zip(files).filter_map(|(o, f)| Some((o, f?))).collect();
    Ok(made)
}

impl Variant {
    /// The height of the variant `width` wide of `planned` (every format of
    /// one width has the same).
    fn height_for(&self, width: u32, planned: &PlannedImage) -> u32 {
        planned.fallback.iter().find(|v| v.width == width).map_or(self.height, |v| v.height)
    }
}

/// A decoded source, turned upright, as 8-bit RGB or RGBA.
struct Decoded {
    image: DynamicImage,
    /// From the file's ICC profile to sRGB, when it has one.
    to_srgb: Option<Arc<moxcms::Transform8BitExecutor>>,
}

impl Decoded {
    fn read(planned: &PlannedImage) -> Result<Decoded, String> {
        let source = &planned.image;
        let bytes = crate::source::open_verified(&source.real)
            .and_then(|mut f| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
            })
            .map_err(|e| {
                format!("cannot read {}: {}", source.origin.display(), crate::source::io_reason(&e))
            })?;
        let reader =
            ImageReader::new(Cursor::new(&bytes)).with_guessed_format().map_err(|e| e.to_string())?;
        let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
        let orientation = decoder.orientation().unwrap_or(::image::metadata::Orientation::NoTransforms);
        let icc = decoder.icc_profile().ok().flatten();
        let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
        image.apply_orientation(orientation);
        let image = if source.alpha {
            DynamicImage::ImageRgba8(image.into_rgba8())
        } else {
            DynamicImage::ImageRgb8(image.into_rgb8())
        };
        let layout = if source.alpha { moxcms::Layout::Rgba } else { moxcms::Layout::Rgb };
        let to_srgb = icc.and_then(|icc| {
            let profile = moxcms::ColorProfile::new_from_slice(&icc).ok()?;
            let srgb = moxcms::ColorProfile::new_srgb();
            profile.create_transform_8bit(layout, &srgb, layout, moxcms::TransformOptions::default()).ok()
        });
        Ok(Decoded { image, to_srgb })
    }

    /// The image `width` x `height`, in sRGB.
    fn resized(&self, resizer: &mut Resizer, width: u32, height: u32) -> Result<Pixels, String> {
        let alpha = self.image.color().has_alpha();
        let pixel_type = if alpha { PixelType::U8x4 } else { PixelType::U8x3 };
        let mut data = if (width, height) == (self.image.width(), self.image.height()) {
            self.image.as_bytes().to_vec()
        } else {
            let mut dst = FirImage::new(width, height, pixel_type);
            let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
            resizer.resize(&self.image, &mut dst, &options).map_err(|e| e.to_string())?;
            dst.into_vec()
        };
        if let Some(transform) = &self.to_srgb {
            let mut converted = vec![0u8; data.len()];
            transform.transform(&data, &mut converted).map_err(|e| e.to_string())?;
            data = converted;
        }
        Ok(Pixels { data, width, height, alpha })
    }
}

/// Resized pixels, 8-bit sRGB.
struct Pixels {
    data: Vec<u8>,
    width: u32,
    height: u32,
    alpha: bool,
}

/// `pixels` encoded as `variant` says.
fn encode(pixels: &Pixels, variant: &Variant) -> Result<Vec<u8>, String> {
    let color = if pixels.alpha { ExtendedColorType::Rgba8 } else { ExtendedColorType::Rgb8 };
    let mut out = Vec::new();
    let (data, w, h) = (&pixels.data, pixels.width, pixels.height);
    let result = match variant.format {
        VariantFormat::Avif => AvifEncoder::new_with_speed_quality(&mut out, AVIF_SPEED, AVIF_QUALITY)
            .write_image(data, w, h, color),
        VariantFormat::Jpeg => {
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(data, w, h, color)
        }
        VariantFormat::Png => {
            PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive)
                .write_image(data, w, h, color)
        }
    };
    result.map_err(|e| format!("cannot encode {}: {e}", variant.format.extension()))?;
    Ok(out)
}
