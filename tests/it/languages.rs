//! Sites in two or more languages (issue 15), with the real binary. The
//! fixture `languages` is in English (the default, at the top) and Spanish
//! (under `/es/`): a home page, `about` and `risks` (translated, `risks` with
//! a translated `slug`), `only-english` (not translated) and a news section
//! in each language with its own notices and feeds. `languages-words` has a
//! tiny theme whose Spanish words lack one the template uses.
//! [`spanish_on_its_own_domain`] makes `languages` with Spanish on its own
//! domain.

use crate::support::{TestSite, listed};

/// The `<link rel="alternate" hreflang>` lines of a page.
fn alternates(html: &str) -> Vec<&str> {
    html.lines().filter(|l| l.starts_with("<link rel=\"alternate\" hreflang=")).collect()
}

/// The language switcher's items of a page.
fn switcher(html: &str) -> Vec<&str> {
    let nav = html.split("<nav class=\"languages\"").nth(1).expect("a language switcher");
    let nav = nav.split("</nav>").next().unwrap();
    nav.lines().filter(|l| l.starts_with("<li>")).collect()
}

/// The wide menu of a page.
fn menu(html: &str) -> &str {
    let menu = html.split("<ul class=\"wrap menu-wide\">").nth(1).expect("a menu");
    menu.split("</ul>").next().unwrap()
}

/// The `<entry>` titles of a feed.
fn entries(xml: &str) -> Vec<&str> {
    xml.split("<entry>")
        .skip(1)
        .map(|e| e.split("<title>").nth(1).unwrap().split("</title>").next().unwrap())
        .collect()
}

/// Replaces `from` by `to` in the site's file `rel`, which must contain it.
fn edit(site: &TestSite, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    site.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn a_bilingual_site_has_addresses_lang_and_reciprocal_alternates_per_language() {
    let site = TestSite::fixture("languages");
    site.build();
    let files = site.output_files();
    for file in ["es/index.html", "es/riesgos/index.html", "es/about/index.html", "es/news/index.html"] {
        assert!(files.contains(&file.to_string()), "{file} missing: {files:#?}");
    }
    // The translated slug gives the address; the English one is not used.
    assert!(!files.iter().any(|f| f.starts_with("es/risks/")), "{files:#?}");
    // No Spanish version of the page that has none.
    assert!(!files.iter().any(|f| f.starts_with("es/only-english/")), "{files:#?}");

    let en = site.read_output("risks/index.html");
    let es = site.read_output("es/riesgos/index.html");
    assert!(en.contains("<html lang=\"en-GB\">"), "{en}");
    assert!(es.contains("<html lang=\"es\">"), "{es}");
    assert!(es.contains("<title>Riesgos · Clínica de Prueba</title>"), "{es}");
    // Both versions name both, and the default as x-default.
    let both = [
        "<link rel=\"alternate\" hreflang=\"en-GB\" href=\"https://clinic.test/risks/\">",
        "<link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.test/es/riesgos/\">",
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.test/risks/\">",
    ];
    assert_eq!(alternates(&en), both);
    assert_eq!(alternates(&es), both);
    // Each switcher leads to the other version.
    assert_eq!(
        switcher(&en),
        [
            "<li><span aria-current=\"true\" lang=\"en-GB\">English</span></li>",
            "<li><a href=\"../es/riesgos/\" hreflang=\"es\" lang=\"es\">Español</a></li>",
        ]
    );
    assert_eq!(
        switcher(&es),
        [
            "<li><a href=\"../../risks/\" hreflang=\"en-GB\" lang=\"en-GB\">English</a></li>",
            "<li><span aria-current=\"true\" lang=\"es\">Español</span></li>",
        ]
    );

    // A page without a translation: no alternates, and the switcher leads to
    // the Spanish home page, not to a page that does not exist.
    let only = site.read_output("only-english/index.html");
    assert!(alternates(&only).is_empty(), "{only}");
    assert_eq!(switcher(&only)[1], "<li><a href=\"../es/\" hreflang=\"es\" lang=\"es\">Español</a></li>");
    assert!(files.contains(&"es/index.html".to_string()));

    // The sitemap gives the same alternates for both versions, none for a
    // page without a translation.
    let sitemap = site.read_output("sitemap.xml");
    let links = "    <xhtml:link rel=\"alternate\" hreflang=\"en-GB\" href=\"https://clinic.test/risks/\"/>\n    \
                 <xhtml:link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.test/es/riesgos/\"/>\n    \
                 <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.test/risks/\"/>\n";
    for (loc, lastmod) in [
        ("https://clinic.test/risks/", "    <lastmod>2025-02-01</lastmod>\n"),
        ("https://clinic.test/es/riesgos/", ""),
    ] {
        let url = format!("  <url>\n    <loc>{loc}</loc>\n{lastmod}{links}  </url>");
        assert!(sitemap.contains(&url), "{loc}:\n{sitemap}");
    }
    assert!(
        sitemap.contains("  <url>\n    <loc>https://clinic.test/only-english/</loc>\n  </url>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""), "{sitemap}");
}

#[test]
fn each_languages_home_page_is_rendered_as_a_home_page() {
    let site = TestSite::fixture("languages");
    site.build();
    let en = site.read_output("index.html");
    let es = site.read_output("es/index.html");
    assert!(
        en.contains("<title>Bilingual Test Clinic</title>") && en.contains("<div class=\"hero\">"),
        "{en}"
    );
    // The Spanish home uses the home template too (index.html), titled with
    // the site's Spanish title alone.
    assert!(es.contains("<title>Clínica de Prueba</title>"), "{es}");
    assert!(es.contains("<div class=\"hero\">"), "{es}");
    // Its latest news are the Spanish ones.
    assert!(es.contains("<h3><a href=\"../es/news/aviso/\">Aviso</a></h3>"), "{es}");
    assert!(!es.contains("Notice 3"), "{es}");
}

#[test]
fn links_lead_to_the_same_language_or_fall_back_with_hreflang_and_a_note() {
    let site = TestSite::fixture("languages");
    let run = site.build();
    let es = site.read_output("es/riesgos/index.html");
    assert!(
        es.contains("<p>Algunos riesgos. Vea <a href=\"../../only-english/\" hreflang=\"en-GB\">la página solo en inglés</a>.</p>"),
        "{es}"
    );
    // `risks.md` from a Spanish page leads to its translation.
    let home = site.read_output("es/index.html");
    assert!(home.contains("<p>Bienvenido. Lea sobre los <a href=\"riesgos/\">riesgos</a>.</p>"), "{home}");
    // The English page links to the same page without hreflang.
    let en = site.read_output("risks/index.html");
    assert!(en.contains("<a href=\"../only-english/\">the page in English only</a>"), "{en}");
    assert!(!run.stderr.contains("error"), "{}", run.stderr);

    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "note: this link leads to the en-GB page content/only-english.md: it has no translation into `es` yet\n \
             --> content/risks.es.md:9:49\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("= help: translate it as content/only-english.es.md"), "{}", run.stderr);
    assert!(run.stderr.contains("check: 0 errors, 0 warnings, 1 note in 1 file"), "{}", run.stderr);
    // Notes never fail check, not even --strict.
    let strict = site.run(&["check", "--strict"]);
    assert_eq!(strict.code, 0, "{}", strict.stderr);
}

#[test]
fn a_translation_older_than_its_original_is_a_warning_and_fails_strict() {
    let site = TestSite::fixture("languages");
    assert_eq!(site.run(&["check", "--strict"]).code, 0);
    edit(&site, "content/risks.es.md", "translated_from: 2025-02-01", "translated_from: 2025-01-15");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: content/risks.es.md is older than content/risks.md\n --> content/risks.es.md:5:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "= help: risks.md was updated on 2025-02-01; this translation is of its version of 2025-01-15"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
    // The build still succeeds: the page is out of step, not broken.
    site.build();
}

#[test]
fn a_translation_without_translated_from_gets_a_warning() {
    let site = TestSite::fixture("languages");
    edit(&site, "content/about.es.md", "translated_from: 2025-01-01\n", "");
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: content/about.es.md does not say which version of content/about.md it translates\n \
             --> content/about.es.md:2:1\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
}

#[test]
fn translated_from_on_a_default_language_page_is_an_error() {
    let site = TestSite::fixture("languages");
    edit(&site, "content/about.md", "weight: 1\n", "weight: 1\ntranslated_from: 2025-01-01\n");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: `translated_from` is only for translations, and this page is in the site's default language\n \
             --> content/about.md:6:1\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_word_in_a_language_falls_back_to_the_default_and_is_named() {
    let site = TestSite::fixture("languages-words");
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: the word `greeting` has no translation in `es`: English is shown\n \
             --> themes/mini/templates/index.html:7:7\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("= help: add `greeting:` to themes/mini/i18n/es.yaml"), "{}", run.stderr);
    // Only that word, only in Spanish.
    assert!(run.stderr.contains("check: 0 errors, 1 warning in 1 file"), "{}", run.stderr);
    site.build();
    let es = site.read_output("es/index.html");
    assert!(es.contains("<html lang=\"es\">"), "{es}");
    assert!(es.contains("<a href=\"#main\">Saltar al contenido principal</a>"), "{es}");
    assert!(es.contains("<p>Welcome to Words Test</p>"), "{es}");
    let en = site.read_output("index.html");
    assert!(en.contains("<a href=\"#main\">Skip to main content</a>"), "{en}");
}

#[test]
fn listings_and_feeds_are_per_language() {
    let site = TestSite::fixture("languages");
    site.build();
    assert_eq!(listed(&site.read_output("news/index.html")), ["Notice 3", "Notice 2"]);
    assert_eq!(listed(&site.read_output("news/page/2/index.html")), ["Notice 1"]);
    assert_eq!(listed(&site.read_output("es/news/index.html")), ["Aviso"]);
    let files = site.output_files();
    assert!(!files.contains(&"es/news/page/2/index.html".to_string()), "{files:#?}");

    // Section feeds.
    let en = site.read_output("news/atom.xml");
    let es = site.read_output("es/news/atom.xml");
    assert!(en.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en-GB\">"), "{en}");
    assert!(es.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"es\">"), "{es}");
    assert_eq!(entries(&en), ["Notice 3", "Notice 2", "Notice 1"]);
    assert_eq!(entries(&es), ["Aviso"]);
    assert!(es.contains("<id>https://clinic.test/es/news/atom.xml</id>"), "{es}");
    assert!(
        es.contains(
            "<link rel=\"alternate\" type=\"text/html\" href=\"https://clinic.test/es/news/aviso/\"/>"
        ),
        "{es}"
    );
    // The site's feed (`feed: true` in site.yaml), one per language.
    let en = site.read_output("atom.xml");
    let es = site.read_output("es/atom.xml");
    assert!(en.contains("xml:lang=\"en-GB\">\n  <title>Bilingual Test Clinic</title>"), "{en}");
    assert!(es.contains("xml:lang=\"es\">\n  <title>Clínica de Prueba</title>"), "{es}");
    assert_eq!(entries(&en), ["Notice 3", "Notice 2", "Notice 1"]);
    assert_eq!(entries(&es), ["Aviso"]);
    for feed in [&en, &es] {
        feed_rs::parser::parse(feed.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{feed}"));
    }
}

#[test]
fn menus_are_per_language_and_menu_parent_leads_to_the_translation() {
    let site = TestSite::fixture("languages");
    site.build();
    assert_eq!(menu(&site.read_output("es/index.html")), "\n<li><a href=\"about/\">Quiénes somos</a></li>\n");
    // `menu_parent: about.md` on risks.es.md puts it under about.es.md.
    let es = site.read_output("es/riesgos/index.html");
    assert!(
        es.contains(
            "<ul class=\"wrap menu-sub\" aria-label=\"Más en Quiénes somos\">\n\
             <li><a href=\"./\" aria-current=\"page\">Riesgos</a></li>\n</ul>"
        ),
        "{es}"
    );
    assert_eq!(
        menu(&site.read_output("index.html")),
        "\n<li><a href=\"about/\">About us</a></li>\n<li><a href=\"only-english/\">Only English</a></li>\n"
    );
}

#[test]
fn a_language_code_that_is_not_bcp_47_is_an_error_at_its_line() {
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "  - code: es\n", "  - \"español\"\n  - code: es\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: language `español` is not a language code\n --> site.yaml:6:6\n  |\n6 |   - \"español\"\n  |      ^^^^^^^\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: write a BCP 47 language code such as en, en-GB, es or pt-BR"),
        "{stderr}"
    );
}

#[test]
fn a_language_listed_twice_is_an_error_at_the_second() {
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "  - en-GB\n", "  - en-GB\n  - es\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("error: language `es` is listed twice\n --> site.yaml:7:"), "{stderr}");
    // Written inline, the second of the line is meant.
    let site = TestSite::fixture("languages-words");
    edit(&site, "site.yaml", "[en-GB, es]", "[en-GB, es, es]");
    let stderr = site.build_fails();
    assert!(stderr.contains("error: language `es` is listed twice\n --> site.yaml:3:24\n"), "{stderr}");
}

#[test]
fn language_must_be_the_first_of_languages() {
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "languages:\n", "language: de\nlanguages:\n");
    let stderr = site.build_fails();
    assert!(
        stderr
            .contains("error: language `de` is not the first of `languages` (`en-GB`)\n --> site.yaml:4:1\n"),
        "{stderr}"
    );
    // Equal to the first, it is fine.
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "languages:\n", "language: en-GB\nlanguages:\n");
    site.build();
}

#[test]
fn a_file_in_a_language_the_site_does_not_have_is_an_error() {
    let site = TestSite::fixture("languages");
    site.write("content/news/_index.fr.md", "---\ntitle: Nouvelles\n---\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: `fr` is not one of the site's other languages\n--> content/news/_index.fr.md\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("add it to site.yaml's languages (now es), or rename the file"), "{stderr}");
}

#[test]
fn a_language_without_a_home_page_is_an_error() {
    let site = TestSite::fixture("languages");
    std::fs::remove_file(site.path("content/index.es.md")).unwrap();
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: the site has no home page in `es`: there is no content/index.es.md\n--> content/index.es.md\n"
        ),
        "{stderr}"
    );
}

/// A long page of long Spanish sentences of long words.
fn dense_spanish() -> String {
    let sentence = "La administración farmacológica concomitante de anticoagulantes orales incrementa \
                    considerablemente la probabilidad de complicaciones hemorrágicas postoperatorias \
                    inmediatas en pacientes especialmente susceptibles, particularmente durante la \
                    intervención dermatológica correspondiente. ";
    sentence.repeat(10)
}

#[test]
fn a_spanish_page_is_graded_with_fernandez_huerta() {
    let site = TestSite::fixture("languages");
    edit(&site, "content/risks.es.md", "Algunos riesgos.", &dense_spanish());
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "warning: reading ease -55 is below the target of 60 (Fernández-Huerta, 266 words in 11 sentences)\n \
             --> content/risks.es.md:9:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Flesch-Kincaid"), "{}", run.stderr);
    assert!(!run.stderr.contains("reading grade"), "{}", run.stderr);
}

#[test]
fn a_language_without_a_formula_gets_one_note_from_site_yaml() {
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "  - en-GB\n", "  - en-GB\n  - nl\n");
    let dutch = "De behandeling van de hoofdhuid vraagt om zorgvuldige nazorg gedurende meerdere weken. ";
    site.write(
        "content/index.nl.md",
        &format!(
            "---\ntitle: Thuis\ndescription: De startpagina van de testkliniek, een voorbeeld voor de talen.\n\
             translated_from: 2025-01-01\n---\n{}\n",
            dutch.repeat(8)
        ),
    );
    site.write(
        "content/about.nl.md",
        &format!(
            "---\ntitle: Over ons\ndescription: Wie wij zijn in de testkliniek, een voorbeeld voor de menu's.\n\
             translated_from: 2025-01-01\n---\n{}\n",
            dutch.repeat(8)
        ),
    );
    let run = site.run(&["check"]);
    let note = "note: pages in `nl` are not scored for reading level: dotwork knows an established formula \
                only for English (Flesch-Kincaid), Spanish (Fernández-Huerta), German (Amstad) and French \
                (Kandel-Moles)\n --> site.yaml:6:5\n";
    assert_eq!(run.stderr.matches("are not scored for reading level").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(note), "{}", run.stderr);
    assert!(!run.stderr.contains("reading grade") && !run.stderr.contains("reading ease"), "{}", run.stderr);
}

/// The fixture `languages` with Spanish on its own domain
/// (`https://clinica.test/`), a Spanish alias, and a static file a Spanish
/// page links to.
pub(crate) fn spanish_on_its_own_domain() -> TestSite {
    let site = TestSite::fixture("languages");
    edit(&site, "site.yaml", "  - code: es\n", "  - code: es\n    base_url: https://clinica.test\n");
    edit(&site, "content/risks.es.md", "menu: true\n", "menu: true\naliases: [/es/riesgos-antiguos/]\n");
    edit(
        &site,
        "content/about.es.md",
        "Sobre la clínica.",
        "Sobre la clínica. Lea el [folleto](/docs/leaflet.txt).",
    );
    site.write("static/docs/leaflet.txt", "A leaflet for both domains.\n");
    site
}

#[test]
fn a_language_on_its_own_domain_is_published_at_its_top_and_links_across_absolutely() {
    let site = spanish_on_its_own_domain();
    site.build();
    let files = site.output_files();
    for file in [
        "clinic.test/risks/index.html",
        "clinic.test/sitemap.xml",
        "clinic.test/docs/leaflet.txt",
        "clinica.test/index.html",
        "clinica.test/riesgos/index.html",
        "clinica.test/news/aviso/index.html",
        "clinica.test/atom.xml",
        "clinica.test/404.html",
        "clinica.test/docs/leaflet.txt",
    ] {
        assert!(files.contains(&file.to_string()), "{file} missing: {files:#?}");
    }
    assert!(!files.iter().any(|f| f.starts_with("clinic.test/es/")), "{files:#?}");

    let es = site.read_output("clinica.test/riesgos/index.html");
    let both = [
        "<link rel=\"alternate\" hreflang=\"en-GB\" href=\"https://clinic.test/risks/\">",
        "<link rel=\"alternate\" hreflang=\"es\" href=\"https://clinica.test/riesgos/\">",
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.test/risks/\">",
    ];
    assert_eq!(alternates(&es), both);
    assert_eq!(alternates(&site.read_output("clinic.test/risks/index.html")), both);
    assert!(es.contains("<link rel=\"canonical\" href=\"https://clinica.test/riesgos/\">"), "{es}");
    // On its domain, relative from its top; to the other, absolute.
    assert!(es.contains("<a class=\"brand\" href=\"../\">"), "{es}");
    assert!(es.contains("<li><a href=\"../about/\" aria-current=\"true\">Quiénes somos</a>"), "{es}");
    assert!(es.contains("href=\"../style."), "{es}");
    assert_eq!(
        switcher(&es),
        [
            "<li><a href=\"https://clinic.test/risks/\" hreflang=\"en-GB\" lang=\"en-GB\">English</a></li>",
            "<li><span aria-current=\"true\" lang=\"es\">Español</span></li>",
        ]
    );
    assert!(
        es.contains(
            "<a href=\"https://clinic.test/only-english/\" hreflang=\"en-GB\">la página solo en inglés</a>"
        ),
        "{es}"
    );
    // One clinic on both domains; each domain is a website of its own.
    let doc = crate::support::json_ld(&es);
    assert_eq!(crate::support::node(&doc, "MedicalClinic")["@id"], "https://clinic.test/#clinic");
    assert_eq!(crate::support::node(&doc, "WebSite")["@id"], "https://clinica.test/#website");
    let page = crate::support::node(&doc, "MedicalWebPage");
    assert_eq!(page["url"], "https://clinica.test/riesgos/");
    assert_eq!(page["isPartOf"]["@id"], "https://clinica.test/#website");
    assert_eq!(page["publisher"]["@id"], "https://clinic.test/#clinic");
    let about = site.read_output("clinica.test/about/index.html");
    assert!(about.contains("<a href=\"../docs/leaflet.txt\">folleto</a>"), "{about}");
    let en = site.read_output("clinic.test/risks/index.html");
    assert!(switcher(&en).contains(
        &"<li><a href=\"https://clinica.test/riesgos/\" hreflang=\"es\" lang=\"es\">Español</a></li>"
    ));

    // Each domain has its own sitemap, robots.txt, feeds, 404 page and redirects.
    let sitemap = site.read_output("clinica.test/sitemap.xml");
    assert!(sitemap.contains("<loc>https://clinica.test/riesgos/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("<loc>https://clinic.test/"), "{sitemap}");
    assert!(!site.read_output("clinic.test/sitemap.xml").contains("<loc>https://clinica.test/"));
    assert!(
        site.read_output("clinica.test/robots.txt").contains("Sitemap: https://clinica.test/sitemap.xml\n")
    );
    let feed = site.read_output("clinica.test/atom.xml");
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://clinica.test/atom.xml\"/>"
    ));
    assert!(feed.contains("<id>https://clinica.test/news/aviso/</id>"), "{feed}");
    let not_found = site.read_output("clinica.test/404.html");
    assert!(not_found.contains("<html lang=\"es\">"), "{not_found}");
    assert!(not_found.contains("href=\"/about/\""), "{not_found}");
    let redirects = site.read_output("clinica.test/_redirects");
    assert!(redirects.contains("/riesgos-antiguos/ /riesgos/ 301\n"), "{redirects}");
    assert!(!site.read_output("clinic.test/_redirects").contains("riesgos"));
    let old = site.read_output("clinica.test/riesgos-antiguos/index.html");
    assert!(old.contains("url=../riesgos/"), "{old}");

    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("check: 0 errors, 0 warnings, 1 note"), "{}", run.stderr);
}

#[test]
fn a_language_domain_that_is_not_an_address_or_not_its_own_is_an_error_at_its_line() {
    let cases = [
        (
            "clinica.test",
            "error: base_url `clinica.test` is not an http:// or https:// address\n --> site.yaml:7:5\n",
        ),
        (
            "https://clinic.test/es/",
            "error: `es` is on the host `clinic.test`, which another of the site's addresses has\n --> site.yaml:7:5\n",
        ),
    ];
    for (url, expected) in cases {
        let site = spanish_on_its_own_domain();
        edit(&site, "site.yaml", "https://clinica.test", url);
        let stderr = site.build_fails();
        assert!(stderr.contains(expected), "{url}: {stderr}");
    }
    let site = spanish_on_its_own_domain();
    edit(&site, "site.yaml", "  - en-GB\n", "  - code: en-GB\n    base_url: https://clinic.test/\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "error: `en-GB` is the site's main language: its address is the site's `base_url`\n --> site.yaml:6:5\n"
        ),
        "{stderr}"
    );
}
