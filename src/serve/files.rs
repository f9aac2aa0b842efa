//! Opening a static file of the site for one request.
//!
//! The snapshot names static files; they are opened when requested, not
//! when the site was built, so what is on disk may have changed since: the
//! file swapped for a symlink to `/etc/passwd`, or for a FIFO that would
//! block a reader forever (issue 9). So each request checks again what it
//! opened: a regular file, whose real path is inside the site's folder.

use std::fs::File;
use std::path::Path;

use crate::source::open_verified;

/// Opens `path`, the real path the load stage checked, for sending if it is
/// still a regular file inside `root` (canonical); returns it with its
/// length. `None` (answered as not found) for anything else: gone, a folder,
/// a FIFO, a device, a socket, or a link put in its place. The checks are
/// the load stage's own ([`open_verified`]), so build and serve refuse the
/// same files.
pub(crate) fn open_static(path: &Path, root: &Path) -> Option<(File, u64)> {
    if !path.starts_with(root) {
        log::warn!("not serving {}: it is outside the site folder", path.display());
        return None;
    }
    let file = open_verified(path).map_err(|e| log::debug!("not serving {}: {e}", path.display())).ok()?;
    let len = file.metadata().ok()?.len();
    Some((file, len))
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
            // A link put in the checked file's place after the build is not followed,
            // even to a file of the site: the load stage resolves links inside the site.
            std::os::unix::fs::symlink(site.join("static/a.css"), site.join("static/in.css")).unwrap();
            assert!(open_static(&site.join("static/in.css"), &site).is_none());
            let made = std::process::Command::new("mkfifo").arg(site.join("static/pipe.css")).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(open_static(&site.join("static/pipe.css"), &site).is_none());
            }
        }
    }
}
