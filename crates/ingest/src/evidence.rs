//! Evidence files attached to a reported indicator (填报佐证): PDF, images or XLSX, checked by
//! their first bytes as well as their name (a renamed file is refused), under a size cap.
use std::path::Path;

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// A kind of evidence file wuyu accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Png,
    Jpeg,
    Xlsx,
}

impl EvidenceKind {
    /// The media type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// The kind a stored media type names (what [`EvidenceKind::content_type`] wrote).
    pub fn of_content_type(content_type: &str) -> Option<EvidenceKind> {
        [
            EvidenceKind::Pdf,
            EvidenceKind::Png,
            EvidenceKind::Jpeg,
            EvidenceKind::Xlsx,
        ]
        .into_iter()
        .find(|k| k.content_type() == content_type)
    }

    fn of_extension(ext: &str) -> Option<EvidenceKind> {
        match ext.to_ascii_lowercase().as_str() {
            "pdf" => Some(EvidenceKind::Pdf),
            "png" => Some(EvidenceKind::Png),
            "jpg" | "jpeg" => Some(EvidenceKind::Jpeg),
            "xlsx" => Some(EvidenceKind::Xlsx),
            _ => None,
        }
    }

    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            EvidenceKind::Pdf => bytes.starts_with(b"%PDF-"),
            EvidenceKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            EvidenceKind::Jpeg => bytes.starts_with(b"\xff\xd8\xff"),
            EvidenceKind::Xlsx => bytes.starts_with(b"PK\x03\x04"),
        }
    }
}

/// The kind of the evidence file `name` with `bytes`, or why it is refused (Chinese, naming
/// the file).
pub fn check_evidence(name: &str, bytes: &[u8]) -> Result<EvidenceKind, String> {
    if bytes.is_empty() {
        return Err(format!("佐证文件“{name}”是空文件"));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "佐证文件“{name}”有 {:.1} MB，超过 {} MB 的上限",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_EVIDENCE_BYTES / (1024 * 1024)
        ));
    }
    let kind = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .and_then(EvidenceKind::of_extension)
        .ok_or_else(|| {
            format!("佐证文件“{name}”的类型不被接受：只接受 PDF、PNG、JPG 图片和 XLSX 表格")
        })?;
    if !kind.matches(bytes) {
        return Err(format!(
            "佐证文件“{name}”的内容与扩展名不符：不是真正的 {} 文件",
            name.rsplit('.').next().unwrap_or_default().to_uppercase()
        ));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_checked_by_name_content_and_size() {
        assert_eq!(
            check_evidence("报告.pdf", b"%PDF-1.7 ..."),
            Ok(EvidenceKind::Pdf)
        );
        assert_eq!(
            check_evidence("照片.JPG", b"\xff\xd8\xff\xe0rest"),
            Ok(EvidenceKind::Jpeg)
        );
        let exe = check_evidence("报告.exe", b"MZ").unwrap_err();
        assert!(exe.contains("报告.exe"), "{exe}");
        let renamed = check_evidence("报告.pdf", b"MZ\x90\x00").unwrap_err();
        assert!(renamed.contains("不符"), "{renamed}");
        let big = vec![b'%'; MAX_EVIDENCE_BYTES + 1];
        assert!(check_evidence("大.pdf", &big).unwrap_err().contains("上限"));
        assert!(check_evidence("空.pdf", b"").is_err());
    }
}
