//! An exam's own score lines (优秀 / 良好 / 及格 / 低分): a 中考 and a 小学质量监测 use different
//! ones. Shown to everyone who sees the exam; set or cleared by the district admin, which
//! recomputes the exam's statistics at once (the store path the CLI uses) and is audited.
use wuyu_analytics::descriptive::{Line, RateLines};
use wuyu_domain::{Capability, ExamId, Viewer};
use wuyu_store::AuditEntry;

use crate::audit::{Requester, append};
use crate::{Service, ServiceError};

/// The lines an exam's rates use.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamLines {
    /// The exam's own lines; `None`: the district's apply.
    pub own: Option<RateLines>,
    pub district: RateLines,
}

impl ExamLines {
    pub fn in_use(&self) -> &RateLines {
        self.own.as_ref().unwrap_or(&self.district)
    }
}

/// The lines in words: "优秀 85%、良好 75%、及格 60%、低分 30%".
pub fn lines_zh(l: &RateLines) -> String {
    let one = |name: &str, line: Line| match line {
        Line::Fraction(f) => format!("{name} {}%", (f * 1000.0).round() / 10.0),
        Line::Absolute(a) => format!("{name} {a} 分"),
    };
    let mut parts = vec![one("优秀", l.excellent)];
    if let Some(g) = l.good {
        parts.push(one("良好", g));
    }
    parts.push(one("及格", l.pass));
    parts.push(one("低分", l.low));
    parts.join("、")
}

pub async fn lines(svc: &Service, viewer: &Viewer, id: ExamId) -> Result<ExamLines, ServiceError> {
    let store = svc.store();
    store.exam(&viewer.scope, id).await?;
    Ok(ExamLines {
        own: store.exam_lines(id).await?,
        district: store.exam_settings().await?.lines,
    })
}

/// May the viewer change an exam's lines (the district's settings are theirs)?
pub fn may_set_lines(viewer: &Viewer) -> bool {
    viewer.can(Capability::ManageSettings) && viewer.scope.is_district()
}

/// Sets (`Some`) or clears (`None`) the exam's own lines and recomputes its statistics.
pub async fn set_lines(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    id: ExamId,
    lines: Option<RateLines>,
) -> Result<(), ServiceError> {
    if !may_set_lines(viewer) {
        return Err(ServiceError::Forbidden);
    }
    let before = self::lines(svc, viewer, id).await?;
    svc.store().set_exam_lines(id, lines.as_ref()).await?;
    let describe = |l: &Option<RateLines>| match l {
        Some(l) => lines_zh(l),
        None => "按区级设置".to_string(),
    };
    append(
        svc,
        &AuditEntry {
            at: crate::archive::now_unix(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: "exam_lines".into(),
            school_id: None,
            entity: format!("exam:{id}"),
            detail: format!("{} → {}", describe(&before.own), describe(&lines)),
            ip: who.ip.clone(),
        },
    )
    .await
}
