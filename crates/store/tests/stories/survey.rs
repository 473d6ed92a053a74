//! Surveys in the store (issue 15), on both backends: a questionnaire is drafted, published,
//! answered anonymously through per-school links, revised into a new version without touching
//! the answers already given, and closed; bad responses are refused with nothing stored; the
//! answers come back per school within the caller's scope and feed the §7 statistics.
use wuyu_analytics::satisfaction::{Answer, MinRespondents, Tally};
use wuyu_domain::{
    ClassId, NewQuestionnaire, QuestionnaireStatus, SchoolId, Scope, SurveyAudience, SurveyItem,
};
use wuyu_store::{Store, StoreError};
use wuyu_testkit::{district, story};

fn item(code: &str, text: &str, reverse: bool, allow_unknown: bool) -> SurveyItem {
    SurveyItem {
        code: code.into(),
        text: text.into(),
        reverse,
        allow_unknown,
        scale: Some("学校满意度".into()),
        kind: wuyu_domain::ItemKind::Likert,
        required: false,
    }
}

fn parents_form() -> NewQuestionnaire {
    NewQuestionnaire {
        title: "2024 学年家长满意度调查".into(),
        audience: SurveyAudience::Parents,
        about: wuyu_domain::SurveyAbout::School,
        items: vec![
            item("Q1", "您对学校的总体满意度", false, true),
            item("Q2", "您对课后服务的满意度", false, false),
            item("Q3", "孩子的课业负担过重", true, true),
        ],
    }
}

fn p(k: u8) -> Answer {
    Answer::Point(k)
}

async fn count(store: &dyn Store, q: i64) -> usize {
    store
        .survey_answers(&Scope::District, q)
        .await
        .unwrap()
        .iter()
        .map(|s| s.responses())
        .sum()
}

async fn a_survey_is_answered_per_school_and_versioned(store: &dyn Store) {
    let ids = district::load(store).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let q = store
        .create_questionnaire(&parents_form(), 1_000)
        .await
        .unwrap();
    let draft = store.questionnaire(q).await.unwrap();
    assert_eq!(
        (draft.version, draft.status),
        (1, QuestionnaireStatus::Draft)
    );
    assert_eq!(draft.items, parents_form().items);

    // A draft has no links; a published one does.
    let e = store
        .create_survey_link(q, a, None, "link-a")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    store
        .set_questionnaire_status(q, QuestionnaireStatus::Published)
        .await
        .unwrap();
    store
        .create_survey_link(q, a, None, "link-a")
        .await
        .unwrap();
    store
        .create_survey_link(q, b, None, "link-b")
        .await
        .unwrap();
    let e = store
        .create_survey_link(q, b, None, "link-a")
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict(_)),
        "a token is one link: {e:?}"
    );
    // A class's link: only a class of that school.
    let class = ClassId(ids.class_a7_1);
    let e = store
        .create_survey_link(q, b, Some(class), "link-wrong-class")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
    store
        .create_survey_link(q, a, Some(class), "link-a7-1")
        .await
        .unwrap();
    let link = store.survey_link("link-a").await.unwrap().unwrap();
    assert_eq!(
        (link.questionnaire.id, link.school_id, link.class_id),
        (q, a, None)
    );
    let link = store.survey_link("link-a7-1").await.unwrap().unwrap();
    assert_eq!((link.school_id, link.class_id), (a, Some(class)));
    assert!(store.survey_link("no-such-link").await.unwrap().is_none());
    let links = store
        .survey_links(&Scope::School { school_id: a }, q, a)
        .await
        .unwrap();
    assert_eq!(
        links,
        [
            ("link-a".to_string(), None),
            ("link-a7-1".into(), Some(class))
        ]
    );
    assert!(matches!(
        store
            .survey_links(&Scope::School { school_id: b }, q, a)
            .await,
        Err(StoreError::Forbidden)
    ));

    // 31 parents of A (30 satisfied with Q1, one 不了解), 12 of B.
    for i in 0..31 {
        let q1 = if i == 0 {
            Answer::Unknown
        } else {
            p(4 + (i % 2) as u8)
        };
        store
            .submit_survey_response("link-a", &[q1, p(3), p(2)], 2_000 + i)
            .await
            .unwrap();
    }
    for i in 0..12 {
        store
            .submit_survey_response(
                "link-b",
                &[p(2), p(1 + (i % 5) as u8), Answer::Blank],
                3_000,
            )
            .await
            .unwrap();
    }
    assert_eq!(count(store, q).await, 43);
    assert!(
        store
            .survey_class_answers(&Scope::District, q)
            .await
            .unwrap()
            .is_empty(),
        "school links carry no class"
    );

    // Refused, and nothing stored: 不了解 where the item does not offer it, a wrong number of
    // answers, an empty form, an unknown link.
    for (answers, why) in [
        (vec![p(5), Answer::Unknown, p(1)], "不在选项之中"),
        (vec![p(5), p(4)], "题数"),
        (vec![Answer::Blank; 3], "没有作答"),
    ] {
        match store
            .submit_survey_response("link-a", &answers, 4_000)
            .await
        {
            Err(StoreError::Refused(m)) => assert!(m.contains(why), "{m}"),
            other => panic!("{answers:?} should be refused, got {other:?}"),
        }
    }
    let e = store
        .submit_survey_response("guessed", &[p(5), p(5), p(5)], 4_000)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
    assert_eq!(count(store, q).await, 43);

    // The district sees both schools, school B's admin only B, a teacher nothing.
    let all = store.survey_answers(&Scope::District, q).await.unwrap();
    let per: Vec<(SchoolId, usize)> = all.iter().map(|s| (s.school_id, s.responses())).collect();
    let mut want = vec![(a, 31), (b, 12)];
    want.sort_by_key(|w| w.0.0);
    assert_eq!(per, want);
    let only_b = store
        .survey_answers(&Scope::School { school_id: b }, q)
        .await
        .unwrap();
    assert_eq!(only_b.len(), 1);
    assert_eq!((only_b[0].school_id, only_b[0].responses()), (b, 12));
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [ClassId(ids.class_a7_1)].into(),
    };
    assert!(matches!(
        store.survey_answers(&teacher, q).await,
        Err(StoreError::Forbidden)
    ));

    // Through the §7 statistics: A's Q1 has 30 valid answers (the 不了解 is out of n), all
    // satisfied, so it is reported; B's 12 parents are under the minimum of 30.
    let tally = |s: &wuyu_store::SchoolAnswers, j: usize| {
        Tally::from_answers(s.answers.chunks_exact(s.items).map(|row| row[j]))
    };
    let min = MinRespondents::new(SurveyAudience::Parents.min_respondents());
    let school_a = all.iter().find(|s| s.school_id == a).unwrap();
    let r = tally(school_a, 0).report(min);
    let s = r.stats.expect("30 valid answers are reported");
    assert_eq!((s.n, s.unknown), (30, 1));
    assert_eq!(s.top2_rate, 1.0);
    let school_b = all.iter().find(|s| s.school_id == b).unwrap();
    assert!(tally(school_b, 0).report(min).suppressed());

    // Editing the published questionnaire makes version 2, a draft; version 1 keeps its
    // answers and stays open. A draft is edited in place.
    let mut edited = parents_form();
    edited.items[1].text = "您对学校课后服务的满意度".into();
    let v2 = store.revise_questionnaire(q, &edited, 5_000).await.unwrap();
    assert_ne!(v2, q);
    let new = store.questionnaire(v2).await.unwrap();
    assert_eq!(
        (new.version, new.previous_id, new.status),
        (2, Some(q), QuestionnaireStatus::Draft)
    );
    let old = store.questionnaire(q).await.unwrap();
    assert_eq!(old.items, parents_form().items);
    assert_eq!(old.status, QuestionnaireStatus::Published);
    assert_eq!(count(store, q).await, 43);
    edited.title = "2024 学年家长满意度调查（修订）".into();
    assert_eq!(
        store
            .revise_questionnaire(v2, &edited, 5_100)
            .await
            .unwrap(),
        v2
    );
    assert_eq!(store.questionnaire(v2).await.unwrap().title, edited.title);
    let listed: Vec<i64> = store
        .list_questionnaires()
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(listed, [v2, q]);

    // Through the class's link: counted for the school and for the class, and only there.
    for k in [5, 4] {
        store
            .submit_survey_response("link-a7-1", &[p(k), p(k), p(1)], 5_200)
            .await
            .unwrap();
    }
    assert_eq!(count(store, q).await, 45);
    let classes = store
        .survey_class_answers(&Scope::School { school_id: a }, q)
        .await
        .unwrap();
    assert_eq!(classes.len(), 1);
    assert_eq!((classes[0].school_id, classes[0].class_id), (a, class));
    assert_eq!(classes[0].answers, [p(5), p(5), p(1), p(4), p(4), p(1)]);
    assert!(
        store
            .survey_class_answers(&Scope::School { school_id: b }, q)
            .await
            .unwrap()
            .is_empty()
    );

    // Closed: no more answers, and no way back.
    store
        .set_questionnaire_status(q, QuestionnaireStatus::Closed)
        .await
        .unwrap();
    match store
        .submit_survey_response("link-b", &[p(5), p(5), p(5)], 6_000)
        .await
    {
        Err(StoreError::Refused(m)) => assert!(m.contains("已结束"), "{m}"),
        other => panic!("closed survey should refuse, got {other:?}"),
    }
    assert_eq!(count(store, q).await, 45);
    for back in [QuestionnaireStatus::Draft, QuestionnaireStatus::Published] {
        assert!(matches!(
            store.set_questionnaire_status(q, back).await,
            Err(StoreError::Conflict(_))
        ));
    }

    // An invalid form is refused before anything is stored.
    let mut bad = parents_form();
    bad.items[2].code = "Q1".into();
    match store.create_questionnaire(&bad, 7_000).await {
        Err(StoreError::Refused(m)) => assert!(m.contains("重复"), "{m}"),
        other => panic!("duplicate codes should be refused, got {other:?}"),
    }
    assert_eq!(store.list_questionnaires().await.unwrap().len(), 2);
}

story!(a_survey_is_answered_per_school_and_versioned);

/// One-time codes: issued per school and class of a published questionnaire only; each answers
/// once, a second use and an unknown code store nothing; the counts give the response rate and
/// a school admin reads only their school's codes.
async fn one_time_codes_answer_once(store: &dyn Store) {
    let ids = district::load(store).await;
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let class = ClassId(ids.class_a7_1);
    let q = store
        .create_questionnaire(&parents_form(), 1_000)
        .await
        .unwrap();
    let codes: Vec<String> = ["AAAA1", "AAAA2", "AAAA3"].map(String::from).to_vec();
    let e = store
        .issue_survey_codes(q, a, Some(class), None, &codes, 1_100)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "draft: {e:?}");
    store
        .set_questionnaire_status(q, QuestionnaireStatus::Published)
        .await
        .unwrap();
    store
        .issue_survey_codes(q, a, Some(class), None, &codes, 1_200)
        .await
        .unwrap();
    // A batch with a taken code is refused whole.
    let clash: Vec<String> = ["BBBB1", "AAAA1"].map(String::from).to_vec();
    assert!(matches!(
        store
            .issue_survey_codes(q, b, None, None, &clash, 1_300)
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .issue_survey_codes(q, b, None, None, &["BBBB1".to_string()], 1_300)
        .await
        .unwrap();

    let open = store.survey_code("AAAA1").await.unwrap().unwrap();
    assert_eq!(
        (
            open.questionnaire.id,
            open.school_id,
            open.used,
            open.teacher_id
        ),
        (q, a, false, None)
    );
    assert!(store.survey_code("ZZZZ9").await.unwrap().is_none());

    store
        .submit_survey_code("AAAA1", &[p(5), p(4), p(2)], 2_000)
        .await
        .unwrap();
    match store
        .submit_survey_code("AAAA1", &[p(1), p(1), p(1)], 2_100)
        .await
    {
        Err(StoreError::Refused(m)) => assert!(m.contains("已经使用"), "{m}"),
        other => panic!("a used code must be refused, got {other:?}"),
    }
    assert!(matches!(
        store
            .submit_survey_code("ZZZZ9", &[p(1), p(1), p(1)], 2_100)
            .await,
        Err(StoreError::NotFound)
    ));
    // 不了解 on an item without it: refused, and the code stays unused.
    assert!(matches!(
        store
            .submit_survey_code("AAAA2", &[p(5), Answer::Unknown, p(2)], 2_200)
            .await,
        Err(StoreError::Refused(_))
    ));
    assert!(!store.survey_code("AAAA2").await.unwrap().unwrap().used);
    assert!(store.survey_code("AAAA1").await.unwrap().unwrap().used);

    let answers = store.survey_answers(&Scope::District, q).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].answers, [p(5), p(4), p(2)]);
    // The code was issued for a class: its response counts for that class too.
    let classes = store
        .survey_class_answers(&Scope::District, q)
        .await
        .unwrap();
    assert_eq!(classes.len(), 1);
    assert_eq!((classes[0].school_id, classes[0].class_id), (a, class));
    assert_eq!(classes[0].answers, [p(5), p(4), p(2)]);

    let counts = store.survey_code_counts(&Scope::District, q).await.unwrap();
    let by: Vec<(SchoolId, usize, usize)> = counts
        .iter()
        .map(|c| (c.school_id, c.issued, c.used))
        .collect();
    assert_eq!(by, [(a, 3, 1), (b, 1, 0)]);

    let admin_a = Scope::School { school_id: a };
    let sheet = store.survey_codes(&admin_a, q, a).await.unwrap();
    assert_eq!(sheet.len(), 3);
    assert!(sheet.iter().all(|c| c.class_id == Some(class)));
    assert_eq!(sheet.iter().filter(|c| c.used).count(), 1);
    assert!(matches!(
        store.survey_codes(&admin_a, q, b).await,
        Err(StoreError::Forbidden)
    ));
    assert_eq!(
        store.survey_code_counts(&admin_a, q).await.unwrap().len(),
        1
    );

    // Closed: a fresh code no longer answers.
    store
        .set_questionnaire_status(q, QuestionnaireStatus::Closed)
        .await
        .unwrap();
    match store
        .submit_survey_code("AAAA3", &[p(5), p(5), p(5)], 3_000)
        .await
    {
        Err(StoreError::Refused(m)) => assert!(m.contains("已结束"), "{m}"),
        other => panic!("closed survey should refuse, got {other:?}"),
    }
    assert!(!store.survey_code("AAAA3").await.unwrap().unwrap().used);
}

story!(one_time_codes_answer_once);
