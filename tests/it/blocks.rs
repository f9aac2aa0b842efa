//! Building blocks (issue 13): `:::name` containers and `::name` leaves in
//! markdown, rendered by the theme's components; their errors point at the
//! file, line and column with a suggestion.

use crate::support::TestSite;

/// The `<div class="content">` of an output page.
fn content(site: &TestSite, page: &str) -> String {
    let html = site.read_output(page);
    let start = html.find("<div class=\"content\">").expect("content");
    // The content ends where the page's own markup resumes (blocks hold `</div>`s of their own).
    let end = start + html[start..].find("<div class=\"print-only").expect("content's end");
    html[start..end].to_string()
}

#[test]
fn each_block_renders_its_component() {
    let site = TestSite::fixture("blocks");
    site.build();
    let home = content(&site, "index.html");
    assert!(home.contains(
        "<aside class=\"block block-booking\" aria-label=\"Booking\">\n<p>Talk to us first: the consultation is free.</p>\n\n\
         <p><a class=\"block-booking-link\" href=\"https://example.org/book\">Book a free consultation <span class=\"block-booking-where\">on our booking page</span></a></p>\n\
         <p>Or call <a href=\"tel:+442079460001\">+44 20 7946 0001</a></p>\n</aside>"
    ), "{home}");
    assert!(home.contains("<caption>Opening hours</caption>"), "{home}");
    assert!(home.contains(
        "<tr><th scope=\"row\">Monday to Friday</th><td><time datetime=\"09:00\">09:00</time> to <time datetime=\"17:00\">17:00</time></td></tr>"
    ), "{home}");
    assert!(home.contains(
        "<p><a href=\"https://www.openstreetmap.org/search?query=1+Test+Street%2C+Testtown%2C+TE1+1ST%2C+United+Kingdom\">Directions to Blocks Test Clinic on a map</a></p>\n\
         <dl>\n<div><dt>Parking</dt><dd>Two spaces behind the building</dd></div>\n<div><dt>Access</dt><dd>Step-free entrance on Test Street</dd></div>\n</dl>"
    ), "{home}");
    assert!(!home.contains("<iframe"), "{home}");
    // The team section's card (partials/person-card.html), its name a level below the page's sections.
    assert!(
        home.contains("<h3 class=\"person-card-name\">Dr A. Example</h3>\n<p class=\"person-card-role\">Clinical lead</p>\n<p class=\"person-card-qualifications\">MBBS</p>"),
        "{home}"
    );
    assert!(home.contains(
        "<blockquote class=\"callout callout-warning\">\n<p class=\"callout-label\">Warning</p>\n<p>Call 999 in an emergency.</p>\n</blockquote>"
    ), "{home}");

    let treatment = content(&site, "treatment/index.html");
    assert!(
        treatment.contains(
            "<section class=\"block block-faq\">\n<h3 id=\"how-long-does-it-take\">How long does it take? "
        ),
        "{treatment}"
    );
    assert!(treatment.contains(
        "<table class=\"block block-prices\">\n<caption>What it costs</caption>\n\
         <thead><tr><th scope=\"col\">Treatment</th><th scope=\"col\">Price (GBP)</th></tr></thead>\n<tbody>\n\n\
         <tr><th scope=\"row\">Consultation</th><td>0</td></tr>\n\n\
         <tr><th scope=\"row\">Hairline, two or three sessions<br><span class=\"block-price-note\">Price set at the consultation</span></th><td>from 1,200</td></tr>\n\n\
         <tr><th scope=\"row\">Top-up</th><td>80.50</td></tr>\n\n</tbody>\n</table>"
    ), "{treatment}");
    assert!(treatment.contains(
        "<figure class=\"block block-testimonial\">\n<blockquote>\n<p>They were kind and clear.</p>\n\n</blockquote>\n<figcaption>J., Exampleton</figcaption>\n</figure>"
    ), "{treatment}");
    assert!(!treatment.contains("REF-2026-014"), "the consent reference is the clinic's, not the public's");
}

#[test]
fn a_block_body_is_markdown_of_the_page_and_never_a_template() {
    let site = TestSite::fixture("blocks");
    site.build();
    let html = site.read_output("treatment/index.html");
    // Links rewritten, including a reference defined outside the block.
    assert!(html.contains("About <strong>thirty</strong> minutes, see <a href=\"../\">home</a>."), "{html}");
    assert!(html.contains("Read the <a href=\"../\">aftercare</a>"), "{html}");
    // `{{` and `{%` stay text.
    assert!(html.contains("Does it hurt? {{ x }}"), "{html}");
    assert!(html.contains("A little. {% raw %} stays text."), "{html}");
    // A fence inside a code block stays code.
    assert!(
        html.contains("<pre tabindex=\"0\"><code class=\"language-markdown\">:::faq\n::hours\n</code></pre>"),
        "{html}"
    );
    // Headings inside a block are in the table of contents (with ids, by
    // GitHub's rule since issue 14: `?` and `{}` removed, each space a `-`).
    assert!(html.contains("href=\"#does-it-hurt--x-\""), "{html}");
}

#[test]
fn faq_and_prices_become_json_ld() {
    let site = TestSite::fixture("blocks");
    site.build();
    let html = site.read_output("treatment/index.html");
    assert!(html.contains(
        "\"@type\":\"FAQPage\",\"isPartOf\":{\"@id\":\"https://example.org/treatment/#webpage\"},\"mainEntity\":[\
         {\"@type\":\"Question\",\"acceptedAnswer\":{\"@type\":\"Answer\",\"text\":\"About thirty minutes, see home.\"},\"name\":\"How long does it take?\"},"
    ), "{html}");
    assert!(html.contains(
        "\"offers\":[{\"@type\":\"Offer\",\"name\":\"Consultation\",\"price\":0,\"priceCurrency\":\"GBP\"},\
         {\"@type\":\"Offer\",\"name\":\"Hairline, two or three sessions\",\"priceCurrency\":\"GBP\",\"priceSpecification\":{\"@type\":\"PriceSpecification\",\"minPrice\":1200,\"priceCurrency\":\"GBP\"}},\
         {\"@type\":\"Offer\",\"name\":\"Top-up\",\"price\":80.5,\"priceCurrency\":\"GBP\"}]"
    ), "{html}");
    assert!(!site.read_output("index.html").contains("FAQPage"));
}

#[test]
fn check_checks_links_inside_blocks() {
    let site = TestSite::fixture("blocks");
    site.write(
        "content/extra.md",
        "---\ntitle: Extra\n---\n:::testimonial{consent=\"REF-1\"}\nSee [the risks](risks.md).\n:::\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--> content/extra.md:5:"), "{}", run.stderr);
    assert!(run.stderr.contains("risks.md"), "{}", run.stderr);
}

/// The fixture with `content/extra.md` holding `body`; `dotwork build`'s stderr.
fn fails_with(body: &str) -> String {
    let site = TestSite::fixture("blocks");
    site.write("content/extra.md", &format!("---\ntitle: Extra\n---\n{body}"));
    site.build_fails()
}

#[test]
fn unknown_block_suggests_the_nearest() {
    let stderr = fails_with("Text.\n\n:::fqa\n### Q\n\nA.\n:::\n");
    assert!(stderr.contains("unknown block `fqa`"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:6:1"), "{stderr}");
    assert!(stderr.contains("did you mean `faq`?"), "{stderr}");
}

#[test]
fn unknown_argument_suggests_the_nearest() {
    let stderr = fails_with("::location{parkign=\"Behind\"}\n");
    assert!(stderr.contains("block `location` has no argument `parkign`"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:4:12"), "{stderr}");
    assert!(stderr.contains("did you mean `parking`?"), "{stderr}");
}

#[test]
fn wrong_type_names_the_type() {
    let stderr = fails_with(":::prices\n::price{name=\"Consultation\" amount=\"80\"}\n:::\n");
    assert!(stderr.contains("argument `amount` of block `price` must be a number, not text"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:5:29"), "{stderr}");
}

#[test]
fn missing_required_argument() {
    let stderr = fails_with(":::testimonial{name=\"J.\"}\nKind.\n:::\n");
    assert!(stderr.contains("block `testimonial` needs the argument `consent`"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:4:1"), "{stderr}");
}

#[test]
fn unclosed_container() {
    let stderr = fails_with("Text.\n\n:::faq\n### Q\n\nA.\n");
    assert!(stderr.contains("block `faq` is never closed"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:6:1"), "{stderr}");
}

#[test]
fn stray_closing_fence() {
    let stderr = fails_with("Text.\n:::\n");
    assert!(stderr.contains("closing fence without an open block"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:5:1"), "{stderr}");
}

#[test]
fn faq_without_questions() {
    let stderr = fails_with(":::faq\nJust text.\n:::\n");
    assert!(stderr.contains("block `faq` holds no question"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:4:1"), "{stderr}");
}

#[test]
fn price_without_currency_names_the_setting() {
    let site = TestSite::fixture("blocks");
    let yaml = std::fs::read_to_string(site.path("site.yaml")).unwrap().replace("currency: GBP\n", "");
    site.write("site.yaml", &yaml);
    let stderr = site.build_fails();
    assert!(stderr.contains("block `price` has no currency: site.yaml has no `currency`"), "{stderr}");
    assert!(stderr.contains("--> content/treatment.md:19:1"), "{stderr}");
}

#[test]
fn currency_must_be_an_iso_code() {
    let site = TestSite::fixture("blocks");
    let yaml =
        std::fs::read_to_string(site.path("site.yaml")).unwrap().replace("currency: GBP", "currency: pounds");
    site.write("site.yaml", &yaml);
    let stderr = site.build_fails();
    assert!(stderr.contains("currency `pounds` is not an ISO 4217 code"), "{stderr}");
    assert!(stderr.contains("--> site.yaml:5:1"), "{stderr}");
}

#[test]
fn booking_without_booking_details() {
    let site = TestSite::fixture("blocks");
    let yaml = std::fs::read_to_string(site.path("site.yaml"))
        .unwrap()
        .replace("  phone: +44 20 7946 0001\n", "")
        .replace("  booking_url: https://example.org/book\n", "");
    site.write("site.yaml", &yaml);
    let stderr = site.build_fails();
    assert!(stderr.contains("site.yaml sets neither `clinic.booking_url` nor `clinic.phone`"), "{stderr}");
    assert!(stderr.contains("--> content/index.md:6:1"), "{stderr}");
}

#[test]
fn practitioner_names_a_known_person() {
    let stderr = fails_with("::practitioner{person=\"reviwer\"}\n");
    assert!(stderr.contains("names `reviwer`, who is not in site.yaml's `people`"), "{stderr}");
    assert!(stderr.contains("did you mean `reviewer`?"), "{stderr}");
}

#[test]
fn a_fence_inside_a_list_is_refused() {
    let stderr = fails_with("- one\n\n::hours\n\n- two\n");
    assert!(stderr.contains("a block's fence inside a list"), "{stderr}");
    assert!(stderr.contains("--> content/extra.md:6:1"), "{stderr}");
}
