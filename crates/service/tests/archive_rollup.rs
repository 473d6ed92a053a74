//! The archive coverage rollup on both backends: after each write that changes what coverage
//! counts — a class activity approved, records imported, art assessed and the art import
//! undone, a roster import that moves one student and lets another leave — the coverage page's
//! numbers (what the service's `coverage` reads) equal a count made directly from the students
//! and records, for the district and for a school.
use std::sync::Arc;

use time::macros::date;
use wuyu_domain::roster::NewAssignment;
use wuyu_domain::{
    ActivityCategory, Entrant, Grade, Origin, RecordState, RosterBatch, SchoolCode, SchoolId,
    Scope, StudentId, StudentStatus, Tenths, Term, TermPart,
};
use wuyu_service::Service;
use wuyu_service::archive::{ActivityInput, TERM_WEEKS, coverage, record_activity, review};
use wuyu_standards::archive::ArtParts;
use wuyu_store::archive::{ActivityImportRow, ArtImportRow, NewActivity, Review};
use wuyu_store::{AuditEntry, ImportMeta, Store};

fn autumn() -> Term {
    Term::new(2025, TermPart::Autumn).unwrap()
}

fn spring() -> Term {
    Term::new(2025, TermPart::Spring).unwrap()
}

fn meta(name: &str) -> ImportMeta {
    ImportMeta {
        username: "test".into(),
        file_name: name.into(),
        file_sha256: "5".repeat(64),
        at: 1,
    }
}

/// The rollup holds `terms`, and what the page reads equals the direct count, for the
/// district (by class and through the service's coverage rows) and for school A.
async fn page_equals_direct_count(svc: &Service, a: SchoolId, terms: &[Term], step: &str) {
    let store = svc.store();
    assert_eq!(store.archive_rollup_terms().await.unwrap(), terms, "{step}");
    let district = wuyu_service::accounts::acting_as(svc, "district", "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
        .0;
    for &term in terms {
        for (scope, school) in [
            (Scope::District, None),
            (Scope::School { school_id: a }, Some(a)),
        ] {
            let read = store
                .archive_counts(&scope, school, term, TERM_WEEKS)
                .await
                .unwrap();
            let direct = store
                .archive_counts_direct(&scope, school, term, TERM_WEEKS)
                .await
                .unwrap();
            assert!(!direct.is_empty(), "{step}");
            assert_eq!(read, direct, "{step}: {} {school:?}", term.code());
        }
        // The page's rows: each school's counts are its classes' direct counts added up.
        let rows = coverage(svc, &district, None, term).await.unwrap();
        let direct = store
            .archive_counts_direct(&Scope::District, None, term, TERM_WEEKS)
            .await
            .unwrap();
        for row in &rows {
            let mut sum = wuyu_monitor::archive::ArchiveCounts::default();
            for c in direct.iter().filter(|c| c.school_id == row.school_id) {
                sum.merge(&c.counts);
            }
            assert_eq!(row.counts, sum, "{step}: {}", row.label);
        }
        let students: u64 = direct.iter().map(|c| c.counts.students).sum();
        assert_eq!(rows.iter().map(|r| r.students).sum::<u64>(), students);
    }
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let a = SchoolId(ids.school_a);
    store
        .import_roster(
            &RosterBatch {
                assignments: vec![NewAssignment {
                    origin: Origin::default(),
                    school_code: SchoolCode::parse("S001").unwrap(),
                    staff_no: "T01".into(),
                    grade: Grade::new(7).unwrap(),
                    class_name: "1班".into(),
                    subject: "班主任".into(),
                    share: 1.0,
                }],
                ..Default::default()
            },
            &meta("heads"),
        )
        .await
        .unwrap();
    let (head, who) = wuyu_service::accounts::acting_as(&svc, "teacher-a", "127.0.0.1")
        .await
        .unwrap()
        .unwrap();

    // Recorded for the class, awaiting review: nothing counted, nothing built.
    let labor = ActivityInput {
        category: ActivityCategory::LaborSchool,
        term: autumn(),
        date: date!(2025 - 11 - 20),
        end_date: None,
        hours: Tenths(200),
        travel: Tenths(0),
        organiser: "劳动教研组".into(),
        description: "校园劳动".into(),
    };
    let students = [StudentId(ids.child), StudentId(ids.other_a)];
    let made = record_activity(&svc, &head, &who, a, &students[..1], &labor)
        .await
        .unwrap();
    assert!(store.archive_rollup_terms().await.unwrap().is_empty());
    // Approved: the term is built for every school (school B shows its students with none).
    review(&svc, &head, &who, a, &made, &Review::Approve)
        .await
        .unwrap();
    page_equals_direct_count(&svc, a, &[autumn()], "approved").await;

    // Imported approved records (as the demo and the bench import them) of two students.
    let row = |no: String, category, hours| ActivityImportRow {
        origin: Origin::default(),
        student_no: no,
        activity: NewActivity {
            category,
            term: autumn(),
            date: date!(2025 - 10 - 11),
            end_date: None,
            hours: Tenths(hours),
            travel: Tenths(5),
            organiser: "社区".into(),
            description: "敬老院服务".into(),
            entrant: Entrant::Teacher,
            entered_by: "test".into(),
            state: RecordState::Approved,
        },
    };
    let child_no = wuyu_testkit::child_student_no();
    store
        .import_activities(
            &Scope::District,
            a,
            &[
                row(child_no.clone(), ActivityCategory::Volunteer, 30),
                row("A2024070201".into(), ActivityCategory::Art, 20),
                row("A2024070201".into(), ActivityCategory::StudyTour, 80),
            ],
            &meta("records.csv"),
        )
        .await
        .unwrap();
    page_equals_direct_count(&svc, a, &[autumn()], "imported").await;

    // Art assessments count in both terms of the school year; undoing them takes them back.
    let parts = |b, ac, d| ArtParts {
        basic: Tenths(b),
        academic: Tenths(ac),
        development: Tenths(d),
    };
    let art = store
        .import_art(
            &Scope::District,
            a,
            &[
                ArtImportRow {
                    origin: Origin::default(),
                    student_no: child_no.clone(),
                    school_year: 2025,
                    parts: parts(380, 480, 100),
                },
                ArtImportRow {
                    origin: Origin::default(),
                    student_no: "A2024070201".into(),
                    school_year: 2025,
                    parts: parts(200, 300, 50),
                },
            ],
            &meta("art.csv"),
        )
        .await
        .unwrap();
    let both = [autumn(), spring()];
    page_equals_direct_count(&svc, a, &both, "art").await;
    let assessed = |c: &[wuyu_store::archive::ClassArchiveCounts]| {
        c.iter().map(|c| c.counts.art_assessed).sum::<u64>()
    };
    let now = store
        .archive_counts(&Scope::District, None, autumn(), TERM_WEEKS)
        .await
        .unwrap();
    assert_eq!(assessed(&now), 2);
    store
        .undo_import(
            &Scope::District,
            art.import_id,
            &AuditEntry {
                at: 2,
                user_id: None,
                username: "test".into(),
                action: "import_undo".into(),
                school_id: Some(a),
                entity: String::new(),
                detail: String::new(),
                ip: String::new(),
            },
        )
        .await
        .unwrap();
    page_equals_direct_count(&svc, a, &both, "art undone").await;
    let now = store
        .archive_counts(&Scope::District, None, autumn(), TERM_WEEKS)
        .await
        .unwrap();
    assert_eq!(assessed(&now), 0);

    // The roster: the child's classmate-to-be moves into 七年级1班, the child leaves.
    let roster = wuyu_testkit::district::roster();
    let mut moved = roster
        .students
        .iter()
        .find(|s| s.student_no.as_str() == "A2024070201")
        .unwrap()
        .clone();
    moved.class_name = "1班".into();
    let mut left = roster
        .students
        .iter()
        .find(|s| s.student_no.as_str() == child_no)
        .unwrap()
        .clone();
    left.status = Some(wuyu_domain::roster::StatusChange {
        status: StudentStatus::TransferredOut,
        date: Some(date!(2025 - 12 - 01)),
    });
    store
        .import_roster(
            &RosterBatch {
                students: vec![moved, left],
                ..Default::default()
            },
            &meta("moves.csv"),
        )
        .await
        .unwrap();
    page_equals_direct_count(&svc, a, &both, "roster").await;
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
