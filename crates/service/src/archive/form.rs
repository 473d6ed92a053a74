//! The 班主任's one form for a class activity: the fields as typed, checked field by field
//! (each error in Chinese, next to its field), then recorded for the whole class or the
//! ticked students. A student not in the class is refused by name; nothing is half-written.
use std::collections::BTreeSet;

use time::Date;
use time::macros::format_description;
use wuyu_domain::{ActivityCategory, ClassId, SchoolId, StudentId, StudentStatus, Tenths, Term};
use wuyu_monitor::archive::{RecordCheckError, RecordSpan, check_record};

use super::evidence::check_files;
use super::records::{ActivityInput, record_activity_with_evidence};
use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::{Service, ServiceError};
use wuyu_domain::Viewer;

/// The form's fields as typed (every field a string, so a refused form is shown again as
/// it was typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ActivityForm {
    pub category: String,
    pub date: String,
    #[serde(default)]
    pub end_date: String,
    pub hours: String,
    #[serde(default)]
    pub travel: String,
    #[serde(default)]
    pub organiser: String,
    pub description: String,
}

/// One field's problem: the field's name in the form and the message in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

pub(super) fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Checks every field and the record as a whole against `term`; all problems at once.
pub fn parse_activity(form: &ActivityForm, term: Term) -> Result<ActivityInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let category = ActivityCategory::parse(&form.category);
    if category.is_none() {
        errors.push(err(
            "category",
            format!("类别“{}”无效，请从列表中选择", form.category),
        ));
    }
    let date = parse_date(&form.date);
    if date.is_none() {
        errors.push(err(
            "date",
            format!("日期“{}”无效，格式为 2025-11-20", form.date),
        ));
    }
    let end_date = match form.end_date.trim() {
        "" => Some(None),
        s => parse_date(s).map(Some),
    };
    if end_date.is_none() {
        errors.push(err(
            "end_date",
            format!("结束日期“{}”无效，格式为 2025-11-21", form.end_date),
        ));
    }
    let hours = Tenths::parse(&form.hours);
    if hours.is_none() {
        errors.push(err(
            "hours",
            format!("时长“{}”无效，请填写小时数（最多一位小数）", form.hours),
        ));
    }
    let travel = match form.travel.trim() {
        "" => Some(Tenths(0)),
        s => Tenths::parse(s),
    };
    if travel.is_none() {
        errors.push(err(
            "travel",
            format!(
                "路程时间“{}”无效，请填写小时数（最多一位小数）",
                form.travel
            ),
        ));
    }
    if form.description.trim().is_empty() {
        errors.push(err("description", "活动内容不能为空"));
    }
    let (Some(category), Some(date), Some(end_date), Some(hours), Some(travel)) =
        (category, date, end_date, hours, travel)
    else {
        return Err(errors);
    };
    if let Err(e) = check_record(RecordSpan { date, end_date }, hours, travel, term) {
        let field = match e {
            RecordCheckError::NegativeHours(_) | RecordCheckError::OverSpan { .. } => "hours",
            RecordCheckError::EndBeforeStart { .. } => "end_date",
            RecordCheckError::BadTravel { .. } => "travel",
            RecordCheckError::OutsideTerm { date: d, .. } if Some(d) == end_date => "end_date",
            RecordCheckError::OutsideTerm { .. } => "date",
        };
        errors.push(err(field, e.to_string()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ActivityInput {
        category,
        term,
        date,
        end_date,
        hours,
        travel,
        organiser: form.organiser.trim().to_string(),
        description: form.description.trim().to_string(),
    })
}

/// Whom a class activity is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attendees {
    WholeClass,
    Students(Vec<StudentId>),
}

/// Why a class activity was not recorded.
#[derive(Debug)]
pub enum ClassRecordError {
    /// Problems with the typed fields (shown next to each field).
    Fields(Vec<FieldError>),
    Service(ServiceError),
}

impl From<ServiceError> for ClassRecordError {
    fn from(e: ServiceError) -> Self {
        ClassRecordError::Service(e)
    }
}

/// Records the form's activity, with its evidence files, for the whole class or the ticked
/// students of `class`, all or nothing. Returns the new record ids.
#[allow(clippy::too_many_arguments)]
pub async fn record_class_activity(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    class: ClassId,
    term: Term,
    attendees: &Attendees,
    form: &ActivityForm,
    files: &[UploadedFile],
) -> Result<Vec<i64>, ClassRecordError> {
    let input = parse_activity(form, term);
    // The class itself must be in reach (a parent's scope reaches a child, never a class).
    svc.store()
        .class(&viewer.scope, school, class)
        .await
        .map_err(ServiceError::from)?;
    let roster = svc
        .store()
        .list_students(&viewer.scope, school, Some(class))
        .await
        .map_err(ServiceError::from)?;
    // Only students 在读 take part: a class that lost a pupil (转出, 辍学) records for the rest.
    let in_class: BTreeSet<StudentId> = roster
        .iter()
        .filter(|s| s.status == StudentStatus::Enrolled)
        .map(|s| s.id)
        .collect();
    let mut errors = match &input {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    let students: Vec<StudentId> = match attendees {
        Attendees::WholeClass => in_class.iter().copied().collect(),
        Attendees::Students(ids) => ids.clone(),
    };
    if let Some(outside) = students.iter().find(|s| !in_class.contains(s)) {
        let message = match roster.iter().find(|s| s.id == *outside) {
            Some(left) => format!("{}已不在读，未记录", left.name.as_str()),
            None => format!("学生（编号 {}）不在本班，未记录", outside.0),
        };
        errors.push(err("students", message));
    } else if students.is_empty() {
        errors.push(err("students", "请至少勾选一名学生，或选择“全班”"));
    }
    if let Err(why) = check_files(files) {
        errors.push(err("evidence", why));
    }
    if !errors.is_empty() {
        return Err(ClassRecordError::Fields(errors));
    }
    let input = input.map_err(ClassRecordError::Fields)?;
    Ok(record_activity_with_evidence(svc, viewer, who, school, &students, &input, files).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wuyu_domain::TermPart;

    fn term() -> Term {
        Term::new(2025, TermPart::Autumn).unwrap()
    }

    fn form() -> ActivityForm {
        ActivityForm {
            category: "志愿服务".into(),
            date: "2025-11-20".into(),
            end_date: String::new(),
            hours: "2.5".into(),
            travel: "0.5".into(),
            organiser: "社区".into(),
            description: " 敬老院服务 ".into(),
        }
    }

    fn fields(r: Result<ActivityInput, Vec<FieldError>>) -> Vec<&'static str> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_form_becomes_the_activity() {
        let a = parse_activity(&form(), term()).unwrap();
        assert_eq!(a.category, ActivityCategory::Volunteer);
        assert_eq!(a.hours, Tenths(25));
        assert_eq!(a.travel, Tenths(5));
        assert_eq!(a.description, "敬老院服务");
    }

    #[test]
    fn each_problem_is_named_at_its_field() {
        let mut f = form();
        f.category = "打游戏".into();
        f.hours = "两小时".into();
        f.description = " ".into();
        assert_eq!(
            fields(parse_activity(&f, term())),
            ["category", "hours", "description"]
        );
        let mut f = form();
        f.hours = "25".into();
        assert_eq!(fields(parse_activity(&f, term())), ["hours"]);
        let mut f = form();
        f.date = "2025-05-01".into();
        let e = parse_activity(&f, term()).unwrap_err();
        assert_eq!(e[0].field, "date");
        assert!(e[0].message.contains("2025-05-01"), "{e:?}");
        let mut f = form();
        f.end_date = "2025-11-19".into();
        assert_eq!(fields(parse_activity(&f, term())), ["end_date"]);
        let mut f = form();
        f.travel = "3".into();
        assert_eq!(fields(parse_activity(&f, term())), ["travel"]);
    }
}
