//! The site folder as a boundary: walking it and opening files in it so
//! that nothing outside it is read (issue 9).
//!
//! Every file is resolved to its real path, which must lie inside the
//! site's real root: a symbolic link may point anywhere inside the site, and
//! a link that leaves it is an error naming the link and its target. Only
//! regular files are opened, by [`open_verified`], which cannot block on a
//! pipe or device; the write stage and `serve` open static files through it
//! again when they copy or send them.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{MAX_FILE_BYTES, MAX_PAGE_BYTES, SourceFile, Walked, decode, io_reason, is_markdown, is_skipped};
use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, Error};

/// The site folder, as given and as the file system resolves it.
pub(super) struct SiteRoot<'w> {
    /// As given (`.`, `../clinic`): messages name paths relative to it.
    given: PathBuf,
    /// With every symbolic link resolved: nothing outside it is read.
    real: PathBuf,
    /// Its folders as walked already, if they were ([`Walked`]).
    walked: Option<&'w dyn Walked>,
}

impl<'w> SiteRoot<'w> {
    pub(super) fn new(root: &Path) -> Result<SiteRoot<'w>, Error> {
        match fs::canonicalize(root) {
            Ok(real) => Ok(SiteRoot { given: root.to_path_buf(), real, walked: None }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(no_config(root)),
            Err(e) => Err(Error::io("read", root)(e)),
        }
    }

    /// This site, its folders listed from `walked` where that holds them.
    pub(super) fn walked(self, walked: Option<&'w dyn Walked>) -> SiteRoot<'w> {
        SiteRoot { walked, ..self }
    }

    /// The text of `site.yaml`.
    pub(super) fn read_config(&self) -> Result<String, Error> {
        let rel = Path::new(CONFIG_FILE);
        if self.given.join(rel).symlink_metadata().is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            return Err(no_config(&self.given));
        }
        self.read_text(rel).map(|f| f.text).map_err(|d| Error::Site(vec![d]))
    }

    /// The real path of `rel`, checked to be a regular file inside the site.
    pub(super) fn verify(&self, rel: &Path) -> Result<PathBuf, Diagnostic> {
        let real = fs::canonicalize(self.given.join(rel)).map_err(|e| cannot_read(rel, &e))?;
        if !real.starts_with(&self.real) {
            return Err(self.leaves(rel, &real));
        }
        let meta = fs::metadata(&real).map_err(|e| cannot_read(rel, &e))?;
        if !meta.is_file() || is_system_path(&real) {
            return Err(not_a_file(rel, &meta.file_type()));
        }
        Ok(real)
    }

    /// The text of the file at `rel`, checked and normalised; `None` when
    /// there is no such file (a file that cannot be read is an error).
    pub(super) fn read_optional_text(&self, rel: &Path) -> Option<Result<SourceFile, Diagnostic>> {
        if self.given.join(rel).symlink_metadata().is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            return None;
        }
        Some(self.read_text(rel))
    }

    /// The text of the file at `rel`, checked and normalised.
    pub(super) fn read_text(&self, rel: &Path) -> Result<SourceFile, Diagnostic> {
        let real = self.verify(rel)?;
        read_found(&Found { rel: rel.to_path_buf(), real })
    }

    /// The error for `rel`, whose real path `real` is outside the site:
    /// names the first link on the way that leaves it, and where it points.
    fn leaves(&self, rel: &Path, real: &Path) -> Diagnostic {
        self.first_link_out(rel).unwrap_or_else(|| link_leaves(rel, real, real))
    }

    /// The error for the first link on the way to `rel` (which need not
    /// exist in whole) that points outside the site, naming the link and
    /// where it points; a link to nothing is taken at its word.
    fn first_link_out(&self, rel: &Path) -> Option<Diagnostic> {
        let mut prefix = PathBuf::new();
        for part in rel.components() {
            prefix.push(part);
            let here = self.given.join(&prefix);
            if !here.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
                continue;
            }
            let Ok(resolved) = fs::canonicalize(&here).or_else(|_| fs::read_link(&here)) else { continue };
            if !resolved.starts_with(&self.real) {
                let written = fs::read_link(&here).unwrap_or_else(|_| resolved.clone());
                return Some(link_leaves(&prefix, &written, &resolved));
            }
        }
        None
    }

    /// Refuses a site whose cache folder (`.dotwork`, or a folder in it on
    /// the way to a cache) is a link that leaves the site: dotwork writes
    /// and removes files in its caches, and would do so in a folder that
    /// is not its own. A link inside the site is followed, as elsewhere.
    pub(super) fn verify_cache_folder(&self) -> Result<(), Diagnostic> {
        for cache in [crate::cache::CACHE_DIR, crate::image::CACHE_DIR] {
            if let Some(d) = self.first_link_out(Path::new(cache)) {
                return Err(d.with_help(
                    "dotwork keeps its caches in the .dotwork folder inside the site folder, and removes what it no longer needs there: \
                     remove the link (dotwork makes the folder again when it builds)",
                ));
            }
        }
        Ok(())
    }

    pub(super) fn no_content_folder(&self) -> Diagnostic {
        let at = self.real.display();
        let d = if self.given.join("content").exists() {
            Diagnostic::error("content", format!("content in {at} is not a folder"))
        } else {
            Diagnostic::error("content", format!("there is no content folder in {at}"))
        };
        d.with_help(
            "the pages go in a folder named content beside site.yaml (content/index.md is the home page); \
             if your site is in another folder, name it with --root DIR",
        )
    }
}

/// A file found by [`walk`] (or checked by [`SiteRoot::verify`]): where the
/// owner sees it and its real path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Relative to the site root, through any links (`content/shared/a.md`).
    pub(super) rel: PathBuf,
    /// Without links, inside the site.
    pub(super) real: PathBuf,
}

/// Bytes as MiB, for messages.
fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

/// The text of a found file, normalised.
pub(super) fn read_found(found: &Found) -> Result<SourceFile, Diagnostic> {
    let rel = found.rel.as_path();
    let (file, len) = open_verified_sized(&found.real).map_err(|e| cannot_read(rel, &e))?;
    let (limit, what) =
        if is_markdown(rel) { (MAX_PAGE_BYTES, "a page") } else { (MAX_FILE_BYTES, "a file") };
    if len > limit {
        return Err(Diagnostic::error(
            rel,
            format!("this file is {:.1} MiB, more than the {} MiB {what} may be", mib(len), limit >> 20),
        )
        .with_help(if is_markdown(rel) {
            "split it into several pages, or check that it really is a page's text"
        } else {
            "check that this really is the file dotwork expects here"
        }));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // `take`: a file that grows while it is read still stops at the limit.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| cannot_read(rel, &e))?;
    let text = decode(rel, bytes)?;
    Ok(SourceFile::new(rel.to_path_buf(), text))
}

fn no_config(root: &Path) -> Error {
    Error::Site(vec![
        Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display()))
            .with_help("run dotwork in your site's folder, or name it with --root DIR"),
    ])
}

fn cannot_read(rel: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::error(rel, format!("cannot read: {}", io_reason(e)))
}

fn link_leaves(link: &Path, written: &Path, resolved: &Path) -> Diagnostic {
    let target = if written == resolved {
        written.display().to_string()
    } else {
        format!("{} ({})", written.display(), resolved.display())
    };
    Diagnostic::error(link, format!("this link points outside the site folder, to {target}")).with_help(
        "dotwork reads only files inside the site folder: copy the file or folder into the site instead of linking to it",
    )
}

fn not_a_file(rel: &Path, kind: &fs::FileType) -> Diagnostic {
    Diagnostic::error(rel, format!("this is {}, not a file dotwork can read", describe_type(kind)))
        .with_help("remove it, or put an ordinary file (or a link to one inside the site) in its place")
}

/// What a file that is not a regular file is, in words.
fn describe_type(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file of the operating system"
    }
}

/// Files of the kernel's pseudo file systems look like regular files (with
/// size 0) but are not data; never read them, wherever the site is.
fn is_system_path(real: &Path) -> bool {
    cfg!(target_os = "linux") && (real.starts_with("/proc") || real.starts_with("/sys"))
}

/// Opens the regular file at `real`, a path without symbolic links (as
/// [`AssetSource::File`] holds), for reading, and only if it still is one.
///
/// It never blocks and never follows a link, even if the file or a folder
/// on its way was replaced by one since it was checked. On Linux 5.6 and
/// later one `openat2` call refuses any link on the way
/// (`RESOLVE_NO_SYMLINKS`), and the opened file's type is checked before
/// anything is read: a pipe swapped in is opened without waiting
/// (`O_NONBLOCK`) and refused, and so is a device (which only the system's
/// administrator can make: opened, never read). Where `openat2` is missing
/// (an older kernel, a sandbox that forbids it), the file is first opened
/// as a bare handle (`O_PATH`, which reads nothing), its type and real path
/// are checked on that handle, and the same file is then opened for reading
/// through `/proc/self/fd`: two path walks through `/proc` more, which cost
/// a build 80 ms of CPU for 10,000 pages. Other Unix systems open with
/// `O_NONBLOCK | O_NOFOLLOW | O_NOCTTY` and check the opened file's type; a
/// folder on the way swapped for a link remains a race there. The copy
/// itself may see the file's contents change, never another file.
pub(crate) fn open_verified(real: &Path) -> io::Result<fs::File> {
    open_verified_sized(real).map(|(file, _)| file)
}

/// [`open_verified`], with the file's size as it was when opened (from the
/// look that checked its type: a second look was 10,000 system calls more
/// for 10,000 pages).
pub(crate) fn open_verified_sized(real: &Path) -> io::Result<(fs::File, u64)> {
    #[cfg(target_os = "linux")]
    {
        if let Some(opened) = open_without_links(real)? {
            return Ok(opened);
        }
        if let Some(opened) = open_through_handle(real)? {
            return Ok(opened);
        }
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let file = options.open(real)?;
    let len = still_a_file(&file.metadata()?)?;
    Ok((file, len))
}

/// The size of the file `meta` describes; an error unless it is a regular
/// file: what [`open_verified`] opened may have been swapped since the walk.
fn still_a_file(meta: &fs::Metadata) -> io::Result<u64> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(meta.len());
    }
    Err(io::Error::other(format!("it is {} now, not a file", describe_type(&kind))))
}

/// [`open_verified`] on Linux 5.6 and later; `None` when the system has no
/// `openat2` or does not let dotwork call it.
#[cfg(target_os = "linux")]
fn open_without_links(real: &Path) -> io::Result<Option<(fs::File, u64)>> {
    use rustix::fs::{CWD, Mode, OFlags, ResolveFlags, openat2};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let file = match openat2(CWD, real, flags, Mode::empty(), ResolveFlags::NO_SYMLINKS) {
        Ok(fd) => fs::File::from(fd),
        Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => {
            return Err(io::Error::other(
                "a link took its place, or a folder's on its way, while it was read",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let len = still_a_file(&file.metadata()?)?;
    Ok(Some((file, len)))
}

/// [`open_verified`] on Linux without `openat2`; `None` when `/proc` is not mounted.
#[cfg(target_os = "linux")]
fn open_through_handle(real: &Path) -> io::Result<Option<(fs::File, u64)>> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let handle =
        fs::OpenOptions::new().read(true).custom_flags(libc::O_PATH | libc::O_NOFOLLOW).open(real)?;
    let len = still_a_file(&handle.metadata()?)?;
    let fd = PathBuf::from(format!("/proc/self/fd/{}", handle.as_raw_fd()));
    match fs::read_link(&fd) {
        Ok(opened) if opened == real => {}
        Ok(_) => return Err(io::Error::other("a folder on its way was replaced while it was read")),
        Err(_) => return Ok(None),
    }
    let file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(&fd)?;
    Ok(Some((file, len)))
}

/// Files under `root/dir`, without what [`is_skipped`] says is not read;
/// `None` when there is no such folder. Links are followed only while they
/// stay inside the site; links that leave it, pipes, sockets and devices are
/// reported in `problems`. Each file's real path is known from its folder's,
/// so only links are resolved again.
pub(super) fn walk(site: &SiteRoot, dir: &Path, problems: &mut Vec<Diagnostic>) -> Option<Vec<Found>> {
    let start = site.given.join(dir);
    start.symlink_metadata().ok()?;
    let start_real = match fs::canonicalize(&start) {
        Ok(real) if !real.starts_with(&site.real) => {
            problems.push(site.leaves(dir, &real));
            return Some(Vec::new());
        }
        Ok(real) if !real.is_dir() => return None,
        Ok(real) => real,
        Err(e) => {
            problems.push(cannot_read(dir, &e));
            return Some(Vec::new());
        }
    };
    if let Some(entries) = site.walked.and_then(|w| w.under(dir)) {
        return Some(walked_files(dir, &start_real, entries));
    }
    let rel_of = |p: &Path| p.strip_prefix(&site.given).unwrap_or(p).to_path_buf();
    let mut files = Vec::new();
    let mut refused = Vec::new();
    // follow_links: a linked folder of shared pages is legitimate; walkdir
    // detects loops and reports them as errors instead of recursing forever.
    // A link's target is only looked at (`stat`), never opened, before the
    // check below has found that it stays inside the site: a folder that is
    // refused or skipped is left before it is listed.
    let mut walker = WalkDir::new(&start).follow_links(true).sort_by(super::by_file_name).into_iter();
    // The path from the site's root and the real path of each folder on the
    // way to the entry at hand, by depth: the walk goes depth first, so an
    // entry's folder is the last one met a level up.
    let mut folders: Vec<(PathBuf, PathBuf)> = vec![(dir.to_path_buf(), start_real)];
    while let Some(entry) = walker.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                problems.push(walk_error(&err, dir, rel_of));
                continue;
            }
        };
        if e.depth() == 0 {
            continue;
        }
        folders.truncate(e.depth());
        let name = crate::url::file_name(e.path()).unwrap_or_else(|| e.file_name());
        let (rel, parent_real) = match folders.get(e.depth() - 1) {
            Some((parent_rel, parent_real)) => (joined(parent_rel, name), Some(parent_real)),
            None => (rel_of(e.path()), None),
        };
        let kind = e.file_type();
        let leave = |walker: &mut walkdir::IntoIter| {
            if kind.is_dir() {
                walker.skip_current_dir();
            }
        };
        if is_skipped(&rel) {
            leave(&mut walker);
            continue;
        }
        let real = match parent_real.filter(|_| !e.path_is_symlink()) {
            Some(parent_real) => joined(parent_real, name),
            None => match fs::canonicalize(e.path()) {
                Ok(real) if !real.starts_with(&site.real) => {
                    refused.push(site.leaves(&rel, &real));
                    leave(&mut walker);
                    continue;
                }
                Ok(real) if is_system_path(&real) => {
                    refused.push(not_a_file(&rel, &kind));
                    leave(&mut walker);
                    continue;
                }
                Ok(real) => real,
                Err(err) => {
                    problems.push(cannot_read(&rel, &err));
                    leave(&mut walker);
                    continue;
                }
            },
        };
        if kind.is_dir() {
            folders.push((rel, real));
        } else if kind.is_file() {
            files.push(Found { rel, real });
        } else {
            problems.push(not_a_file(&rel, &kind));
        }
    }
    problems.append(&mut refused);
    Some(files)
}

/// The files of [`walk`] from `entries` under `dir` that a walk already
/// met ([`Walked::under`]: no links, so each file's real path is its path
/// under `dir` joined to `dir`'s, `real`), skipping what [`is_skipped`]
/// says, as [`walk`] does.
fn walked_files(dir: &Path, real: &Path, entries: Vec<(&Path, bool)>) -> Vec<Found> {
    let mut files = Vec::new();
    let mut skipped: Option<&Path> = None;
    for (rel, folder) in entries {
        if skipped.is_some_and(|s| rel.starts_with(s)) {
            continue;
        }
        skipped = None;
        if is_skipped(rel) {
            skipped = folder.then_some(rel);
        } else if !folder {
            let real = joined(real, path_under(rel, dir));
            files.push(Found { rel: rel.to_path_buf(), real });
        }
    }
    files
}

/// The part of `rel` under `dir`, which it is in: its text after `dir`'s
/// and a separator, or as `Path::strip_prefix` finds it part by part where
/// that is not plain (slower: a third of a listing from the stamps).
pub(crate) fn path_under<'p>(rel: &'p Path, dir: &Path) -> &'p Path {
    let text = rel.to_str().zip(dir.to_str()).and_then(|(rel, dir)| rel.strip_prefix(dir));
    match text.and_then(|rest| rest.strip_prefix(std::path::is_separator)) {
        Some(rest) if !rest.is_empty() => Path::new(rest),
        _ => rel.strip_prefix(dir).unwrap_or(rel),
    }
}

/// `folder` joined with `rest`, made at its length (`Path::join` copies
/// the folder, then grows the copy: two paths made, not one, for every
/// file of the site).
fn joined(folder: &Path, rest: impl AsRef<Path>) -> PathBuf {
    let rest = rest.as_ref();
    let mut path = PathBuf::with_capacity(folder.as_os_str().len() + 1 + rest.as_os_str().len());
    path.push(folder);
    path.push(rest);
    path
}

fn walk_error(err: &walkdir::Error, dir: &Path, rel_of: impl Fn(&Path) -> PathBuf) -> Diagnostic {
    let at = err.path().map_or_else(|| dir.to_path_buf(), rel_of);
    let message = if err.loop_ancestor().is_some() {
        "symbolic link loop: this link points back to a folder that contains it".to_string()
    } else {
        match err.io_error() {
            Some(io) => format!("cannot read: {}", io_reason(io)),
            None => format!("cannot read: {err}"),
        }
    };
    Diagnostic::error(at, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_a_regular_file_by_its_real_path() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::write(real.join("a.txt"), "text").unwrap();
        let mut text = String::new();
        open_verified(&real.join("a.txt")).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "text");
        assert!(open_verified(&real).is_err(), "a folder");
        #[cfg(unix)]
        {
            // A file swapped for a link since it was checked is not followed.
            std::os::unix::fs::symlink(real.join("a.txt"), real.join("b.txt")).unwrap();
            assert!(open_verified(&real.join("b.txt")).is_err());
            // A pipe swapped in is refused without waiting for a writer.
            assert!(std::process::Command::new("mkfifo").arg(real.join("c.txt")).status().unwrap().success());
            let refused = open_verified(&real.join("c.txt")).unwrap_err();
            assert!(refused.to_string().contains("a named pipe"), "{refused}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn without_openat2_the_same_files_are_opened_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::write(real.join("a.txt"), "text").unwrap();
        fs::create_dir(real.join("elsewhere")).unwrap();
        fs::write(real.join("elsewhere/a.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(real.join("elsewhere"), real.join("static")).unwrap();
        std::os::unix::fs::symlink(real.join("a.txt"), real.join("b.txt")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(real.join("c.txt")).status().unwrap().success());
        let mut text = String::new();
        open_through_handle(&real.join("a.txt")).unwrap().unwrap().0.read_to_string(&mut text).unwrap();
        assert_eq!(text, "text");
        for refused in ["", "b.txt", "c.txt", "static/a.txt"] {
            assert!(open_through_handle(&real.join(refused)).is_err(), "{refused}");
            assert!(open_without_links(&real.join(refused)).is_err(), "{refused}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_folder_swapped_for_a_link_on_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(real.join("elsewhere")).unwrap();
        fs::write(real.join("elsewhere/a.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(real.join("elsewhere"), real.join("static")).unwrap();
        // `static/a.txt` was checked as a real path; `static` is now a link.
        assert!(open_verified(&real.join("static/a.txt")).is_err());
    }

    #[test]
    fn a_link_out_is_named_with_its_target() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "x").unwrap();
        fs::create_dir(dir.path().join("static")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), dir.path().join("static/out")).unwrap();
            let site = SiteRoot::new(dir.path()).unwrap();
            let d = site.verify(Path::new("static/out/secret")).unwrap_err();
            assert_eq!(d.file, Path::new("static/out"));
            assert!(d.message.starts_with("this link points outside the site folder, to "), "{}", d.message);
            let mut problems = Vec::new();
            assert_eq!(walk(&site, Path::new("static"), &mut problems), Some(Vec::new()));
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].file, Path::new("static/out"));
        }
    }
}
