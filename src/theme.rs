//! Themes: the built-in `clinic` theme, compiled in by `build.rs` from
//! `themes/clinic/` and used when the site has no `themes/clinic/` folder of
//! its own (so `site.yaml` and `content/` alone are a complete site), and a
//! theme's settings file, `theme.yaml` beside its `templates/` and `static/`.
//!
//! `theme.yaml` holds what a theme knows about its layout that the
//! pipeline needs (issue 11): the widths its images are published in and
//! the `sizes` attribute that tells browsers how wide it shows them.
//!
//! ```yaml
//! images:
//!   widths: [480, 660, 960, 1600]
//!   sizes: "(min-width: 43rem) 40rem, calc(100vw - 2.5rem)"
//! ```
//!
//! Every key is optional; a theme without the file gets
//! [`ImageSettings::default`]. As in site.yaml, an unknown key is an error.
//! Widths may be listed in any order (they are sorted: the set is what
//! counts), but two widths within 25% of each other are an error, a repeat
//! included: the recipe (`image/recipe.rs`) never publishes an image at a
//! width within 25% of the next wider one, so the narrower would never be
//! used, and a silently ignored setting is the hardest mistake to find.

pub(crate) mod brand;
pub(crate) mod colour;
pub(crate) mod i18n;

use std::path::Path;

use crate::error::{Diagnostic, Location};
use crate::image::{ImageSettings, MIN_STEP};
use crate::yaml::parse_yaml;

include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));

/// The theme that is compiled in.
pub(crate) const BUILTIN_THEME: &str = "clinic";

/// A theme's settings file, in the theme's folder.
pub const THEME_FILE: &str = "theme.yaml";

/// The widest image width a theme may declare: twice a 4K screen's width is
/// already more than any content column needs, and each width costs two
/// encodes of every photo.
pub const MAX_WIDTH: u32 = 8192;

/// The most widths a theme may declare, for the same reason.
pub const MAX_WIDTHS: usize = 8;

/// The built-in files under `prefix` (`templates/`, `static/`), with the
/// prefix removed.
pub(crate) fn builtin_files(prefix: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    FILES.iter().filter_map(move |(path, bytes)| path.strip_prefix(prefix).map(|rest| (rest, *bytes)))
}

/// The built-in theme's file `name` (`theme.yaml`), if it has one.
pub(crate) fn builtin_file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(path, _)| *path == name).map(|(_, bytes)| *bytes)
}

/// Everything in a theme's `theme.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeSettings {
    /// How the theme shows images.
    pub images: ImageSettings,
}

/// Parses and checks the text of a theme's settings file `file` (the
/// string twin of loading it).
pub fn parse_theme_settings(file: &Path, text: &str) -> Result<ThemeSettings, Vec<Diagnostic>> {
    let what = crate::url::slash_path(file);
    // An empty file (or one with only comments) is a theme with no settings.
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(ThemeSettings::default());
    }
    let mut settings: ThemeSettings = parse_yaml(file, text, text, 1, &what).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let images = &mut settings.images;
    let at_key = |path: &str, message: String| {
        let d = Diagnostic::error(file, message);
        match crate::yaml::key_path_location(text, path) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    let at_width = |width: u32, message: String| {
        let d = Diagnostic::error(file, message);
        match width_location(text, width) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    if images.widths.is_empty() {
        problems.push(
            at_key("images.widths", "the theme declares no image width".to_string())
                .with_help("list at least one width in pixels, e.g. widths: [480, 960, 1600]"),
        );
    }
    if images.widths.len() > MAX_WIDTHS {
        problems.push(
            at_key("images.widths", format!("the theme declares {} image widths", images.widths.len()))
                .with_help(format!(
                    "declare at most {MAX_WIDTHS}: each width costs two encodes of every photo"
                )),
        );
    }
    for &w in &images.widths {
        if w == 0 || w > MAX_WIDTH {
            problems.push(
                at_width(w, format!("image width {w} is not between 1 and {MAX_WIDTH} pixels"))
                    .with_help("write widths in pixels, e.g. widths: [480, 960, 1600]"),
            );
        }
    }
    images.widths.sort_unstable();
    for pair in images.widths.windows(2) {
        let (narrow, wide) = (pair[0], pair[1]);
        if narrow == 0 || wide > MAX_WIDTH {
            continue;
        }
        let message = if narrow == wide {
            format!("image width {wide} is listed twice")
        } else if f64::from(wide) < f64::from(narrow) * MIN_STEP {
            format!("image widths {narrow} and {wide} are within 25% of each other")
        } else {
            continue;
        };
        problems.push(at_width(wide, message).with_help(format!(
            "an image is never published at a width within 25% of the next wider one, so {narrow} would never be used: remove it, or make the next width at least {}",
            (f64::from(narrow) * MIN_STEP).ceil()
        )));
    }
    if images.sizes.trim().is_empty() {
        problems.push(
            at_key("images.sizes", "the theme's image `sizes` is empty".to_string()).with_help(
                "write how wide the theme shows an image, e.g. sizes: \"(min-width: 43rem) 40rem, calc(100vw - 2.5rem)\"",
            ),
        );
    }
    if problems.is_empty() { Ok(settings) } else { Err(problems) }
}

/// Where the width `width` is written under `images.widths` in `text`: the
/// first line from the key on that holds the number as a whole word.
fn width_location(text: &str, width: u32) -> Option<Location> {
    let start = crate::yaml::key_path_location(text, "images.widths")?;
    let number = width.to_string();
    text.lines().enumerate().skip(start.line - 1).find_map(|(i, line)| {
        let code = line.split(" #").next().unwrap_or(line);
        let bytes = code.as_bytes();
        let mut from = 0;
        while let Some(at) = code[from..].find(&number).map(|a| a + from) {
            let end = at + number.len();
            // A whole number: no digit (or minus sign) just before it, no digit just after.
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let joined = before.is_some_and(|b| b.is_ascii_digit() || b == b'-')
                || bytes.get(end).is_some_and(u8::is_ascii_digit);
            if !joined {
                return Some(Location { line: i + 1, column: code[..at].chars().count() + 1 });
            }
            from = end;
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ThemeSettings, Vec<Diagnostic>> {
        parse_theme_settings(Path::new("themes/t/theme.yaml"), text)
    }

    fn error(text: &str) -> Diagnostic {
        let mut errors = parse(text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.remove(0)
    }

    #[test]
    fn the_builtin_theme_declares_the_defaults() {
        let text =
            std::str::from_utf8(builtin_file(THEME_FILE).expect("the clinic theme has theme.yaml")).unwrap();
        assert_eq!(parse(text).unwrap(), ThemeSettings::default());
        assert_eq!(ThemeSettings::default().images.widths, [480, 660, 960, 1600]);
    }

    #[test]
    fn widths_are_sorted_and_keys_are_optional() {
        let s = parse("images:\n  widths: [1200, 300, 640]\n").unwrap();
        assert_eq!(s.images.widths, [300, 640, 1200]);
        assert_eq!(s.images.sizes, ImageSettings::default().sizes);
        let s = parse("images:\n  sizes: 100vw\n").unwrap();
        assert_eq!(
            (s.images.widths.as_slice(), s.images.sizes.as_str()),
            (&[480, 660, 960, 1600][..], "100vw")
        );
        assert_eq!(parse("# nothing yet\n\n").unwrap(), ThemeSettings::default());
        assert_eq!(parse("images: {}\n").unwrap(), ThemeSettings::default());
    }

    #[test]
    fn an_unknown_key_names_the_file_and_line_with_a_suggestion() {
        let d = error("images:\n  widths: [480]\n  size: 100vw\n");
        assert_eq!(d.message, "unknown key `size` in themes/t/theme.yaml (under `images`)");
        assert_eq!(d.help.as_deref(), Some("did you mean `sizes`?"));
        assert_eq!(d.file, Path::new("themes/t/theme.yaml"));
        assert_eq!(d.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn bad_yaml_and_wrong_kinds_are_errors_at_their_line() {
        let d = error("images:\n  widths: [480, 960\n");
        assert_eq!(d.file, Path::new("themes/t/theme.yaml"));
        assert!(d.location.is_some(), "{d:?}");
        let d = error("images:\n  widths: [480, -5]\n");
        assert_eq!(d.location.map(|l| l.line), Some(2), "{d:?}");
        let d = error("images:\n  widths: wide\n");
        assert_eq!(d.location.map(|l| l.line), Some(2), "{d:?}");
    }

    #[test]
    fn widths_out_of_range_are_errors_at_their_line() {
        let d = error("images:\n  widths:\n    - 480\n    - 0\n");
        assert_eq!(d.message, "image width 0 is not between 1 and 8192 pixels");
        assert_eq!(d.location, Some(Location { line: 4, column: 7 }));
        let d = error("images:\n  widths: [480, 10000] # 10000 is too wide\n");
        assert_eq!(d.message, "image width 10000 is not between 1 and 8192 pixels");
        assert_eq!(d.location, Some(Location { line: 2, column: 17 }));
        let d = error("images:\n  widths: []\n");
        assert_eq!(d.message, "the theme declares no image width");
        assert_eq!(d.location.map(|l| l.line), Some(2));
        let d = error("images:\n  widths: [100, 200, 400, 800, 1600, 3200, 6400, 130, 8000]\n");
        assert!(d.message.contains("9 image widths"), "{d:?}");
    }

    #[test]
    fn widths_within_a_quarter_of_each_other_are_errors() {
        let d = error("images:\n  widths: [480, 960, 900]\n");
        assert_eq!(d.message, "image widths 900 and 960 are within 25% of each other");
        assert_eq!(d.location, Some(Location { line: 2, column: 17 }));
        assert!(d.help.unwrap().contains("900 would never be used"));
        let d = error("images:\n  widths:\n  - 480\n  - 960\n  - 960\n");
        assert_eq!(d.message, "image width 960 is listed twice");
        // 600 is exactly 25% wider than 480: both are used.
        assert_eq!(parse("images:\n  widths: [480, 600]\n").unwrap().images.widths, [480, 600]);
    }

    #[test]
    fn sizes_may_not_be_empty() {
        let d = error("images:\n  sizes: \" \"\n");
        assert_eq!(d.message, "the theme's image `sizes` is empty");
        assert_eq!(d.location.map(|l| l.line), Some(2));
    }
}
