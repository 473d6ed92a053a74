//! 筛查性近视 (screening myopia), per person by either eye (README 5.1).
//!
//! The rule, from the NHC 《儿童青少年近视防控适宜技术指南》 that WS/T 663—2020 follows: an eye
//! is myopic on screening when its **uncorrected distance visual acuity (5-point scale) < 5.0**
//! **and** its **non-cycloplegic spherical equivalent ≤ −0.50 D**. A person is myopic when
//! either eye is.
//!
//! Decisions (README 5.1 marks the exact wording of WS/T 663 as unverified):
//!
//! * An eye with acuity < 5.0 but no refraction (an acuity-only record) is **reduced vision**
//!   (视力不良), never myopia: low acuity alone can be hyperopia, astigmatism or amblyopia.
//! * An eye with acuity < 5.0 and SE > −0.50 D is also reduced vision, not myopia.
//! * A spherical equivalent without acuity decides nothing: the rule needs both.
//! * **Normal** needs both eyes measured with acuity ≥ 5.0. If no eye shows a finding and an eye
//!   is unmeasured, the result is **incomplete**, so rates are computed over screened people.
//! * `< 5.0` and `≤ −0.50` are compared as recorded (acuity is written to 0.1, SE in steps of
//!   0.125 D, both exact in binary).
//! * The 指南 applies the rule from age 6; this function does not check age.
use serde::{Deserialize, Serialize};

use crate::error::VisionError;

/// One eye's screening measurements.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EyeExam {
    /// 裸眼远视力, 5-point (logarithmic) record, 3.0–5.3.
    #[serde(default)]
    pub uncorrected_acuity: Option<f64>,
    /// 等效球镜度 (D) by non-cycloplegic autorefraction: sphere + cylinder / 2.
    #[serde(default)]
    pub spherical_equivalent: Option<f64>,
}

/// 等效球镜度 = 球镜 + 柱镜 / 2 (D).
pub fn spherical_equivalent(sphere: f64, cylinder: f64) -> f64 {
    sphere + cylinder / 2.0
}

/// A person's screening result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisionStatus {
    /// 筛查性近视: an eye with acuity < 5.0 and SE ≤ −0.50 D.
    Myopia,
    /// 视力不良 without myopia on screening: an eye with acuity < 5.0, and no eye myopic (no
    /// refraction, or SE > −0.50 D).
    ReducedVision,
    /// Both eyes acuity ≥ 5.0.
    Normal,
    /// No finding, and not both eyes measured.
    Incomplete,
}

impl VisionStatus {
    pub fn code(self) -> &'static str {
        match self {
            VisionStatus::Myopia => "myopia",
            VisionStatus::ReducedVision => "reduced_vision",
            VisionStatus::Normal => "normal",
            VisionStatus::Incomplete => "incomplete",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            VisionStatus::Myopia => "筛查性近视",
            VisionStatus::ReducedVision => "视力不良",
            VisionStatus::Normal => "视力正常",
            VisionStatus::Incomplete => "未完成筛查",
        }
    }
}

fn check(eye: &EyeExam) -> Result<(), VisionError> {
    if let Some(a) = eye.uncorrected_acuity
        && !(3.0..=5.3).contains(&a)
    {
        return Err(VisionError::InvalidAcuity(a));
    }
    if let Some(se) = eye.spherical_equivalent
        && !(-30.0..=30.0).contains(&se)
    {
        return Err(VisionError::InvalidSphericalEquivalent(se));
    }
    Ok(())
}

/// 筛查性近视 by either eye; see the module documentation for every decision.
pub fn screening_myopia(right: &EyeExam, left: &EyeExam) -> Result<VisionStatus, VisionError> {
    check(right)?;
    check(left)?;
    let eyes = [right, left];
    let reduced = |e: &&EyeExam| e.uncorrected_acuity.is_some_and(|a| a < 5.0);
    if eyes
        .iter()
        .any(|e| reduced(e) && e.spherical_equivalent.is_some_and(|se| se <= -0.5))
    {
        return Ok(VisionStatus::Myopia);
    }
    if eyes.iter().any(reduced) {
        return Ok(VisionStatus::ReducedVision);
    }
    if eyes.iter().all(|e| e.uncorrected_acuity.is_some()) {
        Ok(VisionStatus::Normal)
    } else {
        Ok(VisionStatus::Incomplete)
    }
}

/// Degree of 视力不良 in the 指南 (README 5.1): 4.9 mild, 4.6–4.8 moderate, ≤ 4.5 severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoorVisionGrade {
    Mild,
    Moderate,
    Severe,
}

/// The degree of 视力不良 of one eye's uncorrected acuity; `None` at 5.0 and above.
pub fn poor_vision_grade(acuity: f64) -> Result<Option<PoorVisionGrade>, VisionError> {
    check(&EyeExam {
        uncorrected_acuity: Some(acuity),
        spherical_equivalent: None,
    })?;
    Ok(if acuity >= 5.0 {
        None
    } else if acuity >= 4.9 {
        Some(PoorVisionGrade::Mild)
    } else if acuity >= 4.6 {
        Some(PoorVisionGrade::Moderate)
    } else {
        Some(PoorVisionGrade::Severe)
    })
}
