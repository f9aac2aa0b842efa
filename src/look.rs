//! Looking at files and folders (kind, size, times, file number) by their
//! paths inside a folder opened once.
//!
//! A build looks at every folder of its output twice and at every file of
//! the spare it writes into (`output/spare.rs`, `cache/up_to_date.rs`):
//! 30,000 calls to the system in a one-page rebuild at 10,000 pages. By a
//! whole path, the system walks every part of it each time
//! (`/home/…/site/.dotwork/cache/build/….spare/guide/page/index.html`); from
//! the open folder, only the parts inside it (issue 16: on Linux, 22.5
//! against 18.6 ms for 10,000 files four parts deep in a folder four parts
//! from the root, and more for deeper folders). Elsewhere each path is
//! joined to the folder's, as before.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a file or folder is, as [`Within::look`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Look {
    pub(crate) kind: Kind,
    pub(crate) len: u64,
    /// Modification time, nanoseconds since 1970 (`None` before).
    pub(crate) modified: Option<u128>,
    /// Change time (Unix), nanoseconds since 1970 (`None` before); `Some(0)`
    /// elsewhere.
    pub(crate) changed: Option<u128>,
    /// The file number (inode; 0 where there is none).
    pub(crate) number: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Folder,
    Link,
    Other,
}

impl Look {
    /// What `meta` (not following a link) tells.
    pub(crate) fn of(meta: &fs::Metadata) -> Look {
        let kind = meta.file_type();
        let kind = if kind.is_symlink() {
            Kind::Link
        } else if kind.is_dir() {
            Kind::Folder
        } else if kind.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        let modified =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos());
        #[cfg(unix)]
        let (changed, number) = {
            use std::os::unix::fs::MetadataExt;
            (nanos_of(meta.ctime(), meta.ctime_nsec()), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, number) = (Some(0), 0);
        Look { kind, len: meta.len(), modified, changed, number }
    }

    /// What `path` is, not following a link.
    pub(crate) fn at(path: &Path) -> io::Result<Look> {
        fs::symlink_metadata(path).map(|meta| Look::of(&meta))
    }
}

/// Nanoseconds since 1970 of a time in seconds and nanoseconds, if after.
#[cfg(unix)]
fn nanos_of(seconds: i64, nanos: i64) -> Option<u128> {
    let seconds = u128::try_from(seconds).ok()?;
    Some(seconds * 1_000_000_000 + u128::try_from(nanos).ok()?)
}

/// A folder opened once, whose files and folders are looked at by their
/// paths inside it.
#[derive(Debug)]
pub(crate) struct Within {
    path: PathBuf,
    /// The folder, open (Linux): `None` if it could not be opened, and then
    /// each path is joined to `path`.
    #[cfg(target_os = "linux")]
    open: Option<std::os::fd::OwnedFd>,
}

impl Within {
    /// The folder `path` (a link to a folder is followed, as a path
    /// through it would be).
    pub(crate) fn open(path: &Path) -> Within {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let open = rustix::fs::open(path, flags, Mode::empty()).ok();
            Within { path: path.to_path_buf(), open }
        }
        #[cfg(not(target_os = "linux"))]
        Within { path: path.to_path_buf() }
    }

    /// What the file or folder `rel` inside this folder is, not following
    /// a link; the folder itself for an empty `rel`.
    pub(crate) fn look(&self, rel: &Path) -> io::Result<Look> {
        #[cfg(target_os = "linux")]
        if let Some(open) = &self.open {
            use rustix::fs::{AtFlags, FileType};
            let flags = AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH;
            let stat = rustix::fs::statat(open, rel, flags)?;
            let kind = match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => Kind::File,
                FileType::Directory => Kind::Folder,
                FileType::Symlink => Kind::Link,
                _ => Kind::Other,
            };
            #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
            return Ok(Look {
                kind,
                len: u64::try_from(stat.st_size).unwrap_or(0),
                modified: nanos_of(stat.st_mtime as i64, stat.st_mtime_nsec as i64),
                changed: nanos_of(stat.st_ctime as i64, stat.st_ctime_nsec as i64),
                number: stat.st_ino.into(),
            });
        }
        Look::at(&self.path.join(rel))
    }

    /// Sets the modification time of the folder or file `rel` inside this
    /// folder (the folder itself for an empty `rel`) to `time`, not through
    /// a link: a link put in its place has its own time set. Unix only.
    pub(crate) fn set_modified(&self, rel: &Path, time: SystemTime) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{AtFlags, CWD, Timespec, Timestamps, UTIME_OMIT};
            use std::os::fd::AsFd;
            let since = time.duration_since(UNIX_EPOCH).map_err(io::Error::other)?;
            let tv_sec = i64::try_from(since.as_secs()).map_err(io::Error::other)?;
            let times = Timestamps {
                last_access: Timespec { tv_sec: 0, tv_nsec: UTIME_OMIT },
                last_modification: Timespec { tv_sec, tv_nsec: since.subsec_nanos().into() },
            };
            let whole;
            let (at, path) = match self.open.as_ref().filter(|_| !rel.as_os_str().is_empty()) {
                Some(open) => (open.as_fd(), rel),
                None => {
                    whole = self.path.join(rel);
                    (CWD, whole.as_path())
                }
            };
            Ok(rustix::fs::utimensat(at, path, &times, AtFlags::SYMLINK_NOFOLLOW)?)
        }
        #[cfg(not(target_os = "linux"))]
        set_modified_at(&self.path.join(rel), time)
    }

    /// The folder's path, as given.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// [`Within::set_modified`] by the whole path: a folder, opened without
/// following a link.
#[cfg(all(unix, not(target_os = "linux")))]
fn set_modified_at(path: &Path, time: SystemTime) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let folder =
        fs::File::options().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY).open(path)?;
    folder.set_modified(time)
}

#[cfg(not(unix))]
fn set_modified_at(_: &Path, _: SystemTime) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_inside_the_folder_as_by_the_whole_path() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(dir.path().join("a/b/index.html"), "<p>hi</p>").unwrap();
        let within = Within::open(dir.path());
        for rel in ["", "a", "a/b", "a/b/index.html"] {
            let by_path = fs::symlink_metadata(dir.path().join(rel)).unwrap();
            assert_eq!(within.look(Path::new(rel)).unwrap(), Look::of(&by_path), "{rel}");
        }
        let file = within.look(Path::new("a/b/index.html")).unwrap();
        assert_eq!((file.kind, file.len), (Kind::File, 9));
        assert_eq!(within.look(Path::new("a")).unwrap().kind, Kind::Folder);
        let missing = within.look(Path::new("a/none")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn a_time_set_is_the_time_looked_at_and_a_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("link")).unwrap();
        let within = Within::open(dir.path());
        let time = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let a_before = within.look(Path::new("a")).unwrap();
        for rel in ["", "a/b", "link"] {
            within.set_modified(Path::new(rel), time).unwrap();
            let look = within.look(Path::new(rel)).unwrap();
            assert_eq!(look.modified, Some(1_700_000_000 * 1_000_000_000), "{rel}");
        }
        assert_eq!(within.look(Path::new("a")).unwrap(), a_before, "not through the link");
        assert!(within.set_modified(Path::new("none"), time).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_looked_at_not_through() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("link")).unwrap();
        let within = Within::open(dir.path());
        assert_eq!(within.look(Path::new("link")).unwrap().kind, Kind::Link);
    }
}
