//! The clinic theme made the owner's own (issue 13): brand colours and
//! fonts from site.yaml, the theme's words in the site's language, the menu
//! with short titles and sub-items.

use crate::support::TestSite;

#[test]
fn brand_settings_reach_every_page_as_custom_properties_allowed_by_the_policy() {
    let site = TestSite::fixture("theme-brand");
    site.build();
    let home = site.read_output("index.html");
    assert!(home.contains("<meta name=\"theme-color\" content=\"#5b2a86\">"), "{home}");
    let style = concat!(
        "<style>",
        "@font-face{font-family:\"Atkinson Hyperlegible\";src:url(\"./fonts/atkinson-regular.woff2\") format(\"woff2\");font-weight:400;font-style:normal;font-display:swap}",
        "@font-face{font-family:\"Atkinson Hyperlegible\";src:url(\"./fonts/atkinson-bold.woff2\") format(\"woff2\");font-weight:700;font-style:normal;font-display:swap}",
        ":root{--brand:#5b2a86;--brand-dark:#401d5e;--brand-text:#ffffff;--soft:#f4f0f7;--line:#d6cae1;",
        "--accent:#c2410c;--accent-text:#ffffff;",
        "--font:\"Atkinson Hyperlegible\", Charter, \"Bitstream Charter\", \"Sitka Text\", Cambria, serif;}</style>"
    );
    assert!(home.contains(style), "{home}");
    // The theme's mark takes the brand colour.
    assert!(home.contains("<rect width=\"32\" height=\"32\" rx=\"7\" fill=\"#5b2a86\"/>"), "{home}");
    // A page one folder down names the font files from there.
    let team = site.read_output("about/team/index.html");
    assert!(team.contains("src:url(\"../../fonts/atkinson-regular.woff2\")"), "{team}");
    // The policy allows each page's style by its hash, with no 'unsafe-inline'.
    let headers = site.read_output("_headers");
    let policy = headers.lines().find(|l| l.trim_start().starts_with("Content-Security-Policy:")).unwrap();
    assert!(policy.contains("style-src 'self' 'sha256-"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(site.output_files().contains(&"fonts/atkinson-bold.woff2".to_string()));
}

#[test]
fn without_brand_settings_the_pages_carry_no_style_and_today_s_colours() {
    let site = TestSite::fixture("basic");
    site.build();
    let home = site.read_output("index.html");
    assert!(!home.contains("<style>"), "{home}");
    assert!(home.contains("<meta name=\"theme-color\" content=\"#0b5563\">"), "{home}");
}

#[test]
fn a_brand_colour_that_fails_contrast_is_refused_with_the_pair_the_ratio_and_a_shade() {
    let site = TestSite::fixture("theme-brand");
    let text = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &text.replace("primary: \"#5b2a86\"", "primary: \"#6cb4c4\""));
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: brand.primary `#6cb4c4` as link text on the page's background (`#ffffff`) has a contrast ratio of 2.34:1, below the 4.50:1 WCAG 2.2 AA asks for text\n --> site.yaml:9:3"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "the nearest darker shade that passes everywhere the theme uses it is `#477781` (4.97:1 with `#ffffff`)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_font_file_that_is_not_in_the_site_is_an_error_and_a_font_from_another_website_is_refused() {
    let site = TestSite::fixture("theme-brand");
    std::fs::remove_file(site.path("static/fonts/atkinson-bold.woff2")).unwrap();
    let stderr = site.build_fails();
    assert!(
        stderr.contains("error: font file `fonts/atkinson-bold.woff2` does not exist\n  --> site.yaml:17:15"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &text.replace("fonts/atkinson-bold.woff2", "https://fonts.example.com/atkinson-bold.woff2"),
    );
    let stderr = site.build_fails();
    assert!(
        stderr.contains("font file `https://fonts.example.com/atkinson-bold.woff2` is another website's"),
        "{stderr}"
    );
}

#[test]
fn the_menu_has_short_titles_and_one_level_of_sub_items() {
    let site = TestSite::fixture("theme-brand");
    site.build();
    let team = site.read_output("about/team/index.html");
    let nav = team.split("<nav class=\"site-nav\"").nth(1).unwrap().split("</nav>").next().unwrap();
    // Folded for phones: every item, the sub-items in a nested list, by weight.
    assert!(
        nav.contains(concat!(
            "<li><a href=\"../\" aria-current=\"true\">About</a>\n<ul>\n",
            "<li><a href=\"../history/\">Our history</a></li>\n",
            "<li><a href=\"./\" aria-current=\"page\">Team</a></li>\n</ul></li>"
        )),
        "{nav}"
    );
    // A row on wide screens, the current item's sub-items in a row below it.
    assert!(nav.contains("<ul class=\"wrap menu-wide\">"), "{nav}");
    assert!(nav.contains("<ul class=\"wrap menu-sub\" aria-label=\"More in About\">"), "{nav}");
    // The page's own title stays the page's.
    assert!(team.contains("<h1>The team who treat you</h1>"), "{team}");
    // Elsewhere, no sub-row.
    assert!(!site.read_output("index.html").contains("menu-sub"));
    // A parent that is not in the menu's top row is an error at the key.
    site.write(
        "content/about/history.md",
        "---\ntitle: Our history\nmenu_parent: team.md\n---\nSince 2001.\n",
    );
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: menu_parent `team.md` is not a page of the menu's top row\n --> content/about/history.md:3:1"
        ),
        "{stderr}"
    );
}

#[test]
fn a_german_site_gets_the_theme_s_words_and_dates_in_german() {
    let site = TestSite::fixture("theme-german");
    let run = site.build();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let page = site.read_output("nachsorge/index.html");
    for words in [
        "<html lang=\"de-DE\">",
        "<a class=\"skip-link\" href=\"#main\">Zum Hauptinhalt springen</a>",
        "<a class=\"phone\" href=\"tel:+49301234567\">Anrufen: +49 30 1234567</a>",
        "<a class=\"button book\" href=\"https://example.org/termin\">Beratungstermin vereinbaren</a>",
        "<nav class=\"site-nav\" aria-label=\"Hauptmenü\">",
        "<summary>Menü</summary>",
        "<p class=\"meta\">Zuletzt aktualisiert: <time datetime=\"2026-03-01\">1. März 2026</time></p>",
        "<aside class=\"disclaimer\" aria-label=\"Medizinischer Hinweis\">",
        "<h2>Sprechzeiten</h2>",
        "<time datetime=\"08:00\">08:00</time> bis <time datetime=\"18:00\">18:00</time>",
        "Telefon: <a href=\"tel:+49301234567\">+49 30 1234567</a>",
        "<p class=\"wrap copyright\">© Praxis Beispiel. Alle Rechte vorbehalten.</p>",
    ] {
        assert!(page.contains(words), "{words}\n{page}");
    }
    let not_found = site.read_output("404.html");
    assert!(not_found.contains("<h1>Seite nicht gefunden</h1>"), "{not_found}");
}

#[test]
fn a_word_missing_in_the_language_falls_back_to_english_and_check_names_it() {
    let site = TestSite::fixture("theme-words");
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: the word `greeting` has no translation in `de`: English is shown\n --> themes/mini/templates/index.html:7:7"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("add `greeting:` to themes/mini/i18n/de.yaml"), "{}", run.stderr);
    site.build();
    let home = site.read_output("index.html");
    assert!(home.contains("<a href=\"#main\">Zum Hauptinhalt springen</a>"), "{home}");
    assert!(home.contains("<p>Welcome to Words Test</p>"), "{home}");
    // A word English lacks too is an error.
    site.write("themes/mini/i18n/en.yaml", "skip_link: Skip to main content\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: the theme has no words for `greeting`, not even in English\n --> themes/mini/templates/index.html:7:7"
        ),
        "{stderr}"
    );
}

#[test]
fn a_language_the_theme_has_no_words_in_is_a_warning_at_its_setting() {
    let site = TestSite::fixture("theme-words");
    let text = std::fs::read_to_string(site.path("site.yaml")).unwrap();
    site.write("site.yaml", &text.replace("language: de", "language: it"));
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: the theme has no words in `it`: its buttons and labels are in English\n --> site.yaml:3:1"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_footer_leaves_out_what_site_yaml_does_not_give_and_the_contact_page_does_not_repeat_it() {
    let site = TestSite::with_pages(&[("index.md", "---\ntitle: Home\n---\nHello.\n")]);
    site.build();
    let home = site.read_output("index.html");
    assert!(!home.contains("All rights reserved"), "{home}");
    assert!(!home.contains("<address>"), "{home}");
    assert!(!home.contains("footer-grid"), "{home}");
    let site = TestSite::fixture("basic");
    site.write("content/contact.md", "---\ntitle: Contact us\ntemplate: contact.html\n---\nWrite to us.\n");
    site.build();
    let contact = site.read_output("contact/index.html");
    assert_eq!(contact.matches("<address>").count(), 1, "{contact}");
    assert!(!contact.contains("All contact details"), "{contact}");
    assert!(site.read_output("index.html").contains("All contact details"));
}
