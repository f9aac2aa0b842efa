//! Citations, part two: hayagriva's formatted output as HTML.
//!
//! hayagriva's own HTML writer copies bibliography text and URLs into the
//! markup as they are (issue 9: a title with `<` or a `javascript:` URL
//! became markup or a script link on the page), so dotwork walks its
//! structured output (`ElemChildren` of `Elem`s, `Formatted` text and links)
//! and escapes every text node and attribute with the one escaping helper,
//! [`escape_html`].

use hayagriva::citationberg::{Display, FontStyle, FontVariant, FontWeight, TextDecoration, VerticalAlign};
use hayagriva::{Elem, ElemChild, ElemChildren, Formatted};

use crate::markdown::escape_html;

/// Writes hayagriva's formatted output as HTML, escaping every text node and
/// attribute (issue 9: hayagriva's own HTML writer copies bibliography text
/// and URLs into the markup as they are, so a title with `<` or a
/// `javascript:` URL became markup or a script link on the page).
///
/// Formatting becomes plain elements rather than hayagriva's inline styles
/// (which a strict Content-Security-Policy blocks): `<i>`, `<b>`, `<u>`,
/// `<sup>`, `<sub>`, `<span class="small-caps">`; CSL's block layouts become
/// `<div class="csl-...">`. Only `http(s)` links become `href`s: any other
/// scheme is written as text.
pub(super) fn write_children(out: &mut String, children: &ElemChildren) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => write_formatted(out, t),
            ElemChild::Elem(e) => write_elem(out, e),
            ElemChild::Markup(m) => out.push_str(&escape_html(m)),
            ElemChild::Link { text, url } => match safe_href(url) {
                Some(href) => {
                    out.push_str("<a href=\"");
                    out.push_str(&escape_html(href));
                    out.push_str("\">");
                    write_formatted(out, text);
                    out.push_str("</a>");
                }
                None => write_formatted(out, text),
            },
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn write_elem(out: &mut String, elem: &Elem) {
    let class = match elem.display {
        None => None,
        Some(Display::Block) => Some("csl-block"),
        Some(Display::Indent) => Some("csl-indent"),
        Some(Display::LeftMargin) => Some("csl-left-margin"),
        Some(Display::RightInline) => Some("csl-right-inline"),
    };
    if let Some(class) = class {
        out.push_str(&format!("<div class=\"{class}\">"));
    }
    write_children(out, &elem.children);
    if class.is_some() {
        out.push_str("</div>");
    }
}

fn write_formatted(out: &mut String, text: &Formatted) {
    let f = &text.formatting;
    let mut closers: Vec<&str> = Vec::new();
    let mut open = |out: &mut String, tag: &str, close: &'static str| {
        out.push_str(tag);
        closers.push(close);
    };
    if f.vertical_align == VerticalAlign::Sup {
        open(out, "<sup>", "</sup>");
    } else if f.vertical_align == VerticalAlign::Sub {
        open(out, "<sub>", "</sub>");
    }
    if f.font_style == FontStyle::Italic {
        open(out, "<i>", "</i>");
    }
    if f.font_weight == FontWeight::Bold {
        open(out, "<b>", "</b>");
    }
    if f.text_decoration == TextDecoration::Underline {
        open(out, "<u>", "</u>");
    }
    if f.font_variant == FontVariant::SmallCaps {
        open(out, "<span class=\"small-caps\">", "</span>");
    }
    out.push_str(&escape_html(&text.text));
    for close in closers.iter().rev() {
        out.push_str(close);
    }
}

/// `url` if it may be a link's target: an `http(s)` address (DOIs are
/// written as `https://doi.org/...` links).
fn safe_href(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme = url.split_once("://").map(|(s, _)| s)?;
    let allowed = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
    (allowed && !url.chars().any(|c| c.is_control() || c.is_whitespace())).then_some(url)
}

/// Whether a citation is written as a superscript (`skin¹`), so it belongs
/// right after the word before it.
pub(super) fn is_superscript(children: &ElemChildren) -> bool {
    children.0.iter().any(|c| match c {
        ElemChild::Text(t) => t.formatting.vertical_align == VerticalAlign::Sup,
        ElemChild::Elem(e) => is_superscript(&e.children),
        ElemChild::Link { text, .. } => text.formatting.vertical_align == VerticalAlign::Sup,
        ElemChild::Markup(_) | ElemChild::Transparent { .. } => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayagriva::Formatting;

    #[test]
    fn formatting_becomes_plain_elements_around_escaped_text() {
        let text = |t: &str, f: Formatting| ElemChild::Text(Formatted { text: t.to_string(), formatting: f });
        let italic_bold = Formatting {
            font_style: FontStyle::Italic,
            font_weight: FontWeight::Bold,
            ..Formatting::default()
        };
        let sup = Formatting { vertical_align: VerticalAlign::Sup, ..Formatting::default() };
        let children = ElemChildren(vec![
            text("a <b> & \"c\" ", Formatting::default()),
            text("J & K", italic_bold),
            ElemChild::Elem(Elem {
                children: ElemChildren(vec![text("1", sup)]),
                display: Some(Display::Block),
                meta: None,
            }),
            ElemChild::Link {
                text: Formatted { text: "x".into(), formatting: Formatting::default() },
                url: "javascript:alert(1)".into(),
            },
            ElemChild::Link {
                text: Formatted { text: "doi".into(), formatting: Formatting::default() },
                url: "https://doi.org/10.1/a\"b".into(),
            },
        ]);
        let mut html = String::new();
        write_children(&mut html, &children);
        assert_eq!(
            html,
            "a &lt;b&gt; &amp; &quot;c&quot; <i><b>J &amp; K</b></i><div class=\"csl-block\"><sup>1</sup></div>x<a href=\"https://doi.org/10.1/a&quot;b\">doi</a>"
        );
        assert!(is_superscript(&ElemChildren(vec![text("1", sup)])));
        assert!(!is_superscript(&ElemChildren(vec![text("1", Formatting::default())])));
    }
}
