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
