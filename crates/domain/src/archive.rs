//! The comprehensive archive (综合素质档案, issue 12): activity record categories, the review
//! states, who entered a record, the five archive domains, and the art assessment levels.
//! Hours and points are kept in tenths (an integer), so thresholds compare exactly as recorded.
use serde::{Deserialize, Serialize};

/// One decimal place, as recorded: 2.5 h is `Tenths(25)`; 89.9 points is `Tenths(899)`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Tenths(pub i32);

impl Tenths {
    pub fn whole(n: i32) -> Self {
        Self(n * 10)
    }

    /// Parses "2", "2.5", "2.50" (more than one non-zero decimal is refused: the rules are
    /// stated to one decimal). `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        let (sign, t) = match t.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, t),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || int.len() > 7 {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.bytes().skip(1).any(|b| b != b'0') {
            return None;
        }
        let whole: i32 = int.parse().ok()?;
        let tenth = frac.bytes().next().map_or(0, |b| i32::from(b - b'0'));
        Some(Self(sign * (whole * 10 + tenth)))
    }
}

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        if a.is_multiple_of(10) {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

/// The five domains of the archive (教基二〔2014〕11号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveDomain {
    Moral,
    Academic,
    Physical,
    Aesthetic,
    Practice,
}

impl ArchiveDomain {
    pub const ALL: [ArchiveDomain; 5] = [
        ArchiveDomain::Moral,
        ArchiveDomain::Academic,
        ArchiveDomain::Physical,
        ArchiveDomain::Aesthetic,
        ArchiveDomain::Practice,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            ArchiveDomain::Moral => "思想品德",
            ArchiveDomain::Academic => "学业水平",
            ArchiveDomain::Physical => "身心健康",
            ArchiveDomain::Aesthetic => "艺术素养",
            ArchiveDomain::Practice => "社会实践",
        }
    }
}

/// What an activity record is (写实记录的类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityCategory {
    Moral,
    Volunteer,
    LaborLesson,
    LaborSchool,
    LaborHome,
    LaborWeek,
    SocialPractice,
    StudyTour,
    Art,
    Sport,
    Award,
    HomeVisit,
}

impl ActivityCategory {
    pub const ALL: [ActivityCategory; 12] = [
        ActivityCategory::Moral,
        ActivityCategory::Volunteer,
        ActivityCategory::LaborLesson,
        ActivityCategory::LaborSchool,
        ActivityCategory::LaborHome,
        ActivityCategory::LaborWeek,
        ActivityCategory::SocialPractice,
        ActivityCategory::StudyTour,
        ActivityCategory::Art,
        ActivityCategory::Sport,
        ActivityCategory::Award,
        ActivityCategory::HomeVisit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityCategory::Moral => "moral",
            ActivityCategory::Volunteer => "volunteer_service",
            ActivityCategory::LaborLesson => "labor_lesson",
            ActivityCategory::LaborSchool => "labor_school",
            ActivityCategory::LaborHome => "labor_home",
            ActivityCategory::LaborWeek => "labor_week",
            ActivityCategory::SocialPractice => "social_practice",
            ActivityCategory::StudyTour => "study_tour",
            ActivityCategory::Art => "art",
            ActivityCategory::Sport => "sport",
            ActivityCategory::Award => "award",
            ActivityCategory::HomeVisit => "home_visit",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ActivityCategory::Moral => "德育活动",
            ActivityCategory::Volunteer => "志愿服务",
            ActivityCategory::LaborLesson => "劳动课",
            ActivityCategory::LaborSchool => "校内劳动",
            ActivityCategory::LaborHome => "家务劳动",
            ActivityCategory::LaborWeek => "劳动周",
            ActivityCategory::SocialPractice => "社会实践",
            ActivityCategory::StudyTour => "研学旅行",
            ActivityCategory::Art => "艺术活动",
            ActivityCategory::Sport => "体育活动",
            ActivityCategory::Award => "获奖",
            ActivityCategory::HomeVisit => "家访",
        }
    }

    /// The code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.code() == t || c.label_zh() == t)
    }

    /// The archive domain a record of this category is shown under.
    pub fn domain(self) -> ArchiveDomain {
        match self {
            ActivityCategory::Moral | ActivityCategory::HomeVisit => ArchiveDomain::Moral,
            ActivityCategory::Award => ArchiveDomain::Academic,
            ActivityCategory::Sport => ArchiveDomain::Physical,
            ActivityCategory::Art => ArchiveDomain::Aesthetic,
            ActivityCategory::Volunteer
            | ActivityCategory::LaborLesson
            | ActivityCategory::LaborSchool
            | ActivityCategory::LaborHome
            | ActivityCategory::LaborWeek
            | ActivityCategory::SocialPractice
            | ActivityCategory::StudyTour => ArchiveDomain::Practice,
        }
    }

    /// Out-of-class labor, counted against the weekly hours (劳动课 is a lesson, and the
    /// 劳动周 is counted as held, not as weekly hours).
    pub fn is_out_of_class_labor(self) -> bool {
        matches!(
            self,
            ActivityCategory::LaborSchool | ActivityCategory::LaborHome
        )
    }

    /// 校外实践: what counts towards "≥ 1 per student per term" (S2).
    pub fn is_off_campus_practice(self) -> bool {
        matches!(
            self,
            ActivityCategory::SocialPractice
                | ActivityCategory::StudyTour
                | ActivityCategory::Volunteer
        )
    }
}

/// Where a record is in its review (draft → submitted → approved / returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl RecordState {
    pub const ALL: [RecordState; 4] = [
        RecordState::Draft,
        RecordState::Submitted,
        RecordState::Approved,
        RecordState::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordState::Draft => "draft",
            RecordState::Submitted => "submitted",
            RecordState::Approved => "approved",
            RecordState::Returned => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordState::Draft => "草稿",
            RecordState::Submitted => "待审核",
            RecordState::Approved => "已通过",
            RecordState::Returned => "已退回",
        }
    }

    /// The states a record may move to from this one: a draft or a returned record is
    /// (re)submitted; only a submitted one is reviewed. An approved record is final.
    pub fn may_become(self, to: RecordState) -> bool {
        matches!(
            (self, to),
            (RecordState::Draft, RecordState::Submitted)
                | (RecordState::Returned, RecordState::Submitted)
                | (RecordState::Submitted, RecordState::Approved)
                | (RecordState::Submitted, RecordState::Returned)
        )
    }

    /// A record's content may be changed by its author while it is not under review or final.
    pub fn editable(self) -> bool {
        matches!(self, RecordState::Draft | RecordState::Returned)
    }
}

/// Who entered a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entrant {
    Teacher,
    Parent,
    Student,
}

impl Entrant {
    pub fn code(self) -> &'static str {
        match self {
            Entrant::Teacher => "teacher",
            Entrant::Parent => "parent",
            Entrant::Student => "student",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Entrant::Teacher, Entrant::Parent, Entrant::Student]
            .into_iter()
            .find(|c| c.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Entrant::Teacher => "教师",
            Entrant::Parent => "家长",
            Entrant::Student => "学生",
        }
    }
}

/// The 艺术素质测评 level (《中小学生艺术素质测评办法》2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtLevel {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl ArtLevel {
    pub fn code(self) -> &'static str {
        match self {
            ArtLevel::Excellent => "excellent",
            ArtLevel::Good => "good",
            ArtLevel::Pass => "pass",
            ArtLevel::Fail => "fail",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [
            ArtLevel::Excellent,
            ArtLevel::Good,
            ArtLevel::Pass,
            ArtLevel::Fail,
        ]
        .into_iter()
        .find(|c| c.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ArtLevel::Excellent => "优秀",
            ArtLevel::Good => "良好",
            ArtLevel::Pass => "合格",
            ArtLevel::Fail => "不合格",
        }
    }
}

/// Where a class's semester archive is in its 公示 (publicity) and sign-off. From `Open` on,
/// the class's records of that term are frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicityStage {
    /// In the window: families and teachers may object (质疑).
    Open,
    /// The window is over: the 班主任 signs once every objection is answered.
    Ended,
    /// The 班主任 has signed: the 校长 signs next.
    HeadSigned,
    /// The 校长 has signed: the term is locked for good.
    Locked,
}

impl PublicityStage {
    /// The stage on `today` of a window ending on `ends_on`, given who has signed.
    pub fn on(
        today: time::Date,
        ends_on: time::Date,
        head_signed: bool,
        principal_signed: bool,
    ) -> Self {
        match (head_signed, principal_signed) {
            (_, true) => PublicityStage::Locked,
            (true, false) => PublicityStage::HeadSigned,
            _ if today <= ends_on => PublicityStage::Open,
            _ => PublicityStage::Ended,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PublicityStage::Open => "公示中",
            PublicityStage::Ended => "公示期满，待班主任签字",
            PublicityStage::HeadSigned => "班主任已签字，待校长签字",
            PublicityStage::Locked => "已签字归档（锁定）",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publicity_is_open_through_its_last_day_and_locked_by_the_second_signature() {
        use time::macros::date;
        let end = date!(2026 - 01 - 16);
        let on = |d, h, p| PublicityStage::on(d, end, h, p);
        assert_eq!(
            on(date!(2026 - 01 - 16), false, false),
            PublicityStage::Open
        );
        assert_eq!(
            on(date!(2026 - 01 - 17), false, false),
            PublicityStage::Ended
        );
        assert_eq!(
            on(date!(2026 - 01 - 19), true, false),
            PublicityStage::HeadSigned
        );
        assert_eq!(
            on(date!(2026 - 01 - 20), true, true),
            PublicityStage::Locked
        );
    }

    #[test]
    fn tenths_parse_and_print_as_recorded() {
        assert_eq!(Tenths::parse("2"), Some(Tenths(20)));
        assert_eq!(Tenths::parse("89.9"), Some(Tenths(899)));
        assert_eq!(Tenths::parse(" 2.50 "), Some(Tenths(25)));
        assert_eq!(Tenths::parse("-1.5"), Some(Tenths(-15)));
        assert_eq!(Tenths::parse("2.55"), None);
        assert_eq!(Tenths::parse("两小时"), None);
        assert_eq!(Tenths::parse(""), None);
        assert_eq!(Tenths(899).to_string(), "89.9");
        assert_eq!(Tenths(900).to_string(), "90");
        assert_eq!(Tenths(-15).to_string(), "-1.5");
    }

    #[test]
    fn categories_parse_from_code_or_label() {
        for c in ActivityCategory::ALL {
            assert_eq!(ActivityCategory::parse(c.code()), Some(c));
            assert_eq!(ActivityCategory::parse(c.label_zh()), Some(c));
        }
        assert_eq!(ActivityCategory::parse("打游戏"), None);
    }

    #[test]
    fn only_submitted_records_are_reviewed_and_approved_ones_are_final() {
        use RecordState::*;
        assert!(Draft.may_become(Submitted));
        assert!(Returned.may_become(Submitted));
        assert!(Submitted.may_become(Approved));
        assert!(Submitted.may_become(Returned));
        assert!(!Draft.may_become(Approved));
        for to in RecordState::ALL {
            assert!(!Approved.may_become(to), "approved → {to:?}");
        }
    }
}
