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
    let mut urls = VariantUrls { url, folder: None };
    let largest = planned.largest();
    // The src of browsers that read no srcset: the widest variant up to the content column's.
    let src = planned.fallback.iter().rev().find(|v| v.width <= 960).unwrap_or(&planned.fallback[0]);
    let sizes = escape_html(sizes);
    let mut html = String::with_capacity(600);
    html.push_str("<picture>");
    if !planned.avif.is_empty() {
        html.push_str("<source type=\"image/avif\" srcset=\"");
        urls.srcset(&mut html, &planned.avif);
        html.push_str(&format!("\" sizes=\"{sizes}\">"));
    }
    html.push_str("<img src=\"");
    urls.write(&mut html, src);
    html.push_str("\" srcset=\"");
    urls.srcset(&mut html, &planned.fallback);
    html.push_str(&format!(
        "\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
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

/// The URLs of an image's variants, escaped for an attribute. Variants
/// share a folder (`_img/`), and the URL of a file there is the folder's
/// followed by its name: it is worked out once, from the first variant's
/// (a relative URL worked out anew was about 1,500 instructions, ten
/// times an image).
struct VariantUrls<'u> {
    url: &'u dyn Fn(&str) -> String,
    /// The last folder, and the escaped URL of the files in it up to their names.
    folder: Option<(String, String)>,
}

impl VariantUrls<'_> {
    fn write(&mut self, html: &mut String, v: &Variant) {
        let (folder, name) = v.output.rsplit_once('/').unwrap_or(("", &v.output));
        if let Some((known, prefix)) = &self.folder
            && known == folder
        {
            html.push_str(prefix);
            crate::markdown::escape_html_into(html, name);
            return;
        }
        let full = escape_html(&(self.url)(&format!("/{}", v.output)));
        let name = escape_html(name);
        // A name never starts with `#` or `?`, so the URL ends in it as written.
        self.folder = full.strip_suffix(name.as_str()).map(|prefix| (folder.to_string(), prefix.to_string()));
        html.push_str(&full);
    }

    /// `variants` as a `srcset`: each URL and width, separated by `, `.
    fn srcset(&mut self, html: &mut String, variants: &[Variant]) {
        for (i, v) in variants.iter().enumerate() {
            if i > 0 {
                html.push_str(", ");
            }
            self.write(html, v);
            html.push_str(&format!(" {}w", v.width));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::VariantFormat;

    /// Each variant's URL, the folder's worked out once, is the URL worked
    /// out for it alone, from any page (one inside the variants' folder
    /// too) and for a URL that is not relative.
    #[test]
    fn variant_urls_are_those_worked_out_one_by_one() {
        let variant = |output: &str, width: u32| Variant {
            width,
            height: width / 2,
            format: VariantFormat::Avif,
            output: output.to_string(),
        };
        let variants = [
            variant("_img/a&b-1-480.avif", 480),
            variant("_img/a&b-1-960.avif", 960),
            variant("other/c-2-480.avif", 480),
            variant("other/c-2-960.avif", 960),
        ];
        for from in ["/", "/care/after/", "/_img/", "/other/"] {
            let relative = |to: &str| crate::url::relative_url(from, to);
            let absolute = |to: &str| format!("https://example.org{to}");
            for url in [&relative as &dyn Fn(&str) -> String, &absolute] {
                let mut html = String::new();
                VariantUrls { url, folder: None }.srcset(&mut html, &variants);
                let one_by_one: Vec<String> = variants
                    .iter()
                    .map(|v| format!("{} {}w", escape_html(&url(&format!("/{}", v.output))), v.width))
                    .collect();
                assert_eq!(html, one_by_one.join(", "), "from {from}");
            }
        }
    }
}
