//! A student's fitness and health records of every term, oldest first (the student page and
//! its API twin). The edges audit the read: refused reads too.
use wuyu_domain::{SchoolId, StudentId, Viewer};
use wuyu_store::FitnessRecord;

use crate::{Service, ServiceError};

pub async fn student_history(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
) -> Result<Vec<FitnessRecord>, ServiceError> {
    Ok(svc
        .store()
        .student_fitness(&viewer.scope, school, student)
        .await?)
}
