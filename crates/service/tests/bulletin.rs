//! Monthly progress (调度) and the quarterly bulletin (通报), on both backends, with the
//! testkit district (school A 第一实验中学: 1 of 4 screened students myopic = 25.0 %; school B
//! 柳林小学: 0 of 2; district 1 of 6 = 16.7 %). December's snapshot judges 近视率 against
//! ≤ 20 %; the plan is then revised to ≤ 30 % and March's snapshot finds school A meeting it:
//! the trajectory shows both months and the first quarter's bulletin reports the change.
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use wuyu_domain::{Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_monitor::bulletin::{Month, Period, Quarter};
use wuyu_monitor::indicator::Verdict;
use wuyu_service::audit::Requester;
use wuyu_service::bulletin::{
    BulletinFormat, PDF_AVAILABLE, bulletin, bulletin_document, ensure_month_snapshot, progress,
    take_snapshot, year_summary,
};
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{import_plan, plan_status};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

fn plan(myopia_2025: u32) -> String {
    format!(
        "indicator,unit,target_2024,target_2025,comparator,scope\n\
         总体近视率,% of screened students,,{myopia_2025},<=,district and per school\n\
         市级文明校园,schools,,25,>=,district\n"
    )
}

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

async fn import(svc: &Service, text: String) {
    let file = UploadedFile::new("plan.csv", text.into_bytes());
    let out = import_plan(svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
}

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(store);
    let district = viewer(Role::DistrictAdmin, Scope::District);
    let school_a = viewer(
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(ids.school_a),
        },
    );
    import(&svc, plan(20)).await;

    // December 2024 lies in the 2024–2025 school year: the plan's 2025 targets.
    let dec = take_snapshot(&svc, &district, month("2024-12"))
        .await
        .unwrap();
    let status = plan_status(&svc, &district, Some(2025), None)
        .await
        .unwrap();
    assert_eq!((dec.plan_year, dec.written), (2025, true));
    assert_eq!(dec.lines, status.lines.len());
    assert_eq!(dec.lines, 4, "近视率: 全区 + 2 schools; 文明校园: 全区");

    import(&svc, plan(30)).await;
    // A school admin's first opening in March records the month for the whole district …
    let march = ensure_month_snapshot(&svc, &school_a, month("2025-03"))
        .await
        .unwrap()
        .expect("first opening of the month");
    assert_eq!(march.lines, 4);
    // … once: the second opening keeps it.
    assert_eq!(
        ensure_month_snapshot(&svc, &district, month("2025-03"))
            .await
            .unwrap(),
        None
    );
    // Taking a month's snapshot on request is for district roles.
    assert!(matches!(
        take_snapshot(&svc, &school_a, month("2025-03")).await,
        Err(ServiceError::Forbidden)
    ));

    // The district's trajectory: one row per district-level unit, a column per month.
    let p = progress(&svc, &district, None).await.unwrap();
    assert_eq!(p.months, vec!["2024-12", "2025-03"]);
    assert_eq!(p.month_labels, vec!["2024年12月", "2025年3月"]);
    let cells = |row: &wuyu_service::bulletin::ProgressRow| -> Vec<(String, Verdict)> {
        row.cells
            .iter()
            .map(|c| {
                let c = c.as_ref().unwrap();
                (c.value_text.clone(), c.verdict)
            })
            .collect()
    };
    let units: Vec<(&str, &str)> = p
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.unit.as_str()))
        .collect();
    assert_eq!(
        units,
        vec![("总体近视率", "全区"), ("市级文明校园", "全区")]
    );
    assert_eq!(
        cells(&p.rows[0]),
        vec![
            ("16.7%".to_string(), Verdict::Met),
            ("16.7%".to_string(), Verdict::Met)
        ]
    );
    assert_eq!(p.rows[0].target, "≤ 30%", "the latest month's target");
    // One target: every unit, school A moving from 未达标 to 已达标.
    let key = status.lines[0].key.clone();
    let one = progress(&svc, &district, Some(&key)).await.unwrap();
    let a = one.rows.iter().find(|r| r.unit == "第一实验中学").unwrap();
    assert_eq!(
        cells(a),
        vec![
            ("25.0%".to_string(), Verdict::NotMet),
            ("25.0%".to_string(), Verdict::Met)
        ]
    );
    assert_eq!(one.rows.len(), 3);
    // A school admin sees only their own school's lines.
    let own = progress(&svc, &school_a, None).await.unwrap();
    assert!(!own.rows.is_empty());
    assert!(own.rows.iter().all(|r| r.unit == "第一实验中学"), "{own:?}");
    assert!(matches!(
        progress(&svc, &district, Some("plan.nope")).await,
        Err(ServiceError::NotFound)
    ));

    // The fourth quarter of 2024: December's numbers, nothing earlier to compare with, school A
    // furthest behind.
    let q4 = bulletin(&svc, &district, Quarter::parse("2024Q4").unwrap())
        .await
        .unwrap();
    assert_eq!(q4.title, "2024年第四季度五育工作目标任务通报");
    assert_eq!(q4.data_from, "2024年12月调度快照");
    assert_eq!(q4.compared_with, None);
    assert!(q4.changes.is_empty());
    assert_eq!(q4.laggards.len(), 1);
    assert_eq!(q4.laggards[0].school, "第一实验中学");
    assert_eq!((q4.laggards[0].missed, q4.laggards[0].judged), (1, 1));
    let physical = q4.sections.iter().find(|s| s.domain_zh == "体育").unwrap();
    let t = &physical.targets[0];
    assert_eq!(
        (t.name.as_str(), t.target.as_str()),
        ("总体近视率", "≤ 20%")
    );
    assert_eq!(t.heads[0].value, "16.7%");
    assert_eq!(t.heads[0].verdict_zh, "已达标");
    assert_eq!((t.schools.met, t.schools.not_met), (1, 1));
    assert_eq!(t.behind[0].unit, "第一实验中学");
    assert_eq!(t.behind[0].gap, "-5 个百分点");
    assert_eq!(q4.tally.awaiting, 1, "文明校园 is awaiting its report");

    // The first quarter of 2025 against December: school A now meets its (revised) target.
    let q1 = bulletin(&svc, &district, Quarter::parse("2025Q1").unwrap())
        .await
        .unwrap();
    assert_eq!(q1.compared_with.as_deref(), Some("2024年12月调度快照"));
    assert_eq!(q1.changes.len(), 1, "{:?}", q1.changes);
    let c = &q1.changes[0];
    assert_eq!(
        (c.name.as_str(), c.unit.as_str(), c.direction_zh),
        ("总体近视率", "第一实验中学", "转为达标")
    );
    assert_eq!(
        (c.before_verdict_zh, c.after_verdict_zh),
        ("未达标", "已达标")
    );
    assert!(q1.laggards.is_empty());

    // The year-end summary of the 2024–2025 school year: its latest month is March, and no
    // earlier school year was recorded to compare with.
    let year = year_summary(&svc, &district, 2025).await.unwrap();
    assert_eq!(year.title, "2025年度五育工作目标任务年终总结");
    assert_eq!(year.data_from, "2025年3月调度快照");
    assert_eq!((year.compared_with, year.previous_zh), (None, "上年度"));
    assert!(
        year.laggards.is_empty(),
        "school A meets its target in March"
    );
    assert!(matches!(
        year_summary(&svc, &district, 2031).await,
        Err(ServiceError::BadRequest(m)) if m.contains("2031")
    ));
    assert!(matches!(
        year_summary(&svc, &school_a, 2025).await,
        Err(ServiceError::Forbidden)
    ));

    // Bulletins are for district roles.
    assert!(matches!(
        bulletin(&svc, &school_a, Quarter::parse("2025Q1").unwrap()).await,
        Err(ServiceError::Forbidden)
    ));

    // The XLSX, read back; the making is audited with a fingerprint of the data.
    let who = Requester::operator("leader");
    let q4_code = Period::Quarter(Quarter::parse("2024Q4").unwrap());
    let bytes = bulletin_document(&svc, &district, &who, q4_code, BulletinFormat::Xlsx)
        .await
        .unwrap();
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("目标完成情况").unwrap();
    let text = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(text(0, 0), "2024年第四季度五育工作目标任务通报");
    let row = (0..sheet.height() as u32)
        .find(|&r| text(r, 1) == "总体近视率")
        .expect("the myopia target's row");
    assert_eq!(
        (text(row, 0), text(row, 3), text(row, 4), text(row, 5)),
        (
            "体育".into(),
            "≤ 20%".into(),
            "16.7%".into(),
            "已达标".into()
        )
    );
    assert_eq!((text(row, 6), text(row, 7)), ("1".into(), "1".into()));
    let behind = wb.worksheet_range("落后学校").unwrap();
    assert_eq!(
        behind.get_value((1, 0)),
        Some(&Data::String("第一实验中学".into()))
    );
    let audit = svc.store().list_audit(10).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.entry.action == "plan_bulletin")
        .expect("audited");
    assert_eq!(entry.entry.entity, "2024Q4");
    assert!(
        entry.entry.detail.contains("format=xlsx data_sha256="),
        "{}",
        entry.entry.detail
    );

    let pdf = bulletin_document(&svc, &district, &who, q4_code, BulletinFormat::Pdf).await;
    if PDF_AVAILABLE {
        // Read back as a reader copies it: the school behind on the line of its number.
        let lines = wuyu_testkit::pdf_lines(&pdf.unwrap());
        assert!(
            lines.iter().any(|l| l.starts_with("第一实验中学25.0%")),
            "{lines:?}"
        );
    } else {
        match pdf {
            Err(ServiceError::BadRequest(m)) => assert!(m.contains("PDF"), "{m}"),
            other => panic!("{other:?}"),
        }
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
