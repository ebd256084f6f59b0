use thiserror::Error;

/// Why a file was refused. `Display` is the Chinese message the app shows.
#[derive(Debug, Error)]
pub enum EvidenceError {
    #[error("文件为空")]
    Empty,
    #[error("无法读取或写入文件：{0}")]
    Io(String),
    #[error("文件过大（{size} 字节），上限为 {limit} 字节")]
    TooLarge { size: u64, limit: u64 },
    #[error(
        "这是 HEIC/HEIF 格式的照片，暂不支持。请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄"
    )]
    Heic,
    #[error("照片须为 JPEG 格式，收到的是 {0}")]
    NotJpeg(&'static str),
    #[error("不是可识别的图片或文档")]
    Unrecognised,
    #[error("图片尺寸无效（{width}×{height}）")]
    BadDimensions { width: u64, height: u64 },
    #[error("图片像素过多（{width}×{height}），超过 {limit} 像素的上限，已拒收")]
    TooManyPixels { width: u64, height: u64, limit: u64 },
    #[error("照片数据损坏，无法解码（{0}）")]
    Corrupt(String),
    #[error("水印字体无法使用：{0}")]
    Font(String),
    #[error("证明材料须为 PDF、JPEG 或 PNG 文件，收到的是 {0}")]
    DocumentType(&'static str),
    #[error("{field}无效：{reason}")]
    Invalid { field: &'static str, reason: String },
}

impl EvidenceError {
    pub fn io(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            return EvidenceError::Io("文件不存在".into());
        }
        EvidenceError::Io(e.to_string())
    }

    /// A stable code for programs (the CLI's JSON, the app).
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::Empty => "empty",
            EvidenceError::Io(_) => "io",
            EvidenceError::TooLarge { .. } => "too_large",
            EvidenceError::Heic => "heic",
            EvidenceError::NotJpeg(_) => "not_jpeg",
            EvidenceError::Unrecognised => "unrecognised",
            EvidenceError::BadDimensions { .. } => "bad_dimensions",
            EvidenceError::TooManyPixels { .. } => "too_many_pixels",
            EvidenceError::Corrupt(_) => "corrupt",
            EvidenceError::Font(_) => "font",
            EvidenceError::DocumentType(_) => "document_type",
            EvidenceError::Invalid { .. } => "invalid",
        }
    }
}
