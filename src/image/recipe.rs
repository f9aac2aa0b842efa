//! Recipes: which widths and formats an image is published in, and the
//! names of its variants.
//!
//! The widths are the theme's ([`ImageSettings`], from `theme.yaml` in the
//! theme's folder, `theme.rs`); a theme that declares none gets the clinic
//! theme's: its content column is 65 characters wide (about 40rem), so
//! 480 px serves phones, 960 px the column on most screens and 1600 px the
//! column on high-density screens. A source is never made larger (an image 1000 px wide gets 480 and 1000, never
//! 1600), and no width is kept within 25% of the next larger one (eleventy's
//! `minimumThreshold`): a 1000 px image gets no 960 px variant, which would
//! only cost a second encode for 4% fewer pixels.
//!
//! Settings measured in the research notes (section 1.4): AVIF at speed 10
//! costs a quarter of speed 6 for 6% more bytes; JPEG quality 75 as Zola.

use std::hash::Hasher;
use std::sync::Arc;

use siphasher::sip128::{Hasher128, SipHasher13};

use super::{PIPELINE_VERSION, PlannedImage, SourceImage, Variant, VariantFormat};
use crate::url::slugify;

/// The widths of a theme that declares none: what the clinic theme's
/// content column needs.
pub const DEFAULT_WIDTHS: &[u32] = &[480, 660, 960, 1600];
/// The `sizes` of a theme that declares none: how wide the clinic theme's
/// content column is, the column (65ch, about 40rem) on wide screens, else
/// the screen less the margins.
pub const DEFAULT_SIZES: &str = "(min-width: 43rem) 40rem, calc(100vw - 2.5rem)";

/// What a theme declares about its images (`images:` in its `theme.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImageSettings {
    /// The widths images are published in, narrowest first once loaded
    /// (`theme.rs` sorts and checks them).
    pub widths: Vec<u32>,
    /// The `sizes` attribute of every `<picture>`: how wide the theme shows
    /// an image of the content.
    pub sizes: String,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings { widths: DEFAULT_WIDTHS.to_vec(), sizes: DEFAULT_SIZES.to_string() }
    }
}
/// JPEG quality of the fallback variants.
pub const JPEG_QUALITY: u8 = 75;
/// AVIF quality.
pub const AVIF_QUALITY: u8 = 60;
/// AVIF speed (1 slowest ... 10 fastest).
pub const AVIF_SPEED: u8 = 10;
/// A width is dropped when the next larger one is less than this much wider.
pub(crate) const MIN_STEP: f64 = 1.25;

/// The widths an image `source` pixels wide is published in, from the
/// `declared` widths: never wider than the source, the source's own width
/// when it is narrower than the widest declared, and none within 25% of
/// the next larger.
pub(crate) fn widths(source: u32, declared: &[u32]) -> Vec<u32> {
    let mut all: Vec<u32> = declared.iter().copied().filter(|&w| w > 0 && w <= source).collect();
    all.sort_unstable();
    all.dedup();
    if source > 0 && declared.iter().any(|&w| w > source) && all.last() != Some(&source) {
        all.push(source);
    }
    // From the widest down, keep a width only if the one kept above it is at least 25% wider.
    let mut kept: Vec<u32> = Vec::with_capacity(all.len());
    for &w in all.iter().rev() {
        match kept.last() {
            Some(&above) if f64::from(above) < f64::from(w) * MIN_STEP => {}
            _ => kept.push(w),
        }
    }
    kept.reverse();
    kept
}

/// The height of a variant `width` wide of an image `w` x `h`.
pub(crate) fn height_at(width: u32, w: u32, h: u32) -> u32 {
    let scaled = (u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w.max(1));
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

/// The cache key of `image` published in `widths`: its bytes' hash, the
/// recipe and the pipeline's version, as 32 hex digits.
fn key(image: &SourceImage, widths: &[u32]) -> String {
    let mut h = SipHasher13::new_with_keys(0x646f_7477_6f72_6b21, 0x696d_6167_6573_3131);
    h.write(&image.hash.to_le_bytes());
    h.write(&PIPELINE_VERSION.to_le_bytes());
    h.write(&[JPEG_QUALITY, AVIF_QUALITY, AVIF_SPEED, u8::from(image.alpha)]);
    for w in widths {
        h.write(&w.to_le_bytes());
    }
    format!("{:032x}", h.finish128().as_u128())
}

/// Plans the variants of `image` for the `declared` widths.
pub(crate) fn plan(image: Arc<SourceImage>, declared: &[u32]) -> PlannedImage {
    let widths = widths(image.width, declared);
    let key = key(&image, &widths);
    let stem = image.output.rsplit('/').next().unwrap_or_default();
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let mut stem = slugify(stem);
    if stem.is_empty() {
        stem.push_str("image");
    }
    let variant = |width: u32, format: VariantFormat| Variant {
        width,
        height: height_at(width, image.width, image.height),
        format,
        output: format!("{}/{stem}-{}-{width}.{}", super::VARIANT_FOLDER, &key[..10], format.extension()),
    };
    let fallback_format = if image.alpha { VariantFormat::Png } else { VariantFormat::Jpeg };
    let avif = widths.iter().map(|&w| variant(w, VariantFormat::Avif)).collect();
    let fallback = widths.iter().map(|&w| variant(w, fallback_format)).collect();
    PlannedImage { image, key, avif, fallback }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_never_upscaled_and_never_within_a_quarter_of_the_next() {
        let d = DEFAULT_WIDTHS;
        assert_eq!(widths(4032, d), [480, 660, 960, 1600]);
        assert_eq!(widths(1600, d), [480, 660, 960, 1600]);
        // 1000 is within 25% of 960: 960 goes, the source's own width stays.
        assert_eq!(widths(1000, d), [480, 660, 1000]);
        assert_eq!(widths(1300, d), [480, 660, 960, 1300]);
        assert_eq!(widths(500, d), [500]);
        assert_eq!(widths(300, d), [300]);
        assert_eq!(widths(1, d), [1]);
        assert_eq!(widths(2000, &[400, 450, 1000]), [450, 1000]);
    }

    #[test]
    fn heights_keep_the_aspect() {
        assert_eq!(height_at(960, 4032, 3024), 720);
        assert_eq!(height_at(480, 3024, 4032), 640);
        assert_eq!(height_at(1, 1000, 10), 1);
    }

    #[test]
    fn names_are_fingerprinted_and_the_key_follows_bytes_and_recipe() {
        let image = SourceImage {
            origin: "static/images/Room 1.JPG".into(),
            real: "/s/static/images/Room 1.JPG".into(),
            output: "images/Room 1.JPG".into(),
            hash: 7,
            width: 2000,
            height: 1000,
            alpha: false,
            format: super::super::SourceFormat::Jpeg,
            metadata: false,
        };
        let planned = plan(Arc::new(image.clone()), DEFAULT_WIDTHS);
        let k = &planned.key[..10];
        assert_eq!(planned.fallback[2].output, format!("_img/room-1-{k}-960.jpg"));
        assert_eq!(planned.avif[3].output, format!("_img/room-1-{k}-1600.avif"));
        assert_eq!((planned.largest().width, planned.largest().height), (1600, 800));
        let other = plan(Arc::new(SourceImage { hash: 8, ..image.clone() }), DEFAULT_WIDTHS);
        assert_ne!(other.key, planned.key);
        assert_ne!(plan(Arc::new(image), &[480]).key, planned.key);
    }
}
