//! Reported indicators (issue 11): a school enters a value with evidence (待审核), the district
//! returns it with a reason or approves it, approved values are judged in the plan's status
//! like computed ones, a locked year refuses changes in Chinese; every step is audited and
//! enforced by role. With the testkit district (school A, school B), on both backends.
use std::sync::Arc;

use wuyu_domain::{AdminToken, Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_monitor::indicator::Verdict;
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_service::audit::Requester;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{
    Cadence, ReportInput, StatusLine, close_reopen, import_plan, lock_year, plan_status,
    reopen_school, report_evidence, reporting, reporting_on, review_report, set_due, submit_report,
};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;
use wuyu_store::plan_report::Review;

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    市级文明校园,schools,25,>=,district\n\
    家长学校参与率,% of parents,90,>=,per school\n\
    总体近视率,% of screened students,20,<=,district\n";

const PDF: &[u8] = b"%PDF-1.4 evidence of a parents' school";

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: format!("{role:?}"),
            display_name: "u".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

fn who(v: &Viewer) -> Requester {
    Requester::user(&v.user, "127.0.0.1")
}

fn input(
    key: &str,
    school: Option<i64>,
    value: &str,
    evidence: Option<(&str, &[u8])>,
) -> ReportInput {
    ReportInput {
        key: key.into(),
        year: 2025,
        school: school.map(SchoolId),
        value: value.into(),
        note: "家长学校全年开课 8 次".into(),
        evidence: evidence.map(|(n, b)| UploadedFile::new(n, b.to_vec())),
    }
}

/// The status line of indicator `name` for the unit labelled `unit`.
fn line<'a>(lines: &'a [StatusLine], name: &str, unit: &str) -> &'a StatusLine {
    lines
        .iter()
        .find(|l| l.name == name && l.unit.label == unit)
        .unwrap_or_else(|| panic!("no line {name} / {unit}"))
}

fn bad(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(ServiceError::BadRequest(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The testkit district with the plan above imported.
async fn district_with_plan(
    store: &Arc<dyn Store>,
) -> (
    Service,
    wuyu_testkit::district::Ids,
    wuyu_monitor::plan::Plan,
) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(store));
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    let plan = wuyu_service::plan::plan(&svc).await.unwrap();
    (svc, ids, plan)
}

/// The key the plan gave the indicator named `name`.
fn key_of(plan: &wuyu_monitor::plan::Plan, name: &str) -> String {
    plan.indicators
        .iter()
        .find(|i| i.name == name)
        .unwrap()
        .key
        .clone()
}

async fn story(store: Arc<dyn Store>) {
    let (svc, ids, plan) = district_with_plan(&store).await;
    let key_of = |name: &str| key_of(&plan, name);
    let parents = key_of("家长学校参与率");
    let civil = key_of("市级文明校园");
    let (a, b) = (ids.school_a, ids.school_b);
    let admin_a = viewer(
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(a),
        },
    );
    let admin_b = viewer(
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(b),
        },
    );
    let district = viewer(Role::DistrictAdmin, Scope::District);
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);
    let school_a_name = "第一实验中学";
    let school_b_name = "柳林小学";

    // School A: what is due — its one reported per-school target.
    let due = reporting(&svc, &admin_a, Some(2025)).await.unwrap();
    assert_eq!(due.items.len(), 1);
    assert_eq!(
        (due.items[0].name.as_str(), due.items[0].state_zh),
        ("家长学校参与率", "待填报")
    );
    assert!(due.queue.is_empty());

    // Bad input is refused in Chinese and nothing is written.
    let m = bad(submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "130", None),
    )
    .await);
    assert!(m.contains("130") && m.contains("家长学校参与率"), "{m}");
    let m = bad(submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "85", Some(("病毒.exe", b"MZ"))),
    )
    .await);
    assert!(m.contains("病毒.exe"), "{m}");
    let m = bad(submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "85", Some(("改名.pdf", b"MZ.."))),
    )
    .await);
    assert!(m.contains("改名.pdf"), "{m}");
    let mut no_note = input(&parents, None, "85", None);
    no_note.note = " ".into();
    assert!(
        bad(submit_report(&svc, &admin_a, &who(&admin_a), &no_note).await).contains("情况说明")
    );
    // A school's target is not the district's, a computed one is not reported.
    let myopia = key_of("总体近视率");
    assert!(
        bad(submit_report(
            &svc,
            &admin_a,
            &who(&admin_a),
            &input(&civil, None, "3", None)
        )
        .await)
        .contains("不适用")
    );
    assert!(
        bad(submit_report(
            &svc,
            &district,
            &who(&district),
            &input(&myopia, None, "3", None)
        )
        .await)
        .contains("系统计算")
    );
    assert!(
        store
            .plan_reports(&Scope::District, 2024)
            .await
            .unwrap()
            .is_empty()
    );

    // Roles: another school, a teacher, an analyst cannot enter; a school cannot review.
    let teacher = viewer(
        Role::Teacher,
        Scope::School {
            school_id: SchoolId(a),
        },
    );
    for (v, school) in [(&admin_a, Some(b)), (&teacher, None), (&analyst, Some(a))] {
        assert!(matches!(
            submit_report(&svc, v, &who(v), &input(&parents, school, "85", None)).await,
            Err(ServiceError::Forbidden)
        ));
    }

    // School A submits 85 % with a PDF: 待审核, in the district's queue and in the status.
    let r = submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "85%", Some(("开课记录.pdf", PDF))),
    )
    .await
    .unwrap();
    assert_eq!(
        (r.status, r.value, r.evidence_size),
        (ReportStatus::Submitted, 85.0, Some(PDF.len() as i64))
    );
    assert!(matches!(
        review_report(
            &svc,
            &admin_a,
            &who(&admin_a),
            Some(SchoolId(a)),
            &parents,
            2025,
            &Review::Approve
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let q = reporting(&svc, &district, Some(2025)).await.unwrap();
    assert_eq!(q.queue.len(), 1);
    assert_eq!(
        (q.queue[0].unit_label.as_str(), q.queue[0].state_zh),
        (school_a_name, "待审核")
    );
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(
        line(&s.lines, "家长学校参与率", school_a_name).verdict,
        Verdict::AwaitingReview
    );
    assert_eq!(
        line(&s.lines, "家长学校参与率", school_b_name).verdict,
        Verdict::AwaitingReport
    );
    // The evidence comes back as stored, for the school and the district, not for school B.
    let e = report_evidence(&svc, &district, Some(SchoolId(a)), &parents, 2025)
        .await
        .unwrap();
    assert_eq!(
        (e.bytes.as_slice(), e.content_type.as_str()),
        (PDF, "application/pdf")
    );
    assert!(matches!(
        report_evidence(&svc, &admin_b, Some(SchoolId(a)), &parents, 2025).await,
        Err(ServiceError::Forbidden)
    ));

    // Returned without a reason: refused; with one: the school sees it, the line is 待填报.
    let ret = |reason: &str| Review::Return {
        reason: reason.into(),
    };
    assert!(
        bad(review_report(
            &svc,
            &district,
            &who(&district),
            Some(SchoolId(a)),
            &parents,
            2025,
            &ret(" ")
        )
        .await)
        .contains("退回理由")
    );
    review_report(
        &svc,
        &district,
        &who(&district),
        Some(SchoolId(a)),
        &parents,
        2025,
        &ret("缺少校长签字"),
    )
    .await
    .unwrap();
    let mine = reporting(&svc, &admin_a, Some(2025)).await.unwrap();
    let item = &mine.items[0];
    assert_eq!(item.state_zh, "已退回");
    assert_eq!(item.report.as_ref().unwrap().reason, "缺少校长签字");
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(
        line(&s.lines, "家长学校参与率", school_a_name).verdict,
        Verdict::AwaitingReport
    );
    // A returned value cannot be approved before it is submitted again.
    assert!(
        bad(review_report(
            &svc,
            &district,
            &who(&district),
            Some(SchoolId(a)),
            &parents,
            2025,
            &Review::Approve
        )
        .await)
        .contains("已退回")
    );

    // Resubmitted without a file: the stored evidence is kept. Approved: judged like a
    // computed value — 92 % against ≥ 90 %: met, 2 points ahead.
    let r = submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "92", None),
    )
    .await
    .unwrap();
    assert_eq!(
        (r.status, r.reason.as_str(), r.evidence_sha256.is_some()),
        (ReportStatus::Submitted, "", true)
    );
    review_report(
        &svc,
        &district,
        &who(&district),
        Some(SchoolId(a)),
        &parents,
        2025,
        &Review::Approve,
    )
    .await
    .unwrap();
    // School B: 80 % approved, 10 points behind; the district's own line: 27 schools ≥ 25.
    submit_report(
        &svc,
        &admin_b,
        &who(&admin_b),
        &input(&parents, None, "80", None),
    )
    .await
    .unwrap();
    review_report(
        &svc,
        &district,
        &who(&district),
        Some(SchoolId(b)),
        &parents,
        2025,
        &Review::Approve,
    )
    .await
    .unwrap();
    submit_report(
        &svc,
        &district,
        &who(&district),
        &input(&civil, None, "27", None),
    )
    .await
    .unwrap();
    review_report(
        &svc,
        &district,
        &who(&district),
        None,
        &civil,
        2025,
        &Review::Approve,
    )
    .await
    .unwrap();
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    let got = |name: &str, unit: &str| {
        let l = line(&s.lines, name, unit);
        (l.verdict, l.value, l.gap, l.value_text.clone())
    };
    assert_eq!(
        got("家长学校参与率", school_a_name),
        (Verdict::Met, Some(92.0), Some(2.0), "92.0%".into())
    );
    assert_eq!(
        got("家长学校参与率", school_b_name),
        (Verdict::NotMet, Some(80.0), Some(-10.0), "80.0%".into())
    );
    assert_eq!(
        got("市级文明校园", "全区"),
        (Verdict::Met, Some(27.0), Some(2.0), "27.00".into())
    );
    assert_eq!(
        line(&s.lines, "家长学校参与率", school_a_name)
            .as_of
            .as_deref(),
        Some("2024–2025学年填报")
    );
    // An approved value is not changed by the school.
    assert!(
        bad(submit_report(
            &svc,
            &admin_a,
            &who(&admin_a),
            &input(&parents, None, "95", None)
        )
        .await)
        .contains("审核通过")
    );

    // Lock 2025: only the district, with a reason; then entries and reviews are refused with
    // the reason shown.
    assert!(matches!(
        lock_year(&svc, &admin_a, &who(&admin_a), 2025, "结束").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(bad(lock_year(&svc, &district, &who(&district), 2025, "").await).contains("锁定理由"));
    lock_year(&svc, &district, &who(&district), 2025, "年度考核已结束")
        .await
        .unwrap();
    let m = bad(submit_report(
        &svc,
        &district,
        &who(&district),
        &input(&parents, Some(b), "99", None),
    )
    .await);
    assert!(m.contains("已锁定") && m.contains("年度考核已结束"), "{m}");
    assert_eq!(
        reporting(&svc, &admin_b, Some(2025))
            .await
            .unwrap()
            .lock
            .unwrap()
            .reason,
        "年度考核已结束"
    );
    let s2 = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(s2.lines, s.lines, "a locked year keeps its verdicts");

    // Every step is in the audit log, with who and what.
    let log = wuyu_service::audit::list(&svc, admin_token(), 100)
        .await
        .unwrap();
    let count = |action: &str| log.iter().filter(|r| r.entry.action == action).count();
    assert_eq!(
        (
            count("plan_report_submit"),
            count("plan_report_return"),
            count("plan_report_approve"),
            count("plan_period_lock")
        ),
        (4, 1, 3, 1)
    );
    let returned = log
        .iter()
        .find(|r| r.entry.action == "plan_report_return")
        .unwrap();
    assert!(returned.entry.detail.contains("缺少校长签字"));
    assert_eq!(returned.entry.school_id, Some(SchoolId(a)));
    let first = log
        .iter()
        .rev()
        .find(|r| r.entry.action == "plan_report_submit")
        .unwrap();
    assert!(
        first.entry.detail.contains("开课记录.pdf sha256="),
        "{}",
        first.entry.detail
    );
}

/// Due dates and the overdue lists (school and district), then a locked year reopened for
/// one school: it corrects an approved value, the other stays locked, and closing it locks it
/// again; every step audited and district-only.
async fn deadlines(store: Arc<dyn Store>) {
    use time::macros::date;
    let (svc, ids, plan) = district_with_plan(&store).await;
    let key_of = |name: &str| key_of(&plan, name);
    let parents = key_of("家长学校参与率");
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let admin_a = viewer(Role::SchoolAdmin, Scope::School { school_id: a });
    let admin_b = viewer(Role::SchoolAdmin, Scope::School { school_id: b });
    let district = viewer(Role::DistrictAdmin, Scope::District);

    // Yearly by default: due 15 July 2025 for the 2024–2025 school year, late from that day.
    let before = reporting_on(&svc, &admin_a, Some(2025), date!(2025 - 07 - 14))
        .await
        .unwrap();
    let it = &before.items[0];
    assert_eq!(
        (it.cadence, it.due, it.overdue, it.may_enter),
        (Cadence::Yearly, Some(date!(2025 - 07 - 15)), false, true)
    );
    let on = reporting_on(&svc, &admin_a, Some(2025), date!(2025 - 07 - 15))
        .await
        .unwrap();
    assert!(on.items[0].overdue);
    assert!(on.overdue.is_empty(), "a school sees no district list");

    // The district sets it quarterly by the 10th; only reported targets have due dates.
    assert!(matches!(
        set_due(
            &svc,
            &admin_a,
            &who(&admin_a),
            &parents,
            Cadence::Quarterly,
            10
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(
        bad(set_due(
            &svc,
            &district,
            &who(&district),
            &key_of("总体近视率"),
            Cadence::Monthly,
            5
        )
        .await)
        .contains("系统计算")
    );
    assert!(
        bad(set_due(
            &svc,
            &district,
            &who(&district),
            &parents,
            Cadence::Monthly,
            31
        )
        .await)
        .contains("1 到 28")
    );
    set_due(
        &svc,
        &district,
        &who(&district),
        &parents,
        Cadence::Quarterly,
        10,
    )
    .await
    .unwrap();

    // School A reports; on 10 March 2025 (the Dec–Feb quarter due) school B is late, A is not.
    submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "92", None),
    )
    .await
    .unwrap();
    let d = reporting_on(&svc, &district, Some(2025), date!(2025 - 03 - 10))
        .await
        .unwrap();
    let late: Vec<(&str, &str)> = d
        .overdue
        .iter()
        .map(|i| (i.unit_label.as_str(), i.name.as_str()))
        .collect();
    assert_eq!(late, vec![("柳林小学", "家长学校参与率")]);
    assert_eq!(d.overdue[0].due, Some(date!(2025 - 06 - 10)));
    assert_eq!(
        d.rules
            .iter()
            .find(|r| r.key == parents)
            .map(|r| (r.rule.cadence, r.rule.day)),
        Some((Cadence::Quarterly, 10))
    );
    review_report(
        &svc,
        &district,
        &who(&district),
        Some(a),
        &parents,
        2025,
        &Review::Approve,
    )
    .await
    .unwrap();

    // Locked: nothing to chase; reopening needs the district and a reason.
    lock_year(&svc, &district, &who(&district), 2025, "年度考核已结束")
        .await
        .unwrap();
    let locked = reporting_on(&svc, &district, Some(2025), date!(2025 - 08 - 01))
        .await
        .unwrap();
    assert!(locked.overdue.is_empty());
    assert!(matches!(
        reopen_school(&svc, &admin_a, &who(&admin_a), 2025, a, "更正").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(
        bad(reopen_school(&svc, &district, &who(&district), 2025, a, " ").await).contains("理由")
    );
    reopen_school(
        &svc,
        &district,
        &who(&district),
        2025,
        a,
        "家长学校数据更正",
    )
    .await
    .unwrap();
    let mine = reporting(&svc, &admin_a, Some(2025)).await.unwrap();
    assert_eq!(mine.reopens.len(), 1);
    assert_eq!(mine.reopens[0].reason, "家长学校数据更正");
    assert!(
        mine.items[0].may_enter,
        "reopened: the approved value may be corrected"
    );
    let theirs = reporting(&svc, &admin_b, Some(2025)).await.unwrap();
    assert!(theirs.reopens.is_empty());
    assert!(!theirs.items[0].may_enter);

    // A corrects its approved value, the district approves it while the year stays locked.
    let row = submit_report(
        &svc,
        &admin_a,
        &who(&admin_a),
        &input(&parents, None, "94", None),
    )
    .await
    .unwrap();
    assert_eq!((row.value, row.status), (94.0, ReportStatus::Submitted));
    review_report(
        &svc,
        &district,
        &who(&district),
        Some(a),
        &parents,
        2025,
        &Review::Approve,
    )
    .await
    .unwrap();
    assert!(
        bad(submit_report(
            &svc,
            &admin_b,
            &who(&admin_b),
            &input(&parents, None, "80", None)
        )
        .await)
        .contains("已锁定")
    );
    close_reopen(&svc, &district, &who(&district), 2025, a)
        .await
        .unwrap();
    assert!(
        bad(submit_report(
            &svc,
            &admin_a,
            &who(&admin_a),
            &input(&parents, None, "96", None)
        )
        .await)
        .contains("已锁定")
    );
    let log = wuyu_service::audit::list(&svc, admin_token(), 100)
        .await
        .unwrap();
    let count = |action: &str| log.iter().filter(|r| r.entry.action == action).count();
    assert_eq!(
        (
            count("plan_due_set"),
            count("plan_period_reopen"),
            count("plan_period_reclose")
        ),
        (1, 1, 1)
    );
}

fn admin_token() -> AdminToken {
    viewer(Role::DistrictAdmin, Scope::District)
        .admin_token()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    deadlines(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        deadlines(Arc::clone(&db.store)).await;
    }
}
