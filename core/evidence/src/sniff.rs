//! What a file is, by its content (magic bytes), never by its name.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heif,
    Avif,
    Tiff,
    Pdf,
    Unknown,
}

impl ContentKind {
    pub fn label(self) -> &'static str {
        match self {
            ContentKind::Jpeg => "JPEG",
            ContentKind::Png => "PNG",
            ContentKind::Gif => "GIF",
            ContentKind::Webp => "WebP",
            ContentKind::Heif => "HEIC/HEIF",
            ContentKind::Avif => "AVIF",
            ContentKind::Tiff => "TIFF",
            ContentKind::Pdf => "PDF",
            ContentKind::Unknown => "未知格式",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ContentKind::Jpeg => "image/jpeg",
            ContentKind::Png => "image/png",
            ContentKind::Gif => "image/gif",
            ContentKind::Webp => "image/webp",
            ContentKind::Heif => "image/heif",
            ContentKind::Avif => "image/avif",
            ContentKind::Tiff => "image/tiff",
            ContentKind::Pdf => "application/pdf",
            ContentKind::Unknown => "application/octet-stream",
        }
    }
}

pub fn sniff(b: &[u8]) -> ContentKind {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ContentKind::Jpeg
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        ContentKind::Png
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        ContentKind::Gif
    } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        ContentKind::Webp
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        ContentKind::Tiff
    } else if b.starts_with(b"%PDF-") {
        ContentKind::Pdf
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
        match &b[8..12] {
            b"avif" | b"avis" => ContentKind::Avif,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                ContentKind::Heif
            }
            _ => ContentKind::Unknown,
        }
    } else {
        ContentKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_not_names() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE1rest"), ContentKind::Jpeg);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), ContentKind::Heif);
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), ContentKind::Avif);
        assert_eq!(sniff(b"%PDF-1.7\n"), ContentKind::Pdf);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), ContentKind::Webp);
        assert_eq!(sniff(b""), ContentKind::Unknown);
        assert_eq!(sniff(b"\xFF\xD8"), ContentKind::Unknown);
    }
}
