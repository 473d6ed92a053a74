//! The fitness read models on both backends (a fresh SQLite file, and a fresh database on the
//! PostgreSQL server `WUYU_TEST_PG_URL` names; without it the PostgreSQL half is skipped, and
//! under `CI=true` it fails): who gets ranks, the n ≥ 10 rule for schools and classes, and
//! the indicator source against counts made by hand.
use std::sync::Arc;

use wuyu_domain::roster::{NewClass, NewSchool, NewStudent};
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, Grade, Location, NewFitnessRecord, Origin, PersonName, Role,
    RosterBatch, SchoolCode, SchoolId, Scope, Sex, Stage, StudentNo, Term, TermPart, User, UserId,
    Viewer,
};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, fitness_keys};
use wuyu_service::Service;
use wuyu_service::fitness::{SummaryQuery, indicator, summary};
use wuyu_store::{FitnessGroupBy, ImportMeta, Store};

fn term() -> Term {
    Term::new(2025, TermPart::Autumn).unwrap()
}

/// Three junior schools: 北 with 12 students in 七年级 1班, 南 with 12 in 七年级 1班 and
/// 2 in 七年级 2班 (so 2班 is too small to rank), 西 (农村) with 6. Every student is tested;
/// the first student of each 1班 is myopic and the last one of each class has no 50米跑
/// (INCOMPLETE): 11, 12 and 5 complete records.
const SCHOOLS: [(&str, &str, usize, usize); 3] = [
    ("N01", "北校", 12, 0),
    ("S01", "南校", 12, 2),
    ("W01", "西校", 6, 0),
];

fn meta(f: &str) -> ImportMeta {
    ImportMeta {
        username: "tester".into(),
        file_name: f.into(),
        file_sha256: "cd".repeat(32),
        at: 1_700_000_000,
    }
}

fn measures(strength: f64, myopic: bool, complete: bool) -> FitnessMeasures {
    FitnessMeasures {
        height_cm: Some(155.0),
        weight_kg: Some(42.0 + strength),
        vital_capacity: Some(1800.0 + 300.0 * strength),
        run_50m: complete.then_some(10.0 - 0.5 * strength),
        sit_and_reach: Some(2.0 * strength),
        standing_long_jump: Some(150.0 + 12.0 * strength),
        pull_up: Some(2.0 * strength),
        run_1000m: Some(320.0 - 15.0 * strength),
        acuity_left: Some(if myopic { 4.6 } else { 5.0 }),
        acuity_right: Some(5.0),
        se_left: Some(if myopic { -1.5 } else { 0.0 }),
        se_right: Some(0.0),
        ..Default::default()
    }
}

async fn fill(store: &dyn Store) {
    let mut roster = RosterBatch::default();
    let mut records = Vec::new();
    for (s, (code, name, first, second)) in SCHOOLS.iter().enumerate() {
        roster.schools.push(NewSchool {
            origin: Origin::default(),
            code: SchoolCode::parse(code).unwrap(),
            name: (*name).into(),
            stage: Stage::Junior,
            location: if s == 2 {
                Location::Rural
            } else {
                Location::Urban
            },
            school_group: None,
        });
        for (class, n) in [("1班", *first), ("2班", *second)] {
            if n == 0 {
                continue;
            }
            roster.classes.push(NewClass {
                origin: Origin::default(),
                school_code: SchoolCode::parse(code).unwrap(),
                grade: Grade::new(7).unwrap(),
                name: class.into(),
                class_type: None,
            });
            for i in 0..n {
                let no = format!("{code}{}0{i:02}", &class[..1]);
                roster.students.push(NewStudent {
                    origin: Origin::default(),
                    school_code: SchoolCode::parse(code).unwrap(),
                    grade: Grade::new(7).unwrap(),
                    class_name: class.into(),
                    student_no: StudentNo::parse(&no).unwrap(),
                    name: PersonName::parse(&format!("学生{i}")).unwrap(),
                    sex: Sex::Male,
                    birth_date: time::macros::date!(2013 - 03 - 01),
                    id_card_no: None,
                    ethnicity: None,
                    former_names: None,
                    status: None,
                    flags: None,
                });
                // 北校 strongest, 西校 weakest; within a school a spread of strengths.
                let strength = (2 - s as i32) as f64 + (i % 3) as f64;
                records.push(NewFitnessRecord {
                    origin: Origin::default(),
                    student_no: StudentNo::parse(&no).unwrap(),
                    term: term(),
                    test_date: time::macros::date!(2025 - 10 - 10),
                    grade: None,
                    sex: None,
                    measures: measures(strength, i == 0 && class == "1班", i + 1 < n),
                });
            }
        }
    }
    store.import_roster(&roster, &meta("roster")).await.unwrap();
    store
        .import_fitness(&FitnessBatch { records }, &meta("fitness"))
        .await
        .unwrap();
}

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "u".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

async fn story(store: Arc<dyn Store>) {
    fill(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let district = viewer(Role::DistrictAnalyst, Scope::District);
    let q = |by: &str, school: Option<SchoolId>| SummaryQuery {
        term: None,
        by: Some(by.into()),
        school,
    };

    // Schools: 北 (11 complete records) and 南 (12) are ranked, 北 the stronger; 西 (5) is not.
    let t = summary(
        &svc,
        &district,
        &q("school", None),
        FitnessGroupBy::District,
    )
    .await
    .unwrap();
    assert_eq!(t.term, Some(term()));
    assert!(t.ranked);
    let rank = |name: &str| {
        t.lines
            .iter()
            .find(|l| l.label == name)
            .map(|l| (l.row.ok_count, l.rank))
            .unwrap()
    };
    assert_eq!(rank("北校"), (11, Some(1)));
    assert_eq!(rank("南校"), (12, Some(2)));
    assert_eq!(rank("西校"), (5, None));

    // Classes of 南校: 1班 (11 complete) ranked within 七年级; 2班 (1 complete) not.
    let south = store.school_by_code("S01").await.unwrap().unwrap();
    let t = summary(
        &svc,
        &district,
        &q("class", Some(south)),
        FitnessGroupBy::District,
    )
    .await
    .unwrap();
    let ranks: Vec<_> = t.lines.iter().map(|l| (l.label.as_str(), l.rank)).collect();
    assert_eq!(ranks, [("七年级 1班", Some(1)), ("七年级 2班", None)]);

    // A teacher's token is missing, and the district can hide ranks from everyone.
    let teacher = viewer(Role::Teacher, Scope::School { school_id: south });
    let t = summary(&svc, &teacher, &q("class", None), FitnessGroupBy::District)
        .await
        .unwrap();
    assert!(!t.ranked && t.lines.iter().all(|l| l.rank.is_none()));
    store.set_setting("hide_ranks", "true").await.unwrap();
    let t = summary(
        &svc,
        &district,
        &q("school", None),
        FitnessGroupBy::District,
    )
    .await
    .unwrap();
    assert!(!t.ranked && t.lines.iter().all(|l| l.rank.is_none()));

    // The indicator source: 32 students, all tested; one myopic per school (3 of 32, 2 of the
    // 26 城区 students); 4 INCOMPLETE records, so 28 complete.
    let value = async |key: &str, unit: UnitRef| {
        indicator(&svc, &IndicatorKey::new(key), &unit, Period::Term(term()))
            .await
            .unwrap()
    };
    let rate = IndicatorValue::rate;
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::District).await,
        Some(rate(32, 32))
    );
    assert_eq!(
        value(fitness_keys::MYOPIA_RATE, UnitRef::District).await,
        Some(rate(3, 32))
    );
    assert_eq!(
        value(
            fitness_keys::MYOPIA_RATE,
            UnitRef::Location(Location::Urban)
        )
        .await,
        Some(rate(2, 26))
    );
    assert_eq!(
        value(fitness_keys::MYOPIA_RATE, UnitRef::Stage(Stage::Junior)).await,
        Some(rate(3, 32))
    );
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::Stage(Stage::Primary)).await,
        None
    );
    let excellent = value(fitness_keys::EXCELLENT_RATE, UnitRef::School(south))
        .await
        .unwrap();
    assert_eq!((excellent.den, excellent.n), (12.0, 12));
    // A school year stands for its latest term with records.
    let by_term = value(fitness_keys::PASS_RATE, UnitRef::District).await;
    assert_eq!(by_term.map(|v| v.n), Some(28));
    let by_year = indicator(
        &svc,
        &IndicatorKey::new(fitness_keys::PASS_RATE),
        &UnitRef::District,
        Period::SchoolYear(2025),
    )
    .await
    .unwrap();
    assert_eq!(by_year, by_term);
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
