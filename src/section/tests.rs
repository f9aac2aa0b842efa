use super::*;

fn section(path: &str, yaml: &str) -> SectionSource {
    parse_section(
        Path::new(path),
        &format!("---\ntitle: S\n{yaml}---\nText\n"),
        crate::url::UrlStyle::Slugs,
        &[],
    )
    .unwrap()
}

fn page<'a>(source: &'a str, title: &'a str, date: Option<&str>) -> ListedPage<'a> {
    ListedPage {
        source: Path::new(source),
        title,
        date: date.map(|d| Date::parse(d).unwrap()),
        updated: None,
        weight: 0,
        draft: false,
        lang: 0,
    }
}

fn titles(built: &Section, pages: &[ListedPage<'_>]) -> Vec<String> {
    built.pages.iter().map(|&n| pages[n].title.to_string()).collect()
}

#[test]
fn reads_every_key() {
    let text = "---\ntitle: News\ndescription: What is new\nsort_by: weight\npaginate_by: 10\nfeed: true\ntemplate: news.html\nextra:\n  icon: bell\n---\nOur news.\n";
    let s =
        parse_section(Path::new("content/news/_index.md"), text, crate::url::UrlStyle::Slugs, &[]).unwrap();
    assert_eq!(s.title, "News");
    assert_eq!(s.path, "/news/");
    assert_eq!(s.meta.description.as_deref(), Some("What is new"));
    assert_eq!(s.meta.order(&[], &[]), SortBy::Weight);
    assert_eq!(s.meta.paginate_by, NonZeroUsize::new(10));
    assert!(s.meta.feed);
    assert_eq!(s.meta.template.as_deref(), Some("news.html"));
    assert_eq!(s.meta.extra["icon"], "bell");
    assert_eq!(s.body(), "Our news.\n");
    assert_eq!(s.folder(), Path::new("content/news"));
}

#[test]
fn defaults_sort_by_date_without_feed_or_pagination() {
    let s = section("content/news/_index.md", "");
    assert_eq!(s.meta.sort_by, None);
    // By date when a listed page has a date, else by weight (pages
    // written for another generator have none).
    let pages = [page("content/news/a.md", "A", None), page("content/news/b.md", "B", Some("2025-01-01"))];
    assert_eq!(s.meta.order(&[0], &pages), SortBy::Weight);
    assert_eq!(s.meta.order(&[0, 1], &pages), SortBy::Date);
    assert_eq!(s.meta.paginate_by, None);
    assert!(!s.meta.feed);
    assert_eq!(section("content/_index.md", "").path, "/");
}

#[test]
fn unknown_keys_and_bad_values_are_located_errors() {
    let p = |t: &str| {
        parse_section(Path::new("content/news/_index.md"), t, crate::url::UrlStyle::Slugs, &[]).unwrap_err()
    };
    let d = p("---\ntitle: News\nsort_bz: date\n---\n");
    assert_eq!(d.location.map(|l| l.line), Some(3));
    assert!(d.message.contains("unknown key `sort_bz`"), "{}", d.message);
    assert_eq!(d.help.as_deref(), Some("did you mean `sort_by`?"));

    let d = p("---\ntitle: News\nsort_by: newest\n---\n");
    assert_eq!(d.location.map(|l| l.line), Some(3));
    assert!(d.message.contains("`sort_by` must be one of date, updated, weight, title"), "{}", d.message);

    let d = p("---\ntitle: News\npaginate_by: 0\n---\n");
    assert_eq!(d.location.map(|l| l.line), Some(3), "{d}");
    let d = p("---\ntitle: News\nfeed: yes please\n---\n");
    assert_eq!(d.location.map(|l| l.line), Some(3), "{d}");
}

#[test]
fn a_section_needs_a_title() {
    let d = parse_section(
        Path::new("content/news/_index.md"),
        "---\nfeed: true\n---\n",
        crate::url::UrlStyle::Slugs,
        &[],
    )
    .unwrap_err();
    assert_eq!(d.message, "this section has no title");
    assert_eq!(d.location, Some(Location { line: 1, column: 1 }));
    let slugs = crate::url::UrlStyle::Slugs;
    let d = parse_section(Path::new("content/news/_index.md"), "No front matter", slugs, &[]).unwrap_err();
    assert_eq!(
        d.help.as_deref(),
        Some(
            "start the file with its title as a heading, `# News`, or with front matter:\n---\ntitle: News\n---"
        )
    );
    // Or its text leads with its title (issue 14).
    let s = parse_section(
        Path::new("content/news/_index.md"),
        "<!-- old -->\n# Clinic news\n\nText.",
        slugs,
        &[],
    )
    .unwrap();
    assert_eq!(s.title, "Clinic news");
}

#[test]
fn a_folder_name_without_letters_is_an_error() {
    let d = parse_section(
        Path::new("content/!!!/_index.md"),
        "---\ntitle: S\n---\n",
        crate::url::UrlStyle::Slugs,
        &[],
    )
    .unwrap_err();
    assert_eq!(d.message, "this folder's name gives an empty part in the address");
    assert_eq!(d.file, Path::new("content/!!!/_index.md"));
}

#[test]
fn recognises_section_files() {
    assert!(is_section_file(Path::new("content/news/_index.md")));
    assert!(!is_section_file(Path::new("content/news/index.md")));
    assert!(!is_section_file(Path::new("content/news/x_index.md")));
}

#[test]
fn pages_belong_to_their_own_folders_section_only() {
    let sections = [section("content/news/_index.md", ""), section("content/news/2025/_index.md", "")];
    let pages = [
        page("content/news/a.md", "A", Some("2025-01-01")),
        page("content/news/2025/b.md", "B", Some("2025-02-01")),
        // A folder's own page is listed where the folder is.
        page("content/news/bundle/index.md", "Bundle", Some("2025-03-01")),
        // A plain folder inside a section: its pages are listed nowhere.
        page("content/news/archive/c.md", "C", Some("2025-04-01")),
        // Outside any section.
        page("content/about.md", "About", None),
        page("content/care/index.md", "Care", None),
    ];
    let built = build_sections(&sections, &pages, false).unwrap();
    assert_eq!(titles(&built[0], &pages), ["Bundle", "A"]);
    assert_eq!(titles(&built[1], &pages), ["B"]);
    assert_eq!(built[0].subsections, [1]);
    assert_eq!(built[1].parent, Some(0));
    assert_eq!(built[0].parent, None);
}

#[test]
fn a_subsection_finds_its_nearest_section_through_plain_folders() {
    let sections = [
        section("content/_index.md", "sort_by: title\n"),
        section("content/news/archive/2020/_index.md", ""),
        section("content/news/_index.md", ""),
        section("content/blog/_index.md", ""),
    ];
    let built = build_sections(&sections, &[], false).unwrap();
    assert_eq!(built[1].parent, Some(2));
    assert_eq!(built[2].parent, Some(0));
    // Subsections in URL order, whatever order they were given in.
    assert_eq!(built[0].subsections, [3, 2]);
}

#[test]
fn date_sort_is_newest_first_with_ties_by_title_then_path() {
    let sections = [section("content/news/_index.md", "")];
    let pages = [
        page("content/news/z.md", "Same", Some("2025-05-01")),
        page("content/news/old.md", "Old", Some("2024-01-01")),
        page("content/news/a.md", "same", Some("2025-05-01")),
        page("content/news/b.md", "Alpha", Some("2025-05-01")),
        page("content/news/new.md", "New", Some("2026-01-01")),
    ];
    let built = build_sections(&sections, &pages, false).unwrap();
    assert_eq!(built[0].pages, [4, 3, 2, 0, 1]);
}

#[test]
fn order_does_not_depend_on_input_order() {
    let sections = [section("content/news/_index.md", "sort_by: weight\n")];
    let mut pages = vec![
        ListedPage { weight: 2, ..page("content/news/a.md", "Same", None) },
        ListedPage { weight: 1, ..page("content/news/b.md", "Same", None) },
        ListedPage { weight: 2, ..page("content/news/c.md", "Same", None) },
    ];
    let order = |pages: &[ListedPage<'static>]| -> Vec<&'static Path> {
        build_sections(&sections, pages, false).unwrap()[0].pages.iter().map(|&n| pages[n].source).collect()
    };
    let first = order(&pages);
    assert_eq!(
        first,
        [Path::new("content/news/b.md"), Path::new("content/news/a.md"), Path::new("content/news/c.md")]
    );
    pages.reverse();
    assert_eq!(order(&pages), first);
}

#[test]
fn sorts_by_updated_and_title() {
    let sections = [
        section("content/a/_index.md", "sort_by: updated\n"),
        section("content/b/_index.md", "sort_by: title\n"),
    ];
    let d = |s: &str| Some(Date::parse(s).unwrap());
    let pages = [
        ListedPage { updated: d("2025-01-01"), ..page("content/a/x.md", "X", None) },
        ListedPage { updated: d("2025-06-01"), ..page("content/a/y.md", "Y", None) },
        page("content/b/zebra.md", "zebra", None),
        page("content/b/apple.md", "Apple", None),
        page("content/b/mango.md", "mango", None),
    ];
    let built = build_sections(&sections, &pages, false).unwrap();
    assert_eq!(titles(&built[0], &pages), ["Y", "X"]);
    assert_eq!(titles(&built[1], &pages), ["Apple", "mango", "zebra"]);
}

#[test]
fn a_page_without_the_sort_date_is_an_error_naming_it() {
    let sections =
        [section("content/news/_index.md", ""), section("content/log/_index.md", "sort_by: updated\n")];
    let pages = [
        page("content/news/dated.md", "Dated", Some("2025-01-01")),
        page("content/news/undated.md", "Undated", None),
        page("content/log/x.md", "X", Some("2025-01-01")),
        // A draft is not listed, so it needs no date.
        ListedPage { draft: true, ..page("content/news/draft.md", "Draft", None) },
    ];
    let problems = build_sections(&sections, &pages, false).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].file, Path::new("content/news/undated.md"));
    assert_eq!(
        problems[0].message,
        "this page has no `date`, and content/news/_index.md lists its pages by date (the default when `sort_by` is not set)"
    );
    assert_eq!(problems[0].location, Some(Location { line: 1, column: 1 }));
    assert_eq!(problems[1].file, Path::new("content/log/x.md"));
    assert!(problems[1].message.contains("lists its pages by `sort_by: updated`"), "{}", problems[1].message);
    // With drafts on, the draft is listed and must have a date too.
    assert_eq!(build_sections(&sections, &pages, true).unwrap_err().len(), 3);
}

#[test]
fn drafts_are_listed_only_when_drafts_are_on() {
    let sections = [section("content/news/_index.md", "")];
    let pages = [
        page("content/news/a.md", "A", Some("2025-01-01")),
        ListedPage { draft: true, ..page("content/news/b.md", "B", Some("2025-02-01")) },
    ];
    assert_eq!(titles(&build_sections(&sections, &pages, false).unwrap()[0], &pages), ["A"]);
    assert_eq!(titles(&build_sections(&sections, &pages, true).unwrap()[0], &pages), ["B", "A"]);
}

#[test]
fn a_folder_cannot_be_both_a_page_and_a_section() {
    let sections = [section("content/news/_index.md", "")];
    let pages = [page("content/news/index.md", "News page", Some("2025-01-01"))];
    let problems = build_sections(&sections, &pages, false).unwrap_err();
    assert_eq!(problems[0].file, Path::new("content/news/index.md"));
    // A draft there is a mistake too, whether drafts are built or not.
    let draft = [ListedPage { draft: true, ..pages[0] }];
    assert_eq!(build_sections(&sections, &draft, false).unwrap_err().len(), 1);
    assert!(problems[0].message.contains("content/news/_index.md"), "{}", problems[0].message);
}

#[test]
fn a_section_with_a_feed_needs_dated_pages_whatever_its_order() {
    let sections = [section("content/tips/_index.md", "sort_by: weight\nfeed: true\n")];
    let pages = [page("content/tips/a.md", "A", None), page("content/tips/b.md", "B", Some("2025-01-01"))];
    let problems = build_sections(&sections, &pages, false).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, Path::new("content/tips/a.md"));
    assert_eq!(
        problems[0].message,
        "this page has no `date`, and content/tips/_index.md makes a feed of its pages (`feed: true`)"
    );
    assert!(
        problems[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("or set `feed: false` in content/tips/_index.md"))
    );
    // Sorted by date with a feed: one error per page, not two.
    let sections = [section("content/tips/_index.md", "feed: true\n")];
    let problems = build_sections(&sections, &pages, false).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "this page has no `date`, and content/tips/_index.md lists its pages by date (the default when `sort_by` is not set) and makes a feed of them"
    );
    // Sorted by updated with a feed: both dates are needed.
    let sections = [section("content/tips/_index.md", "sort_by: updated\nfeed: true\n")];
    let keys: Vec<String> = build_sections(&sections, &pages[..1], false)
        .unwrap_err()
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(keys, ["updated", "date"]);
}

#[test]
fn a_section_without_dates_or_sort_by_lists_by_weight_then_title() {
    let sections = [section("content/guide/_index.md", "")];
    let weighted = |source, title, weight| ListedPage { weight, ..page(source, title, None) };
    let pages = [
        weighted("content/guide/b.md", "Beta", 2),
        weighted("content/guide/c.md", "Gamma", 1),
        weighted("content/guide/a.md", "Alpha", 2),
    ];
    let built = build_sections(&sections, &pages, false).unwrap();
    assert_eq!(titles(&built[0], &pages), ["Gamma", "Alpha", "Beta"]);
    // A feed needs dates all the same.
    let sections = [section("content/guide/_index.md", "feed: true\n")];
    assert_eq!(build_sections(&sections, &pages, false).unwrap_err().len(), 3);
}
