//! District-supplied scales through the service on both backends: loaded by the district admin
//! (validated, versioned by content, every load audited), pinned by a campaign, answered on the
//! student's form and scored at write with the pinned version — against hand-computed values.
use std::sync::Arc;

use wuyu_domain::{ClassId, SchoolId, StudentId, Viewer};
use wuyu_service::audit::Requester;
use wuyu_service::psych::*;
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;
use wuyu_testkit::Ids;

async fn viewer(svc: &Service, username: &str) -> (Viewer, Requester) {
    wuyu_service::accounts::acting_as(svc, username, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

/// A made-up 6-item scale (answers 1–5): items 2 and 5 reverse-scored; 压力 = mean of 1–3,
/// 支持 = sum of 4–6, total = sum of all. `reverse` lets a second version differ.
fn definition(reverse: &str, pressure_cutoffs: &str) -> String {
    format!(
        r#"{{
  "code": "xxyl",
  "name_zh": "学习压力自评（测试用，虚构）",
  "version": "2025-1",
  "item_count": 6,
  "answer_values": [1, 2, 3, 4, 5],
  "answer_labels_zh": ["从不", "偶尔", "有时", "经常", "总是"],
  "reverse_items": {reverse},
  "subscales": [
    {{"code": "pressure", "name_zh": "学习压力", "items": [1, 2, 3], "method": "mean",
      "cutoffs": {pressure_cutoffs}}},
    {{"code": "support", "name_zh": "支持感", "items": [4, 5, 6], "method": "sum",
      "cutoffs": [{{"min": 3, "max": 8, "label_zh": "支持不足"}},
                  {{"min": 9, "max": 15, "label_zh": "支持良好"}}]}}
  ],
  "total": {{"code": "total", "name_zh": "总分", "method": "sum",
    "cutoffs": [{{"min": 6, "max": 20, "label_zh": "正常"}},
                {{"min": 21, "max": 30, "label_zh": "偏高", "level": 1}}]}}
}}"#
    )
}

const PRESSURE: &str = r#"[{"min": 1, "max": 2.99, "label_zh": "低"},
      {"min": 3, "max": 3.99, "label_zh": "中"}, {"min": 4, "max": 5, "label_zh": "高"}]"#;
const OVERLAPPING: &str = r#"[{"min": 1, "max": 3, "label_zh": "低"},
      {"min": 2.5, "max": 5, "label_zh": "高"}]"#;

/// The form: answers 4, 2, 5, 3, 1, 2 to items 1–6.
fn form() -> Vec<(String, String)> {
    [4, 2, 5, 3, 1, 2]
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("xxyl_{}", i + 1), v.to_string()))
        .collect()
}

/// A campaign of grade 7 with PHQ-9 and the district scale, consent for the two 7-1 students.
async fn campaign(svc: &Service, ids: &Ids, name: &str, scale: &str) -> i64 {
    let (c, who) = viewer(svc, "counsellor-a").await;
    let a = SchoolId(ids.school_a);
    let camp = create_campaign(
        svc,
        &c,
        &who,
        a,
        &CampaignInput {
            name: name.into(),
            school_year: 2025,
            scales: vec!["phq9".into()],
            grades: vec![7],
            opens_on: "2020-09-01".into(),
            closes_on: "2099-12-31".into(),
            custom_scale: scale.into(),
        },
    )
    .await
    .unwrap();
    for s in svc
        .store()
        .list_students(&wuyu_domain::Scope::District, a, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.class_id == ClassId(ids.class_a7_1))
    {
        record_consent(
            svc,
            &c,
            &who,
            a,
            &ConsentInput {
                campaign_id: camp,
                student_id: s.id,
                guardian: GuardianConsent::Given,
                assent: true,
                decided_on: "2025-09-01".into(),
                channel: ConsentChannel::Paper,
            },
        )
        .await
        .unwrap();
    }
    camp
}

/// The child's one-time code of a campaign.
async fn code_for(svc: &Service, ids: &Ids, camp: i64, name: &str) -> String {
    let (c, who) = viewer(svc, "counsellor-a").await;
    let sheet = issue_codes(
        svc,
        &c,
        &who,
        SchoolId(ids.school_a),
        camp,
        ClassId(ids.class_a7_1),
    )
    .await
    .unwrap();
    sheet
        .rows
        .into_iter()
        .find(|r| r.name == name)
        .and_then(|r| r.code)
        .unwrap()
}

fn with_phq(mut f: Vec<(String, String)>) -> Vec<(String, String)> {
    f.extend((1..=9).map(|i| (format!("phq_{i}"), "0".to_string())));
    f
}

async fn scales_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let (d, dwho) = viewer(&svc, "district").await;
    let (c, cwho) = viewer(&svc, "counsellor-a").await;

    // Overlapping cut-offs: refused in Chinese naming the subscale and the values; nothing
    // stored.
    let bad = definition("[2, 5]", OVERLAPPING);
    let e = load_scale(&svc, &d, &dwho, "xxyl.json", bad.as_bytes(), "")
        .await
        .unwrap_err();
    let ServiceError::BadRequest(m) = e else {
        panic!("{e:?}")
    };
    assert!(m.contains("xxyl.json"), "{m}");
    assert!(m.contains("分量表“pressure”第 2 个划界区间"), "{m}");
    assert!(m.contains("2.5–5") && m.contains("重叠"), "{m}");
    assert!(scales(&svc, &d, &dwho).await.unwrap().is_empty());

    // A school admin or a teacher cannot load; the refusals are audited. A teacher cannot
    // list either; the counsellor can.
    let v1 = definition("[2, 5]", PRESSURE);
    for user in ["school-a", "teacher-a", "counsellor-a", "analyst"] {
        let (v, w) = viewer(&svc, user).await;
        assert!(
            matches!(
                load_scale(&svc, &v, &w, "xxyl.json", v1.as_bytes(), "").await,
                Err(ServiceError::Forbidden)
            ),
            "{user}"
        );
    }
    let (t, twho) = viewer(&svc, "teacher-a").await;
    assert!(matches!(
        scales(&svc, &t, &twho).await,
        Err(ServiceError::Forbidden)
    ));
    let log = store.list_audit(10_000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entry.action == "psych_denied" && r.entry.entity == "psych_scale:load")
            .count(),
        4
    );

    // Load: version 1; the same bytes again: still version 1, nothing added.
    let licence = "本区已购买使用授权（合同 2025-017）";
    let first = load_scale(&svc, &d, &dwho, "xxyl.json", v1.as_bytes(), licence)
        .await
        .unwrap();
    assert_eq!(first.load, ScaleLoad::Added(1));
    assert_eq!(
        first.message_zh(),
        "已载入量表“学习压力自评（测试用，虚构）”（xxyl）第 1 版"
    );
    let again = load_scale(&svc, &d, &dwho, "xxyl.json", v1.as_bytes(), "")
        .await
        .unwrap();
    assert_eq!(again.load, ScaleLoad::Unchanged(1));
    let listed = scales(&svc, &c, &cwho).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].licence, licence);
    assert_eq!(listed[0].loaded_by, "district");
    assert_eq!(listed[0].definition, v1);

    // A campaign pins the newest version (1) when it names the code alone.
    let old = campaign(&svc, &ids, "秋季筛查", "xxyl").await;
    let camps = campaigns(&svc, &c, a).await.unwrap();
    let pinned = camps.iter().find(|k| k.id == old).unwrap();
    assert_eq!(
        pinned.custom_scale,
        Some(ScaleRef {
            code: "xxyl".into(),
            version: 1
        })
    );

    // Changed content (item 5 no longer reversed): version 2. The old campaign keeps version 1.
    let v2 = definition("[2]", PRESSURE);
    let second = load_scale(&svc, &d, &dwho, "xxyl-v2.json", v2.as_bytes(), licence)
        .await
        .unwrap();
    assert_eq!(second.load, ScaleLoad::Added(2));
    let newer = campaign(&svc, &ids, "春季筛查", "xxyl").await;
    let listed = scales(&svc, &d, &dwho).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|s| (s.version, s.campaigns))
            .collect::<Vec<_>>(),
        vec![(2, 1), (1, 1)]
    );

    // The form renders the scale's items from the pinned version.
    let code = code_for(&svc, &ids, old, "张小明").await;
    let opened = open_code(&svc, &code).await.unwrap();
    assert_eq!(opened.custom.as_ref().unwrap().item_count, 6);
    assert_eq!(opened.custom.as_ref().unwrap().reverse_items, vec![2, 5]);

    // A missing item is refused, naming it; nothing written.
    let mut short = with_phq(form());
    short.retain(|(k, _)| k != "xxyl_4");
    let e = submit_code(&svc, &code, &short, "10.0.0.1")
        .await
        .unwrap_err();
    assert_eq!(
        e,
        CodeError::Invalid(
            "学习压力自评（测试用，虚构） 第 4 题还没有作答，请选择一个答案后再提交。".into()
        )
    );
    let mut six = with_phq(form());
    six.retain(|(k, _)| k != "xxyl_6");
    six.push(("xxyl_6".into(), "6".into()));
    assert!(matches!(
        submit_code(&svc, &code, &six, "10.0.0.1").await.unwrap_err(),
        CodeError::Invalid(m) if m.contains("第 6 题") && m.contains("“6”")
    ));

    // Old campaign, version 1: answers 4 2 5 3 1 2 → scored 4 4 5 3 5 2 (items 2, 5 reversed
    // as 6 − v). 学习压力 = (4+4+5)/3 = 4.333… 高; 支持 = 3+5+2 = 10 支持良好; total 23 偏高.
    submit_code(&svc, &code, &with_phq(form()), "10.0.0.1")
        .await
        .unwrap();
    let rows = responses(&svc, &c, &cwho, a, old).await.unwrap();
    let got = rows[0].custom.as_ref().unwrap();
    assert_eq!(got.scale.version, 1);
    assert_eq!(
        got.answers,
        vec![Some(4), Some(2), Some(5), Some(3), Some(1), Some(2)]
    );
    let sub = |code: &str| {
        got.result
            .subscales
            .iter()
            .find(|s| s.code == code)
            .cloned()
            .unwrap()
    };
    assert!((sub("pressure").score.unwrap() - 13.0 / 3.0).abs() < 1e-9);
    assert_eq!(sub("pressure").band.as_deref(), Some("高"));
    assert_eq!(sub("support").score, Some(10.0));
    assert_eq!(sub("support").band.as_deref(), Some("支持良好"));
    let total = got.result.total.clone().unwrap();
    assert_eq!(
        (total.score, total.band.as_deref()),
        (Some(23.0), Some("偏高"))
    );
    assert!(!got.result.incomplete && !got.result.invalid);
    // Without a mapping in the district's rules the band raises nothing (PHQ all 0).
    assert_eq!(rows[0].result.level.number(), 0);

    // New campaign, version 2 (item 5 not reversed): 支持 = 3+1+2 = 6 支持不足, total 19 正常.
    let code = code_for(&svc, &ids, newer, "张小明").await;
    submit_code(&svc, &code, &with_phq(form()), "10.0.0.1")
        .await
        .unwrap();
    let rows = responses(&svc, &c, &cwho, a, newer).await.unwrap();
    let got = rows[0].custom.as_ref().unwrap();
    assert_eq!(got.scale.version, 2);
    let support = got.result.subscales.iter().find(|s| s.code == "support");
    assert_eq!(support.unwrap().score, Some(6.0));
    assert_eq!(support.unwrap().band.as_deref(), Some("支持不足"));
    assert_eq!(got.result.total.as_ref().unwrap().score, Some(19.0));
    assert_eq!(rows[0].student_id, StudentId(ids.child));

    // The old campaign's stored score is untouched by the new version.
    let rows = responses(&svc, &c, &cwho, a, old).await.unwrap();
    assert_eq!(
        rows[0]
            .custom
            .as_ref()
            .unwrap()
            .result
            .total
            .as_ref()
            .unwrap()
            .score,
        Some(23.0)
    );

    // An XLSX/CSV import into a campaign pinned to version 1 reads the scale's columns and
    // scores them with version 1. A value that is not an answer value rejects the file.
    let third = campaign(&svc, &ids, "补测", "xxyl@1").await;
    let no = wuyu_testkit::child_student_no();
    let bad = format!(
        "学籍号,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9,xxyl_1,xxyl_2,xxyl_3,xxyl_4,xxyl_5,xxyl_6\n\
         {no},0,0,0,0,0,0,0,0,0,4,2,7,3,1,2\n"
    );
    let e = import_answers(&svc, &c, &cwho, a, third, bad.as_bytes(), "补测.csv")
        .await
        .unwrap_err();
    let ServiceError::Rejected(rows) = e else {
        panic!("{e:?}")
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].column.as_str(), rows[0].value.as_str()),
        ("xxyl_3", "7")
    );
    assert!(
        rows[0].message_zh.contains("1、2、3、4、5"),
        "{}",
        rows[0].message_zh
    );
    assert!(
        responses(&svc, &c, &cwho, a, third)
            .await
            .unwrap()
            .is_empty()
    );
    let good = bad.replace(",4,2,7,3,1,2", ",4,2,5,3,1,2");
    let out = import_answers(&svc, &c, &cwho, a, third, good.as_bytes(), "补测.csv")
        .await
        .unwrap();
    assert_eq!(out.summary.written, 1);
    let rows = responses(&svc, &c, &cwho, a, third).await.unwrap();
    let got = rows[0].custom.as_ref().unwrap();
    assert_eq!(got.scale.version, 1);
    assert_eq!(got.result.total.as_ref().unwrap().score, Some(23.0));

    // A campaign naming a version that does not exist is refused.
    let e = create_campaign(
        &svc,
        &c,
        &cwho,
        a,
        &CampaignInput {
            name: "x".into(),
            school_year: 2025,
            scales: vec![],
            grades: vec![7],
            opens_on: "2025-09-01".into(),
            closes_on: "2025-09-30".into(),
            custom_scale: "xxyl@3".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ServiceError::BadRequest(m) if m == "自定义量表“xxyl@3”不存在：请先由区级管理员载入量表定义"),
        "{e:?}"
    );

    // Every load is audited, the unchanged one too, with the file's SHA-256.
    let log = store.list_audit(10_000).await.unwrap();
    let loads: Vec<_> = log
        .iter()
        .filter(|r| r.entry.action == "psych_scale_load")
        .collect();
    assert_eq!(loads.len(), 3);
    assert!(loads.iter().all(|r| r.entry.username == "district"));
    assert!(
        loads.iter().any(
            |r| r.entry.entity == "psych_scale:xxyl:1" && r.entry.detail.ends_with("unchanged")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    scales_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        scales_story(Arc::clone(&db.store)).await;
    }
}

/// Answers whose 学习压力 mean is (1+1+1)/3 = 1 (低; item 2 reversed: 6 − 5 = 1) and total
/// 1+1+1+3+1+2 = 9 (正常; item 5 reversed: 6 − 5 = 1).
fn low_form() -> Vec<(String, String)> {
    [1, 5, 1, 3, 5, 2]
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("xxyl_{}", i + 1), v.to_string()))
        .collect()
}

fn mapping(subscale: &str, band: &str, level: u8) -> wuyu_standards::scales::ScaleLevel {
    wuyu_standards::scales::ScaleLevel {
        scale: "xxyl".into(),
        subscale: subscale.into(),
        band: band.into(),
        level,
    }
}

/// Saves the district's rules with these mappings (through the settings service, audited).
async fn save_mappings(
    svc: &Service,
    m: Vec<wuyu_standards::scales::ScaleLevel>,
) -> Result<(), ServiceError> {
    let (d, dwho) = viewer(svc, "district").await;
    let mut s = wuyu_service::settings::district_settings(svc)
        .await
        .unwrap();
    s.psych_level_rules.scale_levels = m;
    wuyu_service::settings::save_district_settings(svc, d.admin_token().unwrap(), &dwho, &s)
        .await
        .map(|_| ())
}

/// The district's mappings raise the attention level from a district scale's band: refused
/// when they name what is not loaded (nothing stored), applied at write on the phone form,
/// the import and a correction; a mapping to 3 opens a crisis case.
async fn mapped_levels_story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    let (d, dwho) = viewer(&svc, "district").await;
    let (c, cwho) = viewer(&svc, "counsellor-a").await;

    // Before the scale is loaded, a mapping naming it is refused.
    let e = save_mappings(&svc, vec![mapping("pressure", "高", 2)])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::BadRequest(m) if m.contains("第 1 条的量表代码“xxyl”没有载入（尚未载入任何量表）")),
        "{e:?}"
    );
    let v1 = definition("[2, 5]", PRESSURE);
    load_scale(&svc, &d, &dwho, "xxyl.json", v1.as_bytes(), "")
        .await
        .unwrap();
    for (bad, want) in [
        (
            mapping("stress", "高", 2),
            "关注等级映射第 1 条的分量表“stress”在量表“xxyl”中不存在（可用：pressure、support、total）",
        ),
        (
            mapping("pressure", "极高", 2),
            "关注等级映射第 1 条的区间“极高”在量表“xxyl”的分量表“pressure”中不存在（已有区间：中、低、高）",
        ),
        (
            mapping("pressure", "高", 4),
            "关注等级映射第 1 条的 level“4”无效：应为 1、2 或 3",
        ),
    ] {
        let e = save_mappings(&svc, vec![bad]).await.unwrap_err();
        assert!(
            matches!(&e, ServiceError::BadRequest(m) if m.contains(want)),
            "{e:?}"
        );
    }
    let stored = svc.store().district_settings().await.unwrap();
    assert!(stored.psych_level_rules.scale_levels.is_empty());
    let log = store.list_audit(10_000).await.unwrap();
    assert!(
        !log.iter()
            .any(|r| r.entry.entity == "setting:psych_level_rules"),
        "nothing stored, nothing audited"
    );

    // 学习压力 高 → 2 (重点关注): stored and audited old → new.
    save_mappings(&svc, vec![mapping("pressure", "高", 2)])
        .await
        .unwrap();
    let log = store.list_audit(10_000).await.unwrap();
    let change = log
        .iter()
        .find(|r| r.entry.entity == "setting:psych_level_rules")
        .unwrap();
    assert!(
        change.entry.detail.contains(r#""scale_levels":[]} → "#)
            && change.entry.detail.contains(
                r#""scale_levels":[{"scale":"xxyl","subscale":"pressure","band":"高","level":2}]"#
            ),
        "{}",
        change.entry.detail
    );

    // The phone form: PHQ all 0; 张小明's 学习压力 4.33 is 高 → level 2, no case; 李小红's
    // 学习压力 1 is 低 → level 0.
    let camp = campaign(&svc, &ids, "秋季筛查", "xxyl").await;
    let code = code_for(&svc, &ids, camp, "张小明").await;
    let done = submit_code(&svc, &code, &with_phq(form()), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!((done.level.number(), done.case_opened), (2, false));
    let code = code_for(&svc, &ids, camp, "李小红").await;
    let done = submit_code(&svc, &code, &with_phq(low_form()), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(done.level.number(), 0);
    let rows = responses(&svc, &c, &cwho, a, camp).await.unwrap();
    let level_of = |name: &str| {
        rows.iter()
            .find(|r| r.student_name == name)
            .map(|r| r.result.level.number())
    };
    assert_eq!((level_of("张小明"), level_of("李小红")), (Some(2), Some(0)));

    // A correction of the PHQ answers keeps the district scale's mapped level.
    let mut fix: Vec<(String, String)> = (1..=9)
        .map(|i| (format!("phq_{i}"), "0".to_string()))
        .collect();
    fix[0].1 = "1".into();
    let (_, fixed) = correct_answers(
        &svc,
        &c,
        &cwho,
        a,
        &CorrectionInput {
            campaign_id: camp,
            student_no: wuyu_testkit::child_student_no(),
            form: fix,
            reason: "按纸质答卷更正第 1 题".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(fixed.new_level.number(), 2);

    // The import: the same answers give 2 and 0.
    let third = campaign(&svc, &ids, "补测", "xxyl").await;
    let csv = format!(
        "学籍号,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9,xxyl_1,xxyl_2,xxyl_3,xxyl_4,xxyl_5,xxyl_6\n\
         {},0,0,0,0,0,0,0,0,0,4,2,5,3,1,2\n\
         A2024070102,0,0,0,0,0,0,0,0,0,1,5,1,3,5,2\n",
        wuyu_testkit::child_student_no()
    );
    let out = import_answers(&svc, &c, &cwho, a, third, csv.as_bytes(), "补测.csv")
        .await
        .unwrap();
    assert_eq!(out.summary.by_level, [1, 0, 1, 0]);

    // Total 偏高 → 3 (危机): 张小明's total 23 opens a crisis case at once.
    save_mappings(
        &svc,
        vec![mapping("pressure", "高", 2), mapping("total", "偏高", 3)],
    )
    .await
    .unwrap();
    let spring = campaign(&svc, &ids, "春季筛查", "xxyl").await;
    let code = code_for(&svc, &ids, spring, "张小明").await;
    let done = submit_code(&svc, &code, &with_phq(form()), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!((done.level.number(), done.case_opened), (3, true));
    let open = cases(&svc, &c, &cwho, a).await.unwrap();
    assert!(
        open.cases
            .iter()
            .any(|k| k.student_id == StudentId(ids.child) && k.campaign_id == Some(spring)),
        "{:?}",
        open.cases
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapped_levels_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    mapped_levels_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapped_levels_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        mapped_levels_story(Arc::clone(&db.store)).await;
    }
}
