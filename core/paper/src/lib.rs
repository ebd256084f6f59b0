//! Draws a document left on site ([`DocumentDraft`], composed in `core/domain`) as an A4 PDF:
//! the issuing body, the title and 文号, the fields, the paragraphs, the signatures' images
//! with their times (or the recorded refusal), the seal line and 第X页 共Y页.
//!
//! The CJK font is a platform file (on Android the system's Noto CJK, here Debian's), read
//! from its path and embedded as a subset of the glyphs used. Signature images are PNG files
//! from the phone's screen, checked (size, dimensions) before they are decoded.

use std::path::Path;

use anjian_domain::site_document::{DocumentDraft, SignatureRefusal, Signer};
use chrono::{DateTime, Utc};
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;

/// A signature image file is at most this large.
pub const MAX_SIGNATURE_BYTES: u64 = 2 * 1024 * 1024;
/// … and at most this many pixels on each side.
pub const MAX_SIGNATURE_SIDE: u32 = 4096;
/// A font file is at most this large (Noto CJK collections are about 20 MB).
pub const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 64.0;
const TOP: f32 = 64.0;
const BOTTOM: f32 = 72.0;
const BODY: f32 = 11.5;
const LEADING: f32 = 1.65;
const SIGNATURE_H: f32 = 40.0;

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error("字体文件无法使用：{0}")]
    Font(String),
    #[error("签名图片无效：{0}")]
    Signature(String),
    #[error("读取文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
}

/// A signature drawn on the screen: the PNG file and when it was made.
#[derive(Debug, Clone, Copy)]
pub struct SignatureImage<'a> {
    pub signer: Signer,
    pub name: &'a str,
    pub png: &'a Path,
    pub signed_at: DateTime<Utc>,
}

/// The CJK font: a .ttf/.otf or a face of a .ttc collection.
pub struct CjkFont {
    font: Font,
    data: Vec<u8>,
    index: u32,
}

impl CjkFont {
    pub fn load(path: &Path, index: u32) -> Result<CjkFont, PaperError> {
        let len = std::fs::metadata(path)
            .map_err(|e| PaperError::Font(format!("{}：{e}", path.display())))?
            .len();
        if len > MAX_FONT_BYTES {
            return Err(PaperError::Font(format!("{} 过大", path.display())));
        }
        let data = std::fs::read(path)?;
        ttf_parser::Face::parse(&data, index)
            .map_err(|e| PaperError::Font(format!("{}：{e}", path.display())))?;
        let font = Font::new(data.clone().into(), index)
            .ok_or_else(|| PaperError::Font(path.display().to_string()))?;
        Ok(CjkFont { font, data, index })
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.data, self.index).expect("checked when loaded")
    }

    /// The width of a text at a size, in points.
    fn width(&self, face: &ttf_parser::Face, text: &str, size: f32) -> f32 {
        let upem = face.units_per_em() as f32;
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(size * 0.5, |a| a as f32 * size / upem)
            })
            .sum()
    }

    /// Breaks a text into lines no wider than `width`.
    fn wrap(&self, face: &ttf_parser::Face, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in text.chars() {
            let mut next = line.clone();
            next.push(c);
            // Closing punctuation stays on the line it ends.
            let closing = matches!(c, '，' | '。' | '、' | '；' | '：' | '）' | '」' | '》');
            if !line.is_empty() && !closing && self.width(face, &next, size) > width {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
        lines
    }
}

/// A PNG file checked before decoding: its size, signature and dimensions.
fn signature_image(path: &Path) -> Result<(Image, f32), PaperError> {
    let bad = |why: &str| PaperError::Signature(format!("{}：{why}", path.display()));
    let len = std::fs::metadata(path)
        .map_err(|e| bad(&e.to_string()))?
        .len();
    if len > MAX_SIGNATURE_BYTES {
        return Err(bad("文件过大"));
    }
    let bytes = std::fs::read(path)?;
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return Err(bad("不是 PNG 图片"));
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
    let h = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
    if w == 0 || h == 0 || w > MAX_SIGNATURE_SIDE || h > MAX_SIGNATURE_SIDE {
        return Err(bad("尺寸无效"));
    }
    let image = Image::from_png(bytes.into(), true).map_err(|e| bad(&e))?;
    Ok((image, w as f32 / h as f32))
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: Image,
    },
}

/// Lays out page by page.
struct Layout<'f> {
    font: &'f CjkFont,
    face: ttf_parser::Face<'f>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn ensure(&mut self, height: f32) {
        if self.y + height > PAGE_H - BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn op(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    fn text_at(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y + size;
        self.op(Op::Text {
            x,
            y,
            size,
            text: text.to_string(),
        });
    }

    fn centred(&mut self, size: f32, text: &str) {
        let w = self.font.width(&self.face, text, size);
        self.ensure(size * LEADING);
        self.text_at((PAGE_W - w) / 2.0, size, text);
        self.y += size * LEADING;
    }

    fn right(&mut self, size: f32, text: &str) {
        let w = self.font.width(&self.face, text, size);
        self.ensure(size * LEADING);
        self.text_at(PAGE_W - MARGIN_X - w, size, text);
        self.y += size * LEADING;
    }

    /// A paragraph wrapped to the text width, the first line indented by `indent` points.
    fn paragraph(&mut self, size: f32, indent: f32, text: &str) {
        let width = PAGE_W - 2.0 * MARGIN_X - indent;
        for (n, line) in self
            .font
            .wrap(&self.face, text, size, width)
            .iter()
            .enumerate()
        {
            self.ensure(size * LEADING);
            let x = MARGIN_X + if n == 0 { indent } else { 0.0 };
            self.text_at(x, size, line);
            self.y += size * LEADING;
        }
    }
}

/// Draws the document. Each signature image is matched to its slot by signer and name; a
/// refusal fills the representative's slot.
pub fn render(
    draft: &DocumentDraft,
    font: &CjkFont,
    signatures: &[SignatureImage],
    refusal: Option<&SignatureRefusal>,
) -> Result<Vec<u8>, PaperError> {
    let mut l = Layout {
        font,
        face: font.face(),
        pages: vec![Vec::new()],
        y: TOP,
    };
    l.centred(16.0, &draft.issuer);
    l.centred(22.0, draft.title());
    l.right(BODY, &draft.number);
    l.y += BODY * 0.5;
    for f in &draft.fields {
        l.paragraph(BODY, 0.0, &format!("{}：{}", f.label, f.value));
    }
    for p in &draft.paragraphs {
        l.y += BODY * 0.4;
        if let Some(h) = &p.heading {
            l.paragraph(BODY + 1.0, 0.0, &format!("{h}："));
        }
        for line in &p.lines {
            l.paragraph(BODY, BODY * 2.0, line);
        }
    }
    l.y += BODY;
    for slot in &draft.slots {
        l.ensure(SIGNATURE_H + BODY * LEADING * 2.0);
        let label = format!("{}（签名）：", slot.signer.label());
        l.text_at(MARGIN_X, BODY, &label);
        let x = MARGIN_X + font.width(&l.face, &label, BODY) + 4.0;
        let signed = signatures
            .iter()
            .find(|s| s.signer == slot.signer && s.name.trim() == slot.name);
        match (signed, slot.signer, refusal) {
            (Some(s), _, _) => {
                let (image, aspect) = signature_image(s.png)?;
                let w = (SIGNATURE_H * aspect).min(200.0);
                let h = w / aspect;
                l.op(Op::Image {
                    x,
                    y: l.y - h * 0.35,
                    w,
                    h,
                    image,
                });
                let when = format!(
                    "{}  {}  {}",
                    slot.name,
                    slot.note.as_deref().unwrap_or(""),
                    (s.signed_at + chrono::Duration::hours(8)).format("%Y年%m月%d日 %H:%M")
                );
                l.y += SIGNATURE_H * 0.75;
                l.paragraph(BODY - 1.5, x - MARGIN_X, when.trim());
            }
            (None, Signer::Representative, Some(r)) => {
                l.text_at(x, BODY, &format!("{}拒绝签名", slot.name));
                l.y += BODY * LEADING;
                l.paragraph(
                    BODY - 1.5,
                    x - MARGIN_X,
                    &format!(
                        "见证人：{}  {}",
                        r.witness,
                        (r.recorded_at + chrono::Duration::hours(8)).format("%Y年%m月%d日 %H:%M")
                    ),
                );
            }
            (None, _, _) => {
                return Err(PaperError::Signature(format!(
                    "缺少{}{}的签名",
                    slot.signer.label(),
                    slot.name
                )))
            }
        }
        l.y += BODY * 0.6;
    }
    l.y += BODY;
    l.right(BODY + 1.0, &format!("{}（印章）", draft.issuer));
    l.right(BODY + 1.0, &draft.date.format("%Y年%m月%d日").to_string());

    let total = l.pages.len();
    let mut doc = Document::new();
    for (n, ops) in l.pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4");
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => s.draw_text(
                    Point::from_xy(x, y),
                    font.font.clone(),
                    size,
                    &text,
                    false,
                    TextDirection::LeftToRight,
                ),
                Op::Image { x, y, w, h, image } => {
                    s.push_transform(&Transform::from_translate(x, y));
                    s.draw_image(image, Size::from_wh(w, h).expect("positive size"));
                    s.pop();
                }
            }
        }
        let footer = format!("第{}页 共{}页", n + 1, total);
        let w = font.width(&font.face(), &footer, 9.0);
        s.draw_text(
            Point::from_xy((PAGE_W - w) / 2.0, PAGE_H - BOTTOM / 2.0),
            font.font.clone(),
            9.0,
            &footer,
            false,
            TextDirection::LeftToRight,
        );
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PaperError::Pdf(format!("{e:?}")))
}
