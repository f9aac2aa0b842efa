//! The built-in `clinic` theme, compiled in by `build.rs` from
//! `themes/clinic/`. Used when the site has no `themes/clinic/` folder of its
//! own, so `site.yaml` and `content/` alone are a complete site.

include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));

/// The theme that is compiled in.
pub(crate) const BUILTIN_THEME: &str = "clinic";

/// The built-in files under `prefix` (`templates/`, `static/`), with the
/// prefix removed.
pub(crate) fn builtin_files(prefix: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    FILES.iter().filter_map(move |(path, bytes)| path.strip_prefix(prefix).map(|rest| (rest, *bytes)))
}
