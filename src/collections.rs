//! The hash maps and sets of the pipeline: std's, hashed with foldhash
//! instead of SipHash. Their keys are the site's own paths, URLs and ids;
//! hashing a path with SipHash was a sixth of the instructions of a
//! one-page rebuild at 10,000 pages (issue 16). What hashes what a visitor
//! sends (`serve`'s clients) keeps std's maps, whose keys are secret.

/// A [`std::collections::HashMap`] hashed with foldhash.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A [`std::collections::HashSet`] hashed with foldhash.
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
