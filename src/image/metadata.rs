//! Metadata in published image files: stripped from files copied as they
//! are, and found by `check` in any published file (issue 11: a phone photo
//! put in `static/` was published with its GPS position).
//!
//! Stripping never re-encodes: it drops the metadata blocks and keeps the
//! image data byte for byte.
//! - JPEG: APP1 (EXIF, XMP), APP12, APP13 (IPTC) and comments are dropped,
//!   and whatever follows the image's end (phones append depth maps and
//!   preview images there, each with its own EXIF). The orientation is kept,
//!   in a new EXIF block holding nothing else, so the photo still shows
//!   upright. The ICC profile (APP2) stays: it holds no personal data.
//! - PNG: `eXIf`, `tEXt`, `zTXt`, `iTXt` and `tIME` chunks are dropped.
//! - WebP: `EXIF` and `XMP ` chunks are dropped and the header's flags
//!   and size are fixed.
//!
//! The formats are walked by hand (a hundred lines, tested below) rather
//! than with `img-parts`, which keeps a JPEG's trailing data, where the
//! second EXIF block of a phone's photo is.
//!
//! Finding GPS works on any file: every TIFF header in it (the start of an
//! EXIF block, in any container, or a TIFF file) is read as EXIF, and a
//! GPS block with a latitude or longitude in it is reported.

use std::path::Path;

use crate::error::Diagnostic;
use crate::render::{OutputContent, OutputFile};
use crate::source::AssetSource;

/// Whether `bytes` (a JPEG, PNG or WebP file) hold metadata that
/// [`strip`] would remove.
pub(crate) fn has_metadata(bytes: &[u8]) -> bool {
    strip(bytes).is_some()
}

/// `bytes` without their metadata, or `None` when there is none to remove
/// (or the format is not one dotwork strips).
pub(crate) fn strip(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(&[0xff, 0xd8]) {
        strip_jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        strip_png(bytes)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        strip_webp(bytes)
    } else {
        None
    }
}

fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut changed = false;
    let mut orientation = None;
    let mut at = 2;
    loop {
        // Fill bytes before a marker are allowed.
        while bytes.get(at) == Some(&0xff) && bytes.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let (&0xff, Some(&marker)) = (bytes.get(at)?, bytes.get(at + 1)) else { return None };
        let len = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let end = at + 2 + len;
        let segment = bytes.get(at..end)?;
        if marker == 0xda {
            // Start of scan: the image data runs to the end-of-image marker.
            let data_end = find_eoi(bytes, end).unwrap_or(bytes.len());
            changed |= data_end < bytes.len();
            if !changed {
                return None;
            }
            if let Some(o) = orientation.filter(|&o| o != 1) {
                // Right after SOI and the JFIF block, where EXIF belongs.
                let at = if out.get(2..4) == Some(&[0xff, 0xe0]) {
                    4 + usize::from(u16::from_be_bytes([out[4], out[5]]))
                } else {
                    2
                };
                out.splice(at..at, orientation_exif(o));
            }
            out.extend_from_slice(&bytes[at..data_end]);
            return Some(out);
        }
        let mut drop = matches!(marker, 0xe1 | 0xec | 0xed | 0xfe);
        if marker == 0xe1 && segment.get(4..10) == Some(b"Exif\0\0") {
            let found = read_exif(&segment[10..]).and_then(|e| e.orientation);
            // The block this function writes, holding only the orientation, stays.
            if found.is_some_and(|o| segment == orientation_exif(o)) {
                drop = false;
            } else {
                orientation = orientation.or(found);
            }
        }
        if drop {
            changed = true;
        } else {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

/// Where the image data that starts at `from` ends: just after its
/// end-of-image marker.
fn find_eoi(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == 0xff && bytes[i + 1] == 0xd9 {
            return Some(i + 2);
        }
        i += 1;
    }
    None
}

/// An APP1 segment whose EXIF holds only `orientation`.
fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut segment = vec![0xff, 0xe1];
    let len = u16::try_from(2 + 6 + tiff.len()).unwrap_or(u16::MAX);
    segment.extend_from_slice(&len.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes[..8].to_vec();
    let mut changed = false;
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = usize::try_from(u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?)).ok()?;
        let end = at.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(at..end)?;
        if matches!(&chunk[4..8], b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            changed = true;
        } else {
            out.extend_from_slice(chunk);
        }
        at = end;
        if &chunk[4..8] == b"IEND" {
            break;
        }
    }
    changed |= at < bytes.len();
    changed.then_some(out)
}

fn strip_webp(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes[..12].to_vec();
    let mut changed = false;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let len = usize::try_from(u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?)).ok()?;
        let end = (at + 8 + len + (len & 1)).min(bytes.len());
        let chunk = &bytes[at..end];
        match &chunk[..4] {
            b"EXIF" | b"XMP " => changed = true,
            b"VP8X" if chunk.len() > 8 => {
                let start = out.len();
                out.extend_from_slice(chunk);
                // Flags: 0x08 EXIF, 0x04 XMP.
                out[start + 8] &= !0x0c;
            }
            _ => out.extend_from_slice(chunk),
        }
        at = end;
    }
    if !changed {
        return None;
    }
    let size = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Some(out)
}

/// What dotwork reads of an EXIF block.
#[derive(Debug, Default, PartialEq)]
struct Exif {
    orientation: Option<u16>,
    /// Latitude and longitude, in degrees, when the GPS block has them.
    gps: Option<(Option<f64>, Option<f64>)>,
}

/// Reads the EXIF block `tiff` (from its TIFF header on).
fn read_exif(tiff: &[u8]) -> Option<Exif> {
    let big = match tiff.get(..4)? {
        b"MM\0\x2a" => true,
        b"II\x2a\0" => false,
        _ => return None,
    };
    let r = Reader { tiff, big };
    let ifd0 = usize::try_from(r.u32(4)?).ok()?;
    let mut exif = Exif::default();
    let mut gps_at = None;
    for (tag, _kind, _count, value_at) in r.entries(ifd0)? {
        match tag {
            0x0112 => exif.orientation = r.u16(value_at),
            0x8825 => gps_at = r.u32(value_at).and_then(|v| usize::try_from(v).ok()),
            _ => {}
        }
    }
    if let Some(at) = gps_at {
        let mut lat = None;
        let mut lon = None;
        let mut any = false;
        for (tag, _kind, count, value_at) in r.entries(at).unwrap_or_default() {
            if matches!(tag, 2 | 4) && count == 3 {
                any = true;
                let degrees =
                    r.u32(value_at).and_then(|v| usize::try_from(v).ok()).and_then(|o| r.degrees(o));
                if tag == 2 { lat = degrees } else { lon = degrees }
            }
        }
        if any {
            exif.gps = Some((lat, lon));
        }
    }
    Some(exif)
}

/// Reads numbers from a TIFF structure.
struct Reader<'a> {
    tiff: &'a [u8],
    big: bool,
}

impl Reader<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    /// The entries of the IFD at `at`: tag, type, count, and where the
    /// value (or its offset) is.
    fn entries(&self, at: usize) -> Option<Vec<(u16, u16, u32, usize)>> {
        let n = usize::from(self.u16(at)?);
        (0..n.min(1000))
            .map(|i| {
                let e = at + 2 + 12 * i;
                Some((self.u16(e)?, self.u16(e + 2)?, self.u32(e + 4)?, e + 8))
            })
            .collect()
    }

    /// Three RATIONALs at `at` (degrees, minutes, seconds) as degrees.
    fn degrees(&self, at: usize) -> Option<f64> {
        let part = |i: usize| {
            let n = f64::from(self.u32(at + 8 * i)?);
            let d = f64::from(self.u32(at + 8 * i + 4)?);
            (d != 0.0).then_some(n / d)
        };
        Some(part(0)? + part(1).unwrap_or(0.0) / 60.0 + part(2).unwrap_or(0.0) / 3600.0)
    }
}

/// The GPS position in any EXIF block of `bytes`, if one holds a latitude
/// or longitude: `Some((lat, lon))`, each unsigned, `None` when unreadable.
pub(crate) fn find_gps(bytes: &[u8]) -> Option<(Option<f64>, Option<f64>)> {
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let rest = &bytes[at..];
        let next = rest.windows(4).position(|w| w == b"MM\0\x2a" || w == b"II\x2a\0")?;
        if let Some(gps) = read_exif(&rest[next..]).and_then(|e| e.gps) {
            return Some(gps);
        }
        at += next + 1;
    }
    None
}

/// Extensions of files that may carry EXIF.
pub(crate) fn may_hold_exif(path: &Path) -> bool {
    const EXIF: [&str; 13] =
        ["jpg", "jpeg", "jpe", "jfif", "png", "webp", "tif", "tiff", "avif", "heic", "heif", "jxl", "dng"];
    crate::url::has_extension(path, &EXIF)
}

/// Every published image file in `outputs` that holds a GPS position, as
/// an error naming the file (`origin_of` gives where the owner sees a
/// copied file, by output path).
pub(crate) fn gps_findings(
    outputs: &[OutputFile],
    origin_of: &(dyn Fn(&Path) -> Option<String> + Sync),
) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    outputs
        .par_iter()
        .filter(|o| may_hold_exif(&o.path))
        .filter_map(|o| {
            let bytes = match &o.content {
                OutputContent::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
                OutputContent::Text(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
                OutputContent::Asset(AssetSource::Builtin(b)) => std::borrow::Cow::Borrowed(*b),
                // A variant is encoded here from decoded pixels, with no
                // metadata at all; reading 300 of them took 85 ms of a warm
                // build of 30 photos (bench/images/run).
                OutputContent::Cached(_) => return None,
                OutputContent::Asset(AssetSource::File(real)) => {
                    let mut f = crate::source::open_verified(real).ok()?;
                    let mut b = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut b).ok()?;
                    std::borrow::Cow::Owned(b)
                }
            };
            let (lat, lon) = find_gps(&bytes)?;
            let shown = crate::url::slash_path(&o.path);
            let file = origin_of(&o.path).unwrap_or_else(|| shown.clone());
            let place = match (lat, lon) {
                (Some(lat), Some(lon)) => format!(" (about {lat:.1}, {lon:.1})"),
                _ => String::new(),
            };
            Some(
                Diagnostic::error(file, format!("the published file {shown} holds a GPS position{place}"))
                    .with_help("remove it before publishing (exiftool -gps:all= FILE), or save the image again as JPEG, PNG or WebP, which dotwork strips"),
            )
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An EXIF block (TIFF, big-endian) with `orientation` and, if given, a
    /// GPS latitude and longitude (whole degrees).
    pub(crate) fn exif_block(orientation: u16, gps: Option<(u32, u32)>) -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        let entries: u16 = if gps.is_some() { 2 } else { 1 };
        t.extend_from_slice(&entries.to_be_bytes());
        t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        t.extend_from_slice(&orientation.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        let gps_ifd = 8 + 2 + 12 * usize::from(entries) + 4;
        if gps.is_some() {
            t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
            t.extend_from_slice(&u32::try_from(gps_ifd).unwrap().to_be_bytes());
        }
        t.extend_from_slice(&0u32.to_be_bytes());
        if let Some((lat, lon)) = gps {
            let values = gps_ifd + 2 + 12 * 2 + 4;
            t.extend_from_slice(&2u16.to_be_bytes());
            for (tag, at) in [(2u16, values), (4u16, values + 24)] {
                t.extend_from_slice(&tag.to_be_bytes());
                t.extend_from_slice(&[0, 5, 0, 0, 0, 3]);
                t.extend_from_slice(&u32::try_from(at).unwrap().to_be_bytes());
            }
            t.extend_from_slice(&0u32.to_be_bytes());
            for deg in [lat, lon] {
                for (n, d) in [(deg, 1u32), (0, 1), (0, 1)] {
                    t.extend_from_slice(&n.to_be_bytes());
                    t.extend_from_slice(&d.to_be_bytes());
                }
            }
        }
        t
    }

    /// A JPEG-shaped file: SOI, JFIF, EXIF (`exif`), a comment, scan data, EOI, trailing bytes.
    fn jpeg_with(exif: &[u8]) -> Vec<u8> {
        let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0, 4, b'J', b'F'];
        j.extend_from_slice(&[0xff, 0xe1]);
        j.extend_from_slice(&u16::try_from(exif.len() + 8).unwrap().to_be_bytes());
        j.extend_from_slice(b"Exif\0\0");
        j.extend_from_slice(exif);
        j.extend_from_slice(&[0xff, 0xfe, 0, 5, b'h', b'i', b'!']);
        j.extend_from_slice(&[0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0, 4, 0xff, 0xd9]);
        j.extend_from_slice(&[0xff, 0xd8, 0xff, 0xe1, 0, 2]);
        j.extend_from_slice(&exif_block(1, Some((1, 2))));
        j
    }

    #[test]
    fn jpeg_loses_gps_comments_and_trailing_images_but_keeps_orientation_and_data() {
        let j = jpeg_with(&exif_block(6, Some((51, 0))));
        assert_eq!(find_gps(&j), Some((Some(51.0), Some(0.0))));
        let stripped = strip(&j).unwrap();
        assert_eq!(find_gps(&stripped), None);
        assert!(!stripped.windows(3).any(|w| w == b"hi!"), "comment kept");
        let exif = stripped.windows(6).position(|w| w == b"Exif\0\0").unwrap();
        assert_eq!(read_exif(&stripped[exif + 6..]).unwrap().orientation, Some(6));
        assert!(stripped.ends_with(&[0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0, 4, 0xff, 0xd9]));
        assert_eq!(strip(&stripped), None, "nothing left to strip");
    }

    #[test]
    fn png_and_webp_lose_exif_and_text() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", &exif_block(1, Some((40, 3)))));
        png.extend(chunk(b"tEXt", b"Author\0me"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        assert!(find_gps(&png).is_some());
        let stripped = strip(&png).unwrap();
        assert!(find_gps(&stripped).is_none());
        assert_eq!(stripped.len(), png.len() - 12 - exif_block(1, Some((40, 3))).len() - 12 - 9);

        let exif = exif_block(1, Some((40, 3)));
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(b"VP8X");
        body.extend_from_slice(&10u32.to_le_bytes());
        body.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        body.extend_from_slice(b"VP8L");
        body.extend_from_slice(&2u32.to_le_bytes());
        body.extend_from_slice(&[7, 7]);
        body.extend_from_slice(b"EXIF");
        body.extend_from_slice(&u32::try_from(exif.len()).unwrap().to_le_bytes());
        body.extend_from_slice(&exif);
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        webp.extend(body);
        let stripped = strip(&webp).unwrap();
        assert!(find_gps(&webp).is_some() && find_gps(&stripped).is_none());
        assert_eq!(stripped[20], 0, "EXIF flag cleared");
        assert_eq!(u32::from_le_bytes(stripped[4..8].try_into().unwrap()) as usize, stripped.len() - 8);
    }

    #[test]
    fn an_empty_gps_block_is_no_position() {
        let mut t = exif_block(1, None);
        assert_eq!(read_exif(&t).unwrap(), Exif { orientation: Some(1), gps: None });
        t.truncate(4);
        assert_eq!(read_exif(&t), None);
    }
}
