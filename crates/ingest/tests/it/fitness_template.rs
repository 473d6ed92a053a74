//! The national-template export reads back to the same measures (CSV and XLSX), and a
//! read of an export without a test date names what is missing.
use time::macros::date;
use wuyu_domain::{EthnicityCode, FitnessMeasures, Grade, Sex, Term, TermPart};
use wuyu_ingest::{
    FitnessFileError, TEMPLATE_HEADER, TemplateRow, read_fitness_batch, write_fitness_template_csv,
    write_fitness_template_xlsx,
};

fn boy_grade8() -> FitnessMeasures {
    FitnessMeasures {
        height_cm: Some(165.3),
        weight_kg: Some(52.4),
        vital_capacity: Some(3120.0),
        run_50m: Some(7.9),
        standing_long_jump: Some(215.0),
        sit_and_reach: Some(-2.5),
        run_1000m: Some(245.0),
        pull_up: Some(6.0),
        acuity_left: Some(4.8),
        acuity_right: Some(5.0),
        se_left: Some(-1.25),
        se_right: Some(0.0),
        ..Default::default()
    }
}

fn girl_grade3() -> FitnessMeasures {
    FitnessMeasures {
        height_cm: Some(132.0),
        weight_kg: Some(27.9),
        vital_capacity: Some(1380.0),
        run_50m: Some(10.4),
        sit_and_reach: Some(12.1),
        rope_skip_1min: Some(118.0),
        // 50米×8往返跑 is a grade 5–6 item; left empty here: not tested.
        ..Default::default()
    }
}

fn rows<'a>(boy: &'a FitnessMeasures, girl: &'a FitnessMeasures) -> Vec<TemplateRow<'a>> {
    vec![
        TemplateRow {
            grade: Grade::new(8).unwrap(),
            class_no: 3,
            class_name: "初二(3)班",
            student_no: "G110101200901010011",
            ethnicity: Some(EthnicityCode::new(1).unwrap()),
            name: "张伟",
            sex: Sex::Male,
            birth_date: date!(2009 - 01 - 01),
            measures: boy,
        },
        TemplateRow {
            grade: Grade::new(3).unwrap(),
            class_no: 1,
            class_name: "三年级1班",
            student_no: "G110101201503150022",
            ethnicity: None,
            name: "李娜",
            sex: Sex::Female,
            birth_date: date!(2015 - 03 - 15),
            measures: girl,
        },
    ]
}

fn term() -> Term {
    Term {
        school_year: 2025,
        part: TermPart::Autumn,
    }
}

#[track_caller]
fn assert_reads_back(file: &str, bytes: &[u8], boy: &FitnessMeasures, girl: &FitnessMeasures) {
    let read = read_fitness_batch(file, bytes, term(), Some(date!(2025 - 10 - 20))).unwrap();
    assert!(read.errors.is_empty(), "{:#?}", read.errors);
    let recs = &read.batch.records;
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].student_no.as_str(), "G110101200901010011");
    assert_eq!(recs[0].grade, Some(Grade::new(8).unwrap()));
    assert_eq!(recs[0].sex, Some(Sex::Male));
    assert_eq!(&recs[0].measures, boy);
    assert_eq!(recs[1].grade, Some(Grade::new(3).unwrap()));
    assert_eq!(recs[1].sex, Some(Sex::Female));
    assert_eq!(&recs[1].measures, girl);
    assert!(recs.iter().all(|r| r.test_date == date!(2025 - 10 - 20)));
}

#[test]
fn csv_export_has_the_template_columns_and_reads_back() {
    let (boy, girl) = (boy_grade8(), girl_grade3());
    let mut out = Vec::new();
    write_fitness_template_csv(rows(&boy, &girl), &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), TEMPLATE_HEADER.join(","));
    // 年级编号 22 = 初二, 性别 1, the 1000 m run as 4'05".
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("22,3,初二(3)班,G110101200901010011,01,张伟,1,2009-01-01,165.3,52.4"),
        "{first}"
    );
    assert!(first.contains(",\"4'05\"\"\","), "{first}");
    assert_reads_back("体测上报.csv", &out, &boy, &girl);
}

#[test]
fn xlsx_export_reads_back() {
    let (boy, girl) = (boy_grade8(), girl_grade3());
    let bytes = write_fitness_template_xlsx(rows(&boy, &girl)).unwrap();
    assert_reads_back("体测上报.xlsx", &bytes, &boy, &girl);
}

#[test]
fn export_without_a_test_date_needs_one_at_import() {
    let (boy, girl) = (boy_grade8(), girl_grade3());
    let mut out = Vec::new();
    write_fitness_template_csv(rows(&boy, &girl), &mut out).unwrap();
    let err = read_fitness_batch("体测上报.csv", &out, term(), None).unwrap_err();
    assert!(
        matches!(err, FitnessFileError::NoTestDate { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("测试日期"), "{err}");
}
