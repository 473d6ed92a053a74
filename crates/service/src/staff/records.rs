//! A school's development records as a page shows them: every roster teacher the viewer may
//! see with their training (hours in the current five-year cycle against the district's
//! requirement), titles and 工作室 memberships; and the forms that add one record at a time.
//! Rights as the appraisal's: a teacher reads only their own records; a school admin reads and
//! adds for their school; district roles read everything, the district admin adds anywhere.
//! Every form field is checked and refused in Chinese before anything is written; each write
//! carries its audit entry in the same transaction.
use serde::Serialize;
use time::Date;
use wuyu_domain::{Capability, SchoolId, TeacherId, Viewer};
use wuyu_store::AuditEntry;
use wuyu_store::staff::{
    NewStudio, NewTitle, NewTraining, StaffReader, StaffTeacher, StudioRole, StudioRow, TitleKind,
    TitleLevel, TitleRow, TrainingLevel, TrainingRow,
};

use super::appraisal::{manages, reader};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// Continuing-education cycles run five calendar years (2021–2025, 2026–2030, …).
const FIRST_CYCLE: i32 = 2021;

/// The five calendar years of the cycle holding `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cycle {
    pub first: i32,
    pub last: i32,
}

impl Cycle {
    pub fn of(year: i32) -> Cycle {
        let first = FIRST_CYCLE + 5 * (year - FIRST_CYCLE).div_euclid(5);
        Cycle {
            first,
            last: first + 4,
        }
    }

    /// Is the ISO date `d` (yyyy-mm-dd) inside the cycle?
    pub fn holds(&self, d: &str) -> bool {
        d.get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .is_some_and(|y| (self.first..=self.last).contains(&y))
    }
}

/// One teacher's records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherRecords {
    pub teacher: StaffTeacher,
    pub training: Vec<TrainingRow>,
    pub titles: Vec<TitleRow>,
    pub studios: Vec<StudioRow>,
    /// Training hours taken within the cycle.
    pub cycle_hours: f64,
    /// `cycle_hours` ≥ the requirement.
    pub met: bool,
}

/// A school's development records as far as the viewer reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Records {
    pub school: SchoolId,
    pub cycle: Cycle,
    /// The district's requirement per teacher per cycle (a setting; 360 by default).
    pub required_hours: u32,
    pub teachers: Vec<TeacherRecords>,
}

/// The development records of `school` in the cycle holding `year`. Personnel data, like the
/// appraisal: the read is audited (whose records — a school's or the teacher's own — and how
/// many teachers) before anything is returned; a read that cannot be audited fails.
pub async fn records(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<Records, ServiceError> {
    let reader = reader(viewer, school)?;
    // A district reader narrows to the school asked for.
    let reader = match reader {
        StaffReader::District => StaffReader::School(school),
        r => r,
    };
    let store = svc.store();
    let teachers = store.staff_teachers(reader).await?;
    let training = store.training(reader).await?;
    let titles = store.titles(reader).await?;
    let studios = store.studios(reader).await?;
    let required = crate::settings::district_settings(svc)
        .await?
        .training_cycle_hours
        .0;
    let cycle = Cycle::of(year);
    let teachers: Vec<TeacherRecords> = teachers
        .into_iter()
        .map(|t| {
            let mine = |id: TeacherId| id == t.teacher_id;
            let training: Vec<TrainingRow> = training
                .iter()
                .filter(|r| mine(r.teacher_id))
                .cloned()
                .collect();
            let cycle_hours: f64 = training
                .iter()
                .filter(|r| cycle.holds(&r.taken_on))
                .map(|r| r.hours)
                .sum();
            TeacherRecords {
                titles: titles
                    .iter()
                    .filter(|r| mine(r.teacher_id))
                    .cloned()
                    .collect(),
                studios: studios
                    .iter()
                    .filter(|r| mine(r.teacher_id))
                    .cloned()
                    .collect(),
                met: cycle_hours + 1e-9 >= f64::from(required),
                cycle_hours,
                training,
                teacher: t,
            }
        })
        .collect();
    let (action, entity) = match reader {
        StaffReader::Teacher(_, t) => (
            "read_own_development",
            format!("staff_development:{}:{}", school.0, t.0),
        ),
        _ => (
            "read_development",
            format!("staff_development:{}", school.0),
        ),
    };
    let mut entry = audit(
        who,
        action,
        school,
        format!(
            "cycle={}-{} teachers={}",
            cycle.first,
            cycle.last,
            teachers.len()
        ),
    );
    entry.entity = entity;
    crate::audit::append(svc, &entry).await?;
    Ok(Records {
        school,
        cycle,
        required_hours: required,
        teachers,
    })
}

/// The training form as typed.
#[derive(Debug, Clone, Default)]
pub struct TrainingForm {
    pub staff_no: String,
    pub course: String,
    pub taken_on: String,
    pub hours: String,
    pub level: String,
    pub provider: String,
}

/// The title form as typed.
#[derive(Debug, Clone, Default)]
pub struct TitleForm {
    pub staff_no: String,
    pub title: String,
    pub level: String,
    pub year: String,
}

/// The 工作室 form as typed.
#[derive(Debug, Clone, Default)]
pub struct StudioForm {
    pub staff_no: String,
    pub studio: String,
    pub role: String,
    pub level: String,
    pub year: String,
}

fn bad(field: &str, value: &str, why: &str) -> ServiceError {
    ServiceError::BadRequest(format!("“{field}”（{}）{why}", value.trim()))
}

fn text(field: &str, value: &str, max: usize) -> Result<String, ServiceError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServiceError::BadRequest(format!("“{field}”不能为空")));
    }
    if v.chars().count() > max {
        return Err(bad(field, v, &format!("太长：最多 {max} 个字")));
    }
    Ok(v.to_string())
}

fn year_of(field: &str, value: &str) -> Result<i32, ServiceError> {
    match value.trim().parse::<i32>() {
        Ok(y) if (1950..=2100).contains(&y) => Ok(y),
        _ => Err(bad(field, value, "不是 1950 到 2100 之间的年份")),
    }
}

/// The teacher of `staff_no` in the school's roster.
async fn teacher(
    svc: &Service,
    school: SchoolId,
    staff_no: &str,
) -> Result<TeacherId, ServiceError> {
    let no = text("工号", staff_no, 40)?;
    svc.store()
        .teacher_by_staff_no(school, &no)
        .await?
        .ok_or_else(|| {
            bad(
                "工号",
                &no,
                "不在本校教师名单中：请先在花名册中导入这名教师",
            )
        })
}

fn audit(who: &Requester, action: &str, school: SchoolId, detail: String) -> AuditEntry {
    AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: action.to_string(),
        school_id: Some(school),
        entity: format!("school:{}", school.0),
        detail,
        ip: who.ip.clone(),
    }
}

/// Adds one training course (replacing the same course on the same day).
pub async fn add_training(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    f: &TrainingForm,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let course = text("培训项目", &f.course, 100)?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let taken_on = Date::parse(f.taken_on.trim(), fmt)
        .map_err(|_| bad("培训日期", &f.taken_on, "不是日期：应写成 2025-03-01"))?;
    if taken_on > time::OffsetDateTime::now_utc().date() {
        return Err(bad(
            "培训日期",
            &f.taken_on,
            "在今天之后：只能登记已参加的培训",
        ));
    }
    let hours = match f.hours.trim().parse::<f64>() {
        Ok(h) if h > 0.0 && h <= 1000.0 => h,
        _ => return Err(bad("学时", &f.hours, "应是大于 0、不超过 1000 的数")),
    };
    let level = TrainingLevel::parse(&f.level)
        .ok_or_else(|| bad("培训层级", &f.level, "应为 普及、骨干 或 高端"))?;
    let provider = text("培训机构", &f.provider, 100)?;
    let teacher_id = teacher(svc, school, &f.staff_no).await?;
    let row = NewTraining {
        teacher_id,
        course,
        taken_on: taken_on.to_string(),
        hours,
        level,
        provider,
    };
    let a = audit(
        who,
        "add_training",
        school,
        format!(
            "teacher={} course={} hours={hours}",
            teacher_id.0, row.course
        ),
    );
    svc.store()
        .import_training(school, std::slice::from_ref(&row), &a)
        .await?;
    Ok(())
}

/// Adds one title (骨干教师, 学科带头人, 名师, 名校长) with its level and year.
pub async fn add_title(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    f: &TitleForm,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let title = TitleKind::parse(&f.title).ok_or_else(|| {
        bad(
            "称号",
            &f.title,
            "应为 骨干教师、学科带头人、名师 或 名校长",
        )
    })?;
    let level = TitleLevel::parse(&f.level)
        .ok_or_else(|| bad("级别", &f.level, "应为 区级、市级、省级 或 国家级"))?;
    let year = year_of("认定年份", &f.year)?;
    let teacher_id = teacher(svc, school, &f.staff_no).await?;
    let a = audit(
        who,
        "add_title",
        school,
        format!(
            "teacher={} title={} level={} year={year}",
            teacher_id.0,
            title.code(),
            level.code()
        ),
    );
    let row = NewTitle {
        teacher_id,
        title,
        level,
        year,
    };
    svc.store()
        .import_titles(school, std::slice::from_ref(&row), &a)
        .await?;
    Ok(())
}

/// Adds (or replaces) a teacher's membership of a 工作室.
pub async fn add_studio(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    f: &StudioForm,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let studio = text("工作室", &f.studio, 100)?;
    let role =
        StudioRole::parse(&f.role).ok_or_else(|| bad("身份", &f.role, "应为 主持人 或 成员"))?;
    let level = TitleLevel::parse(&f.level)
        .ok_or_else(|| bad("级别", &f.level, "应为 区级、市级、省级 或 国家级"))?;
    let joined_year = year_of("加入年份", &f.year)?;
    let teacher_id = teacher(svc, school, &f.staff_no).await?;
    let a = audit(
        who,
        "add_studio",
        school,
        format!(
            "teacher={} studio={studio} role={}",
            teacher_id.0,
            role.code()
        ),
    );
    let row = NewStudio {
        teacher_id,
        studio,
        role,
        level,
        joined_year,
    };
    svc.store().add_studio(school, &row, &a).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cycle;

    #[test]
    fn cycles_are_five_calendar_years_from_2021() {
        assert_eq!(
            Cycle::of(2024),
            Cycle {
                first: 2021,
                last: 2025
            }
        );
        assert_eq!(
            Cycle::of(2025),
            Cycle {
                first: 2021,
                last: 2025
            }
        );
        assert_eq!(
            Cycle::of(2026),
            Cycle {
                first: 2026,
                last: 2030
            }
        );
        assert_eq!(
            Cycle::of(2019),
            Cycle {
                first: 2016,
                last: 2020
            }
        );
        let c = Cycle::of(2024);
        assert!(c.holds("2021-01-01") && c.holds("2025-12-31"));
        assert!(!c.holds("2020-12-31") && !c.holds("2026-01-01"));
    }
}
