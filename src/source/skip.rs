//! What the load stage does not read: version-control and operating-system
//! clutter and editor backups everywhere, hidden markdown under `content/`
//! and hidden templates. Other hidden files (`.well-known/`, `.nojekyll`,
//! `.htaccess`) are the owner's and are copied like any static file (issue 9:
//! they were dropped).

use std::path::Path;

use super::is_markdown;

/// Clutter by its whole name, in any case.
const CLUTTER_NAMES: &[&str] = &[
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

/// Version-control and operating-system clutter and editor backups: never
/// read, copied or watched, wherever they are. Everything else is the
/// owner's, hidden or not (`.well-known/`, `.nojekyll`, `.htaccess`).
/// Every name it looks for is ASCII, so a name's bytes tell (it need not
/// be UTF-8).
fn is_clutter(name: &[u8]) -> bool {
    // Each kind of clutter starts with one of these bytes (in any case) or
    // ends with `~` or `_`: most names are told apart by those two bytes
    // alone (asked of every part of every path the load stage lists).
    let first = name.first().map(u8::to_ascii_lowercase);
    if !matches!(first, Some(b'.' | b'_' | b'#' | b'$' | b'c' | b't' | b'e' | b'd'))
        && !matches!(name.last(), Some(b'~' | b'_'))
    {
        return false;
    }
    CLUTTER_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
        // .git, .gitignore, .gitkeep, .gitattributes, .github
        || name.starts_with(b".git")
        // macOS resource forks on shared drives
        || name.starts_with(b"._")
        // Emacs lock files and auto-saves
        || name.starts_with(b".#")
        || (name.len() > 1 && name.starts_with(b"#") && name.ends_with(b"#"))
        // backups: `page.md~`, JetBrains' safe-write copies
        || name.ends_with(b"~")
        || name.ends_with(b"___jb_tmp___")
        || name.ends_with(b"___jb_old___")
        || is_swap_file(name)
}

/// Vim's `.page.md.swp` (`.swo`, `.swn`, ... `.swa`) and Kate's `.kate-swp`.
fn is_swap_file(name: &[u8]) -> bool {
    if !name.starts_with(b".") {
        return false;
    }
    let ext = name.rsplit(|&b| b == b'.').next().unwrap_or_default();
    ext == b"kate-swp" || matches!(ext, [b's', b'w', last] if last.is_ascii_lowercase())
}

fn is_hidden(name: &[u8]) -> bool {
    name.first() == Some(&b'.')
}

/// True when the load stage never reads `rel` (relative to the site root):
/// clutter anywhere, hidden markdown under `content/`, hidden templates.
/// The walk asks this of every entry; the watcher of `serve` can ask it too,
/// so it reacts to exactly what is read.
pub(crate) fn is_skipped(rel: &Path) -> bool {
    // The path's names, split at its separators as bytes, in one pass:
    // taking a `Path` apart and reading each name as lossy text took 36 M
    // of the load stage's 180 M instructions in a one-page rebuild at
    // 10,000 pages, and a list of the names for each path half of the rest.
    let bytes = rel.as_os_str().as_encoded_bytes();
    let parts = bytes.split(|&b| b.is_ascii() && std::path::is_separator(char::from(b)));
    let (mut first, mut templates_from): (Option<&[u8]>, Option<usize>) = (None, None);
    let (mut hidden_page, mut hidden_template) = (false, false);
    for (n, part) in parts.filter(|p| !p.is_empty() && *p != b".").enumerate() {
        if is_clutter(part) {
            return true;
        }
        // What follows `templates/` or `themes/<name>/templates/`.
        match (n, first, part) {
            (0, _, _) => {
                first = Some(part);
                templates_from = (part == b"templates").then_some(1);
            }
            (2, Some(b"themes"), b"templates") => templates_from = Some(3),
            _ => {}
        }
        if is_hidden(part) {
            hidden_page = true;
            hidden_template |= templates_from.is_some_and(|from| n >= from);
        }
    }
    hidden_template
        // A markdown file with a hidden name or in a hidden folder: the
        // owner's notes (`.notes.md`, `.drafts/x.md`), neither a page nor copied.
        || (first == Some(b"content") && hidden_page && is_markdown(rel))
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
            assert!(is_clutter(name.as_bytes()), "{name}");
        }
        for name in CLUTTER_NAMES {
            for name in [name.to_string(), name.to_lowercase(), name.to_uppercase()] {
                assert!(is_clutter(name.as_bytes()), "{name}");
            }
        }
        for name in [".well-known", ".nojekyll", ".htaccess", "_headers", "#hashtag.png", "swap.swp", "a"] {
            assert!(!is_clutter(name.as_bytes()), "{name}");
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
