//! `dotwork new page|article`: a new page's file, written only where no
//! file is.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::error::{Diagnostic, Error};
use crate::scaffold::page::{NEWS_SECTION, PageKind, new_page};

/// A page `new` wrote.
#[derive(Debug, Clone)]
pub struct NewPage {
    /// Its file, relative to the site's folder.
    pub file: PathBuf,
    /// Where `dotwork serve --drafts` shows it, with the default port.
    pub preview: String,
}

/// Writes the page named `name` into the site at `root`.
pub fn new(root: &Path, name: &str, kind: PageKind) -> Result<NewPage, Error> {
    let site_error = |file: &Path, message: String, help: &str| {
        Error::Site(vec![Diagnostic::error(file, message).with_help(help)])
    };
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(site_error(
            root,
            format!("no site.yaml in {}", root.display()),
            "run this in the site's folder (the one with site.yaml), or name it with --root",
        ));
    }
    let index = Path::new(NEWS_SECTION).join("_index.md");
    if kind == PageKind::Article && !root.join(&index).is_file() {
        return Err(site_error(
            &index,
            "the site has no news section for articles".to_string(),
            "make one with a content/news/_index.md (dotwork init makes it), or add a page with: dotwork new page NAME",
        ));
    }
    let page = new_page(name, kind, Date::today())
        .map_err(|why| site_error(Path::new("content"), why, "choose a name such as \"Hair loss FAQ\""))?;
    let path = root.join(&page.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create the folder", parent))?;
    }
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(site_error(
                &page.path,
                format!("{} already exists", page.path.display()),
                "edit that page, or choose another name for the new one",
            ));
        }
        Err(e) => return Err(Error::io("create", &path)(e)),
    };
    if let Err(e) = file.write_all(page.text.as_bytes()) {
        // Leave no half-written page behind.
        let _ = std::fs::remove_file(&path);
        return Err(Error::io("write", &path)(e));
    }
    let address = crate::url::page_path(&page.path, None).unwrap_or_default();
    let preview = format!("http://127.0.0.1:{}{address}", crate::serve::DEFAULT_PORT);
    Ok(NewPage { file: page.path, preview })
}
