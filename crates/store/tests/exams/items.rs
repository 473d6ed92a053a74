//! Item sheets: subject scores from item points and the item analysis.
use super::*;

/// 数学 as four items (25 points each, tagged) for every student of A and B; A 1班's last
/// student is absent.
fn item_batch(exam: ExamId) -> (ExamItemBatch, HashMap<String, Option<[f64; 4]>>) {
    let items = vec![
        ExamItem {
            item_no: "1".into(),
            max_points: 25.0,
            knowledge_points: vec!["数与代数".into()],
        },
        ExamItem {
            item_no: "2".into(),
            max_points: 25.0,
            knowledge_points: vec!["数与代数".into(), "方程".into()],
        },
        ExamItem {
            item_no: "3".into(),
            max_points: 25.0,
            knowledge_points: vec!["图形与几何".into()],
        },
        ExamItem {
            item_no: "4(1)".into(),
            max_points: 25.0,
            knowledge_points: vec![],
        },
    ];
    let mut rows = Vec::new();
    let mut points = HashMap::new();
    let mut row = 2;
    for (c, (s, class)) in CLASSES.iter().enumerate().take(4) {
        for i in 0..12 {
            let no = no(s, class, i);
            let absent = c == 0 && i == 11;
            let p = [
                (25 - i) as f64,
                ((i * 7 + c * 3) % 26) as f64,
                (20 - (i % 5) * 4) as f64 + 0.5,
                if i % 3 == 0 { 0.0 } else { 12.5 },
            ];
            rows.push(NewItemScoreRow {
                origin: o("小题分", row),
                student_no: StudentNo::parse(&no).unwrap(),
                absent,
                points: if absent {
                    vec![None; 4]
                } else {
                    // A blank counts as 0.
                    p.iter()
                        .map(|&x| if x == 0.0 { None } else { Some(x) })
                        .collect()
                },
            });
            points.insert(no, (!absent).then_some(p));
            row += 1;
        }
    }
    (
        ExamItemBatch {
            exam,
            subject: "数学".into(),
            items,
            rows,
        },
        points,
    )
}

story!(an_item_sheet_sets_the_subject_score_and_gives_the_item_analysis);
async fn an_item_sheet_sets_the_subject_score_and_gives_the_item_analysis(store: &dyn Store) {
    let ids = setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "期末",
            date!(2025 - 01 - 14),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("scores.xlsx"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.exam_items(&Scope::District, exam, "数学", None).await,
        Err(StoreError::NotFound)
    ));
    let (batch, points) = item_batch(exam);
    let s = store
        .import_exam_items(&batch, &meta("小题分.xlsx"))
        .await
        .unwrap();
    assert_eq!((s.students, s.absent, s.schools), (48, 1, 2));
    assert!(store.list_exams(&Scope::District).await.unwrap()[0].has_items);

    // The subject score is the sum of the points.
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    for r in &rows {
        let m = r.subjects.iter().find(|s| s.subject == "数学").unwrap();
        match points[&r.student_no] {
            Some(p) => assert_eq!(m.score, Some(p.iter().sum::<f64>()), "{}", r.student_no),
            None => assert!(m.absent),
        }
    }

    let report = store
        .exam_items(&Scope::District, exam, "数学", None)
        .await
        .unwrap();
    let sat: Vec<[f64; 4]> = points.values().filter_map(|p| *p).collect();
    let n = sat.len() as f64;
    assert_eq!((report.analysis.n, report.analysis.k), (47, 4));
    for j in 0..4 {
        let p = sat.iter().map(|s| s[j]).sum::<f64>() / n / 25.0;
        assert!(close(report.analysis.items[j].difficulty, p), "item {j}");
    }
    assert_eq!(report.analysis.items[3].item, "4(1)");
    assert_eq!(
        report.knowledge_points[1],
        vec!["数与代数".to_string(), "方程".into()]
    );
    // One heat-map row per class that sat (A's three and B's), each class's 得分率 per item.
    assert_eq!(report.classes.len(), 4);
    let class2 = ids.classes[&(A, "2班")];
    let (_, diff) = report
        .classes
        .iter()
        .find(|(u, _)| u.class_id == Some(class2))
        .unwrap();
    let c2: Vec<[f64; 4]> = (0..12).map(|i| points[&no(A, "2班", i)].unwrap()).collect();
    for j in 0..4 {
        let want = c2.iter().map(|s| s[j]).sum::<f64>() / (12.0 * 25.0);
        assert!(close(diff[j].unwrap(), want));
    }
    // Knowledge point 数与代数 (items 1 and 2) in A 2班.
    let group = format!("{}/{}", ids.schools[A], class2);
    let cell = report
        .mastery
        .iter()
        .find(|m| m.group == group && m.tag == "数与代数")
        .unwrap();
    let want = c2.iter().map(|s| s[0] + s[1]).sum::<f64>() / (12.0 * 50.0);
    assert!(close(cell.score_rate, want));

    // A school's view has its own classes; a teacher's only theirs.
    let b_report = store
        .exam_items(
            &Scope::School {
                school_id: ids.schools[B],
            },
            exam,
            "数学",
            None,
        )
        .await
        .unwrap();
    assert_eq!(b_report.classes.len(), 1);
    let teacher = Scope::Classes {
        school_id: ids.schools[A],
        class_ids: [ids.classes[&(A, "1班")]].into(),
    };
    let t_report = store
        .exam_items(&teacher, exam, "数学", None)
        .await
        .unwrap();
    assert_eq!(t_report.classes.len(), 1);
    assert!(
        t_report
            .mastery
            .iter()
            .all(|m| m.group.ends_with(&format!("/{}", ids.classes[&(A, "1班")])))
    );

    // Points above an item's maximum, or a sum above full marks, reject the sheet.
    let (mut bad, _) = item_batch(exam);
    bad.rows[0].points[0] = Some(26.0);
    let Err(StoreError::Rejected(errors)) = store.import_exam_items(&bad, &meta("bad.xlsx")).await
    else {
        panic!("26 points on a 25-point item must be refused");
    };
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, "1"));
    let (mut over, _) = item_batch(exam);
    over.items.push(ExamItem {
        item_no: "5".into(),
        max_points: 10.0,
        knowledge_points: vec![],
    });
    for r in &mut over.rows {
        r.points.push(None);
    }
    over.rows[0].points = vec![Some(25.0), Some(25.0), Some(25.0), Some(25.0), Some(10.0)];
    let Err(StoreError::Rejected(errors)) =
        store.import_exam_items(&over, &meta("over.xlsx")).await
    else {
        panic!("110 points on a 100-point paper must be refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message_zh.contains("超过数学满分 100"),
        "{}",
        errors[0].message_zh
    );
    // Nothing changed.
    assert_eq!(
        store
            .exam_items(&Scope::District, exam, "数学", None)
            .await
            .unwrap(),
        report
    );

    // B imports a sheet of another paper structure (three items): the analysis is now B's
    // alone; A's students keep their 数学 scores but lose their item points.
    let (mut three, _) = item_batch(exam);
    three.items.truncate(3);
    three
        .rows
        .retain(|r| r.student_no.as_str().starts_with(&format!("G{B}")));
    for r in &mut three.rows {
        r.points.truncate(3);
    }
    store
        .import_exam_items(&three, &meta("B.xlsx"))
        .await
        .unwrap();
    let only_b = store
        .exam_items(&Scope::District, exam, "数学", None)
        .await
        .unwrap();
    assert_eq!((only_b.analysis.n, only_b.analysis.k), (12, 3));
    assert_eq!(only_b.classes.len(), 1);
    let rows = store
        .exam_students(&Scope::District, exam, ids.schools[A], None)
        .await
        .unwrap();
    let first = rows
        .iter()
        .find(|r| r.student_no == no(A, "1班", 0))
        .unwrap();
    let m = first.subjects.iter().find(|s| s.subject == "数学").unwrap();
    assert_eq!(
        m.score,
        Some(points[&no(A, "1班", 0)].unwrap().iter().sum::<f64>())
    );
}
