//! What the load stage does not read: version-control and operating-system
//! clutter and editor backups everywhere, hidden markdown under `content/`
//! and hidden templates. Other hidden files (`.well-known/`, `.nojekyll`,
//! `.htaccess`) are the owner's and are copied like any static file (issue 9:
//! they were dropped).

use std::ffi::OsStr;
use std::path::Path;

use super::is_markdown;

/// Version-control and operating-system clutter and editor backups: never
/// read, copied or watched, wherever they are. Everything else is the
/// owner's, hidden or not (`.well-known/`, `.nojekyll`, `.htaccess`).
pub(crate) fn is_clutter(name: &OsStr) -> bool {
    const NAMES: &[&str] = &[
        ".svn",
        ".hg",
        ".hgignore",
        ".bzr",
        "_darcs",
        "CVS",
        ".DS_Store",
        ".AppleDouble",
        ".Spotlight-V100",
        ".Trashes",
        ".fseventsd",
        ".TemporaryItems",
        "Thumbs.db",
        "ehthumbs.db",
        "desktop.ini",
        "$RECYCLE.BIN",
    ];
    let name = name.to_string_lossy();
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
        // .git, .gitignore, .gitkeep, .gitattributes, .github
        || name.starts_with(".git")
        // macOS resource forks on shared drives
        || name.starts_with("._")
        // Emacs lock files and auto-saves
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        // backups: `page.md~`, JetBrains' safe-write copies
        || name.ends_with('~')
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || is_swap_file(&name)
}

/// Vim's `.page.md.swp` (`.swo`, `.swn`, ... `.swa`) and Kate's `.kate-swp`.
fn is_swap_file(name: &str) -> bool {
    if !name.starts_with('.') {
        return false;
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    ext == "kate-swp" || (ext.len() == 3 && ext.starts_with("sw") && ext.as_bytes()[2].is_ascii_lowercase())
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// A markdown file with a hidden name or in a hidden folder: the owner's
/// notes (`.notes.md`, `.drafts/x.md`), neither a page nor copied.
fn is_hidden_page(rel: &Path) -> bool {
    is_markdown(rel) && rel.components().any(|c| is_hidden(c.as_os_str()))
}

/// True when the load stage never reads `rel` (relative to the site root):
/// clutter anywhere, hidden markdown under `content/`, hidden templates.
/// The walk asks this of every entry; the watcher of `serve` can ask it too,
/// so it reacts to exactly what is read.
pub(crate) fn is_skipped(rel: &Path) -> bool {
    let parts: Vec<&OsStr> = rel.components().map(|c| c.as_os_str()).collect();
    if parts.iter().any(|p| is_clutter(p)) {
        return true;
    }
    let templates = match parts.as_slice() {
        [first, rest @ ..] if *first == "templates" => rest,
        [first, _, second, rest @ ..] if *first == "themes" && *second == "templates" => rest,
        _ => &[],
    };
    templates.iter().any(|p| is_hidden(p))
        || (parts.first().is_some_and(|p| *p == "content") && is_hidden_page(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clutter_is_version_control_os_files_and_editor_leftovers() {
        for name in [
            ".git",
            ".gitignore",
            ".svn",
            ".hg",
            ".DS_Store",
            "Thumbs.db",
            "thumbs.db",
            "desktop.ini",
            "._logo.png",
            "about.md~",
            "#about.md#",
            ".#about.md",
            ".about.md.swp",
            ".about.md.swo",
            ".about.md.kate-swp",
            "about.md___jb_tmp___",
        ] {
            assert!(is_clutter(OsStr::new(name)), "{name}");
        }
        for name in [".well-known", ".nojekyll", ".htaccess", "_headers", "#hashtag.png", "swap.swp", "a"] {
            assert!(!is_clutter(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn skips_clutter_hidden_notes_and_hidden_templates_only() {
        for rel in [
            ".git/config",
            "static/.DS_Store",
            "static/css/.style.css.swp",
            "content/.notes.md",
            "content/.drafts/plan.md",
            "templates/.page.html",
            "themes/clinic/templates/partials/.x.html",
            "site.yaml~",
        ] {
            assert!(is_skipped(Path::new(rel)), "{rel}");
        }
        for rel in [
            "static/.well-known/security.txt",
            "static/.nojekyll",
            "static/.htaccess",
            "themes/clinic/static/.well-known/x",
            "content/.well-known/x.txt",
            "content/care/about.md",
            "templates/page.html",
            "site.yaml",
        ] {
            assert!(!is_skipped(Path::new(rel)), "{rel}");
        }
    }
}
