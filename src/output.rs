//! Write: put the rendered site on disk, all or nothing.
//!
//! The site is written into a fresh folder beside the output
//! (`.public.dotwork-tmp-*`), and only when every file is written is it
//! swapped with the old output in one atomic rename (`RENAME_EXCHANGE` on
//! Linux; two renames elsewhere, with the old folder put back on the next run
//! if the process died between them). A failed or killed build therefore
//! never leaves a half-written `public/`.
//!
//! Every path is checked to be a plain relative path before anything is
//! written, whatever a slug, alias or file name said.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::{OutputContent, OutputFile};
use crate::source::AssetSource;

const TMP_MARK: &str = ".dotwork-tmp-";
const OLD_MARK: &str = ".dotwork-old-";

/// Writes `outputs` as the new contents of `output_dir`, replacing it whole.
pub fn write_output(outputs: &[OutputFile], output_dir: &Path) -> Result<(), Error> {
    replace_output(output_dir, |dir| {
        create_folders(outputs.iter().map(|o| o.path.as_path()), dir)?;
        outputs.par_iter().try_for_each(|o| write_file(dir, o))
    })
}

/// Makes a new site in a fresh folder beside `output_dir` with `write`, and
/// swaps it into place only if `write` succeeds; otherwise the fresh folder
/// is removed and `output_dir` is left as it was.
pub fn replace_output(
    output_dir: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let (parent, name) = split_dir(output_dir)?;
    fs::create_dir_all(&parent).map_err(Error::io("create folder", &parent))?;
    recover(&parent, &name, output_dir)?;
    let tmp = parent.join(marked(&name, TMP_MARK, &unique_suffix()));
    fs::create_dir(&tmp).map_err(Error::io("create folder", &tmp))?;
    let written = write(&tmp).and_then(|()| swap_into_place(&tmp, output_dir, &parent, &name));
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    written
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

fn unique_suffix() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// Cleans up after a build that was killed: puts back an old output that was
/// moved aside but not replaced, and removes leftover temporary folders.
fn recover(parent: &Path, name: &OsString, output_dir: &Path) -> Result<(), Error> {
    let Ok(entries) = fs::read_dir(parent) else { return Ok(()) };
    let tmp_prefix = marked(name, TMP_MARK, "").to_string_lossy().into_owned();
    let old_prefix = marked(name, OLD_MARK, "").to_string_lossy().into_owned();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&old_prefix) && !output_dir.exists() {
            fs::rename(entry.path(), output_dir).map_err(Error::io("restore", output_dir))?;
        } else if file.starts_with(&tmp_prefix) || file.starts_with(&old_prefix) {
            // Another build running at the same moment would own a fresh one;
            // only remove folders whose process is gone.
            if !owner_alive(&file) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok(())
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
    let mut folders = BTreeSet::new();
    for path in paths {
        if !is_plain_relative(path) {
            return Err(Error::io("write", path)(std::io::Error::other(
                "refusing a path that leaves the output folder",
            )));
        }
        let mut p = path.parent();
        while let Some(folder) = p.filter(|f| !f.as_os_str().is_empty()) {
            if !folders.insert(folder.to_path_buf()) {
                break;
            }
            p = folder.parent();
        }
    }
    // BTreeSet order puts every folder after its parent.
    for folder in &folders {
        let full = dir.join(folder);
        fs::create_dir(&full)
            .or_else(|e| if full.is_dir() { Ok(()) } else { Err(e) })
            .map_err(Error::io("create folder", &full))?;
    }
    Ok(())
}

/// Writes one file under `dir`, whose folder exists ([`create_folders`]).
pub fn write_file(dir: &Path, o: &OutputFile) -> Result<(), Error> {
    let full = dir.join(&o.path);
    match &o.content {
        OutputContent::Bytes(bytes) => fs::write(&full, bytes).map_err(Error::io("write", &full)),
        OutputContent::Asset(AssetSource::Builtin(bytes)) => {
            fs::write(&full, bytes).map_err(Error::io("write", &full))
        }
        // The file the load stage checked, opened so that a link or a pipe
        // swapped in since is refused rather than followed (issue 9).
        OutputContent::Asset(AssetSource::File(from)) => {
            let mut source = crate::source::open_verified(from).map_err(Error::io("copy", from))?;
            let mut copy = fs::File::create(&full).map_err(Error::io("write", &full))?;
            std::io::copy(&mut source, &mut copy).map(drop).map_err(Error::io("copy", from))
        }
    }
}

/// True for `a/b/c.html`; false for anything absolute, with `..`, `.` or a prefix.
pub(crate) fn is_plain_relative(path: &Path) -> bool {
    path.components().count() > 0 && path.components().all(|c| matches!(c, Component::Normal(_)))
}

fn swap_into_place(tmp: &Path, output_dir: &Path, parent: &Path, name: &OsString) -> Result<(), Error> {
    if !output_dir.exists() {
        return fs::rename(tmp, output_dir).map_err(Error::io("move the new site to", output_dir));
    }
    if !output_dir.is_dir() {
        return Err(Error::io("replace", output_dir)(std::io::Error::other("it is a file, not a folder")));
    }
    if exchange(tmp, output_dir).is_ok() {
        // `tmp` now holds the previous site.
        let _ = fs::remove_dir_all(tmp);
        return Ok(());
    }
    let old = parent.join(marked(name, OLD_MARK, &unique_suffix()));
    fs::rename(output_dir, &old).map_err(Error::io("move aside", output_dir))?;
    if let Err(e) = fs::rename(tmp, output_dir) {
        let _ = fs::rename(&old, output_dir);
        return Err(Error::io("move the new site to", output_dir)(e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
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
        OutputFile { path: path.into(), content: OutputContent::Bytes(text.as_bytes().to_vec()) }
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
