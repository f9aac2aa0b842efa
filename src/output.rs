//! Write: put the rendered site on disk, all or nothing, into a folder that
//! is dotwork's own.
//!
//! The site is written into a folder of its own: a fresh one beside the
//! output (`.public.dotwork-tmp-*`), or the output before last, which
//! `build` keeps in its cache (`spare`). Only when every file is written is
//! it swapped with the old output in one atomic rename (`RENAME_EXCHANGE` on
//! Linux; two renames elsewhere, with the old folder put back on the next run
//! if the process died between them). A failed or killed build therefore
//! never leaves a half-written `public/`.
//!
//! dotwork replaces only what it wrote (`mark`): a folder of someone
//! else's files is refused unless `--force`, and `.git` and `CNAME` are
//! carried into each new output. An output that is a symbolic link is built
//! into the link's target, which is swapped beside the target; the link
//! stays. An output that is a mount point (a container volume) cannot be
//! renamed, so there the new site is written into a folder inside it and
//! moved into place file by file (`in_place`).
//!
//! Every path is checked to be a plain relative path before anything is
//! written, whatever a slug, alias or file name said.

mod folder;
pub(crate) mod in_place;
pub(crate) mod mark;
mod spare;

pub use folder::{OutputFolder, real_path};
pub(crate) use spare::folders_of;

use crate::collections::HashSet;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::{OutputContent, OutputFile};
use crate::source::AssetSource;
use mark::{KEPT, MARK, TMP_MARK};

const OLD_MARK: &str = ".dotwork-old-";

/// What a build knows of the output it replaces from the last build into
/// it (the build cache's); nothing for a build without one.
#[derive(Clone, Copy, Default)]
pub struct LastBuild<'a> {
    /// Where the output replaced is kept, for the next build to write into
    /// (`spare.rs`).
    pub spare: Option<&'a Path>,
    /// The files of the output folder it is given, if the folder holds
    /// nothing else; asked in place of listing it (`mark::survey`).
    pub files: Option<&'a KnownFiles<'a>>,
    /// When `files` began to look at the output, if before it is asked:
    /// a change made in the output since then is not the old site's.
    pub since: Option<std::time::SystemTime>,
}

/// The files of an output folder (in order, once each), when they are known
/// without listing it.
pub type KnownFiles<'a> = dyn Fn(&Path) -> Option<Vec<PathBuf>> + Sync + 'a;

/// Writes `outputs` as the new contents of `output_dir`, replacing it whole
/// (if it is dotwork's).
pub fn write_output(outputs: &[OutputFile], output_dir: &Path) -> Result<(), Error> {
    let folder = OutputFolder::resolve(output_dir)?;
    let paths = path_set(outputs.iter().map(|o| o.path.clone()).collect());
    replace_output(&folder, &paths, false, LastBuild::default(), |dir, _| {
        create_folders(outputs.iter().map(|o| o.path.as_path()), dir)?;
        outputs.par_iter().try_for_each(|o| write_file(dir, o))
    })
}

/// Makes a new site, the files `new`, in a folder of its own with `write`,
/// and puts it in place of `folder` only if `write` succeeds; otherwise
/// `folder` is left as it was. Refuses (before writing) to replace files
/// that are not dotwork's unless `force` (`mark::claim`).
///
/// With `last.spare` (a path in the build cache), the output replaced is kept
/// there, and the next build writes into it rather than into an empty
/// folder (`spare.rs`): `write` is given the folder and the files already
/// in it (none for an empty one), and must remove those the site no longer
/// has and replace, never write through, those it makes anew.
pub fn replace_output(
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    force: bool,
    last: LastBuild<'_>,
    write: impl FnOnce(&Path, &BTreeSet<PathBuf>) -> Result<(), Error>,
) -> Result<(), Error> {
    replace_with(folder, new, force, last, write, swap).map(Replaced::settle)
}

/// [`replace_output`], leaving the output it replaced where the swap put it
/// until the [`Replaced`] returned is settled (or dropped): a build does
/// other work beside keeping or removing it.
pub fn replace_output_unsettled(
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    force: bool,
    last: LastBuild<'_>,
    write: impl FnOnce(&Path, &BTreeSet<PathBuf>) -> Result<(), Error>,
) -> Result<Replaced, Error> {
    replace_with(folder, new, force, last, write, swap)
}

/// The output a build replaced, swapped out of the way: kept as the spare
/// if it may be (`spare::keep`), else removed (`retire`), when this is
/// settled or dropped.
#[must_use = "the output replaced is kept or removed when this is settled"]
pub struct Replaced {
    /// Where the swap put the old output; `None` when there was none, or
    /// the files were replaced in place.
    old: Option<PathBuf>,
    /// Where to keep it, and since when a change in it is not the old site's.
    spare: Option<(PathBuf, std::time::SystemTime)>,
    claim: mark::Claim,
    out: PathBuf,
}

impl Replaced {
    /// Nothing left to keep or remove.
    fn none() -> Replaced {
        let claim = mark::Claim { owned: BTreeSet::new(), forced: Vec::new() };
        Replaced { old: None, spare: None, claim, out: PathBuf::new() }
    }

    /// Keeps the old output as the spare, or removes it, now.
    pub fn settle(self) {}
}

impl Drop for Replaced {
    fn drop(&mut self) {
        if let Some(old) = self.old.take()
            && !self
                .spare
                .as_ref()
                .is_some_and(|(spare, looked)| spare::keep(&old, spare, &self.claim, *looked))
        {
            retire(&old, &self.claim, &self.out);
        }
    }
}

/// [`replace_output`] with the final swap given, so tests can make it fail
/// as it does on a mount point.
fn replace_with(
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    force: bool,
    last: LastBuild<'_>,
    write: impl FnOnce(&Path, &BTreeSet<PathBuf>) -> Result<(), Error>,
    swap: impl FnOnce(&Path, &Path, &Path, &OsString) -> io::Result<Option<PathBuf>>,
) -> Result<Replaced, Error> {
    mark::check_reserved(new.iter(), &folder.shown)?;
    let (parent, name) = split_dir(&folder.real)?;
    fs::create_dir_all(&parent).map_err(Error::io("create folder", &parent))?;
    recover(&parent, &name, &folder.real)?;
    let started = std::time::Instant::now();
    // What changes in the output after this is not the old site's.
    let now = std::time::SystemTime::now();
    let looked = last.since.map_or(now, |since| since.min(now));
    let holding = mark::survey(&folder.real, new, force, folder.mount, last.files)?;
    let entries = holding.entries.len();
    let claim = mark::claim(holding, new, force, &folder.shown)?;
    log::debug!("survey of the output folder ({entries} entries): {:?}", started.elapsed());
    let empty = BTreeSet::new();
    if folder.mount {
        log::debug!("{} is a mount point: replacing its files one by one", folder.real.display());
        return in_place::replace(folder, new, &claim, |dir| write(dir, &empty)).map(|()| Replaced::none());
    }
    let spare = last.spare;
    let taken = spare.and_then(|s| spare::take(s, &folder.real, new));
    let (tmp, held) = match taken {
        Some(taken) => {
            log::debug!("writing into the previous output kept in {}", taken.dir.display());
            (taken.dir, taken.files)
        }
        None => {
            let tmp = parent.join(marked(&name, TMP_MARK, &unique_suffix()));
            match fs::create_dir(&tmp) {
                Ok(()) => {}
                // A web root whose parent we may not write to: replace its files instead.
                Err(e) if folder.real.is_dir() && is_read_only(&e) => {
                    log::debug!(
                        "cannot write beside {} ({e}): replacing its files one by one",
                        folder.real.display()
                    );
                    return in_place::replace(folder, new, &claim, |dir| write(dir, &empty))
                        .map(|()| Replaced::none());
                }
                Err(e) => return Err(Error::io("create folder", &tmp)(e)),
            }
            (tmp, empty)
        }
    };
    let keep = spare.map(|s| (s, looked));
    let written =
        write(&tmp, &held).and_then(|()| swap_in(&tmp, folder, new, claim, (&parent, &name), keep, swap));
    // On success `tmp` is gone (or holds the old site, kept or removed when
    // the `Replaced` is settled); on failure it is the unfinished new site.
    if written.is_err() && fs::symlink_metadata(&tmp).is_ok() {
        if put_back(&tmp, &folder.real, new) {
            let _ = fs::remove_dir_all(&tmp);
        } else {
            log::warn!("{} is left in place: it holds the output's .git or CNAME", tmp.display());
        }
    }
    written
}

/// Marks the new site in `tmp` as dotwork's, carries `.git` and `CNAME`
/// over, and swaps it with the old output, which is then to be kept as the
/// `spare` if it may be (`spare::keep`), else removed ([`Replaced`]); on a
/// mount point that the resolver did not see, moves its files in one by
/// one instead.
fn swap_in(
    tmp: &Path,
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    claim: mark::Claim,
    (parent, name): (&Path, &OsString),
    spare: Option<(&Path, std::time::SystemTime)>,
    swap: impl FnOnce(&Path, &Path, &Path, &OsString) -> io::Result<Option<PathBuf>>,
) -> Result<Replaced, Error> {
    let out = &folder.real;
    in_place::check_cname(tmp, folder, &claim)?;
    write_atomically(&tmp.join(MARK), mark::mark_text(new.iter()).as_bytes(), tmp)?;
    // Renaming `.git` out of a mount point fails just as the swap does.
    let swapped = carry_kept(out, tmp, &claim).and_then(|()| swap(tmp, out, parent, name));
    match swapped {
        Ok(old) => {
            let spare = spare.map(|(spare, looked)| (spare.to_path_buf(), looked));
            Ok(Replaced { old, spare, claim, out: out.clone() })
        }
        Err(e) if is_busy_or_cross_device(&e) && out.is_dir() => {
            log::debug!("cannot swap {} ({e}): replacing its files one by one", out.display());
            put_back(tmp, out, new);
            in_place::place_all(tmp, folder, new, &claim)?;
            let _ = fs::remove_dir_all(tmp);
            Ok(Replaced::none())
        }
        Err(e) => Err(Error::io("move the new site to", out)(e)),
    }
}

/// Removes the old output, moved aside to `old`, file by file: only what
/// the claim allows (dotwork's files, and with `--force` the foreign ones).
/// Anything else, a file put into the output while the build ran, is kept
/// in a folder beside the output, with a warning.
fn retire(old: &Path, claim: &mark::Claim, out: &Path) {
    let started = std::time::Instant::now();
    let listed: Vec<&Path> = claim.owned.iter().chain(&claim.forced).map(PathBuf::as_path).collect();
    if let Err(e) = in_place::remove_listed(old, &listed) {
        log::warn!("could not remove all of the previous site: {e}");
    }
    log::debug!("previous site removed ({} entries): {:?}", listed.len(), started.elapsed());
    let _ = fs::remove_file(old.join(MARK));
    if fs::remove_dir(old).is_ok() {
        return;
    }
    let mut kept = out.as_os_str().to_owned();
    kept.push(format!(".kept-by-dotwork-{}", unique_suffix()));
    match fs::rename(old, &kept) {
        Ok(()) => log::warn!(
            "files that are not dotwork's appeared in {} during the build; they are now in {}",
            out.display(),
            Path::new(&kept).display()
        ),
        Err(e) => log::warn!("the previous site is left in {} ({e})", old.display()),
    }
}

/// Moves `.git` and `CNAME` (unless dotwork wrote it, or the new site has
/// one) from the old output into the new.
fn carry_kept(out: &Path, tmp: &Path, claim: &mark::Claim) -> io::Result<()> {
    for k in KEPT {
        let (from, to) = (out.join(k), tmp.join(k));
        if fs::symlink_metadata(&from).is_ok() && !claim.owned.contains(Path::new(k)) && !to.exists() {
            fs::rename(&from, &to)?;
        }
    }
    Ok(())
}

/// Moves a `.git` or `CNAME` carried into `tmp` back to `out` (the site
/// itself never writes `.git`; a `CNAME` in `new` is the site's own).
/// False when one could not be put back, so `tmp` must stay.
fn put_back(tmp: &Path, out: &Path, new: &BTreeSet<PathBuf>) -> bool {
    KEPT.iter().filter(|k| !new.contains(Path::new(k))).all(|k| {
        let from = tmp.join(k);
        fs::symlink_metadata(&from).is_err()
            || (fs::symlink_metadata(out.join(k)).is_err() && fs::rename(&from, out.join(k)).is_ok())
    })
}

/// True for the errors a rename into or of a mount point gives.
pub(crate) fn is_busy_or_cross_device(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices)
}

fn is_read_only(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
}

/// Writes `bytes` to `path` through a temporary file in `dir` (the same
/// folder), so readers see the old file or the new, never half of one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], dir: &Path) -> Result<(), Error> {
    write_atomically_with(path, dir, |w| io::Write::write_all(w, bytes))
}

/// A file being written through a buffer, by [`write_atomically_with`].
pub(crate) type Buffered = io::BufWriter<fs::File>;

/// [`write_atomically`] of what `write` writes, through a buffer: a large
/// file need not be held whole in memory first. The buffer is a known type,
/// not a `dyn Write`: MessagePack writes a few bytes at a time, and a call
/// through a vtable for each cost 30 M instructions for the build cache's
/// stamps at 10,000 pages.
pub(crate) fn write_atomically_with(
    path: &Path,
    dir: &Path,
    write: impl FnOnce(&mut Buffered) -> io::Result<()>,
) -> Result<(), Error> {
    use io::Write;
    let tmp = dir.join(format!("{TMP_MARK}{}", unique_suffix()));
    let written = fs::File::create(&tmp).and_then(|file| {
        let mut buffered = io::BufWriter::new(file);
        write(&mut buffered)?;
        buffered.flush()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io("write", &tmp)(e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("write", path)(e)
    })
}

fn split_dir(output_dir: &Path) -> Result<(PathBuf, OsString), Error> {
    let name = output_dir.file_name().map(OsString::from);
    match name {
        Some(name) => {
            let parent = output_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Ok((parent.to_path_buf(), name))
        }
        None => {
            Err(Error::io("write to", output_dir)(std::io::Error::other("the output must be a named folder")))
        }
    }
}

fn marked(name: &OsString, mark: &str, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(mark);
    s.push(suffix);
    s
}

/// `PID-N`: unique among the temporary files and folders of running builds.
pub(crate) fn unique_suffix() -> String {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos}{}", std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed))
}

/// Cleans up after a build that was killed: puts back an old output that was
/// moved aside but not replaced, and removes leftover temporary folders
/// (after moving back a `.git` or `CNAME` carried into them).
fn recover(parent: &Path, name: &OsString, output_dir: &Path) -> Result<(), Error> {
    let Ok(entries) = fs::read_dir(parent) else { return Ok(()) };
    let tmp_prefix = marked(name, TMP_MARK, "").to_string_lossy().into_owned();
    let old_prefix = marked(name, OLD_MARK, "").to_string_lossy().into_owned();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&old_prefix) && !output_dir.exists() {
            fs::rename(entry.path(), output_dir).map_err(Error::io("restore", output_dir))?;
        } else if (file.starts_with(&tmp_prefix) || file.starts_with(&old_prefix)) && !owner_alive(&file) {
            // Another build running at the same moment would own a fresh one;
            // only remove folders whose process is gone.
            remove_leftover(&entry.path(), output_dir);
        }
    }
    if mark::has_mark(output_dir) {
        // A killed build on a mount point leaves its staging inside.
        for entry in fs::read_dir(output_dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(TMP_MARK) && !owner_alive(&file) {
                remove_leftover(&entry.path(), output_dir);
            }
        }
    }
    Ok(())
}

/// Removes a leftover folder (or file) of a killed build, unless it holds a
/// `.git` or `CNAME` that cannot be put back into the output.
fn remove_leftover(leftover: &Path, output_dir: &Path) {
    for k in KEPT {
        let from = leftover.join(k);
        if fs::symlink_metadata(&from).is_ok()
            && (fs::symlink_metadata(output_dir.join(k)).is_ok()
                || fs::rename(&from, output_dir.join(k)).is_err())
        {
            log::warn!("{} is left in place: it holds a {k} of the output", leftover.display());
            return;
        }
    }
    let _ = if leftover.is_dir() { fs::remove_dir_all(leftover) } else { fs::remove_file(leftover) };
}

fn owner_alive(folder: &str) -> bool {
    let pid = folder.rsplit(['-']).nth(1).and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => true,
        Some(pid) if cfg!(target_os = "linux") => Path::new(&format!("/proc/{pid}")).exists(),
        _ => false,
    }
}

/// Creates, under `dir`, every folder the files at `paths` need, after
/// checking each path stays inside `dir`.
pub fn create_folders<'p>(paths: impl Iterator<Item = &'p Path>, dir: &Path) -> Result<(), Error> {
    // By depth: a folder's parent is one level up, made in the round before.
    let mut levels: Vec<Vec<&Path>> = Vec::new();
    let mut seen = HashSet::default();
    for path in paths {
        if !is_plain_relative(path) {
            return Err(Error::io("write", path)(std::io::Error::other(
                "refusing a path that leaves the output folder",
            )));
        }
        let mut p = path.parent();
        while let Some(folder) = p.filter(|f| !f.as_os_str().is_empty()) {
            if !seen.insert(folder) {
                break;
            }
            let depth = folder.components().count() - 1;
            if levels.len() <= depth {
                levels.resize_with(depth + 1, Vec::new);
            }
            levels[depth].push(folder);
            p = folder.parent();
        }
    }
    // Each round's folders on all cores: 10,000 pages are 10,000 folders,
    // and one `mkdir` after another was a tenth of such a build.
    for level in levels {
        level.par_iter().try_for_each(|folder| {
            let full = dir.join(folder);
            fs::create_dir(&full)
                .or_else(|e| if full.is_dir() { Ok(()) } else { Err(e) })
                .map_err(Error::io("create folder", &full))
        })?;
    }
    Ok(())
}

/// Writes one file under `dir`, whose folder exists ([`create_folders`]).
/// A file already at its path is replaced, never written through: it may
/// share its data with the published site's (`spare.rs`).
pub fn write_file(dir: &Path, o: &OutputFile) -> Result<(), Error> {
    use io::Write;
    let full = dir.join(&o.path);
    let write_new = |bytes: &[u8]| replacing(&full, |p| fs::File::create_new(p)?.write_all(bytes));
    match &o.content {
        OutputContent::Bytes(bytes) => write_new(bytes).map_err(Error::io("write", &full)),
        OutputContent::Text(text) => write_new(text.as_bytes()).map_err(Error::io("write", &full)),
        OutputContent::Asset(AssetSource::Builtin(bytes)) => {
            write_new(bytes).map_err(Error::io("write", &full))
        }
        // The file the load stage checked, opened so that a link or a pipe
        // swapped in since is refused rather than followed (issue 9).
        // A variant in the image cache is never changed in place (a new one
        // gets a new name), so the output may share it: a warm build of 30
        // photos links 200 files instead of copying 100 MB.
        OutputContent::Cached(from) => link_or_copy(from, &full).map(drop).map_err(Error::io("copy", from)),
        OutputContent::Asset(AssetSource::File(from)) => {
            replacing(&full, |p| copy_new(from, p)).map_err(Error::io("copy", from))
        }
    }
}

/// Hard-links the file `from` to `to`, or copies it where a link is not
/// possible, replacing (never writing through) a file already at `to`.
/// True when it was linked.
pub(crate) fn link_or_copy(from: &Path, to: &Path) -> io::Result<bool> {
    match replacing(to, |p| fs::hard_link(from, p)) {
        Ok(()) => Ok(true),
        Err(_) => replacing(to, |p| copy_new(from, p)).map(|()| false),
    }
}

/// Makes the file `path` with `make`, which fails if it exists; a file
/// already there is removed first and `make` tried again.
fn replacing(path: &Path, make: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    match make(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            make(path)
        }
        done => done,
    }
}

/// Copies the file `from` (opened so that a link is refused) to the new
/// file `to`.
fn copy_new(from: &Path, to: &Path) -> io::Result<()> {
    let mut source = crate::source::open_verified(from)?;
    let mut copy = fs::File::create_new(to)?;
    io::copy(&mut source, &mut copy).map(drop)
}

/// The set of `paths`. Collecting a `BTreeSet` sorts them first, part by
/// part as `Path` orders them (a one-page rebuild at 10,000 pages
/// compared 32,000 pairs so, 2.6% of its instructions): put in that order
/// first ([`crate::url::sort_by_path`]), they are found sorted in one pass.
pub(crate) fn path_set(mut paths: Vec<PathBuf>) -> BTreeSet<PathBuf> {
    crate::url::sort_by_path(&mut paths, |p| p);
    paths.into_iter().collect()
}

/// True for `a/b/c.html`; false for anything absolute, with `..`, `.` or a prefix.
pub(crate) fn is_plain_relative(path: &Path) -> bool {
    path.components().count() > 0 && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Puts `tmp` in place of `out`: one atomic exchange where the system has
/// one, else two renames (undone if the second fails). Returns where the old
/// output now is, if there was one.
fn swap(tmp: &Path, out: &Path, parent: &Path, name: &OsString) -> io::Result<Option<PathBuf>> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(tmp, out).map(|()| None);
    }
    match exchange(tmp, out) {
        Ok(()) => return Ok(Some(tmp.to_path_buf())),
        Err(e) if is_busy_or_cross_device(&e) => return Err(e),
        Err(_) => {}
    }
    let old = parent.join(marked(name, OLD_MARK, &unique_suffix()));
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    Ok(Some(old))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile::new(path.into(), OutputContent::Bytes(text.as_bytes().to_vec()))
    }

    #[test]
    fn replaces_the_whole_folder_and_leaves_no_temporary_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_output(&[file("a/index.html", "one"), file("stale.txt", "x")], &out).unwrap();
        write_output(&[file("a/index.html", "two")], &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("stale.txt").exists());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![OsString::from("public")]);
    }

    #[test]
    fn refuses_paths_that_escape_and_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_output(&[file("index.html", "old")], &out).unwrap();
        let err = write_output(&[file("index.html", "new"), file("../evil.html", "x")], &out);
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!dir.path().join("evil.html").exists());
        assert!(!is_plain_relative(Path::new("/etc/passwd")));
        assert!(!is_plain_relative(Path::new("./a")));
    }

    #[test]
    fn keeps_git_and_cname_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join(".git/refs")).unwrap();
        fs::write(out.join(".git/HEAD"), "ref: refs/heads/gh-pages").unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        write_output(&[file("index.html", "one")], &out).unwrap();
        write_output(&[file("index.html", "two")], &out).unwrap();
        assert_eq!(fs::read_to_string(out.join(".git/HEAD")).unwrap(), "ref: refs/heads/gh-pages");
        assert_eq!(fs::read_to_string(out.join("CNAME")).unwrap(), "example.org");
        fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(write_output(&[file("index.html", "three")], &out).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_swap_refused_as_on_a_mount_point_replaces_files_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_output(&[file("index.html", "one"), file("gone/index.html", "x")], &out).unwrap();
        fs::create_dir(out.join(".git")).unwrap();
        let folder = OutputFolder::resolve(&out).unwrap();
        let new: BTreeSet<PathBuf> = [PathBuf::from("index.html")].into();
        let busy =
            |_: &Path, _: &Path, _: &Path, _: &OsString| Err(io::Error::from(io::ErrorKind::ResourceBusy));
        replace_with(
            &folder,
            &new,
            false,
            LastBuild::default(),
            |dir, _| fs::write(dir.join("index.html"), "two").map_err(Error::io("write", dir)),
            busy,
        )
        .unwrap()
        .settle();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(out.join(".git").is_dir());
        assert!(!out.join("gone").exists());
        assert_eq!(mark::read_mark(&out, &BTreeSet::new()).unwrap(), Some(new));
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![OsString::from("public")], "no staging folder is left");
    }

    #[test]
    fn a_file_put_into_the_output_during_the_build_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_output(&[file("index.html", "one"), file("a/index.html", "one")], &out).unwrap();
        let folder = OutputFolder::resolve(&out).unwrap();
        let new: BTreeSet<PathBuf> = [PathBuf::from("index.html")].into();
        replace_output(&folder, &new, false, LastBuild::default(), |dir, _| {
            fs::write(out.join("a/late.txt"), "mine").unwrap();
            fs::write(dir.join("index.html"), "two").map_err(Error::io("write", dir))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        let kept: Vec<PathBuf> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p != &out).collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(kept[0].file_name().unwrap().to_string_lossy().starts_with("public.kept-by-dotwork-"));
        assert_eq!(fs::read_to_string(kept[0].join("a/late.txt")).unwrap(), "mine");
        assert!(!kept[0].join("a/index.html").exists(), "only the foreign file is kept");
    }

    /// An output `public` in `dir` with two pages, where its spare would
    /// be kept, and the one page of the next build.
    fn output_with_a_spare(dir: &Path) -> (PathBuf, PathBuf, OutputFolder, BTreeSet<PathBuf>) {
        let (out, spare) = (dir.join("public"), dir.join("cache/a.spare"));
        fs::create_dir(dir.join("cache")).unwrap();
        write_output(&[file("index.html", "one"), file("a/index.html", "one")], &out).unwrap();
        let folder = OutputFolder::resolve(&out).unwrap();
        (out, spare, folder, [PathBuf::from("index.html")].into())
    }

    #[test]
    fn a_file_put_into_the_output_during_the_build_leaves_it_unkept() {
        let dir = tempfile::tempdir().unwrap();
        let (out, spare, folder, new) = output_with_a_spare(dir.path());
        let write = |dir: &Path| fs::write(dir.join("index.html"), "two").map_err(Error::io("write", dir));
        let kept = LastBuild { spare: Some(&spare), ..LastBuild::default() };
        replace_output(&folder, &new, false, kept, |dir, _| {
            fs::write(out.join("a/late.txt"), "mine").unwrap();
            write(dir)
        })
        .unwrap();
        assert!(!spare.exists(), "an output with a file of someone else's is not kept");
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        // Without one, it is kept, and the next build is given its files.
        std::thread::sleep(spare::SLACK * 2);
        replace_output(&folder, &new, false, kept, |dir, _| write(dir)).unwrap();
        assert_eq!(fs::read_to_string(spare.join("index.html")).unwrap(), "two");
        let mut given = BTreeSet::new();
        replace_output(&folder, &new, false, kept, |dir, held| {
            given = held.clone();
            fs::remove_file(dir.join("index.html")).map_err(Error::io("remove", dir))?;
            fs::write(dir.join("index.html"), "three").map_err(Error::io("write", dir))
        })
        .unwrap();
        assert_eq!(given, new);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert_eq!(fs::read_to_string(spare.join("index.html")).unwrap(), "two");
    }

    #[test]
    fn a_file_put_into_the_output_after_its_files_were_known_leaves_it_unkept() {
        let dir = tempfile::tempdir().unwrap();
        let (out, spare, folder, new) = output_with_a_spare(dir.path());
        // Its files were known early in the build (`since`); a file put in
        // a folder of it then is not among them, and is seen well after.
        let since = std::time::SystemTime::now();
        let known = |_: &Path| Some(vec![PathBuf::from("a/index.html"), PathBuf::from("index.html")]);
        std::thread::sleep(spare::SLACK);
        fs::write(out.join("a/late.txt"), "mine").unwrap();
        std::thread::sleep(spare::SLACK * 2);
        let last = LastBuild { spare: Some(&spare), files: Some(&known), since: Some(since) };
        replace_output(&folder, &new, false, last, |dir, _| {
            fs::write(dir.join("index.html"), "two").map_err(Error::io("write", dir))
        })
        .unwrap();
        assert!(!spare.exists(), "an output with a file of someone else's is not kept");
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        let kept = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path());
        let kept: Vec<PathBuf> = kept.filter(|p| p.to_string_lossy().contains("kept-by-dotwork")).collect();
        assert_eq!(fs::read_to_string(kept[0].join("a/late.txt")).unwrap(), "mine");
    }

    #[test]
    fn the_output_replaced_is_kept_or_removed_once_settled_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (out, spare, folder, new) = output_with_a_spare(dir.path());
        let write = |text: &'static str| {
            move |dir: &Path, _: &BTreeSet<PathBuf>| {
                fs::write(dir.join("index.html"), text).map_err(Error::io("write", dir))
            }
        };
        let last = LastBuild { spare: Some(&spare), ..LastBuild::default() };
        let beside = || fs::read_dir(dir.path()).unwrap().count();
        std::thread::sleep(spare::SLACK * 2);
        let replaced = replace_output_unsettled(&folder, &new, false, last, write("two")).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!spare.exists(), "the old output is not kept before it is settled");
        assert_eq!(beside(), 3, "public, cache and the old output swapped out");
        replaced.settle();
        assert_eq!(fs::read_to_string(spare.join("a/index.html")).unwrap(), "one");
        assert_eq!(beside(), 2);
        // Dropped unsettled, it is dealt with all the same: without a spare, removed.
        std::thread::sleep(spare::SLACK * 2);
        drop(replace_output_unsettled(&folder, &new, false, LastBuild::default(), write("three")).unwrap());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert_eq!(beside(), 2, "public and cache");
    }

    #[test]
    fn a_file_already_there_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("shared.html"), "published").unwrap();
        fs::hard_link(dir.path().join("shared.html"), dir.path().join("index.html")).unwrap();
        write_file(dir.path(), &file("index.html", "new")).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("index.html")).unwrap(), "new");
        assert_eq!(fs::read_to_string(dir.path().join("shared.html")).unwrap(), "published");
    }

    #[test]
    fn restores_an_output_moved_aside_by_a_killed_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let old = dir.path().join(".public.dotwork-old-999999999-1");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("index.html"), "old").unwrap();
        recover(dir.path(), &OsString::from("public"), &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
    }
}
