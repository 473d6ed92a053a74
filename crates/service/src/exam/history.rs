//! A student's exam history: the marks of every exam the student sat, oldest first, with the
//! standing (and the district rank, with the ranks token) in each.
use wuyu_domain::{RanksToken, SchoolId, StudentId, Viewer};
use wuyu_store::StudentExamRow;

use crate::ranks::student_ranks_token;
use crate::{Service, ServiceError};

#[derive(Debug, Clone)]
pub struct StudentExams {
    pub rows: Vec<StudentExamRow>,
    /// Parents never hold it: they see the marks without ranks.
    pub ranks: Option<RanksToken>,
}

/// The exams of `student`, if the viewer's scope reaches the student's marks (`Forbidden`
/// for counsellors, who read no marks).
pub async fn student_exams(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
) -> Result<StudentExams, ServiceError> {
    let rows = svc
        .store()
        .student_exams(&viewer.scope, school, student)
        .await?;
    let ranks = student_ranks_token(svc, viewer).await?;
    Ok(StudentExams { rows, ranks })
}
