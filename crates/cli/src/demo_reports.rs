//! The demo's reported targets (指标填报) for the plan's latest year: most schools have
//! entered their values and the district approved them, some wait for review, a few were
//! returned with a reason and a few were never entered (overdue), so the reporting pages, the
//! monthly progress and the bulletin have something real to show. The demo school's own admin
//! enters its values; the others are entered by the district on the school's behalf.
use std::sync::Arc;

use anyhow::Context;
use wuyu_domain::{Scope, Viewer};
use wuyu_monitor::indicator::Comparator;
use wuyu_monitor::plan::{TargetCell, UnitKind};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{
    Cadence, ReportInput, ReportItem, Review, reporting, review_report, set_due, submit_report,
};
use wuyu_store::Store;
use wuyu_synth::rng::Rng;

/// What the demo did: (entered, approved, returned, left overdue).
pub(crate) type ReportCounts = (usize, usize, usize, usize);

/// A plausible value near the target: most units meet it, some fall a little short.
fn value_near(rng: &mut Rng, item: &ReportItem, target: f64) -> f64 {
    let factor = match item.comparator {
        // Below-is-better targets (≤): usually under, sometimes over.
        "≤" => 0.75 + 0.4 * rng.f64(),
        "=" => 1.0,
        _ => 0.88 + 0.35 * rng.f64(),
    };
    let v = target * factor;
    match item.kind {
        UnitKind::Count => v.round().max(0.0),
        UnitKind::Rate => ((v * 10.0).round() / 10.0).clamp(0.0, 100.0),
        _ => (v * 10.0).round() / 10.0,
    }
}

/// Enters and reviews the latest plan year's reported targets for every school.
pub(crate) async fn load_plan_reports(
    store: &Arc<dyn Store>,
    demo_school_code: &str,
    seed: u64,
) -> anyhow::Result<ReportCounts> {
    let svc = Service::new(Arc::clone(store));
    let user_of = |name: &'static str| async move {
        store
            .user_credentials(name)
            .await?
            .with_context(|| format!("演示账号 {name} 不存在"))
            .map(|c| c.user)
    };
    let district_user = user_of("demo-district").await?;
    let school_user = user_of("demo-school").await?;
    let district = Viewer::new(district_user.clone(), Scope::District);
    let by_district = Requester::user(&district_user, "127.0.0.1");
    let by_school = Requester::user(&school_user, "127.0.0.1");
    let plan = wuyu_service::plan::plan(&svc).await?;
    let Some(&year) = plan.years.last() else {
        return Ok((0, 0, 0, 0));
    };
    // Two targets the district follows each quarter; the rest are due yearly.
    for ind in plan
        .indicators
        .iter()
        .filter(|i| i.measure.is_none() && i.comparator == Comparator::AtLeast)
        .take(2)
    {
        set_due(
            &svc,
            &district,
            &by_district,
            &ind.key,
            Cadence::Quarterly,
            10,
        )
        .await?;
    }
    let mut rng = Rng::stream(seed, 0x5245_504f_5254);
    let mut counts = (0, 0, 0, 0);
    for s in store.list_schools(&Scope::District).await? {
        let school = s.school;
        let own = school.code.as_str() == demo_school_code;
        // The school's view of what it must report (its unit's targets).
        let as_school = Viewer::new(
            if own {
                school_user.clone()
            } else {
                district_user.clone()
            },
            Scope::School {
                school_id: school.id,
            },
        );
        let items = reporting(&svc, &as_school, Some(year)).await?.items;
        // The demo school keeps its first numeric target to enter: the demo shows a 待填报.
        let mut keep_one_due = own;
        for item in items {
            let Some(TargetCell::Number(target)) = plan
                .indicator(&item.key)
                .and_then(|i| i.targets.get(&year))
                .cloned()
            else {
                continue;
            };
            let roll = rng.f64();
            if std::mem::take(&mut keep_one_due) || roll < 0.10 {
                counts.3 += 1;
                continue;
            }
            let input = ReportInput {
                key: item.key.clone(),
                year,
                school: Some(school.id),
                value: value_near(&mut rng, &item, target).to_string(),
                note: if own {
                    "本校按学期台账汇总，佐证材料已存档".into()
                } else {
                    "区里根据学校报送的台账代为录入".into()
                },
                evidence: None,
            };
            let (viewer, who) = if own {
                (&as_school, &by_school)
            } else {
                (&district, &by_district)
            };
            submit_report(&svc, viewer, who, &input).await?;
            counts.0 += 1;
            let review = if roll < 0.16 {
                counts.2 += 1;
                Some(Review::Return {
                    reason: "佐证材料不全：请补充校长签字的台账扫描件".into(),
                })
            } else if roll < 0.28 {
                None // still 待审核
            } else {
                counts.1 += 1;
                Some(Review::Approve)
            };
            if let Some(review) = review {
                review_report(
                    &svc,
                    &district,
                    &by_district,
                    Some(school.id),
                    &item.key,
                    year,
                    &review,
                )
                .await?;
            }
        }
    }
    Ok(counts)
}

/// What the demo's registry holds: (approved, waiting for review, returned).
pub(crate) type RegistryCounts = (usize, usize, usize);

/// A demo award document: a real (tiny) PDF header is enough for the type check.
fn award_pdf(title: &str) -> wuyu_service::file::UploadedFile {
    wuyu_service::file::UploadedFile::new(
        format!("{title}.pdf"),
        format!("%PDF-1.4\n% 演示认定文件：{title}\n").into_bytes(),
    )
}

/// The registry (名录): designations, bases and school events over the plan's years, so the
/// plan's counts of 特色学校, 心理辅导室, 示范家长学校 … and each school's 运动会 and 艺术节 are
/// computed from items. Most are entered by the district (approved as entered); the demo
/// school entered two of its own that wait for review and had one returned.
pub(crate) async fn load_registry(
    store: &Arc<dyn Store>,
    demo_school_code: &str,
    seed: u64,
) -> anyhow::Result<RegistryCounts> {
    use wuyu_service::plan::{RegistryInput, add_item, review_item};
    let svc = Service::new(Arc::clone(store));
    let user = |name: &'static str| async move {
        store
            .user_credentials(name)
            .await?
            .with_context(|| format!("演示账号 {name} 不存在"))
            .map(|c| c.user)
    };
    let district_user = user("demo-district").await?;
    let school_user = user("demo-school").await?;
    let district = Viewer::new(district_user.clone(), Scope::District);
    let by_district = Requester::user(&district_user, "127.0.0.1");
    let plan = wuyu_service::plan::plan(&svc).await?;
    let Some(&year) = plan.years.last() else {
        return Ok((0, 0, 0));
    };
    let mut rng = Rng::stream(seed, 0x5245_4749_5354);
    let schools: Vec<_> = store
        .list_schools(&Scope::District)
        .await?
        .into_iter()
        .map(|s| s.school)
        .collect();
    // A date in school year `sy` (Sep sy – May sy+1: before the demo data's end in June).
    let date_in = |rng: &mut Rng, sy: i32| {
        let month = [9, 10, 11, 12, 1, 3, 4, 5][rng.index(8)];
        let y = if month >= 9 { sy } else { sy + 1 };
        format!("{y}-{month:02}-{:02}", rng.range(1, 28))
    };
    let first_year = plan.years.first().copied().unwrap_or(year) - 1;
    let last = year - 1;
    let mut counts = (0, 0, 0);
    let mut entries: Vec<RegistryInput> = Vec::new();
    let mut entry = |school: Option<wuyu_domain::SchoolId>, kind: &str, level: &str, on: String| {
        entries.push(RegistryInput {
            school,
            kind: kind.into(),
            level: level.into(),
            title: format!("{}年{level}级{kind}", &on[..4]),
            awarded_on: on,
            note: String::new(),
            evidence: None,
        });
    };
    // Designations: a few schools each, spread over the plan's years.
    let designations: [(&str, &str, usize); 11] = [
        ("劳动特色学校", "市", 4),
        ("劳动特色学校", "区", 6),
        ("心理健康教育特色学校", "市", 2),
        ("体育特色学校", "省", 3),
        ("体育特色学校", "区", 8),
        ("校园足球特色学校", "国", 1),
        ("美育特色学校", "区", 7),
        ("示范家长学校", "区", 10),
        ("优质校", "区", 9),
        ("优秀心理辅导室", "市", 3),
        ("示范心理辅导室", "市", 2),
    ];
    for (kind, level, n) in designations {
        for _ in 0..n.min(schools.len()) {
            let s = &schools[rng.index(schools.len())];
            let sy = first_year + rng.index((last - first_year + 1) as usize) as i32;
            entry(Some(s.id), kind, level, date_in(&mut rng, sy));
        }
    }
    // Shares of schools, and each school's events of the latest years.
    for s in &schools {
        if rng.chance(0.8) {
            entry(
                Some(s.id),
                "德育工程项目",
                "区",
                date_in(&mut rng, first_year),
            );
        }
        if rng.chance(0.7) {
            entry(Some(s.id), "绿色学校", "市", date_in(&mut rng, first_year));
        }
        for sy in [last - 1, last] {
            if rng.chance(0.9) {
                entry(Some(s.id), "运动会或体育节", "区", date_in(&mut rng, sy));
            }
            if rng.chance(0.85) {
                entry(Some(s.id), "校园文化艺术节", "区", date_in(&mut rng, sy));
            }
        }
    }
    // 心理健康教育课程: most schools registered theirs as the plan began; every sixth has not
    // yet (no draw from `rng`, so the items above and below stay as they were).
    for (k, s) in schools.iter().enumerate() {
        if k % 6 != 4 {
            entry(
                Some(s.id),
                "心理健康教育课程",
                "区",
                format!("{first_year}-09-15"),
            );
        }
    }
    // The district's own: bases and studios, and principals named 名校长.
    for (kind, level, n) in [
        ("劳动教育实践基地", "市", 2),
        ("美育名师工作室", "区", 4),
        ("美育培训基地", "区", 3),
    ] {
        for _ in 0..n {
            let sy = first_year + rng.index((last - first_year + 1) as usize) as i32;
            entry(None, kind, level, date_in(&mut rng, sy));
        }
    }
    for level in ["市", "区"] {
        let s = &schools[rng.index(schools.len())];
        entry(Some(s.id), "名校长", level, date_in(&mut rng, last));
    }
    for e in &entries {
        add_item(&svc, &district, &by_district, e).await?;
        counts.0 += 1;
    }
    // The demo school's own entries: two wait for review, one was returned.
    if let Some(own) = schools.iter().find(|s| s.code.as_str() == demo_school_code) {
        let as_school = Viewer::new(school_user.clone(), Scope::School { school_id: own.id });
        let by_school = Requester::user(&school_user, "127.0.0.1");
        for (kind, level, title) in [
            ("劳动特色学校", "市", "市级劳动教育特色学校"),
            ("文明校园", "市", "市级文明校园"),
            ("体育特色学校", "省", "省级体育传统项目特色学校"),
        ] {
            let input = RegistryInput {
                school: None,
                kind: kind.into(),
                level: level.into(),
                title: title.into(),
                awarded_on: date_in(&mut rng, last),
                note: "认定文件见附件".into(),
                evidence: Some(award_pdf(title)),
            };
            let item = add_item(&svc, &as_school, &by_school, &input).await?;
            if kind == "体育特色学校" {
                let back = Review::Return {
                    reason: "附件不是认定文件：请上传省教育厅公布名单的页面".into(),
                };
                review_item(&svc, &district, &by_district, item.id, &back).await?;
                counts.2 += 1;
            } else {
                counts.1 += 1;
            }
        }
    }
    Ok(counts)
}
