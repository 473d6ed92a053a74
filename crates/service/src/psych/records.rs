//! Individual records: consent, responses, one student's file. Each read is audited before
//! the rows are handed out.
use wuyu_domain::{SchoolId, StudentId, Viewer};
use wuyu_store::psych::{
    ConsentChannel, ConsentRow, GuardianConsent, NewConsent, RecordAccess, ResponseRow,
    StudentPsychRecord,
};

use super::audit::{counsellor, now_unix, record, refused};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// A consent decision as a form gives it.
#[derive(Debug, Clone)]
pub struct ConsentInput {
    pub campaign_id: i64,
    pub student_id: StudentId,
    pub guardian: GuardianConsent,
    pub assent: bool,
    /// yyyy-mm-dd
    pub decided_on: String,
    pub channel: ConsentChannel,
}

pub async fn record_consent(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    c: &ConsentInput,
) -> Result<(), ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_consent").await?;
    if time::Date::parse(
        c.decided_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .is_err()
    {
        return Err(ServiceError::BadRequest(format!(
            "日期“{}”无效：应为 yyyy-mm-dd 格式",
            c.decided_on
        )));
    }
    svc.store()
        .record_consent(
            &token,
            &NewConsent {
                campaign_id: c.campaign_id,
                student_id: c.student_id,
                guardian: c.guardian,
                assent: c.assent,
                decided_on: c.decided_on.trim().to_string(),
                channel: c.channel,
                recorded_by: who.username.clone(),
                recorded_at: now_unix(),
            },
        )
        .await?;
    record(
        svc,
        who,
        "psych_record_consent",
        Some(school),
        format!("student:{}", c.student_id.0),
        format!(
            "campaign={} guardian={} assent={} channel={}",
            c.campaign_id,
            c.guardian.code(),
            c.assent,
            c.channel.code()
        ),
    )
    .await
}

pub async fn consents(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign: i64,
) -> Result<Vec<ConsentRow>, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_consent").await?;
    let rows = svc.store().consents(&token, campaign).await?;
    record(
        svc,
        who,
        "psych_read_consents",
        Some(school),
        format!("psych_campaign:{campaign}"),
        format!("rows={}", rows.len()),
    )
    .await?;
    Ok(rows)
}

/// A parent's own child's consent forms.
pub async fn child_consents(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    student: StudentId,
) -> Result<Vec<ConsentRow>, ServiceError> {
    let school = viewer.scope.school_id();
    let rows = match svc.store().child_consents(&viewer.scope, student).await {
        Ok(r) => r,
        Err(wuyu_store::StoreError::Forbidden) => {
            return Err(refused(svc, viewer, who, school, &format!("student:{}", student.0)).await);
        }
        Err(e) => return Err(e.into()),
    };
    record(
        svc,
        who,
        "psych_read_child_consent",
        school,
        format!("student:{}", student.0),
        format!("rows={}", rows.len()),
    )
    .await?;
    Ok(rows)
}

/// A campaign's responses with answers and scores: the counsellor only.
pub async fn responses(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign: i64,
) -> Result<Vec<ResponseRow>, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_responses").await?;
    let rows = svc.store().responses(&token, campaign).await?;
    record(
        svc,
        who,
        "psych_read_responses",
        Some(school),
        format!("psych_campaign:{campaign}"),
        format!("rows={}", rows.len()),
    )
    .await?;
    Ok(rows)
}

/// One student's file, for the school's counsellor.
pub async fn student_record(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<StudentPsychRecord, ServiceError> {
    let entity = format!("student:{}", student.0);
    let token = counsellor(svc, viewer, who, school, &entity).await?;
    record(
        svc,
        who,
        "psych_read_record",
        Some(school),
        entity,
        String::new(),
    )
    .await?;
    Ok(svc
        .store()
        .student_record(RecordAccess::Counsellor(&token), student)
        .await?)
}

/// Break-glass: a district admin reads one student's file with a typed reason. The reason is
/// logged (and shown on the counsellor's page) before anything is read.
pub async fn break_glass_record(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    reason: &str,
) -> Result<StudentPsychRecord, ServiceError> {
    let entity = format!("student:{}", student.0);
    let Some(token) = viewer.break_glass(school, student, reason) else {
        if viewer.can(wuyu_domain::Capability::PsychBreakGlass) {
            return Err(ServiceError::BadRequest(format!(
                "紧急查阅必须填写理由（至少 {} 个字）",
                wuyu_domain::access::MIN_BREAK_GLASS_REASON
            )));
        }
        return Err(refused(svc, viewer, who, Some(school), &entity).await);
    };
    record(
        svc,
        who,
        "psych_break_glass",
        Some(school),
        entity,
        format!("reason={}", token.reason()),
    )
    .await?;
    Ok(svc
        .store()
        .student_record(RecordAccess::BreakGlass(&token), student)
        .await?)
}

/// Break-glass by 学籍号, as the form gives it: the capability is checked (and a refusal
/// audited) before the number is looked up, so no one without the right learns whether a
/// student exists.
pub async fn break_glass_by_student_no(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student_no: &str,
    reason: &str,
) -> Result<(String, StudentPsychRecord), ServiceError> {
    if !viewer.can(wuyu_domain::Capability::PsychBreakGlass) || !viewer.scope.is_district() {
        return Err(refused(svc, viewer, who, Some(school), "psych_break_glass").await);
    }
    let no = student_no.trim();
    let student = svc
        .store()
        .list_students(&viewer.scope, school, None)
        .await?
        .into_iter()
        .find(|s| s.student_no.as_str() == no)
        .ok_or_else(|| ServiceError::BadRequest(format!("该校没有学籍号为“{no}”的学生")))?;
    let rec = break_glass_record(svc, viewer, who, school, student.id, reason).await?;
    Ok((student.name.as_str().to_string(), rec))
}
