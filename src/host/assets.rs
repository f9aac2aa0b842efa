//! Fingerprinted stylesheets and scripts: each `.css` and `.js` file of the
//! theme's and the site's `static/` folders is published under its own name
//! and under one that holds the start of its SHA-256
//! (`style.css` -> `style.3f9a2c81d0.css`), made when the site is loaded.
//!
//! In the file name, not a query string (`style.css?h=…`, as Zola does):
//! host rules match paths, so only a name lets `_headers` give these files
//! year-long caching. Templates link the fingerprinted name through
//! `asset_url(path="style.css")`; the plain name is still written, so a page
//! or template that links it keeps working (it is then checked again on
//! each visit instead of kept for a year).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::sha256::{hex, sha256};
use crate::error::Diagnostic;
use crate::source::{Asset, AssetSource};

/// How many hexadecimal digits of the hash a fingerprinted name holds (40
/// bits: two versions of one file never share a name in practice).
const DIGITS: usize = 10;

/// The stylesheets and scripts published under a fingerprinted name: by
/// output path (`css/site.css`), the fingerprinted one (`css/site.3f9a2c81d0.css`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AssetNames(BTreeMap<String, String>);

impl AssetNames {
    /// The fingerprinted name of the file published at `plain`.
    pub fn get(&self, plain: &str) -> Option<&str> {
        self.0.get(plain.trim_start_matches('/')).map(String::as_str)
    }

    /// Every fingerprinted name.
    pub fn fingerprinted(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(String::as_str)
    }
}

/// Whether a static file is also published under a fingerprinted name.
pub(crate) fn is_fingerprinted(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("css" | "js"))
}

/// Adds a fingerprinted copy of every stylesheet and script from a static
/// folder (files beside pages are left as they are) to `assets`, reading
/// each; returns the names given.
pub(crate) fn fingerprint_assets(assets: &mut Vec<Asset>) -> Result<AssetNames, Vec<Diagnostic>> {
    let mut names = BTreeMap::new();
    let mut twins = Vec::new();
    let mut problems = Vec::new();
    for asset in assets.iter() {
        if !is_fingerprinted(&asset.output) || asset.origin.starts_with("content") {
            continue;
        }
        let bytes = match &asset.source {
            AssetSource::Builtin(bytes) => sha256(bytes),
            AssetSource::File(path) => match std::fs::read(path) {
                Ok(bytes) => sha256(&bytes),
                Err(e) => {
                    let reason = crate::source::io_reason(&e);
                    problems
                        .push(Diagnostic::error(&asset.origin, format!("cannot read the file: {reason}")));
                    continue;
                }
            },
        };
        let output = fingerprinted_name(&asset.output, &hex(&bytes)[..DIGITS]);
        let key = |p: &Path| crate::url::slash_path(p);
        names.insert(key(&asset.output), key(&output));
        twins.push(Asset { output, ..asset.clone() });
    }
    assets.extend(twins);
    if problems.is_empty() { Ok(AssetNames(names)) } else { Err(problems) }
}

/// `css/site.css` with fingerprint `f` -> `css/site.f.css`.
fn fingerprinted_name(output: &Path, f: &str) -> PathBuf {
    let stem = output.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    let extension = output.extension().map(|s| s.to_string_lossy()).unwrap_or_default();
    output.with_file_name(format!("{stem}.{f}.{extension}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheets_and_scripts_of_static_folders_get_a_second_name_from_their_contents() {
        let asset = |output: &str, origin: &str, bytes: &'static [u8]| Asset {
            output: PathBuf::from(output),
            source: AssetSource::Builtin(bytes),
            origin: PathBuf::from(origin),
        };
        let mut assets = vec![
            asset("style.css", "<built-in clinic theme>/static/style.css", b"p{}"),
            asset("js/app.min.js", "static/js/app.min.js", b"x()"),
            asset("care/extra.css", "content/care/extra.css", b"a{}"),
            asset("logo.png", "static/logo.png", b"png"),
        ];
        let names = fingerprint_assets(&mut assets).unwrap();
        let css = format!("style.{}.css", &hex(&sha256(b"p{}"))[..DIGITS]);
        assert_eq!(names.get("style.css"), Some(css.as_str()));
        assert_eq!(names.get("/style.css"), Some(css.as_str()));
        let js = names.get("js/app.min.js").unwrap();
        assert!(
            js.starts_with("js/app.min.") && js.ends_with(".js") && js.len() == "js/app.min.js".len() + 11
        );
        assert_eq!(names.get("care/extra.css"), None);
        assert_eq!(assets.len(), 6);
        assert!(assets.iter().any(|a| a.output == Path::new(&css)));
    }
}
