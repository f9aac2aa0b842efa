//! The clinic's brand in site.yaml (`brand:`): its colours and its font,
//! checked when the settings are loaded and turned into the CSS custom
//! properties the theme's stylesheet reads (`--brand`, `--accent`, ...).
//!
//! ```yaml
//! brand:
//!   primary: "#0b5563"   # links, buttons, the menu's marks
//!   accent: "#b3470a"    # the keyboard focus outline, highlights
//!   font: humanist       # one of FONT_STACKS
//!   self_hosted_font:    # optional: woff2 files in the site's static folder
//!     family: Atkinson Hyperlegible
//!     files:
//!       - {path: fonts/atkinson-regular.woff2, weight: 400}
//!       - {path: fonts/atkinson-bold.woff2, weight: 700}
//! ```
//!
//! The theme uses each colour with something else: the primary colour as
//! link text on the page's white and on the tinted background of the menu
//! and footer, and behind the text of buttons; the accent as the focus
//! outline on both backgrounds and behind text. dotwork computes what goes
//! with it (white or near-black text, the tint, a darker shade for hover)
//! and refuses a colour that fails WCAG 2.2 AA with any of them (4.5:1 for
//! text, 3:1 for controls), naming the pair and the ratio and suggesting
//! the nearest darker shade that passes everywhere. A colour is never
//! adjusted silently: the owner chose it, and sees what is wrong.
//!
//! The properties reach the pages in one small `<style>` in `<head>`, which
//! the site's Content-Security-Policy allows by its hash like any inline
//! style (`host/csp.rs`); with no `brand:` there is none, and the
//! stylesheet's own values (today's look) hold. Fonts are never fetched
//! from another website: a self-hosted font's files must be in the site.

use serde::{Deserialize, Serialize};

use super::colour::{BLACK, Rgb, WHITE, contrast, nearest_shade, ratio};
use crate::config::{CONFIG_FILE, setting_line};
use crate::error::Diagnostic;

/// The theme's text colour, near-black (`--ink`).
const INK: Rgb = Rgb(0x17, 0x26, 0x2d);

/// WCAG 2.2 AA: text.
const TEXT: f64 = 4.5;
/// WCAG 2.2 AA: large text and the parts of controls (1.4.11).
const CONTROLS: f64 = 3.0;

/// How much white is in the tinted background (`--soft`) and in the lines
/// (`--line`) made from the primary colour.
const TINT: f64 = 0.93;
const LINE: f64 = 0.75;
/// How much black is in the hover shade (`--brand-dark`).
const HOVER: f64 = 0.3;

/// The brand settings of site.yaml.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// The main colour, `#rrggbb`: links, buttons, the menu's marks.
    #[serde(default)]
    pub primary: Option<String>,
    /// The second colour, `#rrggbb`: the focus outline, highlights.
    #[serde(default)]
    pub accent: Option<String>,
    /// The font, by the name of one of [`FONT_STACKS`]; the fallback of a
    /// self-hosted font.
    #[serde(default)]
    pub font: Option<String>,
    /// A font whose files the site publishes itself.
    #[serde(default)]
    pub self_hosted_font: Option<SelfHostedFont>,
    /// The CSS custom properties the settings make (`--brand:#0b5563;…`),
    /// empty when there are none: the stylesheet's defaults hold.
    #[serde(skip_deserializing)]
    pub css: String,
    /// The primary colour, or the theme's, for `<meta name="theme-color">`.
    #[serde(skip_deserializing)]
    pub theme_color: String,
}

/// A font in woff2 files of the site's static folder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SelfHostedFont {
    /// Its name, as `font-family` gives it (`Atkinson Hyperlegible`).
    pub family: String,
    /// Its files, one per weight and style.
    pub files: Vec<FontFile>,
}

/// One file of a self-hosted font.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FontFile {
    /// Its address in the built site, from the top (`fonts/a-400.woff2`
    /// is `static/fonts/a-400.woff2`); once loaded, without a leading `/`.
    pub path: String,
    /// Its weight, 1 to 1000 (400 regular, 700 bold).
    #[serde(default = "regular")]
    pub weight: u16,
    /// `normal` or `italic`.
    #[serde(default = "normal")]
    pub style: String,
}

fn regular() -> u16 {
    400
}

fn normal() -> String {
    "normal".to_string()
}

/// The theme's colours when site.yaml sets none (style.css's `:root`).
pub(crate) const DEFAULT_PRIMARY: &str = "#0b5563";

/// The font stacks `brand.font` may name: system fonts only, so a page
/// makes no request for a font (after modernfontstacks.com). `system` is
/// the theme's default.
pub const FONT_STACKS: [(&str, &str); 8] = [
    ("system", "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif"),
    (
        "humanist",
        "Seravek, \"Gill Sans Nova\", Ubuntu, Calibri, \"DejaVu Sans\", source-sans-pro, sans-serif",
    ),
    ("geometric-humanist", "Avenir, Montserrat, Corbel, \"URW Gothic\", source-sans-pro, sans-serif"),
    ("classical-humanist", "Optima, Candara, \"Noto Sans\", source-sans-pro, sans-serif"),
    (
        "neo-grotesque",
        "Inter, Roboto, \"Helvetica Neue\", \"Arial Nova\", \"Nimbus Sans\", Arial, sans-serif",
    ),
    (
        "rounded",
        "ui-rounded, \"Hiragino Maru Gothic ProN\", Quicksand, Comfortaa, Manjari, \"Arial Rounded MT\", \"Arial Rounded MT Bold\", Calibri, source-sans-pro, sans-serif",
    ),
    ("transitional", "Charter, \"Bitstream Charter\", \"Sitka Text\", Cambria, serif"),
    ("old-style", "\"Iowan Old Style\", \"Palatino Linotype\", \"URW Palladio L\", P052, serif"),
];

/// A use of a colour the theme makes, that must reach `min` against `other`.
struct Use {
    what: &'static str,
    min: f64,
    other: fn(Rgb, Rgb) -> Rgb,
}

/// The text that goes on `background`: white, or near-black where that
/// contrasts more.
pub(crate) fn text_on(background: Rgb) -> Rgb {
    if contrast(WHITE, background) >= contrast(INK, background) { WHITE } else { INK }
}

/// The tinted background made from the primary colour.
fn tint(primary: Rgb) -> Rgb {
    primary.mix(WHITE, TINT)
}

// `other` gets (the candidate colour, the primary colour).
const PRIMARY_USES: [Use; 3] = [
    Use { what: "as link text on the page's background", min: TEXT, other: |_, _| WHITE },
    Use {
        what: "as link text on the tinted background of the menu and footer",
        min: TEXT,
        other: |c, _| tint(c),
    },
    Use { what: "behind the text of buttons", min: TEXT, other: |c, _| text_on(c) },
];

const ACCENT_USES: [Use; 3] = [
    Use { what: "as the focus outline on the page's background", min: CONTROLS, other: |_, _| WHITE },
    Use { what: "as the focus outline on the tinted background", min: CONTROLS, other: |_, p| tint(p) },
    Use { what: "behind text", min: TEXT, other: |c, _| text_on(c) },
];

/// Checks the brand settings of site.yaml's `text` and fills in what they
/// make ([`Brand::css`], [`Brand::theme_color`]).
pub(crate) fn check_brand(text: &str, brand: &mut Brand) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let at = |key: &[&str], message: String| {
        let d = Diagnostic::error(CONFIG_FILE, message);
        let path: Vec<&str> = ["brand"].iter().chain(key).copied().collect();
        match setting_line(text, &path).or_else(|| setting_line(text, &["brand"])) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    };
    let mut colour = |key: &'static str, value: &Option<String>| -> Option<Rgb> {
        let value = value.as_deref()?;
        let found = Rgb::parse(value);
        if found.is_none() {
            problems.push(
                at(&[key], format!("brand.{key} `{value}` is not a colour written as #rrggbb"))
                    .with_help(format!("write it in hexadecimal, e.g. {key}: \"{DEFAULT_PRIMARY}\"")),
            );
        }
        found
    };
    let primary = colour("primary", &brand.primary);
    let accent = colour("accent", &brand.accent);
    let base = primary.unwrap_or(Rgb::parse(DEFAULT_PRIMARY).unwrap_or(BLACK));
    let mut css = String::new();
    if let Some(p) = primary {
        match refusal("primary", p, base, &PRIMARY_USES) {
            Some((message, help)) => problems.push(at(&["primary"], message).with_help(help)),
            None => css.push_str(&format!(
                "--brand:{p};--brand-dark:{};--brand-text:{};--soft:{};--line:{};",
                p.mix(BLACK, HOVER),
                text_on(p),
                tint(p),
                p.mix(WHITE, LINE)
            )),
        }
    }
    if let Some(a) = accent {
        match refusal("accent", a, base, &ACCENT_USES) {
            Some((message, help)) => problems.push(at(&["accent"], message).with_help(help)),
            None => css.push_str(&format!("--accent:{a};--accent-text:{};", text_on(a))),
        }
    }
    let stack = match brand.font.as_deref() {
        None => None,
        Some(name) => match FONT_STACKS.iter().find(|(n, _)| *n == name.trim()) {
            Some((_, stack)) => Some(*stack),
            None => {
                let names: Vec<&str> = FONT_STACKS.iter().map(|(n, _)| *n).collect();
                let help = match crate::error::did_you_mean(name, &names) {
                    Some(best) => format!("did you mean `{best}`? The fonts are: {}", names.join(", ")),
                    None => format!("the fonts are: {}", names.join(", ")),
                };
                problems.push(
                    at(&["font"], format!("brand.font `{name}` is not one of the theme's fonts"))
                        .with_help(help),
                );
                None
            }
        },
    };
    if let Some(font) = &mut brand.self_hosted_font {
        problems.extend(check_font(font, &at));
        css.push_str(&format!("--font:\"{}\", {};", font.family.trim(), stack.unwrap_or(FONT_STACKS[0].1)));
    } else if let Some(stack) = stack.filter(|s| *s != FONT_STACKS[0].1) {
        css.push_str(&format!("--font:{stack};"));
    }
    brand.css = css;
    brand.theme_color = primary.map_or_else(|| DEFAULT_PRIMARY.to_string(), |p| p.to_string());
    problems
}

/// The error and its help when `colour`, set as `brand.key`, fails one of
/// `uses`; `None` when it passes them all.
fn refusal(key: &str, colour: Rgb, primary: Rgb, uses: &[Use]) -> Option<(String, String)> {
    let failing = |c: Rgb| uses.iter().find(|u| contrast(c, (u.other)(c, primary)) < u.min);
    let used = failing(colour)?;
    let other = (used.other)(colour, primary);
    let kind = if used.min == TEXT { "text" } else { "controls and large text" };
    let message = format!(
        "brand.{key} `{colour}` {} (`{other}`) has a contrast ratio of {}, below the {} WCAG 2.2 AA asks for {kind}",
        used.what,
        ratio(contrast(colour, other)),
        ratio(used.min),
    );
    let help = match nearest_shade(colour, BLACK, |c| failing(c).is_none()) {
        Some(shade) => format!(
            "the nearest darker shade that passes everywhere the theme uses it is `{shade}` ({} {} `{}`)",
            ratio(contrast(shade, (used.other)(shade, primary))),
            if used.min == TEXT { "with" } else { "on" },
            (used.other)(shade, primary)
        ),
        None => "choose a darker colour".to_string(),
    };
    Some((message, help))
}

/// Checks a self-hosted font's name and files; writes each file's path
/// without a leading `/`.
fn check_font(font: &mut SelfHostedFont, at: &impl Fn(&[&str], String) -> Diagnostic) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let family = font.family.trim();
    if family.is_empty() || !family.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-') {
        problems.push(
            at(&["self_hosted_font", "family"], format!("brand.self_hosted_font.family `{family}` is not a font's name"))
                .with_help("write the font's name with letters, digits, spaces and hyphens, e.g. family: Atkinson Hyperlegible"),
        );
    }
    if font.files.is_empty() {
        problems.push(
            at(&["self_hosted_font", "files"], "brand.self_hosted_font has no files".to_string())
                .with_help("list its woff2 files, e.g. files: [{path: fonts/regular.woff2, weight: 400}]"),
        );
    }
    for file in &mut font.files {
        let path = file.path.trim();
        let problem = if path.contains("//") || crate::url::has_scheme(path) {
            Some("is another website's: a page would ask that website for it, and tell it who visits")
        } else if !path.to_ascii_lowercase().ends_with(".woff2") {
            Some("is not a .woff2 file")
        } else if path.split('/').any(|part| part == "..")
            || !path.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        {
            Some("is not a plain path in the site (letters, digits, `.`, `_`, `-` and `/`)")
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(
                at(&["self_hosted_font", "files"], format!("font file `{path}` {problem}"))
                    .with_help("put the font's woff2 files in the site's static folder and name them from there, e.g. path: fonts/regular.woff2"),
            );
        }
        if !(1..=1000).contains(&file.weight) {
            problems.push(at(
                &["self_hosted_font", "files"],
                format!("font file `{path}` has weight {}, not between 1 and 1000", file.weight),
            ));
        }
        if !matches!(file.style.as_str(), "normal" | "italic") {
            problems.push(at(
                &["self_hosted_font", "files"],
                format!("font file `{path}` has style `{}`: write normal or italic", file.style),
            ));
        }
        file.path = path.trim_start_matches('/').to_string();
    }
    problems
}

/// The font files of `brand` that are not among the site's published
/// files (`published` says whether a path of the output folder is one):
/// errors at their line.
pub(crate) fn missing_font_files(
    text: &str,
    brand: &Brand,
    published: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let Some(font) = &brand.self_hosted_font else { return Vec::new() };
    font.files
        .iter()
        .filter(|f| !published(&f.path))
        .map(|f| {
            let d = Diagnostic::error(CONFIG_FILE, format!("font file `{}` does not exist", f.path))
                .with_help(format!("put it in the site's static folder: static/{}", f.path));
            match crate::config::key_line(text, &f.path) {
                Some(loc) => d.at(text, loc),
                None => d,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> (Brand, Vec<Diagnostic>) {
        let text = format!("title: T\nbrand:\n{yaml}");
        let mut brand: Brand =
            serde_yaml::from_str(&yaml.lines().map(|l| &l[2..]).collect::<Vec<_>>().join("\n")).unwrap();
        let problems = check_brand(&text, &mut brand);
        (brand, problems)
    }

    #[test]
    fn no_settings_make_no_css() {
        let (brand, problems) = check("  font: system\n");
        assert!(problems.is_empty());
        assert_eq!(brand.css, "");
        assert_eq!(brand.theme_color, DEFAULT_PRIMARY);
    }

    #[test]
    fn colours_make_custom_properties_with_computed_text_and_tints() {
        let (brand, problems) = check("  primary: \"#5b2a86\"\n  accent: \"#c2410c\"\n  font: humanist\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            brand.css,
            "--brand:#5b2a86;--brand-dark:#401d5e;--brand-text:#ffffff;--soft:#f4f0f7;--line:#d6cae1;\
             --accent:#c2410c;--accent-text:#ffffff;--font:Seravek, \"Gill Sans Nova\", Ubuntu, Calibri, \"DejaVu Sans\", source-sans-pro, sans-serif;"
        );
        assert_eq!(brand.theme_color, "#5b2a86");
        assert_eq!(text_on(Rgb::parse("#ffd166").unwrap()), INK);
    }

    #[test]
    fn a_light_primary_is_refused_with_the_pair_the_ratio_and_a_shade_that_passes() {
        let (_, problems) = check("  primary: \"#6cb4c4\"\n");
        let d = &problems[0];
        assert_eq!(
            d.message,
            "brand.primary `#6cb4c4` as link text on the page's background (`#ffffff`) has a contrast ratio of 2.34:1, below the 4.50:1 WCAG 2.2 AA asks for text"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "the nearest darker shade that passes everywhere the theme uses it is `#477781` (4.97:1 with `#ffffff`)"
            )
        );
        assert_eq!(d.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn an_accent_too_light_for_a_focus_outline_is_refused() {
        let (_, problems) = check("  accent: \"#ffd166\"\n");
        assert_eq!(
            problems[0].message,
            "brand.accent `#ffd166` as the focus outline on the page's background (`#ffffff`) has a contrast ratio of 1.44:1, below the 3.00:1 WCAG 2.2 AA asks for controls and large text"
        );
    }

    #[test]
    fn bad_values_are_errors_at_their_line() {
        let (_, problems) = check("  primary: teal\n  font: humanst\n");
        let got: Vec<(&str, Option<usize>)> =
            problems.iter().map(|d| (d.message.as_str(), d.location.map(|l| l.line))).collect();
        assert_eq!(
            got,
            [
                ("brand.primary `teal` is not a colour written as #rrggbb", Some(3)),
                ("brand.font `humanst` is not one of the theme's fonts", Some(4)),
            ]
        );
        assert!(problems[1].help.as_deref().unwrap().starts_with("did you mean `humanist`?"));
    }

    #[test]
    fn self_hosted_fonts_are_files_of_the_site() {
        let (brand, problems) = check(
            "  font: transitional\n  self_hosted_font:\n    family: Atkinson Hyperlegible\n    files:\n      - path: /fonts/a.woff2\n      - {path: fonts/b.woff2, weight: 700, style: italic}\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(brand.css.ends_with("--font:\"Atkinson Hyperlegible\", Charter, \"Bitstream Charter\", \"Sitka Text\", Cambria, serif;"));
        let font = brand.self_hosted_font.as_ref().unwrap();
        assert_eq!((font.files[0].path.as_str(), font.files[0].weight), ("fonts/a.woff2", 400));
        let (_, problems) = check(
            "  self_hosted_font:\n    family: \"X\\\"}\"\n    files:\n      - path: https://fonts.example.com/x.woff2\n      - path: fonts/x.ttf\n",
        );
        let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "brand.self_hosted_font.family `X\"}` is not a font's name",
                "font file `https://fonts.example.com/x.woff2` is another website's: a page would ask that website for it, and tell it who visits",
                "font file `fonts/x.ttf` is not a .woff2 file",
            ]
        );
        let missing = missing_font_files("path: fonts/a.woff2\n", &brand, |p| p == "fonts/b.woff2");
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].message, "font file `fonts/a.woff2` does not exist");
    }
}
