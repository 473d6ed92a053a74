//! The registry of designations and counts (特色学校, 示范家长学校, 文明校园, 实践基地, 心理辅导室,
//! 名校长, school events …): what an item is, and how approved items count into the plan's
//! indicators. About a third of the plan's targets are counts of such items.
//!
//! A measure key names how to count, the kind of item and optionally its level:
//! `registry.held:劳动特色学校@市` (held by the end of the school year: 创成 targets are
//! cumulative), `registry.new:优秀心理辅导室@市` (awarded within the school year: 新增 targets),
//! `registry.school_share:绿色学校` (share of the unit's schools holding one: 覆盖 targets).
use serde::{Deserialize, Serialize};

use crate::indicator::IndicatorValue;

/// The level that awarded a designation (国/省/市/区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryLevel {
    National,
    Province,
    City,
    District,
}

impl RegistryLevel {
    pub const ALL: [RegistryLevel; 4] = [
        RegistryLevel::National,
        RegistryLevel::Province,
        RegistryLevel::City,
        RegistryLevel::District,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            RegistryLevel::National => "国",
            RegistryLevel::Province => "省",
            RegistryLevel::City => "市",
            RegistryLevel::District => "区",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RegistryLevel::National => "national",
            RegistryLevel::Province => "province",
            RegistryLevel::City => "city",
            RegistryLevel::District => "district",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == s)
    }

    /// From the Chinese as files and forms write it: 国/国家级/全国, 省/省级, 市/市级, 区/区级/县级.
    pub fn parse_zh(s: &str) -> Option<Self> {
        match s.trim().trim_end_matches('级') {
            "国" | "国家" | "全国" => Some(RegistryLevel::National),
            "省" => Some(RegistryLevel::Province),
            "市" => Some(RegistryLevel::City),
            "区" | "县" | "区县" => Some(RegistryLevel::District),
            _ => None,
        }
    }
}

/// The kinds of item the seeds' plans count. A district may register other kinds; these are
/// offered first in forms, and the seeds' targets are mapped onto them.
pub const KINDS: [&str; 21] = [
    "德育工程项目",
    "劳动特色学校",
    "劳动教育实践基地",
    "心理健康教育特色学校",
    "优秀心理辅导室",
    "示范心理辅导室",
    "心理健康教育课程",
    "体育特色学校",
    "校园足球特色学校",
    "体育特色班",
    "美育特色学校",
    "美育名师工作室",
    "美育培训基地",
    "示范家长学校",
    "文明校园",
    "绿色学校",
    "优质校",
    "名校长",
    "名师工作室",
    "运动会或体育节",
    "校园文化艺术节",
];

/// How a measure counts the approved items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Items awarded on or before the school year's last day (31 August).
    Held,
    /// Items awarded within the school year (1 September – 31 August).
    New,
    /// The share of the unit's schools holding at least one item by the year's last day.
    SchoolShare,
}

/// A parsed registry measure key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryMeasure {
    pub count: Count,
    pub kind: String,
    pub level: Option<RegistryLevel>,
}

pub const HELD: &str = "registry.held";
pub const NEW: &str = "registry.new";
pub const SCHOOL_SHARE: &str = "registry.school_share";

impl RegistryMeasure {
    /// Reads `registry.held:KIND[@LEVEL]`; `None` for anything else.
    pub fn parse(key: &str) -> Option<Self> {
        let (base, rest) = key.split_once(':')?;
        let count = match base {
            HELD => Count::Held,
            NEW => Count::New,
            SCHOOL_SHARE => Count::SchoolShare,
            _ => return None,
        };
        let (kind, level) = match rest.split_once('@') {
            Some((k, l)) => (k, Some(RegistryLevel::parse_zh(l)?)),
            None => (rest, None),
        };
        let kind = kind.trim();
        (!kind.is_empty()).then(|| RegistryMeasure {
            count,
            kind: kind.to_string(),
            level,
        })
    }
}

/// An approved item as the measures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFact<'a> {
    /// `None`: the district's own item (a base, a district event), counted for the district only.
    pub school_id: Option<i64>,
    pub kind: &'a str,
    pub level: RegistryLevel,
    /// `YYYY-MM-DD`.
    pub awarded_on: &'a str,
}

/// The value of `m` in school year `school_year` (2024 = Sep 2024 – Aug 2025) for a unit made
/// of `schools` (`district`: the district's own items count too).
pub fn measure(
    m: &RegistryMeasure,
    items: &[ItemFact<'_>],
    schools: &[i64],
    district: bool,
    school_year: i32,
) -> IndicatorValue {
    let start = format!("{school_year}-09-01");
    let end = format!("{}-08-31", school_year + 1);
    let in_unit = |i: &ItemFact<'_>| match i.school_id {
        Some(s) => schools.contains(&s),
        None => district,
    };
    let matching = items
        .iter()
        .filter(|i| i.kind == m.kind && m.level.is_none_or(|l| l == i.level))
        .filter(|i| in_unit(i))
        .filter(|i| i.awarded_on <= end.as_str());
    match m.count {
        Count::Held => count(matching.count()),
        Count::New => count(matching.filter(|i| i.awarded_on >= start.as_str()).count()),
        Count::SchoolShare => {
            let mut holding: Vec<i64> = matching.filter_map(|i| i.school_id).collect();
            holding.sort_unstable();
            holding.dedup();
            IndicatorValue::rate(holding.len() as u64, schools.len() as u64)
        }
    }
}

fn count(n: usize) -> IndicatorValue {
    IndicatorValue {
        num: n as f64,
        den: 1.0,
        n: n as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        school: Option<i64>,
        kind: &'static str,
        level: RegistryLevel,
        on: &'static str,
    ) -> ItemFact<'static> {
        ItemFact {
            school_id: school,
            kind,
            level,
            awarded_on: on,
        }
    }

    #[test]
    fn keys_read_the_count_kind_and_level() {
        assert_eq!(
            RegistryMeasure::parse("registry.held:劳动特色学校@市"),
            Some(RegistryMeasure {
                count: Count::Held,
                kind: "劳动特色学校".into(),
                level: Some(RegistryLevel::City),
            })
        );
        assert_eq!(
            RegistryMeasure::parse("registry.school_share:绿色学校").map(|m| (m.count, m.level)),
            Some((Count::SchoolShare, None))
        );
        assert_eq!(RegistryMeasure::parse("registry.held:"), None);
        assert_eq!(
            RegistryMeasure::parse("registry.held:体育特色学校@乡"),
            None
        );
        assert_eq!(RegistryMeasure::parse("registry.count:体育特色学校"), None);
        assert_eq!(
            RegistryLevel::parse_zh("国家级"),
            Some(RegistryLevel::National)
        );
        assert_eq!(
            RegistryLevel::parse_zh("县级"),
            Some(RegistryLevel::District)
        );
    }

    #[test]
    fn held_new_and_share_count_by_the_school_year() {
        use RegistryLevel::*;
        let items = [
            item(Some(1), "劳动特色学校", City, "2023-05-10"),
            item(Some(2), "劳动特色学校", City, "2024-09-01"),
            item(Some(2), "劳动特色学校", District, "2024-10-01"),
            item(Some(3), "劳动特色学校", City, "2025-09-01"),
            item(None, "劳动特色学校", City, "2024-12-01"),
            item(Some(1), "绿色学校", District, "2024-03-01"),
            item(Some(1), "绿色学校", City, "2025-03-01"),
        ];
        let at_city = RegistryMeasure::parse("registry.held:劳动特色学校@市").unwrap();
        // School year 2024 ends 2025-08-31: schools 1 and 2 and the district's own item.
        assert_eq!(measure(&at_city, &items, &[1, 2, 3], true, 2024).num, 3.0);
        // A school's unit leaves out the district's own item.
        assert_eq!(measure(&at_city, &items, &[1, 2, 3], false, 2024).num, 2.0);
        assert_eq!(measure(&at_city, &items, &[1, 2, 3], true, 2025).num, 4.0);
        let new = RegistryMeasure::parse("registry.new:劳动特色学校@市").unwrap();
        // Awarded 2024-09-01 … 2025-08-31, at city level: school 2's and the district's.
        assert_eq!(measure(&new, &items, &[1, 2, 3], true, 2024).num, 2.0);
        assert_eq!(measure(&new, &items, &[1, 2, 3], true, 2023).num, 0.0);
        assert_eq!(measure(&new, &items, &[1, 2, 3], true, 2022).num, 1.0);
        let any = RegistryMeasure::parse("registry.held:劳动特色学校").unwrap();
        assert_eq!(measure(&any, &items, &[2], false, 2024).num, 2.0);
        // Green schools: school 1 holds one (twice) of schools 1–4 → 1/4.
        let share = RegistryMeasure::parse("registry.school_share:绿色学校").unwrap();
        let v = measure(&share, &items, &[1, 2, 3, 4], true, 2024);
        assert_eq!((v.num, v.den, v.value()), (1.0, 4.0, Some(0.25)));
        // Before any item: 0 of 4, a value of 0 (not "no data").
        assert_eq!(
            measure(&share, &items, &[1, 2, 3, 4], true, 2022).value(),
            Some(0.0)
        );
    }
}
