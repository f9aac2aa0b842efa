//! Which files of the output folder are dotwork's: the mark it leaves there,
//! and the decision whether a build may replace what the folder holds.
//!
//! Every build writes [`MARK`] into the output: a signature line, then the
//! path of every file it wrote. The next build removes only those (and the
//! files it writes anew); anything else in the folder is *foreign*, and the
//! build refuses to run until the owner moves it or passes `--force`
//! (issue 9: `--output ~/Documents` used to wipe the folder). `.git` and
//! `CNAME` at the top of the folder (a deploy checkout, GitHub Pages' custom
//! domain) are never foreign: they are carried over into every new output.

use crate::collections::HashSet;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, percent_encode};

use crate::error::{Diagnostic, Error};

/// The file in the output folder that says dotwork made it, and lists what it wrote.
pub const MARK: &str = ".dotwork-output";

/// Top-level entries of the output folder that dotwork keeps across builds
/// and never deletes, even with `--force`.
pub const KEPT: [&str; 2] = [".git", "CNAME"];

/// The first line of [`MARK`].
const SIGNATURE: &str = "# dotwork output: this folder is made by `dotwork build`.";

/// Bytes written as `%XX` in [`MARK`]: controls (a newline would split an
/// entry), `%` itself and `#` (a line starting with it is a comment).
const ESCAPED: &AsciiSet = &CONTROLS.add(b'%').add(b'#');

/// Names of the temporary folders a build makes (`.public.dotwork-tmp-*`
/// beside the output, `.dotwork-tmp-*` inside it on a mount point).
pub(super) const TMP_MARK: &str = ".dotwork-tmp-";

/// What a build may do with the folder it writes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Files in the folder that are dotwork's: replaced or removed.
    pub owned: BTreeSet<PathBuf>,
    /// Foreign files, folders and links that `--force` lets the build remove.
    pub forced: Vec<PathBuf>,
}

/// What the output folder holds now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holding {
    /// The files listed by its mark; `None` when it has no (valid) mark.
    pub marked: Option<BTreeSet<PathBuf>>,
    /// Every file, link and empty folder in it, relative, apart from the
    /// mark and the [`KEPT`] entries; at most the first few foreign ones when
    /// the listing stopped early.
    pub entries: Vec<PathBuf>,
    /// True when the listing stopped early (enough foreign entries to refuse).
    pub more: bool,
}

/// How many foreign entries a refusal names.
const NAMED: usize = 5;

/// Reads the mark and lists the folder at `dir` (which may be missing).
/// Without `force` the listing stops after a few foreign entries, so a
/// refused home folder is not walked to the end. On a `mount` point, the
/// disk's own `lost+found` is left alone too (its files are replaced in
/// place, so it is never removed). When `known` gives the folder's files
/// (the build cache can tell that it holds only those the last build
/// wrote, `LastBuild::files`), it is not listed and its mark not read.
pub fn survey(
    dir: &Path,
    new: &BTreeSet<PathBuf>,
    force: bool,
    mount: bool,
    known: Option<&super::KnownFiles<'_>>,
) -> Result<Holding, Error> {
    if let Some(entries) = known.and_then(|known| known(dir)) {
        log::debug!("the output holds only what the last build wrote (its folders as stamped): not listed");
        let marked = set_like(&entries, new);
        return Ok(Holding { marked: Some(marked), entries, more: false });
    }
    let marked = read_mark(dir, new)?;
    let mut holding = Holding::default();
    if !dir.is_dir() {
        return Ok(Holding { marked, ..holding });
    }
    let mut foreign = 0;
    // Looked up by hash of their bytes: ordering paths compares them part
    // by part, and hashing one hashes each part (all are plain relative
    // paths, so the same path is the same bytes).
    let ours: HashSet<&OsStr> = marked.as_ref().unwrap_or(new).iter().map(|p| p.as_os_str()).collect();
    let mut record = |holding: &mut Holding, rel: PathBuf| {
        let owned = ours.contains(rel.as_os_str());
        foreign += usize::from(!owned);
        holding.entries.push(rel);
        holding.more = !force && foreign > NAMED;
        holding.more
    };
    let skipped = |name: &OsStr| is_reserved_top(name, marked.is_some()) || mount && name == "lost+found";
    if marked.is_some() {
        // dotwork's own folder (10,000 pages are 10,000 folders): listed on
        // every core, then taken in the order of the walk below, so what is
        // named and where the listing stops are the same.
        let top = (PathBuf::new(), true);
        let list = |(rel, _): &(PathBuf, bool)| list_folder(dir, rel, &skipped);
        let listed = crate::walk::in_walk_order(&top, list, |(_, folder)| *folder)
            .map_err(Error::io("read folder", dir))?;
        let mut listed = listed.into_iter().peekable();
        while let Some((rel, folder)) = listed.next() {
            // A folder is named only when empty: when what follows is not in it.
            if folder && listed.peek().is_some_and(|(next, _)| is_in(next, &rel)) {
                continue;
            }
            if record(&mut holding, rel) {
                break;
            }
        }
        return Ok(Holding { marked, ..holding });
    }
    // Someone else's folder (a home folder given as --output): walked one
    // entry at a time, stopping after a few foreign ones.
    let walk =
        walkdir::WalkDir::new(dir).min_depth(1).follow_links(false).sort_by(crate::source::by_file_name);
    let mut it = walk.into_iter();
    // A folder's entries come right after it, so a folder is empty when the
    // next entry is not one level deeper.
    let mut last_dir: Option<(PathBuf, usize)> = None;
    loop {
        let entry = it.next().transpose().map_err(|e| Error::io("read folder", dir)(io::Error::other(e)))?;
        let depth = entry.as_ref().map_or(0, walkdir::DirEntry::depth);
        if let Some((empty, _)) = last_dir.take().filter(|(_, d)| depth <= *d)
            && record(&mut holding, empty)
        {
            break;
        }
        let Some(entry) = entry else { break };
        if depth == 1 && skipped(entry.file_name()) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf();
        if entry.file_type().is_dir() {
            last_dir = Some((rel, depth));
        } else if record(&mut holding, rel) {
            break;
        }
    }
    Ok(Holding { marked, ..holding })
}

/// The entries of the folder `rel` of `dir`, by name, each with its path
/// relative to `dir` and whether it is a folder (links are not followed);
/// at the top, the entries `skipped` names are left out.
fn list_folder(
    dir: &Path,
    rel: &Path,
    skipped: &(dyn Fn(&OsStr) -> bool + Sync),
) -> io::Result<Vec<(PathBuf, bool)>> {
    let top = rel.as_os_str().is_empty();
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let name = entry.file_name();
        if top && skipped(&name) {
            continue;
        }
        entries.push((name, entry.file_type()?.is_dir()));
    }
    // By name, as `stamp_entries` sorts a folder's stamps: the paths share
    // `rel`, and ordering them would compare it again part by part.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(entries.into_iter().map(|(name, folder)| (rel.join(name), folder)).collect())
}

/// Whether `path`, an entry listed by [`list_folder`], is in the folder
/// `folder` (as `Path::starts_with`, without taking both apart).
fn is_in(path: &Path, folder: &Path) -> bool {
    let (path, folder) = (path.as_os_str().as_encoded_bytes(), folder.as_os_str().as_encoded_bytes());
    path.starts_with(folder) && path.get(folder.len()).is_some_and(|&b| std::path::is_separator(b.into()))
}

/// `.git`, `CNAME`, and in a marked folder the mark and leftover staging
/// folders of dotwork's: skipped when a folder is listed. (A file named like
/// the mark but without its signature is someone else's.)
fn is_reserved_top(name: &OsStr, marked: bool) -> bool {
    KEPT.iter().any(|k| name == *k)
        || (marked && (name == MARK || name.to_str().is_some_and(|n| n.starts_with(TMP_MARK))))
}

/// Decides what a build writing `new` into the folder `shown` may remove.
///
/// - a missing or empty folder (or one with only `.git` and `CNAME`): nothing to remove;
/// - a marked folder: the files its mark lists; anything else needs `force`;
/// - a folder without a mark, as the first versions of dotwork left
///   `public/`: taken as dotwork's when it holds `sitemap.xml` and
///   `robots.txt` and nothing at a path this build does not write (so
///   nothing of anyone else's is lost); anything else needs `force`.
pub fn claim(holding: Holding, new: &BTreeSet<PathBuf>, force: bool, shown: &Path) -> Result<Claim, Error> {
    let (owned, foreign): (BTreeSet<PathBuf>, Vec<PathBuf>) = match holding.marked {
        Some(marked) => {
            // By hash of their bytes, as in `survey`.
            let ours: HashSet<&OsStr> = marked.iter().map(|p| p.as_os_str()).collect();
            let foreign = holding.entries.iter().filter(|e| !ours.contains(e.as_os_str())).cloned().collect();
            drop(ours);
            (marked, foreign)
        }
        None => {
            let foreign: Vec<PathBuf> =
                holding.entries.iter().filter(|e| !new.contains(*e)).cloned().collect();
            let made_by_dotwork = ["sitemap.xml", "robots.txt"]
                .iter()
                .all(|f| holding.entries.iter().any(|e| e == Path::new(f)));
            if foreign.is_empty() && !holding.more && (made_by_dotwork || holding.entries.is_empty()) {
                (holding.entries.iter().cloned().collect(), Vec::new())
            } else {
                return refuse_unmarked(&holding, &foreign, force, shown);
            }
        }
    };
    if foreign.is_empty() || force {
        return Ok(Claim { owned, forced: foreign });
    }
    Err(Error::Site(vec![
        Diagnostic::error(
            shown,
            format!("the output folder holds files dotwork did not write: {}", list(&foreign, holding.more)),
        )
        .with_help(
            "a build would delete them, so it stops here; to publish a file with the site, put it in \
             static/; to delete them, run `dotwork build --force` (it keeps .git and CNAME)",
        ),
    ]))
}

fn refuse_unmarked(
    holding: &Holding,
    foreign: &[PathBuf],
    force: bool,
    shown: &Path,
) -> Result<Claim, Error> {
    if force {
        return Ok(Claim { owned: BTreeSet::new(), forced: holding.entries.clone() });
    }
    // Name what is not the site's first: that is what a build would lose.
    let named = if foreign.is_empty() { &holding.entries } else { foreign };
    let foreign: Vec<PathBuf> = named.iter().take(NAMED).cloned().collect();
    Err(Error::Site(vec![
        Diagnostic::error(
            shown,
            format!(
                "the output folder is not empty and was not made by dotwork: it holds {}",
                list(&foreign, holding.more || named.len() > NAMED)
            ),
        )
        .with_help(
            "a build replaces everything in its output folder, so it stops here; choose a new or empty \
             folder with --output, or, to delete what this one holds (all but .git and CNAME), run \
             `dotwork build --force`",
        ),
    ]))
}

fn list(paths: &[PathBuf], more: bool) -> String {
    let mut s = paths.iter().take(NAMED).map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    if more || paths.len() > NAMED {
        s.push_str(" and more");
    }
    s
}

/// The files the mark in `dir` lists; `None` when there is no mark, or the
/// file of that name is not one (a foreign file of the same name). `like`
/// is what it most likely lists (the files of this build), used if it is.
pub fn read_mark(dir: &Path, like: &BTreeSet<PathBuf>) -> Result<Option<BTreeSet<PathBuf>>, Error> {
    let path = dir.join(MARK);
    match fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => {}
        _ => return Ok(None),
    }
    let text = fs::read(&path).map_err(Error::io("read", &path))?;
    let text = String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(parse_mark(&text, like))
}

/// Whether the folder `dir` holds a mark (without reading the list in it).
pub fn has_mark(dir: &Path) -> bool {
    let path = dir.join(MARK);
    // Not through a link, as `read_mark`.
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = fs::File::open(&path) else { return false };
    // The signature and what ends its line, enough for `signed`.
    let mut start = Vec::with_capacity(SIGNATURE.len() + 2);
    if file.take(SIGNATURE.len() as u64 + 2).read_to_end(&mut start).is_err() {
        return false;
    }
    signed(&String::from_utf8_lossy(&start))
}

/// Whether the first line of `text` is the mark's signature.
fn signed(text: &str) -> bool {
    text.lines().next() == Some(SIGNATURE)
}

/// The text of a mark listing `files`.
pub fn mark_text<'p>(files: impl Iterator<Item = &'p PathBuf>) -> String {
    let mut text = format!(
        "{SIGNATURE}\n# It lists the files that build wrote: the next build replaces or removes only these.\n"
    );
    for file in files {
        // A path of plain names that escape nothing (on Unix, where `/`
        // is its only separator) is written as it is.
        if let Some(plain) = file.to_str().filter(|f| cfg!(unix) && writes_as_is(f)) {
            text.push_str(plain);
            text.push('\n');
            continue;
        }
        // Written into the text part by part: a string for each part, and
        // their join, took half of its instructions.
        for (n, part) in file.components().enumerate() {
            if n > 0 {
                text.push('/');
            }
            text.extend(percent_encode(part.as_os_str().as_encoded_bytes(), ESCAPED));
        }
        text.push('\n');
    }
    text
}

/// Whether `path` is written into a mark as it is: names of printable
/// ASCII that [`ESCAPED`] leaves alone, separated by single `/`s, none
/// `.` or `..` (its parts are then its `/`-separated texts).
fn writes_as_is(path: &str) -> bool {
    let bytes = path.as_bytes();
    // Every byte looked at, without stopping early: a loop the compiler
    // makes wide (asked byte by byte, 1,200 instructions a path).
    let escapes =
        bytes.iter().fold(false, |any, &b| any | !matches!(b, b' '..=b'~') | (b == b'%') | (b == b'#'));
    !escapes && crate::url::is_plain_path(bytes)
}

/// The files a mark's text lists, each a plain relative path (a line that
/// is not one is ignored, so a mark can never name a file outside its
/// folder); `None` without the signature. `like` as in [`read_mark`].
pub fn parse_mark(text: &str, like: &BTreeSet<PathBuf>) -> Option<BTreeSet<PathBuf>> {
    if !signed(text) {
        return None;
    }
    let lines = text.lines().skip(1).filter(|l| !l.is_empty() && !l.starts_with('#'));
    // Most names escape nothing: checked part by part, made at once.
    let plain = |l: &str| !l.contains('%') && crate::url::is_plain_path(l.as_bytes());
    if cfg!(unix) && lists_exactly(lines.clone(), like, plain) {
        return Some(like.clone());
    }
    let files: Vec<PathBuf> = lines
        .filter_map(|l| {
            if !l.contains('%') {
                return plain(l)
                    .then(|| PathBuf::from(l))
                    .filter(|p| cfg!(unix) || super::is_plain_relative(p));
            }
            let mut path = PathBuf::new();
            for part in l.split('/') {
                path.push(os_from_bytes(percent_decode_str(part).collect())?);
            }
            super::is_plain_relative(&path).then_some(path)
        })
        .filter(|p| !is_reserved(p))
        .collect();
    Some(set_like(&files, like))
}

/// Whether the mark's `lines` are the files `like`, in order, each as it
/// is (`plain`) and none reserved: what [`parse_mark`] would make of them,
/// seen without making a path of each line (10,000 paths were 2% of a
/// one-page rebuild's instructions at 10,000 pages).
fn lists_exactly<'t>(
    mut lines: impl Iterator<Item = &'t str>,
    like: &BTreeSet<PathBuf>,
    plain: impl Fn(&str) -> bool,
) -> bool {
    let mut like = like.iter();
    loop {
        match (lines.next(), like.next()) {
            (None, None) => return true,
            (Some(line), Some(file))
                if line.as_bytes() == file.as_os_str().as_encoded_bytes()
                    && plain(line)
                    && !is_reserved(file) => {}
            _ => return false,
        }
    }
}

/// The set of `files` (in a set's order, as a mark lists them): `like`
/// copied when they are its files. Making a set of 10,000 paths compares
/// each with the next part by part; seeing that two lists are the same
/// compares their bytes.
pub(super) fn set_like(files: &[PathBuf], like: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    if files.iter().eq(like) { like.clone() } else { files.iter().cloned().collect() }
}

#[cfg(unix)]
fn os_from_bytes(bytes: Vec<u8>) -> Option<std::ffi::OsString> {
    use std::os::unix::ffi::OsStringExt;
    // A decoded `/` would make two components out of one.
    let plain = !bytes.is_empty() && !bytes.contains(&b'/') && bytes != b"." && bytes != b"..";
    plain.then(|| std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn os_from_bytes(bytes: Vec<u8>) -> Option<std::ffi::OsString> {
    let s = String::from_utf8(bytes).ok()?;
    let plain = !s.is_empty() && !s.contains(['/', '\\']) && s != "." && s != "..";
    plain.then(|| s.into())
}

/// True for a path where dotwork keeps its own or a deploy checkout's
/// files: `.git`, the mark, its temporary folders, or inside `CNAME`.
pub fn is_reserved(path: &Path) -> bool {
    let mut parts = path.components();
    let first = parts.next().map(|c| c.as_os_str());
    first.is_some_and(|f| {
        f == ".git"
            || f == MARK
            || f.to_str().is_some_and(|f| f.starts_with(TMP_MARK))
            || (f == "CNAME" && parts.next().is_some())
    })
}

/// Refuses output paths that would land on what dotwork keeps for itself or
/// for a deploy checkout ([`is_reserved`]).
pub fn check_reserved<'p>(paths: impl Iterator<Item = &'p PathBuf>, shown: &Path) -> Result<(), Error> {
    let clashes: Vec<Diagnostic> = paths
        .filter(|p| is_reserved(p))
        .map(|p| {
            Diagnostic::error(shown.join(p), "the site would write a file where dotwork keeps its own")
                .with_help(format!(
                    "rename the page, alias or static file that makes `{}`; `.git`, `{MARK}` and \
                     `CNAME/` at the top of the site are kept for deploy checkouts and dotwork",
                    p.display()
                ))
        })
        .collect();
    Error::from_diagnostics(clashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    fn holding(marked: Option<&[&str]>, entries: &[&str]) -> Holding {
        Holding { marked: marked.map(set), entries: entries.iter().map(PathBuf::from).collect(), more: false }
    }

    #[test]
    fn the_mark_round_trips_any_file_name() {
        let files = set(&["index.html", "a b/c#d%e.html", "new\nline.txt", "ünï/cödé.html"]);
        let text = mark_text(files.iter());
        assert!(text.starts_with(SIGNATURE), "{text}");
        assert_eq!(text.lines().count(), 2 + files.len(), "{text}");
        assert_eq!(parse_mark(&text, &BTreeSet::new()), Some(files));
    }

    /// Plain names are written as they are, the others part by part with
    /// their bytes escaped: the same text either way.
    #[test]
    fn a_mark_writes_plain_names_as_they_are_and_escapes_the_rest() {
        let files = set(&["a b/c.html", "a-b/~x_(1).txt", "c#d.html", "e%f", "é/x.html", "tab\there"]);
        let lines: Vec<String> = mark_text(files.iter()).lines().skip(2).map(str::to_string).collect();
        assert_eq!(
            lines,
            ["a b/c.html", "a-b/~x_(1).txt", "c%23d.html", "e%25f", "tab%09here", "%C3%A9/x.html"]
        );
        for plain in ["a b/c.html", "a-b/~x_(1).txt", "index.html"] {
            assert!(writes_as_is(plain), "{plain}");
        }
        for odd in ["c#d.html", "e%f", "é/x", "a//b", "./a", "a/..", "/a", "a/", "tab\there", ""] {
            assert!(!writes_as_is(odd), "{odd:?}");
        }
    }

    #[test]
    fn a_mark_never_names_a_file_outside_its_folder() {
        let text = format!(
            "{SIGNATURE}\n../../etc/passwd\n/etc/passwd\na/./b\na%2F..%2F..%2Fx\n.git/config\nok.html\n"
        );
        assert_eq!(parse_mark(&text, &BTreeSet::new()), Some(set(&["ok.html"])));
        assert_eq!(parse_mark("index.html\n", &BTreeSet::new()), None, "no signature, no mark");
    }

    /// The files a build expects (`like`) are taken as the mark's only when
    /// its lines are exactly they: a line refused, escaped, or left out
    /// gives what the lines say.
    #[test]
    fn a_mark_is_read_the_same_whether_or_not_it_lists_the_files_expected() {
        let files = set(&["a b%.html", "b/index.html", "index.html"]);
        let text = mark_text(files.iter());
        assert_eq!(parse_mark(&text, &files), Some(files.clone()));
        assert_eq!(parse_mark(&text, &BTreeSet::new()), Some(files.clone()));
        let fewer = set(&["b/index.html", "index.html"]);
        assert_eq!(parse_mark(&mark_text(fewer.iter()), &files), Some(fewer.clone()));
        assert_eq!(parse_mark(&text, &fewer), Some(files.clone()));
        // Lines a mark may not hold are dropped even when expected.
        let refused = set(&[".git/config", "index.html"]);
        let text = format!("{SIGNATURE}\n.git/config\nindex.html\n");
        assert_eq!(parse_mark(&text, &refused), Some(set(&["index.html"])));
        let text = format!("{SIGNATURE}\na//b\nindex.html\n");
        assert_eq!(parse_mark(&text, &set(&["a//b", "index.html"])), Some(set(&["index.html"])));
    }

    #[test]
    fn a_mark_is_told_by_its_first_line_as_when_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let (d, mark) = (dir.path(), dir.path().join(MARK));
        assert!(!has_mark(d), "none");
        for (text, is_mark) in [
            (mark_text([PathBuf::from("a/b.html")].iter()), true),
            (SIGNATURE.to_string(), true),
            (format!("{SIGNATURE}\r\nindex.html\n"), true),
            (format!("{SIGNATURE} and more\n"), false),
            (format!("\n{SIGNATURE}\n"), false),
            ("index.html\n".to_string(), false),
        ] {
            fs::write(&mark, &text).unwrap();
            assert_eq!(has_mark(d), is_mark, "{text:?}");
            assert_eq!(read_mark(d, &BTreeSet::new()).unwrap().is_some(), is_mark, "{text:?}");
        }
        fs::remove_file(&mark).unwrap();
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            fs::write(elsewhere.path().join("mark"), mark_text([].iter())).unwrap();
            std::os::unix::fs::symlink(elsewhere.path().join("mark"), &mark).unwrap();
            assert!(!has_mark(d), "a link to a mark elsewhere");
            assert!(read_mark(d, &BTreeSet::new()).unwrap().is_none());
            fs::remove_file(&mark).unwrap();
        }
        fs::create_dir(&mark).unwrap();
        assert!(!has_mark(d), "a folder of that name");
    }

    #[test]
    fn empty_or_missing_folders_are_fine() {
        let new = set(&["index.html"]);
        let shown = Path::new("public");
        let claim = claim(holding(None, &[]), &new, false, shown).unwrap();
        assert!(claim.owned.is_empty() && claim.forced.is_empty());
    }

    #[test]
    fn a_marked_folder_owns_only_what_its_mark_lists() {
        let new = set(&["index.html"]);
        let shown = Path::new("public");
        let h = holding(Some(&["index.html", "old/index.html"]), &["index.html", "old/index.html"]);
        assert_eq!(
            claim(h.clone(), &new, false, shown).unwrap().owned,
            set(&["index.html", "old/index.html"])
        );
        let h = holding(Some(&["index.html"]), &["index.html", "notes.txt"]);
        let err = claim(h.clone(), &new, false, shown).unwrap_err();
        assert!(matches!(&err, Error::Site(d) if d[0].message.contains("notes.txt")), "{err:?}");
        let forced = claim(h.clone(), &new, true, shown).unwrap();
        assert_eq!(forced.forced, vec![PathBuf::from("notes.txt")]);
    }

    #[test]
    fn an_unmarked_folder_is_taken_only_as_an_earlier_dotwork_build() {
        let new = set(&["index.html", "sitemap.xml", "robots.txt"]);
        let shown = Path::new("public");
        let earlier = holding(None, &["index.html", "robots.txt", "sitemap.xml"]);
        assert_eq!(claim(earlier.clone(), &new, false, shown).unwrap().owned.len(), 3);
        // A page removed since: its file would be lost, so ask for --force.
        let stale = holding(None, &["gone/index.html", "index.html", "robots.txt", "sitemap.xml"]);
        assert!(claim(stale.clone(), &new, false, shown).is_err());
        // Files at the site's paths, but not a dotwork build.
        let other = holding(None, &["index.html"]);
        assert!(claim(other.clone(), &new, false, shown).is_err());
        let forced = claim(other.clone(), &new, true, shown).unwrap();
        assert!(forced.owned.is_empty());
        assert_eq!(forced.forced, vec![PathBuf::from("index.html")]);
    }

    #[test]
    fn the_survey_skips_kept_entries_and_lists_empty_folders() {
        let dir = tempfile::tempdir().unwrap();
        for d in [".git/objects", "empty", "full"] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        fs::write(dir.path().join("CNAME"), "example.org").unwrap();
        fs::write(dir.path().join("full/a.txt"), "a").unwrap();
        fs::write(dir.path().join(".git/objects/x"), "x").unwrap();
        fs::write(dir.path().join(MARK), "not a mark").unwrap();
        let h = survey(dir.path(), &BTreeSet::new(), false, false, None).unwrap();
        let names = [MARK, "empty", "full/a.txt"];
        assert_eq!(h.entries, names.iter().map(PathBuf::from).collect::<Vec<_>>());
        assert_eq!(h.marked, None);
    }

    #[test]
    fn a_marked_folder_is_listed_as_the_walk_of_any_other_folder_lists_it() {
        let dir = tempfile::tempdir().unwrap();
        let ours = ["a/index.html", "a/b/index.html", "b.html", "b/index.html", "z.txt"];
        // `x`, empty, is named: `x.txt` after it is beside it, not in it.
        for file in ours.iter().chain(&["a/b/c/notes.txt", "a/b.txt", "m/n.txt", "m/o.txt", "x.txt"]) {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        for empty in ["a/empty", "e/f/g", "m/p", "x"] {
            fs::create_dir_all(dir.path().join(empty)).unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("link")).unwrap();
        let new = set(&ours);
        let surveys = |force| {
            fs::write(dir.path().join(MARK), mark_text(new.iter())).unwrap();
            let marked = survey(dir.path(), &new, force, false, None).unwrap();
            fs::remove_file(dir.path().join(MARK)).unwrap();
            let walked = survey(dir.path(), &new, force, false, None).unwrap();
            (marked, walked)
        };
        let (marked, walked) = surveys(true);
        assert!(marked.marked.is_some() && walked.marked.is_none());
        assert_eq!(marked.entries, walked.entries);
        assert_eq!(
            marked.entries.len(),
            ours.len() + 5 + 4 + usize::from(cfg!(unix)),
            "{:?}",
            marked.entries
        );
        assert!(!marked.more && !walked.more);
        // Without --force, both stop after the sixth foreign entry.
        let (marked, walked) = surveys(false);
        assert_eq!((&marked.entries, marked.more), (&walked.entries, walked.more));
        assert!(
            marked.more && marked.entries.last() == Some(&PathBuf::from("m/n.txt")),
            "{:?}",
            marked.entries
        );
    }

    /// A page nested as deep as a path the system takes whole allows
    /// (Linux: 4,096 bytes) writes an output folder as deep, which the next
    /// build lists (it once did so by calling itself a folder at a time, and
    /// ran out of stack).
    #[test]
    #[cfg(target_os = "linux")]
    fn a_marked_folder_nested_thousands_deep_is_listed_to_the_bottom() {
        let dir = tempfile::tempdir().unwrap();
        let levels = (4000 - dir.path().as_os_str().len() - "/index.html".len()) / 2;
        let mut deep = PathBuf::new();
        deep.extend(std::iter::repeat_n("a", levels));
        fs::create_dir_all(dir.path().join(&deep)).unwrap();
        let page = deep.join("index.html");
        fs::write(dir.path().join(&page), "x").unwrap();
        let new = set(&[page.to_str().unwrap()]);
        fs::write(dir.path().join(MARK), mark_text(new.iter())).unwrap();
        let h = survey(dir.path(), &new, false, false, None).unwrap();
        assert_eq!(h.entries, vec![page]);
        assert!(h.marked.is_some() && !h.more);
    }

    #[test]
    fn reserved_output_paths_are_refused() {
        let shown = Path::new("public");
        let ok = set(&["CNAME", "a/.git", "index.html"]);
        assert!(check_reserved(ok.iter(), shown).is_ok());
        for bad in [".git/hooks/post-checkout", MARK, "CNAME/index.html", ".dotwork-tmp-1/x"] {
            assert!(check_reserved(set(&[bad]).iter(), shown).is_err(), "{bad}");
        }
    }
}
