//! Value-added, scopes and the parallel-class rule.
use super::*;

story!(value_added_from_the_baseline_gives_every_school_an_interval);
async fn value_added_from_the_baseline_gives_every_school_an_interval(store: &dyn Store) {
    let ids = setup(store).await;
    let base = store
        .create_exam(&new_exam(
            "四年级期末",
            date!(2024 - 06 - 20),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let exam = store
        .create_exam(&new_exam(
            "五年级期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            Some(base),
        ))
        .await
        .unwrap();
    // This term's 数学: the baseline plus a school effect (C +8, A 0, B −8) and a wobble, so
    // the raw mean residuals must order C > A > B.
    let prior = math();
    let mut now = math();
    for (c, (s, _)) in CLASSES.iter().enumerate() {
        let effect = match *s {
            "C001" => 8.0,
            "B001" => -8.0,
            _ => 0.0,
        };
        for i in 0..12 {
            if let S(x) = prior[c][i] {
                let wobble = [-2.0, 1.0, 0.5, -0.5, 2.0, -1.0][i % 6];
                now[c][i] = S((x * 0.9 + 5.0 + effect + wobble).clamp(0.0, 100.0));
            }
        }
    }
    // The exam first: its baseline has no marks yet, so there is nothing to match.
    store
        .import_exam_scores(&score_batch(exam, &["数学"], &[now]), &meta("now.xlsx"))
        .await
        .unwrap();
    let empty = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!((empty.n, empty.groups.len()), (0, 0));
    assert!(empty.message.is_some());
    // Importing the baseline recomputes the value-added of the exam measured from it.
    store
        .import_exam_scores(&score_batch(base, &["数学"], &[prior]), &meta("prior.xlsx"))
        .await
        .unwrap();
    let va = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!(
        (va.exam, va.baseline, va.level),
        (exam, base, ExamUnitKind::School)
    );
    assert!(va.model_label.contains("REML"));
    // Matched: everyone with a 数学 score in both (A 1班's 缺考 student in neither).
    assert_eq!(va.n, 59);
    assert_eq!(va.groups.len(), 3);
    assert_eq!(va.units.len(), 3);
    let mut est = HashMap::new();
    for (g, u) in va.groups.iter().zip(&va.units) {
        let code = [A, B, C]
            .into_iter()
            .find(|c| Some(ids.schools[c]) == u.school_id)
            .unwrap();
        assert_eq!(g.group, ids.schools[code].0.to_string());
        let matched = pooled(&prior, code)
            .iter()
            .filter(|m| m.score().is_some())
            .count();
        assert_eq!(g.n, matched, "{code}");
        let (lo, hi, mid) = (g.ci_low.unwrap(), g.ci_high.unwrap(), g.shrunken.unwrap());
        assert!(lo <= mid && mid <= hi, "{code}: {lo} {mid} {hi}");
        assert!(!g.suppressed);
        est.insert(code, g.estimate.unwrap());
    }
    assert!(est[C] > est[A] && est[A] > est[B], "{est:?}");
    assert!(va.coefficients.len() == 2 && va.sigma2.is_some() && va.tau2.is_some());

    // Classes of A: three groups; a school admin of B sees B only; 语文 was not sat in the
    // exam, and an exam without a baseline has no value-added.
    let classes = store
        .exam_value_added(
            &Scope::District,
            exam,
            "数学",
            ExamUnitKind::Class,
            Some(ids.schools[A]),
        )
        .await
        .unwrap();
    assert_eq!(classes.groups.len(), 3);
    assert!(
        classes
            .units
            .iter()
            .all(|u| u.school_id == Some(ids.schools[A]))
    );

    // Beside the parallel-class alerts: each event of this exam carries its class's
    // value-added (the class report's EB estimate); the baseline exam has none.
    let class_va: Vec<f64> = classes.groups.iter().filter_map(|g| g.shrunken).collect();
    let alerts = store
        .parallel_alerts(&Scope::District, Some(ids.schools[A]), 2024)
        .await
        .unwrap();
    let mut seen = 0;
    for t in alerts.iter().filter(|t| t.subject == "数学") {
        assert_eq!(t.event_value_added.len(), t.alert.events.len());
        for (e, va) in t.alert.events.iter().zip(&t.event_value_added) {
            if e.exam.starts_with("五年级期中") {
                let va = va.expect("the exam has a baseline");
                assert!(class_va.iter().any(|c| (c - va).abs() < 1e-12), "{va}");
                seen += 1;
            } else {
                assert_eq!(*va, None, "{}", e.exam);
            }
        }
    }
    assert!(seen > 0, "{alerts:?}");
    let own = store
        .exam_value_added(
            &Scope::School {
                school_id: ids.schools[B],
            },
            exam,
            "数学",
            ExamUnitKind::School,
            None,
        )
        .await
        .unwrap();
    assert_eq!(own.units.len(), 1);
    assert_eq!(own.units[0].school_id, Some(ids.schools[B]));
    assert!(matches!(
        store
            .exam_value_added(&Scope::District, base, "数学", ExamUnitKind::School, None)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .exam_value_added(&Scope::District, exam, "英语", ExamUnitKind::School, None)
            .await,
        Err(StoreError::NotFound)
    ));

    // 10 matched students at least for a unit: with va_min_n = 13 every school of 12 (B, C)
    // and every class is suppressed after a recompute; A (35 matched) keeps its estimate.
    let settings = ExamSettings {
        va_min_n: 13,
        ..ExamSettings::default()
    };
    store
        .set_setting(
            ExamSettings::KEY,
            &serde_json::to_string(&settings).unwrap(),
        )
        .await
        .unwrap();
    store.recompute_exam(exam).await.unwrap();
    let va = store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    for (g, u) in va.groups.iter().zip(&va.units) {
        let is_a = u.school_id == Some(ids.schools[A]);
        assert_eq!(g.suppressed, !is_a);
        assert_eq!(g.estimate.is_some(), is_a);
    }
}

story!(each_role_sees_what_its_scope_allows);
async fn each_role_sees_what_its_scope_allows(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期中",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("s.xlsx"),
        )
        .await
        .unwrap();
    let (a, b) = (ids.schools[A], ids.schools[B]);
    let c1 = ids.classes[&(A, "1班")];
    let c2 = ids.classes[&(A, "2班")];

    // A teacher of A 1班: the students of 1班 only, the school's aggregates for comparison.
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [c1].into(),
    };
    let mine = store.exam_students(&teacher, exam, a, None).await.unwrap();
    assert_eq!(mine.len(), 12);
    assert!(mine.iter().all(|r| r.class_id == c1));
    assert!(forbidden(
        store.exam_students(&teacher, exam, a, Some(c2)).await
    ));
    assert!(forbidden(
        store.exam_students(&teacher, exam, b, None).await
    ));
    assert_eq!(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Classes(a))
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(forbidden(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Classes(b))
            .await
    ));
    let schools = store
        .exam_unit_stats(&teacher, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].unit.school_id, Some(a));
    assert_eq!(
        store
            .exam_unit_stats(&teacher, exam, ExamUnitFilter::Overview)
            .await
            .unwrap()
            .len(),
        5
    );
    assert!(forbidden(store.parallel_alerts(&teacher, None, 2024).await));
    assert_eq!(store.list_exams(&teacher).await.unwrap().len(), 1);

    // A school admin of B: B's units, not A's classes or students; B's alerts.
    let admin_b = Scope::School { school_id: b };
    let schools = store
        .exam_unit_stats(&admin_b, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].unit.school_id, Some(b));
    assert!(forbidden(
        store
            .exam_unit_stats(&admin_b, exam, ExamUnitFilter::Classes(a))
            .await
    ));
    assert!(forbidden(
        store.exam_students(&admin_b, exam, a, None).await
    ));
    assert_eq!(
        store
            .exam_students(&admin_b, exam, b, None)
            .await
            .unwrap()
            .len(),
        12
    );
    assert!(store.parallel_alerts(&admin_b, None, 2024).await.is_ok());
    assert!(forbidden(
        store.parallel_alerts(&admin_b, Some(a), 2024).await
    ));
    assert!(forbidden(
        store
            .exam_value_added(&admin_b, exam, "数学", ExamUnitKind::Class, Some(a))
            .await
    ));

    // A parent: their child's marks without ranks, nothing else.
    let child = ids.students[&no(A, "1班", 0)];
    let parent = Scope::Parent {
        school_id: a,
        student_ids: [child].into(),
    };
    let history = store.student_exams(&parent, a, child).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].exam.id, exam);
    let m = history[0]
        .marks
        .iter()
        .find(|m| m.subject == "数学")
        .unwrap();
    assert_eq!(m.score, Some(95.0));
    assert!(
        history[0]
            .marks
            .iter()
            .all(|m| m.district_rank.is_none() && m.percentile.is_none())
    );
    let other = ids.students[&no(A, "1班", 1)];
    assert!(forbidden(store.student_exams(&parent, a, other).await));
    assert!(forbidden(
        store.exam_students(&parent, exam, a, Some(c1)).await
    ));
    assert!(forbidden(
        store
            .exam_unit_stats(&parent, exam, ExamUnitFilter::Overview)
            .await
    ));
    assert!(forbidden(store.list_exams(&parent).await));
    assert!(forbidden(store.parallel_alerts(&parent, None, 2024).await));
    // The district sees the same child with ranks.
    let full = store
        .student_exams(&Scope::District, a, child)
        .await
        .unwrap();
    let m = full[0].marks.iter().find(|m| m.subject == "数学").unwrap();
    assert!(m.district_rank.is_some());
    // A teacher sees a student of their class, not one of another class.
    assert_eq!(
        store.student_exams(&teacher, a, child).await.unwrap().len(),
        1
    );
    let in_c2 = ids.students[&no(A, "2班", 0)];
    assert!(forbidden(store.student_exams(&teacher, a, in_c2).await));

    // A counsellor: nothing.
    let counsellor = Scope::Counsellor { school_id: a };
    assert!(forbidden(store.list_exams(&counsellor).await));
    assert!(forbidden(store.exam(&counsellor, exam).await));
    assert!(forbidden(
        store
            .exam_unit_stats(&counsellor, exam, ExamUnitFilter::Schools)
            .await
    ));
    assert!(forbidden(
        store.exam_students(&counsellor, exam, a, None).await
    ));
    assert!(forbidden(store.student_exams(&counsellor, a, child).await));
    assert!(forbidden(
        store.exam_items(&counsellor, exam, "数学", None).await
    ));
    assert!(forbidden(
        store
            .exam_value_added(&counsellor, exam, "数学", ExamUnitKind::School, None)
            .await
    ));
    assert!(forbidden(
        store.parallel_alerts(&counsellor, None, 2024).await
    ));

    // A school that did not sit the exam does not see it.
    let other_exam = store
        .create_exam(&new_exam(
            "A校月考",
            date!(2024 - 10 - 08),
            &[("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let mut sheet = score_batch(other_exam, &["数学"], &[math()]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
    store
        .import_exam_scores(&sheet, &meta("a.xlsx"))
        .await
        .unwrap();
    assert!(forbidden(store.exam(&admin_b, other_exam).await));
    assert!(forbidden(
        store
            .exam_unit_stats(&admin_b, other_exam, ExamUnitFilter::Overview)
            .await
    ));
    assert_eq!(store.list_exams(&admin_b).await.unwrap().len(), 1);
    assert_eq!(store.list_exams(&Scope::District).await.unwrap().len(), 2);
    assert_eq!(
        store
            .list_exams(&Scope::School { school_id: a })
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        store.exam(&Scope::District, ExamId(999)).await,
        Err(StoreError::NotFound)
    ));
}

story!(the_parallel_class_rule_flags_a_teacher_below_the_parallel_average);
async fn the_parallel_class_rule_flags_a_teacher_below_the_parallel_average(store: &dyn Store) {
    let ids = setup(store).await;
    let a = ids.schools[A];
    // Eight 区级 数学 exams over 2022–2024. In each, 2班 (周老师) sits exactly at the average
    // of the three classes; 1班 (刘老师) is 3 points below it in five exams and 3 above in the
    // other three, with 3班 (吴老师) mirroring 1班.
    let below = [true, true, false, true, false, true, true, false];
    for (k, &is_below) in below.iter().enumerate() {
        let year = 2022 + (k as i32) / 3;
        let date = Date::from_calendar_date(year, time::Month::December, 1 + k as u8).unwrap();
        let mut e = new_exam(
            &format!("第{}次统考", k + 1),
            date,
            &[("数学", 100.0)],
            None,
        );
        e.term = Term::new(year as u16, TermPart::Autumn).unwrap();
        let exam = store.create_exam(&e).await.unwrap();
        let d = if is_below { -3.0 } else { 3.0 };
        let base = |i: usize| 60.0 + i as f64 * 2.0;
        let mut table = math();
        table[0] = std::array::from_fn(|i| S(base(i) + d));
        table[1] = std::array::from_fn(|i| S(base(i)));
        table[2] = std::array::from_fn(|i| S(base(i) - d));
        let mut sheet = score_batch(exam, &["数学"], &[table]);
        sheet
            .rows
            .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
        store
            .import_exam_scores(&sheet, &meta("统考.xlsx"))
            .await
            .unwrap();
    }
    // A 校级 exam marked by each teacher counts too (the plan: 校级或以上的检测). 1班 (11 of 12
    // sat) averages 68.73 against the three classes' 69.50: below; 2班 (64.96) below; 3班 above.
    let mut e = new_exam("校内小测", date!(2024 - 12 - 20), &[("数学", 100.0)], None);
    e.level = ExamLevel::School;
    let quiz = store.create_exam(&e).await.unwrap();
    let mut sheet = score_batch(quiz, &["数学"], &[math()]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{A}")));
    store
        .import_exam_scores(&sheet, &meta("小测.xlsx"))
        .await
        .unwrap();

    let alerts = store
        .parallel_alerts(&Scope::District, Some(a), 2024)
        .await
        .unwrap();
    let by: HashMap<&str, _> = alerts
        .iter()
        .map(|t| (t.teacher_name.as_str(), t))
        .collect();
    assert_eq!(alerts.len(), 3, "{:?}", by.keys().collect::<Vec<_>>());
    assert!(
        alerts
            .iter()
            .all(|t| t.subject == "数学" && t.school_id == a)
    );

    let liu = &by["刘老师"].alert;
    assert_eq!(liu.status, AlertStatus::Flagged);
    assert_eq!((liu.weighted_events, liu.weighted_below), (9.0, 6.0));
    assert_eq!(liu.events.len(), 9);
    let quiz_event = liu
        .events
        .iter()
        .find(|e| e.exam.starts_with("校内小测"))
        .unwrap();
    assert!(quiz_event.eligible);
    assert_eq!(
        (quiz_event.class_mean, quiz_event.parallel_average),
        (68.73, Some(69.5))
    );
    for ev in liu
        .events
        .iter()
        .filter(|e| e.eligible && !e.exam.starts_with("校内小测"))
    {
        assert_eq!((ev.n, ev.parallel_classes), (12, 3));
        let want = ev.parallel_average.unwrap() + if ev.below == Some(true) { -3.0 } else { 3.0 };
        assert!(close(ev.class_mean, want), "{ev:?}");
    }
    // At exactly the average in every 统考, below in the quiz: 1 of 9, not flagged.
    let zhou = &by["周老师"].alert;
    assert_eq!(zhou.status, AlertStatus::NotFlagged);
    assert_eq!(zhou.weighted_below, 1.0);
    assert!(
        zhou.events
            .iter()
            .filter(|e| e.eligible && !e.exam.starts_with("校内小测"))
            .all(|e| e.difference == Some(0.0))
    );
    // Below in 3 of 9: not flagged.
    let wu = &by["吴老师"].alert;
    assert_eq!(
        (wu.status, wu.weighted_below),
        (AlertStatus::NotFlagged, 3.0)
    );

    // The rule is the district's setting: counting only 区级 and above leaves the quiz out.
    let mut settings = store.district_settings().await.unwrap();
    settings.exam.parallel_rule.min_level = wuyu_analytics::compare::ExamLevel::District;
    store.set_district_settings(&settings).await.unwrap();
    let district_only = store
        .parallel_alerts(&Scope::District, Some(a), 2024)
        .await
        .unwrap();
    let liu = &district_only
        .iter()
        .find(|t| t.teacher_name == "刘老师")
        .unwrap()
        .alert;
    assert_eq!((liu.weighted_events, liu.weighted_below), (8.0, 5.0));
    let quiz_event = liu.events.iter().find(|e| !e.eligible).unwrap();
    assert_eq!(quiz_event.reason.as_deref(), Some("校级考试不计入"));
    settings.exam.parallel_rule = Default::default();
    store.set_district_settings(&settings).await.unwrap();

    // The school's admin sees the same; the cycle ending in 2022 has too few events.
    let admin = Scope::School { school_id: a };
    assert_eq!(
        store
            .parallel_alerts(&admin, None, 2024)
            .await
            .unwrap()
            .len(),
        3
    );
    let earlier = store.parallel_alerts(&admin, None, 2022).await.unwrap();
    let liu = earlier.iter().find(|t| t.teacher_name == "刘老师").unwrap();
    assert_eq!(liu.alert.status, AlertStatus::InsufficientEvents);
    // District-wide: B has no parallel classes and no exams here.
    let everyone = store
        .parallel_alerts(&Scope::District, None, 2024)
        .await
        .unwrap();
    assert_eq!(everyone.len(), 3);

    // The roster makes 3班 a 实验班: parallel classes are the same type, so 1班 is compared
    // with 2班 alone. Below in the five "below" 统考, above in the other three and in the quiz
    // (68.73 against 2班's 64.96): 5 of 9, no longer flagged.
    let mut typed = roster();
    typed.classes.retain(|c| c.school_code == code(A));
    typed.students.clear();
    typed.teachers.clear();
    typed.assignments.clear();
    typed.schools.clear();
    for c in &mut typed.classes {
        if c.name == "3班" {
            c.class_type = Some(wuyu_domain::ClassType::Experimental);
        }
    }
    store
        .import_roster(&typed, &meta("班级类型.xlsx"))
        .await
        .unwrap();
    let split = store
        .parallel_alerts(&Scope::District, Some(a), 2024)
        .await
        .unwrap();
    let liu = &split
        .iter()
        .find(|t| t.teacher_name == "刘老师")
        .unwrap()
        .alert;
    assert_eq!((liu.weighted_events, liu.weighted_below), (9.0, 5.0));
    assert_eq!(liu.status, AlertStatus::NotFlagged);
    assert!(liu.events.iter().all(|e| e.parallel_classes == 2));
    // 3班 has no class of its type: no comparison at all.
    let wu = &split
        .iter()
        .find(|t| t.teacher_name == "吴老师")
        .map(|t| &t.alert);
    assert!(wu.is_none_or(|w| w.weighted_events == 0.0), "{wu:?}");
}
