//! What leaves the appraisal page: the personnel office's table (XLSX, every teacher with
//! inputs, level and its reason) and the 公示 list (names of the proposed 优秀 only — no
//! scores, no other levels: Art. 17 publishes the 优秀 proposal). Both are audited reads.
use serde::Serialize;
use wuyu_analytics::appraisal::{Level, Sanction, TeachingBasis};
use wuyu_domain::{SchoolId, Viewer};
use wuyu_report::exam::{Cell, NumFormat, Sheet};
use wuyu_store::staff::{AppraisalRow, AppraisalState, ScoreBasis, ScoreSources, StaffReader};

use super::appraisal::{AppraisalView, read_as, reader};
use crate::audit::Requester;
use crate::exam::export::{XlsxFile, xlsx};
use crate::{Service, ServiceError};

/// Why a teacher has their level, in Chinese: the out-of-N case, the 师德 veto, a sanction's
/// cap, the tie at the cap, the committee's reason. Empty when the score alone decided.
pub fn level_reason_zh(r: &AppraisalRow) -> String {
    let i = &r.input;
    let mut parts: Vec<String> = Vec::new();
    match i.level {
        Level::Deferred => parts.push("正在接受调查，暂缓确定等次".into()),
        Level::CommentOnly => parts.push("初次就业不满 6 个月，只写评语".into()),
        Level::NoLevel => parts.push("病事假累计满 183 天，不确定等次".into()),
        Level::Committee => parts.push("与优秀名额上限处的教师并列，需集体研究".into()),
        _ => {}
    }
    if i.ethics_violation {
        parts.push("师德一票否决：违反职业道德行为，定为不合格，不参加评优".into());
    }
    if let Some(s) = i.sanction {
        let cap = match s {
            Sanction::Warning => "合格",
            Sanction::Demerit => "基本合格",
            Sanction::Demotion | Sanction::Dismissal => "不合格",
        };
        parts.push(format!("受{}处分：等次至多{cap}，不参加评优", s.label_zh()));
    }
    if let Some(c) = &i.committee_reason {
        parts.push(format!("集体研究：{c}"));
    }
    parts.join("；")
}

/// A weight as shown: at most three decimals, trailing zeros dropped (0.625, 0.5).
fn weight_text(w: f64) -> String {
    let t = format!("{w:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The values of the five sources in `SourceKind::ALL` order.
fn source_values(org: Option<f64>, s: &ScoreSources) -> [Option<f64>; 5] {
    [
        org,
        s.peer_score,
        s.parent_score,
        s.teaching_score,
        s.workload_score,
    ]
}

/// The composed score's arithmetic, e.g. `0.5×88.00 + 0.3×87.67 + 0.2×80.00 = 86.30`, with
/// the weights actually used (re-normalised when a source was missing). Empty for an uploaded
/// score.
pub fn score_arithmetic_zh(r: &AppraisalRow) -> String {
    let i = &r.input;
    let (Some(w), Some(score)) = (i.sources.weights, i.score) else {
        return String::new();
    };
    if i.sources.score_basis != ScoreBasis::Composed {
        return String::new();
    }
    let terms: Vec<String> = w
        .iter()
        .zip(source_values(i.org_score, &i.sources))
        .filter_map(|(&w, v)| {
            v.filter(|_| w > 0.0)
                .map(|v| format!("{}×{v:.2}", weight_text(w)))
        })
        .collect();
    format!("{} = {score:.2}", terms.join(" + "))
}

/// The sources missing from a composed score (their weight went to the others), e.g.
/// `缺少家长学生评价，其余权重已重新归一`; empty when none was missing.
pub fn missing_sources_zh(r: &AppraisalRow) -> String {
    let i = &r.input;
    if !i.sources.renormalised {
        return String::new();
    }
    let missing: Vec<&str> = i.sources.missing.iter().map(|k| k.label_zh()).collect();
    format!("缺少{}，其余权重已重新归一", missing.join("、"))
}

/// The peer source as shown: the trimmed mean with how many ratings it rests on, or why it
/// does not count (fewer than 3 raters after trimming).
pub fn peer_text_zh(s: &ScoreSources) -> String {
    let n = s.peer_ratings.len();
    match (n, s.peer_score) {
        (0, _) => String::new(),
        (n, Some(m)) if n >= 5 => format!("{m:.2}（{n} 人评，去掉最高、最低分后 {} 人）", n - 2),
        (n, Some(m)) => format!("{m:.2}（{n} 人评）"),
        (n, None) => format!("不计（{n} 人评，去掉最高、最低分后不足 3 人）"),
    }
}

/// Where the parent/student score came from: `师德评价问卷（30 人）`, `上传`, or empty when
/// there is none.
pub fn parent_origin_zh(s: &ScoreSources) -> String {
    match (s.parent_survey, s.parent_score) {
        (Some(o), _) => format!("师德评价问卷（{} 人）", o.n),
        (None, Some(_)) => "上传".into(),
        (None, None) => String::new(),
    }
}

/// Where the peer ratings came from: `同事互评问卷（12 人）`, `上传`, or empty.
pub fn peer_origin_zh(s: &ScoreSources) -> String {
    match s.peer_survey {
        Some(o) => format!("同事互评问卷（{} 人）", o.n),
        None if !s.peer_ratings.is_empty() => "上传".into(),
        None => String::new(),
    }
}

/// What the teaching result measured: `平行班比较`, `增值 +0.12 个标准差，区内百分等级`, or
/// empty when there is none.
pub fn teaching_origin_zh(s: &ScoreSources) -> String {
    match (s.teaching_basis, s.teaching_value_added) {
        (Some(TeachingBasis::ValueAdded), Some(v)) => {
            format!("增值 {v:+.3} 个标准差，换算为区内教师中的百分等级")
        }
        (Some(b), _) => b.label_zh().into(),
        (None, _) => String::new(),
    }
}

/// A school's round as the personnel office files it: district roles and the school's admin
/// (a teacher: `Forbidden`); `NotFound` without a round.
pub async fn appraisal_xlsx(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<XlsxFile, ServiceError> {
    let reader = reader(viewer, school)?;
    if matches!(reader, StaffReader::Teacher(..)) {
        return Err(ServiceError::Forbidden);
    }
    let v = read_as(svc, who, reader, school, year, "export_appraisal")
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = svc.store().school(&viewer.scope, school).await?.name;
    xlsx(
        &[appraisal_sheet(&name, &v)],
        format!("appraisal-{}-{year}.xlsx", school.0),
    )
}

pub const APPRAISAL_HEADERS: [&str; 27] = [
    "工号",
    "姓名",
    "考核得分",
    "组织评价得分",
    "初任月数",
    "病事假天数",
    "立案调查",
    "师德违规",
    "处分",
    "等次",
    "说明",
    "复核/申诉",
    "答复",
    "本人确认",
    "状态",
    "得分方式",
    "同事互评原始评分",
    "同事互评（截尾均值）",
    "家长学生评价",
    "教学成绩",
    "工作量",
    "使用的权重（组织/互评/家长学生/教学/工作量）",
    "得分构成",
    "缺少的来源",
    "家长学生评价来源",
    "同事互评来源",
    "教学成绩来源",
];

fn appraisal_sheet(school: &str, v: &AppraisalView) -> Sheet {
    let a = &v.arithmetic;
    let yes = |b: bool| Cell::Text(if b { "是" } else { "否" }.into());
    let num = |x: Option<f64>| x.map_or(Cell::Empty, |s| Cell::Number(s, NumFormat::Two));
    let rows = v
        .rows
        .iter()
        .map(|r| {
            let i = &r.input;
            vec![
                Cell::Text(r.staff_no.clone()),
                Cell::Text(r.teacher_name.clone()),
                i.score
                    .map_or(Cell::Empty, |s| Cell::Number(s, NumFormat::One)),
                i.org_score
                    .map_or(Cell::Empty, |s| Cell::Number(s, NumFormat::One)),
                i.first_job_months
                    .map_or(Cell::Empty, |m| Cell::Number(f64::from(m), NumFormat::Int)),
                Cell::Number(f64::from(i.leave_days), NumFormat::Int),
                yes(i.under_investigation),
                yes(i.ethics_violation),
                Cell::Text(i.sanction.map_or("", |s| s.label_zh()).into()),
                Cell::Text(i.level.label_zh().into()),
                Cell::Text(level_reason_zh(r)),
                Cell::Text(
                    r.appeal
                        .as_ref()
                        .map(|x| x.text.clone())
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    r.appeal
                        .as_ref()
                        .and_then(|x| x.answer.clone())
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    if r.confirmed_at.is_some() {
                        "已确认"
                    } else {
                        ""
                    }
                    .into(),
                ),
                Cell::Text(v.round.state.label_zh().into()),
                Cell::Text(i.sources.score_basis.label_zh().into()),
                Cell::Text(
                    i.sources
                        .peer_ratings
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                num(i.sources.peer_score),
                num(i.sources.parent_score),
                num(i.sources.teaching_score),
                num(i.sources.workload_score),
                Cell::Text(
                    i.sources
                        .weights
                        .map_or_else(String::new, |w| w.map(weight_text).join(" / ")),
                ),
                Cell::Text(score_arithmetic_zh(r)),
                Cell::Text(missing_sources_zh(r)),
                Cell::Text(parent_origin_zh(&i.sources)),
                Cell::Text(peer_origin_zh(&i.sources)),
                Cell::Text(teaching_origin_zh(&i.sources)),
            ]
        })
        .collect();
    Sheet {
        name: "年度考核".into(),
        title: format!(
            "{school} {}–{} 学年教师年度考核：参加定等次 N = {}，优秀上限 ⌊{}% × {}⌋ = ⌊{}⌋ = {} 名，已定优秀 {} 名",
            v.round.school_year,
            v.round.school_year + 1,
            a.n_base,
            a.quota_percent,
            a.n_base,
            a.product,
            a.cap,
            a.excellent
        ),
        headers: APPRAISAL_HEADERS.iter().map(|h| (*h).to_string()).collect(),
        rows,
    }
}

/// The 公示 list: the school, the year, the window and the proposed 优秀 by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicityList {
    pub school: String,
    pub school_year: i32,
    pub state: AppraisalState,
    pub publicity_until: Option<String>,
    pub n_base: u32,
    pub cap: u32,
    /// (工号, 姓名) of the proposed 优秀, by 工号.
    pub excellent: Vec<(String, String)>,
}

/// The 公示 list of a school's round: every role that reads the school's appraisal (its
/// teachers included — the list is posted for them); before the 公示 only the school's admin
/// and the district see it (a draft is not public). `NotFound` without a round.
pub async fn publicity_list(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<PublicityList, ServiceError> {
    let teacher = matches!(reader(viewer, school)?, StaffReader::Teacher(..));
    // The list names colleagues: it is read at the school's reach, and audited as such.
    let v = read_as(
        svc,
        who,
        StaffReader::School(school),
        school,
        year,
        "read_appraisal_publicity",
    )
    .await?
    .ok_or(ServiceError::NotFound)?;
    if teacher && v.round.state == AppraisalState::Draft {
        return Err(ServiceError::NotFound);
    }
    let name = svc.store().school(&viewer.scope, school).await?.name;
    let mut excellent: Vec<(String, String)> = v
        .rows
        .iter()
        .filter(|r| r.input.level == Level::Excellent)
        .map(|r| (r.staff_no.clone(), r.teacher_name.clone()))
        .collect();
    excellent.sort();
    Ok(PublicityList {
        school: name,
        school_year: v.round.school_year,
        state: v.round.state,
        publicity_until: v.round.publicity_until,
        n_base: v.round.n_base,
        cap: v.round.cap,
        excellent,
    })
}

/// The 公示 list as a PDF to post on the notice board: the same names and wording as the
/// page (no scores), read through [`publicity_list`] so it is audited the same way.
pub async fn publicity_pdf(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<Vec<u8>, ServiceError> {
    use wuyu_report::pdf::{Document, PdfError, TitledTable, render};
    let l = publicity_list(svc, viewer, who, school, year).await?;
    let window = match &l.publicity_until {
        Some(until) => format!("公示期至 {until}，不少于 5 个工作日"),
        None => "公示期不少于 5 个工作日".to_string(),
    };
    let table = TitledTable {
        title: format!(
            "{} {}–{} 学年教师年度考核拟定优秀等次人员公示",
            l.school,
            l.school_year,
            l.school_year + 1
        ),
        subtitle: Some(format!(
            "参加年度考核定等次的教职工 {} 人，优秀等次名额 {} 名。{window}；对公示内容有异议的，请在公示期内向学校考核委员会实名反映。",
            l.n_base, l.cap
        )),
        columns: ["序号", "工号", "姓名", "拟定等次"]
            .map(String::from)
            .to_vec(),
        rows: l
            .excellent
            .iter()
            .enumerate()
            .map(|(i, (no, name))| {
                vec![(i + 1).to_string(), no.clone(), name.clone(), "优秀".into()]
            })
            .collect(),
    };
    render(Document::Table, &table).map_err(|e| match e {
        PdfError::Unavailable(m) => ServiceError::BadRequest(m),
        other => ServiceError::Internal(other.to_string()),
    })
}
