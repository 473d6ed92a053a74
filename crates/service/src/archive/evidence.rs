//! Evidence files of activity records (照片、证书): checked by content and size before anything
//! is written — the plan's evidence check, narrowed to JPG, PNG and PDF — stored with their
//! SHA-256, and downloaded one at a time by whoever may read the record, each download
//! audited. The 公示 never lists them.
use std::path::Path;

use wuyu_domain::{Capability, SchoolId, Viewer};
use wuyu_ingest::evidence::{EvidenceKind, check_evidence};
use wuyu_store::AuditEntry;
use wuyu_store::archive::Evidence;

use super::now_unix;
use crate::audit::{Requester, append};
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

pub use wuyu_ingest::evidence::MAX_EVIDENCE_BYTES;

/// Files one record (or one class activity) may carry.
pub const MAX_RECORD_FILES: usize = 3;

/// The files as they will be stored, or the first problem in Chinese, naming the file.
pub fn check_files(files: &[UploadedFile]) -> Result<Vec<Evidence>, String> {
    if files.len() > MAX_RECORD_FILES {
        return Err(format!(
            "一条记录最多附 {MAX_RECORD_FILES} 个佐证文件，您选了 {} 个",
            files.len()
        ));
    }
    files
        .iter()
        .map(|f| {
            // Spreadsheets prove no activity: the plan's check takes XLSX, the archive not.
            let photo_or_pdf = Path::new(&f.name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| {
                    ["jpg", "jpeg", "png", "pdf"].contains(&e.to_ascii_lowercase().as_str())
                });
            if !photo_or_pdf {
                return Err(format!(
                    "佐证文件“{}”的类型不被接受：写实记录只接受 JPG、PNG 照片和 PDF 文件",
                    f.name
                ));
            }
            let kind = check_evidence(&f.name, &f.bytes)?;
            debug_assert!(kind != EvidenceKind::Xlsx);
            Ok(Evidence {
                name: f.name.clone(),
                content_type: kind.content_type().into(),
                sha256: f.sha256(),
                bytes: f.bytes.clone(),
            })
        })
        .collect()
}

fn entry(who: &Requester, action: &str, school: SchoolId, detail: String) -> AuditEntry {
    AuditEntry {
        at: now_unix(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: action.into(),
        school_id: Some(school),
        entity: String::new(),
        detail,
        ip: who.ip.clone(),
    }
}

/// One evidence file of a record, for whoever may read the record (a parent: their own
/// child's). Every download is audited against the student; a refused one too.
pub async fn evidence_file(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    record: i64,
    evidence: i64,
) -> Result<Evidence, ServiceError> {
    let what = format!("record={record} evidence={evidence}");
    let denied = |detail: String| {
        let mut e = entry(who, "archive_evidence_denied", school, detail);
        e.entity = format!("archive_record:{school}:{record}");
        e
    };
    if !viewer.can(Capability::ViewStudentArchive) {
        append(
            svc,
            &denied(format!("{what} role={}", viewer.role().code())),
        )
        .await?;
        return Err(ServiceError::Forbidden);
    }
    let audit = entry(who, "archive_evidence_download", school, what.clone());
    match svc
        .store()
        .evidence_file(&viewer.scope, school, record, evidence, &audit)
        .await
    {
        Ok(file) => Ok(file),
        Err(wuyu_store::StoreError::Forbidden) => {
            append(svc, &denied(what)).await?;
            Err(ServiceError::Forbidden)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> UploadedFile {
        UploadedFile::new(name, bytes.to_vec())
    }

    #[test]
    fn photos_and_pdfs_pass_and_keep_their_hash() {
        let got = check_files(&[
            file("合影.JPG", b"\xff\xd8\xff\xe0 jpeg"),
            file("证书.pdf", b"%PDF-1.7 cert"),
            file("a.png", b"\x89PNG\r\n\x1a\n png"),
        ])
        .unwrap();
        assert_eq!(
            got.iter()
                .map(|e| e.content_type.as_str())
                .collect::<Vec<_>>(),
            ["image/jpeg", "application/pdf", "image/png"]
        );
        assert_eq!(got[0].sha256, file("x", b"\xff\xd8\xff\xe0 jpeg").sha256());
    }

    #[test]
    fn a_bad_file_is_refused_by_name() {
        let xlsx = check_files(&[file("名单.xlsx", b"PK\x03\x04")]).unwrap_err();
        assert!(xlsx.contains("名单.xlsx") && xlsx.contains("JPG"), "{xlsx}");
        let renamed = check_files(&[file("照片.jpg", b"MZ\x90\x00")]).unwrap_err();
        assert!(
            renamed.contains("照片.jpg") && renamed.contains("不符"),
            "{renamed}"
        );
        let big = vec![0xff; MAX_EVIDENCE_BYTES + 1];
        let big = check_files(&[file("大.jpg", &big)]).unwrap_err();
        assert!(big.contains("大.jpg") && big.contains("上限"), "{big}");
        let many = vec![file("a.pdf", b"%PDF-"); MAX_RECORD_FILES + 1];
        assert!(check_files(&many).unwrap_err().contains("最多"));
    }
}
