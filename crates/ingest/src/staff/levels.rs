//! The appraisal levels layout of modules.md §4: `school`, `unit_rating`, `staff_no`, `score`,
//! `org_score`, `first_job_months`, `leave_days`, `under_investigation`, `ethics_violation`,
//! `sanction` — or the Chinese headers of [`LEVELS_COLUMNS`] — plus the optional score sources
//! of §6.2 (`peer_ratings`: the raw ratings of colleagues in one cell, `parent_score`,
//! `workload_score`), from which the score is composed when `score` is blank. Every cell is
//! checked; a row
//! with any error yields no case, and the caller refuses the file (levels depend on every
//! teacher of a school, so a partial file would give wrong caps).
use std::collections::HashMap;

use wuyu_analytics::appraisal::{AppraisalCase, AppraisalRules, Sanction, UnitRating, exclusion};
use wuyu_domain::RowError;

use crate::table::{RowRef, Table};

/// The input columns: code name, the Chinese header written by us, other accepted headers,
/// and whether the column must be present.
#[derive(Debug, Clone, Copy)]
pub struct LevelsColumn {
    pub code: &'static str,
    pub zh: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

pub const LEVELS_COLUMNS: [LevelsColumn; 13] = [
    col("school", "学校", &["学校名称", "单位"], true),
    col(
        "unit_rating",
        "单位考核结果",
        &["单位等次", "单位评定"],
        false,
    ),
    col("staff_no", "工号", &["教职工号", "教师工号", "编号"], true),
    col("score", "考核得分", &["综合得分", "得分"], true),
    col(
        "org_score",
        "组织评价得分",
        &["组织考核得分", "考核小组评分"],
        false,
    ),
    col(
        "first_job_months",
        "初任月数",
        &["初次就业月数", "新任职月数"],
        false,
    ),
    col(
        "leave_days",
        "病事假天数",
        &["病假事假天数", "请假天数"],
        false,
    ),
    col(
        "under_investigation",
        "立案调查",
        &["正在接受调查", "被立案调查"],
        false,
    ),
    col(
        "ethics_violation",
        "师德违规",
        &["违反师德", "师德失范"],
        false,
    ),
    col("sanction", "处分", &["处分种类", "受处分"], false),
    col(
        "peer_ratings",
        "同事互评",
        &["同事互评分", "互评得分", "同事评分"],
        false,
    ),
    col(
        "parent_score",
        "家长学生评价",
        &["家长学生评价得分", "家长评价", "学生评价"],
        false,
    ),
    col("workload_score", "工作量", &["工作量得分"], false),
];

const fn col(
    code: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> LevelsColumn {
    LevelsColumn {
        code,
        zh,
        aliases,
        required,
    }
}

const SCHOOL: usize = 0;
const UNIT_RATING: usize = 1;
const STAFF_NO: usize = 2;
const SCORE: usize = 3;
const ORG_SCORE: usize = 4;
const FIRST_JOB: usize = 5;
const LEAVE: usize = 6;
const INVESTIGATION: usize = 7;
const ETHICS: usize = 8;
const SANCTION: usize = 9;
const PEER: usize = 10;
const PARENT: usize = 11;
const WORKLOAD: usize = 12;

const RATING_HELP: &str = "不是可识别的单位考核结果：应为 一般（normal）、记功（award，集体记功及以上或优秀单位）或 问责（accountable，不合格或被问责），空白按一般";
const SCORE_REQUIRED: &str = "是空的：参加定等次的教师必须有考核得分（只有立案调查、初任不满 6 个月、病事假满 183 天的可以不填）";
const SCORE_OR_SOURCES: &str = "是空的：参加定等次的教师必须有考核得分，或有用来合成得分的来源（组织评价得分、同事互评、家长学生评价、工作量）；只有立案调查、初任不满 6 个月、病事假满 183 天的可以都不填";
const PEER_HELP: &str = "应为同事给出的各个评分（0–100），用分号分隔，如 90;85;70;92;88";

/// A read sheet: one case per data row when `errors` is empty.
#[derive(Debug, Clone, Default)]
pub struct LevelsInput {
    pub cases: Vec<AppraisalCase>,
    /// The score sources of each case (aligned with `cases`).
    pub sources: Vec<RowSources>,
    pub errors: Vec<RowError>,
}

/// The score sources a row gives besides the organisation score (§6.2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowSources {
    /// The raw ratings of colleagues (trimmed later).
    pub peer_ratings: Vec<f64>,
    pub parent_score: Option<f64>,
    pub workload_score: Option<f64>,
}

impl RowSources {
    pub fn is_empty(&self) -> bool {
        self.peer_ratings.is_empty() && self.parent_score.is_none() && self.workload_score.is_none()
    }
}

fn column_of(header: &str) -> Option<usize> {
    let h = header.trim();
    LEVELS_COLUMNS
        .iter()
        .position(|c| c.code.eq_ignore_ascii_case(h) || c.zh == h || c.aliases.contains(&h))
}

/// Reads `table` (from `file`) for the stateless levels tool: every teacher who gets a level
/// needs a final score. Header problems are errors on row 0 with the column named.
pub fn read_levels_input(file: &str, table: &Table) -> LevelsInput {
    read_input(file, table, false)
}

/// Reads `table` (from `file`) for the appraisal import, where a blank score is composed from
/// the row's sources (§6.2): the score column may be left out, and a row needs a score or at
/// least one source.
pub fn read_appraisal_input(file: &str, table: &Table) -> LevelsInput {
    read_input(file, table, true)
}

fn read_input(file: &str, table: &Table, composable: bool) -> LevelsInput {
    let mut out = LevelsInput::default();
    let file_err = |column: &str, value: &str, message_zh: String| RowError {
        file: file.to_string(),
        sheet: table.name.clone(),
        row: table.header_row,
        column: column.to_string(),
        value: value.to_string(),
        message_zh,
    };
    let mut at: [Option<usize>; LEVELS_COLUMNS.len()] = [None; LEVELS_COLUMNS.len()];
    for (c, h) in table.header.iter().enumerate() {
        if let Some(k) = column_of(h) {
            if at[k].is_some() {
                out.errors.push(file_err(
                    h,
                    h,
                    format!("“{}”列出现了两次，无法确定用哪一列", LEVELS_COLUMNS[k].zh),
                ));
            }
            at[k] = Some(c);
        }
    }
    for (k, spec) in LEVELS_COLUMNS.iter().enumerate() {
        // A composable file may leave the score column out when it has sources.
        let optional = composable
            && k == SCORE
            && [ORG_SCORE, PEER, PARENT, WORKLOAD]
                .iter()
                .any(|&s| at[s].is_some());
        if spec.required && at[k].is_none() && !optional {
            out.errors.push(file_err(
                spec.zh,
                "",
                format!(
                    "缺少“{}”列（代码列名 {}）；现有的列：{}",
                    spec.zh,
                    spec.code,
                    crate::table::list_headers(&table.header)
                ),
            ));
        }
    }
    if !out.errors.is_empty() {
        return out;
    }
    // (school, staff_no) → first row, and school → (unit rating, its row).
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    let mut ratings: HashMap<String, (UnitRating, u32)> = HashMap::new();
    let rules = AppraisalRules::default();
    for row in table.rows() {
        let mut cell = Cells {
            file,
            table,
            row: &row,
            at: &at,
            errors: Vec::new(),
        };
        let school = cell.text(SCHOOL, true);
        let staff_no = cell.text(STAFF_NO, true);
        let unit_rating = cell.parsed(UNIT_RATING, UnitRating::Normal, parse_rating, RATING_HELP);
        let score = cell.number(SCORE);
        let org_score = cell.number(ORG_SCORE);
        let first_job_months = cell.count(FIRST_JOB, 600);
        let leave_days = cell.count(LEAVE, 366).unwrap_or(0);
        let under_investigation = cell.yes_no(INVESTIGATION);
        let ethics_violation = cell.yes_no(ETHICS);
        let sanction = cell.parsed(
            SANCTION,
            None,
            |t| Sanction::parse(t).map(Some),
            "不是可识别的处分：应为 警告、记过、降低岗位等级、撤职，没有处分请留空",
        );
        let sources = RowSources {
            peer_ratings: cell.ratings(PEER),
            parent_score: cell.number(PARENT),
            workload_score: cell.number(WORKLOAD),
        };
        let mut errors = cell.errors;
        if !school.is_empty() && !staff_no.is_empty() {
            let key = (school.clone(), staff_no.clone());
            if let Some(first) = seen.get(&key) {
                errors.push(row_err(
                    file,
                    table,
                    &row,
                    at[STAFF_NO],
                    format!("同一学校的工号重复：与第 {first} 行是同一名教师，每名教师只能有一行"),
                ));
            } else {
                seen.insert(key, row.number);
            }
            match ratings.get(&school) {
                Some(&(r, first)) if r != unit_rating && at[UNIT_RATING].is_some() => {
                    errors.push(row_err(
                        file,
                        table,
                        &row,
                        at[UNIT_RATING],
                        format!(
                            "同一学校的单位考核结果不一致：第 {first} 行为“{}”",
                            rating_zh(r)
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    ratings.insert(school.clone(), (unit_rating, row.number));
                }
            }
        }
        let case = AppraisalCase {
            school,
            unit_rating,
            staff_no,
            score,
            org_score,
            first_job_months,
            leave_days,
            under_investigation,
            ethics_violation,
            sanction,
        };
        // A teacher who gets a level needs a score, or sources to compose it from; the
        // out-of-N cases may leave both blank.
        let has_sources = case.org_score.is_some() || !sources.is_empty();
        if errors.is_empty()
            && case.score.is_none()
            && !(composable && has_sources)
            && exclusion(&case, &rules).is_none()
        {
            let why = if composable {
                SCORE_OR_SOURCES
            } else {
                SCORE_REQUIRED
            };
            errors.push(row_err(file, table, &row, at[SCORE], why.into()));
        }
        if errors.is_empty() {
            out.cases.push(case);
            out.sources.push(sources);
        }
        out.errors.extend(errors);
    }
    wuyu_domain::shorten_values(&mut out.errors);
    out
}

pub fn rating_zh(r: UnitRating) -> &'static str {
    match r {
        UnitRating::Normal => "一般",
        UnitRating::Award => "记功",
        UnitRating::Accountable => "问责",
    }
}

fn parse_rating(text: &str) -> Option<UnitRating> {
    UnitRating::parse(text).or(match text {
        "奖励" | "优秀" => Some(UnitRating::Award),
        "不合格" => Some(UnitRating::Accountable),
        _ => None,
    })
}

fn row_err(
    file: &str,
    table: &Table,
    row: &RowRef<'_>,
    col: Option<usize>,
    why: String,
) -> RowError {
    let col = col.unwrap_or(usize::MAX);
    RowError {
        file: file.to_string(),
        sheet: table.name.clone(),
        row: row.number,
        column: table.header.get(col).cloned().unwrap_or_default(),
        value: if col == usize::MAX {
            String::new()
        } else {
            row.get(col).to_string()
        },
        message_zh: why,
    }
}

/// The cells of one row, collecting errors.
struct Cells<'a, 'r> {
    file: &'a str,
    table: &'a Table,
    row: &'r RowRef<'a>,
    at: &'a [Option<usize>; LEVELS_COLUMNS.len()],
    errors: Vec<RowError>,
}

impl Cells<'_, '_> {
    /// The trimmed text of field `k` (empty when the column is absent).
    fn raw(&mut self, k: usize) -> Option<&str> {
        let c = self.at[k]?;
        if let Some(issue) = self.row.issue(c) {
            let why = issue.message_zh.clone();
            self.fail(k, why);
            return None;
        }
        Some(self.row.get(c).trim())
    }

    fn fail(&mut self, k: usize, why: String) {
        self.errors
            .push(row_err(self.file, self.table, self.row, self.at[k], why));
    }

    fn text(&mut self, k: usize, required: bool) -> String {
        let t = self.raw(k).unwrap_or("").to_string();
        if required && t.is_empty() {
            self.fail(k, "不能为空".into());
        }
        t
    }

    fn parsed<T>(&mut self, k: usize, blank: T, parse: impl Fn(&str) -> Option<T>, why: &str) -> T {
        match self.raw(k) {
            None | Some("") => blank,
            Some(t) => match parse(t) {
                Some(v) => v,
                None => {
                    self.fail(k, why.to_string());
                    blank
                }
            },
        }
    }

    /// A score 0–100, blank → `None`.
    fn number(&mut self, k: usize) -> Option<f64> {
        let t = self.raw(k)?;
        if t.is_empty() {
            return None;
        }
        match parse_decimal(t) {
            Some(x) if (0.0..=100.0).contains(&x) => Some(x),
            Some(_) => {
                self.fail(k, "超出 0–100 的范围".into());
                None
            }
            None => {
                self.fail(k, "不是数字".into());
                None
            }
        }
    }

    /// Ratings 0–100 separated by `;` (or `；`, `,`, `、`, spaces); blank → none.
    fn ratings(&mut self, k: usize) -> Vec<f64> {
        let Some(t) = self.raw(k).map(str::to_string) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for part in t
            .split([';', '；', ',', '，', '、', ' ', '\u{3000}'])
            .filter(|p| !p.trim().is_empty())
        {
            match parse_decimal(part.trim()) {
                Some(x) if (0.0..=100.0).contains(&x) => out.push(x),
                _ => {
                    self.fail(
                        k,
                        format!("“{}”不是 0–100 的评分：{PEER_HELP}", part.trim()),
                    );
                    return Vec::new();
                }
            }
        }
        out
    }

    /// A whole number 0..=max, blank → `None`.
    fn count(&mut self, k: usize, max: u32) -> Option<u32> {
        let t = self.raw(k)?;
        if t.is_empty() {
            return None;
        }
        match parse_decimal(t) {
            Some(x) if x.fract() == 0.0 && (0.0..=f64::from(max)).contains(&x) => Some(x as u32),
            _ => {
                self.fail(k, format!("应为 0–{max} 的整数"));
                None
            }
        }
    }

    fn yes_no(&mut self, k: usize) -> bool {
        self.parsed(
            k,
            false,
            parse_yes_no,
            "应为 是 或 否（yes / no），空白按否",
        )
    }
}

fn parse_yes_no(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "有" => Some(true),
        "no" | "n" | "false" | "0" | "否" | "无" => Some(false),
        _ => None,
    }
}

/// A decimal number; full-width digits typed with a Chinese input method are accepted.
pub(crate) fn parse_decimal(text: &str) -> Option<f64> {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            other => other,
        })
        .collect();
    if !ascii
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    ascii.parse::<f64>().ok().filter(|x| x.is_finite())
}
