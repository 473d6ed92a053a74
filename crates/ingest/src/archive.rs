//! Archive files (issue 12): activity records (写实记录) and art assessments (艺术素质测评),
//! CSV or XLSX, with their templates. Every cell is checked before anything is written: a
//! category not in the list, hours that are negative or more than 24 a day over the span, a
//! date outside the term, a part out of its range — each a row error naming the file, sheet,
//! row, column and value. The service writes nothing unless every row is clean.
use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};
use time::Date;
use wuyu_domain::{ActivityCategory, Origin, RowError, Tenths, Term, parse_date};
use wuyu_monitor::archive::{RecordCheckError, RecordSpan, check_record};
use wuyu_standards::archive::ArtParts;

use crate::IngestError;
use crate::roster::sha256_hex;
use crate::table::{Table, read_tables};

/// The activity record columns, as the template writes them: (header, required, note).
pub const RECORD_COLUMNS: [(&str, bool, &str); 8] = [
    ("学籍号", true, "学生的学籍号"),
    (
        "类别",
        true,
        "德育活动、志愿服务、劳动课、校内劳动、家务劳动、劳动周、社会实践、研学旅行、艺术活动、体育活动、获奖、家访",
    ),
    ("日期", true, "活动日期（开始日期），如 2025-10-15"),
    ("结束日期", false, "多日活动的结束日期；一天的活动留空"),
    ("时长", true, "小时，最多一位小数；每天不超过 24 小时"),
    (
        "路程时长",
        false,
        "其中路程所用小时（志愿服务星级不计路程）；留空为 0",
    ),
    ("组织单位", false, "如 校团委、社区居委会"),
    ("活动内容", true, "简要写实描述"),
];

/// The art assessment columns: (header, required, note).
pub const ART_COLUMNS: [(&str, bool, &str); 4] = [
    ("学籍号", true, "学生的学籍号"),
    ("基础指标", true, "0–40 分，最多一位小数"),
    ("学业指标", true, "0–50 分，最多一位小数"),
    (
        "发展指标",
        true,
        "0–20 分（其中 10 分为加分），最多一位小数",
    ),
];

/// One clean activity record row.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub origin: Origin,
    pub student_no: String,
    pub category: ActivityCategory,
    pub date: Date,
    pub end_date: Option<Date>,
    pub hours: Tenths,
    pub travel: Tenths,
    pub organiser: String,
    pub description: String,
}

/// One clean art assessment row.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtRow {
    pub origin: Origin,
    pub student_no: String,
    pub parts: ArtParts,
}

/// What a file read into: clean rows, and every row error.
#[derive(Debug, Clone)]
pub struct ArchiveRead<T> {
    pub rows: Vec<T>,
    pub errors: Vec<RowError>,
    pub file_sha256: String,
}

/// The table whose header has every required column, and each column's index.
fn find_table<'t>(
    tables: &'t [Table],
    columns: &[(&str, bool, &str)],
) -> Option<(&'t Table, Vec<Option<usize>>)> {
    tables.iter().find_map(|t| {
        let idx: Vec<Option<usize>> = columns
            .iter()
            .map(|(h, _, _)| t.header.iter().position(|x| x.trim() == *h))
            .collect();
        columns
            .iter()
            .zip(&idx)
            .all(|((_, required, _), i)| !required || i.is_some())
            .then_some((t, idx))
    })
}

fn missing(columns: &[(&str, bool, &str)], tables: &[Table]) -> IngestError {
    let need: Vec<&str> = columns.iter().filter(|c| c.1).map(|c| c.0).collect();
    let found: Vec<String> = tables.iter().map(|t| format!("“{}”", t.name)).collect();
    IngestError::NoArchiveSheet {
        need: need.join("、"),
        found: found.join("、"),
    }
}

/// Reads activity records of `term`.
pub fn read_activities(
    bytes: &[u8],
    file_name: &str,
    term: Term,
) -> Result<ArchiveRead<ActivityRow>, IngestError> {
    let tables = read_tables(file_name, bytes)?;
    let (table, idx) = find_table(&tables.tables, &RECORD_COLUMNS)
        .ok_or_else(|| missing(&RECORD_COLUMNS, &tables.tables))?;
    let mut out = ArchiveRead {
        rows: Vec::new(),
        errors: Vec::new(),
        file_sha256: sha256_hex(bytes),
    };
    for row in table.rows() {
        let cell = |c: usize| idx[c].map_or("", |i| row.get(i)).trim();
        let err = |c: usize, message_zh: String| RowError {
            file: file_name.to_string(),
            sheet: table.name.clone(),
            row: row.number,
            column: RECORD_COLUMNS[c].0.to_string(),
            value: cell(c).to_string(),
            message_zh,
        };
        let before = out.errors.len();
        let no = cell(0);
        if no.is_empty() {
            out.errors.push(err(0, "学籍号不能为空".into()));
        }
        let category = ActivityCategory::parse(cell(1));
        if category.is_none() {
            out.errors
                .push(err(1, format!("类别不在列表中：{}", RECORD_COLUMNS[1].2)));
        }
        let date = parse_date(cell(2)).ok();
        if date.is_none() {
            out.errors
                .push(err(2, "日期无效，应写作 2025-10-15".into()));
        }
        let end_date = match cell(3) {
            "" => Some(None),
            s => parse_date(s).ok().map(Some),
        };
        if end_date.is_none() {
            out.errors
                .push(err(3, "结束日期无效，应写作 2025-10-17".into()));
        }
        let hours = Tenths::parse(cell(4));
        if hours.is_none() {
            out.errors
                .push(err(4, "时长应为小时数，最多一位小数".into()));
        }
        let travel = match cell(5) {
            "" => Some(Tenths(0)),
            s => Tenths::parse(s),
        };
        if travel.is_none() {
            out.errors
                .push(err(5, "路程时长应为小时数，最多一位小数".into()));
        }
        if cell(7).is_empty() {
            out.errors.push(err(7, "活动内容不能为空".into()));
        }
        if out.errors.len() > before {
            continue;
        }
        let (Some(category), Some(date), Some(end_date), Some(hours), Some(travel)) =
            (category, date, end_date, hours, travel)
        else {
            continue;
        };
        let span = RecordSpan { date, end_date };
        if let Err(e) = check_record(span, hours, travel, term) {
            let col = match e {
                RecordCheckError::NegativeHours(_) | RecordCheckError::OverSpan { .. } => 4,
                RecordCheckError::BadTravel { .. } => 5,
                RecordCheckError::EndBeforeStart { .. } => 3,
                RecordCheckError::OutsideTerm { date: d, .. } => {
                    if Some(d) == end_date && d != date {
                        3
                    } else {
                        2
                    }
                }
            };
            out.errors.push(err(col, e.to_string()));
            continue;
        }
        out.rows.push(ActivityRow {
            origin: Origin {
                sheet: table.name.clone(),
                row: row.number,
            },
            student_no: no.to_string(),
            category,
            date,
            end_date,
            hours,
            travel,
            organiser: cell(6).to_string(),
            description: cell(7).to_string(),
        });
    }
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

/// Reads art assessments (one school year, named by the caller); a student twice is an error.
pub fn read_art(bytes: &[u8], file_name: &str) -> Result<ArchiveRead<ArtRow>, IngestError> {
    let tables = read_tables(file_name, bytes)?;
    let (table, idx) = find_table(&tables.tables, &ART_COLUMNS)
        .ok_or_else(|| missing(&ART_COLUMNS, &tables.tables))?;
    let mut out = ArchiveRead {
        rows: Vec::new(),
        errors: Vec::new(),
        file_sha256: sha256_hex(bytes),
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in table.rows() {
        let cell = |c: usize| idx[c].map_or("", |i| row.get(i)).trim();
        let err = |c: usize, message_zh: String| RowError {
            file: file_name.to_string(),
            sheet: table.name.clone(),
            row: row.number,
            column: ART_COLUMNS[c].0.to_string(),
            value: cell(c).to_string(),
            message_zh,
        };
        let no = cell(0);
        if no.is_empty() {
            out.errors.push(err(0, "学籍号不能为空".into()));
            continue;
        }
        if let Some(first) = seen.insert(no.to_string(), row.number) {
            out.errors
                .push(err(0, format!("同一学生重复：第 {first} 行已有该学籍号")));
            continue;
        }
        let mut parts = [Tenths(0); 3];
        let mut bad = false;
        for (c, p) in parts.iter_mut().enumerate() {
            match Tenths::parse(cell(c + 1)) {
                Some(v) => *p = v,
                None => {
                    out.errors.push(err(c + 1, "应为分数，最多一位小数".into()));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        let parts = ArtParts {
            basic: parts[0],
            academic: parts[1],
            development: parts[2],
        };
        if let Err(e) = parts.score() {
            let c = match &e {
                wuyu_standards::archive::ArtError::OutOfRange { part, .. } => ART_COLUMNS
                    .iter()
                    .position(|(h, _, _)| h == part)
                    .unwrap_or(1),
            };
            out.errors.push(err(c, e.to_string()));
            continue;
        }
        out.rows.push(ArtRow {
            origin: Origin {
                sheet: table.name.clone(),
                row: row.number,
            },
            student_no: no.to_string(),
            parts,
        });
    }
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

/// An XLSX template: one sheet named `sheet` with the headers (text format, a note each).
pub fn write_archive_template(
    sheet: &str,
    columns: &[(&str, bool, &str)],
) -> Result<Vec<u8>, IngestError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (i, (h, required, note)) in columns.iter().enumerate() {
        let col = u16::try_from(i).expect("a sheet has few columns");
        ws.write_string_with_format(0, col, *h, &bold)?;
        let note = if *required {
            format!("必填。{note}")
        } else {
            format!("选填。{note}")
        };
        ws.insert_note(
            0,
            col,
            &rust_xlsxwriter::Note::new(note).add_author_prefix(false),
        )?;
        ws.set_column_width(col, 16)?;
        ws.set_column_format(col, &text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wuyu_domain::TermPart;

    fn term() -> Term {
        Term::new(2025, TermPart::Autumn).unwrap()
    }

    #[test]
    fn clean_rows_are_read_and_bad_cells_name_row_column_and_value() {
        let csv = "学籍号,类别,日期,结束日期,时长,路程时长,组织单位,活动内容\n\
                   G1,志愿服务,2025-10-15,,3.5,0.5,社区,敬老院服务\n\
                   G2,打游戏,2025-10-15,,1,,,x\n\
                   G3,劳动周,2025-10-13,2025-10-14,48.5,,学校,劳动周\n\
                   G4,研学旅行,2025-07-30,,8,,学校,研学\n\
                   G5,家务劳动,2025-10-15,,-1,,,洗碗\n\
                   G6,艺术活动,2025-10-15,,两小时,,,合唱\n";
        let read = read_activities(csv.as_bytes(), "记录.csv", term()).unwrap();
        assert_eq!(read.rows.len(), 1);
        let r = &read.rows[0];
        assert_eq!(
            (r.category, r.hours, r.travel, r.origin.row),
            (ActivityCategory::Volunteer, Tenths(35), Tenths(5), 2)
        );
        let e: Vec<(u32, &str, &str)> = read
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            e,
            vec![
                (3, "类别", "打游戏"),
                (4, "时长", "48.5"),
                (5, "日期", "2025-07-30"),
                (6, "时长", "-1"),
                (7, "时长", "两小时"),
            ]
        );
        assert!(read.errors.iter().all(|e| e.file == "记录.csv"));
        assert!(
            read.errors[1].message_zh.contains("2 天，最多 48 小时"),
            "{}",
            read.errors[1].message_zh
        );
        assert!(
            read.errors[2].message_zh.contains("不在"),
            "{}",
            read.errors[2].message_zh
        );
    }

    #[test]
    fn a_file_without_the_columns_says_which_it_needs() {
        let e = read_activities("姓名,成绩\n张三,90\n".as_bytes(), "x.csv", term()).unwrap_err();
        assert!(
            e.to_string().contains("学籍号、类别、日期、时长、活动内容"),
            "{e}"
        );
    }

    #[test]
    fn art_parts_are_checked_per_column() {
        let csv = "学籍号,基础指标,学业指标,发展指标\n\
                   G1,40,45,5\n\
                   G2,41,45,5\n\
                   G1,30,30,0\n\
                   G3,30,abc,0\n";
        let read = read_art(csv.as_bytes(), "艺术.csv").unwrap();
        assert_eq!(read.rows.len(), 1);
        assert_eq!(read.rows[0].parts.score().unwrap().0, Tenths(900));
        let e: Vec<(u32, &str)> = read
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(e, vec![(3, "基础指标"), (4, "学籍号"), (5, "学业指标")]);
    }

    #[test]
    fn an_untouched_template_reads_empty() {
        let t = write_archive_template("写实记录", &RECORD_COLUMNS).unwrap();
        let read = read_activities(&t, "写实记录模板.xlsx", term()).unwrap();
        assert!(read.rows.is_empty() && read.errors.is_empty());
        let t = write_archive_template("艺术素质测评", &ART_COLUMNS).unwrap();
        let read = read_art(&t, "艺术模板.xlsx").unwrap();
        assert!(read.rows.is_empty() && read.errors.is_empty());
    }
}
