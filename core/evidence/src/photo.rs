//! Photo ingest: hash, EXIF, and the derived files (upload copy and thumbnail), fast and in
//! bounded memory. Decoding uses libjpeg-turbo with DCT scaling (shrink-on-load: only the
//! resolution the upload copy needs is decoded), resizing uses fast_image_resize, encoding
//! libjpeg-turbo.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use serde::Serialize;
use turbojpeg::{Compressor, Decompressor, Image, PixelFormat, ScalingFactor, Subsamp};

use crate::meta::{self, PhotoMeta};
use crate::sniff::{sniff, ContentKind};
use crate::watermark::{self, Watermark};
use crate::{read_limited, sha256_hex, write_atomically, EvidenceError};

/// Largest original accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest declared image accepted (pixels): 200-megapixel phone sensors pass, decompression
/// bombs (64250×64250 declared in a few bytes) do not.
pub const MAX_PIXELS: u64 = 250_000_000;
/// Progressive scans decoded at most (defends against scan-flooding files).
const MAX_SCANS: u32 = 500;

#[derive(Clone)]
pub struct DeriveOptions {
    pub upload_long_side: u32,
    pub upload_quality: i32,
    pub thumb_long_side: u32,
    pub thumb_quality: i32,
    pub watermark: Option<Arc<Watermark>>,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        DeriveOptions {
            upload_long_side: 2048,
            upload_quality: 80,
            thumb_long_side: 320,
            thumb_quality: 75,
            watermark: None,
        }
    }
}

/// What `anjian photo inspect` prints.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoReport {
    pub sha256: String,
    pub size: u64,
    pub content_type: &'static str,
    /// Stored pixel dimensions (before orientation).
    pub width: u32,
    pub height: u32,
    /// EXIF orientation 1–8 (1 when absent).
    pub orientation: u16,
    /// DateTimeOriginal: RFC 3339 with offset when the photo has one, else local time.
    pub taken_at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub altitude_m: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub gps_time: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// Problem codes (`no_gps`, `gps_null_island`, `no_exif`, ...).
    pub flags: Vec<String>,
    /// The same, as Chinese sentences for people.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub meta: PhotoMeta,
}

/// The Chinese sentence for a flag code.
pub fn flag_message(code: &str) -> &'static str {
    match code {
        "no_exif" => "照片无 EXIF 信息",
        "exif_unreadable" => "照片 EXIF 信息损坏，无法读取",
        "exif_partial" => "照片 EXIF 信息部分损坏",
        "no_gps" => "无定位：照片没有 GPS 坐标",
        "gps_invalid" => "位置异常：照片 GPS 坐标无效",
        "gps_null_island" => "位置异常：照片坐标为 0,0",
        "no_capture_time" => "照片没有拍摄时间",
        "time_invalid" => "照片拍摄时间无效",
        "orientation_invalid" => "照片方向标记无效，按原方向处理",
        "truncated" => "照片数据不完整或有损坏，已尽量解码",
        _ => "其他问题",
    }
}

/// The dimensions a JPEG's frame header (SOFn) declares, read without a decoder: bombs are
/// refused from these numbers before any pixel memory is allocated.
pub fn declared_size(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0x01 || (0xD0..=0xD8).contains(&marker) {
            i += 2;
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return None;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_sof && i + 9 <= bytes.len() {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u64;
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u64;
            return Some((w, h));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// Whether a JPEG's segments and scans run to an end-of-image marker, read without a
/// decoder (linear in the file, no allocation): a file cut short (a photo half-copied, an
/// upload stopped mid-way) is not. Bytes after the end marker do not matter.
pub fn is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    loop {
        // The next marker: 0xFF, any fill bytes, then a code.
        while i < bytes.len() && bytes[i] != 0xFF {
            i += 1;
        }
        while i < bytes.len() && bytes[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        else {
            return false;
        };
        if len < 2 || i + len > bytes.len() {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data up to the next marker that is not a stuffed byte or a
            // restart.
            loop {
                match bytes.get(i..i + 2) {
                    None => return false,
                    Some([0xFF, 0x00]) | Some([0xFF, 0xD0..=0xD7]) => i += 2,
                    Some([0xFF, _]) => break,
                    Some(_) => i += 1,
                }
            }
        }
    }
}

fn header(bytes: &[u8]) -> Result<(u32, u32), EvidenceError> {
    if let Some((w, h)) = declared_size(bytes) {
        check_size(w, h)?;
    }
    let (w, h) = match turbojpeg::read_header(bytes) {
        Ok(h) => (h.width as u64, h.height as u64),
        // libjpeg warnings (stray bytes between segments) stop TurboJPEG's header reader
        // but not the decoder: use the frame header's own numbers.
        Err(e) if is_warning(&e.to_string()) => {
            declared_size(bytes).ok_or_else(|| EvidenceError::Corrupt(e.to_string()))?
        }
        Err(e) => return Err(EvidenceError::Corrupt(e.to_string())),
    };
    check_size(w, h)?;
    Ok((w as u32, h as u32))
}

/// libjpeg's recoverable conditions: the decoder produced an image, with damage.
fn is_warning(msg: &str) -> bool {
    msg.contains("Premature end")
        || msg.contains("Corrupt JPEG data")
        || msg.contains("premature end")
}

fn check_size(w: u64, h: u64) -> Result<(), EvidenceError> {
    if w == 0 || h == 0 {
        return Err(EvidenceError::BadDimensions {
            width: w,
            height: h,
        });
    }
    if w * h > MAX_PIXELS {
        return Err(EvidenceError::TooManyPixels {
            width: w,
            height: h,
            limit: MAX_PIXELS,
        });
    }
    Ok(())
}

/// Refuses anything that is not a JPEG, with a message that says what to do.
pub fn require_jpeg(bytes: &[u8]) -> Result<(), EvidenceError> {
    match sniff(bytes) {
        ContentKind::Jpeg => Ok(()),
        ContentKind::Heif => Err(EvidenceError::Heic),
        ContentKind::Unknown if bytes.is_empty() => Err(EvidenceError::Empty),
        ContentKind::Unknown => Err(EvidenceError::Unrecognised),
        other => Err(EvidenceError::NotJpeg(other.label())),
    }
}

/// Hash, EXIF and header checks, without decoding pixels.
pub fn inspect_bytes(bytes: &[u8]) -> Result<PhotoReport, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    require_jpeg(bytes)?;
    let (width, height) = header(bytes)?;
    let meta = meta::read_with_xmp(bytes);
    let mut flags = meta.flags.clone();
    match &meta.gps {
        None if !flags.iter().any(|f| f == "gps_invalid") => flags.push("no_gps".into()),
        Some(g) if g.lat.abs() < 1e-9 && g.lon.abs() < 1e-9 => flags.push("gps_null_island".into()),
        _ => {}
    }
    if meta.taken_local.is_none() && !flags.iter().any(|f| f == "time_invalid") {
        flags.push("no_capture_time".into());
    }
    if !is_complete(bytes) {
        flags.push("truncated".into());
    }
    let taken_at = match (meta.taken_at(), meta.taken_local) {
        (Some(t), _) => Some(t.to_rfc3339()),
        (None, Some(local)) => Some(local.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
        _ => None,
    };
    Ok(PhotoReport {
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        content_type: "image/jpeg",
        width,
        height,
        orientation: meta.orientation.unwrap_or(1),
        taken_at,
        lat: meta.gps.as_ref().map(|g| g.lat),
        lon: meta.gps.as_ref().map(|g| g.lon),
        altitude_m: meta.gps.as_ref().and_then(|g| g.altitude_m),
        accuracy_m: meta.gps.as_ref().and_then(|g| g.accuracy_m),
        gps_time: meta
            .gps
            .as_ref()
            .and_then(|g| g.time)
            .map(|t| t.to_rfc3339()),
        make: meta.make.clone(),
        model: meta.model.clone(),
        notes: flags.iter().map(|f| flag_message(f).to_string()).collect(),
        flags,
        meta,
    })
}

pub fn inspect_file(path: &Path) -> Result<PhotoReport, EvidenceError> {
    inspect_bytes(&read_limited(path, MAX_FILE_BYTES)?)
}

/// An RGB image in memory.
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The smallest DCT scaling factor that still gives at least `target` pixels on the long side
/// (never upscaling).
fn scaling_for(long_side: u32, target: u32) -> ScalingFactor {
    if long_side <= target {
        return ScalingFactor::ONE;
    }
    let mut best = ScalingFactor::ONE;
    for f in Decompressor::supported_scaling_factors() {
        if f.num() <= f.denom()
            && f.scale(long_side as usize) >= target as usize
            && f.scale(long_side as usize) < best.scale(long_side as usize)
        {
            best = f;
        }
    }
    best
}

/// Decodes at the smallest DCT scale that keeps `target_long_side` (shrink-on-load).
pub fn decode_scaled(bytes: &[u8], target_long_side: u32) -> Result<(Rgb, bool), EvidenceError> {
    let (w, h) = header(bytes)?;
    let corrupt = |e: turbojpeg::Error| EvidenceError::Corrupt(e.to_string());
    let mut d = Decompressor::new().map_err(corrupt)?;
    d.set_scan_limit(MAX_SCANS).map_err(corrupt)?;
    let factor = scaling_for(w.max(h), target_long_side);
    d.set_scaling_factor(factor).map_err(corrupt)?;
    let (width, height) = (factor.scale(w as usize), factor.scale(h as usize));
    let mut pixels = vec![0u8; width * height * 3];
    let image = Image {
        pixels: pixels.as_mut_slice(),
        width,
        pitch: width * 3,
        height,
        format: PixelFormat::RGB,
    };
    let mut truncated = false;
    if let Err(e) = d.decompress(bytes, image) {
        // libjpeg-turbo reports a premature end of data after decoding what was there; a
        // photo cut short is kept (flagged), anything else is refused.
        let msg = e.to_string();
        if is_warning(&msg) {
            truncated = true;
        } else {
            return Err(EvidenceError::Corrupt(msg));
        }
    }
    Ok((
        Rgb {
            width,
            height,
            pixels,
        },
        truncated,
    ))
}

fn fit(w: usize, h: usize, long_side: u32) -> (usize, usize) {
    let long = w.max(h);
    if long <= long_side as usize {
        return (w, h);
    }
    let s = long_side as f64 / long as f64;
    (
        ((w as f64 * s).round() as usize).max(1),
        ((h as f64 * s).round() as usize).max(1),
    )
}

/// Resizes so the long side is at most `long_side`; `spare` is reused for the output when it
/// is large enough (fresh memory costs page faults on every first touch).
pub fn resize_into(img: &Rgb, long_side: u32, spare: Vec<u8>) -> Result<Rgb, EvidenceError> {
    let (dw, dh) = fit(img.width, img.height, long_side);
    let mut out = spare;
    out.resize(dw * dh * 3, 0);
    if (dw, dh) == (img.width, img.height) {
        out.copy_from_slice(&img.pixels);
        return Ok(Rgb {
            width: dw,
            height: dh,
            pixels: out,
        });
    }
    let err = |e: &dyn std::fmt::Display| EvidenceError::Corrupt(e.to_string());
    let src = fast_image_resize::images::ImageRef::new(
        img.width as u32,
        img.height as u32,
        &img.pixels,
        PixelType::U8x3,
    )
    .map_err(|e| err(&e))?;
    let mut dst =
        FirImage::from_slice_u8(dw as u32, dh as u32, out.as_mut_slice(), PixelType::U8x3)
            .map_err(|e| err(&e))?;
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom)),
        )
        .map_err(|e| err(&e))?;
    Ok(Rgb {
        width: dw,
        height: dh,
        pixels: out,
    })
}

/// Applies EXIF orientation 1–8 so the image displays upright, writing into `spare`
/// (reused when large enough). Works in tiles so rotations stay cache-friendly.
pub fn orient_into(img: Rgb, orientation: u16, spare: Vec<u8>) -> (Rgb, Vec<u8>) {
    if !(2..=8).contains(&orientation) {
        return (img, spare);
    }
    let (w, h) = (img.width, img.height);
    let swap = orientation >= 5;
    let (ow, oh) = if swap { (h, w) } else { (w, h) };
    let mut out = spare;
    out.resize(img.pixels.len(), 0);
    const TILE: usize = 32;
    let src = &img.pixels;
    for ty in (0..oh).step_by(TILE) {
        for tx in (0..ow).step_by(TILE) {
            for oy in ty..(ty + TILE).min(oh) {
                let row = oy * ow;
                for ox in tx..(tx + TILE).min(ow) {
                    let (sx, sy) = match orientation {
                        2 => (w - 1 - ox, oy),
                        3 => (w - 1 - ox, h - 1 - oy),
                        4 => (ox, h - 1 - oy),
                        5 => (oy, ox),
                        6 => (oy, h - 1 - ox),
                        7 => (w - 1 - oy, h - 1 - ox),
                        _ => (w - 1 - oy, ox),
                    };
                    let s = (sy * w + sx) * 3;
                    let d = (row + ox) * 3;
                    out[d] = src[s];
                    out[d + 1] = src[s + 1];
                    out[d + 2] = src[s + 2];
                }
            }
        }
    }
    (
        Rgb {
            width: ow,
            height: oh,
            pixels: out,
        },
        img.pixels,
    )
}

/// [`orient_into`] with fresh memory.
pub fn orient(img: Rgb, orientation: u16) -> Rgb {
    orient_into(img, orientation, Vec::new()).0
}

pub fn encode(img: &Rgb, quality: i32) -> Result<Vec<u8>, EvidenceError> {
    let err = |e: turbojpeg::Error| EvidenceError::Corrupt(e.to_string());
    let mut c = Compressor::new().map_err(err)?;
    c.set_quality(quality).map_err(err)?;
    c.set_subsamp(Subsamp::Sub2x2).map_err(err)?;
    c.compress_to_vec(Image {
        pixels: img.pixels.as_slice(),
        width: img.width,
        pitch: img.width * 3,
        height: img.height,
        format: PixelFormat::RGB,
    })
    .map_err(err)
}

/// The derived files of one photo.
pub struct Derived {
    pub upload: Vec<u8>,
    pub upload_size: (usize, usize),
    pub thumb: Vec<u8>,
    pub thumb_size: (usize, usize),
    /// The pixel data ended early; what was there was decoded.
    pub truncated: bool,
}

/// Decodes once (scaled), orients, and makes the watermarked upload copy and the clean
/// thumbnail.
pub fn derive(
    bytes: &[u8],
    orientation: u16,
    opts: &DeriveOptions,
) -> Result<Derived, EvidenceError> {
    let (decoded, truncated) = decode_scaled(bytes, opts.upload_long_side)?;
    let resized = resize_into(&decoded, opts.upload_long_side, Vec::new())?;
    // The decode buffer is the largest and already in memory: reuse it for the rotation.
    let (mut upload, _) = orient_into(resized, orientation, decoded.pixels);
    let thumb = resize_into(&upload, opts.thumb_long_side, Vec::new())?;
    if let Some(wm) = &opts.watermark {
        watermark::draw(&mut upload.pixels, upload.width, upload.height, wm);
    }
    Ok(Derived {
        upload: encode(&upload, opts.upload_quality)?,
        upload_size: (upload.width, upload.height),
        thumb: encode(&thumb, opts.thumb_quality)?,
        thumb_size: (thumb.width, thumb.height),
        truncated,
    })
}

/// Paths of the files an ingest wrote.
#[derive(Debug, Clone, Serialize)]
pub struct IngestedFiles {
    pub upload: PathBuf,
    pub thumbnail: PathBuf,
}

/// Inspects a photo file and writes `<sha256>.upload.jpg` and `<sha256>.thumb.jpg` into
/// `out_dir`.
pub fn ingest_file(
    path: &Path,
    out_dir: &Path,
    opts: &DeriveOptions,
) -> Result<(PhotoReport, IngestedFiles), EvidenceError> {
    let bytes = read_limited(path, MAX_FILE_BYTES)?;
    let report = inspect_bytes(&bytes)?;
    ingest_bytes(&bytes, report, out_dir, opts)
}

/// Writes the derived files of an inspected photo. Nothing is written unless both derived
/// files could be made; each is written atomically.
pub fn ingest_bytes(
    bytes: &[u8],
    mut report: PhotoReport,
    out_dir: &Path,
    opts: &DeriveOptions,
) -> Result<(PhotoReport, IngestedFiles), EvidenceError> {
    let derived = derive(bytes, report.orientation, opts)?;
    if derived.truncated && !report.flags.iter().any(|f| f == "truncated") {
        report.flags.push("truncated".into());
        report.notes.push(flag_message("truncated").into());
    }
    std::fs::create_dir_all(out_dir).map_err(EvidenceError::io)?;
    let files = IngestedFiles {
        upload: out_dir.join(format!("{}.upload.jpg", report.sha256)),
        thumbnail: out_dir.join(format!("{}.thumb.jpg", report.sha256)),
    };
    write_atomically(&files.upload, &derived.upload)?;
    write_atomically(&files.thumbnail, &derived.thumb)?;
    Ok((report, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_picks_the_smallest_factor_that_keeps_the_target() {
        let f = scaling_for(4000, 2048);
        assert_eq!((f.num(), f.denom()), (5, 8));
        assert_eq!(scaling_for(1000, 2048), ScalingFactor::ONE);
        let f = scaling_for(16320, 2048);
        assert!(f.scale(16320) >= 2048 && f.scale(16320) < 4096);
    }

    #[test]
    fn orientation_moves_the_right_corner_to_the_top_left() {
        // 3x2 image, pixel value = index.
        let img = || Rgb {
            width: 3,
            height: 2,
            pixels: (0..6u8).flat_map(|i| [i, i, i]).collect(),
        };
        let first = |r: &Rgb| r.pixels[0];
        // Source layout:  0 1 2 / 3 4 5
        assert_eq!(first(&orient(img(), 1)), 0);
        assert_eq!(first(&orient(img(), 2)), 2);
        assert_eq!(first(&orient(img(), 3)), 5);
        assert_eq!(first(&orient(img(), 4)), 3);
        assert_eq!(first(&orient(img(), 5)), 0);
        let r6 = orient(img(), 6);
        assert_eq!((r6.width, r6.height), (2, 3));
        assert_eq!(
            first(&r6),
            3,
            "rotate 90 CW: bottom-left comes to the top-left"
        );
        assert_eq!(first(&orient(img(), 7)), 5);
        assert_eq!(first(&orient(img(), 8)), 2);
    }
}
