//! Fitness imports, scoring at write, aggregates and scopes.
use super::*;

// --- fitness (issue 3) ------------------------------------------------------------------------

use wuyu_domain::{FitnessBatch, FitnessMeasures, NewFitnessRecord, Term, TermPart};
use wuyu_standards::{FitnessGrade, exact_age, score_record, weight_status};
use wuyu_store::{FitnessGroupBy, FitnessRecord, FitnessSummaryRow};

pub(crate) fn term(year: u16, part: TermPart) -> Term {
    Term::new(year, part).unwrap()
}

/// Raw results a grade-5 or grade-7 student of `sex` takes; `q` in 0..=4 moves every result
/// from weak to strong, so the records spread over the levels.
fn measures(grade: u8, sex: Sex, q: u8) -> FitnessMeasures {
    let q = f64::from(q);
    let male = sex == Sex::Male;
    let mut m = FitnessMeasures {
        height_cm: Some(140.0 + 4.0 * q + if grade == 7 { 12.0 } else { 0.0 }),
        weight_kg: Some(32.0 + 5.0 * q),
        vital_capacity: Some(1200.0 + 400.0 * q + if grade == 7 { 600.0 } else { 0.0 }),
        run_50m: Some(11.5 - 0.6 * q),
        sit_and_reach: Some(-2.0 + 4.0 * q),
        ..Default::default()
    };
    if grade <= 6 {
        m.rope_skip_1min = Some(60.0 + 30.0 * q);
        m.sit_up_1min = Some(15.0 + 8.0 * q);
        m.shuttle_50x8 = Some(130.0 - 8.0 * q);
    } else {
        m.standing_long_jump = Some(140.0 + 15.0 * q);
        if male {
            m.pull_up = Some(q * 3.0);
            m.run_1000m = Some(330.0 - 20.0 * q);
        } else {
            m.sit_up_1min = Some(20.0 + 8.0 * q);
            m.run_800m = Some(300.0 - 18.0 * q);
        }
    }
    // Vision: myopic for q 0, reduced acuity only for q 1, normal otherwise.
    m.acuity_left = Some(if q < 2.0 { 4.7 } else { 5.0 });
    m.acuity_right = Some(5.0);
    m.se_left = Some(if q < 1.0 { -1.25 } else { 0.0 });
    m.se_right = Some(0.0);
    m
}

fn record(row: u32, no: &str, t: Term, grade: u8, sex: Sex, q: u8) -> NewFitnessRecord {
    NewFitnessRecord {
        origin: o("体测", row),
        student_no: StudentNo::parse(no).unwrap(),
        term: t,
        test_date: date!(2024 - 10 - 15),
        grade: None,
        sex: Some(sex),
        measures: measures(grade, sex, q),
    }
}

/// The roster's five students (sexes as `student()` assigns them), all with a record.
pub(crate) fn fitness_batch(t: Term) -> FitnessBatch {
    let mut records = vec![
        record(2, "G0000000001", t, 5, Sex::Male, 4),
        record(3, "G0000000002", t, 5, Sex::Female, 2),
        record(4, "G0000000003", t, 5, Sex::Male, 0),
        record(5, "G0000000004", t, 7, Sex::Female, 1),
        record(6, "G0000000005", t, 7, Sex::Male, 3),
    ];
    // One INCOMPLETE record (50米跑 not tested) and one without vision screening.
    records[1].measures.run_50m = None;
    records[4].measures.acuity_left = None;
    records[4].measures.acuity_right = None;
    records[4].measures.se_left = None;
    records[4].measures.se_right = None;
    FitnessBatch { records }
}

pub(crate) async fn all_records(store: &dyn Store, t: Term) -> Vec<(FitnessRecord, String)> {
    let mut out = Vec::new();
    for s in store.list_schools(&Scope::District).await.unwrap() {
        let code = s.school.code.as_str().to_string();
        for st in store
            .list_students(&Scope::District, s.school.id, None)
            .await
            .unwrap()
        {
            for r in store
                .student_fitness(&Scope::District, s.school.id, st.id)
                .await
                .unwrap()
            {
                if r.term == t {
                    out.push((r, code.clone()));
                }
            }
        }
    }
    out
}

/// The counts a summary row must have, computed from the records themselves.
fn expected(records: &[&FitnessRecord], enrolled: i64) -> FitnessSummaryRow {
    use wuyu_standards::{Level, MalnutritionStatus, VisionStatus, WeightStatus};
    let n = |f: &dyn Fn(&FitnessRecord) -> bool| records.iter().filter(|r| f(r)).count() as i64;
    let ok = n(&|r| r.complete);
    let ws = n(&|r| r.weight_status.is_some());
    let screened = n(&|r| {
        matches!(
            r.vision_status,
            Some(VisionStatus::Myopia | VisionStatus::ReducedVision | VisionStatus::Normal)
        )
    });
    let rate = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
    FitnessSummaryRow {
        enrolled,
        tested: records.len() as i64,
        ok_count: ok,
        pass_rate: rate(n(&|r| r.level.is_some_and(|l| l >= Level::Pass)), ok),
        good_or_better_rate: rate(n(&|r| r.level.is_some_and(|l| l >= Level::Good)), ok),
        excellent_rate: rate(n(&|r| r.level == Some(Level::Excellent)), ok),
        fail_rate: rate(n(&|r| r.level == Some(Level::Fail)), ok),
        weight_measured: ws,
        overweight_rate: rate(
            n(&|r| r.weight_status == Some(WeightStatus::Overweight)),
            ws,
        ),
        obese_rate: rate(n(&|r| r.weight_status == Some(WeightStatus::Obese)), ws),
        stunting_count: n(&|r| r.malnutrition == Some(MalnutritionStatus::Stunting)),
        wasting_count: n(&|r| r.malnutrition.is_some_and(|m| m.is_wasting())),
        vision_screened: screened,
        myopia_rate: rate(
            n(&|r| r.vision_status == Some(VisionStatus::Myopia)),
            screened,
        ),
        bmi_measured: n(&|r| r.bmi_category.is_some()),
        ..Default::default()
    }
}

fn assert_matches(got: &FitnessSummaryRow, want: &FitnessSummaryRow) {
    assert_eq!(got.enrolled, want.enrolled);
    assert_eq!(got.tested, want.tested);
    assert_eq!(
        got.test_rate,
        Some(want.tested as f64 / want.enrolled as f64)
    );
    assert_eq!(got.ok_count, want.ok_count);
    assert_eq!(got.incomplete_count, want.tested - want.ok_count);
    assert_eq!(got.pass_rate, want.pass_rate);
    assert_eq!(got.good_or_better_rate, want.good_or_better_rate);
    assert_eq!(got.excellent_rate, want.excellent_rate);
    assert_eq!(got.fail_rate, want.fail_rate);
    assert_eq!(got.weight_measured, want.weight_measured);
    assert_eq!(got.overweight_rate, want.overweight_rate);
    assert_eq!(got.obese_rate, want.obese_rate);
    assert_eq!(got.stunting_count, want.stunting_count);
    assert_eq!(got.wasting_count, want.wasting_count);
    assert_eq!(got.vision_screened, want.vision_screened);
    assert_eq!(got.myopia_rate, want.myopia_rate);
    assert_eq!(got.bmi_measured, want.bmi_measured);
}

story!(a_fitness_import_scores_every_record_at_write);
async fn a_fitness_import_scores_every_record_at_write(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let fb = fitness_batch(t);
    let summary = store.import_fitness(&fb, &meta("tice.xlsx")).await.unwrap();
    assert_eq!(summary.records_written, 5);
    assert_eq!(summary.incomplete, 1);
    assert_eq!(summary.complete, 4);
    assert_eq!(summary.schools, 2);
    assert_eq!(summary.terms, vec!["2024-autumn".to_string()]);
    let imports = store.list_imports(10).await.unwrap();
    assert_eq!(imports[0].kind, "fitness");
    assert_eq!(imports[0].records, 5);
    assert_eq!(imports[0].id, summary.import_id);
    assert_eq!(
        store.fitness_terms(&Scope::District).await.unwrap(),
        vec![t]
    );

    // Every stored score is what the standard gives for the same input, at the roster's grade.
    let records = all_records(store, t).await;
    assert_eq!(records.len(), 5);
    for (rec, _) in &records {
        let input = fb
            .records
            .iter()
            .find(|r| r.measures == rec.measures)
            .expect("raw values stored as given");
        let grade = rec.grade;
        assert_eq!(rec.sex, input.sex.unwrap());
        let want = score_record(&wuyu_store::fitness::fitness_input(
            grade,
            rec.sex,
            &input.measures,
        ))
        .unwrap();
        assert!([5, 7].contains(&grade.get()), "the roster's grade");
        assert_eq!(want.grade, FitnessGrade::from(grade));
        assert_eq!(rec.bmi, want.bmi.map(|b| b.as_f64()));
        assert_eq!(rec.bmi_category, want.bmi_category);
        assert_eq!(rec.standard_score, want.standard_score.map(|p| p.as_f64()));
        assert_eq!(rec.year_total, want.year_total.map(|p| p.as_f64()));
        assert_eq!(rec.level, want.level);
        assert_eq!(rec.complete, want.is_complete());
        assert_eq!(rec.bonus_total, want.bonus_total);
        let scored: Vec<_> = want
            .items
            .iter()
            .map(|(i, s)| (i, s.score, s.bonus))
            .collect();
        let stored: Vec<_> = rec
            .items
            .iter()
            .map(|i| (i.item, i.score, i.bonus))
            .collect();
        assert_eq!(stored, scored);
        let age = exact_age(date!(2013 - 05 - 01), date!(2024 - 10 - 15)).unwrap();
        assert_eq!(rec.age_years, age);
        assert_eq!(
            rec.weight_status,
            Some(weight_status(rec.sex, age, want.bmi.unwrap()).unwrap())
        );
    }
    let incomplete = records.iter().find(|(r, _)| !r.complete).unwrap();
    assert_eq!(
        incomplete.0.missing,
        vec![wuyu_standards::FitnessItem::Run50m]
    );
    assert_eq!(incomplete.0.level, None);
    assert!(records.iter().any(|(r, _)| r.vision_status.is_none()));
    assert!(
        records
            .iter()
            .any(|(r, _)| r.vision_status == Some(wuyu_standards::VisionStatus::Myopia))
    );
}

story!(an_unknown_student_no_rejects_the_whole_fitness_batch);
async fn an_unknown_student_no_rejects_the_whole_fitness_batch(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let mut fb = fitness_batch(t);
    fb.records[3].student_no = StudentNo::parse("G0000009999").unwrap();
    // A sex that contradicts the roster is an error too.
    fb.records[0].sex = Some(Sex::Female);
    let Err(StoreError::Rejected(errors)) = store.import_fitness(&fb, &meta("bad.xlsx")).await
    else {
        panic!("expected a rejection");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    let unknown = errors.iter().find(|e| e.column == "学籍号").unwrap();
    assert_eq!(
        (
            unknown.file.as_str(),
            unknown.sheet.as_str(),
            unknown.row,
            unknown.value.as_str()
        ),
        ("bad.xlsx", "体测", 5, "G0000009999")
    );
    assert!(unknown.message_zh.contains("不在学籍名册中"));
    assert!(errors.iter().any(|e| e.column == "性别" && e.row == 2));
    // Nothing written: no records, no terms, no import record.
    assert!(all_records(store, t).await.is_empty());
    assert!(
        store
            .fitness_terms(&Scope::District)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_imports(10)
            .await
            .unwrap()
            .iter()
            .all(|i| i.kind != "fitness")
    );
    // The same 学籍号 twice in one term is an error as well.
    let mut dup = fitness_batch(t);
    dup.records.push(dup.records[0].clone());
    assert!(matches!(
        store.import_fitness(&dup, &meta("dup.xlsx")).await,
        Err(StoreError::Rejected(e)) if e.len() == 1 && e[0].message_zh.contains("重复")
    ));
}

story!(reimporting_a_fitness_term_replaces_the_records);
async fn reimporting_a_fitness_term_replaces_the_records(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    store
        .import_fitness(&fitness_batch(t), &meta("a.xlsx"))
        .await
        .unwrap();
    let mut again = fitness_batch(t);
    again.records.truncate(1);
    again.records[0].measures.run_50m = Some(12.9);
    store.import_fitness(&again, &meta("b.xlsx")).await.unwrap();
    let records = all_records(store, t).await;
    assert_eq!(records.len(), 5, "the other students' records stay");
    let a = school_id(store, "A001").await;
    let zhang = store.student_by_no("G0000000001").await.unwrap().unwrap().1;
    let history = store
        .student_fitness(&Scope::District, a, zhang)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].measures.run_50m, Some(12.9));
    // A second term is history, not a replacement; histories come oldest first.
    let spring = term(2024, TermPart::Spring);
    let mut next = fitness_batch(spring);
    for r in &mut next.records {
        r.test_date = date!(2025 - 04 - 20);
    }
    store.import_fitness(&next, &meta("c.xlsx")).await.unwrap();
    let history = store
        .student_fitness(&Scope::District, a, zhang)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|r| r.term).collect::<Vec<_>>(),
        vec![t, spring]
    );
    assert_eq!(
        store.fitness_terms(&Scope::District).await.unwrap(),
        vec![t, spring]
    );
}

story!(fitness_aggregates_equal_counts_from_the_records);
async fn fitness_aggregates_equal_counts_from_the_records(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let mut fb = fitness_batch(t);
    fb.records.remove(2); // 王五 is missing a test
    store.import_fitness(&fb, &meta("f.xlsx")).await.unwrap();
    let records = all_records(store, t).await;
    let all: Vec<&FitnessRecord> = records.iter().map(|r| &r.0).collect();

    let district = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(district.len(), 1);
    assert_matches(&district[0], &expected(&all, 5));

    let by_school = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
        .await
        .unwrap();
    assert_eq!(by_school.len(), 2);
    for row in &by_school {
        let code = row.key.school_code.clone().unwrap();
        let mine: Vec<&FitnessRecord> = records
            .iter()
            .filter(|r| r.1 == code)
            .map(|r| &r.0)
            .collect();
        let enrolled = if code == "A001" { 3 } else { 2 };
        assert_matches(row, &expected(&mine, enrolled));
    }
    let by_sex = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Sex)
        .await
        .unwrap();
    assert_eq!(by_sex.iter().map(|r| r.enrolled).sum::<i64>(), 5);
    for row in &by_sex {
        let mine: Vec<&FitnessRecord> = all
            .iter()
            .copied()
            .filter(|r| Some(r.sex) == row.key.sex)
            .collect();
        assert_eq!(row.tested, mine.len() as i64);
        assert_eq!(row.ok_count, expected(&mine, 0).ok_count);
    }
    let by_class = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Class)
        .await
        .unwrap();
    assert_eq!(by_class.len(), 3);
    assert_eq!(by_class.iter().map(|r| r.tested).sum::<i64>(), 4);
    let by_grade = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Grade)
        .await
        .unwrap();
    assert_eq!(
        by_grade
            .iter()
            .map(|r| (r.key.grade.unwrap().get(), r.enrolled, r.tested))
            .collect::<Vec<_>>(),
        vec![(5, 3, 2), (7, 2, 2)]
    );
    let by_location = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Location)
        .await
        .unwrap();
    assert_eq!(by_location.len(), 2);

    // Items: tested, mean score and pass count from the records.
    let items = store
        .fitness_item_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    for stat in &items[0].items {
        let scores: Vec<f64> = all
            .iter()
            .filter_map(|r| r.item(stat.item))
            .map(|i| f64::from(i.score))
            .collect();
        assert_eq!(stat.tested, scores.len() as i64, "{:?}", stat.item);
        assert_eq!(
            stat.pass_count,
            scores.iter().filter(|s| **s >= 60.0).count() as i64
        );
        match stat.mean_score {
            None => assert!(scores.is_empty()),
            Some(m) => {
                let want = scores.iter().sum::<f64>() / scores.len() as f64;
                assert!((m - want).abs() < 1e-9, "{:?}: {m} vs {want}", stat.item);
            }
        }
    }

    // The PE teacher's class view: every student, the missing one without a record.
    let a = school_id(store, "A001").await;
    let classes = store.list_classes(&Scope::District, a).await.unwrap();
    let c2 = classes.iter().find(|c| c.class.name == "2班").unwrap();
    let rows = store
        .class_fitness(&Scope::District, a, c2.class.id, t)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].record.is_none(), "王五 is missing a test");
    let c1 = classes.iter().find(|c| c.class.name == "1班").unwrap();
    let rows = store
        .class_fitness(&Scope::District, a, c1.class.id, t)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.record.is_some()));
    assert!(rows.iter().any(|r| !r.record.as_ref().unwrap().complete));
}

story!(an_empty_fitness_term_gives_zeros_not_nan);
async fn an_empty_fitness_term_gives_zeros_not_nan(store: &dyn Store) {
    let t = term(2030, TermPart::Spring);
    // No roster at all: the district row is all zeros and no rate.
    let rows = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].enrolled, 0);
    assert_eq!(rows[0].test_rate, None);
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let rows = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(r.enrolled > 0);
        assert_eq!(r.tested, 0);
        assert_eq!(r.test_rate, Some(0.0));
        for rate in [
            r.pass_rate,
            r.good_or_better_rate,
            r.excellent_rate,
            r.fail_rate,
            r.overweight_rate,
            r.obese_rate,
            r.stunting_rate,
            r.wasting_rate,
            r.myopia_rate,
            r.mean_year_total,
        ] {
            assert_eq!(rate, None);
        }
    }
    let items = store
        .fitness_item_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert!(
        items[0]
            .items
            .iter()
            .all(|i| i.tested == 0 && i.pass_rate.is_none())
    );
}

fn forbidden<T>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Forbidden))
}

story!(fitness_reads_respect_the_scope);
async fn fitness_reads_respect_the_scope(store: &dyn Store) {
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
    let b = school_id(store, "B001").await;
    let classes = store.list_classes(&Scope::District, a).await.unwrap();
    let c1 = classes
        .iter()
        .find(|c| c.class.name == "1班")
        .unwrap()
        .class
        .id;
    let c2 = classes
        .iter()
        .find(|c| c.class.name == "2班")
        .unwrap()
        .class
        .id;
    let zhang = store.student_by_no("G0000000001").await.unwrap().unwrap().1;
    let wang = store.student_by_no("G0000000003").await.unwrap().unwrap().1;

    // Teacher of 1班: aggregates over their class only; other classes and students forbidden.
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [c1].into(),
    };
    let rows = store
        .fitness_summary(&teacher, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!((rows[0].enrolled, rows[0].tested), (2, 2));
    let by_class = store
        .fitness_summary(&teacher, Some(a), t, FitnessGroupBy::Class)
        .await
        .unwrap();
    assert_eq!(by_class.len(), 1);
    assert_eq!(by_class[0].key.class_id, Some(c1));
    assert!(forbidden(
        store
            .fitness_summary(&teacher, Some(b), t, FitnessGroupBy::School)
            .await
    ));
    assert_eq!(
        store.class_fitness(&teacher, a, c1, t).await.unwrap().len(),
        2
    );
    assert!(forbidden(store.class_fitness(&teacher, a, c2, t).await));
    assert_eq!(
        store
            .student_fitness(&teacher, a, zhang)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(forbidden(store.student_fitness(&teacher, a, wang).await));

    // Parent: own child's history only, no aggregates, no class list.
    let parent = Scope::Parent {
        school_id: a,
        student_ids: [zhang].into(),
    };
    assert_eq!(
        store
            .student_fitness(&parent, a, zhang)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(forbidden(store.student_fitness(&parent, a, wang).await));
    assert!(forbidden(
        store
            .fitness_summary(&parent, None, t, FitnessGroupBy::District)
            .await
    ));
    assert!(forbidden(
        store
            .fitness_item_summary(&parent, None, t, FitnessGroupBy::District)
            .await
    ));
    assert!(forbidden(store.class_fitness(&parent, a, c1, t).await));

    // Counsellor: no fitness reads at all.
    let counsellor = Scope::Counsellor { school_id: a };
    assert!(forbidden(
        store.student_fitness(&counsellor, a, zhang).await
    ));
    assert!(forbidden(store.class_fitness(&counsellor, a, c1, t).await));
    assert!(forbidden(store.fitness_terms(&counsellor).await));
    assert!(forbidden(
        store
            .fitness_summary(&counsellor, None, t, FitnessGroupBy::District)
            .await
    ));

    // School admin: their school, not the other one; the district row is their school's.
    let admin_b = Scope::School { school_id: b };
    let rows = store
        .fitness_summary(&admin_b, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!((rows[0].enrolled, rows[0].tested), (2, 2));
    assert!(forbidden(store.student_fitness(&admin_b, a, zhang).await));
    assert!(forbidden(
        store
            .fitness_summary(&admin_b, Some(a), t, FitnessGroupBy::Class)
            .await
    ));
    assert_eq!(store.fitness_terms(&admin_b).await.unwrap(), vec![t]);
    // Unknown student: NotFound, as for the roster.
    assert!(matches!(
        store
            .student_fitness(&Scope::District, a, StudentId(9999))
            .await,
        Err(StoreError::NotFound)
    ));
}
