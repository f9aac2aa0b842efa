//! One place that sees every output path before anything is written: two
//! outputs with the same path, or a file where another output needs a
//! folder (`about` beside `about/index.html`), are errors naming both
//! sources. `build`, `check` and `serve` all assemble their outputs through
//! [`super::list_units`], so they agree (issue 9: an alias equal to
//! a static file's path passed `check` and failed `build` with "Is a
//! directory").
//!
//! Pages never collide with pages here: the parse stage refuses two pages at
//! one URL already, because links need unique URLs.

use crate::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::Path;

use crate::content::Page;
use crate::error::Diagnostic;
use crate::source::Asset;
use crate::url::alias_output;

/// What claims an output path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Claim<'s> {
    /// A page of the site.
    Page(&'s Page),
    /// A redirect for an alias of this page.
    Alias(&'s Page),
    /// A file dotwork makes itself: its name for messages (`the sitemap`).
    Generated(&'static str),
    /// A listing page, feed or redirect of a section (by its `_index.md`),
    /// with what it is (`listing page 2`).
    Section(&'s Path, &'static str),
    /// A category's listing page, by the category's name.
    Category(&'s str),
    /// The site's feed, asked for in site.yaml.
    SiteFeed,
    /// A static file, or a file beside a page.
    Asset(&'s Asset),
    /// The resized variants of an image (by its source, relative to the site root).
    Image(&'s Path),
}

impl Claim<'_> {
    fn describe(self) -> String {
        match self {
            Claim::Page(page) => format!("the page {}", page.source.display()),
            Claim::Alias(page) => format!("an alias of {}", page.source.display()),
            Claim::Generated(what) => what.to_string(),
            Claim::Section(source, what) => format!("the {what} of {}", source.display()),
            Claim::Category(name) => format!("the listing page of category `{name}`"),
            Claim::SiteFeed => "the site's feed (`feed: true` in site.yaml)".to_string(),
            Claim::Asset(asset) => asset.origin.display().to_string(),
            Claim::Image(origin) => format!("the resized images of {}", origin.display()),
        }
    }

    /// How much the owner can act on a message shown at this claim: an alias
    /// line first, then a static file, then a page.
    fn rank(self) -> u8 {
        match self {
            Claim::Alias(_) => 3,
            Claim::Asset(_) | Claim::Image(_) => 2,
            Claim::Page(_) | Claim::Section(..) => 1,
            Claim::Generated(_) | Claim::Category(_) | Claim::SiteFeed => 0,
        }
    }
}

/// Every collision among `claims` (output path, what claims it), in order.
pub(crate) fn collisions(claims: &[(&Path, Claim<'_>)]) -> Vec<Diagnostic> {
    // By their bytes, as `collections::PathMap`.
    let mut first: HashMap<&OsStr, Claim<'_>> =
        HashMap::with_capacity_and_hasher(claims.len(), Default::default());
    let mut problems = Vec::new();
    for &(path, claim) in claims {
        match first.get(path.as_os_str()) {
            Some(&earlier) => problems.push(blame(Clash::Same, (earlier, path), (claim, path))),
            None => {
                first.insert(path.as_os_str(), claim);
            }
        }
    }
    // A file at `about` and a file at `about/index.html` cannot both exist.
    let mut reported = HashSet::default();
    for &(path, claim) in claims {
        let claimed = |f: &Path| !f.as_os_str().is_empty() && first.contains_key(f.as_os_str());
        // Its folders cut from its text where it is text (`Path::ancestors`
        // takes each apart again: 18 M instructions at 10,000 pages).
        let folder = match path.to_str() {
            Some(text) => text
                .rmatch_indices(std::path::is_separator)
                .map(|(i, _)| Path::new(&text[..i]))
                .find(|f| claimed(f)),
            None => path.ancestors().skip(1).find(|f| claimed(f)),
        };
        if let Some(folder) = folder
            && reported.insert(folder)
        {
            problems.push(blame(Clash::FileAndFolder, (first[folder.as_os_str()], folder), (claim, path)));
        }
    }
    problems
}

#[derive(Clone, Copy)]
enum Clash {
    /// Both claim the same file.
    Same,
    /// The first is a file where the second needs a folder.
    FileAndFolder,
}

/// The diagnostic for a clash of `a` and `b` (each with the output path it
/// claims), shown at whichever of them the owner can best fix.
fn blame(clash: Clash, a: (Claim<'_>, &Path), b: (Claim<'_>, &Path)) -> Diagnostic {
    let (mut a_name, mut b_name) = (a.0.describe(), b.0.describe());
    let at_b = b.0.rank() >= a.0.rank();
    let (at, at_path) = if at_b { b } else { a };
    if let Claim::Alias(page) = at
        && let Some(alias) =
            page.meta.aliases.iter().find(|x| alias_output(x).is_ok_and(|out| out == at_path))
    {
        *(if at_b { &mut b_name } else { &mut a_name }) = format!("alias `{alias}`");
    }
    let message = match clash {
        Clash::Same => format!("{a_name} and {b_name} would both be written to {}", a.1.display()),
        Clash::FileAndFolder => {
            format!("{b_name} needs a folder {}/, but {a_name} is a file of that name", a.1.display())
        }
    };
    let d = match at {
        Claim::Alias(page) => {
            return page
                .at_key(Diagnostic::error(&page.source, message), "aliases")
                .with_help("remove the alias, or rename the other file");
        }
        Claim::Asset(asset) => Diagnostic::error(&asset.origin, message),
        Claim::Image(origin) => Diagnostic::error(origin, message),
        Claim::Page(page) => Diagnostic::error(&page.source, message),
        Claim::Generated(name) => Diagnostic::error(name, message),
        Claim::Section(source, _) => Diagnostic::error(source, message),
        Claim::Category(_) | Claim::SiteFeed => Diagnostic::error(crate::config::CONFIG_FILE, message),
    };
    d.with_help("rename or remove one of the two")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::AssetSource;
    use std::path::PathBuf;

    fn asset(origin: &str, output: &str) -> Asset {
        Asset { output: output.into(), source: AssetSource::Builtin(b""), origin: origin.into() }
    }

    fn messages(claims: &[(&str, Claim<'_>)]) -> Vec<String> {
        let claims: Vec<(&Path, Claim<'_>)> = claims.iter().map(|(p, c)| (Path::new(*p), *c)).collect();
        collisions(&claims).into_iter().map(|d| format!("{}: {}", d.file.display(), d.message)).collect()
    }

    #[test]
    fn finds_the_same_path_twice_and_a_file_where_a_folder_is_needed() {
        let mut care = Page { source: PathBuf::from("content/care.md"), ..Page::default() };
        care.meta.aliases = vec!["/old/".to_string()].into();
        care.text = crate::scratch::PageText::held("---\ntitle: Care\naliases: [/old/]\n---\n".to_string());
        let (robots, old) = (asset("static/robots.txt", "robots.txt"), asset("static/old", "old"));
        let found = messages(&[
            ("care/index.html", Claim::Page(&care)),
            ("old/index.html", Claim::Alias(&care)),
            ("robots.txt", Claim::Generated("robots.txt")),
            ("robots.txt", Claim::Asset(&robots)),
            ("old", Claim::Asset(&old)),
        ]);
        assert_eq!(
            found,
            [
                "static/robots.txt: robots.txt and static/robots.txt would both be written to robots.txt",
                "content/care.md: alias `/old/` needs a folder old/, but static/old is a file of that name",
            ]
        );
        let fine = asset("static/care/photo.jpg", "care/photo.jpg");
        assert!(
            messages(&[("care/index.html", Claim::Page(&care)), ("care/photo.jpg", Claim::Asset(&fine))])
                .is_empty()
        );
    }
}
