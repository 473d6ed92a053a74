//! Issue 10's remaining undo work on both backends: journals of older imports are dropped
//! (per school and kind) and their undo refused in Chinese; archive imports are undone (art
//! put back as journaled, activity records removed until a 班主任 reviewed one); 免测 takes a
//! student out of the term's results, audited.
use std::collections::BTreeSet;

use wuyu_domain::{
    ActivityCategory, ClassId, Entrant, Origin, RecordState, SchoolId, StudentId, Tenths, TermPart,
};
use wuyu_standards::archive::ArtParts;
use wuyu_store::FitnessGroupBy;
use wuyu_store::archive::{ActivityImportRow, ArtImportRow, NewActivity, Review};
use wuyu_testkit::district;

use super::*;
use crate::fitness::{all_records, fitness_batch, term};

fn audit(username: &str, action: &str) -> AuditEntry {
    AuditEntry {
        at: 1_700_000_500,
        user_id: None,
        username: username.into(),
        action: action.into(),
        school_id: None,
        entity: "import".into(),
        detail: String::new(),
        ip: "127.0.0.1".into(),
    }
}

story!(a_later_import_drops_the_journal_of_its_own_school_only);
async fn a_later_import_drops_the_journal_of_its_own_school_only(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    // School B's two students, then school A's three: different schools, both undoable.
    let mut b = fitness_batch(t);
    b.records.retain(|r| r.student_no.as_str() >= "G0000000004");
    let mut a = fitness_batch(t);
    a.records.retain(|r| r.student_no.as_str() < "G0000000004");
    let first_b = store.import_fitness(&b, &meta("b.xlsx")).await.unwrap();
    let first_a = store.import_fitness(&a, &meta("a.xlsx")).await.unwrap();
    assert_eq!(all_records(store, t).await.len(), 5);
    // A second file for A drops A's first journal only.
    let second_a = store.import_fitness(&a, &meta("a2.xlsx")).await.unwrap();
    match store
        .undo_import(
            &Scope::District,
            first_a.import_id,
            &audit("d", "undo_import"),
        )
        .await
    {
        Err(StoreError::Refused(why)) => {
            assert!(
                why.contains("a2.xlsx") && why.contains("撤销记录已清理"),
                "{why}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let undone = store
        .undo_import(
            &Scope::District,
            first_b.import_id,
            &audit("d", "undo_import"),
        )
        .await
        .unwrap();
    assert_eq!((undone.removed, undone.restored), (2, 0));
    assert_eq!(all_records(store, t).await.len(), 3);
    // Undoing A's second file puts back A's first file's records.
    store
        .undo_import(
            &Scope::District,
            second_a.import_id,
            &audit("d", "undo_import"),
        )
        .await
        .unwrap();
    assert_eq!(all_records(store, t).await.len(), 3);
    // And the first, dropped, stays refused with nothing changed.
    assert!(matches!(
        store
            .undo_import(
                &Scope::District,
                first_a.import_id,
                &audit("d", "undo_import")
            )
            .await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(all_records(store, t).await.len(), 3);
}

fn archive_term() -> wuyu_domain::Term {
    term(2025, TermPart::Autumn)
}

fn activity_row(r: u32, no: &str, hours: i32) -> ActivityImportRow {
    ActivityImportRow {
        origin: Origin {
            sheet: String::new(),
            row: r,
        },
        student_no: no.into(),
        activity: NewActivity {
            category: ActivityCategory::Volunteer,
            term: archive_term(),
            date: date!(2025 - 10 - 15),
            end_date: None,
            hours: Tenths(hours),
            travel: Tenths(0),
            organiser: "校团委".into(),
            description: "社区清洁".into(),
            entrant: Entrant::Teacher,
            entered_by: "school-a".into(),
            state: RecordState::Submitted,
        },
    }
}

fn art_row(r: u32, no: &str, basic: i32) -> ArtImportRow {
    ArtImportRow {
        origin: Origin {
            sheet: "艺术测评".into(),
            row: r,
        },
        student_no: no.into(),
        school_year: 2025,
        parts: ArtParts {
            basic: Tenths(basic),
            academic: Tenths(300),
            development: Tenths(100),
        },
    }
}

story!(archive_imports_are_undone_until_a_record_is_reviewed);
async fn archive_imports_are_undone_until_a_record_is_reviewed(store: &dyn Store) {
    let ids = district::load(store).await;
    let a = SchoolId(ids.school_a);
    let school = Scope::School { school_id: a };
    let child = district::child_student_no();
    let records = || async {
        store
            .class_activities(&school, a, ClassId(ids.class_a7_1), archive_term())
            .await
            .unwrap()
    };
    let art_total = || async {
        store
            .student_archive(
                &Scope::District,
                a,
                StudentId(ids.child),
                &audit("d", "archive_read_student"),
            )
            .await
            .unwrap()
            .art
            .iter()
            .map(|x| x.total)
            .collect::<Vec<_>>()
    };

    // Art: a second file changes the child's 基础指标; undoing it puts the first back, and
    // the first file's journal is gone.
    let first = store
        .import_art(&school, a, &[art_row(2, &child, 300)], &meta("艺术一.xlsx"))
        .await
        .unwrap();
    assert_eq!(art_total().await, vec![Tenths(700)]);
    let second = store
        .import_art(&school, a, &[art_row(2, &child, 350)], &meta("艺术二.xlsx"))
        .await
        .unwrap();
    assert_eq!(art_total().await, vec![Tenths(750)]);
    let undone = store
        .undo_import(&school, second.import_id, &audit("school-a", "undo_import"))
        .await
        .unwrap();
    assert_eq!((undone.kind.as_str(), undone.restored), ("archive_art", 1));
    assert_eq!(art_total().await, vec![Tenths(700)]);
    assert!(matches!(
        store
            .undo_import(&school, first.import_id, &audit("school-a", "undo_import"))
            .await,
        Err(StoreError::Refused(why)) if why.contains("撤销记录已清理")
    ));

    // Activities: added records are removed while none is reviewed.
    let before = records().await.len();
    let done = store
        .import_activities(
            &school,
            a,
            &[activity_row(2, &child, 20)],
            &meta("志愿.csv"),
        )
        .await
        .unwrap();
    assert_eq!(records().await.len(), before + 1);
    let undone = store
        .undo_import(&school, done.import_id, &audit("school-a", "undo_import"))
        .await
        .unwrap();
    assert_eq!(undone.removed, 1);
    assert_eq!(records().await.len(), before);

    // Once the 班主任 approved one of a file's records, its undo is refused; nothing changes.
    let done = store
        .import_activities(
            &school,
            a,
            &[activity_row(2, &child, 20), activity_row(3, &child, 30)],
            &meta("志愿二.csv"),
        )
        .await
        .unwrap();
    let now = records().await;
    let one: Vec<i64> = now
        .iter()
        .filter(|r| r.hours == Tenths(30))
        .map(|r| r.id)
        .collect();
    store
        .review_activities(&school, a, &one, &Review::Approve, "班主任", 9)
        .await
        .unwrap();
    match store
        .undo_import(&school, done.import_id, &audit("school-a", "undo_import"))
        .await
    {
        Err(StoreError::Refused(why)) => assert!(why.contains("1 条经班主任审核"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(records().await.len(), now.len());
}

story!(an_exempt_student_leaves_the_terms_results_and_the_change_is_audited);
async fn an_exempt_student_leaves_the_terms_results_and_the_change_is_audited(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    store
        .import_fitness(&fitness_batch(t), &meta("f.xlsx"))
        .await
        .unwrap();
    let a = school_id(store, "A001").await;
    let tested = || async {
        store
            .fitness_summary(&Scope::District, Some(a), t, FitnessGroupBy::School)
            .await
            .unwrap()[0]
            .tested
    };
    assert_eq!(tested().await, 3);
    let students = store
        .list_students(&Scope::District, a, None)
        .await
        .unwrap();
    let zhang = students
        .iter()
        .find(|s| s.student_no.as_str() == "G0000000001")
        .unwrap();

    // A parent and a counsellor may not mark it.
    let parent = Scope::Parent {
        school_id: a,
        student_ids: BTreeSet::from([zhang.id]),
    };
    assert!(matches!(
        store
            .exempt_fitness(
                &parent,
                a,
                zhang.id,
                t,
                "因病",
                &audit("p", "exempt_fitness")
            )
            .await,
        Err(StoreError::Forbidden)
    ));

    let removed = store
        .exempt_fitness(
            &Scope::School { school_id: a },
            a,
            zhang.id,
            t,
            "因病经校医证明免予执行",
            &audit("school-a", "exempt_fitness"),
        )
        .await
        .unwrap();
    assert!(removed);
    // Out of 实测 (the rates' denominator), marked in the class view, not on the record.
    assert_eq!(tested().await, 2);
    let class = store
        .class_fitness(&Scope::District, a, zhang.class_id, t)
        .await
        .unwrap();
    let row = class.iter().find(|r| r.student.id == zhang.id).unwrap();
    assert!(row.record.is_none());
    assert_eq!(row.exemption.as_deref(), Some("因病经校医证明免予执行"));
    let e = store
        .fitness_exemption(&Scope::District, a, zhang.id, t)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.recorded_by, "school-a");
    // The removed values are kept in the audit entry.
    let log = store.list_audit(5).await.unwrap();
    let entry = log
        .iter()
        .find(|r| r.entry.action == "exempt_fitness")
        .unwrap();
    assert!(entry.entry.detail.contains("删除的体测记录"), "{entry:?}");
    assert!(entry.entry.detail.contains("run_50m"), "{entry:?}");

    // Lifted: the exemption is gone and audited; the student is simply untested.
    assert!(
        store
            .lift_fitness_exemption(
                &Scope::District,
                a,
                zhang.id,
                t,
                &audit("d", "lift_fitness_exemption")
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .fitness_exemption(&Scope::District, a, zhang.id, t)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.list_audit(1).await.unwrap()[0].entry.action,
        "lift_fitness_exemption"
    );
    assert_eq!(tested().await, 2);
}
