//! The school check: a school admin imports only for their school. What is outside it is a
//! row error like any other (file, sheet, row, column, value), so the preview lists it and
//! nothing is written; the district's imports are not checked here.
use std::collections::HashSet;

use wuyu_domain::{Origin, RosterBatch, RowError, SchoolCode, SchoolId, Viewer};

use crate::file::UploadedFile;
use crate::{Service, ServiceError};

pub(super) struct SchoolCheck {
    /// `None`: the district (no check).
    school: Option<Own>,
}

struct Own {
    code: SchoolCode,
    name: String,
    /// 学籍号 of the school's students.
    students: HashSet<String>,
}

impl SchoolCheck {
    pub async fn new(
        svc: &Service,
        viewer: &Viewer,
        school: Option<SchoolId>,
    ) -> Result<Self, ServiceError> {
        let Some(id) = school else {
            return Ok(Self { school: None });
        };
        let store = svc.store();
        let s = store.school(&viewer.scope, id).await?;
        let students = store
            .list_students(&viewer.scope, id, None)
            .await?
            .into_iter()
            .map(|st| st.student_no.as_str().to_string())
            .collect();
        Ok(Self {
            school: Some(Own {
                code: s.code,
                name: s.name,
                students,
            }),
        })
    }

    /// The school of rows in sheets without a 学校代码 column: the admin's own.
    pub fn default_school(&self) -> Option<SchoolCode> {
        self.school.as_ref().map(|o| o.code.clone())
    }

    /// Every roster row of another school.
    pub fn roster_errors(&self, file: &UploadedFile, b: &RosterBatch) -> Vec<RowError> {
        let Some(own) = &self.school else {
            return Vec::new();
        };
        let rows = b
            .schools
            .iter()
            .map(|s| (&s.origin, &s.code))
            .chain(b.classes.iter().map(|c| (&c.origin, &c.school_code)))
            .chain(b.students.iter().map(|s| (&s.origin, &s.school_code)))
            .chain(b.teachers.iter().map(|t| (&t.origin, &t.school_code)))
            .chain(b.assignments.iter().map(|a| (&a.origin, &a.school_code)));
        let mut errors: Vec<RowError> = rows
            .filter(|(_, code)| **code != own.code)
            .map(|(origin, code)| RowError {
                file: file.name.clone(),
                sheet: origin.sheet.clone(),
                row: origin.row,
                column: "学校代码".into(),
                value: code.to_string(),
                message_zh: format!(
                    "学校管理员只能导入本校（{}，学校代码 {}）的名册",
                    own.name, own.code
                ),
            })
            .collect();
        errors.sort_by(|a, b| (&a.sheet, a.row).cmp(&(&b.sheet, b.row)));
        errors
    }

    /// Every row whose 学籍号 is not a student of the admin's school.
    pub fn student_errors<'a>(
        &self,
        file: &UploadedFile,
        rows: impl Iterator<Item = (&'a Origin, &'a str)>,
    ) -> Vec<RowError> {
        let Some(own) = &self.school else {
            return Vec::new();
        };
        rows.filter(|(_, no)| !own.students.contains(*no))
            .map(|(origin, no)| RowError {
                file: file.name.clone(),
                sheet: origin.sheet.clone(),
                row: origin.row,
                column: "学籍号".into(),
                value: no.to_string(),
                message_zh: format!(
                    "学籍号 {no} 不是本校（{}）的学生：学校管理员只能导入本校学生的数据",
                    own.name
                ),
            })
            .collect()
    }
}
