//! URLs and paths, in one place: a page's address from its file (under the
//! site's `urls:` style, [`UrlStyle`]), where the files beside pages are
//! published (`asset_output`), the output file of an address or an alias,
//! relative links between addresses, permalinks, slugs, the content path a
//! link to a markdown file or a file beside it names, and percent-encoding.
//!
//! Inside the site, addresses are site-absolute paths (`/care/aftercare/`);
//! they become *relative* links only when written out ([`relative_url`]), so
//! the built site works at a domain root and under any sub-path (a GitHub
//! Pages project site) without being rebuilt. Only feeds and structured data
//! need absolute URLs ([`permalink`]).
//!
//! Percent-encoding is the `percent-encoding` crate's. Addresses are joined
//! as strings rather than through the `url` crate: `base_url` is checked
//! when site.yaml is read, and `Url` would re-encode and normalise paths
//! (`/über/` becomes `/%C3%BCber/`), changing every URL the site writes.

use crate::collections::HashSet;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Turns text into a URL- and id-safe slug: lowercase letters and digits
/// (any script), other runs of characters become one `-`.
pub fn slugify(text: &str) -> String {
    // Most names are slugs already (`page-0042-care`): kept as they are
    // without going through them character by character.
    if is_slug(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            // An apostrophe joins ("patient's" -> "patients"), anything else splits.
            dash = true;
        }
    }
    out
}

/// Whether `text` is its own slug: lower-case ASCII letters and digits,
/// single hyphens between them.
fn is_slug(text: &str) -> bool {
    let bytes = text.as_bytes();
    let plain = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    bytes.first().is_some_and(plain)
        && bytes.last().is_some_and(plain)
        && bytes.iter().all(|b| plain(b) || *b == b'-')
        && memchr::memmem::find(bytes, b"--").is_none()
}

/// How a page's file and folder names become the parts of its address
/// (site.yaml `urls:`, issue 14).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrlStyle {
    /// Lower case, other runs of characters than letters and digits become
    /// one `-` ([`slugify`]): `Care_Guides/After Care.md` -> `/care-guides/after-care/`.
    #[default]
    Slugs,
    /// Each name kept as the file or folder is named (case, `_`, `.`, any
    /// script), so the addresses of a site moved from elsewhere keep
    /// working; only white space becomes `-`: no generator publishes it
    /// in an address, and a host or a link checker reads `%20` and ` `
    /// differently. `Web/API/Foo_Bar.md` -> `/Web/API/Foo_Bar/`.
    AsWritten,
    /// As written, in lower case: Hugo's default (`Foo_Bar.md` ->
    /// `/foo_bar/`), for a site whose links were written against it.
    Lowercase,
}

impl UrlStyle {
    /// Whether names keep their `_`, `.` and other characters (not slugs):
    /// a name such a rule cannot keep is the page's own error, at its top.
    pub(crate) fn keeps_names(self) -> bool {
        self != UrlStyle::Slugs
    }

    /// As site.yaml writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            UrlStyle::Slugs => "slugs",
            UrlStyle::AsWritten => "as-written",
            UrlStyle::Lowercase => "lowercase",
        }
    }
}

/// Characters a name may not hold under [`UrlStyle::AsWritten`]: in an
/// address they end the path (`#`, `?`), start an escape (`%`) or are not
/// a URL's at all.
const NOT_IN_ADDRESS: &[char] = &['#', '?', '%', '\\', '"', '<', '>', '`', '{', '}', '|', '^'];

/// One file or folder name as a part of an address, under `style`; `Err`
/// with the reason when the name cannot be one as written. A name that is
/// its own slug is the part as it is, not a copy (issue 16: a string for
/// each part of every page's address was 1% of a one-page rebuild).
pub(crate) fn url_segment(name: &str, style: UrlStyle) -> Result<Cow<'_, str>, String> {
    match style {
        UrlStyle::Slugs if is_slug(name) => Ok(Cow::Borrowed(name)),
        UrlStyle::Slugs => Ok(Cow::Owned(slugify(name))),
        UrlStyle::AsWritten | UrlStyle::Lowercase => {
            if let Some(c) = name.chars().find(|c| NOT_IN_ADDRESS.contains(c) || c.is_control()) {
                return Err(format!(
                    "`{name}` holds `{}`, which an address cannot hold as written (urls: {}); rename it or give the page a `slug`",
                    c.escape_default(),
                    style.name()
                ));
            }
            let mut out = String::with_capacity(name.len());
            let mut space = false;
            for c in name.trim().chars() {
                if c.is_whitespace() {
                    space = true;
                } else {
                    if space {
                        out.push('-');
                        space = false;
                    }
                    out.push(c);
                }
            }
            if style == UrlStyle::Lowercase {
                out = out.to_lowercase();
            }
            Ok(Cow::Owned(out))
        }
    }
}

/// The URL path of the page at `source` (`content/care/aftercare.md`), with
/// `slug` replacing the last part. `index.md` is its folder's page.
pub fn page_path(source: &Path, slug: Option<&str>) -> Result<String, String> {
    page_path_as(source, slug, UrlStyle::Slugs)
}

/// [`page_path`] with the names turned into parts of the address by `style`.
pub fn page_path_as(source: &Path, slug: Option<&str>, style: UrlStyle) -> Result<String, String> {
    // The path's text, split at its separators: working out its parts as a
    // `Path` does took 5.4 M of the parse stage's 32.6 M instructions in a
    // one-page rebuild at 1,000 pages; the address is then written part by
    // part, with no list of the parts between (a third of this function's
    // 3,400 instructions a page).
    let text = source.to_str().map_or_else(|| source.to_string_lossy(), Cow::Borrowed);
    let mut names: Vec<&str> =
        text.split(std::path::is_separator).filter(|n| !n.is_empty() && *n != "." && *n != "..").collect();
    if names.len() > 1 && names[0] == "content" {
        names.remove(0);
    }
    let file = names.pop().unwrap_or_default();
    // As `Path::file_stem`: up to the last dot, unless the name starts with it.
    let stem = match file.rfind('.') {
        Some(0) | None => file,
        Some(dot) => &file[..dot],
    };
    let is_index = stem.eq_ignore_ascii_case("index") || stem == "_index";
    if !is_index {
        names.push(stem);
    }
    // A slug replaces the last part, whatever that name would have made.
    let last = match slug {
        Some(slug) => {
            if names.pop().is_none() {
                return Err("the home page cannot have a slug".to_string());
            }
            Some(slug_part(slug, style)?)
        }
        None => None,
    };
    let mut path = String::with_capacity(text.len() + 2);
    path.push('/');
    let parts = names.into_iter().map(|name| url_segment(name, style));
    for part in parts.chain(last.map(Ok)) {
        let part = part?;
        if part.is_empty() || part == "." || part == ".." {
            return Err("this file name gives an empty part in the URL; give it a `slug`".to_string());
        }
        path.push_str(&part);
        path.push('/');
    }
    Ok(path)
}

/// `slug`, checked, as the last part of a page's address under `style`.
fn slug_part(slug: &str, style: UrlStyle) -> Result<Cow<'_, str>, String> {
    match style {
        UrlStyle::Slugs if slugify(slug) != slug => Err(format!(
            "slug `{slug}` may only hold lowercase letters, digits and single hyphens (try `{}`)",
            slugify(slug)
        )),
        // Lower case as Hugo does: `slug: hugo_convert_toJSON` is `/hugo_convert_tojson/`.
        UrlStyle::Lowercase if !slug.contains('/') && url_segment(slug, style)? == slug.to_lowercase() => {
            Ok(Cow::Owned(slug.to_lowercase()))
        }
        // As written, a slug is one part of an address, as a file name is
        // (`slug: hugo_build` kept from another generator).
        _ if style.keeps_names() && (slug.contains('/') || url_segment(slug, style)? != slug) => {
            Err(format!(
                "slug `{slug}` must be one part of an address, without `/` or spaces (try `{}`)",
                url_segment(&slug.replace('/', "-"), style)?
            ))
        }
        UrlStyle::Lowercase => Ok(Cow::Owned(slug.to_lowercase())),
        _ => Ok(Cow::Borrowed(slug)),
    }
}

/// Every folder (relative to `content/`, `/`-separated, without slashes at
/// either end) that holds a page, directly or further down: the folders
/// whose names are parts of pages' addresses. `pages` are the markdown
/// files' paths relative to the site root.
pub(crate) fn page_folders<'a>(pages: impl IntoIterator<Item = &'a Path>) -> HashSet<String> {
    let mut folders = HashSet::default();
    for page in pages {
        let mut dir = content_dir(page);
        while !dir.is_empty() && folders.insert(dir.clone()) {
            dir.truncate(dir.rfind('/').unwrap_or(0));
        }
    }
    folders
}

/// Where a file beside the pages (`key`, relative to `content/`:
/// `3d_model/photos/a.png`) is published: each folder that holds a page
/// (`page_folders`) under its name in the pages' addresses, so that the file
/// stays beside its page when the folder is renamed (`3d-model/photos/a.png`);
/// other folders and the file's own name as written. The one rule for
/// where a page's own files go: the load stage copies them there and links
/// to them are rewritten to it (issue 14).
pub(crate) fn asset_output(key: &str, page_folders: &HashSet<String>, style: UrlStyle) -> String {
    let Some((folder, name)) = key.rsplit_once('/') else { return key.to_string() };
    let mut out = String::with_capacity(key.len());
    let mut prefix_end = 0;
    for part in folder.split('/') {
        prefix_end += part.len();
        let named = page_folders.contains(&folder[..prefix_end]).then(|| url_segment(part, style).ok());
        out.push_str(named.flatten().filter(|p| !p.is_empty()).as_deref().unwrap_or(part));
        out.push('/');
        prefix_end += 1;
    }
    out.push_str(name);
    out
}

/// The page a link without `.md` names by its file (relative to
/// `content/`): `care/aftercare.md` and `care/aftercare/index.md` are both
/// `care/aftercare`; `care/_index.md` is `care`; the home page is empty.
pub(crate) fn source_address(key: &str) -> &str {
    let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
    without_index(stem)
}

/// `care/index` -> `care`, `_index` -> ``: a folder's page named as the
/// folder (`index` in any case, as [`page_path`] reads it).
pub(crate) fn without_index(path: &str) -> &str {
    let (dir, last) = path.rsplit_once('/').unwrap_or(("", path));
    if last.eq_ignore_ascii_case("index") || last == "_index" { dir } else { path }
}

/// The link from the page at `from` (a folder path ending in `/`) to the
/// site-absolute `to`, as a relative URL: `../risks/`, `./`, `../../style.css`.
pub fn relative_url(from: &str, to: &str) -> String {
    let mut out = by_common_start(from, to).unwrap_or_else(|| by_folders(from, to));
    // An empty link, or one that starts with its fragment or query, would
    // not name the folder: `./` does.
    if out.is_empty() || out.starts_with('#') || out.starts_with('?') {
        out.insert_str(0, "./");
    }
    out
}

/// [`relative_url`] (before its `./`) from the common start of `from` and
/// `to`, compared byte by byte, when both are written as the site writes
/// addresses: from its top, with no empty folder, so their common folders
/// are a common start of the two texts (issue 16: every page makes one for
/// each link of its menus, and folder by folder took 1.7 times the
/// instructions).
fn by_common_start(from: &str, to: &str) -> Option<String> {
    let plain = |s: &str| s.starts_with('/') && !s.contains("//");
    if !(plain(from) && from.ends_with('/') && plain(to)) {
        return None;
    }
    let (to_folder, _) = to.rsplit_once('/')?;
    let (from_dirs, to_rest) = (&from[1..], &to[1..]);
    // The first `to_folder.len()` bytes of `to_rest` are its folders, each with its `/`.
    let same =
        from_dirs.bytes().zip(to_rest.bytes().take(to_folder.len())).take_while(|(a, b)| a == b).count();
    let common = from_dirs[..same].rfind('/').map_or(0, |i| i + 1);
    let ups = from_dirs[common..].bytes().filter(|&b| b == b'/').count();
    let mut out = String::with_capacity(3 * ups + to_rest.len() - common + 2);
    (0..ups).for_each(|_| out.push_str("../"));
    out.push_str(&to_rest[common..]);
    Some(out)
}

/// [`relative_url`] (before its `./`) for any `from` and `to`, folder by folder.
fn by_folders(from: &str, to: &str) -> String {
    let from_dirs = || from.split('/').filter(|s| !s.is_empty());
    // `to` = "/a/b/": its folders are `a` and `b`, after the leading `/`.
    let (to_folder, last) = to.rsplit_once('/').unwrap_or(("", to));
    let to_dirs = || to_folder.split('/').skip(1);
    let common = from_dirs().zip(to_dirs()).take_while(|(a, b)| a == b).count();
    let ups = from_dirs().count() - common;
    let mut out = String::with_capacity(3 * ups + to.len() + 2);
    (0..ups).for_each(|_| out.push_str("../"));
    for d in to_dirs().skip(common) {
        out.push_str(d);
        out.push('/');
    }
    out.push_str(last);
    out
}

/// The absolute URL of the site-absolute `path` (`/care/`), for feeds and
/// structured data: `base_url` (which ends in `/`) followed by `path`.
pub fn permalink(base_url: &str, path: &str) -> String {
    format!("{base_url}{}", path.strip_prefix('/').unwrap_or(path))
}

/// The path part of a base URL: `/` or `/clinic/`.
pub fn base_path(base_url: &str) -> &str {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

/// The output file of a page at URL path `path`.
pub fn page_output(path: &str) -> PathBuf {
    // Joined as text: `PathBuf::push` looks at each part for a root or a
    // prefix, and a build asks for every page's file several times.
    let mut out = String::with_capacity(path.len() + "index.html".len());
    for s in path.split('/').filter(|s| !s.is_empty()) {
        out.push_str(s);
        out.push(std::path::MAIN_SEPARATOR);
    }
    out.push_str("index.html");
    PathBuf::from(out)
}

/// Where an alias (an old URL) is written in the output: `/old/` ->
/// `old/index.html`, `/old.html` -> `old.html`. Refuses anything that could
/// land outside the output folder, including percent-encoded tricks.
pub fn alias_output(alias: &str) -> Result<PathBuf, String> {
    let decoded = decode(alias).ok_or_else(|| format!("alias `{alias}` has a broken %-escape"))?;
    let bad = |why: &str| Err(format!("alias `{alias}` {why}"));
    if decoded.contains(['\\', '\0', ':', '?', '#']) {
        return bad("may not contain `\\`, `:`, `?`, `#` or control characters");
    }
    let mut out = PathBuf::new();
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    for s in &segments {
        if *s == "." || *s == ".." || s.chars().any(char::is_control) {
            return bad("may not contain `.` or `..` parts");
        }
        out.push(s);
    }
    if segments.is_empty() {
        return bad("is the home page itself");
    }
    let is_file = !decoded.ends_with('/')
        && segments.last().is_some_and(|s| s.ends_with(".html") || s.ends_with(".htm"));
    if !is_file {
        out.push("index.html");
    }
    Ok(out)
}

/// A page's file relative to `content/`, with `/` separators, as links to
/// it are written (`care/aftercare.md`).
pub(crate) fn content_key(file: &Path) -> String {
    // The usual case, `content/…` in UTF-8, as text: a build asks for every
    // page's key several times, and `strip_prefix` compares part by part.
    #[cfg(unix)]
    if let Some(rest) = file.to_str().and_then(|t| t.strip_prefix("content/")).filter(|r| !r.starts_with('/'))
    {
        return rest.to_string();
    }
    slash_path(file.strip_prefix("content").unwrap_or(file))
}

/// A relative path as text with `/` between its parts, as addresses and
/// messages show it (`care/aftercare.md`, also on Windows).
pub(crate) fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The folder of a page relative to `content/`, with `/` separators and no
/// leading or trailing slash (`care`, or empty for the top).
pub(crate) fn content_dir(file: &Path) -> String {
    let mut key = content_key(file);
    key.truncate(key.rfind('/').unwrap_or(0));
    key
}

/// The content-relative path a link to a markdown file names: relative to
/// the linking page's folder `page_dir`, or to `content/` when it starts with
/// `/`. `None` when it climbs out of `content/`.
pub(crate) fn resolve_source(page_dir: &str, link: &str) -> Option<String> {
    let (base, rest) = match link.strip_prefix('/') {
        Some(rest) => ("", rest),
        None => (page_dir, link),
    };
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    push_segments(&mut parts, rest.split('/'))?;
    let joined = parts.join("/");
    Some(joined.strip_prefix("content/").map(str::to_string).unwrap_or(joined))
}

/// The address `url`, written on the page at address `from`, names: from
/// the site's top, `.` and `..` resolved and each part percent-decoded (as a
/// browser asks for it: `/%C3%BCber/` is the page at /über/), without
/// `?query` or `#fragment`. `None` when it climbs above the top.
pub(crate) fn site_path(from: &str, url: &str) -> Option<String> {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let joined: Cow<'_, str> = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("{}{path}", folder_of(from)))
    };
    let folder = joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..");
    let mut out = join_parts(&joined, true)?;
    // The top is `/`; a folder below it ends with one.
    if out.is_empty() || folder {
        out.push('/');
    }
    Some(out)
}

/// `/a/./b/../c/` -> `a/c/`, each part percent-decoded; `None` above the
/// top. The output path a site-absolute address names.
pub(crate) fn output_path(site_path: &str) -> Option<String> {
    let rest = site_path.split_once('/').map_or("", |(_, rest)| rest);
    join_parts(rest, false).map(|out| folder_ended(out, site_path))
}

/// `out`, the output path that `path` names, with a `/` after it when
/// `path` names a folder below the top (it ends with `/`, `.` or `..`).
fn folder_ended(mut out: String, path: &str) -> String {
    if !out.is_empty() && (path.ends_with('/') || matches!(path.rsplit('/').next(), Some("." | ".."))) {
        out.push('/');
    }
    out
}

/// The parts of `path` between its `/`s, empty ones and `.` dropped and
/// `..` taking one off, each percent-decoded, joined with `/`, and with a
/// `/` before the first too when `lead`; `None` when `..` climbs above the
/// top. Links are resolved tens of thousands of times in a build (issue
/// 16): the parts are joined as written, with no list of where each
/// begins (a part as written holds no `/`), and decoded at once, which is
/// the same as part by part unless some part is not UTF-8 once decoded.
fn join_parts(path: &str, lead: bool) -> Option<String> {
    let out = push_parts(String::with_capacity(path.len() + 1), 0, path, lead)?;
    decoded(out, || join_decoded_parts(path, lead))
}

/// `out`, which holds `depth` parts joined as [`join_parts`] joins them
/// (not yet decoded), with the parts of `path` added.
fn push_parts(mut out: String, mut depth: usize, path: &str, lead: bool) -> Option<String> {
    let bytes = path.as_bytes();
    let mut start = 0;
    while start <= bytes.len() {
        // Parts are a few bytes long: a plain search is quicker than
        // `memchr`'s, which is made for long texts.
        let end = bytes[start..].iter().position(|&b| b == b'/').map_or(bytes.len(), |i| start + i);
        // Compared as bytes, and the last `/` found the same way: as texts,
        // each was a call to compare or search memory.
        match &bytes[start..end] {
            b"" | b"." => {}
            b".." => {
                depth = depth.checked_sub(1)?;
                out.truncate(out.as_bytes().iter().rposition(|&b| b == b'/').unwrap_or(0));
            }
            _ => {
                depth += 1;
                if lead || !out.is_empty() {
                    out.push('/');
                }
                out.push_str(&path[start..end]);
            }
        }
        start = end + 1;
    }
    Some(out)
}

/// `joined` (from [`push_parts`]) percent-decoded; `by_parts` when that is
/// not UTF-8.
fn decoded(joined: String, by_parts: impl FnOnce() -> Option<String>) -> Option<String> {
    if memchr::memchr(b'%', joined.as_bytes()).is_none() {
        return Some(joined);
    }
    match percent_decode_str(&joined).decode_utf8() {
        Ok(decoded) => Some(decoded.into_owned()),
        Err(_) => by_parts(),
    }
}

/// [`output_path`] of `rel` (not empty, and not starting with `/`) read on
/// the page at the address `from`: that of `folder_of(from)` and `rel`
/// joined. A page's own folder is plain (no empty, `.` or `..` part), so
/// it is taken as it is and only `rel` is walked part by part: a link in
/// a theme climbs from the page's folder (`../../../style.css`), which
/// was two thirds of the walk (issue 16).
pub(crate) fn output_path_relative(from: &str, rel: &str) -> Option<String> {
    let folder = folder_of(from);
    let inner = folder.strip_prefix('/').map(|f| f.strip_suffix('/').unwrap_or(f));
    let plain = inner.and_then(|inner| Some((inner, plain_parts(inner)?))).filter(|_| !rel.is_empty());
    let Some((inner, depth)) = plain else {
        return output_path(&[folder, rel].concat());
    };
    let mut out = String::with_capacity(inner.len() + rel.len() + 1);
    out.push_str(inner);
    let out = push_parts(out, depth, rel, false)?;
    let out = decoded(out, || join_decoded_parts(&[&folder[1..], rel].concat(), false))?;
    Some(folder_ended(out, rel))
}

/// How many parts `path` has if none is empty or starts with `.` (so none
/// is `.` or `..`): the parts [`push_parts`] would keep as they are.
fn plain_parts(path: &str) -> Option<usize> {
    if path.is_empty() {
        return Some(0);
    }
    let (mut parts, mut at_start) = (1, true);
    for &b in path.as_bytes() {
        match b {
            b'/' | b'.' if at_start => return None,
            b'/' => (parts, at_start) = (parts + 1, true),
            _ => at_start = false,
        }
    }
    (!at_start).then_some(parts)
}

/// [`join_parts`] part by part: each part decoded on its own, and kept as
/// written when it is not UTF-8 once decoded.
fn join_decoded_parts(path: &str, lead: bool) -> Option<String> {
    let mut out = String::with_capacity(path.len() + 1);
    // Where each part kept so far begins, with the `/` before it.
    let mut starts: Vec<usize> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => out.truncate(starts.pop()?),
            part => {
                starts.push(out.len());
                if lead || !out.is_empty() {
                    out.push('/');
                }
                out.push_str(&decode_lossy(part));
            }
        }
    }
    Some(out)
}

/// The folder part of the address `from`: up to and with its last `/`.
pub(crate) fn folder_of(from: &str) -> &str {
    &from[..from.rfind('/').map_or(0, |i| i + 1)]
}

/// Adds `segments` to `parts`, dropping empty ones and `.`, and taking one
/// off for `..`; `None` when `..` climbs above the top.
fn push_segments<'a>(parts: &mut Vec<&'a str>, segments: impl IntoIterator<Item = &'a str>) -> Option<()> {
    for seg in segments {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(())
}

/// `mailto:`, `https:`: a scheme (a letter, then letters, digits, `+`, `.`
/// or `-`) before the first `:`.
pub(crate) fn has_scheme(url: &str) -> bool {
    // Read up to the first byte a scheme cannot hold, which must then be
    // the `:`: a search for the `:` read every link to its end (74,000
    // calls, 0.6% of the instructions of a cold build of 1,000 pages).
    let bytes = url.as_bytes();
    let len =
        bytes.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')).count();
    bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes.get(len) == Some(&b':')
}

/// Whether every `%` in `s` starts a two-digit hex escape.
fn escapes_are_whole(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
}

/// `%2e` -> `.`; `None` for a broken escape or bytes that are not UTF-8:
/// for what must be exact (a request to `serve`, an alias's output path).
pub(crate) fn decode(s: &str) -> Option<String> {
    if !escapes_are_whole(s) {
        return None;
    }
    percent_decode_str(s).decode_utf8().ok().map(|d| d.into_owned())
}

/// `%20` -> space, as browsers read a link: a broken escape is kept as
/// written, and so is the whole when the bytes are not UTF-8.
pub(crate) fn decode_lossy(s: &str) -> String {
    // Most links and fragments have no escape: a copy, without setting up
    // a decoder (a fifth of the cost of resolving a link; issue 16).
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return s.to_string();
    }
    match percent_decode_str(s).decode_utf8() {
        Ok(d) => d.into_owned(),
        Err(_) => s.to_string(),
    }
}

/// What [`encode_segment`] leaves as it is: RFC 3986's unreserved and
/// sub-delimiter characters, `:` and `@` (its `pchar`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// One path segment, percent-encoded for a URL (`über` -> `%C3%BCber`,
/// `a/b` -> `a%2Fb`).
pub(crate) fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Whether `path` is names separated by single `/`s, none of them `.` or
/// `..`: on Unix, a path whose parts (`Path::components`) are its
/// `/`-separated texts.
pub(crate) fn is_plain_path(path: &[u8]) -> bool {
    let mut start = 0;
    for end in memchr::memchr_iter(b'/', path).chain([path.len()]) {
        if matches!(&path[start..end], b"" | b"." | b"..") {
            return false;
        }
        start = end + 1;
    }
    true
}

/// Sorts `items` by their `path`s in `Path`'s order: part by part, each part
/// by its bytes, a part before a longer one it starts. Comparing paths so
/// takes hundreds of instructions a pair (they are parsed into their parts
/// each time); on Unix, when every path is plain ([`is_plain_path`]), they
/// are compared by their bytes with the separator below every other byte,
/// which orders them the same: at the first byte where two differ, a `/`
/// ends one's part while the other's goes on.
pub(crate) fn sort_by_path<T>(items: &mut [T], path: impl Fn(&T) -> &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        fn bytes(path: &Path) -> &[u8] {
            path.as_os_str().as_bytes()
        }
        if items.iter().all(|t| is_plain_path(bytes(path(t)))) {
            items.sort_by(|a, b| parts_order(bytes(path(a)), bytes(path(b))));
            return;
        }
    }
    items.sort_by(|a, b| path(a).cmp(path(b)));
}

/// How `Path` orders two plain paths ([`sort_by_path`]).
#[cfg(unix)]
fn parts_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let key = |byte: u8| if byte == b'/' { 0 } else { u16::from(byte) + 1 };
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(at) => key(a[at]).cmp(&key(b[at])),
        None => a.len().cmp(&b.len()),
    }
}

/// Whether an output file is an HTML page (`.html`, `.htm`, in any case).
pub(crate) fn is_html(path: &Path) -> bool {
    has_extension(path, &["html", "htm"])
}

/// Whether the extension of `path` ([`extension`]) is one of `any`,
/// compared without regard to case.
pub(crate) fn has_extension(path: &Path, any: &[&str]) -> bool {
    extension(path).is_some_and(|e| any.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// `path.file_name()`, found from the end of the path's bytes instead of
/// by parsing the path into its parts: the standard library's way took a
/// few percent of a one-page rebuild's instructions at 10,000 pages (every
/// source and output file is asked its name or extension; issue 16). Where
/// the last part is not plainly a name (`..`, a trailing separator, a
/// Windows drive) or not UTF-8, the standard library answers.
pub(crate) fn file_name(path: &Path) -> Option<&OsStr> {
    match plain_file_name(path).map(std::str::from_utf8) {
        Some(Ok(name)) => Some(OsStr::new(name)),
        _ => path.file_name(),
    }
}

/// `path.extension()`, of the name [`file_name`] finds: after its last
/// dot, unless that dot starts the name (`.htaccess` has none).
pub(crate) fn extension(path: &Path) -> Option<&OsStr> {
    let Some(name) = plain_file_name(path) else { return path.extension() };
    match memchr::memrchr(b'.', name) {
        None | Some(0) => None,
        Some(dot) => match std::str::from_utf8(&name[dot + 1..]) {
            Ok(extension) => Some(OsStr::new(extension)),
            Err(_) => path.extension(),
        },
    }
}

/// The bytes of the last part of `path`, if it is plainly a file's name.
fn plain_file_name(path: &Path) -> Option<&[u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let last =
        if cfg!(windows) { memchr::memrchr2(b'/', b'\\', bytes) } else { memchr::memrchr(b'/', bytes) };
    let name = &bytes[last.map_or(0, |at| at + 1)..];
    let drive = cfg!(windows) && name.contains(&b':');
    (!matches!(name, b"" | b"." | b"..") && !drive).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_names_between_single_separators() {
        for plain in ["a", "a/b.html", "a b/-x/~y", "é/.hidden/x..y"] {
            assert!(is_plain_path(plain.as_bytes()), "{plain}");
        }
        for odd in ["", "/a", "a/", "a//b", "./a", "a/./b", "a/..", "..", "."] {
            assert!(!is_plain_path(odd.as_bytes()), "{odd:?}");
        }
    }

    /// Plain or not, paths are sorted as `Path` orders them: part by part,
    /// so `a/b` before `a-b` and `a` before `a.b/c`.
    #[test]
    fn paths_are_sorted_as_paths_order_them() {
        let names =
            ["a", "a-b", "a.b", "a b", "a/b", "a/b/c", "a-b/c", "ab", "a/b-c", "a/bc", "b", "a!", "é", "A"];
        let mut paths: Vec<PathBuf> = Vec::new();
        for (n, first) in names.iter().enumerate() {
            paths.extend(names.iter().skip(n % 4).map(|second| PathBuf::from(format!("{first}/{second}"))));
            paths.push(PathBuf::from(first));
        }
        paths.reverse();
        for odd in [None, Some("a//b"), Some("./a")] {
            paths.extend(odd.map(PathBuf::from));
            let mut by_path = paths.clone();
            by_path.sort();
            let mut sorted = paths.clone();
            sort_by_path(&mut sorted, |p| p);
            assert_eq!(sorted, by_path, "with {odd:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            for x in names {
                for y in names {
                    let (a, b) = (Path::new(x), Path::new(y));
                    let order = parts_order(a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
                    assert_eq!(order, a.cmp(b), "{x} against {y}");
                }
            }
        }
    }

    #[test]
    fn file_names_and_extensions_are_the_standard_librarys() {
        for path in [
            "content/care/aftercare.md",
            "aftercare.md",
            "content/news/_index.es.md",
            "a/b.tar.gz",
            "a/.htaccess",
            "a/..b",
            "a/.b.",
            "a/b.",
            "noext",
            "a/b/",
            "a/b/.",
            "a/..",
            "..",
            ".",
            "/",
            "",
            "/abs/x.HTML",
            "a//b.md",
            "über/straße.md",
        ] {
            let p = Path::new(path);
            assert_eq!(file_name(p), p.file_name(), "file name of {path:?}");
            assert_eq!(extension(p), p.extension(), "extension of {path:?}");
        }
        // A name that is not UTF-8 is the standard library's to read.
        #[cfg(unix)]
        for bytes in [&b"a/caf\xe9.md"[..], b"caf\xe9", b"a/b.\xe9", b"\xe9/b.md"] {
            let p = Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes));
            assert_eq!(file_name(p), p.file_name(), "file name of {bytes:?}");
            assert_eq!(extension(p), p.extension(), "extension of {bytes:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Washing your hair"), "washing-your-hair");
        assert_eq!(slugify("  Risks & side-effects!  "), "risks-side-effects");
        assert_eq!(slugify("The patient's guide"), "the-patients-guide");
        assert_eq!(slugify("Über uns"), "über-uns");
        assert_eq!(slugify("???"), "");
        // Already a slug, or nearly one.
        for (name, slug) in [("page-0042-care", "page-0042-care"), ("a", "a"), ("7", "7"), ("", "")] {
            assert_eq!(slugify(name), slug);
        }
        for (name, slug) in [("-a", "a"), ("a-", "a"), ("a--b", "a-b"), ("a-B", "a-b"), ("a_b", "a-b")] {
            assert_eq!(slugify(name), slug);
        }
    }

    #[test]
    fn a_scheme_is_a_letter_then_letters_digits_plus_dot_or_dash_before_the_first_colon() {
        for url in
            ["https://example.org/", "mailto:a@b.c", "tel:+441234", "x:", "web+app:x", "a1.b-c:d", "A:b"]
        {
            assert!(has_scheme(url), "{url}");
        }
        for url in [
            "",
            ":x",
            "1http://a",
            "/care/",
            "care/aftercare.md",
            "#risks",
            "//cdn.example/a.js",
            "a b:c",
            "care/a:b",
            "ä:b",
            "a_b:c",
            "https",
            "?q=a:b",
        ] {
            assert!(!has_scheme(url), "{url}");
        }
    }

    #[test]
    fn paths_mirror_files() {
        let p = |s: &str, slug: Option<&str>| page_path(Path::new(s), slug);
        assert_eq!(p("content/index.md", None).unwrap(), "/");
        assert_eq!(p("content/about.md", None).unwrap(), "/about/");
        assert_eq!(p("content/care/index.md", None).unwrap(), "/care/");
        assert_eq!(p("content/care/After Care.md", None).unwrap(), "/care/after-care/");
        assert_eq!(p("content/care/aftercare.md", Some("post-care")).unwrap(), "/care/post-care/");
        assert_eq!(p("content/news/_index.md", None).unwrap(), "/news/");
        assert_eq!(p("content/guides/INDEX.md", None).unwrap(), "/guides/");
        assert_eq!(p("content/a.b.md", None).unwrap(), "/a-b/");
        assert_eq!(p("content/content/a.md", None).unwrap(), "/content/a/", "only the first is the folder");
        assert!(p("content/a.md", Some("../evil")).is_err());
        assert!(p("content/index.md", Some("home")).is_err());
        assert!(p("content/!!!.md", None).is_err());
        // As written, a slug keeps case and `_` but is still one part.
        let w = |s: &str, slug: Option<&str>| page_path_as(Path::new(s), slug, UrlStyle::AsWritten);
        assert_eq!(w("content/commands/hugo_build.md", Some("Hugo_Build")).unwrap(), "/commands/Hugo_Build/");
        assert_eq!(w("content/.notes.md", None).unwrap(), "/.notes/", "a leading dot is part of the name");
        // Lower case, as Hugo writes addresses: `_` and `.` kept.
        let l = |s: &str, slug: Option<&str>| page_path_as(Path::new(s), slug, UrlStyle::Lowercase);
        assert_eq!(l("content/Functions/Time/Format_V1.2.md", None).unwrap(), "/functions/time/format_v1.2/");
        assert_eq!(l("content/a.md", Some("hugo_build")).unwrap(), "/hugo_build/");
        assert_eq!(l("content/a.md", Some("Hugo_Build")).unwrap(), "/hugo_build/");
        assert!(l("content/a.md", Some("a b")).is_err());
        assert!(p("content/a.md", Some("hugo_build")).is_err());
        for bad in ["a/b", "a b", "..", "x#y"] {
            assert!(w("content/a.md", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_as_written_keep_each_name() {
        let p = |s: &str| page_path_as(Path::new(s), None, UrlStyle::AsWritten);
        assert_eq!(p("content/docs/Web/API/Foo_Bar.md").unwrap(), "/docs/Web/API/Foo_Bar/");
        assert_eq!(p("content/3d_model/index.md").unwrap(), "/3d_model/");
        assert_eq!(p("content/v1.2/Read Me.md").unwrap(), "/v1.2/Read-Me/");
        assert_eq!(p("content/Über/index.md").unwrap(), "/Über/");
        let slugged = page_path_as(Path::new("content/3d_model/index.md"), None, UrlStyle::Slugs);
        assert_eq!(slugged.unwrap(), "/3d-model/");
        let why = p("content/C#/intro.md").unwrap_err();
        assert!(why.starts_with("`C#` holds `#`, which an address cannot hold"), "{why}");
        assert!(p("content/100%.md").is_err());
        // A slug is what the message offers: the file's own name is then not used.
        let slugged = page_path_as(Path::new("content/Guides/C#.md"), Some("CSharp"), UrlStyle::AsWritten);
        assert_eq!(slugged.unwrap(), "/Guides/CSharp/");
    }

    #[test]
    fn a_page_s_own_files_follow_its_folder() {
        let pages = ["content/3d_model/index.md", "content/Care_Guides/sub/a.md", "content/top.md"];
        let folders = page_folders(pages.iter().map(Path::new));
        let mut sorted: Vec<&str> = folders.iter().map(String::as_str).collect();
        sorted.sort();
        assert_eq!(sorted, ["3d_model", "Care_Guides", "Care_Guides/sub"]);
        let out = |key: &str, style| asset_output(key, &folders, style);
        assert_eq!(out("3d_model/photo.png", UrlStyle::Slugs), "3d-model/photo.png");
        // A folder with no page keeps its name, at any depth.
        assert_eq!(out("3d_model/Raw_Scans/a b.png", UrlStyle::Slugs), "3d-model/Raw_Scans/a b.png");
        assert_eq!(out("Care_Guides/sub/Flow_1.PNG", UrlStyle::Slugs), "care-guides/sub/Flow_1.PNG");
        assert_eq!(out("Images_Old/x.png", UrlStyle::Slugs), "Images_Old/x.png");
        assert_eq!(out("consent.pdf", UrlStyle::Slugs), "consent.pdf");
        assert_eq!(out("3d_model/photo.png", UrlStyle::AsWritten), "3d_model/photo.png");
    }

    #[test]
    fn links_without_md_name_pages_by_their_file() {
        assert_eq!(source_address("care/aftercare.md"), "care/aftercare");
        assert_eq!(source_address("care/aftercare/index.md"), "care/aftercare");
        assert_eq!(source_address("news/_index.md"), "news");
        assert_eq!(source_address("index.md"), "");
        assert_eq!(source_address("v1.2/setup.markdown"), "v1.2/setup");
    }

    #[test]
    fn relative_urls_work_from_any_depth() {
        assert_eq!(relative_url("/", "/"), "./");
        assert_eq!(relative_url("/", "/about/"), "about/");
        assert_eq!(relative_url("/about/", "/"), "../");
        assert_eq!(relative_url("/care/aftercare/", "/risks/"), "../../risks/");
        assert_eq!(relative_url("/care/aftercare/", "/care/other/"), "../other/");
        assert_eq!(relative_url("/care/", "/care/aftercare/#washing"), "aftercare/#washing");
        assert_eq!(relative_url("/about/", "/about/#x"), "./#x");
        assert_eq!(relative_url("/a/b/", "/style.css"), "../../style.css");
        assert_eq!(relative_url("/a/", "/images/x.png"), "../images/x.png");
    }

    /// Every path of up to `depth` of `parts`, each after a `/`.
    fn paths_of(parts: &[&str], depth: usize) -> Vec<String> {
        let mut paths = vec![String::new()];
        for _ in 0..depth {
            let longer: Vec<String> =
                paths.iter().flat_map(|p| parts.iter().map(move |part| format!("{p}/{part}"))).collect();
            paths.extend(longer);
        }
        paths.sort();
        paths.dedup();
        paths
    }

    #[test]
    fn relative_urls_are_made_folder_by_folder() {
        // Every address of up to three parts from these, as a page's
        // folder and as a link's target, with and without the slashes a
        // site writes.
        let parts = ["", "a", "ab", "b", "x.css", "#f", "?q=/a", ".."];
        let paths = paths_of(&parts, 3);
        let mut compared = 0;
        for from in &paths {
            for to in &paths {
                for (from, to) in [(from.clone(), to.clone()), (format!("{from}/"), format!("{to}/"))] {
                    if let Some(quick) = by_common_start(&from, &to) {
                        assert_eq!(quick, by_folders(&from, &to), "{from} {to}");
                        compared += 1;
                    }
                }
            }
        }
        // Every address above that starts with one `/` and has no `//`.
        assert!(compared > 100_000, "{compared}");
    }

    #[test]
    fn permalinks_and_base_paths() {
        assert_eq!(permalink("https://example.org/clinic/", "/care/"), "https://example.org/clinic/care/");
        assert_eq!(permalink("https://example.org/", "/"), "https://example.org/");
        assert_eq!(base_path("https://example.org/clinic/"), "/clinic/");
        assert_eq!(base_path("https://example.org"), "/");
    }

    /// [`site_path`] and [`output_path`] as first written: each part
    /// collected, decoded and joined, one string at a time.
    fn site_path_by_parts(from: &str, url: &str) -> Option<String> {
        let path = url.split(['#', '?']).next().unwrap_or(url);
        let joined =
            if path.starts_with('/') { path.to_string() } else { format!("{}{path}", folder_of(from)) };
        let folder = joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..");
        let mut parts: Vec<&str> = Vec::new();
        push_segments(&mut parts, joined.split('/'))?;
        let parts: Vec<String> = parts.into_iter().map(decode_lossy).collect();
        let mut out = format!("/{}", parts.join("/"));
        if folder && out != "/" {
            out.push('/');
        }
        Some(out)
    }

    fn output_path_by_parts(site_path: &str) -> Option<String> {
        let segments: Vec<&str> = site_path.split('/').skip(1).collect();
        let folder = site_path.ends_with('/') || matches!(segments.last(), Some(&"." | &".."));
        let mut parts: Vec<&str> = Vec::new();
        push_segments(&mut parts, segments)?;
        let mut out = parts.into_iter().map(decode_lossy).collect::<Vec<_>>().join("/");
        if folder && !out.is_empty() {
            out.push('/');
        }
        Some(out)
    }

    #[test]
    fn paths_are_resolved_as_part_by_part() {
        // Every path of up to four parts from these, with and without a
        // leading and a trailing slash, from two pages.
        let parts = [
            "",
            ".",
            "..",
            "...",
            ".a",
            "a",
            "%C3%BCber",
            "my%20scan.png",
            "%2F",
            "%zz",
            "b c",
            "%FF",
            "%C3",
            "%BC",
        ];
        let paths = paths_of(&parts, 4);
        for path in &paths {
            let relative = path.trim_start_matches('/');
            for written in [path.as_str(), relative, &format!("{path}/"), &format!("{relative}#x")] {
                assert_eq!(output_path(written), output_path_by_parts(written), "{written}");
                if !written.is_empty() && !written.starts_with('/') {
                    for from in [
                        "/",
                        "/care/aftercare/",
                        "/a%20b/c/x.html",
                        "/a/./b/",
                        "/.x/",
                        "//a/",
                        "/a/../../",
                        "/a//b/",
                        "a/b/",
                        "/a/b",
                    ] {
                        assert_eq!(
                            output_path_relative(from, written),
                            output_path(&[folder_of(from), written].concat()),
                            "{from} {written}"
                        );
                    }
                }
                for from in ["/", "/care/aftercare/"] {
                    assert_eq!(
                        site_path(from, written),
                        site_path_by_parts(from, written),
                        "{from} {written}"
                    );
                }
            }
        }
    }

    #[test]
    fn aliases_cannot_escape() {
        assert_eq!(alias_output("/old/").unwrap(), Path::new("old/index.html"));
        assert_eq!(alias_output("old-page").unwrap(), Path::new("old-page/index.html"));
        assert_eq!(alias_output("/old.html").unwrap(), Path::new("old.html"));
        for evil in [
            "/../x/",
            "/a/../../x",
            "%2e%2e/x",
            "/%2E%2E/%2e%2e/etc",
            "..\\x",
            "C:/x",
            "/",
            "%zz",
            "%00x",
            "%5c",
        ] {
            assert!(alias_output(evil).is_err(), "{evil}");
        }
    }

    #[test]
    fn markdown_links_name_content_paths() {
        assert_eq!(resolve_source("care", "../risks.md").as_deref(), Some("risks.md"));
        assert_eq!(resolve_source("", "../x.md"), None);
        assert_eq!(resolve_source("care", "/content/a.md").as_deref(), Some("a.md"));
        assert_eq!(content_dir(Path::new("content/care/a.md")), "care");
        assert_eq!(content_key(Path::new("content/care/a.md")), "care/a.md");
        assert_eq!(content_key(Path::new("content/a.md")), "a.md");
        assert_eq!(content_key(Path::new("contents/a.md")), "contents/a.md");
        assert_eq!(content_key(Path::new("content")), "");
    }

    #[test]
    fn a_page_is_written_as_the_index_of_its_folder() {
        assert_eq!(page_output("/"), Path::new("index.html"));
        assert_eq!(page_output("/care/after/"), Path::new("care").join("after").join("index.html"));
        assert_eq!(page_output("//a//b"), Path::new("a").join("b").join("index.html"));
    }

    #[test]
    fn addresses_resolve_against_the_page() {
        assert_eq!(site_path("/a/", "../%C3%BCber/#x").as_deref(), Some("/über/"));
        assert_eq!(site_path("/care/x/", "../y?q").as_deref(), Some("/care/y"));
        assert_eq!(site_path("/", "../y/"), None);
        assert_eq!(output_path("/a/./b/../c/").as_deref(), Some("a/c/"));
        assert_eq!(output_path("/my%20scan.png").as_deref(), Some("my scan.png"));
        assert_eq!(output_path("/a/.."), Some(String::new()));
        assert_eq!(output_path("/.."), None);
    }

    #[test]
    fn percent_encoding_both_ways() {
        assert_eq!(decode("%2e%2E/%C3%BC").as_deref(), Some("../ü"));
        for broken in ["%", "%z1", "a%2", "%FF"] {
            assert_eq!(decode(broken), None, "{broken}");
        }
        assert_eq!(decode_lossy("a%20b%zz"), "a b%zz");
        assert_eq!(decode_lossy("%FF"), "%FF");
        assert_eq!(encode_segment("über a/b:c@d~"), "%C3%BCber%20a%2Fb:c@d~");
        assert_eq!(decode(&encode_segment("ü ?#%")).as_deref(), Some("ü ?#%"));
    }
}
