//! XLSX layouts of the exam pages (issue 4): the district overview, the class comparison, a
//! class's student list, the item analysis and the parallel-class alerts.
//!
//! Every cell holds the store's number itself (a rate as the fraction, a mean unrounded) with a
//! display format that rounds the way the pages do (two decimals, percentages with two
//! decimals), so a spreadsheet recomputes from exact values and shows what the page shows.
//! Empty cells stand for "—" (no denominator, suppressed, not ranked); 缺考 is written as the
//! text 缺考, never as 0.
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, XlsxError};
use wuyu_monitor::exam::{
    Borderline, ExamStudentRow, ExamUnit, ExamUnitStat, ItemReport, StudentMark, SubjectStat,
    TOTAL, TeacherAlert,
};

/// How a number cell is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFormat {
    /// Whole number (counts).
    Int,
    /// One decimal (百分等级).
    One,
    /// Two decimals (means, scores, Z, T, coefficients).
    Two,
    /// Three decimals (reliability).
    Three,
    /// A fraction shown as a percentage with two decimals.
    Percent,
}

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, NumFormat),
    Empty,
}

impl Cell {
    fn opt(v: Option<f64>, f: NumFormat) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v, f))
    }

    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn count(n: usize) -> Cell {
        Cell::Number(n as f64, NumFormat::Int)
    }
}

/// One worksheet: a bold title in row 1, the headers in row 2 (frozen), then the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// At most 31 characters, none of `[]:*?/\` (Excel's rules); longer names are cut.
    pub name: String,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The sheets as one workbook.
pub fn sheets_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF2F7))
        .set_align(FormatAlign::Center);
    let formats = [
        (NumFormat::Int, Format::new().set_num_format("0")),
        (NumFormat::One, Format::new().set_num_format("0.0")),
        (NumFormat::Two, Format::new().set_num_format("0.00")),
        (NumFormat::Three, Format::new().set_num_format("0.000")),
        (NumFormat::Percent, Format::new().set_num_format("0.00%")),
    ];
    let format = |f: NumFormat| {
        formats
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v)
            .unwrap_or(&formats[0].1)
    };
    let mut used: Vec<String> = Vec::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(unique_name(&sheet_name(&s.name), &mut used))?;
        ws.write_string_with_format(0, 0, &s.title, &Format::new().set_bold())?;
        for (i, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(1, col(i), h, &head)?;
        }
        ws.set_freeze_panes(2, 0)?;
        for (i, h) in s.headers.iter().enumerate() {
            // Wide enough for the header and the longest text below it.
            let longest = s
                .rows
                .iter()
                .filter_map(|r| match r.get(i) {
                    Some(Cell::Text(t)) => Some(display_width(t)),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            let width = (display_width(h).max(longest) + 2).clamp(8, 60);
            ws.set_column_width(col(i), width as f64)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, col(c), t)?;
                    }
                    Cell::Number(v, f) if v.is_finite() => {
                        ws.write_number_with_format(r, col(c), *v, format(*f))?;
                    }
                    Cell::Number(..) | Cell::Empty => {}
                }
            }
        }
    }
    if sheets.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer()
}

/// Columns a text takes in a spreadsheet: CJK and other wide characters about two, ASCII one.
pub fn display_width(t: &str) -> usize {
    t.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Excel's sheet-name rules: ≤ 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "Sheet".into()
    } else {
        cleaned
    }
}

fn unique_name(name: &str, used: &mut Vec<String>) -> String {
    let mut candidate = name.to_string();
    let mut k = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        let suffix = format!("({k})");
        let keep = 31usize.saturating_sub(suffix.chars().count());
        candidate = format!("{}{suffix}", name.chars().take(keep).collect::<String>());
        k += 1;
    }
    used.push(candidate.clone());
    candidate
}

// --- unit tables (overview, schools, classes) ------------------------------------------------

/// One row of a unit table: the unit's label, its statistic in one subject and, for classes,
/// the subject's teachers and the difference of the class mean from the grade's.
pub struct UnitLine<'a> {
    pub label: String,
    /// 城区 / 农村 for schools; empty otherwise.
    pub location: String,
    pub teachers: String,
    pub stat: &'a SubjectStat,
    /// Class mean − the grade's mean (both at two decimals), for the class comparison.
    pub diff_to_grade: Option<f64>,
}

/// Which optional columns a unit table has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitColumns {
    pub rank: bool,
    pub location: bool,
    pub teachers: bool,
    pub diff_to_grade: bool,
}

/// The headers of a unit table, in the order of [`unit_sheet`]'s cells (and of the page).
pub fn unit_headers(unit_header: &str, c: UnitColumns) -> Vec<String> {
    let mut h: Vec<&str> = Vec::new();
    if c.rank {
        h.push("排名");
    }
    h.push(unit_header);
    if c.location {
        h.push("城乡");
    }
    if c.teachers {
        h.push("任课教师");
    }
    // What a reader compares first comes first (phones show the left columns).
    h.push("平均分");
    if c.diff_to_grade {
        h.push("与年级差");
    }
    h.extend([
        "优秀率",
        "及格率",
        "低分率",
        "良好率",
        "综合指数",
        "与最高差",
        "与全区差",
        "参考率",
        "应考",
        "实考",
        "缺考",
        "统计人数",
        "标准差",
    ]);
    h.into_iter().map(String::from).collect()
}

fn unit_cells(l: &UnitLine<'_>, c: UnitColumns) -> Vec<Cell> {
    let s = l.stat;
    let r = &s.rates;
    let mut row = Vec::new();
    if c.rank {
        row.push(Cell::opt(s.rank.map(f64::from), NumFormat::Int));
    }
    row.push(Cell::text(&l.label));
    if c.location {
        row.push(Cell::text(&l.location));
    }
    if c.teachers {
        row.push(Cell::text(&l.teachers));
    }
    row.push(Cell::opt(r.mean, NumFormat::Two));
    if c.diff_to_grade {
        row.push(Cell::opt(l.diff_to_grade, NumFormat::Two));
    }
    row.extend([
        Cell::opt(r.excellent_rate, NumFormat::Percent),
        Cell::opt(r.pass_rate, NumFormat::Percent),
        Cell::opt(r.low_rate, NumFormat::Percent),
        Cell::opt(r.good_rate, NumFormat::Percent),
        Cell::opt(s.composite, NumFormat::Two),
        Cell::opt(s.gap_to_best, NumFormat::Two),
        Cell::opt(s.gap_to_district, NumFormat::Two),
        Cell::opt(r.participation_rate, NumFormat::Percent),
        Cell::count(r.enrolled),
        Cell::count(r.sat),
        Cell::count(r.absent),
        Cell::count(r.n),
        Cell::opt(s.sd, NumFormat::Two),
    ]);
    row
}

/// A unit table of one subject (the schools of the district, or a school's classes).
pub fn unit_sheet(
    name: &str,
    title: &str,
    unit_header: &str,
    columns: UnitColumns,
    lines: &[UnitLine<'_>],
) -> Sheet {
    Sheet {
        name: name.to_string(),
        title: title.to_string(),
        headers: unit_headers(unit_header, columns),
        rows: lines.iter().map(|l| unit_cells(l, columns)).collect(),
    }
}

/// Headers of [`overview_sheet`].
pub const OVERVIEW_HEADERS: [&str; 15] = [
    "范围",
    "科目",
    "满分",
    "平均分",
    "优秀率",
    "及格率",
    "低分率",
    "良好率",
    "参考率",
    "应考",
    "实考",
    "缺考",
    "统计人数",
    "标准差",
    "中位数",
];

/// 全区, 城区/农村 and each stage in every subject (and 总分): one row per unit × subject.
pub fn overview_sheet(title: &str, units: &[ExamUnitStat]) -> Sheet {
    let mut rows = Vec::new();
    for u in units {
        for s in &u.subjects {
            let r = &s.rates;
            rows.push(vec![
                Cell::text(&u.unit.name),
                Cell::text(&s.subject),
                Cell::Number(r.full_marks, NumFormat::One),
                Cell::opt(r.mean, NumFormat::Two),
                Cell::opt(r.excellent_rate, NumFormat::Percent),
                Cell::opt(r.pass_rate, NumFormat::Percent),
                Cell::opt(r.low_rate, NumFormat::Percent),
                Cell::opt(r.good_rate, NumFormat::Percent),
                Cell::opt(r.participation_rate, NumFormat::Percent),
                Cell::count(r.enrolled),
                Cell::count(r.sat),
                Cell::count(r.absent),
                Cell::count(r.n),
                Cell::opt(s.sd, NumFormat::Two),
                Cell::opt(s.median, NumFormat::Two),
            ]);
        }
    }
    Sheet {
        name: "全区概况".into(),
        title: title.to_string(),
        headers: OVERVIEW_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

// --- students ---------------------------------------------------------------------------------

/// A student of the list, with the 学籍号 as the page shows it (masked by the caller).
pub struct StudentLine<'a> {
    pub student_no: String,
    pub name: String,
    pub row: &'a ExamStudentRow,
}

/// The text of a mark: the score, 缺考, or empty when the subject was not taken.
pub fn mark_cell(m: Option<&StudentMark>) -> Cell {
    match m {
        Some(m) if m.absent => Cell::text("缺考"),
        Some(StudentMark { score: Some(x), .. }) => Cell::Number(*x, NumFormat::Two),
        _ => Cell::Empty,
    }
}

pub fn borderline_label(b: Option<Borderline>) -> &'static str {
    match b {
        Some(Borderline::Excellent) => "临界（优秀）",
        Some(Borderline::Pass) => "临界（及格）",
        None => "",
    }
}

/// Headers of [`students_sheet`]: 姓名, each subject, 总分, the standing in
/// `standing_subject`, then 学籍号.
pub fn student_headers(subjects: &[String], standing_subject: &str, rank: bool) -> Vec<String> {
    let mut h = vec!["姓名".to_string()];
    h.extend(subjects.iter().cloned());
    h.push(TOTAL.to_string());
    for k in ["Z分", "T分", "百分等级"] {
        h.push(format!("{standing_subject}{k}"));
    }
    if rank {
        h.push(format!("{standing_subject}全区排名"));
    }
    h.push(format!("{standing_subject}临界生"));
    h.push("学籍号".to_string());
    h
}

/// A class's (or a school's) students: each subject's mark, 总分, and Z, T, 百分等级, the
/// district rank (when shown) and 临界生 of `standing_subject`.
pub fn students_sheet(
    title: &str,
    subjects: &[String],
    standing_subject: &str,
    rank: bool,
    lines: &[StudentLine<'_>],
) -> Sheet {
    let rows = lines
        .iter()
        .map(|l| {
            let find = |s: &str| l.row.subjects.iter().find(|m| m.subject == s);
            let mut row = vec![Cell::text(&l.name)];
            for s in subjects {
                row.push(mark_cell(find(s)));
            }
            row.push(mark_cell(find(TOTAL)));
            let st = find(standing_subject);
            row.push(Cell::opt(st.and_then(|m| m.z), NumFormat::Two));
            row.push(Cell::opt(st.and_then(|m| m.t), NumFormat::Two));
            row.push(Cell::opt(st.and_then(|m| m.percentile), NumFormat::One));
            if rank {
                row.push(Cell::opt(
                    st.and_then(|m| m.district_rank).map(f64::from),
                    NumFormat::Int,
                ));
            }
            row.push(Cell::text(borderline_label(st.and_then(|m| m.borderline))));
            row.push(Cell::text(&l.student_no));
            row
        })
        .collect();
    Sheet {
        name: "学生成绩".into(),
        title: title.to_string(),
        headers: student_headers(subjects, standing_subject, rank),
        rows,
    }
}

// --- items ------------------------------------------------------------------------------------

/// Headers of the item table.
pub const ITEM_HEADERS: [&str; 11] = [
    "题号",
    "分值",
    "难度(得分率P)",
    "区分度D",
    "提示",
    "点二列相关",
    "校正题总相关",
    "删除该题后α",
    "平均得分",
    "高分组/低分组得分率",
    "知识点",
];

/// The flags of an item as the page words them: negative discrimination, too hard, too easy.
/// Decided on the values as shown (two decimals, spec §0.2), so a P shown as 0.90 is not
/// "above 0.9".
pub fn item_flags(difficulty: f64, discrimination: f64, zero_variance: bool) -> Vec<&'static str> {
    let p = wuyu_analytics::round::round_half_away(difficulty, 2);
    let d = wuyu_analytics::round::round_half_away(discrimination, 2);
    let mut f = Vec::new();
    if d < 0.0 {
        f.push("区分度为负，请核对答案");
    }
    if p < 0.2 {
        f.push("难度过大(P<0.2)");
    }
    if p > 0.9 {
        f.push("过于容易(P>0.9)");
    }
    if zero_variance {
        f.push("得分无差异");
    }
    f
}

/// The item analysis of one subject: the paper's reliability, one row per item, then each
/// class's 得分率 per item and each class's knowledge-point mastery (class labels given by
/// the caller, aligned with `report.classes`).
pub fn item_sheets(title: &str, report: &ItemReport, class_labels: &[String]) -> Vec<Sheet> {
    let a = &report.analysis;
    let mut rows: Vec<Vec<Cell>> = a
        .items
        .iter()
        .enumerate()
        .map(|(j, it)| {
            let tags = report
                .knowledge_points
                .get(j)
                .map(|t| t.join("、"))
                .unwrap_or_default();
            vec![
                Cell::text(&it.item),
                Cell::Number(it.max_points, NumFormat::One),
                Cell::Number(it.difficulty, NumFormat::Two),
                Cell::Number(it.discrimination, NumFormat::Two),
                Cell::text(
                    item_flags(it.difficulty, it.discrimination, it.zero_variance).join("；"),
                ),
                Cell::opt(it.point_biserial, NumFormat::Two),
                Cell::opt(it.corrected_item_total, NumFormat::Two),
                Cell::opt(it.alpha_if_deleted, NumFormat::Three),
                Cell::Number(it.mean, NumFormat::Two),
                Cell::text(format!(
                    "{:.2} / {:.2}",
                    wuyu_analytics::round::round_half_away(it.upper_rate, 2),
                    wuyu_analytics::round::round_half_away(it.lower_rate, 2)
                )),
                Cell::text(tags),
            ]
        })
        .collect();
    // The paper's statistics under the items.
    rows.push(Vec::new());
    for (label, v, f) in [
        ("人数", Some(a.n as f64), NumFormat::Int),
        ("题数", Some(a.k as f64), NumFormat::Int),
        ("平均分", Some(a.mean), NumFormat::Two),
        ("标准差", Some(a.sd), NumFormat::Two),
        ("试卷难度", Some(a.difficulty), NumFormat::Two),
        ("Cronbach α", a.alpha, NumFormat::Three),
        ("KR-20", a.kr20, NumFormat::Three),
        ("KR-21", a.kr21, NumFormat::Three),
        ("测量标准误 SEM", a.sem, NumFormat::Two),
    ] {
        rows.push(vec![Cell::text(label), Cell::opt(v, f)]);
    }
    let items = Sheet {
        name: "小题分析".into(),
        title: title.to_string(),
        headers: ITEM_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    };

    let mut heat_headers = vec!["班级".to_string()];
    heat_headers.extend(a.items.iter().map(|i| i.item.clone()));
    let heat = Sheet {
        name: "各班得分率".into(),
        title: format!("{title} · 各班各题得分率"),
        headers: heat_headers,
        rows: report
            .classes
            .iter()
            .zip(class_labels)
            .map(|((_, d), label)| {
                let mut row = vec![Cell::text(label)];
                row.extend(d.iter().map(|v| Cell::opt(*v, NumFormat::Two)));
                row
            })
            .collect(),
    };

    let tags = mastery_tags(report);
    let mut m_headers = vec!["班级".to_string()];
    m_headers.extend(tags.iter().cloned());
    let mastery = Sheet {
        name: "知识点掌握".into(),
        title: format!("{title} · 各班知识点得分率"),
        headers: m_headers,
        rows: report
            .classes
            .iter()
            .zip(class_labels)
            .map(|((u, _), label)| {
                let group = unit_group(u);
                let mut row = vec![Cell::text(label)];
                row.extend(tags.iter().map(|t| {
                    Cell::opt(
                        report
                            .mastery
                            .iter()
                            .find(|m| m.group == group && &m.tag == t)
                            .map(|m| m.score_rate),
                        NumFormat::Percent,
                    )
                }));
                row
            })
            .collect(),
    };
    vec![items, heat, mastery]
}

/// The knowledge points of a report, in the order they first appear on the paper.
pub fn mastery_tags(report: &ItemReport) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in report.knowledge_points.iter().flatten() {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags
}

/// The mastery group label of a class unit: `"school_id/class_id"`.
pub fn unit_group(u: &ExamUnit) -> String {
    format!(
        "{}/{}",
        u.school_id.map(|s| s.0).unwrap_or_default(),
        u.class_id.map(|c| c.0).unwrap_or_default()
    )
}

// --- parallel-class alerts -------------------------------------------------------------------

/// Headers of the alerts' evidence sheet.
pub const ALERT_HEADERS: [&str; 16] = [
    "学校",
    "教师",
    "学科",
    "结论",
    "低于平行班比例",
    "计入次数",
    "低于次数",
    "同班增值均值（分）",
    "考试",
    "学年",
    "班级",
    "人数",
    "班级平均分",
    "平行班平均分",
    "是否低于",
    "同班增值（分）",
];

/// The conclusion of an alert in words.
pub fn alert_status_zh(s: wuyu_analytics::compare::AlertStatus) -> &'static str {
    use wuyu_analytics::compare::AlertStatus;
    match s {
        AlertStatus::Flagged => "预警（待人工复核）",
        AlertStatus::NotFlagged => "未预警",
        AlertStatus::InsufficientEvents => "样本不足，不判定",
    }
}

/// Whether an event counted and how it came out.
pub fn event_outcome_zh(e: &wuyu_analytics::compare::EventEvidence) -> String {
    if !e.eligible {
        return format!("不计入：{}", e.reason.as_deref().unwrap_or("不符合条件"));
    }
    match e.below {
        Some(true) => "低于".into(),
        Some(false) => "不低于".into(),
        None => "—".into(),
    }
}

/// One row per teacher × event (the evidence), teachers in the given order; `school_names`
/// aligned with `alerts`.
pub fn alerts_sheet(title: &str, alerts: &[TeacherAlert], school_names: &[String]) -> Sheet {
    let mut rows = Vec::new();
    for (t, school) in alerts.iter().zip(school_names) {
        let a = &t.alert;
        let head = [
            Cell::text(school),
            Cell::text(&t.teacher_name),
            Cell::text(&t.subject),
            Cell::text(alert_status_zh(a.status)),
            Cell::opt(a.below_share, NumFormat::Percent),
            Cell::Number(a.weighted_events, NumFormat::One),
            Cell::Number(a.weighted_below, NumFormat::One),
            Cell::opt(t.mean_value_added().map(|m| m.0), NumFormat::Two),
        ];
        if a.events.is_empty() {
            rows.push(head.to_vec());
        }
        for (i, e) in a.events.iter().enumerate() {
            let mut row = head.to_vec();
            row.extend([
                Cell::text(&e.exam),
                Cell::Number(f64::from(e.school_year), NumFormat::Int),
                Cell::text(&e.class),
                Cell::count(e.n),
                Cell::Number(e.class_mean, NumFormat::Two),
                Cell::opt(e.parallel_average, NumFormat::Two),
                Cell::text(event_outcome_zh(e)),
                Cell::opt(
                    t.event_value_added.get(i).copied().flatten(),
                    NumFormat::Two,
                ),
            ]);
            rows.push(row);
        }
    }
    Sheet {
        name: "平行班预警".into(),
        title: title.to_string(),
        headers: ALERT_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules_and_stay_unique() {
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
        let mut used = Vec::new();
        assert_eq!(unique_name("语文", &mut used), "语文");
        assert_eq!(unique_name("语文", &mut used), "语文(2)");
    }

    #[test]
    fn writes_numbers_text_and_blanks() {
        let sheet = Sheet {
            name: "t".into(),
            title: "标题".into(),
            headers: vec!["学校".into(), "优秀率".into()],
            rows: vec![
                vec![Cell::text("一中"), Cell::Number(0.25, NumFormat::Percent)],
                vec![Cell::text("二中"), Cell::Empty],
            ],
        };
        let bytes = sheets_xlsx(&[sheet]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn item_flags_name_the_problems() {
        assert_eq!(item_flags(0.5, -0.1, false), ["区分度为负，请核对答案"]);
        assert_eq!(item_flags(0.1, 0.3, false), ["难度过大(P<0.2)"]);
        assert_eq!(item_flags(0.95, 0.1, false), ["过于容易(P>0.9)"]);
        assert!(item_flags(0.5, 0.4, false).is_empty());
        // Shown as 0.90 and -0.00: neither too easy nor negative.
        assert!(item_flags(0.9012, -0.004, false).is_empty());
    }
}
