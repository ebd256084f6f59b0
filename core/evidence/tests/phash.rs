//! The perceptual hash on real photos of the shared corpus (read in place): each photo's
//! upload copy (watermarked), a re-compressed copy, a cropped copy and a cropped, scaled,
//! re-watermarked copy stay within [`RECYCLED_MAX_DISTANCE`] of the original's upload copy;
//! every pair of different photos (including near-identical shots of one camera series and
//! the demo county's drawn pictures) stays beyond it.

use std::path::{Path, PathBuf};

use anjian_domain::proof::RECYCLED_MAX_DISTANCE;
use anjian_evidence::phash;
use anjian_evidence::photo::{self, DeriveOptions, Rgb};
use anjian_evidence::watermark::{Watermark, WatermarkFont};

const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/photos")
}

/// Real camera and phone photos: a camera series of similar scenes (DSCN…), phones, cameras.
fn photos() -> Vec<(String, Vec<u8>)> {
    let dirs = [
        "ianare-exif-samples/jpg/gps",
        "ianare-exif-samples/jpg/mobile",
        "drewnoakes-metadata-extractor-images/jpg",
    ];
    let mut out = Vec::new();
    for d in dirs {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus().join(d))
            .expect("../shared/testdata beside the project")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            // Only photos a phone could send: whole, decodable, not tiny stubs.
            let Ok((img, false)) = photo::decode_scaled(&bytes, 256) else {
                continue;
            };
            if img.width.min(img.height) < 200 {
                continue;
            }
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), bytes));
        }
    }
    out
}

fn watermark(line: &str) -> DeriveOptions {
    let font = WatermarkFont::load(Path::new(NOTO), 2).expect("fonts-noto-cjk installed");
    DeriveOptions {
        watermark: Some(Watermark::new(
            font,
            vec![
                format!("时间：{line}"),
                "地点：石宝镇顺发液化气供应站（30.421500°, 108.180300°）".into(),
            ],
        )),
        ..DeriveOptions::default()
    }
}

fn decode_full(bytes: &[u8]) -> Rgb {
    let orientation = anjian_evidence::meta::read(bytes).orientation.unwrap_or(1);
    photo::orient(photo::decode_scaled(bytes, 100_000).unwrap().0, orientation)
}

/// Keeps the middle of the picture: `cut` of each side off.
fn crop(img: &Rgb, cut: f64) -> Rgb {
    let (x0, y0) = (
        (img.width as f64 * cut) as usize,
        (img.height as f64 * cut) as usize,
    );
    let (w, h) = (img.width - 2 * x0, img.height - 2 * y0);
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in y0..y0 + h {
        pixels
            .extend_from_slice(&img.pixels[(y * img.width + x0) * 3..(y * img.width + x0 + w) * 3]);
    }
    Rgb {
        width: w,
        height: h,
        pixels,
    }
}

#[test]
fn recycled_copies_are_near_and_different_photos_are_far() {
    let photos = photos();
    assert!(photos.len() >= 15, "{} photos", photos.len());
    let first = watermark("2026-11-02 09:14:05");
    let second = watermark("2026-11-27 16:40:31");
    let mut worst_copy = 0;
    let mut failures = Vec::new();
    let mut uploads = Vec::new();
    for (name, bytes) in &photos {
        let upload = photo::derive(
            bytes,
            anjian_evidence::meta::read(bytes).orientation.unwrap_or(1),
            &first,
        )
        .unwrap()
        .upload;
        let h = phash::of_jpeg(&upload).unwrap();
        let full = decode_full(bytes);
        let copies = [
            ("re-compressed", photo::encode(&full, 35).unwrap()),
            ("cropped 5%", photo::encode(&crop(&full, 0.05), 70).unwrap()),
            ("cropped 8%", photo::encode(&crop(&full, 0.08), 70).unwrap()),
        ];
        for (how, copy) in copies {
            // The copy goes through a phone again: a new upload copy, a new watermark.
            let again = photo::derive(&copy, 1, &second).unwrap().upload;
            let d = phash::nearest(&h, &phash::of_jpeg(&again).unwrap());
            eprintln!("{name}: {how}: {d}");
            worst_copy = worst_copy.max(d);
            failures.push((d > RECYCLED_MAX_DISTANCE).then(|| format!("{name} {how}: {d}")));
        }
        uploads.push((name.clone(), h));
    }
    let mut nearest_other = 64;
    for (i, (a, ha)) in uploads.iter().enumerate() {
        for (b, hb) in &uploads[i + 1..] {
            let d = phash::nearest(ha, hb);
            if d < nearest_other {
                eprintln!("nearest so far: {a} / {b}: {d}");
            }
            nearest_other = nearest_other.min(d);
            failures.push((d <= RECYCLED_MAX_DISTANCE).then(|| format!("{a} / {b}: {d}")));
        }
    }
    eprintln!(
        "{} photos: worst copy {worst_copy} bits, nearest different photos {nearest_other} bits",
        uploads.len()
    );
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(failures.is_empty(), "{failures:#?}");
}
