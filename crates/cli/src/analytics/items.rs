//! `wuyu analytics items`: classical item analysis of one paper (spec §3) via
//! `wuyu_analytics::items::item_analysis`.
use anyhow::bail;
use serde::Serialize;
use wuyu_analytics::items::{ItemAnalysisOptions, ItemMatrix, TieRule, item_analysis};

use super::input::Sheet;
use super::{ItemsArgs, analytics_error, to_json};

/// `--tie-rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TieRuleArg {
    /// 同分者分摊剩余名额（规范默认）
    Fractional,
    /// 同分者全部计入该组
    Inclusive,
}

#[derive(Serialize)]
struct ItemsOut {
    n: usize,
    k: usize,
    mean: f64,
    sd: f64,
    alpha: Option<f64>,
    kr20: Option<f64>,
    kr21: Option<f64>,
    sem: Option<f64>,
    items: Vec<ItemOut>,
}

#[derive(Serialize)]
struct ItemOut {
    item: String,
    difficulty: f64,
    discrimination: f64,
    point_biserial: Option<f64>,
    corrected_item_total: Option<f64>,
    alpha_if_deleted: Option<f64>,
}

pub fn run(args: &ItemsArgs) -> anyhow::Result<String> {
    let sheet = Sheet::read(&args.input)?;
    let id = args
        .id
        .as_deref()
        .map(|c| sheet.column(c, "--id"))
        .transpose()?;
    let item_cols = item_columns(&sheet, id)?;
    let k = item_cols.len();
    if k < 2 {
        bail!(
            "{} 只有 {k} 个题目列：项目分析至少需要 2 道题（除 --id 外的每一列都是一道题）",
            sheet.place
        );
    }
    let full_marks = match args.full_marks.len() {
        0 => None,
        1 => Some(vec![args.full_marks[0]; k]),
        n if n == k => Some(args.full_marks.clone()),
        n => bail!(
            "--full-marks 给了 {n} 个满分，但 {} 有 {k} 道题（{}）：请给 1 个（所有题相同）或 {k} 个",
            sheet.place,
            item_cols
                .iter()
                .map(|&c| sheet.header(c))
                .collect::<Vec<_>>()
                .join("、")
        ),
    };
    if let Some(m) = full_marks
        .iter()
        .flatten()
        .find(|m| !(m.is_finite() && **m > 0.0))
    {
        bail!("--full-marks 的值 {m} 无效：满分必须是正数");
    }

    // Cells become numbers on every core; each range keeps its rows in order.
    struct Part {
        data: Vec<f64>,
        absent_rows: Vec<u32>,
        blanks: usize,
    }
    let parts = sheet.par_rows(|rows| {
        let mut part = Part {
            data: Vec::with_capacity(rows.len() * k),
            absent_rows: Vec::new(),
            blanks: 0,
        };
        let mut cells = Vec::with_capacity(k);
        for i in rows {
            let row = sheet.table.row(i);
            cells.clear();
            for &c in &item_cols {
                cells.push(sheet.number(&row, c)?);
            }
            if cells.iter().all(Option::is_none) {
                part.absent_rows.push(row.number);
                continue;
            }
            for (j, (&c, x)) in item_cols.iter().zip(&cells).enumerate() {
                let x = match x {
                    Some(x) => *x,
                    None => {
                        part.blanks += 1;
                        0.0
                    }
                };
                if x < 0.0 {
                    return Err(sheet.cell_error(&row, c, "是负数，题目得分不能为负"));
                }
                if let Some(m) = &full_marks
                    && x > m[j]
                {
                    return Err(sheet.cell_error(&row, c, &format!("超过了该题满分 {}", m[j])));
                }
                part.data.push(x);
            }
        }
        Ok(part)
    })?;
    let mut data = Vec::with_capacity(parts.iter().map(|p| p.data.len()).sum());
    let mut absent_rows = Vec::new();
    let mut blanks = 0usize;
    for part in parts {
        data.extend_from_slice(&part.data);
        absent_rows.extend(part.absent_rows);
        blanks += part.blanks;
    }
    let n = data.len() / k;
    if n == 0 {
        bail!("{} 的每一行题目分都是空的：没有可分析的学生", sheet.place);
    }
    let max_points = match full_marks {
        Some(m) => m,
        None => {
            let mut m = vec![1.0f64; k];
            for row in data.chunks_exact(k) {
                for (m, x) in m.iter_mut().zip(row) {
                    *m = m.max(*x);
                }
            }
            let scored: Vec<String> = item_cols
                .iter()
                .zip(&m)
                .filter(|(_, m)| **m != 1.0)
                .map(|(&c, m)| format!("{} {m}", sheet.header(c)))
                .collect();
            if !scored.is_empty() {
                eprintln!(
                    "注意：未给出 --full-marks，非 0/1 题的满分按文件中的最高得分计（{}）；如与试卷满分不同，难度会偏高，请用 --full-marks 指定",
                    scored.join("，")
                );
            }
            m
        }
    };
    if !absent_rows.is_empty() {
        eprintln!(
            "注意：{} 行的题目分全部为空，视为未参加考试，已排除（第 {} 行）",
            absent_rows.len(),
            list_rows(&absent_rows)
        );
    }
    if blanks > 0 {
        eprintln!("注意：{blanks} 个空白题目分按未作答计 0 分（规范 §3.1）");
    }

    let names = item_cols
        .iter()
        .map(|&c| sheet.header(c).to_string())
        .collect();
    let matrix = ItemMatrix::new(n, data, max_points)
        .and_then(|m| m.with_names(names))
        .map_err(|e| analytics_error(&sheet.place, e))?;
    let opts = ItemAnalysisOptions {
        tie_rule: match args.tie_rule {
            TieRuleArg::Fractional => TieRule::Fractional,
            TieRuleArg::Inclusive => TieRule::Inclusive,
        },
        ..ItemAnalysisOptions::default()
    };
    let a = item_analysis(&matrix, &opts).map_err(|e| analytics_error(&sheet.place, e))?;
    to_json(&ItemsOut {
        n: a.n,
        k: a.k,
        mean: a.mean,
        sd: a.sd,
        alpha: a.alpha,
        kr20: a.kr20,
        kr21: a.kr21,
        sem: a.sem,
        items: a
            .items
            .into_iter()
            .map(|i| ItemOut {
                item: i.item,
                difficulty: i.difficulty,
                discrimination: i.discrimination,
                point_biserial: i.point_biserial,
                corrected_item_total: i.corrected_item_total,
                alpha_if_deleted: i.alpha_if_deleted,
            })
            .collect(),
    })
}

/// Every column except the id. A column without a header is ignored when it is empty (a
/// trailing comma) and an error otherwise; two items with one name are an error.
fn item_columns(sheet: &Sheet, id: Option<usize>) -> anyhow::Result<Vec<usize>> {
    let header = &sheet.table.header;
    let mut cols = Vec::new();
    for c in (0..header.len()).filter(|&c| Some(c) != id) {
        if header[c].is_empty() {
            if let Some(row) = sheet.table.rows().find(|r| !r.get(c).is_empty()) {
                bail!(
                    "{} 第 {} 列没有列名，但第 {} 行有值“{}”：请在第 {} 行写上题号",
                    sheet.place,
                    c + 1,
                    row.number,
                    row.get(c),
                    sheet.table.header_row
                );
            }
            continue;
        }
        if let Some(&d) = cols.iter().find(|&&d| header[d] == header[c]) {
            bail!(
                "{} 第 {} 列和第 {} 列的列名都是“{}”：题目名不能重复",
                sheet.place,
                d + 1,
                c + 1,
                header[c]
            );
        }
        cols.push(c);
    }
    Ok(cols)
}

/// "3、7、9" or "3、7、9 等（共 12 行）".
pub(super) fn list_rows(rows: &[u32]) -> String {
    const SHOWN: usize = 10;
    let head = rows
        .iter()
        .take(SHOWN)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("、");
    if rows.len() > SHOWN {
        format!("{head} 等，共 {} 行", rows.len())
    } else {
        head
    }
}
