//! Value-added evaluation (增值评价, §4).
//!
//! * [`raw_gain`] (M1 进步分) and [`standard_gain`] (M2 标准分增值) — kept because districts know
//!   them, and labelled for what they are;
//! * [`ols_residual`] (M4, the headline model) — mean OLS residual per unit with SE and CI;
//! * [`shrink`] (M6) — DerSimonian–Laird (or REML) and James–Stein shrinkage of any unit
//!   estimates, and [`ols_dl`] = M4 followed by M6 toward 0 (the display default);
//! * [`random_intercept`] (M5) — `y = Xβ + u_j + e`, by ML or REML, with EB unit effects.
//!
//! Units below the minimum sample are suppressed (no estimate) or left unclassified (§4.3).
//! Every result is diagnostic, never a verdict on a person.

mod gain;
mod groups;
mod mixed;
mod ols;
mod shrink;

pub use gain::{raw_gain, standard_gain};
pub use mixed::{Estimation, random_intercept};
pub use ols::{OlsFit, ols_dl, ols_fit, ols_residual};
pub use shrink::{
    NO_VARIATION_MESSAGE, ShrinkMethod, ShrinkOptions, ShrinkResult, ShrinkTarget, ShrunkUnit,
    UnitEstimate, shrink,
};

use serde::{Deserialize, Serialize};

/// Which model produced a [`VaResult`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VaModel {
    /// M1 进步分: mean of y − x. Meaningful only on a common scale.
    Gain,
    /// M2 标准分增值: mean of z(y) − z(x); biased toward low-intake units.
    Standard,
    /// M4 OLS residual.
    Ols,
    /// M4 + M6: OLS residual shrunk by DerSimonian–Laird.
    Dl,
    /// M5 random intercept by maximum likelihood.
    Ml,
    /// M5 random intercept by restricted maximum likelihood.
    Reml,
}

impl VaModel {
    /// What the number is, for the report next to it.
    pub fn label(self) -> &'static str {
        match self {
            VaModel::Gain => "进步分（原始分之差 y − x）：仅当两次考试分数可比时有意义",
            VaModel::Standard => "标准分增值（z(y) − z(x)）：偏向入口成绩低的单位（回归均值效应）",
            VaModel::Ols => "回归残差增值（OLS，M4）",
            VaModel::Dl => "回归残差增值 + DerSimonian–Laird 收缩（M4 + M6）",
            VaModel::Ml => "多层线性模型增值：随机截距，ML 估计，经验贝叶斯效应（M5）",
            VaModel::Reml => "多层线性模型增值：随机截距，REML 估计，经验贝叶斯效应（M5）",
        }
    }
}

/// The caution printed when fewer than 20 units share the between-unit variance (§4.3).
pub(crate) fn few_units_message(units: usize) -> String {
    format!(
        "本次仅 {units} 个单位参与估计：单位数少于 20 时单位间方差 τ² 的估计不够稳定（规范 §4.3），请谨慎解读"
    )
}

/// Classification of a unit by its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VaClass {
    /// 显著高于平均: the interval lies above 0.
    Above,
    /// 显著低于平均: the interval lies below 0.
    Below,
    /// 与平均无显著差异.
    Ns,
}

impl VaClass {
    fn from_interval(lo: f64, hi: f64) -> Self {
        if lo > 0.0 {
            VaClass::Above
        } else if hi < 0.0 {
            VaClass::Below
        } else {
            VaClass::Ns
        }
    }
}

/// How the per-unit SE of the mean residual is computed (§4.2 M4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeMode {
    /// σ̂/√n_j (pooled, homoscedastic) — the default.
    #[default]
    Pooled,
    /// sd(e in j)/√n_j.
    UnitSpecific,
}

/// Options shared by the value-added models. Defaults: 95 % intervals (z = 1.96), compute from
/// n ≥ 10, classify from n ≥ 30 (school units, §4.3; use 20 for classes/teachers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VaOptions {
    pub z: f64,
    pub min_compute: usize,
    pub min_classify: usize,
    pub se_mode: SeMode,
}

impl Default for VaOptions {
    fn default() -> Self {
        VaOptions {
            z: 1.96,
            min_compute: 10,
            min_classify: 30,
            se_mode: SeMode::Pooled,
        }
    }
}

/// A fixed-effect coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub name: String,
    pub estimate: f64,
    pub se: f64,
}

/// One unit's value-added. Fields a model does not produce are `None`; a suppressed unit
/// (n below the minimum) has no numbers at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupVa {
    pub group: String,
    pub n: usize,
    /// The raw unit estimate (mean gain or mean residual).
    pub estimate: Option<f64>,
    /// SE of the interval reported in ci_low/ci_high (for ML/REML/DL: the posterior SD of the
    /// shrunken effect).
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The shrunken (EB) estimate, for the models that shrink.
    pub shrunken: Option<f64>,
    /// Shrinkage factor / reliability λ_j.
    pub lambda: Option<f64>,
    /// `None` when n is below the classification minimum.
    pub class: Option<VaClass>,
    /// n below the minimum to compute: nothing is published for this unit.
    pub suppressed: bool,
}

/// Output of every value-added model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaResult {
    pub model: VaModel,
    pub label: &'static str,
    pub n: usize,
    pub coefficients: Option<Vec<Coefficient>>,
    /// Residual (within-unit) variance σ².
    pub sigma2: Option<f64>,
    /// Between-unit variance τ².
    pub tau2: Option<f64>,
    /// ICC τ²/(τ² + σ²).
    pub icc: Option<f64>,
    /// Maximised log-likelihood (ML: ℓ; REML: ℓ_R; OLS: Gaussian ℓ at the ML σ²).
    pub loglik: Option<f64>,
    /// False when τ² = 0: "no detectable between-unit variation — do not rank".
    pub rankable: Option<bool>,
    pub message: Option<String>,
    pub groups: Vec<GroupVa>,
}

pub(crate) use groups::GroupIndex;

/// Fills a unit's interval and class, honouring the sample minimums.
fn finish_group(
    group: String,
    n: usize,
    estimate: f64,
    centre: f64,
    se: f64,
    opts: &VaOptions,
    classify: bool,
) -> GroupVa {
    if n < opts.min_compute {
        return suppressed(group, n);
    }
    let (lo, hi) = (centre - opts.z * se, centre + opts.z * se);
    GroupVa {
        group,
        n,
        estimate: Some(estimate),
        se: Some(se),
        ci_low: Some(lo),
        ci_high: Some(hi),
        shrunken: None,
        lambda: None,
        class: (classify && n >= opts.min_classify).then(|| VaClass::from_interval(lo, hi)),
        suppressed: false,
    }
}

fn suppressed(group: String, n: usize) -> GroupVa {
    GroupVa {
        group,
        n,
        estimate: None,
        se: None,
        ci_low: None,
        ci_high: None,
        shrunken: None,
        lambda: None,
        class: None,
        suppressed: true,
    }
}
