//! Replacing the files of an output folder that cannot be swapped whole: a
//! mount point (a container volume, where renaming the folder gives "Device
//! or resource busy"), or a web root whose parent we may not write to.
//!
//! The whole new site is written first, into a staging folder inside the
//! output (so each move into place is an atomic rename on the same disk); a
//! build that fails there leaves the old site as it was. Then each file is
//! moved into place, and the files dotwork wrote last time that are no longer
//! part of the site are removed; nothing else is touched. During the moves the
//! mark lists both the old files and the new, so a build killed half-way
//! leaves nothing that the next build does not know to be its own.

use crate::collections::HashSet;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::mark::{self, Claim, MARK, TMP_MARK};
use super::{OutputFolder, is_busy_or_cross_device, unique_suffix, write_atomically};
use crate::error::{Diagnostic, Error};

/// Writes the site with `write` into a staging folder inside `folder`, then
/// replaces the folder's files with it ([`place_all`]).
pub fn replace(
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    claim: &Claim,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let out = &folder.real;
    // Mark the folder before anything is written into it, so the staging
    // folder of a killed build is known as dotwork's and removed next time.
    write_mark(out, claim.owned.iter())?;
    let staging = out.join(format!("{TMP_MARK}{}", unique_suffix()));
    fs::create_dir(&staging).map_err(Error::io("create folder", &staging))?;
    let result = write(&staging).and_then(|()| place_all(&staging, folder, new, claim));
    let _ = fs::remove_dir_all(&staging);
    result
}

/// Moves the files `new` from `staging` into `folder`, then removes the
/// files of the last build (and, with `--force`, the foreign ones) that the
/// new site no longer has.
pub fn place_all(
    staging: &Path,
    folder: &OutputFolder,
    new: &BTreeSet<PathBuf>,
    claim: &Claim,
) -> Result<(), Error> {
    let out = &folder.real;
    check_cname(staging, folder, claim)?;
    write_mark(out, claim.owned.iter().chain(new.iter()).collect::<BTreeSet<_>>().into_iter())?;
    for rel in new {
        place(&staging.join(rel), out, rel)?;
    }
    let stale: Vec<&Path> = claim
        .owned
        .iter()
        .chain(claim.forced.iter())
        .filter(|p| !new.contains(*p))
        .map(PathBuf::as_path)
        .collect();
    remove_listed(out, &stale)?;
    write_mark(out, new.iter())
}

/// Removes the files, links and empty folders `listed` under `out`, then the
/// folders that left empty; never anything else, and nothing through a link.
pub fn remove_listed(out: &Path, listed: &[&Path]) -> Result<(), Error> {
    // Every folder on the way is looked at before anything is removed, then
    // the entries are removed in parallel (10,000 pages are 20,000 entries).
    let mut real_dirs = HashSet::default();
    let removable: Vec<&Path> = listed
        .iter()
        .copied()
        .filter(|rel| rel.parent().is_none_or(|p| real_dirs_to(out, p, &mut real_dirs)))
        .collect();
    removable.par_iter().try_for_each(|rel| remove_stale(&out.join(rel)))?;
    // Folders left empty by the removals, deepest first; one depth at a time.
    let folders: HashSet<&Path> = listed.iter().flat_map(|p| p.ancestors().skip(1)).collect();
    let mut emptied: Vec<(usize, &Path)> = folders
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty() && real_dirs.contains(*p))
        .map(|p| (p.components().count(), p))
        .collect();
    emptied.sort_unstable_by(|(da, a), (db, b)| db.cmp(da).then_with(|| a.as_os_str().cmp(b.as_os_str())));
    for level in emptied.chunk_by(|(da, _), (db, _)| da == db) {
        level.par_iter().for_each(|(_, dir)| {
            let _ = fs::remove_dir(out.join(dir));
        });
    }
    Ok(())
}

fn write_mark<'p>(out: &Path, files: impl Iterator<Item = &'p PathBuf>) -> Result<(), Error> {
    write_atomically(&out.join(MARK), mark::mark_text(files).as_bytes(), out)
}

/// Moves `from` to `out/rel`, making its folders; whatever stands in the way
/// (a file where a folder goes, a folder where the file goes) was judged
/// dotwork's, or forced, by [`mark::claim`].
fn place(from: &Path, out: &Path, rel: &Path) -> Result<(), Error> {
    let mut dir = out.to_path_buf();
    for part in rel.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => fs::remove_file(&dir).map_err(Error::io("remove", &dir))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("read", &dir)(e)),
        }
        fs::create_dir(&dir).map_err(Error::io("create folder", &dir))?;
    }
    let to = out.join(rel);
    if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(&to).map_err(Error::io("remove", &to))?;
    }
    match fs::rename(from, &to) {
        Ok(()) => Ok(()),
        // Staged on another disk (a mount point found only when the swap
        // failed): copy beside the file, then rename, still atomic.
        Err(e) if is_busy_or_cross_device(&e) => {
            let tmp = dir.join(format!("{TMP_MARK}{}", unique_suffix()));
            fs::copy(from, &tmp).map_err(Error::io("copy", from))?;
            fs::rename(&tmp, &to).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                Error::io("write", &to)(e)
            })
        }
        Err(e) => Err(Error::io("write", &to)(e)),
    }
}

/// Removes `out/rel` (a file, a link, or an empty folder), unless a link
/// stands on the way to it: nothing outside the folder is ever removed.
fn remove_stale(full: &Path) -> Result<(), Error> {
    let removed = match fs::symlink_metadata(full) {
        Ok(m) if m.is_dir() => fs::remove_dir(full),
        Ok(_) => fs::remove_file(full),
        Err(_) => return Ok(()),
    };
    match removed {
        Err(e) if e.kind() != io::ErrorKind::NotFound && e.kind() != io::ErrorKind::DirectoryNotEmpty => {
            Err(Error::io("remove", full)(e))
        }
        _ => Ok(()),
    }
}

/// True when every folder from `out` down to `out/rel` is a real folder, not
/// a link; `real_dirs` remembers the folders found so (and is read only
/// before anything is removed below them).
fn real_dirs_to(out: &Path, rel: &Path, real_dirs: &mut HashSet<PathBuf>) -> bool {
    let mut dir = PathBuf::new();
    rel.components().all(|part| {
        dir.push(part);
        if real_dirs.contains(&dir) {
            return true;
        }
        let real = fs::symlink_metadata(out.join(&dir)).is_ok_and(|m| m.is_dir());
        if real {
            real_dirs.insert(dir.clone());
        }
        real
    })
}

/// A `CNAME` already in the output that dotwork did not write is kept, so a
/// site that makes a different one (`static/CNAME`) is an error, even with
/// `--force`: which domain is right is for the owner to say.
pub fn check_cname(staging: &Path, folder: &OutputFolder, claim: &Claim) -> Result<(), Error> {
    let (old, new) = (folder.real.join("CNAME"), staging.join("CNAME"));
    if claim.owned.contains(Path::new("CNAME")) || !new.exists() {
        return Ok(());
    }
    match fs::read(&old) {
        Ok(bytes) if fs::read(&new).is_ok_and(|n| n != bytes) => Err(Error::Site(vec![
            Diagnostic::error(
                folder.shown.join("CNAME"),
                "the output folder has a CNAME of its own, and the site makes a different one",
            )
            .with_help(format!(
                "dotwork keeps the output's CNAME across builds; keep only one of them: delete {} or the \
                 site's static/CNAME",
                folder.shown.join("CNAME").display()
            )),
        ])),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    fn folder(dir: &Path) -> OutputFolder {
        OutputFolder { shown: dir.to_path_buf(), real: dir.to_path_buf(), mount: true }
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_own_files_removes_stale_ones_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, "index.html", "old");
        write(out, "gone/index.html", "old");
        write(out, "page", "a file where a folder goes");
        write(out, "CNAME", "example.org");
        write(out, ".git/HEAD", "ref");
        let claim = Claim { owned: set(&["index.html", "gone/index.html", "page"]), forced: Vec::new() };
        let new = set(&["index.html", "page/index.html"]);
        replace(&folder(out), &new, &claim, |staging| {
            write(staging, "index.html", "new");
            write(staging, "page/index.html", "new");
            Ok(())
        })
        .unwrap();
        assert_eq!(files(out), [".dotwork-output", ".git/HEAD", "CNAME", "index.html", "page/index.html"]);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(mark::read_mark(out, &BTreeSet::new()).unwrap(), Some(new));
        assert!(!out.join("gone").exists(), "a folder emptied of stale files goes too");
    }

    #[test]
    fn a_failed_build_leaves_the_files_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, "index.html", "old");
        let claim = Claim { owned: set(&["index.html"]), forced: Vec::new() };
        let err = replace(&folder(out), &set(&["index.html"]), &claim, |staging| {
            write(staging, "index.html", "new");
            Err(Error::Serve("a page failed".into()))
        });
        assert!(err.is_err());
        assert_eq!(files(out), [".dotwork-output", "index.html"]);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
    }

    #[cfg(unix)]
    #[test]
    fn never_removes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let (out, outside) = (dir.path().join("out"), dir.path().join("outside"));
        write(&outside, "keep.txt", "precious");
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("sub")).unwrap();
        // A mark edited by hand to claim a file behind the link.
        let claim = Claim { owned: set(&["sub/keep.txt"]), forced: Vec::new() };
        replace(&folder(&out), &set(&["index.html"]), &claim, |staging| {
            write(staging, "index.html", "new");
            Ok(())
        })
        .unwrap();
        assert_eq!(fs::read_to_string(outside.join("keep.txt")).unwrap(), "precious");
    }

    #[test]
    fn a_different_cname_of_the_output_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging) = (dir.path().join("out"), dir.path().join("staging"));
        write(&out, "CNAME", "example.org");
        write(&staging, "CNAME", "other.example");
        let claim = Claim { owned: BTreeSet::new(), forced: Vec::new() };
        assert!(check_cname(&staging, &folder(&out), &claim).is_err());
        write(&staging, "CNAME", "example.org");
        assert!(check_cname(&staging, &folder(&out), &claim).is_ok());
    }
}
