//! 综合素质档案 (issue 12): activity records and their review, the student's archive in five
//! domains, imports of records and art assessments, coverage of schools and classes, and the
//! archive's indicator source.
mod card;
mod coverage;
mod evidence;
mod export;
mod family;
mod form;
mod import;
mod indicators;
mod publicity;
mod records;
mod student;

pub use card::{
    CARD_TITLE, CardDomain, CardSignature, ReportCard, ReportCards, card_of,
    class_report_cards_pdf, report_card_pdf,
};
pub use coverage::{CoverageRow, coverage, district_term};
pub use evidence::{MAX_EVIDENCE_BYTES, MAX_RECORD_FILES, check_files, evidence_file};
pub use export::{
    ArchiveExport, COVERAGE_HEADERS, RECORD_HEADERS, class_records_xlsx, coverage_xlsx,
};
pub use family::{FAMILY_CATEGORIES, record_family_entry};
pub use form::{
    ActivityForm, Attendees, ClassRecordError, FieldError, parse_activity, record_class_activity,
};
pub use import::{import_activities, import_art};
pub use indicators::indicator;
pub(crate) use indicators::terms as indicator_terms;
pub use publicity::{
    PublicLine, PublicityView, answer as answer_objection, confirm as confirm_archive, object,
    open_publicity, publicity, sign as sign_publicity, today,
};
pub use records::{
    ActivityInput, ClassArchive, class_archive, home_class, record_activity,
    record_activity_with_evidence, review, submit,
};
pub use student::{DomainSection, StudentArchive, student_archive};
/// A stored activity record, as the pages render it.
pub use wuyu_store::archive::ActivityRecord as ArchiveRecord;
/// The 班主任's decision on submitted records.
pub use wuyu_store::archive::Review;
/// An evidence file: as stored (with its bytes), and as a record lists it.
pub use wuyu_store::archive::{Evidence as EvidenceFile, EvidenceRef};

/// School weeks a term's out-of-class labor hours are judged over (the store's, which the
/// coverage rollup is counted with).
pub use wuyu_store::archive::TERM_WEEKS;

fn store_error(e: wuyu_store::StoreError) -> crate::ServiceError {
    match e {
        wuyu_store::StoreError::Refused(why) => crate::ServiceError::BadRequest(why),
        other => other.into(),
    }
}

pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
