//! The template functions of images, registered on the theme's Tera:
//!
//! - `picture(src, alt, eager=false, sizes=<the theme's>)`: the
//!   `<picture>` of the image `src` (marked safe), as a markdown image gets.
//!   With `eager=true` it loads at once with high priority (a hero image);
//!   otherwise lazily.
//! - `image_meta(src)`: `{ url, absolute_url, width, height, type }` of the
//!   widest JPEG (or PNG) variant, for `og:image` and `twitter:image`.
//!
//! `src` is an image's address in the built site, as in markdown:
//! `/images/room.jpg`, or relative to the current page's address. The
//! image must be one the site registers (shown in markdown, or named in
//! front matter, site.yaml or a gallery); any other is an error naming the
//! template and page. Remote images and SVG pass through: `picture()`
//! writes a plain `<img>` and `image_meta()` gives its address, a remote
//! one as it is and a local one (an SVG) relative to the page. URLs are
//! relative to the current page (`current_url`), as every URL of
//! the site; on the 404 page, which is served at any address, they start
//! from the base URL's path.

use std::sync::Arc;

use tera::{Kwargs, State, Tera, Value};

use super::markup::{Loading, image_meta_value, picture_html, plain_img_html};
use super::{Named, SiteImages, resolve};
use crate::site::Site;
use crate::url::{base_path, folder_of, has_scheme};

/// What the functions need, shared by every render.
struct Shared {
    images: Arc<SiteImagesView>,
    base_url: String,
    domains: crate::domains::Domains,
}

/// The planned images, as the functions look them up.
struct SiteImagesView {
    index: Arc<super::ImageIndex>,
    planned: Vec<super::PlannedImage>,
    by_output: crate::collections::HashMap<String, usize>,
    sizes: String,
}

impl SiteImagesView {
    fn of(images: &SiteImages) -> SiteImagesView {
        SiteImagesView {
            index: images.index.clone(),
            planned: images.planned.clone(),
            by_output: images.by_output.clone(),
            sizes: images.sizes.clone(),
        }
    }
}

/// What `src` names, for the functions.
enum Found<'a> {
    Planned(&'a super::PlannedImage),
    PassThrough,
}

impl Shared {
    /// The URL of the site-absolute `to`, seen from the page at `from`.
    fn url(&self, from: &str, to: &str) -> String {
        // A 404 page (one per domain) links from its domain's top.
        if from.ends_with("/404.html") && self.domains.local(from) == "/404.html" {
            format!("{}{}", base_path(self.domains.base_url(from)), &to[1..])
        } else {
            self.domains.file_link(from, to)
        }
    }

    /// The URL of an image left as written (an SVG, another site's image),
    /// `src` on the page at `from`: a remote or `data:` address as it is, a
    /// site-absolute one (`/images/logo.svg`, as `site.logo` always is)
    /// relative to the page like every other URL (it broke on a site served
    /// under a sub-path, a GitHub Pages project site), and a page-relative
    /// one as written, except on the 404 page, served at any address.
    fn pass_through_url(&self, from: &str, src: &str) -> String {
        if src.is_empty() || src.starts_with("//") || has_scheme(src) {
            src.to_string()
        } else if src.starts_with('/') {
            self.url(from, src)
        } else if from == "/404.html" {
            self.url(from, &format!("{}{src}", folder_of(from)))
        } else {
            src.to_string()
        }
    }

    fn find(&self, function: &str, from: &str, src: &str) -> Result<Found<'_>, tera::Error> {
        let view = &self.images;
        let output = match resolve(&view.index, from, src) {
            Named::PassThrough => return Ok(Found::PassThrough),
            Named::Image(image) => image.output.clone(),
            Named::Unreadable(why) => return Err(tera::Error::message(format!("{function}(): {why}"))),
            Named::Missing(output) => {
                return Err(tera::Error::message(format!(
                    "{function}(): image `{src}` not found: the site has no file {output}"
                )));
            }
        };
        match view.by_output.get(&output) {
            Some(&i) => Ok(Found::Planned(&view.planned[i])),
            None => Err(tera::Error::message(format!(
                "{function}(): `{src}` is not among the site's images: name it in the page's markdown, front matter or site.yaml"
            ))),
        }
    }
}

/// The current page's address, from the template's context.
fn current_url(state: &State<'_>) -> String {
    crate::render::page_address_read();
    state.get::<String>("current_url").ok().flatten().unwrap_or_else(|| "/".to_string())
}

/// Registers `picture()` and `image_meta()` for the images of `site`.
pub(crate) fn register_functions(tera: &mut Tera, site: &Site) {
    let shared = Arc::new(Shared {
        images: Arc::new(SiteImagesView::of(&site.images)),
        base_url: site.config.base_url.clone(),
        domains: site.domains.clone(),
    });
    let for_picture = shared.clone();
    tera.register_function("picture", move |kwargs: Kwargs, state: &State| {
        let src: &str = kwargs.must_get("src")?;
        let alt: &str = kwargs.must_get("alt")?;
        let eager = kwargs.get::<bool>("eager")?.unwrap_or(false);
        let loading = if eager { Loading::Eager } else { Loading::Lazy };
        let from = current_url(state);
        let html = match for_picture.find("picture", &from, src)? {
            Found::PassThrough => plain_img_html(&for_picture.pass_through_url(&from, src), alt, loading),
            Found::Planned(planned) => {
                let sizes = kwargs.get::<&str>("sizes")?.unwrap_or(&for_picture.images.sizes);
                picture_html(planned, alt, None, loading, sizes, &|to| for_picture.url(&from, to))
            }
        };
        Ok::<_, tera::Error>(Value::safe_string(&html))
    });
    let for_meta = shared;
    tera.register_function("image_meta", move |kwargs: Kwargs, state: &State| {
        let src: &str = kwargs.must_get("src")?;
        let from = current_url(state);
        let value = match for_meta.find("image_meta", &from, src)? {
            Found::PassThrough => Value::from_serializable(&PassedThrough {
                url: for_meta.pass_through_url(&from, src),
                absolute_url: if has_scheme(src) {
                    src.to_string()
                } else {
                    crate::url::permalink(
                        &for_meta.base_url,
                        &crate::url::site_path(&from, src).unwrap_or_default(),
                    )
                },
            }),
            Found::Planned(planned) => Value::from_serializable(&image_meta_value(
                planned,
                &|to| for_meta.url(&from, to),
                &for_meta.base_url,
            )),
        };
        Ok::<_, tera::Error>(value)
    });
}

/// `image_meta()` of an image left as written: no size is known.
#[derive(serde::Serialize)]
struct PassedThrough {
    url: String,
    absolute_url: String,
}
