//! Monthly progress (调度) and the quarterly bulletin (通报) as plain data: months and quarters,
//! the line a month's snapshot keeps per target × unit, and the bulletin's read model built
//! from two sets of such lines (this quarter's and the last). Pure: the service supplies the
//! lines and the date; pages, the XLSX and the PDF print the result.
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::indicator::Verdict;
use crate::plan::{Domain, Plan, PlanIndicator, UnitKind};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u8,
}

impl Month {
    /// Reads `2025-03` (or `2025-3`); anything else is refused with a Chinese message.
    pub fn parse(s: &str) -> Result<Month, String> {
        let bad = || format!("月份“{}”应写成 YYYY-MM，如 2025-03", s.trim());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// The school year the month lies in (2024 = 2024–2025: September 2024 to August 2025).
    pub fn school_year(self) -> i32 {
        if self.month >= 9 {
            self.year
        } else {
            self.year - 1
        }
    }

    pub fn quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            q: (self.month - 1) / 3 + 1,
        }
    }
}

/// The plan year whose targets a month is judged against: the plan year of the month's school
/// year (the plan's 2025 column is the 2024–2025 school year), held within the plan's years —
/// after the plan's last year the last year's targets still stand. `None` without a plan.
pub fn plan_year_for(month: Month, years: &[i32]) -> Option<i32> {
    let (first, last) = (*years.first()?, *years.last()?);
    Some((month.school_year() + 1).clamp(first, last))
}

/// A calendar quarter, `2025Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub q: u8,
}

impl Quarter {
    /// Reads `2025Q3` (also `2025q3`, `2025-Q3`).
    pub fn parse(s: &str) -> Result<Quarter, String> {
        let bad = || format!("季度“{}”应写成 YYYYQn，如 2025Q3", s.trim());
        let t = s.trim().to_uppercase();
        let (y, q) = t.split_once('Q').ok_or_else(bad)?;
        let year: i32 = y.trim_end_matches('-').parse().map_err(|_| bad())?;
        let q: u8 = q.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&q) {
            return Err(bad());
        }
        Ok(Quarter { year, q })
    }

    pub fn code(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    pub fn label_zh(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.q - 1)];
        format!("{}年第{n}季度", self.year)
    }

    pub fn first_month(self) -> Month {
        Month {
            year: self.year,
            month: (self.q - 1) * 3 + 1,
        }
    }

    pub fn last_month(self) -> Month {
        Month {
            year: self.year,
            month: self.q * 3,
        }
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }
}

/// One target × unit as it stood at a moment (a month's snapshot, or now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotLine {
    pub key: String,
    /// `district`, `stage`, `school`, `school_set`, `group`.
    pub unit_kind: String,
    pub school_id: Option<i64>,
    pub unit_label: String,
    pub verdict: Verdict,
    pub value: Option<f64>,
    /// As pages show it (`28.6%`), "—" without a value.
    pub value_text: String,
    /// The target as the plan writes it (`30`, `20+20`).
    pub target: String,
    pub n: Option<u64>,
    pub gap: Option<f64>,
    pub as_of: Option<String>,
}

impl SnapshotLine {
    /// What identifies the unit across months.
    fn unit_key(&self) -> (&str, &str, Option<i64>, &str) {
        (&self.key, &self.unit_kind, self.school_id, &self.unit_label)
    }

    fn is_school(&self) -> bool {
        self.unit_kind == "school"
    }
}

/// A target as read: `≥ 30%`, `≤ 50%`, `= 20+20`.
pub fn target_text(ind: &PlanIndicator, target: &str) -> String {
    let pct = if ind.kind == UnitKind::Rate && target.parse::<f64>().is_ok() {
        "%"
    } else {
        ""
    };
    format!("{} {target}{pct}", ind.comparator.symbol())
}

/// A gap as read, in percentage points for rates: `-2.5 个百分点`, `+1`.
pub fn gap_text(kind: UnitKind, gap: Option<f64>) -> String {
    match gap {
        Some(g) if kind == UnitKind::Rate => format!("{g:+} 个百分点"),
        Some(g) => format!("{g:+}"),
        None => "—".into(),
    }
}

/// How many lines have each kind of verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub met: usize,
    pub not_met: usize,
    /// 待填报 and 待审核.
    pub awaiting: usize,
    /// 无数据 and 样本不足.
    pub no_data: usize,
}

impl Tally {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Met => self.met += 1,
            Verdict::NotMet => self.not_met += 1,
            Verdict::AwaitingReport | Verdict::AwaitingReview => self.awaiting += 1,
            Verdict::NoData | Verdict::TooFew => self.no_data += 1,
        }
    }
}

/// One unit's line in a bulletin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinRow {
    pub unit: String,
    pub value: String,
    pub verdict: Verdict,
    pub verdict_zh: &'static str,
    pub n: String,
    pub gap: String,
    pub as_of: String,
}

impl BulletinRow {
    fn of(l: &SnapshotLine, kind: UnitKind) -> BulletinRow {
        BulletinRow {
            unit: l.unit_label.clone(),
            value: l.value_text.clone(),
            verdict: l.verdict,
            verdict_zh: l.verdict.label_zh(),
            n: l.n.map_or_else(|| "—".into(), |n| n.to_string()),
            gap: gap_text(kind, l.gap),
            as_of: l.as_of.clone().unwrap_or_else(|| "—".into()),
        }
    }
}

/// One target of a bulletin: its district-level lines and how its schools stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinTarget {
    pub key: String,
    pub name: String,
    pub source_zh: &'static str,
    pub target: String,
    /// The district, a 学段, a school set or a group (not a single school).
    pub heads: Vec<BulletinRow>,
    pub schools: Tally,
    /// Schools that miss the target, furthest behind first.
    pub behind: Vec<BulletinRow>,
}

/// One 育 of a bulletin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinSection {
    pub domain: Domain,
    pub domain_zh: &'static str,
    pub tally: Tally,
    pub targets: Vec<BulletinTarget>,
}

/// A unit whose verdict or value moved since the last quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinChange {
    pub name: String,
    pub unit: String,
    pub before: String,
    pub after: String,
    pub before_verdict_zh: &'static str,
    pub after_verdict_zh: &'static str,
    /// `improved` (now met), `worsened` (no longer met), `moved` (the value only).
    pub direction: &'static str,
    pub direction_zh: &'static str,
}

/// A school among those furthest behind: how many of its judged targets it misses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Laggard {
    pub school: String,
    pub missed: usize,
    pub judged: usize,
    /// The names of the targets it misses, furthest behind first.
    pub targets: Vec<String>,
}

/// What a bulletin covers: a quarter (季度通报) or a plan year (年终总结).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Quarter(Quarter),
    /// The plan year (2025 = the 2024–2025 school year).
    Year(i32),
}

impl Period {
    /// `2025Q3`, `2025`.
    pub fn code(self) -> String {
        match self {
            Period::Quarter(q) => q.code(),
            Period::Year(y) => y.to_string(),
        }
    }

    /// `2025年第三季度`, `2025年度`.
    pub fn label_zh(self) -> String {
        match self {
            Period::Quarter(q) => q.label_zh(),
            Period::Year(y) => format!("{y}年度"),
        }
    }

    /// 通报, 年终总结.
    pub fn kind_zh(self) -> &'static str {
        match self {
            Period::Quarter(_) => "通报",
            Period::Year(_) => "年终总结",
        }
    }

    /// The period compared with: 上季度, 上年度.
    pub fn previous_zh(self) -> &'static str {
        match self {
            Period::Quarter(_) => "上季度",
            Period::Year(_) => "上年度",
        }
    }

    /// This period: 本季度, 本年度.
    pub fn this_zh(self) -> &'static str {
        match self {
            Period::Quarter(_) => "本季度",
            Period::Year(_) => "本年度",
        }
    }
}

/// The quarterly bulletin (通报) or the year-end summary (年终总结): the same sections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bulletin {
    pub title: String,
    /// `2025Q3` or `2025`.
    pub period: String,
    pub period_zh: String,
    /// 通报 or 年终总结.
    pub kind_zh: &'static str,
    /// 上季度 or 上年度, and 本季度 or 本年度: the headings of the comparison.
    pub previous_zh: &'static str,
    pub this_zh: &'static str,
    pub plan_year: i32,
    /// `2024–2025 学年`.
    pub school_year_zh: String,
    /// The date the bulletin was made (`2025-10-08`).
    pub generated_on: String,
    /// Where this quarter's numbers come from (`2025年9月调度快照`, `生成时的数据`).
    pub data_from: String,
    /// Where last quarter's numbers come from; `None` when there is nothing to compare with.
    pub compared_with: Option<String>,
    pub tally: Tally,
    pub sections: Vec<BulletinSection>,
    pub changes: Vec<BulletinChange>,
    pub laggards: Vec<Laggard>,
}

/// What a bulletin is about, besides its lines.
#[derive(Debug, Clone)]
pub struct BulletinHeader {
    pub period: Period,
    pub plan_year: i32,
    pub generated_on: String,
    pub data_from: String,
    pub compared_with: Option<String>,
}

/// How many schools per target a bulletin lists as behind, and how many schools overall.
pub const BEHIND_LISTED: usize = 10;
pub const LAGGARDS_LISTED: usize = 10;

/// Builds the bulletin from this quarter's lines (`now`) and, if any, last quarter's
/// (`before`). Lines of indicators the plan no longer has are left out; sections follow 五育's
/// order and targets the plan's.
pub fn build_bulletin(
    plan: &Plan,
    header: BulletinHeader,
    now: &[SnapshotLine],
    before: Option<&[SnapshotLine]>,
) -> Bulletin {
    let mut by_key: HashMap<&str, Vec<&SnapshotLine>> = HashMap::new();
    for l in now {
        by_key.entry(l.key.as_str()).or_default().push(l);
    }
    let mut tally = Tally::default();
    let mut sections = Vec::new();
    for domain in Domain::ALL {
        let mut section = BulletinSection {
            domain,
            domain_zh: domain.label_zh(),
            tally: Tally::default(),
            targets: Vec::new(),
        };
        for ind in plan.indicators.iter().filter(|i| i.domain == domain) {
            let Some(lines) = by_key.get(ind.key.as_str()) else {
                continue;
            };
            let mut t = BulletinTarget {
                key: ind.key.clone(),
                name: ind.name.clone(),
                source_zh: ind.source().label_zh(),
                target: target_text(ind, &lines[0].target),
                heads: Vec::new(),
                schools: Tally::default(),
                behind: Vec::new(),
            };
            let mut behind: Vec<&SnapshotLine> = Vec::new();
            for l in lines {
                section.tally.add(l.verdict);
                tally.add(l.verdict);
                if l.is_school() {
                    t.schools.add(l.verdict);
                    if l.verdict == Verdict::NotMet {
                        behind.push(l);
                    }
                } else {
                    t.heads.push(BulletinRow::of(l, ind.kind));
                }
            }
            behind.sort_by(|a, b| {
                let g = |l: &SnapshotLine| l.gap.unwrap_or(0.0);
                g(a).total_cmp(&g(b)).then(a.unit_label.cmp(&b.unit_label))
            });
            t.behind = behind
                .iter()
                .take(BEHIND_LISTED)
                .map(|l| BulletinRow::of(l, ind.kind))
                .collect();
            section.targets.push(t);
        }
        if !section.targets.is_empty() {
            sections.push(section);
        }
    }
    let p = header.period;
    let school_year = header.plan_year - 1;
    Bulletin {
        title: format!("{}五育工作目标任务{}", p.label_zh(), p.kind_zh()),
        period: p.code(),
        period_zh: p.label_zh(),
        kind_zh: p.kind_zh(),
        previous_zh: p.previous_zh(),
        this_zh: p.this_zh(),
        plan_year: header.plan_year,
        school_year_zh: format!("{school_year}–{} 学年", school_year + 1),
        generated_on: header.generated_on,
        data_from: header.data_from,
        compared_with: before.and(header.compared_with),
        tally,
        sections,
        changes: before.map(|b| changes(plan, b, now)).unwrap_or_default(),
        laggards: laggards(plan, now),
    }
}

/// What moved between two sets of lines: every unit whose verdict changed, and district-level
/// units whose value moved. Worsened first, then improved, then moved, each in plan order.
pub fn changes(plan: &Plan, before: &[SnapshotLine], now: &[SnapshotLine]) -> Vec<BulletinChange> {
    let old: HashMap<_, &SnapshotLine> = before.iter().map(|l| (l.unit_key(), l)).collect();
    let position: HashMap<&str, usize> = plan
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.key.as_str(), i))
        .collect();
    let mut out: Vec<(u8, usize, BulletinChange)> = Vec::new();
    for l in now {
        let (Some(prev), Some(&pos)) = (old.get(&l.unit_key()), position.get(l.key.as_str()))
        else {
            continue;
        };
        let (rank, direction, direction_zh) = if prev.verdict != l.verdict {
            match (prev.verdict, l.verdict) {
                (Verdict::Met, _) => (0, "worsened", "由达标转为未达标"),
                (_, Verdict::Met) => (1, "improved", "转为达标"),
                _ => (2, "moved", "结论变化"),
            }
        } else if !l.is_school() && prev.value_text != l.value_text {
            (2, "moved", "数值变化")
        } else {
            continue;
        };
        // A verdict moving away from 已达标 to something other than 未达标 is not a worsening.
        let (direction, direction_zh) = if direction == "worsened" && l.verdict != Verdict::NotMet {
            ("moved", "结论变化")
        } else {
            (direction, direction_zh)
        };
        out.push((
            rank,
            pos,
            BulletinChange {
                name: plan.indicators[pos].name.clone(),
                unit: l.unit_label.clone(),
                before: prev.value_text.clone(),
                after: l.value_text.clone(),
                before_verdict_zh: prev.verdict.label_zh(),
                after_verdict_zh: l.verdict.label_zh(),
                direction,
                direction_zh,
            },
        ));
    }
    out.sort_by_key(|c| (c.0, c.1));
    out.into_iter().map(|(_, _, c)| c).collect()
}

/// One 育 at a glance (the home pages): how its targets stand for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainGlance {
    pub domain: Domain,
    pub domain_zh: &'static str,
    pub tally: Tally,
    /// The targets of this 育 the unit misses, furthest behind first (at most
    /// [`GLANCE_MISSED`]).
    pub missed: Vec<String>,
}

/// How many missed targets a 育's tile names.
pub const GLANCE_MISSED: usize = 3;

/// Each 育's targets as they stand for the one unit `lines` are about (one line per target:
/// the district's own, or one school's), in the plan's order; a 育 without lines is left out.
pub fn domain_glance(plan: &Plan, lines: &[SnapshotLine]) -> Vec<DomainGlance> {
    let by_key: HashMap<&str, &SnapshotLine> = lines.iter().map(|l| (l.key.as_str(), l)).collect();
    Domain::ALL
        .into_iter()
        .filter_map(|domain| {
            let mine: Vec<(&PlanIndicator, &SnapshotLine)> = plan
                .indicators
                .iter()
                .filter(|i| i.domain == domain)
                .filter_map(|i| Some((i, *by_key.get(i.key.as_str())?)))
                .collect();
            if mine.is_empty() {
                return None;
            }
            let mut tally = Tally::default();
            for (_, l) in &mine {
                tally.add(l.verdict);
            }
            let mut missed: Vec<&(&PlanIndicator, &SnapshotLine)> = mine
                .iter()
                .filter(|(_, l)| l.verdict == Verdict::NotMet)
                .collect();
            missed.sort_by(|a, b| a.1.gap.unwrap_or(0.0).total_cmp(&b.1.gap.unwrap_or(0.0)));
            Some(DomainGlance {
                domain,
                domain_zh: domain.label_zh(),
                tally,
                missed: missed
                    .iter()
                    .take(GLANCE_MISSED)
                    .map(|(i, _)| i.name.clone())
                    .collect(),
            })
        })
        .collect()
}

/// The schools that miss the most of their judged targets (已达标 or 未达标), most first; ties
/// by the larger share missed, then by name. Schools that miss none are not listed.
pub fn laggards(plan: &Plan, now: &[SnapshotLine]) -> Vec<Laggard> {
    let position: HashMap<&str, usize> = plan
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.key.as_str(), i))
        .collect();
    let mut by_school: BTreeMap<(i64, &str), Vec<&SnapshotLine>> = BTreeMap::new();
    for l in now.iter().filter(|l| l.is_school()) {
        if let (Some(id), true) = (l.school_id, position.contains_key(l.key.as_str())) {
            by_school
                .entry((id, l.unit_label.as_str()))
                .or_default()
                .push(l);
        }
    }
    let mut out: Vec<Laggard> = by_school
        .into_iter()
        .filter_map(|((_, name), lines)| {
            let judged = lines
                .iter()
                .filter(|l| matches!(l.verdict, Verdict::Met | Verdict::NotMet))
                .count();
            let mut missed: Vec<&&SnapshotLine> = lines
                .iter()
                .filter(|l| l.verdict == Verdict::NotMet)
                .collect();
            if missed.is_empty() {
                return None;
            }
            missed.sort_by(|a, b| a.gap.unwrap_or(0.0).total_cmp(&b.gap.unwrap_or(0.0)));
            Some(Laggard {
                school: name.to_string(),
                missed: missed.len(),
                judged,
                targets: missed
                    .iter()
                    .map(|l| plan.indicators[position[l.key.as_str()]].name.clone())
                    .collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then_with(|| (b.missed * a.judged).cmp(&(a.missed * b.judged)))
            .then_with(|| a.school.cmp(&b.school))
    });
    out.truncate(LAGGARDS_LISTED);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_quarters_read_and_print() {
        let m = Month::parse("2025-03").unwrap();
        assert_eq!(
            (m.year, m.month, m.code()),
            (2025, 3, "2025-03".to_string())
        );
        assert_eq!(m.school_year(), 2024);
        assert_eq!(Month::parse("2025-9").unwrap().school_year(), 2025);
        assert!(Month::parse("2025-13").unwrap_err().contains("2025-13"));
        assert!(Month::parse("March").is_err());
        let q = Quarter::parse("2025q3").unwrap();
        assert_eq!(q.code(), "2025Q3");
        assert_eq!(q.label_zh(), "2025年第三季度");
        assert_eq!(q.first_month().code(), "2025-07");
        assert_eq!(q.last_month().code(), "2025-09");
        assert_eq!(
            Quarter::parse("2025Q1").unwrap().previous().code(),
            "2024Q4"
        );
        assert!(Quarter::parse("2025Q5").is_err());
        assert_eq!(Month::parse("2025-08").unwrap().quarter().code(), "2025Q3");
    }

    #[test]
    fn a_month_is_judged_against_its_school_years_targets_within_the_plan() {
        let years = [2023, 2024, 2025];
        let at = |s| plan_year_for(Month::parse(s).unwrap(), &years);
        assert_eq!(at("2024-08"), Some(2024), "2023–2024 school year");
        assert_eq!(at("2024-09"), Some(2025), "2024–2025 school year");
        assert_eq!(at("2026-12"), Some(2025), "after the plan: its last year");
        assert_eq!(at("2020-01"), Some(2023));
        assert_eq!(plan_year_for(Month::parse("2025-01").unwrap(), &[]), None);
    }

    fn indicator(key: &str, name: &str, domain: Domain) -> PlanIndicator {
        PlanIndicator {
            key: key.into(),
            measure: None,
            name: name.into(),
            domain,
            unit: "%".into(),
            kind: UnitKind::Rate,
            comparator: crate::indicator::Comparator::AtLeast,
            scope: String::new(),
            applies_to: Vec::new(),
            targets: BTreeMap::new(),
            data_to_compute: String::new(),
            seed_file: String::new(),
            seed_phrase: String::new(),
            note: String::new(),
            min_n: None,
        }
    }

    fn line(key: &str, verdict: Verdict, gap: Option<f64>) -> SnapshotLine {
        SnapshotLine {
            key: key.into(),
            unit_kind: "district".into(),
            school_id: None,
            unit_label: "全区".into(),
            verdict,
            value: None,
            value_text: "—".into(),
            target: "30".into(),
            n: None,
            gap,
            as_of: None,
        }
    }

    #[test]
    fn each_yu_is_tallied_with_its_missed_targets_furthest_behind_first() {
        let plan = Plan {
            years: vec![2025],
            indicators: vec![
                indicator("a", "优秀率", Domain::Physical),
                indicator("b", "近视率", Domain::Physical),
                indicator("c", "合格率", Domain::Physical),
                indicator("d", "劳动课开课率", Domain::Labor),
                indicator("e", "志愿服务", Domain::Moral),
                indicator("f", "平均分", Domain::Academic),
            ],
        };
        let lines = [
            line("a", Verdict::NotMet, Some(-1.5)),
            line("b", Verdict::NotMet, Some(-4.0)),
            line("c", Verdict::Met, Some(2.0)),
            line("d", Verdict::AwaitingReport, None),
            line("e", Verdict::NoData, None),
            // "f" has no line for this unit: 智育 is left out.
        ];
        let g = domain_glance(&plan, &lines);
        let domains: Vec<Domain> = g.iter().map(|d| d.domain).collect();
        assert_eq!(domains, [Domain::Moral, Domain::Physical, Domain::Labor]);
        let physical = &g[1];
        assert_eq!(
            (
                physical.tally.met,
                physical.tally.not_met,
                physical.tally.awaiting
            ),
            (1, 2, 0)
        );
        assert_eq!(physical.missed, ["近视率", "优秀率"], "-4.0 before -1.5");
        assert_eq!((g[2].tally.awaiting, g[0].tally.no_data), (1, 1));
        assert!(g[0].missed.is_empty());
    }
}
