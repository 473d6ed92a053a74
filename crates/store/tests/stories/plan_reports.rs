//! Reported indicators in the store (issue 11), on both backends: a value lands with its
//! evidence and its audit entry in one transaction, is read back within the caller's scope,
//! reviewed once, and a locked school year refuses entries and reviews with nothing written
//! (neither the value nor an audit entry).
use std::collections::BTreeMap;

use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::indicator::Comparator;
use wuyu_monitor::plan::{AppliesTo, Domain, Plan, PlanIndicator, TargetCell, UnitKind};
use wuyu_monitor::plan_report::{Cadence, DueRule, ReportStatus};
use wuyu_store::plan_report::{Evidence, NewReport, PeriodLock, Reopen, Review};
use wuyu_store::{AuditEntry, ImportMeta, Store, StoreError};
use wuyu_testkit::story;

fn indicator(key: &str, name: &str, unit: &str, kind: UnitKind) -> PlanIndicator {
    PlanIndicator {
        key: key.into(),
        measure: None,
        name: name.into(),
        domain: Domain::of_name(name),
        unit: unit.into(),
        kind,
        comparator: Comparator::AtLeast,
        scope: "per school".into(),
        applies_to: vec![AppliesTo::EachSchool {
            location: None,
            stage: None,
        }],
        targets: BTreeMap::from([(2025, TargetCell::Number(90.0))]),
        data_to_compute: String::new(),
        seed_file: String::new(),
        seed_phrase: String::new(),
        note: String::new(),
        min_n: None,
    }
}

fn audit(action: &str) -> AuditEntry {
    AuditEntry {
        at: 1,
        user_id: None,
        username: "t".into(),
        action: action.into(),
        school_id: None,
        entity: "plan_report".into(),
        detail: String::new(),
        ip: "cli".into(),
    }
}

fn report(school: i64, value: f64, evidence: Option<Evidence>) -> NewReport {
    NewReport {
        school_id: Some(SchoolId(school)),
        indicator_key: "plan.parents".into(),
        school_year: 2024,
        value,
        note: "说明".into(),
        evidence,
        refresh_approved: false,
        by: "admin".into(),
        at: 100,
    }
}

async fn audits(store: &dyn Store) -> usize {
    store.list_audit(1000).await.unwrap().len()
}

async fn reported_values_are_reviewed_and_locked(store: &dyn Store) {
    let plan = Plan {
        years: vec![2025],
        indicators: vec![indicator(
            "plan.parents",
            "家长学校参与率",
            "% of parents",
            UnitKind::Rate,
        )],
    };
    store
        .replace_plan(
            &plan,
            &ImportMeta {
                username: "t".into(),
                file_name: "plan.csv".into(),
                file_sha256: String::new(),
                at: 1,
            },
        )
        .await
        .unwrap();
    let pdf = Evidence {
        name: "记录.pdf".into(),
        content_type: "application/pdf".into(),
        sha256: "ab".repeat(32),
        bytes: b"%PDF-1.4 x".to_vec(),
    };
    let row = store
        .submit_plan_report(&report(1, 85.0, Some(pdf.clone())), &audit("submit"))
        .await
        .unwrap();
    assert_eq!(row.status, ReportStatus::Submitted);
    assert_eq!(row.evidence_size, Some(10));
    store
        .submit_plan_report(&report(2, 70.0, None), &audit("submit"))
        .await
        .unwrap();

    // Scope: a school reads its own; the district all; a parent nothing.
    let own = store
        .plan_reports(
            &Scope::School {
                school_id: SchoolId(1),
            },
            2024,
        )
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].value, 85.0);
    assert_eq!(
        store
            .plan_reports(&Scope::District, 2024)
            .await
            .unwrap()
            .len(),
        2
    );
    let other = Scope::School {
        school_id: SchoolId(2),
    };
    assert!(matches!(
        store
            .plan_report_evidence(&other, Some(SchoolId(1)), "plan.parents", 2024)
            .await,
        Err(StoreError::Forbidden)
    ));
    let back = store
        .plan_report_evidence(&Scope::District, Some(SchoolId(1)), "plan.parents", 2024)
        .await
        .unwrap();
    assert_eq!(back, pdf);

    // Nothing counts before approval; once approved, the value with its unit kind.
    let value = |s| store.approved_plan_value("plan.parents", Some(SchoolId(s)), 2024);
    assert_eq!(value(1).await.unwrap(), None);
    store
        .review_plan_report(
            Some(SchoolId(1)),
            "plan.parents",
            2024,
            &Review::Approve,
            "d",
            200,
            &audit("approve"),
        )
        .await
        .unwrap();
    let v = value(1).await.unwrap().unwrap();
    assert_eq!(
        (v.value, v.kind, v.approved_at),
        (85.0, UnitKind::Rate, 200)
    );
    // Reviewed once: a second decision is refused.
    assert!(matches!(
        store
            .review_plan_report(
                Some(SchoolId(1)),
                "plan.parents",
                2024,
                &Review::Approve,
                "d",
                201,
                &audit("approve")
            )
            .await,
        Err(StoreError::Refused(_))
    ));

    // Locked: entries and reviews refused, nothing written, not even the audit entry.
    let lock = PeriodLock {
        school_year: 2024,
        reason: "年度考核结束".into(),
        locked_by: "d".into(),
        locked_at: 300,
    };
    store.lock_plan_period(&lock, &audit("lock")).await.unwrap();
    assert_eq!(
        store.plan_period_lock(2024).await.unwrap(),
        Some(lock.clone())
    );
    assert_eq!(store.plan_period_lock(2023).await.unwrap(), None);
    let before = audits(store).await;
    let refused = store
        .submit_plan_report(&report(2, 99.0, None), &audit("submit"))
        .await;
    assert!(matches!(&refused, Err(StoreError::Refused(m)) if m.contains("年度考核结束")));
    let refused = store
        .review_plan_report(
            Some(SchoolId(2)),
            "plan.parents",
            2024,
            &Review::Return { reason: "x".into() },
            "d",
            400,
            &audit("return"),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Refused(_))));
    assert!(store.lock_plan_period(&lock, &audit("lock")).await.is_err());
    assert_eq!(audits(store).await, before);
    let all = store.plan_reports(&Scope::District, 2024).await.unwrap();
    let b = all
        .iter()
        .find(|r| r.school_id == Some(SchoolId(2)))
        .unwrap();
    assert_eq!((b.value, b.status), (70.0, ReportStatus::Submitted));

    // Reopened for school 1 only: it corrects its approved value; school 2 stays locked.
    let reopen = Reopen {
        school_year: 2024,
        school_id: SchoolId(1),
        reason: "数据录入有误".into(),
        reopened_by: "d".into(),
        reopened_at: 500,
    };
    store
        .reopen_plan_period(&reopen, &audit("reopen"))
        .await
        .unwrap();
    assert!(matches!(
        store.reopen_plan_period(&reopen, &audit("reopen")).await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(
        store.plan_period_reopens(2024).await.unwrap(),
        vec![reopen.clone()]
    );
    let row = store
        .submit_plan_report(&report(1, 88.0, None), &audit("submit"))
        .await
        .unwrap();
    assert_eq!((row.value, row.status), (88.0, ReportStatus::Submitted));
    assert_eq!(
        value(1).await.unwrap(),
        None,
        "corrected: waits for review again"
    );
    store
        .review_plan_report(
            Some(SchoolId(1)),
            "plan.parents",
            2024,
            &Review::Approve,
            "d",
            600,
            &audit("approve"),
        )
        .await
        .unwrap();
    assert_eq!(value(1).await.unwrap().unwrap().value, 88.0);
    assert!(matches!(
        store
            .submit_plan_report(&report(2, 99.0, None), &audit("submit"))
            .await,
        Err(StoreError::Refused(_))
    ));
    // Closed again: school 1 is locked like the others.
    store
        .close_plan_reopen(2024, SchoolId(1), &audit("close"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .close_plan_reopen(2024, SchoolId(1), &audit("close"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .submit_plan_report(&report(1, 90.0, None), &audit("submit"))
            .await,
        Err(StoreError::Refused(_))
    ));
    // A year that is not locked cannot be reopened.
    let open = Reopen {
        school_year: 2023,
        ..reopen
    };
    assert!(matches!(
        store.reopen_plan_period(&open, &audit("reopen")).await,
        Err(StoreError::Refused(_))
    ));
}

async fn due_rules_are_kept_per_indicator(store: &dyn Store) {
    assert!(store.plan_due_rules().await.unwrap().is_empty());
    let quarterly = DueRule::new(Cadence::Quarterly, 10).unwrap();
    store
        .set_plan_due("plan.parents", quarterly, &audit("due"))
        .await
        .unwrap();
    let monthly = DueRule::new(Cadence::Monthly, 5).unwrap();
    store
        .set_plan_due("plan.parents", monthly, &audit("due"))
        .await
        .unwrap();
    assert_eq!(
        store.plan_due_rules().await.unwrap(),
        vec![("plan.parents".to_string(), monthly)]
    );
}

story!(due_rules_are_kept_per_indicator);

story!(reported_values_are_reviewed_and_locked);
