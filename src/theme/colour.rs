//! Colour maths for the theme's brand settings: `#rrggbb` in and out, the
//! WCAG 2.x relative luminance and contrast ratio, mixing, and the nearest
//! shade that reaches a contrast (for the suggestion when a colour fails).
//!
//! Hand-written: the formulas are a few lines from the WCAG 2.2 definitions
//! ("relative luminance", "contrast ratio"), and a crate for them would bring
//! colour spaces the theme never uses.

use std::fmt;

/// A colour of the sRGB space, 8 bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

/// White, the page's background.
pub(crate) const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
/// Black, which darker shades are mixed towards.
pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);

impl Rgb {
    /// `#0b5563` or `#fff` (either case); `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            6 => Some(Rgb(channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?)),
            3 => {
                let twice = |i: usize| channel(&hex[i..=i].repeat(2));
                Some(Rgb(twice(0)?, twice(1)?, twice(2)?))
            }
            _ => None,
        }
    }

    /// The WCAG 2.x relative luminance, 0 (black) to 1 (white).
    pub(crate) fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            // WCAG 2.2 writes 0.04045 (sRGB's own threshold); 0.03928 of
            // older versions gives the same result for 8-bit channels.
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// `self` mixed with `other`, `amount` (0 to 1) of `other`.
    pub(crate) fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * amount).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The contrast ratio of two colours, 1 to 21.
pub(crate) fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A ratio as people read it, `4.48:1`: cut, not rounded, to two decimals,
/// so a ratio just below a threshold never shows as the threshold.
pub(crate) fn ratio(value: f64) -> String {
    format!("{:.2}:1", (value * 100.0).floor() / 100.0)
}

/// Of the shades from `colour` towards `towards` (in 1% steps), the
/// nearest to `colour` for which `passes` holds; `None` if none does.
pub(crate) fn nearest_shade(colour: Rgb, towards: Rgb, passes: impl Fn(Rgb) -> bool) -> Option<Rgb> {
    (0..=100).map(|step| colour.mix(towards, f64::from(step) / 100.0)).find(|&c| passes(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_hex_colours() {
        assert_eq!(Rgb::parse("#0b5563"), Some(Rgb(0x0b, 0x55, 0x63)));
        assert_eq!(Rgb::parse(" #0B5563 "), Some(Rgb(0x0b, 0x55, 0x63)));
        assert_eq!(Rgb::parse("#fff"), Some(WHITE));
        for bad in ["0b5563", "#0b556", "#0b55633", "teal", "#ggg", "#+12345", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(Rgb(0x0b, 0x55, 0x63).to_string(), "#0b5563");
    }

    #[test]
    fn contrast_follows_the_wcag_formula() {
        assert_eq!(ratio(contrast(BLACK, WHITE)), "21.00:1");
        assert_eq!(ratio(contrast(WHITE, WHITE)), "1.00:1");
        // Known pairs (WebAIM's contrast checker gives the same).
        assert_eq!(ratio(contrast(Rgb::parse("#767676").unwrap(), WHITE)), "4.54:1");
        assert_eq!(ratio(contrast(Rgb::parse("#777777").unwrap(), WHITE)), "4.47:1");
        assert_eq!(ratio(contrast(WHITE, Rgb::parse("#0b5563").unwrap())), "8.42:1");
        assert!((Rgb::parse("#ff0000").unwrap().luminance() - 0.2126).abs() < 1e-9);
    }

    #[test]
    fn ratios_are_cut_not_rounded() {
        assert_eq!(ratio(4.4999), "4.49:1");
        assert_eq!(ratio(3.0), "3.00:1");
    }

    #[test]
    fn mixes_and_finds_the_nearest_passing_shade() {
        assert_eq!(WHITE.mix(BLACK, 0.5), Rgb(128, 128, 128));
        assert_eq!(Rgb(10, 20, 30).mix(WHITE, 0.0), Rgb(10, 20, 30));
        let light = Rgb::parse("#6cb4c4").unwrap();
        let passes = |c: Rgb| contrast(c, WHITE) >= 4.5;
        let shade = nearest_shade(light, BLACK, passes).unwrap();
        assert!(passes(shade));
        // One step lighter fails: it is the nearest.
        let step = (0..=100).find(|&s| light.mix(BLACK, f64::from(s) / 100.0) == shade).unwrap();
        assert!(step > 0 && !passes(light.mix(BLACK, f64::from(step - 1) / 100.0)));
        assert_eq!(nearest_shade(WHITE, WHITE, |c| contrast(c, WHITE) >= 4.5), None);
    }
}
