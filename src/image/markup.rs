//! The HTML of an image: a `<picture>` with an AVIF `<source>` and a JPEG
//! (or PNG) `<img>`, each with `srcset` and `sizes`, and the `<img>` with
//! `width` and `height` (the widest variant's, so the browser keeps the
//! right space while it loads and nothing shifts) and `alt`. The first
//! image of a page's content loads at once with high priority (it is
//! often the largest thing on the screen); every other one lazily.
//!
//! The same markup serves markdown images and the `picture()` template
//! function; `image_meta()` gives the widest fallback for `og:image`.

use serde::Serialize;

use super::{PlannedImage, Variant};
use crate::markdown::escape_html;

/// How an image loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loading {
    /// At once, with high priority: the first image of the content.
    Eager,
    /// When it nears the screen.
    Lazy,
}

/// The `<picture>` of `planned`: URLs made by `url` (from a site-absolute
/// path), described by `alt` (and `title`, if any), `sizes` as given.
pub(crate) fn picture_html(
    planned: &PlannedImage,
    alt: &str,
    title: Option<&str>,
    loading: Loading,
    sizes: &str,
    url: &dyn Fn(&str) -> String,
) -> String {
    let srcset = |variants: &[Variant]| {
        variants
            .iter()
            .map(|v| format!("{} {}w", escape_html(&url(&format!("/{}", v.output))), v.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let largest = planned.largest();
    // The src of browsers that read no srcset: the widest variant up to the content column's.
    let src = planned.fallback.iter().rev().find(|v| v.width <= 960).unwrap_or(&planned.fallback[0]);
    let sizes = escape_html(sizes);
    let mut html = String::with_capacity(600);
    html.push_str("<picture>");
    if !planned.avif.is_empty() {
        html.push_str(&format!(
            "<source type=\"image/avif\" srcset=\"{}\" sizes=\"{sizes}\">",
            srcset(&planned.avif)
        ));
    }
    html.push_str(&format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
        escape_html(&url(&format!("/{}", src.output))),
        srcset(&planned.fallback),
        largest.width,
        largest.height,
        escape_html(alt)
    ));
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        html.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    html.push_str(match loading {
        Loading::Eager => " fetchpriority=\"high\" decoding=\"async\"></picture>",
        Loading::Lazy => " loading=\"lazy\" decoding=\"async\"></picture>",
    });
    html
}

/// An image left as written (another site's, an SVG): a plain `<img>`.
pub(crate) fn plain_img_html(src: &str, alt: &str, loading: Loading) -> String {
    let lazy = if loading == Loading::Lazy { " loading=\"lazy\"" } else { "" };
    format!("<img src=\"{}\" alt=\"{}\"{lazy} decoding=\"async\">", escape_html(src), escape_html(alt))
}

/// What `image_meta()` gives a template: the widest fallback variant.
#[derive(Debug, Serialize)]
pub(crate) struct ImageMeta {
    /// Relative to the page.
    pub(crate) url: String,
    /// From `base_url`.
    pub(crate) absolute_url: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Its media type: `image/jpeg` or `image/png`.
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

/// [`ImageMeta`] of `planned`, as a template value.
pub(crate) fn image_meta_value(
    planned: &PlannedImage,
    url: &dyn Fn(&str) -> String,
    base_url: &str,
) -> ImageMeta {
    let largest = planned.largest();
    let path = format!("/{}", largest.output);
    ImageMeta {
        url: url(&path),
        absolute_url: crate::url::permalink(base_url, &path),
        width: largest.width,
        height: largest.height,
        kind: largest.format.mime(),
    }
}
