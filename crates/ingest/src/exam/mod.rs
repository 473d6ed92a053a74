/*!
Exam results (issue 4): score sheets (one row per student, one column per subject) and
item-level sheets from marking systems (one row per student, one column per question, with a
双向细目表 giving each question's full points and knowledge points), read into the domain's
[`ExamScoreBatch`](wuyu_domain::ExamScoreBatch) and [`ExamItemBatch`](wuyu_domain::ExamItemBatch)
plus a list of [`RowError`]s in Chinese.

Like the roster reader, nothing here stops at the first problem: every cell of every row is
checked and every problem is reported with file, sheet, row, column and value. A caller imports
a batch only when the error list is empty (the store rejects the whole batch on any error too),
so a file with one bad cell changes nothing. Whether a 学籍号 exists is the store's business
(inside the import transaction); everything that can be checked from the file and the exam's
definition is checked here.

# Score sheets ([`read_exam_scores`])

* The sheet: CSV, or in an XLSX the sheet named 成绩 (else one whose name contains 成绩 / 分数 /
  得分, else the first visible sheet with a 学籍号 column, else the first visible sheet with data
  that is not a 说明 sheet). A title row above the header is skipped.
* 学籍号 (also 全国学籍号, 学生学籍号, student_no) identifies the student. Without it, a 考号
  (准考证号, 考生号, 考试号) column is matched through the exam's 考号 list when it has one;
  otherwise 考号, 准考证号 and 学号 are *not* 学籍号 and are never used to identify anyone.
* A subject column is matched to the exam's subjects by name after dropping a note in brackets
  and a score suffix: `语文`, `语文成绩`, `数学(120分)`, `英语（满分150）`, `物理得分`; and by the usual
  synonyms (政治 / 思想品德 / 道法 = 道德与法治, 外语 / 英文 = 英语, 生物学 = 生物, 信息科技 =
  信息技术, 体育与健康 = 体育). A column naming a school subject the exam does not have (物理 in
  an exam without 物理) is an error, not ignored. Two columns for one subject are an error.
  A header that states other full marks than the exam's (`数学(150分)` for a 120-point 数学) is an
  error: it is usually the sheet of another exam.
* Other columns (姓名, 班级, 考号, 总分, 排名, `语文排名`, 备注 …) are passed over and listed in
  [`ExamScoresRead::ignored_columns`]; a 姓名 is kept in [`ExamScoresRead::names`] for the
  service to check against the roster.
* Values: a number from 0 to the subject's full marks (decimals such as 87.5 are fine, full-width
  digits and a trailing 分 are accepted) is a score; `缺考`, `缺`, `缺席`, `缺测` (also with a note:
  `缺考(病假)`) mean absent — never 0; a blank cell (or `免考`) means the student did not take
  that subject. Anything else (`abc`, `-3`, `-`, a score above full marks) is a row error.
* A 学籍号 twice in the file is a row error naming the earlier row.

# Item sheets ([`read_exam_items`])

See [`items`] for the layout, the 双向细目表 and the absence rules.
*/

mod candidates;
mod items;
mod scores;
mod subjects;
mod template;

pub use candidates::{CandidatesRead, read_exam_candidates};
pub use items::{ExamItemsRead, read_exam_items, read_exam_items_keyed};
pub use scores::{ExamScoresRead, read_exam_scores, read_exam_scores_keyed};
pub use subjects::{canonical_subject, is_school_subject};
pub use template::{TemplateStudent, write_exam_score_template, write_exam_score_template_for};

use std::collections::HashMap;

use wuyu_domain::{DomainError, RowError, StudentNo};

use crate::schema::normalize_header;
use crate::table::list_headers;
use crate::table::{FileFormat, RowRef, Table, Tables};

/// Headers of the 学籍号 column after [`normalize_header`].
const STUDENT_NO_HEADERS: &[&str] = &["学籍号", "全国学籍号", "学生学籍号", "student_no"];

/// Headers that look like an identifier but are not a 学籍号; named in the message when the
/// 学籍号 column is missing.
const NOT_STUDENT_NO: &[&str] = &[
    "考号",
    "准考证号",
    "考生号",
    "学号",
    "考籍号",
    "报名号",
    "考试号",
];

/// Headers of a 考号 column (the marking system's candidate number) after [`normalize_header`].
const CANDIDATE_HEADERS: &[&str] = &["考号", "准考证号", "考生号", "考试号"];

/// An exam's 考号 list: 考号 → 学籍号. Score and item sheets without a 学籍号 column are
/// matched through it when they have a 考号 column.
#[derive(Debug, Clone, Default)]
pub struct CandidateNumbers(HashMap<String, StudentNo>);

impl CandidateNumbers {
    pub fn new(pairs: impl IntoIterator<Item = (String, StudentNo)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The student of a 考号 as written in a cell.
    pub fn get(&self, candidate_no: &str) -> Option<&StudentNo> {
        self.0.get(candidate_no.trim())
    }
}

/// Where errors go and what they name.
struct Ctx<'a> {
    file: &'a str,
    sheet: &'a str,
    errors: Vec<RowError>,
    /// The exam's 考号 list, if it has one.
    candidates: Option<&'a CandidateNumbers>,
    /// Whether rows are matched by 考号 (the sheet has no 学籍号 column).
    by_candidate: bool,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a str, sheet: &'a str) -> Self {
        Ctx {
            file,
            sheet,
            errors: Vec::new(),
            candidates: None,
            by_candidate: false,
        }
    }

    fn push(&mut self, row: u32, column: &str, value: &str, message_zh: String) {
        self.errors.push(RowError {
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            message_zh,
        });
    }
}

/// The sheet of an upload to read: the CSV's only table, or the XLSX sheet chosen as the module
/// docs say. `exclude` is a sheet already used for something else (the 双向细目表).
fn pick_sheet<'t>(tables: &'t Tables, names: &[&str], exclude: Option<usize>) -> Option<usize> {
    if tables.format == FileFormat::Csv {
        return (!tables.tables.is_empty()).then_some(0);
    }
    let candidates: Vec<(usize, &'t Table)> = tables
        .tables
        .iter()
        .enumerate()
        .filter(|(i, t)| Some(*i) != exclude && !t.hidden)
        .collect();
    let name = |t: &Table| t.name.trim().to_string();
    candidates
        .iter()
        .find(|(_, t)| names.first().is_some_and(|n| name(t) == *n))
        .or_else(|| {
            candidates
                .iter()
                .find(|(_, t)| names.iter().any(|n| t.name.contains(n)))
        })
        .or_else(|| {
            candidates
                .iter()
                .find(|(_, t)| student_no_column(&t.header).is_some())
        })
        .or_else(|| {
            candidates
                .iter()
                .find(|(_, t)| t.header_row != 0 && !t.name.contains("说明"))
        })
        .map(|(i, _)| *i)
}

fn student_no_column(header: &[String]) -> Option<usize> {
    header
        .iter()
        .position(|h| STUDENT_NO_HEADERS.contains(&normalize_header(h).as_str()))
}

/// Reports a sheet without data or without a 学籍号 column; `Some(column)` when it has one.
fn require_student_no(cx: &mut Ctx<'_>, table: &Table, what: &str) -> Option<usize> {
    if table.header_row == 0 {
        cx.push(
            0,
            "",
            "",
            format!("{what}中没有数据：第一行应是列名（学籍号、各科目或各小题），其下每行一名学生"),
        );
        return None;
    }
    if let Some(c) = student_no_column(&table.header) {
        return Some(c);
    }
    let candidate_col = table
        .header
        .iter()
        .position(|h| CANDIDATE_HEADERS.contains(&normalize_header(h).as_str()));
    if let (Some(c), Some(list)) = (candidate_col, cx.candidates)
        && !list.is_empty()
    {
        cx.by_candidate = true;
        return Some(c);
    }
    let lookalikes: Vec<&str> = table
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| NOT_STUDENT_NO.contains(&normalize_header(h).as_str()))
        .collect();
    let hint = if lookalikes.is_empty() {
        String::new()
    } else if candidate_col.is_some() {
        format!(
            "。文件中的“{}”不是学籍号；本次考试还没有考号表，无法按考号对应学生：请先导入考号表（学籍号、考号两列），或在阅卷系统导出时勾选学籍号",
            lookalikes.join("”“")
        )
    } else {
        format!(
            "。文件中的“{}”不是学籍号，不能用来识别学生：请在阅卷系统导出时勾选学籍号，或用学籍系统的名单补上学籍号列",
            lookalikes.join("”“")
        )
    };
    cx.push(
        table.header_row,
        "学籍号",
        "",
        format!(
            "{what}缺少“学籍号”列：成绩按全国学籍号对应到学生（也可写作 全国学籍号、学生学籍号）。表头中现有的列：{}{hint}",
            list_headers(&table.header)
        ),
    );
    None
}

/// Reads the 学籍号 of a row, reporting an empty, malformed or Excel-truncated value; through
/// the exam's 考号 list when the sheet is matched by 考号.
fn read_student_no(
    cx: &mut Ctx<'_>,
    table: &Table,
    row: &RowRef<'_>,
    col: usize,
) -> Option<StudentNo> {
    let column = table.header[col].as_str();
    if let Some(issue) = row.issue(col) {
        let what = if cx.by_candidate {
            "考号"
        } else {
            "学籍号"
        };
        let msg = format!("{what}：{}", issue.message_zh);
        cx.push(row.number, column, &issue.value, msg);
        return None;
    }
    if cx.by_candidate {
        let v = row.get(col);
        let found = cx.candidates.and_then(|list| list.get(v)).cloned();
        if found.is_none() {
            let msg = if v.is_empty() {
                "考号为空：每行须有考号（如是 平均分、合计 等统计行，请删除该行）".to_string()
            } else {
                format!("考号“{v}”不在本次考试的考号表中：请核对考号，或先补充考号表")
            };
            cx.push(row.number, column, v, msg);
        }
        return found;
    }
    let v = row.get(col);
    if v.is_empty() {
        cx.push(
            row.number,
            column,
            "",
            "学籍号为空：每行须有学生的全国学籍号（如是 平均分、合计 等统计行，请删除该行）"
                .to_string(),
        );
        return None;
    }
    if looks_scientific(v) {
        cx.push(
            row.number,
            column,
            v,
            format!(
                "学籍号：“{v}”是被 Excel 改成科学计数法的号码，末尾几位已经丢失；请把该列设为“文本”格式后重新录入"
            ),
        );
        return None;
    }
    match StudentNo::parse(v) {
        Ok(no) => Some(no),
        Err(e) => {
            let fix = match e {
                DomainError::Empty
                | DomainError::Length { .. }
                | DomainError::TooLong { .. }
                | DomainError::BadChar(_) => {
                    "；请填写 6–30 位英文字母或数字的全国学籍号，不要含空格、横线或全角字符"
                }
                _ => "",
            };
            cx.push(row.number, column, v, format!("学籍号无效：{e}{fix}"));
            None
        }
    }
}

/// "1.10105E+17": what Excel writes for a long number in a General cell.
fn looks_scientific(v: &str) -> bool {
    let Some((mantissa, exp)) = v.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// Tracks 学籍号 already seen in a file. Keys borrow the cell text when it is already in normal
/// form (the usual case), so a large file does not allocate a key per row.
#[derive(Default)]
struct SeenStudents<'t> {
    borrowed: HashMap<&'t str, u32>,
    /// 学籍号 whose cell text differs from the normal form (lower case).
    owned: HashMap<String, u32>,
}

impl<'t> SeenStudents<'t> {
    fn with_capacity(n: usize) -> Self {
        SeenStudents {
            borrowed: HashMap::with_capacity(n),
            owned: HashMap::new(),
        }
    }

    /// Records `no` (read from the cell text `raw`) at `row`; on a repeat, reports it and
    /// returns `false`.
    fn first(
        &mut self,
        cx: &mut Ctx<'_>,
        column: &str,
        no: &StudentNo,
        raw: &'t str,
        row: u32,
    ) -> bool {
        let key = no.as_str();
        if let Some(&earlier) = self.borrowed.get(key).or_else(|| self.owned.get(key)) {
            cx.push(
                row,
                column,
                raw,
                format!(
                    "学籍号 {no} 与第 {earlier} 行重复：每名学生只能出现一次，请删除重复的行或核对学籍号"
                ),
            );
            return false;
        }
        if raw == key {
            self.borrowed.insert(raw, row);
        } else {
            self.owned.insert(key.to_string(), row);
        }
        true
    }
}

/// A score cell as typed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    /// Empty, or 免考: not taken.
    Blank,
    /// 缺考 and its spellings.
    Absent,
    Number(f64),
}

/// Why a cell is not a score.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BadCell {
    /// Not a number, not 缺考.
    Unreadable,
    Negative,
}

/// Reads a score or points cell: see the module docs for what is accepted.
fn parse_cell(v: &str) -> Result<Cell, BadCell> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(Cell::Blank);
    }
    if let Some(n) = plain_number(v) {
        return Ok(Cell::Number(n));
    }
    let ascii = to_ascii(v);
    let t = ascii.trim();
    // A note in brackets after the word: 缺考(病假), 缺考（请假）.
    let word = match t.find('(') {
        Some(i) if i > 0 => t[..i].trim_end(),
        _ => t,
    };
    match word {
        "缺考" | "缺" | "缺席" | "缺测" | "缺考生" => return Ok(Cell::Absent),
        "免考" | "免试" => return Ok(Cell::Blank),
        _ => {}
    }
    let t = t.strip_suffix('分').unwrap_or(t).trim_end();
    if let Some(n) = plain_number(t) {
        return Ok(Cell::Number(n));
    }
    if let Some(rest) = t.strip_prefix('-')
        && plain_number(rest).is_some_and(|n| n > 0.0)
    {
        return Err(BadCell::Negative);
    }
    Err(BadCell::Unreadable)
}

/// `87`, `87.5`, `.5`: ASCII digits with at most one point, nothing else.
fn plain_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut points = 0;
    let mut digits = 0;
    for &c in b {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return None,
        }
    }
    if digits == 0 || points > 1 {
        return None;
    }
    s.parse().ok().filter(|n: &f64| n.is_finite())
}

/// Full-width forms (０–９, ．, （）, －) as ASCII; other characters unchanged.
fn to_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '。' => '.',
            '—' | '–' | '−' => '-',
            _ => c,
        })
        .collect()
}

/// 120 → "120", 7.5 → "7.5" (shortest form that reads back exactly).
fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Equality of point sums that are typed with at most a few decimals.
fn same_points(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_scores_absences_or_blanks() {
        assert_eq!(parse_cell("87"), Ok(Cell::Number(87.0)));
        assert_eq!(parse_cell(" 87.5 "), Ok(Cell::Number(87.5)));
        assert_eq!(parse_cell("０"), Ok(Cell::Number(0.0)));
        assert_eq!(parse_cell("９５．５"), Ok(Cell::Number(95.5)));
        assert_eq!(parse_cell("95分"), Ok(Cell::Number(95.0)));
        assert_eq!(parse_cell(""), Ok(Cell::Blank));
        assert_eq!(parse_cell("免考"), Ok(Cell::Blank));
        for a in [
            "缺考",
            "缺",
            "缺席",
            "缺测",
            "缺考(病假)",
            "缺考（病假）",
            "缺考 (事假)",
        ] {
            assert_eq!(parse_cell(a), Ok(Cell::Absent), "{a}");
        }
        assert_eq!(parse_cell("-3"), Err(BadCell::Negative));
        assert_eq!(parse_cell("－3"), Err(BadCell::Negative));
        for bad in [
            "abc", "-", "/", "1e2", "8 7", "87.5.1", "+3", "NaN", "inf", "(缺考)", ".",
        ] {
            assert_eq!(parse_cell(bad), Err(BadCell::Unreadable), "{bad}");
        }
    }

    #[test]
    fn numbers_print_as_typed() {
        assert_eq!(fmt_num(120.0), "120");
        assert_eq!(fmt_num(7.5), "7.5");
        assert_eq!(fmt_num(0.25), "0.25");
    }
}
