//! The hash maps and sets of the pipeline: std's, hashed with foldhash
//! instead of SipHash. Their keys are the site's own paths, URLs and ids;
//! hashing a path with SipHash was a sixth of the instructions of a
//! one-page rebuild at 10,000 pages (issue 16). What hashes what a visitor
//! sends (`serve`'s clients) keeps std's maps, whose keys are secret.

/// A [`std::collections::HashMap`] hashed with foldhash.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A [`std::collections::HashSet`] hashed with foldhash.
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// A map keyed by paths as their bytes: inserted as `path.into_os_string()`,
/// looked up with `path.as_os_str()`. The site's paths are plain relative
/// paths, so the same path is the same bytes; `Path`'s own hash goes
/// through a path byte by byte to skip what its parts would normalize
/// (about 500 instructions a path, a tenth of a one-page rebuild at 1,000
/// pages, where the bytes take a few dozen).
pub type PathMap<V> = HashMap<std::ffi::OsString, V>;
