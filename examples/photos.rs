//! Makes the test images of issue 11 with the `image` crate, so no photo is
//! downloaded and none shows a real person:
//!
//! - `cargo run --example photos -- fixtures tests/fixtures/images` writes the
//!   small fixture images the integration tests use (an EXIF orientation 6
//!   photo, photos with GPS and a camera serial, a PNG with transparency, a
//!   small photo, a TIFF with GPS, a fake HEIC);
//! - `cargo run --release --example photos -- bench DIR [COUNT]` writes COUNT
//!   (default 30) varied 12-megapixel JPEGs (4032 x 3024, as a phone takes
//!   them) with EXIF orientations 1, 3, 6 and 8, a GPS position and a camera
//!   serial, for `bench/images/run`.
//!
//! The pictures are made of gradients, shapes and grain (so they compress
//! like photos, 2-5 MB each), from a fixed seed: every run writes the same bytes.

use std::fs;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["fixtures", dir] => fixtures(Path::new(dir)),
        ["bench", dir] => bench(Path::new(dir), 30),
        ["bench", dir, count] => bench(Path::new(dir), count.parse().expect("COUNT is a number")),
        _ => {
            eprintln!("usage: photos fixtures DIR | photos bench DIR [COUNT]");
            std::process::exit(2);
        }
    }
}

/// The fixture images of `tests/it/images.rs`.
fn fixtures(dir: &Path) {
    let content = dir.join("content");
    let images = dir.join("static/images");
    fs::create_dir_all(&content).unwrap();
    fs::create_dir_all(&images).unwrap();
    // Stored 120 x 80, left half red and right half blue; orientation 6
    // (turn a quarter clockwise) shows it 80 x 120, red on top.
    let sideways =
        RgbImage::from_fn(120, 80, |x, _| if x < 60 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    write_jpeg(
        &content.join("upright.jpg"),
        &sideways,
        &Exif { orientation: 6, gps: None, serial: false },
        90,
    );
    // A photo 1000 x 500 with GPS and a serial, shown in markdown: variants 480 and 1000.
    let photo = picture(1000, 500, 7, 12.0);
    let located = Exif { orientation: 1, gps: Some((51.5, -0.12)), serial: true };
    write_jpeg(&content.join("room.jpg"), &photo, &located, 80);
    // The same kind of photo in static/, copied as it is: it must lose GPS and serial.
    write_jpeg(&images.join("door.jpg"), &picture(200, 150, 9, 8.0), &located, 80);
    // 300 x 200: published at 300 only, never upscaled.
    write_jpeg(&images.join("small.jpg"), &picture(300, 200, 11, 8.0), &Exif::plain(), 80);
    // Transparency: a disc on a transparent square.
    let disc = RgbaImage::from_fn(64, 64, |x, y| {
        let (dx, dy) = (f64::from(x) - 31.5, f64::from(y) - 31.5);
        if dx * dx + dy * dy < 400.0 { Rgba([30, 120, 60, 255]) } else { Rgba([0, 0, 0, 0]) }
    });
    disc.save(images.join("logo.png")).unwrap();
    // A TIFF with GPS: dotwork copies it as it is and `check` must name it.
    let tiff = tiff_with_gps(&picture(8, 8, 3, 0.0));
    fs::write(dir.join("gps.tif"), tiff).unwrap();
    // What an iPhone saves: an ISO media file of brand `heic` (no picture is needed to be refused).
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0; 64]);
    fs::write(dir.join("photo.heic"), heic).unwrap();
}

/// `count` 12-megapixel phone photos in `dir`.
fn bench(dir: &Path, count: u32) {
    fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        // Some were taken upright (stored sideways with orientation 6 or 8), some upside down.
        let orientation = [1, 6, 1, 8, 1, 3][i as usize % 6];
        let image = picture(4032, 3024, u64::from(i) * 7919 + 1, 10.0 + f64::from(i % 5) * 4.0);
        let exif = Exif {
            orientation,
            gps: Some((51.0 + f64::from(i) / 100.0, -0.5 + f64::from(i) / 50.0)),
            serial: true,
        };
        let path: PathBuf = dir.join(format!("photo-{:02}.jpg", i + 1));
        write_jpeg(&path, &image, &exif, 90);
        println!("{}", path.display());
    }
}

/// A picture `w` x `h` made from `seed`: a sky-to-ground gradient, a few
/// shapes and grain of `grain` levels.
fn picture(w: u32, h: u32, seed: u64, grain: f64) -> RgbImage {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let top = [rng.below(255), rng.below(255), rng.below(255)];
    let bottom = [rng.below(255), rng.below(255), rng.below(255)];
    let shapes: Vec<(f64, f64, f64, [f64; 3])> = (0..6)
        .map(|_| {
            let (cx, cy) = (rng.unit() * f64::from(w), rng.unit() * f64::from(h));
            let r = (0.05 + rng.unit() * 0.25) * f64::from(w.min(h));
            (cx, cy, r, [rng.below(255), rng.below(255), rng.below(255)])
        })
        .collect();
    RgbImage::from_fn(w, h, |x, y| {
        let t = f64::from(y) / f64::from(h.max(1));
        let mut c = [0.0; 3];
        for k in 0..3 {
            c[k] = top[k] * (1.0 - t) + bottom[k] * t;
        }
        for (cx, cy, r, colour) in &shapes {
            let d = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
            if d < *r {
                let shade = 1.0 - 0.4 * d / r;
                for k in 0..3 {
                    c[k] = colour[k] * shade;
                }
            }
        }
        let noise = (rng.unit() - 0.5) * 2.0 * grain;
        Rgb(c.map(|v| (v + noise).clamp(0.0, 255.0) as u8))
    })
}

/// A small deterministic random number generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u32) -> f64 {
        (self.unit() * f64::from(n)).floor()
    }
}

/// What goes in a photo's EXIF.
struct Exif {
    orientation: u16,
    /// Latitude and longitude, signed degrees.
    gps: Option<(f64, f64)>,
    /// A camera make, model and body serial number.
    serial: bool,
}

impl Exif {
    fn plain() -> Exif {
        Exif { orientation: 1, gps: None, serial: false }
    }
}

/// Writes `image` as a JPEG of `quality` with `exif`.
fn write_jpeg(path: &Path, image: &RgbImage, exif: &Exif, quality: u8) {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, quality)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    let tiff = exif_tiff(exif);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    fs::write(path, out).unwrap();
}

/// A little-endian TIFF structure builder: IFD entries with their values.
struct Ifd {
    entries: Vec<(u16, u16, u32, Vec<u8>)>,
}

impl Ifd {
    fn new() -> Ifd {
        Ifd { entries: Vec::new() }
    }

    fn short(&mut self, tag: u16, v: u16) {
        self.entries.push((tag, 3, 1, v.to_le_bytes().to_vec()));
    }

    fn long(&mut self, tag: u16, v: u32) {
        self.entries.push((tag, 4, 1, v.to_le_bytes().to_vec()));
    }

    fn ascii(&mut self, tag: u16, s: &str) {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.entries.push((tag, 2, u32::try_from(b.len()).unwrap(), b));
    }

    fn degrees(&mut self, tag: u16, v: f64) {
        let v = v.abs();
        let d = v.floor();
        let m = ((v - d) * 60.0).floor();
        let s = ((v - d) * 60.0 - m) * 60.0 * 100.0;
        let mut b = Vec::new();
        for (n, den) in [(d as u32, 1u32), (m as u32, 1), (s.round() as u32, 100)] {
            b.extend_from_slice(&n.to_le_bytes());
            b.extend_from_slice(&den.to_le_bytes());
        }
        self.entries.push((tag, 5, 3, b));
    }

    /// The IFD written at `at` (its values after it), entries sorted by
    /// tag; returns the bytes and, by tag, where each value field is.
    fn write(&self, at: usize, next: u32) -> (Vec<u8>, std::collections::HashMap<u16, usize>) {
        let mut out = u16::try_from(self.entries.len()).unwrap().to_le_bytes().to_vec();
        let mut extra = Vec::new();
        let extra_at = at + 2 + 12 * self.entries.len() + 4;
        let mut fields = std::collections::HashMap::new();
        let mut sorted: Vec<&(u16, u16, u32, Vec<u8>)> = self.entries.iter().collect();
        sorted.sort_by_key(|e| e.0);
        for (tag, kind, count, value) in sorted {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            fields.insert(*tag, at + out.len());
            if value.len() <= 4 {
                let mut v = value.clone();
                v.resize(4, 0);
                out.extend_from_slice(&v);
            } else {
                out.extend_from_slice(&u32::try_from(extra_at + extra.len()).unwrap().to_le_bytes());
                extra.extend_from_slice(value);
                if extra.len() % 2 == 1 {
                    extra.push(0);
                }
            }
        }
        out.extend_from_slice(&next.to_le_bytes());
        out.extend(extra);
        (out, fields)
    }
}

/// The EXIF block (from the TIFF header on) of `exif`.
fn exif_tiff(exif: &Exif) -> Vec<u8> {
    let mut ifd0 = Ifd::new();
    ifd0.short(0x0112, exif.orientation);
    if exif.serial {
        ifd0.ascii(0x010f, "Dotwork Phones");
        ifd0.ascii(0x0110, "Test Camera 12");
        ifd0.ascii(0xc62f, "SN-0042-1337");
    }
    let mut gps = Ifd::new();
    if let Some((lat, lon)) = exif.gps {
        ifd0.long(0x8825, 0); // set below
        gps.ascii(1, if lat >= 0.0 { "N" } else { "S" });
        gps.degrees(2, lat);
        gps.ascii(3, if lon >= 0.0 { "E" } else { "W" });
        gps.degrees(4, lon);
    }
    let mut tiff = b"II\x2a\0\x08\0\0\0".to_vec();
    let (mut first, fields) = ifd0.write(8, 0);
    if exif.gps.is_some() {
        let gps_at = 8 + first.len();
        let field = fields[&0x8825] - 8;
        first[field..field + 4].copy_from_slice(&u32::try_from(gps_at).unwrap().to_le_bytes());
        tiff.extend(first);
        tiff.extend(gps.write(gps_at, 0).0);
    } else {
        tiff.extend(first);
    }
    tiff
}

/// A tiny uncompressed RGB TIFF whose IFD also points at a GPS block.
fn tiff_with_gps(image: &RgbImage) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let pixels = image.as_raw();
    let mut ifd = Ifd::new();
    ifd.long(0x0100, w);
    ifd.long(0x0101, h);
    ifd.entries.push((0x0102, 3, 3, [8u16, 8, 8].iter().flat_map(|v| v.to_le_bytes()).collect()));
    ifd.short(0x0103, 1);
    ifd.short(0x0106, 2);
    ifd.long(0x0111, 0); // strip offset, set below
    ifd.short(0x0115, 3);
    ifd.long(0x0116, h);
    ifd.long(0x0117, u32::try_from(pixels.len()).unwrap());
    ifd.long(0x8825, 0); // GPS block, set below
    let mut gps = Ifd::new();
    gps.ascii(1, "N");
    gps.degrees(2, 48.85);
    gps.ascii(3, "E");
    gps.degrees(4, 2.35);
    let mut tiff = b"II\x2a\0\x08\0\0\0".to_vec();
    let (mut first, fields) = ifd.write(8, 0);
    let gps_at = 8 + first.len();
    let (gps_bytes, _) = gps.write(gps_at, 0);
    let pixels_at = gps_at + gps_bytes.len();
    for (tag, value) in [(0x0111u16, pixels_at), (0x8825, gps_at)] {
        let field = fields[&tag] - 8;
        first[field..field + 4].copy_from_slice(&u32::try_from(value).unwrap().to_le_bytes());
    }
    tiff.extend(first);
    tiff.extend(gps_bytes);
    tiff.extend_from_slice(pixels);
    tiff
}
