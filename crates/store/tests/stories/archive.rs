//! The archive in the store (issue 12), on both backends: a teacher records one activity for
//! their class, the review moves records draft → submitted → approved / returned, a parent
//! enters and reads only their own child's records (each read audited), imports are all or
//! nothing, and the per-class counts add up the approved records only.
use std::collections::BTreeSet;

use time::macros::date;
use wuyu_domain::{
    ActivityCategory, ArtLevel, ClassId, Entrant, Origin, RecordState, SchoolId, Scope, StudentId,
    Tenths, Term, TermPart,
};
use wuyu_standards::archive::ArtParts;
use wuyu_store::archive::{ActivityImportRow, ArtImportRow, NewActivity, Review};
use wuyu_store::{AuditEntry, ImportMeta, Store, StoreError};
use wuyu_testkit::{district, story};

fn term() -> Term {
    Term::new(2025, TermPart::Autumn).unwrap()
}

fn activity(category: ActivityCategory, hours: i32, entrant: Entrant) -> NewActivity {
    NewActivity {
        category,
        term: term(),
        date: date!(2025 - 10 - 15),
        end_date: None,
        hours: Tenths(hours),
        travel: Tenths(0),
        organiser: "校团委".into(),
        description: "社区清洁".into(),
        entrant,
        entered_by: "teacher-a".into(),
        state: RecordState::Submitted,
    }
}

fn meta(file: &str) -> ImportMeta {
    ImportMeta {
        username: "school-a".into(),
        file_name: file.into(),
        file_sha256: "cd".repeat(32),
        at: 1_760_000_000,
    }
}

fn audit(who: &str, student: i64) -> AuditEntry {
    AuditEntry {
        at: 1_760_000_100,
        user_id: None,
        username: who.into(),
        action: "archive_read_student".into(),
        school_id: None,
        entity: format!("student:{student}"),
        detail: String::new(),
        ip: "127.0.0.1".into(),
    }
}

async fn class_count(store: &dyn Store, school: SchoolId, class: i64) -> usize {
    store
        .class_activities(&Scope::District, school, ClassId(class), term())
        .await
        .unwrap()
        .len()
}

async fn records_are_entered_reviewed_and_scoped(store: &dyn Store) {
    let ids = district::load(store).await;
    let a = SchoolId(ids.school_a);
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: BTreeSet::from([ClassId(ids.class_a7_1), ClassId(ids.class_a8_1)]),
    };
    let class: Vec<StudentId> = store
        .list_students(&teacher, a, Some(ClassId(ids.class_a7_1)))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(class.len(), 2);

    // One form, the whole class: one record each, awaiting review.
    let art = activity(ActivityCategory::Art, 20, Entrant::Teacher);
    let made = store
        .record_activity(&teacher, a, &class, &art, 1_000)
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    let rows = store
        .class_activities(&teacher, a, ClassId(ids.class_a7_1), term())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.state == RecordState::Submitted
        && r.hours == Tenths(20)
        && r.category == ActivityCategory::Art));

    // A student of a class the teacher does not teach: refused, and nothing of the call kept.
    let mixed = [class[0], StudentId(ids.other_a)];
    let e = store
        .record_activity(&teacher, a, &mixed, &art, 1_001)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    assert_eq!(class_count(store, a, ids.class_a7_1).await, 2);
    assert_eq!(class_count(store, a, ids.class_a7_2).await, 0);

    // Review: a return needs a reason; approved records are final.
    let e = store
        .review_activities(
            &teacher,
            a,
            &made[..1],
            &Review::Return("  ".into()),
            "t",
            2,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Refused(ref m) if m.contains("退回原因")),
        "{e:?}"
    );
    store
        .review_activities(
            &teacher,
            a,
            &made[..1],
            &Review::Return("时长有误".into()),
            "t",
            2,
        )
        .await
        .unwrap();
    store
        .review_activities(&teacher, a, &made[1..], &Review::Approve, "t", 2)
        .await
        .unwrap();
    // Approving both at once fails on the returned one, and the call changes nothing.
    match store
        .review_activities(&teacher, a, &made, &Review::Approve, "t", 3)
        .await
    {
        Err(StoreError::Refused(m)) => {
            assert!(
                m.contains(&format!("记录 {}", made[0])) && m.contains("已退回"),
                "{m}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let rows = store
        .class_activities(&teacher, a, ClassId(ids.class_a7_1), term())
        .await
        .unwrap();
    let state = |id: i64| rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(state(made[0]).state, RecordState::Returned);
    assert_eq!(state(made[0]).return_reason.as_deref(), Some("时长有误"));
    assert_eq!(state(made[1]).state, RecordState::Approved);
    // The returned one goes back for review.
    store
        .submit_activities(&teacher, a, &made[..1])
        .await
        .unwrap();

    // A parent enters their own child's 家务劳动 as a draft, never another child's.
    let parent = Scope::Parent {
        school_id: a,
        student_ids: BTreeSet::from([StudentId(ids.child)]),
    };
    let mut home = activity(ActivityCategory::LaborHome, 35, Entrant::Parent);
    home.state = RecordState::Draft;
    let mine = store
        .record_activity(&parent, a, &[StudentId(ids.child)], &home, 4)
        .await
        .unwrap();
    let e = store
        .record_activity(&parent, a, &[StudentId(ids.other_a)], &home, 4)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let e = store
        .review_activities(&parent, a, &mine, &Review::Approve, "p", 5)
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Forbidden),
        "a parent never reviews: {e:?}"
    );
    store.submit_activities(&parent, a, &mine).await.unwrap();

    // The parent reads their child's archive; the read is in the audit log.
    let before = store.list_audit(1000).await.unwrap().len();
    let got = store
        .student_archive(
            &parent,
            a,
            StudentId(ids.child),
            &audit("parent-a", ids.child),
        )
        .await
        .unwrap();
    assert_eq!(
        got.records.len(),
        2,
        "the class record and the parent's own"
    );
    assert!(
        got.records
            .iter()
            .all(|r| r.student_id == StudentId(ids.child))
    );
    let log = store.list_audit(1000).await.unwrap();
    assert_eq!(log.len(), before + 1);
    assert_eq!(log[0].entry.action, "archive_read_student");
    assert_eq!(log[0].entry.entity, format!("student:{}", ids.child));
    let e = store
        .student_archive(
            &parent,
            a,
            StudentId(ids.other_a),
            &audit("parent-a", ids.other_a),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // A counsellor's scope is for mental-health work.
    let counsellor = Scope::Counsellor { school_id: a };
    assert!(matches!(
        store
            .student_archive(&counsellor, a, StudentId(ids.child), &audit("c", ids.child))
            .await,
        Err(StoreError::Forbidden)
    ));
}

async fn imports_are_all_or_nothing_and_counts_add_up(store: &dyn Store) {
    let ids = district::load(store).await;
    let a = SchoolId(ids.school_a);
    let school = Scope::School { school_id: a };
    let row = |r: u32, no: &str, category, hours| ActivityImportRow {
        origin: Origin {
            sheet: String::new(),
            row: r,
        },
        student_no: no.into(),
        activity: activity(category, hours, Entrant::Teacher),
    };
    let child_no = district::child_student_no();
    let bad = [
        row(2, &child_no, ActivityCategory::StudyTour, 80),
        row(3, "A9999999999", ActivityCategory::StudyTour, 80),
    ];
    match store
        .import_activities(&school, a, &bad, &meta("实践.csv"))
        .await
    {
        Err(StoreError::Rejected(errors)) => {
            assert_eq!(errors.len(), 1);
            let e = &errors[0];
            assert_eq!(
                (e.file.as_str(), e.row, e.column.as_str(), e.value.as_str()),
                ("实践.csv", 3, "学籍号", "A9999999999")
            );
            assert!(e.message_zh.contains("名册"), "{}", e.message_zh);
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    assert_eq!(class_count(store, a, ids.class_a7_1).await, 0);

    // 7年级1班: the child (grade 7, needs 3 h × 2 weeks = 6 h) and 李小红.
    let good = [
        row(2, &child_no, ActivityCategory::StudyTour, 80),
        row(3, &child_no, ActivityCategory::LaborHome, 60),
        row(4, &child_no, ActivityCategory::Volunteer, 125),
        row(5, "A2024070102", ActivityCategory::LaborHome, 59),
        row(6, "A2024070102", ActivityCategory::Art, 20),
    ];
    let done = store
        .import_activities(&school, a, &good, &meta("实践.csv"))
        .await
        .unwrap();
    assert_eq!(done.written, 5);
    let rows = store
        .class_activities(&school, a, ClassId(ids.class_a7_1), term())
        .await
        .unwrap();
    // Approve all but 李小红's art record.
    let approve: Vec<i64> = rows
        .iter()
        .filter(|r| r.category != ActivityCategory::Art)
        .map(|r| r.id)
        .collect();
    store
        .review_activities(&school, a, &approve, &Review::Approve, "班主任", 9)
        .await
        .unwrap();

    // Art assessments: a part out of range rejects the file.
    let art = |r: u32, no: &str, b: i32, ac: i32, d: i32| ArtImportRow {
        origin: Origin {
            sheet: "艺术测评".into(),
            row: r,
        },
        student_no: no.into(),
        school_year: 2025,
        parts: ArtParts {
            basic: Tenths(b),
            academic: Tenths(ac),
            development: Tenths(d),
        },
    };
    let e = store
        .import_art(
            &school,
            a,
            &[
                art(2, &child_no, 400, 450, 50),
                art(3, "A2024070102", 410, 0, 0),
            ],
            &meta("艺术.xlsx"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Rejected(v) if v.len() == 1 && v[0].row == 3 && v[0].message_zh.contains("基础指标")),
        "{e:?}"
    );
    store
        .import_art(
            &school,
            a,
            &[
                art(2, &child_no, 400, 450, 50),
                art(3, "A2024070102", 300, 299, 0),
            ],
            &meta("艺术.xlsx"),
        )
        .await
        .unwrap();
    let mine = store
        .student_archive(
            &Scope::District,
            a,
            StudentId(ids.child),
            &audit("d", ids.child),
        )
        .await
        .unwrap();
    assert_eq!(mine.art.len(), 1);
    assert_eq!(
        (mine.art[0].total, mine.art[0].level),
        (Tenths(900), ArtLevel::Excellent)
    );

    // Counts by hand, over 2 weeks: the child — study tour and volunteer (校外 ✓), 6 h labor
    // (met), 12.5 h volunteer, 优秀; 李小红 — 5.9 h labor (not met), art not approved, 不合格.
    let counts = store
        .archive_counts(&Scope::District, Some(a), term(), 2)
        .await
        .unwrap();
    let c7 = counts
        .iter()
        .find(|c| c.class_id == ClassId(ids.class_a7_1))
        .unwrap();
    assert_eq!(c7.counts.students, 2);
    assert_eq!(c7.counts.off_campus_covered, 1);
    assert_eq!(c7.counts.labor_met, 1);
    assert_eq!(c7.counts.art_covered, 0);
    assert_eq!(c7.counts.volunteer_hours, Tenths(125));
    assert_eq!(
        (
            c7.counts.art_assessed,
            c7.counts.art_excellent,
            c7.counts.art_passed
        ),
        (2, 1, 1)
    );
    let total: u64 = counts.iter().map(|c| c.counts.students).sum();
    assert_eq!(
        total, 5,
        "every enrolled student of school A, records or not"
    );
    let parent = Scope::Parent {
        school_id: a,
        student_ids: BTreeSet::from([StudentId(ids.child)]),
    };
    assert!(matches!(
        store.archive_counts(&parent, Some(a), term(), 2).await,
        Err(StoreError::Forbidden)
    ));
    assert_eq!(
        store.archive_terms(&Scope::District).await.unwrap(),
        vec![term()]
    );
}

story!(records_are_entered_reviewed_and_scoped);
story!(imports_are_all_or_nothing_and_counts_add_up);
