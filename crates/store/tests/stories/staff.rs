//! Teachers in the store (issue 14), on both backends: training and titles by reader (district,
//! school, the teacher themselves); a school's appraisal drafted with levels from
//! `wuyu_analytics::appraisal`, frozen by its 公示, approved only after the 公示's last day, an
//! appeal of 基本合格 recorded and answered, the result confirmed by the teacher; every read of
//! appraisal rows and every step audited.
use wuyu_analytics::appraisal::{AppraisalCase, AppraisalRules, Level, UnitRating, appraise};
use wuyu_domain::{SchoolId, Scope, TeacherId};
use wuyu_store::staff::*;
use wuyu_store::{AuditEntry, Store, StoreError};
use wuyu_testkit::{district, story};

fn audit(action: &str, at: i64) -> AuditEntry {
    AuditEntry {
        at,
        user_id: None,
        username: "校管理员".into(),
        action: action.into(),
        school_id: None,
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    }
}

async fn teacher(store: &dyn Store, school: SchoolId, staff_no: &str) -> TeacherId {
    store
        .list_assignments(&Scope::District, school)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.staff_no == staff_no)
        .map(|t| t.teacher_id)
        .unwrap()
}

fn course(t: TeacherId, name: &str, on: &str, hours: f64, level: TrainingLevel) -> NewTraining {
    NewTraining {
        teacher_id: t,
        course: name.into(),
        taken_on: on.into(),
        hours,
        level,
        provider: "区教师发展中心".into(),
    }
}

async fn last_audit(store: &dyn Store) -> String {
    store.list_audit(1).await.unwrap()[0].entry.action.clone()
}

async fn training_and_titles_by_reader(store: &dyn Store) {
    let ids = district::load(store).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let (t01, t02, t11) = (
        teacher(store, a, "T01").await,
        teacher(store, a, "T02").await,
        teacher(store, b, "T11").await,
    );
    let rows = [
        course(
            t01,
            "新课标解读",
            "2024-03-02",
            12.0,
            TrainingLevel::General,
        ),
        course(t01, "骨干教师研修", "2024-07-10", 40.0, TrainingLevel::Key),
    ];
    assert_eq!(
        store
            .import_training(a, &rows, &audit("import_training", 1))
            .await
            .unwrap(),
        2
    );
    store
        .import_training(
            b,
            &[course(
                t11,
                "高端研修",
                "2024-08-01",
                80.0,
                TrainingLevel::Advanced,
            )],
            &audit("import_training", 2),
        )
        .await
        .unwrap();
    // The same course on the same day again replaces it.
    let again = [course(
        t01,
        "新课标解读",
        "2024-03-02",
        16.0,
        TrainingLevel::General,
    )];
    store
        .import_training(a, &again, &audit("import_training", 3))
        .await
        .unwrap();

    let all = store.training(StaffReader::District).await.unwrap();
    assert_eq!(all.len(), 3);
    let hours: f64 = all
        .iter()
        .filter(|r| r.teacher_id == t01)
        .map(|r| r.hours)
        .sum();
    assert_eq!(hours, 56.0);
    let school = store.training(StaffReader::School(a)).await.unwrap();
    assert!(
        school.len() == 2
            && school
                .iter()
                .all(|r| r.school_id == a && r.staff_no == "T01")
    );
    assert_eq!(
        store.training(StaffReader::Teacher(a, t02)).await.unwrap(),
        vec![]
    );
    let own = store.training(StaffReader::Teacher(a, t01)).await.unwrap();
    assert_eq!(own.len(), 2);

    // A training of a teacher of another school is refused whole: nothing of the batch lands.
    let bad = [
        course(t02, "班主任培训", "2024-09-01", 8.0, TrainingLevel::General),
        course(t11, "跨校", "2024-09-01", 8.0, TrainingLevel::General),
    ];
    assert!(
        store
            .import_training(a, &bad, &audit("import_training", 4))
            .await
            .is_err()
    );
    assert_eq!(
        store.training(StaffReader::Teacher(a, t02)).await.unwrap(),
        vec![]
    );

    let title = NewTitle {
        teacher_id: t01,
        title: TitleKind::KeyTeacher,
        level: TitleLevel::District,
        year: 2023,
    };
    store
        .import_titles(a, std::slice::from_ref(&title), &audit("import_titles", 5))
        .await
        .unwrap();
    store
        .import_titles(a, &[title], &audit("import_titles", 6))
        .await
        .unwrap();
    let titles = store.titles(StaffReader::District).await.unwrap();
    assert_eq!(titles.len(), 1);
    assert_eq!(
        (titles[0].title, titles[0].level, titles[0].year),
        (TitleKind::KeyTeacher, TitleLevel::District, 2023)
    );
    assert!(
        store
            .titles(StaffReader::School(b))
            .await
            .unwrap()
            .is_empty()
    );
}

fn case(no: &str, score: f64) -> AppraisalCase {
    AppraisalCase {
        school: "S001".into(),
        unit_rating: UnitRating::Normal,
        staff_no: no.into(),
        score: Some(score),
        org_score: Some(score),
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
    }
}

async fn an_appraisal_from_draft_to_confirmation(store: &dyn Store) {
    let ids = district::load(store).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let (t01, t02) = (
        teacher(store, a, "T01").await,
        teacher(store, a, "T02").await,
    );
    let cases = [case("T01", 92.0), case("T02", 55.5)];
    let out = appraise(&cases, &AppraisalRules::default()).unwrap();
    assert_eq!(out[1].level, Level::Basic);
    let input = |t: TeacherId, c: &AppraisalCase, level: Level| AppraisalInput {
        teacher_id: t,
        score: c.score,
        org_score: c.org_score,
        // A composed row: its raw peer ratings, the sources and the weights used (no parent
        // source: re-normalised) come back as stored, on both backends.
        sources: ScoreSources {
            score_basis: ScoreBasis::Composed,
            peer_ratings: vec![90.0, 85.0, 70.0, 92.0, 88.5],
            peer_score: Some(263.5 / 3.0),
            parent_score: None,
            teaching_score: Some(62.5),
            teaching_basis: Some(wuyu_analytics::appraisal::TeachingBasis::ValueAdded),
            teaching_value_added: Some(0.125),
            workload_score: Some(75.0),
            weights: Some([0.5, 0.3, 0.0, 0.1, 0.1]),
            missing: vec![wuyu_analytics::appraisal::SourceKind::Parent],
            renormalised: true,
            // The five ratings came from a colleagues' 师德 round: its id is kept beside them.
            parent_survey: None,
            peer_survey: Some(wuyu_store::staff::SurveySource {
                questionnaire_id: 7,
                n: 5,
            }),
        },
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
        level,
        committee_reason: None,
    };
    let draft = NewAppraisal {
        school_id: a,
        school_year: 2024,
        unit_rating: UnitRating::Normal,
        n_base: out[0].n_base as u32,
        cap: out[0].cap as u32,
        rows: vec![
            input(t01, &cases[0], out[0].level),
            input(t02, &cases[1], out[1].level),
        ],
    };
    store
        .save_appraisal(&draft, &audit("save_appraisal", 10))
        .await
        .unwrap();
    // Saving again replaces the draft.
    store
        .save_appraisal(&draft, &audit("save_appraisal", 11))
        .await
        .unwrap();

    let school = store
        .appraisal(
            StaffReader::School(a),
            a,
            2024,
            &audit("read_appraisal", 12),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last_audit(store).await, "read_appraisal");
    assert_eq!(school.rows.len(), 2);
    assert_eq!(
        (school.round.n_base, school.round.cap, school.round.state),
        (2, 0, AppraisalState::Draft)
    );
    assert_eq!(school.rows[1].input, draft.rows[1]);
    let own = store
        .appraisal(
            StaffReader::Teacher(a, t02),
            a,
            2024,
            &audit("read_own_appraisal", 13),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(own.rows.len(), 1);
    assert_eq!(own.rows[0].staff_no, "T02");
    let e = store
        .appraisal(
            StaffReader::School(b),
            a,
            2024,
            &audit("read_appraisal", 14),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    assert!(
        store
            .appraisal(StaffReader::District, b, 2024, &audit("read_appraisal", 15))
            .await
            .unwrap()
            .is_none()
    );

    // Nothing to appeal or confirm in a draft.
    let e = store
        .appeal_appraisal(a, 2024, t02, "得分计算有误", &audit("appeal", 16))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");

    // 公示 freezes the proposal.
    store
        .advance_appraisal(
            a,
            2024,
            AppraisalState::Publicity,
            Some("2024-07-12"),
            "2024-07-05",
            &audit("publicise", 17),
        )
        .await
        .unwrap();
    let e = store
        .save_appraisal(&draft, &audit("save_appraisal", 18))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let e = store
        .confirm_appraisal(a, 2024, t02, &audit("confirm", 19))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");

    // Appeals: only of 基本合格 / 不合格, once.
    let e = store
        .appeal_appraisal(a, 2024, t01, "申请复核", &audit("appeal", 20))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
    store
        .appeal_appraisal(a, 2024, t02, "课时量统计漏了第二学期", &audit("appeal", 21))
        .await
        .unwrap();
    let e = store
        .appeal_appraisal(a, 2024, t02, "再次申诉", &audit("appeal", 22))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");

    // Approval only after the 公示's last day.
    let e = store
        .advance_appraisal(
            a,
            2024,
            AppraisalState::Approved,
            None,
            "2024-07-12",
            &audit("approve", 23),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
    store
        .advance_appraisal(
            a,
            2024,
            AppraisalState::Approved,
            None,
            "2024-07-15",
            &audit("approve", 24),
        )
        .await
        .unwrap();
    let e = store
        .advance_appraisal(
            a,
            2024,
            AppraisalState::Draft,
            None,
            "2024-07-16",
            &audit("reopen", 25),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    assert_eq!(last_audit(store).await, "approve");

    store
        .answer_appeal(
            a,
            2024,
            t02,
            "经复核，课时量已补录，等次维持基本合格",
            &audit("answer_appeal", 26),
        )
        .await
        .unwrap();
    store
        .confirm_appraisal(a, 2024, t02, &audit("confirm", 27))
        .await
        .unwrap();
    let own = store
        .appraisal(
            StaffReader::Teacher(a, t02),
            a,
            2024,
            &audit("read_own_appraisal", 28),
        )
        .await
        .unwrap()
        .unwrap();
    let appeal = own.rows[0].appeal.clone().unwrap();
    assert_eq!(appeal.text, "课时量统计漏了第二学期");
    assert_eq!(appeal.at, 21);
    assert_eq!(
        appeal.answer.as_deref(),
        Some("经复核，课时量已补录，等次维持基本合格")
    );
    assert_eq!(appeal.answered_by.as_deref(), Some("校管理员"));
    assert_eq!(own.rows[0].confirmed_at, Some(27));
    assert_eq!(own.round.state, AppraisalState::Approved);
    assert_eq!(own.round.publicity_until.as_deref(), Some("2024-07-12"));

    let rounds = store
        .appraisal_rounds(StaffReader::District, 2024)
        .await
        .unwrap();
    assert_eq!(rounds.len(), 1);
    assert!(
        store
            .appraisal_rounds(StaffReader::School(b), 2024)
            .await
            .unwrap()
            .is_empty()
    );
}

story!(training_and_titles_by_reader);
story!(an_appraisal_from_draft_to_confirmation);
