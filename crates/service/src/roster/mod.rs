//! 学校与学生 (roster): the read models of the district home page (区级总览), a school's page,
//! a class page and the roster part of a student's page. The store filters every read by the
//! viewer's scope; a read outside it answers [`ServiceError::Forbidden`]. Audit entries carry
//! HTTP details, so the edge writes them (through [`crate::audit::append`]) around these calls.
use wuyu_domain::{
    Capability, ClassId, HEAD_TEACHER_SUBJECT, School, SchoolClass, SchoolId, Student, StudentId,
    Viewer, grants,
};
use wuyu_store::{AssignmentView, ClassSummary, OverviewCell, SchoolSummary, StoreError};

use crate::{Service, ServiceError};

pub(crate) mod import;
mod indicators;
mod people;
pub use import::{NO_ROSTER_ROWS, import_roster, preview_roster};
pub(crate) use indicators::facts as roster_facts;
pub use indicators::indicator;
pub use people::{student_flags, student_flags_if_allowed, teachers};

/// 区级总览: the district's name, enrolment by stage and location, and the schools in scope.
#[derive(Debug, Clone)]
pub struct DistrictHome {
    pub district_name: String,
    pub cells: Vec<OverviewCell>,
    pub schools: Vec<SchoolSummary>,
}

pub async fn district_home(svc: &Service, viewer: &Viewer) -> Result<DistrictHome, ServiceError> {
    let key = format!("roster::district_home {viewer:?}");
    svc.cached(key, compute_district_home(svc, viewer)).await
}

async fn compute_district_home(
    svc: &Service,
    viewer: &Viewer,
) -> Result<DistrictHome, ServiceError> {
    let store = svc.store();
    let cells = store.district_overview(&viewer.scope).await?;
    let schools = store.list_schools(&viewer.scope).await?;
    let district_name = store.district().await?.map(|d| d.name).unwrap_or_default();
    Ok(DistrictHome {
        district_name,
        cells,
        schools,
    })
}

/// The schools the viewer's scope reaches.
pub async fn schools(svc: &Service, viewer: &Viewer) -> Result<Vec<SchoolSummary>, ServiceError> {
    Ok(svc.store().list_schools(&viewer.scope).await?)
}

/// One school, if the viewer's scope reaches it.
pub async fn school(svc: &Service, viewer: &Viewer, id: SchoolId) -> Result<School, ServiceError> {
    Ok(svc.store().school(&viewer.scope, id).await?)
}

/// A school's page: the school, its classes in scope and (for administrators) who teaches what.
#[derive(Debug, Clone)]
pub struct SchoolView {
    pub school: School,
    pub classes: Vec<ClassSummary>,
    /// `None` when the viewer's role does not see teacher assignments.
    pub assignments: Option<Vec<AssignmentView>>,
}

/// The roles that see a school's teacher assignments: its administrators and the district's.
pub fn sees_assignments(viewer: &Viewer) -> bool {
    use wuyu_domain::Role as R;
    matches!(
        viewer.user.role,
        R::DistrictAdmin | R::DistrictAnalyst | R::SchoolAdmin
    )
}

pub async fn school_view(
    svc: &Service,
    viewer: &Viewer,
    id: SchoolId,
) -> Result<SchoolView, ServiceError> {
    let store = svc.store();
    let school = store.school(&viewer.scope, id).await?;
    let classes = store.list_classes(&viewer.scope, id).await?;
    let assignments = if sees_assignments(viewer) {
        Some(store.list_assignments(&viewer.scope, id).await?)
    } else {
        None
    };
    Ok(SchoolView {
        school,
        classes,
        assignments,
    })
}

/// A class page: the class and its students. Masked ID numbers are shown only to the roles
/// granted [`Capability::ViewIdNumbers`].
#[derive(Debug, Clone)]
pub struct ClassView {
    pub school: School,
    pub class: SchoolClass,
    /// The class's 班主任 (任课 rows with the subject 班主任), by 工号.
    pub head_teachers: Vec<AssignmentView>,
    pub students: Vec<Student>,
    pub shows_id_numbers: bool,
}

pub async fn class_view(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
) -> Result<ClassView, ServiceError> {
    let store = svc.store();
    let school_row = store.school(&viewer.scope, school).await?;
    let class_row = store.class(&viewer.scope, school, class).await?;
    let students = store
        .list_students(&viewer.scope, school, Some(class))
        .await?;
    let head_teachers = head_teachers(svc, viewer, school, class).await?;
    Ok(ClassView {
        school: school_row,
        class: class_row,
        head_teachers,
        students,
        shows_id_numbers: grants(viewer.user.role, Capability::ViewIdNumbers),
    })
}

/// A class in a school's class list, with its 班主任 names.
#[derive(Debug, Clone)]
pub struct ClassListRow {
    pub summary: ClassSummary,
    /// Empty when the roster names none, or the viewer does not see 任课 (a parent never
    /// reaches a class list).
    pub head_teachers: Vec<String>,
}

/// A school's classes in the viewer's scope with their type and 班主任.
pub async fn classes(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<Vec<ClassListRow>, ServiceError> {
    let store = svc.store();
    store.school(&viewer.scope, school).await?;
    let classes = store.list_classes(&viewer.scope, school).await?;
    let assignments = store.list_assignments(&viewer.scope, school).await?;
    Ok(classes
        .into_iter()
        .map(|summary| {
            let mut heads: Vec<&AssignmentView> = assignments
                .iter()
                .filter(|a| a.class_id == summary.class.id && a.subject == HEAD_TEACHER_SUBJECT)
                .collect();
            heads.sort_by(|a, b| a.staff_no.cmp(&b.staff_no));
            ClassListRow {
                head_teachers: heads.iter().map(|a| a.teacher_name.clone()).collect(),
                summary,
            }
        })
        .collect())
}

/// The 班主任 of a class (more than one when a school shares the role), in 工号 order.
pub async fn head_teachers(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
) -> Result<Vec<AssignmentView>, ServiceError> {
    let mut out: Vec<AssignmentView> = svc
        .store()
        .list_assignments(&viewer.scope, school)
        .await?
        .into_iter()
        .filter(|a| a.class_id == class && a.subject == HEAD_TEACHER_SUBJECT)
        .collect();
    out.sort_by(|a, b| a.staff_no.cmp(&b.staff_no));
    Ok(out)
}

/// A school's students in scope (a teacher: their classes only) with the classes they are in.
pub async fn school_students(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<(Vec<ClassSummary>, Vec<Student>), ServiceError> {
    let store = svc.store();
    // Answers 403/404 for the school itself before any roster is read.
    store.school(&viewer.scope, school).await?;
    let classes = store.list_classes(&viewer.scope, school).await?;
    let students = store.list_students(&viewer.scope, school, None).await?;
    Ok((classes, students))
}

/// The roster part of a student's page: the school and the student, if in scope.
pub async fn student(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
) -> Result<(School, Student), ServiceError> {
    let store = svc.store();
    let s = store.school(&viewer.scope, school).await?;
    let st = store.student(&viewer.scope, school, student).await?;
    Ok((s, st))
}

/// The student's class, `None` when the student is in no class the store knows.
pub async fn class_of_student(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
) -> Result<Option<SchoolClass>, ServiceError> {
    match svc
        .store()
        .class_of_student(&viewer.scope, school, student)
        .await
    {
        Ok(c) => Ok(Some(c)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}
