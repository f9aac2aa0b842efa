//! Writing a new site into its folder: all of it or nothing.
//!
//! The folder must be new, empty, or hold only `.git` (a repository just
//! cloned from GitHub, ready for its first commit). Each file is created
//! with `create_new`, so nothing that appeared meanwhile is overwritten;
//! if any write fails, every file and folder made so far is removed again,
//! so a failure never leaves half a site behind. (Writing into a temporary
//! folder and renaming it into place cannot work here: the folder may be
//! the one the command runs in, or already hold `.git`.)

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error};
use crate::scaffold::ScaffoldFile;

/// What a folder may hold for `init` to write into it.
const ALLOWED: &[&str] = &[".git"];

/// Writes `files` into `dir`, creating it if needed; refuses a folder that
/// holds anything but `.git`, and removes what it made if a write fails.
pub fn write_new_site(dir: &Path, files: &[ScaffoldFile]) -> Result<(), Error> {
    refuse_non_empty(dir)?;
    let mut made = Made::default();
    match write_all(dir, files, &mut made) {
        Ok(()) => Ok(()),
        Err(e) => {
            made.remove();
            Err(e)
        }
    }
}

/// An error unless `dir` is missing, empty or holds only `.git`.
pub(crate) fn refuse_non_empty(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Site(vec![
            Diagnostic::error(dir, "this is a file, not a folder")
                .with_help("name a new folder for the site, such as: dotwork init my-clinic"),
        ]));
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read the folder", dir)(e)),
    };
    let mut found: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("read the folder", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !ALLOWED.contains(&name.as_str()) {
            found.push(name);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    let shown = match found.as_slice() {
        [one] => format!("`{one}`"),
        [first, second] => format!("`{first}` and `{second}`"),
        [first, rest @ ..] => format!("`{first}` and {} more", rest.len()),
        [] => String::new(),
    };
    Err(Error::Site(vec![
        Diagnostic::error(
            dir,
            format!("the folder {} is not empty (it holds {shown}); dotwork init only writes into a new or empty folder", dir.display()),
        )
        .with_help("name a new folder for the site, such as: dotwork init my-clinic"),
    ]))
}

/// The files and folders made so far, to remove on failure.
#[derive(Default)]
struct Made {
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
}

impl Made {
    /// Creates `dir` and any missing folders above it, remembering each.
    fn create_folder(&mut self, dir: &Path) -> Result<(), Error> {
        let missing: Vec<&Path> =
            dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).collect();
        for folder in missing.into_iter().rev() {
            fs::create_dir(folder).map_err(Error::io("create the folder", folder))?;
            self.folders.push(folder.to_path_buf());
        }
        Ok(())
    }

    /// Removes what was made, newest first; best effort, since it runs
    /// after something already failed.
    fn remove(self) {
        for file in self.files.iter().rev() {
            let _ = fs::remove_file(file);
        }
        for folder in self.folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
}

fn write_all(dir: &Path, files: &[ScaffoldFile], made: &mut Made) -> Result<(), Error> {
    made.create_folder(dir)?;
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            made.create_folder(parent)?;
        }
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(Error::io("create", &path))?;
        made.files.push(path.clone());
        out.write_all(file.text.as_bytes()).map_err(Error::io("write", &path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> ScaffoldFile {
        ScaffoldFile { path: path.into(), text: "x\n".into() }
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new/site");
        // The second file cannot be made: its folder's name is taken by the first file.
        let files = [file("content/a.md"), file("content/a.md/b.md")];
        let err = write_new_site(&dir, &files).unwrap_err();
        assert!(err.to_string().contains("content/a.md"), "{err}");
        assert!(!tmp.path().join("new").exists());
    }

    #[test]
    fn only_git_may_be_there_already() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join(".git")).unwrap();
        write_new_site(tmp.path(), &[file("site.yaml")]).unwrap();
        let err = write_new_site(tmp.path(), &[file("other.yaml")]).unwrap_err();
        let Error::Site(ds) = err else { panic!("{err}") };
        assert!(ds[0].message.contains("is not empty (it holds `site.yaml`)"), "{}", ds[0].message);
        assert!(!tmp.path().join("other.yaml").exists());
        let err = write_new_site(&tmp.path().join("site.yaml"), &[file("x")]).unwrap_err();
        let Error::Site(ds) = err else { panic!("{err}") };
        assert_eq!(ds[0].message, "this is a file, not a folder");
    }
}
