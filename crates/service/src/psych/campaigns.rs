//! Screening campaigns: created by the school's counsellor, listed for whoever may see the
//! school's psych aggregates.
use time::Date;
use time::macros::format_description;
use wuyu_domain::{SchoolId, Scope, Viewer};
use wuyu_standards::scales::BuiltinScale;
use wuyu_store::psych::scales::{ScaleRef, ScaleVersion};
use wuyu_store::psych::{Campaign, NewCampaign};

use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// A campaign as a form or the CLI gives it.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: String,
    pub school_year: i32,
    /// Scale codes: phq9, phqa, gad7, asq.
    pub scales: Vec<String>,
    pub grades: Vec<u8>,
    pub opens_on: String,
    pub closes_on: String,
    /// A district scale: `code@version`, or `code` for its newest version; empty for none.
    pub custom_scale: String,
}

fn date(field: &str, s: &str) -> Result<Date, ServiceError> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        ServiceError::BadRequest(format!("{field}“{s}”无效：应为 yyyy-mm-dd 格式的日期"))
    })
}

/// Checks the input; every problem is a Chinese message naming the field and value.
fn validate(c: &CampaignInput) -> Result<NewCampaign, ServiceError> {
    let bad = |m: String| Err(ServiceError::BadRequest(m));
    if c.name.trim().is_empty() {
        return bad("筛查名称不能为空".into());
    }
    let mut scales = Vec::new();
    for s in &c.scales {
        match BuiltinScale::parse(s) {
            Some(b) if !scales.contains(&b) => scales.push(b),
            Some(_) => {}
            None => return bad(format!("量表“{s}”无法识别：可选 phq9、phqa、gad7、asq")),
        }
    }
    if scales.is_empty() && c.custom_scale.trim().is_empty() {
        return bad("至少选择一个量表".into());
    }
    if scales.contains(&BuiltinScale::Phq(wuyu_standards::scales::PhqVersion::Phq9))
        && scales.contains(&BuiltinScale::Phq(wuyu_standards::scales::PhqVersion::PhqA))
    {
        return bad("PHQ-9 与 PHQ-A 只能选一个".into());
    }
    if c.grades.is_empty() {
        return bad("至少选择一个年级".into());
    }
    if let Some(g) = c.grades.iter().find(|g| !(1..=12).contains(*g)) {
        return bad(format!("年级“{g}”无效：应为 1–12"));
    }
    if !(2000..=2100).contains(&c.school_year) {
        return bad(format!("学年“{}”无效", c.school_year));
    }
    let (opens, closes) = (
        date("开始日期", &c.opens_on)?,
        date("结束日期", &c.closes_on)?,
    );
    if closes < opens {
        return bad(format!("结束日期 {closes} 早于开始日期 {opens}"));
    }
    let mut grades = c.grades.clone();
    grades.sort_unstable();
    grades.dedup();
    Ok(NewCampaign {
        name: c.name.trim().to_string(),
        school_year: c.school_year,
        scales,
        grades,
        opens_on: opens.to_string(),
        closes_on: closes.to_string(),
        custom_scale: None,
        created_by: String::new(),
        created_at: 0,
    })
}

pub async fn create_campaign(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    input: &CampaignInput,
) -> Result<i64, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_campaign:new").await?;
    let mut c = validate(input)?;
    c.custom_scale = pin_scale(svc, &viewer.scope, &input.custom_scale).await?;
    c.created_by = who.username.clone();
    c.created_at = now_unix();
    let id = svc.store().create_campaign(&token, &c).await?;
    record(
        svc,
        who,
        "psych_create_campaign",
        Some(school),
        format!("psych_campaign:{id}"),
        match &c.custom_scale {
            Some(s) => format!("{} scale={}@{}", c.name, s.code, s.version),
            None => c.name.clone(),
        },
    )
    .await?;
    Ok(id)
}

/// The version a campaign pins: the one named, or the newest of the code.
async fn pin_scale(
    svc: &Service,
    scope: &Scope,
    text: &str,
) -> Result<Option<ScaleRef>, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (code, version) = match text.split_once('@') {
        Some((c, v)) => (
            c.trim(),
            Some(v.trim().parse::<i32>().map_err(|_| {
                ServiceError::BadRequest(format!("自定义量表“{text}”的版本号“{v}”无效"))
            })?),
        ),
        None => (text, None),
    };
    let versions: Vec<ScaleVersion> = svc
        .store()
        .scales(scope)
        .await?
        .into_iter()
        .filter(|s| s.code == code)
        .collect();
    // Listed newest first.
    let found = match version {
        Some(v) => versions.iter().find(|s| s.version == v),
        None => versions.first(),
    };
    match found {
        Some(s) => Ok(Some(ScaleRef {
            code: s.code.clone(),
            version: s.version,
        })),
        None => Err(ServiceError::BadRequest(format!(
            "自定义量表“{text}”不存在：请先由区级管理员载入量表定义"
        ))),
    }
}

/// A school's campaigns (no individual data), newest first.
pub async fn campaigns(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<Vec<Campaign>, ServiceError> {
    Ok(svc.store().campaigns(&viewer.scope, school).await?)
}
