//! `dotwork init`: the starter site for the answers, written into its
//! folder whole. The questions are asked by `main` (the library never
//! prints), between [`check_folder`] and [`init`].

use std::path::{Path, PathBuf};

use crate::config::Host;
use crate::date::Date;
use crate::error::Error;
use crate::scaffold::write::{refuse_non_empty, write_new_site};
use crate::scaffold::{Answers, DEFAULT_HOST, ScaffoldFile, starter_site};

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitSummary {
    /// The files written, relative to the site's folder.
    pub files: Vec<PathBuf>,
    /// Their size in bytes, all together.
    pub bytes: usize,
    /// The host the site was made for.
    pub host: Host,
    /// How many placeholders the site holds for the clinic to fill in.
    pub placeholders: usize,
}

/// An error unless `dir` can take a new site (it is missing, empty or
/// holds only `.git`): checked before any question is asked.
pub fn check_folder(dir: &Path) -> Result<(), Error> {
    refuse_non_empty(dir)
}

/// The name the folder `dir` will have, for the default clinic name.
pub fn folder_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    // `absolute` keeps `..` and `.` as written; the last real name is the folder's.
    let name = absolute.components().rev().find_map(|c| match c {
        std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
        _ => None,
    });
    match dir.canonicalize() {
        Ok(real) => real.file_name().map(|n| n.to_string_lossy().into_owned()),
        Err(_) => name,
    }
    .unwrap_or_default()
}

/// Writes a new site for `answers` into `dir`.
pub fn init(dir: &Path, answers: &Answers) -> Result<InitSummary, Error> {
    let files = starter_site(answers, Date::today());
    write_new_site(dir, &files)?;
    Ok(InitSummary {
        bytes: files.iter().map(|f| f.text.len()).sum(),
        host: answers.host.unwrap_or(DEFAULT_HOST),
        placeholders: count_placeholders(&files),
        files: files.into_iter().map(|f| f.path).collect(),
    })
}

fn count_placeholders(files: &[ScaffoldFile]) -> usize {
    files
        .iter()
        .map(|f| {
            let yaml = f.path == Path::new(crate::config::CONFIG_FILE);
            crate::check::placeholders_in(&f.path, &f.text, yaml).len()
        })
        .sum()
}
