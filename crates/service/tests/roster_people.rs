//! The roster's people fields (issue 9), imported from real .xlsx workbooks on both backends:
//! 学籍状态 with its date, 特殊群体 flags, and the teacher's 任教学科 / 专兼职 / 出生年份. An
//! old file still imports; flags are read only by admins and the 班主任, each read audited;
//! undoing the import puts back status and flags; a broken file lists every bad cell at once
//! and writes nothing.
use std::collections::BTreeSet;
use std::sync::Arc;

use rust_xlsxwriter::Workbook;
use wuyu_domain::{
    ClassId, Employment, Role, SchoolId, Scope, StudentFlag, StudentId, StudentStatus, User,
    UserId, Viewer,
};
use wuyu_service::audit::Requester;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_service::roster::{self, import_roster};
use wuyu_service::{Service, ServiceError};
use wuyu_store::{AuditEntry, ImportSummary, Store};

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

/// 姓名, 任教学科, 专兼职, 出生年份.
type TeacherFields = (String, Option<String>, Option<Employment>, Option<i32>);

const SCHOOL: &str = "3301990001";

/// The roster as schools kept it before the people columns existed.
fn old_file() -> UploadedFile {
    xlsx(
        "旧名册.xlsx",
        &[
            (
                "学校",
                &[
                    &["学校代码", "学校名称", "学段", "城乡"],
                    &[SCHOOL, "城关第一中学", "初中", "城区"],
                ],
            ),
            (
                "班级",
                &[
                    &["学校代码", "年级", "班级"],
                    &[SCHOOL, "7", "1班"],
                    &[SCHOOL, "7", "2班"],
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
                        SCHOOL,
                        "7",
                        "1班",
                        "G0000000001",
                        "张三",
                        "男",
                        "2013-03-05",
                    ],
                    &[
                        SCHOOL,
                        "7",
                        "2班",
                        "G0000000002",
                        "李四",
                        "女",
                        "2013-04-06",
                    ],
                ],
            ),
            (
                "教师",
                &[
                    &["学校代码", "工号", "姓名"],
                    &[SCHOOL, "T01", "王老师"],
                    &[SCHOOL, "T02", "陈老师"],
                ],
            ),
            (
                "任课",
                &[
                    &["学校代码", "工号", "年级", "班级", "科目"],
                    &[SCHOOL, "T01", "7", "1班", "班主任"],
                    &[SCHOOL, "T02", "7", "1班", "数学"],
                    &[SCHOOL, "T02", "7", "2班", "班主任"],
                ],
            ),
        ],
    )
}

/// Students and teachers again, with the new columns.
fn people_file() -> UploadedFile {
    xlsx(
        "名册2025.xlsx",
        &[
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
                        "学籍状态",
                        "状态日期",
                        "特殊群体",
                    ],
                    &[
                        SCHOOL,
                        "7",
                        "1班",
                        "G0000000001",
                        "张三",
                        "男",
                        "2013-03-05",
                        "在读",
                        "",
                        "留守、困境",
                    ],
                    &[
                        SCHOOL,
                        "7",
                        "2班",
                        "G0000000002",
                        "李四",
                        "女",
                        "2013-04-06",
                        "转出",
                        "2025-03-01",
                        "",
                    ],
                ],
            ),
            (
                "教师",
                &[
                    &["学校代码", "工号", "姓名", "任教学科", "专兼职", "出生年份"],
                    &[SCHOOL, "T01", "王老师", "体育", "专职", "1985"],
                    &[SCHOOL, "T02", "陈老师", "心理健康", "兼职", ""],
                ],
            ),
        ],
    )
}

fn viewer(role: Role, scope: Scope, teacher: Option<wuyu_domain::TeacherId>) -> Viewer {
    Viewer::new(
        User {
            id: UserId(7),
            username: format!("{role:?}"),
            display_name: "测试".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: teacher,
            student_id: None,
        },
        scope,
    )
}

fn who() -> Requester {
    Requester {
        user_id: Some(UserId(7)),
        username: "tester".into(),
        ip: "127.0.0.1".into(),
    }
}

async fn import(svc: &Service, file: &UploadedFile) -> ImportOutcome<ImportSummary> {
    import_roster(svc, &ImportActor::Operator("tester".into()), file, None)
        .await
        .unwrap()
}

async fn student_no(svc: &Service, school: SchoolId, no: &str) -> StudentId {
    let admin = viewer(Role::DistrictAdmin, Scope::District, None);
    let (_, students) = roster::school_students(svc, &admin, school).await.unwrap();
    students
        .iter()
        .find(|s| s.student_no.as_str() == no)
        .unwrap()
        .id
}

async fn flag_reads(store: &dyn Store) -> usize {
    store
        .list_audit(1000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.entry.action == "read_student_flags")
        .count()
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let admin = viewer(Role::DistrictAdmin, Scope::District, None);

    // An old file imports as before: everyone 在读, no flags, no teacher details.
    let out = import(&svc, &old_file()).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let school = store.school_by_code(SCHOOL).await.unwrap().unwrap();
    let zhang = student_no(&svc, school, "G0000000001").await;
    let li = student_no(&svc, school, "G0000000002").await;
    let (_, s) = roster::student(&svc, &admin, school, li).await.unwrap();
    assert_eq!((s.status, s.status_date), (StudentStatus::Enrolled, None));
    let t = roster::teachers(&svc, &admin, school).await.unwrap();
    assert_eq!(t.len(), 2);
    assert!(
        t.iter()
            .all(|t| t.subject.is_none() && t.employment.is_none())
    );

    // The new columns are written.
    let out = import(&svc, &people_file()).await;
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let (_, s) = roster::student(&svc, &admin, school, li).await.unwrap();
    assert_eq!(s.status, StudentStatus::TransferredOut);
    assert_eq!(s.status_date.unwrap().to_string(), "2025-03-01");
    let t = roster::teachers(&svc, &admin, school).await.unwrap();
    let got: Vec<TeacherFields> = t
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.subject.clone(),
                t.employment,
                t.birth_year,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "王老师".into(),
                Some("体育".into()),
                Some(Employment::FullTime),
                Some(1985)
            ),
            (
                "陈老师".into(),
                Some("心理健康".into()),
                Some(Employment::PartTime),
                None
            ),
        ]
    );

    // Flags: the district admin and the school admin read them, each read audited.
    let before = flag_reads(store.as_ref()).await;
    let flags = roster::student_flags(&svc, &admin, &who(), school, zhang)
        .await
        .unwrap();
    assert_eq!(flags, [StudentFlag::LeftBehind, StudentFlag::Hardship]);
    let school_admin = viewer(Role::SchoolAdmin, Scope::School { school_id: school }, None);
    let flags = roster::student_flags(&svc, &school_admin, &who(), school, li)
        .await
        .unwrap();
    assert!(flags.is_empty());
    assert_eq!(flag_reads(store.as_ref()).await, before + 2);

    // The 班主任 of 1班 reads 张三's; 陈老师 teaches 1班 数学 but is 班主任 of 2班 only.
    let classes = roster::classes(&svc, &admin, school).await.unwrap();
    let class_id = |name: &str| -> ClassId {
        classes
            .iter()
            .find(|c| c.summary.class.name == name)
            .unwrap()
            .summary
            .class
            .id
    };
    let t01 = store.teacher_by_staff_no(school, "T01").await.unwrap();
    let t02 = store.teacher_by_staff_no(school, "T02").await.unwrap();
    let teacher = |id, classes: &[ClassId]| {
        viewer(
            Role::Teacher,
            Scope::Classes {
                school_id: school,
                class_ids: classes.iter().copied().collect::<BTreeSet<_>>(),
            },
            id,
        )
    };
    let head = teacher(t01, &[class_id("1班")]);
    let flags = roster::student_flags(&svc, &head, &who(), school, zhang)
        .await
        .unwrap();
    assert_eq!(flags.len(), 2);
    let subject_teacher = teacher(t02, &[class_id("1班"), class_id("2班")]);
    assert!(matches!(
        roster::student_flags(&svc, &subject_teacher, &who(), school, zhang).await,
        Err(ServiceError::Forbidden)
    ));
    // 陈老师 is 班主任 of 2班: 李四's flags are theirs to read.
    roster::student_flags(&svc, &subject_teacher, &who(), school, li)
        .await
        .unwrap();
    for role in [Role::DistrictAnalyst, Role::Counsellor] {
        let scope = if role == Role::Counsellor {
            Scope::Counsellor { school_id: school }
        } else {
            Scope::District
        };
        assert!(matches!(
            roster::student_flags(&svc, &viewer(role, scope, None), &who(), school, zhang).await,
            Err(ServiceError::Forbidden)
        ));
    }
    // Refused reads read nothing: only the four granted ones are in the log.
    assert_eq!(flag_reads(store.as_ref()).await, before + 4);
    // A teacher's scope does not list the school's staff.
    assert!(roster::teachers(&svc, &head, school).await.is_err());

    // Undoing the people import puts back 在读 and no flags. Only the newest import of a
    // school can be undone: the older file's journal was dropped when the people file wrote
    // over it, so its undo is refused and changes nothing.
    let audit = AuditEntry {
        at: 0,
        user_id: None,
        username: "tester".into(),
        action: "undo_import".into(),
        school_id: None,
        entity: String::new(),
        detail: String::new(),
        ip: "cli".into(),
    };
    let imports = store.list_imports(100).await.unwrap();
    let id_of = |file: &str| {
        imports
            .iter()
            .filter(|r| r.file_name == file)
            .map(|r| r.id)
            .min()
            .unwrap()
    };
    let refused = store
        .undo_import(&Scope::District, id_of("旧名册.xlsx"), &audit)
        .await;
    assert!(
        matches!(&refused, Err(wuyu_store::StoreError::Refused(m)) if m.contains("撤销记录已清理")),
        "{refused:?}"
    );
    let (_, s) = roster::student(&svc, &admin, school, li).await.unwrap();
    assert_eq!(s.status, StudentStatus::TransferredOut);
    store
        .undo_import(&Scope::District, id_of("名册2025.xlsx"), &audit)
        .await
        .unwrap();
    let (_, s) = roster::student(&svc, &admin, school, li).await.unwrap();
    assert_eq!((s.status, s.status_date), (StudentStatus::Enrolled, None));
    assert!(
        roster::student_flags(&svc, &admin, &who(), school, zhang)
            .await
            .unwrap()
            .is_empty()
    );
    let t = roster::teachers(&svc, &admin, school).await.unwrap();
    assert!(
        t.iter()
            .all(|t| t.subject.is_none() && t.birth_year.is_none())
    );

    // A broken file: every bad cell is listed in one pass, nothing written.
    let imports_before = store.list_imports(100).await.unwrap().len();
    let bad = xlsx(
        "坏名册.xlsx",
        &[
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
                        "学籍状态",
                        "状态日期",
                        "特殊群体",
                    ],
                    &[
                        SCHOOL,
                        "7",
                        "1班",
                        "G0000000001",
                        "张三",
                        "男",
                        "2013-03-05",
                        "休学",
                        "",
                        "留守",
                    ],
                    &[
                        SCHOOL,
                        "7",
                        "2班",
                        "G0000000002",
                        "李四",
                        "女",
                        "2013-04-06",
                        "在读",
                        "",
                        "贫困",
                    ],
                ],
            ),
            (
                "教师",
                &[
                    &["学校代码", "工号", "姓名", "专兼职", "出生年份"],
                    &[SCHOOL, "T01", "王老师", "外聘", "85"],
                ],
            ),
        ],
    );
    let out = import(&svc, &bad).await;
    let got: Vec<(&str, u32, &str, &str)> = out
        .errors()
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("学生", 2, "状态日期", ""),
            ("学生", 3, "特殊群体", "贫困"),
            ("教师", 2, "专兼职", "外聘"),
            ("教师", 2, "出生年份", "85"),
        ]
    );
    assert!(
        out.errors()[0].message_zh.contains("休学"),
        "{:?}",
        out.errors()[0]
    );
    assert_eq!(store.list_imports(100).await.unwrap().len(), imports_before);
    assert!(
        roster::student_flags(&svc, &admin, &who(), school, zhang)
            .await
            .unwrap()
            .is_empty()
    );
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
