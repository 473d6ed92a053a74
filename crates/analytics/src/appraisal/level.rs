//! One teacher's inputs, the district's rules, and the per-teacher steps of §4's order of
//! operations: who is out of N (step 1) and the criterion level (step 3).
use serde::Serialize;

use crate::round::round_half_away;

/// The school's unit rating, which sets its 优秀 quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitRating {
    Normal,
    /// 集体记功 or higher, a certified major contribution, or an 优秀 unit rating.
    Award,
    /// Rated 不合格 or held accountable.
    Accountable,
}

impl UnitRating {
    pub fn code(self) -> &'static str {
        match self {
            UnitRating::Normal => "normal",
            UnitRating::Award => "award",
            UnitRating::Accountable => "accountable",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(text: &str) -> Option<UnitRating> {
        match text.trim() {
            "normal" | "一般" | "正常" => Some(UnitRating::Normal),
            "award" | "记功" | "优秀单位" => Some(UnitRating::Award),
            "accountable" | "不合格单位" | "问责" => Some(UnitRating::Accountable),
            _ => None,
        }
    }
}

/// A disciplinary sanction in the year, from the mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    Warning,
    Demerit,
    Demotion,
    Dismissal,
}

impl Sanction {
    pub const ALL: [Sanction; 4] = [
        Sanction::Warning,
        Sanction::Demerit,
        Sanction::Demotion,
        Sanction::Dismissal,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Sanction::Warning => "警告",
            Sanction::Demerit => "记过",
            Sanction::Demotion => "降低岗位等级",
            Sanction::Dismissal => "撤职",
        }
    }

    pub fn parse(text: &str) -> Option<Sanction> {
        let text = text.trim();
        Sanction::ALL
            .into_iter()
            .find(|s| s.label_zh() == text || s.code() == text)
    }

    pub fn code(self) -> &'static str {
        match self {
            Sanction::Warning => "warning",
            Sanction::Demerit => "demerit",
            Sanction::Demotion => "demotion",
            Sanction::Dismissal => "dismissal",
        }
    }
}

/// An appraisal outcome: one of the four levels, a case outside N, or a place for the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Excellent,
    Qualified,
    Basic,
    Unqualified,
    CommentOnly,
    NoLevel,
    Deferred,
    Committee,
}

impl Level {
    pub const ALL: [Level; 8] = [
        Level::Excellent,
        Level::Qualified,
        Level::Basic,
        Level::Unqualified,
        Level::CommentOnly,
        Level::NoLevel,
        Level::Deferred,
        Level::Committee,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Level::Excellent => "excellent",
            Level::Qualified => "qualified",
            Level::Basic => "basic",
            Level::Unqualified => "unqualified",
            Level::CommentOnly => "comment_only",
            Level::NoLevel => "no_level",
            Level::Deferred => "deferred",
            Level::Committee => "committee",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Excellent => "优秀",
            Level::Qualified => "合格",
            Level::Basic => "基本合格",
            Level::Unqualified => "不合格",
            Level::CommentOnly => "只写评语",
            Level::NoLevel => "不定等次",
            Level::Deferred => "暂缓定等次",
            Level::Committee => "需集体研究",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        let text = text.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.code() == text || l.label_zh() == text)
    }

    /// Whether the teacher is counted in N (has or will get one of the four levels).
    pub fn in_n(self) -> bool {
        !matches!(self, Level::CommentOnly | Level::NoLevel | Level::Deferred)
    }

    /// Severity among the four levels, for "at most" caps (higher is worse).
    fn severity(self) -> u8 {
        match self {
            Level::Excellent => 0,
            Level::Qualified | Level::Committee => 1,
            Level::Basic => 2,
            _ => 3,
        }
    }
}

/// The highest level each sanction allows [UNVERIFIED mapping: a district setting].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SanctionCaps {
    pub warning: Level,
    pub demerit: Level,
    pub demotion: Level,
    pub dismissal: Level,
}

impl Default for SanctionCaps {
    fn default() -> Self {
        SanctionCaps {
            warning: Level::Qualified,
            demerit: Level::Basic,
            demotion: Level::Unqualified,
            dismissal: Level::Unqualified,
        }
    }
}

impl SanctionCaps {
    pub fn cap(&self, s: Sanction) -> Level {
        match s {
            Sanction::Warning => self.warning,
            Sanction::Demerit => self.demerit,
            Sanction::Demotion => self.demotion,
            Sanction::Dismissal => self.dismissal,
        }
    }
}

/// The district's appraisal rules (modules.md §4 defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalRules {
    pub quota_normal: f64,
    pub quota_award: f64,
    pub quota_accountable: f64,
    /// Quota of the district pool that small schools (cap 0) share.
    pub quota_pool: f64,
    /// Pool the schools whose cap is 0 at the district (otherwise they get no 优秀).
    pub pool_small_schools: bool,
    /// Lowest score for the 优秀 pool.
    pub min_excellent: f64,
    /// A score below this is 不合格.
    pub unqualified_below: f64,
    /// A score below this is 基本合格.
    pub basic_below: f64,
    /// First-job teachers with fewer months served get only a 评语.
    pub first_job_min_months: u32,
    /// Sick plus personal leave days from which no level is given.
    pub leave_no_level_days: u32,
    pub sanction_caps: SanctionCaps,
}

impl Default for AppraisalRules {
    fn default() -> Self {
        AppraisalRules {
            quota_normal: 0.20,
            quota_award: 0.25,
            quota_accountable: 0.15,
            quota_pool: 0.20,
            pool_small_schools: true,
            min_excellent: 85.0,
            unqualified_below: 50.0,
            basic_below: 60.0,
            first_job_min_months: 6,
            leave_no_level_days: 183,
            sanction_caps: SanctionCaps::default(),
        }
    }
}

impl AppraisalRules {
    pub fn quota(&self, rating: UnitRating) -> f64 {
        match rating {
            UnitRating::Normal => self.quota_normal,
            UnitRating::Award => self.quota_award,
            UnitRating::Accountable => self.quota_accountable,
        }
    }
}

/// One teacher's appraisal inputs (the code layout of modules.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct AppraisalCase {
    pub school: String,
    pub unit_rating: UnitRating,
    pub staff_no: String,
    /// The (multi-source) score, 0–100; may be absent only for a case outside N.
    pub score: Option<f64>,
    /// The organisation score, the first tie-break.
    pub org_score: Option<f64>,
    /// Months served, given only for a teacher in the first job.
    pub first_job_months: Option<u32>,
    /// Sick plus personal leave days in the year (maternity leave not included).
    pub leave_days: u32,
    pub under_investigation: bool,
    pub ethics_violation: bool,
    pub sanction: Option<Sanction>,
}

/// Step 1: the first out-of-N case that applies, if any.
pub fn exclusion(case: &AppraisalCase, rules: &AppraisalRules) -> Option<Level> {
    if case.under_investigation {
        Some(Level::Deferred)
    } else if case
        .first_job_months
        .is_some_and(|m| m < rules.first_job_min_months)
    {
        Some(Level::CommentOnly)
    } else if case.leave_days >= rules.leave_no_level_days {
        Some(Level::NoLevel)
    } else {
        None
    }
}

/// Step 3: 不合格, 基本合格 or 合格 from the veto, the sanction's cap and the score thresholds
/// (compared at the displayed two decimals, spec §0.2).
pub fn criterion_level(score: f64, case: &AppraisalCase, rules: &AppraisalRules) -> Level {
    let cap = case.sanction.map(|s| rules.sanction_caps.cap(s));
    let capped_at = |l: Level| cap.is_some_and(|c| c.severity() >= l.severity());
    if case.ethics_violation
        || capped_at(Level::Unqualified)
        || hundredths(score) < hundredths(rules.unqualified_below)
    {
        Level::Unqualified
    } else if capped_at(Level::Basic) || hundredths(score) < hundredths(rules.basic_below) {
        Level::Basic
    } else {
        Level::Qualified
    }
}

/// A score as whole hundredths, so thresholds and ties use what a reader sees.
pub(crate) fn hundredths(x: f64) -> i64 {
    round_half_away(x * 100.0, 0) as i64
}
