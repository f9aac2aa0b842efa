//! Other websites a page loads code, frames, pictures or media from, or
//! sends a form to, that the site's Content-Security-Policy does not allow
//! (issue 12): browsers would block them on the published site, so each is
//! an error naming where it is written, with the fix (`allow_origins` in
//! site.yaml, which the policy in `host/csp.rs` allows).

use super::rendered::Rendered;
use crate::content::Page;
use crate::error::{Diagnostic, Severity};
use crate::html::Node;

/// What a page loads from elsewhere that the policy would block.
pub(super) fn unallowed_origins(view: &Rendered<'_>, page: Option<&Page>) -> Vec<Diagnostic> {
    let config = view.config;
    let own = url::Url::parse(&config.base_url).ok().map(|u| u.origin().ascii_serialization());
    let mut found = Vec::new();
    for node in &view.doc.nodes {
        let Node::Start(tag) = node else { continue };
        let (what, attr) = match tag.name.as_ref() {
            "script" => ("loads a script", "src"),
            "link"
                if tag.attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace().any(|w| w.eq_ignore_ascii_case("stylesheet"))
                }) =>
            {
                ("loads a stylesheet", "href")
            }
            "iframe" | "frame" => ("shows a frame", "src"),
            "form" => ("sends a form", "action"),
            "img" | "video" | "audio" | "source" | "track" => ("loads a picture or media", "src"),
            _ => continue,
        };
        let Some(address) = tag.attr(attr) else { continue };
        let Some(origin) = origin_of(address) else { continue };
        if own.as_deref() == Some(origin.as_str()) || config.allow_origins.contains(&origin) {
            continue;
        }
        let message = format!(
            "the page {what} from {origin} (`{address}`), which the site's Content-Security-Policy does not allow"
        );
        let help = format!(
            "if you trust that website, add it to site.yaml: allow_origins: [\"{origin}\"]; \
             otherwise remove it, since browsers will block it"
        );
        let d = match page.filter(|_| !view.by_templates(tag.start)) {
            // In the page's own markdown (raw HTML): at the address there.
            Some(p) => {
                let d = Diagnostic::error(&p.source, message);
                let text = p.text_for_message();
                match text.find(address) {
                    Some(at) => d.at_offset(&text, at),
                    None => d,
                }
            }
            None => view.place_at(Severity::Error, message, tag.start),
        };
        found.push(d.with_help(help));
    }
    found
}

/// The origin of an absolute `http(s)://` or scheme-relative `//` address,
/// as `https` (the policy has `upgrade-insecure-requests`); none for an
/// address on the site itself.
fn origin_of(address: &str) -> Option<String> {
    let address = address.trim();
    let absolute = if address.starts_with("//") { format!("https:{address}") } else { address.to_string() };
    let mut url = url::Url::parse(&absolute).ok()?;
    match url.scheme() {
        "https" => {}
        "http" => url.set_scheme("https").ok()?,
        _ => return None,
    }
    url.host()?;
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn an_address_elsewhere_has_an_origin_and_one_on_the_site_has_none() {
        assert_eq!(
            origin_of("https://Book.Example.com/w.js?x=1").as_deref(),
            Some("https://book.example.com")
        );
        assert_eq!(
            origin_of("http://book.example.com:8443/").as_deref(),
            Some("https://book.example.com:8443")
        );
        assert_eq!(origin_of("//cdn.example/a.css").as_deref(), Some("https://cdn.example"));
        assert_eq!(origin_of("/style.css"), None);
        assert_eq!(origin_of("style.css"), None);
        assert_eq!(origin_of("mailto:a@b.org"), None);
    }
}
