//! The image cache: `.dotwork/cache/img/` in the site's folder.
//!
//! Outside `content/`, `static/` and the themes, so the watcher of `serve`
//! never sees it (Zola kept processed images in `static/`, and every encode
//! set its live reload off again: zola#2771), and outside the output, so it
//! is never published. Files are named by their key (the source's bytes,
//! the recipe, [`super::PIPELINE_VERSION`]) and never change once written:
//! each is written under a temporary name and renamed into place, so a
//! build killed halfway leaves no half-written variant. `build` prunes the
//! files no image of the site uses any more ([`Cache::prune`]).

use crate::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where the cache is, inside the site's folder.
pub const CACHE_DIR: &str = ".dotwork/cache/img";

/// The image cache of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cache {
    /// Its real path.
    dir: PathBuf,
}

impl Cache {
    /// The cache of the site at `root`.
    pub(crate) fn for_site(root: &Path) -> Cache {
        Cache { dir: super::inspect::real_root(root).join(CACHE_DIR) }
    }

    /// Its folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file `name` is kept.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether the file `name` is there.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.path(name).is_file()
    }

    /// Keeps `bytes` as the file `name`, written whole or not at all.
    pub(crate) fn store(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        // Two units may make the same variant at once (one photo shown twice):
        // each writes a temporary file of its own, and the last rename wins.
        static STORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        fs::create_dir_all(&self.dir)?;
        let path = self.path(name);
        let tmp = self.dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, &path)?;
        Ok(path)
    }

    /// Reads the JSON file `name`, if it is there and readable.
    pub(crate) fn read_json<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let text = fs::read(self.path(name)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Writes `value` as the JSON file `name`.
    pub(crate) fn write_json<T: Serialize>(&self, name: &str, value: &T) -> io::Result<()> {
        let bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
        self.store(name, &bytes).map(drop)
    }

    /// Removes every kept file whose name is not in `used`, and leftovers
    /// of killed runs; keeps the files named `keep`. Returns how many were
    /// removed.
    pub(crate) fn prune(&self, used: &HashSet<String>, keep: &[&str]) -> usize {
        let Ok(entries) = fs::read_dir(&self.dir) else { return 0 };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if used.contains(&name) || keep.contains(&name.as_str()) {
                continue;
            }
            // Another run's temporary file may still be being written.
            if name.starts_with('.') && !name.contains(&format!(".{}.", std::process::id())) {
                let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
                if old.is_none_or(|age| age.as_secs() < 3600) {
                    continue;
                }
            }
            if entry.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_stored_by_many_threads_at_once_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::for_site(dir.path());
        std::thread::scope(|s| {
            let stores: Vec<_> =
                (0..8).map(|_| s.spawn(|| cache.store("a-480.jpg", &[7; 100_000]))).collect();
            for store in stores {
                store.join().unwrap().unwrap();
            }
        });
        assert_eq!(fs::read(cache.path("a-480.jpg")).unwrap(), vec![7; 100_000]);
    }

    #[test]
    fn stores_whole_files_and_prunes_the_unused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::for_site(dir.path());
        cache.store("a-480.jpg", b"a").unwrap();
        cache.store("b-480.jpg", b"b").unwrap();
        cache.write_json("sources.json", &vec![1, 2]).unwrap();
        assert!(cache.has("a-480.jpg"));
        assert_eq!(cache.read_json::<Vec<u32>>("sources.json"), Some(vec![1, 2]));
        let used: HashSet<String> = HashSet::from_iter(["a-480.jpg".to_string()]);
        assert_eq!(cache.prune(&used, &["sources.json"]), 1);
        assert!(cache.has("a-480.jpg") && !cache.has("b-480.jpg") && cache.has("sources.json"));
        assert!(cache.dir().starts_with(dir.path().canonicalize().unwrap().join(".dotwork")));
    }
}
