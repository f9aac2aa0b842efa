//! Where the output folder really is: links resolved (an output that is a
//! link is built into its target), and whether it is a mount point, which
//! cannot be swapped by renaming.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error};

/// The folder a build writes into.
#[derive(Debug, Clone)]
pub struct OutputFolder {
    /// The path as it was given, for messages.
    pub shown: PathBuf,
    /// Its real path: every symbolic link on the way resolved, the folder's
    /// own too when it is a link (the build goes into the link's target).
    pub real: PathBuf,
    /// It is a mount point, which cannot be swapped by renaming.
    pub mount: bool,
}

impl OutputFolder {
    /// Resolves `output`: follows links, and refuses a link to nowhere or a file.
    pub fn resolve(output: &Path) -> Result<OutputFolder, Error> {
        let real = real_path(output).map_err(Error::io("find", output))?;
        let is_link = fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink());
        let refuse = |message: String, help: &str| {
            Err(Error::Site(vec![Diagnostic::error(output, message).with_help(help)]))
        };
        match fs::metadata(&real) {
            Ok(m) if !m.is_dir() => {
                return refuse(
                    format!("the output is a file ({}), not a folder", real.display()),
                    "choose a folder with --output, such as public",
                );
            }
            Err(_) if is_link => {
                return refuse(
                    format!("the output folder is a link to {}, which does not exist", real.display()),
                    "create that folder, or delete the link to build into a new folder",
                );
            }
            _ => {}
        }
        if is_link {
            log::info!("{} is a link: building into {}", output.display(), real.display());
        }
        let mount = real.is_dir() && is_mount_point(&real);
        Ok(OutputFolder { shown: output.to_path_buf(), real, mount })
    }
}

/// `path` made absolute with every symbolic link resolved, as far as it
/// exists: the rest (a folder not made yet) is added by name. Unlike
/// [`fs::canonicalize`] it works for paths that do not exist, and follows a
/// link whose target does not exist.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    let mut rest: Vec<PathBuf> =
        std::path::absolute(path)?.components().rev().map(|c| PathBuf::from(c.as_os_str())).collect();
    let mut out = PathBuf::new();
    let mut links = 0;
    while let Some(part) = rest.pop() {
        match part.components().next() {
            Some(Component::Normal(name)) => {
                let next = out.join(name);
                match fs::symlink_metadata(&next) {
                    Ok(m) if m.file_type().is_symlink() => {
                        links += 1;
                        if links > 40 {
                            return Err(io::Error::other(format!("too many links in {}", path.display())));
                        }
                        // A relative target is read from the link's folder, `out`.
                        let target = fs::read_link(&next)?;
                        rest.extend(target.components().rev().map(|c| PathBuf::from(c.as_os_str())));
                    }
                    _ => out = next,
                }
            }
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::RootDir | Component::Prefix(_)) => out.push(&part),
            Some(Component::CurDir) | None => {}
        }
    }
    Ok(out)
}

/// True when `dir` (a real path) is a mount point: another device than its
/// parent's, or listed as one by the kernel (a bind mount of the same disk).
fn is_mount_point(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dev = |p: &Path| fs::metadata(p).map(|m| m.dev());
        if let (Ok(a), Some(Ok(b))) = (dev(dir), dir.parent().map(dev))
            && a != b
        {
            return true;
        }
    }
    #[cfg(target_os = "linux")]
    if let Ok(text) = fs::read_to_string("/proc/self/mountinfo") {
        return mount_points(&text).any(|m| m == dir);
    }
    false
}

/// The mount points listed in `/proc/self/mountinfo` (its fifth field, with
/// `\040`-style octal escapes for spaces and the like).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn mount_points(mountinfo: &str) -> impl Iterator<Item = PathBuf> + '_ {
    mountinfo.lines().filter_map(|line| line.split(' ').nth(4)).map(|field| {
        let mut bytes = Vec::with_capacity(field.len());
        let raw = field.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            let octal = raw
                .get(i + 1..i + 4)
                .filter(|d| raw[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
            match octal {
                Some(d) => {
                    bytes.push(d.iter().fold(0u8, |n, b| n.wrapping_mul(8).wrapping_add(b - b'0')));
                    i += 4;
                }
                None => {
                    bytes.push(raw[i]);
                    i += 1;
                }
            }
        }
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn real_paths_resolve_links_also_past_the_end_of_what_exists() {
        let dir = tempfile::tempdir().unwrap();
        let base = real_path(dir.path()).unwrap();
        fs::create_dir_all(base.join("site/content")).unwrap();
        std::os::unix::fs::symlink(base.join("site"), base.join("link")).unwrap();
        std::os::unix::fs::symlink("site/content", base.join("rel")).unwrap();
        std::os::unix::fs::symlink(base.join("nowhere/deep"), base.join("dangling")).unwrap();
        assert_eq!(real_path(&base.join("link/content/new/x")).unwrap(), base.join("site/content/new/x"));
        assert_eq!(real_path(&base.join("rel/..")).unwrap(), base.join("site"));
        assert_eq!(real_path(&base.join("dangling")).unwrap(), base.join("nowhere/deep"));
        assert_eq!(real_path(&base.join("link/./content/../static")).unwrap(), base.join("site/static"));
    }

    #[test]
    fn reads_mount_points_with_escaped_names() {
        let info = "36 35 98:0 /mnt1 /mnt/my\\040volume rw,noatime master:1 - ext3 /dev/root rw\n\
                    37 35 0:5 / /srv/www/public rw - tmpfs tmpfs rw\n";
        let points: Vec<PathBuf> = mount_points(info).collect();
        assert_eq!(points, [PathBuf::from("/mnt/my volume"), PathBuf::from("/srv/www/public")]);
    }
}
