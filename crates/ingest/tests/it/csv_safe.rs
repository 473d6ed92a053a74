//! CSV injection (issue 9): the CSV writers quote cells that a spreadsheet would run as
//! formulas; negative numbers stay numbers; XLSX cells stay strings.
use time::macros::date;
use wuyu_domain::roster::NewStudent;
use wuyu_domain::{FitnessMeasures, Grade, Origin, PersonName, SchoolCode, Sex, StudentNo};
use wuyu_ingest::{
    TemplateRow, read_tables, write_fitness_template_csv, write_fitness_template_xlsx,
    write_students_csv,
};

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn students_csv_quotes_formula_like_names() {
    let student = |name: &str, class: &str| NewStudent {
        origin: Origin::default(),
        school_code: SchoolCode::parse("3101120001").unwrap(),
        grade: Grade::new(8).unwrap(),
        class_name: class.to_string(),
        student_no: StudentNo::parse("G0000000001").unwrap(),
        name: PersonName::parse(name).unwrap(),
        sex: Sex::Male,
        birth_date: date!(2012 - 03 - 05),
        id_card_no: None,
        ethnicity: None,
        former_names: None,
        status: None,
        flags: None,
    };
    let mut bytes = Vec::new();
    write_students_csv(
        &[student("=1+2", "@班"), student("张三", "-1班")],
        &mut bytes,
    )
    .unwrap();
    let rows = csv_rows(&bytes);
    assert_eq!(
        (rows[1][4].as_str(), rows[1][2].as_str()),
        ("'=1+2", "'@班")
    );
    assert_eq!(
        (rows[2][4].as_str(), rows[2][2].as_str()),
        ("张三", "'-1班")
    );
}

#[test]
fn fitness_template_csv_quotes_text_and_keeps_negative_measures() {
    let measures = FitnessMeasures {
        height_cm: Some(160.0),
        weight_kg: Some(50.0),
        sit_and_reach: Some(-3.5),
        se_left: Some(-2.25),
        ..FitnessMeasures::default()
    };
    let row = TemplateRow {
        grade: Grade::new(8).unwrap(),
        class_no: 1,
        class_name: "+1班",
        student_no: "G0000000001",
        ethnicity: None,
        name: "=HYPERLINK(\"http://x\")",
        sex: Sex::Female,
        birth_date: date!(2012 - 03 - 05),
        measures: &measures,
    };
    let mut bytes = Vec::new();
    write_fitness_template_csv([row], &mut bytes).unwrap();
    let rows = csv_rows(&bytes);
    let col = |h: &str| rows[0].iter().position(|x| x == h).unwrap();
    assert_eq!(rows[1][col("姓名")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[1][col("班级名称")], "'+1班");
    assert_eq!(rows[1][col("坐位体前屈")], "-3.5");
    assert_eq!(rows[1][col("左眼等效球镜")], "-2.25");

    // XLSX: the name is a string cell holding the text as typed, not a formula.
    let xlsx = write_fitness_template_xlsx([row]).unwrap();
    let t = read_tables("上报.xlsx", &xlsx).unwrap();
    let table = &t.tables[0];
    assert!(table.issues().is_empty(), "{:?}", table.issues());
    let name = table.header.iter().position(|h| h == "姓名").unwrap();
    assert_eq!(table.row(0).get(name), "=HYPERLINK(\"http://x\")");
}
