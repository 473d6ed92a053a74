//! `wuyu analytics value-added`: value-added of groups by one of the spec's models (§4.2),
//! via `wuyu_analytics::value_added`.
use std::collections::BTreeMap;

use anyhow::{anyhow, bail};
use serde::Serialize;
use wuyu_analytics::value_added::{
    Coefficient, Estimation, VaClass, VaOptions, VaResult, ols_dl, ols_residual, random_intercept,
    raw_gain, standard_gain,
};

use super::input::Sheet;
use super::items::list_rows;
use super::{ValueAddedArgs, analytics_error, to_json};

/// `--model`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// 进步分：y − x 的均值（M1）
    Gain,
    /// 标准分增值：z(y) − z(x) 的均值（M2）
    Standard,
    /// 最小二乘残差（M4）
    Ols,
    /// 最小二乘残差 + DerSimonian–Laird 收缩（M4 + M6）
    Dl,
    /// 随机截距模型，最大似然估计（M5）
    Ml,
    /// 随机截距模型，REML 估计（M5，年度报告默认）
    Reml,
}

#[derive(Serialize)]
struct VaOut {
    model: wuyu_analytics::value_added::VaModel,
    n: usize,
    coefficients: Option<Vec<CoefOut>>,
    sigma2: Option<f64>,
    tau2: Option<f64>,
    groups: Vec<GroupOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

#[derive(Serialize)]
struct CoefOut {
    name: String,
    estimate: f64,
    se: f64,
}

#[derive(Serialize)]
struct GroupOut {
    group: String,
    n: usize,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    shrunken: Option<f64>,
    lambda: Option<f64>,
    class: Option<VaClass>,
    suppressed: bool,
}

/// Per group: students with an outcome, and those of them with every prior too.
#[derive(Default)]
struct Match {
    with_outcome: usize,
    matched: usize,
}

pub fn run(args: &ValueAddedArgs) -> anyhow::Result<String> {
    if matches!(args.model, ModelArg::Gain | ModelArg::Standard) && args.prior.len() != 1 {
        bail!(
            "--model {} 只能有一个 --prior（现在有 {} 个）：多个入口成绩请用 ols、dl、ml 或 reml",
            model_name(args.model),
            args.prior.len()
        );
    }
    if args.min_classify < args.min_compute {
        bail!(
            "--min-classify（{}）不能小于 --min-compute（{}）",
            args.min_classify,
            args.min_compute
        );
    }
    let sheet = Sheet::read(&args.input)?;
    let y_col = sheet.column(&args.outcome, "--outcome")?;
    let x_cols = args
        .prior
        .iter()
        .map(|p| sheet.column(p, "--prior"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let g_col = sheet.column(&args.group, "--group")?;
    for (i, &c) in x_cols.iter().enumerate() {
        if c == y_col || x_cols[..i].contains(&c) {
            bail!(
                "列“{}”被重复使用：--outcome 和每个 --prior 必须是不同的列",
                sheet.header(c)
            );
        }
    }

    // Cells become numbers on every core; each range keeps its rows in order.
    #[derive(Default)]
    struct Part {
        y: Vec<f64>,
        x: Vec<Vec<f64>>,
        groups: Vec<String>,
        excluded: Vec<u32>,
        matches: BTreeMap<String, Match>,
    }
    let parts = sheet.par_rows(|rows| {
        let mut part = Part {
            x: vec![Vec::with_capacity(rows.len()); x_cols.len()],
            ..Part::default()
        };
        let mut priors = Vec::with_capacity(x_cols.len());
        for i in rows {
            let row = sheet.table.row(i);
            let outcome = sheet.number(&row, y_col)?;
            priors.clear();
            for &c in &x_cols {
                priors.push(sheet.number(&row, c)?);
            }
            let group = row.get(g_col);
            let complete = outcome.is_some() && priors.iter().all(Option::is_some);
            if group.is_empty() {
                if !complete {
                    part.excluded.push(row.number);
                    continue;
                }
                bail!(
                    "{} 第 {} 行“{}”列是空的：每个学生都要属于一个单位",
                    sheet.place,
                    row.number,
                    sheet.header(g_col)
                );
            }
            if outcome.is_some() {
                // Looked up before inserting: a key is copied once per unit, not per row.
                if !part.matches.contains_key(group) {
                    part.matches.insert(group.to_string(), Match::default());
                }
                let m = part.matches.get_mut(group).expect("inserted above");
                m.with_outcome += 1;
                m.matched += usize::from(complete);
            }
            let (Some(yv), true) = (outcome, complete) else {
                part.excluded.push(row.number);
                continue;
            };
            part.y.push(yv);
            for (col, v) in part.x.iter_mut().zip(&priors) {
                col.push(v.expect("complete row"));
            }
            part.groups.push(group.to_string());
        }
        Ok(part)
    })?;
    let total: usize = parts.iter().map(|p| p.y.len()).sum();
    let mut y = Vec::with_capacity(total);
    let mut x: Vec<Vec<f64>> = vec![Vec::with_capacity(total); x_cols.len()];
    let mut groups = Vec::with_capacity(total);
    let mut excluded = Vec::new();
    let mut matches: BTreeMap<String, Match> = BTreeMap::new();
    for part in parts {
        y.extend_from_slice(&part.y);
        for (all, some) in x.iter_mut().zip(&part.x) {
            all.extend_from_slice(some);
        }
        groups.extend(part.groups);
        excluded.extend(part.excluded);
        for (group, m) in part.matches {
            let all = matches.entry(group).or_default();
            all.with_outcome += m.with_outcome;
            all.matched += m.matched;
        }
    }
    if y.is_empty() {
        bail!(
            "{} 中没有一行同时有“{}”和{}：无法计算增值",
            sheet.place,
            args.outcome,
            args.prior
                .iter()
                .map(|p| format!("“{p}”"))
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    report_exclusions(&sheet, args, &excluded, y.len(), &matches);

    let opts = VaOptions {
        min_compute: args.min_compute,
        min_classify: args.min_classify,
        ..VaOptions::default()
    };
    let named: Vec<(String, Vec<f64>)> = args.prior.iter().cloned().zip(x).collect();
    let result: VaResult = match args.model {
        ModelArg::Gain => raw_gain(&y, &named[0].1, &groups, &opts),
        ModelArg::Standard => standard_gain(&y, &named[0].1, &groups, &opts),
        ModelArg::Ols => ols_residual(&y, &named, &groups, &opts),
        ModelArg::Dl => ols_dl(&y, &named, &groups, &opts),
        ModelArg::Ml => random_intercept(&y, &named, &groups, Estimation::Ml, &opts),
        ModelArg::Reml => random_intercept(&y, &named, &groups, Estimation::Reml, &opts),
    }
    .map_err(|e| analytics_error(&sheet.place, e))?;
    eprintln!("模型：{}", result.label);
    let suppressed = result.groups.iter().filter(|g| g.suppressed).count();
    if suppressed > 0 {
        eprintln!(
            "注意：{suppressed} 个单位人数少于 {}，不计算增值（suppressed）",
            args.min_compute
        );
    }
    to_json(&VaOut {
        model: result.model,
        n: result.n,
        coefficients: result.coefficients.map(|cs| {
            cs.into_iter()
                .map(|Coefficient { name, estimate, se }| CoefOut { name, estimate, se })
                .collect()
        }),
        sigma2: result.sigma2,
        tau2: result.tau2,
        message: result.message,
        groups: result
            .groups
            .into_iter()
            .map(|g| GroupOut {
                group: g.group,
                n: g.n,
                estimate: g.estimate,
                se: g.se,
                ci_low: g.ci_low,
                ci_high: g.ci_high,
                shrunken: g.shrunken,
                lambda: g.lambda,
                class: g.class,
                suppressed: g.suppressed,
            })
            .collect(),
    })
    .map_err(|e| anyhow!(e))
}

/// Rows left out and low match rates (spec §4.1: warn below 85 %, do not publish below 70 %),
/// on stderr: the JSON contract of issue 4 has no field for them.
fn report_exclusions(
    sheet: &Sheet,
    args: &ValueAddedArgs,
    excluded: &[u32],
    used: usize,
    matches: &BTreeMap<String, Match>,
) {
    if excluded.is_empty() {
        return;
    }
    eprintln!(
        "注意：{} 中有 {} 行缺少“{}”或入口成绩（{}），已排除，只用两次成绩都有的 {used} 名学生（规范 §4.1）；排除的行：第 {} 行",
        sheet.place,
        excluded.len(),
        args.outcome,
        args.prior.join("、"),
        list_rows(excluded)
    );
    for (group, m) in matches {
        let rate = m.matched as f64 / m.with_outcome as f64;
        if rate < 0.70 {
            eprintln!(
                "警告：单位“{group}”匹配率 {:.1}%（{}/{}），低于 70%，结果不宜公布",
                rate * 100.0,
                m.matched,
                m.with_outcome
            );
        } else if rate < 0.85 {
            eprintln!(
                "提醒：单位“{group}”匹配率 {:.1}%（{}/{}），低于 85%",
                rate * 100.0,
                m.matched,
                m.with_outcome
            );
        }
    }
}

fn model_name(m: ModelArg) -> &'static str {
    match m {
        ModelArg::Gain => "gain",
        ModelArg::Standard => "standard",
        ModelArg::Ols => "ols",
        ModelArg::Dl => "dl",
        ModelArg::Ml => "ml",
        ModelArg::Reml => "reml",
    }
}
