//! Types every wuyu crate shares: ids, schools, classes, students, teachers, terms, users,
//! roles and scopes, plus the validated identifiers (学籍号, 身份证号).
//!
//! Parse, don't validate: a value of `StudentNo`, `IdCardNo`, `Grade`, … can only exist valid,
//! so code further in never re-checks. No IO, no clock, no randomness.
#![forbid(unsafe_code)]

pub mod access;
pub mod archive;
mod error;
pub mod exam;
pub mod fitness;
mod ids;
mod org;
mod person;
pub mod roster;
mod roster_fields;
mod scope;
pub mod survey;
mod survey_builder;
mod term;

pub use access::{
    AdminToken, BreakGlassToken, Capability, FlagsToken, GRANTS, PsychToken, RanksToken, Viewer,
    grants,
};
pub use archive::{
    ActivityCategory, ArchiveDomain, ArtLevel, Entrant, PublicityStage, RecordState, Tenths,
};
pub use error::DomainError;
pub use exam::{
    Exam, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, NewCandidate, NewExam,
    NewExamScoreRow, NewItemScoreRow, SubjectMark, parse_candidate_no,
};
pub use fitness::{FitnessBatch, FitnessMeasures, NewFitnessRecord};
pub use ids::{ClassId, ExamId, SchoolId, StudentId, TeacherId, UserId};
pub use org::{ClassType, District, Grade, Location, School, SchoolClass, SchoolCode, Stage};
pub use person::{
    EthnicityCode, HEAD_TEACHER_SUBJECT, IdCardNo, PersonName, Sex, Student, StudentNo, Teacher,
    TeacherAssignment, parse_date,
};
pub use roster::{
    BrokenKeys, Origin, RosterBatch, RowError, SHOWN_VALUE_CHARS, StatusChange, shorten_values,
};
pub use roster_fields::{Employment, StudentFlag, StudentStatus, parse_birth_year};
pub use scope::{Role, Scope, User};
pub use survey::{
    AFTER_SCHOOL_ACTIVITIES, ETHICS_SCALE, ItemKind, MAX_TEXT_CHARS, NewQuestionnaire,
    OVERALL_ITEM, OtherAnswers, Questionnaire, QuestionnaireStatus, SURVEY_TEMPLATES, SurveyAbout,
    SurveyAudience, SurveyItem, SurveyTemplate, TemplateKind, survey_template,
};
pub use survey_builder::{BuilderRow, DEFAULT_TEXT_CHARS, build_questionnaire};
pub use term::{TERM_FORMS_ZH, Term, TermPart};
