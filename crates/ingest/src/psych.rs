//! Screening answer sheets (modules.md §3, the code layout): `student_no` (学籍号) and
//! `phq9_1`…`phq9_9`, `gad7_1`…`gad7_7`, `asq_1`…`asq_5`, with Chinese headers too ("PHQ-9
//! 第1题"). Every cell is checked: an answer of 4 on PHQ-9 or "maybe" on ASQ is a row error,
//! never guessed. Blank cells are unanswered; a scale with every cell of a row blank is not
//! given on that row (the service decides whether the campaign asked for it).
use std::collections::HashMap;

use wuyu_domain::{Origin, RowError};
use wuyu_standards::scales::{
    ASQ_ITEMS, AsqAnswer, GAD_ITEMS, PHQ_ITEMS, ScaleDefinition, ScreeningAnswers, parse_asq,
    parse_item,
};

use crate::IngestError;
use crate::roster::sha256_hex;
use crate::table::{Table, read_tables};

/// One student's answer row.
#[derive(Debug, Clone, PartialEq)]
pub struct PsychAnswerRow {
    pub origin: Origin,
    pub student_no: String,
    pub answers: ScreeningAnswers,
    /// The district scale's answers (`{code}_1`…), when the reader was given its definition
    /// and the row answers any of its items.
    pub custom: Option<Vec<Option<i32>>>,
}

/// What a sheet of answers read into.
#[derive(Debug, Clone, Default)]
pub struct PsychAnswersRead {
    pub rows: Vec<PsychAnswerRow>,
    pub errors: Vec<RowError>,
    pub file_sha256: String,
    pub encoding: Option<&'static str>,
    /// Which scales have columns in the file.
    pub has_phq: bool,
    pub has_gad: bool,
    pub has_asq: bool,
}

/// The scale and item number a header names, or the 学籍号 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    StudentNo,
    Phq(usize),
    Gad(usize),
    Asq(usize),
    /// An item of the district scale the reader was given.
    Custom(usize),
}

/// Lower-case ASCII letters and digits only, so `PHQ-9 第1题`, `phq9_1` and `PHQ9-1` agree.
fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn column(h: &str) -> Option<Col> {
    let t = h.trim();
    if t == "学籍号" || t == "学生学籍号" {
        return Some(Col::StudentNo);
    }
    let k = header_key(t);
    if k == "studentno" {
        return Some(Col::StudentNo);
    }
    let item =
        |rest: &str, max: usize| rest.parse::<usize>().ok().filter(|n| (1..=max).contains(n));
    if let Some(rest) = k.strip_prefix("phq9").or_else(|| k.strip_prefix("phqa")) {
        return item(rest, PHQ_ITEMS).map(|n| Col::Phq(n - 1));
    }
    if let Some(rest) = k.strip_prefix("gad7") {
        return item(rest, GAD_ITEMS).map(|n| Col::Gad(n - 1));
    }
    if let Some(rest) = k.strip_prefix("asq") {
        return item(rest, ASQ_ITEMS).map(|n| Col::Asq(n - 1));
    }
    None
}

/// A built-in column, or an item of the district scale (`{code}_n`, `{code}-n`).
fn column_with(h: &str, custom: Option<&ScaleDefinition>) -> Option<Col> {
    column(h).or_else(|| {
        let d = custom?;
        let rest = header_key(h)
            .strip_prefix(&header_key(&d.code))?
            .parse::<usize>()
            .ok()?;
        (1..=usize::from(d.item_count))
            .contains(&rest)
            .then(|| Col::Custom(rest - 1))
    })
}

/// Whether a sheet's header is an answer sheet: a 学籍号 column and at least one answer column
/// (the sheets [`read_psych_answers`] reads).
pub fn is_psych_header(header: &[String]) -> bool {
    let cols: Vec<Option<Col>> = header.iter().map(|h| column(h)).collect();
    cols.contains(&Some(Col::StudentNo))
        && cols
            .iter()
            .any(|c| matches!(c, Some(Col::Phq(_) | Col::Gad(_) | Col::Asq(_))))
}

/// Reads every recognisable sheet of answers.
pub fn read_psych_answers(bytes: &[u8], file_name: &str) -> Result<PsychAnswersRead, IngestError> {
    read_psych_answers_with(bytes, file_name, None)
}

/// Reads every recognisable sheet of answers, with the columns of a campaign's district scale
/// (`{code}_1`…, each cell one of its answer values or blank) when its definition is given.
pub fn read_psych_answers_with(
    bytes: &[u8],
    file_name: &str,
    custom: Option<&ScaleDefinition>,
) -> Result<PsychAnswersRead, IngestError> {
    let tables = read_tables(file_name, bytes)?;
    let mut out = PsychAnswersRead {
        file_sha256: sha256_hex(bytes),
        encoding: tables.encoding,
        ..Default::default()
    };
    let mut found = Vec::new();
    let mut recognised = 0;
    let mut seen: HashMap<String, u32> = HashMap::new();
    for table in &tables.tables {
        found.push(format!("“{}”", table.name));
        let cols: Vec<Option<Col>> = table
            .header
            .iter()
            .map(|h| column_with(h, custom))
            .collect();
        let Some(no_col) = cols.iter().position(|c| *c == Some(Col::StudentNo)) else {
            continue;
        };
        if !cols.iter().any(|c| {
            matches!(
                c,
                Some(Col::Phq(_) | Col::Gad(_) | Col::Asq(_) | Col::Custom(_))
            )
        }) {
            continue;
        }
        recognised += 1;
        out.has_phq |= cols.iter().any(|c| matches!(c, Some(Col::Phq(_))));
        out.has_gad |= cols.iter().any(|c| matches!(c, Some(Col::Gad(_))));
        out.has_asq |= cols.iter().any(|c| matches!(c, Some(Col::Asq(_))));
        read_table(
            file_name,
            table,
            (&cols, custom),
            no_col,
            &mut seen,
            &mut out,
        );
    }
    if recognised == 0 {
        return Err(IngestError::NoPsychSheet {
            found: found.join("、"),
        });
    }
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

fn read_table(
    file: &str,
    table: &Table,
    (cols, custom): (&[Option<Col>], Option<&ScaleDefinition>),
    no_col: usize,
    seen: &mut HashMap<String, u32>,
    out: &mut PsychAnswersRead,
) {
    for row in table.rows() {
        let err = |col: usize, value: &str, message_zh: String| RowError {
            file: file.to_string(),
            sheet: table.name.clone(),
            row: row.number,
            column: table.header.get(col).cloned().unwrap_or_default(),
            value: value.to_string(),
            message_zh,
        };
        let no = row.get(no_col).trim().to_string();
        if no.is_empty() {
            out.errors.push(err(no_col, "", "学籍号不能为空".into()));
            continue;
        }
        if let Some(first) = seen.get(&no) {
            out.errors.push(err(
                no_col,
                &no,
                format!("同一学生的答卷重复：第 {first} 行已有该学籍号"),
            ));
            continue;
        }
        seen.insert(no.clone(), row.number);
        let mut phq = [None; PHQ_ITEMS];
        let mut gad = [None; GAD_ITEMS];
        let mut asq: [Option<AsqAnswer>; ASQ_ITEMS] = [None; ASQ_ITEMS];
        let mut own = vec![None; custom.map_or(0, |d| usize::from(d.item_count))];
        let (mut any_phq, mut any_gad, mut any_asq) = (false, false, false);
        let mut any_own = false;
        let mut bad = false;
        for (i, c) in cols.iter().enumerate() {
            let cell = row.get(i);
            let result = match c {
                Some(Col::Phq(n)) => parse_item(cell).map(|v| {
                    any_phq |= v.is_some();
                    phq[*n] = v;
                }),
                Some(Col::Gad(n)) => parse_item(cell).map(|v| {
                    any_gad |= v.is_some();
                    gad[*n] = v;
                }),
                Some(Col::Asq(n)) => parse_asq(cell).map(|v| {
                    any_asq |= v.is_some();
                    asq[*n] = v;
                }),
                Some(Col::Custom(n)) => match custom {
                    Some(d) => d.parse_answer(cell).map(|v| {
                        any_own |= v.is_some();
                        own[*n] = v;
                    }),
                    None => Ok(()),
                },
                _ => Ok(()),
            };
            if let Err(e) = result {
                out.errors.push(err(i, cell.trim(), e.to_string()));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        out.rows.push(PsychAnswerRow {
            origin: Origin {
                sheet: table.name.clone(),
                row: row.number,
            },
            student_no: no,
            answers: ScreeningAnswers {
                phq: any_phq.then_some(phq),
                gad: any_gad.then_some(gad),
                asq: any_asq.then_some(asq),
            },
            custom: any_own.then_some(own),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_code_and_chinese_agree() {
        assert_eq!(column("phq9_1"), Some(Col::Phq(0)));
        assert_eq!(column("PHQ-9 第9题"), Some(Col::Phq(8)));
        assert_eq!(column("GAD-7_7"), Some(Col::Gad(6)));
        assert_eq!(column("asq_5"), Some(Col::Asq(4)));
        assert_eq!(column("学籍号"), Some(Col::StudentNo));
        assert_eq!(column("phq9_10"), None);
        assert_eq!(column("asq_6"), None);
    }

    #[test]
    fn bad_answers_are_row_errors_naming_the_cell() {
        let csv = "学籍号,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9,asq_1\n\
                   A1,0,0,0,0,0,0,0,0,4,no\n\
                   A2,0,0,0,0,0,0,0,0,0,maybe\n\
                   A3,1,1,1,1,1,1,1,1,1,yes\n\
                   A3,0,0,0,0,0,0,0,0,0,no\n";
        let r = read_psych_answers(csv.as_bytes(), "answers.csv").unwrap();
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].student_no, "A3");
        let e: Vec<(u32, &str, &str)> = r
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            e,
            vec![
                (2, "phq9_9", "4"),
                (3, "asq_1", "maybe"),
                (5, "学籍号", "A3")
            ]
        );
        assert!(r.errors[1].message_zh.contains("refused"));
        assert!(r.has_phq && r.has_asq && !r.has_gad);
    }

    #[test]
    fn a_file_without_answer_columns_is_refused() {
        let e = read_psych_answers("学籍号,姓名\nA1,张三\n".as_bytes(), "x.csv").unwrap_err();
        assert!(matches!(e, IngestError::NoPsychSheet { .. }));
    }
}
