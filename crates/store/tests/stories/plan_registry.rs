//! The registry of designations in the store (issue 11), on both backends: a school's item
//! waits for review with its evidence and audit entry, the district's own entry is approved at
//! once, a review happens once, and a school reads only its own items and evidence.
use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::plan_registry::RegistryLevel;
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_store::plan_registry::NewRegistryItem;
use wuyu_store::plan_report::{Evidence, Review};
use wuyu_store::{AuditEntry, Store, StoreError};
use wuyu_testkit::story;

fn audit(action: &str) -> AuditEntry {
    AuditEntry {
        at: 1,
        user_id: None,
        username: "t".into(),
        action: action.into(),
        school_id: None,
        entity: "plan_registry".into(),
        detail: String::new(),
        ip: "cli".into(),
    }
}

fn item(school: Option<i64>, kind: &str, approved: bool) -> NewRegistryItem {
    NewRegistryItem {
        school_id: school.map(SchoolId),
        kind: kind.into(),
        level: RegistryLevel::City,
        title: format!("市级{kind}"),
        awarded_on: "2024-11-05".into(),
        note: "市教育局文件".into(),
        evidence: school.map(|_| Evidence {
            name: "文件.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: "ab".repeat(32),
            bytes: b"%PDF-1.4 registry".to_vec(),
        }),
        approved,
        by: "admin".into(),
        at: 100,
    }
}

async fn registry_items_are_reviewed_once_within_scope(store: &dyn Store) {
    let a = store
        .add_registry_item(
            &item(Some(1), "劳动特色学校", false),
            &audit("registry_add"),
        )
        .await
        .unwrap();
    assert_eq!((a.id, a.status), (1, ReportStatus::Submitted));
    assert_eq!(a.evidence_size, Some(17));
    let d = store
        .add_registry_item(
            &item(None, "劳动教育实践基地", true),
            &audit("registry_add"),
        )
        .await
        .unwrap();
    assert_eq!((d.id, d.status), (2, ReportStatus::Approved));
    assert_eq!(d.reviewed_by.as_deref(), Some("admin"));
    let b = store
        .add_registry_item(&item(Some(2), "文明校园", false), &audit("registry_add"))
        .await
        .unwrap();
    // Each entry is audited under the item's own id.
    let log = store.list_audit(100).await.unwrap();
    let mut entities: Vec<&str> = log.iter().map(|e| e.entry.entity.as_str()).collect();
    entities.sort();
    assert_eq!(
        entities,
        ["plan_registry:1", "plan_registry:2", "plan_registry:3"]
    );

    let returned = store
        .review_registry_item(
            b.id,
            &Review::Return {
                reason: "缺少文件".into(),
            },
            "district",
            200,
            &audit("registry_return"),
        )
        .await
        .unwrap();
    assert_eq!(returned.status, ReportStatus::Returned);
    assert_eq!(returned.reason, "缺少文件");
    // A returned item is not reviewed again, and nothing is written by the refusal.
    let again = store
        .review_registry_item(b.id, &Review::Approve, "district", 300, &audit("x"))
        .await;
    assert!(matches!(again, Err(StoreError::Refused(m)) if m.contains("已退回")));
    assert_eq!(store.list_audit(100).await.unwrap().len(), 4);
    let approved = store
        .review_registry_item(a.id, &Review::Approve, "district", 300, &audit("ok"))
        .await
        .unwrap();
    assert_eq!(approved.reviewed_at, Some(300));
    assert!(matches!(
        store
            .review_registry_item(99, &Review::Approve, "d", 1, &audit("x"))
            .await,
        Err(StoreError::NotFound)
    ));

    // The district reads all three; school 1 only its own, and not school 2's evidence.
    assert_eq!(
        store.registry_items(&Scope::District).await.unwrap().len(),
        3
    );
    let own = store
        .registry_items(&Scope::School {
            school_id: SchoolId(1),
        })
        .await
        .unwrap();
    assert_eq!(own.iter().map(|i| i.id).collect::<Vec<_>>(), [1]);
    let school1 = Scope::School {
        school_id: SchoolId(1),
    };
    let file = store.registry_evidence(&school1, 1).await.unwrap();
    assert_eq!(file.bytes, b"%PDF-1.4 registry");
    assert!(matches!(
        store.registry_evidence(&school1, 3).await,
        Err(StoreError::Forbidden)
    ));
    // The district's own item has no file.
    assert!(matches!(
        store.registry_evidence(&Scope::District, 2).await,
        Err(StoreError::NotFound)
    ));
}

story!(registry_items_are_reviewed_once_within_scope);
