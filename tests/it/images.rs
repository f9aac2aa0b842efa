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
    // 300 px wide: one width, its own; 1000 px: 480 and 1000 (960 is within 25% of 1000).
    let small: Vec<String> = outputs_starting(&site, "_img/small-");
    assert_eq!(small.len(), 2, "{small:?}");
    assert!(small.iter().all(|f| f.contains("-300.")), "{small:?}");
    let room: Vec<String> = outputs_starting(&site, "_img/room-");
    let mut widths: Vec<&str> =
        room.iter().map(|f| f.rsplit('-').next().unwrap().split('.').next().unwrap()).collect();
    widths.sort_unstable();
    widths.dedup();
    assert_eq!(widths, ["1000", "480"]);
}

#[test]
fn a_warm_cache_encodes_nothing_and_unused_entries_are_pruned() {
    let site = TestSite::fixture("images");
    let first = site.run(&["build", "-v"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("images: 10 variants encoded, 0 from the cache"), "{}", first.stderr);
    let built = site.output_files();
    let second = site.run(&["build", "-v"]);
    assert!(second.stderr.contains("images: 0 variants encoded, 10 from the cache"), "{}", second.stderr);
    assert_eq!(site.output_files(), built, "the same files");
    // The cache is outside what the site reads and publishes.
    let cache = site.path(dotwork::image::CACHE_DIR);
    let kept = |ext: &str| {
        fs::read_dir(&cache)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(ext))
            .count()
    };
    assert_eq!(kept(".avif"), 5);
    // A photo no page shows any more: its variants leave the cache.
    let page = fs::read_to_string(site.path("content/index.md")).unwrap();
    site.write("content/index.md", &page.replace("![A treatment room with a chair](room.jpg)", ""));
    let third = site.run(&["build", "-v"]);
    assert!(third.stderr.contains("images: 0 variants encoded, 6 from the cache"), "{}", third.stderr);
    assert!(third.stderr.contains("images: 4 unused files removed from the cache"), "{}", third.stderr);
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

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether `bytes` hold an EXIF GPS pointer (tag 0x8825) in either byte order.
fn has_gps_ifd(bytes: &[u8]) -> bool {
    contains(bytes, &[0x25, 0x88, 0x04, 0x00]) || contains(bytes, &[0x88, 0x25, 0x00, 0x04])
}
