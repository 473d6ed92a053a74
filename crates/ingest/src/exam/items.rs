/*!
Item-level sheets as marking systems export them, with their 双向细目表.

# The item sheet

One row per student with a 学籍号 column (as in score sheets) and one column per question.
Question headers may be written `1`, `13(2)`, `13（2）`, `第1题`, `第13(2)题`, `T1`, `Q1`, `选择1`,
`选择题1`, `填空13`, `21①`, or with a points note `1(3分)`; they are matched to the blueprint's
题号 written in any of the same ways (`选择1` matches 题号 `1` when only one question is numbered
1). Every question column must be in the blueprint and every blueprint question must have a
column. A column that looks like a question number but is not in the blueprint is an error; other
columns (姓名, 班级, 考号, 客观题, 主观题, 排名 …) are passed over.

* A total column — `总分`, `卷面总分`, `原始总分`, `合计`, `总成绩`, or the subject's own name
  (`数学`, `数学成绩`) — is checked against the sum of the row's points; a difference is a row error.
* A status column — `状态`, `考试状态`, `考生状态`, `备注`, `缺考`, `是否缺考` — holding `缺考` (or
  `是` / `1` / `√` under `缺考` / `是否缺考`) marks the student absent.

# Values

Points are numbers from 0 to the question's 分值 (decimals fine; full-width digits accepted);
anything else, a negative number or more than the 分值 is a row error. A blank cell is a blank
(the store counts it as 0 in the subject score, as the marking system would). A row is **absent**
(缺考, never 0) when the status column says so, or when its question cells hold `缺考` and
nothing else; points next to a 缺考 mark are an error. A row whose question cells are *all*
blank, without any 缺考 mark, is read like a blank subject in a score sheet — the student did not
take the subject — and is left out of the batch and listed in [`ExamItemsRead::blank_rows`], so
an absent student is never stored as 0.

# The 双向细目表

A worksheet whose name contains 细目 (双向细目表) in the same XLSX, or a separate CSV/XLSX file
(its 细目 sheet, else its first sheet with a 题号 column). A blueprint is required: without the
questions' full points neither the points nor the subject score can be checked.

* Columns: `题号` (also 题目, 题目编号, 小题, 小题号, 题次, 题序, item_no), `分值` (also 满分, 配分,
  分数, 赋分, 题分, max_points), and optionally `知识点` (also 考点, 考查知识点, 考查内容,
  knowledge_points) with several tags separated by `、` `，` `,` `;` `；` or line breaks. Other
  columns (题型, 能力层级, 难度 …) are passed over.
* Rows whose 题号 is 合计 / 总计 / 总分 / 小计 / 全卷 are totals (a grand total is checked against
  the sum); a row with a non-numbered 题号 and no 分值 (`一、选择题`) is a section title; both
  are skipped.
* 分值 must be a positive number; a 题号 twice is an error; the 分值 must add up to the subject's
  full marks.
*/
use std::collections::HashMap;

use wuyu_domain::{
    Exam, ExamItem, ExamItemBatch, ExamSubject, NewItemScoreRow, Origin, RowError, StudentNo,
};

use super::scores::subject_list;
use super::subjects::{HeaderKind, classify};
use super::{
    BadCell, CandidateNumbers, Cell, Ctx, SeenStudents, fmt_num, list_headers, parse_cell,
    pick_sheet, read_student_no, require_student_no, same_points, to_ascii,
};
use crate::IngestError;
use crate::names::{NamedRow, name_column, named_row};
use crate::roster::sha256_hex;
use crate::schema::normalize_header;
use crate::table::{FileFormat, Table, Tables, read_tables};

/// What [`read_exam_items`] found.
#[derive(Debug, Clone)]
pub struct ExamItemsRead {
    /// Questions from the blueprint and the rows without errors. Import it only when `errors`
    /// is empty.
    pub batch: ExamItemBatch,
    /// Every problem found in the item sheet and the blueprint.
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV item sheet; `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// SHA-256 of the item sheet file, lower-case hex, for the import log.
    pub file_sha256: String,
    /// The worksheet read (empty for CSV).
    pub sheet: String,
    /// Where the 双向细目表 came from, for the summary: `工作表“双向细目表”` or a file name.
    pub blueprint_source: String,
    /// Data rows of the item sheet (blank rows not counted).
    pub rows_read: usize,
    /// Headers passed over (neither 学籍号, a question, the total nor the status column).
    pub ignored_columns: Vec<String>,
    /// Rows whose question cells were all blank without a 缺考 mark: not in the batch (the
    /// student did not take the subject).
    pub blank_rows: Vec<u32>,
    /// The 姓名 of each row in the batch that has one, to check against the roster.
    pub names: Vec<NamedRow>,
}

/// Reads an item-level sheet of `subject` in `exam`, with the blueprint from `blueprint`
/// (bytes and file name) or from a 细目 sheet of the same workbook. `Err` when a file cannot be
/// read at all, the exam has no such subject or there is no blueprint; every problem with a
/// header, row or cell is in [`ExamItemsRead::errors`].
pub fn read_exam_items(
    bytes: &[u8],
    file_name: &str,
    exam: &Exam,
    subject: &str,
    blueprint: Option<(&[u8], &str)>,
) -> Result<ExamItemsRead, IngestError> {
    read_exam_items_keyed(
        bytes,
        file_name,
        exam,
        subject,
        blueprint,
        &CandidateNumbers::default(),
    )
}

/// [`read_exam_items`] for an exam with a 考号 list: a sheet with a 考号 column and no 学籍号
/// column is matched through `candidates`.
pub fn read_exam_items_keyed(
    bytes: &[u8],
    file_name: &str,
    exam: &Exam,
    subject: &str,
    blueprint: Option<(&[u8], &str)>,
    candidates: &CandidateNumbers,
) -> Result<ExamItemsRead, IngestError> {
    let subject = find_subject(exam, subject)?;
    let file_sha256 = sha256_hex(bytes);
    let tables = read_tables(file_name, bytes)?;
    let own_blueprint = blueprint_sheet(&tables);

    // The blueprint: a separate file wins over a sheet of the same workbook.
    let separate = match blueprint {
        Some((b, name)) => Some((read_tables(name, b)?, name)),
        None => None,
    };
    let (bp_tables, bp_file, bp_index) = match &separate {
        Some((t, name)) => {
            let index = blueprint_sheet(t)
                .or_else(|| {
                    t.tables
                        .iter()
                        .position(|x| !x.hidden && column(&x.header, ITEM_NO).is_some())
                })
                .or_else(|| pick_sheet(t, &[], None));
            (t, *name, index)
        }
        None => (&tables, file_name, own_blueprint),
    };
    let Some(bp_index) = bp_index else {
        return Err(IngestError::NoBlueprint {
            file_name: file_name.to_string(),
        });
    };
    let bp_table = &bp_tables.tables[bp_index];
    let blueprint_source = match (&separate, bp_tables.format) {
        (Some(_), FileFormat::Csv) => bp_file.to_string(),
        (Some(_), FileFormat::Xlsx) => format!("{bp_file} 工作表“{}”", bp_table.name),
        (None, _) => format!("工作表“{}”", bp_table.name),
    };
    let mut bp_cx = Ctx::new(bp_file, &bp_table.name);
    let bp = read_blueprint(&mut bp_cx, bp_table, subject);

    let mut out = ExamItemsRead {
        batch: ExamItemBatch {
            exam: exam.id,
            subject: subject.name.clone(),
            items: bp
                .iter()
                .map(|b| ExamItem {
                    item_no: b.item_no.clone(),
                    max_points: b.max.unwrap_or(0.0),
                    knowledge_points: b.knowledge_points.clone(),
                })
                .collect(),
            rows: Vec::new(),
        },
        errors: Vec::new(),
        encoding: tables.encoding,
        file_sha256,
        sheet: String::new(),
        blueprint_source,
        rows_read: 0,
        ignored_columns: Vec::new(),
        blank_rows: Vec::new(),
        names: Vec::new(),
    };
    // A 细目 sheet is never the item sheet, even when a separate blueprint is used.
    let Some(index) = pick_sheet(&tables, &["小题", "成绩", "得分", "明细"], own_blueprint)
    else {
        bp_cx.push(
            0,
            "",
            "",
            format!("“{file_name}”中除双向细目表外没有小题得分表"),
        );
        out.errors = bp_cx.errors;
        return Ok(out);
    };
    let table = &tables.tables[index];
    out.sheet = table.name.clone();
    out.rows_read = table.len();
    let mut cx = Ctx::new(file_name, &table.name);
    cx.candidates = Some(candidates);
    if let Some(no_col) = require_student_no(&mut cx, table, "小题得分表") {
        let sheet = ItemSheet::new(&mut cx, table, no_col, exam, subject, &bp, &mut out);
        if let Some(sheet) = sheet {
            sheet.read_rows(&mut cx, &bp, &mut out);
        }
    }
    let mut errors = bp_cx.errors;
    errors.extend(cx.errors);
    out.errors = errors;
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

/// The exam's subject by name or synonym.
fn find_subject<'e>(exam: &'e Exam, subject: &str) -> Result<&'e ExamSubject, IngestError> {
    if let Some(s) = exam.subject(subject.trim()) {
        return Ok(s);
    }
    match classify(subject, exam) {
        HeaderKind::Subject(i) => Ok(&exam.subjects[i]),
        _ => Err(IngestError::UnknownExamSubject {
            exam: exam.name.clone(),
            subject: subject.trim().to_string(),
            subjects: subject_list(exam),
        }),
    }
}

fn blueprint_sheet(tables: &Tables) -> Option<usize> {
    if tables.format == FileFormat::Csv {
        return None;
    }
    tables
        .tables
        .iter()
        .position(|t| t.name.contains("细目") && t.header_row != 0)
}

const ITEM_NO: &[&str] = &[
    "题号",
    "题目",
    "题目编号",
    "题目序号",
    "小题",
    "小题号",
    "题次",
    "题序",
    "试题",
    "试题编号",
    "item",
    "item_no",
];
const MAX_POINTS: &[&str] = &[
    "分值",
    "满分",
    "配分",
    "分数",
    "赋分",
    "题分",
    "小题分值",
    "小题满分",
    "max_points",
    "points",
];
const KNOWLEDGE: &[&str] = &[
    "知识点",
    "考点",
    "知识点名称",
    "考查知识点",
    "考察知识点",
    "考查内容",
    "knowledge_points",
    "knowledge_point",
];
const TOTALS: &[&str] = &["合计", "总计", "总分", "全卷", "总计分"];
const TOTAL_COLUMN: &[&str] = &["总分", "卷面总分", "原始总分", "合计", "总成绩", "总得分"];
const STATUS_COLUMN: &[&str] = &[
    "状态",
    "考试状态",
    "考生状态",
    "备注",
    "缺考",
    "是否缺考",
    "缺考标记",
];
/// Status headers under which a yes means absent.
const YES_MEANS_ABSENT: &[&str] = &["缺考", "是否缺考", "缺考标记"];

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.contains(&normalize_header(h).as_str()))
}

/// One question of the blueprint.
#[derive(Debug, Clone)]
struct BlueprintItem {
    /// As printed in the blueprint, trimmed.
    item_no: String,
    key: String,
    /// `None` when the 分值 cell was bad (already reported).
    max: Option<f64>,
    knowledge_points: Vec<String>,
}

fn read_blueprint(cx: &mut Ctx<'_>, table: &Table, subject: &ExamSubject) -> Vec<BlueprintItem> {
    if table.header_row == 0 {
        cx.push(0, "", "", "双向细目表中没有数据".to_string());
        return Vec::new();
    }
    let no_col = column(&table.header, ITEM_NO);
    let max_col = column(&table.header, MAX_POINTS);
    for (col, label, aka) in [
        (no_col, "题号", "题目、小题、题次"),
        (max_col, "分值", "满分、配分"),
    ] {
        if col.is_none() {
            cx.push(
                table.header_row,
                label,
                "",
                format!(
                    "双向细目表缺少“{label}”列（也可写作 {aka}）。表头中现有的列：{}",
                    list_headers(&table.header)
                ),
            );
        }
    }
    let (Some(no_col), Some(max_col)) = (no_col, max_col) else {
        return Vec::new();
    };
    let kp_col = column(&table.header, KNOWLEDGE);
    let no_header = table.header[no_col].as_str();
    let max_header = table.header[max_col].as_str();
    let mut items: Vec<BlueprintItem> = Vec::new();
    let mut rows_of: HashMap<String, u32> = HashMap::new();
    let mut stated_total: Option<(u32, f64, String)> = None;
    for row in table.rows() {
        let no = row.get(no_col);
        let max = row.get(max_col);
        let key = item_key(no);
        if TOTALS.contains(&key.as_str()) || key.starts_with("合计") || key.starts_with("小计")
        {
            if TOTALS.contains(&key.as_str())
                && let Ok(Cell::Number(n)) = parse_cell(max)
            {
                stated_total = Some((row.number, n, max.to_string()));
            }
            continue;
        }
        if no.is_empty() {
            if !max.is_empty() {
                cx.push(
                    row.number,
                    no_header,
                    "",
                    format!("题号为空，但分值为 {max}：请填写题号"),
                );
            }
            continue;
        }
        if max.is_empty() && !question_shaped(bare(&key)) {
            continue; // 一、选择题: a section title
        }
        let max_points = match parse_cell(max) {
            Ok(Cell::Number(n)) if n > 0.0 => Some(n),
            Ok(Cell::Blank) => {
                cx.push(
                    row.number,
                    max_header,
                    "",
                    format!("第 {no} 题没有分值：请填写这道题的满分"),
                );
                None
            }
            _ => {
                cx.push(
                    row.number,
                    max_header,
                    max,
                    format!("第 {no} 题的分值“{max}”无效：应为大于 0 的数，如 3 或 4.5"),
                );
                None
            }
        };
        if let Some(&earlier) = rows_of.get(&key) {
            cx.push(
                row.number,
                no_header,
                no,
                format!("题号 {no} 与第 {earlier} 行重复：每道题只能出现一次"),
            );
            continue;
        }
        rows_of.insert(key.clone(), row.number);
        let knowledge_points = kp_col.map_or_else(Vec::new, |c| split_tags(row.get(c)));
        items.push(BlueprintItem {
            item_no: no.to_string(),
            key,
            max: max_points,
            knowledge_points,
        });
    }
    if items.is_empty() {
        cx.push(
            table.header_row,
            no_header,
            "",
            "双向细目表中没有任何题目：每道题一行，写明题号和分值".to_string(),
        );
        return items;
    }
    if items.iter().all(|i| i.max.is_some()) {
        let sum: f64 = items.iter().filter_map(|i| i.max).sum();
        if let Some((row, stated, shown)) = stated_total
            && !same_points(stated, sum)
        {
            cx.push(
                row,
                max_header,
                &shown,
                format!(
                    "合计行的分值 {shown} 与各题分值之和 {} 不一致：请核对细目表",
                    fmt_num(sum)
                ),
            );
        }
        if !same_points(sum, subject.full_marks) {
            cx.push(
                0,
                max_header,
                &fmt_num(sum),
                format!(
                    "双向细目表各题分值合计 {} 分，与本次考试 {} 的满分 {} 分不一致：请核对细目表是否漏题或分值有误，或核对考试设置的满分",
                    fmt_num(sum),
                    subject.name,
                    fmt_num(subject.full_marks)
                ),
            );
        }
    }
    items
}

/// Knowledge-point tags: split on 、，,;； and line breaks, trimmed, without repeats.
fn split_tags(cell: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in cell.split(['、', '，', ',', ';', '；', '\n', '\r']) {
        let t = t.trim();
        if !t.is_empty() && !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    tags
}

/// A question number as compared: ASCII forms, no spaces, lower case, circled digits as
/// `(n)`, no points note `(3分)`, no 第 / 题 / 小题, no `T` / `Q` prefix.
fn item_key(s: &str) -> String {
    let mut t = String::with_capacity(s.len());
    for c in to_ascii(s).chars() {
        match c {
            c if c.is_whitespace() => {}
            '①'..='⑳' => {
                t.push('(');
                t.push_str(&(c as u32 - '①' as u32 + 1).to_string());
                t.push(')');
            }
            c => t.push(c.to_ascii_lowercase()),
        }
    }
    // A points note: 1(3分), 13(2)(4分).
    while t.ends_with("分)") {
        let Some(open) = t.rfind('(') else { break };
        let inner = &t[open + 1..t.len() - "分)".len()];
        if inner.is_empty() || super::plain_number(inner.trim_start_matches("满")).is_none() {
            break;
        }
        t.truncate(open);
    }
    let t = t.replace("小题", "").replace('题', "");
    let t = t.strip_prefix('第').unwrap_or(&t);
    let t = match t.as_bytes() {
        [b't' | b'q', d, ..] if d.is_ascii_digit() => &t[1..],
        _ => t,
    };
    t.to_string()
}

/// The number part of a key: `选择1` → `1`, `填空13(2)` → `13(2)`; a key without a Chinese
/// section prefix is returned whole.
fn bare(key: &str) -> &str {
    match key.find(|c: char| c.is_ascii_digit()) {
        Some(i) if i > 0 && !key[..i].is_ascii() && !key[..i].contains(['(', ')']) => &key[i..],
        _ => key,
    }
}

/// `1`, `13(2)`, `13.2`, `21(1)a`: starts with a digit, only ASCII letters, digits and
/// brackets, points, dashes.
fn question_shaped(bare: &str) -> bool {
    bare.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'(' | b')' | b'.' | b'-' | b'_'))
}

/// An item sheet with its columns mapped.
struct ItemSheet<'t> {
    table: &'t Table,
    no_col: usize,
    /// Column of each blueprint item (aligned with the blueprint).
    item_cols: Vec<usize>,
    total_col: Option<usize>,
    status_col: Option<(usize, bool)>,
}

impl<'t> ItemSheet<'t> {
    fn new(
        cx: &mut Ctx<'_>,
        table: &'t Table,
        no_col: usize,
        exam: &Exam,
        subject: &ExamSubject,
        bp: &[BlueprintItem],
        out: &mut ExamItemsRead,
    ) -> Option<Self> {
        let mut by_key: HashMap<&str, usize> = HashMap::new();
        let mut by_bare: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, b) in bp.iter().enumerate() {
            by_key.insert(b.key.as_str(), i);
            by_bare.entry(bare(&b.key)).or_default().push(i);
        }
        let subject_index = exam.subjects.iter().position(|s| s.name == subject.name);
        let mut cols: Vec<Option<usize>> = vec![None; bp.len()];
        let mut total_col = None;
        let mut status_col = None;
        for (c, h) in table.header.iter().enumerate() {
            if c == no_col || h.is_empty() {
                continue;
            }
            let norm = normalize_header(h);
            if total_col.is_none()
                && (TOTAL_COLUMN.contains(&norm.as_str())
                    || subject_index.is_some_and(|s| classify(h, exam) == HeaderKind::Subject(s)))
            {
                total_col = Some(c);
                continue;
            }
            if status_col.is_none() && STATUS_COLUMN.contains(&norm.as_str()) {
                status_col = Some((c, YES_MEANS_ABSENT.contains(&norm.as_str())));
                continue;
            }
            let key = item_key(h);
            let b = bare(&key);
            let found = by_key.get(key.as_str()).copied().or_else(|| {
                match by_bare.get(b).map(Vec::as_slice) {
                    Some(&[i]) => Some(i),
                    _ => None,
                }
            });
            match found {
                Some(i) => match cols[i] {
                    Some(first) => cx.push(
                        table.header_row,
                        h,
                        "",
                        format!(
                            "列“{h}”与第 {} 列“{}”都是第 {} 题：每道题只能有一列，请删除多余的一列",
                            first + 1,
                            table.header[first],
                            bp[i].item_no
                        ),
                    ),
                    None => cols[i] = Some(c),
                },
                None if question_shaped(b) => {
                    cx.push(
                        table.header_row,
                        h,
                        "",
                        format!(
                            "第 {h} 题不在双向细目表中（细目表的题号：{}）：请核对题号，或在细目表中补上这道题的分值和知识点",
                            item_list(bp)
                        ),
                    );
                }
                None => out.ignored_columns.push(h.clone()),
            }
        }
        let mut missing = false;
        for (i, c) in cols.iter().enumerate() {
            if c.is_none() {
                missing = true;
                cx.push(
                    table.header_row,
                    &bp[i].item_no,
                    "",
                    format!(
                        "双向细目表中的第 {} 题在小题得分表中没有对应的列：请补上这一列，或核对题号的写法（表头中现有的列：{}）",
                        bp[i].item_no,
                        list_headers(&table.header)
                    ),
                );
            }
        }
        if bp.is_empty() || missing {
            return None;
        }
        Some(ItemSheet {
            table,
            no_col,
            item_cols: cols.into_iter().flatten().collect(),
            total_col,
            status_col,
        })
    }

    fn read_rows(&self, cx: &mut Ctx<'_>, bp: &[BlueprintItem], out: &mut ExamItemsRead) {
        let table = self.table;
        let no_header = table.header[self.no_col].as_str();
        let name_col = name_column(table);
        let mut seen = SeenStudents::with_capacity(table.len());
        out.batch.rows.reserve(table.len());
        for row in table.rows() {
            let errors_before = cx.errors.len();
            let no: Option<StudentNo> = read_student_no(cx, table, &row, self.no_col);
            let mut points: Vec<Option<f64>> = Vec::with_capacity(bp.len());
            let (mut numbers, mut absent_cells, mut first_absent) = (0usize, 0usize, None);
            let mut sum = 0.0;
            for (i, &c) in self.item_cols.iter().enumerate() {
                let item = &bp[i];
                let header = table.header[c].as_str();
                if let Some(issue) = row.issue(c) {
                    let msg = format!("第 {} 题得分：{}", item.item_no, issue.message_zh);
                    cx.push(row.number, header, &issue.value, msg);
                    points.push(None);
                    continue;
                }
                let v = row.get(c);
                let max = || item.max.map_or_else(|| "?".to_string(), fmt_num);
                match parse_cell(v) {
                    Ok(Cell::Blank) => points.push(None),
                    Ok(Cell::Absent) => {
                        absent_cells += 1;
                        first_absent.get_or_insert(c);
                        points.push(None);
                    }
                    Ok(Cell::Number(n)) if item.max.is_some_and(|m| n > m + 1e-9) => {
                        cx.push(
                            row.number,
                            header,
                            v,
                            format!(
                                "第 {} 题得分 {v} 超过该题分值 {} 分：请核对",
                                item.item_no,
                                max()
                            ),
                        );
                        points.push(None);
                    }
                    Ok(Cell::Number(n)) => {
                        numbers += 1;
                        sum += n;
                        points.push(Some(n));
                    }
                    Err(BadCell::Negative) => {
                        cx.push(
                            row.number,
                            header,
                            v,
                            format!(
                                "第 {} 题得分不能为负数：请填写 0–{} 之间的分数",
                                item.item_no,
                                max()
                            ),
                        );
                        points.push(None);
                    }
                    Err(BadCell::Unreadable) => {
                        cx.push(
                            row.number,
                            header,
                            v,
                            format!(
                                "第 {} 题得分“{v}”无法识别：请填写 0–{} 之间的分数，未作答填 0 或留空，缺考的学生在状态列填“缺考”",
                                item.item_no,
                                max()
                            ),
                        );
                        points.push(None);
                    }
                }
            }
            let marked = self.status_col.and_then(|(c, yes_means_absent)| {
                let v = row.get(c);
                status_says_absent(v, yes_means_absent).then_some(c)
            });
            let absent = marked.is_some() || (absent_cells > 0 && numbers == 0);
            if absent && numbers > 0 {
                let c = marked.expect("absent with numbers only when marked");
                cx.push(
                    row.number,
                    &table.header[c],
                    row.get(c),
                    format!(
                        "标记为缺考，但有 {numbers} 道题有得分：缺考学生的各题应为空或“缺考”；如该生参加了考试，请删去缺考标记"
                    ),
                );
            } else if !absent && absent_cells > 0 {
                let c = first_absent.expect("counted");
                cx.push(
                    row.number,
                    &table.header[c],
                    row.get(c),
                    "部分题目为“缺考”、部分题目有得分：缺考的学生各题都应为空或“缺考”；参加了考试的学生，未作答的题填 0 或留空".to_string(),
                );
            }
            let all_blank = !absent && numbers == 0 && absent_cells == 0;
            if let Some(c) = self.total_col {
                let v = row.get(c);
                let header = table.header[c].as_str();
                match parse_cell(v) {
                    Ok(Cell::Number(total)) if absent && total > 0.0 => cx.push(
                        row.number,
                        header,
                        v,
                        format!("该生为缺考，但总分为 {v}：请核对"),
                    ),
                    Ok(Cell::Number(total))
                        if !absent && !all_blank && !same_points(total, sum) =>
                    {
                        cx.push(
                            row.number,
                            header,
                            v,
                            format!(
                                "总分 {v} 与各题得分之和 {} 不一致：请核对各题得分或总分",
                                fmt_num(sum)
                            ),
                        )
                    }
                    Ok(Cell::Absent) if numbers > 0 && marked.is_none() => cx.push(
                        row.number,
                        header,
                        v,
                        format!("总分为“{v}”，但有 {numbers} 道题有得分：请核对"),
                    ),
                    Ok(_) => {}
                    Err(_) => cx.push(
                        row.number,
                        header,
                        v,
                        format!("总分“{v}”无法识别：应为数字或“缺考”"),
                    ),
                }
            }
            let Some(no) = no else { continue };
            if !seen.first(cx, no_header, &no, row.get(self.no_col), row.number)
                || cx.errors.len() > errors_before
            {
                continue;
            }
            if all_blank {
                out.blank_rows.push(row.number);
                continue;
            }
            out.names.extend(named_row(table, name_col, &row, &no));
            out.batch.rows.push(NewItemScoreRow {
                origin: Origin {
                    sheet: table.name.clone(),
                    row: row.number,
                },
                student_no: no,
                absent,
                points: if absent { vec![None; bp.len()] } else { points },
            });
        }
    }
}

fn status_says_absent(v: &str, yes_means_absent: bool) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return false;
    }
    if parse_cell(v) == Ok(Cell::Absent) || v.contains("缺考") {
        return true;
    }
    yes_means_absent
        && matches!(
            v.to_ascii_lowercase().as_str(),
            "是" | "1" | "√" | "✓" | "y" | "yes" | "true"
        )
}

/// "1、2、3、…、22" (at most 30 shown).
fn item_list(bp: &[BlueprintItem]) -> String {
    let mut s: Vec<&str> = bp.iter().take(30).map(|b| b.item_no.as_str()).collect();
    if bp.len() > 30 {
        s.push("…");
    }
    if s.is_empty() {
        "（无）".to_string()
    } else {
        s.join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_numbers_are_compared_in_one_form() {
        for (h, key) in [
            ("1", "1"),
            (" 13(2) ", "13(2)"),
            ("13（2）", "13(2)"),
            ("第1题", "1"),
            ("第13(2)题", "13(2)"),
            ("第13题(2)", "13(2)"),
            ("T1", "1"),
            ("q12", "12"),
            ("选择1", "选择1"),
            ("选择题1", "选择1"),
            ("21①", "21(1)"),
            ("1(3分)", "1"),
            ("13(2)（4分）", "13(2)"),
            ("作文", "作文"),
            ("第1小题", "1"),
        ] {
            assert_eq!(item_key(h), key, "{h}");
        }
        assert_eq!(bare("选择1"), "1");
        assert_eq!(bare("填空13(2)"), "13(2)");
        assert_eq!(bare("13(2)"), "13(2)");
        assert_eq!(bare("作文"), "作文");
        assert!(question_shaped("13(2)"));
        assert!(question_shaped("1"));
        assert!(!question_shaped("作文"));
        assert!(!question_shaped("1班"));
        assert!(!question_shaped("客观"));
    }

    #[test]
    fn tags_split_on_chinese_and_ascii_separators() {
        assert_eq!(
            split_tags("有理数、绝对值，数轴;方程； 方程\n函数"),
            ["有理数", "绝对值", "数轴", "方程", "函数"]
        );
        assert!(split_tags("  ").is_empty());
    }

    #[test]
    fn status_cells() {
        assert!(status_says_absent("缺考", false));
        assert!(status_says_absent("缺考（病假）", false));
        assert!(status_says_absent("病假缺考", false));
        assert!(!status_says_absent("是", false));
        assert!(status_says_absent("是", true));
        assert!(!status_says_absent("转学", true));
        assert!(!status_says_absent("", true));
    }
}
