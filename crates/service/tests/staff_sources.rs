//! The appraisal score composed from its sources (analytics-methods §6.2), on both backends:
//! a file with the score left blank is composed with the district's weights — the peer
//! trimmed mean from the raw ratings, a missing source re-normalising the others and flagged —
//! stored with the weights used, and levelled by the unchanged rules; a filled score is kept
//! as uploaded; a row with nothing to compose from is refused in Chinese. Every expected value
//! is computed by hand in the comments.
use std::sync::Arc;

use wuyu_analytics::appraisal::{Level, SourceKind};
use wuyu_domain::{SchoolId, Viewer};
use wuyu_service::Service;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::staff::*;
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
    let (school, who) = viewer(&svc, "school-a").await;
    let import = |csv: String| {
        let (svc, school, who) = (&svc, &school, &who);
        async move { import_appraisal(svc, school, who, a, 2024, csv.as_bytes(), "考核.csv").await }
    };

    // Default weights 组织 0.5 / 同事互评 0.3 / 家长学生 0.2 (teaching and workload 0).
    // T01 is §6.2's vector: 0.5·88 + 0.3·87.667 + 0.2·80 = 86.30.
    // T02: four raters, no trimming → 85.5; no parent rating → 0.5 and 0.3 become 0.625 and
    // 0.375: 0.625·90 + 0.375·85.5 = 88.3125, flagged.
    let v = import(format!(
        "{HEADER}S001,T01,,88,90;85;70;92;88,80,\nS001,T02,,90,80；90；100；72,,\n"
    ))
    .await
    .unwrap();
    let t01 = row(&v, "T01");
    let s = &t01.input.sources;
    assert_eq!(s.score_basis, ScoreBasis::Composed);
    near(
        t01.input.score.unwrap(),
        0.5 * 88.0 + 0.3 * (263.0 / 3.0) + 0.2 * 80.0,
    );
    assert_eq!(format!("{:.2}", t01.input.score.unwrap()), "86.30");
    assert_eq!(s.peer_ratings, vec![90.0, 85.0, 70.0, 92.0, 88.0]);
    near(s.peer_score.unwrap(), 263.0 / 3.0);
    for (got, want) in s.weights.unwrap().iter().zip([0.5, 0.3, 0.2, 0.0, 0.0]) {
        near(*got, want);
    }
    assert!(!s.renormalised && s.missing.is_empty());
    assert_eq!(
        score_arithmetic_zh(t01),
        "0.5×88.00 + 0.3×87.67 + 0.2×80.00 = 86.30"
    );
    assert_eq!(peer_text_zh(s), "87.67（5 人评，去掉最高、最低分后 3 人）");

    let t02 = row(&v, "T02");
    let s = &t02.input.sources;
    near(t02.input.score.unwrap(), 88.3125);
    near(s.peer_score.unwrap(), 85.5);
    for (got, want) in s.weights.unwrap().iter().zip([0.625, 0.375, 0.0, 0.0, 0.0]) {
        near(*got, want);
    }
    assert!(s.renormalised);
    assert_eq!(s.missing, vec![SourceKind::Parent]);
    assert_eq!(
        missing_sources_zh(t02),
        "缺少家长学生评价，其余权重已重新归一"
    );
    assert_eq!(
        score_arithmetic_zh(t02),
        "0.625×90.00 + 0.375×85.50 = 88.31"
    );
    // N = 2, cap = ⌊0.4⌋ = 0: both 合格 (the levels run on the composed scores).
    assert_eq!((v.round.n_base, v.round.cap), (2, 0));
    assert!(v.rows.iter().all(|r| r.input.level == Level::Qualified));

    // The district gives teaching results a weight; the fixture has no exams, so the teaching
    // source is missing for everyone: T01's 0.5 / 0.2 / 0.2 over 0.9 →
    // (0.5·88 + 0.2·87.667 + 0.2·80) / 0.9 = 86.148, flagged. T02 uploads a final score of 91:
    // kept as given, its sources stored beside it, no weights, no flag. A peer list of two is
    // too few raters and does not count.
    store
        .set_setting(
            "appraisal_weights",
            r#"{"org":0.5,"peer":0.2,"parent":0.2,"teaching":0.1}"#,
        )
        .await
        .unwrap();
    let v = import(format!(
        "{HEADER}S001,T01,,88,90;85;70;92;88,80,\nS001,T02,91,90,80;90,85,\n"
    ))
    .await
    .unwrap();
    let t01 = row(&v, "T01");
    near(
        t01.input.score.unwrap(),
        (0.5 * 88.0 + 0.2 * (263.0 / 3.0) + 0.2 * 80.0) / 0.9,
    );
    assert_eq!(format!("{:.2}", t01.input.score.unwrap()), "86.15");
    assert_eq!(t01.input.sources.missing, vec![SourceKind::Teaching]);
    assert_eq!(t01.input.sources.teaching_score, None);
    let w = t01.input.sources.weights.unwrap();
    near(w[0], 5.0 / 9.0);
    near(w[3], 0.0);
    let t02 = row(&v, "T02");
    assert_eq!(t02.input.sources.score_basis, ScoreBasis::Uploaded);
    assert_eq!(t02.input.score, Some(91.0));
    assert_eq!(t02.input.sources.weights, None);
    assert!(!t02.input.sources.renormalised);
    assert_eq!(
        t02.input.sources.peer_score, None,
        "two raters do not count"
    );
    assert_eq!(t02.input.sources.parent_score, Some(85.0));
    assert_eq!(score_arithmetic_zh(t02), "");

    // A composed score under 50 is 不合格 by the unchanged rules: with the weights back at
    // the default, 0.5·40 + 0.3·55 + 0.2·58 = 48.1.
    store
        .set_setting(
            "appraisal_weights",
            r#"{"org":0.5,"peer":0.3,"parent":0.2}"#,
        )
        .await
        .unwrap();
    let v = import(format!(
        "{HEADER}S001,T01,,40,50;55;60,58,\nS001,T02,80,80,,,\n"
    ))
    .await
    .unwrap();
    let t01 = row(&v, "T01");
    near(t01.input.score.unwrap(), 48.1);
    assert_eq!(t01.input.level, Level::Unqualified);

    // Nothing to compose from (only a workload score, which weighs 0): refused in Chinese
    // naming the row and the column; a bad peer rating is named too; nothing changes.
    let e = import(format!(
        "{HEADER}S001,T01,,,,,70\nS001,T02,80,80,90;很好,,\n"
    ))
    .await
    .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    assert!(
        rows.iter()
            .any(|r| r.row == 3 && r.column == "同事互评" && r.message_zh.contains("“很好”")),
        "{rows:?}"
    );
    let e = import(format!("{HEADER}S001,T01,,,,,70\nS001,T02,80,80,,,\n"))
        .await
        .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (rows[0].row, rows[0].column.as_str()),
        (2, "考核得分"),
        "{rows:?}"
    );
    assert!(rows[0].message_zh.contains("权重"), "{rows:?}");
    let still = appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    near(row(&still, "T01").input.score.unwrap(), 48.1);

    // The import's audit entry names what was composed and the weights.
    let log = store.list_audit(50).await.unwrap();
    let imported = log
        .iter()
        .find(|e| e.entry.action == "import_appraisal")
        .unwrap();
    assert!(
        imported.entry.detail.contains("composed=1 renormalised=0"),
        "{}",
        imported.entry.detail
    );
}

/// A draft composed with the old weights is flagged after the district changes them, and a
/// redraft composes it again from its stored sources: composed scores follow the new weights,
/// an uploaded score stays, the levels are computed anew, the step is audited; a round in 公示
/// cannot be redrafted, and a teacher cannot redraft at all.
async fn redraft_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let (school, who) = viewer(&svc, "school-a").await;
    // Default weights: T01 = 0.5·88 + 0.3·87.667 + 0.2·80 = 86.30; T02 uploads 91.
    let csv = format!("{HEADER}S001,T01,,88,90;85;70;92;88,80,60\nS001,T02,91,90,80;90;85,85,\n");
    let v = import_appraisal(&svc, &school, &who, a, 2024, csv.as_bytes(), "考核.csv")
        .await
        .unwrap();
    assert_eq!(v.reweighted, 0);
    near(row(&v, "T01").input.score.unwrap(), 86.3);

    // The district moves weight to workload: 组织 0.4, 互评 0.2, 家长 0.2, 工作量 0.2.
    store
        .set_setting(
            "appraisal_weights",
            r#"{"org":0.4,"peer":0.2,"parent":0.2,"workload":0.2}"#,
        )
        .await
        .unwrap();
    let v = appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.reweighted, 1, "T01 is composed with the old weights");
    near(row(&v, "T01").input.score.unwrap(), 86.3);

    // Redraft: 0.4·88 + 0.2·87.667 + 0.2·80 + 0.2·60 = 80.733; T02 keeps 91.
    let v = redraft_appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap();
    assert_eq!(v.reweighted, 0);
    let t01 = row(&v, "T01");
    near(
        t01.input.score.unwrap(),
        0.4 * 88.0 + 0.2 * (263.0 / 3.0) + 0.2 * 80.0 + 0.2 * 60.0,
    );
    assert_eq!(t01.input.sources.score_basis, ScoreBasis::Composed);
    for (got, want) in t01
        .input
        .sources
        .weights
        .unwrap()
        .iter()
        .zip([0.4, 0.2, 0.2, 0.0, 0.2])
    {
        near(*got, want);
    }
    let t02 = row(&v, "T02");
    assert_eq!(t02.input.score, Some(91.0));
    assert_eq!(t02.input.sources.score_basis, ScoreBasis::Uploaded);
    let log = store.list_audit(50).await.unwrap();
    let redrafted = log
        .iter()
        .find(|e| e.entry.action == "redraft_appraisal")
        .expect("the redraft is audited");
    assert!(
        redrafted.entry.detail.contains("composed=1")
            && redrafted.entry.detail.contains("[0.4, 0.2, 0.2, 0.0, 0.2]"),
        "{}",
        redrafted.entry.detail
    );

    // Weights that leave T01 nothing to compose from (teaching only; the fixture has no
    // exams): refused naming the teacher, and the draft is unchanged.
    store
        .set_setting("appraisal_weights", r#"{"teaching":1}"#)
        .await
        .unwrap();
    let e = redraft_appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap_err();
    let ServiceError::BadRequest(m) = e else {
        panic!("{e:?}")
    };
    assert!(m.contains(&t01.teacher_name) && m.contains("权重"), "{m}");
    let still = appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap()
        .unwrap();
    near(
        row(&still, "T01").input.score.unwrap(),
        0.4 * 88.0 + 0.2 * (263.0 / 3.0) + 0.2 * 80.0 + 0.2 * 60.0,
    );

    // A teacher cannot redraft; a round in 公示 cannot be redrafted.
    let (teacher, twho) = viewer(&svc, "teacher-a").await;
    assert!(matches!(
        redraft_appraisal(&svc, &teacher, &twho, a, 2024).await,
        Err(ServiceError::Forbidden)
    ));
    publicise(
        &svc,
        &school,
        &who,
        a,
        2024,
        time::macros::date!(2025 - 06 - 02),
    )
    .await
    .unwrap();
    let e = redraft_appraisal(&svc, &school, &who, a, 2024)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::Conflict(m) if m.contains("公示中")),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redraft_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    redraft_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redraft_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        redraft_story(Arc::clone(&db.store)).await;
    }
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
