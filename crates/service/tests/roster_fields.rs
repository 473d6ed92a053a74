//! The roster fields later capabilities build on — 班级类型, 曾用名 and the 班主任 — imported
//! from real .xlsx workbooks through the service, on both backends: an old file without the
//! new columns still imports (普通班, no former names), a new file sets them, a later file
//! without the columns keeps them, and a bad 班级类型 is a row error with nothing written.
use std::sync::Arc;

use rust_xlsxwriter::Workbook;
use wuyu_domain::{ClassType, Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_service::roster::{self, import_roster};
use wuyu_store::{ImportSummary, Store};

/// A workbook with one sheet per `(name, rows)`; the first row is the header.
fn xlsx(name: &str, sheets: &[(&str, &[&[&str]])]) -> UploadedFile {
    let mut wb = Workbook::new();
    for (sheet, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*sheet).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    UploadedFile::new(name, wb.save_to_buffer().unwrap())
}

const SCHOOLS: &[&[&str]] = &[
    &["学校代码", "学校名称", "学段", "城乡"],
    &["3301990001", "城关第一中学", "初中", "城区"],
];
const TEACHERS: &[&[&str]] = &[
    &["学校代码", "工号", "姓名", "性别"],
    &["3301990001", "T01", "王老师", "女"],
    &["3301990001", "T02", "陈老师", "男"],
];

/// The roster as schools kept it before these columns existed.
fn old_file() -> UploadedFile {
    xlsx(
        "旧名册.xlsx",
        &[
            ("学校", SCHOOLS),
            (
                "班级",
                &[
                    &["学校代码", "年级", "班级"],
                    &["3301990001", "7", "1班"],
                    &["3301990001", "7", "2班"],
                ],
            ),
            (
                "学生",
                &[
                    &[
                        "学校代码",
                        "年级",
                        "班级",
                        "学籍号",
                        "姓名",
                        "性别",
                        "出生日期",
                    ],
                    &[
                        "3301990001",
                        "7",
                        "1班",
                        "G0000000001",
                        "张三",
                        "男",
                        "2013-03-05",
                    ],
                    &[
                        "3301990001",
                        "7",
                        "2班",
                        "G0000000002",
                        "李四",
                        "女",
                        "2013-04-06",
                    ],
                ],
            ),
        ],
    )
}

/// The same roster with 班级类型, 曾用名 and a 班主任 in the 任课 sheet.
fn new_file(former_names_of_zhang: &str) -> UploadedFile {
    let students: &[&[&str]] = &[
        &[
            "学校代码",
            "年级",
            "班级",
            "学籍号",
            "姓名",
            "性别",
            "出生日期",
            "曾用名",
        ],
        &[
            "3301990001",
            "7",
            "1班",
            "G0000000001",
            "张三",
            "男",
            "2013-03-05",
            former_names_of_zhang,
        ],
        &[
            "3301990001",
            "7",
            "2班",
            "G0000000002",
            "李四",
            "女",
            "2013-04-06",
            "",
        ],
    ];
    xlsx(
        "新名册.xlsx",
        &[
            ("学校", SCHOOLS),
            (
                "班级",
                &[
                    &["学校代码", "年级", "班级", "班级类型"],
                    &["3301990001", "7", "1班", "实验班"],
                    &["3301990001", "7", "2班", ""],
                ],
            ),
            ("学生", students),
            ("教师", TEACHERS),
            (
                "任课",
                &[
                    &["学校代码", "工号", "年级", "班级", "科目"],
                    &["3301990001", "T01", "7", "1班", "班主任"],
                    &["3301990001", "T01", "7", "1班", "语文"],
                    &["3301990001", "T02", "7", "2班", "数学"],
                ],
            ),
        ],
    )
}

fn admin() -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "admin".into(),
            display_name: "admin".into(),
            role: Role::DistrictAdmin,
            school_id: None,
            teacher_id: None,
            student_id: None,
        },
        Scope::District,
    )
}

/// What a user sees: each class's name, type and 班主任, and each student's former names.
async fn seen(
    svc: &Service,
    school: SchoolId,
) -> Vec<(String, ClassType, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for row in roster::classes(svc, &admin(), school).await.unwrap() {
        let view = roster::class_view(svc, &admin(), school, row.summary.class.id)
            .await
            .unwrap();
        assert_eq!(view.class.class_type, row.summary.class.class_type);
        let heads: Vec<String> = view
            .head_teachers
            .iter()
            .map(|a| a.teacher_name.clone())
            .collect();
        assert_eq!(heads, row.head_teachers);
        let former: Vec<String> = view
            .students
            .iter()
            .flat_map(|s| s.former_names.iter().map(|n| format!("{}:{n}", s.name)))
            .collect();
        out.push((view.class.name, view.class.class_type, heads, former));
    }
    out
}

async fn import(svc: &Service, file: &UploadedFile) -> ImportOutcome<ImportSummary> {
    import_roster(svc, &ImportActor::Operator("tester".into()), file, None)
        .await
        .unwrap()
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));

    // An old file without the new columns imports as before: every class a 普通班.
    let out = import(&svc, &old_file()).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let school = store.school_by_code("3301990001").await.unwrap().unwrap();
    assert_eq!(
        seen(&svc, school).await,
        [
            ("1班".into(), ClassType::Ordinary, vec![], vec![]),
            ("2班".into(), ClassType::Ordinary, vec![], vec![]),
        ]
    );

    // The new columns: 1班 becomes a 实验班 with its 班主任, 张三 has two former names.
    let out = import(&svc, &new_file("张小三、张叁")).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let with_fields = vec![
        (
            "1班".to_string(),
            ClassType::Experimental,
            vec!["王老师".to_string()],
            vec!["张三:张小三".to_string(), "张三:张叁".to_string()],
        ),
        ("2班".into(), ClassType::Ordinary, vec![], vec![]),
    ];
    assert_eq!(seen(&svc, school).await, with_fields);

    // A later file without the columns changes neither the types nor the former names.
    let out = import(&svc, &old_file()).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    assert_eq!(seen(&svc, school).await, with_fields);

    // An empty 曾用名 cell in a file that has the column clears them.
    let out = import(&svc, &new_file("")).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    assert!(seen(&svc, school).await[0].3.is_empty());

    // A 班级类型 the district does not know: one row error naming sheet, row, column and
    // value, and nothing written (2班 stays a 普通班, no record of the import).
    let imports_before = store.list_imports(100).await.unwrap().len();
    let bad = xlsx(
        "班级.xlsx",
        &[(
            "班级",
            &[
                &["学校代码", "年级", "班级", "班级类型"],
                &["3301990001", "7", "2班", "重点班"],
                &["3301990001", "7", "3班", "火箭班"],
            ],
        )],
    );
    let out = import(&svc, &bad).await;
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(
        (
            e.file.as_str(),
            e.sheet.as_str(),
            e.row,
            e.column.as_str(),
            e.value.as_str()
        ),
        ("班级.xlsx", "班级", 3, "班级类型", "火箭班")
    );
    assert!(e.message_zh.contains("普通班 / 实验班"), "{}", e.message_zh);
    assert_eq!(store.list_imports(100).await.unwrap().len(), imports_before);
    let classes = roster::classes(&svc, &admin(), school).await.unwrap();
    assert_eq!(classes.len(), 2);
    assert_eq!(classes[1].summary.class.class_type, ClassType::Ordinary);
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
