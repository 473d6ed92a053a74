//! Undoing the last fitness import (issue 10): what it replaced comes back, and an undo that a
//! later import forbids changes nothing.
use super::*;
use crate::fitness::{all_records, fitness_batch, term};
use wuyu_domain::TermPart;
use wuyu_store::FitnessGroupBy;

fn undo_audit(username: &str) -> AuditEntry {
    AuditEntry {
        at: 1_700_000_500,
        user_id: None,
        username: username.into(),
        action: "undo_import".into(),
        school_id: None,
        entity: "import".into(),
        detail: String::new(),
        ip: "127.0.0.1".into(),
    }
}

story!(undoing_a_fitness_import_restores_the_records_it_replaced);
async fn undoing_a_fitness_import_restores_the_records_it_replaced(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let first = store
        .import_fitness(&fitness_batch(t), &meta("a.xlsx"))
        .await
        .unwrap();
    let before = all_records(store, t).await;
    let summary_before = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
        .await
        .unwrap();
    // A second file changes 张三's 50米跑.
    let mut again = fitness_batch(t);
    again.records.truncate(1);
    again.records[0].measures.run_50m = Some(12.9);
    let second = store.import_fitness(&again, &meta("b.xlsx")).await.unwrap();
    assert_ne!(all_records(store, t).await, before);

    // The first import cannot be undone while the second stands; nothing changes.
    let after_second = all_records(store, t).await;
    match store
        .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
        .await
    {
        Err(StoreError::Refused(why)) => assert!(why.contains("b.xlsx"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(all_records(store, t).await, after_second);

    // The second file wrote only school A: B's admin cannot undo it.
    let b = school_id(store, "B001").await;
    assert!(matches!(
        store
            .undo_import(
                &Scope::School { school_id: b },
                second.import_id,
                &undo_audit("b")
            )
            .await,
        Err(StoreError::Forbidden)
    ));

    let undone = store
        .undo_import(&Scope::District, second.import_id, &undo_audit("admin"))
        .await
        .unwrap();
    assert_eq!((undone.removed, undone.restored), (1, 3));
    assert_eq!(all_records(store, t).await, before);
    assert_eq!(
        store
            .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
            .await
            .unwrap(),
        summary_before
    );
    let audit = store.list_audit(5).await.unwrap();
    assert_eq!(audit[0].entry.action, "undo_import");
    // Twice is refused.
    assert!(matches!(
        store
            .undo_import(&Scope::District, second.import_id, &undo_audit("admin"))
            .await,
        Err(StoreError::Refused(_))
    ));

    // Now the first is the last: undoing it leaves the term with no records at all.
    store
        .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
        .await
        .unwrap();
    assert!(all_records(store, t).await.is_empty());
    assert!(
        store
            .fitness_terms(&Scope::District)
            .await
            .unwrap()
            .is_empty()
    );
}

story!(a_roster_import_is_not_undone);
async fn a_roster_import_is_not_undone(store: &dyn Store) {
    let r = store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let before = counts(store).await;
    match store
        .undo_import(&Scope::District, r.import_id, &undo_audit("admin"))
        .await
    {
        Err(StoreError::Refused(why)) => assert!(why.contains("名册"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(counts(store).await, before);
}
