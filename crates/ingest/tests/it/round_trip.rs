//! write_students_csv → read_roster gives back the same students.
use time::{Date, Month};
use wuyu_domain::roster::NewStudent;
use wuyu_domain::{EthnicityCode, Grade, IdCardNo, Origin, PersonName, SchoolCode, Sex, StudentNo};
use wuyu_ingest::write_students_csv;

use crate::{id, read};

/// Students with every optional field both present and absent, and names that need quoting.
pub fn sample_students(n: usize) -> Vec<NewStudent> {
    (0..n)
        .map(|i| {
            let birth =
                Date::from_calendar_date(2010 + (i % 6) as i32, Month::March, 1 + (i % 28) as u8)
                    .unwrap();
            let first17 = format!(
                "310112{:04}{:02}{:02}{:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day(),
                i % 1000
            );
            let id_card = id(&first17);
            let name = match i % 4 {
                0 => "张三".to_string(),
                1 => format!("欧阳,{i}"),
                2 => format!("李\"四\"{i}"),
                _ => "Ana María".to_string(),
            };
            NewStudent {
                origin: Origin::default(),
                school_code: SchoolCode::parse(&format!("31011200{:02}", i % 7)).unwrap(),
                grade: Grade::new(1 + (i % 12) as u8).unwrap(),
                class_name: format!("{}班", 1 + i % 9),
                student_no: StudentNo::parse(&format!("L{:010}", i)).unwrap(),
                name: PersonName::parse(&name).unwrap(),
                sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
                birth_date: birth,
                id_card_no: (i % 3 != 0).then(|| IdCardNo::parse(&id_card).unwrap()),
                ethnicity: (i % 5 != 0).then(|| EthnicityCode::new(1 + (i % 56) as u8).unwrap()),
                former_names: None,
                status: None,
                flags: None,
            }
        })
        .collect()
}

#[test]
fn students_csv_reads_back_identically() {
    let students = sample_students(500);
    let mut bytes = Vec::new();
    write_students_csv(&students, &mut bytes).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM for Excel"
    );
    let r = read("students.csv", &bytes);
    assert_eq!(r.encoding, Some("UTF-8"));
    assert!(
        r.errors.is_empty(),
        "{:#?}",
        &r.errors[..r.errors.len().min(5)]
    );
    assert_eq!(r.rows_read, 500);
    let mut back = r.batch.students;
    for (i, s) in back.iter_mut().enumerate() {
        assert_eq!(s.origin.row, i as u32 + 2, "row numbers follow the file");
        s.origin = Origin::default();
    }
    assert_eq!(back, students);
}

#[test]
fn the_header_is_the_template_header() {
    let mut bytes = Vec::new();
    write_students_csv(&[], &mut bytes).unwrap();
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text.trim_end(),
        "学校代码,年级,班级,学籍号,姓名,性别,出生日期,身份证号,民族代码"
    );
}
