//! A perceptual hash of a photo: the same picture re-saved, re-compressed, scaled or lightly
//! cropped gives a hash a few bits away, a different picture one about half the bits away.
//! Used to find a photo already used as proof elsewhere (a recycled "after" photo).
//!
//! The hash is a DCT hash: the photo is decoded at a reduced scale (libjpeg-turbo DCT scaling,
//! so even a 50-megapixel original costs little), turned upright by its EXIF orientation,
//! averaged down to a 32×32 grey image, transformed with a 2-D DCT-II, and the 8×8 lowest
//! frequencies are compared with their median: one bit each.
//!
//! A cropped copy shows the middle of the picture larger, which moves every frequency: so a
//! photo is hashed whole and at its middle [`CENTRES`], and two photos match when either's
//! whole picture is near one of the other's (see [`nearest`]).

use std::sync::OnceLock;

use crate::meta;
use crate::photo::{self, Rgb};
use crate::EvidenceError;

/// Side of the grey image the DCT runs on.
const N: usize = 32;
/// Side of the block of low frequencies kept.
const K: usize = 8;
/// Long side the JPEG is decoded at, at least (DCT scaling picks the nearest larger).
const DECODE_LONG_SIDE: u32 = 256;

/// Share of each side cut off for the middle views hashed besides the whole picture.
pub const CENTRES: [f64; 3] = [0.04, 0.08, 0.12];

/// The hashes of one photo: the whole picture first, then its middle views ([`CENTRES`]).
pub type Hashes = anjian_domain::proof::PhotoHashes;

/// The perceptual hashes of a JPEG photo, orientation applied.
pub fn of_jpeg(bytes: &[u8]) -> Result<Hashes, EvidenceError> {
    photo::require_jpeg(bytes)?;
    let (decoded, _truncated) = photo::decode_scaled(bytes, DECODE_LONG_SIDE)?;
    let orientation = meta::read(bytes).orientation.unwrap_or(1);
    Ok(of_image(&photo::orient(decoded, orientation)))
}

/// The perceptual hashes of decoded RGB pixels.
pub fn of_image(img: &Rgb) -> Hashes {
    // One pass over the pixels into a finer grey grid; each view is averaged from it.
    let fine = fine_grid(img);
    let mut out: Hashes = [hash_view(&fine, 0.0); 4];
    for (o, cut) in out[1..].iter_mut().zip(CENTRES) {
        *o = hash_view(&fine, cut);
    }
    out
}

pub use anjian_domain::proof::photo_distance as nearest;

/// Side of the grey grid the views are taken from.
const FINE: usize = 4 * N;

/// The hash of the middle of the picture, `cut` of each side off.
fn hash_view(fine: &[f64], cut: f64) -> u64 {
    let grey = view_grid(fine, cut);
    let coeffs = dct_low(&grey);
    // The DC term (overall brightness) is left out of the median, so a lighter or darker
    // copy of the same picture keeps its bits.
    let mut ac: Vec<f64> = coeffs[1..].to_vec();
    ac.sort_by(f64::total_cmp);
    let median = (ac[ac.len() / 2 - 1] + ac[ac.len() / 2]) / 2.0;
    coeffs
        .iter()
        .enumerate()
        .skip(1)
        .fold(0u64, |h, (i, c)| if *c > median { h | 1 << i } else { h })
}

/// Bits two hashes differ in (0 = the same picture to this hash; 64 = all bits differ).
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Area-averages the image into a FINE×FINE grid of luma values.
fn fine_grid(img: &Rgb) -> Vec<f64> {
    let mut sum = vec![0f64; FINE * FINE];
    let mut count = vec![0u32; FINE * FINE];
    let (w, h) = (img.width.max(1), img.height.max(1));
    for y in 0..img.height {
        let gy = y * FINE / h;
        let row = &img.pixels[y * img.width * 3..(y + 1) * img.width * 3];
        for (x, px) in row.chunks_exact(3).enumerate() {
            let cell = gy * FINE + x * FINE / w;
            sum[cell] += 0.299 * px[0] as f64 + 0.587 * px[1] as f64 + 0.114 * px[2] as f64;
            count[cell] += 1;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, c)| if *c > 0 { s / *c as f64 } else { 0.0 })
        .collect()
}

/// Averages the middle of the fine grid (`cut` of each side off) into an N×N grid.
fn view_grid(fine: &[f64], cut: f64) -> [f64; N * N] {
    let c = (FINE as f64 * cut).round() as usize;
    let side = FINE - 2 * c;
    let mut sum = [0f64; N * N];
    let mut count = [0u32; N * N];
    for y in 0..side {
        for x in 0..side {
            let cell = (y * N / side) * N + x * N / side;
            sum[cell] += fine[(y + c) * FINE + x + c];
            count[cell] += 1;
        }
    }
    let mut out = [0f64; N * N];
    for i in 0..N * N {
        out[i] = if count[i] > 0 {
            sum[i] / count[i] as f64
        } else {
            0.0
        };
    }
    out
}

/// cos(π(2n+1)k / 2N) for k < K, n < N.
fn cosines() -> &'static [[f64; N]; K] {
    static TABLE: OnceLock<[[f64; N]; K]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [[0f64; N]; K];
        for (k, row) in t.iter_mut().enumerate() {
            for (n, c) in row.iter_mut().enumerate() {
                *c = (std::f64::consts::PI * (2 * n + 1) as f64 * k as f64 / (2 * N) as f64).cos();
            }
        }
        t
    })
}

/// The K×K lowest-frequency DCT-II coefficients of the grid, row-major.
fn dct_low(grid: &[f64; N * N]) -> [f64; K * K] {
    let cos = cosines();
    // Rows first: for each of the N rows, its K lowest frequencies.
    let mut rows = [[0f64; K]; N];
    for (y, out) in rows.iter_mut().enumerate() {
        let line = &grid[y * N..(y + 1) * N];
        for (k, o) in out.iter_mut().enumerate() {
            *o = line.iter().zip(cos[k].iter()).map(|(v, c)| v * c).sum();
        }
    }
    let mut out = [0f64; K * K];
    for u in 0..K {
        for v in 0..K {
            out[u * K + v] = (0..N).map(|y| rows[y][v] * cos[u][y]).sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: usize, h: usize, flip: bool) -> Rgb {
        let mut pixels = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let v = if flip { (w - x) * 255 / w } else { x * 255 / w };
                let v = ((v + y * 100 / h) % 256) as u8;
                pixels.extend([v, v / 2, 255 - v]);
            }
        }
        Rgb {
            width: w,
            height: h,
            pixels,
        }
    }

    #[test]
    fn a_scaled_copy_hashes_alike_and_a_mirrored_one_does_not() {
        let a = of_image(&gradient(320, 240, false));
        let b = of_image(&gradient(640, 480, false));
        let c = of_image(&gradient(320, 240, true));
        assert!(nearest(&a, &b) <= 2, "{}", nearest(&a, &b));
        assert!(nearest(&a, &c) > 20, "{}", nearest(&a, &c));
    }

    #[test]
    fn what_is_not_a_jpeg_is_refused() {
        assert!(of_jpeg(b"%PDF-1.4 not a photo").is_err());
    }
}
