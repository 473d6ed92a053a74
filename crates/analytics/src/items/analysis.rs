//! Item statistics and reliability of one paper (§3.1–§3.4).
//!
//! Variances use the n denominator throughout; in α, KR-20 and the correlations the choice
//! cancels (§0.2). The reported paper SD and the SEM use the sample SD s_T (§2.1, §3.3).
use serde::{Deserialize, Serialize};

use super::{ItemMatrix, TieRule, extreme_group_weights};
use crate::error::AnalyticsError;

/// Options of the item analysis; the default is the spec's: 27 % groups, fractional ties.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemAnalysisOptions {
    /// Share of students in each extreme group (0.27 Kelley; some use 0.25 or 1/3).
    pub group_share: f64,
    pub tie_rule: TieRule,
}

impl Default for ItemAnalysisOptions {
    fn default() -> Self {
        ItemAnalysisOptions {
            group_share: 0.27,
            tie_rule: TieRule::Fractional,
        }
    }
}

/// Statistics of one item. `None` marks an undefined value ("—"), e.g. a correlation of an item
/// everyone answered alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub item: String,
    pub max_points: f64,
    pub mean: f64,
    /// 难度(得分率P) = mean / full marks: higher means easier.
    pub difficulty: f64,
    /// D = (mean in upper group − mean in lower group) / full marks.
    pub discrimination: f64,
    /// 得分率 in the upper and lower groups.
    pub upper_rate: f64,
    pub lower_rate: f64,
    /// Pearson r(X_j, T) (= point-biserial for 0/1 items).
    pub point_biserial: Option<f64>,
    /// r(X_j, T − X_j), used for the quality bands.
    pub corrected_item_total: Option<f64>,
    /// α of the remaining k − 1 items (needs k ≥ 3).
    pub alpha_if_deleted: Option<f64>,
    /// Everyone scored the same on this item.
    pub zero_variance: bool,
    /// D < 0: check the answer key (答案错误?).
    pub negative_discrimination: bool,
}

/// Paper-level results plus one [`ItemStats`] per item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAnalysis {
    pub n: usize,
    pub k: usize,
    pub full_marks: f64,
    /// Mean total T̄.
    pub mean: f64,
    /// Sample SD of the totals s_T.
    pub sd: f64,
    /// P_test = T̄ / F.
    pub difficulty: f64,
    /// Cronbach's α; `None` if the totals have zero variance. Not clipped: it can be negative.
    pub alpha: Option<f64>,
    /// KR-20, only for 0/1 items (then equal to α).
    pub kr20: Option<f64>,
    /// KR-21, only for 0/1 items (≤ KR-20, legacy comparison).
    pub kr21: Option<f64>,
    /// SEM = s_T·√(1 − α); `None` when α < 0 or undefined.
    pub sem: Option<f64>,
    pub tie_rule: TieRule,
    pub group_share: f64,
    /// Nominal extreme-group size g = share·N.
    pub group_size: f64,
    pub items: Vec<ItemStats>,
}

/// Runs the item analysis. Needs k ≥ 2 items (α is undefined for one item).
pub fn item_analysis(m: &ItemMatrix, opts: &ItemAnalysisOptions) -> crate::Result<ItemAnalysis> {
    let (n, k) = (m.n(), m.k());
    if k < 2 {
        return Err(AnalyticsError::TooFew {
            what: "items for reliability",
            needed: 2,
            got: k,
        });
    }
    if !(opts.group_share > 0.0 && opts.group_share <= 0.5) {
        return Err(AnalyticsError::InvalidValue {
            what: "group share",
            value: opts.group_share,
        });
    }
    let nf = n as f64;
    let totals = m.totals();
    // Pass 1: means.
    let mut item_sum = vec![0.0; k];
    for row in m.rows() {
        for (s, x) in item_sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    let item_mean: Vec<f64> = item_sum.iter().map(|s| s / nf).collect();
    let t_mean = totals.iter().sum::<f64>() / nf;
    // Pass 2: centred second moments (stable for any score scale).
    let mut var_item = vec![0.0; k];
    let mut cov_it = vec![0.0; k];
    let mut var_t = 0.0;
    for (row, t) in m.rows().zip(&totals) {
        let dt = t - t_mean;
        var_t += dt * dt;
        for j in 0..k {
            let d = row[j] - item_mean[j];
            var_item[j] += d * d;
            cov_it[j] += d * dt;
        }
    }
    for j in 0..k {
        var_item[j] /= nf;
        cov_it[j] /= nf;
    }
    var_t /= nf;
    let sum_var: f64 = var_item.iter().sum();
    let kf = k as f64;
    let alpha = (var_t > 0.0).then(|| kf / (kf - 1.0) * (1.0 - sum_var / var_t));
    let dich = m.is_dichotomous();
    let kr20 = (dich && var_t > 0.0).then(|| {
        let pq: f64 = item_mean.iter().map(|p| p * (1.0 - p)).sum();
        kf / (kf - 1.0) * (1.0 - pq / var_t)
    });
    let kr21 = (dich && var_t > 0.0)
        .then(|| kf / (kf - 1.0) * (1.0 - t_mean * (kf - t_mean) / (kf * var_t)));
    let sd = if n > 1 {
        (var_t * nf / (nf - 1.0)).sqrt()
    } else {
        0.0
    };
    let sem = alpha.and_then(|a| (a >= 0.0).then(|| sd * (1.0 - a).sqrt()));

    // Extreme groups.
    let gw = extreme_group_weights(&totals, opts.group_share, opts.tie_rule);
    let mut up = vec![0.0; k];
    let mut lo = vec![0.0; k];
    for ((row, wu), wl) in m.rows().zip(&gw.upper).zip(&gw.lower) {
        if *wu != 0.0 {
            for (u, x) in up.iter_mut().zip(row) {
                *u += wu * x;
            }
        }
        if *wl != 0.0 {
            for (l, x) in lo.iter_mut().zip(row) {
                *l += wl * x;
            }
        }
    }

    let full_marks: f64 = m.max_points().iter().sum();
    let items = (0..k)
        .map(|j| {
            let mj = m.max_points()[j];
            let upper_rate = up[j] / gw.upper_weight / mj;
            let lower_rate = lo[j] / gw.lower_weight / mj;
            let discrimination = upper_rate - lower_rate;
            let vj = var_item[j];
            let zero_variance = vj <= 0.0;
            let point_biserial =
                (!zero_variance && var_t > 0.0).then(|| cov_it[j] / (vj * var_t).sqrt());
            // Rest score R = T − X_j: var(R) = var(T) + var(X) − 2cov(X,T); cov(X,R) = cov(X,T) − var(X).
            let var_rest = var_t + vj - 2.0 * cov_it[j];
            let corrected_item_total = (!zero_variance && var_rest > 1e-12 * var_t.max(1.0))
                .then(|| (cov_it[j] - vj) / (vj * var_rest).sqrt());
            let alpha_if_deleted = (k >= 3 && var_rest > 1e-12 * var_t.max(1.0))
                .then(|| (kf - 1.0) / (kf - 2.0) * (1.0 - (sum_var - vj) / var_rest));
            ItemStats {
                item: m.names()[j].clone(),
                max_points: mj,
                mean: item_mean[j],
                difficulty: item_mean[j] / mj,
                discrimination,
                upper_rate,
                lower_rate,
                point_biserial,
                corrected_item_total,
                alpha_if_deleted,
                zero_variance,
                negative_discrimination: discrimination < 0.0,
            }
        })
        .collect();
    Ok(ItemAnalysis {
        n,
        k,
        full_marks,
        mean: t_mean,
        sd,
        difficulty: t_mean / full_marks,
        alpha,
        kr20,
        kr21,
        sem,
        tie_rule: opts.tie_rule,
        group_share: opts.group_share,
        group_size: gw.g,
        items,
    })
}
