//! The store's row types the edges render, re-exported so `web` names no store path. `Store`
//! itself is here for the edges that build the [`Service`](crate::Service) from a connection.
pub use wuyu_store::exam::TOTAL;
pub use wuyu_store::{
    AlertDecision, AlertDecisionKind, AssignmentView, AuditEntry, AuditFilter, AuditRow,
    Borderline, ClassFitnessRow, ClassSummary, DistrictSettings, ExamStudentRow, ExamSummary,
    ExamUnit, ExamUnitKind, ExamUnitStat, FitnessGroupBy, FitnessItemStat, FitnessRecord,
    FitnessSummaryRow, ItemReport, NewSession, NewUser, OverviewCell, SchoolSummary, SessionRow,
    Store, StudentExamRow, StudentMark, SubjectStat, TeacherAlert, UploadEntry, UploadStatus,
    UserCredentials, UserRow, ValueAddedReport,
};
