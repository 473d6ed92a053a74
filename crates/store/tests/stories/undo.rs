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

    // The second import wrote the same school and term: the first one's journal is dropped,
    // so its undo is refused, naming the later file; nothing changes.
    let after_second = all_records(store, t).await;
    match store
        .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
        .await
    {
        Err(StoreError::Refused(why)) => {
            assert!(
                why.contains("b.xlsx") && why.contains("撤销记录已清理"),
                "{why}"
            )
        }
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

    // Even with the second undone, the first stays refused: its journal is gone, and an
    // old journal is never applied.
    assert!(matches!(
        store
            .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
            .await,
        Err(StoreError::Refused(why)) if why.contains("撤销记录已清理")
    ));
    assert_eq!(all_records(store, t).await, before);
}

/// Everything a roster import writes, as the pages read it (Debug text: the views compare
/// field by field).
async fn roster_state(store: &dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    for s in store.list_schools(&Scope::District).await.unwrap() {
        let id = s.school.id;
        out.push(format!("{s:?}"));
        for c in store.list_classes(&Scope::District, id).await.unwrap() {
            out.push(format!("{c:?}"));
        }
        for st in store
            .list_students(&Scope::District, id, None)
            .await
            .unwrap()
        {
            out.push(format!("{st:?}"));
        }
        for a in store.list_assignments(&Scope::District, id).await.unwrap() {
            out.push(format!("{a:?}"));
        }
    }
    out
}

/// A second file for school A: 李四 renamed and moved to a new 3班, a new student and a new
/// teacher there, 任课 replaced by the new teacher's.
fn second_roster() -> RosterBatch {
    let mut b = batch();
    b.schools.retain(|s| s.code.as_str() == "A001");
    b.schools[0].name = "城关第一实验小学".into();
    b.classes.retain(|c| c.school_code.as_str() == "A001");
    b.classes.push(NewClass {
        origin: o("班级", 9),
        school_code: code("A001"),
        grade: Grade::new(5).unwrap(),
        name: "3班".into(),
        class_type: None,
    });
    b.students.retain(|s| s.school_code.as_str() == "A001");
    b.students[1].name = PersonName::parse("李思").unwrap();
    b.students[1].class_name = "3班".into();
    b.students
        .push(student(9, "A001", 5, "3班", "G0000000009", "孙八"));
    b.teachers.push(NewTeacher {
        origin: o("教师", 9),
        school_code: code("A001"),
        staff_no: "T09".into(),
        name: PersonName::parse("吴老师").unwrap(),
        sex: None,
        subject: None,
        employment: None,
        birth_year: None,
    });
    b.assignments = vec![NewAssignment {
        origin: o("任课", 2),
        school_code: code("A001"),
        staff_no: "T09".into(),
        grade: Grade::new(5).unwrap(),
        class_name: "3班".into(),
        subject: "语文".into(),
        share: 1.0,
    }];
    b
}

story!(undoing_a_roster_import_puts_the_school_back_as_it_was);
async fn undoing_a_roster_import_puts_the_school_back_as_it_was(store: &dyn Store) {
    let first = store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let before = roster_state(store).await;
    let second = store
        .import_roster(&second_roster(), &meta("r2.xlsx"))
        .await
        .unwrap();
    let changed = roster_state(store).await;
    assert_ne!(changed, before);
    assert!(changed.iter().any(|l| l.contains("孙八")));

    // The first cannot be undone while the second stands on school A.
    match store
        .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
        .await
    {
        Err(StoreError::Refused(why)) => {
            assert!(
                why.contains("r2.xlsx") && why.contains("撤销记录已清理"),
                "{why}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(roster_state(store).await, changed);
    // B's admin cannot undo A's file.
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

    let a = school_id(store, "A001").await;
    let undone = store
        .undo_import(
            &Scope::School { school_id: a },
            second.import_id,
            &undo_audit("a"),
        )
        .await
        .unwrap();
    assert_eq!(undone.kind, "roster");
    // Removed: 孙八, 吴老师, 3班. Put back: 李四 and the school's name.
    assert_eq!((undone.removed, undone.restored), (3, 2));
    assert_eq!(roster_state(store).await, before);

    // The first file's journal was dropped when the second wrote school A: it stays
    // refused, and nothing changes.
    assert!(matches!(
        store
            .undo_import(&Scope::District, first.import_id, &undo_audit("admin"))
            .await,
        Err(StoreError::Refused(why)) if why.contains("撤销记录已清理")
    ));
    assert_eq!(roster_state(store).await, before);
}

story!(a_roster_import_whose_new_student_has_results_is_not_undone);
async fn a_roster_import_whose_new_student_has_results_is_not_undone(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let second = store
        .import_roster(&second_roster(), &meta("r2.xlsx"))
        .await
        .unwrap();
    // A fitness result for the new student 孙八 (grade 5, female, as 李四's record).
    let t = term(2024, TermPart::Autumn);
    let mut results = fitness_batch(t);
    results.records.swap(0, 1);
    results.records.truncate(1);
    results.records[0].student_no = StudentNo::parse("G0000000009").unwrap();
    store
        .import_fitness(&results, &meta("f.xlsx"))
        .await
        .unwrap();
    let before = roster_state(store).await;
    match store
        .undo_import(&Scope::District, second.import_id, &undo_audit("admin"))
        .await
    {
        Err(StoreError::Refused(why)) => assert!(why.contains("已有其他数据"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(roster_state(store).await, before);
    assert_eq!(all_records(store, t).await.len(), 1);
}
