//! `wuyu analytics satisfaction`: survey indices of items answered on paper or on another site
//! (spec §7), via `wuyu_analytics::satisfaction`. One pass counts every answer per group and
//! item; the statistics then work on the counts.
use std::collections::HashMap;

use anyhow::bail;
use serde::Serialize;
use wuyu_analytics::satisfaction::{ANONYMITY_FLOOR, Answer, MinRespondents, Tally};

use super::input::Sheet;
use super::{SatisfactionArgs, to_json};

/// The group name when `--group` is not given.
const ALL: &str = "全部";

#[derive(Serialize)]
struct SatisfactionOut {
    items: Vec<ItemOut>,
}

#[derive(Serialize)]
struct ItemOut {
    item: String,
    groups: Vec<GroupOut>,
}

#[derive(Serialize)]
struct GroupOut {
    group: String,
    n: usize,
    top2_rate: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    top3_rate: Option<f64>,
    mean: Option<f64>,
    index: Option<f64>,
    unknown_share: Option<f64>,
    suppressed: bool,
}

pub fn run(args: &SatisfactionArgs) -> anyhow::Result<String> {
    let sheet = Sheet::read(&args.input)?;
    let item_cols = args
        .item
        .iter()
        .map(|c| sheet.column(c, "--item"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (i, &c) in item_cols.iter().enumerate() {
        if item_cols[..i].contains(&c) {
            bail!("列“{}”被 --item 指定了两次", sheet.header(c));
        }
    }
    let group_col = args
        .group
        .as_deref()
        .map(|g| sheet.column(g, "--group"))
        .transpose()?;
    if let Some(g) = group_col
        && item_cols.contains(&g)
    {
        bail!("列“{}”不能既是 --group 又是 --item", sheet.header(g));
    }
    if args.min_n < ANONYMITY_FLOOR {
        eprintln!(
            "注意：--min-n {} 小于 {ANONYMITY_FLOOR}：为保护作答人匿名，少于 {ANONYMITY_FLOOR} 人的组一律不报告",
            args.min_n
        );
    }
    let min = MinRespondents::new(args.min_n);

    let k = item_cols.len();
    // Group name → its index; tallies[g * k + j] counts group g's answers to item j.
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut tallies: Vec<Tally> = Vec::new();
    if group_col.is_none() {
        names.push(ALL.to_string());
        tallies.resize(k, Tally::default());
    }
    for row in sheet.table.rows() {
        let g = match group_col {
            None => 0,
            Some(c) => {
                let name = row.get(c);
                if name.is_empty() {
                    bail!(
                        "{} 第 {} 行“{}”列是空的：每份问卷都要属于一个组",
                        sheet.place,
                        row.number,
                        sheet.header(c)
                    );
                }
                match group_index.get(name) {
                    Some(&g) => g,
                    None => {
                        let g = names.len();
                        group_index.insert(name.to_string(), g);
                        names.push(name.to_string());
                        tallies.resize((g + 1) * k, Tally::default());
                        g
                    }
                }
            }
        };
        for (j, &c) in item_cols.iter().enumerate() {
            tallies[g * k + j].add(answer(&sheet, &row, c)?);
        }
    }

    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let items = item_cols
        .iter()
        .enumerate()
        .map(|(j, &c)| ItemOut {
            item: sheet.header(c).to_string(),
            groups: order
                .iter()
                .map(|&g| group_out(&names[g], &tallies[g * k + j], min))
                .collect(),
        })
        .collect();
    to_json(&SatisfactionOut { items })
}

/// One cell as an answer, or the Chinese error naming the row, column and value.
fn answer(
    sheet: &Sheet,
    row: &wuyu_ingest::table::RowRef<'_>,
    col: usize,
) -> anyhow::Result<Answer> {
    if let Some(issue) = row.issue(col) {
        bail!(
            "{} 第 {} 行“{}”列的值“{}”无法使用：{}",
            sheet.place,
            row.number,
            sheet.header(col),
            issue.value,
            issue.message_zh
        );
    }
    Answer::parse(row.get(col)).ok_or_else(|| {
        sheet.cell_error(
            row,
            col,
            "不是可识别的答案：应为 非常满意、满意、基本满意（或 一般）、不满意、非常不满意、不了解（或 不清楚），或 1–5 的数字，不答可留空",
        )
    })
}

fn group_out(name: &str, tally: &Tally, min: MinRespondents) -> GroupOut {
    let r = tally.report(min);
    let s = r.stats;
    GroupOut {
        group: name.to_string(),
        n: r.n,
        top2_rate: s.map(|s| s.top2_rate),
        ci_low: s.map(|s| s.ci_low),
        ci_high: s.map(|s| s.ci_high),
        top3_rate: s.map(|s| s.top3_rate),
        mean: s.map(|s| s.mean),
        index: s.map(|s| s.index),
        unknown_share: s.map(|s| s.unknown_share),
        suppressed: r.suppressed(),
    }
}
