//! The watermark (水印) Chinese field workers expect on evidence photos: time, place
//! (coordinates and site name), inspector, hazard number, drawn on the upload copy only.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use ab_glyph::{point, Font, FontArc, PxScale, ScaleFont};

use crate::EvidenceError;

/// A font loaded from a path the platform gives (Debian: fonts-noto-cjk; Android:
/// /system/fonts/NotoSansCJK-Regular.ttc). Fonts are cached per path.
#[derive(Clone)]
pub struct WatermarkFont(FontArc);

impl WatermarkFont {
    /// Loads face `index` of a font file (`.ttf`, `.otf`, or a `.ttc` collection).
    pub fn load(path: &Path, index: u32) -> Result<WatermarkFont, EvidenceError> {
        static CACHE: OnceLock<Mutex<Vec<(std::path::PathBuf, u32, FontArc)>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some((_, _, f)) = cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(p, i, _)| p == path && *i == index)
        {
            return Ok(WatermarkFont(f.clone()));
        }
        let fail =
            |e: &dyn std::fmt::Display| EvidenceError::Font(format!("{}：{e}", path.display()));
        let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
        // Map the font rather than read it: a CJK collection is ~20 MB, of which a watermark
        // touches a few pages. The mapping lives as long as the process (one per font path).
        // SAFETY: the font file is a read-only system file; it is not modified while mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| fail(&e))?;
        let data: &'static [u8] = Box::leak(Box::new(map));
        let font =
            ab_glyph::FontRef::try_from_slice_and_index(data, index).map_err(|e| fail(&e))?;
        let font = FontArc::new(font);
        if font.glyph_id('检').0 == 0 {
            return Err(EvidenceError::Font(format!(
                "{} 不含中文字形",
                path.display()
            )));
        }
        cache.lock().unwrap_or_else(|p| p.into_inner()).push((
            path.to_path_buf(),
            index,
            font.clone(),
        ));
        Ok(WatermarkFont(font))
    }

    pub fn font(&self) -> &FontArc {
        &self.0
    }
}

/// What to write on a photo.
#[derive(Clone)]
pub struct Watermark {
    pub font: WatermarkFont,
    pub lines: Vec<String>,
}

impl Watermark {
    pub fn new(font: WatermarkFont, lines: Vec<String>) -> Arc<Watermark> {
        Arc::new(Watermark { font, lines })
    }
}

/// Draws the lines bottom-left on an RGB image, white on a translucent dark band.
pub fn draw(rgb: &mut [u8], width: usize, height: usize, wm: &Watermark) {
    let lines: Vec<&str> = wm
        .lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() || width < 32 || height < 32 {
        return;
    }
    let long = width.max(height) as f32;
    let px = (long / 52.0).clamp(12.0, 64.0);
    let scale = PxScale::from(px);
    let font = wm.font.font();
    let scaled = font.as_scaled(scale);
    let line_h = scaled.height() + scaled.line_gap() + px * 0.15;
    let margin = px * 0.6;
    let band_h = (line_h * lines.len() as f32 + margin * 1.5).min(height as f32) as usize;
    let band_top = height - band_h;
    // Translucent band: darken to 45%.
    for y in band_top..height {
        let row = &mut rgb[y * width * 3..(y + 1) * width * 3];
        for v in row.iter_mut() {
            *v = ((*v as u16 * 115) / 256) as u8;
        }
    }
    let mut baseline = band_top as f32 + margin + scaled.ascent();
    for line in lines {
        let mut x = margin;
        let mut prev = None;
        for c in line.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, point(x, baseline));
            x += scaled.h_advance(id);
            prev = Some(id);
            if x > width as f32 {
                break;
            }
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let px_x = b.min.x as i64 + gx as i64;
                    let px_y = b.min.y as i64 + gy as i64;
                    if px_x < 0 || px_y < 0 || px_x >= width as i64 || px_y >= height as i64 {
                        return;
                    }
                    let i = (px_y as usize * width + px_x as usize) * 3;
                    let a = cov.clamp(0.0, 1.0);
                    for ch in &mut rgb[i..i + 3] {
                        *ch = (*ch as f32 * (1.0 - a) + 255.0 * a) as u8;
                    }
                });
            }
        }
        baseline += line_h;
    }
}
