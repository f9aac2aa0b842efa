//! Languages on their own domains (issue 15): `base_url` under a language
//! in site.yaml puts its pages at the top of that address
//! (`https://clinica.example/riesgos/`) instead of under `/es/` of the
//! site's.
//!
//! Inside dotwork nothing changes: every address is still site-absolute
//! and a language's pages are still under its folder (`/es/riesgos/`), so
//! links, sections, menus and serve's rebuilds work as on one domain. Only
//! where an address is written out does the domain matter, and that is
//! here:
//! - a link between two pages on one domain is relative to the page's
//!   address on its domain ([`Domains::link`]); to a page on another it is
//!   absolute;
//! - the files no language owns (static files, theme files, images) are on
//!   every domain, so a page links them on its own ([`Domains::file_link`]);
//! - an absolute address is made against its domain's `base_url`
//!   ([`Domains::permalink`]);
//! - the built site is one folder per domain, named by its host
//!   (`public/www.clinic.example/`, `public/clinica.example/`), each what
//!   that host publishes ([`Domains::place`]): its language's pages, its own
//!   `sitemap.xml`, `robots.txt`, `404.html` and host files, and a copy of
//!   the files every domain has.
//!
//! A site with no language on its own domain is one domain, and then every
//! function here is the identity of the one-domain site (`serve` always
//! previews a site as one domain, at its own address).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::config::{SiteConfig, host_of};
use crate::render::OutputFile;
use crate::url::{base_path, permalink, relative_url};

/// One address the site is published at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// Its address, ending in `/`: the site's `base_url`, or a language's.
    pub base_url: String,
    /// The folder its language's pages are under inside dotwork (`/es`),
    /// empty for the site's own domain.
    pub prefix: String,
    /// Its folder in the output: its host (`clinica.example`).
    pub folder: String,
    /// The language its 404 page is in, by number.
    pub lang: usize,
}

/// Where the site is published: the site's domain first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domains(Vec<Domain>);

impl Default for Domains {
    /// One domain, of no address.
    fn default() -> Domains {
        Domains(vec![Domain {
            base_url: String::new(),
            prefix: String::new(),
            folder: String::new(),
            lang: 0,
        }])
    }
}

impl Domains {
    /// The domains of the site `config` describes.
    pub fn new(config: &SiteConfig) -> Domains {
        let mut all = vec![Domain {
            base_url: config.base_url.clone(),
            prefix: String::new(),
            folder: host_of(&config.base_url),
            lang: 0,
        }];
        for (k, language) in config.languages.iter().enumerate().skip(1) {
            if let Some(url) = &language.base_url {
                all.push(Domain {
                    base_url: url.clone(),
                    prefix: format!("/{}", language.folder()),
                    folder: host_of(url),
                    lang: k,
                });
            }
        }
        Domains(all)
    }

    /// Whether the site is on more than one domain.
    pub fn is_split(&self) -> bool {
        self.0.len() > 1
    }

    /// Every domain, the site's first.
    pub fn all(&self) -> &[Domain] {
        &self.0
    }

    /// The domain of the site-absolute `path` (`/es/riesgos/`), by number.
    pub fn of(&self, path: &str) -> usize {
        self.0
            .iter()
            .skip(1)
            .position(|d| {
                path.strip_prefix(&d.prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map_or(0, |k| k + 1)
    }

    /// The domain of language `lang`, by number.
    pub fn of_language(&self, lang: usize) -> usize {
        self.0.iter().position(|d| d.lang == lang && !d.prefix.is_empty()).unwrap_or(0)
    }

    /// `path` as an address on its domain: `/riesgos/` for `/es/riesgos/`.
    pub fn local<'p>(&self, path: &'p str) -> &'p str {
        let rest = &path[self.0[self.of(path)].prefix.len()..];
        if rest.is_empty() { "/" } else { rest }
    }

    /// The link from the page at `from` to the page (or listing, or feed)
    /// at `to`: relative on one domain, absolute to another.
    pub fn link(&self, from: &str, to: &str) -> String {
        let (here, there) = (self.of(from), self.of(to));
        if here == there { relative_url(self.local(from), self.local(to)) } else { self.permalink(to) }
    }

    /// The link from the page at `from` to a file every domain has (under
    /// no language's own domain): on the page's domain.
    pub fn file_link(&self, from: &str, to: &str) -> String {
        if self.of(to) == 0 { relative_url(self.local(from), to) } else { self.link(from, to) }
    }

    /// The relative address of the top of `from`'s domain (`root`).
    pub fn root(&self, from: &str) -> String {
        relative_url(self.local(from), "/")
    }

    /// The address of `path` from the top of the domain of language
    /// `lang`'s pages, without its `/` (`riesgos/`; `page_url` and the other
    /// template lookups, printed after `root`), or `None` when `path` is on
    /// another domain: a template cannot lead there with `root`.
    pub fn from_top<'p>(&self, lang: usize, path: &'p str) -> Option<&'p str> {
        (self.of(path) == self.of_language(lang)).then(|| &self.local(path)[1..])
    }

    /// `to` as written where a page of language `lang` may be served at
    /// any address (its domain's `404.html`, `_redirects`): from the path
    /// of its domain's `base_url` (`/clinic/riesgos/`), or absolute on
    /// another domain.
    pub fn from_base(&self, lang: usize, to: &str) -> String {
        match self.from_top(lang, to) {
            Some(local) => format!("{}{local}", base_path(&self.0[self.of_language(lang)].base_url)),
            None => self.permalink(to),
        }
    }

    /// The `base_url` of `path`'s domain.
    pub fn base_url(&self, path: &str) -> &str {
        &self.0[self.of(path)].base_url
    }

    /// The absolute URL of `path`, on its domain.
    pub fn permalink(&self, path: &str) -> String {
        permalink(&self.0[self.of(path)].base_url, self.local(path))
    }

    /// The site-absolute path a file of domain `d` has inside dotwork:
    /// `/es/sitemap.xml` for `/sitemap.xml` on the second domain.
    pub fn inside(&self, d: usize, local: &str) -> String {
        format!("{}{local}", self.0[d].prefix)
    }

    /// `files`, the output of one unit, as published: each in the folder
    /// of its domain, and, when they are `shared` (a static file, an
    /// image's variants), those of no language's domain in every domain's.
    pub fn place(&self, files: Vec<OutputFile>, shared: bool) -> Vec<OutputFile> {
        if !self.is_split() {
            return files;
        }
        let mut placed = Vec::with_capacity(files.len());
        for file in files {
            for path in self.place_path(&file.path, shared) {
                placed.push(OutputFile { path, ..file.clone() });
            }
        }
        placed
    }

    /// Where the output file `path` goes: into its domain's folder, or into
    /// every domain's when it is `shared` and of no language's domain.
    pub fn place_path(&self, path: &Path, shared: bool) -> Vec<PathBuf> {
        if !self.is_split() {
            return vec![path.to_path_buf()];
        }
        let address = format!("/{}", crate::url::slash_path(path));
        let d = self.of(&address);
        let inside = |d: &Domain, local: &str| Path::new(&d.folder).join(local.trim_start_matches('/'));
        if d == 0 && shared {
            self.0.iter().map(|domain| inside(domain, &address)).collect()
        } else {
            vec![inside(&self.0[d], self.local(&address))]
        }
    }

    /// The output file `path` of the placed site where it is inside
    /// dotwork: `es/riesgos/index.html` for
    /// `clinica.example/riesgos/index.html`, and each domain's copy of a
    /// shared file under its language's folder (`es/style.css`), so
    /// `check` reads the links of every page against its address inside
    /// dotwork as on one domain. A path in no domain's folder stays.
    pub fn unplace<'p>(&self, path: &'p Path) -> Cow<'p, Path> {
        if !self.is_split() {
            return Cow::Borrowed(path);
        }
        let mut parts = path.components();
        let folder = parts.next().and_then(|c| c.as_os_str().to_str());
        match self.0.iter().find(|d| Some(d.folder.as_str()) == folder) {
            Some(d) => Cow::Owned(Path::new(d.prefix.trim_start_matches('/')).join(parts.as_path())),
            None => Cow::Borrowed(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutputContent;

    fn domains() -> Domains {
        let text = "title: T\nbase_url: https://clinic.example/\nlanguages:\n  - en-GB\n  - code: es\n    base_url: https://clinica.example\n  - de\n";
        Domains::new(&crate::config::parse_config(text).expect("site.yaml parses"))
    }

    #[test]
    fn a_language_on_its_own_domain_has_its_pages_at_the_top() {
        let d = domains();
        assert!(d.is_split());
        assert_eq!(d.of("/es/riesgos/"), 1);
        assert_eq!(d.of("/es"), 1);
        assert_eq!(d.of("/esx/"), 0);
        assert_eq!(d.of("/de/risiken/"), 0, "de has no domain of its own");
        assert_eq!(d.local("/es/riesgos/"), "/riesgos/");
        assert_eq!(d.local("/es/"), "/");
        assert_eq!(d.local("/de/risiken/"), "/de/risiken/");
        assert_eq!(d.of_language(1), 1);
        assert_eq!(d.of_language(2), 0);
        assert_eq!(d.permalink("/es/riesgos/"), "https://clinica.example/riesgos/");
        assert_eq!(d.permalink("/risks/"), "https://clinic.example/risks/");
        assert_eq!(d.inside(1, "/sitemap.xml"), "/es/sitemap.xml");
    }

    #[test]
    fn links_are_relative_on_one_domain_and_absolute_across() {
        let d = domains();
        assert_eq!(d.link("/es/riesgos/", "/es/cuidados/"), "../cuidados/");
        assert_eq!(d.link("/es/riesgos/", "/risks/"), "https://clinic.example/risks/");
        assert_eq!(d.link("/risks/", "/es/riesgos/"), "https://clinica.example/riesgos/");
        assert_eq!(d.link("/risks/", "/de/risiken/"), "../de/risiken/");
        assert_eq!(d.file_link("/es/riesgos/", "/style.css"), "../style.css");
        assert_eq!(d.file_link("/es/", "/style.css"), "style.css");
        assert_eq!(d.root("/es/riesgos/"), "../");
        assert_eq!(d.root("/de/risiken/"), "../../");
    }

    #[test]
    fn each_domain_is_a_folder_and_shared_files_are_in_each() {
        let d = domains();
        let page = |p: &str| OutputFile::new(p.into(), OutputContent::Bytes(Vec::new()));
        let paths = |files: Vec<OutputFile>| files.into_iter().map(|f| f.path).collect::<Vec<_>>();
        assert_eq!(
            paths(d.place(vec![page("es/riesgos/index.html")], false)),
            [PathBuf::from("clinica.example/riesgos/index.html")]
        );
        assert_eq!(
            paths(d.place(vec![page("risks/index.html")], false)),
            [PathBuf::from("clinic.example/risks/index.html")]
        );
        let shared = OutputFile::new("style.css".into(), OutputContent::Cached("x".into()));
        assert_eq!(
            paths(d.place(vec![shared], true)),
            [PathBuf::from("clinic.example/style.css"), PathBuf::from("clinica.example/style.css")]
        );
        assert_eq!(
            d.unplace(Path::new("clinica.example/riesgos/index.html")),
            Path::new("es/riesgos/index.html")
        );
        assert_eq!(d.unplace(Path::new("clinica.example/style.css")), Path::new("es/style.css"));
        assert_eq!(d.unplace(Path::new("clinic.example/style.css")), Path::new("style.css"));
    }

    #[test]
    fn one_domain_changes_nothing() {
        let text = "title: T\nbase_url: https://clinic.example/\nlanguages: [en-GB, es]\n";
        let d = Domains::new(&crate::config::parse_config(text).expect("site.yaml parses"));
        assert!(!d.is_split());
        assert_eq!(d.link("/es/riesgos/", "/risks/"), "../../risks/");
        assert_eq!(d.root("/es/riesgos/"), "../../");
        assert_eq!(d.place_path(Path::new("es/a/index.html"), false), [PathBuf::from("es/a/index.html")]);
    }
}
