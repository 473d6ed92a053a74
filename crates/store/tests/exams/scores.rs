//! Score sheets: hand-computed statistics, rejected sheets, re-imports.
use super::*;

story!(an_exam_import_gives_the_numbers_a_teacher_computes_by_hand);
async fn an_exam_import_gives_the_numbers_a_teacher_computes_by_hand(store: &dyn Store) {
    let ids = setup(store).await;
    assert_eq!(
        store.exam_settings().await.unwrap(),
        ExamSettings::default()
    );
    let exam = store
        .create_exam(&new_exam(
            "五年级期中质量检测",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    let summary = store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("期中成绩.xlsx"),
        )
        .await
        .unwrap();
    // 60 students, 120 cells minus one blank; 2 缺考.
    assert_eq!(
        (
            summary.students,
            summary.marks,
            summary.absent,
            summary.schools
        ),
        (60, 119, 2, 3)
    );
    let imports = store.list_imports(5).await.unwrap();
    assert_eq!(imports[0].kind, "exam_scores");
    assert_eq!(imports[0].file_name, "期中成绩.xlsx");

    let listed = store.list_exams(&Scope::District).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].schools, listed[0].students, listed[0].has_items),
        (3, 60, false)
    );
    assert_eq!(listed[0].exam.subjects[1].name, "数学");
    let e = store.exam(&Scope::District, exam).await.unwrap();
    assert_eq!(
        (e.name.as_str(), e.date),
        ("五年级期中质量检测", date!(2024 - 11 - 12))
    );

    // School A in 数学 and 语文: the three classes pooled.
    let schools = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    assert_eq!(schools.len(), 3);
    let unit = |code: &str| {
        schools
            .iter()
            .find(|u| u.unit.school_id == Some(ids.schools[code]))
            .unwrap()
    };
    assert_eq!(unit(A).unit.name, "城关第一小学");
    assert_stat(subject(unit(A), "数学"), &hand(&pooled(&math(), A), 100.0));
    assert_stat(
        subject(unit(A), "语文"),
        &hand(&pooled(&chinese(), A), 120.0),
    );
    assert_stat(
        subject(unit(B), "语文"),
        &hand(&pooled(&chinese(), B), 120.0),
    );
    assert_stat(
        subject(unit(C), "语文"),
        &hand(&pooled(&chinese(), C), 120.0),
    );

    // Ranks of the schools by 数学 mean, and gaps to the best and to the district.
    let district_math = hand(&all(&math()), 100.0).mean;
    let mut means: Vec<(f64, &str)> = [A, B, C]
        .iter()
        .map(|c| (hand(&pooled(&math(), c), 100.0).mean, *c))
        .collect();
    means.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rank, (mean, c)) in means.iter().enumerate() {
        let st = subject(unit(c), "数学");
        assert_eq!(st.rank, Some(rank as u32 + 1), "{c}");
        assert!(close(st.gap_to_best.unwrap(), mean - means[0].0));
        assert!(close(st.gap_to_district.unwrap(), mean - district_math));
        assert_eq!(st.histogram.iter().sum::<u32>() as usize, st.rates.n);
    }
    // Histogram of C's 数学: 100 goes into the last bin with 90–99.5.
    let c_math: Vec<f64> = pooled(&math(), C)
        .iter()
        .filter_map(|m| m.score())
        .collect();
    let mut bins = vec![0u32; 10];
    for x in &c_math {
        bins[((x / 10.0).floor() as usize).min(9)] += 1;
    }
    assert_eq!(subject(unit(C), "数学").histogram, bins);

    // Classes of A: 1班 has one 缺考 in 数学, excluded from every rate; 参考率 11/12.
    let classes = store
        .exam_unit_stats(
            &Scope::District,
            exam,
            ExamUnitFilter::Classes(ids.schools[A]),
        )
        .await
        .unwrap();
    assert_eq!(classes.len(), 3);
    let class1 = classes
        .iter()
        .find(|u| u.unit.class_id == Some(ids.classes[&(A, "1班")]))
        .unwrap();
    assert_eq!(class1.unit.kind, ExamUnitKind::Class);
    assert_eq!(class1.unit.name, "1班");
    assert_stat(subject(class1, "数学"), &hand(&math()[0], 100.0));
    assert_eq!(
        class1.teachers,
        vec![
            ("语文".to_string(), vec!["郑老师".to_string()]),
            ("数学".to_string(), vec!["刘老师".to_string()]),
        ]
    );
    // 1班 数学 median (type 7) of the 11 scores: the 6th smallest.
    let mut sorted: Vec<f64> = math()[0].iter().filter_map(|m| m.score()).collect();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(subject(class1, "数学").median, Some(sorted[5]));
    assert_eq!(subject(class1, "数学").min, Some(sorted[0]));
    // Class ranks among the school's grade-5 classes by 数学 mean.
    let mut cm: Vec<(f64, ClassId)> = (0..3)
        .map(|c| (hand(&math()[c], 100.0).mean, ids.classes[&CLASSES[c]]))
        .collect();
    cm.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rank, (_, id)) in cm.iter().enumerate() {
        let u = classes
            .iter()
            .find(|u| u.unit.class_id == Some(*id))
            .unwrap();
        assert_eq!(subject(u, "数学").rank, Some(rank as u32 + 1));
    }

    // 总分 of 1班: the student absent in 数学 is excluded; the other 11 totals are summed.
    let totals: Vec<M> = (0..12)
        .map(|i| match (chinese()[0][i], math()[0][i]) {
            (S(a), S(b)) => S(a + b),
            _ => Na,
        })
        .collect();
    let t = subject(class1, TOTAL);
    assert_eq!(
        (t.rates.n, t.rates.excluded, t.rates.full_marks),
        (11, 1, 220.0)
    );
    assert!(close(t.rates.mean.unwrap(), hand(&totals, 220.0).mean));
    assert_eq!(t.rates.excellent_count, hand(&totals, 220.0).excellent);

    // Overview: district, 城区, 农村, 小学, 九年一贯制.
    let overview = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
        .await
        .unwrap();
    let kinds: Vec<(ExamUnitKind, &str)> = overview
        .iter()
        .map(|u| (u.unit.kind, u.unit.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ExamUnitKind::District, "全区"),
            (ExamUnitKind::Location, "城区"),
            (ExamUnitKind::Location, "农村"),
            (ExamUnitKind::Stage, "小学"),
            (ExamUnitKind::Stage, "九年一贯制"),
        ]
    );
    assert_stat(subject(&overview[0], "数学"), &hand(&all(&math()), 100.0));
    let urban: Vec<M> = [pooled(&math(), A), pooled(&math(), C)].concat();
    assert_stat(subject(&overview[1], "数学"), &hand(&urban, 100.0));
    assert_eq!(
        subject(&overview[0], "数学").rank,
        None,
        "the district is not ranked"
    );

    // Students of 1班 with their standing in the district's 数学.
    let rows = store
        .exam_students(
            &Scope::District,
            exam,
            ids.schools[A],
            Some(ids.classes[&(A, "1班")]),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 12);
    let district: Vec<f64> = all(&math()).iter().filter_map(|m| m.score()).collect();
    let n = district.len() as f64;
    let mu = district.iter().sum::<f64>() / n;
    let sigma = (district.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / n).sqrt();
    for (i, m) in math()[0].iter().enumerate() {
        let r = rows
            .iter()
            .find(|r| r.student_no == no(A, "1班", i))
            .unwrap();
        assert_eq!(r.student_id, ids.students[&no(A, "1班", i)]);
        let mark = r.subjects.iter().find(|s| s.subject == "数学").unwrap();
        match m {
            S(x) => {
                let z = (x - mu) / sigma;
                assert_eq!(mark.score, Some(*x));
                assert!(close(mark.z.unwrap(), z));
                assert!(close(mark.t.unwrap(), 50.0 + 10.0 * z));
                let below = district.iter().filter(|&&d| d < *x).count() as f64;
                let equal = district.iter().filter(|&&d| d == *x).count() as f64;
                assert!(close(
                    mark.percentile.unwrap(),
                    100.0 * (below + 0.5 * equal) / n
                ));
                let above = district.iter().filter(|&&d| d > *x).count() as u32;
                assert_eq!(mark.district_rank, Some(above + 1));
                let want = if (75.0..80.0).contains(x) {
                    Some(Borderline::Excellent)
                } else if (55.0..60.0).contains(x) {
                    Some(Borderline::Pass)
                } else {
                    None
                };
                assert_eq!(mark.borderline, want, "数学 {x}");
            }
            _ => {
                assert!(mark.absent);
                assert_eq!((mark.score, mark.z, mark.district_rank), (None, None, None));
            }
        }
    }
    // The 缺考 student has no 总分 either; a student with both subjects has their sum.
    let absent = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 11))
        .unwrap();
    let total = absent.subjects.iter().find(|s| s.subject == TOTAL).unwrap();
    assert_eq!((total.score, total.absent), (None, false));
    let first = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 0))
        .unwrap();
    let total = first.subjects.iter().find(|s| s.subject == TOTAL).unwrap();
    assert_eq!(total.score, Some(110.0 + 95.0));

    // C's student without a 语文 mark did not take it: no score, not absent.
    let c_rows = store
        .exam_students(&Scope::District, exam, ids.schools[C], None)
        .await
        .unwrap();
    let blank = c_rows
        .iter()
        .find(|r| r.student_no == no(C, "1班", 10))
        .unwrap();
    let yw = blank.subjects.iter().find(|s| s.subject == "语文").unwrap();
    assert_eq!((yw.score, yw.absent), (None, false));

    // A district that counts 缺考 as 0: after recompute, 1班 数学 has 12 students and a lower
    // mean; the student still shows no score of their own.
    let settings = ExamSettings {
        absent_policy: wuyu_analytics::descriptive::AbsentPolicy::CountAsZero,
        ..ExamSettings::default()
    };
    store
        .set_setting(
            ExamSettings::KEY,
            &serde_json::to_string(&settings).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(store.exam_settings().await.unwrap(), settings);
    store.recompute_exam(exam).await.unwrap();
    let classes = store
        .exam_unit_stats(
            &Scope::District,
            exam,
            ExamUnitFilter::Classes(ids.schools[A]),
        )
        .await
        .unwrap();
    let class1 = classes
        .iter()
        .find(|u| u.unit.class_id == Some(ids.classes[&(A, "1班")]))
        .unwrap();
    let zeroed: Vec<M> = math()[0]
        .iter()
        .map(|m| if *m == Abs { S(0.0) } else { *m })
        .collect();
    let r = &subject(class1, "数学").rates;
    assert_eq!((r.n, r.absent), (12, 1));
    assert!(close(r.mean.unwrap(), hand(&zeroed, 100.0).mean));
    assert!(matches!(
        store.recompute_exam(ExamId(999)).await,
        Err(StoreError::NotFound)
    ));
}

story!(a_bad_row_rejects_the_whole_sheet_and_keeps_the_marks);
async fn a_bad_row_rejects_the_whole_sheet_and_keeps_the_marks(store: &dyn Store) {
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
            &meta("good.xlsx"),
        )
        .await
        .unwrap();
    let before = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    let students_before = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    let imports = store.list_imports(50).await.unwrap().len();

    // A subject the exam does not have.
    let mut bad = score_batch(exam, &["语文", "英语"], &[chinese(), math()]);
    bad.rows.truncate(3);
    let Err(StoreError::Rejected(errors)) =
        store.import_exam_scores(&bad, &meta("english.xlsx")).await
    else {
        panic!("an unknown subject must reject the sheet");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "英语"));
    assert!(
        errors[0].message_zh.contains("没有科目“英语”"),
        "{}",
        errors[0].message_zh
    );
    assert_eq!(errors[0].file, "english.xlsx");

    // Row errors: an unknown 学籍号 (row 3), 数学 above full marks (row 4), a student twice
    // (row 5); the good rows are refused too.
    let mut bad = score_batch(exam, &["语文", "数学"], &[chinese(), math()]);
    bad.rows.truncate(4);
    bad.rows[1].student_no = StudentNo::parse("GX999999").unwrap();
    bad.rows[2].marks[1] = Some(SubjectMark::Score(100.5));
    bad.rows[0].marks[1] = Some(SubjectMark::Score(1.0)); // would change the mean if it landed
    let mut dup = bad.rows[3].clone();
    dup.origin = o("成绩", 5);
    dup.student_no = bad.rows[0].student_no.clone();
    bad.rows.push(dup);
    let Err(StoreError::Rejected(errors)) = store.import_exam_scores(&bad, &meta("bad.xlsx")).await
    else {
        panic!("the sheet must be rejected");
    };
    let got: Vec<(u32, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "学籍号", "GX999999"),
            (4, "数学", "100.5"),
            (5, "学籍号", no(A, "1班", 0).as_str()),
        ],
        "{errors:?}"
    );
    assert!(errors[0].message_zh.contains("不在学籍名单中"));
    assert!(errors[1].message_zh.contains("满分 100"));
    assert!(errors[2].message_zh.contains("第 2 行"));

    // Scores outside the range, negative ones included.
    let mut neg = score_batch(exam, &["语文", "数学"], &[chinese(), math()]);
    neg.rows.truncate(1);
    neg.rows[0].marks[0] = Some(SubjectMark::Score(-1.0));
    assert!(matches!(
        store.import_exam_scores(&neg, &meta("neg.xlsx")).await,
        Err(StoreError::Rejected(_))
    ));
    // An exam that does not exist.
    let mut none = score_batch(exam, &["语文"], &[chinese()]);
    none.exam = ExamId(999);
    assert!(matches!(
        store.import_exam_scores(&none, &meta("x.xlsx")).await,
        Err(StoreError::NotFound)
    ));

    // Nothing changed.
    assert_eq!(
        store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        store
            .exam_students(&Scope::District, exam, ids.schools[A], None)
            .await
            .unwrap(),
        students_before
    );
    assert_eq!(store.list_imports(50).await.unwrap().len(), imports);

    // Defining exams: a duplicate is a conflict, an unknown baseline is not found.
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期中",
                date!(2024 - 11 - 12),
                &[("语文", 120.0)],
                None
            ))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期末",
                date!(2025 - 01 - 12),
                &[("语文", 120.0)],
                Some(ExamId(999))
            ))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .create_exam(&new_exam(
                "期末",
                date!(2025 - 01 - 12),
                &[("语文", 0.0)],
                None
            ))
            .await,
        Err(StoreError::Rejected(_))
    ));
}

story!(reimporting_a_sheet_replaces_those_marks);
async fn reimporting_a_sheet_replaces_those_marks(store: &dyn Store) {
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
            &meta("first.xlsx"),
        )
        .await
        .unwrap();
    // B's 数学 again: a corrected score, a 缺考 that turns out to be a blank, the rest equal.
    let mut fixed = math();
    fixed[3][0] = S(91.0);
    fixed[3][11] = Na;
    let mut sheet = score_batch(exam, &["数学"], &[fixed]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{B}")));
    assert_eq!(sheet.rows.len(), 12);
    let s = store
        .import_exam_scores(&sheet, &meta("fix.xlsx"))
        .await
        .unwrap();
    assert_eq!((s.students, s.marks, s.schools), (12, 11, 1));

    let schools = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    let b = schools
        .iter()
        .find(|u| u.unit.school_id == Some(ids.schools[B]))
        .unwrap();
    assert_stat(subject(b, "数学"), &hand(&fixed[3], 100.0));
    // 语文 of B untouched; the district now counts the fixed marks.
    assert_stat(subject(b, "语文"), &hand(&chinese()[3], 120.0));
    let overview = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
        .await
        .unwrap();
    assert_stat(subject(&overview[0], "数学"), &hand(&all(&fixed), 100.0));
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[B], None)
        .await
        .unwrap();
    let gone = rows
        .iter()
        .find(|r| r.student_no == no(B, "1班", 11))
        .unwrap();
    let m = gone.subjects.iter().find(|s| s.subject == "数学").unwrap();
    assert_eq!((m.score, m.absent), (None, false));
    assert_eq!(
        store.list_exams(&Scope::District).await.unwrap()[0].students,
        60
    );

    // Recomputing from the stored marks themselves gives the same numbers.
    let schools_before = store
        .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
        .await
        .unwrap();
    store.recompute_exam(exam).await.unwrap();
    assert_eq!(
        store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
            .await
            .unwrap(),
        schools_before
    );
    assert_eq!(
        store
            .exam_students(&Scope::District, exam, ids.schools[B], None)
            .await
            .unwrap(),
        rows
    );
}

story!(an_exam_with_its_own_lines_is_counted_by_them);
async fn an_exam_with_its_own_lines_is_counted_by_them(store: &dyn Store) {
    setup(store).await;
    let create =
        |name: &'static str| new_exam(name, date!(2024 - 11 - 12), &[("数学", 100.0)], None);
    let own = store.create_exam(&create("中考模拟")).await.unwrap();
    let other = store.create_exam(&create("期中检测")).await.unwrap();
    for exam in [own, other] {
        store
            .import_exam_scores(&score_batch(exam, &["数学"], &[math()]), &meta("数学.xlsx"))
            .await
            .unwrap();
    }
    // The district's pass line is 60 %; this exam's is 70 %, its excellent line 85 %.
    let lines = wuyu_analytics::descriptive::RateLines {
        excellent: wuyu_analytics::descriptive::Line::Fraction(0.85),
        good: None,
        pass: wuyu_analytics::descriptive::Line::Fraction(0.70),
        low: wuyu_analytics::descriptive::Line::Fraction(0.40),
    };
    store.set_exam_lines(own, Some(&lines)).await.unwrap();
    assert_eq!(store.exam_lines(own).await.unwrap(), Some(lines));
    assert_eq!(store.exam_lines(other).await.unwrap(), None);

    // The district row counts every mark of the five classes that reaches the line.
    let reached = |line: f64| {
        math()
            .iter()
            .flatten()
            .filter(|m| matches!(m, S(v) if *v >= line))
            .count()
    };
    let district = |exam| async move {
        let units = store
            .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Overview)
            .await
            .unwrap();
        units[0].subjects[0].rates.clone()
    };
    let r = district(own).await;
    assert_eq!((r.pass_line, r.excellent_line), (70.0, 85.0));
    assert_eq!(r.pass_count, reached(70.0));
    assert_eq!(r.excellent_count, reached(85.0));
    assert_eq!(r.good_line, None);
    let r = district(other).await;
    assert_eq!((r.pass_line, r.excellent_line), (60.0, 80.0));
    assert_eq!(r.pass_count, reached(60.0));
    assert!(
        reached(60.0) > reached(70.0),
        "the two lines must differ on these marks"
    );

    // Back to the district's lines.
    store.set_exam_lines(own, None).await.unwrap();
    assert_eq!(district(own).await.pass_count, reached(60.0));
    assert!(matches!(
        store.set_exam_lines(ExamId(999_999), Some(&lines)).await,
        Err(StoreError::NotFound)
    ));
}

story!(undoing_a_score_import_restores_the_marks_and_statistics);
async fn undoing_a_score_import_restores_the_marks_and_statistics(store: &dyn Store) {
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
    let first = store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("first.xlsx"),
        )
        .await
        .unwrap();
    let read = || async {
        (
            store
                .exam_unit_stats(&Scope::District, exam, ExamUnitFilter::Schools)
                .await
                .unwrap(),
            store
                .exam_students(&Scope::District, exam, ids.schools[B], None)
                .await
                .unwrap(),
        )
    };
    let before = read().await;
    // B's 数学 again, with one score corrected and one mark blanked.
    let mut fixed = math();
    fixed[3][0] = S(91.0);
    fixed[3][11] = Na;
    let mut sheet = score_batch(exam, &["数学"], &[fixed]);
    sheet
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{B}")));
    let fix = store
        .import_exam_scores(&sheet, &meta("fix.xlsx"))
        .await
        .unwrap();
    let after_fix = read().await;
    assert_ne!(after_fix, before);
    let audit = |who: &str| wuyu_store::AuditEntry {
        at: 1_700_000_900,
        user_id: None,
        username: who.into(),
        action: "undo_import".into(),
        school_id: None,
        entity: "import".into(),
        detail: String::new(),
        ip: String::new(),
    };

    // The first import wrote B's 数学 too: refused while the fix stands, nothing changed.
    assert!(matches!(
        store
            .undo_import(&Scope::District, first.import_id, &audit("admin"))
            .await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(read().await, after_fix);
    // Another school's admin may not undo B's import; B's may.
    assert!(forbidden(
        store
            .undo_import(
                &Scope::School {
                    school_id: ids.schools[A]
                },
                fix.import_id,
                &audit("a"),
            )
            .await
    ));
    store
        .undo_import(
            &Scope::School {
                school_id: ids.schools[B],
            },
            fix.import_id,
            &audit("b"),
        )
        .await
        .unwrap();
    assert_eq!(read().await, before);
}
