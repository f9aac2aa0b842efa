//! Opening a static file of the site for one request.
//!
//! The snapshot names static files; they are opened when requested, not
//! when the site was built, so what is on disk may have changed since: the
//! file swapped for a symlink to `/etc/passwd`, or for a FIFO that would
//! block a reader forever (issue 9). So each request checks again what it
//! opened: a regular file, whose real path is inside the site's folder.

use std::fs::{File, OpenOptions};
use std::path::Path;

/// Opens `path` for sending if it is still a regular file inside `root`
/// (canonical); returns it with its length. `None` (answered as not found)
/// for anything else: gone, a folder, a FIFO, a device, a socket, or a link
/// that leads out of the site.
pub(crate) fn open_static(path: &Path, root: &Path) -> Option<(File, u64)> {
    // Refuse what is not a regular file before opening it at all: opening a
    // device can have effects of its own.
    let before = std::fs::metadata(path).ok()?;
    if !before.is_file() {
        log::debug!("not serving {}: no longer a regular file", path.display());
        return None;
    }
    let file = open_nonblocking(path).map_err(|e| log::debug!("cannot open {}: {e}", path.display())).ok()?;
    // Checked again on what was opened: the path may have been swapped in between.
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        log::debug!("not serving {}: no longer a regular file", path.display());
        return None;
    }
    let real = real_path(&file, path)?;
    if !real.starts_with(root) {
        log::warn!("not serving {}: it leads out of the site folder, to {}", path.display(), real.display());
        return None;
    }
    Some((file, meta.len()))
}

/// Opens for reading without waiting: a FIFO put in the file's place would
/// otherwise block the request's thread until a writer came along.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options.open(path)
}

/// Where the open `file` really is: on Linux what the kernel says of the
/// descriptor (so no swap after opening can fool it), elsewhere the path
/// with every link resolved.
fn real_path(file: &File, path: &Path) -> Option<std::path::PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        if let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return Some(real);
        }
    }
    let _ = file;
    std::fs::canonicalize(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn opens_regular_files_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let site = root.join("site");
        std::fs::create_dir_all(site.join("static")).unwrap();
        std::fs::write(site.join("static/a.css"), "a{}").unwrap();
        std::fs::write(root.join("secret"), "password").unwrap();
        let (mut file, len) = open_static(&site.join("static/a.css"), &site).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert_eq!((text.as_str(), len), ("a{}", 3));
        assert!(open_static(&site.join("static"), &site).is_none());
        assert!(open_static(&site.join("static/gone.css"), &site).is_none());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("secret"), site.join("static/out.css")).unwrap();
            assert!(open_static(&site.join("static/out.css"), &site).is_none());
            std::os::unix::fs::symlink(site.join("static/a.css"), site.join("static/in.css")).unwrap();
            assert_eq!(open_static(&site.join("static/in.css"), &site).map(|(_, len)| len), Some(3));
            let made = std::process::Command::new("mkfifo").arg(site.join("static/pipe.css")).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(open_static(&site.join("static/pipe.css"), &site).is_none());
            }
        }
    }
}
