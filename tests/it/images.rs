//! Images (issue 11): markdown images become `<picture>`s of resized,
//! upright, metadata-free variants, made once and kept in the cache.
//! The fixture images are made by `examples/photos.rs`.

use std::fs;

use crate::support::TestSite;

/// Every file under `public/` whose name starts with `prefix`.
fn outputs_starting(site: &TestSite, prefix: &str) -> Vec<String> {
    site.output_files().into_iter().filter(|f| f.starts_with(prefix)).collect()
}

/// The one output `_img/<stem>-<key>-<width>.<ext>`.
fn variant(site: &TestSite, stem: &str, width: u32, ext: &str) -> String {
    let found: Vec<String> = outputs_starting(site, &format!("_img/{stem}-"))
        .into_iter()
        .filter(|f| f.ends_with(&format!("-{width}.{ext}")))
        .collect();
    assert_eq!(found.len(), 1, "one {stem} {width} {ext} in {:?}", site.output_files());
    found[0].clone()
}

fn decode(site: &TestSite, output: &str) -> image::DynamicImage {
    image::open(site.path("public").join(output)).unwrap()
}

/// The lines of `index.html` that hold an image.
fn image_lines(html: &str) -> String {
    html.lines().filter(|l| l.contains("<img") || l.contains("<picture")).collect::<Vec<_>>().join("\n")
}

#[test]
fn markdown_images_become_pictures_with_sizes_and_the_first_loads_at_once() {
    let site = TestSite::fixture("images");
    site.build();
    let html = site.read_output("index.html");
    insta::assert_snapshot!("images_markup", image_lines(&html));
    // Only the first picture is eager; remote images and SVG are left as written.
    assert_eq!(html.matches("fetchpriority=\"high\"").count(), 1, "{html}");
    assert_eq!(html.matches("loading=\"lazy\"").count(), 3, "{html}");
    assert!(html.contains("<img src=\"https://example.org/photo.jpg\" alt=\"A remote photo\" />"), "{html}");
    assert!(html.contains("<img src=\"favicon.svg\" alt=\"The favicon\" />"), "{html}");
    // Every width and height matches the served file's aspect.
    for (stem, width, ext) in [("room", 1000, "jpg"), ("room", 480, "jpg"), ("small", 300, "jpg")] {
        let file = variant(&site, stem, width, ext);
        let img = decode(&site, &file);
        assert_eq!(img.width(), width, "{file}");
        let tag = html.lines().find(|l| l.contains(&format!("_img/{stem}-"))).unwrap();
        let attr = |name: &str| -> u32 {
            let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[at..].split('"').next().unwrap().parse().unwrap()
        };
        let (w, h) = (attr("width"), attr("height"));
        let expected = f64::from(img.height()) * f64::from(w) / f64::from(img.width());
        assert!(
            (f64::from(h) - expected).abs() <= 1.0,
            "{stem}: {w}x{h} vs {}x{}",
            img.width(),
            img.height()
        );
    }
}

#[test]
fn an_orientation_6_photo_comes_out_upright() {
    let site = TestSite::fixture("images");
    site.build();
    // Stored 120 x 80 (red left, blue right) with orientation 6: shown 80 x 120, red on top.
    let img = decode(&site, &variant(&site, "upright", 80, "jpg")).to_rgb8();
    assert_eq!(img.dimensions(), (80, 120));
    let (top, bottom) = (img.get_pixel(40, 10), img.get_pixel(40, 110));
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is blue: {bottom:?}");
    let avif = fs::read(site.path("public").join(variant(&site, "upright", 80, "avif"))).unwrap();
    assert_eq!(&avif[4..12], b"ftypavif");
    // The markup says so too.
    assert!(site.read_output("index.html").contains("width=\"80\" height=\"120\" alt=\"Red above blue\""));
}

#[test]
fn no_gps_and_no_camera_serial_in_anything_published() {
    let site = TestSite::fixture("images");
    let source = fs::read(site.path("content/room.jpg")).unwrap();
    assert!(contains(&source, b"SN-0042-1337") && has_gps_ifd(&source), "the fixture has both");
    site.build();
    for file in site.output_files() {
        let bytes = fs::read(site.path("public").join(&file)).unwrap();
        assert!(!contains(&bytes, b"SN-0042-1337"), "camera serial in {file}");
        assert!(!contains(&bytes, b"Dotwork Phones"), "camera make in {file}");
        assert!(!has_gps_ifd(&bytes), "GPS in {file}");
    }
    // Copied as they are, not re-encoded: the door photo's pixels are the same.
    let door = image::open(site.path("static/images/door.jpg")).unwrap();
    assert_eq!(decode(&site, "images/door.jpg").as_bytes(), door.as_bytes());
    // `check` finds nothing either.
    let run = site.run(&["check"]);
    assert!(!run.stderr.contains("GPS"), "{}", run.stderr);
}

#[test]
fn a_published_file_with_gps_is_a_check_error_naming_it() {
    let site = TestSite::fixture("images");
    fs::copy(site.path("gps.tif"), site.path("static/scan.tif")).unwrap();
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: the published file scan.tif holds a GPS position (about 48.9, 2.4)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("static/scan.tif"), "{}", run.stderr);
}

#[test]
fn transparency_is_kept_in_png() {
    let site = TestSite::fixture("images");
    site.build();
    assert!(
        outputs_starting(&site, "_img/logo-").iter().all(|f| f.ends_with(".png") || f.ends_with(".avif"))
    );
    let logo = decode(&site, &variant(&site, "logo", 64, "png")).to_rgba8();
    assert_eq!(logo.get_pixel(0, 0)[3], 0, "the corner stays transparent");
    assert_eq!(logo.get_pixel(32, 32)[3], 255, "the disc stays opaque");
    assert!(site.read_output("index.html").contains("title=\"Our logo\""));
}

#[test]
fn images_are_never_upscaled() {
    let site = TestSite::fixture("images");
    site.build();
    // 300 px wide: one width, its own; 1000 px: 480, 660 and 1000 (960 is within 25% of 1000).
    let small: Vec<String> = outputs_starting(&site, "_img/small-");
    assert_eq!(small.len(), 2, "{small:?}");
    assert!(small.iter().all(|f| f.contains("-300.")), "{small:?}");
    let room: Vec<String> = outputs_starting(&site, "_img/room-");
    let mut widths: Vec<&str> =
        room.iter().map(|f| f.rsplit('-').next().unwrap().split('.').next().unwrap()).collect();
    widths.sort_unstable();
    widths.dedup();
    assert_eq!(widths, ["1000", "480", "660"]);
}

#[test]
fn a_warm_cache_encodes_nothing_and_unused_entries_are_pruned() {
    let site = TestSite::fixture("images");
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("images: 12 variants encoded, 0 from the cache"), "{}", first.stderr);
    let built = site.output_files();
    // A rebuild takes them from the last output; without the build cache
    // they come from the image cache.
    let rebuilt = site.run(&["build", "-v"]);
    assert!(
        rebuilt
            .stderr
            .contains("images: 0 variants encoded, 0 from the cache, 12 taken from the last output"),
        "{}",
        rebuilt.stderr
    );
    let second = site.run(&["build", "-v", "--no-cache"]);
    assert!(
        second.stderr.contains("images: 0 variants encoded, 12 from the cache, 0 taken from the last output"),
        "{}",
        second.stderr
    );
    assert_eq!(site.output_files(), built, "the same files");
    // The cache is outside what the site reads and publishes.
    let cache = site.path(dotwork::image::CACHE_DIR);
    let kept = |ext: &str| {
        fs::read_dir(&cache)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(ext))
            .count()
    };
    assert_eq!(kept(".avif"), 6);
    // A photo no page shows any more: its variants leave the cache.
    let page = fs::read_to_string(site.path("content/index.md")).unwrap();
    site.write("content/index.md", &page.replace("![A treatment room with a chair](room.jpg)", ""));
    let third = site.run(&["build", "-v", "--no-cache"]);
    assert!(third.stderr.contains("images: 0 variants encoded, 6 from the cache"), "{}", third.stderr);
    assert!(third.stderr.contains("images: 6 unused files removed from the cache"), "{}", third.stderr);
    assert_eq!(kept(".avif"), 3);
}

#[test]
fn a_heic_photo_is_an_error_that_says_what_to_do() {
    let site = TestSite::fixture("images");
    fs::copy(site.path("photo.heic"), site.path("content/photo.heic")).unwrap();
    let stderr = site.build_fails();
    assert!(stderr.contains("content/photo.heic"), "{stderr}");
    assert!(stderr.contains("HEIC photo"), "{stderr}");
    assert!(stderr.contains("export it as JPEG"), "{stderr}");
    // The same with a JPEG name: the file's own bytes tell.
    fs::remove_file(site.path("content/photo.heic")).unwrap();
    fs::copy(site.path("photo.heic"), site.path("content/phone.jpg")).unwrap();
    let stderr = site.build_fails();
    assert!(stderr.contains("content/phone.jpg") && stderr.contains("export it as JPEG"), "{stderr}");
}

#[test]
fn a_missing_or_broken_image_is_reported_at_its_line() {
    let site = TestSite::fixture("images");
    site.write(
        "content/gone.md",
        "---\ntitle: Gone\n---\nText.\n\n![A photo that is not there](/images/gone.jpg)\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("image `/images/gone.jpg` not found"), "{}", run.stderr);
    assert!(run.stderr.contains("--> content/gone.md:6:"), "{}", run.stderr);
    // A file that is no image at all fails the build, at the line that shows it.
    site.write("content/gone.md", "---\ntitle: Gone\n---\nText.\n\n![A broken photo](/images/broken.jpg)\n");
    site.write("static/images/broken.jpg", "not a photo");
    let stderr = site.build_fails();
    assert!(stderr.contains("cannot read the image static/images/broken.jpg"), "{stderr}");
    assert!(stderr.contains("--> content/gone.md:6:"), "{stderr}");
}

/// The `theme-images` fixture (served under `/clinic/`, its theme declaring
/// widths 200, 640 and 2000) with the `images` fixture's photos copied in:
/// `room.jpg` 1000 x 500 and `small.jpg` 300 x 200.
fn framed_site() -> TestSite {
    let site = TestSite::fixture("theme-images");
    let photos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    fs::copy(photos.join("content/room.jpg"), site.path("static/images/room.jpg")).unwrap();
    fs::copy(photos.join("static/images/small.jpg"), site.path("static/images/small.jpg")).unwrap();
    site
}

/// The widths `stem` is published at, each in AVIF and JPEG.
fn published_widths(site: &TestSite, stem: &str) -> Vec<u32> {
    let files = outputs_starting(site, &format!("_img/{stem}-"));
    let mut widths: Vec<u32> = files
        .iter()
        .map(|f| f.rsplit('-').next().unwrap().split('.').next().unwrap().parse().unwrap())
        .collect();
    widths.sort_unstable();
    assert_eq!(widths.len() % 2, 0, "AVIF and JPEG of each: {files:?}");
    widths.dedup();
    widths
}

#[test]
fn a_theme_declares_its_image_widths_and_sizes() {
    let site = framed_site();
    site.build();
    // Declared 200, 640, 2000: never upscaled, the photo's own width instead of 2000.
    assert_eq!(published_widths(&site, "room"), [200, 640, 1000]);
    assert_eq!(published_widths(&site, "small"), [200, 300]);
    let room = variant(&site, "room", 640, "jpg");
    assert_eq!(decode(&site, &room).width(), 640);
    // The theme's `sizes`, in markdown pictures and in picture() without its own.
    let sizes = "sizes=\"(min-width: 50rem) 30rem, 90vw\"";
    let home = site.read_output("index.html");
    assert_eq!(home.matches(sizes).count(), 2, "{home}");
    let guide = site.read_output("care/guide/index.html");
    assert_eq!(guide.matches(sizes).count(), 4, "markdown and picture(): {guide}");
    assert!(!guide.contains("40rem"), "none of the clinic theme's sizes: {guide}");
    // Other widths are other variants: new names, made again.
    let text = fs::read_to_string(site.path("themes/framed/theme.yaml")).unwrap();
    site.write("themes/framed/theme.yaml", &text.replace("    - 200\n", "    - 320\n"));
    let run = site.run(&["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The recipe is in the cache key: every width of room.jpg again (6), small.jpg at 300 (2).
    assert!(run.stderr.contains("images: 8 variants encoded, 0 from the cache"), "{}", run.stderr);
    assert_eq!(published_widths(&site, "room"), [320, 640, 1000]);
    assert_eq!(published_widths(&site, "small"), [300]);
    assert!(!site.read_output("index.html").contains(&room), "the old variant's name is gone");
}

#[test]
fn a_theme_without_theme_yaml_gets_the_clinic_themes_widths_and_sizes() {
    let site = framed_site();
    fs::remove_file(site.path("themes/framed/theme.yaml")).unwrap();
    site.build();
    assert_eq!(published_widths(&site, "room"), [480, 660, 1000]);
    let home = site.read_output("index.html");
    assert!(home.contains(&format!("sizes=\"{}\"", dotwork::image::DEFAULT_SIZES)), "{home}");
}

#[test]
fn svg_and_remote_images_pass_through_with_addresses_relative_to_the_page() {
    // Served under /clinic/ (a GitHub Pages project site): no address may start at the host's top.
    let site = framed_site();
    site.build();
    let home = site.read_output("index.html");
    assert!(home.contains("<img src=\"images/logo.svg\" alt=\"Framed Test Clinic\""), "logo: {home}");
    assert!(home.contains("src=\"images/logo.svg\" alt=\"The logo of the clinic\""), "markdown: {home}");
    assert!(home.contains("data-url=\"images/logo.svg\""), "image_meta: {home}");
    let guide = site.read_output("care/guide/index.html");
    assert!(guide.contains("<img src=\"../../images/logo.svg\" alt=\"Framed Test Clinic\""), "{guide}");
    assert!(guide.contains("src=\"../../images/logo.svg\" alt=\"The logo of the clinic\""), "{guide}");
    assert!(guide.contains("<img src=\"https://example.org/photo.jpg\" alt=\"A remote photo\""), "{guide}");
    assert!(
        guide.contains(
            "content=\"https://example.github.io/clinic/images/logo.svg\" data-url=\"../../images/logo.svg\""
        ),
        "{guide}"
    );
    // The 404 page is served at any address: its addresses start from the base URL's path.
    let missing = site.read_output("404.html");
    assert!(missing.contains("<img src=\"/clinic/images/logo.svg\" alt=\"Framed Test Clinic\""), "{missing}");
    assert!(missing.contains("href=\"/clinic/\""), "{missing}");
    for (page, html) in [("index.html", &home), ("care/guide/index.html", &guide), ("404.html", &missing)] {
        assert!(!html.contains("\"/images/"), "{page}: an address from the host's top: {html}");
    }
}

/// `build` of the framed site with `theme.yaml` replaced by `text` fails;
/// returns stderr.
fn bad_theme_yaml(text: &str) -> String {
    let site = framed_site();
    site.write("themes/framed/theme.yaml", text);
    site.build_fails()
}

#[test]
fn a_yaml_mistake_in_theme_yaml_names_its_line() {
    let stderr = bad_theme_yaml("images:\n  widths: [480, 960\n  sizes: 100vw\n");
    assert!(stderr.contains("--> themes/framed/theme.yaml:"), "{stderr}");
    assert!(!stderr.contains("theme.yaml:1:"), "points into the file: {stderr}");
}

#[test]
fn an_unknown_key_in_theme_yaml_is_an_error_with_a_suggestion() {
    let stderr = bad_theme_yaml("images:\n  widths: [480, 960]\n  size: 100vw\n");
    assert!(stderr.contains("unknown key `size` in themes/framed/theme.yaml (under `images`)"), "{stderr}");
    assert!(stderr.contains("--> themes/framed/theme.yaml:3:3"), "{stderr}");
    assert!(stderr.contains("did you mean `sizes`?"), "{stderr}");
}

#[test]
fn a_bad_width_in_theme_yaml_is_an_error_at_its_line() {
    let stderr = bad_theme_yaml("images:\n  widths:\n    - 480\n    - 20000\n");
    assert!(stderr.contains("image width 20000 is not between 1 and 8192 pixels"), "{stderr}");
    assert!(stderr.contains("--> themes/framed/theme.yaml:4:7"), "{stderr}");
    let stderr = bad_theme_yaml("images:\n  widths: [480, 960, 1000]\n");
    assert!(stderr.contains("image widths 960 and 1000 are within 25% of each other"), "{stderr}");
    assert!(stderr.contains("--> themes/framed/theme.yaml:2:"), "{stderr}");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether `bytes` hold an EXIF GPS pointer (tag 0x8825) in either byte order.
fn has_gps_ifd(bytes: &[u8]) -> bool {
    contains(bytes, &[0x25, 0x88, 0x04, 0x00]) || contains(bytes, &[0x88, 0x25, 0x00, 0x04])
}
