//! The previous output, kept for the next build to write into (issue 16: a
//! rebuild costs what changed, not what the site holds).
//!
//! A build makes its new site in a folder of its own and swaps it with the
//! output; the old output then comes out beside it. Instead of removing that
//! folder file by file (10,000 pages are 20,000 files and folders), the build
//! keeps it in the build cache (`.dotwork/cache/build/*.spare`), and the next
//! build into the same output writes its site there: only the files that
//! differ are replaced and those no longer made removed; a file that is still
//! the output's own (hard-linked from it, the same file) is left as it is,
//! and no folder is made again.
//!
//! The spare is only ever written by replacing files, never through them:
//! its files share their data with the output's, and writing into one would
//! change the published site ([`super::write_file`]).
//!
//! It is kept only when it holds nothing but the files its mark lists, as
//! far as the build can tell without listing it: no folder of it changed
//! after the build looked at the output (anything added, removed or renamed
//! in a folder moves its time), and its top holds only what the mark names.
//! Otherwise it is removed file by file as before, and what is not dotwork's
//! is kept beside the output with a warning. A build killed while writing
//! into the spare leaves it under another name, removed by the next build.

use crate::collections::HashSet;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::mark::{self, Claim, MARK};
use super::{owner_alive, remove_leftover, unique_suffix};
use crate::look::{Kind, Within};

/// A folder changed this shortly before the build looked at the output is
/// taken as changed during the build: the file system's clock runs a tick
/// behind the system's (two ticks of a 100 Hz clock).
pub(super) const SLACK: Duration = Duration::from_millis(20);

/// The spare a build writes into: where it now is, and the files it holds.
#[derive(Debug)]
pub struct Taken {
    pub dir: PathBuf,
    pub files: BTreeSet<PathBuf>,
}

/// Takes the spare at `spare` for a build into `output`: moves it to a name
/// of this build's, so no other build takes it and a build killed while
/// writing into it leaves it known as unfinished. `None` when there is no
/// usable spare (one without a mark is removed). Unfinished spares of
/// builds that died are removed first. `like` is what it most likely holds
/// (the files of this build, `mark::read_mark`).
pub fn take(spare: &Path, output: &Path, like: &BTreeSet<PathBuf>) -> Option<Taken> {
    let (dir, name) = (spare.parent()?, spare.file_name()?.to_string_lossy().into_owned());
    let taken_prefix = format!("{name}-taken-");
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&taken_prefix) && !owner_alive(&file) {
            remove_leftover(&entry.path(), output);
        }
    }
    let kept = fs::symlink_metadata(spare).ok().filter(fs::Metadata::is_dir)?;
    if !on_one_disk(&kept, &fs::metadata(output.parent()?).ok()?) {
        // The output moved to another disk: the spare could not be swapped in.
        let _ = fs::remove_dir_all(spare);
        return None;
    }
    let taken = dir.join(format!("{taken_prefix}{}", unique_suffix()));
    fs::rename(spare, &taken).ok()?;
    match mark::read_mark(&taken, like) {
        Ok(Some(files)) => Some(Taken { dir: taken, files }),
        _ => {
            log::debug!("build cache: the kept previous output has no mark; it is removed");
            let _ = fs::remove_dir_all(&taken);
            None
        }
    }
}

/// Whether the folders `a` and `b` are on one disk (so one can be renamed
/// to the other's place).
fn on_one_disk(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        true
    }
}

/// Keeps `old`, the output a build just replaced, as the spare at `spare`,
/// if it holds only the files `claim` owns and none of its folders changed
/// since `since` (when the build looked at the output). False when it was
/// not kept, and is still at `old`.
pub fn keep(old: &Path, spare: &Path, claim: &Claim, since: SystemTime) -> bool {
    if !claim.forced.is_empty() || !unchanged_since(old, &claim.owned, since) {
        return false;
    }
    let _ = fs::remove_dir_all(spare);
    match fs::rename(old, spare) {
        Ok(()) => true,
        Err(e) => {
            log::debug!("build cache: cannot keep the previous output in {}: {e}", spare.display());
            false
        }
    }
}

/// Whether the folder `dir` holds only `files` (and the mark): its top-level
/// entries are the files' first components, and none of its folders
/// changed since `since`.
fn unchanged_since(dir: &Path, files: &BTreeSet<PathBuf>, since: SystemTime) -> bool {
    let Some(before) = since.checked_sub(SLACK) else { return false };
    let tops: HashSet<&std::ffi::OsStr> =
        files.iter().filter_map(|f| f.components().next()).map(|c| c.as_os_str()).collect();
    let Ok(entries) = fs::read_dir(dir) else { return false };
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let name = entry.file_name();
        if !(tops.contains(name.as_os_str()) || name == MARK) {
            return false;
        }
    }
    let before = before.duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.as_nanos());
    let dir = Within::open(dir);
    folders_of(files).par_iter().all(|folder| {
        dir.look(folder).is_ok_and(|l| l.kind == Kind::Folder && l.modified.is_some_and(|t| t < before))
    })
}

/// The folders that hold `files` (paths in one folder, sorted), but not that
/// folder itself. The paths are plain relative paths, so a folder is the
/// text before a separator: found so, and compared and hashed as text, not
/// part by part as `Path` does (a one-page rebuild at 10,000 pages asks
/// twice: 89 M instructions, now 17 M; issue 16).
pub(crate) fn folders_of(files: &BTreeSet<PathBuf>) -> Vec<&Path> {
    let mut seen: HashSet<&str> = HashSet::default();
    let mut odd: HashSet<&Path> = HashSet::default();
    let mut folders = Vec::new();
    let mut last = "";
    for file in files {
        let Some(text) = file.to_str() else {
            // A name that is not UTF-8 (a static file's): part by part.
            for folder in file.ancestors().skip(1).take_while(|f| !f.as_os_str().is_empty()) {
                if folder.to_str().map_or_else(|| odd.insert(folder), |name| seen.insert(name)) {
                    folders.push(folder);
                }
            }
            continue;
        };
        let mut folder = parent_text(text);
        if folder == last {
            continue;
        }
        last = folder;
        while !folder.is_empty() && seen.insert(folder) {
            folders.push(Path::new(folder));
            folder = parent_text(folder);
        }
    }
    folders
}

/// The folder part of the plain relative path `path`: `a/b` of `a/b/c`,
/// empty for `c`.
fn parent_text(path: &str) -> &str {
    path.bytes().rposition(|b| std::path::is_separator(b.into())).map_or("", |end| &path[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_lists_each_folder_once() {
        let mut files: BTreeSet<PathBuf> =
            ["index.html", "a/b/c/index.html", "a/b/d.html", "a/e/index.html", "f/index.html"]
                .into_iter()
                .map(|f| PathBuf::from(f.replace('/', std::path::MAIN_SEPARATOR_STR)))
                .collect();
        #[cfg(unix)]
        files.insert(PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
            b"a/\xff/g.png",
        )));
        let mut found: Vec<String> = folders_of(&files).iter().map(|f| crate::url::slash_path(f)).collect();
        found.sort();
        let mut expected = vec!["a", "a/b", "a/b/c", "a/e", "f"];
        if cfg!(unix) {
            expected.push("a/\u{fffd}");
            expected.sort();
        }
        assert_eq!(found, expected);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn takes_the_files_its_mark_lists_and_removes_what_killed_builds_left() {
        let dir = tempfile::tempdir().unwrap();
        let (spare, out) = (dir.path().join("a.spare"), dir.path().join("public"));
        fs::create_dir_all(spare.join("b")).unwrap();
        fs::write(spare.join("b/index.html"), "kept").unwrap();
        let files: BTreeSet<PathBuf> = [PathBuf::from("b/index.html")].into();
        fs::write(spare.join(MARK), mark::mark_text(files.iter())).unwrap();
        // Process 1 is alive (init), and no process has a number this high.
        let (alive, dead) =
            (dir.path().join("a.spare-taken-1-5"), dir.path().join("a.spare-taken-4194305-5"));
        fs::create_dir(&alive).unwrap();
        fs::create_dir(&dead).unwrap();
        let taken = take(&spare, &out, &BTreeSet::new()).unwrap();
        assert_eq!(taken.files, files);
        assert_eq!(fs::read_to_string(taken.dir.join("b/index.html")).unwrap(), "kept");
        assert!(!spare.exists() && alive.exists() && !dead.exists());
        // Without a mark, nothing is taken, and the folder goes.
        fs::remove_file(taken.dir.join(MARK)).unwrap();
        fs::rename(&taken.dir, &spare).unwrap();
        assert!(take(&spare, &out, &BTreeSet::new()).is_none());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the live build's folder is left");
    }
}
