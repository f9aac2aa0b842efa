//! Parse: the page's own `# Title` (issue 14). Content written for other
//! generators starts with its title as a level-1 heading, often without
//! front matter. Such a heading *leads* the body when nothing but blank lines
//! and HTML comments come before it; it then gives the page its title when
//! the front matter has none, and it is never printed in the body (the theme
//! prints the title as the page's one `<h1>`). Level-1 headings later in the
//! body would make a second `<h1>`: when there is one, every heading of the
//! body is shown one level down (h6 stays h6), so the outline keeps its
//! shape and the table of contents (h2 and h3) lists what were h1 and h2.
//!
//! [`Lead`] is the one rule, used both by the front matter stage
//! ([`leading_title`]) and by the renderer, so the two cannot disagree on
//! which heading is the title.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::facts::HeadingFact;

/// Follows the first events of a body to tell whether it leads with a
/// level-1 heading.
#[derive(Debug, Default)]
pub(super) struct Lead {
    /// Something other than a comment came first: no heading leads.
    done: bool,
    /// Inside an HTML block: `Some(true)` once it is known to be a comment.
    html_block: Option<Option<bool>>,
}

impl Lead {
    /// Feeds the parser's next event; true when it opens the leading
    /// level-1 heading.
    pub(super) fn opens_title(&mut self, event: &Event<'_>) -> bool {
        if self.done {
            return false;
        }
        match (event, self.html_block) {
            (Event::Start(Tag::HtmlBlock), None) => self.html_block = Some(None),
            (Event::End(TagEnd::HtmlBlock), Some(Some(true))) => self.html_block = None,
            (Event::Html(h), Some(None)) if h.trim_start().starts_with("<!--") => {
                self.html_block = Some(Some(true))
            }
            (Event::Html(_), Some(Some(true))) => {}
            (Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }), None) => {
                self.done = true;
                return true;
            }
            _ => self.done = true,
        }
        false
    }
}

/// The text of the level-1 heading that leads `body` (a page's markdown
/// after its front matter), without markup, if one does and has text.
pub(crate) fn leading_title(body: &str) -> Option<String> {
    let mut lead = Lead::default();
    let mut events = Parser::new_ext(body, super::options());
    events.find(|e| lead.opens_title(e))?;
    let inside: Vec<Event<'_>> =
        events.take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_)))).collect();
    Some(super::plain_text(&inside)).filter(|t| !t.is_empty())
}

/// Where the renderer wrote each heading's level, to shift them down a
/// level once the whole body is read.
#[derive(Debug, Default)]
pub(super) struct Shown {
    /// The dropped leading heading's number among the body's headings.
    pub(super) dropped: Option<usize>,
    /// Whether a level-1 heading is shown, so that all must shift.
    h1: bool,
    /// Where the digit of each shown heading's level is in the HTML, in its
    /// opening and its closing tag.
    digits: Vec<usize>,
}

impl Shown {
    /// Notes a heading shown at level `level`.
    pub(super) fn wrote(&mut self, level: u8) {
        self.h1 |= level == 1;
    }

    /// Notes that byte `at` of the HTML is the digit of a shown heading's level.
    pub(super) fn level_at(&mut self, at: usize) {
        self.digits.push(at);
    }

    /// Shifts the headings written in `html` down a level (h6 stays h6)
    /// when an h1 is left.
    pub(super) fn shift_html(&self, html: &mut String) {
        if !self.h1 {
            return;
        }
        for &at in &self.digits {
            let Some(level) = html.get(at..=at).and_then(|d| d.parse::<u8>().ok()) else { continue };
            let to = char::from(b'0' + (level + 1).min(6));
            html.replace_range(at..=at, to.encode_utf8(&mut [0; 4]));
        }
    }

    /// The same for the recorded `headings` (the body's facts, which the table
    /// of contents and `check` read), and the dropped heading taken out of
    /// them: returned, as the page's own title.
    pub(super) fn shift_facts(&self, headings: &mut Vec<HeadingFact>) -> Option<HeadingFact> {
        let title = self.dropped.filter(|&n| n < headings.len()).map(|n| headings.remove(n));
        if self.h1 {
            for h in headings.iter_mut() {
                h.level = (h.level + 1).min(6);
            }
        }
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_heading_after_blank_lines_and_comments_is_the_title() {
        assert_eq!(leading_title("# Aftercare\n\ntext").as_deref(), Some("Aftercare"));
        assert_eq!(
            leading_title("\n\n<!-- note\nmore -->\n\n# The *first* `day`\n").as_deref(),
            Some("The first day")
        );
        assert_eq!(leading_title("Aftercare\n=========\n").as_deref(), Some("Aftercare"));
    }

    #[test]
    fn an_h1_left_shifts_every_heading_and_h6_stays_h6() {
        let fact = |level| HeadingFact::new(level, 0, "", "");
        let mut html = String::from("<h1 id=\"a\">A</h1>\n<h6 id=\"b\">B</h6>\n");
        let mut shown = Shown { dropped: Some(0), ..Shown::default() };
        for at in [2, 15, 20, 33] {
            shown.level_at(at);
        }
        shown.wrote(1);
        shown.wrote(6);
        shown.shift_html(&mut html);
        assert_eq!(html, "<h2 id=\"a\">A</h2>\n<h6 id=\"b\">B</h6>\n");
        let mut headings = vec![fact(1), fact(1), fact(6)];
        assert_eq!(shown.shift_facts(&mut headings).map(|h| h.level), Some(1));
        assert_eq!(headings.iter().map(|h| h.level).collect::<Vec<_>>(), [2, 6]);
        // Without an h1 left, nothing shifts.
        let mut shown = Shown::default();
        shown.wrote(6);
        let mut headings = vec![fact(2)];
        assert_eq!(shown.shift_facts(&mut headings), None);
        assert_eq!(headings[0].level, 2);
    }

    #[test]
    fn anything_else_first_means_no_title() {
        assert_eq!(leading_title("text\n\n# Aftercare\n"), None);
        assert_eq!(leading_title("## Aftercare\n"), None);
        assert_eq!(leading_title("<div>x</div>\n\n# Aftercare\n"), None);
        assert_eq!(leading_title("#\n"), None);
        assert_eq!(leading_title(""), None);
    }
}
