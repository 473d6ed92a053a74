//! The appraisal's parent and peer components from the year's 师德 rounds (issues 14 and 15),
//! on both backends: a teacher reported by ≥ 30 parents gets the round's 0–100 index when the
//! file leaves the parent/student score blank, marked as from the 问卷; a teacher with 29
//! parents is not reported, so the source stays missing and the weights re-normalise as
//! before; an uploaded value always wins over the survey; a colleagues' round gives each
//! colleague's own score as a peer rating, so the trimmed mean applies. Every expected value
//! is computed by hand in the comments.
use std::sync::Arc;

use wuyu_analytics::appraisal::SourceKind;
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{SchoolId, Viewer};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::staff::*;
use wuyu_service::survey;
use wuyu_store::Store;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

const HEADER: &str = "学校,工号,考核得分,组织评价得分,同事互评,家长学生评价,工作量\n";

fn near(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

fn row<'a>(v: &'a AppraisalView, staff_no: &str) -> &'a AppraisalRow {
    v.rows.iter().find(|r| r.staff_no == staff_no).unwrap()
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let t01 = store.teacher_by_staff_no(a, "T01").await.unwrap().unwrap();
    let t02 = store.teacher_by_staff_no(a, "T02").await.unwrap().unwrap();
    let (district, _) = viewer(&svc, "district").await;
    let (school, who) = viewer(&svc, "school-a").await;
    let import = |csv: String| {
        let (svc, school, who) = (&svc, &school, &who);
        async move { import_appraisal(svc, school, who, a, 2024, csv.as_bytes(), "考核.csv").await }
    };
    // 2024-11-10: the 2024–2025 school year, the appraisal's year.
    let now = 1_731_196_800;
    assert_eq!(survey::school_year_at(now), 2024);

    // Parents' 师德 round. T01: 30 sheets, 15 all 非常满意 and 15 all 满意 → mean 4.5,
    // index 100·3.5/4 = 87.5. T02: 29 sheets, one under the minimum of 30 → not reported.
    let q = survey::start_round(&svc, &district, "ethics_parents", now)
        .await
        .unwrap();
    let p = Answer::Point;
    let c01 = survey::issue_teacher_codes(&svc, &school, q, a, t01, 30, now)
        .await
        .unwrap();
    for (i, code) in c01.iter().enumerate() {
        let v = if i < 15 { p(5) } else { p(4) };
        survey::submit_code(&svc, code, &[v; 6], now + 60)
            .await
            .unwrap();
    }
    let c02 = survey::issue_teacher_codes(&svc, &school, q, a, t02, 30, now)
        .await
        .unwrap();
    for code in c02.iter().take(29) {
        survey::submit_code(&svc, code, &[p(5); 6], now + 60)
            .await
            .unwrap();
    }

    // Both rows leave the parent score blank. Default weights 0.5 / 0.3 / 0.2:
    // T01 = 0.5·88 + 0.3·87.667 + 0.2·87.5 = 87.80, the parent score from the 问卷;
    // T02's parent source stays missing: 0.625·90 + 0.375·85.5 = 88.3125, flagged.
    let v = import(format!(
        "{HEADER}S001,T01,,88,90;85;70;92;88,,\nS001,T02,,90,80;90;100;72,,\n"
    ))
    .await
    .unwrap();
    let r1 = row(&v, "T01");
    let s = &r1.input.sources;
    assert_eq!(s.parent_score, Some(87.5));
    assert_eq!(
        s.parent_survey.map(|o| (o.questionnaire_id, o.n)),
        Some((q, 30))
    );
    assert_eq!(parent_origin_zh(s), "师德评价问卷（30 人）");
    assert_eq!(peer_origin_zh(s), "上传");
    near(
        r1.input.score.unwrap(),
        0.5 * 88.0 + 0.3 * (263.0 / 3.0) + 0.2 * 87.5,
    );
    assert_eq!(format!("{:.2}", r1.input.score.unwrap()), "87.80");
    assert!(!s.renormalised);
    let r2 = row(&v, "T02");
    let s = &r2.input.sources;
    assert_eq!((s.parent_score, s.parent_survey), (None, None));
    assert_eq!(parent_origin_zh(s), "");
    near(r2.input.score.unwrap(), 88.3125);
    assert!(s.renormalised);
    assert_eq!(s.missing, vec![SourceKind::Parent]);

    // What the file gives wins over the survey: T01's 80 is kept as uploaded (§6.2's 86.30).
    let v = import(format!("{HEADER}S001,T01,,88,90;85;70;92;88,80,\n"))
        .await
        .unwrap();
    let s = &row(&v, "T01").input.sources;
    assert_eq!((s.parent_score, s.parent_survey), (Some(80.0), None));
    assert_eq!(parent_origin_zh(s), "上传");
    assert_eq!(
        format!("{:.2}", row(&v, "T01").input.score.unwrap()),
        "86.30"
    );

    // Colleagues' round for T02 (minimum 10): 5 sheets all 非常满意 (100), 4 all 满意 (75),
    // one all 非常不满意 (0). Ten ratings: the trimmed mean drops one 100 and the 0 →
    // (4·100 + 4·75)/8 = 87.5. T02's uploaded parent 85: 0.5·90 + 0.3·87.5 + 0.2·85 = 88.25.
    let peers = survey::start_round(&svc, &district, "ethics_peers", now + 3600)
        .await
        .unwrap();
    let codes = survey::issue_teacher_codes(&svc, &school, peers, a, t02, 10, now)
        .await
        .unwrap();
    for (i, code) in codes.iter().enumerate() {
        let v = match i {
            0..5 => p(5),
            5..9 => p(4),
            _ => p(1),
        };
        survey::submit_code(&svc, code, &[v; 6], now + 4000)
            .await
            .unwrap();
    }
    let v = import(format!("{HEADER}S001,T02,,90,,85,\n"))
        .await
        .unwrap();
    let r2 = row(&v, "T02");
    let s = &r2.input.sources;
    assert_eq!(s.peer_ratings.len(), 10);
    near(s.peer_score.unwrap(), 87.5);
    assert_eq!(
        s.peer_survey.map(|o| (o.questionnaire_id, o.n)),
        Some((peers, 10))
    );
    assert_eq!(peer_origin_zh(s), "同事互评问卷（10 人）");
    assert_eq!(peer_text_zh(s), "87.50（10 人评，去掉最高、最低分后 8 人）");
    near(r2.input.score.unwrap(), 88.25);

    // Stored and read back as the page reads it.
    let again = appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row(&again, "T02").input.sources, *s);

    // A round of another school year does not feed this year's appraisal.
    let v = import(format!("{HEADER}S001,T01,,88,90;85;70;92;88,,\n"))
        .await
        .unwrap();
    assert_eq!(row(&v, "T01").input.sources.parent_score, Some(87.5));
    let later = import_year(&svc, &school, &who, a, 2025).await;
    assert_eq!(row(&later, "T01").input.sources.parent_score, None);
}

async fn import_year(
    svc: &Service,
    school: &Viewer,
    who: &Requester,
    a: SchoolId,
    year: i32,
) -> AppraisalView {
    let csv = format!("{HEADER}S001,T01,,88,90;85;70;92;88,,\n");
    import_appraisal(svc, school, who, a, year, csv.as_bytes(), "考核.csv")
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
