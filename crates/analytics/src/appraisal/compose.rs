//! The appraisal score composed from its five sources (§6.2, modules.md §4): organisation
//! score, peer ratings (trimmed mean), parent/student ratings, the teaching result from exams
//! and workload, weighted by the district's setting. A missing source re-normalises the others'
//! weights and the row is flagged; nothing is imputed.
use serde::{Deserialize, Serialize};

use super::score::{PeerMean, Source, peer_mean, weighted_score};
use crate::AnalyticsError;

/// The sources of the composed score, in the order weights and values are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 组织/学校考核小组评价.
    Org,
    /// 同事互评 (trimmed mean of the raw ratings).
    Peer,
    /// 家长/学生评价.
    Parent,
    /// 教学成绩 (the parallel-class comparison of the exams).
    Teaching,
    /// 工作量.
    Workload,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Org,
        SourceKind::Peer,
        SourceKind::Parent,
        SourceKind::Teaching,
        SourceKind::Workload,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Org => "org",
            SourceKind::Peer => "peer",
            SourceKind::Parent => "parent",
            SourceKind::Teaching => "teaching",
            SourceKind::Workload => "workload",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SourceKind::Org => "组织评价",
            SourceKind::Peer => "同事互评",
            SourceKind::Parent => "家长学生评价",
            SourceKind::Teaching => "教学成绩",
            SourceKind::Workload => "工作量",
        }
    }
}

/// The district's weights of the five sources (a setting), each 0–1, summing to 1. The default
/// is §6.2's example: 组织 0.5, 同事互评 0.3, 家长/学生 0.2; teaching results and workload count
/// only once the district gives them a weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppraisalWeights {
    pub org: f64,
    pub peer: f64,
    pub parent: f64,
    pub teaching: f64,
    pub workload: f64,
}

impl Default for AppraisalWeights {
    fn default() -> Self {
        AppraisalWeights {
            org: 0.5,
            peer: 0.3,
            parent: 0.2,
            teaching: 0.0,
            workload: 0.0,
        }
    }
}

impl AppraisalWeights {
    /// The weights in [`SourceKind::ALL`] order.
    pub fn as_array(&self) -> [f64; 5] {
        [
            self.org,
            self.peer,
            self.parent,
            self.teaching,
            self.workload,
        ]
    }

    pub fn from_array(w: [f64; 5]) -> Self {
        AppraisalWeights {
            org: w[0],
            peer: w[1],
            parent: w[2],
            teaching: w[3],
            workload: w[4],
        }
    }

    /// Why these weights cannot be used, in Chinese: each must lie in 0–1 and they must add up
    /// to 1 (100 %), to within 0.001 so that typed percentages like 33.3 pass.
    pub fn check(&self) -> Result<(), String> {
        for (k, w) in SourceKind::ALL.iter().zip(self.as_array()) {
            if !w.is_finite() || !(0.0..=1.0).contains(&w) {
                return Err(format!(
                    "考核得分权重“{}”应在 0 到 1（0% 到 100%）之间，而不是 {w}",
                    k.label_zh()
                ));
            }
        }
        let sum: f64 = self.as_array().iter().sum();
        if (sum - 1.0).abs() > 1e-3 {
            return Err(format!(
                "考核得分各来源的权重之和应为 100%，现在是 {:.1}%",
                sum * 100.0
            ));
        }
        Ok(())
    }
}

/// One teacher's source values as found: the raw peer ratings, the others on 0–100 or absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceValues {
    pub org: Option<f64>,
    pub peer_ratings: Vec<f64>,
    pub parent: Option<f64>,
    pub teaching: Option<f64>,
    pub workload: Option<f64>,
}

/// The composed score with everything a reader needs to redo the arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Composed {
    pub score: f64,
    /// The peer source (trimmed mean), when it counts.
    pub peer: Option<PeerMean>,
    /// The weights used, in [`SourceKind::ALL`] order: re-normalised over the sources present,
    /// 0 for a missing one.
    pub weights: [f64; 5],
    /// Sources with a positive configured weight that were missing.
    pub missing: Vec<SourceKind>,
}

impl Composed {
    /// A source was missing and the remaining weights were re-normalised.
    pub fn renormalised(&self) -> bool {
        !self.missing.is_empty()
    }
}

/// S = Σ ω'_s·S_s over the sources present (§6.2). `None` when no source with a positive
/// weight is present (there is nothing to compose). Errors on a value outside 0–100 or bad
/// weights.
pub fn compose(
    values: &SourceValues,
    weights: &AppraisalWeights,
) -> crate::Result<Option<Composed>> {
    weights.check().map_err(|_| AnalyticsError::Inconsistent {
        what: "appraisal weights must be 0–1 and sum to 1",
    })?;
    let peer = peer_mean(&values.peer_ratings)?;
    let vals = [
        values.org,
        peer.map(|p| p.mean),
        values.parent,
        values.teaching,
        values.workload,
    ];
    let sources: Vec<Source> = weights
        .as_array()
        .iter()
        .zip(vals)
        .map(|(&weight, value)| Source { weight, value })
        .collect();
    Ok(weighted_score(&sources)?.map(|w| Composed {
        score: w.score,
        peer,
        weights: [
            w.weights[0],
            w.weights[1],
            w.weights[2],
            w.weights[3],
            w.weights[4],
        ],
        missing: w.missing.iter().map(|&i| SourceKind::ALL[i]).collect(),
    }))
}
