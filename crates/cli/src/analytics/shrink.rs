//! `wuyu analytics shrink`: empirical-Bayes shrinkage of given unit estimates (spec §4.2 M6)
//! via `wuyu_analytics::value_added::shrink`.
use std::collections::HashMap;

use anyhow::bail;
use serde::Serialize;
use wuyu_analytics::value_added::{ShrinkMethod, ShrinkOptions, UnitEstimate, shrink};

use super::input::Sheet;
use super::{ShrinkArgs, analytics_error, to_json};

/// `--method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShrinkMethodArg {
    /// 按 DerSimonian–Laird 估计 τ²，向精度加权均值收缩
    Dl,
    /// 围绕简单均值的 James–Stein 收缩（各单位标准误相同，至少 4 个单位）
    Js,
}

#[derive(Serialize)]
struct ShrinkOut {
    method: ShrinkMethod,
    pooled_mean: f64,
    pooled_se: f64,
    q: f64,
    tau2: f64,
    rankable: bool,
    groups: Vec<UnitOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

#[derive(Serialize)]
struct UnitOut {
    group: String,
    estimate: f64,
    se: f64,
    shrunken: f64,
    lambda: f64,
}

pub fn run(args: &ShrinkArgs) -> anyhow::Result<String> {
    let sheet = Sheet::read(&args.input)?;
    let e_col = sheet.column(&args.estimate, "--estimate")?;
    let s_col = sheet.column(&args.se, "--se")?;
    let g_col = args
        .group
        .as_deref()
        .map(|g| sheet.column(g, "--group"))
        .transpose()?;
    let mut units = Vec::with_capacity(sheet.table.len());
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in sheet.table.rows() {
        let estimate = sheet.required_number(&row, e_col)?;
        let se = sheet.required_number(&row, s_col)?;
        if se <= 0.0 {
            return Err(sheet.cell_error(&row, s_col, "不是正数：标准误必须大于 0"));
        }
        let group = match g_col {
            Some(c) => {
                let g = row.get(c);
                if g.is_empty() {
                    bail!(
                        "{} 第 {} 行“{}”列是空的：每个单位都要有名称",
                        sheet.place,
                        row.number,
                        sheet.header(c)
                    );
                }
                if let Some(first) = seen.insert(g.to_string(), row.number) {
                    bail!(
                        "{} 中单位“{g}”出现了两次（第 {first} 行和第 {} 行）：每个单位只能有一行",
                        sheet.place,
                        row.number
                    );
                }
                g.to_string()
            }
            None => row.number.to_string(),
        };
        units.push(UnitEstimate {
            group,
            estimate,
            se,
        });
    }
    let opts = ShrinkOptions {
        method: match args.method {
            ShrinkMethodArg::Dl => ShrinkMethod::Dl,
            ShrinkMethodArg::Js => ShrinkMethod::Js,
        },
        ..ShrinkOptions::default()
    };
    let r = shrink(&units, &opts).map_err(|e| analytics_error(&sheet.place, e))?;
    to_json(&ShrinkOut {
        method: r.method,
        pooled_mean: r.pooled_mean,
        pooled_se: r.pooled_se,
        q: r.q,
        tau2: r.tau2,
        rankable: r.rankable,
        message: r.message,
        groups: r
            .groups
            .into_iter()
            .map(|u| UnitOut {
                group: u.group,
                estimate: u.estimate,
                se: u.se,
                shrunken: u.shrunken,
                lambda: u.lambda,
            })
            .collect(),
    })
}
