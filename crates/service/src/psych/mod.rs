//! 心理健康 (issue 13): campaigns, consent, answers scored at write, crisis cases, 班主任 flags
//! and suppressed aggregates. Need to know: individual records need a typed token (the
//! school's counsellor, or break-glass); every read of an individual record and every refusal
//! is written to the audit log before anything is returned — a read that cannot be audited
//! is not made.
mod aggregates;
mod audit;
mod campaigns;
mod cases;
mod codes;
mod consent;
mod correct;
mod counselling;
mod export;
mod flags;
mod import;
mod indicators;
mod levels;
mod records;
mod scales;

pub use aggregates::{AggregateCell, AggregateRow, PsychAggregates, SUPPRESS_BELOW, aggregates};
pub use campaigns::{CampaignInput, campaigns, create_campaign};
pub use cases::{CaseView, StepReport, cases, close_case, complete_step, follow_up, open_case};
pub use codes::{
    CodeError, CodeForm, CodeSheet, CodeSheetRow, issue_codes, open_code, read_answers,
    read_custom_answers, submit_code,
};
pub use consent::{
    ChildConsent, ConsentLine, ConsentSheet, child_consent_page, consent_sheet, guardian_decision,
};
pub use correct::{
    CorrectionInput, CorrectionView, correct_answers, correction_view, read_corrected,
};
pub use counselling::{CaseFile, CounsellingInput, MAX_TEXT, add_counselling, case_file};
pub use export::aggregates_xlsx;
pub use flags::class_flags;
pub use import::{ImportOutcome, import_answers};
pub use indicators::indicator;
pub use levels::{check_scale_levels, scale_level_problems};
pub use records::{
    ConsentInput, break_glass_by_student_no, break_glass_record, child_consents, consents,
    record_consent, responses, student_record,
};
pub use scales::{
    MAX_DEFINITION_BYTES, ScaleLoaded, definition as scale_definition, load_scale, scales,
};
pub use wuyu_store::psych::scales::{CustomAnswers, ScaleLoad, ScaleRef, ScaleVersion};
pub use wuyu_store::psych::{
    Assignee, Campaign, CaseRow, CaseStep, ConsentChannel, ConsentRow, FlagRow, GuardianConsent,
    PsychSchoolCounts, ResponseImportSummary, ResponseRow, StepKind, StudentPsychRecord,
};
pub use wuyu_store::psych_work::{
    CodeRefusal, CodeSubmitted, CorrectionDone, CorrectionRow, CounsellingKind, CounsellingRow,
};
