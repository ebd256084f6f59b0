//! The watermark is drawn with a CJK font from a platform path (Debian: fonts-noto-cjk) onto
//! the upload copy only; the original stays untouched.

use std::path::Path;

use anjian_evidence::photo::{self, DeriveOptions};
use anjian_evidence::watermark::{Watermark, WatermarkFont};

const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn phone_photo() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/photos/drewnoakes-metadata-extractor-images/jpg/Samsung SM-J327T1.jpg");
    std::fs::read(p).unwrap()
}

fn decode(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
    let img = turbojpeg::decompress(jpeg, turbojpeg::PixelFormat::RGB).unwrap();
    (img.width, img.height, img.pixels)
}

#[test]
fn watermark_changes_the_bottom_band_of_the_upload_copy_only() {
    let font =
        WatermarkFont::load(Path::new(NOTO), 2).expect("fonts-noto-cjk installed (CI installs it)");
    let bytes = phone_photo();
    let before = bytes.clone();
    let clean = photo::derive(&bytes, 6, &DeriveOptions::default()).unwrap();
    let opts = DeriveOptions {
        watermark: Some(Watermark::new(
            font,
            vec![
                "时间：2026-11-28 10:23:45".into(),
                "地点：石宝镇顺发液化气供应站（30.421500°, 108.180300°）".into(),
                "检查人员：蒋华".into(),
                "隐患编号：YH-20261128-A1B2C3".into(),
            ],
        )),
        ..DeriveOptions::default()
    };
    let marked = photo::derive(&bytes, 6, &opts).unwrap();
    assert_eq!(bytes, before, "the original is never modified");
    assert_eq!(clean.upload_size, marked.upload_size);
    let (w, h, a) = decode(&clean.upload);
    let (_, _, b) = decode(&marked.upload);
    let row_diff = |y: usize| {
        (0..w * 3)
            .filter(|&i| a[y * w * 3 + i].abs_diff(b[y * w * 3 + i]) > 24)
            .count()
    };
    // Top rows untouched (allowing JPEG noise), bottom rows carry the band and the text.
    assert!(row_diff(5) < w / 50, "top changed: {}", row_diff(5));
    assert!(
        row_diff(h - 10) > w,
        "bottom unchanged: {}",
        row_diff(h - 10)
    );
    // The thumbnail stays clean.
    assert_eq!(clean.thumb, marked.thumb);
}

#[test]
fn a_font_without_chinese_or_a_missing_font_is_refused_clearly() {
    let err = WatermarkFont::load(Path::new("/nonexistent/font.ttc"), 0)
        .err()
        .unwrap();
    assert!(err.to_string().contains("水印字体"));
}
